/* readv() and writev() (libposix: descriptors.cc); newlib for i686-elf has no <sys/uio.h>. */
#ifndef AXO_LIBPOSIX_SYS_UIO_H
#define AXO_LIBPOSIX_SYS_UIO_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct iovec {
    void* iov_base;
    size_t iov_len;
};

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif

ssize_t readv(int, const struct iovec*, int);
ssize_t writev(int, const struct iovec*, int);

#ifdef __cplusplus
}
#endif

#endif /* AXO_LIBPOSIX_SYS_UIO_H */
