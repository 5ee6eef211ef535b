// IA-32 two-level paging entries (Intel SDM vol. 3, "32-bit paging"), without PAE. Pure
// constexpr so the encodings are checked at compile time and in host unit tests.
//
// There is no Global bit: the Pentium has no PGE (that came with the P6); kernel mappings are
// simply re-established by sharing page tables.
//
// The PS bit is called kSuperpage here so that it cannot shadow axo::kPageSize (4096).
#pragma once

#include <stdint.h>

#include "kernel/lib/types.h"

namespace axo::ia32 {

enum PageFlags : uint32_t {
    kPresent = 1u << 0,
    kWritable = 1u << 1,
    kUser = 1u << 2,
    kWriteThrough = 1u << 3,
    kCacheDisable = 1u << 4,
    kAccessed = 1u << 5,
    kDirty = 1u << 6,     // PTE, and PDE of a 4 MiB page
    kSuperpage = 1u << 7, // PDE: maps a 4 MiB page (the PS bit, PSE)
};

// Uncached (UC) without PAT: cache disable and write-through together (SDM vol. 3, 11.5.2.1).
constexpr uint32_t kUncachedBits = kCacheDisable | kWriteThrough;

constexpr uint32_t kEntriesPerTable = 1024;
constexpr uint32_t kFlagMask = 0xFFF;             // bits 0-11: flags and the ignored/AVL bits
constexpr uint32_t kFrameMask = ~kFlagMask;       // 4 KiB frame of a PTE or of a page table
constexpr uint32_t kSuperFrameMask = 0xFFC00000u; // 4 MiB frame of a superpage PDE

constexpr uint32_t pd_index(VirtAddr v) {
    return v.raw() >> 22;
}
constexpr uint32_t pt_index(VirtAddr v) {
    return (v.raw() >> 12) & (kEntriesPerTable - 1);
}
constexpr VirtAddr make_virt(uint32_t pd, uint32_t pt, uint32_t offset = 0) {
    return VirtAddr((pd << 22) | (pt << 12) | offset);
}

class Pte {
public:
    constexpr Pte() = default;
    constexpr static Pte from_raw(uint32_t raw) { return Pte(raw); }
    // Bits of `frame` below 4 KiB and flag bits above bit 11 are dropped.
    constexpr static Pte make(PhysAddr frame, uint32_t flags) {
        return Pte((frame.raw() & kFrameMask) | (flags & kFlagMask));
    }

    constexpr bool present() const { return m_raw & kPresent; }
    constexpr bool writable() const { return m_raw & kWritable; }
    constexpr bool user() const { return m_raw & kUser; }
    constexpr bool accessed() const { return m_raw & kAccessed; }
    constexpr bool dirty() const { return m_raw & kDirty; }
    constexpr bool uncached() const { return (m_raw & kUncachedBits) == kUncachedBits; }
    constexpr PhysAddr frame() const { return PhysAddr(m_raw & kFrameMask); }
    constexpr uint32_t flags() const { return m_raw & kFlagMask; }
    constexpr uint32_t raw() const { return m_raw; }

    constexpr Pte with_flags(uint32_t flags) const { return make(frame(), flags); }
    constexpr bool operator==(const Pte&) const = default;

private:
    constexpr explicit Pte(uint32_t raw) : m_raw(raw) {}
    uint32_t m_raw = 0;
};

class Pde {
public:
    constexpr Pde() = default;
    constexpr static Pde from_raw(uint32_t raw) { return Pde(raw); }
    // Points at a page table; kSuperpage in `flags` is ignored.
    constexpr static Pde make_table(PhysAddr table, uint32_t flags) {
        return Pde((table.raw() & kFrameMask) | (flags & kFlagMask & ~uint32_t{kSuperpage}));
    }
    // Maps a 4 MiB page; bits of `base4m` below 4 MiB are dropped.
    constexpr static Pde make_superpage(PhysAddr base4m, uint32_t flags) {
        return Pde((base4m.raw() & kSuperFrameMask) | (flags & kFlagMask) | kSuperpage);
    }

    constexpr bool present() const { return m_raw & kPresent; }
    constexpr bool writable() const { return m_raw & kWritable; }
    constexpr bool user() const { return m_raw & kUser; }
    constexpr bool is_superpage() const { return m_raw & kSuperpage; }
    // The page table's address; meaningful if !is_superpage().
    constexpr PhysAddr table() const { return PhysAddr(m_raw & kFrameMask); }
    // The 4 MiB page for a superpage, else the page table.
    constexpr PhysAddr frame() const {
        return PhysAddr(m_raw & (is_superpage() ? kSuperFrameMask : kFrameMask));
    }
    constexpr uint32_t flags() const { return m_raw & kFlagMask; }
    constexpr uint32_t raw() const { return m_raw; }

    constexpr bool operator==(const Pde&) const = default;

private:
    constexpr explicit Pde(uint32_t raw) : m_raw(raw) {}
    uint32_t m_raw = 0;
};

static_assert(sizeof(Pte) == 4 && sizeof(Pde) == 4);
static_assert(Pte::make(PhysAddr(0x00123000), kPresent | kWritable).raw() == 0x00123003);
static_assert(Pte::make(PhysAddr(0xFFFFF000), kPresent | kUser).raw() == 0xFFFFF005);
static_assert(!Pte().present() && Pte().raw() == 0);
static_assert(Pde::make_table(PhysAddr(0x00400000), kPresent | kWritable | kUser).raw() ==
              0x00400007);
static_assert(Pde::make_superpage(PhysAddr(0x00C00000), kPresent | kWritable).raw() == 0x00C00083);
static_assert(Pde::make_superpage(PhysAddr(0x00C00000), kPresent).is_superpage());
static_assert(pd_index(VirtAddr(0xC0000000)) == 768 && pt_index(VirtAddr(0xC0000000)) == 0);
static_assert(pd_index(VirtAddr(0xE0401234)) == 897 && pt_index(VirtAddr(0xE0401234)) == 1);

} // namespace axo::ia32
