// Slots of the small-space area (DESIGN.md §4): 3 GiB – 3.5 GiB, in blocks of 4 MiB. A
// small space takes a run of contiguous blocks; first fit. Pure logic: unit-tested on the
// host.
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"

namespace axo {

class SmallSpaceSlots {
public:
    static constexpr uint32_t kBlocks = AXO_SMALL_AREA_BLOCKS;
    static constexpr uint32_t kBlockSize = AXO_SMALL_BLOCK_SIZE;
    static constexpr uint32_t kAreaBase = 0xC000'0000;
    static_assert(kAreaBase + uint64_t{kBlocks} * kBlockSize == 0xE000'0000);

    // The linear base of `blocks` free contiguous blocks, now taken; 0 if none.
    uint32_t allocate(uint32_t blocks) {
        if (blocks == 0 || blocks > kBlocks) return 0;
        for (uint32_t first = 0; first + blocks <= kBlocks; ++first) {
            uint32_t run = 0;
            while (run < blocks && !taken(first + run))
                ++run;
            if (run == blocks) {
                for (uint32_t i = 0; i < blocks; ++i)
                    set(first + i, true);
                return kAreaBase + first * kBlockSize;
            }
            first += run; // the block at first + run is taken: skip past it
        }
        return 0;
    }

    void free(uint32_t base, uint32_t blocks) {
        if (base < kAreaBase) return;
        uint32_t first = (base - kAreaBase) / kBlockSize;
        for (uint32_t i = 0; i < blocks && first + i < kBlocks; ++i)
            set(first + i, false);
    }

    uint32_t free_blocks() const {
        uint32_t n = 0;
        for (uint32_t i = 0; i < kBlocks; ++i)
            n += !taken(i);
        return n;
    }

private:
    bool taken(uint32_t block) const { return (m_bits[block / 32] >> (block % 32)) & 1; }
    void set(uint32_t block, bool on) {
        if (on) {
            m_bits[block / 32] |= 1u << (block % 32);
        } else {
            m_bits[block / 32] &= ~(1u << (block % 32));
        }
    }
    uint32_t m_bits[kBlocks / 32] = {};
};

} // namespace axo
