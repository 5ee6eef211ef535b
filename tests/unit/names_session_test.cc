// lib/names/session.h over the fake kernel, against proc's real name service and a server on
// lib/ipc's Sessions table: the attach with its receive window and map item, calls on the
// session, re-attach after server_gone (a restarted server found by name, the buffer refilled
// before the retry) and after the server lost the session (not_found), and the bounds.
#include <set>

#include <gtest/gtest.h>

#include "ipc_fake_kernel.h"
#include "lib/ipc/map_item.h"
#include "lib/ipc/session.h"
#include "lib/names/session.h"
#include "servers/proc/name_service.h"

namespace {

constexpr axo_thread_id_t kProc = axo_thread_id(33, 1);
constexpr axo_thread_id_t kClient = axo_thread_id(70, 1);
constexpr axo_thread_id_t kServer1 = axo_thread_id(71, 1);
constexpr axo_thread_id_t kServer2 = axo_thread_id(72, 1);

constexpr ipc::Route<proc::NameService> kNameRoutes[] = {
    ipc::route<&proc::NameService::register_name>(),
    ipc::route<&proc::NameService::lookup>(),
    ipc::route<&proc::NameService::unregister>(),
};

constexpr uint32_t kLog2 = 12;
constexpr axo_fpage_t kWindow = axo_fpage(0x20000000, kLog2, AXO_FPAGE_RWX);

struct AttachReply {
    axo_thread_id_t server;
    uint32_t slot;
};
struct AttachRequest {
    static constexpr uint32_t kLabel = 0x0B00;
    using Reply = AttachReply;
};
// Reads the first word of the caller's buffer (what the client put there).
struct PeekReply {
    uint32_t word;
    axo_thread_id_t server;
};
struct PeekRequest {
    static constexpr uint32_t kLabel = 0x0B01;
    using Reply = PeekReply;
};
struct FailRequest {
    static constexpr uint32_t kLabel = 0x0B02;
    using Reply = ipc::Empty;
};

// A server instance: its own memory and Sessions table, as a driver holds them.
struct BufferServer {
    explicit BufferServer(axo_thread_id_t id) : id(id) {
        sessions.set_buffers(reinterpret_cast<uintptr_t>(memory));
    }
    ipc::Outcome serve(axo_thread_id_t from, ipc::Message& m) {
        ++requests;
        switch (m.label()) {
        case AttachRequest::kLabel: {
            auto attached = sessions.attach(from);
            if (attached.error != ipc::Error::ok) {
                ipc::put_error(m, attached.error);
                break;
            }
            ipc::put_reply_with_item(
                m, AttachReply{id, attached.slot},
                ipc::MapItem::map(static_cast<uint32_t>(sessions.address(attached.slot)),
                                  sessions.fpage(attached.slot, AXO_FPAGE_R | AXO_FPAGE_W)));
            break;
        }
        case PeekRequest::kLabel: {
            uint32_t slot = 0;
            if (sessions.find(from, &slot) == nullptr) {
                ipc::put_error(m, ipc::Error::not_found);
                break;
            }
            uint32_t word = 0;
            __builtin_memcpy(&word, sessions.buffer(slot), 4);
            ipc::put_reply(m, PeekReply{word, id});
            break;
        }
        default:
            ipc::put_error(m, ipc::Error::io_error);
        }
        return ipc::Outcome::reply;
    }

    axo_thread_id_t id;
    alignas(1u << kLog2) uint8_t memory[2u << kLog2] = {};
    ipc::Sessions<2> sessions{kLog2, ipc::WhenFull::refuse};
    uint32_t requests = 0;
};

class NamesSessionTest : public ::testing::Test {
protected:
    NamesSessionTest() { kernel.add_dispatcher(kProc, dispatcher); }
    static bool alive(void* context, axo_thread_id_t thread) {
        return static_cast<NamesSessionTest*>(context)->dead.count(thread) == 0;
    }
    void start(BufferServer& server) {
        kernel.add_server(server.id, [&server](axo_thread_id_t from, ipc::Message& m) {
            return server.serve(from, m);
        });
        fake::Transport own(kernel, server.id);
        ASSERT_EQ(names::register_name(own, kProc, "disk"), ipc::Error::ok);
    }
    void kill(axo_thread_id_t id) {
        kernel.kill(id);
        dead.insert(id);
    }
    // What the client "writes into its buffer": the fake kernel maps nothing, so the test
    // writes the server's memory the window shows.
    static void put_word(BufferServer& server, uint32_t slot, uint32_t word) {
        __builtin_memcpy(server.sessions.buffer(slot), &word, 4);
    }

