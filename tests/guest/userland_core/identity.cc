// worker's modes for proc's identity, event stream and signals (interfaces/process/protocol.h,
// "Identity", "The event stream", kProcKill), built into worker (boot modules are few):
//
//   worker identity  identify of itself and of a forked child (pid, parent, group, session,
//                    root credentials), setpgid and setsid as POSIX allows and refuses them
//                    (a spawned child: access denied), setuid/seteuid rules, and kill's
//                    permissions as an ordinary user.
//   worker events    a subscriber thread of its own; 20 forked children whose first act is a
//                    call to it: it must know each caller's fork from the event stream when
//                    the call arrives (identify the sender, then a no-hang kProcEventNext at
//                    most); then it sees their 20 exits.
//   worker exec      setuid and a group of its own, then exec of `worker execd PID UID`, which
//                    checks it kept pid, credentials and group and has fresh .data and .bss.
//   worker signals   stop and continue of a forked child reported to wait (kWaitUntraced,
//                    kWaitContinued), a caught signal collected by the child, SIGTERM held
//                    while stopped and acting on SIGCONT.
//
// Exit 0, else the number of the step that failed (and a line saying which).
#include "identity.h"

#include "program.h"

namespace identity {

namespace {

using program::exit;

constexpr uint32_t kTimeoutUs = 2000000;
axo_timeout_t timeout() {
    return axo_timeout_us(kTimeoutUs);
}
void sleep_ms(uint32_t ms) {
    axo_ipc_receive(rt_kip()->sigma0, axo_timeout_us(ms * 1000));
}

ipc::KernelTransport g_transport;

axo_thread_id_t proc_thread() {
    return program::proc_thread();
}

[[noreturn]] void fail(uint32_t step, const char* what, ipc::Error error = ipc::Error::ok) {
    rt_printf("worker: step %u failed: %s (%s)\n", step, what, ipc::error_name(error));
    exit(static_cast<int32_t>(step));
}

void expect(uint32_t step, ipc::Error got, ipc::Error want, const char* what) {
    if (got != want) fail(step, what, got);
}

proc::IdentifyReply who(axo_thread_id_t thread, uint32_t step) {
    proc::IdentifyReply reply{};
    expect(step, proc::client::identify(g_transport, proc_thread(), thread, reply, timeout()),
           ipc::Error::ok, "identify");
    return reply;
}

alignas(16) uint8_t g_child_stack[16384];
axo_thread_id_t g_parent;

uint32_t child_sp() {
    return (static_cast<uint32_t>(
                reinterpret_cast<uintptr_t>(g_child_stack + sizeof g_child_stack)) &
            ~15u) -
           20;
}

proc::SpawnReply fork(void (*function)(), uint32_t step) {
    proc::SpawnReply child{};
    ipc::Error error = ipc::call(
        proc_thread(),
        proc::ForkRequest{static_cast<uint32_t>(reinterpret_cast<uintptr_t>(function)), child_sp()},
        child, timeout());
    if (error != ipc::Error::ok) fail(step, "fork", error);
    return child;
}

proc::WaitReply wait(proc::ProcessId pid, uint32_t options, uint32_t step, ipc::Error want) {
    proc::WaitReply reply{};
    expect(step, proc::client::wait(g_transport, proc_thread(), pid, options, reply, timeout()),
           want, "wait");
    return reply;
}

// Parent and child talk with plain IPC: a label and up to 4 words.
bool send_words(axo_thread_id_t to, uint32_t label, const uint32_t* words, uint32_t count) {
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[0] = axo_msg_tag(label, count, 0);
    for (uint32_t i = 0; i < count; ++i)
        utcb->mr[1 + i] = words[i];
    return !axo_tag_failed(axo_ipc_call(to, axo_timeouts(timeout(), timeout())));
}
bool receive_words(axo_thread_id_t from, uint32_t label, uint32_t* words, uint32_t count) {
    axo_utcb_t* utcb = axo_my_utcb();
    axo_ipc_receive(from, timeout());
    axo_msg_tag_t tag = utcb->mr[0];
    if (axo_tag_failed(tag) || axo_tag_label(tag) != label || axo_tag_untyped(tag) != count)
        return false;
    for (uint32_t i = 0; i < count; ++i)
        words[i] = utcb->mr[1 + i];
    return true;
}
void release(axo_thread_id_t to) {
    axo_my_utcb()->mr[0] = axo_msg_tag(0, 0, 0);
    axo_ipc_send(to, timeout());
}

// ---- identity --------------------------------------------------------------------------------

constexpr uint32_t kWhoAmI = 0x7801, kSetsidResult = 0x7802;

void identity_child() {
    proc::IdentifyReply me = who(AXO_NIL_THREAD, 40);
    uint32_t words[4] = {me.pid, me.parent, me.pgid, me.sid};
    if (!send_words(g_parent, kWhoAmI, words, 4)) exit(41);
    // The parent made us a group leader meanwhile: setsid is refused.
    proc::SetSessionReply session{};
    uint32_t result = static_cast<uint32_t>(
        proc::client::set_session(g_transport, proc_thread(), session, timeout()));
    if (!send_words(g_parent, kSetsidResult, &result, 1)) exit(42);
    exit(0);
}

[[noreturn]] void identity_mode() {
    g_parent = rt_my_id();
    proc::IdentifyReply me = who(AXO_NIL_THREAD, 1);
    if (me.parent == proc::kNoProcess || me.credentials.euid != 0 || me.credentials.ruid != 0)
        fail(2, "a spawned worker is the driver's child, root");
    if (me.sid == me.pid || me.pgid == me.pid) fail(3, "in its parent's group and session");
    rt_printf("# worker: pid %u, parent %u, group %u, session %u, uid %u\n", me.pid, me.parent,
              me.pgid, me.sid, me.credentials.euid);

    proc::SpawnReply child = fork(&identity_child, 4);
    uint32_t words[4] = {};
    if (!receive_words(child.main_thread, kWhoAmI, words, 4)) fail(5, "the child's identity");
    if (words[0] != child.pid || words[1] != me.pid || words[2] != me.pgid || words[3] != me.sid)
        fail(6, "the forked child's pid, parent, group and session");
    proc::IdentifyReply of_child = who(child.main_thread, 7);
    if (of_child.pid != child.pid || of_child.parent != me.pid) fail(8, "identify by its thread");
    rt_printf("# worker: forked child: pid %u, parent %u, group %u, session %u\n", words[0],
              words[1], words[2], words[3]);

    auto setpgid = [](int32_t pid, int32_t pgid) {
        return proc::client::set_process_group(g_transport, proc_thread(), pid, pgid, timeout());
    };
    auto pid = [](proc::ProcessId p) { return static_cast<int32_t>(p); };
    expect(9, setpgid(0, -5), ipc::Error::invalid_argument, "setpgid to a negative group");
    expect(10, setpgid(999999, 0), ipc::Error::not_found, "setpgid of nobody: ESRCH");
    expect(11, setpgid(pid(me.parent), 0), ipc::Error::not_found, "setpgid of its parent");
    expect(12, setpgid(0, 999999), ipc::Error::no_permission, "a group that does not exist");
    expect(13, setpgid(pid(child.pid), 0), ipc::Error::ok, "the child leads a group of its own");
    if (who(child.main_thread, 14).pgid != child.pid) fail(14, "the child's new group");
    expect(15, setpgid(0, pid(child.pid)), ipc::Error::ok, "joining the child's group");
    if (who(AXO_NIL_THREAD, 16).pgid != child.pid) fail(16, "its own new group");
    release(child.main_thread);
    uint32_t result = 0;
    if (!receive_words(child.main_thread, kSetsidResult, &result, 1)) fail(17, "setsid result");
    if (result != static_cast<uint32_t>(ipc::Error::no_permission))
        fail(18, "setsid of a group leader must be refused", static_cast<ipc::Error>(result));
    release(child.main_thread);
    proc::WaitReply ended = wait(child.pid, 0, 19, ipc::Error::ok);
    if (ended.reason != proc::kExitNormal || ended.status != 0) fail(20, "the child's end");

    // A spawned child has exec'd: its parent may not move it.
    proc::SpawnReply spawned{};
    expect(21,
           proc::client::spawn(g_transport, proc_thread(), "spinner", "sleep", spawned, timeout()),
           ipc::Error::ok, "spawn spinner");
    expect(22, setpgid(pid(spawned.pid), 0), ipc::Error::access_denied,
           "setpgid of a spawned child: EACCES");
    expect(23,
           proc::client::kill(g_transport, proc_thread(), pid(spawned.pid), proc::kSignalKill,
                              timeout()),
           ipc::Error::ok, "kill it");
    (void)wait(spawned.pid, 0, 24, ipc::Error::ok);

    // setsid: not a group leader now (its group is the ended child's pid).
    proc::SetSessionReply session{};
    expect(25, proc::client::set_session(g_transport, proc_thread(), session, timeout()),
           ipc::Error::ok, "setsid");
    proc::IdentifyReply leader = who(AXO_NIL_THREAD, 26);
    if (session.sid != me.pid || leader.sid != me.pid || leader.pgid != me.pid)
        fail(26, "the new session and group are its pid");
    expect(27, proc::client::set_session(g_transport, proc_thread(), session, timeout()),
           ipc::Error::no_permission, "a second setsid");
    expect(28, setpgid(0, 0), ipc::Error::no_permission, "setpgid of a session leader");

    // Credentials.
    auto set = [](proc::CredentialOperation operation, uint32_t id) {
        return proc::client::set_credentials(g_transport, proc_thread(), operation, id, timeout());
    };
    expect(29, set(proc::kSetEffectiveUid, 500), ipc::Error::ok, "root: seteuid(500)");
    expect(30, set(proc::kSetUid, 600), ipc::Error::no_permission, "euid 500: setuid(600)");
    expect(31, set(proc::kSetEffectiveUid, 0), ipc::Error::ok, "seteuid(0): the saved uid");
    expect(32, set(proc::kSetUid, 1000), ipc::Error::ok, "root: setuid(1000)");
    proc::Credentials c = who(AXO_NIL_THREAD, 33).credentials;
    if (c.ruid != 1000 || c.euid != 1000 || c.suid != 1000) fail(33, "setuid set all three");
    expect(34, set(proc::kSetUid, 0), ipc::Error::no_permission, "setuid(0) as 1000");
    expect(35, set(proc::kSetGid, 5), ipc::Error::no_permission, "setgid(5) as 1000");
    expect(36, set(proc::kSetUid, proc::kNoId), ipc::Error::invalid_argument, "setuid(-1)");

    // kill as uid 1000: root's processes refuse it, its own do not.
    expect(37, proc::client::kill(g_transport, proc_thread(), pid(me.parent), 0, timeout()),
           ipc::Error::no_permission, "signal 0 to its root parent");
    proc::SpawnReply own = fork(&identity_child, 38);
    if (who(own.main_thread, 38).credentials.ruid != 1000) fail(38, "the child inherits uid 1000");
    expect(
        39,
        proc::client::kill(g_transport, proc_thread(), pid(own.pid), proc::kSignalTerm, timeout()),
        ipc::Error::ok, "kill of its own user's child");
    ended = wait(own.pid, 0, 39, ipc::Error::ok);
    if (ended.reason != proc::kExitKilled || ended.status != 15) fail(39, "killed by 15");
    exit(0);
}

// ---- events ----------------------------------------------------------------------------------

constexpr uint32_t kChildren = 20;
constexpr uint32_t kHello = 0x7810;
alignas(16) uint8_t g_subscriber_stack[8192];
volatile uint32_t g_subscribed, g_answered, g_known_before_call, g_exits, g_lost;
proc::ProcessId g_forked[64];
uint32_t g_forked_count;
axo_thread_id_t g_subscriber;

bool forked_known(proc::ProcessId pid) {
    for (uint32_t i = 0; i < g_forked_count; ++i)
        if (g_forked[i] == pid) return true;
    return false;
}

void take(const proc::EventNextReply& reply) {
    if (reply.lost) g_lost = g_lost + 1;
    for (uint32_t i = 0; i < reply.count; ++i) {
        const proc::Event& event = reply.events[i];
        if (event.kind == proc::kEventFork && g_forked_count < 64)
            g_forked[g_forked_count++] = event.pid;
        if (event.kind == proc::kEventExit && forked_known(event.pid)) g_exits = g_exits + 1;
    }
}

void subscriber(void*) {
    if (proc::client::subscribe(g_transport, proc_thread(), timeout()) != ipc::Error::ok) {
        g_subscribed = 2;
        for (;;)
            sleep_ms(1000);
    }
    g_subscribed = 1;
    axo_utcb_t* utcb = axo_my_utcb();
    for (;;) {
        // Blocked in kProcEventNext for a while (the deferred reply), then open for calls.
        proc::EventNextReply reply{};
        if (proc::client::next_events(g_transport, proc_thread(), 0, reply, axo_timeout_us(5000)) ==
            ipc::Error::ok)
            take(reply);
        axo_thread_id_t from = axo_ipc_receive(AXO_ANY_THREAD, axo_timeout_us(5000));
        if (axo_tag_failed(utcb->mr[0])) continue;
        // The reply to a kProcEventNext whose wait timed out can arrive here, in this open
        // receive (protocol.h): it holds events proc counts as delivered.
        constexpr uint32_t kReplyWords = ipc::wire_words<proc::EventNextReply>;
        if (from == proc_thread() && axo_tag_label(utcb->mr[0]) == 0 &&
            axo_tag_untyped(utcb->mr[0]) == kReplyWords) {
            proc::EventNextReply late{};
            memcpy(&late, &utcb->mr[1], sizeof late);
            take(late);
            continue;
        }
        if (axo_tag_label(utcb->mr[0]) != kHello) continue;
        // A call from a thread we may not know: who is it, and did we see its fork?
        proc::IdentifyReply caller{};
        uint32_t known = 0;
        if (proc::client::identify(g_transport, proc_thread(), from, caller, timeout()) ==
            ipc::Error::ok) {
            if (forked_known(caller.pid)) {
                known = 1;
                g_known_before_call = g_known_before_call + 1;
            }
            // Else the event must be queued: one no-hang call finds it.
            for (uint32_t round = 0; round < 8 && !known; ++round) {
                proc::EventNextReply more{};
                if (proc::client::next_events(g_transport, proc_thread(), proc::kEventNoHang, more,
                                              timeout()) != ipc::Error::ok ||
                    more.count == 0)
                    break;
                take(more);
                known = forked_known(caller.pid) ? 1 : 0;
            }
        }
        g_answered = g_answered + 1;
        utcb->mr[0] = axo_msg_tag(0, 1, 0);
        utcb->mr[1] = known;
        axo_ipc_send(from, axo_timeout_us(0));
    }
}

void events_child() {
    // The first thing this process does: call the subscriber.
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[0] = axo_msg_tag(kHello, 0, 0);
    axo_msg_tag_t tag = axo_ipc_call(g_subscriber, axo_timeouts(timeout(), timeout()));
    if (axo_tag_failed(tag)) exit(2);
    exit(utcb->mr[1] == 1 ? 0 : 1);
}

[[noreturn]] void events_mode() {
    if (rt_process_thread_start(&subscriber, nullptr,
                                g_subscriber_stack + sizeof g_subscriber_stack, &g_subscriber) != 0)
        fail(1, "the subscriber thread");
    for (uint32_t i = 0; i < 200 && g_subscribed == 0; ++i)
        sleep_ms(5);
    if (g_subscribed != 1) fail(2, "subscribe");
    for (uint32_t i = 0; i < kChildren; ++i) {
        proc::SpawnReply child = fork(&events_child, 3);
        proc::WaitReply ended = wait(child.pid, 0, 4, ipc::Error::ok);
        if (ended.reason != proc::kExitNormal || ended.status != 0) {
            rt_printf("worker: child %u ended %u/%d\n", i, ended.reason, ended.status);
            fail(5, "the subscriber knew every caller's fork when its call came");
        }
    }
    for (uint32_t i = 0; i < 400 && g_exits < kChildren; ++i)
        sleep_ms(5);
    rt_printf("# worker: %u forks seen by the subscriber, %u of them before the child's call "
              "was received, the rest by a no-hang call; %u exits; lost %u\n",
              g_forked_count, g_known_before_call, g_exits, g_lost);
    if (g_answered != kChildren) fail(6, "every child's call was answered");
    if (g_exits != kChildren) fail(7, "every exit was seen");
    exit(0);
}

// ---- signals ---------------------------------------------------------------------------------

constexpr uint32_t kCaughtExit = 48;

void spinning_child() {
    for (;;)
        axo_thread_switch(AXO_NIL_THREAD);
}

void catching_child() {
    proc::SignalStateReply state{};
    if (proc::client::signal_state(g_transport, proc_thread(), 0,
                                   proc::signal_bit(proc::kSignalUser1), state,
                                   timeout()) != ipc::Error::ok)
        exit(1);
    if (!send_words(g_parent, kWhoAmI, nullptr, 0)) exit(2);
    for (uint32_t i = 0; i < 400; ++i) {
        sleep_ms(5);
        if (proc::client::signal_state(g_transport, proc_thread(), 0,
                                       proc::signal_bit(proc::kSignalUser1), state,
                                       timeout()) != ipc::Error::ok)
            exit(3);
        if (state.pending & proc::signal_bit(proc::kSignalUser1)) exit(kCaughtExit);
    }
    exit(4);
}

ipc::Error signal(proc::ProcessId pid, uint32_t signal) {
    return proc::client::kill(g_transport, proc_thread(), static_cast<int32_t>(pid), signal,
                              timeout());
}

[[noreturn]] void signals_mode() {
    g_parent = rt_my_id();
    proc::SpawnReply child = fork(&spinning_child, 1);
    expect(2, signal(child.pid, proc::kSignalStop), ipc::Error::ok, "SIGSTOP");
    proc::WaitReply r = wait(child.pid, proc::kWaitUntraced, 3, ipc::Error::ok);
    if (r.reason != proc::kExitStopped || r.status != 17) fail(3, "reported stopped by 17");
    (void)wait(child.pid, proc::kWaitUntraced | proc::kWaitNoHang, 4, ipc::Error::busy);
    expect(5, signal(child.pid, proc::kSignalTerm), ipc::Error::ok, "SIGTERM while stopped");
    sleep_ms(20);
    (void)wait(child.pid, proc::kWaitNoHang, 6, ipc::Error::busy); // held until SIGCONT
    expect(7, signal(child.pid, proc::kSignalContinue), ipc::Error::ok, "SIGCONT");
    r = wait(child.pid, 0, 8, ipc::Error::ok);
    if (r.reason != proc::kExitKilled || r.status != 15) fail(8, "the held SIGTERM ended it");

    child = fork(&spinning_child, 9);
    expect(10, signal(child.pid, proc::kSignalTerminalStop), ipc::Error::ok, "SIGTSTP");
    expect(11, signal(child.pid, proc::kSignalContinue), ipc::Error::ok, "SIGCONT");
    r = wait(child.pid, proc::kWaitContinued, 12, ipc::Error::ok);
    if (r.reason != proc::kExitContinued || r.status != 19) fail(12, "reported continued");
    expect(13, signal(child.pid, proc::kSignalKill), ipc::Error::ok, "SIGKILL");
    r = wait(child.pid, 0, 14, ipc::Error::ok);
    if (r.reason != proc::kExitKilled || r.status != 9) fail(14, "killed by 9");

    child = fork(&catching_child, 15);
    if (!receive_words(child.main_thread, kWhoAmI, nullptr, 0)) fail(16, "the child catches");
    release(child.main_thread);
    expect(17, signal(child.pid, proc::kSignalUser1), ipc::Error::ok, "SIGUSR1, caught");
    r = wait(child.pid, 0, 18, ipc::Error::ok);
    if (r.reason != proc::kExitNormal || r.status != static_cast<int32_t>(kCaughtExit))
        fail(18, "the child collected its pending SIGUSR1");
    exit(0);
}

// ---- exec ------------------------------------------------------------------------------------

constexpr uint32_t kExecUid = 4321;
// Initialised data and zeroed data: the new image must bring both as its file says.
volatile uint32_t g_initialized[5] = {0x11111111u, 0x22222222u, 0x33333333u, 0x44444444u, 5};
volatile uint8_t g_zeroed[3 * 4096];

[[noreturn]] void exec_mode() {
    proc::IdentifyReply me = who(AXO_NIL_THREAD, 1);
    auto set = [](proc::CredentialOperation operation, uint32_t id) {
        return proc::client::set_credentials(g_transport, proc_thread(), operation, id, timeout());
    };
    expect(2, set(proc::kSetUid, kExecUid), ipc::Error::ok, "setuid before exec");
    expect(3, proc::client::set_process_group(g_transport, proc_thread(), 0, 0, timeout()),
           ipc::Error::ok, "a group of its own before exec");
    // Dirty what the new image must bring clean.
    g_initialized[0] = 0;
    g_zeroed[5000] = 0xAB;
    proc::ExecRequest request{};
    (void)request.image.set("worker");
    rt_snprintf(request.arguments, sizeof request.arguments, "execd %u %u", me.pid, kExecUid);
    ipc::Empty empty;
    ipc::Error error = ipc::call(proc_thread(), request, empty, timeout());
    fail(4, "exec returned", error);
}

[[noreturn]] void execd_mode(const char* pid_text) {
    int32_t pid = 0;
    if (!program::parse_int(pid_text, pid)) fail(10, "execd's argument");
    proc::IdentifyReply me = who(AXO_NIL_THREAD, 11);
    if (me.pid != static_cast<proc::ProcessId>(pid)) fail(12, "exec kept the pid");
    if (me.credentials.euid != kExecUid || me.credentials.ruid != kExecUid)
        fail(13, "exec kept the credentials");
    if (me.pgid != me.pid) fail(14, "exec kept the process group");
    if (g_initialized[0] != 0x11111111u || g_initialized[4] != 5) fail(15, "fresh .data");
    for (uint32_t i = 0; i < sizeof g_zeroed; ++i)
        if (g_zeroed[i] != 0) fail(16, "fresh .bss");
    rt_printf("# worker: after exec still pid %u, uid %u, group %u; fresh .data and .bss\n", me.pid,
              me.credentials.euid, me.pgid);
    exit(0);
}

} // namespace

bool run(const char* mode, const char* argument) {
    if (strcmp(mode, "exec") == 0) exec_mode();
    if (strcmp(mode, "execd") == 0 && argument != nullptr) execd_mode(argument);
    if (strcmp(mode, "identity") == 0) identity_mode();
    if (strcmp(mode, "events") == 0) events_mode();
    if (strcmp(mode, "signals") == 0) signals_mode();
    return false;
}

} // namespace identity
