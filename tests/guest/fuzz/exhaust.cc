// exhaust: the exhaustion test (README.md, "exhaustion"). One program in several roles:
//   exhaust                       the driver (proc starts it at boot; TAP)
//   exhaust bomb                  forks, and each copy forks again, until proc or mm refuses;
//                                 every copy then waits a little and exits
//   exhaust threads               starts threads until proc refuses; they block until killed
//   exhaust mute                  calls proc and mm 20 000 times without ever taking a reply
// plus `hello --exhaust` (apps/hello: newlib's malloc until mm's quota refuses). Afterwards the
// system must keep working: every server answers, the counts of processes, threads, mm clients
// and kernel threads are back where they were, and a new process spawns and runs.
#include "fuzz.h"

namespace fuzz {

namespace {

ipc::KernelTransport g_transport;

axo_timeout_t call_timeout() {
    return axo_timeout_us(2000000);
}

// ---- The fork bomb ---------------------------------------------------------------------------

alignas(16) uint8_t g_fork_stack[8192];
volatile uint32_t g_generation;

[[noreturn]] void bomb();

void bomb_child() {
    g_generation = g_generation + 1;
    bomb();
}

[[noreturn]] void bomb() {
    // Each copy forks twice (the bomb doubles each generation) unless refused; a copy starts
    // on the top of the same static stack in its own copy of the space.
    for (uint32_t i = 0; i < 2 && g_generation < 16; ++i) {
        uint32_t sp = (reinterpret_cast<uintptr_t>(g_fork_stack + sizeof g_fork_stack) & ~15u) - 16;
        proc::SpawnReply child{};
        ipc::Error error = ipc::call(
            proc_thread(),
            proc::ForkRequest{static_cast<uint32_t>(reinterpret_cast<uintptr_t>(&bomb_child)), sp},
            child, call_timeout());
        if (error != ipc::Error::ok) break;
    }
    sleep_ms(300);
    exit(0);
}

// ---- The thread flood -------------------------------------------------------------------------

alignas(16) uint8_t g_thread_stacks[40][1024];

void blocked(void*) {
    rt_park();
}

[[noreturn]] void threads() {
    uint32_t started = 0;
    for (uint32_t i = 0; i < 40; ++i) {
        axo_thread_id_t id;
        if (rt_process_thread_start(&blocked, nullptr,
                                    g_thread_stacks[i] + sizeof g_thread_stacks[i], &id) != 0)
            break;
        ++started;
    }
    rt_printf("exhaust: threads: %u started, then refused\n", started);
    rt_park(); // until killed
}

// ---- The client that never reads its replies ---------------------------------------------------

[[noreturn]] void mute() {
    axo_utcb_t* utcb = axo_my_utcb();
    for (uint32_t i = 0; i < 20000; ++i) {
        axo_thread_id_t server = i % 2 == 0 ? proc_thread() : pager_thread();
        uint32_t label = i % 2 == 0 ? uint32_t{proc::kProcStatistics} : uint32_t{mm::kMmStatistics};
        utcb->mr[0] = axo_msg_tag(label, i % 2, 0);
        utcb->mr[1] = AXO_NIL_THREAD;
        // Half of them a send alone, half a call that gives up its receive at once: the server's
        // reply (zero send timeout) finds nobody either way.
        if (i % 4 < 2) {
            axo_ipc(server, AXO_NIL_THREAD, axo_timeouts(axo_timeout_us(20000), AXO_TIMEOUT_NEVER));
        } else {
            axo_ipc(server, server, axo_timeouts(axo_timeout_us(20000), AXO_TIMEOUT_ZERO));
        }
    }
    exit(0);
}

// ---- The driver ---------------------------------------------------------------------------------

struct Counts {
    axo_kernel_objects_t kernel;
    proc::StatisticsReply proc;
    mm::StatisticsReply mm;
    bool answered;
};

Counts counts() {
    Counts c{};
    (void)axo_debug_objects(&c.kernel);
    c.answered = ipc::call(proc_thread(), proc::StatisticsRequest{}, c.proc, call_timeout()) ==
                     ipc::Error::ok &&
                 ipc::call(pager_thread(), mm::StatisticsRequest{AXO_NIL_THREAD}, c.mm,
                           call_timeout()) == ipc::Error::ok;
    return c;
}

// Waits until proc, mm and the kernel are back at `base` (their processes, threads, clients),
// at most `limit_ms`.
bool back_to(const Counts& base, Counts& now, uint32_t limit_ms) {
    for (uint32_t waited = 0; waited <= limit_ms; waited += 20) {
        now = counts();
        if (now.answered && now.proc.processes == base.proc.processes &&
            now.proc.threads == base.proc.threads && now.mm.clients == base.mm.clients &&
            now.kernel.threads == base.kernel.threads && now.mm.data_frames == base.mm.data_frames)
            return true;
        sleep_ms(20);
    }
    rt::tap::diag("not back: processes %u (%u before), threads %u (%u), mm clients %u (%u), data "
                  "frames %u (%u), kernel threads %u (%u)",
                  now.proc.processes, base.proc.processes, now.proc.threads, base.proc.threads,
                  now.mm.clients, base.mm.clients, now.mm.data_frames, base.mm.data_frames,
                  now.kernel.threads, base.kernel.threads);
    return false;
}

bool spawn(const char* image, const char* arguments, proc::SpawnReply& child) {
    child = {};
    ipc::Error error =
        proc::client::spawn(g_transport, proc_thread(), image, arguments, child, call_timeout());
    if (error != ipc::Error::ok)
        rt::tap::diag("spawn %s %s: %s", image, arguments, ipc::error_name(error));
    return error == ipc::Error::ok;
}

bool wait_for(proc::ProcessId pid, proc::WaitReply& ended, uint32_t timeout_us) {
    ended = {};
    return proc::client::wait(g_transport, proc_thread(), pid, 0, ended,
                              axo_timeout_us(timeout_us)) == ipc::Error::ok;
}

// A new process spawns, runs and ends as it should: the system still works.
bool system_works(const char* after) {
    proc::SpawnReply child{};
    proc::WaitReply ended{};
    bool ran = spawn("hello", nullptr, child) && wait_for(child.pid, ended, 5000000) &&
               ended.reason == proc::kExitNormal && ended.status == 0;
    return rt::tap::check(ran, "after %s: a new process (hello) spawns, runs and exits 0", after);
}

[[noreturn]] void driver() {
    rt_tap_begin();
    sleep_ms(50);
    // hello once, so that mm's kept copy of its image is part of the baseline.
    proc::SpawnReply child{};
    proc::WaitReply ended{};
    if (spawn("hello", nullptr, child)) (void)wait_for(child.pid, ended, 5000000);
    Counts base = counts();
    Counts now{};
    rt::tap::diag(
        "before: processes %u, threads %u, mm clients %u, data frames %u, kernel threads %u, "
        "heap objects %u, free frames %u",
        base.proc.processes, base.proc.threads, base.mm.clients, base.mm.data_frames,
        base.kernel.threads, base.kernel.heap_objects, base.kernel.free_frames);

    // Memory: newlib's malloc until mm's quota refuses, then again after freeing.
    bool ok = spawn("hello", "--exhaust", child) && wait_for(child.pid, ended, 20000000);
    rt::tap::check(ok && ended.reason == proc::kExitNormal && ended.status == 0,
                   "a process allocating until refused is refused and goes on (hello --exhaust: "
                   "reason %u, status %d)",
                   ended.reason, ended.status);
    rt::tap::check(back_to(base, now, 3000), "its memory is back");
    system_works("memory exhaustion");

    // The fork bomb.
    uint64_t started = rt_clock_us();
    ok = spawn("exhaust", "bomb", child) && wait_for(child.pid, ended, 10000000);
    proc::StatisticsReply peak{};
    (void)ipc::call(proc_thread(), proc::StatisticsRequest{}, peak, call_timeout());
    rt::tap::check(ok && ended.reason == proc::kExitNormal && ended.status == 0,
                   "a fork bomb runs into proc's limits and its first process exits 0");
    bool gone = back_to(base, now, 20000);
    rt::tap::check(gone, "every copy of the fork bomb ends (%u spawned since boot, %llu ms)",
                   now.proc.spawned,
                   static_cast<unsigned long long>((rt_clock_us() - started) / 1000));
    system_works("the fork bomb");

    // A flood of threads: 12 processes that each start threads until refused.
    constexpr uint32_t kFlooders = 12;
    proc::SpawnReply flooders[kFlooders] = {};
    uint32_t spawned = 0;
    for (uint32_t i = 0; i < kFlooders; ++i)
        if (spawn("exhaust", "threads", flooders[i])) ++spawned;
    proc::StatisticsReply during{};
    for (uint32_t waited = 0; waited < 5000; waited += 20) {
        (void)ipc::call(proc_thread(), proc::StatisticsRequest{}, during, call_timeout());
        if (during.threads >= spawned * 31) break;
        sleep_ms(20);
    }
    rt::tap::check(spawned > 0 && during.threads >= 31,
                   "%u processes flood proc with threads: %u extra threads alive", spawned,
                   during.threads);
    system_works("a flood of threads");
    bool reaped = true;
    for (uint32_t i = 0; i < kFlooders; ++i) {
        if (flooders[i].pid == 0) continue;
        (void)proc::client::kill(g_transport, proc_thread(), static_cast<int32_t>(flooders[i].pid),
                                 proc::kSignalKill, call_timeout());
        reaped = wait_for(flooders[i].pid, ended, 5000000) && reaped;
    }
    rt::tap::check(reaped && back_to(base, now, 5000), "killed, their threads are gone");

    // A client that never reads its replies.
    ok = spawn("exhaust", "mute", child) && wait_for(child.pid, ended, 60000000);
    rt::tap::check(ok && ended.reason == proc::kExitNormal && ended.status == 0,
                   "a client sends proc and mm 20000 requests and never reads a reply");
    rt::tap::check(back_to(base, now, 3000), "proc and mm answer, nothing kept for it");
    system_works("a client that never reads its replies");
    rt::tap::diag(
        "after: processes %u, threads %u, mm clients %u, data frames %u, kernel threads %u, "
        "heap objects %u, free frames %u",
        now.proc.processes, now.proc.threads, now.mm.clients, now.mm.data_frames,
        now.kernel.threads, now.kernel.heap_objects, now.kernel.free_frames);
    // What the kernel still holds more than before is the mappings of frames proc and mm keep
    // for reuse (mm's free and table frames, proc's pool), each with σ0's root node: at most
    // two mapping nodes per kept frame.
    uint32_t kept = (now.mm.free_frames + now.mm.table_frames + now.proc.pool_owned) -
                    (base.mm.free_frames + base.mm.table_frames + base.proc.pool_owned);
    uint32_t nodes = now.kernel.map_nodes - base.kernel.map_nodes;
    rt::tap::check(nodes <= 2 * kept,
                   "the kernel's extra mapping nodes (%u) are those of the %u frames "
                   "proc and mm keep for reuse",
                   nodes, kept);
    rt_tap_end();
    exit(rt_tap_failures() == 0 ? 0 : 1);
}

} // namespace

} // namespace fuzz

int main() {
    loader::StartArguments args = fuzz::arguments();
    for (uint32_t i = 1; i < args.argc; ++i) {
        if (strcmp(args.argv[i], "bomb") == 0) fuzz::bomb();
        if (strcmp(args.argv[i], "threads") == 0) fuzz::threads();
        if (strcmp(args.argv[i], "mute") == 0) fuzz::mute();
    }
    fuzz::driver();
}
