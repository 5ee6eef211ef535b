// Slot allocation in the small-space area and its layout arithmetic.
#include <gtest/gtest.h>

#include "kernel/small_space_slots.h"

namespace axo {
namespace {

TEST(SmallSpaceSlots, LayoutCoversThreeToThreeAndAHalfGiB) {
    EXPECT_EQ(SmallSpaceSlots::kAreaBase, 0xC0000000u);
    EXPECT_EQ(SmallSpaceSlots::kAreaBase + SmallSpaceSlots::kBlocks * SmallSpaceSlots::kBlockSize,
              0xE0000000u);
}

TEST(SmallSpaceSlots, FirstFitAndFree) {
    SmallSpaceSlots slots;
    uint32_t a = slots.allocate(1), b = slots.allocate(2), c = slots.allocate(1);
    EXPECT_EQ(a, 0xC0000000u);
    EXPECT_EQ(b, 0xC0400000u);
    EXPECT_EQ(c, 0xC0C00000u);
    slots.free(b, 2);
    EXPECT_EQ(slots.allocate(1), 0xC0400000u) << "the hole is reused";
    EXPECT_EQ(slots.allocate(2), 0xC1000000u) << "a 1-block hole does not fit 2 blocks";
    EXPECT_EQ(slots.free_blocks(), SmallSpaceSlots::kBlocks - 5);
}

TEST(SmallSpaceSlots, ExhaustionAndBadSizes) {
    SmallSpaceSlots slots;
    EXPECT_EQ(slots.allocate(0), 0u);
    EXPECT_EQ(slots.allocate(SmallSpaceSlots::kBlocks + 1), 0u);
    EXPECT_EQ(slots.allocate(SmallSpaceSlots::kBlocks), 0xC0000000u);
    EXPECT_EQ(slots.allocate(1), 0u);
    slots.free(0xC0000000u, SmallSpaceSlots::kBlocks);
    EXPECT_EQ(slots.free_blocks(), SmallSpaceSlots::kBlocks);
}

TEST(SmallSpaceSlots, FreeingForeignAddressesIsHarmless) {
    SmallSpaceSlots slots;
    slots.allocate(3);
    slots.free(0x1000, 5);       // below the area
    slots.free(0xDFC00000u, 10); // runs past the end: clipped
    EXPECT_EQ(slots.free_blocks(), SmallSpaceSlots::kBlocks - 3);
}

} // namespace
} // namespace axo
