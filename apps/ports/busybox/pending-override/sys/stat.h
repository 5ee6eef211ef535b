/* PENDING: lstat is the `files` helper's. newlib's <sys/stat.h> declares it only for some
 * targets, so this wrapper (searched before the sysroot, -I) adds the declaration until
 * libposix's <sys/stat.h> does; it steps aside as soon as the sysroot has that header. lstat
 * is a weak ENOSYS stub (libposix/pending_stubs_busybox.cc). */
#if __has_include(<posix/sys/stat.h>)
#include <posix/sys/stat.h>
#else
#include_next <sys/stat.h>
#ifndef AXO_PENDING_SYS_STAT_H
#define AXO_PENDING_SYS_STAT_H
#ifdef __cplusplus
extern "C" {
#endif
int lstat(const char* __restrict, struct stat* __restrict);
#ifdef __cplusplus
}
#endif
#endif /* AXO_PENDING_SYS_STAT_H */
#endif
