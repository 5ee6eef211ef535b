// The calls on descriptors (README.md "The descriptor table"), dispatched on the entry's kind:
//
//   console  the console stream (syscalls.cc): write, read; a character device and a terminal
//   file     fs's handle (interfaces/file): every call below, with fs's errors as errno
//
// dup, dup2 and F_DUPFD of a file ask fs for another handle on the same open-file description
// (kFileDup), so that each descriptor releases its own at close; dup2 and close release the
// replaced entry's handle. The offset and the status flags live in fs, shared by dups and by a
// fork's child (fs follows proc's events).
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#include "libposix/file_calls.h"
#include "libposix/file_modes.h"

// newlib has no SSIZE_MAX; its ssize_t is 32 bits.
constexpr size_t kSsizeMax = 0x7FFFFFFF;
#include <sys/uio.h>

namespace posix {

bool file_handle(int fd, int32_t& handle, int other_errno) {
    const Descriptor* entry = descriptors().get(fd);
    if (entry == nullptr || entry->kind != DescriptorKind::file) {
        errno = entry == nullptr ? EBADF : other_errno;
        return false;
    }
    handle = static_cast<int32_t>(entry->handle);
    return true;
}

bool path_base(int fd, int32_t& at) {
    if (fd == AT_FDCWD) {
        at = file::kAtCwd;
        return true;
    }
    return file_handle(fd, at, ENOTDIR);
}

void release(const Descriptor& entry) {
    if (entry.kind != DescriptorKind::file) return;
    int32_t handle = static_cast<int32_t>(entry.handle);
    // Not restarted: fs may have closed it before the signal came; a second close would
    // only be refused.
    (void)file_call([&](file::Client& files) { return files.close(handle); }, false);
}

namespace {

// Another handle at fs for a file entry (dup's copy); the console's entries need none.
bool copy_for_duplicate(const Descriptor& entry, Descriptor& copy) {
    copy = entry;
    copy.close_on_exec = false;
    if (entry.kind != DescriptorKind::file) return true;
    int32_t handle = static_cast<int32_t>(entry.handle);
    int32_t duplicate = -1;
    ipc::Error error = file_call([&](file::Client& files) { return files.dup(handle, duplicate); });
    if (error != ipc::Error::ok) {
        (void)fail(error);
        return false;
    }
    copy.handle = static_cast<uint32_t>(duplicate);
    return true;
}

// dup and F_DUPFD(_CLOEXEC): the lowest free descriptor >= from.
int duplicate(int fd, int from, bool close_on_exec) {
    const Descriptor* entry = descriptors().get(fd);
    if (entry == nullptr) return fail_errno(EBADF);
    Descriptor copy;
    if (!copy_for_duplicate(*entry, copy)) return -1;
    copy.close_on_exec = close_on_exec;
    int result = descriptors().install(copy, from);
    if (result < 0) {
        release(copy);
        return fail_errno(EMFILE);
    }
    return result;
}

ssize_t count_or_fail(ipc::Error error, size_t done) {
    if (error != ipc::Error::ok) return fail(error);
    return static_cast<ssize_t>(done);
}

} // namespace
} // namespace posix

using posix::DescriptorKind;
using posix::descriptors;
using posix::fail;
using posix::fail_errno;
using posix::file_call;

