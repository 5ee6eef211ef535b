#include "servers/fs/cache/block_cache.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/unit/fs_memory_device.h"

namespace fs {
namespace {

using ipc::Error;
using testing::MemoryBlockDevice;
using Handle = BlockCache::Handle;

struct CacheFixture {
    explicit CacheFixture(uint32_t slots, uint32_t block_size = 1024)
        : device(64 * 1024), slot_table(slots), memory(slots * block_size),
          cache(device, slot_table, memory) {
        EXPECT_EQ(cache.set_block_size(block_size), Error::ok);
        for (uint64_t block = 0; block < 64; ++block) {
            device.bytes()[block * block_size] = static_cast<uint8_t>(block + 1);
        }
    }
    MemoryBlockDevice device;
    std::vector<BlockCache::Slot> slot_table;
    std::vector<uint8_t> memory;
    BlockCache cache;
};

uint8_t first_byte(BlockCache& cache, uint64_t block) {
    Handle handle;
    EXPECT_EQ(cache.get(block, &handle), Error::ok);
    return handle.valid() ? handle.data()[0] : 0;
}

TEST(BlockCache, reads_a_block_once_and_then_hits) {
    CacheFixture f(4);
    EXPECT_EQ(first_byte(f.cache, 5), 6);
    EXPECT_EQ(first_byte(f.cache, 5), 6);
    BlockCacheStatistics stats = f.cache.statistics();
    EXPECT_EQ(stats.misses, 1u);
    EXPECT_EQ(stats.hits, 1u);
    EXPECT_EQ(stats.reads, 1u);
    ASSERT_EQ(f.device.log.size(), 1u);
    EXPECT_EQ(f.device.log[0].sector, 10u); // 1 KiB blocks of 512-byte sectors
    EXPECT_EQ(f.device.log[0].count, 2u);
}

TEST(BlockCache, evicts_the_least_recently_used_block) {
    CacheFixture f(3);
    (void)first_byte(f.cache, 1);
    (void)first_byte(f.cache, 2);
    (void)first_byte(f.cache, 3);
    (void)first_byte(f.cache, 1); // 2 is now the oldest
    (void)first_byte(f.cache, 4); // evicts 2
    f.device.log.clear();
    (void)first_byte(f.cache, 1);
    (void)first_byte(f.cache, 3);
    (void)first_byte(f.cache, 4);
    EXPECT_TRUE(f.device.log.empty());
    (void)first_byte(f.cache, 2);
    ASSERT_EQ(f.device.log.size(), 1u);
    EXPECT_EQ(f.device.log[0].sector, 4u);
}

TEST(BlockCache, writes_a_dirty_block_back_when_it_is_evicted) {
    CacheFixture f(2);
    {
        Handle handle;
        ASSERT_EQ(f.cache.get(7, &handle), Error::ok);
        handle.data()[1] = 0xAB;
        handle.mark_dirty();
    }
    EXPECT_EQ(f.cache.statistics().dirty, 1u);
    EXPECT_EQ(f.device.bytes()[7 * 1024 + 1], 0);
    (void)first_byte(f.cache, 8);
    (void)first_byte(f.cache, 9); // evicts 7
    EXPECT_EQ(f.device.bytes()[7 * 1024 + 1], 0xAB);
    EXPECT_EQ(f.cache.statistics().dirty, 0u);
    EXPECT_EQ(f.cache.statistics().writes, 1u);
}

TEST(BlockCache, never_evicts_a_pinned_block) {
    CacheFixture f(2);
    Handle pinned;
    ASSERT_EQ(f.cache.get(1, &pinned), Error::ok);
    pinned.data()[5] = 0x55;
    for (uint64_t block = 2; block < 10; ++block) {
        EXPECT_EQ(first_byte(f.cache, block), block + 1);
    }
    EXPECT_EQ(pinned.data()[5], 0x55);
    EXPECT_EQ(pinned.block(), 1u);
    Handle second;
    ASSERT_EQ(f.cache.get(2, &second), Error::ok);
    Handle third;
    EXPECT_EQ(f.cache.get(3, &third), Error::no_memory); // both slots pinned
    second.reset();
    EXPECT_EQ(f.cache.get(3, &third), Error::ok);
}

TEST(BlockCache, a_moved_handle_keeps_the_pin) {
    CacheFixture f(1);
    Handle first;
    ASSERT_EQ(f.cache.get(1, &first), Error::ok);
    Handle moved(std::move(first));
    EXPECT_FALSE(first.valid());
    Handle other;
    EXPECT_EQ(f.cache.get(2, &other), Error::no_memory);
    moved.reset();
    EXPECT_EQ(f.cache.get(2, &other), Error::ok);
}

TEST(BlockCache, sync_writes_every_dirty_block_then_flushes) {
    CacheFixture f(8);
    for (uint64_t block : {3, 1, 6}) {
        Handle handle;
        ASSERT_EQ(f.cache.get(block, &handle), Error::ok);
        handle.data()[0] = 0xEE;
        handle.mark_dirty();
    }
    (void)first_byte(f.cache, 2); // clean: not written
    f.device.log.clear();
    ASSERT_EQ(f.cache.sync(), Error::ok);
    ASSERT_EQ(f.device.log.size(), 4u);
    std::set<uint64_t> written;
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(f.device.log[i].kind, 'w');
        written.insert(f.device.log[i].sector / 2);
    }
    EXPECT_EQ(written, (std::set<uint64_t>{1, 3, 6}));
    EXPECT_EQ(f.device.log[3].kind, 'f');
    EXPECT_EQ(f.cache.statistics().dirty, 0u);
    f.device.log.clear();
    ASSERT_EQ(f.cache.sync(), Error::ok); // nothing dirty: only the flush
    ASSERT_EQ(f.device.log.size(), 1u);
    EXPECT_EQ(f.device.log[0].kind, 'f');
}

TEST(BlockCache, sync_block_writes_only_that_block) {
    CacheFixture f(8);
    for (uint64_t block : {4, 5}) {
        Handle handle;
        ASSERT_EQ(f.cache.get(block, &handle), Error::ok);
        handle.mark_dirty();
    }
    f.device.log.clear();
    ASSERT_EQ(f.cache.sync_block(5), Error::ok);
    ASSERT_EQ(f.device.log.size(), 2u);
    EXPECT_EQ(f.device.log[0].kind, 'w');
    EXPECT_EQ(f.device.log[0].sector, 10u);
    EXPECT_EQ(f.device.log[1].kind, 'f');
    EXPECT_EQ(f.cache.statistics().dirty, 1u);
}

TEST(BlockCache, a_failed_write_back_keeps_the_block_dirty_and_reports_the_error) {
    CacheFixture f(2);
    {
        Handle handle;
        ASSERT_EQ(f.cache.get(3, &handle), Error::ok);
        handle.data()[0] = 0x77;
        handle.mark_dirty();
    }
    f.device.fail_writes(6);
    EXPECT_EQ(f.cache.sync(), Error::io_error);
    EXPECT_EQ(f.cache.statistics().dirty, 1u);
    for (const auto& operation : f.device.log) {
        EXPECT_NE(operation.kind, 'f'); // nothing is claimed durable
    }
    // Eviction needs the slot: the error reaches the caller, and the data is still cached.
    (void)first_byte(f.cache, 4);
    Handle handle;
    EXPECT_EQ(f.cache.get(5, &handle), Error::io_error);
    EXPECT_EQ(first_byte(f.cache, 3), 0x77);
    f.device.heal();
    EXPECT_EQ(f.cache.sync(), Error::ok);
    EXPECT_EQ(f.device.bytes()[3 * 1024], 0x77);
    EXPECT_EQ(f.cache.statistics().dirty, 0u);
}

TEST(BlockCache, a_failed_read_leaves_nothing_cached) {
    CacheFixture f(2);
    f.device.fail_reads(8);
    Handle handle;
    EXPECT_EQ(f.cache.get(4, &handle), Error::io_error);
    EXPECT_FALSE(handle.valid());
    f.device.heal();
    EXPECT_EQ(first_byte(f.cache, 4), 5);
}

TEST(BlockCache, a_failed_flush_is_reported) {
    CacheFixture f(2);
    f.device.fail_flush = true;
    EXPECT_EQ(f.cache.sync(), Error::io_error);
}

TEST(BlockCache, refuses_blocks_beyond_the_device) {
    CacheFixture f(2);
    Handle handle;
    EXPECT_EQ(f.cache.get(64, &handle), Error::invalid_argument);
    EXPECT_EQ(f.cache.get(63, &handle), Error::ok);
}

TEST(BlockCache, get_zeroed_does_not_read_and_is_dirty) {
    CacheFixture f(2);
    Handle handle;
    ASSERT_EQ(f.cache.get_zeroed(9, &handle), Error::ok);
    EXPECT_EQ(handle.data()[0], 0);
    EXPECT_EQ(f.cache.statistics().reads, 0u);
    EXPECT_EQ(f.cache.statistics().dirty, 1u);
    handle.reset();
    ASSERT_EQ(f.cache.sync(), Error::ok);
    EXPECT_EQ(f.device.bytes()[9 * 1024], 0);
}

TEST(BlockCache, discard_forgets_a_dirty_block_without_writing_it) {
    CacheFixture f(2);
    {
        Handle handle;
        ASSERT_EQ(f.cache.get(2, &handle), Error::ok);
        handle.data()[0] = 0x99;
        handle.mark_dirty();
    }
    f.cache.discard(2);
    EXPECT_EQ(f.cache.statistics().dirty, 0u);
    f.device.log.clear();
    ASSERT_EQ(f.cache.sync(), Error::ok);
    EXPECT_EQ(f.device.log.size(), 1u);
    EXPECT_EQ(first_byte(f.cache, 2), 3);
}

TEST(BlockCache, block_size_changes_write_back_first_and_refuse_while_pinned) {
    CacheFixture f(4);
    {
        Handle handle;
        ASSERT_EQ(f.cache.get(1, &handle), Error::ok);
        handle.data()[0] = 0x42;
        handle.mark_dirty();
        EXPECT_EQ(f.cache.set_block_size(4096), Error::busy);
    }
    ASSERT_EQ(f.cache.set_block_size(4096), Error::ok);
    EXPECT_EQ(f.device.bytes()[1024], 0x42);
    EXPECT_EQ(f.cache.block_size(), 4096u);
    EXPECT_EQ(f.cache.capacity(), 1u); // 4 KiB of memory
    EXPECT_EQ(f.cache.blocks(), 16u);
    EXPECT_EQ(f.cache.set_block_size(8192), Error::invalid_argument);
    EXPECT_EQ(f.cache.set_block_size(3000), Error::invalid_argument);
    EXPECT_EQ(f.cache.set_block_size(256), Error::invalid_argument);
}

} // namespace
} // namespace fs
