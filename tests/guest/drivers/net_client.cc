// net_client MODE DRIVER [N]: a client of the e1000 driver (interfaces/nic/protocol.h),
// spawned by drivers_test (net_modes.cc). Exits 0 if everything it checked held; prints TAP
// diagnostics (as plain lines) about what it saw.
//
//   arp NAME [N]      ARP request for 10.0.2.2 from 10.0.2.15 through the driver NAME on QEMU's
//                     user network; QEMU's reply must name 52:55:0a:00:02:02 (up to 5 tries);
//                     with N, then N sends of 60 and of 1514 bytes, timed (TSC ticks per send)
//   echo NAME N       with tests/system/net_peer.py on a socket netdev: sends a ready frame,
//                     echoes N frames from the host (MACs swapped, payload XOR 0xA5), then
//                     sends N pattern frames (net_common.h); the host checks every byte
//   restart NAME R    an ARP exchange, then R times: waits in a receive until the driver is killed
//   under it (the
//                     call must end in an error, not hang), looks the name up again, attaches
//                     again and does the ARP exchange through the restarted driver
#include "common.h"
#include "interfaces/nic/client.h"
#include "net_common.h"

namespace {

constexpr uint32_t kArea = driver::kDeviceArea; // where the driver maps our area
constexpr uint32_t kTx = 0, kRx = 4096;         // offsets in it

uint8_t* area() {
    return reinterpret_cast<uint8_t*>(kArea);
}
axo_timeout_t timeout_ms(uint32_t ms) {
    return axo_timeout_us(ms * 1000);
}
const char* text(ipc::Error error) {
    return ipc::error_name(error);
}

struct Link {
    const char* name;
    axo_thread_id_t server = AXO_NIL_THREAD;
    e1000::AttachReply info{};

    ipc::Error connect(axo_thread_id_t not_this = AXO_NIL_THREAD) {
        server = test::await_name(name, 10000, not_this);
        if (server == AXO_NIL_THREAD) return ipc::Error::no_such_name;
        return e1000::client::attach(server, kArea, info, timeout_ms(5000));
    }
};

void put16(uint8_t* p, uint16_t v) {
    p[0] = static_cast<uint8_t>(v >> 8);
    p[1] = static_cast<uint8_t>(v);
}

// One ARP request, then frames until the reply (or `tries` rounds of 1 s).
bool arp(Link& link, uint32_t tries) {
    uint8_t* f = area() + kTx;
    for (uint32_t attempt = 0; attempt < tries; ++attempt) {
        memset(f, 0xFF, 6);
        memcpy(f + 6, link.info.mac, 6);
        put16(f + 12, 0x0806);
        put16(f + 14, 1);      // Ethernet
        put16(f + 16, 0x0800); // IPv4
        f[18] = 6;
        f[19] = 4;
        put16(f + 20, 1); // request
        memcpy(f + 22, link.info.mac, 6);
        memcpy(f + 28, nettest::kGuestIp, 4);
        memset(f + 32, 0, 6);
        memcpy(f + 38, nettest::kGatewayIp, 4);
        ipc::Error sent = e1000::client::send(link.server, kTx, 42, timeout_ms(5000));
        if (sent != ipc::Error::ok) {
            rt_printf("net_client: ARP request not sent: %s\n", text(sent));
            return false;
        }
        uint64_t end = rt_clock_us() + 1000000;
        while (rt_clock_us() < end) {
            uint32_t length = 0;
            ipc::Error got =
                e1000::client::receive(link.server, kRx, true, length, timeout_ms(1000));
            if (got == ipc::Error::timed_out) break;
            if (got != ipc::Error::ok) {
                rt_printf("net_client: receive: %s\n", text(got));
                return false;
            }
            const uint8_t* r = area() + kRx;
            if (length >= 42 && r[12] == 0x08 && r[13] == 0x06 && r[20] == 0 && r[21] == 2 &&
                memcmp(r + 28, nettest::kGatewayIp, 4) == 0) {
                bool ok = memcmp(r + 22, nettest::kGatewayMac, 6) == 0 &&
                          memcmp(r + 6, nettest::kGatewayMac, 6) == 0 &&
                          memcmp(r, link.info.mac, 6) == 0 &&
                          memcmp(r + 38, nettest::kGuestIp, 4) == 0;
                rt_printf("net_client: ARP reply (%u bytes): 10.0.2.2 is at "
                          "%02x:%02x:%02x:%02x:%02x:%02x%s\n",
                          length, r[22], r[23], r[24], r[25], r[26], r[27],
                          ok ? "" : " (unexpected)");
                return ok;
            }
        }
    }
    rt_printf("net_client: no ARP reply after %u requests\n", tries);
    return false;
}

inline uint64_t rdtsc() {
    uint32_t low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return uint64_t{high} << 32 | low;
}

// `count` broadcast frames of `length` bytes of the test type (ignored by QEMU's user network):
// the time stamp counter per send — guest instructions per frame under `qemu_run.py --icount`
// (client, IPC, the driver's copy and the device's doorbell; QEMU transmits at the doorbell).
void measure_sends(Link& link, uint32_t count, uint32_t length) {
    uint8_t* f = area() + kTx;
    memset(f, 0xFF, 6);
    memcpy(f + 6, link.info.mac, 6);
    put16(f + 12, nettest::kTestType);
    memset(f + 14, 0x5A, length - 14);
    uint32_t sent = 0;
    uint64_t start = rdtsc();
    for (uint32_t i = 0; i < count; ++i)
        if (e1000::client::send(link.server, kTx, length, timeout_ms(5000)) == ipc::Error::ok)
            ++sent;
    uint64_t ticks = rdtsc() - start;
    rt_printf("net_client: %u of %u sends of %u bytes, %u TSC ticks per send\n", sent, count,
              length, static_cast<uint32_t>(ticks / (count ? count : 1)));
}

bool send_frame(Link& link, uint32_t length) {
    for (uint32_t i = 0; i < 1000; ++i) {
        ipc::Error error = e1000::client::send(link.server, kTx, length, timeout_ms(5000));
        if (error == ipc::Error::ok) return true;
        if (error != ipc::Error::busy) {
            rt_printf("net_client: send: %s\n", text(error));
            return false;
        }
        test::sleep_ms(1);
    }
    return false;
}

bool echo(Link& link, uint32_t count) {
    uint8_t* f = area() + kTx;
    memcpy(f, nettest::kHostMac, 6);
    memcpy(f + 6, link.info.mac, 6);
    put16(f + 12, nettest::kTestType);
    memset(f + 14, 0, 46);
    memcpy(f + 14, nettest::kReady, sizeof nettest::kReady - 1);
    if (!send_frame(link, 60)) return false;
    const uint8_t* r = area() + kRx;
    for (uint32_t n = 0; n < count;) {
        uint32_t length = 0;
        ipc::Error got = e1000::client::receive(link.server, kRx, true, length, timeout_ms(30000));
        if (got != ipc::Error::ok) {
            rt_printf("net_client: echo: receive %u: %s\n", n, text(got));
            return false;
        }
        if (length < 14 || r[12] != 0x88 || r[13] != 0xB5) continue; // not ours
        memcpy(f, r + 6, 6);
        memcpy(f + 6, link.info.mac, 6);
        put16(f + 12, nettest::kTestType);
        for (uint32_t k = 14; k < length; ++k)
            f[k] = r[k] ^ nettest::kEchoXor;
        if (!send_frame(link, length)) return false;
        ++n;
    }
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t length = nettest::pattern_length(i);
        memcpy(f, nettest::kHostMac, 6);
        memcpy(f + 6, link.info.mac, 6);
        put16(f + 12, nettest::kTestType);
        for (uint32_t k = 14; k < length; ++k)
            f[k] = nettest::pattern_byte(i, k);
        if (!send_frame(link, length)) return false;
    }
    rt_printf("net_client: echoed %u frames and sent %u pattern frames\n", count, count);
    return true;
}

