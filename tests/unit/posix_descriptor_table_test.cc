// libposix's descriptor table (libposix/descriptor_table.h): lowest free descriptor, dup, dup2,
// close, close-on-exec.
#include "libposix/descriptor_table.h"

#include <gtest/gtest.h>

namespace posix {
namespace {

TEST(PosixDescriptorTable, StandardDescriptorsAreTheConsole) {
    DescriptorTable table;
    EXPECT_EQ(table.get(0), nullptr);
    table.open_standard();
    for (int fd = 0; fd < 3; ++fd) {
        ASSERT_NE(table.get(fd), nullptr);
        EXPECT_EQ(table.get(fd)->kind, DescriptorKind::console);
    }
    EXPECT_EQ(table.get(3), nullptr);
    EXPECT_EQ(table.get(-1), nullptr);
    EXPECT_EQ(table.get(DescriptorTable::kSize), nullptr);
}

TEST(PosixDescriptorTable, DupTakesTheLowestFreeAndDropsCloseOnExec) {
    DescriptorTable table;
    table.open_standard();
    table.get(1)->close_on_exec = true;
    EXPECT_EQ(table.duplicate(1), 3);
    EXPECT_FALSE(table.get(3)->close_on_exec);
    (void)table.close(0);
    EXPECT_EQ(table.duplicate(1), 0) << "the lowest free one";
    EXPECT_EQ(table.duplicate(1, 10), 10) << "F_DUPFD: the lowest at or above 10";
    EXPECT_EQ(table.duplicate(7), -1) << "not open: EBADF";
}

TEST(PosixDescriptorTable, DupToReplacesAndReportsWhatItReplaced) {
    DescriptorTable table;
    table.open_standard();
    Descriptor file{DescriptorKind::file, false, 42, 7};
    ASSERT_EQ(table.install(file), 3);
    Descriptor replaced;
    EXPECT_EQ(table.duplicate_to(1, 3, &replaced), 3);
    EXPECT_EQ(replaced.kind, DescriptorKind::file);
    EXPECT_EQ(replaced.handle, 7u);
    EXPECT_EQ(table.get(3)->kind, DescriptorKind::console);
    EXPECT_EQ(table.duplicate_to(1, 1), 1) << "onto itself: nothing changes";
    EXPECT_EQ(table.duplicate_to(1, DescriptorTable::kSize), -1);
    EXPECT_EQ(table.duplicate_to(9, 4), -1);
}

TEST(PosixDescriptorTable, FullTableAndCloseOnExec) {
    DescriptorTable table;
    table.open_standard();
    for (int fd = 3; fd < DescriptorTable::kSize; ++fd)
        ASSERT_EQ(table.duplicate(0), fd);
    EXPECT_EQ(table.duplicate(0), -2) << "EMFILE";
    table.get(5)->close_on_exec = true;
    table.close_on_exec();
    EXPECT_EQ(table.get(5), nullptr);
    EXPECT_NE(table.get(6), nullptr);
    EXPECT_EQ(table.close(5).kind, DescriptorKind::closed) << "closing a closed one: nothing";
}

} // namespace
} // namespace posix
