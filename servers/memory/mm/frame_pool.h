// mm's frames: the physical pages mm got from σ0, at consecutive page addresses of its own
// space (the frame area), with a reference count each. A frame is what mm maps to clients;
// copy-on-write shares one frame between clients until a write makes a copy, and the
// reference count tells the two cases apart.
//
// Pure logic, host-tested: memory arrives through a FrameSource (σ0 on the target, a heap
// arena in tests), and the frames' contents are reached through `data`, which on the host is
// not the address mm would put in an fpage.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace mm {

constexpr uint32_t kPageSize = 4096;
constexpr uint32_t kPageBits = 12;

// Where frames come from. grow() makes more frames usable at the frame-area address `at` or
// above it (it may skip ahead to align a larger block): the first usable address in *first,
// how many frames in *count. False: no memory left.
struct FrameSource {
    bool (*grow)(void* context, uint32_t at, uint32_t* first, uint32_t* count) = nullptr;
    void* context = nullptr;
};

class FramePool {
public:
    static constexpr uint32_t kNone = 0xFFFFFFFFu;
    // 256 MiB: more than the machines we test on have.
    static constexpr uint32_t kMaxFrames = 65536;

    // `area` is the frame area's address in mm's space, `data` where its bytes are reachable
    // (the same on the target), `frames` its size.
    void init(uint32_t area, uint8_t* data, uint32_t frames, FrameSource source);

    // A frame with one reference, zeroed if asked, or kNone when no memory is left.
    uint32_t allocate(bool zero = true);
    void ref(uint32_t frame) { ++m_refs[frame]; }
    // Drops a reference; true if it was the last (the frame is free again).
    bool unref(uint32_t frame);
    uint32_t refs(uint32_t frame) const { return m_refs[frame]; }

    uint32_t address(uint32_t frame) const { return m_area + frame * kPageSize; }
    uint8_t* data(uint32_t frame) const { return m_data + size_t{frame} * kPageSize; }
    // The frame at an address of the frame area, or kNone.
    uint32_t frame_at(uint32_t address) const;

    uint32_t in_use() const { return m_in_use; }
    uint32_t free_count() const { return m_free; }
    uint32_t backed() const { return m_in_use + m_free; }

private:
    // Free frames are a list threaded through their first word.
    uint32_t& next_of(uint32_t frame) const { return *reinterpret_cast<uint32_t*>(data(frame)); }
    bool grow();

    uint32_t m_area = 0;
    uint8_t* m_data = nullptr;
    uint32_t m_limit = 0; // frames in the area
    uint32_t m_end = 0;   // frames below this have been offered to the source
    uint32_t m_free_head = kNone;
    uint32_t m_in_use = 0, m_free = 0;
    FrameSource m_source;
    uint16_t m_refs[kMaxFrames] = {};
};

} // namespace mm
