// A byte ring buffer of N bytes (a power of two), for drivers' receive and transmit queues:
// one owner, no locks (a driver serves clients and interrupts on one thread). Pure; tested on
// the host (tests/unit/driver_ring_test.cc).
#pragma once

#include <stdint.h>

namespace driver {

template <uint32_t N> class Ring {
    static_assert(N != 0 && (N & (N - 1)) == 0, "a power of two");

public:
    static constexpr uint32_t kCapacity = N;

    uint32_t size() const { return m_tail - m_head; }
    uint32_t room() const { return N - size(); }
    bool empty() const { return m_head == m_tail; }
    bool full() const { return size() == N; }

    // False if full.
    bool put(uint8_t byte) {
        if (full()) return false;
        m_bytes[m_tail++ & (N - 1)] = byte;
        return true;
    }
    // As many of `bytes` as fit; returns how many.
    uint32_t put(const uint8_t* bytes, uint32_t count) {
        uint32_t n = count < room() ? count : room();
        for (uint32_t i = 0; i < n; ++i)
            m_bytes[m_tail++ & (N - 1)] = bytes[i];
        return n;
    }
    // Byte i from the head, i < size().
    uint8_t peek(uint32_t i) const { return m_bytes[(m_head + i) & (N - 1)]; }
    // Copies up to `max` bytes from the head without removing them; returns how many.
    uint32_t peek(uint8_t* out, uint32_t max) const {
        uint32_t n = max < size() ? max : size();
        for (uint32_t i = 0; i < n; ++i)
            out[i] = peek(i);
        return n;
    }
    uint8_t get() { return m_bytes[m_head++ & (N - 1)]; }
    void drop(uint32_t count) { m_head += count < size() ? count : size(); }
    void clear() { m_head = m_tail = 0; }

private:
    // Free-running counters: their difference is the size, also across the wrap at 2^32.
    uint32_t m_head = 0, m_tail = 0;
    uint8_t m_bytes[N];
};

} // namespace driver
