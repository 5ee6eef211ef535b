// The readiness table (lib/readiness/readiness_table.h): registrations, which threads an
// object's change notifies, the ends of a registration (notified, cancelled, re-armed, its
// thread or process gone) and a full table.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <vector>

#include "lib/readiness/readiness_table.h"
#include "servers/fs/pipe/pipe.h"

namespace fs {
namespace {

using ipc::Error;

axo_thread_id_t thread(uint32_t n) {
    return axo_thread_id(200 + n, 1);
}
constexpr ReadinessObject kA{10}, kB{11}, kC{12};

class Readiness : public ::testing::Test {
protected:
    ReadinessTable::Registration m_registrations[4];
    ReadinessTable::InterestSlot m_interests[8];
    std::set<axo_thread_id_t> m_dead;
    static bool alive(void* context, axo_thread_id_t t) {
        return static_cast<Readiness*>(context)->m_dead.count(t) == 0;
    }
    ReadinessTable m_table{m_registrations, m_interests, ipc::Liveness{this, &alive}};

    std::vector<ReadinessNotification> notifications() {
        std::vector<ReadinessNotification> out;
        ReadinessNotification n;
        while (m_table.take_notification(&n))
            out.push_back(n);
        return out;
    }
};

TEST_F(Readiness, a_change_notifies_the_threads_that_wait_for_it) {
    const Interest a_in[] = {{kA, kPollIn}};
    const Interest a_out_b_in[] = {{kA, kPollOut}, {kB, kPollIn}};
    ASSERT_EQ(m_table.arm(thread(1), 1, 5, a_in), Error::ok);
    ASSERT_EQ(m_table.arm(thread(2), 1, 7, a_out_b_in), Error::ok);
    EXPECT_EQ(m_table.registrations(), 2u);

    EXPECT_EQ(m_table.update(kC, kPollIn), 0u); // nobody waits for C
    EXPECT_EQ(m_table.update(kA, kPollOut), 1u);
    auto n = notifications();
    ASSERT_EQ(n.size(), 1u);
    EXPECT_EQ(n[0].thread, thread(2));
    EXPECT_EQ(n[0].bits, 1u << 7);
    EXPECT_FALSE(m_table.armed(thread(2))); // notified once, then it ends
    EXPECT_TRUE(m_table.armed(thread(1)));

    EXPECT_EQ(m_table.update(kA, kPollIn | kPollOut), 1u);
    n = notifications();
    ASSERT_EQ(n.size(), 1u);
    EXPECT_EQ(n[0].thread, thread(1));
    EXPECT_EQ(n[0].bits, 1u << 5);
    EXPECT_EQ(m_table.registrations(), 0u);
    EXPECT_EQ(m_table.free_interest_slots(), 8u);
}

TEST_F(Readiness, hang_up_error_and_invalid_notify_whether_asked_for_or_not) {
    const Interest wants_in[] = {{kA, kPollIn}};
    for (uint32_t event : {kPollHup, kPollErr, kPollNval}) {
        ASSERT_EQ(m_table.arm(thread(1), 1, 0, wants_in), Error::ok);
        EXPECT_EQ(m_table.update(kA, kPollOut), 0u); // not wanted
        EXPECT_EQ(m_table.update(kA, event), 1u) << event;
        EXPECT_EQ(notifications().size(), 1u);
    }
    EXPECT_EQ(poll_revents(kPollIn, kPollIn | kPollOut | kPollHup), kPollIn | kPollHup);
}

TEST_F(Readiness, the_outbox_is_oldest_first_and_one_per_thread) {
    const Interest a[] = {{kA, kPollIn}, {kA, kPollIn}};
    const Interest b[] = {{kB, kPollIn}};
    ASSERT_EQ(m_table.arm(thread(1), 1, 1, b), Error::ok);
    ASSERT_EQ(m_table.arm(thread(2), 1, 2, a), Error::ok); // the same object twice
    ASSERT_EQ(m_table.arm(thread(3), 1, 3, a), Error::ok);
    EXPECT_EQ(m_table.update(kA, kPollIn), 2u);
    EXPECT_EQ(m_table.update(kB, kPollIn), 1u);
    auto n = notifications();
    ASSERT_EQ(n.size(), 3u);
    EXPECT_EQ(n[0].thread, thread(2));
    EXPECT_EQ(n[1].thread, thread(3));
    EXPECT_EQ(n[2].thread, thread(1));
}

TEST_F(Readiness, cancel_ends_a_registration_unnotified) {
    const Interest a[] = {{kA, kPollIn}};
    ASSERT_EQ(m_table.arm(thread(1), 1, 1, a), Error::ok);
    EXPECT_TRUE(m_table.cancel(thread(1)));
    EXPECT_FALSE(m_table.cancel(thread(1)));
    EXPECT_EQ(m_table.update(kA, kPollIn), 0u);
    EXPECT_TRUE(notifications().empty());
    EXPECT_EQ(m_table.free_interest_slots(), 8u);
}

TEST_F(Readiness, a_due_notification_that_is_cancelled_is_not_sent) {
    const Interest a[] = {{kA, kPollIn}};
    ASSERT_EQ(m_table.arm(thread(1), 1, 1, a), Error::ok);
    EXPECT_EQ(m_table.update(kA, kPollIn), 1u);
    EXPECT_TRUE(m_table.has_notifications());
    EXPECT_TRUE(m_table.cancel(thread(1)));
    EXPECT_FALSE(m_table.has_notifications());
    EXPECT_TRUE(notifications().empty());
}

TEST_F(Readiness, arming_again_replaces_the_earlier_registration) {
    const Interest a[] = {{kA, kPollIn}};
    const Interest b[] = {{kB, kPollIn}};
    ASSERT_EQ(m_table.arm(thread(1), 1, 1, a), Error::ok);
    ASSERT_EQ(m_table.arm(thread(1), 1, 2, b), Error::ok);
    EXPECT_EQ(m_table.registrations(), 1u);
    EXPECT_EQ(m_table.update(kA, kPollIn), 0u);
    EXPECT_EQ(m_table.update(kB, kPollIn), 1u);
    auto n = notifications();
    ASSERT_EQ(n.size(), 1u);
    EXPECT_EQ(n[0].bits, 1u << 2);
}

TEST_F(Readiness, a_thread_or_process_that_dies_leaves_no_registration) {
    const Interest a[] = {{kA, kPollIn}};
    ASSERT_EQ(m_table.arm(thread(1), 7, 1, a), Error::ok);
    ASSERT_EQ(m_table.arm(thread(2), 7, 1, a), Error::ok);
    ASSERT_EQ(m_table.arm(thread(3), 8, 1, a), Error::ok);
    EXPECT_TRUE(m_table.thread_gone(thread(3)));
    EXPECT_EQ(m_table.owner_gone(7), 2u);
    EXPECT_EQ(m_table.registrations(), 0u);
    EXPECT_EQ(m_table.update(kA, kPollIn), 0u);
}

TEST_F(Readiness, a_full_table_says_no_space_and_reclaims_dead_threads) {
    const Interest one[] = {{kA, kPollIn}};
    for (uint32_t i = 1; i <= 4; ++i)
        ASSERT_EQ(m_table.arm(thread(i), 1, 1, one), Error::ok);
    EXPECT_EQ(m_table.arm(thread(5), 1, 1, one), Error::no_space);
    EXPECT_FALSE(m_table.armed(thread(5)));

    m_dead.insert(thread(2)); // died without the server being told
    EXPECT_EQ(m_table.arm(thread(5), 1, 1, one), Error::ok);
    EXPECT_FALSE(m_table.armed(thread(2)));
    EXPECT_EQ(m_table.registrations(), 4u);
}

TEST_F(Readiness, too_many_interests_say_no_space_and_change_nothing) {
    const Interest five[] = {
        {kA, kPollIn}, {kB, kPollIn}, {kC, kPollIn}, {kA, kPollOut}, {kB, kPollOut}};
    ASSERT_EQ(m_table.arm(thread(1), 1, 1, five), Error::ok);
    EXPECT_EQ(m_table.free_interest_slots(), 3u);
    EXPECT_EQ(m_table.arm(thread(2), 1, 1, five), Error::no_space);
    EXPECT_EQ(m_table.registrations(), 1u);
    EXPECT_EQ(m_table.free_interest_slots(), 3u);
    // Freed slots are found again wherever they are.
    EXPECT_TRUE(m_table.cancel(thread(1)));
    EXPECT_EQ(m_table.arm(thread(2), 1, 1, five), Error::ok);
    EXPECT_EQ(m_table.update(kC, kPollIn), 1u);
}

TEST_F(Readiness, bad_registrations_are_refused) {
    const Interest a[] = {{kA, kPollIn}};
    const Interest invalid[] = {{ReadinessObject{}, kPollIn}};
    EXPECT_EQ(m_table.arm(thread(1), 1, 32, a), Error::invalid_argument);
    EXPECT_EQ(m_table.arm(thread(1), 1, 0, {}), Error::invalid_argument);
    EXPECT_EQ(m_table.arm(thread(1), 1, 0, invalid), Error::invalid_argument);
    EXPECT_EQ(m_table.registrations(), 0u);
    ASSERT_EQ(m_table.arm(thread(1), 1, 31, a), Error::ok);
    EXPECT_EQ(m_table.update(kA, kPollIn), 1u);
    ReadinessNotification n;
    ASSERT_TRUE(m_table.take_notification(&n));
    EXPECT_EQ(n.bits, 1u << 31);
}

TEST_F(Readiness, an_object_that_goes_wakes_its_waiters) {
    const Interest a[] = {{kA, kPollOut}};
    ASSERT_EQ(m_table.arm(thread(1), 1, 1, a), Error::ok);
    EXPECT_EQ(m_table.object_gone(kA), 1u);
    EXPECT_EQ(notifications().size(), 1u);
}

// Random arms, cancels, deaths and updates against a plain model of the registrations.
TEST_F(Readiness, agrees_with_a_model_under_random_operations) {
    struct ModelRegistration {
        uint32_t owner, bits;
        std::vector<Interest> interests;
        bool due = false;
        uint64_t due_order = 0;
    };
    std::map<axo_thread_id_t, ModelRegistration> model;
    uint64_t stamp = 0;
    std::mt19937 random(7);
    auto pick = [&](uint32_t n) { return static_cast<uint32_t>(random() % n); };
    auto used_interests = [&]() {
        size_t n = 0;
        for (auto& [t, r] : model)
            n += r.interests.size();
        return n;
    };
    auto end_dead = [&]() {
        for (auto it = model.begin(); it != model.end();)
            it = m_dead.count(it->first) ? model.erase(it) : std::next(it);
    };
    for (int step = 0; step < 20000; ++step) {
        axo_thread_id_t t = thread(pick(8));
        switch (pick(6)) {
        case 0:
        case 1: { // arm
            std::vector<Interest> set(1 + pick(4));
            for (Interest& i : set)
                i = Interest{ReadinessObject{1 + pick(4)}, pick(2) ? kPollIn : kPollOut};
            uint32_t owner = 1 + pick(3), bit = pick(32);
            model.erase(t);
            auto fits = [&]() { return model.size() < 4 && used_interests() + set.size() <= 8; };
            bool ok = fits();
            if (!ok) {
                size_t before = model.size();
                end_dead();
                ok = model.size() < before && fits();
            }
            ASSERT_EQ(m_table.arm(t, owner, bit, set), ok ? Error::ok : Error::no_space);
            if (ok) model[t] = ModelRegistration{owner, 1u << bit, set};
            break;
        }
        case 2: // cancel
            ASSERT_EQ(m_table.cancel(t), model.erase(t) == 1);
            break;
        case 3: { // a process ends, or a thread dies unannounced
            if (pick(2)) {
                uint32_t owner = 1 + pick(3), n = 0;
                for (auto it = model.begin(); it != model.end();)
                    if (it->second.owner == owner) {
                        it = model.erase(it);
                        ++n;
                    } else {
                        ++it;
                    }
                ASSERT_EQ(m_table.owner_gone(owner), n);
            } else {
                m_dead.insert(t); // died without the server being told
                (void)m_table.reclaim();
                end_dead();
                m_dead.clear(); // (a thread id is never reused; the test's numbers are)
            }
            break;
        }
        case 4: { // an object changes
            ReadinessObject object{1 + pick(4)};
            uint32_t events = pick(5) == 0 ? kPollHup : (pick(2) ? kPollIn : kPollOut);
            uint32_t expected = 0;
            for (auto& [thread_id, r] : model) {
                if (r.due) continue;
                for (const Interest& i : r.interests)
                    if (i.object == object && poll_revents(i.events, events) != 0) {
                        r.due = true;
                        r.due_order = stamp; // those of one update are due together
                        ++expected;
                        break;
                    }
            }
            ASSERT_EQ(m_table.update(object, events), expected);
            ++stamp;
            break;
        }
        case 5: { // the outbox: one of the oldest due
            ReadinessNotification n;
            uint64_t oldest = UINT64_MAX;
            for (auto& [thread_id, r] : model)
                if (r.due && r.due_order < oldest) oldest = r.due_order;
            ASSERT_EQ(m_table.take_notification(&n), oldest != UINT64_MAX);
            if (oldest != UINT64_MAX) {
                auto it = model.find(n.thread);
                ASSERT_TRUE(it != model.end());
                ASSERT_TRUE(it->second.due);
                ASSERT_EQ(it->second.due_order, oldest);
                ASSERT_EQ(n.bits, it->second.bits);
                model.erase(it);
            }
            break;
        }
        }
        ASSERT_EQ(m_table.registrations(), model.size());
        ASSERT_EQ(m_table.free_interest_slots(), 8 - used_interests());
        for (auto& [thread_id, r] : model)
            ASSERT_EQ(m_table.armed(thread_id), !r.due);
    }
}

// The protocol of README.md end to end over two pipes: the server answers a poll now when
// something is ready, else arms; a change notifies; the client asks again and sees the events.
TEST(FsPollProtocol,
     a_poller_is_notified_when_a_pipe_end_becomes_ready_and_sees_it_on_asking_again) {
    ReadinessTable::Registration registrations[4];
    ReadinessTable::InterestSlot interests[8];
    ReadinessTable table(registrations, interests);
    std::vector<uint8_t> ring_a(kPipeCapacity), ring_b(kPipeCapacity);
    Pipe a(ring_a), b(ring_b);
    for (Pipe* p : {&a, &b}) {
        p->open_end(PipeEnd::read);
        p->open_end(PipeEnd::write);
    }
    a.watch(&table, ReadinessObject{1}, ReadinessObject{2});
    b.watch(&table, ReadinessObject{3}, ReadinessObject{4});
    std::vector<uint8_t> fill(kPipeCapacity, 'f');
    ASSERT_EQ(b.write(fill, true).count, kPipeCapacity); // b's write end is not writable

    struct Item {
        Pipe* pipe;
        PipeEnd end;
        ReadinessObject object;
        uint32_t events;
    };
    const Item items[] = {{&a, PipeEnd::read, ReadinessObject{1}, kPollIn},
                          {&b, PipeEnd::write, ReadinessObject{4}, kPollOut}};
    const axo_thread_id_t poller = thread(1);
    constexpr uint32_t kBit = 9;
    // The server's poll: revents now, or a registration.
    auto poll = [&](std::vector<uint32_t>& revents) {
        revents.clear();
        uint32_t ready = 0;
        std::vector<Interest> wanted;
        for (const Item& item : items) {
            revents.push_back(poll_revents(item.events, item.pipe->poll(item.end)));
            ready |= revents.back();
            wanted.push_back({item.object, item.events});
        }
        if (ready != 0) {
            (void)table.cancel(poller);
            return;
        }
        EXPECT_EQ(table.arm(poller, 1, kBit, wanted), Error::ok);
    };
    std::vector<uint32_t> revents;
    ReadinessNotification n;

    poll(revents);
    EXPECT_EQ(revents, (std::vector<uint32_t>{0, 0}));
    EXPECT_TRUE(table.armed(poller));
    std::vector<uint8_t> small(100);
    EXPECT_EQ(b.read(std::span<uint8_t>(small).first(100), true).count, 100u);
    EXPECT_FALSE(table.has_notifications()); // 100 bytes of room: no atomic write fits yet

    const uint8_t byte[] = {1};
    ASSERT_EQ(a.write(byte, true).count, 1u);
    ASSERT_TRUE(table.take_notification(&n));
    EXPECT_EQ(n.thread, poller);
    EXPECT_EQ(n.bits, 1u << kBit);
    poll(revents); // the client woke and asks again
    EXPECT_EQ(revents, (std::vector<uint32_t>{kPollIn, 0}));
    EXPECT_FALSE(table.armed(poller));

    // It read the byte; nothing is ready; then b's reader drains enough for an atomic write.
    EXPECT_EQ(a.read(std::span<uint8_t>(small).first(1), true).count, 1u);
    poll(revents);
    EXPECT_TRUE(table.armed(poller));
    std::vector<uint8_t> drain(kPipeBuf);
    EXPECT_EQ(b.read(drain, true).count, kPipeBuf);
    ASSERT_TRUE(table.take_notification(&n));
    poll(revents);
    EXPECT_EQ(revents, (std::vector<uint32_t>{0, kPollOut}));

    // a's last writer closes: a hang-up is reported though only POLLIN was asked for.
    ASSERT_EQ(b.write(std::span<uint8_t>(drain).first(kPipeBuf), true).count, kPipeBuf);
    poll(revents);
    ASSERT_TRUE(table.armed(poller));
    a.close_end(PipeEnd::write);
    ASSERT_TRUE(table.take_notification(&n));
    poll(revents);
    EXPECT_EQ(revents, (std::vector<uint32_t>{kPollHup, 0}));
}

} // namespace
} // namespace fs
