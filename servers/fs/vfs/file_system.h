// What the VFS asks of a mounted file system (ext2, tmpfs, devfs): operations on inodes named
// by number, one path component at a time — the shape of FUSE's low-level interface. Path
// resolution, mounts, open-file descriptions, permissions and umask live in the VFS above;
// a FileSystem never sees a path, a caller's identity or a descriptor.
//
// Every implementation is plain C++ with no IPC, tested on the host (tests/unit/fs_*_test.cc)
// against the same expectations; the server (servers/fs) carries out the calls at its edge.
//
// Rules every implementation keeps, so the VFS can rely on them:
//  - A name is one component: not empty, at most kNameMax bytes, no '/' and no NUL. "." and
//    ".." are never created, removed or renamed (the VFS refuses them first); lookup of ".."
//    in a directory gives its parent (the root's parent is the root).
//  - Modes are POSIX's numbers (kModeType… | permission bits), as ext2 stores them. The
//    caller has applied umask and decided owner and group.
//  - The file system keeps times: a write or truncate sets mtime and ctime; a change of
//    attributes, links or name sets ctime; creating or removing an entry sets the directory's
//    mtime and ctime; a read sets atime only when atime is older than mtime or ctime, or a day
//    old (Linux's relatime).
//  - An inode lives while it has links or references: retain/release count the references the
//    VFS holds (open-file descriptions, working directories). The last unlink of a file that is
//    still referenced removes its name now and frees its data at the last release; a directory
//    removed while referenced is empty and stays so (create in it: not_found).
//  - Errors are the shared vocabulary (lib/ipc/error.h), and a failed operation changes
//    nothing that a later operation can see.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <span>
#include <string_view>

#include "lib/ipc/error.h"

