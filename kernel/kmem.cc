#include "kernel/kmem.h"

#include "kernel/arch.h"
#include "kernel/lib/string.h"
#include "kernel/mapping_database.h"
#include "kernel/panic.h"

namespace axo::kmem {

namespace {
FrameAllocator* g_frames;
KernelHeap* g_heap;
ObjectCache g_map_nodes;

void* node_page_source(void*) {
    auto frame = g_frames->allocate();
    return frame.ok() ? arch::phys_to_kernel(frame.value()) : nullptr;
}
void node_page_sink(void*, void* page) {
    free_frame(arch::kernel_to_phys(page));
}
} // namespace

void init(FrameAllocator& frames, KernelHeap& heap) {
    g_frames = &frames;
    g_heap = &heap;
    g_map_nodes.init("map-nodes", sizeof(MapNode), node_page_source, node_page_sink, nullptr);
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

Result<void*> allocate_map_node() {
    return g_map_nodes.allocate();
}

void free_map_node(void* node) {
    g_map_nodes.free(node);
}

size_t objects_in_use() {
    return g_heap->in_use() + g_map_nodes.in_use();
}

size_t pages_in_use() {
    return g_heap->pages() + g_map_nodes.pages();
}

} // namespace axo::kmem
