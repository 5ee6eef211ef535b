// How user mappings of a physical frame are cached: a pure decision over the Multiboot
// memory map, so that it is unit-tested on the host.
//
// A frame that lies wholly inside a usable region of the memory map is conventional RAM and
// is mapped write-back (the default), whatever it is used for: DMA buffers are RAM too, and
// x86 DMA is cache-coherent. Every other frame (device memory such as the VGA text buffer at
// 0xB8000 or a PCI BAR, firmware, ACPI tables, holes in the map, a frame only partly covered
// by a usable region) is mapped uncached: PCD|PWT in the PTE (the Pentium has no PAT, so
// those two bits are all there is). A wrongly uncached frame is only slow; a wrongly cached
// device register is a bug, so doubt goes to uncached.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/lib/types.h"
#include "kernel/multiboot.h"

namespace axo {

enum class CacheMode : uint8_t {
    write_back, // conventional RAM
    uncached,   // everything else: PCD|PWT
};

// The cache mode of the 4 KiB frame containing `phys`, given the normalised memory map
// (multiboot::BootInfo::regions: sorted, non-overlapping, adjacent equal kinds merged, so a
// frame of RAM lies inside one usable region).
constexpr CacheMode cache_mode(const multiboot::MemoryRegion* regions, size_t count,
                               uint64_t phys) {
    uint64_t frame = phys & ~uint64_t{kPageSize - 1};
    for (size_t i = 0; i < count; ++i) {
        const auto& r = regions[i];
        if (r.usable && frame >= r.base && frame - r.base <= r.length &&
            r.length - (frame - r.base) >= kPageSize) {
            return CacheMode::write_back;
        }
    }
    return CacheMode::uncached;
}

// The same decision for the kernel's hot path (arch::map_user_page: every map item, every
// page fault resolved): the usable regions below 4 GiB precomputed as whole-frame ranges,
// compared in 32 bits, the range that matched last tried first (σ0's memory is mostly one
// large region). Agrees with cache_mode() for every frame below 4 GiB (unit-tested).
class CachePolicy {
public:
    constexpr CachePolicy() = default;
    constexpr CachePolicy(const multiboot::MemoryRegion* regions, size_t count) {
        constexpr uint64_t kFrame = kPageSize, k4G = uint64_t{1} << 32;
        for (size_t i = 0; i < count && m_count < multiboot::kMaxRegions; ++i) {
            const auto& r = regions[i];
            if (!r.usable || r.base >= k4G) continue;
            uint64_t first = (r.base + kFrame - 1) & ~(kFrame - 1);
            uint64_t end = r.length > k4G - r.base ? k4G : r.base + r.length;
            end &= ~(kFrame - 1);
            if (first >= end) continue;
            m_first[m_count] = static_cast<uint32_t>(first >> kPageShift);
            m_frames[m_count] = static_cast<uint32_t>((end - first) >> kPageShift);
            ++m_count;
        }
    }

    // Not const: remembers the range that matched.
    constexpr CacheMode mode(uint32_t phys) {
        uint32_t pfn = phys >> kPageShift;
        if (m_count && pfn - m_first[m_last] < m_frames[m_last]) return CacheMode::write_back;
        for (size_t i = 0; i < m_count; ++i) {
            if (pfn - m_first[i] < m_frames[i]) {
                m_last = i;
                return CacheMode::write_back;
            }
        }
        return CacheMode::uncached;
    }

private:
    uint32_t m_first[multiboot::kMaxRegions] = {};  // first frame number of each RAM range
    uint32_t m_frames[multiboot::kMaxRegions] = {}; // its length in frames (> 0)
    size_t m_count = 0;
    size_t m_last = 0;
};

} // namespace axo
