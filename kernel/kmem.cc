#include "kernel/kmem.h"

#include "kernel/arch.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"

namespace axo::kmem {

namespace {
FrameAllocator* g_frames;
KernelHeap* g_heap;
} // namespace

void init(FrameAllocator& frames, KernelHeap& heap) {
    g_frames = &frames;
    g_heap = &heap;
}

FrameAllocator& frames() {
    return *g_frames;
}

KernelHeap& heap() {
    return *g_heap;
}

Result<PhysAddr> allocate_frame() {
    PhysAddr frame = TRY(g_frames->allocate());
    memset(arch::phys_to_kernel(frame), 0, kPageSize);
    return frame;
}

void free_frame(PhysAddr frame) {
    if (!g_frames->free(frame).ok()) panic("kmem: freeing frame %08x twice", frame.raw());
}

Result<void*> allocate_block(size_t count) {
    PhysAddr base = TRY(g_frames->allocate_contiguous(count, count));
    void* block = arch::phys_to_kernel(base);
    memset(block, 0, count * kPageSize);
    return block;
}

void free_block(void* block, size_t count) {
    if (!g_frames->free_contiguous(arch::kernel_to_phys(block), count).ok()) {
        panic("kmem: bad block free %p", block);
    }
}

Result<void*> allocate(size_t size) {
    return g_heap->allocate(size);
}

void free(void* object, size_t size) {
    g_heap->free(object, size);
}

} // namespace axo::kmem
