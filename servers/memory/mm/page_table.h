// A sparse map from page numbers (address >> 12, below 2^20) to frames: mm's record of which
// frame backs which page of a client's anonymous memory, or of a shared object. Two levels,
// like the Pentium's own tables, and stored the same way: the directory and the tables are
// frames of the FramePool, taken when first needed (they count as mm's table frames), so a
// client costs mm nothing until it touches memory.
#pragma once

#include <stdint.h>

#include "servers/memory/mm/frame_pool.h"

namespace mm {

class PageTable {
public:
    static constexpr uint32_t kNone = FramePool::kNone;
    static constexpr uint32_t kPages = 1u << 20;

    // The frame backing page `page`, or kNone.
    uint32_t get(const FramePool& pool, uint32_t page) const;
    // Records `frame` (kNone: forgets the page). False if a table was needed and no frame was
    // left for it (nothing changed then). `tables` counts the table frames taken or freed.
    bool set(FramePool& pool, uint32_t page, uint32_t frame, int32_t& tables);

    // Calls f(page, frame) for every recorded page in [first, end), in order. f may set that
    // page's entry to kNone (through `set`) but must not add entries.
    template <class F>
    void for_each(const FramePool& pool, uint32_t first, uint32_t end, F f) const;

    // Forgets everything and returns the table frames to the pool (the frames the entries
    // name are the caller's business).
    void clear(FramePool& pool, int32_t& tables);
    bool empty() const { return m_directory == kNone; }

private:
    static constexpr uint32_t kEntries = kPageSize / 4;
    static uint32_t* table(const FramePool& pool, uint32_t frame) {
        return reinterpret_cast<uint32_t*>(pool.data(frame));
    }

    // Entries hold frame + 1, so that a zeroed table means "nothing".
    uint32_t m_directory = kNone;
};

template <class F>
void PageTable::for_each(const FramePool& pool, uint32_t first, uint32_t end, F f) const {
    if (m_directory == kNone) return;
    if (end > kPages) end = kPages;
    const uint32_t* directory = table(pool, m_directory);
    for (uint32_t page = first; page < end;) {
        uint32_t d = page / kEntries;
        uint32_t base = d * kEntries;
        uint32_t stop = end - base < kEntries ? end : base + kEntries;
        if (directory[d] == 0) {
            page = stop;
            continue;
        }
        // Most entries of a table are empty (a fork, an exit and every munmap walk all of
        // them): eight at a time where they are, one at a time around the used ones.
        const uint32_t* entries = table(pool, directory[d] - 1);
        for (uint32_t i = page - base, last = stop - base; i < last; ++i) {
            if ((i & 7) == 0 && last - i >= 8 &&
                (entries[i] | entries[i + 1] | entries[i + 2] | entries[i + 3] | entries[i + 4] |
                 entries[i + 5] | entries[i + 6] | entries[i + 7]) == 0) {
                i += 7;
                continue;
            }
            uint32_t entry = entries[i];
            if (entry != 0) f(base + i, entry - 1);
        }
        page = stop;
    }
}

} // namespace mm
