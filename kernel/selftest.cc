// In-kernel self-tests of the generic allocators, on the real boot-time memory map.
#include "kernel/boot_state.h"
#include "kernel/ktest.h"

namespace axo {

namespace {

void test_frame_allocator(FrameAllocator& frames) {
    size_t before = frames.free_frames();
    ktest::check(before > 1000, "frame allocator has free memory (%zu frames)", before);

    constexpr size_t kCount = 64;
    PhysAddr got[kCount];
    bool all_ok = true, aligned = true, distinct = true;
    for (size_t i = 0; i < kCount; ++i) {
        auto frame = frames.allocate();
        all_ok &= frame.ok();
        got[i] = frame.value_or(PhysAddr());
        aligned &= got[i].is_page_aligned() && got[i].raw() != 0;
        for (size_t j = 0; j < i; ++j)
            distinct &= !(got[j] == got[i]);
    }
    ktest::check(all_ok && aligned, "allocate 64 frames, all page-aligned and non-zero");
    ktest::check(distinct, "allocated frames are distinct");
    ktest::check(frames.free_frames() == before - kCount, "free count dropped by 64");

    bool freed = true;
    for (auto frame : got)
        freed &= frames.free(frame).ok();
    ktest::check(freed && frames.free_frames() == before, "free returns every frame");
    ktest::check(frames.free(got[0]).error() == Error::invalid_argument, "double free is refused");
    ktest::check(frames.free(PhysAddr(got[0].raw() + 8)).error() == Error::invalid_argument,
                 "misaligned free is refused");

    auto block = frames.allocate_contiguous(16, 16);
    ktest::check(block.ok() && is_aligned(block.value().raw(), 16 * kPageSize),
                 "16 contiguous frames aligned to 64 KiB");
    if (block.ok()) (void)frames.free_contiguous(block.value(), 16);
    ktest::check(frames.free_frames() == before, "free count restored");
}

void test_heap(KernelHeap& heap) {
    size_t before = heap.in_use();
    void* objects[100];
    bool ok = true, zeroed = true;
    for (auto& object : objects) {
        auto r = heap.allocate(48);
        ok &= r.ok();
        object = r.value_or(nullptr);
        if (object) {
            for (size_t i = 0; i < 48; ++i)
                zeroed &= static_cast<uint8_t*>(object)[i] == 0;
            __builtin_memset(object, 0xA5, 48);
        }
    }
    ktest::check(ok, "kernel heap: 100 objects of 48 bytes");
    ktest::check(zeroed, "kernel heap: objects come zeroed");
    for (auto object : objects)
        heap.free(object, 48);
    ktest::check(heap.in_use() == before, "kernel heap: all objects freed");
}

} // namespace

void run_generic_selftests(BootState& boot) {
    test_frame_allocator(boot.frames);
    test_heap(boot.heap);
}

} // namespace axo
