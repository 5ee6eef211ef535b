// lib/ipc on the real kernel's notifications: a server on ipc::serve with a notification mask
// answers a deferred request when bits come; ipc::call_interruptible ends with
// Error::interrupted; the deferred reply to the interrupted client fails cleanly at the server.
#include "harness.h"
#include "lib/ipc/kernel.h"
#include "tests.h"

namespace kt {
namespace {

struct WaitReply {
    uint32_t bits;
};
struct WaitRequest {
    static constexpr uint32_t kLabel = 0x0310;
    using Reply = WaitReply;
    uint32_t unused;
};

// The server's state: the one client waiting for "ready", and what its replies did.
struct ReadyServer {
    axo_thread_id_t waiting;
    uint32_t delivered, failed;
};
ReadyServer g_ready;
axo_thread_id_t g_ready_server;

ipc::Error on_wait(ReadyServer& server, axo_thread_id_t from, const WaitRequest&, WaitReply&) {
    server.waiting = from;
    return ipc::kNoReply;
}
constexpr ipc::Route<ReadyServer> kRoutes[] = {ipc::route<&on_wait>()};

void ready_server(void*) {
    ipc::Dispatcher<ReadyServer> dispatcher(g_ready, kRoutes);
    ipc::serve(dispatcher, 0x1, [](uint32_t bits) {
        if (g_ready.waiting == AXO_NIL_THREAD) return;
        if (ipc::send_reply(g_ready.waiting, WaitReply{bits}))
            ++g_ready.delivered;
        else
            ++g_ready.failed;
        g_ready.waiting = AXO_NIL_THREAD;
    });
}

struct ClientResult {
    ipc::Error error;
    WaitReply reply;
    uint32_t bits;
};

void waiting_client(void* arg) {
    auto* r = static_cast<ClientResult*>(arg);
    r->error = ipc::call(g_ready_server, WaitRequest{0}, r->reply);
    send_done(0);
    axo_ipc_receive(g_sigma0, AXO_TIMEOUT_NEVER);
}

void interruptible_client(void* arg) {
    auto* r = static_cast<ClientResult*>(arg);
    r->error = ipc::call_interruptible(g_ready_server, WaitRequest{0}, r->reply, 0x2, r->bits);
    send_done(0);
    axo_ipc_receive(g_sigma0, AXO_TIMEOUT_NEVER);
}

void serve_with_notifications() {
    g_ready = {AXO_NIL_THREAD, 0, 0};
    g_ready_server = spawn(ready_server, nullptr);

    static ClientResult first, second;
    first = {ipc::Error::ok, {0}, 0};
    axo_thread_id_t client = spawn(waiting_client, &first);
    bool waiting = wait_state(client, AXO_STATE_RECEIVING);
    sleep_us(2000); // the server runs its handler
    uint32_t error = axo_notify(g_ready_server, 0x1);
    bool done = wait_done(client);
    check(waiting && error == AXO_OK && done && first.error == ipc::Error::ok &&
              first.reply.bits == 0x1 && g_ready.delivered == 1,
          "lib/ipc: a server on serve(dispatcher, mask, ...) answers a deferred request when "
          "bits come (%s, bits %x, delivered %u)",
          ipc::error_name(first.error), first.reply.bits, g_ready.delivered);

    second = {ipc::Error::ok, {0}, 0};
    client = spawn(interruptible_client, &second);
    waiting = wait_state(client, AXO_STATE_RECEIVING);
    sleep_us(2000);
    error = axo_notify(client, 0x2);
    done = wait_done(client);
    check(waiting && error == AXO_OK && done && second.error == ipc::Error::interrupted &&
              second.bits == 0x2,
          "lib/ipc: call_interruptible ends with Error::interrupted and the bits (%s, bits %x)",
          ipc::error_name(second.error), second.bits);
    error = axo_notify(g_ready_server, 0x1);
    sleep_us(3000);
    check(error == AXO_OK && g_ready.failed == 1 && g_ready.delivered == 1,
          "lib/ipc: the deferred reply to the interrupted client fails at the server, which "
          "goes on (failed %u, delivered %u)",
          g_ready.failed, g_ready.delivered);
    cleanup();
}

} // namespace

void lib_ipc_notification_tests() {
    serve_with_notifications();
}

} // namespace kt
