// drivers_test's ATA modes (README.md):
//
//   ata SECTORS     the driver "ata" at boot on a fresh disk image of SECTORS sectors
//                   (tests/system/ata_disk.py made it, with sectors of its own at kHostLba);
//                   this program is the client: errors before a buffer, the buffer by map item,
//                   the pattern written to the first sector, a whole buffer, a run of several
//                   requests at odd buffer offsets and the last sector, flushed, read back and
//                   compared; the host's sectors read; zeros where nobody wrote; every
//                   malformed request refused; the interrupt count. After the run the host
//                   checks the image byte for byte.
//   ata-restart N   spawns "ata" (on-exit=restart) and ata_client, and kills the driver N
//                   times while the client writes and reads through it; proc restarts it, the
//                   client's next requests succeed. ata_probe (grants of the secondary
//                   channel) is refused the primary channel's ports and IRQ.
#include "ata_test.h"

#include "rt/tap.h"

#include "ata_common.h"
#include "interfaces/devices/protocol.h"
#include "interfaces/process/client.h"

namespace test {
namespace {

using namespace test::ata_disk;
namespace client = ::ata::client;

constexpr uint32_t kSector = ::ata::kSectorBytes;

// A whole buffer of PIO sectors may take longer than common.h's 5 s on a loaded Bochs.
axo_timeout_t block_timeout() {
    return axo_timeout_us(10000000);
}

// The window over memory of our own (protocol.h): twice the buffer, the aligned half used.
alignas(4096) uint8_t g_area[2 * ::ata::kBufferBytes];
uint8_t g_expect[::ata::kBufferBytes];

bool statistics(axo_thread_id_t server, ::ata::StatisticsReply& stats) {
    stats = {};
    return client::statistics(server, stats, block_timeout()) == ipc::Error::ok;
}

// Writes [lba, lba + count) with `seed` through the buffer at `offset`, in requests of at most
// `per_request` sectors.
ipc::Error write_pattern(axo_thread_id_t server, uint8_t* buffer, uint32_t lba, uint32_t count,
                         uint32_t offset, uint32_t per_request, uint32_t seed) {
    while (count > 0) {
        uint32_t n = count < per_request ? count : per_request;
        fill(buffer + offset, lba, n, seed);
        if (ipc::Error error = client::write(server, lba, n, offset, block_timeout());
            error != ipc::Error::ok)
            return error;
        lba += n;
        count -= n;
    }
    return ipc::Error::ok;
}

// Reads [lba, lba + count) back (buffer poisoned first) and compares with `seed`'s pattern
// (seed 0: zeros). `bad` is the first wrong sector or -1.
ipc::Error check_pattern(axo_thread_id_t server, uint8_t* buffer, uint32_t lba, uint32_t count,
                         uint32_t offset, uint32_t per_request, uint32_t seed, int64_t& bad) {
    bad = -1;
    while (count > 0) {
        uint32_t n = count < per_request ? count : per_request;
        memset(buffer + offset, 0xEE, n * kSector);
        if (ipc::Error error = client::read(server, lba, n, offset, block_timeout());
            error != ipc::Error::ok)
            return error;
        if (seed == 0) {
            memset(g_expect, 0, n * kSector);
            if (memcmp(buffer + offset, g_expect, n * kSector) != 0) bad = lba;
        } else {
            bad = mismatch(buffer + offset, lba, n, seed);
        }
        if (bad >= 0) return ipc::Error::ok;
        lba += n;
        count -= n;
    }
    return ipc::Error::ok;
}

struct Range {
    uint32_t lba, count, offset, per_request;
};

} // namespace

void ata_mode(const char* sectors_text) {
    uint32_t expected_sectors = 0;
    driver::parse_number(sectors_text, expected_sectors);
    axo_thread_id_t server = await_name("ata", 10000);
    rt_tap_check(server != AXO_NIL_THREAD, "the ATA driver registered \"ata\"");
    proc::DeviceStatusReply status{};
    ipc::Error asked = driver::status("ata", status);
    rt_tap_check(asked == ipc::Error::ok && status.holder != proc::kNoProcess &&
                     status.irqs_attached == 1,
                 "proc: ata holds its grants (holder %u), one IRQ line attached (%u): %s",
                 status.holder, status.irqs_attached, text(asked));

    ::ata::InfoReply info{};
    ipc::Error got_info = client::info(server, info, block_timeout());
    char model[41];
    memcpy(model, info.model, 40);
    model[40] = '\0';
    uint32_t capacity = info.sectors_low;
    rt_tap_check(
        got_info == ipc::Error::ok && info.sectors_high == 0 && capacity == expected_sectors &&
            info.sector_bytes == kSector && model[0] != '\0',
        "IDENTIFY: \"%s\", %u sectors of %u bytes (the image has %u), features %x: %s", model,
        capacity, info.sector_bytes, expected_sectors, info.features, text(got_info));
    if (capacity != expected_sectors || capacity < 8192) {
        rt_tap_diag("the disk is not the test image: the rest is skipped");
        return;
    }

    ::ata::StatisticsReply before{};
    bool got_before = statistics(server, before);

    // No buffer yet.
    ipc::Error no_buffer_read = client::read(server, 0, 1, 0, block_timeout());
    ipc::Error no_buffer_write = client::write(server, 0, 1, 0, block_timeout());
    rt_tap_check(no_buffer_read == ipc::Error::not_found &&
                     no_buffer_write == ipc::Error::not_found,
                 "read and write without a buffer are refused: %s, %s", text(no_buffer_read),
                 text(no_buffer_write));

    uint8_t* buffer = client::aligned_window(g_area);
    ::ata::BufferReply shared{};
    ipc::Error set_up = client::buffer(server, buffer, shared, block_timeout());
    rt_tap_check(set_up == ipc::Error::ok && shared.bytes == ::ata::kBufferBytes &&
                     shared.sectors_low == capacity,
                 "the driver shared a %u-byte buffer (its slot %u) by a map item at %p: %s",
                 shared.bytes, shared.slot, buffer, text(set_up));
    // A new owner's buffer is zeroed; what we write is what the driver sees (same pages).
    bool zeroed = true;
    for (uint32_t i = 0; i < ::ata::kBufferBytes && zeroed; i += 4096)
        zeroed = buffer[i] == 0 && buffer[i + 4095] == 0;
    rt_tap_check(set_up == ipc::Error::ok && zeroed, "the buffer came zeroed");

    // Malformed requests: nothing reaches the device.
    struct Bad {
        uint64_t lba;
        uint32_t count, offset;
        const char* what;
    } bad[] = {
        {0, 0, 0, "zero sectors"},
        {0, ::ata::kBufferSectors + 1, 0, "more sectors than the buffer holds"},
        {0, 1, 100, "a buffer offset that is no multiple of 512"},
        {0, 1, 1, "a buffer offset of 1"},
        {0, 2, ::ata::kBufferBytes - kSector, "a range past the buffer's end"},
        {0, 1, ::ata::kBufferBytes, "an offset at the buffer's end"},
        {capacity, 1, 0, "the sector after the last"},
        {capacity - 1, 2, 0, "a range across the disk's end"},
        {uint64_t{1} << 32, 1, 0, "an LBA above 2^32"},
        {0xFFFFFFFFu, 2, 0, "an LBA whose range wraps"},
    };
    uint32_t refused = 0;
    for (const Bad& b : bad) {
        ipc::Error r = client::read(server, b.lba, b.count, b.offset, block_timeout());
        ipc::Error w = client::write(server, b.lba, b.count, b.offset, block_timeout());
        bool ok = r == ipc::Error::invalid_argument && w == ipc::Error::invalid_argument;
        refused += ok ? 2 : 0;
        rt_tap_check(ok, "refused: %s (read %s, write %s)", b.what, text(r), text(w));
    }

    // The pattern: the first sector, a whole buffer in one request, a run of several requests
    // at odd offsets, the last sector.
    const Range ranges[] = {
        {0, 1, 0, 1},
        {1000, ::ata::kBufferSectors, 0, ::ata::kBufferSectors},
        {4000, 300, 3 * kSector, 37},
        {capacity - 1, 1, ::ata::kBufferBytes - kSector, 1},
    };
    uint64_t start = rt_clock_us();
    uint32_t written = 0;
    for (const Range& r : ranges) {
        ipc::Error error =
            write_pattern(server, buffer, r.lba, r.count, r.offset, r.per_request, kSeedGuest);
        written += r.count;
        rt_tap_check(error == ipc::Error::ok,
                     "wrote %u sectors at LBA %u (%u per request, offset %u): %s", r.count, r.lba,
                     r.per_request, r.offset, text(error));
    }
    ipc::Error flushed = client::flush(server, block_timeout());
    rt_tap_check(flushed == ipc::Error::ok, "flush: %s", text(flushed));
    for (const Range& r : ranges) {
        int64_t wrong = -1;
        // Read back at another offset where it fits: the data must follow the request.
        uint32_t offset = r.offset + kSector + r.per_request * kSector <= ::ata::kBufferBytes
                              ? r.offset + kSector
                              : 0;
        ipc::Error error =
            check_pattern(server, buffer, r.lba, r.count, offset, r.per_request, kSeedGuest, wrong);
        rt_tap_check(error == ipc::Error::ok && wrong < 0,
                     "read back %u sectors at LBA %u: %s (first wrong sector %d)", r.count, r.lba,
                     text(error), static_cast<int32_t>(wrong));
    }
    int64_t wrong = -1;
    ipc::Error host = check_pattern(server, buffer, kHostLba, kHostCount, 0, 8, kSeedHost, wrong);
    rt_tap_check(host == ipc::Error::ok && wrong < 0,
                 "the host's %u sectors at LBA %u read as the host wrote them: %s (first wrong %d)",
                 kHostCount, kHostLba, text(host), static_cast<int32_t>(wrong));
    ipc::Error zeros = check_pattern(server, buffer, 3000, 64, 0, 64, 0, wrong);
    rt_tap_check(zeros == ipc::Error::ok && wrong < 0,
                 "sectors nobody wrote read as zeros: %s (first wrong %d)", text(zeros),
                 static_cast<int32_t>(wrong));

    // Throughput: 1 MiB read in whole-buffer requests.
    uint64_t t0 = rt_clock_us();
    uint32_t sectors = 0;
    ipc::Error bulk = ipc::Error::ok;
    for (uint32_t lba = 8192 - 2048; lba < 8192 && bulk == ipc::Error::ok;
         lba += ::ata::kBufferSectors, sectors += ::ata::kBufferSectors)
        bulk = client::read(server, lba, ::ata::kBufferSectors, 0, block_timeout());
    uint64_t t1 = rt_clock_us();
    uint32_t ms = static_cast<uint32_t>((t1 - t0) / 1000);
    rt_tap_check(bulk == ipc::Error::ok, "read %u sectors in %u-sector requests: %s", sectors,
                 ::ata::kBufferSectors, text(bulk));
    rt_tap_diag("PIO read: %u sectors in %u ms (%u sectors/s); the whole test's I/O %u ms", sectors,
                ms, ms != 0 ? sectors * 1000 / ms : 0, static_cast<uint32_t>((t1 - start) / 1000));

    ::ata::StatisticsReply after{};
    bool got_after = statistics(server, after);
    uint32_t transferred_read = after.sectors_read - before.sectors_read;
    uint32_t transferred_written = after.sectors_written - before.sectors_written;
    uint32_t interrupts = after.interrupts - before.interrupts;
    rt_tap_check(got_before && got_after && transferred_written == written &&
                     after.refused - before.refused == refused + 2 && after.io_errors == 0,
                 "the driver counted %u sectors written (%u expected), %u read, %u requests "
                 "refused, %u I/O errors",
                 transferred_written, written, transferred_read, after.refused - before.refused,
                 after.io_errors);
    // PIO: one interrupt per block of sectors (READ/WRITE MULTIPLE: the device's block, at
    // most a buffer; 1 without it), one per flush. Each request moved at most kBufferSectors.
    uint32_t block = after.block_sectors;
    uint32_t blocks = (transferred_read + transferred_written + block - 1) / (block ? block : 1);
    rt_tap_check(got_after && block >= 1 && block <= ::ata::kBufferSectors &&
                     (block & (block - 1)) == 0 && interrupts >= blocks + 1 && after.irq == 14 &&
                     after.port == 0x1f0,
                 "interrupt count: %u interrupts on IRQ %u for %u sectors in blocks of %u and a "
                 "flush (%u spurious)",
                 interrupts, after.irq, transferred_read + transferred_written, block,
                 after.spurious_interrupts);

    // Giving the buffer back: requests are refused again, and a new one can be had.
    ipc::Error released = client::release(server, block_timeout());
    ipc::Error after_release = client::read(server, 0, 1, 0, block_timeout());
    ipc::Error again = client::buffer(server, buffer, shared, block_timeout());
    ipc::Error works =
        again == ipc::Error::ok ? client::read(server, 0, 1, 0, block_timeout()) : again;
    rt_tap_check(released == ipc::Error::ok && after_release == ipc::Error::not_found &&
                     works == ipc::Error::ok && mismatch(buffer, 0, 1, kSeedGuest) < 0,
                 "released the buffer (%s), then refused (%s); a new buffer works (%s)",
                 text(released), text(after_release), text(works));
}

void ata_restart_mode(const char* rounds_text) {
    uint32_t rounds = 3;
    driver::parse_number(rounds_text, rounds);

    // The probe holds the secondary channel's grants and asks for the primary's.
    proc::SpawnReply probe{};
    proc::WaitReply probe_end{};
    ipc::Error probed = proc::client::spawn(g_transport, proc_thread(), "ata_probe", nullptr, probe,
                                            block_timeout());
    if (probed == ipc::Error::ok)
        probed = proc::client::wait(g_transport, proc_thread(), probe.pid, 0, probe_end,
                                    axo_timeout_us(30000000));
    rt_tap_check(probed == ipc::Error::ok && probe_end.reason == proc::kExitNormal &&
                     probe_end.status == 0,
                 "ata_probe got its own ports and IRQ and was refused the ATA driver's (status "
                 "%d: %s)",
                 probe_end.status, text(probed));

    proc::SpawnReply driver_child{};
    ipc::Error spawned = proc::client::spawn(g_transport, proc_thread(), "ata", nullptr,
                                             driver_child, block_timeout());
    axo_thread_id_t server = await_name("ata", 10000);
    rt_tap_check(spawned == ipc::Error::ok && server != AXO_NIL_THREAD,
                 "spawned the ATA driver (process %u), it registered: %s", driver_child.pid,
                 text(spawned));

    proc::SpawnReply user{};
    char arguments[16];
    rt_snprintf(arguments, sizeof arguments, "%u", rounds);
    ipc::Error client_spawned = proc::client::spawn(g_transport, proc_thread(), "ata_client",
                                                    arguments, user, block_timeout());
    rt_tap_check(client_spawned == ipc::Error::ok, "spawned ata_client: %s", text(client_spawned));

    proc::ProcessId pid = driver_child.pid;
    for (uint32_t round = 1; round <= rounds; ++round) {
        // Until the client works with this instance: it has written and read through it.
        ::ata::StatisticsReply stats{};
        bool busy = false;
        for (uint32_t i = 0; i < 4000 && !busy; ++i) {
            busy = statistics(server, stats) && stats.writes >= 2 && stats.reads >= 2;
            if (!busy) sleep_ms(5);
        }
        ipc::Error killed =
            proc::client::kill(g_transport, proc_thread(), pid, proc::kSignalTerm, block_timeout());
        proc::WaitReply ended{};
        ipc::Error waited =
            proc::client::wait(g_transport, proc_thread(), pid, 0, ended, axo_timeout_us(10000000));
        rt_tap_check(busy && killed == ipc::Error::ok && waited == ipc::Error::ok &&
                         ended.reason == proc::kExitKilled,
                     "round %u: killed ata (process %u) while the client used it (%u writes, %u "
                     "reads, %u interrupts so far): %s, %s",
                     round, pid, stats.writes, stats.reads, stats.interrupts, text(killed),
                     text(waited));
        axo_thread_id_t dead = server;
        server = await_name("ata", 10000, dead);
        proc::DeviceStatusReply status{};
        ipc::Error asked = driver::status("ata", status);
        rt_tap_check(server != AXO_NIL_THREAD && asked == ipc::Error::ok &&
                         status.instance != proc::kNoProcess && status.instance != pid &&
                         status.holder == status.instance && status.restarts == round &&
                         status.irqs_attached == 1,
                     "round %u: proc restarted ata as process %u (restarts %u), which holds the "
                     "grants again with its IRQ attached and serves under its name",
                     round, status.instance, status.restarts);
        pid = status.instance;
    }

    proc::WaitReply ended{};
    ipc::Error waited = proc::client::wait(g_transport, proc_thread(), user.pid, 0, ended,
                                           axo_timeout_us(120000000));
    rt_tap_check(waited == ipc::Error::ok && ended.reason == proc::kExitNormal && ended.status == 0,
                 "ata_client: each request cut off by a kill ended with an error, not a hang, "
                 "and its next requests to the restarted driver succeeded (status %d: %s)",
                 ended.status, text(waited));
    ::ata::StatisticsReply stats{};
    bool got = statistics(server, stats);
    rt_tap_check(got && stats.restarts == rounds && stats.interrupts > 0 && stats.writes > 0 &&
                     stats.io_errors == 0,
                 "the last instance knows it is restart %u: %u interrupts, %u writes, %u reads, "
                 "no I/O error",
                 stats.restarts, stats.interrupts, stats.writes, stats.reads);
}

} // namespace test
