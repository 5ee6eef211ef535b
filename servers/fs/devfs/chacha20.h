// ChaCha20 (RFC 8439 §2.3) and the random generator of /dev/random and /dev/urandom built on it.
//
// The generator keeps a 256-bit key. Seed material is absorbed 16 bytes at a time as the
// counter and nonce of one ChaCha20 block under the current key, whose first 32 bytes become
// the next key (a cascade of the ChaCha20 PRF: input never weakens a secret key, and distinct
// inputs under a known key give distinct keys). Output uses fast key erasure: the first 32
// bytes of each request's keystream become the next key and are never given out, so the state
// after a request does not reveal its output or any earlier output.
#pragma once

#include <stdint.h>

#include <span>

namespace fs {

constexpr uint32_t kChaChaKeyWords = 8;
constexpr uint32_t kChaChaNonceWords = 3;
constexpr uint32_t kChaChaBlockBytes = 64;

// One ChaCha20 block: the 64 bytes of keystream for `key`, `counter` and `nonce` (RFC 8439's
// words, little-endian as the RFC reads them from bytes).
void chacha20_block(const uint32_t key[kChaChaKeyWords], uint32_t counter,
                    const uint32_t nonce[kChaChaNonceWords], uint8_t out[kChaChaBlockBytes]);

class RandomGenerator {
public:
    // Starts from a fixed key and absorbs `seed` (the server's RTC time, rdtsc, …).
    explicit RandomGenerator(std::span<const uint8_t> seed);
    // A copy would give the same bytes again.
    RandomGenerator(const RandomGenerator&) = delete;
    RandomGenerator& operator=(const RandomGenerator&) = delete;

    // Mixes more material in (any length; a write to /dev/random).
    void mix(std::span<const uint8_t> material);
    // Fills `out` with output.
    void generate(std::span<uint8_t> out);

private:
    void absorb_block(const uint8_t* bytes, uint32_t count, uint32_t domain);

    uint32_t m_key[kChaChaKeyWords];
};

} // namespace fs
