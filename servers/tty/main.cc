// tty: the terminal server (README.md). One process, one terminal per line: the system console
// on the line `line=` names (default com1, the serial driver), and with `tty1=NAME` a second
// terminal on the stream server NAME (the VGA console driver). Each terminal has a serving
// thread (the main thread for the console, which registers "console" and the module's name; a
// second one for tty1, which registers "tty1") and a thread that reads its line — waiting
// stream reads — and hands each chunk of received bytes to its serving thread (kTtyInput). The
// tty is the drivers' client: it calls them to put bytes on the lines and to read them, and
// proc to identify clients and to signal groups — both below it in the call hierarchy
// (DESIGN.md §5).
//   tty [line=com1] [tty1=vga] [on-exit=restart]
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

void pause_us(uint32_t us) {
    (void)axo_ipc_receive(rt_my_id(), axo_timeout_us(us)); // nobody sends: a sleep
}

// The line driver `name`, waited for until it is there (it may register after the tty starts,
// or be restarted by proc): proc answers when the name comes (kNameWait), so nothing polls.
axo_thread_id_t look_up_line(const char* name) {
    axo_thread_id_t line = AXO_NIL_THREAD;
    while (names::wait_for(name, line, axo_timeout_us(kProcTimeoutUs)) != ipc::Error::ok)
        pause_us(10000); // proc refused (its waiters are full) or the wait timed out
    return line;
}

struct Line;

class KernelHost final : public tty::TerminalHost {
public:
    explicit KernelHost(Line& line) : m_line(line) {}
    void put(const uint8_t* bytes, uint32_t count) override;
    ipc::Error drain() override;
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

private:
    Line& m_line;
};

// One terminal and its line: the context of its serving thread's dispatcher.
struct Line {
    const char* line_name = nullptr;         // the stream server of the line
    const char* name = nullptr;              // what the terminal registers
    axo_thread_id_t line = AXO_NIL_THREAD;   // the line's server (the serving thread's copy)
    axo_thread_id_t server = AXO_NIL_THREAD; // the serving thread
    axo_thread_id_t reader = AXO_NIL_THREAD; // the reading thread
    KernelHost host{*this};
    tty::Terminal terminal{host, ipc::kernel_liveness()};
    alignas(16) uint8_t reader_stack[16384];
};

void KernelHost::put(const uint8_t* bytes, uint32_t count) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        ipc::Error error =
            stream::client::write_all(m_line.line, bytes, count, axo_timeout_us(kLineTimeoutUs));
        if (error != ipc::Error::server_gone) return; // bytes a dead line took are lost
        m_line.line = look_up_line(m_line.line_name);
    }
}

ipc::Error KernelHost::drain() {
    return stream::client::flush(m_line.line, axo_timeout_us(kLineTimeoutUs));
}

// The system console (terminal 0) and the second terminal (tty1).
Line g_console;
Line g_second;

// ---- Handlers ----

ipc::Error on_write(Line& l, axo_thread_id_t from, const stream::WriteRequest& request,
                    stream::WriteReply& reply) {
    return l.terminal.write(from, request, reply);
}
ipc::Error on_write_background(Line& l, axo_thread_id_t from,
                               const tty::WriteBackgroundRequest& request,
                               stream::WriteReply& reply) {
    return l.terminal.write_background(from, request, reply);
}
ipc::Error on_read(Line& l, axo_thread_id_t from, const stream::ReadRequest& request,
                   stream::ReadReply& reply) {
    return l.terminal.read(from, request, reply);
}
ipc::Error on_flush_output(Line& l, axo_thread_id_t, const stream::FlushRequest&, ipc::Empty&) {
    return l.terminal.flush_output();
}
ipc::Error on_get_attributes(Line& l, axo_thread_id_t, const tty::GetAttributesRequest&,
                             tty::Termios& reply) {
    return l.terminal.get_attributes(reply);
}
ipc::Error on_set_attributes(Line& l, axo_thread_id_t from,
                             const tty::SetAttributesRequest& request, ipc::Empty&) {
    return l.terminal.set_attributes(from, request);
}
ipc::Error on_get_foreground(Line& l, axo_thread_id_t, const tty::GetForegroundRequest&,
                             tty::ProcessGroupReply& reply) {
    reply.pgid = l.terminal.foreground();
    return ipc::Error::ok;
}
ipc::Error on_set_foreground(Line& l, axo_thread_id_t from,
                             const tty::SetForegroundRequest& request, ipc::Empty&) {
    return l.terminal.set_foreground(from, request);
}
ipc::Error on_get_window_size(Line& l, axo_thread_id_t, const tty::GetWindowSizeRequest&,
                              tty::WindowSize& reply) {
    reply = l.terminal.window_size();
    return ipc::Error::ok;
}
ipc::Error on_set_window_size(Line& l, axo_thread_id_t, const tty::SetWindowSizeRequest& request,
                              ipc::Empty&) {
    l.terminal.set_window_size(request.size);
    return ipc::Error::ok;
}
ipc::Error on_flush(Line& l, axo_thread_id_t, const tty::FlushRequest& request, ipc::Empty&) {
    return l.terminal.flush(request);
}
ipc::Error on_get_session(Line& l, axo_thread_id_t, const tty::GetSessionRequest&,
                          tty::SessionReply& reply) {
    return l.terminal.session(reply);
}
ipc::Error on_poll(Line& l, axo_thread_id_t from, const tty::PollRequest& request,
                   tty::PollReply& reply) {
    return l.terminal.poll_readiness(from, request, reply);
}
ipc::Error on_input(Line& l, axo_thread_id_t from, const tty::InputRequest& request, ipc::Empty&) {
    if (from != l.reader) return ipc::Error::no_permission;
    if (request.count > stream::kChunkBytes) return ipc::Error::invalid_argument;
    l.terminal.input(request.bytes, request.count);
    return ipc::Error::ok;
}

