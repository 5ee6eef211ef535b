// The name-service client (interfaces/names/client.h) against proc's real name service, over the
// fake kernel: the stubs, the server's use of the kernel-given sender, and Binding's
// re-lookup after a server restart (DESIGN.md §5).
#include <set>

#include <gtest/gtest.h>

#include "interfaces/names/client.h"
#include "ipc_fake_kernel.h"
#include "servers/proc/name_service.h"

namespace {

constexpr axo_thread_id_t kProc = axo_thread_id(33, 1);
constexpr axo_thread_id_t kClient = axo_thread_id(70, 1);
constexpr axo_thread_id_t kServer1 = axo_thread_id(71, 1);
constexpr axo_thread_id_t kServer2 = axo_thread_id(72, 1);
constexpr axo_thread_id_t kIntruder = axo_thread_id(73, 1);

// proc's name-service routes, as proc wires them (servers/proc/server.cc, which makes system
// calls and so is not built here).
constexpr ipc::Route<proc::NameService> kRoutes[] = {
    ipc::route<&proc::NameService::register_name>(),
    ipc::route<&proc::NameService::lookup>(),
    ipc::route<&proc::NameService::unregister>(),
};

// A named server's protocol: tells who answered.
struct WhoReply {
    axo_thread_id_t server;
};
struct WhoRequest {
    static constexpr uint32_t kLabel = AXO_LABELS_TEST_FIRST + 0x20;
    using Reply = WhoReply;
};

class NamesClientTest : public ::testing::Test {
protected:
    NamesClientTest() {
        kernel.add_dispatcher(kProc, dispatcher);
        // Threads the fake kernel runs are alive; killed ones are not.
    }
    static bool alive(void* context, axo_thread_id_t thread) {
        return static_cast<NamesClientTest*>(context)->dead.count(thread) == 0;
    }

    // Starts a "who" server under `id` that registers `name` through its own transport.
    void start_who(axo_thread_id_t id, const char* name) {
        kernel.add_server(id, [id](axo_thread_id_t, ipc::Message& m) {
            ipc::put_reply(m, WhoReply{id});
            return ipc::Outcome::reply;
        });
        fake::Transport own(kernel, id);
        ASSERT_EQ(names::register_name(own, kProc, name), ipc::Error::ok);
    }
    void kill(axo_thread_id_t id) {
        kernel.kill(id);
        dead.insert(id);
    }

