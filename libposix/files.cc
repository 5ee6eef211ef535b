// The calls on paths (README.md "Files"), each one request to fs through the calling thread's
// session (file_session.cc, interfaces/file/client.h): open and the *at forms, stat, access,
// the names (mkdir, rmdir, unlink, rename, link, symlink, readlink, mknod), attributes
// (truncate, chmod, chown, utime), the working directory and realpath. The umask is the
// process's, applied here (fs takes modes as they are). An open that finds one of the terminals'
// device files gives a console descriptor naming the terminal (file_modes.h terminal_of_device;
// /dev/tty: the terminal whose controlling session is the caller's).
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "interfaces/tty/protocol.h"
#include "libposix/file_calls.h"
#include "libposix/file_modes.h"
#include "libposix/path_resolution.h"

// The values file_modes.h and interfaces/file/wire.h spell must be newlib's.
static_assert(posix::kOpenCloseOnExec == O_CLOEXEC);
static_assert(posix::kOpenNoControllingTty == O_NOCTTY);
static_assert(posix::kOpenSync == O_SYNC);
static_assert(AXO_FILE_O_CREAT == O_CREAT && AXO_FILE_O_EXCL == O_EXCL &&
              AXO_FILE_O_TRUNC == O_TRUNC && AXO_FILE_O_APPEND == O_APPEND &&
              AXO_FILE_O_NONBLOCK == O_NONBLOCK && AXO_FILE_O_NOFOLLOW == O_NOFOLLOW &&
              AXO_FILE_O_DIRECTORY == O_DIRECTORY && AXO_FILE_O_ACCMODE == O_ACCMODE);
static_assert(AXO_FILE_R_OK == R_OK && AXO_FILE_W_OK == W_OK && AXO_FILE_X_OK == X_OK &&
              AXO_FILE_F_OK == F_OK);
static_assert(AXO_FILE_SEEK_SET == SEEK_SET && AXO_FILE_SEEK_CUR == SEEK_CUR &&
              AXO_FILE_SEEK_END == SEEK_END);
static_assert(posix::kModeCharacterDevice == S_IFCHR && posix::kModeFifo == S_IFIFO &&
              posix::kModeTypeMask == S_IFMT);

