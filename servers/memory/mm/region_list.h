// A client's regions: page-aligned, non-overlapping ranges of its space, kept sorted by
// address in a fixed array (a process has a handful: image, stack, heap, a few mappings).
// Pure bookkeeping; what backs a region (frames, objects) is the MemoryManager's business.
#pragma once

#include <stdint.h>

namespace mm {

struct Region {
    uint32_t start, end; // [start, end), page-aligned
    uint32_t rights;     // AXO_FPAGE_R/W/X, normalized: W or X imply R
    uint32_t kind;       // RegionKind (protocol.h)
    uint32_t object;     // shared, external: index into the MemoryManager's object table
    uint32_t offset;     // shared, external: the object offset `start` maps
    bool heap;           // part of the heap (sbrk moves its end)

    // The object offset of a page of this region.
    uint32_t offset_of(uint32_t address) const { return offset + (address - start); }
};

class RegionList {
public:
    static constexpr uint32_t kCapacity = 32;

    uint32_t count() const { return m_count; }
    Region& operator[](uint32_t i) { return m_regions[i]; }
    const Region& operator[](uint32_t i) const { return m_regions[i]; }

    // The index of the region containing `address`, or kCapacity.
    uint32_t find(uint32_t address) const;
    bool overlaps(uint32_t start, uint32_t end) const;
    // The lowest page-aligned gap of `size` bytes in [from, limit), or 0 if none.
    uint32_t find_gap(uint32_t size, uint32_t from, uint32_t limit) const;
    // How many regions splitting at `start` and `end` would add (0, 1 or 2).
    uint32_t splits_needed(uint32_t start, uint32_t end) const;

    // Inserts in order; false if the list is full. The caller has checked overlaps.
    bool insert(const Region& region);
    // Splits the region containing `address` (not at its start) in two at `address`; the index
    // of the upper half, or kCapacity if there was nothing to split or no room.
    uint32_t split_at(uint32_t address);
    void remove(uint32_t index);
    void clear() { m_count = 0; }

private:
    Region m_regions[kCapacity];
    uint32_t m_count = 0;
};

} // namespace mm