namespace fs {

using ipc::Error;

constexpr uint32_t kNameMax = 255;  // NAME_MAX: bytes of one component
constexpr uint32_t kPathMax = 4096; // PATH_MAX: bytes of a path, its NUL included

// An inode of one file system. 0 is never an inode.
struct InodeNumber {
    uint32_t value = 0;
    constexpr bool valid() const { return value != 0; }
    constexpr bool operator==(const InodeNumber&) const = default;
};

// POSIX's mode bits (the values of <sys/stat.h> on every Unix, and ext2's i_mode).
constexpr uint32_t kModeTypeMask = 0170000;
constexpr uint32_t kModeSocket = 0140000;
constexpr uint32_t kModeSymlink = 0120000;
constexpr uint32_t kModeRegular = 0100000;
constexpr uint32_t kModeBlockDevice = 0060000;
constexpr uint32_t kModeDirectory = 0040000;
constexpr uint32_t kModeCharacterDevice = 0020000;
constexpr uint32_t kModeFifo = 0010000;
constexpr uint32_t kModeSetUid = 04000;
constexpr uint32_t kModeSetGid = 02000;
constexpr uint32_t kModeSticky = 01000;
constexpr uint32_t kModePermissionMask = 07777;

constexpr bool is_directory(uint32_t mode) {
    return (mode & kModeTypeMask) == kModeDirectory;
}
constexpr bool is_regular(uint32_t mode) {
    return (mode & kModeTypeMask) == kModeRegular;
}
constexpr bool is_symlink(uint32_t mode) {
    return (mode & kModeTypeMask) == kModeSymlink;
}

// The file types a directory entry records (ext2's file_type values; readdir's d_type maps
// from them).
enum class FileType : uint8_t {
    unknown = 0,
    regular = 1,
    directory = 2,
    character_device = 3,
    block_device = 4,
    fifo = 5,
    socket = 6,
    symlink = 7,
};
constexpr FileType file_type_of(uint32_t mode) {
    switch (mode & kModeTypeMask) {
    case kModeRegular:
        return FileType::regular;
    case kModeDirectory:
        return FileType::directory;
    case kModeCharacterDevice:
        return FileType::character_device;
    case kModeBlockDevice:
        return FileType::block_device;
    case kModeFifo:
        return FileType::fifo;
    case kModeSocket:
        return FileType::socket;
    case kModeSymlink:
        return FileType::symlink;
    }
    return FileType::unknown;
}

struct Timestamp {
    int64_t seconds = 0; // since the epoch, UTC
    uint32_t nanoseconds = 0;
    constexpr bool operator==(const Timestamp&) const = default;
};

// Where a file system reads the time (the RTC and a monotonic counter in the server, a fake in
// tests).
class Clock {
public:
    virtual Timestamp now() = 0;

protected:
    ~Clock() = default;
};

struct Attributes {
    InodeNumber inode;
    uint32_t mode = 0;  // type | permissions
    uint32_t links = 0; // hard links (a directory: 2 + its subdirectories)
    uint32_t uid = 0;
    uint32_t gid = 0;
    uint64_t size = 0;       // bytes (a symlink: its target's length)
    uint64_t blocks = 0;     // 512-byte units allocated (sparse files have fewer)
    uint32_t block_size = 0; // the preferred transfer size (st_blksize)
    uint32_t device = 0;     // a device file: the device it names (major << 8 | minor)
    Timestamp access;
    Timestamp modify;
    Timestamp change;
};

// set_attributes: only the fields named in `which` change (chmod, chown, truncate, utimes).
struct AttributeChanges {
    static constexpr uint32_t kMode = 1u << 0; // permission bits only; the type never changes
    static constexpr uint32_t kUid = 1u << 1;
    static constexpr uint32_t kGid = 1u << 2;
    static constexpr uint32_t kSize = 1u << 3; // truncate or extend (the new part reads zeros)
    static constexpr uint32_t kAccess = 1u << 4;
    static constexpr uint32_t kModify = 1u << 5;
    uint32_t which = 0;
    uint32_t mode = 0;
    uint32_t uid = 0;
    uint32_t gid = 0;
    uint64_t size = 0;
    Timestamp access;
    Timestamp modify;
};

// The inode a create, mkdir or symlink makes.
struct NewInode {
    uint32_t mode = 0; // type | permissions (umask applied)
    uint32_t uid = 0;
    uint32_t gid = 0;
    uint32_t device = 0; // a device file's device number
};

struct FileSystemStatistics {
    uint32_t block_size = 0;
    uint64_t blocks = 0;
    uint64_t free_blocks = 0;
    uint64_t available_blocks = 0; // free to unprivileged users (ext2's reserved blocks kept)
    uint64_t inodes = 0;
    uint64_t free_inodes = 0;
    uint32_t name_max = kNameMax;
    bool read_only = false;
};

struct DirectoryEntry {
    InodeNumber inode;
    FileType type = FileType::unknown;
    std::string_view name; // valid during the call to the sink only
    // The cookie that continues after this entry: read_directory(dir, next, …) gives the
    // entries that follow it. Stable across changes to the directory: an entry that exists
    // during the whole listing is given exactly once, and never one twice.
    uint64_t next = 0;
};

class DirectorySink {
public:
    // False: stop (the caller's buffer is full); the entry was not taken.
    virtual bool take(const DirectoryEntry& entry) = 0;

protected:
    ~DirectorySink() = default;
};

class FileSystem {
public:
    virtual InodeNumber root() const = 0;
    virtual bool read_only() const = 0;
    // Whether its names and its inodes' types, permissions and owners change only through the
    // operations below (ext2, tmpfs): then the VFS may keep them in its name cache
    // (name_cache.h). False for file systems whose tree changes by itself (procfs's processes,
    // devfs's registered devices).
    virtual bool names_stable() const { return false; }
    virtual Error statistics(FileSystemStatistics* out) = 0;

    // Errors (besides io_error everywhere): not_found (no such inode, or freed).
    virtual Error get_attributes(InodeNumber inode, Attributes* out) = 0;
    // Errors: not_found; read_only; is_directory (size of a directory); invalid_argument (size
    // of something that is not a regular file); too_big (beyond the largest file); no_space
    // (extending a file's blocks). `out` (may be nullptr) gets the attributes after the change.
    virtual Error set_attributes(InodeNumber inode, const AttributeChanges& changes,
                                 Attributes* out) = 0;