namespace posix {

namespace {

uint32_t g_umask = 022;

int result(ipc::Error error) {
    return error == ipc::Error::ok ? 0 : fail(error);
}

// fs's time (seconds in two words) as newlib's 64-bit time_t.
struct timespec time_of(uint32_t seconds_low, uint32_t seconds_high, uint32_t nanoseconds) {
    struct timespec t {};
    t.tv_sec = static_cast<time_t>(static_cast<int64_t>(file::join(seconds_low, seconds_high)));
    t.tv_nsec = static_cast<long>(nanoseconds);
    return t;
}

void put_time(const struct timeval& from, uint32_t& seconds_low, uint32_t& seconds_high,
              uint32_t& nanoseconds) {
    uint64_t seconds = static_cast<uint64_t>(static_cast<int64_t>(from.tv_sec));
    seconds_low = file::low(seconds);
    seconds_high = file::high(seconds);
    nanoseconds = static_cast<uint32_t>(from.tv_usec) * 1000u;
}

// utimes' times, checked (tv_usec within a second: else EINVAL).
bool times_of(const struct timeval times[2], file::Times& out) {
    for (int i = 0; i < 2; ++i)
        if (times[i].tv_usec < 0 || times[i].tv_usec >= 1000000) return false;
    put_time(times[0], out.access_seconds_low, out.access_seconds_high, out.access_nanoseconds);
    put_time(times[1], out.modify_seconds_low, out.modify_seconds_high, out.modify_nanoseconds);
    return true;
}

int set_times(int32_t at, const char* path, const struct timeval times[2], uint32_t flags) {
    file::Times given{};
    if (times != nullptr && !times_of(times, given)) return fail_errno(EINVAL);
    const file::Times* chosen = times != nullptr ? &given : nullptr;
    return result(
        file_call([&](file::Client& files) { return files.utimes(at, path, chosen, flags); }));
}

int stat_at(int32_t at, const char* path, struct stat* st, bool follow) {
    if (st == nullptr) return fail_errno(EFAULT);
    file::Stat attributes{};
    ipc::Error error =
        file_call([&](file::Client& files) { return files.stat(at, path, attributes, follow); });
    if (error != ipc::Error::ok) return fail(error);
    return fill_stat(attributes, st) ? 0 : fail_errno(EOVERFLOW);
}

// getcwd's and realpath's answer: `text` (`length` bytes and its NUL) into `buffer`, or into
// `room` bytes of malloc'ed memory if `buffer` is NULL (ENOMEM if there are none).
char* copy_out(const char* text, size_t length, char* buffer, size_t room) {
    if (buffer == nullptr) {
        buffer = static_cast<char*>(malloc(room));
        if (buffer == nullptr) {
            errno = ENOMEM;
            return nullptr;
        }
    }
    __builtin_memcpy(buffer, text, length + 1);
    return buffer;
}

// /dev/tty: the terminal whose controlling session is the caller's; the system console when none
// is (until a session takes it, that one is every session's terminal: servers/tty/README.md).
uint32_t controlling_terminal() {
    uint32_t sid = static_cast<uint32_t>(getsid(0));
    for (uint32_t terminal = 0; terminal < kTerminals; ++terminal) {
        axo_thread_id_t server = console_thread(terminal);
        if (server == AXO_NIL_THREAD) continue;
        tty::SessionReply reply{};
        if (interruptible_call(server, tty::GetSessionRequest{}, reply) == ipc::Error::ok &&
            reply.sid == sid)
            return terminal;
    }
    return 0;
}

int open_at(int32_t at, const char* path, int flags, mode_t mode) {
    OpenFlags split = split_open_flags(static_cast<uint32_t>(flags));
    uint32_t permissions = (split.server & kOpenCreate) != 0 ? creation_mode(mode, g_umask) : 0;
    int32_t handle = -1;
    file::OpenReply description{};
    ipc::Error error = file_call([&](file::Client& files) {
        return files.open(at, path, split.server, permissions, handle, &description);
    });
    if (error != ipc::Error::ok) return fail(error);
    Descriptor entry{DescriptorKind::file, split.close_on_exec, AXO_NIL_THREAD,
                     static_cast<uint32_t>(handle)};
    if (file::Client* client = file_client(); client != nullptr)
        entry.server = client->binding().server();
    entry.fifo =
        description.kind == file::kKindObject && (description.mode & kModeTypeMask) == kModeFifo;
    int32_t terminal = description.kind == file::kKindObject
                           ? terminal_of_device(description.mode, description.device)
                           : kNotATerminal;
    if (terminal != kNotATerminal) {
        // The terminal's stream serves it, as the console does 0, 1 and 2: fs's handle is not
        // needed. A terminal whose server is not there (no VGA console in this system): ENXIO.
        release(entry);
        uint32_t number = terminal == kControllingTerminal ? controlling_terminal()
                                                           : static_cast<uint32_t>(terminal);
        if (number != 0 && console_thread(number) == AXO_NIL_THREAD) return fail_errno(ENXIO);
        entry = Descriptor{DescriptorKind::console, split.close_on_exec, AXO_NIL_THREAD, number};
    }
    int fd = descriptors().install(entry);
    if (fd < 0) {
        release(entry);
        return fail_errno(EMFILE);
    }
    return fd;
}

int make_node(int32_t at, const char* path, mode_t mode, dev_t device) {
    uint32_t type = static_cast<uint32_t>(mode) & kModeTypeMask;
    uint32_t full = type | creation_mode(mode, g_umask);
    uint32_t number = static_cast<uint16_t>(device);
    return result(
        file_call([&](file::Client& files) { return files.mknod(at, path, full, number); }));
}

// realpath's questions, asked of fs (path_resolution.h).
struct FsLookup {
    int kind(const char* path, bool& is_link, bool& is_directory) {
        file::Stat attributes{};
        ipc::Error error = file_call(
            [&](file::Client& files) { return files.stat(file::kAtCwd, path, attributes, false); });
        if (error != ipc::Error::ok) return ipc::to_errno(error);
        is_link = (attributes.mode & S_IFMT) == S_IFLNK;
        is_directory = (attributes.mode & S_IFMT) == S_IFDIR;
        return 0;
    }
    int read_link(const char* path, char* target, size_t size) {
        uint32_t length = 0;
        ipc::Error error = file_call([&](file::Client& files) {
            return files.readlink(file::kAtCwd, path, target, size, length);
        });
        if (error != ipc::Error::ok) return -ipc::to_errno(error);
        if (length >= size) return -ENAMETOOLONG;
        return static_cast<int>(length);
    }
};

} // namespace

uint32_t creation_mask() {
    return g_umask;
}

bool fill_stat(const file::Stat& from, struct stat* to) {
    uint64_t size = file::join(from.size_low, from.size_high);
    if (size > static_cast<uint64_t>(LONG_MAX)) return false;
    *to = (struct stat){};
    to->st_dev = static_cast<dev_t>(from.device);
    to->st_ino = static_cast<ino_t>(from.inode);
    to->st_mode = static_cast<mode_t>(from.mode);
    to->st_nlink = static_cast<nlink_t>(from.links);
    to->st_uid = static_cast<uid_t>(from.uid);
    to->st_gid = static_cast<gid_t>(from.gid);
    to->st_rdev = static_cast<dev_t>(from.rdev);
    to->st_size = static_cast<off_t>(size);
    to->st_atim =
        time_of(from.access_seconds_low, from.access_seconds_high, from.access_nanoseconds);
    to->st_mtim =
        time_of(from.modify_seconds_low, from.modify_seconds_high, from.modify_nanoseconds);
    to->st_ctim =
        time_of(from.change_seconds_low, from.change_seconds_high, from.change_nanoseconds);
    to->st_blksize = static_cast<blksize_t>(from.block_size);
    to->st_blocks = static_cast<blkcnt_t>(file::join(from.blocks_low, from.blocks_high));
    return true;
}

} // namespace posix

