#include "servers/memory/mm/page_table.h"

namespace mm {

uint32_t PageTable::get(const FramePool& pool, uint32_t page) const {
    if (m_directory == kNone || page >= kPages) return kNone;
    uint32_t t = table(pool, m_directory)[page / kEntries];
    if (t == 0) return kNone;
    uint32_t entry = table(pool, t - 1)[page % kEntries];
    return entry == 0 ? kNone : entry - 1;
}

bool PageTable::set(FramePool& pool, uint32_t page, uint32_t frame, int32_t& tables) {
    if (page >= kPages) return false;
    bool forget = frame == kNone;
    if (m_directory == kNone) {
        if (forget) return true;
        uint32_t directory = pool.allocate();
        if (directory == FramePool::kNone) return false;
        m_directory = directory;
        ++tables;
    }
    uint32_t* directory = table(pool, m_directory);
    uint32_t& slot = directory[page / kEntries];
    if (slot == 0) {
        if (forget) return true;
        uint32_t t = pool.allocate();
        if (t == FramePool::kNone) return false;
        slot = t + 1;
        ++tables;
    }
    table(pool, slot - 1)[page % kEntries] = forget ? 0 : frame + 1;
    return true;
}

void PageTable::clear(FramePool& pool, int32_t& tables) {
    if (m_directory == kNone) return;
    uint32_t* directory = table(pool, m_directory);
    for (uint32_t d = 0; d < kEntries; ++d) {
        if (directory[d] == 0) continue;
        pool.unref(directory[d] - 1);
        --tables;
    }
    pool.unref(m_directory);
    --tables;
    m_directory = kNone;
}

} // namespace mm
