/*
 * newlib's <grp.h> with getgrouplist, which newlib leaves out and busybox's id needs (BSD's and
 * glibc's signature); libposix implements it and initgroups (users.cc).
 */
#ifndef AXO_LIBPOSIX_GRP_H
#define AXO_LIBPOSIX_GRP_H

#include_next <grp.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The groups of `user`: `group` first, then every group of /etc/group that lists the user as a
 * member, each once. At most *ngroups go to `groups`; *ngroups becomes how many there are, and
 * the answer is that number, or -1 if they did not all fit. */
int getgrouplist(const char* user, gid_t group, gid_t* groups, int* ngroups);

#ifdef __cplusplus
}
#endif

#endif
