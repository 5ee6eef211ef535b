// The network modes of drivers_test (main.cc): the pci server and the e1000 driver.
//
//   net N        pci at boot; e1000 "eth0" (pci=8086:100e.0, QEMU's user network, `selfcheck`)
//                and "eth1" (pci=8086:100e.1, a socket netdev to tests/system/net_peer.py) at
//                boot. Checks the pci server's look-ups and refusals, spawns net_client for the
//                ARP exchange with QEMU's gateway on eth0 and for N frames each way with the
//                host on eth1, then the drivers' counters (frames, bytes, interrupts, refusals);
//                `twin` (pci=1234:11e8, QEMU's edu device, whose IRQ line is eth0's) must be
//                refused its grants.
//   net-restart  spawns pci (on-exit=restart), kills it once, and the restarted one answers;
//                spawns eth0 (on-exit=restart) as its child and kills it three times while
//                net_client is blocked in a receive; proc restarts it with its pci grants,
//                and the client's next ARP exchange through it succeeds.
#include "rt/tap.h"

#include "common.h"
#include "interfaces/devices/protocol.h"
#include "interfaces/nic/client.h"
#include "interfaces/pci/protocol.h"
#include "interfaces/process/client.h"

namespace {

using test::call_timeout;
using test::g_transport;
using test::spawn;
using test::text;
ipc::Error run(const char* image, const char* arguments, uint32_t seconds, proc::WaitReply& ended) {
    proc::SpawnReply child;
    ended = {};
    ipc::Error error = spawn(image, arguments, child);
    if (error != ipc::Error::ok) return error;
    return proc::client::wait(g_transport, rt_kip()->root_task, child.pid, 0, ended,
                              axo_timeout_us(seconds * 1000000));
}
bool net_statistics(axo_thread_id_t server, e1000::StatisticsReply& stats) {
    stats = {};
    return server != AXO_NIL_THREAD &&
           e1000::client::statistics(server, stats, call_timeout()) == ipc::Error::ok;
}

void pci_checks(axo_thread_id_t pci_server) {
    pci::StatisticsReply stats{};
    ipc::Error asked = ipc::call(pci_server, pci::StatisticsRequest{}, stats, call_timeout());
    pci::DeviceReply first{}, second{}, by_class{}, none{};
    ipc::Error a =
        ipc::call(pci_server, pci::FindRequest{0x8086, 0x100e, 0}, first, call_timeout());
    ipc::Error b =
        ipc::call(pci_server, pci::FindRequest{0x8086, 0x100e, 1}, second, call_timeout());
    ipc::Error c = ipc::call(pci_server, pci::FindRequest{0x8086, 0x100e, 2}, none, call_timeout());
    ipc::Error d =
        ipc::call(pci_server, pci::FindClassRequest{0x02, 0x00, 1}, by_class, call_timeout());
    rt_tap_check(asked == ipc::Error::ok && stats.devices >= 4 && a == ipc::Error::ok &&
                     b == ipc::Error::ok && c == ipc::Error::not_found && d == ipc::Error::ok &&
                     by_class.slot == second.slot && first.slot != second.slot,
                 "pci: %u functions on %u bus(es); two 8086:100e (slots %u and %u), no third "
                 "(%s); class 02.00 index 1 is slot %u",
                 stats.devices, stats.buses, first.slot, second.slot, text(c), by_class.slot);
    bool bars = (first.bars[0].flags & (pci::kBarPresent | pci::kBarIo)) == pci::kBarPresent &&
                first.bars[0].size == 0x20000 && first.bars[0].base % 0x20000 == 0 &&
                (first.bars[1].flags & pci::kBarIo) && first.bars[1].size == 0x40;
    rt_tap_check(bars && first.irq_pin == 1 && first.irq_line != 0 &&
                     first.irq_line != second.irq_line &&
                     (first.command & (pci::kCommandMemory | pci::kCommandBusMaster)) ==
                         (pci::kCommandMemory | pci::kCommandBusMaster),
                 "pci: the first NIC's BAR0 is %x (memory, %x bytes), BAR1 port %x (%u ports), "
                 "irq %u (the second's %u); the pci driver enabled memory decoding and bus "
                 "mastering (proc said a line names it) "
                 "(command %x)",
                 first.bars[0].base, first.bars[0].size, first.bars[1].base, first.bars[1].size,
                 first.irq_line, second.irq_line, first.command);
    pci::DeviceReply edu{}, host{};
    ipc::Error e = ipc::call(pci_server, pci::FindRequest{0x1234, 0x11e8, 0}, edu, call_timeout());
    ipc::Error h = ipc::call(pci_server, pci::FindRequest{0x8086, 0x1237, 0}, host, call_timeout());
    ipc::Error bad = ipc::call(pci_server, pci::FindRequest{0xFFFF, 0, 0}, none, call_timeout());
    rt_tap_check(
        e == ipc::Error::ok && h == ipc::Error::ok && stats.reported == stats.devices &&
            stats.enables == 3 && (edu.command & pci::kCommandBusMaster) &&
            (host.command & pci::kCommandBusMaster) == 0 && bad == ipc::Error::invalid_argument,
        "pci: all %u functions reported to proc (%u); the 3 that lines name enabled "
        "(%u: edu's command %x), the host bridge no line names left alone (command %x); "
        "vendor ffff is invalid (%s)",
        stats.devices, stats.reported, stats.enables, edu.command, host.command, text(bad));
}

} // namespace

