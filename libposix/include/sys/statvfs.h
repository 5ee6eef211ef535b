/* statvfs and fstatvfs (libposix/file_system_statistics.cc): a mounted file system's sizes, as
 * fs reports them (kFileStatfs, kFileFstatfs). newlib has no <sys/statvfs.h>. */
#ifndef AXO_POSIX_SYS_STATVFS_H
#define AXO_POSIX_SYS_STATVFS_H

#include <sys/types.h>

struct statvfs {
    unsigned long f_bsize;  /* the file system's block size */
    unsigned long f_frsize; /* the unit of f_blocks, f_bfree, f_bavail: the block size */
    fsblkcnt_t f_blocks;
    fsblkcnt_t f_bfree;
    fsblkcnt_t f_bavail; /* free for unprivileged users */
    fsfilcnt_t f_files;
    fsfilcnt_t f_ffree;
    fsfilcnt_t f_favail;
    unsigned long f_fsid;
    unsigned long f_flag; /* ST_RDONLY */
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

#endif /* AXO_POSIX_SYS_STATVFS_H */
