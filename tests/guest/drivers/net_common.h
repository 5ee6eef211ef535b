// What the network driver tests share (net_client.cc, net_modes.cc, tests/system/net_peer.py):
// frame shapes and the test patterns. Frames with the local experimental EtherType 0x88B5.
#pragma once

#include <stdint.h>

namespace nettest {

constexpr uint16_t kTestType = 0x88B5;
constexpr uint8_t kHostMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01}; // net_peer.py's
constexpr char kReady[] = "AXO-NET-READY";
constexpr uint8_t kEchoXor = 0xA5;
// QEMU slirp's gateway (10.0.2.2) answers ARP with this MAC.
constexpr uint8_t kGatewayMac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
constexpr uint8_t kGuestIp[4] = {10, 0, 2, 15};
constexpr uint8_t kGatewayIp[4] = {10, 0, 2, 2};

// Guest -> host frame i: its length and payload byte k (k >= 14).
inline uint32_t pattern_length(uint32_t i) {
    return 60 + (i * 131u) % 1455u;
}
inline uint8_t pattern_byte(uint32_t i, uint32_t k) {
    return static_cast<uint8_t>((i * 7u + k * 3u + 0x31u) & 0xFFu);
}

} // namespace nettest
