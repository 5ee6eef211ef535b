// irq_storm: a device that never stops interrupting (README.md, "irq-storm"). One program in
// two roles:
//   irq_storm                 the test (proc starts it at boot; TAP)
//   irq_storm storm TID S     the driver of QEMU's `edu` device (its module line grants
//                             pci=1234:11e8): raises the device's interrupt and never clears it
//                             at the device, but acknowledges every interrupt to the kernel, for
//                             S seconds; then tells thread TID how many it got, clears the
//                             device and waits to be killed
// The edu device's INTx is a level-triggered PCI line: while its interrupt status is not zero it
// stays asserted, so each acknowledgement (which unmasks the line) is followed at once by the
// next interrupt — the storm a broken device or a hostile driver makes. Meanwhile the test checks
// that the rest of the system keeps working: the timer still ticks (a 100 ms sleep takes about
// 100 ms), new processes spawn, run and exit, proc answers; after the driver is killed, its line
// is detached and the system is as before.
#include "fuzz.h"

#include "lib/driver/driver.h"

namespace fuzz {
namespace {

ipc::KernelTransport g_transport;

constexpr uint32_t kStormReportLabel = 0x7A20;
// edu's registers (QEMU docs/specs/edu.txt), in BAR0.
constexpr uint32_t kEduIdentification = 0x00; // 0xRRrr00ed
constexpr uint32_t kEduInterruptStatus = 0x24;
constexpr uint32_t kEduInterruptRaise = 0x60; // status |= value; the line asserted
constexpr uint32_t kEduInterruptAck = 0x64;   // status &= ~value; the line lowered at 0

volatile uint32_t* edu_register(uint32_t offset) {
    return reinterpret_cast<volatile uint32_t*>(driver::kDeviceArea + offset);
}

axo_timeout_t call_timeout() {
    return axo_timeout_us(2000000);
}

void report(axo_thread_id_t to, uint32_t interrupts, uint32_t ms, uint32_t failure) {
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[0] = axo_msg_tag(kStormReportLabel, 3, 0);
    utcb->mr[1] = interrupts;
    utcb->mr[2] = ms;
    utcb->mr[3] = failure;
    (void)axo_ipc(to, AXO_NIL_THREAD, axo_timeouts(axo_timeout_us(5000000), AXO_TIMEOUT_NEVER));
}

[[noreturn]] void storm(axo_thread_id_t tester, uint32_t seconds) {
    driver::Grants grants{};
    uint32_t failure = 0;
    if (driver::claim(grants) != ipc::Error::ok || grants.memory_count == 0 ||
        grants.irq_count != 1)
        failure = 1;
    else if (driver::map_device_memory(grants.memory[0].first, 12, driver::kDeviceArea) !=
             ipc::Error::ok)
        failure = 2;
    else if ((*edu_register(kEduIdentification) & 0xFFFFu) != 0x00EDu)
        failure = 3;
    else if (driver::attach_irq(grants.irqs[0]) != ipc::Error::ok)
        failure = 4;
    if (failure != 0) {
        report(tester, 0, 0, failure);
        rt_park();
    }
    uint32_t line = grants.irqs[0];
    axo_thread_id_t irq = axo_irq_thread(line);
    rt_printf("storm: edu at %x, irq %u: raising its interrupt and never clearing it\n",
              grants.memory[0].first, line);
    *edu_register(kEduInterruptRaise) = 1;
    (void)driver::acknowledge_line(line); // the line open, whatever attaching left it
    uint32_t interrupts = 0;
    uint64_t started = rt_clock_us();
    uint64_t end = started + uint64_t{seconds} * 1000000;
    while (rt_clock_us() < end) {
        axo_thread_id_t from = axo_ipc_receive(irq, axo_timeout_us(100000));
        if (axo_tag_failed(axo_my_utcb()->mr[0]) || from != irq) continue;
        ++interrupts;
        (void)driver::acknowledge_line(line); // unmasked: the device still asserts the line
    }
    uint32_t ms = static_cast<uint32_t>((rt_clock_us() - started) / 1000);
    *edu_register(kEduInterruptAck) = *edu_register(kEduInterruptStatus);
    (void)driver::acknowledge_line(line);
    rt_printf("storm: %u interrupts in %u ms\n", interrupts, ms);
    report(tester, interrupts, ms, 0);
    rt_park(); // until killed
}

bool spawn(const char* image, const char* words, proc::SpawnReply& child) {
    child = {};
    ipc::Error error =
        proc::client::spawn(g_transport, proc_thread(), image, words, child, call_timeout());
    if (error != ipc::Error::ok)
        rt::tap::diag("spawn %s %s: %s", image, words != nullptr ? words : "",
                      ipc::error_name(error));
    return error == ipc::Error::ok;
}

bool wait_for(proc::ProcessId pid, proc::WaitReply& ended, uint32_t timeout_us) {
    ended = {};
    return proc::client::wait(g_transport, proc_thread(), pid, 0, ended,
                              axo_timeout_us(timeout_us)) == ipc::Error::ok;
}

// hello spawns, runs and exits 0 within 5 s.
bool a_process_runs() {
    proc::SpawnReply child{};
    proc::WaitReply ended{};
    return spawn("hello", nullptr, child) && wait_for(child.pid, ended, 5000000) &&
           ended.reason == proc::kExitNormal && ended.status == 0;
}

// The storm's report, within `ms`.
bool storm_report(axo_thread_id_t from, uint32_t ms, uint32_t& interrupts, uint32_t& storm_ms,
                  uint32_t& failure) {
    axo_utcb_t* utcb = axo_my_utcb();
    axo_thread_id_t sender =
        axo_ipc(AXO_NIL_THREAD, from, axo_timeouts(AXO_TIMEOUT_NEVER, axo_timeout_us(ms * 1000)));
    axo_msg_tag_t tag = utcb->mr[0];
    if (axo_tag_failed(tag) || sender != from || axo_tag_label(tag) != kStormReportLabel ||
        axo_tag_untyped(tag) != 3)
        return false;
    interrupts = utcb->mr[1];
    storm_ms = utcb->mr[2];
    failure = utcb->mr[3];
    return true;
}

[[noreturn]] void test() {
    rt_tap_begin();
    constexpr uint32_t kStormSeconds = 4;
    rt::tap::check(a_process_runs(), "before the storm: hello spawns, runs and exits 0");
    proc::SpawnReply driver{};
    char words[40];
    rt_snprintf(words, sizeof words, "storm %u %u", rt_my_id(), kStormSeconds);
    bool started = spawn("storm", words, driver);
    // Let it claim, map and attach, and the storm begin.
    sleep_ms(300);

    // During the storm: the timer ticks, processes run, proc answers.
    uint32_t sleeps_ok = 0, runs_ok = 0, rounds = 0;
    uint64_t longest_sleep_us = 0;
    uint64_t storm_end = rt_clock_us() + (kStormSeconds - 1) * 1000000ull;
    while (rt_clock_us() < storm_end && rounds < 20) {
        ++rounds;
        uint64_t before = rt_clock_us();
        sleep_ms(100);
        uint64_t slept = rt_clock_us() - before;
        if (slept > longest_sleep_us) longest_sleep_us = slept;
        if (slept >= 90000 && slept < 1000000) ++sleeps_ok;
        if (a_process_runs()) ++runs_ok;
    }
    proc::StatisticsReply statistics{};
    bool proc_answers = ipc::call(proc_thread(), proc::StatisticsRequest{}, statistics,
                                  call_timeout()) == ipc::Error::ok;

    uint32_t interrupts = 0, storm_ms = 0, failure = 0;
    bool reported = started && storm_report(driver.main_thread, (kStormSeconds + 5) * 1000,
                                            interrupts, storm_ms, failure);
    rt::tap::check(reported && failure == 0,
                   "the edu driver claimed the device, mapped it and attached its line "
                   "(failure %u)",
                   failure);
    // A storm, not a trickle: the line fires again at once after each acknowledgement.
    rt::tap::check(reported && interrupts >= 1000,
                   "the device interrupted without pause: %u interrupts in %u ms", interrupts,
                   storm_ms);
    rt::tap::check(rounds > 0 && sleeps_ok == rounds,
                   "during the storm the timer ticks: %u of %u sleeps of 100 ms took 90..1000 ms "
                   "(longest %u ms)",
                   sleeps_ok, rounds, static_cast<uint32_t>(longest_sleep_us / 1000));
    rt::tap::check(rounds > 0 && runs_ok == rounds && proc_answers,
                   "during the storm %u of %u new processes spawn, run and exit 0; proc answers",
                   runs_ok, rounds);

    proc::WaitReply ended{};
    if (started) {
        (void)proc::client::kill(g_transport, proc_thread(), static_cast<int32_t>(driver.pid),
                                 proc::kSignalKill, call_timeout());
        (void)wait_for(driver.pid, ended, 5000000);
    }
    proc::DeviceStatusRequest request{};
    (void)request.module.set("storm");
    proc::DeviceStatusReply status{};
    bool detached = ipc::call(proc_thread(), request, status, call_timeout()) == ipc::Error::ok &&
                    status.holder == proc::kNoProcess && status.irqs_attached == 0;
    rt::tap::check(detached, "the driver killed, proc detached its line");
    rt::tap::check(a_process_runs(), "after the storm: hello spawns, runs and exits 0");
    rt_tap_end();
    exit(rt_tap_failures() == 0 ? 0 : 1);
}

} // namespace
} // namespace fuzz

int main() {
    loader::StartArguments args = fuzz::arguments();
    for (uint32_t i = 1; i + 2 < args.argc; ++i) {
        uint32_t tester = 0, seconds = 0;
        if (strcmp(args.argv[i], "storm") == 0 && fuzz::parse_number(args.argv[i + 1], tester) &&
            fuzz::parse_number(args.argv[i + 2], seconds))
            fuzz::storm(tester, seconds);
    }
    fuzz::test();
}
