/* PENDING: newlib declares lstat and mknod only for RTEMS, SPU and Cygwin; libposix's file calls
 * (the `files` branch) bring them. Only the ports' build sees this (apps/ports/pending/README.md);
 * delete it when libposix's headers declare lstat. */
#ifndef AXO_PENDING_SYS_STAT_H
#define AXO_PENDING_SYS_STAT_H
#include_next <sys/stat.h>

#ifdef __cplusplus
extern "C" {
#endif
int lstat(const char* __restrict path, struct stat* __restrict buffer);
#ifdef __cplusplus
}
#endif
#endif
