/* mount(2) and umount(2) with Linux's names and flag values (libposix: mount_calls.cc). fs
 * mounts its file systems itself at its start (servers/fs/README.md) and takes no mount
 * request yet: the calls answer ENOSYS. The mounts there are are listed in /etc/mtab. */
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
