#include "kernel/frame_allocator.h"

namespace axo {

namespace {
constexpr uint32_t kFullWord = 0xFFFFFFFFu;
} // namespace

void FrameAllocator::init(uint32_t* bitmap, size_t frame_count) {
    m_bitmap = bitmap;
    m_frame_count = frame_count;
    m_free = 0;
    m_hint = 0;
    // Bits past frame_count in the last word stay set forever, so the word scan in allocate()
    // never sees them as free.
    for (size_t i = 0; i < bitmap_words(frame_count); ++i)
        m_bitmap[i] = kFullWord;
}

void FrameAllocator::set_used(size_t frame) {
    uint32_t bit = 1u << (frame % kBitsPerWord);
    uint32_t& word = m_bitmap[frame / kBitsPerWord];
    if (!(word & bit)) {
        word |= bit;
        --m_free;
    }
}

void FrameAllocator::set_free(size_t frame) {
    uint32_t bit = 1u << (frame % kBitsPerWord);
    uint32_t& word = m_bitmap[frame / kBitsPerWord];
    if (word & bit) {
        word &= ~bit;
        ++m_free;
    }
}

void FrameAllocator::clip(uint64_t& first, uint64_t& last) const {
    if (last > m_frame_count) last = m_frame_count;
    if (first > last) first = last;
}

void FrameAllocator::add_free(PhysAddr base, uint64_t size) {
    uint64_t start = align_up(uint64_t{base.raw()}, uint64_t{kPageSize});
    uint64_t end = align_down(uint64_t{base.raw()} + size, uint64_t{kPageSize});
    if (end <= start) return;
    uint64_t first = start >> kPageShift;
    uint64_t last = end >> kPageShift;
    if (first == 0) first = 1; // frame 0 is never handed out
    clip(first, last);
    for (uint64_t f = first; f < last; ++f)
        set_free(static_cast<size_t>(f));
}

void FrameAllocator::reserve(PhysAddr base, uint64_t size) {
    if (size == 0) return;
    uint64_t start = align_down(uint64_t{base.raw()}, uint64_t{kPageSize});
    uint64_t end = align_up(uint64_t{base.raw()} + size, uint64_t{kPageSize});
    uint64_t first = start >> kPageShift;
    uint64_t last = end >> kPageShift;
    clip(first, last);
    for (uint64_t f = first; f < last; ++f)
        set_used(static_cast<size_t>(f));
}

Result<PhysAddr> FrameAllocator::allocate() {
    if (m_free == 0) return Error::out_of_memory;
    size_t words = bitmap_words(m_frame_count);
    // Next fit: start at the word that last had a free frame, wrap around once.
    for (size_t n = 0; n < words; ++n) {
        size_t w = (m_hint + n) % words;
        uint32_t word = m_bitmap[w];
        if (word == kFullWord) continue;
        size_t bit = static_cast<size_t>(__builtin_ctz(~word));
        size_t frame = w * kBitsPerWord + bit;
        set_used(frame);
        m_hint = w;
        return Pfn(static_cast<uint32_t>(frame)).addr();
    }
    return Error::out_of_memory; // unreachable while m_free is consistent
}

Result<PhysAddr> FrameAllocator::allocate_contiguous(size_t frames, size_t align_frames) {
    if (align_frames == 0) align_frames = 1;
    if (frames == 0 || !is_power_of_two(align_frames)) return Error::invalid_argument;
    if (frames > m_free) return Error::out_of_memory;
    // First fit from the bottom: contiguous requests are rare (boot, DMA buffers), so keep
    // this simple rather than fast.
    for (size_t start = align_frames; start + frames <= m_frame_count; start += align_frames) {
        // A word of used frames is passed in one step: the frames below the first free one are
        // mostly taken, and a frame at a time made every page-table block cost ~160k
        // instructions (a new space's directory, its node tables) once memory filled up.
        if (m_bitmap[start / kBitsPerWord] == kFullWord) {
            size_t next = align_up((start / kBitsPerWord + 1) * kBitsPerWord, align_frames);
            start = next - align_frames;
            continue;
        }
        size_t run = 0;
        while (run < frames && !test(start + run))
            ++run;
        if (run == frames) {
            for (size_t f = start; f < start + frames; ++f)
                set_used(f);
            return Pfn(static_cast<uint32_t>(start)).addr();
        }
        // Skip past the used frame that ended this run, keeping the alignment.
        size_t next = align_up(start + run + 1, align_frames);
        start = next - align_frames;
    }
    return Error::out_of_memory;
}

Result<void> FrameAllocator::free(PhysAddr frame) {
    if (!frame.is_page_aligned()) return Error::invalid_argument;
    size_t index = frame.pfn().raw();
    if (index >= m_frame_count) return Error::out_of_range;
    if (index == 0) return Error::invalid_argument;
    if (!test(index)) return Error::invalid_argument; // double free
    set_free(index);
    return {};
}

Result<void> FrameAllocator::free_contiguous(PhysAddr base, size_t frames) {
    if (!base.is_page_aligned()) return Error::invalid_argument;
    size_t first = base.pfn().raw();
    if (first >= m_frame_count || frames > m_frame_count - first) return Error::out_of_range;
    // Validate the whole run first so a bad request changes nothing.
    for (size_t f = first; f < first + frames; ++f) {
        if (f == 0 || !test(f)) return Error::invalid_argument;
    }
    for (size_t f = first; f < first + frames; ++f)
        set_free(f);
    return {};
}

bool FrameAllocator::is_free(PhysAddr frame) const {
    size_t index = frame.pfn().raw();
    return index < m_frame_count && !test(index);
}

} // namespace axo
