// libposix's decisions around fs's answers (libposix/file_modes.h): which open flags go to fs,
// the umask, which device files are the console, chown's "keep", directory record types.
#include "libposix/file_modes.h"

#include <gtest/gtest.h>

namespace posix {
namespace {

TEST(PosixFileModes, CloseOnExecStaysWithTheDescriptor) {
    OpenFlags split = split_open_flags(AXO_FILE_O_RDWR | AXO_FILE_O_CREAT | kOpenCloseOnExec);
    EXPECT_TRUE(split.close_on_exec);
    EXPECT_EQ(split.server, AXO_FILE_O_RDWR | AXO_FILE_O_CREAT);
    EXPECT_FALSE(split_open_flags(AXO_FILE_O_RDONLY).close_on_exec);
}

TEST(PosixFileModes, FlagsFsDoesNotTakeAreDropped) {
    uint32_t flags = AXO_FILE_O_WRONLY | AXO_FILE_O_APPEND | kOpenNoControllingTty | kOpenSync;
    EXPECT_EQ(split_open_flags(flags).server, AXO_FILE_O_WRONLY | AXO_FILE_O_APPEND);
    uint32_t server_flags = AXO_FILE_O_EXCL | AXO_FILE_O_TRUNC | AXO_FILE_O_NONBLOCK |
                            AXO_FILE_O_NOFOLLOW | AXO_FILE_O_DIRECTORY;
    EXPECT_EQ(split_open_flags(server_flags).server, server_flags);
    // What fs does not know reaches it, and it answers EINVAL.
    EXPECT_EQ(split_open_flags(0x80000000u).server, 0x80000000u);
}

TEST(PosixFileModes, TheUmaskClearsPermissionBitsOnly) {
    EXPECT_EQ(creation_mode(0666, 022), 0644u);
    EXPECT_EQ(creation_mode(0777, 077), 0700u);
    EXPECT_EQ(creation_mode(04755, 022), 04755u) << "set-id bits are not in a umask";
    EXPECT_EQ(creation_mode(0100644, 0), 0644u) << "the type is not a permission";
}

TEST(PosixFileModes, OnlyTheConsolesCharacterDevicesAreTheConsole) {
    EXPECT_TRUE(is_console_device(0020620, device_number(5, 1)));  // /dev/console
    EXPECT_TRUE(is_console_device(0020666, device_number(5, 0)));  // /dev/tty
    EXPECT_TRUE(is_console_device(0020660, device_number(4, 64))); // /dev/ttyS0
    EXPECT_FALSE(is_console_device(0020666, device_number(1, 3))) << "/dev/null";
    EXPECT_FALSE(is_console_device(0020660, device_number(4, 65))) << "ttyS1";
    EXPECT_FALSE(is_console_device(0060660, device_number(5, 1))) << "a block device 5:1";
    EXPECT_FALSE(is_console_device(0010644, device_number(5, 1))) << "a FIFO";
}

TEST(PosixFileModes, EachTerminalsDeviceNamesItsNumber) {
    EXPECT_EQ(terminal_of_device(0020620, device_number(5, 1)), 0);  // /dev/console
    EXPECT_EQ(terminal_of_device(0020660, device_number(4, 64)), 0); // /dev/ttyS0
    EXPECT_EQ(terminal_of_device(0020620, device_number(4, 1)), 1);  // /dev/tty1: the VGA one
    EXPECT_EQ(terminal_of_device(0020666, device_number(5, 0)), kControllingTerminal);
    EXPECT_EQ(terminal_of_device(0020620, device_number(4, 2)), kNotATerminal) << "tty2";
    EXPECT_EQ(terminal_of_device(0060620, device_number(4, 1)), kNotATerminal) << "block 4:1";
    EXPECT_TRUE(is_console_device(0020620, device_number(4, 1)));
    for (uint32_t terminal = 0; terminal < kTerminals; ++terminal) {
        // The device file a terminal's descriptor names (ttyname, st_rdev) opens it again.
        EXPECT_EQ(terminal_of_device(0020620, terminal_device(terminal)),
                  static_cast<int32_t>(terminal));
    }
    EXPECT_STREQ(terminal_server_name(0), "console");
    EXPECT_STREQ(terminal_server_name(1), "tty1");
    EXPECT_STREQ(terminal_path(1), "/dev/tty1");
}

TEST(PosixFileModes, ChownsKeepValueBecomesFsOwn) {
    EXPECT_EQ(owner_for_server(0xFFFF, 0xFFFF), kKeepId);
    EXPECT_EQ(owner_for_server(1000, 0xFFFF), 1000u);
    EXPECT_EQ(owner_for_server(0, 0xFFFF), 0u);
}

TEST(PosixFileModes, RecordTypesBecomeDirentTypes) {
    EXPECT_EQ(directory_type(1), kDtRegular);
    EXPECT_EQ(directory_type(2), kDtDirectory);
    EXPECT_EQ(directory_type(3), kDtCharacter);
    EXPECT_EQ(directory_type(4), kDtBlock);
    EXPECT_EQ(directory_type(5), kDtFifo);
    EXPECT_EQ(directory_type(6), kDtSocket);
    EXPECT_EQ(directory_type(7), kDtSymlink);
    EXPECT_EQ(directory_type(0), kDtUnknown);
    EXPECT_EQ(directory_type(200), kDtUnknown);
}

} // namespace
} // namespace posix