void net_mode(uint32_t count) {
    axo_thread_id_t pci_server = test::await_name("pci", 10000);
    axo_thread_id_t eth0 = test::await_name("eth0", 10000);
    axo_thread_id_t eth1 = test::await_name("eth1", 10000);
    rt_tap_check(pci_server != AXO_NIL_THREAD && eth0 != AXO_NIL_THREAD && eth1 != AXO_NIL_THREAD,
                 "pci, eth0 and eth1 registered");
    if (pci_server != AXO_NIL_THREAD) pci_checks(pci_server);
    proc::DeviceStatusReply status{};
    ipc::Error asked = driver::status("eth0", status);
    rt_tap_check(asked == ipc::Error::ok && status.holder != proc::kNoProcess &&
                     status.irqs_attached == 1,
                 "proc: eth0 holds its pci grants (holder %u), its IRQ attached (%u): %s",
                 status.holder, status.irqs_attached, text(asked));

    proc::WaitReply ended{};
    ipc::Error waited = run("twin", nullptr, 30, ended);
    proc::DeviceStatusReply twin{};
    ipc::Error twin_asked = driver::status("twin", twin);
    rt_tap_check(
        waited == ipc::Error::ok && ended.reason == proc::kExitNormal && ended.status == 1 &&
            twin_asked == ipc::Error::ok && twin.holder == proc::kNoProcess,
        "a driver for the edu device (pci=1234:11e8), whose IRQ line is eth0's, is "
        "refused its grants (a conflict with eth0's) and exits 1 (status %d: %s); it holds nothing",
        ended.status, text(waited));

    waited = run("net_client", "arp eth0 200", 60, ended);
    rt_tap_check(waited == ipc::Error::ok && ended.reason == proc::kExitNormal && ended.status == 0,
                 "net_client: ARP request for 10.0.2.2 through eth0, QEMU's reply names "
                 "52:55:0a:00:02:02 (reason %u, status %d: %s)",
                 ended.reason, ended.status, text(waited));

    char arguments[32];
    rt_snprintf(arguments, sizeof arguments, "echo eth1 %u", count);
    uint64_t start = rt_clock_us();
    waited = run("net_client", arguments, 120, ended);
    uint32_t ms = static_cast<uint32_t>((rt_clock_us() - start) / 1000);
    rt_tap_check(waited == ipc::Error::ok && ended.reason == proc::kExitNormal && ended.status == 0,
                 "net_client: %u frames from the host echoed and %u sent through eth1 in %u ms "
                 "(reason %u, status %d: %s)",
                 count, count, ms, ended.reason, ended.status, text(waited));

    e1000::StatisticsReply s0{}, s1{};
    bool got0 = net_statistics(eth0, s0), got1 = net_statistics(eth1, s1);
    rt_tap_check(
        got0 && s0.tx_frames == 401 && s0.tx_bytes == 42 + 200 * (60 + 1514) && s0.rx_frames >= 1 &&
            s0.interrupts > 0 && s0.link_up == 1 && s0.rx_errors == 0 && s0.refusals_checked == 2,
        "eth0: %u frames (%u bytes) out: the ARP request and 400 timed sends; %u in, "
        "%u interrupts on IRQ %u, link up; refused memory and an IRQ outside its grants "
        "(%u of 2)",
        s0.tx_frames, s0.tx_bytes, s0.rx_frames, s0.interrupts, s0.irq, s0.refusals_checked);
    rt_tap_check(got1 && s1.rx_frames == count && s1.tx_frames == 2 * count + 1 &&
                     s1.tx_done == s1.tx_frames && s1.interrupts > 0 && s1.rx_missed == 0 &&
                     s1.rx_errors == 0 && s1.irq != s0.irq && s1.clients == 0,
                 "eth1: %u frames (%u bytes) in, %u (%u bytes) out, all %u transmitted; %u "
                 "interrupts on IRQ %u; %u missed, %u errors",
                 s1.rx_frames, s1.rx_bytes, s1.tx_frames, s1.tx_bytes, s1.tx_done, s1.interrupts,
                 s1.irq, s1.rx_missed, s1.rx_errors);
    rt_tap_diag("%u frames per interrupt on eth1",
                s1.interrupts ? (s1.rx_frames + s1.tx_frames) / s1.interrupts : 0);
}

