#include <gtest/gtest.h>

#include "kernel/lib/types.h"

namespace axo {
namespace {

TEST(Types, PhysAddrAndPfnRoundTrip) {
    PhysAddr a(0x00345678);
    EXPECT_EQ(a.pfn(), Pfn(0x345));
    EXPECT_EQ(a.pfn().addr(), PhysAddr(0x00345000));
    EXPECT_EQ(a.page_offset(), 0x678u);
    EXPECT_FALSE(a.is_page_aligned());
    EXPECT_TRUE(PhysAddr(0x1000).is_page_aligned());
    EXPECT_EQ(PhysAddr(0x2000) - PhysAddr(0x1000), 0x1000u);
    EXPECT_LT(PhysAddr(1), PhysAddr(2));
    EXPECT_EQ(Pfn(0xFFFFF).addr(), PhysAddr(0xFFFFF000));
}

TEST(Types, AlignHelpers) {
    EXPECT_EQ(align_up(0u, kPageSize), 0u);
    EXPECT_EQ(align_up(1u, kPageSize), 0x1000u);
    EXPECT_EQ(align_down(0x1FFFu, kPageSize), 0x1000u);
    EXPECT_TRUE(is_aligned(0x400000u, kSuperPageSize));
    EXPECT_EQ(align_up(uint64_t{0xFFFFFFFF}, kPageSize), uint64_t{1} << 32);
    EXPECT_EQ(align_up(PhysAddr(0x1001), kPageSize), PhysAddr(0x2000));
    EXPECT_EQ(align_down(VirtAddr(0xC0001234), kPageSize), VirtAddr(0xC0001000));
    EXPECT_TRUE(is_power_of_two(4096));
    EXPECT_FALSE(is_power_of_two(0));
    EXPECT_FALSE(is_power_of_two(12));
}

} // namespace
} // namespace axo
