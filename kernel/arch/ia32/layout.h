// The linear address map of DESIGN.md §4, as the ia32 code sees it.
#pragma once

#include <stdint.h>

namespace axo::ia32 {

// 0 – 3 GiB: a large space's user part. User segments of large spaces end here.
constexpr uint32_t kUserEnd = 0xC000'0000;
// 3 GiB – 3.5 GiB: the small-space area, shared by every page directory.
constexpr uint32_t kSmallSpaceBase = 0xC000'0000;
constexpr uint32_t kSmallSpaceEnd = 0xE000'0000;
// 3.5 GiB – 4 GiB: the kernel. Physical memory is direct-mapped from kKernelBase.
constexpr uint32_t kKernelBase = 0xE000'0000;
constexpr uint32_t kDirectMapSize = 448u << 20;
constexpr uint32_t kDirectMapEnd = kKernelBase + kDirectMapSize;
// Kernel-only 4 KiB mappings (temporary windows, tests) above the direct map.
constexpr uint32_t kKernelWindowBase = kDirectMapEnd;
constexpr uint32_t kKernelWindowEnd = 0xFFC0'0000;

static_assert(kDirectMapEnd <= kKernelWindowBase);
static_assert(kKernelBase % (4u << 20) == 0 && kDirectMapSize % (4u << 20) == 0);

constexpr uint32_t phys_to_virt(uint32_t phys) {
    return phys + kKernelBase;
}
constexpr uint32_t virt_to_phys(uint32_t virt) {
    return virt - kKernelBase;
}

template <class T> T* phys_ptr(uint32_t phys) {
    return reinterpret_cast<T*>(phys_to_virt(phys));
}

} // namespace axo::ia32
