// The file interface: the file tree that fs serves (README.md has the semantics). Requests are
// IPC calls in lib/ipc's shape; paths and data travel in the calling thread's shared buffer
// (AXO_FILE_BUFFER_BYTES, mapped by kFileAttach: lib/ipc sessions), never in the message.
//
// Paths: a request names `path_length`; the path's bytes are at the start of the buffer with a
// NUL at [path_length] (no NUL inside). A second path (rename, link, symlink's path) starts
// right after the first one's NUL. The server copies paths out of the buffer before it uses
// them. Data: read and write move `count` bytes at the start of the buffer.
// Handles: small integers per client process (all its threads share them); fork gives the
// child the same open-file descriptions, exit closes them (fs follows proc's event stream).
// `at`: a directory handle or AXO_FILE_AT_CWD, for a relative path.
//
// Errors (reply labels, lib/ipc/error.h) as POSIX names them: not_found ENOENT, exists EEXIST,
// not_directory ENOTDIR, is_directory EISDIR, not_empty ENOTEMPTY, access_denied EACCES,
// no_permission EPERM, name_too_long ENAMETOOLONG, symlink_loop ELOOP, bad_handle EBADF,
// cross_device EXDEV, too_many_open EMFILE (the process's 64 handles),
// too_many_open_in_system ENFILE (fs's own tables, the whole system's: its 512 open-file
// descriptions, or its 64 processes — a process takes an entry at its first open, pipe or chdir
// and gives it back when proc's events say it ended), read_only EROFS, invalid_argument EINVAL,
// not_seekable ESPIPE, no_space ENOSPC, busy EBUSY, too_big EFBIG, too_many_links EMLINK;
// bad_message for a request whose lengths do not fit the buffer or whose path is not
// NUL-terminated; not_found (session_lost) before kFileAttach, or after the server took the
// buffer back; unsupported for the data of device files fs does not serve itself (the
// consoles, the serial line: libposix routes those).
//
// Pipes and FIFOs (kFilePipe, and open of a FIFO) follow POSIX: a read or write that cannot go
// on now is answered later (the call blocks in fs; a new request from the same thread, or the
// thread's signal abort, gives it up with nothing read or written). read: 0 at end of file
// (no writer left); write: up to AXO_FILE_PIPE_BUF bytes all at once, never interleaved, more
// possibly in part; broken_pipe (EPIPE) when no reader is left, and fs asks proc for SIGPIPE to
// the writer's process first; would_block (EAGAIN) with O_NONBLOCK; busy when too many requests
// wait on one pipe. Opening a FIFO for reading waits for a writer and vice versa (O_NONBLOCK:
// reading opens at once, writing fails with no_device, ENXIO, without a reader); O_RDWR never
// waits. The devices fs serves (null, zero, full, random, urandom) never block; full answers
// no_space (ENOSPC) to a write.
#pragma once

#include <stdint.h>

#include "interfaces/file/wire.h"
#include "interfaces/labels.h"
#include "lib/ipc/message.h"

