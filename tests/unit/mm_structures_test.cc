// mm's data structures (servers/memory/mm): the frame pool with its reference counts, the
// two-level page table kept in frames, and the region list, on the host.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <vector>

#include "interfaces/mm/protocol.h"
#include "servers/memory/mm/frame_pool.h"
#include "servers/memory/mm/page_table.h"
#include "servers/memory/mm/region_list.h"

namespace mm {
namespace {

constexpr uint32_t kArea = 0x40000000u;

// Host memory standing in for σ0: hands out `block` frames per call until `left` runs out,
// optionally aligned to the block as σ0's larger allocations are.
struct HostSource {
    uint32_t left = 0;
    uint32_t block = 1;
    bool align = false;
    uint32_t calls = 0;

    static bool grow(void* context, uint32_t at, uint32_t* first, uint32_t* count) {
        auto* self = static_cast<HostSource*>(context);
        ++self->calls;
        if (self->left == 0) return false;
        uint32_t n = self->block < self->left ? self->block : self->left;
        uint32_t size = n * kPageSize;
        *first = self->align ? (at + size - 1) / size * size : at;
        *count = n;
        self->left -= n;
        return true;
    }
};

class MmFramePoolTest : public ::testing::Test {
protected:
    void init(uint32_t frames, uint32_t block = 1, bool align = false, uint32_t area_frames = 256) {
        m_source = HostSource{frames, block, align, 0};
        m_bytes.assign(size_t{area_frames} * kPageSize, 0xEE);
        m_pool = std::make_unique<FramePool>();
        m_pool->init(kArea, m_bytes.data(), area_frames, FrameSource{&HostSource::grow, &m_source});
    }
    bool zeroed(uint32_t frame) {
        const uint8_t* p = m_pool->data(frame);
        for (uint32_t i = 0; i < kPageSize; ++i)
            if (p[i] != 0) return false;
        return true;
    }

