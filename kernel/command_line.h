// The kernel command line: words separated by spaces or tabs, each `key=value` or a bare
// `key` (a flag). Later duplicates override earlier ones. Parsing copies the text into fixed
// internal storage, so the source may go away and the object may be copied freely.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/lib/result.h"

namespace axo {

class CommandLine {
public:
    static constexpr size_t kMaxLength = 1023; // characters, excluding the NUL
    static constexpr size_t kMaxOptions = 32;  // distinct keys

    // Errors: out_of_range for too long a line or too many options; malformed for an empty
    // key (`=x`). nullptr is an empty command line.
    static Result<CommandLine> parse(const char* text);

    CommandLine() = default;

    // nullptr if absent; "" for a bare word. The pointer lives as long as this object.
    const char* get(const char* key) const;
    bool has(const char* key) const { return get(key) != nullptr; }
    // Decimal, or hexadecimal with 0x. Absent, bare, malformed or > UINT32_MAX → fallback.
    uint32_t get_uint(const char* key, uint32_t fallback) const;
    // True for a bare word and for the values 1/yes/on/true; false for 0/no/off/false.
    bool get_bool(const char* key, bool fallback) const;

    size_t count() const { return m_count; }
    // Options in the order their keys first appeared; index < count().
    const char* key_at(size_t index) const { return m_buffer + m_options[index].key; }
    const char* value_at(size_t index) const { return m_buffer + m_options[index].value; }

private:
    // Offsets into m_buffer rather than pointers, so a copy stays self-contained.
    struct Option {
        uint16_t key;
        uint16_t value;
    };
    static_assert(kMaxLength + 1 <= UINT16_MAX);

    int find(const char* key) const;

    char m_buffer[kMaxLength + 1] = {};
    Option m_options[kMaxOptions] = {};
    size_t m_count = 0;
};

} // namespace axo
