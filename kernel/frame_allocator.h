// Physical page frames, one bit each (1 = used). Memory is handed in with add_free() from the
// boot memory map and carved out with reserve() for the kernel image, modules and the bitmap
// itself. Frame 0 is never handed out: a zero physical address means "none" in too many places.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

namespace axo {

class FrameAllocator {
public:
    static constexpr size_t kBitsPerWord = 32;

    // Words of bitmap storage needed for `frame_count` frames.
    static constexpr size_t bitmap_words(size_t frame_count) {
        return (frame_count + kBitsPerWord - 1) / kBitsPerWord;
    }

    // `bitmap` must hold bitmap_words(frame_count) words; frames at or above frame_count are
    // outside the allocator. All frames start used.
    void init(uint32_t* bitmap, size_t frame_count);

    // Frees the whole pages inside [base, base + size) (inward alignment), clipped to the
    // managed range. Never frees frame 0. Frames already free stay free.
    void add_free(PhysAddr base, uint64_t size);
    // Marks every page touching [base, base + size) used (outward alignment), clipped to the
    // managed range.
    void reserve(PhysAddr base, uint64_t size);

    // out_of_memory if no frame is free.
    Result<PhysAddr> allocate();
    // `frames` consecutive frames whose first frame number is a multiple of `align_frames`
    // (a power of two; 0 means 1). invalid_argument for frames == 0 or a bad alignment.
    Result<PhysAddr> allocate_contiguous(size_t frames, size_t align_frames);
    // Errors: invalid_argument for a misaligned address, frame 0 or a frame that is not
    // allocated (double free); out_of_range beyond the managed range.
    Result<void> free(PhysAddr frame);
    Result<void> free_contiguous(PhysAddr base, size_t frames);

    bool is_free(PhysAddr frame) const;
    size_t free_frames() const { return m_free; }
    // The number of frames the bitmap covers (frame_count given to init).
    size_t total_frames() const { return m_frame_count; }

private:
    bool test(size_t frame) const {
        return (m_bitmap[frame / kBitsPerWord] >> (frame % kBitsPerWord)) & 1;
    }
    void set_used(size_t frame);
    void set_free(size_t frame);
    // Clips [first, last) frame range to the managed frames.
    void clip(uint64_t& first, uint64_t& last) const;

    uint32_t* m_bitmap = nullptr;
    size_t m_frame_count = 0;
    size_t m_free = 0;
    size_t m_hint = 0; // next-fit: word index where the last allocation found a free frame
};

} // namespace axo
