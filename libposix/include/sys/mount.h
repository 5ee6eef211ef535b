/* mount(2) and umount(2) with Linux's names and flag values (libposix: mount_calls.cc): fs
 * mounts a tmpfs, or ext2 from a block device (/dev/hdc), on a directory at run time (root
 * only), and unmounts what nothing uses (servers/fs/README.md, "Mounts"). Types "tmpfs" and
 * "ext2"; flags MS_RDONLY (MS_SILENT, MS_NOATIME, MS_NODIRATIME change nothing; others are
 * EINVAL); umount2's MNT_FORCE, MNT_DETACH and MNT_EXPIRE are EINVAL. /etc/mtab is kept by
 * mount(8) (busybox), not by these calls. */
#ifndef AXO_LIBPOSIX_SYS_MOUNT_H
#define AXO_LIBPOSIX_SYS_MOUNT_H

#ifdef __cplusplus
extern "C" {
#endif

#define MS_RDONLY 1
#define MS_NOSUID 2
#define MS_NODEV 4
#define MS_NOEXEC 8
#define MS_SYNCHRONOUS 16
#define MS_REMOUNT 32
#define MS_MANDLOCK 64
#define MS_DIRSYNC 128
#define MS_NOATIME 1024
#define MS_NODIRATIME 2048
#define MS_BIND 4096
#define MS_MOVE 8192
#define MS_REC 16384
#define MS_SILENT 32768

#define MNT_FORCE 1
#define MNT_DETACH 2
#define MNT_EXPIRE 4
#define UMOUNT_NOFOLLOW 8

int mount(const char* source, const char* target, const char* type, unsigned long flags,
          const void* data);
int umount(const char* target);
int umount2(const char* target, int flags);

#ifdef __cplusplus
}
#endif

#endif /* AXO_LIBPOSIX_SYS_MOUNT_H */
