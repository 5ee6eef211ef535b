// kernel/elf.cc on untrusted bytes: an accepted image satisfies every promise of elf.h, and
// its segments' file bytes are inside the input (ASan checks them by reading them).
#include <string.h>

#include "kernel/elf.h"
#include "tests/fuzz/fuzz_input.h"

namespace {
constexpr uint32_t kUserLimit = 0xC0000000u;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    axo::elf::Image image;
    memset(&image, 0xA5, sizeof image);
    const char* why = "not set";
    auto result = axo::elf::parse(data, size, kUserLimit, image, &why);
    if (!result) {
        FUZZ_CHECK(why != nullptr && why[0] != '\0');
        return 0;
    }
    FUZZ_CHECK(why == nullptr);
    FUZZ_CHECK(image.segment_count >= 1 && image.segment_count <= axo::elf::kMaxSegments);
    bool entry_ok = false;
    unsigned sum = 0;
    for (size_t i = 0; i < image.segment_count; ++i) {
        const axo::elf::Segment& s = image.segments[i];
        FUZZ_CHECK(s.memsz > 0 && s.filesz <= s.memsz);
        FUZZ_CHECK(s.vaddr >= axo::elf::kMinVaddr);
        FUZZ_CHECK(uint64_t{s.vaddr} + s.memsz <= kUserLimit);
        FUZZ_CHECK(uint64_t{s.offset} + s.filesz <= size);
        FUZZ_CHECK((s.vaddr - s.offset) % 4096 == 0);
        for (uint32_t b = 0; b < s.filesz; ++b) // what the loader copies
            sum += data[s.offset + b];
        for (size_t j = 0; j < i; ++j) {
            const axo::elf::Segment& o = image.segments[j];
            FUZZ_CHECK(uint64_t{s.vaddr} + s.memsz <= o.vaddr ||
                       uint64_t{o.vaddr} + o.memsz <= s.vaddr);
        }
        if (s.executable && image.entry >= s.vaddr && image.entry - s.vaddr < s.memsz)
            entry_ok = true;
    }
    FUZZ_CHECK(entry_ok);
    asm volatile("" : : "r"(sum));
    return 0;
}
