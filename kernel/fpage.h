// Flexpages (abi.h): decoding, validation, and where the pages of a map item land in a
// receive window. Pure functions: unit-tested on the host.
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"

namespace axo {

struct Fpage {
    uint32_t base = 0;  // address (memory) or first port (I/O)
    uint32_t log2 = 0;  // size = 2^log2 bytes or ports
    uint8_t rights = 0; // AXO_FPAGE_R/W/X as given (I/O: all)
    bool io = false;
    bool nil = true;

    constexpr uint64_t size() const { return uint64_t{1} << log2; }
    constexpr bool complete() const { return !io && log2 == 32; }
};

constexpr uint32_t kUserAddressLimit = 0xC000'0000;
constexpr uint32_t kPortCount = 65536;
// Nothing is ever mapped below this address (page 0 and the first 64 KiB): a null pointer
// (plus any offset a structure can have) always faults, and no descriptor base or LDT can
// be aimed at user data there.
constexpr uint32_t kLowestMappable = AXO_LOWEST_MAPPABLE;

// nullopt-like: returns false for a malformed fpage (misaligned base, size out of range).
constexpr bool decode_fpage(axo_fpage_t raw, Fpage& out) {
    out = Fpage{};
    if (raw == AXO_FPAGE_NIL) return true;
    out.nil = false;
    out.io = axo_fpage_is_io(raw);
    out.log2 = axo_fpage_log2(raw);
    out.base = axo_fpage_base(raw);
    out.rights = out.io ? AXO_FPAGE_RWX : static_cast<uint8_t>(axo_fpage_rights(raw));
    // 32-bit arithmetic (every IPC with items and every unmap decodes fpages; 64-bit shifts
    // and remainders cost tens of instructions on the i586): sizes below 2^32 here.
    if (out.io) {
        if ((raw & 0xFC07u) != 0) return false; // bits that must be zero in an I/O fpage
        if (out.log2 > 16) return false;
        uint32_t size = 1u << out.log2;
        return (out.base & (size - 1)) == 0 && out.base <= kPortCount - size;
    }
    if (raw & 0xC00u) return false;
    if (out.log2 < 12 || out.log2 > 32) return false;
    if (out.log2 == 32) return out.base == 0;
    return (out.base & ((1u << out.log2) - 1)) == 0;
}

// Where a map item's pages go: `size` bytes (or ports) from `source` in the sender land at
// `destination` in the receiver. L4 X.2's rule: a window larger than the fpage takes it at
// window base + (hotspot mod window size), rounded down to the fpage size; a smaller window
// takes the window-sized part of the fpage that contains the hotspot.
struct Placement {
    uint64_t source;
    uint64_t destination;
    uint64_t size;
};

constexpr bool place(const Fpage& send, uint32_t hotspot, const Fpage& window, Placement& out) {
    if (send.nil || window.nil) return false;
    if (send.io) {
        // I/O ports land at the same port numbers; the window only filters.
        if (!window.complete() && !window.io) return false;
        uint64_t lo = send.base, hi = send.base + send.size();
        if (window.io) {
            lo = lo > window.base ? lo : window.base;
            uint64_t window_end = window.base + window.size();
            hi = hi < window_end ? hi : window_end;
        }
        if (lo >= hi) return false;
        out = Placement{lo, lo, hi - lo};
        return true;
    }
    if (window.io) return false;
    // The offsets in 32 bits: hotspot mod 2^n is hotspot & mask(n) for every n up to 32.
    auto mask = [](uint32_t log2) { return log2 >= 32 ? ~0u : (1u << log2) - 1; };
    if (window.log2 >= send.log2) {
        uint32_t offset = hotspot & mask(window.log2) & ~mask(send.log2);
        out = Placement{send.base, uint64_t{window.base} + offset, send.size()};
    } else {
        uint32_t offset = hotspot & mask(send.log2) & ~mask(window.log2);
        out = Placement{uint64_t{send.base} + offset, window.base, window.size()};
    }
    return true;
}

// Whether an item placed at `where` would map memory below kLowestMappable.
constexpr bool lands_below_lowest_mappable(const Fpage& send, const Placement& where) {
    return !send.io && where.size != 0 && where.destination < kLowestMappable;
}

static_assert([] {
    Fpage f;
    return decode_fpage(axo_fpage(0x1000, 12, 6), f) && f.base == 0x1000 && f.rights == 6;
}());
static_assert([] {
    Fpage f;
    return !decode_fpage(axo_fpage(0x1000, 13, 6), f); // misaligned
}());

} // namespace axo
