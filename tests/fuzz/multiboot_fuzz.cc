// kernel/multiboot.cc on an untrusted boot loader: the input is physical memory from
// kPhysBase on, the boot information structure at its start; every pointer in it is
// followed through the reader, which refuses anything outside the input. An accepted
// structure becomes a BootInfo that keeps every promise of multiboot.h.
#include <string.h>

#include "kernel/multiboot.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

constexpr uint32_t kPhysBase = 0x10000;

struct Memory {
    const uint8_t* data;
    size_t size;
};

const void* read_phys(void* ctx, uint32_t phys, uint32_t length) {
    auto* memory = static_cast<Memory*>(ctx);
    if (phys < kPhysBase) return nullptr;
    uint64_t offset = phys - kPhysBase;
    if (offset + length > memory->size) return nullptr;
    return memory->data + offset;
}

bool terminated(const char* text, size_t capacity) {
    return memchr(text, 0, capacity) != nullptr;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace axo::multiboot;
    Memory memory{data, size};
    static BootInfo info; // 4 KiB+: not on the stack of every run
    const char* why = nullptr;
    auto result = parse(kBootloaderMagic, kPhysBase, &read_phys, &memory, info, &why);
    if (!result) {
        FUZZ_CHECK(why != nullptr && why[0] != '\0');
        return 0;
    }
    FUZZ_CHECK(terminated(info.cmdline, sizeof info.cmdline));
    FUZZ_CHECK(info.region_count >= 1 && info.region_count <= kMaxRegions);
    uint64_t usable = 0;
    for (size_t i = 0; i < info.region_count; ++i) {
        const MemoryRegion& r = info.regions[i];
        FUZZ_CHECK(r.length > 0);
        FUZZ_CHECK(r.base + r.length <= (uint64_t{1} << 32));
        if (r.usable) usable += r.length;
        if (i > 0) {
            const MemoryRegion& p = info.regions[i - 1];
            FUZZ_CHECK(p.base + p.length <= r.base);                        // sorted, disjoint
            FUZZ_CHECK(p.base + p.length < r.base || p.usable != r.usable); // merged
        }
    }
    FUZZ_CHECK(usable == info.usable_bytes && usable > 0);
    FUZZ_CHECK(info.module_count <= kMaxModules);
    for (size_t i = 0; i < info.module_count; ++i) {
        const Module& m = info.modules[i];
        FUZZ_CHECK(m.end > m.start);
        FUZZ_CHECK(m.page_aligned == ((m.start & 0xFFF) == 0));
        FUZZ_CHECK(terminated(m.cmdline, sizeof m.cmdline));
        for (size_t j = 0; j < i; ++j)
            FUZZ_CHECK(m.end <= info.modules[j].start || info.modules[j].end <= m.start);
    }
    return 0;
}
