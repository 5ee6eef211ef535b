// userland_core: the driver of the userland-core test (README.md). A process like any other:
// proc starts it at boot (its module line says on-exit=shutdown, so its exit ends the run),
// and it spawns the test programs — exit42, crash_null, crash_ud, crash, spinner, parent,
// meddler — as its children through proc's protocol, checks how each ends and
// that proc takes everything back, uses proc's name service (lib/names), and prints TAP. Its one
// argument is the number of crash cycles of the reclaim test.
#include "arguments.h"
#include "interfaces/names/client.h"
#include "program.h"
#include "servers/proc/process_table.h"
#include "tap.h"

#include <initializer_list>

namespace {

using proc::ProcessId;
using proc::SpawnReply;
using proc::StatisticsReply;
using proc::WaitReply;
using tap::check;
using tap::diag;
using tap::expect;

ipc::KernelTransport g_transport;
axo_thread_id_t g_proc;

// Every call is bounded, so a broken proc fails tests instead of hanging the run. A wait
// lasts as long as the child runs: the longest child here spins for 300 ms.
constexpr uint32_t kCallTimeoutUs = 2000000;
constexpr uint32_t kWaitTimeoutUs = 5000000;
axo_timeout_t call_timeout() {
    return axo_timeout_us(kCallTimeoutUs);
}

const char* name_of(ipc::Error error) {
    return ipc::error_name(error);
}

void sleep_ms(uint32_t ms) {
    // σ0 never sends to us: only the timeout ends this receive.
    axo_ipc_receive(rt_kip()->sigma0, axo_timeout_us(ms * 1000));
}

ipc::Error spawn(const char* image, const char* arguments, SpawnReply& child) {
    child = {};
    return proc::client::spawn(g_transport, g_proc, image, arguments, child, call_timeout());
}

ipc::Error wait_for(ProcessId pid, WaitReply& ended, uint32_t options = 0,
                    uint32_t timeout_us = kWaitTimeoutUs) {
    ended = {};
    return proc::client::wait(g_transport, g_proc, pid, options, ended, axo_timeout_us(timeout_us));
}

ipc::Error kill(ProcessId pid, uint32_t signal) {
    return proc::client::kill(g_transport, g_proc, pid, signal, call_timeout());
}

StatisticsReply statistics() {
    StatisticsReply reply{};
    ipc::Error error = proc::client::statistics(g_transport, g_proc, reply, call_timeout());
    if (error != ipc::Error::ok) diag("statistics failed: %s", name_of(error));
    return reply;
}

// Asks proc until `done` holds for its statistics, every 5 ms for at most `limit_ms`: what a
// test waits for happens in other processes, and on a loaded host the guest may run slowly.
template <class Done> StatisticsReply statistics_when(Done done, uint32_t limit_ms = 3000) {
    StatisticsReply s = statistics();
    for (uint32_t waited = 0; !done(s) && waited < limit_ms; waited += 5) {
        sleep_ms(5);
        s = statistics();
    }
    return s;
}

// The kernel's answer tells an unprivileged caller whether a thread exists: another space's
// live thread is "no privilege", a deleted one "invalid thread".
bool thread_gone(axo_thread_id_t thread) {
    axo_exreg_t regs = {};
    return axo_exchange_registers(thread, &regs) == AXO_ERR_INVALID_THREAD;
}

// Spawns `image` and waits for it; false (and a failed check) if either call fails.
bool run(const char* image, const char* arguments, WaitReply& ended,
         SpawnReply* spawned = nullptr) {
    SpawnReply child;
    ipc::Error error = spawn(image, arguments, child);
    if (!check(error == ipc::Error::ok, "spawn %s%s%s (%s)", image, arguments ? " " : "",
               arguments ? arguments : "", name_of(error)))
        return false;
    if (spawned != nullptr) *spawned = child;
    error = wait_for(child.pid, ended);
    return check(error == ipc::Error::ok && ended.pid == child.pid,
                 "wait for %s, process %u (%s, pid %u)", image, child.pid, name_of(error),
                 ended.pid);
}

const char* reason_name(uint32_t reason) {
    switch (reason) {
    case proc::kExitNormal:
        return "exit";
    case proc::kExitKilled:
        return "killed";
    case proc::kExitFaulted:
        return "faulted";
    }
    return "?";
}

bool ended_as(const WaitReply& ended, uint32_t reason, int32_t status) {
    return ended.reason == reason && ended.status == status;
}

// ---- spawn, exit, wait -------------------------------------------------------------------------

void exit_status_tests() {
    WaitReply ended;
    SpawnReply child;
    if (run("exit42", nullptr, ended, &child)) {
        check(ended_as(ended, proc::kExitNormal, 42), "exit42 ended by exit with 42 (%s %d)",
              reason_name(ended.reason), ended.status);
        check(thread_gone(child.main_thread), "its thread %u.%u is gone",
              axo_thread_number(child.main_thread), axo_thread_version(child.main_thread));
        expect(wait_for(child.pid, ended), ipc::Error::not_found,
               "a second wait for it (reaped by the first)");
    }
    if (run("exit42", "7", ended))
        check(ended_as(ended, proc::kExitNormal, 7), "exit42 7: its argument reached it (%s %d)",
              reason_name(ended.reason), ended.status);
    if (run("exit42", "-3", ended))
        check(ended_as(ended, proc::kExitNormal, -3) && proc::shell_status(ended) == 253,
              "exit42 -3: status -3, shell status 253 (%d, %u)", ended.status,
              proc::shell_status(ended));
}

// A newlib program (apps/hello, libposix): printf to the console, malloc and free, and
// exit(0) through proc's exit. The ctest registration checks its output in the serial log.
void newlib_program_tests() {
    WaitReply ended;
    if (run("hello", nullptr, ended))
        check(ended_as(ended, proc::kExitNormal, 0),
              "hello (newlib: printf, malloc, free, exit) ended by exit with 0 (%s %d)",
              reason_name(ended.reason), ended.status);
}

void wait_any_tests() {
    SpawnReply a, b;
    if (!check(spawn("exit42", "1", a) == ipc::Error::ok &&
                   spawn("exit42", "2", b) == ipc::Error::ok,
               "two children spawned"))
        return;
    WaitReply first, second;
    ipc::Error e1 = wait_for(proc::kWaitAnyChild, first);
    ipc::Error e2 = wait_for(proc::kWaitAnyChild, second);
    bool both =
        e1 == ipc::Error::ok && e2 == ipc::Error::ok &&
        ((first.pid == a.pid && first.status == 1 && second.pid == b.pid && second.status == 2) ||
         (first.pid == b.pid && first.status == 2 && second.pid == a.pid && second.status == 1));
    check(both, "two waits for any child collect both, each with its status (%u: %d, %u: %d)",
          first.pid, first.status, second.pid, second.status);
    WaitReply none;
    expect(wait_for(proc::kWaitAnyChild, none), ipc::Error::not_found,
           "a wait for any child with none left");
}

// A child that runs for a while: the wait's reply is deferred until it ends.
void deferred_wait_tests() {
    SpawnReply child;
    WaitReply ended;
    uint64_t before = rt_clock_us();
    if (run("spinner", "100", ended, &child)) {
        uint64_t took = (rt_clock_us() - before) / 1000;
        check(ended_as(ended, proc::kExitNormal, 0) && took >= 90,
              "wait returned when the 100 ms spinner ended (%s %d, after %u ms)",
              reason_name(ended.reason), ended.status, static_cast<uint32_t>(took));
    }

    // A wait given up (receive timeout) and repeated: the second replaces the first.
    if (check(spawn("spinner", "150", child) == ipc::Error::ok, "spawn spinner 150")) {
        expect(wait_for(child.pid, ended, 0, 30000), ipc::Error::timed_out,
               "a wait with a 30 ms timeout for it");
        ipc::Error error = wait_for(child.pid, ended);
        check(error == ipc::Error::ok && ended_as(ended, proc::kExitNormal, 0),
              "the wait asked again gets the child's end (%s)", name_of(error));
    }

    // A wait given up and not repeated: proc's answer finds nobody, and the child waits for
    // the next wait as a zombie.
    if (check(spawn("spinner", "100", child) == ipc::Error::ok, "spawn spinner 100")) {
        uint32_t ended_before = statistics().ended;
        expect(wait_for(child.pid, ended, 0, 20000), ipc::Error::timed_out,
               "a wait with a 20 ms timeout for it");
        StatisticsReply s =
            statistics_when([&](const StatisticsReply& r) { return r.ended > ended_before; });
        check(s.ended == ended_before + 1 && s.pending_waits == 0,
              "the child ended, and the abandoned wait was dropped (%u ended, %u waits)",
              s.ended - ended_before, s.pending_waits);
        ipc::Error error = wait_for(child.pid, ended, proc::kWaitNoHang);
        check(error == ipc::Error::ok && ended_as(ended, proc::kExitNormal, 0),
              "the ended child is still there for a no-hang wait (%s, %s %d)", name_of(error),
              reason_name(ended.reason), ended.status);
    }
}

// ---- faults ----------------------------------------------------------------------------------

struct FaultCase {
    const char* image;
    const char* arguments;
    int32_t vector;
    int32_t or_vector; // also right, where the CPU decides (-1: none)
    const char* what;
};
constexpr FaultCase kFaultCases[] = {
    {"crash_null", nullptr, 14, -1, "a write through a null pointer"},
    {"crash_ud", nullptr, 6, -1, "ud2, an invalid opcode"},
    {"crash", "divide", 0, -1, "a division by zero"},
    {"crash", "gp", 13, -1, "cli at IOPL 0, a general-protection fault"},
    {"crash", "text", 14, -1, "a write to its own code (read-only)"},
    {"crash", "jump", 14, -1, "a jump to an address outside its image"},
    // A large space's user segments end at 3 GiB (kernel/arch/ia32/descriptors.cc): a CPU
    // that checks segment limits (Bochs, a Pentium) raises #GP before paging is asked; QEMU
    // does not check them, and the page is a supervisor page: #PF.
    {"crash", "kernel", 13, 14, "a read of kernel space"},
    {"crash", "stack", 14, -1, "recursion past the end of its stack"},
};

void fault_tests() {
    StatisticsReply before = statistics();
    for (const FaultCase& c : kFaultCases) {
        WaitReply ended;
        SpawnReply child;
        if (!run(c.image, c.arguments, ended, &child)) continue;
        bool vector = ended_as(ended, proc::kExitFaulted, c.vector) ||
                      (c.or_vector >= 0 && ended_as(ended, proc::kExitFaulted, c.or_vector));
        char expected[16];
        if (c.or_vector >= 0)
            rt_snprintf(expected, sizeof expected, "%d or %d", c.vector, c.or_vector);
        else
            rt_snprintf(expected, sizeof expected, "%d", c.vector);
        check(vector && proc::shell_status(ended) == 128u + static_cast<uint32_t>(ended.status) &&
                  thread_gone(child.main_thread),
              "%s%s%s: %s ends it: faulted, vector %s, shell status 128 + vector, thread gone "
              "(%s %d)",
              c.image, c.arguments ? " " : "", c.arguments ? c.arguments : "", c.what, expected,
              reason_name(ended.reason), ended.status);
    }
    // Not a crash either: a process can send proc the exception label itself. A vector no
    // CPU raises is not the kernel's message; proc must not end the process over it.
    {
        WaitReply forged;
        if (run("crash", "forged", forged))
            check(ended_as(forged, proc::kExitNormal, 0),
                  "forged_exception_vector_is_ignored: an exception message with vector "
                  "0x8000000B from the process itself is dropped, it exits 0 (%s %d)",
                  reason_name(forged.reason), forged.status);
    }
    StatisticsReply after = statistics();
    check(after.processes == before.processes && after.pool_in_use == before.pool_in_use,
          "after the crashes: as many processes (%u, %u) and pool pages in use (%u, %u) as before",
          before.processes, after.processes, before.pool_in_use, after.pool_in_use);

    // Not a crash: a second fault on a page the process has (what two threads faulting at once
    // cause) must get the same page back, not a fresh copy that loses what it wrote.
    WaitReply ended;
    if (run("refault", nullptr, ended))
        check(ended_as(ended, proc::kExitNormal, 0),
              "a repeated fault on a written page keeps its contents (%s %d: 0 kept, 1 lost, "
              "2 IPC failed, 3 no map item)",
              reason_name(ended.reason), ended.status);
}

// ---- kill ------------------------------------------------------------------------------------

void kill_tests() {
    SpawnReply child;
    WaitReply ended;
    if (check(spawn("spinner", nullptr, child) == ipc::Error::ok, "spawn spinner (forever)")) {
        expect(wait_for(child.pid, ended, proc::kWaitNoHang), ipc::Error::busy,
               "a no-hang wait while it spins");
        sleep_ms(20);
        expect(kill(child.pid, proc::kSignalTerm), ipc::Error::ok, "kill it with signal 15");
        ipc::Error error = wait_for(child.pid, ended);
        check(error == ipc::Error::ok && ended_as(ended, proc::kExitKilled, 15) &&
                  proc::shell_status(ended) == 143 && thread_gone(child.main_thread),
              "its wait: killed, signal 15, shell status 143, thread gone (%s, %s %d)",
              name_of(error), reason_name(ended.reason), ended.status);
        expect(kill(child.pid, proc::kSignalKill), ipc::Error::not_found,
               "kill of the reaped process");
    }
    if (check(spawn("spinner", "sleep", child) == ipc::Error::ok, "spawn spinner sleep")) {
        sleep_ms(5);
        expect(kill(child.pid, proc::kSignalKill), ipc::Error::ok,
               "kill of a process blocked in the kernel");
        ipc::Error error = wait_for(child.pid, ended);
        check(error == ipc::Error::ok && ended_as(ended, proc::kExitKilled, 9),
              "its wait: killed, signal 9 (%s, %s %d)", name_of(error), reason_name(ended.reason),
              ended.status);
    }
}

// ---- parents and children --------------------------------------------------------------------

void parent_tests() {
    WaitReply ended;
    if (run("parent", "exit42 5", ended))
        check(ended_as(ended, proc::kExitNormal, 5),
              "parent spawned exit42 5, waited and passed its status on (%s %d)",
              reason_name(ended.reason), ended.status);
    if (run("parent", "crash_ud", ended))
        check(ended_as(ended, proc::kExitNormal, 134),
              "parent saw its child crash_ud fault: shell status 134 (%s %d)",
              reason_name(ended.reason), ended.status);

    // The parent waits for a child that runs 300 ms; killed meanwhile, its wait must go, and
    // its child becomes proc's, which reaps it when it ends.
    StatisticsReply before = statistics();
    SpawnReply parent;
    if (!check(spawn("parent", "spinner 300", parent) == ipc::Error::ok,
               "spawn parent spinner 300"))
        return;
    sleep_ms(60);
    StatisticsReply during = statistics();
    check(during.processes == before.processes + 2 &&
              during.pending_waits == before.pending_waits + 1,
          "parent and child run, the parent's wait is pending (%u processes, %u waits)",
          during.processes, during.pending_waits);
    expect(kill(parent.pid, proc::kSignalKill), ipc::Error::ok, "kill the waiting parent");
    ipc::Error error = wait_for(parent.pid, ended);
    check(error == ipc::Error::ok && ended_as(ended, proc::kExitKilled, 9),
          "the parent was killed (%s, %s %d)", name_of(error), reason_name(ended.reason),
          ended.status);
    StatisticsReply orphaned = statistics();
    check(orphaned.processes == before.processes + 1 &&
              orphaned.pending_waits == before.pending_waits,
          "its wait is gone, its child runs on as proc's (%u processes, %u waits)",
          orphaned.processes, orphaned.pending_waits);
    StatisticsReply after =
        statistics_when([&](const StatisticsReply& r) { return r.processes == before.processes; });
    check(after.processes == before.processes,
          "when the orphan ended proc reaped it (%u processes, %u before)", after.processes,
          before.processes);
}

void non_child_tests() {
    SpawnReply sleeper;
    if (!check(spawn("spinner", "sleep", sleeper) == ipc::Error::ok, "spawn spinner sleep")) return;
    char pid[16];
    rt_snprintf(pid, sizeof pid, "%u", sleeper.pid);
    WaitReply ended;
    if (run("meddler", pid, ended))
        check(ended_as(ended, proc::kExitNormal, 0),
              "meddler, its sibling: wait and kill of a non-child refused with no permission, "
              "wait for any with no children not found (exit %d: 0 or the failed check)",
              ended.status);
    expect(kill(sleeper.pid, proc::kSignalKill), ipc::Error::ok, "the parent kills the sleeper");
    expect(wait_for(sleeper.pid, ended), ipc::Error::ok, "and reaps it");
}

// ---- the name service and a dead server ----------------------------------------------------

// The kernel transport with every phase bounded: lib/names' calls take no timeout of their own.
struct BoundedTransport {
    ipc::KernelTransport kernel;
    ipc::Message message() { return kernel.message(); }
    uint32_t call(axo_thread_id_t to, uint32_t) {
        return kernel.call(to, axo_timeouts(call_timeout(), call_timeout()));
    }
};
static_assert(ipc::Transport<BoundedTransport>);

ipc::Error lookup(const char* name, axo_thread_id_t& server) {
    BoundedTransport transport;
    server = AXO_NIL_THREAD;
    return names::lookup(transport, g_proc, name, server);
}

void name_service_tests() {
    BoundedTransport transport;
    axo_thread_id_t me = rt_my_id(), found = AXO_NIL_THREAD;
    expect(names::register_name(transport, g_proc, "uc.driver"), ipc::Error::ok,
           "register uc.driver for this thread");
    ipc::Error error = lookup("uc.driver", found);
    check(error == ipc::Error::ok && found == me, "lookup of uc.driver finds this thread (%s)",
          name_of(error));
    expect(names::unregister_name(transport, g_proc, "uc.driver"), ipc::Error::ok,
           "unregister uc.driver");
    expect(lookup("uc.driver", found), ipc::Error::no_such_name,
           "lookup of uc.driver after its unregister");

    // A server in a process of its own (spinner name uc.echo) registers uc.echo; once it is
    // killed and reaped, the name no longer resolves (proc frees the names of a dead thread).
    SpawnReply server;
    if (!check(spawn("spinner", "name uc.echo", server) == ipc::Error::ok,
               "spawn spinner name uc.echo, a named server"))
        return;
    error = lookup("uc.echo", found);
    for (uint32_t waited = 0; error == ipc::Error::no_such_name && waited < 3000; waited += 5) {
        sleep_ms(5);
        error = lookup("uc.echo", found);
    }
    check(error == ipc::Error::ok && found == server.main_thread,
          "lookup of uc.echo finds the server's thread %u.%u (%s, %u.%u)",
          axo_thread_number(server.main_thread), axo_thread_version(server.main_thread),
          name_of(error), axo_thread_number(found), axo_thread_version(found));
    expect(names::register_name(transport, g_proc, "uc.echo"), ipc::Error::exists,
           "registering uc.echo while its server lives");
    expect(kill(server.pid, proc::kSignalKill), ipc::Error::ok, "kill the named server");
    WaitReply ended;
    error = wait_for(server.pid, ended);
    check(error == ipc::Error::ok && ended_as(ended, proc::kExitKilled, 9) &&
              thread_gone(server.main_thread),
          "its wait: killed, signal 9, thread gone (%s, %s %d)", name_of(error),
          reason_name(ended.reason), ended.status);
    expect(lookup("uc.echo", found), ipc::Error::no_such_name,
           "lookup of uc.echo after its server died");
}

// ---- malformed programs ------------------------------------------------------------------------

// Modules made from exit42 by malformed_elf.py. proc checks every module at boot (kernel/elf.cc)
// and spawn refuses one that is no program with unsupported (servers/proc/processes.cc), as
// it does the text module notes.
void malformed_elf_tests() {
    StatisticsReply before = statistics();
    const char* const kMalformed[][2] = {
        {"elf_truncated", "its first 100 bytes (program headers cut off)"},
        {"elf_overlap", "two PT_LOAD segments that overlap"},
        {"elf_huge", "a segment of 0xF0000000 bytes"},
    };
    for (const auto& m : kMalformed) {
        SpawnReply child;
        expect(spawn(m[0], nullptr, child), ipc::Error::unsupported, "spawn of %s, %s", m[0], m[1]);
    }
    StatisticsReply after = statistics();
    check(after.processes == before.processes && after.pool_in_use == before.pool_in_use,
          "after the refused spawns: as many processes (%u, %u) and pool pages in use (%u, %u)",
          before.processes, after.processes, before.pool_in_use, after.pool_in_use);
    WaitReply ended;
    if (run("exit42", nullptr, ended))
        check(ended_as(ended, proc::kExitNormal, 42),
              "proc still spawns: exit42 ended with 42 "
              "(%s %d)",
              reason_name(ended.reason), ended.status);
}

// ---- bad input -------------------------------------------------------------------------------

struct Raw {
    bool failed;
    uint32_t label;
};

// A call with any label and words, bypassing the stubs: how a broken client talks.
Raw raw_call(uint32_t label, uint32_t count, const uint32_t* words) {
    axo_utcb_t* utcb = axo_my_utcb();
    for (uint32_t i = 0; i < count; ++i)
        utcb->mr[1 + i] = words[i];
    utcb->mr[0] = axo_msg_tag(label, count, 0);
    axo_msg_tag_t tag = axo_ipc_call(g_proc, axo_timeouts(call_timeout(), call_timeout()));
    return {axo_tag_failed(tag) != 0, axo_tag_label(tag)};
}

bool refused(Raw r, ipc::Error error) {
    return !r.failed && r.label == static_cast<uint32_t>(error);
}

void bad_input_tests() {
    SpawnReply child;
    expect(spawn("nosuchmodule", nullptr, child), ipc::Error::not_found,
           "spawn of an unknown module");
    expect(spawn("notes", nullptr, child), ipc::Error::unsupported,
           "spawn of notes, a module that is a text file");
    expect(spawn("exit 42", nullptr, child), ipc::Error::invalid_argument,
           "spawn of a name with a space");
    char many[proc::kArgumentBytes] = {};
    for (uint32_t i = 0; i + 2 < sizeof many; i += 2) {
        many[i] = 'a';
        many[i + 1] = ' ';
    }
    expect(spawn("exit42", many, child), ipc::Error::invalid_argument,
           "spawn with 47 argument words (more than argv takes)");

    // Hand-made requests: what the stubs would never send.
    uint32_t words[32] = {};
    check(refused(raw_call(proc::kProcSpawn, 32, words), ipc::Error::invalid_argument),
          "spawn of an empty name: invalid argument");
    for (uint32_t i = 0; i < 8; ++i)
        words[i] = 0x61616161; // "aaaa": no terminator in the name's 32 bytes
    check(refused(raw_call(proc::kProcSpawn, 32, words), ipc::Error::invalid_argument),
          "spawn of an unterminated name: invalid argument");
    proc::SpawnRequest request{};
    (void)request.image.set("exit42");
    for (char& c : request.arguments)
        c = 'b';
    memcpy(words, &request, sizeof request);
    check(refused(raw_call(proc::kProcSpawn, 32, words), ipc::Error::invalid_argument),
          "spawn with unterminated arguments: invalid argument");
    check(refused(raw_call(proc::kProcSpawn, 31, words), ipc::Error::bad_message),
          "a spawn one word short: bad message");
    words[0] = 1;
    words[1] = 2;
    words[2] = 3;
    check(refused(raw_call(proc::kProcExit, 2, words), ipc::Error::bad_message),
          "an exit of two words: bad message, and the caller lives on");
    check(refused(raw_call(proc::kProcExit, 0, words), ipc::Error::bad_message),
          "an exit of no words: bad message");
    check(refused(raw_call(proc::kProcWait, 1, words), ipc::Error::bad_message),
          "a wait of one word: bad message");
    check(refused(raw_call(proc::kProcKill, 3, words), ipc::Error::bad_message),
          "a kill of three words: bad message");
    check(refused(raw_call(proc::kProcStatistics, 1, words), ipc::Error::bad_message),
          "statistics with a word: bad message");
    check(refused(raw_call(0x02FF, 0, words), ipc::Error::bad_operation),
          "an unknown label in proc's range: bad operation");

    WaitReply ended;
    expect(wait_for(999999, ended), ipc::Error::not_found, "wait for a pid nobody has");
    expect(wait_for(proc::kWaitAnyChild, ended), ipc::Error::not_found,
           "wait for any child, with none");
    expect(wait_for(proc::kWaitAnyChild, ended, 8), ipc::Error::invalid_argument,
           "wait with an unknown option bit");
    expect(kill(999999, proc::kSignalKill), ipc::Error::not_found, "kill of a pid nobody has");
    expect(proc::client::kill(g_transport, g_proc, -999999, proc::kSignalKill, call_timeout()),
           ipc::Error::not_found, "kill of a process group nobody has");
    expect(proc::client::kill(g_transport, g_proc, 0, 0, call_timeout()), ipc::Error::ok,
           "signal 0 to its own process group (pid 0): a check");
    if (check(spawn("spinner", "sleep", child) == ipc::Error::ok, "spawn spinner sleep")) {
        expect(kill(child.pid, 0), ipc::Error::ok, "kill with signal 0: a check, it lives on");
        expect(wait_for(child.pid, ended, proc::kWaitNoHang), ipc::Error::busy,
               "a no-hang wait says it still runs");
        expect(kill(child.pid, proc::kMaxSignal + 1), ipc::Error::invalid_argument,
               "kill with signal %u", proc::kMaxSignal + 1);
        expect(kill(child.pid, proc::kSignalKill), ipc::Error::ok, "kill with signal 9");
        expect(wait_for(child.pid, ended), ipc::Error::ok, "and the wait for it");
    }
}

// ---- a full table ------------------------------------------------------------------------------

void table_full_tests() {
    StatisticsReply before = statistics();
    constexpr uint32_t kSlots = proc::ProcessTable::kSlots;
    ProcessId pids[kSlots] = {};
    uint32_t spawned = 0;
    ipc::Error error = ipc::Error::ok;
    while (spawned < kSlots) {
        SpawnReply child;
        error = spawn("spinner", "sleep", child);
        if (error != ipc::Error::ok) break;
        pids[spawned++] = child.pid;
    }
    // Refused when the table is full (no_space) or, first, when the kernel's memory pool (an
    // eighth of the RAM: about 36 KiB per process, 257 processes with 128 MiB) is (no_memory).
    check((error == ipc::Error::no_space && spawned + before.processes == kSlots) ||
              (error == ipc::Error::no_memory && spawned + before.processes < kSlots),
          "spawn until refused: proc's table (%u slots, %u taken before, %u spawned) or the "
          "kernel's memory (%s)",
          kSlots, before.processes, spawned, name_of(error));
    // All of them alive at once, each blocked in the kernel: proc still knows each one.
    uint32_t alive = 0;
    for (uint32_t i = 0; i < spawned; ++i)
        alive += kill(pids[i], 0) == ipc::Error::ok ? 1 : 0;
    check(alive + before.processes >= 256,
          "at least 256 processes alive at once (%u spawned and alive, %u before)", alive,
          before.processes);
    uint32_t reaped = 0;
    for (uint32_t i = 0; i < spawned; ++i) {
        WaitReply ended;
        if (kill(pids[i], proc::kSignalKill) == ipc::Error::ok &&
            wait_for(pids[i], ended) == ipc::Error::ok)
            ++reaped;
    }
    check(reaped == spawned, "all of them killed and reaped (%u)", reaped);
    SpawnReply child;
    WaitReply ended;
    check(spawn("exit42", nullptr, child) == ipc::Error::ok &&
              wait_for(child.pid, ended) == ipc::Error::ok && ended.status == 42,
          "the next spawn works again");
    StatisticsReply after = statistics();
    check(after.processes == before.processes && after.pool_in_use == before.pool_in_use,
          "as many processes and pool pages in use as before (%u, %u)", after.processes,
          after.pool_in_use);
}

// ---- mm: quotas, threads, fork, the pager stack (worker.cc)
// --------------------------------------------------

void mm_tests() {
    constexpr uint32_t kTests = 11;
    if (!program::paged_by_mm()) {
        for (uint32_t i = 0; i < kTests; ++i)
            tap::skip("mm as the pager", "no mm: proc pages its processes");
        return;
    }
    WaitReply ended;
    mm::StatisticsReply before = program::mm_statistics();
    // 1-2: quotas: newlib's malloc (sbrk = kMmSbrk) and mm regions beyond the quota.
    if (run("hello", "--exhaust", ended))
        check(ended_as(ended, proc::kExitNormal, 0),
              "hello --exhaust: malloc until mm's quota says no (ENOMEM), then frees and "
              "mallocs again (%s %d)",
              reason_name(ended.reason), ended.status);
    if (run("worker", "quota", ended))
        check(ended_as(ended, proc::kExitNormal, 0),
              "worker quota: regions until no_space; it runs on and gets one after giving "
              "back (%s %d)",
              reason_name(ended.reason), ended.status);
    // 3-5: threads of a process (kProcThreadCreate), which end with it.
    SpawnReply spawned;
    if (run("worker", "threads", ended, &spawned))
        check(ended_as(ended, proc::kExitNormal, 0),
              "worker threads: 31 more threads count in shared memory, a 32nd is refused (%s %d)",
              reason_name(ended.reason), ended.status);
    check(statistics().threads == 0, "its threads went with it (proc counts %u)",
          statistics().threads);
    if (run("worker", "threads-crash", ended))
        check(ended_as(ended, proc::kExitFaulted, 14) && statistics().threads == 0,
              "worker threads-crash: a null write in its second thread ends the process "
              "(%s %d), all its threads gone",
              reason_name(ended.reason), ended.status);
    // 6: fork.
    if (run("worker", "fork", ended))
        check(ended_as(ended, proc::kExitNormal, 0),
              "worker fork: a copy-on-write child sees the parent's pages, writes are private "
              "both ways, each write copies one frame (%s %d)",
              reason_name(ended.reason), ended.status);
    // 7-9: σ0 -> mm -> test pager (a process) -> client (a process).
    SpawnReply pager, client;
    ipc::Error error = spawn("worker", "pager uc.pager", pager);
    if (check(error == ipc::Error::ok, "spawn the test pager (%s)", name_of(error))) {
        error = spawn("worker", "client uc.pager", client);
        if (check(error == ipc::Error::ok, "spawn its client (%s)", name_of(error))) {
            WaitReply client_end, pager_end;
            error = wait_for(client.pid, client_end);
            check(error == ipc::Error::ok && ended_as(client_end, proc::kExitNormal, 0),
                  "the client's external pages come from the test pager through mm; the "
                  "pager's flush revokes the client's page, which it faults in again with "
                  "the new contents (%s, %s %d)",
                  name_of(error), reason_name(client_end.reason), client_end.status);
            error = wait_for(pager.pid, pager_end);
            if (error != ipc::Error::ok) {
                (void)kill(pager.pid, proc::kSignalKill);
                (void)wait_for(pager.pid, pager_end);
            }
            check(ended_as(pager_end, proc::kExitNormal, 0), "the test pager ended (%s %d)",
                  reason_name(pager_end.reason), pager_end.status);
        }
    }
    // 10: what faults cost (printed by the worker).
    if (run("worker", "measure", ended))
        check(ended_as(ended, proc::kExitNormal, 0),
              "worker measure: 32 zero fills, 32 image pages through proc's image pager, 32 "
              "remaps (%s %d)",
              reason_name(ended.reason), ended.status);
    // 11: mm holds what it held before (the processes' clients, objects and frames went).
    mm::StatisticsReply after = program::mm_statistics();
    check(after.clients == before.clients && after.objects == before.objects &&
              after.data_frames == before.data_frames,
          "mm after these processes: %u/%u clients, %u/%u objects, %u/%u data frames",
          before.clients, after.clients, before.objects, after.objects, before.data_frames,
          after.data_frames);
}

// ---- shared code: two processes of one program -------------------------------------------------

// mm's data frames, once they stay the same for 3 samples 10 ms apart (a process that has
// just registered its name may still touch a page or two before it blocks); at most 2 s.
mm::StatisticsReply settled_mm_statistics() {
    mm::StatisticsReply s = program::mm_statistics();
    uint32_t same = 0;
    for (uint32_t waited = 0; same < 3 && waited < 2000; waited += 10) {
        sleep_ms(10);
        mm::StatisticsReply next = program::mm_statistics();
        same = next.data_frames == s.data_frames ? same + 1 : 0;
        s = next;
    }
    return s;
}

// Spawns `spinner name NAME` and waits until NAME resolves: it has run its code to there.
bool spawn_named_spinner(const char* arguments, const char* name, SpawnReply& child) {
    if (!check(spawn("spinner", arguments, child) == ipc::Error::ok, "spawn spinner %s", arguments))
        return false;
    axo_thread_id_t found = AXO_NIL_THREAD;
    ipc::Error error = lookup(name, found);
    for (uint32_t waited = 0; error == ipc::Error::no_such_name && waited < 3000; waited += 5) {
        sleep_ms(5);
        error = lookup(name, found);
    }
    return check(error == ipc::Error::ok && found == child.main_thread,
                 "%s registered by its spinner (%s)", name, name_of(error));
}

void end_spinner(const SpawnReply& child) {
    WaitReply ended;
    (void)kill(child.pid, proc::kSignalKill);
    (void)wait_for(child.pid, ended);
}

// The read-only pages of a program's image (code, rodata) are one copy in mm for all its
// processes (servers/proc/paging.h): a second process of the program costs mm only its
// writable pages (data, .bss, stack, arguments), and its image object only with the first.
// Identity, the event stream and signals (worker's modes in identity.cc): they fork, so they
// need mm.
void identity_tests() {
    if (!program::paged_by_mm()) {
        for (const char* what : {"identity", "events", "signals", "stack", "exec"})
            tap::skip(what, "no mm: fork needs it");
        return;
    }
    WaitReply ended;
    if (run("worker", "identity", ended))
        check(ended_as(ended, proc::kExitNormal, 0),
              "worker identity: pid, parent, group and session of itself and a forked child; "
              "setpgid, setsid, setuid rules; kill as uid 1000 (%s %d: 0 or the failed step)",
              reason_name(ended.reason), ended.status);
    if (run("worker", "events", ended))
        check(ended_as(ended, proc::kExitNormal, 0),
              "worker events: a subscriber knew each of 20 forked children from the event "
              "stream when the child's first call reached it, and saw their exits (%s %d)",
              reason_name(ended.reason), ended.status);
    if (run("worker", "signals", ended))
        check(ended_as(ended, proc::kExitNormal, 0),
              "worker signals: stop and continue reported to wait, SIGTERM held while stopped, "
              "a caught SIGUSR1 collected (%s %d)",
              reason_name(ended.reason), ended.status);
    if (run("worker", "stack", ended))
        check(ended_as(ended, proc::kExitNormal, 0),
              "worker stack: 7.5 MiB of recursion on a stack that grows on demand (%s %d)",
              reason_name(ended.reason), ended.status);
    SpawnReply execing;
    if (run("worker", "exec", ended, &execing))
        check(ended_as(ended, proc::kExitNormal, 0),
              "worker exec: exec in place keeps pid %u, credentials and group; the new image's "
              ".data and .bss are fresh (%s %d)",
              execing.pid, reason_name(ended.reason), ended.status);
}

void shared_code_tests() {
    constexpr uint32_t kTests = 8;
    if (!program::paged_by_mm()) {
        for (uint32_t i = 0; i < kTests; ++i)
            tap::skip("code shared in mm", "no mm: proc pages its processes");
        return;
    }
    mm::StatisticsReply before = settled_mm_statistics();
    SpawnReply first, second;
    if (!spawn_named_spinner("name uc.code1", "uc.code1", first)) return;
    mm::StatisticsReply one = settled_mm_statistics();
    if (!spawn_named_spinner("name uc.code2", "uc.code2", second)) {
        end_spinner(first);
        return;
    }
    mm::StatisticsReply two = settled_mm_statistics();
    uint32_t grew_first = one.data_frames - before.data_frames;
    uint32_t grew_second = two.data_frames - one.data_frames;
    diag("mm's data frames: %u before, %u with one spinner (+%u), %u with two (+%u): %u "
         "read-only image pages kept once",
         before.data_frames, one.data_frames, grew_first, two.data_frames, grew_second,
         grew_first - grew_second);
    check(one.objects == before.objects + 2 && two.objects == one.objects + 1,
          "mm's objects: %u, %u, %u (the first spinner makes the image object and its "
          "stack top's, the second only its stack top's)",
          before.objects, one.objects, two.objects);
    check(grew_second > 0 && grew_second < grew_first,
          "the second spinner costs fewer frames than the first: +%u, +%u", grew_first,
          grew_second);
    // The first spinner's end frees its own pages only: the code stays for the second.
    end_spinner(first);
    mm::StatisticsReply left = settled_mm_statistics();
    uint32_t freed = two.data_frames - left.data_frames;
    check(freed == grew_second && left.objects == two.objects - 1,
          "the first spinner's end frees its %u own frames (%u freed), the image object stays "
          "(%u objects)",
          grew_second, freed, left.objects);
    // The second, which still runs on the kept code (taken from it at the first's end and
    // faulted back in), ends too: the image object and its copies go.
    end_spinner(second);
    mm::StatisticsReply after = settled_mm_statistics();
    check(after.data_frames == before.data_frames && after.objects == before.objects,
          "both ended: mm's data frames and objects as before (%u/%u, %u/%u)", before.data_frames,
          after.data_frames, before.objects, after.objects);
}

// ---- arguments and environment up to ARG_MAX -----------------------------------------------

// kProcSpawnBlock and kProcExecBlock (interfaces/process/protocol.h): 128 KiB of arguments
// and environment, laid out in this process's memory and mapped to proc, arrive byte for byte
// in a spawned and an exec'd image; one byte or one string more is E2BIG and starts nothing;
// malformed blocks are refused, among them one with a page proc cannot read, and proc serves
// on.
proc::client::ArgumentBlock g_block;
// A block one byte over ARG_MAX needs a larger fpage than ArgumentBlock's.
alignas(2 * proc::kArgumentWindowBytes) char g_raw[2 * proc::kArgumentWindowBytes];

ipc::Error raw_spawn_block(uint32_t argc, uint32_t envc, uint32_t bytes, ipc::MapItem item) {
    proc::SpawnBlockRequest request{};
    (void)request.image.set("worker");
    request.argc = argc;
    request.envc = envc;
    request.bytes = bytes;
    SpawnReply reply{};
    return ipc::call_with_item(g_transport, g_proc, request, item, reply, call_timeout());
}

axo_fpage_t raw_fpage(uint32_t log2) {
    return axo_fpage(static_cast<uint32_t>(reinterpret_cast<uintptr_t>(g_raw)), log2, AXO_FPAGE_R);
}

void arguments_tests() {
    constexpr uint32_t kTests = 19;
    constexpr uint32_t kPage = 4096;
    if (!program::paged_by_mm()) {
        for (uint32_t i = 0; i < kTests; ++i)
            tap::skip("arguments and environment", "no mm: worker needs it");
        return;
    }
    bool filled = arguments::fill(g_block);
    if (!check(filled && g_block.bytes() == proc::kMaxArgumentBytes,
               "the 128 KiB pattern fills an argument block to ARG_MAX exactly (%u bytes, %u "
               "arguments, %u environment strings)",
               g_block.bytes(), g_block.argc(), g_block.envc()))
        return;
    check(!g_block.add_environment("") && g_block.bytes() == proc::kMaxArgumentBytes,
          "the client's block takes no byte beyond ARG_MAX");
    uint32_t spawned = statistics().spawned;

    // One byte over: the pattern with its last string one character longer (same counts).
    memcpy(g_raw, g_block.text(), proc::kMaxArgumentBytes - 1);
    g_raw[proc::kMaxArgumentBytes - 1] = 'x';
    g_raw[proc::kMaxArgumentBytes] = '\0';
    expect(raw_spawn_block(g_block.argc(), g_block.envc(), proc::kMaxArgumentBytes + 1,
                           ipc::MapItem::map(0, raw_fpage(18))),
           ipc::Error::arguments_too_long, "128 KiB + 1 byte of arguments: E2BIG");
    // One string over: kMaxArgumentStrings + 1 empty strings (8 KiB).
    memset(g_raw, 0, proc::kMaxArgumentStrings + 1);
    expect(raw_spawn_block(proc::kMaxArgumentStrings + 1, 0, proc::kMaxArgumentStrings + 1,
                           ipc::MapItem::map(0, raw_fpage(14))),
           ipc::Error::arguments_too_long, "%u strings: E2BIG", proc::kMaxArgumentStrings + 1);

    // Malformed: the counts do not match the terminators; the last string unterminated; an
    // fpage that does not cover the block; a send base that puts it elsewhere in proc.
    memcpy(g_raw, "one\0two\0X=3\0", 12);
    expect(raw_spawn_block(1, 1, 12, ipc::MapItem::map(0, raw_fpage(12))),
           ipc::Error::invalid_argument, "a block with three strings said to have two: EINVAL");
    expect(raw_spawn_block(2, 1, 11, ipc::MapItem::map(0, raw_fpage(12))),
           ipc::Error::invalid_argument, "a block whose last string is unterminated: EINVAL");
    expect(raw_spawn_block(2, 1, 12, ipc::MapItem::map(0, AXO_FPAGE_NIL)),
           ipc::Error::invalid_argument, "a block without its pages: EINVAL");
    expect(raw_spawn_block(2, 1, 12, ipc::MapItem::map(0x1000, raw_fpage(12))),
           ipc::Error::invalid_argument, "a block sent to the wrong place in proc: EINVAL");

    // A block whose second page the caller does not have: proc's reader faults on the hole and
    // proc refuses — even when an earlier request (here a statistics call with a stray item)
    // mapped the pattern into proc's window: proc flushed it, so the hole is a hole. Had proc
    // read the pattern's second page there, the block would be valid (8 strings, 7171 bytes).
    memcpy(g_raw, g_block.text(), kPage);
    ipc::Empty empty;
    (void)ipc::call(
        program::pager_thread(),
        mm::UnmapRequest{AXO_NIL_THREAD,
                         static_cast<uint32_t>(reinterpret_cast<uintptr_t>(g_raw)) + kPage, kPage},
        empty, call_timeout());
    StatisticsReply stray{};
    expect(ipc::call_with_item(g_transport, g_proc, proc::StatisticsRequest{}, g_block.item(),
                               stray, call_timeout()),
           ipc::Error::bad_message, "statistics with the pattern as a stray item: bad message");
    auto hole = [&](const char* after) {
        expect(raw_spawn_block(8, 0, 7171, ipc::MapItem::map(0, raw_fpage(13))),
               ipc::Error::invalid_argument,
               "a block with a page the caller does not have, after %s: EINVAL, proc serves on",
               after);
    };
    hole("the stray statistics item");
    // The same after a block request of the wrong shape (two items: refused before its
    // handler) and after a message with a kernel label (an exception's, which proc drops),
    // each with the pattern as an item.
    proc::SpawnBlockRequest shaped{};
    (void)shaped.image.set("worker");
    shaped.argc = 8;
    shaped.bytes = 7171;
    axo_utcb_t* utcb = axo_my_utcb();
    memcpy(&utcb->mr[1], &shaped, sizeof shaped);
    constexpr uint32_t kWords = ipc::wire_words<proc::SpawnBlockRequest>;
    utcb->mr[1 + kWords] = axo_map_item_word0(0, 0);
    utcb->mr[2 + kWords] = g_block.item().fpage;
    utcb->mr[3 + kWords] = axo_map_item_word0(0, 0);
    utcb->mr[4 + kWords] = AXO_FPAGE_NIL;
    utcb->mr[0] = axo_msg_tag(proc::kProcSpawnBlock, kWords, 4);
    axo_msg_tag_t tag = axo_ipc_call(g_proc, axo_timeouts(call_timeout(), call_timeout()));
    check(!axo_tag_failed(tag) &&
              axo_tag_label(tag) == static_cast<uint32_t>(ipc::Error::bad_message),
          "a block request with two items: bad message");
    hole("a block request with two items");
    utcb->mr[0] = axo_msg_tag(AXO_LABEL_EXCEPTION, 0, 2);
    utcb->mr[1] = axo_map_item_word0(0, 0);
    utcb->mr[2] = g_block.item().fpage;
    (void)axo_ipc_send(g_proc, call_timeout());
    hole("an item under a kernel label");
    check(statistics().spawned == spawned, "none of the refused requests started anything");

    // ARG_MAX exactly: a spawned worker and an exec'd one find every byte.
    SpawnReply child{};
    ipc::Error error =
        proc::client::spawn(g_transport, g_proc, "worker", g_block, child, call_timeout());
    WaitReply ended{};
    if (check(error == ipc::Error::ok,
              "spawn worker with 128 KiB of arguments and environment "
              "(%s)",
              name_of(error)) &&
        wait_for(child.pid, ended) == ipc::Error::ok)
        check(ended_as(ended, proc::kExitNormal, 0),
              "worker arguments: 65 arguments and 64 environment strings, 128 KiB, arrive byte "
              "for byte in the spawned image (%s %d)",
              reason_name(ended.reason), ended.status);
    if (run("worker", "exec-arguments", ended))
        check(ended_as(ended, proc::kExitNormal, 0),
              "worker exec-arguments: the same 128 KiB arrive in an exec'd image (%s %d)",
              reason_name(ended.reason), ended.status);
}

// ---- a restarted pager ------------------------------------------------------------------------

// Module `rpager` (worker restartable-pager uc.rpager, on-exit=restart) is a pager proc restarts
// when it ends. `worker rebound` maps an object whose pager it is, kills it, and reads on: proc
// rebinds the object to the restarted instance (mm's kMmPagerRebind), which serves the faults.
void restarted_pager_tests() {
    constexpr uint32_t kTests = 3;
    if (!program::paged_by_mm()) {
        for (uint32_t i = 0; i < kTests; ++i)
            tap::skip("a restarted pager", "no mm: no external pagers");
        return;
    }
    WaitReply ended;
    if (run("worker", "rebound uc.rpager", ended))
        check(ended_as(ended, proc::kExitNormal, 0),
              "worker rebound: after its pager was killed and restarted by proc, the client's "
              "next faults on the old instance's object were served by the new one (%s %d)",
              reason_name(ended.reason), ended.status);
}

// ---- another process's arguments
// -----------------------------------------------------------------

// Any process may name proc's image pager as the pager of an external region of its own
// (interfaces/process/protocol.h): it gets its own arguments and any program's image, but not
// another process's stack-top page — the pager refuses, mm refuses the fault, and the
// thief ends with vector 14.
void stolen_arguments_tests() {
    constexpr uint32_t kTests = 4;
    if (!program::paged_by_mm()) {
        for (uint32_t i = 0; i < kTests; ++i)
            tap::skip("the image pager's arguments", "no mm: proc pages its processes");
        return;
    }
    SpawnReply victim;
    if (!check(spawn("spinner", "sleep", victim) == ipc::Error::ok,
               "spawn spinner sleep, a victim"))
        return;
    char arguments[24];
    rt_snprintf(arguments, sizeof arguments, "steal %u", axo_thread_number(victim.main_thread));
    WaitReply ended;
    if (run("worker", arguments, ended))
        check(ended_as(ended, proc::kExitFaulted, 14),
              "worker steal: reads its own arguments and spinner's image through proc's image "
              "pager, and faults (14) reading the spinner's arguments (%s %d; 3: own arguments "
              "wrong, 4: it got the spinner's)",
              reason_name(ended.reason), ended.status);
    end_spinner(victim);
}

// ---- slow, silent and dead pagers --------------------------------------------------------------

// A spawn of exit42 and the wait for it, in microseconds (its image pages come through mm and
// proc's image pager), or 0 if it did not end with 42.
uint64_t timed_exit42() {
    uint64_t begin = rt_clock_us();
    WaitReply ended;
    SpawnReply child;
    if (spawn("exit42", nullptr, child) != ipc::Error::ok ||
        wait_for(child.pid, ended) != ipc::Error::ok || !ended_as(ended, proc::kExitNormal, 42))
        return 0;
    uint64_t took = rt_clock_us() - begin;
    return took != 0 ? took : 1;
}

// mm never waits for a pager (interfaces/mm/protocol.h, "Stacking"): while a test pager
// takes 700 ms over each answer, while a process waits for a page from itself, other
// processes' faults are served at once; a pager that dies leaves its client a refused fault.
void slow_pager_tests() {
    constexpr uint32_t kTests = 9;
    // What a spawn and exit of exit42 may take while a pager is slow: its faults are served
    // at once (a few ms), not after the slow answer (700 ms) or mm's timeout (1 s).
    constexpr uint64_t kQuickUs = 300000;
    if (!program::paged_by_mm()) {
        for (uint32_t i = 0; i < kTests; ++i)
            tap::skip("slow pagers", "no mm: proc pages its processes");
        return;
    }
    SpawnReply pager, reader;
    WaitReply ended;
    if (check(spawn("worker", "pager uc.slow 700", pager) == ipc::Error::ok,
              "spawn a slow test pager (each answer 700 ms late)")) {
        uint64_t begin = rt_clock_us();
        if (spawn("worker", "read uc.slow", reader) == ipc::Error::ok) {
            sleep_ms(100); // the reader's fault is forwarded and waits for the slow pager
            uint64_t quick = timed_exit42();
            check(quick != 0 && quick < kQuickUs,
                  "while the slow pager holds a fault, exit42 is spawned, paged and reaped in "
                  "%u us",
                  static_cast<uint32_t>(quick));
            ipc::Error error = wait_for(reader.pid, ended);
            uint64_t slow = rt_clock_us() - begin;
            check(error == ipc::Error::ok && ended_as(ended, proc::kExitNormal, 0) &&
                      slow >= 600000,
                  "the reader gets the slow pager's page after %u ms (%s %d)",
                  static_cast<uint32_t>(slow / 1000), reason_name(ended.reason), ended.status);
        } else {
            check(false, "spawn worker read uc.slow");
            check(false, "spawn worker read uc.slow");
        }
        end_spinner(pager);
    } else {
        tap::skip("slow pager", "no pager");
        tap::skip("slow pager", "no pager");
    }
    // 8 faults outstanding at once on 2 pagers that take 150 ms over each answer: each pager
    // answers its 4 one after the other (600 ms); forwarded one at a time they would take
    // 1.2 s, beyond mm's timeout for the last ones.
    SpawnReply pagers[2], readers[8];
    bool spawned = spawn("worker", "pager uc.p0 150", pagers[0]) == ipc::Error::ok &&
                   spawn("worker", "pager uc.p1 150", pagers[1]) == ipc::Error::ok;
    uint64_t begin = rt_clock_us();
    for (uint32_t i = 0; spawned && i < 8; ++i)
        spawned =
            spawn("worker", i % 2 ? "read uc.p1" : "read uc.p0", readers[i]) == ipc::Error::ok;
    uint32_t good = 0;
    for (uint32_t i = 0; spawned && i < 8; ++i)
        good += wait_for(readers[i].pid, ended) == ipc::Error::ok &&
                        ended_as(ended, proc::kExitNormal, 0)
                    ? 1
                    : 0;
    uint64_t took = rt_clock_us() - begin;
    check(spawned && good == 8,
          "8 faults outstanding on 2 slow pagers at once: %u of 8 readers got their page, in %u "
          "ms",
          good, static_cast<uint32_t>(took / 1000));
    end_spinner(pagers[0]);
    end_spinner(pagers[1]);
    // A pager that dies with a fault of its client outstanding.
    if (check(spawn("worker", "pager uc.dead 100000", pager) == ipc::Error::ok,
              "spawn a test pager that never answers in time")) {
        if (spawn("worker", "read uc.dead", reader) == ipc::Error::ok) {
            sleep_ms(100);
            end_spinner(pager); // killed and reaped
            uint64_t begin = rt_clock_us();
            ipc::Error error = wait_for(reader.pid, ended);
            check(error == ipc::Error::ok && ended_as(ended, proc::kExitFaulted, 14),
                  "its pager killed, the reader ends with a refused fault (faulted 14) after "
                  "%u ms, no hang (%s %d)",
                  static_cast<uint32_t>((rt_clock_us() - begin) / 1000), reason_name(ended.reason),
                  ended.status);
        } else {
            check(false, "spawn worker read uc.dead");
        }
    } else {
        tap::skip("dead pager", "no pager");
    }
    // A process that is the pager of its own region and never answers.
    SpawnReply self;
    if (check(spawn("worker", "selfpager", self) == ipc::Error::ok, "spawn worker selfpager")) {
        sleep_ms(100);
        uint64_t quick = timed_exit42();
        check(quick != 0 && quick < kQuickUs,
              "while a process waits for a page from itself, exit42 runs in %u us",
              static_cast<uint32_t>(quick));
        ipc::Error error = wait_for(self.pid, ended);
        check(error == ipc::Error::ok && ended_as(ended, proc::kExitFaulted, 14),
              "the self-paging process ends with its fault refused at mm's timeout (%s %d)",
              reason_name(ended.reason), ended.status);
    } else {
        tap::skip("self pager", "not spawned");
        tap::skip("self pager", "not spawned");
    }
}

// ---- one program's processes keep their pages
// ----------------------------------------------------

// Two workers share the module's image in mm (its read-only pages are kept once): one spins
// and checks its code and data, the other — 100 of them, one after the other, each seeded
// differently — protects, writes, unmaps and remaps its own image and stack pages at random,
// then ends (exit 0, or vector 14 when it took its own code or stack away). The bystander
// must run on throughout: nothing one process does to its own memory, nor its end, takes a
// page from another for good.
void bystander_tests() {
    constexpr uint32_t kTests = 3;
    constexpr uint32_t kRounds = 100;
    if (!program::paged_by_mm()) {
        for (uint32_t i = 0; i < kTests; ++i)
            tap::skip("a bystander of one program", "no mm: proc pages its processes");
        return;
    }
    mm::StatisticsReply before = settled_mm_statistics();
    SpawnReply bystander;
    if (!check(spawn("worker", "steady", bystander) == ipc::Error::ok, "spawn worker steady"))
        return;
    WaitReply ended;
    uint32_t rounds = 0, ended_well = 0, survived = 0;
    for (; rounds < kRounds; ++rounds) {
        char arguments[24];
        rt_snprintf(arguments, sizeof arguments, "shake %u", 7919 * rounds + 1);
        SpawnReply shaker;
        if (spawn("worker", arguments, shaker) != ipc::Error::ok ||
            wait_for(shaker.pid, ended) != ipc::Error::ok)
            break;
        if (ended_as(ended, proc::kExitNormal, 0) || ended_as(ended, proc::kExitFaulted, 14))
            ++ended_well;
        else
            diag("shaker %u ended %s %d", rounds, reason_name(ended.reason), ended.status);
        survived += ended_as(ended, proc::kExitNormal, 0) ? 1 : 0;
        if (wait_for(bystander.pid, ended, proc::kWaitNoHang) != ipc::Error::busy) {
            diag("the bystander ended after shaker %u: %s %d", rounds, reason_name(ended.reason),
                 ended.status);
            break;
        }
    }
    check(rounds == kRounds && ended_well == kRounds,
          "%u shakers of the worker image ran and ended (%u of them exit 0, the others "
          "faulted 14 at their own pages)",
          rounds, survived);
    expect(kill(bystander.pid, proc::kSignalTerm), ipc::Error::ok,
           "the bystander worker still runs after them all");
    ipc::Error error = wait_for(bystander.pid, ended);
    check(error == ipc::Error::ok && ended_as(ended, proc::kExitKilled, 15),
          "the bystander ends by the kill, not by a fault or a wrong checksum (%s %d; 2: code "
          "changed, 3: data changed)",
          reason_name(ended.reason), ended.status);
    mm::StatisticsReply after = settled_mm_statistics();
    diag("mm's objects and data frames: %u/%u before, %u/%u after", before.objects,
         before.data_frames, after.objects, after.data_frames);
}

// ---- reclaim: crash and reap, many times
// ---------------------------------------------------------

void reclaim_tests(uint32_t cycles) {
    WaitReply ended;
    auto cycle = [&]() {
        SpawnReply child;
        return spawn("crash_null", nullptr, child) == ipc::Error::ok &&
               wait_for(child.pid, ended) == ipc::Error::ok &&
               ended_as(ended, proc::kExitFaulted, 14) && thread_gone(child.main_thread);
    };
    if (!check(cycle(), "crash cycle 1: spawn crash_null, wait: faulted with vector 14")) return;
    StatisticsReply first = statistics();
    mm::StatisticsReply mm_first = program::mm_statistics();
    axo_counters_t kernel_first{};
    uint32_t kernel_error = axo_debug_counters(&kernel_first);
    uint64_t begin = rt_clock_us();
    uint32_t good = 1;
    for (uint32_t i = 1; i < cycles; ++i)
        good += cycle() ? 1 : 0;
    uint64_t took_us = rt_clock_us() - begin;
    StatisticsReply last = statistics();
    mm::StatisticsReply mm_last = program::mm_statistics();
    axo_counters_t kernel_last{};
    if (kernel_error == AXO_OK) kernel_error = axo_debug_counters(&kernel_last);
    check(good == cycles, "%u of %u crash cycles spawned, faulted and reaped", good, cycles);
    uint32_t per_cycle = cycles > 1 ? static_cast<uint32_t>(took_us / (cycles - 1)) : 0;
    diag("%u cycles after the first took %u ms: %u us per spawn, crash and wait", cycles - 1,
         static_cast<uint32_t>(took_us / 1000), per_cycle);
    check(last.processes == first.processes,
          "processes in proc's table after cycle 1 and after cycle %u: %u, %u", cycles,
          first.processes, last.processes);
    check(last.pool_in_use == first.pool_in_use && last.pool_owned == first.pool_owned,
          "proc's page pool after cycle 1 and after cycle %u: %u/%u, %u/%u pages in use/owned",
          cycles, first.pool_in_use, first.pool_owned, last.pool_in_use, last.pool_owned);
    check(last.sigma0_total != 0 && last.sigma0_free == first.sigma0_free,
          "sigma0's free memory after cycle 1 and after cycle %u: %u, %u KiB (of %u KiB)", cycles,
          first.sigma0_free / 1024, last.sigma0_free / 1024, last.sigma0_total / 1024);
    check(last.pending_waits == 0, "no wait left pending (%u)", last.pending_waits);
    if (program::paged_by_mm()) {
        check(mm_last.clients == mm_first.clients && mm_last.objects == mm_first.objects,
              "mm's clients and objects after cycle 1 and after cycle %u: %u/%u, %u/%u", cycles,
              mm_first.clients, mm_first.objects, mm_last.clients, mm_last.objects);
        uint32_t held_first = mm_first.data_frames + mm_first.table_frames + mm_first.free_frames;
        uint32_t held_last = mm_last.data_frames + mm_last.table_frames + mm_last.free_frames;
        check(mm_last.data_frames == mm_first.data_frames &&
                  mm_last.table_frames == mm_first.table_frames && held_last == held_first,
              "mm's frames after cycle 1 and after cycle %u: %u/%u/%u, %u/%u/%u data/tables/free",
              cycles, mm_first.data_frames, mm_first.table_frames, mm_first.free_frames,
              mm_last.data_frames, mm_last.table_frames, mm_last.free_frames);
    } else {
        tap::skip("mm's frames are unchanged", "no mm: proc pages its processes");
        tap::skip("mm's frames are unchanged", "no mm: proc pages its processes");
    }
    // The kernel's own memory: its pool's free frames (threads, spaces, page tables, UTCBs).
    check(kernel_error == AXO_OK && kernel_first.kernel_free_frames != 0 &&
              kernel_last.kernel_free_frames == kernel_first.kernel_free_frames,
          "the kernel pool's free frames after cycle 1 and after cycle %u: %u, %u", cycles,
          kernel_first.kernel_free_frames, kernel_last.kernel_free_frames);
}

uint32_t cycles_from_arguments() {
    loader::StartArguments args = program::arguments();
    int32_t cycles = 0;
    if (args.argc > 1 && program::parse_int(args.argv[1], cycles) && cycles > 0)
        return static_cast<uint32_t>(cycles);
    return 1000;
}

} // namespace

