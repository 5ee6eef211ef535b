// serial_client ROUNDS [NAME]: a client of the serial driver NAME (default com2, in loopback)
// that the driver-restart test kills the driver under. Each round it blocks in a read (nothing
// is sent, so the read waits in the driver) until the test driver kills the driver: the call
// ends with an error, never a hang. It then looks the name up again until the restarted driver
// has registered, and its next requests must succeed at once: a write of a line, and reading
// the same line back through the UART's loopback. Exits 0 after ROUNDS rounds; otherwise the
// status says which step failed (10 * round + step).
//
// serial_client stranger NAME: a process the driver's line does not name (client=): its write,
// read and flush are refused with no_permission, and the driver still answers its counters.
// Exits 0 if so; otherwise 1 + the step that was not refused.
#include "common.h"

namespace {

constexpr uint32_t kBlockedReadUs = 20000000; // the test driver kills within this
constexpr uint32_t kCallTimeoutUs = 5000000;

[[noreturn]] void fail(uint32_t round, uint32_t step, const char* what, ipc::Error error) {
    rt_printf("serial_client: round %u: %s: %s\n", round, what, ipc::error_name(error));
    driver::exit(static_cast<int32_t>(10 * round + step));
}

} // namespace

int stranger(const char* name) {
    axo_thread_id_t server = test::await_name(name, 5000);
    if (server == AXO_NIL_THREAD) return 1;
    axo_timeout_t timeout = axo_timeout_us(kCallTimeoutUs);
    uint8_t byte = 'x';
    uint32_t count = 0;
    ipc::Error wrote = serial::client::write(server, &byte, 1, count, timeout);
    ipc::Error read = serial::client::read(server, &byte, 1, false, count, timeout);
    ipc::Error flushed = serial::client::flush(server, timeout);
    serial::StatisticsReply stats{};
    ipc::Error counted = serial::client::statistics(server, stats, timeout);
    rt_printf("serial_client: a stranger to %s: write %s, read %s, flush %s, counters %s\n", name,
              ipc::error_name(wrote), ipc::error_name(read), ipc::error_name(flushed),
              ipc::error_name(counted));
    if (wrote != ipc::Error::no_permission) return 2;
    if (read != ipc::Error::no_permission) return 3;
    if (flushed != ipc::Error::no_permission) return 4;
    return counted == ipc::Error::ok ? 0 : 5;
}

int main() {
    loader::StartArguments args = driver::arguments();
    if (args.argc > 1 && strcmp(args.argv[1], "stranger") == 0)
        driver::exit(stranger(args.argc > 2 ? args.argv[2] : "com2"));
    uint32_t rounds = 1;
    if (args.argc > 1) driver::parse_number(args.argv[1], rounds);
    const char* name = args.argc > 2 ? args.argv[2] : "com2";
    axo_thread_id_t server = test::await_name(name, 5000);
    if (server == AXO_NIL_THREAD) fail(0, 1, "no serial driver", ipc::Error::no_such_name);

    for (uint32_t round = 1; round <= rounds; ++round) {
        uint8_t buffer[64];
        uint32_t count = 0;
        uint64_t start = rt_clock_us();
        ipc::Error error = serial::client::read(server, buffer, sizeof buffer, true, count,
                                                axo_timeout_us(kBlockedReadUs));
        uint32_t waited_ms = static_cast<uint32_t>((rt_clock_us() - start) / 1000);
        if (error == ipc::Error::ok || error == ipc::Error::timed_out)
            fail(round, 2, "the blocked read was not ended by the driver's death", error);
        rt_printf("serial_client: round %u: the blocked read ended after %u ms: %s\n", round,
                  waited_ms, ipc::error_name(error));

        axo_thread_id_t dead = server;
        server = test::await_name(name, 10000, dead);
        if (server == AXO_NIL_THREAD)
            fail(round, 3, "the driver came back", ipc::Error::no_such_name);

        char line[16];
        uint32_t length =
            static_cast<uint32_t>(rt_snprintf(line, sizeof line, "round %u\n", round));
        error = serial::client::write_all(server, reinterpret_cast<const uint8_t*>(line), length,
                                          axo_timeout_us(kCallTimeoutUs));
        if (error != ipc::Error::ok) fail(round, 4, "the first write to the new driver", error);
        uint32_t got = 0;
        while (got < length) {
            error = serial::client::read(server, buffer + got, length - got, true, count,
                                         axo_timeout_us(kCallTimeoutUs));
            if (error != ipc::Error::ok) fail(round, 5, "reading the line back", error);
            got += count;
        }
        if (memcmp(buffer, line, length) != 0)
            fail(round, 6, "the line came back changed", ipc::Error::io_error);
    }
    rt_printf("serial_client: %u rounds, each request after a restart succeeded\n", rounds);
    driver::exit(0);
}
