// serial_echo [bytes=N] [port=NAME]: the guest end of the driver-serial test. Through the
// serial driver NAME (default com2) it announces itself to the host (kReadyMarker), echoes
// N bytes (default 65536) with each byte XORed with kEchoXor, then sends N bytes of
// test::pattern_byte, waits until they have left the UART and exits 0. Any failure: a
// message and a non-zero status (the test driver checks it).
#include "common.h"

namespace {

constexpr uint32_t kCallTimeoutUs = 60000000; // one read may wait for the host for a minute

[[noreturn]] void fail(int status, const char* what, ipc::Error error) {
    rt_printf("serial_echo: %s: %s\n", what, ipc::error_name(error));
    driver::exit(status);
}

} // namespace

int main() {
    uint32_t total = 65536;
    if (const char* value = driver::argument_value("bytes"); value != nullptr)
        driver::parse_number(value, total);
    const char* name = driver::argument_value("port");
    if (name == nullptr) name = "com2";
    axo_thread_id_t server = test::await_name(name, 5000);
    if (server == AXO_NIL_THREAD) fail(2, "no serial driver", ipc::Error::no_such_name);
    axo_timeout_t timeout = axo_timeout_us(kCallTimeoutUs);

    const uint8_t* marker = reinterpret_cast<const uint8_t*>(test::kReadyMarker);
    if (ipc::Error error =
            serial::client::write_all(server, marker, sizeof test::kReadyMarker - 1, timeout);
        error != ipc::Error::ok)
        fail(3, "writing the marker", error);

    uint64_t start = rt_clock_us();
    static uint8_t chunk[serial::kChunkBytes];
    for (uint32_t done = 0; done < total;) {
        uint32_t count = 0;
        uint32_t want = total - done < serial::kChunkBytes ? total - done : serial::kChunkBytes;
        if (ipc::Error error = serial::client::read(server, chunk, want, true, count, timeout);
            error != ipc::Error::ok)
            fail(4, "reading", error);
        for (uint32_t i = 0; i < count; ++i)
            chunk[i] ^= test::kEchoXor;
        if (ipc::Error error = serial::client::write_all(server, chunk, count, timeout);
            error != ipc::Error::ok)
            fail(5, "echoing", error);
        done += count;
    }
    uint64_t echoed = rt_clock_us();
    for (uint32_t done = 0; done < total;) {
        uint32_t n = total - done < serial::kChunkBytes ? total - done : serial::kChunkBytes;
        for (uint32_t i = 0; i < n; ++i)
            chunk[i] = test::pattern_byte(done + i);
        if (ipc::Error error = serial::client::write_all(server, chunk, n, timeout);
            error != ipc::Error::ok)
            fail(6, "sending the pattern", error);
        done += n;
    }
    if (ipc::Error error = serial::client::flush(server, timeout); error != ipc::Error::ok)
        fail(7, "flushing", error);
    uint64_t end = rt_clock_us();
    rt_printf("serial_echo: echoed %u bytes in %u ms, sent %u in %u ms\n", total,
              static_cast<uint32_t>((echoed - start) / 1000), total,
              static_cast<uint32_t>((end - echoed) / 1000));
    driver::exit(0);
}
