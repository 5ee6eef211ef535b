/* PENDING: readv/writev belong with the file calls (the `files` helper). Declarations so that
 * busybox compiles; searched after the sysroot (-idirafter). */
#ifndef AXO_PENDING_SYS_UIO_H
#define AXO_PENDING_SYS_UIO_H

#include <sys/types.h>

struct iovec {
    void* iov_base;
    size_t iov_len;
};

#ifdef __cplusplus
extern "C" {
#endif
ssize_t readv(int, const struct iovec*, int);
ssize_t writev(int, const struct iovec*, int);
#ifdef __cplusplus
}
#endif

#endif /* AXO_PENDING_SYS_UIO_H */
