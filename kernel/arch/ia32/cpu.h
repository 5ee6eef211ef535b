// CPU identification (CPUID) and the features the kernel depends on.
#pragma once

#include <stdint.h>

namespace axo::ia32 {

// CPUID leaf 1 EDX feature bits (Intel SDM vol. 2A, table 3-11).
enum CpuFeature : uint32_t {
    kFeatureFpu = 1u << 0,
    kFeaturePse = 1u << 3,
    kFeatureTsc = 1u << 4,
    kFeatureCx8 = 1u << 8,
    kFeatureSep = 1u << 11, // sysenter/sysexit (P6 and later)
    kFeaturePge = 1u << 13,
    kFeatureCmov = 1u << 15,
};

struct CpuInfo {
    bool has_cpuid;
    char vendor[13];
    uint32_t family, model, stepping;
    uint32_t features; // leaf 1 EDX
};

CpuInfo identify_cpu();
void log_cpu(const CpuInfo& info);

} // namespace axo::ia32
