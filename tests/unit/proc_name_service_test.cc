// The name service's rules (servers/proc/name_service.h), with the kernel's "is this thread
// alive?" played by a set of dead ids, and end to end through proc's real dispatch shape.
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "servers/proc/name_service.h"

namespace proc {
namespace {

constexpr axo_thread_id_t kA = axo_thread_id(40, 1);
constexpr axo_thread_id_t kB = axo_thread_id(41, 1);
constexpr axo_thread_id_t kC = axo_thread_id(42, 1);

class NameServiceTest : public ::testing::Test {
protected:
    static bool alive(void* context, axo_thread_id_t thread) {
        auto* self = static_cast<NameServiceTest*>(context);
        ++self->liveness_queries;
        return self->dead.count(thread) == 0 && thread != AXO_NIL_THREAD;
    }

    ipc::Error reg(axo_thread_id_t from, const char* name,
                   axo_thread_id_t server = AXO_NIL_THREAD) {
        NameRegisterRequest request{};
        EXPECT_TRUE(request.name.set(name));
        request.server = server;
        ipc::Empty reply;
        return service.register_name(from, request, reply);
    }
    ipc::Error lookup(axo_thread_id_t from, const char* name, axo_thread_id_t* found = nullptr) {
        NameLookupRequest request{};
        EXPECT_TRUE(request.name.set(name));
        NameLookupReply reply{};
        ipc::Error error = service.lookup(from, request, reply);
        if (found != nullptr) *found = reply.server;
        return error;
    }
    ipc::Error unreg(axo_thread_id_t from, const char* name) {
        NameUnregisterRequest request{};
        EXPECT_TRUE(request.name.set(name));
        ipc::Empty reply;
        return service.unregister(from, request, reply);
    }