extern "C" {

int isatty(int fd) {
    const posix::Descriptor* entry = descriptors().get(fd);
    if (entry == nullptr) {
        errno = EBADF;
        return 0;
    }
    if (entry->kind == DescriptorKind::console) return 1;
    errno = ENOTTY;
    return 0;
}

// The console agrees with isatty(): newlib's stdio line-buffers a stream only if fstat reports
// a character device and isatty says yes, so console output appears line by line.
int fstat(int fd, struct stat* st) {
    const posix::Descriptor* entry = descriptors().get(fd);
    if (entry == nullptr) return fail_errno(EBADF);
    if (st == nullptr) return fail_errno(EFAULT);
    if (entry->kind != DescriptorKind::file) {
        *st = (struct stat){};
        st->st_mode = S_IFCHR | 0620;
        if (entry->kind == DescriptorKind::console && entry->handle < posix::kTerminals)
            st->st_rdev = static_cast<dev_t>(posix::terminal_device(entry->handle));
        return 0;
    }
    int32_t handle = static_cast<int32_t>(entry->handle);
    file::Stat attributes{};
    ipc::Error error =
        file_call([&](file::Client& files) { return files.fstat(handle, attributes); });
    if (error != ipc::Error::ok) return fail(error);
    if (!posix::fill_stat(attributes, st)) return fail_errno(EOVERFLOW);
    return 0;
}

ssize_t write(int fd, const void* buffer, size_t count) {
    const posix::Descriptor* entry = descriptors().get(fd);
    if (entry == nullptr) return fail_errno(EBADF);
    if (count > kSsizeMax) return fail_errno(EINVAL);
    switch (entry->kind) {
    case DescriptorKind::console:
        return posix::console_write(entry->handle, static_cast<const char*>(buffer), count);
    case DescriptorKind::file: {
        int32_t handle = static_cast<int32_t>(entry->handle);
        size_t done = 0;
        ipc::Error error = file_call(
            [&](file::Client& files) { return files.write(handle, buffer, count, done); });
        return posix::count_or_fail(error, done);
    }
    default:
        return fail_errno(ENOSYS);
    }
}

ssize_t read(int fd, void* buffer, size_t count) {
    const posix::Descriptor* entry = descriptors().get(fd);
    if (entry == nullptr) return fail_errno(EBADF);
    if (count > kSsizeMax) return fail_errno(EINVAL);
    switch (entry->kind) {
    case DescriptorKind::console:
        return posix::console_read(entry->handle, static_cast<char*>(buffer), count);
    case DescriptorKind::file: {
        int32_t handle = static_cast<int32_t>(entry->handle);
        if (entry->fifo && count > file::kBufferBytes) count = file::kBufferBytes;
        size_t done = 0;
        ipc::Error error =
            file_call([&](file::Client& files) { return files.read(handle, buffer, count, done); });
        return posix::count_or_fail(error, done);
    }
    default:
        return fail_errno(ENOSYS);
    }
}

// One element after the other, stopping at the first short transfer: a writev is as atomic as
// each of its writes, no more.
ssize_t readv(int fd, const struct iovec* vector, int count) {
    if (count <= 0 || count > IOV_MAX) return fail_errno(EINVAL);
    size_t total = 0;
    for (int i = 0; i < count; ++i) {
        if (vector[i].iov_len > kSsizeMax - total) return fail_errno(EINVAL);
        total += vector[i].iov_len;
    }
    size_t done = 0;
    for (int i = 0; i < count; ++i) {
        if (vector[i].iov_len == 0) continue;
        ssize_t n = read(fd, vector[i].iov_base, vector[i].iov_len);
        if (n < 0) return done > 0 ? static_cast<ssize_t>(done) : -1;
        done += static_cast<size_t>(n);
        if (static_cast<size_t>(n) < vector[i].iov_len) break;
    }
    return static_cast<ssize_t>(done);
}

ssize_t writev(int fd, const struct iovec* vector, int count) {
    if (count <= 0 || count > IOV_MAX) return fail_errno(EINVAL);
    size_t total = 0;
    for (int i = 0; i < count; ++i) {
        if (vector[i].iov_len > kSsizeMax - total) return fail_errno(EINVAL);
        total += vector[i].iov_len;
    }
    if (descriptors().get(fd) == nullptr) return fail_errno(EBADF);
    size_t done = 0;
    for (int i = 0; i < count; ++i) {
        if (vector[i].iov_len == 0) continue;
        ssize_t n = write(fd, vector[i].iov_base, vector[i].iov_len);
        if (n < 0) return done > 0 ? static_cast<ssize_t>(done) : -1;
        done += static_cast<size_t>(n);
        if (static_cast<size_t>(n) < vector[i].iov_len) break;
    }
    return static_cast<ssize_t>(done);
}

ssize_t pread(int fd, void* buffer, size_t count, off_t offset) {
    int32_t handle = -1;
    if (!posix::file_handle(fd, handle, ESPIPE)) return -1;
    if (offset < 0 || count > kSsizeMax) return fail_errno(EINVAL);
    size_t done = 0;
    ipc::Error error = file_call([&](file::Client& files) {
        return files.pread(handle, buffer, count, static_cast<uint64_t>(offset), done);
    });
    return posix::count_or_fail(error, done);
}

ssize_t pwrite(int fd, const void* buffer, size_t count, off_t offset) {
    int32_t handle = -1;
    if (!posix::file_handle(fd, handle, ESPIPE)) return -1;
    if (offset < 0 || count > kSsizeMax) return fail_errno(EINVAL);
    size_t done = 0;
    ipc::Error error = file_call([&](file::Client& files) {
        return files.pwrite(handle, buffer, count, static_cast<uint64_t>(offset), done);
    });
    return posix::count_or_fail(error, done);
}

// The console cannot seek (ESPIPE); a file's offset is fs's. newlib's off_t is 32 bits: a
// position past it is EOVERFLOW (the offset has moved nonetheless, as on Linux).
off_t lseek(int fd, off_t offset, int whence) {
    int32_t handle = -1;
    if (!posix::file_handle(fd, handle, ESPIPE)) return -1;
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END) return fail_errno(EINVAL);
    uint64_t position = 0;
    ipc::Error error = file_call([&](file::Client& files) {
        return files.seek(handle, offset, static_cast<uint32_t>(whence), position);
    });
    if (error != ipc::Error::ok) return fail(error);
    if (position > static_cast<uint64_t>(LONG_MAX)) return fail_errno(EOVERFLOW);
    return static_cast<off_t>(position);
}

int close(int fd) {
    if (descriptors().get(fd) == nullptr) return fail_errno(EBADF);
    posix::release(descriptors().close(fd));
    return 0;
}

int dup(int fd) {
    return posix::duplicate(fd, 0, false);
}

