// lib/ipc/pending_requests.h: the rules of deferred requests — one per client thread, a new
// request cancels the old one, a stale ticket never answers a later call, state committed only
// when the reply was delivered, explicit cancellation and dead clients — and the Dispatcher's
// request hook that cancels on every request, through the fake kernel.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "ipc_fake_kernel.h"
#include "lib/ipc/client.h"
#include "lib/ipc/dispatcher.h"
#include "lib/ipc/pending_requests.h"

namespace ipc {
namespace {

struct Read {
    uint32_t max;
};
using Table = PendingRequests<Read, 3>;

// Records replies; threads in `gone` do not receive them.
struct Outbox {
    std::vector<std::pair<axo_thread_id_t, uint32_t>> sent;
    std::set<axo_thread_id_t> gone;
    auto sender(uint32_t value) {
        return [this, value](axo_thread_id_t client, const Read&) {
            if (gone.count(client) != 0) return false;
            sent.push_back({client, value});
            return true;
        };
    }
};

TEST(IpcPendingRequests, DefersInArrivalOrderWithDistinctTickets) {
    Table table;
    PendingTicket a = kNoTicket, b = kNoTicket;
    EXPECT_EQ(table.defer(10, Read{1}, &a), Error::ok);
    EXPECT_EQ(table.defer(20, Read{2}, &b), Error::ok);
    EXPECT_NE(a, kNoTicket);
    EXPECT_NE(a, b);
    ASSERT_EQ(table.count(), 2u);
    EXPECT_EQ(table.at(0).client, 10u);
    EXPECT_EQ(table.at(1).payload.max, 2u);
    EXPECT_TRUE(table.pending(a));
    EXPECT_EQ(table.find(20)->ticket, b);
}

TEST(IpcPendingRequests, ANewRequestCancelsTheThreadsOldOne) {
    Table table;
    PendingTicket first = kNoTicket, second = kNoTicket;
    ASSERT_EQ(table.defer(10, Read{1}, &first), Error::ok);
    ASSERT_EQ(table.defer(20, Read{2}), Error::ok);
    ASSERT_EQ(table.defer(10, Read{3}, &second), Error::ok);
    EXPECT_EQ(table.count(), 2u); // one per thread
    EXPECT_FALSE(table.pending(first));
    EXPECT_EQ(table.at(1).client, 10u); // queued again, behind 20
    EXPECT_EQ(table.at(1).payload.max, 3u);
    // Any other request of the thread (the request hook) cancels it too.
    EXPECT_TRUE(table.cancel(10));
    EXPECT_FALSE(table.pending(second));
    EXPECT_FALSE(table.cancel(10));
}

TEST(IpcPendingRequests, AStaleTicketNeverAnswersALaterCall) {
    Table table;
    Outbox outbox;
    PendingTicket old_ticket = kNoTicket, new_ticket = kNoTicket;
    ASSERT_EQ(table.defer(10, Read{1}, &old_ticket), Error::ok);
    EXPECT_TRUE(table.cancel(10)); // the client gave up and called again
    EXPECT_EQ(table.answer(old_ticket, outbox.sender(1)), Delivery::stale);
    ASSERT_EQ(table.defer(10, Read{2}, &new_ticket), Error::ok);
    // The same thread waits again: the old ticket still answers nothing.
    EXPECT_EQ(table.answer(old_ticket, outbox.sender(1)), Delivery::stale);
    EXPECT_TRUE(outbox.sent.empty());
    EXPECT_EQ(table.answer(new_ticket, outbox.sender(2)), Delivery::delivered);
    ASSERT_EQ(outbox.sent.size(), 1u);
    EXPECT_EQ(outbox.sent[0].second, 2u);
    // Answered once: a second answer is stale.
    EXPECT_EQ(table.answer(new_ticket, outbox.sender(3)), Delivery::stale);
    EXPECT_EQ(outbox.sent.size(), 1u);
}

TEST(IpcPendingRequests, CommitsOnlyWhenTheReplyWasDelivered) {
    Table table;
    Outbox outbox;
    outbox.gone.insert(10);
    uint32_t ring = 5; // bytes a reply would consume
    PendingTicket gone_ticket = kNoTicket, live_ticket = kNoTicket;
    ASSERT_EQ(table.defer(10, Read{2}, &gone_ticket), Error::ok);
    ASSERT_EQ(table.defer(20, Read{3}, &live_ticket), Error::ok);
    auto consume = [&ring](const Read& read) { ring -= read.max; };
    EXPECT_EQ(table.answer(gone_ticket, outbox.sender(1), consume), Delivery::failed);
    EXPECT_EQ(ring, 5u);          // nothing consumed for a client that left
    EXPECT_EQ(table.count(), 1u); // and its entry is gone
    EXPECT_EQ(table.answer(live_ticket, outbox.sender(2), consume), Delivery::delivered);
    EXPECT_EQ(ring, 2u);
    EXPECT_TRUE(table.empty());
}

TEST(IpcPendingRequests, ACommitMayAnswerOthers) {
    Table table;
    Outbox outbox;
    PendingTicket a = kNoTicket, b = kNoTicket;
    ASSERT_EQ(table.defer(10, Read{1}, &a), Error::ok);
    ASSERT_EQ(table.defer(20, Read{2}, &b), Error::ok);
    EXPECT_EQ(table.answer(a, outbox.sender(1),
                           [&](const Read&) {
                               EXPECT_EQ(table.answer(b, outbox.sender(2)), Delivery::delivered);
                           }),
              Delivery::delivered);
    EXPECT_EQ(outbox.sent.size(), 2u);
    EXPECT_TRUE(table.empty());
}

TEST(IpcPendingRequests, CancelIfDropsMatchingEntriesUnanswered) {
    Table table;
    ASSERT_EQ(table.defer(10, Read{7}), Error::ok);
    ASSERT_EQ(table.defer(20, Read{8}), Error::ok);
    ASSERT_EQ(table.defer(30, Read{7}), Error::ok);
    EXPECT_EQ(table.cancel_if([](const Table::Entry& e) { return e.payload.max == 7; }), 2u);
    ASSERT_EQ(table.count(), 1u);
    EXPECT_EQ(table.at(0).client, 20u);
    table.client_gone(20);
    EXPECT_TRUE(table.empty());
}

bool alive_unless_odd(void*, axo_thread_id_t thread) {
    return thread % 2 == 0;
}

TEST(IpcPendingRequests, AFullTableReclaimsDeadClientsOnly) {
    Table refuses; // no liveness: every client counts as alive
    ASSERT_EQ(refuses.defer(1, Read{1}), Error::ok);
    ASSERT_EQ(refuses.defer(2, Read{1}), Error::ok);
    ASSERT_EQ(refuses.defer(4, Read{1}), Error::ok);
    EXPECT_EQ(refuses.defer(6, Read{1}), Error::no_space);
    EXPECT_EQ(refuses.defer(4, Read{2}), Error::ok); // its own replaces

    Table table(Liveness{nullptr, &alive_unless_odd});
    PendingTicket dead = kNoTicket;
    ASSERT_EQ(table.defer(1, Read{1}, &dead), Error::ok); // thread 1 will count as dead
    ASSERT_EQ(table.defer(2, Read{1}), Error::ok);
    ASSERT_EQ(table.defer(4, Read{1}), Error::ok);
    EXPECT_EQ(table.defer(6, Read{1}), Error::ok);
    EXPECT_FALSE(table.pending(dead));
    EXPECT_EQ(table.count(), 3u);
    EXPECT_EQ(table.defer(8, Read{1}), Error::no_space); // all alive now
}

// The Dispatcher's request hook: a thread whose wait timed out calls again; the server must
// not answer the new call with the old call's reply.
struct Server {
    PendingRequests<Read, 4> waits;
    uint32_t hooks = 0;
};
struct WaitReply {
    uint32_t value;
};
struct WaitRequest {
    static constexpr uint32_t kLabel = 0x0901;
    using Reply = WaitReply;
};
struct PingRequest {
    static constexpr uint32_t kLabel = 0x0902;
    using Reply = Empty;
};

Error on_wait(Server& server, axo_thread_id_t from, const WaitRequest&, WaitReply&) {
    return server.waits.defer(from, Read{0}) == Error::ok ? kNoReply : Error::no_space;
}
Error on_ping(Server&, axo_thread_id_t, const PingRequest&, Empty&) {
    return Error::ok;
}
constexpr Route<Server> kRoutes[] = {route<&on_wait>(), route<&on_ping>()};

TEST(IpcPendingRequests, TheRequestHookCancelsTheCallersPendingRequest) {
    Server server;
    Dispatcher<Server> dispatcher(server, kRoutes, nullptr, [](Server& s, axo_thread_id_t from) {
        ++s.hooks;
        (void)s.waits.cancel(from);
    });
    fake::Kernel kernel;
    kernel.add_dispatcher(1, dispatcher);
    fake::Transport client(kernel, 42);
    WaitReply reply{};
    // The wait is deferred: the client's receive times out (the fake's no_reply).
    EXPECT_EQ(call(client, 1, WaitRequest{}, reply), Error::timed_out);
    ASSERT_EQ(server.waits.count(), 1u);
    PendingTicket abandoned = server.waits.at(0).ticket;
    Empty empty;
    EXPECT_EQ(call(client, 1, PingRequest{}, empty), Error::ok);
    EXPECT_EQ(server.hooks, 2u);
    EXPECT_TRUE(server.waits.empty());
    EXPECT_FALSE(server.waits.pending(abandoned));
    // Kernel-protocol labels are no requests: no hook.
    uint32_t mr[AXO_MR_COUNT] = {axo_msg_tag(AXO_LABEL_EXCEPTION, 0, 0)};
    Message fault(mr);
    EXPECT_EQ(dispatcher.dispatch(42, fault), Outcome::no_reply);
    EXPECT_EQ(server.hooks, 2u);
}

} // namespace
} // namespace ipc