using posix::fail;
using posix::fail_errno;
using posix::file_call;
using posix::path_base;

extern "C" {

// ---- Opening ----------------------------------------------------------------------------------

int openat(int dirfd, const char* path, int flags, ...) {
    mode_t mode = 0;
    if ((flags & O_CREAT) != 0) {
        __builtin_va_list args;
        __builtin_va_start(args, flags);
        mode = static_cast<mode_t>(__builtin_va_arg(args, int));
        __builtin_va_end(args);
    }
    int32_t at = 0;
    if (!path_base(dirfd, at)) return -1;
    return posix::open_at(at, path, flags, mode);
}

int open(const char* path, int flags, ...) {
    mode_t mode = 0;
    if ((flags & O_CREAT) != 0) {
        __builtin_va_list args;
        __builtin_va_start(args, flags);
        mode = static_cast<mode_t>(__builtin_va_arg(args, int));
        __builtin_va_end(args);
    }
    return posix::open_at(file::kAtCwd, path, flags, mode);
}

int creat(const char* path, mode_t mode) {
    return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

// ---- Attributes -------------------------------------------------------------------------------

int stat(const char* path, struct stat* st) {
    return posix::stat_at(file::kAtCwd, path, st, true);
}

int lstat(const char* path, struct stat* st) {
    return posix::stat_at(file::kAtCwd, path, st, false);
}

int fstatat(int dirfd, const char* path, struct stat* st, int flags) {
    if ((flags & ~AT_SYMLINK_NOFOLLOW) != 0) return fail_errno(EINVAL);
    int32_t at = 0;
    if (!path_base(dirfd, at)) return -1;
    return posix::stat_at(at, path, st, (flags & AT_SYMLINK_NOFOLLOW) == 0);
}

int faccessat(int dirfd, const char* path, int mode, int flags) {
    if ((flags & ~AT_EACCESS) != 0) return fail_errno(EINVAL);
    if ((mode & ~(R_OK | W_OK | X_OK)) != 0) return fail_errno(EINVAL);
    int32_t at = 0;
    if (!path_base(dirfd, at)) return -1;
    uint32_t how = (flags & AT_EACCESS) != 0 ? AXO_FILE_EFFECTIVE_IDS : 0u;
    return posix::result(file_call([&](file::Client& files) {
        return files.access(at, path, static_cast<uint32_t>(mode), how);
    }));
}

int access(const char* path, int mode) {
    return faccessat(AT_FDCWD, path, mode, 0);
}

int truncate(const char* path, off_t length) {
    if (length < 0) return fail_errno(EINVAL);
    return posix::result(file_call([&](file::Client& files) {
        return files.truncate(file::kAtCwd, path, static_cast<uint64_t>(length));
    }));
}

int fchmodat(int dirfd, const char* path, mode_t mode, int flags) {
    if ((flags & ~AT_SYMLINK_NOFOLLOW) != 0) return fail_errno(EINVAL);
    int32_t at = 0;
    if (!path_base(dirfd, at)) return -1;
    uint32_t bits = static_cast<uint32_t>(mode) & 07777;
    uint32_t how = (flags & AT_SYMLINK_NOFOLLOW) != 0 ? AXO_FILE_NOFOLLOW : 0u;
    return posix::result(
        file_call([&](file::Client& files) { return files.chmod(at, path, bits, how); }));
}

int chmod(const char* path, mode_t mode) {
    return fchmodat(AT_FDCWD, path, mode, 0);
}

int fchownat(int dirfd, const char* path, uid_t owner, gid_t group, int flags) {
    if ((flags & ~AT_SYMLINK_NOFOLLOW) != 0) return fail_errno(EINVAL);
    int32_t at = 0;
    if (!path_base(dirfd, at)) return -1;
    uint32_t uid = posix::owner_for_server(owner, static_cast<uid_t>(-1));
    uint32_t gid = posix::owner_for_server(group, static_cast<gid_t>(-1));
    uint32_t how = (flags & AT_SYMLINK_NOFOLLOW) != 0 ? AXO_FILE_NOFOLLOW : 0u;
    return posix::result(
        file_call([&](file::Client& files) { return files.chown(at, path, uid, gid, how); }));
}

int chown(const char* path, uid_t owner, gid_t group) {
    return fchownat(AT_FDCWD, path, owner, group, 0);
}

int lchown(const char* path, uid_t owner, gid_t group) {
    return fchownat(AT_FDCWD, path, owner, group, AT_SYMLINK_NOFOLLOW);
}

mode_t umask(mode_t mask) {
    mode_t old = static_cast<mode_t>(posix::g_umask);
    posix::g_umask = static_cast<uint32_t>(mask) & 0777;
    return old;
}

int utime(const char* path, const struct utimbuf* times) {
    if (times == nullptr) return posix::set_times(file::kAtCwd, path, nullptr, 0);
    struct timeval both[2] = {{times->actime, 0}, {times->modtime, 0}};
    return posix::set_times(file::kAtCwd, path, both, 0);
}

int utimes(const char* path, const struct timeval times[2]) {
    return posix::set_times(file::kAtCwd, path, times, 0);
}

int lutimes(const char* path, const struct timeval times[2]) {
    return posix::set_times(file::kAtCwd, path, times, AXO_FILE_NOFOLLOW);
}

int futimes(int fd, const struct timeval times[2]) {
    int32_t handle = -1;
    if (!posix::file_handle(fd, handle, EINVAL)) return -1;
    file::Times given{};
    if (times != nullptr && !posix::times_of(times, given)) return fail_errno(EINVAL);
    const file::Times* chosen = times != nullptr ? &given : nullptr;
    return posix::result(
        file_call([&](file::Client& files) { return files.futimes(handle, chosen); }));
}

// utimensat and futimens: nanosecond times with UTIME_NOW and UTIME_OMIT per field. Both "now"
// (or no times) is fs's own "now", which needs only write access; otherwise an omitted field
// keeps the file's current time (read first) and a "now" field is the realtime clock's.
namespace {

bool timespec_valid(const struct timespec& t) {
    return t.tv_nsec == UTIME_NOW || t.tv_nsec == UTIME_OMIT ||
           (t.tv_nsec >= 0 && t.tv_nsec < 1000000000L);
}

void put_timespec(const struct timespec& from, uint32_t& seconds_low, uint32_t& seconds_high,
                  uint32_t& nanoseconds) {
    uint64_t seconds = static_cast<uint64_t>(static_cast<int64_t>(from.tv_sec));
    seconds_low = file::low(seconds);
    seconds_high = file::high(seconds);
    nanoseconds = static_cast<uint32_t>(from.tv_nsec);
}

// The two times to send, given the caller's and the file's current ones (`current`, needed
// only when a field is UTIME_OMIT).
void resolve_times(const struct timespec given[2], const struct stat& current, file::Times& out) {
    struct timespec now {};
    clock_gettime(CLOCK_REALTIME, &now);
    struct timespec chosen[2] = {given[0], given[1]};
    const struct timespec kept[2] = {current.st_atim, current.st_mtim};
    for (int i = 0; i < 2; ++i) {
        if (chosen[i].tv_nsec == UTIME_NOW)
            chosen[i] = now;
        else if (chosen[i].tv_nsec == UTIME_OMIT)
            chosen[i] = kept[i];
    }
    put_timespec(chosen[0], out.access_seconds_low, out.access_seconds_high,
                 out.access_nanoseconds);
    put_timespec(chosen[1], out.modify_seconds_low, out.modify_seconds_high,
                 out.modify_nanoseconds);
}

bool both_now(const struct timespec times[2]) {
    return times == nullptr || (times[0].tv_nsec == UTIME_NOW && times[1].tv_nsec == UTIME_NOW);
}

} // namespace

int utimensat(int dirfd, const char* path, const struct timespec times[2], int flags) {
    if ((flags & ~AT_SYMLINK_NOFOLLOW) != 0) return fail_errno(EINVAL);
    if (times != nullptr && (!timespec_valid(times[0]) || !timespec_valid(times[1])))
        return fail_errno(EINVAL);
    int32_t at = 0;
    if (!path_base(dirfd, at)) return -1;
    bool follow = (flags & AT_SYMLINK_NOFOLLOW) == 0;
    uint32_t how = follow ? 0u : AXO_FILE_NOFOLLOW;
    if (both_now(times)) return posix::set_times(at, path, nullptr, how);
    struct stat current {};
    if (posix::stat_at(at, path, &current, follow) != 0) return -1;
    if (times[0].tv_nsec == UTIME_OMIT && times[1].tv_nsec == UTIME_OMIT) return 0;
    file::Times chosen{};
    resolve_times(times, current, chosen);
    return posix::result(
        file_call([&](file::Client& files) { return files.utimes(at, path, &chosen, how); }));
}

int futimens(int fd, const struct timespec times[2]) {
    if (times != nullptr && (!timespec_valid(times[0]) || !timespec_valid(times[1])))
        return fail_errno(EINVAL);
    int32_t handle = -1;
    if (!posix::file_handle(fd, handle, EINVAL)) return -1;
    file::Times chosen{};
    if (!both_now(times)) {
        struct stat current {};
        if (fstat(fd, &current) != 0) return -1;
        if (times[0].tv_nsec == UTIME_OMIT && times[1].tv_nsec == UTIME_OMIT) return 0;
        resolve_times(times, current, chosen);
    }
    const file::Times* sent = both_now(times) ? nullptr : &chosen;
    return posix::result(
        file_call([&](file::Client& files) { return files.futimes(handle, sent); }));
}

// ---- Names ------------------------------------------------------------------------------------

int mkdirat(int dirfd, const char* path, mode_t mode) {
    int32_t at = 0;
    if (!path_base(dirfd, at)) return -1;
    uint32_t bits = posix::creation_mode(mode, posix::g_umask);
    return posix::result(
        file_call([&](file::Client& files) { return files.mkdir(at, path, bits); }));
}

int mkdir(const char* path, mode_t mode) {
    return mkdirat(AT_FDCWD, path, mode);
}

int rmdir(const char* path) {
    return posix::result(
        file_call([&](file::Client& files) { return files.rmdir(file::kAtCwd, path); }));
}

int unlinkat(int dirfd, const char* path, int flags) {
    if ((flags & ~AT_REMOVEDIR) != 0) return fail_errno(EINVAL);
    int32_t at = 0;
    if (!path_base(dirfd, at)) return -1;
    if ((flags & AT_REMOVEDIR) != 0)
        return posix::result(file_call([&](file::Client& files) { return files.rmdir(at, path); }));
    return posix::result(file_call([&](file::Client& files) { return files.unlink(at, path); }));
}

int unlink(const char* path) {
    return unlinkat(AT_FDCWD, path, 0);
}

// fs renames in one step: newlib's own rename (link, then unlink) could not move a directory
// and would leave both names after a failed unlink.
int renameat(int from_dirfd, const char* from, int to_dirfd, const char* to) {
    int32_t from_at = 0, to_at = 0;
    if (!path_base(from_dirfd, from_at) || !path_base(to_dirfd, to_at)) return -1;
    return posix::result(
        file_call([&](file::Client& files) { return files.rename(from_at, from, to_at, to); }));
}

int rename(const char* from, const char* to) {
    return renameat(AT_FDCWD, from, AT_FDCWD, to);
}

int linkat(int from_dirfd, const char* from, int to_dirfd, const char* to, int flags) {
    if ((flags & ~AT_SYMLINK_FOLLOW) != 0) return fail_errno(EINVAL);
    int32_t from_at = 0, to_at = 0;
    if (!path_base(from_dirfd, from_at) || !path_base(to_dirfd, to_at)) return -1;
    uint32_t how = (flags & AT_SYMLINK_FOLLOW) != 0 ? AXO_FILE_FOLLOW_LINK : 0u;
    return posix::result(
        file_call([&](file::Client& files) { return files.link(from_at, from, to_at, to, how); }));
}

// As Linux: a symbolic link `from` is linked itself, not followed.
int link(const char* from, const char* to) {
    return linkat(AT_FDCWD, from, AT_FDCWD, to, 0);
}

int symlinkat(const char* target, int dirfd, const char* path) {
    int32_t at = 0;
    if (!path_base(dirfd, at)) return -1;
    return posix::result(
        file_call([&](file::Client& files) { return files.symlink(target, at, path); }));
}

int symlink(const char* target, const char* path) {
    return symlinkat(target, AT_FDCWD, path);
}

// The target without a NUL, cut to `size` bytes, as POSIX has it.
ssize_t readlinkat(int dirfd, const char* path, char* buffer, size_t size) {
    if (size == 0) return fail_errno(EINVAL);
    int32_t at = 0;
    if (!path_base(dirfd, at)) return -1;
    char target[AXO_FILE_PATH_MAX];
    uint32_t length = 0;
    ipc::Error error = file_call([&](file::Client& files) {
        return files.readlink(at, path, target, sizeof target, length);
    });
    if (error != ipc::Error::ok) return fail(error);
    size_t copy = length < size ? length : size;
    if (copy > sizeof target - 1) copy = sizeof target - 1;
    __builtin_memcpy(buffer, target, copy);
    return static_cast<ssize_t>(copy);
}

ssize_t readlink(const char* path, char* buffer, size_t size) {
    return readlinkat(AT_FDCWD, path, buffer, size);
}

int mknodat(int dirfd, const char* path, mode_t mode, dev_t device) {
    int32_t at = 0;
    if (!path_base(dirfd, at)) return -1;
    return posix::make_node(at, path, mode, device);
}

int mknod(const char* path, mode_t mode, dev_t device) {
    return posix::make_node(file::kAtCwd, path, mode, device);
}

int mkfifoat(int dirfd, const char* path, mode_t mode) {
    return mknodat(dirfd, path, S_IFIFO | (mode & 07777), 0);
}

int mkfifo(const char* path, mode_t mode) {
    return mkfifoat(AT_FDCWD, path, mode);
}

int pipe(int ends[2]) {
    int32_t handles[2] = {-1, -1};
    ipc::Error error = file_call([&](file::Client& files) { return files.pipe(handles, 0); });
    if (error != ipc::Error::ok) return fail(error);
    axo_thread_id_t server = AXO_NIL_THREAD;
    if (file::Client* client = posix::file_client(); client != nullptr)
        server = client->binding().server();
    posix::Descriptor read_end{posix::DescriptorKind::file, false, server,
                               static_cast<uint32_t>(handles[0]), true};
    posix::Descriptor write_end{posix::DescriptorKind::file, false, server,
                                static_cast<uint32_t>(handles[1]), true};
    int read_fd = posix::descriptors().install(read_end);
    int write_fd = read_fd < 0 ? -1 : posix::descriptors().install(write_end);
    if (write_fd < 0) {
        if (read_fd >= 0) (void)posix::descriptors().close(read_fd);
        posix::release(read_end);
        posix::release(write_end);
        return fail_errno(EMFILE);
    }
    ends[0] = read_fd;
    ends[1] = write_fd;
    return 0;
}

void sync(void) {
    (void)file_call([](file::Client& files) { return files.sync(); });
}

// ---- The working directory --------------------------------------------------------------------

int chdir(const char* path) {
    return posix::result(
        file_call([&](file::Client& files) { return files.chdir(file::kAtCwd, path); }));
}

// getcwd(NULL, size) allocates `size` bytes, or as many as needed for size 0 (glibc's and
// newlib's other targets' extension).
char* getcwd(char* buffer, size_t size) {
    if (buffer != nullptr && size == 0) {
        errno = EINVAL;
        return nullptr;
    }
    char path[AXO_FILE_PATH_MAX];
    ipc::Error error =
        file_call([&](file::Client& files) { return files.getcwd(path, sizeof path); });
    if (error != ipc::Error::ok) {
        (void)fail(error);
        return nullptr;
    }
    size_t length = __builtin_strlen(path);
    size_t room = buffer == nullptr && size == 0 ? length + 1 : size;
    if (length + 1 > room) {
        errno = ERANGE;
        return nullptr;
    }
    return posix::copy_out(path, length, buffer, room);
}

// Resolved through fs (path_resolution.h); `resolved` NULL: allocated. PATH_MAX is newlib's
// (1024), smaller than fs's: a longer result is ENAMETOOLONG.
char* realpath(const char* path, char* resolved) {
    if (path == nullptr) {
        errno = EINVAL;
        return nullptr;
    }
    char cwd[posix::PathResolution::kPathMax] = "/";
    if (path[0] != '/' && getcwd(cwd, sizeof cwd) == nullptr) return nullptr;
    char out[posix::PathResolution::kPathMax];
    posix::FsLookup lookup;
    if (int error = posix::PathResolution::resolve(path, cwd, out, lookup); error != 0) {
        errno = error;
        return nullptr;
    }
    size_t length = __builtin_strlen(out);
    if (length + 1 > PATH_MAX) {
        errno = ENAMETOOLONG;
        return nullptr;
    }
    return posix::copy_out(out, length, resolved, PATH_MAX);
}

} // extern "C"
