// The physical memory σ0 hands out, from the KIP's memory descriptors: an owner byte per
// frame (free, a client, or not σ0's conventional memory) and a free bitmap to find naturally
// aligned runs quickly. Plain logic without syscalls, unit-tested on the host
// (tests/unit/sigma0_frame_pool_test.cc).
//
// Classification of a physical page, by the descriptors that touch it (whole pages):
//   boot module (AXO_MEMORY_BOOT_MODULE)  shared, even inside the kernel's memory, where the
//                                         boot loader put it;
//   kernel (AXO_MEMORY_KERNEL)            never handed out;
//   conventional and nothing else         σ0's own: to one client only;
//   reserved, unlisted                    shared: firmware, device memory.
// Shared memory is not σ0's to allocate: not recorded, mappable by every client. A page in
// a conventional descriptor that another descriptor also touches is not σ0's either.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "axolotl/kip.h"
#include "interfaces/sigma0/protocol.h"
#include "ownership.h"

namespace sigma0 {

class FramePool {
public:
    static constexpr uint32_t kPageBits = 12;
    static constexpr uint32_t kPageSize = 1u << kPageBits;
    // σ0 manages conventional memory below 448 MiB: 114688 frames, a 14 KiB bitmap and a
    // 112 KiB owner table in its .bss. Conventional memory above it is never handed out
    // (ignored_bytes() says how much).
    static constexpr uint64_t kManagedBytes = uint64_t{448} << 20;
    static constexpr uint32_t kFrames = static_cast<uint32_t>(kManagedBytes >> kPageBits);
    static constexpr uint32_t kMinAllocateLog2 = 12;
    static constexpr uint32_t kMaxAllocateLog2 = 22;

    // Owner byte of a frame that is not σ0's conventional memory.
    static constexpr Owner kNotConventional = 0xFF;
    static_assert(kMaxClients < kNotConventional);

    // Reads up to AXO_KIP_MAX_MEMORY descriptors (copied: the pool does not keep the pointer).
    void init(const axo_kip_memory_t* memory, uint32_t count);

    // Claims a free block of 2^log2 bytes (kMinAllocateLog2..kMaxAllocateLog2), aligned to its
    // size, for `owner`: the lowest one that fits. Every call gives a new block.
    // kSigma0ErrorBadRequest for a size out of range, kSigma0ErrorNoMemory if none is free.
    Status allocate(Owner owner, uint32_t log2, uint32_t* base);

    // Claims [base, base + 2^log2) for `owner` (base aligned to 2^log2, 12 <= log2 <= 32):
    // free conventional frames become the owner's, frames the owner holds stay so, shared
    // memory is not recorded. Nothing changes on an error: kSigma0ErrorNoPermission if any
    // page is the kernel's (and not a boot module's) or conventional memory above
    // kManagedBytes,
    // kSigma0ErrorTaken if another client holds one.
    Status claim(Owner owner, uint32_t base, uint32_t log2);

    // kNobody (free), a client, or kNotConventional; kNotConventional beyond kFrames.
    Owner owner_of(uint32_t frame) const {
        return frame < kFrames ? m_owner[frame] : kNotConventional;
    }
    uint64_t free_bytes() const { return uint64_t{m_free_frames} << kPageBits; }
    uint64_t total_bytes() const { return uint64_t{m_total_frames} << kPageBits; }
    uint64_t ignored_bytes() const { return m_ignored_bytes; }

private:
    static constexpr uint32_t kWords = kFrames / 32;
    static_assert(kFrames % 32 == 0);

    // Whether [first, last) (bytes) touches a descriptor of `type` (pages rounded outward).
    bool touches(uint32_t type, uint64_t first, uint64_t last) const;
    bool find_free(uint32_t frames, uint32_t* frame) const;
    void take(uint32_t frame, Owner owner);

    axo_kip_memory_t m_memory[AXO_KIP_MAX_MEMORY] = {};
    uint32_t m_memory_count = 0;
    uint32_t m_free_bits[kWords] = {}; // 1 = free
    Owner m_owner[kFrames] = {};
    uint32_t m_free_frames = 0;
    uint32_t m_total_frames = 0;
    uint64_t m_ignored_bytes = 0;
    // Every bitmap word below this is zero: blocks are never given back, so the lowest free
    // frame only moves up.
    uint32_t m_low_word = 0;
};

} // namespace sigma0
