// Advisory locks (README.md "Files"): fcntl's F_GETLK, F_SETLK and F_SETLKW (descriptors.cc's
// fcntl calls record_lock) and flock, carried out by fs (interfaces/file kFileLock,
// kFileFlock), which owns them per process and per open description. F_SETLKW and a blocking
// flock wait in fs; a signal's handler ends the wait with EINTR (or makes the call again with
// SA_RESTART).
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <unistd.h>

#include "libposix/file_calls.h"

static_assert(F_GETLK == AXO_FILE_F_GETLK && F_SETLK == AXO_FILE_F_SETLK &&
              F_SETLKW == AXO_FILE_F_SETLKW);
static_assert(F_RDLCK == AXO_FILE_F_RDLCK && F_WRLCK == AXO_FILE_F_WRLCK &&
              F_UNLCK == AXO_FILE_F_UNLCK);
static_assert(LOCK_SH == AXO_FILE_LOCK_SH && LOCK_EX == AXO_FILE_LOCK_EX &&
              LOCK_NB == AXO_FILE_LOCK_NB && LOCK_UN == AXO_FILE_LOCK_UN);

namespace posix {

int record_lock(int fd, int command, struct flock* lock) {
    int32_t handle = -1;
    if (!file_handle(fd, handle, EINVAL)) return -1;
    if (lock == nullptr) return fail_errno(EFAULT);
    const uint64_t start = static_cast<uint64_t>(static_cast<int64_t>(lock->l_start));
    const uint64_t length = static_cast<uint64_t>(static_cast<int64_t>(lock->l_len));
    file::LockRequest request{handle,
                              static_cast<uint32_t>(command),
                              static_cast<uint32_t>(lock->l_type),
                              static_cast<uint32_t>(lock->l_whence),
                              file::low(start),
                              file::high(start),
                              file::low(length),
                              file::high(length)};
    file::LockReply reply{};
    ipc::Error error = file_call([&](file::Client& files) { return files.lock(request, reply); });
    if (error != ipc::Error::ok) return fail(error);
    if (command != F_GETLK) return 0;
    lock->l_type = static_cast<short>(reply.type);
    if (reply.type == F_UNLCK) return 0;
    const uint64_t at = file::join(reply.start_low, reply.start_high);
    const uint64_t bytes = file::join(reply.length_low, reply.length_high);
    // newlib's off_t and l_start are 32 bits: a lock beyond them cannot be described.
    if (at > LONG_MAX || bytes > LONG_MAX) return fail_errno(EOVERFLOW);
    lock->l_whence = SEEK_SET;
    lock->l_start = static_cast<long>(at);
    lock->l_len = static_cast<long>(bytes);
    lock->l_pid = static_cast<short>(reply.pid);
    return 0;
}

} // namespace posix

extern "C" int flock(int fd, int operation) {
    int32_t handle = -1;
    if (!posix::file_handle(fd, handle, EINVAL)) return -1;
    ipc::Error error = posix::file_call(
        [&](file::Client& files) { return files.flock(handle, static_cast<uint32_t>(operation)); });
    if (error == ipc::Error::would_block) return posix::fail_errno(EWOULDBLOCK);
    return error == ipc::Error::ok ? 0 : posix::fail(error);
}