    // Errors: not_found (no entry, or `directory` is gone); not_directory.
    virtual Error lookup(InodeNumber directory, std::string_view name, InodeNumber* out) = 0;
    // A regular file, FIFO, socket or device file (the type in `inode.mode`).
    // Errors: exists; not_directory; not_found (`directory` removed); read_only; no_space
    // (no inode or no block for the entry); too_many_links; invalid_argument (a directory or
    // symlink type: use their operations).
    virtual Error create(InodeNumber directory, std::string_view name, const NewInode& inode,
                         InodeNumber* out) = 0;
    // Errors: as create; too_many_links (the parent's link count is at its maximum).
    virtual Error make_directory(InodeNumber directory, std::string_view name,
                                 const NewInode& inode, InodeNumber* out) = 0;
    // `target` is stored as given (1 to kPathMax - 1 bytes; invalid_argument otherwise).
    virtual Error make_symlink(InodeNumber directory, std::string_view name,
                               std::string_view target, const NewInode& inode,
                               InodeNumber* out) = 0;
    // A new name for an existing inode that is not a directory.
    // Errors: exists; is_directory (`inode` is one: no_permission in POSIX terms, the VFS
    // says EPERM); too_many_links; not_directory; read_only; no_space.
    virtual Error link(InodeNumber inode, InodeNumber directory, std::string_view name) = 0;
    // Removes a name that is not a directory. Errors: not_found; is_directory; read_only.
    virtual Error unlink(InodeNumber directory, std::string_view name) = 0;
    // Removes an empty directory. Errors: not_found; not_directory; not_empty; read_only;
    // busy (it is the root).
    virtual Error remove_directory(InodeNumber directory, std::string_view name) = 0;
    // POSIX rename within this file system: replaces an existing `to` of a compatible kind
    // (a file by a file, a directory by an empty directory); the same inode under both names
    // changes nothing. A directory moved to another parent gets its ".." changed. The VFS has
    // checked that `to_directory` is not inside the directory being moved.
    // Errors: not_found; is_directory (a file over a directory); not_directory (a directory
    // over a file); not_empty; too_many_links; read_only; no_space.
    virtual Error rename(InodeNumber from_directory, std::string_view from,
                         InodeNumber to_directory, std::string_view to) = 0;
    // The target of a symlink, truncated to the buffer; *length is its whole length.
    // Errors: not_found; invalid_argument (not a symlink).
    virtual Error read_link(InodeNumber inode, std::span<char> buffer, uint32_t* length) = 0;

    // Regular files only (the VFS serves FIFOs and devices itself). A read at or beyond the
    // end reads 0 bytes; holes read as zeros. A write beyond the end extends the file (the gap
    // becomes a hole where the format allows). *done: bytes moved; a write that runs out of
    // space writes what fits, and answers no_space only if that was nothing.
    // Errors: not_found; is_directory; invalid_argument (not a regular file); too_big;
    // no_space; read_only.
    virtual Error read(InodeNumber inode, uint64_t offset, std::span<uint8_t> buffer,
                       uint32_t* done) = 0;
    virtual Error write(InodeNumber inode, uint64_t offset, std::span<const uint8_t> data,
                        uint32_t* done) = 0;

    // The entries from `cookie` on (0: the start, "." and ".." first), each given to the
    // sink until it refuses one or the directory ends. Errors: not_found; not_directory.
    virtual Error read_directory(InodeNumber directory, uint64_t cookie, DirectorySink& sink) = 0;

    // References the VFS holds beside links (see above). release of the last reference of an
    // inode without links frees it.
    virtual void retain(InodeNumber inode) = 0;
    virtual void release(InodeNumber inode) = 0;

    // fsync: this inode's data and attributes are on the device when it answers. sync: all.
    virtual Error sync_inode(InodeNumber inode) = 0;
    virtual Error sync() = 0;

protected:
    ~FileSystem() = default;
};

} // namespace fs
