// Who owns physical memory. At boot the kernel keeps a pool of low memory for its own
// objects (TCBs, page tables, mapping nodes); all conventional memory above it belongs to
// σ0, which hands it out by map items. The kernel checks every σ0 map item against this.
#pragma once

#include <stdint.h>

#include "axolotl/kip.h"
#include "kernel/cache_policy.h"
#include "kernel/frame_allocator.h"
#include "kernel/multiboot.h"

namespace axo::physmem {

// Splits memory: the frame allocator keeps [0, pool_end) (its usable parts), σ0 gets the
// rest. `image_start`/`image_end` bound the kernel image.
void init(const multiboot::BootInfo& boot, FrameAllocator& frames, uint32_t image_start,
          uint32_t image_end);

uint32_t pool_end();
// Whether σ0 may map this physical page to a client: σ0's conventional memory, boot
// modules, and memory that is not RAM (devices, firmware); never the kernel's.
bool sigma0_may_map(uint32_t phys);
// Whether σ0 may give this I/O port: all but the kernel's own devices (the interrupt
// controllers and the timer), which a driver must never reprogram.
bool sigma0_may_map_port(uint32_t port);
// How user mappings of the frame at `phys` are cached (kernel/cache_policy.h): write-back
// for conventional RAM, uncached for device memory and everything else outside the memory
// map's usable regions. Every user page-table entry follows it (arch::map_user_page).
CacheMode cache_mode(uint32_t phys);
// Fills the KIP's memory descriptors.
void describe(axo_kip_t* kip);

} // namespace axo::physmem
