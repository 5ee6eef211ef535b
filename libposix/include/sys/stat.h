/* newlib's <sys/stat.h> and what it declares only for other targets: lstat, mknod and the
 * special times of utimensat and futimens (libposix: files.cc). */
#ifndef AXO_LIBPOSIX_SYS_STAT_H
#define AXO_LIBPOSIX_SYS_STAT_H

#include_next <sys/stat.h>

/* utimensat/futimens: a tv_nsec that asks for "now" or for the time to stay as it is (the values
 * newlib gives its Cygwin target). */
#ifndef UTIME_NOW
#define UTIME_NOW (-2L)
#define UTIME_OMIT (-1L)
#endif

#ifdef __cplusplus
extern "C" {
#endif

int lstat(const char* __restrict, struct stat* __restrict);
int mknod(const char*, mode_t, dev_t);

#ifdef __cplusplus
}
#endif

#endif /* AXO_LIBPOSIX_SYS_STAT_H */
