// The drivers test's `storm` mode: a driver flooded with interrupts (irq_storm.cc, on QEMU's
// edu device, whose status it never clears) must not take the system with it. While the storm
// goes on, the test driver's own work still runs: a timed sleep ends, proc answers a thousand
// requests, a new process starts and ends; and the storm really went on meanwhile (its count
// grew). Killed in the storm, the driver leaves the line masked until a new instance attaches:
// the new one gets the pending interrupt at once, and stops the storm cleanly when asked.
#include "rt/tap.h"

#include "common.h"
#include "irq_storm.h"

namespace {

using test::call_timeout;
using test::g_transport;
using test::proc_thread;
using test::spawn;
using test::text;
using test::wait_for;

// The storm driver's count of interrupts (kStormCount), or its stop (kStormStop).
ipc::Error ask(axo_thread_id_t storm, uint32_t label, uint32_t& count, bool* inherited = nullptr) {
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[0] = axo_msg_tag(label, 0, 0);
    axo_msg_tag_t tag = axo_ipc_call(storm, axo_timeouts(call_timeout(), call_timeout()));
    if (axo_tag_failed(tag) || axo_tag_untyped(tag) != 2) return ipc::Error::bad_message;
    count = utcb->mr[1];
    if (inherited) *inherited = utcb->mr[2] != 0;
    return ipc::Error::ok;
}

} // namespace

void storm_mode() {
    proc::SpawnReply first{};
    ipc::Error spawned = spawn("irq_storm", nullptr, first);
    axo_thread_id_t storm =
        spawned == ipc::Error::ok ? test::await_name("storm", 20000) : AXO_NIL_THREAD;
    uint32_t before = 0;
    ipc::Error asked = storm != AXO_NIL_THREAD ? ask(storm, storm::kStormCount, before) : spawned;
    rt_tap_check(asked == ipc::Error::ok && before > 0,
                 "irq_storm took edu's interrupt and storms (the device's status never cleared): "
                 "%u interrupts so far (%s)",
                 before, text(asked));

    uint64_t start = rt_clock_us();
    test::sleep_ms(100);
    uint64_t slept = rt_clock_us() - start;
    rt_tap_check(slept >= 100000, "in the storm, a 100 ms sleep ends after %u us (the timer ticks)",
                 static_cast<uint32_t>(slept));

    constexpr uint32_t kCalls = 1000;
    uint32_t answered = 0;
    start = rt_clock_us();
    for (uint32_t i = 0; i < kCalls; ++i) {
        axo_thread_id_t found = AXO_NIL_THREAD;
        if (names::lookup("storm", found) == ipc::Error::ok && found == storm) ++answered;
    }
    uint32_t calls_us = static_cast<uint32_t>(rt_clock_us() - start);
    rt_tap_check(answered == kCalls, "in the storm, proc answers %u of %u look-ups (%u us)",
                 answered, kCalls, calls_us);

    // A second instance of the module: it runs, and is refused the grants the first holds.
    proc::SpawnReply second{};
    proc::WaitReply ended{};
    ipc::Error waited = spawn("irq_storm", nullptr, second);
    if (waited == ipc::Error::ok) waited = wait_for(second.pid, ended, 30);
    rt_tap_check(waited == ipc::Error::ok && ended.reason == proc::kExitNormal && ended.status == 1,
                 "in the storm, a new process starts and ends: a second irq_storm is refused the "
                 "grants the first holds and exits 1 (reason %u, status %d: %s)",
                 ended.reason, ended.status, text(waited));

    uint32_t after = 0;
    asked = ask(storm, storm::kStormCount, after);
    rt_tap_check(asked == ipc::Error::ok && after >= before + 100,
                 "the storm went on meanwhile: %u interrupts more (%s)", after - before,
                 text(asked));

    ipc::Error killed = proc::client::kill(g_transport, proc_thread(), first.pid, proc::kSignalKill,
                                           call_timeout());
    waited = killed == ipc::Error::ok ? wait_for(first.pid, ended, 30) : killed;
    rt_tap_check(waited == ipc::Error::ok && ended.reason == proc::kExitKilled,
                 "killed in the storm, irq_storm ends (reason %u, status %d: %s)", ended.reason,
                 ended.status, text(waited));

    proc::SpawnReply third{};
    spawned = spawn("irq_storm", nullptr, third);
    axo_thread_id_t again =
        spawned == ipc::Error::ok ? test::await_name("storm", 20000, storm) : AXO_NIL_THREAD;
    uint32_t stopped_at = 0;
    bool inherited = false;
    asked =
        again != AXO_NIL_THREAD ? ask(again, storm::kStormStop, stopped_at, &inherited) : spawned;
    waited = asked == ipc::Error::ok ? wait_for(third.pid, ended, 30) : asked;
    rt_tap_check(waited == ipc::Error::ok && inherited && stopped_at > 0 &&
                     ended.reason == proc::kExitNormal && ended.status == 0,
                 "a new irq_storm gets the line (the interrupt its killed predecessor left "
                 "pending), takes %u interrupts, clears the device and exits 0 (reason %u, "
                 "status %d: %s)",
                 stopped_at, ended.reason, ended.status, text(waited));
}
