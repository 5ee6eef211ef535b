// console_client KEYS: a client of the VGA console driver "vga" that the restart test
// (console_test restart) kills the driver under. Each round it blocks in a read (nobody types)
// until the driver is killed: the call ends with an error, never a hang. It then looks the
// name up again until the restarted driver has registered, and its next read must bring the
// round's key (KEYS[round - 1], typed by the host through the QEMU monitor after the restart);
// it writes what it got on the screen. Exits 0 after strlen(KEYS) rounds; otherwise the status
// says which step failed (10 * round + step).
#include "common.h"
#include "interfaces/console/client.h"

namespace {

constexpr uint32_t kBlockedReadUs = 30000000; // the test driver kills within this
constexpr uint32_t kKeyUs = 60000000;         // the host types within this
constexpr uint32_t kCallTimeoutUs = 5000000;

[[noreturn]] void fail(uint32_t round, uint32_t step, const char* what, ipc::Error error) {
    rt_printf("console_client: round %u: %s: %s\n", round, what, ipc::error_name(error));
    driver::exit(static_cast<int32_t>(10 * round + step));
}

} // namespace

int main() {
    loader::StartArguments args = driver::arguments();
    const char* keys = args.argc > 1 ? args.argv[1] : "";
    uint32_t rounds = static_cast<uint32_t>(strlen(keys));
    axo_thread_id_t server = test::await_name("vga", 5000);
    if (server == AXO_NIL_THREAD) fail(0, 1, "no console driver", ipc::Error::no_such_name);

    for (uint32_t round = 1; round <= rounds; ++round) {
        uint8_t key = 0;
        uint32_t count = 0;
        uint64_t start = rt_clock_us();
        ipc::Error error =
            console::client::read(server, &key, 1, true, count, axo_timeout_us(kBlockedReadUs));
        uint32_t waited_ms = static_cast<uint32_t>((rt_clock_us() - start) / 1000);
        if (error == ipc::Error::ok || error == ipc::Error::timed_out)
            fail(round, 2, "the blocked read was not ended by the driver's death", error);
        rt_printf("console_client: round %u: the blocked read ended after %u ms: %s\n", round,
                  waited_ms, ipc::error_name(error));

        axo_thread_id_t dead = server;
        server = test::await_name("vga", 10000, dead);
        if (server == AXO_NIL_THREAD)
            fail(round, 3, "the driver came back", ipc::Error::no_such_name);

        error = console::client::read(server, &key, 1, true, count, axo_timeout_us(kKeyUs));
        if (error != ipc::Error::ok || count != 1)
            fail(round, 4, "the first read from the new driver", error);
        if (key != static_cast<uint8_t>(keys[round - 1]))
            fail(round, 5, "a key other than the one typed", ipc::Error::io_error);
        char line[48];
        uint32_t length = static_cast<uint32_t>(
            rt_snprintf(line, sizeof line, "console_client: round %u: got '%c'\n", round, key));
        error = console::client::write_all(server, reinterpret_cast<const uint8_t*>(line), length,
                                           axo_timeout_us(kCallTimeoutUs));
        if (error != ipc::Error::ok) fail(round, 6, "writing to the new driver", error);
        rt_printf("console_client: round %u: the restarted driver brought '%c'\n", round, key);
    }
    rt_printf("console_client: %u rounds, each read after a restart got its key\n", rounds);
    driver::exit(0);
}
