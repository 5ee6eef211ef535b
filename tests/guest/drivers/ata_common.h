// What the ATA tests share (drivers_test's ata modes, ata_client) with the host's check of the
// disk image (tests/system/ata_disk.py, which computes the same bytes): the sector pattern,
// the layout of the test disk, and the ATA client's plumbing.
#pragma once

#include "common.h"
#include "interfaces/block/client.h"

namespace test::ata_disk {

// Byte `i` of sector `lba` written with `seed`: the LBA and seed in the first 8 bytes (to
// tell misplaced sectors from wrong bytes), then a mix of all three.
inline uint8_t pattern_byte(uint32_t lba, uint32_t i, uint32_t seed) {
    if (i < 4) return static_cast<uint8_t>(lba >> (8 * i));
    if (i < 8) return static_cast<uint8_t>((0xA7A00000u | seed) >> (8 * (i - 4)));
    return static_cast<uint8_t>((lba * 31u + i * 7u + seed * 101u + (lba >> 8) + (i >> 8) * 13u) &
                                0xFFu);
}
inline void fill(uint8_t* sectors, uint32_t lba, uint32_t count, uint32_t seed) {
    for (uint32_t s = 0; s < count; ++s)
        for (uint32_t i = 0; i < ata::kSectorBytes; ++i)
            sectors[s * ata::kSectorBytes + i] = pattern_byte(lba + s, i, seed);
}
// The first sector of [lba, lba + count) that differs from the pattern, or -1.
inline int64_t mismatch(const uint8_t* sectors, uint32_t lba, uint32_t count, uint32_t seed) {
    for (uint32_t s = 0; s < count; ++s)
        for (uint32_t i = 0; i < ata::kSectorBytes; ++i)
            if (sectors[s * ata::kSectorBytes + i] != pattern_byte(lba + s, i, seed))
                return lba + s;
    return -1;
}

// The layout (ata_disk.py has the same numbers).
constexpr uint32_t kSeedGuest = 1;   // driver-ata's writes
constexpr uint32_t kSeedHost = 99;   // written by the host before the run
constexpr uint32_t kSeedRestart = 2; // driver-restart-ata's writes
constexpr uint32_t kHostLba = 2048, kHostCount = 16;
constexpr uint32_t kRestartLba = 5000, kRestartCount = 1024;

} // namespace test::ata_disk
