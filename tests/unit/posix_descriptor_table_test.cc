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

// ---- Across exec: the table as one environment string ---------------------------------------

TEST(PosixDescriptorTable, EncodeThenDecodeGivesTheSameEntries) {
    DescriptorTable table;
    table.open_standard();
    ASSERT_EQ(table.install(Descriptor{DescriptorKind::file, false, 0, 0x2a}), 3);
    Descriptor pipe_end{DescriptorKind::file, false, 0, 7};
    pipe_end.fifo = true;
    ASSERT_EQ(table.duplicate_to(0, 9), 9);
    *table.get(9) = pipe_end;
    ASSERT_EQ(table.install(Descriptor{DescriptorKind::stream, false, 0x12340001u, 5}, 63), 63);
    ASSERT_NE(table.close(1).kind, DescriptorKind::closed);
    char text[DescriptorTable::kInheritMax];
    ASSERT_TRUE(table.encode(text, sizeof text));
    EXPECT_STREQ(text, "AXO_DESCRIPTORS=0:c0,2:c0,3:f2a,9:o7,63:s12340001.5,");
    DescriptorTable copy;
    ASSERT_TRUE(copy.decode(text + 16));
    EXPECT_EQ(copy.get(1), nullptr);
    ASSERT_NE(copy.get(3), nullptr);
    EXPECT_EQ(copy.get(3)->handle, 0x2au);
    EXPECT_FALSE(copy.get(3)->fifo);
    ASSERT_NE(copy.get(9), nullptr);
    EXPECT_TRUE(copy.get(9)->fifo);
    ASSERT_NE(copy.get(63), nullptr);
    EXPECT_EQ(copy.get(63)->server, 0x12340001u);
    EXPECT_EQ(copy.get(63)->kind, DescriptorKind::stream);
    EXPECT_EQ(copy.get(0)->kind, DescriptorKind::console);
}

TEST(PosixDescriptorTable, ATerminalsNumberCrossesExec) {
    DescriptorTable table;
    ASSERT_EQ(table.install(Descriptor{DescriptorKind::console, false, 0, 1}), 0);
    ASSERT_EQ(table.duplicate(0), 1);
    char text[DescriptorTable::kInheritMax];
    ASSERT_TRUE(table.encode(text, sizeof text));
    EXPECT_STREQ(text, "AXO_DESCRIPTORS=0:c1,1:c1,");
    DescriptorTable copy;
    ASSERT_TRUE(copy.decode(text + 16));
    ASSERT_NE(copy.get(1), nullptr);
    EXPECT_EQ(copy.get(1)->kind, DescriptorKind::console);
    EXPECT_EQ(copy.get(1)->handle, 1u);
}

TEST(PosixDescriptorTable, AMalformedTableLeavesTheTableAsItWas) {
    for (const char* bad : {"0:x1,", "64:c0,", "0:c0", "0:c0,0:c0,", ":c0,", "0:f,", "0:s1,",
                            "0:f123456789,", "99999999999:c0,"}) {
        DescriptorTable table;
        table.open_standard();
        EXPECT_FALSE(table.decode(bad)) << bad;
        EXPECT_NE(table.get(0), nullptr) << bad;
        EXPECT_EQ(table.get(3), nullptr) << bad;
    }
}

TEST(PosixDescriptorTable, EncodeRefusesABufferTooSmall) {
    DescriptorTable table;
    table.open_standard();
    char small[20];
    EXPECT_FALSE(table.encode(small, sizeof small));
}

} // namespace
} // namespace posix