    std::set<axo_thread_id_t> dead;
    uint32_t liveness_queries = 0;
    NameService service{Liveness{&alive, this}};
};

TEST_F(NameServiceTest, RegisterAndLookup) {
    ASSERT_EQ(reg(kA, "console"), ipc::Error::ok);
    axo_thread_id_t found = 0;
    ASSERT_EQ(lookup(kB, "console", &found), ipc::Error::ok);
    EXPECT_EQ(found, kA); // nil server: the caller
    EXPECT_EQ(service.table().find("console")->owner, kA);
}

TEST_F(NameServiceTest, ExplicitServerMustBeTheCaller) {
    EXPECT_EQ(reg(kA, "fs", kA), ipc::Error::ok);
    // Pointing a name at another thread would let anyone redirect clients to a victim.
    EXPECT_EQ(reg(kA, "net", kB), ipc::Error::no_permission);
    EXPECT_EQ(lookup(kA, "net"), ipc::Error::no_such_name);
}

TEST_F(NameServiceTest, RegisteringTheSameBindingAgainIsOk) {
    ASSERT_EQ(reg(kA, "fs"), ipc::Error::ok);
    EXPECT_EQ(reg(kA, "fs"), ipc::Error::ok); // a retried request
    EXPECT_EQ(service.table().size(), 1u);
}

TEST_F(NameServiceTest, DuplicateByAnotherThreadIsExists) {
    ASSERT_EQ(reg(kA, "fs"), ipc::Error::ok);
    EXPECT_EQ(reg(kB, "fs"), ipc::Error::exists);
    axo_thread_id_t found = 0;
    ASSERT_EQ(lookup(kC, "fs", &found), ipc::Error::ok);
    EXPECT_EQ(found, kA);
}

TEST_F(NameServiceTest, LookupMissing) {
    EXPECT_EQ(lookup(kA, "nothing"), ipc::Error::no_such_name);
}

TEST_F(NameServiceTest, UnregisterByNonOwnerIsRefused) {
    ASSERT_EQ(reg(kA, "fs"), ipc::Error::ok);
    EXPECT_EQ(unreg(kB, "fs"), ipc::Error::no_permission);
    EXPECT_EQ(lookup(kC, "fs"), ipc::Error::ok);
    EXPECT_EQ(unreg(kA, "fs"), ipc::Error::ok);
    EXPECT_EQ(lookup(kC, "fs"), ipc::Error::no_such_name);
    EXPECT_EQ(unreg(kA, "fs"), ipc::Error::no_such_name);
}

TEST_F(NameServiceTest, OwnerDeathFreesItsNames) {
    ASSERT_EQ(reg(kA, "fs"), ipc::Error::ok);
    ASSERT_EQ(reg(kA, "fs-admin"), ipc::Error::ok);
    ASSERT_EQ(reg(kB, "net"), ipc::Error::ok);
    dead.insert(kA);
    // Found dead on lookup: every name of the thread goes, not only the one asked for.
    EXPECT_EQ(lookup(kC, "fs"), ipc::Error::no_such_name);
    EXPECT_EQ(service.table().find("fs-admin"), nullptr);
    EXPECT_EQ(service.table().size(), 1u);
    EXPECT_EQ(lookup(kC, "net"), ipc::Error::ok);
}

TEST_F(NameServiceTest, ADeadOwnersNameCanBeTakenOver) {
    // A restarted server registers the name its predecessor held.
    ASSERT_EQ(reg(kA, "fs"), ipc::Error::ok);
    dead.insert(kA);
    EXPECT_EQ(reg(kB, "fs"), ipc::Error::ok);
    axo_thread_id_t found = 0;
    ASSERT_EQ(lookup(kC, "fs", &found), ipc::Error::ok);
    EXPECT_EQ(found, kB);
}

TEST_F(NameServiceTest, ThreadDiedFromProc) {
    ASSERT_EQ(reg(kA, "fs"), ipc::Error::ok);
    EXPECT_EQ(service.thread_died(kA), 1u);
    EXPECT_EQ(lookup(kC, "fs"), ipc::Error::no_such_name);
}

TEST_F(NameServiceTest, InvalidNames) {
    NameLookupRequest request{};
    NameLookupReply reply{};
    // Empty.
    EXPECT_EQ(service.lookup(kA, request, reply), ipc::Error::invalid_argument);
    // Unterminated: 32 bytes of letters.
    for (char& c : request.name.bytes)
        c = 'x';
    EXPECT_EQ(service.lookup(kA, request, reply), ipc::Error::invalid_argument);
    // Spaces, control characters, bytes above 0x7e.
    for (const char* bad : {"two words", "tab\there", "bell\a", "caf\xc3\xa9", "\x7f"}) {
        EXPECT_EQ(reg(kA, bad), ipc::Error::invalid_argument) << bad;
        EXPECT_EQ(lookup(kA, bad), ipc::Error::invalid_argument) << bad;
        EXPECT_EQ(unreg(kA, bad), ipc::Error::invalid_argument) << bad;
    }
    EXPECT_EQ(service.table().size(), 0u);
    // Every printable character but the space is fine.
    EXPECT_EQ(reg(kA, "a-z_0.9/~!{}"), ipc::Error::ok);
}

TEST_F(NameServiceTest, TableFullSweepsTheDeadFirst) {
    uint32_t owners = kNameCapacity / kNamesPerOwner;
    for (uint32_t o = 0; o < owners; ++o)
        for (uint32_t i = 0; i < kNamesPerOwner; ++i) {
            std::string name = "o" + std::to_string(o) + "-" + std::to_string(i);
            ASSERT_EQ(reg(axo_thread_id(60 + o, 1), name.c_str()), ipc::Error::ok) << name;
        }
    EXPECT_EQ(reg(kA, "late"), ipc::Error::no_space);
    dead.insert(axo_thread_id(60, 1));
    EXPECT_EQ(reg(kA, "late"), ipc::Error::ok);
    EXPECT_EQ(service.table().size(), kNameCapacity - kNamesPerOwner + 1);
}

TEST_F(NameServiceTest, LivenessIsOnlyAskedWhenItMatters) {
    // Registering a free name needs no kernel call; lookups ask about the bound thread.
    ASSERT_EQ(reg(kA, "fs"), ipc::Error::ok);
    EXPECT_EQ(liveness_queries, 0u);
    ASSERT_EQ(lookup(kB, "fs"), ipc::Error::ok);
    EXPECT_EQ(liveness_queries, 1u); // owner == server: one question
}

} // namespace
} // namespace proc