// The pci server spawned (on-exit=restart) and killed once before anyone asked it for a
// device: proc restarts it, it enumerates again and answers the next look-up.
void pci_restart() {
    proc::SpawnReply child;
    ipc::Error spawned = spawn("pci", nullptr, child);
    axo_thread_id_t server = test::await_name("pci", 10000);
    pci::DeviceReply before{}, after{};
    ipc::Error found =
        server == AXO_NIL_THREAD
            ? ipc::Error::no_such_name
            : ipc::call(server, pci::FindRequest{0x8086, 0x100e, 0}, before, call_timeout());
    rt_tap_check(spawned == ipc::Error::ok && found == ipc::Error::ok,
                 "spawned the pci server (process %u); it found the NIC at slot %u: %s", child.pid,
                 before.slot, text(found));
    ipc::Error killed = proc::client::kill(g_transport, rt_kip()->root_task, child.pid,
                                           proc::kSignalTerm, call_timeout());
    proc::WaitReply ended{};
    ipc::Error waited = proc::client::wait(g_transport, rt_kip()->root_task, child.pid, 0, ended,
                                           axo_timeout_us(10000000));
    // The dead server's id: a call fails at once, it does not hang.
    pci::StatisticsReply stats{};
    ipc::Error gone = ipc::call(server, pci::StatisticsRequest{}, stats, call_timeout());
    axo_thread_id_t next = test::await_name("pci", 10000, server);
    found = next == AXO_NIL_THREAD
                ? ipc::Error::no_such_name
                : ipc::call(next, pci::FindRequest{0x8086, 0x100e, 0}, after, call_timeout());
    ipc::Error asked = next == AXO_NIL_THREAD
                           ? ipc::Error::no_such_name
                           : ipc::call(next, pci::StatisticsRequest{}, stats, call_timeout());
    rt_tap_check(
        killed == ipc::Error::ok && waited == ipc::Error::ok && gone == ipc::Error::server_gone &&
            found == ipc::Error::ok && asked == ipc::Error::ok && stats.restarts == 1 &&
            after.bars[0].base == before.bars[0].base && after.irq_line == before.irq_line &&
            stats.reported == stats.devices && stats.enables == 1 &&
            (after.command & pci::kCommandBusMaster) != 0,
        "killed pci: a call to the dead one fails (%s); proc restarted it (restart %u), "
        "it enumerated %u functions again, reported them to proc again (%u; eth0's "
        "NIC enabled again: command %x) and answers the next look-up: %s",
        text(gone), stats.restarts, stats.devices, stats.reported, after.command, text(found));
}

// eth0 only (Bochs): the pci server found it, proc granted it, the ARP exchange through it,
// its counters.
void net_arp_mode() {
    axo_thread_id_t pci_server = test::await_name("pci", 30000);
    axo_thread_id_t eth0 = test::await_name("eth0", 30000);
    pci::DeviceReply nic{};
    ipc::Error found =
        pci_server == AXO_NIL_THREAD
            ? ipc::Error::no_such_name
            : ipc::call(pci_server, pci::FindClassRequest{0x02, 0x00, 0}, nic, call_timeout());
    rt_tap_check(eth0 != AXO_NIL_THREAD && found == ipc::Error::ok && nic.vendor == 0x8086 &&
                     nic.device == 0x100e,
                 "pci found the network controller %04x:%04x at %02x:%02x.%u (irq %u), eth0 "
                 "registered: %s",
                 nic.vendor, nic.device, nic.bus, nic.slot, nic.function, nic.irq_line,
                 text(found));
    proc::WaitReply ended{};
    ipc::Error waited = run("net_client", "arp eth0", 120, ended);
    rt_tap_check(waited == ipc::Error::ok && ended.reason == proc::kExitNormal && ended.status == 0,
                 "net_client: ARP request for 10.0.2.2 through eth0, the reply names "
                 "52:55:0a:00:02:02 (reason %u, status %d: %s)",
                 ended.reason, ended.status, text(waited));
    e1000::StatisticsReply s0{};
    bool got = net_statistics(eth0, s0);
    rt_tap_check(got && s0.tx_frames >= 1 && s0.rx_frames >= 1 && s0.interrupts > 0 &&
                     s0.link_up == 1 && s0.refusals_checked == 2,
                 "eth0: %u frames out, %u in, %u interrupts on IRQ %u, link up; refused memory "
                 "and an IRQ outside its grants (%u of 2)",
                 s0.tx_frames, s0.rx_frames, s0.interrupts, s0.irq, s0.refusals_checked);
}

