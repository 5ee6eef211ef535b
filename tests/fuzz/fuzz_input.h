// What every fuzz target shares: reading the fuzzer's bytes as a stream of small decisions,
// and an invariant check that stops the run (libFuzzer then saves the input as a crash).
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

namespace fuzz {

// Bytes as decisions. Past the end every read is zero, so any input is a complete program.
class Input {
public:
    Input(const uint8_t* data, size_t size) : m_data(data), m_size(size) {}

    bool empty() const { return m_offset >= m_size; }
    uint8_t u8() { return m_offset < m_size ? m_data[m_offset++] : 0; }
    uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
    uint32_t u32() { return u16() | (static_cast<uint32_t>(u16()) << 16); }
    // One of n choices (n > 0).
    uint32_t pick(uint32_t n) { return u8() % n; }

private:
    const uint8_t* m_data;
    size_t m_size;
    size_t m_offset = 0;
};

[[noreturn]] inline void invariant_failed(const char* file, int line, const char* what) {
    fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line, what);
    abort();
}

} // namespace fuzz

// An invariant of the code under test; a violation is a bug, reported like a crash.
#define FUZZ_CHECK(condition)                                                                      \
    do {                                                                                           \
        if (!(condition)) ::fuzz::invariant_failed(__FILE__, __LINE__, #condition);                \
    } while (0)