int main() {
    g_proc = program::proc_thread();
    rt_printf("TAP version 13\n");
    uint32_t cycles = cycles_from_arguments();
    diag("userland-core: proc's processes, %u crash cycles", cycles);
    StatisticsReply start = statistics();
    // With mm, mm is proc's first process and the pool's pages are its (servers/proc/paging.h);
    // then rpager, the restartable test pager, runs too.
    uint32_t expected = program::paged_by_mm() ? 3 : 1;
    check(start.processes == expected && start.pool_in_use > 0,
          "at the start: %u process(es) (this one%s), %u pool pages in use", start.processes,
          expected == 3 ? ", mm and rpager" : "", start.pool_in_use);
    diag("paged by %s", program::paged_by_mm() ? "mm" : "proc");
    exit_status_tests();
    newlib_program_tests();
    wait_any_tests();
    deferred_wait_tests();
    fault_tests();
    kill_tests();
    parent_tests();
    non_child_tests();
    name_service_tests();
    bad_input_tests();
    malformed_elf_tests();
    table_full_tests();
    mm_tests();
    identity_tests();
    arguments_tests();
    restarted_pager_tests();
    shared_code_tests();
    stolen_arguments_tests();
    bystander_tests();
    slow_pager_tests();
    reclaim_tests(cycles);
    tap::finish();
    program::exit(tap::failures() == 0 ? 0 : 1);
}