    std::set<axo_thread_id_t> dead;
    proc::NameService service{proc::Liveness{&alive, this}};
    ipc::Dispatcher<proc::NameService> dispatcher{service, kRoutes};
    fake::Kernel kernel;
    fake::Transport client{kernel, kClient};
};

TEST_F(NamesClientTest, RegisterLookupUnregister) {
    fake::Transport server(kernel, kServer1);
    ASSERT_EQ(names::register_name(server, kProc, "console"), ipc::Error::ok);
    axo_thread_id_t found = 0;
    ASSERT_EQ(names::lookup(client, kProc, "console", found), ipc::Error::ok);
    EXPECT_EQ(found, kServer1); // the sender the fake kernel reported, not a message field
    EXPECT_EQ(names::unregister_name(client, kProc, "console"), ipc::Error::no_permission);
    EXPECT_EQ(names::unregister_name(server, kProc, "console"), ipc::Error::ok);
    EXPECT_EQ(names::lookup(client, kProc, "console", found), ipc::Error::no_such_name);
}

TEST_F(NamesClientTest, OwnershipComesFromTheSenderNotTheMessage) {
    fake::Transport owner(kernel, kServer1);
    ASSERT_EQ(names::register_name(owner, kProc, "fs"), ipc::Error::ok);
    fake::Transport intruder(kernel, kIntruder);
    // Naming the owner's thread as the server does not make the intruder the owner: a
    // registration for another thread is refused before the name is even looked at.
    EXPECT_EQ(names::register_name(intruder, kProc, "fs", kServer1), ipc::Error::no_permission);
    EXPECT_EQ(names::register_name(intruder, kProc, "fs"), ipc::Error::exists);
    EXPECT_EQ(names::register_name(intruder, kProc, "fs2", kServer1), ipc::Error::no_permission);
    EXPECT_EQ(names::unregister_name(intruder, kProc, "fs"), ipc::Error::no_permission);
}

TEST_F(NamesClientTest, TooLongNamesNeverLeaveTheClient) {
    uint32_t calls = kernel.calls;
    axo_thread_id_t found = 0;
    EXPECT_EQ(names::register_name(client, kProc, "a-name-of-thirty-two-characters"),
              ipc::Error::ok); // 31: fine
    EXPECT_EQ(names::register_name(client, kProc, "a-name-of-thirty-two-characters!"),
              ipc::Error::invalid_argument);
    EXPECT_EQ(names::lookup(client, kProc, "a-name-of-thirty-two-characters!", found),
              ipc::Error::invalid_argument);
    EXPECT_EQ(kernel.calls, calls + 1);
}

TEST_F(NamesClientTest, NameServiceGone) {
    axo_thread_id_t found = 0;
    EXPECT_EQ(names::lookup(client, axo_thread_id(999, 1), "x", found), ipc::Error::server_gone);
}

TEST_F(NamesClientTest, BindingLooksUpOnceAndCaches) {
    start_who(kServer1, "who");
    names::Binding<fake::Transport> who(client, kProc, "who");
    EXPECT_EQ(who.server(), AXO_NIL_THREAD);
    WhoReply reply{};
    ASSERT_EQ(who.call_idempotent(WhoRequest{}, reply), ipc::Error::ok);
    EXPECT_EQ(reply.server, kServer1);
    ASSERT_EQ(who.call_idempotent(WhoRequest{}, reply), ipc::Error::ok);
    EXPECT_EQ(who.lookups(), 1u);
    EXPECT_EQ(who.server(), kServer1);
}

TEST_F(NamesClientTest, BindingFindsARestartedServer) {
    start_who(kServer1, "who");
    names::Binding<fake::Transport> who(client, kProc, "who");
    WhoReply reply{};
    ASSERT_EQ(who.call_idempotent(WhoRequest{}, reply), ipc::Error::ok);

    kill(kServer1);
    start_who(kServer2, "who"); // takes over the dead server's name
    ASSERT_EQ(who.call_idempotent(WhoRequest{}, reply), ipc::Error::ok);
    EXPECT_EQ(reply.server, kServer2);
    EXPECT_EQ(who.lookups(), 2u);
}

TEST_F(NamesClientTest, BindingGivesUpWhileNobodyServesTheName) {
    start_who(kServer1, "who");
    names::Binding<fake::Transport> who(client, kProc, "who");
    WhoReply reply{};
    ASSERT_EQ(who.call_idempotent(WhoRequest{}, reply), ipc::Error::ok);
    kill(kServer1);
    // The dead server's name no longer resolves: the caller hears so, and may try later.
    EXPECT_EQ(who.call_idempotent(WhoRequest{}, reply), ipc::Error::no_such_name);
    EXPECT_EQ(who.server(), AXO_NIL_THREAD);
}

TEST_F(NamesClientTest, BindingRetriesABoundedNumberOfTimes) {
    // A name service that keeps handing out a dead thread (a broken one): the binding must
    // stop after kAttempts calls instead of looping.
    fake::Kernel liar_kernel;
    uint32_t lookups_served = 0;
    liar_kernel.add_server(kProc, [&](axo_thread_id_t, ipc::Message& m) {
        ++lookups_served;
        ipc::put_reply(m, proc::NameLookupReply{kServer1});
        return ipc::Outcome::reply;
    });
    fake::Transport lied_to(liar_kernel, kClient);
    names::Binding<fake::Transport> who(lied_to, kProc, "who");
    WhoReply reply{};
    EXPECT_EQ(who.call_idempotent(WhoRequest{}, reply), ipc::Error::server_gone);
    EXPECT_EQ(lookups_served, names::Binding<fake::Transport>::kAttempts);
}

TEST_F(NamesClientTest, CallOnceNeverRetriesButForgets) {
    start_who(kServer1, "who");
    names::Binding<fake::Transport> who(client, kProc, "who");
    WhoReply reply{};
    ASSERT_EQ(who.call_once(WhoRequest{}, reply), ipc::Error::ok);
    kill(kServer1);
    start_who(kServer2, "who");
    uint32_t calls = kernel.calls;
    EXPECT_EQ(who.call_once(WhoRequest{}, reply), ipc::Error::server_gone);
    EXPECT_EQ(kernel.calls, calls + 1); // no lookup, no second attempt
    EXPECT_EQ(who.server(), AXO_NIL_THREAD);
    ASSERT_EQ(who.call_once(WhoRequest{}, reply), ipc::Error::ok);
    EXPECT_EQ(reply.server, kServer2);
}

TEST_F(NamesClientTest, ServerErrorsAreNotRetried) {
    constexpr axo_thread_id_t kBusy = axo_thread_id(80, 1);
    uint32_t served = 0;
    kernel.add_server(kBusy, [&](axo_thread_id_t, ipc::Message& m) {
        ++served;
        ipc::put_error(m, ipc::Error::busy);
        return ipc::Outcome::reply;
    });
    fake::Transport busy_thread(kernel, kBusy);
    ASSERT_EQ(names::register_name(busy_thread, kProc, "busy"), ipc::Error::ok);
    names::Binding<fake::Transport> busy(client, kProc, "busy");
    WhoReply reply{};
    EXPECT_EQ(busy.call_idempotent(WhoRequest{}, reply), ipc::Error::busy);
    EXPECT_EQ(served, 1u);
    EXPECT_EQ(busy.server(), kBusy); // still trusted: it answered
}

} // namespace
