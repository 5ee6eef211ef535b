#include "servers/memory/mm/region_list.h"

namespace mm {

uint32_t RegionList::find(uint32_t address) const {
    for (uint32_t i = 0; i < m_count; ++i) {
        if (address < m_regions[i].start) break;
        if (address < m_regions[i].end) return i;
    }
    return kCapacity;
}

bool RegionList::overlaps(uint32_t start, uint32_t end) const {
    for (uint32_t i = 0; i < m_count; ++i)
        if (start < m_regions[i].end && m_regions[i].start < end) return true;
    return false;
}

uint32_t RegionList::find_gap(uint32_t size, uint32_t from, uint32_t limit) const {
    uint32_t candidate = from;
    for (uint32_t i = 0; i < m_count; ++i) {
        const Region& r = m_regions[i];
        if (r.end <= candidate) continue;
        if (r.start >= candidate && r.start - candidate >= size) break;
        candidate = r.end;
    }
    if (candidate < from || candidate > limit || limit - candidate < size) return 0;
    return candidate;
}

uint32_t RegionList::splits_needed(uint32_t start, uint32_t end) const {
    uint32_t n = 0;
    uint32_t at_start = find(start);
    if (at_start != kCapacity && m_regions[at_start].start != start) ++n;
    uint32_t at_end = find(end);
    if (at_end != kCapacity && m_regions[at_end].start != end) ++n;
    return n;
}

bool RegionList::insert(const Region& region) {
    if (m_count == kCapacity) return false;
    uint32_t i = m_count;
    while (i > 0 && m_regions[i - 1].start > region.start) {
        m_regions[i] = m_regions[i - 1];
        --i;
    }
    m_regions[i] = region;
    ++m_count;
    return true;
}

uint32_t RegionList::split_at(uint32_t address) {
    uint32_t i = find(address);
    if (i == kCapacity || m_regions[i].start == address || m_count == kCapacity) return kCapacity;
    Region upper = m_regions[i];
    upper.offset = m_regions[i].offset_of(address);
    upper.start = address;
    m_regions[i].end = address;
    insert(upper);
    return i + 1;
}

void RegionList::remove(uint32_t index) {
    for (uint32_t i = index; i + 1 < m_count; ++i)
        m_regions[i] = m_regions[i + 1];
    --m_count;
}

} // namespace mm
