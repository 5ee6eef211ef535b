#include "frame_pool.h"

namespace sigma0 {

namespace {

constexpr uint64_t kPageMask = FramePool::kPageSize - 1;

uint64_t end_of(const axo_kip_memory_t& d) {
    return uint64_t{d.base} + d.size;
}
uint64_t page_down(uint64_t a) {
    return a & ~kPageMask;
}
uint64_t page_up(uint64_t a) {
    return (a + kPageMask) & ~kPageMask;
}
uint64_t min64(uint64_t a, uint64_t b) {
    return a < b ? a : b;
}
uint64_t max64(uint64_t a, uint64_t b) {
    return a > b ? a : b;
}

} // namespace

void FramePool::init(const axo_kip_memory_t* memory, uint32_t count) {
    m_memory_count = count < AXO_KIP_MAX_MEMORY ? count : AXO_KIP_MAX_MEMORY;
    for (uint32_t i = 0; i < m_memory_count; ++i)
        m_memory[i] = memory[i];

    for (uint32_t f = 0; f < kFrames; ++f)
        m_owner[f] = kNotConventional;
    // Whole pages of conventional memory first (rounded inward) ...
    m_ignored_bytes = 0;
    for (uint32_t i = 0; i < m_memory_count; ++i) {
        const axo_kip_memory_t& d = m_memory[i];
        if (d.type != AXO_MEMORY_CONVENTIONAL) continue;
        uint64_t first = page_up(d.base), last = page_down(end_of(d));
        if (last > kManagedBytes) {
            m_ignored_bytes += last - max64(first, kManagedBytes);
            last = kManagedBytes;
        }
        for (uint64_t a = first; a < last; a += kPageSize)
            m_owner[a >> kPageBits] = kNobody;
    }
    // ... then every page another descriptor touches (rounded outward) is not σ0's.
    for (uint32_t i = 0; i < m_memory_count; ++i) {
        const axo_kip_memory_t& d = m_memory[i];
        if (d.type == AXO_MEMORY_CONVENTIONAL) continue;
        uint64_t first = page_down(d.base), last = min64(page_up(end_of(d)), kManagedBytes);
        for (uint64_t a = first; a < last; a += kPageSize)
            m_owner[a >> kPageBits] = kNotConventional;
    }
    // A zero physical address means "none" in too many places to ever hand it out.
    m_owner[0] = kNotConventional;

    m_free_frames = 0;
    for (uint32_t w = 0; w < kWords; ++w)
        m_free_bits[w] = 0;
    for (uint32_t f = 0; f < kFrames; ++f) {
        if (m_owner[f] != kNobody) continue;
        m_free_bits[f / 32] |= 1u << (f % 32);
        ++m_free_frames;
    }
    m_total_frames = m_free_frames;
    m_low_word = 0;
}

bool FramePool::touches(uint32_t type, uint64_t first, uint64_t last) const {
    for (uint32_t i = 0; i < m_memory_count; ++i) {
        const axo_kip_memory_t& d = m_memory[i];
        if (d.type == type && d.size != 0 && page_down(d.base) < last && page_up(end_of(d)) > first)
            return true;
    }
    return false;
}

bool FramePool::find_free(uint32_t frames, uint32_t* frame) const {
    if (frames >= 32) {
        // Whole words, the first one aligned to the block.
        uint32_t words = frames / 32;
        for (uint32_t w = m_low_word & ~(words - 1); w + words <= kWords; w += words) {
            uint32_t k = 0;
            while (k < words && m_free_bits[w + k] == ~0u)
                ++k;
            if (k == words) {
                *frame = w * 32;
                return true;
            }
        }
        return false;
    }
    // Aligned groups of bits inside a word.
    uint32_t group = (1u << frames) - 1;
    for (uint32_t w = m_low_word; w < kWords; ++w) {
        uint32_t bits = m_free_bits[w];
        if (bits == 0) continue;
        for (uint32_t shift = 0; shift < 32; shift += frames) {
            if (((bits >> shift) & group) == group) {
                *frame = w * 32 + shift;
                return true;
            }
        }
    }
    return false;
}

void FramePool::take(uint32_t frame, Owner owner) {
    m_owner[frame] = owner;
    m_free_bits[frame / 32] &= ~(1u << (frame % 32));
    --m_free_frames;
    while (m_low_word < kWords && m_free_bits[m_low_word] == 0)
        ++m_low_word;
}

Status FramePool::allocate(Owner owner, uint32_t log2, uint32_t* base) {
    if (owner == kNobody || owner == kNotConventional || log2 < kMinAllocateLog2 ||
        log2 > kMaxAllocateLog2)
        return kSigma0ErrorBadRequest;
    uint32_t frames = 1u << (log2 - kPageBits);
    uint32_t first = 0;
    if (!find_free(frames, &first)) return kSigma0ErrorNoMemory;
    for (uint32_t f = first; f < first + frames; ++f)
        take(f, owner);
    *base = first << kPageBits;
    return kSigma0Ok;
}

Status FramePool::claim(Owner owner, uint32_t base, uint32_t log2) {
    if (owner == kNobody || owner == kNotConventional || log2 < kPageBits || log2 > 32 ||
        (uint64_t{base} & ((uint64_t{1} << log2) - 1)) != 0)
        return kSigma0ErrorBadRequest;
    uint64_t first = base, last = first + (uint64_t{1} << log2);
    // The kernel's pages, except those of boot modules: the kernel keeps them in its own
    // memory but they are anybody's to read.
    for (uint32_t i = 0; i < m_memory_count; ++i) {
        const axo_kip_memory_t& d = m_memory[i];
        if (d.type != AXO_MEMORY_KERNEL || d.size == 0) continue;
        uint64_t lo = max64(first, page_down(d.base)), hi = min64(last, page_up(end_of(d)));
        for (uint64_t a = lo; a < hi; a += kPageSize)
            if (!touches(AXO_MEMORY_BOOT_MODULE, a, a + kPageSize)) return kSigma0ErrorNoPermission;
    }
    // Conventional memory σ0 does not manage: it cannot promise it to one client only.
    if (last > kManagedBytes) {
        for (uint32_t i = 0; i < m_memory_count; ++i) {
            const axo_kip_memory_t& d = m_memory[i];
            if (d.type != AXO_MEMORY_CONVENTIONAL) continue;
            uint64_t lo = max64(max64(d.base, kManagedBytes), first);
            uint64_t hi = min64(end_of(d), last);
            if (lo < hi) return kSigma0ErrorNoPermission;
        }
    }
    uint32_t first_frame = static_cast<uint32_t>(first >> kPageBits);
    uint32_t last_frame = static_cast<uint32_t>(min64(last, kManagedBytes) >> kPageBits);
    for (uint32_t f = first_frame; f < last_frame; ++f) {
        Owner o = m_owner[f];
        if (o != kNobody && o != kNotConventional && o != owner) return kSigma0ErrorTaken;
    }
    for (uint32_t f = first_frame; f < last_frame; ++f)
        if (m_owner[f] == kNobody) take(f, owner);
    return kSigma0Ok;
}

} // namespace sigma0
