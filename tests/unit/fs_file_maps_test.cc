// fs's table of files mapped shared (servers/fs/pager/file_maps.h): which processes map which
// file's object, when an object falls out of use, and which bytes of a read or write it holds.
#include <gtest/gtest.h>

#include <vector>

#include "servers/fs/pager/file_maps.h"

namespace fs {
namespace {

constexpr Node kFile{0, InodeNumber{12}};
constexpr Node kOther{0, InodeNumber{13}};

struct FileMapsTest : ::testing::Test {
    uint32_t add(const Node& node, uint32_t object, uint32_t size = 8192) {
        uint32_t index = maps.free_entry();
        FileMaps::Entry entry;
        entry.node = node;
        entry.object = object;
        entry.address = 0x10000000;
        entry.size = size;
        maps.add(index, entry);
        return index;
    }
    std::vector<uint32_t> exit(uint32_t pid) {
        uint32_t ended[FileMaps::kEntries], count = 0;
        maps.exit(pid, ended, &count);
        return {ended, ended + count};
    }
    FileMaps maps;
};

TEST_F(FileMapsTest, OneEntryPerFileFoundByNodeAndObject) {
    uint32_t file = add(kFile, 7);
    uint32_t other = add(kOther, 9);
    EXPECT_NE(file, other);
    EXPECT_EQ(maps.find(kFile), file);
    EXPECT_EQ(maps.find(kOther), other);
    EXPECT_EQ(maps.find_object(9), other);
    EXPECT_EQ(maps.find_object(0), FileMaps::kNone);
    EXPECT_EQ(maps.find_object(8), FileMaps::kNone);
    maps.remove(file);
    EXPECT_EQ(maps.find(kFile), FileMaps::kNone);
    EXPECT_EQ(maps.free_entry(), file);
}

TEST_F(FileMapsTest, TheLastUnmapEndsTheEntryNotAnEarlierOne) {
    uint32_t file = add(kFile, 7);
    ASSERT_TRUE(maps.map(5, file));
    ASSERT_TRUE(maps.map(5, file));
    ASSERT_TRUE(maps.map(6, file));
    EXPECT_EQ(maps.users(file), 3u);
    EXPECT_FALSE(maps.unmap(5, file));
    EXPECT_FALSE(maps.unmap(6, file));
    EXPECT_FALSE(maps.maps(6, file));
    EXPECT_TRUE(maps.maps(5, file));
    EXPECT_TRUE(maps.unmap(5, file));
    EXPECT_EQ(maps.users(file), 0u);
}

TEST_F(FileMapsTest, AStrangerNeitherUnmapsNorMapsAnUnusedEntry) {
    uint32_t file = add(kFile, 7);
    ASSERT_TRUE(maps.map(5, file));
    EXPECT_FALSE(maps.unmap(8, file)); // pid 8 never mapped it: nothing changes
    EXPECT_EQ(maps.users(file), 1u);
    EXPECT_FALSE(maps.map(5, FileMaps::kEntries)); // no such entry
    EXPECT_FALSE(maps.map(5, file + 1));           // an entry not in use
    EXPECT_FALSE(maps.map(0, file));               // pid 0 is nobody
}

TEST_F(FileMapsTest, AForksChildHasTheParentsMappingsUntilItEnds) {
    uint32_t file = add(kFile, 7);
    ASSERT_TRUE(maps.map(5, file));
    maps.fork(5, 6);
    EXPECT_TRUE(maps.maps(6, file));
    EXPECT_TRUE(exit(5).empty()); // the child still maps it
    EXPECT_EQ(exit(6), std::vector<uint32_t>{file});
}

TEST_F(FileMapsTest, AnExitEndsEveryFileOnlyItMapped) {
    uint32_t file = add(kFile, 7);
    uint32_t other = add(kOther, 9);
    ASSERT_TRUE(maps.map(5, file));
    ASSERT_TRUE(maps.map(5, other));
    ASSERT_TRUE(maps.map(6, other));
    EXPECT_EQ(exit(5), std::vector<uint32_t>{file});
    EXPECT_EQ(maps.users(other), 1u);
    EXPECT_TRUE(exit(5).empty()); // a second exit event changes nothing
}

TEST_F(FileMapsTest, TheUseTableFullRefusesAndChangesNothing) {
    uint32_t file = add(kFile, 7);
    for (uint32_t pid = 1; pid <= FileMaps::kUses; ++pid)
        ASSERT_TRUE(maps.map(pid, file));
    EXPECT_FALSE(maps.map(FileMaps::kUses + 1, file));
    EXPECT_EQ(maps.users(file), FileMaps::kUses);
    EXPECT_TRUE(maps.map(1, file)); // an existing use still counts up
}

TEST_F(FileMapsTest, TheOverlapOfAReadIsClippedToTheObject) {
    uint32_t file = add(kFile, 7, 8192);
    uint32_t from = 0, to = 0;
    ASSERT_TRUE(maps.overlap(file, 100, 50, &from, &to));
    EXPECT_EQ(from, 100u);
    EXPECT_EQ(to, 150u);
    ASSERT_TRUE(maps.overlap(file, 8000, 1000, &from, &to));
    EXPECT_EQ(from, 8000u);
    EXPECT_EQ(to, 8192u);
    EXPECT_FALSE(maps.overlap(file, 8192, 10, &from, &to));
    EXPECT_FALSE(maps.overlap(file, uint64_t{1} << 33, 10, &from, &to));
    EXPECT_FALSE(maps.overlap(file, 0, 0, &from, &to));
    maps.remove(file);
    EXPECT_FALSE(maps.overlap(file, 0, 10, &from, &to));
}

TEST_F(FileMapsTest, TheOverlapStopsAtTheLimitOfATruncatedFile) {
    uint32_t file = add(kFile, 7, 8192);
    EXPECT_EQ(maps.at(file).limit, 8192u) << "the whole object until the mapper says less";
    maps.at(file).limit = 4096; // the file was cut to a page
    uint32_t from = 0, to = 0;
    ASSERT_TRUE(maps.overlap(file, 4000, 1000, &from, &to));
    EXPECT_EQ(to, 4096u);
    EXPECT_FALSE(maps.overlap(file, 4096, 10, &from, &to)) << "mm refuses fs's own touch there";
    maps.at(file).limit = 0; // an empty file
    EXPECT_FALSE(maps.overlap(file, 0, 10, &from, &to));
}

} // namespace
} // namespace fs
