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

} // namespace axo
