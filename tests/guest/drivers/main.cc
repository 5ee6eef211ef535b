// drivers_test MODE [SECONDS]: the test driver of the driver tests (README.md). proc starts it
// at boot (on-exit=shutdown: its exit ends the run); it prints TAP.
//
//   grants (every mode)  a process without grants is refused every device request; the
//                        intruder (intruder.cc) gets exactly its grants, is refused the rest
//                        and faults (#GP, reported by proc as vector 13) on a port not its own
//   serial               the serial driver "com2" at boot; serial_echo talks to the host
//                        through it (tests/system/serial_peer.py checks the bytes); the driver's
//                        counters: bytes, interrupts, no overruns
//   restart              spawns "com2" (on-exit=restart, loopback) as its child and kills it
//                        three times while serial_client is blocked in a read; proc restarts it
//                        each time and the client's next requests succeed
//   net, net-restart     the pci server and the e1000 driver (net_modes.cc)
//   console              "com2" at boot with `console loopback`: hello's (newlib) stdout goes
//                        through the driver, and comes back through the UART's loopback
//   pci                  the pci driver's look-ups on the emulator's i440FX
//   ata, ata-restart     the ATA driver (ata_test.cc)
//   storm                a driver flooded with interrupts (storm_test.cc, irq_storm.cc)
//   clients              "com2" at boot (loopback) with `client=drivers_test`: this program, the
//                        line's client, writes and reads back; a spawned serial_client, a
//                        stranger, is refused write, read and flush and may read the counters
//
// SECONDS bounds the wait for serial_echo (default 60; Bochs needs more).
#include "rt/tap.h"

#include "ata_test.h"
#include "common.h"
#include "interfaces/devices/protocol.h"
#include "interfaces/pci/protocol.h"
#include "interfaces/process/client.h"