bool restart(Link& link, uint32_t rounds) {
    // Each instance answers one ARP exchange before the test kills it under the receive that
    // follows (drivers_test waits for a received frame and a waiting receiver).
    if (!arp(link, 5)) return false;
    for (uint32_t round = 1; round <= rounds; ++round) {
        uint32_t length = 0;
        uint64_t start = rt_clock_us();
        ipc::Error got = e1000::client::receive(link.server, kRx, true, length, timeout_ms(60000));
        uint32_t waited_ms = static_cast<uint32_t>((rt_clock_us() - start) / 1000);
        if (got == ipc::Error::ok || got == ipc::Error::timed_out) {
            rt_printf("net_client: round %u: the receive ended with %s after %u ms, not the "
                      "driver's end\n",
                      round, text(got), waited_ms);
            return false;
        }
        rt_printf("net_client: round %u: the blocked receive ended: %s after %u ms\n", round,
                  text(got), waited_ms);
        axo_thread_id_t dead = link.server;
        ipc::Error attached = link.connect(dead);
        if (attached != ipc::Error::ok) {
            rt_printf("net_client: round %u: attaching again: %s\n", round, text(attached));
            return false;
        }
        if (!arp(link, 5)) return false;
    }
    return true;
}

} // namespace

int main() {
    loader::StartArguments args = driver::arguments();
    if (args.argc < 3) {
        rt_printf("net_client: usage: net_client arp|echo|restart DRIVER [N]\n");
        driver::exit(2);
    }
    const char* mode = args.argv[1];
    uint32_t n = 1;
    if (args.argc > 3) driver::parse_number(args.argv[3], n);
    Link link{args.argv[2]};
    ipc::Error attached = link.connect();
    if (attached != ipc::Error::ok) {
        rt_printf("net_client: attaching to %s: %s\n", link.name, text(attached));
        driver::exit(3);
    }
    bool ok = false;
    if (strcmp(mode, "arp") == 0) {
        ok = arp(link, 5);
        if (ok && args.argc > 3) {
            measure_sends(link, n, 60);
            measure_sends(link, n, e1000::kMaxFrame);
        }
    } else if (strcmp(mode, "echo") == 0)
        ok = echo(link, n);
    else if (strcmp(mode, "restart") == 0)
        ok = restart(link, n);
    ipc::Error detached = e1000::client::detach(link.server, timeout_ms(5000));
    if (detached != ipc::Error::ok) {
        rt_printf("net_client: detach: %s\n", text(detached));
        ok = false;
    }
    driver::exit(ok ? 0 : 1);
}
