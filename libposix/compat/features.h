/* libstdc++'s configuration for this compiler (a Linux one) includes glibc's <features.h>;
 * newlib has none. libposix's C++ sources use only libstdc++'s freestanding headers
 * (<type_traits>, <concepts>), for which newlib's feature macros are all it needs. */
#include <sys/features.h>
#define __GLIBC_PREREQ(major, minor) 0