namespace {

using test::call_timeout;
using test::g_transport;
using test::proc_thread;
using test::spawn;
using test::text;
using test::wait_for;

void grants() {
    driver::Grants g{};
    ipc::Error claim = driver::claim(g);
    ipc::Error ports = driver::map_ports(0x2f8, 0x2ff);
    ipc::Error irq = driver::attach_irq(3);
    uint32_t physical = 0;
    ipc::Error dma = driver::allocate_dma(0, 12, driver::kDeviceArea, physical);
    ipc::Error memory = driver::map_device_memory(0xb8000, 12, driver::kDeviceArea);
    rt_tap_check(claim == ipc::Error::no_permission && ports == ipc::Error::no_permission &&
                     irq == ipc::Error::no_permission && dma == ipc::Error::no_permission &&
                     memory == ipc::Error::no_permission,
                 "a process whose module has no grants is refused claim, ports, IRQ, DMA and "
                 "device memory: %s, %s, %s, %s, %s",
                 text(claim), text(ports), text(irq), text(dma), text(memory));

    proc::SpawnReply child;
    proc::WaitReply ended{};
    ipc::Error spawned = spawn("intruder", nullptr, child);
    ipc::Error waited = spawned == ipc::Error::ok ? wait_for(child.pid, ended, 30) : spawned;
    rt_tap_check(waited == ipc::Error::ok && ended.reason == proc::kExitFaulted &&
                     ended.status == 13,
                 "the intruder got exactly its ports, IRQ, device page and DMA, was refused "
                 "everything else, and a port access outside its grant ended it with #GP "
                 "(reason %u, status %d: %s)",
                 ended.reason, ended.status, text(waited));
}

bool serial_statistics(axo_thread_id_t server, serial::StatisticsReply& stats) {
    stats = {};
    return serial::client::statistics(server, stats, call_timeout()) == ipc::Error::ok;
}

void serial_mode(uint32_t seconds) {
    axo_thread_id_t server = test::await_name("com2", 10000);
    rt_tap_check(server != AXO_NIL_THREAD, "the serial driver registered \"com2\"");
    proc::DeviceStatusReply status{};
    ipc::Error asked = driver::status("com2", status);
    rt_tap_check(asked == ipc::Error::ok && status.holder != proc::kNoProcess &&
                     status.irqs_attached == 1,
                 "proc: com2 holds its grants (holder %u), one IRQ line attached (%u): %s",
                 status.holder, status.irqs_attached, text(asked));

    proc::SpawnReply child;
    proc::WaitReply ended{};
    uint64_t start = rt_clock_us();
    ipc::Error spawned = spawn("serial_echo", nullptr, child);
    ipc::Error waited = spawned == ipc::Error::ok ? wait_for(child.pid, ended, seconds) : spawned;
    uint64_t elapsed = rt_clock_us() - start;
    rt_tap_check(waited == ipc::Error::ok && ended.reason == proc::kExitNormal && ended.status == 0,
                 "serial_echo echoed 64 KiB from the host and sent 64 KiB back (reason %u, status "
                 "%d: %s) in %u ms",
                 ended.reason, ended.status, text(waited), static_cast<uint32_t>(elapsed / 1000));

    serial::StatisticsReply stats{};
    bool got = server != AXO_NIL_THREAD && serial_statistics(server, stats);
    uint32_t marker = sizeof test::kReadyMarker - 1;
    rt_tap_check(got && stats.rx_bytes == 65536 && stats.tx_bytes == 2 * 65536 + marker,
                 "the driver counted every byte: %u received, %u sent", stats.rx_bytes,
                 stats.tx_bytes);
    rt_tap_check(got && stats.overruns == 0 && stats.line_errors == 0,
                 "no byte was lost in the UART: %u overruns, %u line errors", stats.overruns,
                 stats.line_errors);
    rt_tap_check(got && stats.interrupts > 0 && stats.port == 0x2f8 && stats.irq == 3,
                 "interrupt count: %u interrupts on IRQ %u for %u bytes (%u bytes per interrupt)",
                 stats.interrupts, stats.irq, stats.rx_bytes + stats.tx_bytes,
                 stats.interrupts != 0 ? (stats.rx_bytes + stats.tx_bytes) / stats.interrupts : 0);
    rt_tap_diag("receive throttled %u times; %u us per byte both ways together; watchdog: %u "
                "polls, %u found work an interrupt had not announced",
                stats.rx_throttled,
                static_cast<uint32_t>(elapsed / (stats.rx_bytes + stats.tx_bytes + 1)), stats.polls,
                stats.stalls);
}

// The serial line is given to this program (`client=drivers_test` on com2's line): its own
// requests are served, a stranger's are refused.
void clients_mode() {
    axo_thread_id_t server = test::await_name("com2", 10000);
    const uint8_t line[] = "client line\n";
    uint32_t length = sizeof line - 1;
    ipc::Error wrote = server != AXO_NIL_THREAD
                           ? serial::client::write_all(server, line, length, call_timeout())
                           : ipc::Error::no_such_name;
    uint8_t back[sizeof line] = {};
    uint32_t got = 0, count = 0;
    ipc::Error read = wrote;
    while (read == ipc::Error::ok && got < length) {
        read = serial::client::read(server, back + got, length - got, true, count, call_timeout());
        got += count;
    }
    rt_tap_check(read == ipc::Error::ok && got == length && memcmp(back, line, length) == 0,
                 "the line's client (client=drivers_test) writes %u bytes and reads them back "
                 "through the UART's loopback: %s",
                 length, text(read));

    proc::SpawnReply child;
    proc::WaitReply ended{};
    ipc::Error waited = spawn("serial_client", "stranger com2", child);
    if (waited == ipc::Error::ok) waited = wait_for(child.pid, ended, 30);
    rt_tap_check(waited == ipc::Error::ok && ended.reason == proc::kExitNormal && ended.status == 0,
                 "a stranger (serial_client, spawned: not the line's client) is refused write, "
                 "read and flush, and gets the counters (reason %u, status %d: %s)",
                 ended.reason, ended.status, text(waited));
}

// A restarted driver gets its DMA block back: same physical memory, contents kept.
void dma_survives_restart() {
    proc::SpawnReply keeper;
    ipc::Error spawned = spawn("dma_keeper", nullptr, keeper);
    axo_thread_id_t first = test::await_name("dma-first", 10000);
    ipc::Error killed = first != AXO_NIL_THREAD
                            ? proc::client::kill(g_transport, proc_thread(), keeper.pid,
                                                 proc::kSignalTerm, call_timeout())
                            : ipc::Error::no_such_name;
    proc::WaitReply ended{};
    (void)wait_for(keeper.pid, ended, 10);
    axo_thread_id_t same = test::await_name("dma-same", 10000);
    axo_thread_id_t lost = AXO_NIL_THREAD;
    (void)names::lookup("dma-lost", lost);
    rt_tap_check(spawned == ipc::Error::ok && first != AXO_NIL_THREAD && killed == ipc::Error::ok &&
                     same != AXO_NIL_THREAD && lost == AXO_NIL_THREAD,
                 "a restarted driver gets its DMA block back: the same physical memory, its "
                 "contents kept (%s, %s)",
                 text(spawned), text(killed));
}

void restart_mode() {
    constexpr uint32_t kRounds = 3;
    proc::SpawnReply driver_child;
    ipc::Error spawned = spawn("com2", nullptr, driver_child);
    axo_thread_id_t server = test::await_name("com2", 10000);
    rt_tap_check(spawned == ipc::Error::ok && server != AXO_NIL_THREAD,
                 "spawned the serial driver com2 (process %u), it registered: %s", driver_child.pid,
                 text(spawned));

    // A second instance of the module while the first holds the grants: refused, it exits 1,
    // and it is not restarted (it was never the supervised instance).
    proc::SpawnReply twin;
    proc::WaitReply twin_end{};
    ipc::Error twin_spawned = spawn("com2", nullptr, twin);
    ipc::Error twin_waited =
        twin_spawned == ipc::Error::ok ? wait_for(twin.pid, twin_end, 10) : twin_spawned;
    proc::DeviceStatusReply status{};
    ipc::Error asked = driver::status("com2", status);
    rt_tap_check(twin_waited == ipc::Error::ok && twin_end.reason == proc::kExitNormal &&
                     twin_end.status == 1 && asked == ipc::Error::ok &&
                     status.instance == driver_child.pid && status.holder == driver_child.pid &&
                     status.restarts == 0 && status.restart_policy == 1,
                 "a second com2 is refused the grants (busy) and exits 1 (%d); proc still "
                 "supervises process %u (instance %u, holder %u, restarts %u)",
                 twin_end.status, driver_child.pid, status.instance, status.holder,
                 status.restarts);

    proc::SpawnReply client;
    char arguments[16];
    rt_snprintf(arguments, sizeof arguments, "%u", kRounds);
    ipc::Error client_spawned = spawn("serial_client", arguments, client);
    rt_tap_check(client_spawned == ipc::Error::ok, "spawned serial_client: %s",
                 text(client_spawned));

    proc::ProcessId pid = driver_child.pid;
    for (uint32_t round = 1; round <= kRounds; ++round) {
        // Wait until the client is blocked in its read inside the driver.
        serial::StatisticsReply stats{};
        bool blocked = false;
        for (uint32_t i = 0; i < 2000 && !blocked; ++i) {
            blocked = serial_statistics(server, stats) && stats.readers_waiting > 0;
            if (!blocked) test::sleep_ms(5);
        }
        ipc::Error killed =
            proc::client::kill(g_transport, proc_thread(), pid, proc::kSignalTerm, call_timeout());
        proc::WaitReply ended{};
        ipc::Error waited = wait_for(pid, ended, 10);
        rt_tap_check(blocked && killed == ipc::Error::ok && waited == ipc::Error::ok &&
                         ended.reason == proc::kExitKilled,
                     "round %u: killed com2 (process %u) while the client was blocked in a read "
                     "(%u waiting, %u interrupts so far): %s, %s",
                     round, pid, stats.readers_waiting, stats.interrupts, text(killed),
                     text(waited));

        // proc restarts it at once; it claims its grants again and registers.
        axo_thread_id_t dead = server;
        server = test::await_name("com2", 10000, dead);
        status = {};
        asked = driver::status("com2", status);
        rt_tap_check(server != AXO_NIL_THREAD && asked == ipc::Error::ok &&
                         status.instance != proc::kNoProcess && status.instance != pid &&
                         status.holder == status.instance && status.restarts == round &&
                         status.irqs_attached == 1,
                     "round %u: proc restarted com2 as process %u (restarts %u), which holds the "
                     "grants again with its IRQ attached (%u) and serves under its name",
                     round, status.instance, status.restarts, status.irqs_attached);
        pid = status.instance;
    }

    proc::WaitReply ended{};
    ipc::Error waited = wait_for(client.pid, ended, 60);
    rt_tap_check(waited == ipc::Error::ok && ended.reason == proc::kExitNormal && ended.status == 0,
                 "serial_client: each blocked read ended with an error, not a hang, and its "
                 "next requests to the restarted driver succeeded (status %d: %s)",
                 ended.status, text(waited));
    serial::StatisticsReply stats{};
    bool got = serial_statistics(server, stats);
    rt_tap_check(got && stats.restarts == kRounds && stats.interrupts > 0 && stats.rx_bytes > 0 &&
                     stats.rx_bytes == stats.tx_bytes,
                 "the last instance knows it is restart %u and counted %u interrupts for %u "
                 "bytes sent and %u received through the loopback",
                 stats.restarts, stats.interrupts, stats.tx_bytes, stats.rx_bytes);

    dma_survives_restart();

    // The test ends the driver for good: kill it, and it comes back; that is the policy. So
    // check the count once more after one more kill, then leave it running.
    (void)proc::client::kill(g_transport, proc_thread(), pid, proc::kSignalKill, call_timeout());
    (void)wait_for(pid, ended, 10);
    server = test::await_name("com2", 10000, server);
    asked = driver::status("com2", status);
    rt_tap_check(server != AXO_NIL_THREAD && asked == ipc::Error::ok &&
                     status.restarts == kRounds + 1,
                 "killed with signal 9 as well: restarted again (restarts %u)", status.restarts);
}

bool contains(const char* text, uint32_t length, const char* word) {
    uint32_t n = static_cast<uint32_t>(strlen(word));
    for (uint32_t i = 0; i + n <= length; ++i)
        if (memcmp(text + i, word, n) == 0) return true;
    return false;
}

// com2 has `console loopback` on its line: what a newlib program prints goes through it, and
// the UART's loopback brings it back to com2's receive buffer, where this reads it.
void console_mode() {
    axo_thread_id_t console = test::await_name("console", 10000);
    axo_thread_id_t server = test::await_name("com2", 10000);
    rt_tap_check(console != AXO_NIL_THREAD && console == server,
                 "the serial driver registered \"console\" as well as \"com2\"");
    proc::SpawnReply child;
    proc::WaitReply ended{};
    ipc::Error spawned = spawn("hello", nullptr, child);
    ipc::Error waited = spawned == ipc::Error::ok ? wait_for(child.pid, ended, 30) : spawned;
    rt_tap_check(waited == ipc::Error::ok && ended.reason == proc::kExitNormal && ended.status == 0,
                 "hello (newlib) ran and exited 0: %s", text(waited));
    // Everything hello wrote has left the UART once a flush returns; the loopback has put it
    // into the receive buffer a byte time later. Read until as much came back as went out.
    ipc::Error flushed = serial::client::flush(server, call_timeout());
    serial::StatisticsReply sent{};
    bool counted = serial_statistics(server, sent);
    static char seen[1024];
    uint32_t length = 0;
    const char* expected = "hello, world\n";
    for (uint32_t i = 0; i < 500 && length < sent.tx_bytes && length < sizeof seen - 1; ++i) {
        uint32_t count = 0;
        uint32_t room = sizeof seen - 1 - length;
        ipc::Error error = serial::client::read(
            server, reinterpret_cast<uint8_t*>(seen + length),
            room < serial::kChunkBytes ? room : serial::kChunkBytes, false, count, call_timeout());
        if (error != ipc::Error::ok) break;
        length += count;
        if (count == 0) test::sleep_ms(2);
    }
    seen[length] = '\0';
    {
        static char shown[1024];
        uint32_t n = 0;
        for (uint32_t i = 0; i < length && n + 4 < sizeof shown; ++i) {
            char c = seen[i];
            if (c == '\n') {
                shown[n++] = '|';
                continue;
            }
            shown[n++] = (c >= ' ' && c <= '~' && c != '#') ? c : '?';
        }
        shown[n] = '\0';
        rt_tap_diag("back: %s", shown);
    }
    rt_tap_check(flushed == ipc::Error::ok && counted && contains(seen, length, expected) &&
                     contains(seen, length, "from the heap"),
                 "hello's stdout went through the console driver: %u bytes came back through "
                 "the loopback (%s)",
                 length, text(flushed));
    serial::StatisticsReply stats{};
    bool got = serial_statistics(server, stats);
    rt_tap_check(got && stats.tx_bytes == length && stats.interrupts > 0,
                 "the driver sent exactly those bytes (%u) with %u interrupts", stats.tx_bytes,
                 stats.interrupts);
}

ipc::Error pci_find(axo_thread_id_t server, uint32_t vendor, uint32_t device, uint32_t index,
                    pci::DeviceReply& out) {
    out = {};
    return ipc::call(server, pci::FindRequest{vendor, device, index}, out, call_timeout());
}
ipc::Error pci_find_class(axo_thread_id_t server, uint32_t klass, uint32_t subclass, uint32_t index,
                          pci::DeviceReply& out) {
    out = {};
    return ipc::call(server, pci::FindClassRequest{klass, subclass, index}, out, call_timeout());
}

// The pci driver on the emulator's i440FX: the host bridge, the PIIX IDE controller, the VGA.
void pci_mode() {
    axo_thread_id_t server = test::await_name("pci", 10000);
    pci::StatisticsReply stats{};
    ipc::Error counted = server != AXO_NIL_THREAD
                             ? ipc::call(server, pci::StatisticsRequest{}, stats, call_timeout())
                             : ipc::Error::no_such_name;
    rt_tap_check(counted == ipc::Error::ok && stats.devices >= 3 && stats.buses >= 1 &&
                     stats.reported == stats.devices,
                 "the pci driver enumerated configuration space: %u functions on %u bus(es), "
                 "%u reported to proc (%s)",
                 stats.devices, stats.buses, stats.reported, text(counted));
    pci::DeviceReply d;
    ipc::Error error = pci_find(server, 0x8086, 0x1237, 0, d);
    rt_tap_check(error == ipc::Error::ok && d.bus == 0 && d.slot == 0 && d.class_code == 0x06 &&
                     d.subclass == 0x00,
                 "look-up by vendor:device: 8086:1237 is the host bridge at 00:00.0, class "
                 "%02x.%02x (%s)",
                 d.class_code, d.subclass, text(error));
    error = pci_find_class(server, 0x01, 0x01, 0, d);
    rt_tap_check(error == ipc::Error::ok && (d.bars[4].flags & pci::kBarIo) &&
                     d.bars[4].size == 16 && d.bars[4].base != 0,
                 "look-up by class: the IDE controller %04x:%04x, bus-master BAR 4 = ports "
                 "%x, %u of them (%s)",
                 d.vendor, d.device, d.bars[4].base, d.bars[4].size, text(error));
    error = pci_find_class(server, 0x03, 0x00, 0, d);
    if (error == ipc::Error::not_found)
        rt_tap_skip("no PCI VGA here (Bochs' VGA is ISA)", "a memory BAR: the VGA's BAR 0");
    else
        rt_tap_check(error == ipc::Error::ok && (d.bars[0].flags & pci::kBarPresent) &&
                         !(d.bars[0].flags & pci::kBarIo) && d.bars[0].size >= (1u << 20) &&
                         d.bars[0].base % d.bars[0].size == 0,
                     "the VGA %04x:%04x: BAR 0 = memory at %08x, %u KiB, aligned to its size (%s)",
                     d.vendor, d.device, d.bars[0].base, d.bars[0].size >> 10, text(error));
    pci::DeviceReply nic{};
    if (pci_find(server, 0x8086, 0x100e, 0, nic) == ipc::Error::ok)
        rt_tap_diag("e1000 at %02x:%02x.%u: BAR 0 memory %08x (%u KiB), BAR 1 ports %x (%u), "
                    "irq %u, command %x",
                    nic.bus, nic.slot, nic.function, nic.bars[0].base, nic.bars[0].size >> 10,
                    nic.bars[1].base, nic.bars[1].size, nic.irq_line, nic.command);
    if (nic.vendor == 0x8086) {
        // nic_probe's line names the e1000: proc said so in its reply to the pci driver's
        // report, and the pci driver enabled decoding and bus mastering.
        constexpr uint32_t kEnabled =
            pci::kCommandIo | pci::kCommandMemory | pci::kCommandBusMaster;
        rt_tap_check((nic.command & kEnabled) == kEnabled,
                     "the e1000 is named by a module's pci= word: the pci driver enabled I/O, "
                     "memory and bus mastering (command %x)",
                     nic.command);
        proc::SpawnReply child;
        proc::WaitReply ended{};
        ipc::Error spawned = spawn("nic_probe", nullptr, child);
        ipc::Error waited = spawned == ipc::Error::ok ? wait_for(child.pid, ended, 30) : spawned;
        rt_tap_check(waited == ipc::Error::ok && ended.reason == proc::kExitNormal &&
                         ended.status == 0,
                     "a driver with pci=8086:100e got the e1000's BARs and IRQ from proc (as the "
                     "pci driver reported them) and reached the device (status %d: "
                     "%s)",
                     ended.status, text(waited));
    } else {
        rt_tap_skip("no e1000 on this machine", "pci= enabling: the e1000's command register");
        rt_tap_skip("no e1000 on this machine", "pci= grants: the e1000's BARs and IRQ");
    }
    ipc::Error absent = pci_find(server, 0xdead, 0xbeef, 0, d);
    ipc::Error beyond = pci_find(server, 0x8086, 0x1237, 1, d);
    ipc::Error bad = pci_find(server, 0x10000, pci::kAnyId, 0, d);
    ipc::Error bad_class = pci_find_class(server, 0x100, 0, 0, d);
    rt_tap_check(absent == ipc::Error::not_found && beyond == ipc::Error::not_found &&
                     bad == ipc::Error::invalid_argument &&
                     bad_class == ipc::Error::invalid_argument,
                 "no such device, or an index past the matches: not_found (%s, %s); a vendor "
                 "above 0xffff or a class above 0xff: invalid_argument (%s, %s)",
                 text(absent), text(beyond), text(bad), text(bad_class));
}

} // namespace