constexpr ipc::Route<Line> kRoutes[] = {
    ipc::route<&on_write>(),           ipc::route<&on_read>(),
    ipc::route<&on_flush_output>(),    ipc::route<&on_get_attributes>(),
    ipc::route<&on_set_attributes>(),  ipc::route<&on_get_foreground>(),
    ipc::route<&on_set_foreground>(),  ipc::route<&on_get_window_size>(),
    ipc::route<&on_set_window_size>(), ipc::route<&on_flush>(),
    ipc::route<&on_get_session>(),     ipc::route<&on_write_background>(),
    ipc::route<&on_input>(),           ipc::route<&on_poll>(),
};
static_assert(ipc::labels_unique(kRoutes));

void cancel_requests_of(Line& l, axo_thread_id_t from) {
    l.terminal.cancel(from);
}
bool timing(Line& l) {
    return l.terminal.timing();
}
void poll(Line& l) {
    l.terminal.poll();
}

[[noreturn]] void serve(Line& l) {
    ipc::Dispatcher<Line> dispatcher(l, kRoutes, nullptr, &cancel_requests_of);
    driver::serve(dispatcher, l, &timing, &poll, kPollUs);
}

// ---- The threads ----

// Reads the line (waiting for bytes) and hands what came to the serving thread. The line has its
// own thread id (the serving thread's copy may change under a restart): this thread looks it up
// for itself.
void read_line(void* argument) {
    Line& l = *static_cast<Line*>(argument);
    axo_thread_id_t line = look_up_line(l.line_name);
    for (;;) {
        tty::InputRequest input{};
        ipc::Error error = stream::client::read(line, input.bytes, stream::kChunkBytes, true,
                                                input.count, AXO_TIMEOUT_NEVER);
        if (error != ipc::Error::ok) {
            pause_us(10000);
            line = look_up_line(l.line_name);
            continue;
        }
        ipc::Empty reply;
        (void)ipc::call(l.server, input, reply);
    }
}

// The second terminal's serving thread: it waits for its line, registers its name, serves.
alignas(16) uint8_t g_second_stack[16384];
void serve_second(void*) {
    g_second.line = look_up_line(g_second.line_name);
    if (ipc::Error error = names::register_name(g_second.name); error != ipc::Error::ok) {
        rt_printf("tty: registering \"%s\": %s\n", g_second.name, ipc::error_name(error));
        for (;;)
            pause_us(1000000000);
    }
    rt_printf("tty: %s on %s, serving\n", g_second.name, g_second.line_name);
    serve(g_second);
}

void start_thread(const char* name, void (*fn)(void*), void* argument, uint8_t* stack,
                  uint32_t size, axo_thread_id_t* id) {
    if (uint32_t error = rt_process_thread_start(fn, argument, stack + size, id); error != 0) {
        rt_printf("%s: starting a thread: %s\n", name,
                  ipc::error_name(static_cast<ipc::Error>(error)));
        driver::exit(1);
    }
}

} // namespace

int main() {
    const char* name = driver::arguments().argv[0];
    g_console.line_name = driver::argument_value("line");
    if (g_console.line_name == nullptr) g_console.line_name = "com1";
    g_console.name = "console";
    g_console.server = rt_my_id();
    g_console.line = look_up_line(g_console.line_name);
    start_thread(name, &read_line, &g_console, g_console.reader_stack,
                 sizeof g_console.reader_stack, &g_console.reader);
    if (const char* second = driver::argument_value("tty1")) {
        // The VGA text screen is 25 rows of 80 columns (interfaces/console).
        g_second.line_name = second;
        g_second.name = "tty1";
        g_second.terminal.set_window_size(tty::WindowSize{25, 80, 0, 0});
        start_thread(name, &serve_second, nullptr, g_second_stack, sizeof g_second_stack,
                     &g_second.server);
        start_thread(name, &read_line, &g_second, g_second.reader_stack,
                     sizeof g_second.reader_stack, &g_second.reader);
    }
    driver::check(name, "registering the name", names::register_name(name));
    driver::check(name, "registering \"console\"", names::register_name("console"));
    rt_printf("%s: the console on %s, serving\n", name, g_console.line_name);
    serve(g_console);
}
