/* newlib's <sched.h>, which declares sched_yield only with _POSIX_PRIORITY_SCHEDULING; libposix
 * has sched_yield alone (process.cc). */
#ifndef AXO_LIBPOSIX_SCHED_H
#define AXO_LIBPOSIX_SCHED_H

#include_next <sched.h>

#ifdef __cplusplus
extern "C" {
#endif
int sched_yield(void);
#ifdef __cplusplus
}
#endif

#endif /* AXO_LIBPOSIX_SCHED_H */