// net_modes.cc: the pci server and the e1000 driver.
void net_mode(uint32_t count);
void net_restart_mode();
void net_arp_mode();
// storm_test.cc: a driver flooded with interrupts.
void storm_mode();

int main() {
    loader::StartArguments args = driver::arguments();
    const char* mode = args.argc > 1 ? args.argv[1] : "";
    uint32_t seconds = 60;
    if (args.argc > 2) driver::parse_number(args.argv[2], seconds);
    rt_tap_begin();
    grants();
    if (strcmp(mode, "serial") == 0)
        serial_mode(seconds);
    else if (strcmp(mode, "restart") == 0)
        restart_mode();
    else if (strcmp(mode, "console") == 0)
        console_mode();
    else if (strcmp(mode, "pci") == 0)
        pci_mode();
    else if (strcmp(mode, "ata") == 0)
        test::ata_mode(args.argc > 2 ? args.argv[2] : "");
    else if (strcmp(mode, "ata-restart") == 0)
        test::ata_restart_mode(args.argc > 2 ? args.argv[2] : "3");
    else if (strcmp(mode, "net") == 0)
        net_mode(seconds); // here: the frame count
    else if (strcmp(mode, "net-restart") == 0)
        net_restart_mode();
    else if (strcmp(mode, "net-arp") == 0)
        net_arp_mode();
    else if (strcmp(mode, "storm") == 0)
        storm_mode();
    else if (strcmp(mode, "clients") == 0)
        clients_mode();
    else
        rt_tap_check(false, "a known mode: serial or restart, not \"%s\"", mode);
    rt_tap_end();
    driver::exit(rt_tap_failures() == 0 ? 0 : 1);
}
