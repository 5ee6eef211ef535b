#include "servers/memory/mm/frame_pool.h"

namespace mm {

void FramePool::init(uint32_t area, uint8_t* data, uint32_t frames, FrameSource source) {
    m_area = area;
    m_data = data;
    m_limit = frames < kMaxFrames ? frames : kMaxFrames;
    m_end = 0;
    m_free_head = kNone;
    m_in_use = m_free = 0;
    m_source = source;
    __builtin_memset(m_refs, 0, sizeof m_refs);
}

bool FramePool::grow() {
    if (m_end >= m_limit || m_source.grow == nullptr) return false;
    uint32_t first = 0, count = 0;
    if (!m_source.grow(m_source.context, address(m_end), &first, &count) || count == 0)
        return false;
    uint32_t first_frame = (first - m_area) / kPageSize;
    // A source that skipped ahead leaves a hole: those frames are never used.
    if (first < address(m_end) || first_frame + count > m_limit) return false;
    for (uint32_t i = count; i-- > 0;) {
        next_of(first_frame + i) = m_free_head;
        m_free_head = first_frame + i;
    }
    m_free += count;
    m_end = first_frame + count;
    return true;
}

uint32_t FramePool::allocate(bool zero) {
    if (m_free_head == kNone && !grow()) return kNone;
    uint32_t frame = m_free_head;
    m_free_head = next_of(frame);
    --m_free;
    ++m_in_use;
    m_refs[frame] = 1;
    if (zero) __builtin_memset(data(frame), 0, kPageSize);
    return frame;
}

bool FramePool::unref(uint32_t frame) {
    if (m_refs[frame] == 0) return false;
    if (--m_refs[frame] != 0) return false;
    next_of(frame) = m_free_head;
    m_free_head = frame;
    ++m_free;
    --m_in_use;
    return true;
}

uint32_t FramePool::frame_at(uint32_t address) const {
    if (address < m_area || (address - m_area) / kPageSize >= m_end) return kNone;
    return (address - m_area) / kPageSize;
}

} // namespace mm
