// The record-lock table (servers/fs/locks/lock_table.h): conflicts between owners, a process's
// own ranges split, merged and converted, release on close and exit, a full table, and the
// ranges of struct flock. A random run checks the table against a byte-by-byte model.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "servers/fs/locks/lock_table.h"

namespace fs {
namespace {

constexpr Node kFile{1, InodeNumber{12}};
constexpr Node kOther{1, InodeNumber{13}};
constexpr uint32_t kA = 100, kB = 101;

class FsLockTable : public ::testing::Test {
protected:
    LockTable::Slot m_slots[8];
    LockTable m_table{m_slots};

    std::vector<RecordLock> held(Node node, uint32_t owner) {
        RecordLock out[16];
        uint32_t n = m_table.held(node, owner, out);
        return std::vector<RecordLock>(out, out + (n < 16 ? n : 16));
    }
};

TEST_F(FsLockTable, write_locks_of_two_processes_on_overlapping_ranges_conflict) {
    ASSERT_EQ(m_table.lock(kFile, kA, LockKind::exclusive, {0, 10}), Error::ok);
    EXPECT_EQ(m_table.lock(kFile, kB, LockKind::exclusive, {5, 6}), Error::would_block);
    EXPECT_EQ(m_table.lock(kFile, kB, LockKind::shared, {9, 20}), Error::would_block);
    EXPECT_EQ(m_table.lock(kFile, kB, LockKind::exclusive, {10, 20}), Error::ok); // adjacent
    EXPECT_EQ(m_table.lock(kOther, kB, LockKind::exclusive, {0, 10}), Error::ok); // other file
    RecordLock conflict;
    ASSERT_TRUE(m_table.conflict(kFile, kB, LockKind::shared, {3, 4}, &conflict));
    EXPECT_EQ(conflict.owner, kA);
    EXPECT_EQ(conflict.kind, LockKind::exclusive);
    EXPECT_EQ(conflict.range, (LockRange{0, 10}));
    EXPECT_FALSE(m_table.conflict(kFile, kA, LockKind::exclusive, {3, 4})); // its own
}

TEST_F(FsLockTable, read_locks_share_and_keep_writers_out) {
    ASSERT_EQ(m_table.lock(kFile, kA, LockKind::shared, {0, kLockToEnd}), Error::ok);
    EXPECT_EQ(m_table.lock(kFile, kB, LockKind::shared, {100, 200}), Error::ok);
    EXPECT_EQ(m_table.lock(kFile, kB, LockKind::exclusive, {150, 160}), Error::would_block);
    EXPECT_EQ(m_table.check(kFile, kB, LockKind::exclusive, {150, 160}), Error::would_block);
    EXPECT_EQ(m_table.lock(kFile, kA, LockKind::exclusive, {1 << 20, 1 << 21}),
              Error::ok); // A's own read lock does not stand in its way
}

TEST_F(FsLockTable, unlocking_the_middle_of_a_range_splits_it) {
    ASSERT_EQ(m_table.lock(kFile, kA, LockKind::exclusive, {0, 100}), Error::ok);
    ASSERT_EQ(m_table.unlock(kFile, kA, {40, 60}), Error::ok);
    auto locks = held(kFile, kA);
    ASSERT_EQ(locks.size(), 2u);
    EXPECT_EQ(locks[0].range, (LockRange{0, 40}));
    EXPECT_EQ(locks[1].range, (LockRange{60, 100}));
    EXPECT_EQ(m_table.lock(kFile, kB, LockKind::exclusive, {40, 60}), Error::ok);
    EXPECT_EQ(m_table.lock(kFile, kB, LockKind::exclusive, {39, 41}), Error::would_block);
}

TEST_F(FsLockTable, a_different_kind_inside_a_range_splits_it_in_three) {
    ASSERT_EQ(m_table.lock(kFile, kA, LockKind::shared, {0, kLockToEnd}), Error::ok);
    ASSERT_EQ(m_table.lock(kFile, kA, LockKind::exclusive, {10, 20}), Error::ok);
    auto locks = held(kFile, kA);
    ASSERT_EQ(locks.size(), 3u);
    EXPECT_EQ(locks[0].range, (LockRange{0, 10}));
    EXPECT_EQ(locks[0].kind, LockKind::shared);
    EXPECT_EQ(locks[1].range, (LockRange{10, 20}));
    EXPECT_EQ(locks[1].kind, LockKind::exclusive);
    EXPECT_EQ(locks[2].range, (LockRange{20, kLockToEnd}));
    EXPECT_EQ(locks[2].kind, LockKind::shared);
    // And back: the three merge into one read lock again.
    ASSERT_EQ(m_table.lock(kFile, kA, LockKind::shared, {10, 20}), Error::ok);
    locks = held(kFile, kA);
    ASSERT_EQ(locks.size(), 1u);
    EXPECT_EQ(locks[0].range, (LockRange{0, kLockToEnd}));
    EXPECT_EQ(m_table.count(), 1u);
}

TEST_F(FsLockTable, adjacent_and_overlapping_ranges_of_one_kind_merge) {
    ASSERT_EQ(m_table.lock(kFile, kA, LockKind::exclusive, {0, 10}), Error::ok);
    ASSERT_EQ(m_table.lock(kFile, kA, LockKind::exclusive, {20, 30}), Error::ok);
    ASSERT_EQ(m_table.lock(kFile, kA, LockKind::exclusive, {10, 20}), Error::ok);
    auto locks = held(kFile, kA);
    ASSERT_EQ(locks.size(), 1u);
    EXPECT_EQ(locks[0].range, (LockRange{0, 30}));
    ASSERT_EQ(m_table.lock(kFile, kA, LockKind::exclusive, {25, 50}), Error::ok);
    locks = held(kFile, kA);
    ASSERT_EQ(locks.size(), 1u);
    EXPECT_EQ(locks[0].range, (LockRange{0, 50}));
}

TEST_F(FsLockTable, closing_or_exiting_releases_the_process_locks) {
    ASSERT_EQ(m_table.lock(kFile, kA, LockKind::exclusive, {0, 10}), Error::ok);
    ASSERT_EQ(m_table.lock(kFile, kA, LockKind::shared, {20, 30}), Error::ok);
    ASSERT_EQ(m_table.lock(kOther, kA, LockKind::exclusive, {0, 10}), Error::ok);
    ASSERT_EQ(m_table.lock(kFile, kB, LockKind::shared, {20, 30}), Error::ok);
    EXPECT_EQ(m_table.release(kFile, kA), 2u);
    EXPECT_EQ(m_table.lock(kFile, kB, LockKind::exclusive, {0, 10}), Error::ok);
    EXPECT_EQ(m_table.lock(kOther, kB, LockKind::exclusive, {0, 10}), Error::would_block);
    EXPECT_EQ(m_table.release_owner(kA), 1u);
    EXPECT_EQ(m_table.lock(kOther, kB, LockKind::exclusive, {0, 10}), Error::ok);
}

TEST_F(FsLockTable, a_full_table_refuses_and_changes_nothing) {
    for (uint64_t i = 0; i < 8; ++i)
        ASSERT_EQ(m_table.lock(kFile, kA, i % 2 ? LockKind::shared : LockKind::exclusive,
                               {i * 10, i * 10 + 10}),
                  Error::ok);
    EXPECT_EQ(m_table.lock(kFile, kA, LockKind::exclusive, {100, 110}), Error::no_locks);
    EXPECT_EQ(m_table.unlock(kFile, kA, {2, 3}), Error::no_locks); // a split needs a slot
    EXPECT_EQ(held(kFile, kA).size(), 8u);
    // What frees slots goes: one write lock over all of it replaces the eight.
    EXPECT_EQ(m_table.lock(kFile, kA, LockKind::exclusive, {0, 80}), Error::ok);
    EXPECT_EQ(m_table.count(), 1u);
    // A lock the owner holds already needs no slot.
    EXPECT_EQ(m_table.lock(kFile, kA, LockKind::exclusive, {5, 6}), Error::ok);
}

TEST_F(FsLockTable, a_holder_waiting_for_the_caller_is_a_cycle) {
    ASSERT_EQ(m_table.lock(kFile, kA, LockKind::exclusive, {0, 10}), Error::ok);
    ASSERT_EQ(m_table.lock(kFile, kB, LockKind::exclusive, {10, 20}), Error::ok);
    EXPECT_TRUE(m_table.conflicts_with(kFile, kA, LockKind::exclusive, {15, 16}, kB));
    EXPECT_FALSE(m_table.conflicts_with(kFile, kA, LockKind::exclusive, {15, 16}, kA));
    EXPECT_FALSE(m_table.conflicts_with(kFile, kA, LockKind::exclusive, {25, 26}, kB));
}

TEST(FsLockRange, flock_ranges_resolve_as_posix_says) {
    LockRange r;
    ASSERT_EQ(lock_range(0, 10, 0, &r), Error::ok);
    EXPECT_EQ(r, (LockRange{10, kLockToEnd}));
    ASSERT_EQ(lock_range(100, -10, 5, &r), Error::ok); // SEEK_END of a 100-byte file
    EXPECT_EQ(r, (LockRange{90, 95}));
    ASSERT_EQ(lock_range(50, 0, -20, &r), Error::ok); // the 20 bytes before the offset
    EXPECT_EQ(r, (LockRange{30, 50}));
    EXPECT_EQ(lock_range(0, -1, 0, &r), Error::invalid_argument);
    EXPECT_EQ(lock_range(0, 5, -6, &r), Error::invalid_argument);
    EXPECT_EQ(lock_range(INT64_MAX, 1, 0, &r), Error::invalid_argument);
    EXPECT_EQ(lock_range(0, INT64_MAX, 1, &r), Error::invalid_argument);
}

// A random sequence of locks and unlocks by three owners on a 64-byte file against a model
// that records each byte's holders; byte 64 stands for "to the end".
TEST(FsLockTableModel, random_operations_match_a_byte_model) {
    constexpr uint32_t kBytes = 65, kOwners = 3;
    LockTable::Slot slots[256];
    LockTable table{slots};
    // model[owner][byte]: 0 none, 1 shared, 2 exclusive
    uint8_t model[kOwners][kBytes] = {};
    std::mt19937 random(7);
    for (int step = 0; step < 20000; ++step) {
        uint32_t owner = random() % kOwners;
        uint64_t start = random() % 64;
        uint64_t end = random() % 4 == 0 ? kLockToEnd : start + 1 + random() % (64 - start);
        uint32_t op = random() % 3; // 0 unlock, 1 shared, 2 exclusive
        LockRange range{start, end};
        uint64_t last = end == kLockToEnd ? kBytes : end;
        if (op == 0) {
            ASSERT_EQ(table.unlock(kFile, 10 + owner, range), Error::ok);
            for (uint64_t b = start; b < last; ++b)
                model[owner][b] = 0;
        } else {
            bool blocked = false;
            for (uint32_t other = 0; other < kOwners; ++other)
                for (uint64_t b = start; b < last && other != owner; ++b)
                    if (model[other][b] != 0 && (model[other][b] == 2 || op == 2)) blocked = true;
            Error error = table.lock(kFile, 10 + owner,
                                     op == 1 ? LockKind::shared : LockKind::exclusive, range);
            ASSERT_EQ(error, blocked ? Error::would_block : Error::ok) << step;
            if (!blocked)
                for (uint64_t b = start; b < last; ++b)
                    model[owner][b] = static_cast<uint8_t>(op);
        }
        // The owner's ranges: ascending, disjoint, merged, and byte for byte the model.
        RecordLock out[64];
        uint32_t n = table.held(kFile, 10 + owner, out);
        ASSERT_LE(n, 64u);
        uint8_t seen[kBytes] = {};
        for (uint32_t i = 0; i < n; ++i) {
            if (i > 0) {
                ASSERT_LE(out[i - 1].range.end, out[i].range.start);
                ASSERT_FALSE(out[i - 1].range.end == out[i].range.start &&
                             out[i - 1].kind == out[i].kind)
                    << "unmerged neighbours at step " << step;
            }
            uint64_t e = out[i].range.end == kLockToEnd ? kBytes : out[i].range.end;
            for (uint64_t b = out[i].range.start; b < e; ++b)
                seen[b] = out[i].kind == LockKind::shared ? 1 : 2;
        }
        for (uint32_t b = 0; b < kBytes; ++b)
            ASSERT_EQ(seen[b], model[owner][b]) << "byte " << b << " step " << step;
    }
}

} // namespace
} // namespace fs
