// ata_client ROUNDS: the ATA driver's client in driver-restart-ata (README.md). It writes the
// pattern (seed kSeedRestart) to sectors kRestartLba.. in whole-buffer requests and reads each
// back, over and over, while drivers_test kills the driver ROUNDS times. A request cut off by
// a kill must end with an error (server_gone; timed_out would be a hang cut short), never
// hang; then it looks the name up again, asks for a buffer again, and its next requests must
// succeed. It ends when it has come back ROUNDS times and done a few rounds with the last
// instance. Exit status: 0 ok; 1 a request failed otherwise; 2 the driver never came back;
// 3 data read back differs from what was written (with the driver alive).
#include "rt/rt.h"

#include "ata_common.h"

namespace {

using namespace test::ata_disk;
namespace client = ::ata::client;

alignas(4096) uint8_t g_area[2 * ::ata::kBufferBytes];

axo_timeout_t call_timeout() {
    return axo_timeout_us(10000000);
}

bool gone(ipc::Error error) {
    return error == ipc::Error::server_gone;
}

int run() {
    loader::StartArguments args = driver::arguments();
    uint32_t rounds = 3;
    if (args.argc > 1) driver::parse_number(args.argv[1], rounds);
    uint8_t* buffer = client::aligned_window(g_area);
    constexpr uint32_t kPer = ::ata::kBufferSectors;

    axo_thread_id_t server = test::await_name("ata", 10000);
    uint32_t comebacks = 0, after_last = 0, cycles = 0;
    bool need_buffer = true, fresh = false;
    while (server != AXO_NIL_THREAD) {
        ipc::Error error = ipc::Error::ok;
        if (need_buffer) {
            ::ata::BufferReply reply{};
            error = client::buffer(server, buffer, reply, call_timeout());
            if (error == ipc::Error::ok) need_buffer = false;
        }
        uint32_t lba = kRestartLba + (cycles % (kRestartCount / kPer)) * kPer;
        if (error == ipc::Error::ok) {
            fill(buffer, lba, kPer, kSeedRestart);
            error = client::write(server, lba, kPer, 0, call_timeout());
        }
        if (error == ipc::Error::ok) {
            memset(buffer, 0xEE, kPer * ::ata::kSectorBytes);
            error = client::read(server, lba, kPer, 0, call_timeout());
        }
        if (error == ipc::Error::ok && mismatch(buffer, lba, kPer, kSeedRestart) >= 0) {
            // Killed after the read's reply and before the compare: the buffer's pages are our
            // own again, not the data. Only a living driver makes this a failure.
            ::ata::StatisticsReply stats{};
            error = client::statistics(server, stats, call_timeout());
            if (error == ipc::Error::ok) {
                rt_printf("ata_client: sectors at LBA %u read back wrong\n", lba);
                return 3;
            }
        }
        if (gone(error)) {
            // The driver was killed: an error, not a hang. Find the next instance.
            axo_thread_id_t dead = server;
            server = test::await_name("ata", 20000, dead);
            if (server == AXO_NIL_THREAD) {
                rt_printf("ata_client: the driver did not come back\n");
                return 2;
            }
            ++comebacks;
            after_last = 0;
            need_buffer = true;
            fresh = true;
            continue;
        }
        if (error != ipc::Error::ok) {
            rt_printf("ata_client: %s at LBA %u%s\n", ipc::error_name(error), lba,
                      fresh ? " (the first request after a restart)" : "");
            return 1;
        }
        if (fresh) {
            rt_printf("ata_client: restart %u: buffer, write and read succeeded\n", comebacks);
            fresh = false;
        }
        ++cycles;
        if (comebacks >= rounds && ++after_last >= 4) break;
        if (cycles > 100000) {
            rt_printf("ata_client: the driver was not killed %u times\n", rounds);
            return 1;
        }
    }
    if (server == AXO_NIL_THREAD) return 2;
    (void)client::release(server, call_timeout());
    rt_printf("ata_client: %u cycles, came back %u times\n", cycles, comebacks);
    return 0;
}

} // namespace

int main() {
    driver::exit(run());
}