    HostSource m_source;
    std::vector<uint8_t> m_bytes;
    std::unique_ptr<FramePool> m_pool;
};

TEST_F(MmFramePoolTest, AllocatesZeroedFramesWithOneReference) {
    init(4);
    uint32_t a = m_pool->allocate();
    uint32_t b = m_pool->allocate();
    ASSERT_NE(a, FramePool::kNone);
    ASSERT_NE(b, FramePool::kNone);
    EXPECT_NE(a, b);
    EXPECT_TRUE(zeroed(a));
    EXPECT_EQ(m_pool->refs(a), 1u);
    EXPECT_EQ(m_pool->address(a), kArea + a * kPageSize);
    EXPECT_EQ(m_pool->frame_at(m_pool->address(b) + 123), b);
    EXPECT_EQ(m_pool->in_use(), 2u);
}

TEST_F(MmFramePoolTest, LastReferenceFreesAndTheFrameIsReused) {
    init(1);
    uint32_t a = m_pool->allocate();
    m_pool->ref(a);
    EXPECT_FALSE(m_pool->unref(a));
    EXPECT_EQ(m_pool->in_use(), 1u);
    EXPECT_EQ(m_pool->allocate(), FramePool::kNone); // the source is empty
    EXPECT_TRUE(m_pool->unref(a));
    EXPECT_EQ(m_pool->in_use(), 0u);
    EXPECT_EQ(m_pool->free_count(), 1u);
    m_pool->data(a)[100] = 7; // a reused frame is zeroed again
    EXPECT_EQ(m_pool->allocate(), a);
    EXPECT_TRUE(zeroed(a));
    EXPECT_TRUE(m_pool->unref(a));
    EXPECT_FALSE(m_pool->unref(a)); // a free frame is not freed twice
    EXPECT_EQ(m_pool->free_count(), 1u);
}

TEST_F(MmFramePoolTest, GrowsInBlocksAndSkipsAlignmentHoles) {
    init(64, 16, true);
    uint32_t first = m_pool->allocate();
    EXPECT_EQ(first, 0u);
    EXPECT_EQ(m_pool->backed(), 16u);
    for (int i = 0; i < 15; ++i)
        m_pool->allocate();
    EXPECT_EQ(m_source.calls, 1u); // sixteen frames, one call
    // Next call: the source aligns to 64 KiB, which the pool's end already is.
    EXPECT_EQ(m_pool->allocate(), 16u);
    EXPECT_EQ(m_pool->backed(), 32u);
}

TEST_F(MmFramePoolTest, AHoleLeftByTheSourceIsNeverHandedOut) {
    init(8, 4, true);
    m_source.block = 1;
    uint32_t a = m_pool->allocate(); // one frame at 0
    m_source.block = 4;              // next: four frames aligned to 16 KiB, frames 4..7
    uint32_t b = m_pool->allocate();
    EXPECT_EQ(a, 0u);
    EXPECT_EQ(b, 4u);
    for (int i = 0; i < 3; ++i)
        EXPECT_GE(m_pool->allocate(), 5u);
}

TEST_F(MmFramePoolTest, RefusesMoreThanTheArea) {
    init(100, 1, false, 3);
    for (int i = 0; i < 3; ++i)
        EXPECT_NE(m_pool->allocate(), FramePool::kNone);
    EXPECT_EQ(m_pool->allocate(), FramePool::kNone);
}

// ---- Page tables ---------------------------------------------------------------------------

TEST_F(MmFramePoolTest, PageTableKeepsItsTablesInFrames) {
    init(16);
    PageTable table;
    int32_t tables = 0;
    EXPECT_TRUE(table.empty());
    EXPECT_EQ(table.get(*m_pool, 5), PageTable::kNone);
    ASSERT_TRUE(table.set(*m_pool, 5, 77, tables));
    EXPECT_EQ(tables, 2); // directory + one table
    EXPECT_EQ(table.get(*m_pool, 5), 77u);
    EXPECT_EQ(table.get(*m_pool, 6), PageTable::kNone);
    ASSERT_TRUE(table.set(*m_pool, 1023, 0, tables)); // frame 0 is a frame, not "none"
    EXPECT_EQ(table.get(*m_pool, 1023), 0u);
    EXPECT_EQ(tables, 2);
    ASSERT_TRUE(table.set(*m_pool, 0xBFFFF, 9, tables)); // just below 3 GiB
    EXPECT_EQ(tables, 3);
    EXPECT_EQ(m_pool->in_use(), 3u);

    std::vector<std::pair<uint32_t, uint32_t>> seen;
    table.for_each(*m_pool, 0, PageTable::kPages, [&](uint32_t page, uint32_t frame) {
        seen.push_back({page, frame});
    });
    std::vector<std::pair<uint32_t, uint32_t>> want = {{5, 77}, {1023, 0}, {0xBFFFF, 9}};
    EXPECT_EQ(seen, want);
    seen.clear();
    table.for_each(*m_pool, 6, 0xBFFFF, [&](uint32_t page, uint32_t frame) {
        seen.push_back({page, frame});
    });
    EXPECT_EQ(seen, (std::vector<std::pair<uint32_t, uint32_t>>{{1023, 0}}));

    ASSERT_TRUE(table.set(*m_pool, 5, PageTable::kNone, tables));
    EXPECT_EQ(table.get(*m_pool, 5), PageTable::kNone);
    EXPECT_TRUE(table.set(*m_pool, 4096, PageTable::kNone, tables)); // forgetting costs nothing
    EXPECT_EQ(tables, 3);
    table.clear(*m_pool, tables);
    EXPECT_EQ(tables, 0);
    EXPECT_EQ(m_pool->in_use(), 0u);
    EXPECT_TRUE(table.empty());
}

// for_each passes empty entries eight at a time: entries on either side of a group's edge, a
// range that starts and ends inside groups, and a group of eight used entries are all seen.
TEST_F(MmFramePoolTest, PageTableWalksEveryUsedEntryAroundEmptyGroups) {
    init(16);
    PageTable table;
    int32_t tables = 0;
    const std::vector<uint32_t> used = {0,  7,  8,  15, 17,   24,   25,   26,  27,
                                        28, 29, 30, 31, 1021, 1023, 1024, 2047};
    for (uint32_t page : used)
        ASSERT_TRUE(table.set(*m_pool, page, page + 100, tables));
    std::vector<uint32_t> seen;
    table.for_each(*m_pool, 0, PageTable::kPages, [&](uint32_t page, uint32_t frame) {
        EXPECT_EQ(frame, page + 100);
        seen.push_back(page);
    });
    EXPECT_EQ(seen, used);
    seen.clear();
    table.for_each(*m_pool, 3, 26, [&](uint32_t page, uint32_t) { seen.push_back(page); });
    EXPECT_EQ(seen, (std::vector<uint32_t>{7, 8, 15, 17, 24, 25}));
    seen.clear();
    table.for_each(*m_pool, 1022, 1025, [&](uint32_t page, uint32_t) { seen.push_back(page); });
    EXPECT_EQ(seen, (std::vector<uint32_t>{1023, 1024}));
    table.clear(*m_pool, tables);
}

TEST_F(MmFramePoolTest, PageTableFailsCleanlyWithoutFrames) {
    init(1);
    PageTable table;
    int32_t tables = 0;
    EXPECT_FALSE(table.set(*m_pool, 5, 1, tables)); // the directory fits, its table does not
    EXPECT_EQ(table.get(*m_pool, 5), PageTable::kNone);
    EXPECT_FALSE(table.set(*m_pool, PageTable::kPages, 1, tables));
    table.clear(*m_pool, tables);
    EXPECT_EQ(tables, 0);
    EXPECT_EQ(m_pool->in_use(), 0u);
}

// ---- Region lists ----------------------------------------------------------------------------

Region anonymous(uint32_t start, uint32_t end) {
    return Region{start, end, AXO_FPAGE_R | AXO_FPAGE_W, kRegionAnonymous, 0, 0, false};
}

TEST(MmRegionListTest, KeepsRegionsSortedAndFindsThem) {
    RegionList list;
    EXPECT_TRUE(list.insert(anonymous(0x5000, 0x6000)));
    EXPECT_TRUE(list.insert(anonymous(0x1000, 0x3000)));
    EXPECT_TRUE(list.insert(anonymous(0x8000, 0x9000)));
    ASSERT_EQ(list.count(), 3u);
    EXPECT_EQ(list[0].start, 0x1000u);
    EXPECT_EQ(list[2].start, 0x8000u);
    EXPECT_EQ(list.find(0x2FFF), 0u);
    EXPECT_EQ(list.find(0x3000), RegionList::kCapacity);
    EXPECT_EQ(list.find(0x5000), 1u);
    EXPECT_EQ(list.find(0x0FFF), RegionList::kCapacity);
    EXPECT_TRUE(list.overlaps(0x2000, 0x5001));
    EXPECT_FALSE(list.overlaps(0x3000, 0x5000));
    EXPECT_EQ(list.find_gap(0x2000, 0x1000, 0x10000), 0x3000u);
    EXPECT_EQ(list.find_gap(0x3000, 0x1000, 0x10000), 0x9000u);
    EXPECT_EQ(list.find_gap(0x8000, 0x1000, 0x10000), 0u);
    list.remove(1);
    EXPECT_EQ(list.count(), 2u);
    EXPECT_EQ(list[1].start, 0x8000u);
}

TEST(MmRegionListTest, SplitsKeepTheObjectOffset) {
    RegionList list;
    Region shared{0x10000, 0x14000, AXO_FPAGE_R, kRegionShared, 3, 0x2000, false};
    list.insert(shared);
    EXPECT_EQ(list.splits_needed(0x11000, 0x13000), 2u);
    EXPECT_EQ(list.splits_needed(0x10000, 0x14000), 0u);
    EXPECT_EQ(list.splits_needed(0x10000, 0x20000), 0u);
    uint32_t upper = list.split_at(0x11000);
    ASSERT_EQ(upper, 1u);
    EXPECT_EQ(list[0].end, 0x11000u);
    EXPECT_EQ(list[1].start, 0x11000u);
    EXPECT_EQ(list[1].offset, 0x3000u);
    EXPECT_EQ(list[1].offset_of(0x12000), 0x4000u);
    EXPECT_EQ(list.split_at(0x11000), RegionList::kCapacity); // already a boundary
    EXPECT_EQ(list.split_at(0x30000), RegionList::kCapacity); // no region
}

TEST(MmRegionListTest, IsFullAtItsCapacity) {
    RegionList list;
    for (uint32_t i = 0; i < RegionList::kCapacity; ++i)
        ASSERT_TRUE(list.insert(anonymous(0x10000 * (i + 1), 0x10000 * (i + 1) + 0x2000)));
    EXPECT_FALSE(list.insert(anonymous(0x1000, 0x2000)));
    EXPECT_EQ(list.split_at(0x11000), RegionList::kCapacity);
}

} // namespace
} // namespace mm
