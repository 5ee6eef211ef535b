/* <features.h>, glibc's name for the feature-test header, which programs written for glibc
 * (busybox's platform.h) include whenever _NEWLIB_VERSION is defined: newlib keeps it as
 * <sys/features.h>. libposix's own C++ sources see compat/features.h after this one (what
 * libstdc++'s headers need of it). */
#ifndef AXO_LIBPOSIX_FEATURES_H
#define AXO_LIBPOSIX_FEATURES_H

#include <sys/features.h>

#if defined(__cplusplus) && __has_include_next(<features.h>)
#include_next <features.h>
#endif

#endif /* AXO_LIBPOSIX_FEATURES_H */
