// mount, umount, umount2 (<sys/mount.h>, Linux's signatures and flag values): fs's kFileMount
// and kFileUmount (interfaces/file/protocol.h). fs mounts a tmpfs, or the ext2 on a block
// device of /dev (/dev/hdc, the second disk), on a directory; root only. /etc/mtab is
// mount(8)'s business, as it was on Linux before /proc/mounts: busybox's mount and umount keep
// it (FEATURE_MTAB_SUPPORT), these calls do not touch it.
#include <errno.h>
#include <string.h>
#include <sys/fsstat.h>
#include <sys/mount.h>

#include "libposix/file_calls.h"

namespace {

// Flags that change nothing fs does: the kernel's quiet retry (mount(8) sets it while it tries
// types) and the access-time ones (fs keeps atime as ext2 asks).
constexpr unsigned long kHarmless = MS_SILENT | MS_NOATIME | MS_NODIRATIME;

} // namespace

extern "C" {

int mount(const char* source, const char* target, const char* type, unsigned long flags,
          const void*) {
    if (target == nullptr || type == nullptr) return posix::fail_errno(EFAULT);
    // Remounts, binds and moves are not served; nosuid, nodev and noexec are refused rather
    // than accepted and not enforced.
    if ((flags & ~(kHarmless | MS_RDONLY)) != 0) return posix::fail_errno(EINVAL);
    uint32_t kind = 0;
    if (strcmp(type, "tmpfs") == 0) {
        kind = AXO_FILE_MOUNT_TMPFS;
    } else if (strcmp(type, "ext2") == 0) {
        kind = AXO_FILE_MOUNT_EXT2;
        if (source == nullptr) return posix::fail_errno(EFAULT);
    } else {
        return posix::fail_errno(ENODEV); // Linux: a file system type it does not know
    }
    uint32_t wire_flags = (flags & MS_RDONLY) != 0 ? AXO_FILE_MOUNT_READ_ONLY : 0;
    ipc::Error error = posix::file_call([&](file::Client& files) {
        return files.mount(kind == AXO_FILE_MOUNT_EXT2 ? source : nullptr, target, kind,
                           wire_flags);
    });
    return error == ipc::Error::ok ? 0 : posix::fail(error);
}

int umount2(const char* target, int flags) {
    if (target == nullptr) return posix::fail_errno(EFAULT);
    if ((flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW)) != 0)
        return posix::fail_errno(EINVAL);
    // fs unmounts only what nothing uses: a forced or lazy unmount is not served.
    if ((flags & (MNT_FORCE | MNT_DETACH | MNT_EXPIRE)) != 0) return posix::fail_errno(EINVAL);
    ipc::Error error =
        posix::file_call([&](file::Client& files) { return files.umount(target, 0); });
    return error == ipc::Error::ok ? 0 : posix::fail(error);
}

int umount(const char* target) {
    return umount2(target, 0);
}

} // extern "C"

extern "C" int fs_statistics(struct fs_statistics* out) {
    if (out == nullptr) return posix::fail_errno(EFAULT);
    file::StatisticsReply reply{};
    ipc::Error error =
        posix::file_call([&](file::Client& files) { return files.statistics(reply); });
    if (error != ipc::Error::ok) return posix::fail(error);
    out->cache_hits = file::join(reply.cache_hits_low, reply.cache_hits_high);
    out->cache_misses = file::join(reply.cache_misses_low, reply.cache_misses_high);
    out->cache_blocks = reply.cache_blocks;
    out->cache_dirty = reply.cache_dirty;
    out->open_descriptions = reply.open_descriptions;
    out->open_files = reply.open_files;
    out->mounts = reply.mounts;
    out->processes = reply.processes;
    return 0;
}
