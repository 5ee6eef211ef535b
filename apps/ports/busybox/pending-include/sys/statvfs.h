/* PENDING: statvfs belongs with the file calls (the `files` helper; fs knows each file
 * system's sizes). Declarations with POSIX's fields so that busybox's df compiles; searched
 * after the sysroot (-idirafter). statvfs and fstatvfs are weak ENOSYS stubs
 * (libposix/pending_stubs_busybox.cc). */
#ifndef AXO_PENDING_SYS_STATVFS_H
#define AXO_PENDING_SYS_STATVFS_H

#include <sys/types.h>

struct statvfs {
    unsigned long f_bsize;
    unsigned long f_frsize;
    fsblkcnt_t f_blocks;
    fsblkcnt_t f_bfree;
    fsblkcnt_t f_bavail;
    fsfilcnt_t f_files;
    fsfilcnt_t f_ffree;
    fsfilcnt_t f_favail;
    unsigned long f_fsid;
    unsigned long f_flag;
    unsigned long f_namemax;
};

#define ST_RDONLY 1
#define ST_NOSUID 2

#ifdef __cplusplus
extern "C" {
#endif
int statvfs(const char* __restrict, struct statvfs* __restrict);
int fstatvfs(int, struct statvfs*);
#ifdef __cplusplus
}
#endif

#endif /* AXO_PENDING_SYS_STATVFS_H */
