/* newlib's <sys/features.h>, and what libposix provides beyond newlib's bare-metal defaults:
 * clock_gettime and nanosleep (_POSIX_TIMERS declares them in <time.h>), CLOCK_MONOTONIC, and
 * mprotect with the SIGSEGV a touch against the protection raises (_POSIX_MEMORY_PROTECTION;
 * sysconf(_SC_MEMORY_PROTECTION) agrees). */
#ifndef AXO_LIBPOSIX_SYS_FEATURES_H
#define AXO_LIBPOSIX_SYS_FEATURES_H

#include_next <sys/features.h>

#ifndef _POSIX_TIMERS
#define _POSIX_TIMERS 1
#endif
#ifndef _POSIX_MONOTONIC_CLOCK
#define _POSIX_MONOTONIC_CLOCK 200112L
#endif

#ifndef _POSIX_MEMORY_PROTECTION
#define _POSIX_MEMORY_PROTECTION 200112L
#endif

#endif /* AXO_LIBPOSIX_SYS_FEATURES_H */
