// Decoding of the ABI's 16-bit timeouts (see axolotl/abi.h): never = 0, zero = 0x0400,
// otherwise m * 2^e microseconds with e = bits 15..10, m = bits 9..0.
//
// What the kernel refuses (kind invalid; the IPC fails with AXO_IPC_INVALID):
//   - m == 0 with e != 1 (e.g. 0x0800): "zero" has exactly one spelling, 0x0400;
//   - e > kMaxTimeoutExponent (40): 1023 * 2^40 µs is already ~35 years; larger exponents
//     (up to 63) would overflow 64-bit deadline arithmetic and mean nothing useful.
// e == 0 is valid: m microseconds (1..1023).
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"

namespace axo {

enum class TimeoutKind : uint8_t { never, zero, relative, invalid };

struct DecodedTimeout {
    TimeoutKind kind;
    uint64_t microseconds; // 0 unless kind == relative
};

constexpr unsigned kTimeoutExponentShift = 10;
constexpr uint16_t kTimeoutMantissaMask = 0x3FF;
constexpr unsigned kMaxTimeoutExponent = 40;

constexpr DecodedTimeout decode_timeout(uint16_t raw) {
    if (raw == AXO_TIMEOUT_NEVER) return {TimeoutKind::never, 0};
    if (raw == AXO_TIMEOUT_ZERO) return {TimeoutKind::zero, 0};
    unsigned exponent = raw >> kTimeoutExponentShift;
    uint64_t mantissa = raw & kTimeoutMantissaMask;
    if (mantissa == 0 || exponent > kMaxTimeoutExponent) return {TimeoutKind::invalid, 0};
    return {TimeoutKind::relative, mantissa << exponent};
}

// The IPC timeouts word is (send << 16) | receive.
constexpr uint16_t send_timeout(uint32_t word) {
    return static_cast<uint16_t>(word >> 16);
}
constexpr uint16_t receive_timeout(uint32_t word) {
    return static_cast<uint16_t>(word & 0xFFFF);
}

// Absolute deadline for a relative timeout, saturating at UINT64_MAX instead of wrapping.
constexpr uint64_t timeout_deadline(uint64_t now, uint64_t microseconds) {
    return microseconds > UINT64_MAX - now ? UINT64_MAX : now + microseconds;
}

static_assert(decode_timeout(0).kind == TimeoutKind::never);
static_assert(decode_timeout(0x0400).kind == TimeoutKind::zero);
static_assert(decode_timeout(0x0800).kind == TimeoutKind::invalid);
static_assert(decode_timeout(5).kind == TimeoutKind::relative &&
              decode_timeout(5).microseconds == 5);
static_assert(decode_timeout((3u << 10) | 1000).microseconds == 8000);
static_assert(decode_timeout((40u << 10) | 1023).microseconds == (1023ull << 40));
static_assert(decode_timeout((41u << 10) | 1).kind == TimeoutKind::invalid);
static_assert(send_timeout(0x12345678) == 0x1234 && receive_timeout(0x12345678) == 0x5678);
static_assert(timeout_deadline(UINT64_MAX - 1, 5) == UINT64_MAX);

} // namespace axo