namespace file {

enum Label : uint32_t {
    kFileAttach = AXO_FILE_ATTACH,
    kFileOpen = AXO_FILE_OPEN,
    kFileClose = AXO_FILE_CLOSE,
    kFileRead = AXO_FILE_READ,
    kFileWrite = AXO_FILE_WRITE,
    kFilePread = AXO_FILE_PREAD,
    kFilePwrite = AXO_FILE_PWRITE,
    kFileSeek = AXO_FILE_SEEK,
    kFileStat = AXO_FILE_STAT,
    kFileFstat = AXO_FILE_FSTAT,
    kFileAccess = AXO_FILE_ACCESS,
    kFileMkdir = AXO_FILE_MKDIR,
    kFileRmdir = AXO_FILE_RMDIR,
    kFileUnlink = AXO_FILE_UNLINK,
    kFileRename = AXO_FILE_RENAME,
    kFileLink = AXO_FILE_LINK,
    kFileSymlink = AXO_FILE_SYMLINK,
    kFileReadlink = AXO_FILE_READLINK,
    kFileTruncate = AXO_FILE_TRUNCATE,
    kFileFtruncate = AXO_FILE_FTRUNCATE,
    kFileChmod = AXO_FILE_CHMOD,
    kFileFchmod = AXO_FILE_FCHMOD,
    kFileChown = AXO_FILE_CHOWN,
    kFileFchown = AXO_FILE_FCHOWN,
    kFileUtimes = AXO_FILE_UTIMES,
    kFileFutimes = AXO_FILE_FUTIMES,
    kFileReaddir = AXO_FILE_READDIR,
    kFileChdir = AXO_FILE_CHDIR,
    kFileFchdir = AXO_FILE_FCHDIR,
    kFileGetcwd = AXO_FILE_GETCWD,
    kFileFsync = AXO_FILE_FSYNC,
    kFileSync = AXO_FILE_SYNC,
    kFileStatfs = AXO_FILE_STATFS,
    kFileFstatfs = AXO_FILE_FSTATFS,
    kFileMknod = AXO_FILE_MKNOD,
    kFileDup = AXO_FILE_DUP,
    kFileGetFlags = AXO_FILE_GET_FLAGS,
    kFileSetFlags = AXO_FILE_SET_FLAGS,
    kFilePipe = AXO_FILE_PIPE,
    kFilePoll = AXO_FILE_POLL,
    kFileMount = AXO_FILE_MOUNT,
    kFileUmount = AXO_FILE_UMOUNT,
    kFileStatistics = AXO_FILE_STATISTICS,
    kFileLock = AXO_FILE_LOCK,
    kFileFlock = AXO_FILE_FLOCK,
    kFileShutdown = AXO_FILE_SHUTDOWN,
    kFileExecObject = AXO_FILE_EXEC_OBJECT, // an executable file's mm object, for exec
    kFilePagerRead = AXO_FILE_PAGER_READ,   // fs's own pager thread only: a page of a file
    kFileMapObject = AXO_FILE_MAP_OBJECT,   // mmap of a file: its shared mm object
    kFileMapSync = AXO_FILE_MAP_SYNC,       // msync: a mapped file's pages written back
    kFileMapRelease = AXO_FILE_MAP_RELEASE, // munmap: one mapping of the file ended
};
static_assert(
    labels::all_in(AXO_LABELS_FILE_FIRST, AXO_LABELS_FILE_LAST,
                   {kFileAttach,    kFileOpen,     kFileClose,     kFileRead,     kFileWrite,
                    kFilePread,     kFilePwrite,   kFileSeek,      kFileStat,     kFileFstat,
                    kFileAccess,    kFileMkdir,    kFileRmdir,     kFileUnlink,   kFileRename,
                    kFileLink,      kFileSymlink,  kFileReadlink,  kFileTruncate, kFileFtruncate,
                    kFileChmod,     kFileFchmod,   kFileChown,     kFileFchown,   kFileUtimes,
                    kFileFutimes,   kFileReaddir,  kFileChdir,     kFileFchdir,   kFileGetcwd,
                    kFileFsync,     kFileSync,     kFileStatfs,    kFileFstatfs,  kFileMknod,
                    kFileDup,       kFileGetFlags, kFileSetFlags,  kFilePipe,     kFileExecObject,
                    kFilePagerRead, kFilePoll,     kFileMapObject, kFileMapSync,  kFileMapRelease,
                    kFileLock,      kFileFlock,    kFileShutdown,  kFileMount,    kFileUmount,
                    kFileStatistics}));

constexpr uint32_t kBufferLog2 = AXO_FILE_BUFFER_LOG2;
constexpr uint32_t kBufferBytes = AXO_FILE_BUFFER_BYTES;
constexpr int32_t kAtCwd = AXO_FILE_AT_CWD;

inline uint64_t join(uint32_t low, uint32_t high) {
    return uint64_t{high} << 32 | low;
}
inline uint32_t low(uint64_t value) {
    return static_cast<uint32_t>(value);
}
inline uint32_t high(uint64_t value) {
    return static_cast<uint32_t>(value >> 32);
}

// ---- Replies shared by several requests --------------------------------------------------------
struct CountReply {
    uint32_t count; // bytes moved (read, write), or of the answer in the buffer
};
struct HandleReply {
    int32_t handle;
};

// kFileAttach: the caller's buffer, mapped read-write into its receive window (an fpage of
// kBufferLog2, aligned). A thread that attaches again gets its buffer again.
// Errors: no_space (every buffer is taken by a live thread), no_memory.
struct AttachReply {
    uint32_t bytes; // kBufferBytes
};
struct AttachRequest {
    static constexpr uint32_t kLabel = kFileAttach;
    using Reply = AttachReply;
};
static_assert(ipc::wire_words<AttachReply> == 1);

// ---- Open files ----------------------------------------------------------------------------
enum Kind : uint32_t {
    kKindFile = 0,      // a regular file
    kKindDirectory = 1, // readdir, fchdir, a base for relative paths
    kKindObject = 2,    // a FIFO or device file (its data is routed by fs; `mode` says which)
};
struct OpenReply {
    int32_t handle;
    uint32_t kind;   // Kind
    uint32_t mode;   // the inode's type and permissions
    uint32_t device; // a device file's number
};
// open(at, path, flags, mode): flags as newlib's (wire.h); `mode` the permissions of a new file
// with the caller's umask already applied. Errors: every path error; exists (O_CREAT|O_EXCL);
// is_directory (a directory opened for writing); symlink_loop (O_NOFOLLOW on a symlink);
// too_many_open; too_many_open_in_system; invalid_argument (unknown flags, access mode 3).
struct OpenRequest {
    static constexpr uint32_t kLabel = kFileOpen;
    using Reply = OpenReply;
    int32_t at;
    uint32_t flags;
    uint32_t mode;
    uint32_t path_length;
};
static_assert(ipc::wire_words<OpenRequest> == 4);
static_assert(ipc::wire_words<OpenReply> == 4);

struct HandleRequest {
    int32_t handle;
};
struct CloseRequest : HandleRequest {
    static constexpr uint32_t kLabel = kFileClose;
    using Reply = ipc::Empty;
};
// dup: another handle on the same description.
struct DupRequest : HandleRequest {
    static constexpr uint32_t kLabel = kFileDup;
    using Reply = HandleReply;
};
struct FlagsReply {
    uint32_t flags; // access mode | O_APPEND | O_NONBLOCK
};
struct GetFlagsRequest : HandleRequest {
    static constexpr uint32_t kLabel = kFileGetFlags;
    using Reply = FlagsReply;
};
// fcntl(F_SETFL): only O_APPEND and O_NONBLOCK change.
struct SetFlagsRequest {
    static constexpr uint32_t kLabel = kFileSetFlags;
    using Reply = ipc::Empty;
    int32_t handle;
    uint32_t flags;
};
static_assert(ipc::wire_words<CloseRequest> == 1);
static_assert(ipc::wire_words<SetFlagsRequest> == 2);

// fcntl's record locks (F_GETLK, F_SETLK, F_SETLKW; struct flock's fields): POSIX advisory
// locks of byte ranges, held by the caller's process (as proc identifies it), released when it
// closes any handle of the file or ends. `start` is relative to `whence` (SEEK_SET, SEEK_CUR:
// the handle's offset, SEEK_END: the file's size); `length` 0 runs to the end of the file,
// negative covers the bytes before start. F_GETLK answers the first conflicting lock (type
// F_UNLCK if none), its range as start and length (0: to the end) and its holder's pid.
// F_SETLKW waits in fs until the lock can be taken; a new request from the thread, its
// process's exit or a signal's abort (EINTR in libposix) ends the wait.
// Errors: would_block (EAGAIN: F_SETLK and another process's lock conflicts); deadlock (F_SETLKW:
// the holder waits for a lock of the caller's); no_locks (fs's table is full); bad_handle (not
// open for reading for F_RDLCK, for writing for F_WRLCK); invalid_argument (a bad type,
// command or whence, a range before byte 0; a pipe).
struct LockReply {
    uint32_t type; // F_GETLK: F_RDLCK, F_WRLCK or F_UNLCK
    uint32_t start_low, start_high;
    uint32_t length_low, length_high;
    uint32_t pid;
};
struct LockRequest {
    static constexpr uint32_t kLabel = kFileLock;
    using Reply = LockReply;
    int32_t handle;
    uint32_t command; // AXO_FILE_F_GETLK, _SETLK, _SETLKW
    uint32_t type;    // AXO_FILE_F_RDLCK, _WRLCK, _UNLCK
    uint32_t whence;  // AXO_FILE_SEEK_*
    uint32_t start_low, start_high;
    uint32_t length_low, length_high;
};
static_assert(ipc::wire_words<LockRequest> == 8);
static_assert(ipc::wire_words<LockReply> == 6);

// flock(handle, operation): a whole-file lock of the open description (shared by its dup'd
// and forked handles; it goes with the description's last handle), apart from fcntl's locks.
// LOCK_SH or LOCK_EX (converting a lock held), LOCK_UN; LOCK_NB: would_block instead of a wait.
// Errors: would_block; invalid_argument (another operation); no_locks.
struct FlockRequest {
    static constexpr uint32_t kLabel = kFileFlock;
    using Reply = ipc::Empty;
    int32_t handle;
    uint32_t operation;
};
static_assert(ipc::wire_words<FlockRequest> == 2);

// read/write at the description's offset (write with O_APPEND: at the end); `count` at most
// kBufferBytes. A short count is not an error; a write that wrote something answers ok.
// Errors: bad_handle (not open for it); is_directory; no_space; too_big.
struct TransferRequest {
    int32_t handle;
    uint32_t count;
};
struct ReadRequest : TransferRequest {
    static constexpr uint32_t kLabel = kFileRead;
    using Reply = CountReply;
};
struct WriteRequest : TransferRequest {
    static constexpr uint32_t kLabel = kFileWrite;
    using Reply = CountReply;
};
// pread/pwrite: at `offset`, the description's offset untouched. not_seekable for objects.
struct PositionedRequest {
    int32_t handle;
    uint32_t count;
    uint32_t offset_low;
    uint32_t offset_high;
};
struct PreadRequest : PositionedRequest {
    static constexpr uint32_t kLabel = kFilePread;
    using Reply = CountReply;
};
struct PwriteRequest : PositionedRequest {
    static constexpr uint32_t kLabel = kFilePwrite;
    using Reply = CountReply;
};
static_assert(ipc::wire_words<ReadRequest> == 2);
static_assert(ipc::wire_words<PreadRequest> == 4);

// lseek: `offset` signed (two's complement in the two words). Errors: invalid_argument (a
// negative result, unknown whence); not_seekable (FIFOs, devices).
struct SeekReply {
    uint32_t offset_low;
    uint32_t offset_high;
};
struct SeekRequest {
    static constexpr uint32_t kLabel = kFileSeek;
    using Reply = SeekReply;
    int32_t handle;
    uint32_t offset_low;
    uint32_t offset_high;
    uint32_t whence; // AXO_FILE_SEEK_*
};
static_assert(ipc::wire_words<SeekRequest> == 4);

// readdir: entries from the handle's position on, packed into the buffer as DirectoryRecords,
// at most `max_bytes` (≤ kBufferBytes) of them; the position moves past those given. count 0:
// the end. Errors: not_directory; invalid_argument (max_bytes below kReaddirMinBytes, room
// for the longest entry).
struct DirectoryRecord {
    uint32_t inode;
    uint16_t record_bytes; // to the next record: 8 + the name + its NUL, rounded up to 4
    uint8_t type;          // AXO file type (file_system.h FileType: DT_* order of ext2)
    uint8_t name_length;
    // char name[name_length + 1]; NUL-terminated
};
static_assert(sizeof(DirectoryRecord) == 8);
constexpr uint32_t kReaddirMinBytes = 8 + AXO_FILE_NAME_MAX + 1;
struct ReaddirReply {
    uint32_t count; // entries
    uint32_t bytes; // of the buffer they fill
};
struct ReaddirRequest {
    static constexpr uint32_t kLabel = kFileReaddir;
    using Reply = ReaddirReply;
    int32_t handle;
    uint32_t max_bytes;
};
static_assert(ipc::wire_words<ReaddirRequest> == 2);

struct FsyncRequest : HandleRequest {
    static constexpr uint32_t kLabel = kFileFsync;
    using Reply = ipc::Empty;
};
struct SyncRequest {
    static constexpr uint32_t kLabel = kFileSync;
    using Reply = ipc::Empty;
};
// The system stops (init before power off or reset): every dirty block is written, the disk's
// file systems are unmounted (ext2 marked clean), and from then on every change is refused
// with read_only (EROFS); reads go on. Again: ok. Errors: no_permission (effective uid not 0);
// io_error (a write failed: the file system stays not clean).
struct ShutdownRequest {
    static constexpr uint32_t kLabel = kFileShutdown;
    using Reply = ipc::Empty;
};

// mount: a file system of `type` (AXO_FILE_MOUNT_TMPFS, AXO_FILE_MOUNT_EXT2) on the directory
// `target` (the first path in the buffer, resolved from the caller's working directory);
// `source` (the second path) names the block device an ext2 is read from (a node of /dev, such
// as /dev/hdc), and is not used for tmpfs. `flags`: AXO_FILE_MOUNT_READ_ONLY. Errors:
// no_permission (effective uid not 0); not_found; not_directory; busy (something is mounted on
// `target` already, or it is a mount's root, or the device is mounted); no_space (no free
// mount slot or file system instance of that type); no_device (the source is no block device
// fs can read); invalid_argument (an unknown type or flag, or no ext2 on the device);
// unsupported (ext2 features fs cannot serve).
struct MountRequest {
    static constexpr uint32_t kLabel = kFileMount;
    using Reply = ipc::Empty;
    uint32_t target_length;
    uint32_t source_length;
    uint32_t type;
    uint32_t flags;
};
static_assert(ipc::wire_words<MountRequest> == 4);
// umount: the file system whose root is `path`: everything written back (ext2 marked clean),
// the instance given back. `flags` must be 0 (MNT_FORCE and MNT_DETACH are not served).
// Errors: no_permission; invalid_argument (not a mount's root, the root file system, or
// flags); busy (open files, working directories, mapped files or mounts inside it).
struct UmountRequest {
    static constexpr uint32_t kLabel = kFileUmount;
    using Reply = ipc::Empty;
    uint32_t path_length;
    uint32_t flags;
};
static_assert(ipc::wire_words<UmountRequest> == 2);

// fs's counters, for df-like tools and diagnosis: the block caches' (the root's and the
// mounted disks', summed), and the tables'. Any caller.
using StatisticsReply = axo_file_statistics;
struct StatisticsRequest {
    static constexpr uint32_t kLabel = kFileStatistics;
    using Reply = StatisticsReply;
};
static_assert(ipc::wire_words<StatisticsReply> == 10);

// pipe(): a new pipe, its read end and its write end as two handles of the caller's process
// (open-file descriptions of kind object, mode FIFO | 0600: fstat works, seek and pread answer
// not_seekable). `flags`: AXO_FILE_O_NONBLOCK (on both ends) or 0; close-on-exec is the
// client's business. Errors: invalid_argument (other flags); too_many_open (the process's
// handles are used up); too_many_open_in_system (fs's descriptions or its table of processes
// are); no_space (fs has no free pipe).
struct PipeReply {
    int32_t read_handle;
    int32_t write_handle;
};
struct PipeRequest {
    static constexpr uint32_t kLabel = kFilePipe;
    using Reply = PipeReply;
    uint32_t flags;
};
static_assert(ipc::wire_words<PipeRequest> == 1);
static_assert(ipc::wire_words<PipeReply> == 2);

// poll/select (README.md "Readiness"): `count` PollItems at the start of the buffer; fs writes
// each item's `revents` (poll's bits: POLLIN 0x1, POLLOUT 0x4, POLLERR 0x8, POLLHUP 0x10,
// POLLNVAL 0x20 for a handle that is not open) and answers how many items have some. A pipe's
// or FIFO's end reports its state; regular files, directories and the devices fs serves are
// always readable and writable. When none is ready and `flags` has kPollWait, fs notifies the
// calling thread with bit `bit` (0..31) once one of them may be: the caller must have granted
// fs that bit (notify_control) and asks again then. A request without kPollWait, or any later
// request of the thread, ends that registration. Errors: invalid_argument (count 0 or above
// kPollMaxItems, bit above 31, unknown flags); no_space (fs's registrations are used up: EAGAIN).
constexpr uint32_t kPollMaxItems = AXO_FILE_POLL_MAX_ITEMS;
constexpr uint32_t kPollWait = AXO_FILE_POLL_WAIT;
struct PollItem {
    int32_t handle;
    uint16_t events;  // wanted: POLLIN, POLLOUT (POLLERR, POLLHUP, POLLNVAL always count)
    uint16_t revents; // fs's answer
};
static_assert(sizeof(PollItem) == 8 && kPollMaxItems * sizeof(PollItem) <= kBufferBytes);
struct PollReply {
    uint32_t ready; // items with revents
};
struct PollRequest {
    static constexpr uint32_t kLabel = kFilePoll;
    using Reply = PollReply;
    uint32_t count;
    uint32_t bit;
    uint32_t flags; // kPollWait or 0
};
static_assert(ipc::wire_words<PollRequest> == 3);
static_assert(ipc::wire_words<PollReply> == 1);

// ---- Attributes ------------------------------------------------------------------------------
struct Stat {
    uint32_t device; // the mount's number
    uint32_t inode;
    uint32_t mode;
    uint32_t links;
    uint32_t uid;
    uint32_t gid;
    uint32_t rdev; // a device file's device
    uint32_t size_low, size_high;
    uint32_t blocks_low, blocks_high; // 512-byte units
    uint32_t block_size;
    uint32_t access_seconds_low, access_seconds_high, access_nanoseconds;
    uint32_t modify_seconds_low, modify_seconds_high, modify_nanoseconds;
    uint32_t change_seconds_low, change_seconds_high, change_nanoseconds;
};
static_assert(ipc::wire_words<Stat> == 21);

// A path and the words that go with most path requests.
struct PathRequest {
    int32_t at;
    uint32_t path_length;
};
// stat / lstat (flags AXO_FILE_NOFOLLOW).
struct StatRequest {
    static constexpr uint32_t kLabel = kFileStat;
    using Reply = Stat;
    int32_t at;
    uint32_t path_length;
    uint32_t flags;
};
struct FstatRequest : HandleRequest {
    static constexpr uint32_t kLabel = kFileFstat;
    using Reply = Stat;
};
// access: `mode` R_OK|W_OK|X_OK or F_OK; flags AXO_FILE_EFFECTIVE_IDS.
struct AccessRequest {
    static constexpr uint32_t kLabel = kFileAccess;
    using Reply = ipc::Empty;
    int32_t at;
    uint32_t path_length;
    uint32_t mode;
    uint32_t flags;
};
struct TruncateRequest {
    static constexpr uint32_t kLabel = kFileTruncate;
    using Reply = ipc::Empty;
    int32_t at;
    uint32_t path_length;
    uint32_t size_low;
    uint32_t size_high;
};
struct FtruncateRequest {
    static constexpr uint32_t kLabel = kFileFtruncate;
    using Reply = ipc::Empty;
    int32_t handle;
    uint32_t size_low;
    uint32_t size_high;
};
// chmod: only the owner or root (no_permission).
struct ChmodRequest {
    static constexpr uint32_t kLabel = kFileChmod;
    using Reply = ipc::Empty;
    int32_t at;
    uint32_t path_length;
    uint32_t mode;
    uint32_t flags; // AXO_FILE_NOFOLLOW
};
struct FchmodRequest {
    static constexpr uint32_t kLabel = kFileFchmod;
    using Reply = ipc::Empty;
    int32_t handle;
    uint32_t mode;
};
// chown: uid/gid 0xFFFFFFFF leave it. Root changes anything; the owner only the group, to one
// of its groups (no_permission).
struct ChownRequest {
    static constexpr uint32_t kLabel = kFileChown;
    using Reply = ipc::Empty;
    int32_t at;
    uint32_t path_length;
    uint32_t uid;
    uint32_t gid;
    uint32_t flags; // AXO_FILE_NOFOLLOW
};
struct FchownRequest {
    static constexpr uint32_t kLabel = kFileFchown;
    using Reply = ipc::Empty;
    int32_t handle;
    uint32_t uid;
    uint32_t gid;
};
// utimes: AXO_FILE_TIMES_NOW sets both to the server's clock (owner, root, or write
// permission); given times need the owner or root.
struct Times {
    uint32_t access_seconds_low, access_seconds_high, access_nanoseconds;
    uint32_t modify_seconds_low, modify_seconds_high, modify_nanoseconds;
};
struct UtimesRequest {
    static constexpr uint32_t kLabel = kFileUtimes;
    using Reply = ipc::Empty;
    int32_t at;
    uint32_t path_length;
    uint32_t flags; // AXO_FILE_NOFOLLOW, AXO_FILE_TIMES_NOW
    Times times;
};
struct FutimesRequest {
    static constexpr uint32_t kLabel = kFileFutimes;
    using Reply = ipc::Empty;
    int32_t handle;
    uint32_t flags; // AXO_FILE_TIMES_NOW
    Times times;
};
static_assert(ipc::wire_words<UtimesRequest> == 9);
static_assert(ipc::wire_words<FutimesRequest> == 8);

struct StatfsReply {
    uint32_t block_size;
    uint32_t blocks_low, blocks_high;
    uint32_t free_low, free_high;
    uint32_t available_low, available_high;
    uint32_t inodes_low, inodes_high;
    uint32_t free_inodes_low, free_inodes_high;
    uint32_t name_max;
    uint32_t read_only; // 1: ST_RDONLY
};
static_assert(ipc::wire_words<StatfsReply> == 13);
struct StatfsRequest : PathRequest {
    static constexpr uint32_t kLabel = kFileStatfs;
    using Reply = StatfsReply;
};
struct FstatfsRequest : HandleRequest {
    static constexpr uint32_t kLabel = kFileFstatfs;
    using Reply = StatfsReply;
};

// ---- Names -----------------------------------------------------------------------------------
struct MkdirRequest {
    static constexpr uint32_t kLabel = kFileMkdir;
    using Reply = ipc::Empty;
    int32_t at;
    uint32_t path_length;
    uint32_t mode; // umask applied
};
struct RmdirRequest : PathRequest {
    static constexpr uint32_t kLabel = kFileRmdir;
    using Reply = ipc::Empty;
};
struct UnlinkRequest : PathRequest {
    static constexpr uint32_t kLabel = kFileUnlink;
    using Reply = ipc::Empty;
};
// rename(from, to): both paths in the buffer. Errors: cross_device; invalid_argument (a
// directory into its own subtree); no_permission (the sticky bit); busy (a mount point).
struct TwoPathRequest {
    int32_t from_at;
    uint32_t from_length;
    int32_t to_at;
    uint32_t to_length;
};
struct RenameRequest : TwoPathRequest {
    static constexpr uint32_t kLabel = kFileRename;
    using Reply = ipc::Empty;
};
// link(from, to); flags AXO_FILE_FOLLOW_LINK follows a symlink `from` (linkat's
// AT_SYMLINK_FOLLOW). Errors: cross_device; no_permission (a directory); exists.
struct LinkRequest {
    static constexpr uint32_t kLabel = kFileLink;
    using Reply = ipc::Empty;
    int32_t from_at;
    uint32_t from_length;
    int32_t to_at;
    uint32_t to_length;
    uint32_t flags;
};
// symlink(target, path): target first in the buffer, then the path.
struct SymlinkRequest {
    static constexpr uint32_t kLabel = kFileSymlink;
    using Reply = ipc::Empty;
    uint32_t target_length;
    int32_t at;
    uint32_t path_length;
};
// readlink: the target at the start of the buffer (no NUL); count its whole length, which may
// exceed what the buffer holds (kBufferBytes: never for a valid path).
struct ReadlinkRequest : PathRequest {
    static constexpr uint32_t kLabel = kFileReadlink;
    using Reply = CountReply;
};
// mknod: FIFOs for anyone, device files for root (no_permission); `mode` has the type.
struct MknodRequest {
    static constexpr uint32_t kLabel = kFileMknod;
    using Reply = ipc::Empty;
    int32_t at;
    uint32_t path_length;
    uint32_t mode;
    uint32_t device;
};
static_assert(ipc::wire_words<RenameRequest> == 4);
static_assert(ipc::wire_words<LinkRequest> == 5);
static_assert(ipc::wire_words<MknodRequest> == 4);

// ---- Working directory -------------------------------------------------------------------------
struct ChdirRequest : PathRequest {
    static constexpr uint32_t kLabel = kFileChdir;
    using Reply = ipc::Empty;
};
struct FchdirRequest : HandleRequest {
    static constexpr uint32_t kLabel = kFileFchdir;
    using Reply = ipc::Empty;
};
// getcwd: the path at the start of the buffer, NUL-terminated; count without the NUL.
// Errors: not_found (the working directory was removed).
struct GetcwdRequest {
    static constexpr uint32_t kLabel = kFileGetcwd;
    using Reply = CountReply;
};

// ---- Exec: fs as the pager of executables ---------------------------------------------------
// (servers/fs/pager/README.md) For an open handle of a regular file the caller may execute
// (an execute bit it is granted; root needs one in any class), not open for writing by
// anyone: the id of an external object in mm whose pager is fs — one per file while any
// process runs it, its pages the file's bytes (zeros beyond its end) — which the process
// `client` (a thread of the caller's process; nil: the sender) may map (kMmObjectGrant), and
// the file's size. The caller hands the id to proc (interfaces/process kProcExecFile), which
// maps the image from it as a copied-external region. Until the process that asked runs
// another program or ends, and while any process runs the file, opening it for writing (and
// truncating it) answers text_busy.
// Errors: bad_handle; is_directory (a directory); access_denied (no execute permission, or not
// a regular file); text_busy (open for writing); too_big (a file above 1 GiB); no_space (fs's
// table of executables is full); unsupported (fs has no pager: mm is not running);
// io_error (mm refused the object).
struct ExecObjectReply {
    uint32_t object;    // mm's id of the object
    uint32_t size_low;  // the file's size in bytes
    uint32_t size_high; // 0 (sizes above 1 GiB are refused)
};
struct ExecObjectRequest {
    static constexpr uint32_t kLabel = kFileExecObject;
    using Reply = ExecObjectReply;
    int32_t handle;
    axo_thread_id_t client;
};
static_assert(ipc::wire_words<ExecObjectRequest> == 2);
static_assert(ipc::wire_words<ExecObjectReply> == 3);

// fs's pager thread asks fs's main thread (the only owner of the block cache) for a page of an
// executable: the main thread copies it into the page the pager named in its own space (both
// threads share fs's space). Refused (no_permission) from any other sender.
struct PagerReadRequest {
    static constexpr uint32_t kLabel = kFilePagerRead;
    using Reply = ipc::Empty;
    uint32_t cookie; // the object's entry (servers/fs/pager/exec_objects.h)
    uint32_t offset; // page-aligned
    uint32_t page;   // where the bytes go in fs's space
};
static_assert(ipc::wire_words<PagerReadRequest> == 3);

// ---- Shared file mappings (servers/fs/pager/README.md, "Shared file mappings") -------------
//
// For an open handle of a regular file the caller may read: the id of a shared object of mm
// (kRegionShared) that holds the file's bytes — one per file while any process maps it, made
// by fs and filled from the file at the first request, zeros past the file's end —, which the
// caller's process may now map (kMmObjectGrant), and the object's size (the file's size then,
// rounded up to pages; at least one page). fs keeps the object coherent with the file: read
// and pread of the file read the object's bytes, write and pwrite write them into it too, a
// truncation zeros what is past the new end in its page and ends the object's pages after it
// (mm's kMmObjectLimit: a touch there is SIGBUS until the file grows again; an empty file's
// one page too); the object's bytes reach the file at
// kFileMapSync, at the last kFileMapRelease of a process and when its last user ends, and at
// fsync of the file. `writable` 1: the caller will write through it (the handle must be open
// for reading and writing). Errors: bad_handle; is_directory; unsupported (not a regular
// file, or no mm); access_denied (not open for reading, or writable without O_RDWR); too_big
// (above 64 MiB); no_space (fs's table of mapped files is full); no_memory (mm refused).
struct MapObjectReply {
    uint32_t object; // mm's id of the shared object
    uint32_t size;   // its size in bytes, page-aligned
};
struct MapObjectRequest {
    static constexpr uint32_t kLabel = kFileMapObject;
    using Reply = MapObjectReply;
    int32_t handle;
    uint32_t writable; // 0 or 1
};
static_assert(ipc::wire_words<MapObjectRequest> == 2);
static_assert(ipc::wire_words<MapObjectReply> == 2);

// msync: writes the object's bytes back to the file (up to the file's size), from a process
// that maps it. Errors: not_found (no such object, or the caller does not map it).
struct MapSyncRequest {
    static constexpr uint32_t kLabel = kFileMapSync;
    using Reply = ipc::Empty;
    uint32_t object;
};
static_assert(ipc::wire_words<MapSyncRequest> == 1);

// munmap: one mapping of the object by the caller's process ended (its bytes are written
// back first). When no process maps the file any more, fs lets the object go. Errors as
// kFileMapSync.
struct MapReleaseRequest {
    static constexpr uint32_t kLabel = kFileMapRelease;
    using Reply = ipc::Empty;
    uint32_t object;
};
static_assert(ipc::wire_words<MapReleaseRequest> == 1);

} // namespace file
