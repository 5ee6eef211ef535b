// What libposix decides about files before and after asking fs (interfaces/file): which open
// flags are the descriptor's and which the server's, a new file's permissions under the umask,
// which device files are the console, and the d_type of a directory record. The values are
// newlib's (i686-elf <sys/_default_fcntl.h>, <sys/stat.h>, and the DT_* of libposix's
// <sys/dirent.h>); files.cc checks them against the headers with static_asserts.
// Pure: host-tested (tests/unit/posix_file_modes_test.cc).
#pragma once

#include <stdint.h>

#include "interfaces/file/wire.h"

namespace posix {

// newlib's open flags that fs does not take: O_CLOEXEC (_FNOINHERIT) belongs to the descriptor,
// O_NOCTTY means nothing without controlling terminals of files, O_SYNC/O_DSYNC/O_RSYNC
// (_FSYNC) are accepted as POSIX allows for a system whose writes reach the file at once (fs's
// tmpfs) — ext2's write-back cache makes that untrue, which README.md says.
constexpr uint32_t kOpenCloseOnExec = 0x40000;     // O_CLOEXEC
constexpr uint32_t kOpenNoControllingTty = 0x8000; // O_NOCTTY
constexpr uint32_t kOpenSync = 0x2000;             // O_SYNC, O_DSYNC, O_RSYNC
constexpr uint32_t kOpenCreate = AXO_FILE_O_CREAT;

struct OpenFlags {
    uint32_t server = 0; // what goes to fs (it refuses what it does not know: EINVAL)
    bool close_on_exec = false;
};

constexpr OpenFlags split_open_flags(uint32_t flags) {
    return OpenFlags{flags & ~(kOpenCloseOnExec | kOpenNoControllingTty | kOpenSync),
                     (flags & kOpenCloseOnExec) != 0};
}

// The caller applies its umask (interfaces/file/README.md): only the permission bits count.
constexpr uint32_t kPermissionBits = 07777;
constexpr uint32_t creation_mode(uint32_t mode, uint32_t umask) {
    return mode & kPermissionBits & ~umask;
}

// File types in a mode (POSIX's values, the same in newlib and fs).
constexpr uint32_t kModeTypeMask = 0170000;
constexpr uint32_t kModeCharacterDevice = 0020000;
constexpr uint32_t kModeFifo = 0010000;

// The terminals as devfs numbers them (Linux's major << 8 | minor): /dev/console 5:1 and
// /dev/ttyS0 4:64 are terminal 0, the tty server's line on COM1, registered as "console";
// /dev/tty1 4:1 is terminal 1, its line on the VGA screen and keyboard, registered as "tty1";
// /dev/tty 5:0 is the caller's controlling terminal, whichever that is (files.cc asks). An
// open of one of them gives a console descriptor whose handle is the terminal's number.
constexpr uint32_t device_number(uint32_t major, uint32_t minor) {
    return major << 8 | minor;
}
constexpr uint32_t kTerminals = 2;
constexpr int32_t kNotATerminal = -1;
constexpr int32_t kControllingTerminal = -2;
constexpr int32_t terminal_of_device(uint32_t mode, uint32_t device) {
    if ((mode & kModeTypeMask) != kModeCharacterDevice) return kNotATerminal;
    if (device == device_number(5, 0)) return kControllingTerminal;
    if (device == device_number(5, 1) || device == device_number(4, 64)) return 0;
    if (device == device_number(4, 1)) return 1;
    return kNotATerminal;
}
constexpr bool is_console_device(uint32_t mode, uint32_t device) {
    return terminal_of_device(mode, device) != kNotATerminal;
}
// The name terminal `terminal` is registered under (proc's name service), its device file, and
// its device number (fstat's st_rdev).
constexpr const char* terminal_server_name(uint32_t terminal) {
    return terminal == 0 ? "console" : "tty1";
}
constexpr const char* terminal_path(uint32_t terminal) {
    return terminal == 0 ? "/dev/console" : "/dev/tty1";
}
constexpr uint32_t terminal_device(uint32_t terminal) {
    return terminal == 0 ? device_number(5, 1) : device_number(4, 1);
}

// chown's "leave it" is (uid_t)-1, which newlib's 16-bit uid_t makes 0xFFFF; fs's is 0xFFFFFFFF.
constexpr uint32_t kKeepId = 0xFFFFFFFFu;
constexpr uint32_t owner_for_server(uint32_t id, uint32_t keep_value) {
    return id == keep_value ? kKeepId : id;
}

// A directory record's type (fs: ext2's order) as a d_type (the BSD/Linux DT_* values).
enum DirectoryType : uint8_t {
    kDtUnknown = 0,
    kDtFifo = 1,
    kDtCharacter = 2,
    kDtDirectory = 4,
    kDtBlock = 6,
    kDtRegular = 8,
    kDtSymlink = 10,
    kDtSocket = 12,
};
constexpr uint8_t directory_type(uint8_t record_type) {
    switch (record_type) {
    case 1:
        return kDtRegular;
    case 2:
        return kDtDirectory;
    case 3:
        return kDtCharacter;
    case 4:
        return kDtBlock;
    case 5:
        return kDtFifo;
    case 6:
        return kDtSocket;
    case 7:
        return kDtSymlink;
    default:
        return kDtUnknown;
    }
}

} // namespace posix
