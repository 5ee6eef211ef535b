#include <gtest/gtest.h>

#include "kernel/arch/ia32/page_table.h"

namespace axo::ia32 {
namespace {

TEST(PageTable, PteEncoding) {
    Pte pte = Pte::make(PhysAddr(0x00ABC000), kPresent | kWritable | kUser);
    EXPECT_EQ(pte.raw(), 0x00ABC007u);
    EXPECT_TRUE(pte.present());
    EXPECT_TRUE(pte.writable());
    EXPECT_TRUE(pte.user());
    EXPECT_FALSE(pte.dirty());
    EXPECT_EQ(pte.frame(), PhysAddr(0x00ABC000));
    EXPECT_EQ(pte.flags(), 7u);
    EXPECT_EQ(pte.with_flags(kPresent).raw(), 0x00ABC001u);
}

TEST(PageTable, PteDropsOffsetAndHighFlagBits) {
    Pte pte = Pte::make(PhysAddr(0x12345678), kPresent | 0x10000u);
    EXPECT_EQ(pte.raw(), 0x12345001u);
    EXPECT_EQ(Pte::from_raw(0x12345061).flags(), kPresent | kAccessed | kDirty);
}

TEST(PageTable, PdeTableAndSuperpage) {
    Pde table = Pde::make_table(PhysAddr(0x00123000), kPresent | kWritable | kSuperpage);
    EXPECT_FALSE(table.is_superpage()); // PS is not honoured for a table
    EXPECT_EQ(table.raw(), 0x00123003u);
    EXPECT_EQ(table.table(), PhysAddr(0x00123000));
    EXPECT_EQ(table.frame(), PhysAddr(0x00123000));

    Pde big = Pde::make_superpage(PhysAddr(0x12345678), kPresent | kWriteThrough | kCacheDisable);
    EXPECT_TRUE(big.is_superpage());
    EXPECT_TRUE(big.present());
    EXPECT_EQ(big.raw(), 0x12000099u);
    EXPECT_EQ(big.frame(), PhysAddr(0x12000000));
}

TEST(PageTable, Indices) {
    EXPECT_EQ(pd_index(VirtAddr(0)), 0u);
    EXPECT_EQ(pt_index(VirtAddr(0xFFFFFFFF)), 1023u);
    EXPECT_EQ(pd_index(VirtAddr(0xFFFFFFFF)), 1023u);
    EXPECT_EQ(pd_index(VirtAddr(0xE0000000)), 896u); // 3.5 GiB: the kernel area
    VirtAddr v = make_virt(897, 1, 0x234);
    EXPECT_EQ(v, VirtAddr(0xE0401234));
    EXPECT_EQ(pd_index(v), 897u);
    EXPECT_EQ(pt_index(v), 1u);
}

TEST(PageTable, FlagValuesMatchTheManual) {
    EXPECT_EQ(static_cast<uint32_t>(kPresent), 0x001u);
    EXPECT_EQ(static_cast<uint32_t>(kWritable), 0x002u);
    EXPECT_EQ(static_cast<uint32_t>(kUser), 0x004u);
    EXPECT_EQ(static_cast<uint32_t>(kWriteThrough), 0x008u);
    EXPECT_EQ(static_cast<uint32_t>(kCacheDisable), 0x010u);
    EXPECT_EQ(static_cast<uint32_t>(kAccessed), 0x020u);
    EXPECT_EQ(static_cast<uint32_t>(kDirty), 0x040u);
    EXPECT_EQ(static_cast<uint32_t>(kSuperpage), 0x080u);
}

} // namespace
} // namespace axo::ia32
