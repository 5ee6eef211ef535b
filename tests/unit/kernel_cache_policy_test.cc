#include <gtest/gtest.h>

#include <iterator>

#include "kernel/arch/ia32/page_table.h"
#include "kernel/cache_policy.h"

namespace axo {
namespace {

using multiboot::MemoryRegion;

// QEMU's pc machine with 128 MiB, as the Multiboot parser normalises it.
constexpr MemoryRegion kQemu[] = {
    {0x0, 0x9FC00, true},        {0x9FC00, 0x400, false},     {0xF0000, 0x10000, false},
    {0x100000, 0x7EE0000, true}, {0x7FE0000, 0x20000, false}, {0xFFFC0000, 0x40000, false},
};

CacheMode mode(uint64_t phys) {
    return cache_mode(kQemu, std::size(kQemu), phys);
}

TEST(CachePolicy, ConventionalRamIsWriteBack) {
    EXPECT_EQ(mode(0x0), CacheMode::write_back);
    EXPECT_EQ(mode(0x9E000), CacheMode::write_back);
    EXPECT_EQ(mode(0x100000), CacheMode::write_back);
    EXPECT_EQ(mode(0x1234567), CacheMode::write_back); // any address inside the frame
    EXPECT_EQ(mode(0x7FDF000), CacheMode::write_back); // the last whole frame of the region
}

TEST(CachePolicy, DeviceMemoryIsUncached) {
    EXPECT_EQ(mode(0xB8000), CacheMode::uncached);    // VGA text buffer (a hole in the map)
    EXPECT_EQ(mode(0xA0000), CacheMode::uncached);    // VGA graphics window
    EXPECT_EQ(mode(0xF0000), CacheMode::uncached);    // BIOS (reserved)
    EXPECT_EQ(mode(0xFEBC0000), CacheMode::uncached); // e1000 BAR 0 (PCI hole)
    EXPECT_EQ(mode(0xFEBC0FFF), CacheMode::uncached);
    EXPECT_EQ(mode(0xFEC00000), CacheMode::uncached); // I/O APIC
    EXPECT_EQ(mode(0xFFFFF000), CacheMode::uncached); // reset vector ROM (reserved)
    EXPECT_EQ(mode(0x7FE0000), CacheMode::uncached);  // ACPI tables (reserved)
    EXPECT_EQ(mode(0x80000000), CacheMode::uncached); // beyond RAM
}

TEST(CachePolicy, FrameOnlyPartlyUsableIsUncached) {
    // 0x9F000-0xA0000: the first 0xC00 bytes are RAM, the rest the reserved EBDA.
    EXPECT_EQ(mode(0x9F000), CacheMode::uncached);
    EXPECT_EQ(mode(0x9FFFF), CacheMode::uncached);
    // A usable region that ends mid-frame and one that starts mid-frame.
    constexpr MemoryRegion odd[] = {{0x1000, 0x1800, true}, {0x5800, 0x2800, true}};
    EXPECT_EQ(cache_mode(odd, 2, 0x1000), CacheMode::write_back);
    EXPECT_EQ(cache_mode(odd, 2, 0x2000), CacheMode::uncached);
    EXPECT_EQ(cache_mode(odd, 2, 0x5000), CacheMode::uncached);
    EXPECT_EQ(cache_mode(odd, 2, 0x6000), CacheMode::write_back);
    EXPECT_EQ(cache_mode(odd, 2, 0x7000), CacheMode::write_back);
    EXPECT_EQ(cache_mode(odd, 2, 0x8000), CacheMode::uncached);
}

TEST(CachePolicy, EmptyMapAndEdges) {
    EXPECT_EQ(cache_mode(nullptr, 0, 0x100000), CacheMode::uncached);
    constexpr MemoryRegion top[] = {{0xFFFFF000, 0x1000, true}};
    EXPECT_EQ(cache_mode(top, 1, 0xFFFFF000), CacheMode::write_back);
    EXPECT_EQ(cache_mode(top, 1, 0xFFFFE000), CacheMode::uncached);
    constexpr MemoryRegion tiny[] = {{0x3000, 0xFFF, true}};
    EXPECT_EQ(cache_mode(tiny, 1, 0x3000), CacheMode::uncached);
    // Above 4 GiB (PAE memory the kernel never maps) is still decided by the map.
    constexpr MemoryRegion high[] = {{0x100000000ull, 0x10000000ull, true}};
    EXPECT_EQ(cache_mode(high, 1, 0x100000000ull), CacheMode::write_back);
    EXPECT_EQ(cache_mode(high, 1, 0x0), CacheMode::uncached);
}

static_assert(cache_mode(kQemu, std::size(kQemu), 0xB8000) == CacheMode::uncached);
static_assert(cache_mode(kQemu, std::size(kQemu), 0x200000) == CacheMode::write_back);

// The precomputed policy the kernel uses agrees with the decision, frame by frame, whatever
// order the frames come in (it remembers the range that matched last).
void expect_policy_agrees(const MemoryRegion* regions, size_t count) {
    CachePolicy policy(regions, count);
    uint32_t probes[] = {0x0,       0x1000,    0x9E000,    0x9F000,   0xA0000,
                         0xB8000,   0xFF000,   0x100000,   0x101000,  0x7FDF000,
                         0x7FE0000, 0x8000000, 0xFEBC0000, 0xFFFFF000};
    for (int pass = 0; pass < 2; ++pass) {
        for (uint32_t p : probes) {
            EXPECT_EQ(policy.mode(p), cache_mode(regions, count, p)) << std::hex << p;
            EXPECT_EQ(policy.mode(p + 0xFFF), cache_mode(regions, count, p)) << std::hex << p;
        }
    }
    for (uint64_t p = 0; p < (uint64_t{1} << 32); p += 0x3F000 + 0x1000 * (p % 7)) {
        EXPECT_EQ(policy.mode(static_cast<uint32_t>(p)), cache_mode(regions, count, p))
            << std::hex << p;
    }
}

TEST(CachePolicy, PrecomputedPolicyAgrees) {
    expect_policy_agrees(kQemu, std::size(kQemu));
    constexpr MemoryRegion odd[] = {
        {0x1000, 0x1800, true}, {0x5800, 0x2800, true}, {0xFFFFE000, 0x2000, true}};
    expect_policy_agrees(odd, std::size(odd));
    constexpr MemoryRegion crossing4g[] = {{0xFFFF0000, 0x20000, true},
                                           {0x100010000ull, 0x1000, true}};
    expect_policy_agrees(crossing4g, std::size(crossing4g));
    expect_policy_agrees(nullptr, 0);
    CachePolicy none;
    EXPECT_EQ(none.mode(0x100000), CacheMode::uncached);
}

TEST(CachePolicy, PrecomputedPolicyAlternatingRegions) {
    CachePolicy policy(kQemu, std::size(kQemu));
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(policy.mode(0x2000), CacheMode::write_back);
        EXPECT_EQ(policy.mode(0x200000), CacheMode::write_back);
        EXPECT_EQ(policy.mode(0xB8000), CacheMode::uncached);
        EXPECT_EQ(policy.mode(0x9F000), CacheMode::uncached);
    }
}

TEST(CachePolicy, UncachedPteBits) {
    using namespace ia32;
    EXPECT_EQ(kUncachedBits, 0x18u); // PCD (bit 4) | PWT (bit 3)
    Pte device = Pte::make(PhysAddr(0xFEBC0000), kPresent | kWritable | kUser | kUncachedBits);
    EXPECT_EQ(device.raw(), 0xFEBC001Fu);
    EXPECT_TRUE(device.uncached());
    EXPECT_FALSE(Pte::make(PhysAddr(0x200000), kPresent | kUser).uncached());
    EXPECT_FALSE(Pte::make(PhysAddr(0x200000), kPresent | kCacheDisable).uncached());
    // Changing rights keeps the cache bits (protect_user_page keeps all other flags).
    EXPECT_TRUE(device.with_flags(device.flags() & ~uint32_t{kWritable}).uncached());
}

} // namespace
} // namespace axo
