#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "kernel/frame_allocator.h"

namespace axo {
namespace {

class FrameAllocatorTest : public ::testing::Test {
protected:
    void SetUp() override { init(256); }
    void init(size_t frames) {
        m_bitmap.assign(FrameAllocator::bitmap_words(frames), 0);
        m_alloc.init(m_bitmap.data(), frames);
    }
    static PhysAddr frame(uint32_t n) { return Pfn(n).addr(); }

    std::vector<uint32_t> m_bitmap;
    FrameAllocator m_alloc;
};

TEST_F(FrameAllocatorTest, BitmapWords) {
    EXPECT_EQ(FrameAllocator::bitmap_words(0), 0u);
    EXPECT_EQ(FrameAllocator::bitmap_words(1), 1u);
    EXPECT_EQ(FrameAllocator::bitmap_words(32), 1u);
    EXPECT_EQ(FrameAllocator::bitmap_words(33), 2u);
    EXPECT_EQ(FrameAllocator::bitmap_words(1u << 20), 32768u); // 4 GiB of frames
}

TEST_F(FrameAllocatorTest, StartsFullyUsed) {
    EXPECT_EQ(m_alloc.free_frames(), 0u);
    EXPECT_EQ(m_alloc.total_frames(), 256u);
    EXPECT_EQ(m_alloc.allocate().error(), Error::out_of_memory);
}

TEST_F(FrameAllocatorTest, AddFreeAlignsInward) {
    m_alloc.add_free(PhysAddr(0x1800), 0x3000); // [0x1800, 0x4800): whole pages 2 and 3
    EXPECT_EQ(m_alloc.free_frames(), 2u);
    EXPECT_FALSE(m_alloc.is_free(frame(1)));
    EXPECT_TRUE(m_alloc.is_free(frame(2)));
    EXPECT_TRUE(m_alloc.is_free(frame(3)));
    EXPECT_FALSE(m_alloc.is_free(frame(4)));
    m_alloc.add_free(PhysAddr(0x10100), 0xF00); // no whole page
    EXPECT_EQ(m_alloc.free_frames(), 2u);
    m_alloc.add_free(PhysAddr(0x2000), 0x1000); // already free: no double count
    EXPECT_EQ(m_alloc.free_frames(), 2u);
}

TEST_F(FrameAllocatorTest, AddFreeClipsToManagedRange) {
    m_alloc.add_free(PhysAddr(0xF0000), 0x100000000ull); // past 256 frames and past 4 GiB
    EXPECT_EQ(m_alloc.free_frames(), 256u - 0xF0u);
}

TEST_F(FrameAllocatorTest, ReserveAlignsOutward) {
    m_alloc.add_free(PhysAddr(0), 256 * kPageSize);
    EXPECT_EQ(m_alloc.free_frames(), 255u); // frame 0 is never free
    m_alloc.reserve(PhysAddr(0x5FFF), 2);   // touches pages 5 and 6
    EXPECT_EQ(m_alloc.free_frames(), 253u);
    EXPECT_FALSE(m_alloc.is_free(frame(5)));
    EXPECT_FALSE(m_alloc.is_free(frame(6)));
    EXPECT_TRUE(m_alloc.is_free(frame(7)));
    m_alloc.reserve(PhysAddr(0x5000), 0x2000); // already reserved: no double count
    EXPECT_EQ(m_alloc.free_frames(), 253u);
    m_alloc.reserve(PhysAddr(0x7000), 0); // empty reservation
    EXPECT_EQ(m_alloc.free_frames(), 253u);
}

TEST_F(FrameAllocatorTest, AllocateAllThenFree) {
    m_alloc.add_free(PhysAddr(0), 256 * kPageSize);
    std::set<uint32_t> seen;
    for (size_t i = 0; i < 255; ++i) {
        auto r = m_alloc.allocate();
        ASSERT_TRUE(r.ok());
        EXPECT_TRUE(r.value().is_page_aligned());
        EXPECT_LT(r.value().pfn().raw(), 256u);
        EXPECT_TRUE(seen.insert(r.value().raw()).second) << "handed out twice";
    }
    EXPECT_EQ(m_alloc.free_frames(), 0u);
    EXPECT_EQ(m_alloc.allocate().error(), Error::out_of_memory);
    for (uint32_t addr : seen)
        EXPECT_TRUE(m_alloc.free(PhysAddr(addr)).ok());
    EXPECT_EQ(m_alloc.free_frames(), 255u);
}

TEST_F(FrameAllocatorTest, RegressionFrameZeroIsNeverHandedOut) {
    m_alloc.add_free(PhysAddr(0), 4 * kPageSize);
    for (int i = 0; i < 3; ++i)
        EXPECT_NE(m_alloc.allocate().value().raw(), 0u);
    EXPECT_EQ(m_alloc.allocate().error(), Error::out_of_memory);
    EXPECT_EQ(m_alloc.free(PhysAddr(0)).error(), Error::invalid_argument);
    EXPECT_EQ(m_alloc.allocate_contiguous(1, 1).error(), Error::out_of_memory);
}

TEST_F(FrameAllocatorTest, RegressionFramesBeyondCountInLastWordStayUsed) {
    init(40); // the second bitmap word has 24 bits beyond the end
    m_alloc.add_free(PhysAddr(0), 64 * kPageSize);
    EXPECT_EQ(m_alloc.free_frames(), 39u);
    for (int i = 0; i < 39; ++i)
        EXPECT_LT(m_alloc.allocate().value().pfn().raw(), 40u);
    EXPECT_EQ(m_alloc.allocate().error(), Error::out_of_memory);
}

TEST_F(FrameAllocatorTest, DoubleFree) {
    m_alloc.add_free(PhysAddr(0x10000), 0x10000);
    PhysAddr a = m_alloc.allocate().value();
    EXPECT_TRUE(m_alloc.free(a).ok());
    EXPECT_EQ(m_alloc.free(a).error(), Error::invalid_argument);
    // A frame that was never handed out, and a reserved one.
    EXPECT_EQ(m_alloc.free(frame(0x11)).error(), Error::invalid_argument);
    EXPECT_EQ(m_alloc.free(frame(0x30)).ok(), true); // reserved frames may be released
}

TEST_F(FrameAllocatorTest, MisalignedAndOutOfRangeFree) {
    m_alloc.add_free(PhysAddr(0x10000), 0x10000);
    PhysAddr a = m_alloc.allocate().value();
    EXPECT_EQ(m_alloc.free(a + 4).error(), Error::invalid_argument);
    EXPECT_EQ(m_alloc.free(frame(256)).error(), Error::out_of_range);
    EXPECT_EQ(m_alloc.free(PhysAddr(0xFFFFF000)).error(), Error::out_of_range);
    EXPECT_FALSE(m_alloc.is_free(a));
}

TEST_F(FrameAllocatorTest, NextFitDoesNotReuseJustFreedFrameFirst) {
    m_alloc.add_free(PhysAddr(0x1000), 255 * kPageSize);
    PhysAddr a = m_alloc.allocate().value();
    PhysAddr b = m_alloc.allocate().value();
    EXPECT_LT(a, b);
    EXPECT_TRUE(m_alloc.free(a).ok());
    // Any free frame is fine, but the result must be free and distinct from b.
    PhysAddr c = m_alloc.allocate().value();
    EXPECT_NE(c, b);
}

// First fit passes a bitmap word of used frames in one step: the first free run after two
// full words and a partly used third one is still the lowest, and aligned.
TEST_F(FrameAllocatorTest, ContiguousFirstFitAcrossFullWords) {
    m_alloc.add_free(PhysAddr(0), 256 * kPageSize);
    m_alloc.reserve(frame(0), 70 * kPageSize); // words 0 and 1 full, word 2 up to frame 69
    EXPECT_EQ(m_alloc.allocate_contiguous(1, 1).value(), frame(70));
    EXPECT_EQ(m_alloc.allocate_contiguous(4, 4).value(), frame(72));
    EXPECT_EQ(m_alloc.allocate_contiguous(32, 32).value(), frame(96));
    EXPECT_TRUE(m_alloc.free(frame(33)).ok()); // a hole in a full word is found again
    EXPECT_EQ(m_alloc.allocate_contiguous(1, 1).value(), frame(33));
    EXPECT_EQ(m_alloc.allocate_contiguous(2, 1).value(), frame(76));
}

TEST_F(FrameAllocatorTest, ContiguousWithAlignment) {
    m_alloc.add_free(PhysAddr(0), 256 * kPageSize);
    m_alloc.reserve(frame(17), kPageSize); // breaks the first 16-aligned run at 16
    auto r = m_alloc.allocate_contiguous(16, 16);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), frame(32));
    for (uint32_t f = 32; f < 48; ++f)
        EXPECT_FALSE(m_alloc.is_free(frame(f)));
    EXPECT_EQ(m_alloc.free_frames(), 255u - 1 - 16);

    auto s = m_alloc.allocate_contiguous(3, 0); // alignment 0 means 1
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s.value(), frame(1));

    EXPECT_TRUE(m_alloc.free_contiguous(r.value(), 16).ok());
    EXPECT_EQ(m_alloc.free_contiguous(r.value(), 16).error(), Error::invalid_argument);
    EXPECT_EQ(m_alloc.allocate_contiguous(16, 16).value(), frame(32));
}

TEST_F(FrameAllocatorTest, ContiguousFailures) {
    m_alloc.add_free(PhysAddr(0), 256 * kPageSize);
    EXPECT_EQ(m_alloc.allocate_contiguous(0, 1).error(), Error::invalid_argument);
    EXPECT_EQ(m_alloc.allocate_contiguous(1, 3).error(), Error::invalid_argument);
    EXPECT_EQ(m_alloc.allocate_contiguous(256, 1).error(), Error::out_of_memory);
    for (uint32_t f = 2; f < 256; f += 8)
        m_alloc.reserve(frame(f), 1);
    EXPECT_EQ(m_alloc.allocate_contiguous(8, 1).error(), Error::out_of_memory);
    EXPECT_TRUE(m_alloc.allocate_contiguous(7, 1).ok());
}

} // namespace
} // namespace axo
