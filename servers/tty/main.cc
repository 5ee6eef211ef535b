// tty: the terminal server (README.md). One process: its main thread serves the stream and tty
// interfaces (terminal.h) and registers "console"; a second thread reads the line — a stream
// server, the serial driver named by `line=` (default com1) — and hands each chunk of received
// bytes to the main thread (kTtyInput). The tty is the driver's client: it calls it to put
// bytes on the line and to read them, and proc to identify clients and to signal groups —
// both below it in the call hierarchy (DESIGN.md §5).
//   tty [line=com1] [name=tty] [on-exit=restart]
#include "rt/rt.h"

#include "interfaces/process/protocol.h"
#include "interfaces/stream/client.h"
#include "lib/driver/driver.h"
#include "lib/ipc/kernel.h"
#include "lib/names/names.h"
#include "servers/tty/terminal.h"

namespace {

constexpr uint32_t kLineTimeoutUs = 5000000; // a write to the line waits this long for room
constexpr uint32_t kProcTimeoutUs = 2000000;
constexpr uint32_t kPollUs = 10000; // VTIME's resolution is 100 ms

const char* g_line_name = "com1";
axo_thread_id_t g_line = AXO_NIL_THREAD;
axo_thread_id_t g_main = AXO_NIL_THREAD;

void pause_us(uint32_t us) {
    (void)axo_ipc_receive(rt_my_id(), axo_timeout_us(us)); // nobody sends: a sleep
}

// The line driver, waited for until it is there (it may register after the tty starts, or be
// restarted by proc): proc answers when the name comes (kNameWait), so nothing polls.
axo_thread_id_t look_up_line() {
    axo_thread_id_t line = AXO_NIL_THREAD;
    while (names::wait_for(g_line_name, line, axo_timeout_us(kProcTimeoutUs)) != ipc::Error::ok)
        pause_us(10000); // proc refused (its waiters are full) or the wait timed out
    return line;
}

class KernelHost final : public tty::TerminalHost {
public:
    void put(const uint8_t* bytes, uint32_t count) override {
        for (int attempt = 0; attempt < 2; ++attempt) {
            ipc::Error error =
                stream::client::write_all(g_line, bytes, count, axo_timeout_us(kLineTimeoutUs));
            if (error != ipc::Error::server_gone) return; // bytes a dead line took are lost
            g_line = look_up_line();
        }
    }
    ipc::Error drain() override {
        return stream::client::flush(g_line, axo_timeout_us(kLineTimeoutUs));
    }
    ipc::Error identify(axo_thread_id_t thread, tty::Identity& who) override {
        proc::IdentifyReply reply{};
        ipc::Error error = ipc::call(names::proc_thread(), proc::IdentifyRequest{thread}, reply,
                                     axo_timeout_us(kProcTimeoutUs));
        if (error == ipc::Error::ok) who = tty::Identity{reply.pid, reply.pgid, reply.sid};
        return error;
    }
    ipc::Error group_session(uint32_t pgid, uint32_t& sid) override {
        proc::GroupSessionReply reply{};
        ipc::Error error = ipc::call(names::proc_thread(), proc::GroupSessionRequest{pgid}, reply,
                                     axo_timeout_us(kProcTimeoutUs));
        if (error == ipc::Error::ok) sid = reply.sid;
        return error;
    }
    void kill_group(uint32_t pgid, uint32_t signal) override {
        ipc::Empty reply;
        // A group that is gone, or refuses, has nobody to signal: nothing else to do.
        (void)ipc::call(names::proc_thread(),
                        proc::KillRequest{-static_cast<int32_t>(pgid), signal}, reply,
                        axo_timeout_us(kProcTimeoutUs));
    }
    uint64_t now_us() override { return rt_clock_us(); }
    bool send_read(axo_thread_id_t client, const stream::ReadReply& reply) override {
        return ipc::send_reply(client, reply);
    }
    void notify(axo_thread_id_t thread, uint32_t bits) override {
        (void)axo_notify(thread, bits); // a poller that is gone, or granted nothing: its loss
    }
};

KernelHost g_host;
tty::Terminal g_terminal(g_host, ipc::kernel_liveness());

// ---- Handlers ----

ipc::Error on_write(tty::Terminal& t, axo_thread_id_t from, const stream::WriteRequest& request,
                    stream::WriteReply& reply) {
    return t.write(from, request, reply);
}
ipc::Error on_write_background(tty::Terminal& t, axo_thread_id_t from,
                               const tty::WriteBackgroundRequest& request,
                               stream::WriteReply& reply) {
    return t.write_background(from, request, reply);
}
ipc::Error on_read(tty::Terminal& t, axo_thread_id_t from, const stream::ReadRequest& request,
                   stream::ReadReply& reply) {
    return t.read(from, request, reply);
}
ipc::Error on_flush_output(tty::Terminal& t, axo_thread_id_t, const stream::FlushRequest&,
                           ipc::Empty&) {
    return t.flush_output();
}
ipc::Error on_get_attributes(tty::Terminal& t, axo_thread_id_t, const tty::GetAttributesRequest&,
                             tty::Termios& reply) {
    return t.get_attributes(reply);
}
ipc::Error on_set_attributes(tty::Terminal& t, axo_thread_id_t from,
                             const tty::SetAttributesRequest& request, ipc::Empty&) {
    return t.set_attributes(from, request);
}
ipc::Error on_get_foreground(tty::Terminal& t, axo_thread_id_t, const tty::GetForegroundRequest&,
                             tty::ProcessGroupReply& reply) {
    reply.pgid = t.foreground();
    return ipc::Error::ok;
}
ipc::Error on_set_foreground(tty::Terminal& t, axo_thread_id_t from,
                             const tty::SetForegroundRequest& request, ipc::Empty&) {
    return t.set_foreground(from, request);
}
ipc::Error on_get_window_size(tty::Terminal& t, axo_thread_id_t, const tty::GetWindowSizeRequest&,
                              tty::WindowSize& reply) {
    reply = t.window_size();
    return ipc::Error::ok;
}
ipc::Error on_set_window_size(tty::Terminal& t, axo_thread_id_t,
                              const tty::SetWindowSizeRequest& request, ipc::Empty&) {
    t.set_window_size(request.size);
    return ipc::Error::ok;
}
ipc::Error on_flush(tty::Terminal& t, axo_thread_id_t, const tty::FlushRequest& request,
                    ipc::Empty&) {
    return t.flush(request);
}
ipc::Error on_get_session(tty::Terminal& t, axo_thread_id_t, const tty::GetSessionRequest&,
                          tty::SessionReply& reply) {
    return t.session(reply);
}
ipc::Error on_poll(tty::Terminal& t, axo_thread_id_t from, const tty::PollRequest& request,
                   tty::PollReply& reply) {
    return t.poll_readiness(from, request, reply);
}
axo_thread_id_t g_reader = AXO_NIL_THREAD;
ipc::Error on_input(tty::Terminal& t, axo_thread_id_t from, const tty::InputRequest& request,
                    ipc::Empty&) {
    if (from != g_reader) return ipc::Error::no_permission;
    if (request.count > stream::kChunkBytes) return ipc::Error::invalid_argument;
    t.input(request.bytes, request.count);
    return ipc::Error::ok;
}

constexpr ipc::Route<tty::Terminal> kRoutes[] = {
    ipc::route<&on_write>(),           ipc::route<&on_read>(),
    ipc::route<&on_flush_output>(),    ipc::route<&on_get_attributes>(),
    ipc::route<&on_set_attributes>(),  ipc::route<&on_get_foreground>(),
    ipc::route<&on_set_foreground>(),  ipc::route<&on_get_window_size>(),
    ipc::route<&on_set_window_size>(), ipc::route<&on_flush>(),
    ipc::route<&on_get_session>(),     ipc::route<&on_write_background>(),
    ipc::route<&on_input>(),           ipc::route<&on_poll>(),
};
static_assert(ipc::labels_unique(kRoutes));

void cancel_requests_of(tty::Terminal& t, axo_thread_id_t from) {
    t.cancel(from);
}
bool timing(tty::Terminal& t) {
    return t.timing();
}
void poll(tty::Terminal& t) {
    t.poll();
}

// ---- The reading thread ----

alignas(16) uint8_t g_reader_stack[16384];

// Reads the line (waiting for bytes) and hands what came to the main thread. The line has its
// own thread id (g_line may change under a restart): this thread looks it up for itself.
void read_line(void*) {
    axo_thread_id_t line = look_up_line();
    for (;;) {
        tty::InputRequest input{};
        ipc::Error error = stream::client::read(line, input.bytes, stream::kChunkBytes, true,
                                                input.count, AXO_TIMEOUT_NEVER);
        if (error != ipc::Error::ok) {
            pause_us(10000);
            line = look_up_line();
            continue;
        }
        ipc::Empty reply;
        (void)ipc::call(g_main, input, reply);
    }
}

} // namespace

int main() {
    const char* name = driver::arguments().argv[0];
    if (const char* line = driver::argument_value("line")) g_line_name = line;
    g_main = rt_my_id();
    g_line = look_up_line();
    if (uint32_t error = rt_process_thread_start(&read_line, nullptr,
                                                 g_reader_stack + sizeof g_reader_stack, &g_reader);
        error != 0) {
        rt_printf("%s: starting the reading thread: %s\n", name,
                  ipc::error_name(static_cast<ipc::Error>(error)));
        driver::exit(1);
    }
    driver::check(name, "registering the name", names::register_name(name));
    driver::check(name, "registering \"console\"", names::register_name("console"));
    rt_printf("%s: the console on %s, serving\n", name, g_line_name);
    ipc::Dispatcher<tty::Terminal> dispatcher(g_terminal, kRoutes, nullptr, &cancel_requests_of);
    driver::serve(dispatcher, g_terminal, &timing, &poll, kPollUs);
}
