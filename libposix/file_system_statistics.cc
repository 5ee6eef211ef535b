// statvfs and fstatvfs (<sys/statvfs.h>, libposix's own header): fs's statistics of the file
// system that holds a path or a descriptor's file (interfaces/file kFileStatfs, kFileFstatfs).
#include <errno.h>
#include <stdint.h>
#include <sys/statvfs.h>

#include "libposix/file_calls.h"

namespace {

int fill(const file::StatfsReply& from, struct statvfs* to) {
    if (to == nullptr) return posix::fail_errno(EFAULT);
    const uint64_t blocks = file::join(from.blocks_low, from.blocks_high);
    const uint64_t free = file::join(from.free_low, from.free_high);
    const uint64_t available = file::join(from.available_low, from.available_high);
    const uint64_t inodes = file::join(from.inodes_low, from.inodes_high);
    const uint64_t free_inodes = file::join(from.free_inodes_low, from.free_inodes_high);
    // newlib's fsblkcnt_t and fsfilcnt_t are 32 bits.
    if (blocks > UINT32_MAX || inodes > UINT32_MAX) return posix::fail_errno(EOVERFLOW);
    *to = {};
    to->f_bsize = from.block_size;
    to->f_frsize = from.block_size;
    to->f_blocks = static_cast<fsblkcnt_t>(blocks);
    to->f_bfree = static_cast<fsblkcnt_t>(free);
    to->f_bavail = static_cast<fsblkcnt_t>(available);
    to->f_files = static_cast<fsfilcnt_t>(inodes);
    to->f_ffree = static_cast<fsfilcnt_t>(free_inodes);
    to->f_favail = static_cast<fsfilcnt_t>(free_inodes);
    to->f_flag = from.read_only != 0 ? ST_RDONLY : 0;
    to->f_namemax = from.name_max;
    return 0;
}

} // namespace

extern "C" {

int statvfs(const char* __restrict path, struct statvfs* __restrict out) {
    if (path == nullptr) return posix::fail_errno(EFAULT);
    file::StatfsReply reply{};
    ipc::Error error = posix::file_call(
        [&](file::Client& files) { return files.statfs(file::kAtCwd, path, reply); });
    return error == ipc::Error::ok ? fill(reply, out) : posix::fail(error);
}

int fstatvfs(int fd, struct statvfs* out) {
    int32_t handle = -1;
    if (!posix::file_handle(fd, handle, EINVAL)) return -1;
    file::StatfsReply reply{};
    ipc::Error error =
        posix::file_call([&](file::Client& files) { return files.fstatfs(handle, reply); });
    return error == ipc::Error::ok ? fill(reply, out) : posix::fail(error);
}

} // extern "C"