namespace proc {
namespace {

// kNameWait: answered at once for a bound name, else when the name is registered, with no
// polling; a waiter that made another request meanwhile (it gave up) gets nothing.
class NameWaitTest : public ::testing::Test {
protected:
    static bool alive(void* context, axo_thread_id_t thread) {
        auto* self = static_cast<NameWaitTest*>(context);
        return self->dead.count(thread) == 0 && thread != AXO_NIL_THREAD;
    }
    static bool send(void* context, axo_thread_id_t waiter, axo_thread_id_t server) {
        static_cast<NameWaitTest*>(context)->answers.push_back({waiter, server});
        return true;
    }
    ipc::Error wait(axo_thread_id_t from, const char* name, axo_thread_id_t* found = nullptr) {
        NameWaitRequest request{};
        EXPECT_TRUE(request.name.set(name));
        NameLookupReply reply{};
        ipc::Error error = service.wait(from, request, reply);
        if (found != nullptr) *found = reply.server;
        return error;
    }
    ipc::Error reg(axo_thread_id_t from, const char* name) {
        NameRegisterRequest request{};
        EXPECT_TRUE(request.name.set(name));
        ipc::Empty reply;
        return service.register_name(from, request, reply);
    }

    std::set<axo_thread_id_t> dead;
    std::vector<std::pair<axo_thread_id_t, axo_thread_id_t>> answers;
    NameService service{Liveness{&alive, this}, NameWaitAnswer{&send, this}};
};

TEST_F(NameWaitTest, a_bound_name_is_answered_at_once) {
    ASSERT_EQ(reg(kA, "fs"), ipc::Error::ok);
    axo_thread_id_t found = 0;
    EXPECT_EQ(wait(kB, "fs", &found), ipc::Error::ok);
    EXPECT_EQ(found, kA);
    EXPECT_EQ(service.waiting(), 0u);
}

TEST_F(NameWaitTest, waiters_are_answered_when_the_name_is_registered) {
    EXPECT_EQ(wait(kB, "fs"), ipc::kNoReply);
    EXPECT_EQ(wait(kC, "fs"), ipc::kNoReply);
    EXPECT_EQ(wait(axo_thread_id(43, 1), "ata"), ipc::kNoReply);
    EXPECT_EQ(service.waiting(), 3u);
    ASSERT_EQ(reg(kA, "fs"), ipc::Error::ok);
    std::vector<std::pair<axo_thread_id_t, axo_thread_id_t>> expected = {{kB, kA}, {kC, kA}};
    EXPECT_EQ(answers, expected);
    EXPECT_EQ(service.waiting(), 1u); // the one for "ata"
}

TEST_F(NameWaitTest, a_waiter_that_asked_something_else_gets_no_answer) {
    EXPECT_EQ(wait(kB, "fs"), ipc::kNoReply);
    service.cancel_wait(kB); // proc's request hook: kB sent another request
    ASSERT_EQ(reg(kA, "fs"), ipc::Error::ok);
    EXPECT_TRUE(answers.empty());
}

TEST_F(NameWaitTest, a_second_wait_replaces_the_first_and_the_table_is_bounded) {
    EXPECT_EQ(wait(kB, "fs"), ipc::kNoReply);
    EXPECT_EQ(wait(kB, "net"), ipc::kNoReply);
    EXPECT_EQ(service.waiting(), 1u);
    ASSERT_EQ(reg(kA, "fs"), ipc::Error::ok);
    EXPECT_TRUE(answers.empty());
    for (uint32_t i = 0; i < kNameWaits - 1; ++i)
        EXPECT_EQ(wait(axo_thread_id(100 + i, 1), "x"), ipc::kNoReply);
    EXPECT_EQ(wait(axo_thread_id(200, 1), "x"), ipc::Error::no_space);
    dead.insert(axo_thread_id(100, 1)); // a dead waiter's slot is taken back
    EXPECT_EQ(wait(axo_thread_id(200, 1), "x"), ipc::kNoReply);
    NameWaitRequest bad{};
    NameLookupReply reply{};
    EXPECT_EQ(service.wait(kC, bad, reply), ipc::Error::invalid_argument);
}

} // namespace
} // namespace proc
