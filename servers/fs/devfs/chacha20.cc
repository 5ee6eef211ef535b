#include "servers/fs/devfs/chacha20.h"

#include <string.h>

namespace fs {

namespace {

constexpr uint32_t rotate(uint32_t x, uint32_t n) {
    return (x << n) | (x >> (32 - n));
}

void quarter_round(uint32_t* s, uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    s[a] += s[b], s[d] ^= s[a], s[d] = rotate(s[d], 16);
    s[c] += s[d], s[b] ^= s[c], s[b] = rotate(s[b], 12);
    s[a] += s[b], s[d] ^= s[a], s[d] = rotate(s[d], 8);
    s[c] += s[d], s[b] ^= s[c], s[b] = rotate(s[b], 7);
}

uint32_t load_le32(const uint8_t* p) {
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

void store_le32(uint8_t* p, uint32_t v) {
    p[0] = static_cast<uint8_t>(v);
    p[1] = static_cast<uint8_t>(v >> 8);
    p[2] = static_cast<uint8_t>(v >> 16);
    p[3] = static_cast<uint8_t>(v >> 24);
}

// "expand 32-byte k" (RFC 8439 §2.3).
constexpr uint32_t kConstants[4] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};

// Domains, so that seeding, mixing, the end of an input and output never share a block input.
constexpr uint32_t kDomainSeed = 0x64656573;   // "seed"
constexpr uint32_t kDomainMix = 0x78696d00;    // "\0mix"
constexpr uint32_t kDomainOutput = 0x6e656767; // "ggen"

} // namespace

void chacha20_block(const uint32_t key[kChaChaKeyWords], uint32_t counter,
                    const uint32_t nonce[kChaChaNonceWords], uint8_t out[kChaChaBlockBytes]) {
    uint32_t state[16] = {kConstants[0], kConstants[1], kConstants[2], kConstants[3],
                          key[0],        key[1],        key[2],        key[3],
                          key[4],        key[5],        key[6],        key[7],
                          counter,       nonce[0],      nonce[1],      nonce[2]};
    uint32_t working[16];
    memcpy(working, state, sizeof working);
    for (int i = 0; i < 10; ++i) { // 20 rounds: a column round and a diagonal round each
        quarter_round(working, 0, 4, 8, 12);
        quarter_round(working, 1, 5, 9, 13);
        quarter_round(working, 2, 6, 10, 14);
        quarter_round(working, 3, 7, 11, 15);
        quarter_round(working, 0, 5, 10, 15);
        quarter_round(working, 1, 6, 11, 12);
        quarter_round(working, 2, 7, 8, 13);
        quarter_round(working, 3, 4, 9, 14);
    }
    for (int i = 0; i < 16; ++i)
        store_le32(out + 4 * i, working[i] + state[i]);
}

RandomGenerator::RandomGenerator(std::span<const uint8_t> seed) {
    for (uint32_t i = 0; i < kChaChaKeyWords; ++i)
        m_key[i] = kConstants[i % 4] ^ (0x9E3779B9u * (i + 1)); // any fixed start will do
    uint32_t length = static_cast<uint32_t>(seed.size());
    for (uint32_t at = 0; at < length; at += 16)
        absorb_block(seed.data() + at, length - at < 16 ? length - at : 16, kDomainSeed);
    // The length ends the input, so "ab" and "ab\0" give different keys.
    uint8_t end[16] = {};
    store_le32(end, length);
    absorb_block(end, 16, kDomainSeed ^ 0xFFFFFFFFu);
}

void RandomGenerator::mix(std::span<const uint8_t> material) {
    uint32_t length = static_cast<uint32_t>(material.size());
    for (uint32_t at = 0; at < length; at += 16)
        absorb_block(material.data() + at, length - at < 16 ? length - at : 16, kDomainMix);
    uint8_t end[16] = {};
    store_le32(end, length);
    absorb_block(end, 16, kDomainMix ^ 0xFFFFFFFFu);
}

// The next key is the first half of the block whose counter and nonce are the 16 input bytes
// (zero-padded) under the current key, with the domain folded into the nonce's last word.
void RandomGenerator::absorb_block(const uint8_t* bytes, uint32_t count, uint32_t domain) {
    uint8_t input[16] = {};
    memcpy(input, bytes, count);
    uint32_t nonce[kChaChaNonceWords] = {load_le32(input + 4), load_le32(input + 8),
                                         load_le32(input + 12) ^ domain};
    uint8_t block[kChaChaBlockBytes];
    chacha20_block(m_key, load_le32(input), nonce, block);
    for (uint32_t i = 0; i < kChaChaKeyWords; ++i)
        m_key[i] = load_le32(block + 4 * i);
    memset(block, 0, sizeof block);
}

void RandomGenerator::generate(std::span<uint8_t> out) {
    const uint32_t nonce[kChaChaNonceWords] = {kDomainOutput, 0, 0};
    uint8_t block[kChaChaBlockBytes];
    chacha20_block(m_key, 0, nonce, block);
    uint32_t next_key[kChaChaKeyWords];
    for (uint32_t i = 0; i < kChaChaKeyWords; ++i)
        next_key[i] = load_le32(block + 4 * i);

    // The rest of block 0, then blocks 1, 2, … of the same key.
    size_t done = 0;
    uint32_t offset = 32, counter = 0;
    while (done < out.size()) {
        if (offset == kChaChaBlockBytes) {
            chacha20_block(m_key, ++counter, nonce, block);
            offset = 0;
        }
        size_t n = out.size() - done < kChaChaBlockBytes - offset ? out.size() - done
                                                                  : kChaChaBlockBytes - offset;
        memcpy(out.data() + done, block + offset, n);
        done += n;
        offset += static_cast<uint32_t>(n);
    }
    memcpy(m_key, next_key, sizeof m_key);
    memset(block, 0, sizeof block);
    memset(next_key, 0, sizeof next_key);
}

} // namespace fs