int dup2(int fd, int target) {
    const posix::Descriptor* entry = descriptors().get(fd);
    if (entry == nullptr || target < 0 || target >= posix::DescriptorTable::kSize)
        return fail_errno(EBADF);
    if (fd == target) return target;
    posix::Descriptor copy;
    if (!posix::copy_for_duplicate(*entry, copy)) return -1;
    posix::Descriptor replaced;
    (void)descriptors().duplicate_to(fd, target, &replaced);
    descriptors().get(target)->handle = copy.handle;
    posix::release(replaced);
    return target;
}

int fcntl(int fd, int command, ...) {
    __builtin_va_list args;
    __builtin_va_start(args, command);
    int argument = __builtin_va_arg(args, int);
    __builtin_va_end(args);
    posix::Descriptor* entry = descriptors().get(fd);
    if (entry == nullptr) return fail_errno(EBADF);
    switch (command) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        if (argument < 0 || argument >= posix::DescriptorTable::kSize) return fail_errno(EINVAL);
        return posix::duplicate(fd, argument, command == F_DUPFD_CLOEXEC);
    case F_GETFD:
        return entry->close_on_exec ? FD_CLOEXEC : 0;
    case F_SETFD:
        entry->close_on_exec = (argument & FD_CLOEXEC) != 0;
        return 0;
    case F_GETFL: {
        if (entry->kind != DescriptorKind::file) return O_RDWR;
        int32_t handle = static_cast<int32_t>(entry->handle);
        uint32_t flags = 0;
        ipc::Error error =
            file_call([&](file::Client& files) { return files.get_flags(handle, flags); });
        return error == ipc::Error::ok ? static_cast<int>(flags) : fail(error);
    }
    case F_SETFL: {
        // Only O_APPEND and O_NONBLOCK change (fs ignores the rest, as POSIX asks).
        if (entry->kind != DescriptorKind::file) return 0;
        int32_t handle = static_cast<int32_t>(entry->handle);
        uint32_t flags = static_cast<uint32_t>(argument);
        ipc::Error error =
            file_call([&](file::Client& files) { return files.set_flags(handle, flags); });
        return error == ipc::Error::ok ? 0 : fail(error);
    }
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW: // the argument is a struct flock* (read as int above: both are 32 bits)
        return posix::record_lock(
            fd, command, reinterpret_cast<struct flock*>(static_cast<uintptr_t>(argument)));
    default:
        return fail_errno(EINVAL);
    }
}

// What exec keeps of the table: every descriptor without close-on-exec. The others' handles are
// released at fs first (the table's close_on_exec() only forgets the entries). exec calls it
// before the new image starts; tests call it directly.
void axo_close_on_exec_descriptors(void) {
    for (int fd = 0; fd < posix::DescriptorTable::kSize; ++fd) {
        const posix::Descriptor* entry = descriptors().get(fd);
        if (entry != nullptr && entry->close_on_exec) posix::release(descriptors().close(fd));
    }
    descriptors().close_on_exec();
}

int fsync(int fd) {
    int32_t handle = -1;
    if (!posix::file_handle(fd, handle, EINVAL)) return -1;
    ipc::Error error = file_call([&](file::Client& files) { return files.fsync(handle); });
    return error == ipc::Error::ok ? 0 : fail(error);
}

// fs keeps no metadata apart from the data: fdatasync is fsync.
int fdatasync(int fd) {
    return fsync(fd);
}

int ftruncate(int fd, off_t length) {
    int32_t handle = -1;
    if (!posix::file_handle(fd, handle, EINVAL)) return -1;
    if (length < 0) return fail_errno(EINVAL);
    ipc::Error error = file_call([&](file::Client& files) {
        return files.ftruncate(handle, static_cast<uint64_t>(length));
    });
    return error == ipc::Error::ok ? 0 : fail(error);
}

int fchmod(int fd, mode_t mode) {
    int32_t handle = -1;
    if (!posix::file_handle(fd, handle, EINVAL)) return -1;
    uint32_t bits = static_cast<uint32_t>(mode) & 07777;
    ipc::Error error = file_call([&](file::Client& files) { return files.fchmod(handle, bits); });
    return error == ipc::Error::ok ? 0 : fail(error);
}

int fchown(int fd, uid_t owner, gid_t group) {
    int32_t handle = -1;
    if (!posix::file_handle(fd, handle, EINVAL)) return -1;
    uint32_t uid = posix::owner_for_server(owner, static_cast<uid_t>(-1));
    uint32_t gid = posix::owner_for_server(group, static_cast<gid_t>(-1));
    ipc::Error error =
        file_call([&](file::Client& files) { return files.fchown(handle, uid, gid); });
    return error == ipc::Error::ok ? 0 : fail(error);
}

int fchdir(int fd) {
    int32_t handle = -1;
    if (!posix::file_handle(fd, handle, ENOTDIR)) return -1;
    ipc::Error error = file_call([&](file::Client& files) { return files.fchdir(handle); });
    return error == ipc::Error::ok ? 0 : fail(error);
}

} // extern "C"
