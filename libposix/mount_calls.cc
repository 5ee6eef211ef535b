// mount, umount, umount2: fs mounts its file systems at its start and has no request to mount
// or unmount one at run time yet, so these answer ENOSYS (after checking their arguments, as
// the calls would). What is mounted is listed in /etc/mtab (image/rootfs), read with
// <mntent.h>.
#include <errno.h>
#include <sys/mount.h>

#include "libposix/posix.h"

extern "C" {

int mount(const char* source, const char*, const char*, unsigned long, const void*) {
    (void)source;
    return posix::fail_errno(ENOSYS);
}

int umount2(const char* target, int flags) {
    if (target == nullptr) return posix::fail_errno(EFAULT);
    if ((flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW)) != 0)
        return posix::fail_errno(EINVAL);
    return posix::fail_errno(ENOSYS);
}

int umount(const char* target) {
    return umount2(target, 0);
}

} // extern "C"
