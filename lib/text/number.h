// Numbers in text: what boot-configuration words (servers/proc/boot_config.cc) and drivers'
// arguments (lib/driver) both read. Header-only and pure: no runtime, host-tested through
// tests/unit/proc_boot_config_test.cc.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace text {

// The `length` characters at `begin` as a number: decimal, or hexadecimal after 0x/0X; the
// whole text, at least one digit, no sign, no overflow beyond 32 bits.
inline bool parse_u32(const char* begin, size_t length, uint32_t& out) {
    uint32_t base = 10;
    size_t i = 0;
    if (length > 2 && begin[0] == '0' && (begin[1] == 'x' || begin[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i == length) return false;
    uint64_t value = 0;
    for (; i < length; ++i) {
        char c = begin[i];
        uint32_t digit;
        if (c >= '0' && c <= '9')
            digit = static_cast<uint32_t>(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = static_cast<uint32_t>(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            digit = static_cast<uint32_t>(c - 'A' + 10);
        else
            return false;
        value = value * base + digit;
        if (value > 0xFFFFFFFFu) return false;
    }
    out = static_cast<uint32_t>(value);
    return true;
}

} // namespace text
