// fs's table of executables mapped for exec (servers/fs/pager/exec_objects.h): which processes
// use which file's mm object, and when an object falls out of use.
#include <gtest/gtest.h>

#include "servers/fs/pager/exec_objects.h"

namespace fs {
namespace {

constexpr Node kFile{0, InodeNumber{12}};
constexpr Node kOther{0, InodeNumber{13}};

struct ExecObjectsTest : ::testing::Test {
    uint32_t add(const Node& node, uint32_t object) {
        uint32_t index = table.free_entry();
        table.add(index, node, 0, 4096, 3);
        table.add_object(index, object);
        return index;
    }
    std::vector<uint32_t> ask(uint32_t pid, uint32_t index) {
        uint32_t ended[2], count = 0;
        EXPECT_TRUE(table.ask(pid, index, ended, &count));
        return {ended, ended + count};
    }
    std::vector<uint32_t> exec(uint32_t pid, uint32_t object) {
        uint32_t ended[2], count = 0;
        table.exec(pid, object, ended, &count);
        return {ended, ended + count};
    }
    std::vector<uint32_t> exit(uint32_t pid) {
        uint32_t ended[2], count = 0;
        table.exit(pid, ended, &count);
        return {ended, ended + count};
    }
    std::vector<uint32_t> fork(uint32_t parent, uint32_t child) {
        uint32_t ended[2], count = 0;
        table.fork(parent, child, ended, &count);
        return {ended, ended + count};
    }
    ExecObjects table;
};

TEST_F(ExecObjectsTest, AnExecOfTheObjectMovesTheUseFromAskedToRunning) {
    uint32_t i = add(kFile, 7);
    EXPECT_TRUE(ask(5, i).empty());
    EXPECT_EQ(table.asked(5), i);
    EXPECT_TRUE(exec(5, 7).empty());
    EXPECT_EQ(table.running(5), i);
    EXPECT_EQ(table.asked(5), ExecObjects::kNone);
    EXPECT_EQ(table.at(i).users, 1u);
    EXPECT_EQ(exit(5), std::vector<uint32_t>{i});
}

TEST_F(ExecObjectsTest, AnExecOfSomethingElseEndsTheAskedUse) {
    uint32_t i = add(kFile, 7);
    (void)ask(5, i);
    EXPECT_EQ(exec(5, 0), std::vector<uint32_t>{i}); // a boot module
    uint32_t j = add(kOther, 8);
    (void)ask(6, j);
    EXPECT_EQ(exec(6, 9), std::vector<uint32_t>{j}); // another object
}

TEST_F(ExecObjectsTest, ARunningProgramsNextExecEndsItsUse) {
    uint32_t i = add(kFile, 7), j = add(kOther, 8);
    (void)ask(5, i);
    (void)exec(5, 7);
    (void)ask(5, j);
    EXPECT_EQ(exec(5, 8), std::vector<uint32_t>{i});
    EXPECT_EQ(table.running(5), j);
}

TEST_F(ExecObjectsTest, AForkedChildKeepsTheObjectInUse) {
    uint32_t i = add(kFile, 7);
    (void)ask(5, i);
    (void)exec(5, 7);
    EXPECT_TRUE(fork(5, 6).empty());
    EXPECT_TRUE(exit(5).empty());
    EXPECT_EQ(exit(6), std::vector<uint32_t>{i});
}

TEST_F(ExecObjectsTest, TwoProcessesOfOneFileShareItsEntry) {
    uint32_t i = add(kFile, 7);
    (void)ask(5, i);
    (void)ask(6, i);
    (void)exec(5, 7);
    (void)exec(6, 7);
    EXPECT_EQ(table.find(kFile), i);
    EXPECT_TRUE(exit(5).empty());
    EXPECT_TRUE(table.busy(kFile));
    EXPECT_EQ(exit(6), std::vector<uint32_t>{i});
}

TEST_F(ExecObjectsTest, AskingAgainForTheSameFileKeepsIt) {
    uint32_t i = add(kFile, 7);
    (void)ask(5, i);
    EXPECT_TRUE(ask(5, i).empty());
    EXPECT_EQ(table.at(i).users, 1u);
}

TEST_F(ExecObjectsTest, AFileIsBusyUntilItsEntryIsRemoved) {
    EXPECT_FALSE(table.busy(kFile));
    uint32_t i = add(kFile, 7);
    EXPECT_TRUE(table.busy(kFile));
    EXPECT_FALSE(table.busy(kOther));
    table.remove(i);
    EXPECT_FALSE(table.busy(kFile));
}

TEST_F(ExecObjectsTest, AStaleCookieNamesNoEntry) {
    uint32_t i = add(kFile, 7);
    uint32_t cookie = table.cookie(i);
    EXPECT_EQ(table.entry_of_cookie(cookie), i);
    table.remove(i);
    EXPECT_EQ(table.entry_of_cookie(cookie), ExecObjects::kNone);
    uint32_t again = add(kOther, 8);
    EXPECT_EQ(again, i); // the slot is reused, under a new cookie
    EXPECT_EQ(table.entry_of_cookie(cookie), ExecObjects::kNone);
    EXPECT_EQ(table.entry_of_cookie(table.cookie(again)), again);
    EXPECT_EQ(table.entry_of_cookie(0xFFFFFFFFu), ExecObjects::kNone);
}

TEST_F(ExecObjectsTest, AReusedPidStartsWithNothing) {
    uint32_t i = add(kFile, 7);
    (void)ask(5, i);
    (void)exec(5, 7);
    // pid 5 ended but the exit was lost; a fork that makes a new pid 5 ends its old use.
    EXPECT_EQ(fork(4, 5), std::vector<uint32_t>{i});
    EXPECT_EQ(table.running(5), ExecObjects::kNone);
}

TEST_F(ExecObjectsTest, TheTableFillsUp) {
    for (uint32_t k = 0; k < ExecObjects::kEntries; ++k)
        add(Node{0, InodeNumber{100 + k}}, 10 + k);
    EXPECT_EQ(table.free_entry(), ExecObjects::kNone);
    EXPECT_EQ(table.entries_in_use(), ExecObjects::kEntries);
}

} // namespace
} // namespace fs
