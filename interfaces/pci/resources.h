// What a PCI device grants a driver, in the terms of the pci interface (protocol.h): the
// `pci=VVVV:DDDD[.N]` word of a boot-configuration line, the ranges a BAR grants, the IRQ line a
// device can give. Shared by the pci driver and proc (which grants devices:
// interfaces/devices),
// pure and header-only; tested by tests/unit/pci_test.cc.
#pragma once

#include <stdint.h>

#include "interfaces/pci/protocol.h"

namespace pci {

// The most devices the pci driver lists (and so the largest N + 1 of a pci= word).
constexpr uint32_t kMaxDevices = 64;

// A driver's `pci=VVVV:DDDD` or `pci=VVVV:DDDD.N` boot word (hexadecimal ids, decimal N,
// the N-th such device from 0; default 0). `text` is what follows "pci=". False if malformed.
struct Match {
    uint32_t vendor, device, index;
};
inline bool parse_match(const char* text, Match& out);

// What of a BAR a driver is granted: the whole pages of a memory BAR (a BAR smaller than a
// page grants its page) or the ports of an I/O BAR. False for an absent BAR or one above 4 GiB.
struct Range {
    uint32_t first, last; // inclusive
    bool io;
};
inline bool bar_range(const BarInfo& bar, Range& out);

// The IRQ line of a device, if it has one a driver can be granted (1..15, not 2).
inline bool irq_of(const DeviceReply& device, uint32_t& line);

namespace detail {

inline bool hex_digit(char c, uint32_t& value) {
    if (c >= '0' && c <= '9')
        value = static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
        value = static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
        value = static_cast<uint32_t>(c - 'A' + 10);
    else
        return false;
    return true;
}

// Exactly four hexadecimal digits.
inline bool hex16(const char*& p, uint32_t& out) {
    out = 0;
    for (int i = 0; i < 4; ++i) {
        uint32_t digit;
        if (!hex_digit(p[i], digit)) return false;
        out = out << 4 | digit;
    }
    p += 4;
    return true;
}

} // namespace detail

inline bool parse_match(const char* text, Match& out) {
    Match m{0, 0, 0};
    const char* p = text;
    if (!detail::hex16(p, m.vendor) || *p++ != ':' || !detail::hex16(p, m.device)) return false;
    if (m.vendor == 0xFFFF) return false;
    if (*p == '.') {
        ++p;
        if (*p < '0' || *p > '9') return false;
        uint32_t index = 0;
        for (; *p >= '0' && *p <= '9'; ++p) {
            index = index * 10 + static_cast<uint32_t>(*p - '0');
            if (index >= kMaxDevices) return false;
        }
        m.index = index;
    }
    if (*p != '\0') return false;
    out = m;
    return true;
}

inline bool bar_range(const BarInfo& bar, Range& out) {
    if ((bar.flags & kBarPresent) == 0 || (bar.flags & kBarAbove4G) || bar.size == 0) return false;
    if (bar.flags & kBarIo) {
        uint32_t last = bar.base + bar.size - 1;
        if (last > 0xFFFF || last < bar.base) return false;
        out = {bar.base, last, true};
        return true;
    }
    uint32_t first = bar.base & ~0xFFFu;
    uint32_t end = bar.base + bar.size; // exclusive; 0 if it wraps to 4 GiB exactly
    if (end != 0 && end < bar.base) return false;
    uint32_t last = ((end - 1) | 0xFFFu);
    out = {first, last, false};
    return true;
}

inline bool irq_of(const DeviceReply& device, uint32_t& line) {
    if (device.irq_pin == 0 || device.irq_line == 0 || device.irq_line > 15 || device.irq_line == 2)
        return false;
    line = device.irq_line;
    return true;
}

} // namespace pci
