/* newlib's <sys/resource.h> (getrusage) and the resource limits it leaves out: getrlimit and
 * setrlimit with POSIX's RLIMIT_* names (Linux's numbers). The limits are the system's own, fixed
 * per process (resource_limits.cc says where each comes from). */
#ifndef AXO_LIBPOSIX_SYS_RESOURCE_H
#define AXO_LIBPOSIX_SYS_RESOURCE_H

#include_next <sys/resource.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned long rlim_t;
#define RLIM_INFINITY ((rlim_t)-1)
#define RLIM_SAVED_MAX RLIM_INFINITY
#define RLIM_SAVED_CUR RLIM_INFINITY

struct rlimit {
    rlim_t rlim_cur;
    rlim_t rlim_max;
};

#define RLIMIT_CPU 0
#define RLIMIT_FSIZE 1
#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_NOFILE 7
#define RLIMIT_AS 9
#define RLIMIT_NPROC 6
#define RLIM_NLIMITS 16

int getrlimit(int, struct rlimit*);
int setrlimit(int, const struct rlimit*);

#ifdef __cplusplus
}
#endif

#endif /* AXO_LIBPOSIX_SYS_RESOURCE_H */