    std::set<axo_thread_id_t> dead;
    proc::NameService service{proc::Liveness{&alive, this}};
    ipc::Dispatcher<proc::NameService> dispatcher{service, kNameRoutes};
    fake::Kernel kernel;
    fake::Transport client{kernel, kClient};
    names::Session<fake::Transport, AttachRequest> session{client, kProc, "disk", kWindow};
};

TEST_F(NamesSessionTest, AttachesWithItsWindowOnFirstUse) {
    BufferServer server(kServer1);
    start(server);
    EXPECT_FALSE(session.attached());
    PeekReply reply{};
    uint32_t refills = 0;
    ASSERT_EQ(session.call_idempotent(PeekRequest{}, reply, AXO_TIMEOUT_NEVER,
                                      [&] {
                                          ++refills;
                                          put_word(server, session.attach_reply().slot, 77);
                                      }),
              ipc::Error::ok);
    EXPECT_EQ(reply.word, 77u);
    EXPECT_EQ(refills, 1u); // the first attach filled the buffer
    EXPECT_TRUE(session.attached());
    EXPECT_EQ(session.attaches(), 1u);
    EXPECT_EQ(session.attach_reply().server, kServer1);
    EXPECT_EQ(client.window_in_last_call, AXO_FPAGE_NIL); // the window was for the attach only
    EXPECT_EQ(client.receive_window(), AXO_FPAGE_NIL);
    // Attached: later calls do not attach again.
    ASSERT_EQ(session.call_once(PeekRequest{}, reply), ipc::Error::ok);
    EXPECT_EQ(session.attaches(), 1u);
    EXPECT_EQ(server.sessions.count(), 1u);
}

TEST_F(NamesSessionTest, ReattachesToARestartedServerAndRefillsBeforeTheRetry) {
    BufferServer first(kServer1);
    start(first);
    ASSERT_EQ(session.attach(), ipc::Error::ok);
    put_word(first, session.attach_reply().slot, 5);

    kill(kServer1);
    BufferServer second(kServer2);
    start(second);
    PeekReply reply{};
    uint32_t refills = 0;
    ASSERT_EQ(session.call_idempotent(PeekRequest{}, reply, AXO_TIMEOUT_NEVER,
                                      [&] {
                                          ++refills;
                                          put_word(second, session.attach_reply().slot, 6);
                                      }),
              ipc::Error::ok);
    EXPECT_EQ(reply.server, kServer2);
    EXPECT_EQ(reply.word, 6u); // the new buffer holds what the refill put there, not zeros
    EXPECT_EQ(refills, 1u);
    EXPECT_EQ(session.attaches(), 2u);
    EXPECT_EQ(session.binding().lookups(), 2u);
    EXPECT_EQ(second.sessions.count(), 1u);
}

TEST_F(NamesSessionTest, ASessionTheServerLostIsAttachedAgain) {
    BufferServer server(kServer1);
    start(server);
    ASSERT_EQ(session.attach(), ipc::Error::ok);
    server.sessions.client_gone(kClient); // taken back, e.g. by a full table
    PeekReply reply{};
    EXPECT_EQ(session.call_once(PeekRequest{}, reply), ipc::Error::not_found);
    EXPECT_FALSE(session.attached());
    EXPECT_EQ(session.call_once(PeekRequest{}, reply), ipc::Error::ok); // attaches first
    EXPECT_EQ(session.attaches(), 2u);

    server.sessions.client_gone(kClient);
    EXPECT_EQ(session.call_idempotent(PeekRequest{}, reply), ipc::Error::ok);
    EXPECT_EQ(session.attaches(), 3u);
    EXPECT_EQ(session.binding().lookups(), 1u); // the same server all along
}

TEST_F(NamesSessionTest, ServerErrorsAndAttachRefusalsAreNotRetried) {
    BufferServer server(kServer1);
    start(server);
    ipc::Empty empty;
    uint32_t before = server.requests;
    EXPECT_EQ(session.call_idempotent(FailRequest{}, empty), ipc::Error::io_error);
    EXPECT_EQ(server.requests - before, 2u); // the attach and one call

    // A full table refuses the attach: no_space, and no call is made.
    BufferServer full(kServer2);
    full.sessions.attach(axo_thread_id(90, 1));
    full.sessions.attach(axo_thread_id(91, 1));
    kill(kServer1);
    start(full);
    before = full.requests;
    PeekReply reply{};
    EXPECT_EQ(session.call_idempotent(PeekRequest{}, reply), ipc::Error::no_space);
    EXPECT_EQ(full.requests - before, 1u);
    EXPECT_FALSE(session.attached());
}

TEST_F(NamesSessionTest, StopsWhileNobodyServesTheName) {
    BufferServer server(kServer1);
    start(server);
    ASSERT_EQ(session.attach(), ipc::Error::ok);
    kill(kServer1); // not restarted (yet): its name no longer resolves
    PeekReply reply{};
    uint32_t calls = kernel.calls;
    EXPECT_EQ(session.call_idempotent(PeekRequest{}, reply), ipc::Error::no_such_name);
    EXPECT_EQ(kernel.calls - calls, 2u); // the call that found it gone, one lookup
    EXPECT_FALSE(session.attached());
}

} // namespace