void net_restart_mode() {
    constexpr uint32_t kRounds = 3;
    pci_restart();
    proc::SpawnReply driver_child;
    ipc::Error spawned = spawn("eth0", nullptr, driver_child);
    axo_thread_id_t server = test::await_name("eth0", 10000);
    rt_tap_check(spawned == ipc::Error::ok && server != AXO_NIL_THREAD,
                 "spawned the e1000 driver eth0 (process %u), it registered: %s", driver_child.pid,
                 text(spawned));
    proc::SpawnReply client;
    char arguments[32];
    rt_snprintf(arguments, sizeof arguments, "restart eth0 %u", kRounds);
    ipc::Error client_spawned = spawn("net_client", arguments, client);
    rt_tap_check(client_spawned == ipc::Error::ok, "spawned net_client: %s", text(client_spawned));

    proc::ProcessId pid = driver_child.pid;
    for (uint32_t round = 1; round <= kRounds; ++round) {
        e1000::StatisticsReply stats{};
        bool blocked = false;
        for (uint32_t i = 0; i < 2000 && !blocked; ++i) {
            // The client's ARP exchange with this instance is done and it waits in a receive.
            blocked =
                net_statistics(server, stats) && stats.rx_frames > 0 && stats.receivers_waiting > 0;
            if (!blocked) test::sleep_ms(5);
        }
        ipc::Error killed = proc::client::kill(g_transport, rt_kip()->root_task, pid,
                                               proc::kSignalTerm, call_timeout());
        proc::WaitReply ended{};
        ipc::Error waited = proc::client::wait(g_transport, rt_kip()->root_task, pid, 0, ended,
                                               axo_timeout_us(10000000));
        rt_tap_check(blocked && killed == ipc::Error::ok && waited == ipc::Error::ok &&
                         ended.reason == proc::kExitKilled,
                     "round %u: killed eth0 (process %u) while the client was blocked in a "
                     "receive (%u interrupts, %u frames in so far): %s, %s",
                     round, pid, stats.interrupts, stats.rx_frames, text(killed), text(waited));
        axo_thread_id_t dead = server;
        server = test::await_name("eth0", 10000, dead);
        proc::DeviceStatusReply status{};
        ipc::Error asked = driver::status("eth0", status);
        rt_tap_check(server != AXO_NIL_THREAD && asked == ipc::Error::ok &&
                         status.instance != proc::kNoProcess && status.instance != pid &&
                         status.holder == status.instance && status.restarts == round &&
                         status.irqs_attached == 1,
                     "round %u: proc restarted eth0 as process %u (restarts %u) with its pci "
                     "grants and IRQ (%u attached)",
                     round, status.instance, status.restarts, status.irqs_attached);
        pid = status.instance;
    }
    proc::WaitReply ended{};
    ipc::Error waited = proc::client::wait(g_transport, rt_kip()->root_task, client.pid, 0, ended,
                                           axo_timeout_us(60000000));
    rt_tap_check(waited == ipc::Error::ok && ended.reason == proc::kExitNormal && ended.status == 0,
                 "net_client: each blocked receive ended with an error, not a hang, and its next "
                 "ARP exchange through the restarted driver succeeded (status %d: %s)",
                 ended.status, text(waited));
    e1000::StatisticsReply stats{};
    bool got = net_statistics(server, stats);
    rt_tap_check(got && stats.restarts == kRounds && stats.tx_frames >= 1 && stats.rx_frames >= 1 &&
                     stats.interrupts > 0,
                 "the last instance is restart %u: %u frames out, %u in, %u interrupts",
                 stats.restarts, stats.tx_frames, stats.rx_frames, stats.interrupts);
}
