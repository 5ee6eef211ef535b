/* newlib's <sys/stat.h> and what it declares only for other targets: lstat and mknod
 * (libposix: files.cc). */
#ifndef AXO_LIBPOSIX_SYS_STAT_H
#define AXO_LIBPOSIX_SYS_STAT_H

#include_next <sys/stat.h>

#ifdef __cplusplus
extern "C" {
#endif

int lstat(const char* __restrict, struct stat* __restrict);
int mknod(const char*, mode_t, dev_t);

#ifdef __cplusplus
}
#endif

#endif /* AXO_LIBPOSIX_SYS_STAT_H */
