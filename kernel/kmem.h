// Kernel memory: frames and objects for kernel data structures, on top of the boot-time
// frame allocator and kernel heap. Every allocation can fail with Error::out_of_memory;
// callers pass that on to user space as an error code.
#pragma once

#include <stddef.h>

#include "kernel/frame_allocator.h"
#include "kernel/lib/result.h"
#include "kernel/object_allocator.h"

namespace axo::kmem {

void init(FrameAllocator& frames, KernelHeap& heap);
FrameAllocator& frames();
KernelHeap& heap();

// A zeroed frame, by physical address.
Result<PhysAddr> allocate_frame();
void free_frame(PhysAddr frame);
// `count` zeroed contiguous frames aligned to their size (count a power of two); a kernel
// pointer into the direct map.
Result<void*> allocate_block(size_t count);
void free_block(void* block, size_t count);

// A zeroed object from the kernel heap.
Result<void*> allocate(size_t size);
void free(void* object, size_t size);

// A zeroed mapping-database node, from a slab of its own: every mapping allocates one, and
// the heap would first find its size class. Counted with the heap's objects and pages
// (objects_in_use, pages_in_use: AXO_DEBUG_OBJECTS).
Result<void*> allocate_map_node();
void free_map_node(void* node);
size_t objects_in_use();
size_t pages_in_use();

} // namespace axo::kmem
