#include "kernel/arch/ia32/cpu.h"

#include "kernel/console.h"

namespace axo::ia32 {

namespace {

constexpr uint32_t kEflagsId = 1u << 21;

// CPUID exists iff software can flip EFLAGS.ID (a 486 without it cannot).
bool cpuid_supported() {
    uint32_t before, after;
    asm volatile("pushfl\n\t"
                 "pushfl\n\t"
                 "popl %0\n\t"
                 "movl %0, %1\n\t"
                 "xorl %2, %1\n\t"
                 "pushl %1\n\t"
                 "popfl\n\t"
                 "pushfl\n\t"
                 "popl %1\n\t"
                 "popfl"
                 : "=&r"(before), "=&r"(after)
                 : "i"(kEflagsId));
    return ((before ^ after) & kEflagsId) != 0;
}

void cpuid(uint32_t leaf, uint32_t& a, uint32_t& b, uint32_t& c, uint32_t& d) {
    asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(0));
}

const char* const kFeatureNames[32] = {
    "fpu",  "vme",  "de",   "pse", "tsc",  "msr", "pae",   "mce", "cx8",     "apic",  nullptr,
    "sep",  "mtrr", "pge",  "mca", "cmov", "pat", "pse36", "psn", "clflush", nullptr, "ds",
    "acpi", "mmx",  "fxsr", "sse", "sse2", "ss",  "htt",   "tm",  nullptr,   "pbe",
};

} // namespace

CpuInfo identify_cpu() {
    CpuInfo info{};
    info.has_cpuid = cpuid_supported();
    if (!info.has_cpuid) return info;
    uint32_t a, b, c, d;
    cpuid(0, a, b, c, d);
    uint32_t vendor[3] = {b, d, c};
    __builtin_memcpy(info.vendor, vendor, 12);
    info.vendor[12] = 0;
    if (a >= 1) {
        cpuid(1, a, b, c, d);
        info.stepping = a & 0xF;
        info.model = (a >> 4) & 0xF;
        info.family = (a >> 8) & 0xF;
        info.features = d;
    }
    return info;
}

void log_cpu(const CpuInfo& info) {
    if (!info.has_cpuid) {
        kprintf("cpu: no CPUID (pre-Pentium CPU)\n");
        return;
    }
    kprintf("cpu: %s family %u model %u stepping %u\n", info.vendor, info.family, info.model,
            info.stepping);
    kprintf("cpu: features:");
    for (uint32_t bit = 0; bit < 32; ++bit) {
        if ((info.features & (1u << bit)) && kFeatureNames[bit]) kprintf(" %s", kFeatureNames[bit]);
    }
    kprintf("\n");
}

} // namespace axo::ia32
