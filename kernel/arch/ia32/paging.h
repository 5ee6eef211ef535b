// The kernel's page directory: physical memory direct-mapped at kKernelBase with 4 MiB
// pages, plus 4 KiB mappings in the kernel window. Every address space will share these
// kernel entries.
#pragma once

#include "kernel/frame_allocator.h"
#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

namespace axo::ia32 {

// Builds the kernel page directory, direct-mapping [0, ram_top) (clipped to the direct-map
// size), switches to it and thereby drops the boot identity mapping.
Result<void> init_kernel_paging(FrameAllocator& frames, uint64_t ram_top);

PhysAddr kernel_page_directory();

// 4 KiB kernel-only mappings inside [kKernelWindowBase, kKernelWindowEnd).
Result<void> map_kernel_page(VirtAddr virt, PhysAddr phys, bool writable);
Result<void> unmap_kernel_page(VirtAddr virt);
// Points an existing kernel-window page at another frame (and flushes its TLB entry).
void remap_kernel_page(VirtAddr virt, PhysAddr phys, bool writable);
// The physical address `virt` maps to in the kernel page directory, if any.
Result<PhysAddr> translate_kernel(VirtAddr virt);

} // namespace axo::ia32
