// ata_stranger: an ordinary process against a disk that was given to fs (test
// ata-stranger-write-refused, tests/system/drivers.cmake). The ATA driver's line says
// `client=fs`; this program is no boot instance of fs. Once fs serves (its root mounted from the
// disk, so fs got its buffer), it asks the driver for a buffer and to write the boot block and
// the superblock (sectors 0..3): every request is refused with no_permission and nothing reaches
// the disk (the host checks the image afterwards: sectors 0..3 as mke2fs left them, e2fsck -fn
// clean). Anyone may still read the disk's information and counters. If the driver does hand
// it a buffer, it writes garbage over those sectors and flushes, so the host sees the damage.
#include "rt/rt.h"
#include "rt/tap.h"

#include "ata_common.h"

namespace {

alignas(ata::kBufferBytes) uint8_t g_area[2 * ata::kBufferBytes];

bool refused(const char* what, ipc::Error error) {
    rt_tap_check(error == ipc::Error::no_permission, "%s is refused: %s", what, test::text(error));
    return error == ipc::Error::no_permission;
}

} // namespace

int main() {
    rt_tap_begin();
    axo_thread_id_t fs = test::await_name("fs", 20000);
    axo_thread_id_t server = test::await_name("ata", 20000);
    rt_tap_check(fs != AXO_NIL_THREAD && server != AXO_NIL_THREAD,
                 "fs serves and the ATA driver registered \"ata\"");
    axo_timeout_t timeout = test::call_timeout();

    ata::InfoReply info{};
    ipc::Error error = ata::client::info(server, info, timeout);
    rt_tap_check(error == ipc::Error::ok && info.sectors_low > 8,
                 "anyone may read the disk's information: %s, %u sectors", test::text(error),
                 info.sectors_low);

    uint8_t* window = ata::client::aligned_window(g_area);
    ata::BufferReply buffer{};
    bool safe = refused("a buffer for a process that is not the disk's client",
                        ata::client::buffer(server, window, buffer, timeout));
    if (!safe) {
        // The hole this test pins: the stranger would own sectors fs relies on.
        memset(window, 0xA5, 4 * ata::kSectorBytes);
        error = ata::client::write(server, 0, 4, 0, timeout);
        ipc::Error flushed = ata::client::flush(server, timeout);
        rt_printf("ata_stranger: wrote garbage over sectors 0..3: %s, flush %s\n",
                  test::text(error), test::text(flushed));
    }
    safe = refused("writing sector 0", ata::client::write(server, 0, 1, 0, timeout)) && safe;
    safe = refused("writing the superblock (sectors 2..3)",
                   ata::client::write(server, 2, 2, 0, timeout)) &&
           safe;
    safe = refused("reading sector 0", ata::client::read(server, 0, 1, 0, timeout)) && safe;

    ata::StatisticsReply stats{};
    error = ata::client::statistics(server, stats, timeout);
    rt_tap_check(error == ipc::Error::ok && stats.refused >= 4,
                 "the driver answers its counters and counted the refusals: %s, %u refused",
                 test::text(error), stats.refused);
    rt_printf("ata_stranger: %s\n", safe ? "every request on the disk refused" : "FAILED");
    rt_tap_end();
    driver::exit(rt_tap_failures() == 0 ? 0 : 1);
}
