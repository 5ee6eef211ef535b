/* struct utimbuf and utime() (libposix: files.cc): newlib's <utime.h> includes this file, whose
 * generic version has the structure but not the call. */
#ifndef AXO_LIBPOSIX_SYS_UTIME_H
#define AXO_LIBPOSIX_SYS_UTIME_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct utimbuf {
    time_t actime;
    time_t modtime;
};

int utime(const char*, const struct utimbuf*);

#ifdef __cplusplus
}
#endif

#endif /* AXO_LIBPOSIX_SYS_UTIME_H */
