/* The one table from the RPC error vocabulary (error.h) to errno: what a POSIX call returns
 * when the server behind it answered an error, or could not be reached. For code that has a C
 * library (newlib's glue, libposix) and for host tests; servers have no errno. Usable from C
 * and C++; the errno values are the C library's own (the names are what the table fixes). */
#ifndef AXO_IPC_ERRNO_MAP_H
#define AXO_IPC_ERRNO_MAP_H

#include <errno.h>

#include "lib/ipc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 0 for AXO_RPC_OK; an errno value (> 0) for every other code, EIO for codes outside the
 * enum (a server may send anything). */
static inline int axo_rpc_errno(uint32_t error) {
    switch (error) {
    case AXO_RPC_OK:
        return 0;
    case AXO_RPC_ENONAME:
        return ENOENT; /* the server of the call is not there */
    case AXO_RPC_EEXIST:
        return EEXIST;
    case AXO_RPC_EPERM:
        return EPERM;
    case AXO_RPC_EBADMSG:
        return EBADMSG;
    case AXO_RPC_ENOMEM:
        return ENOMEM;
    case AXO_RPC_ENOENT:
        return ENOENT;
    case AXO_RPC_ENOTSUP:
        return ENOTSUP;
    case AXO_RPC_EBADOP:
        return ENOSYS; /* the server has no such operation */
    case AXO_RPC_EBUSY:
        return EBUSY;
    case AXO_RPC_EIO:
        return EIO;
    case AXO_RPC_EINVAL:
        return EINVAL;
    case AXO_RPC_ENOSPC:
        return ENOSPC;
    case AXO_RPC_EACCES:
        return EACCES;
    case AXO_RPC_EWRONGIF:
        return EPROTO; /* a request sent to a server of another interface */
    case AXO_RPC_ENOTDIR:
        return ENOTDIR;
    case AXO_RPC_EISDIR:
        return EISDIR;
    case AXO_RPC_ENOTEMPTY:
        return ENOTEMPTY;
    case AXO_RPC_ENAMETOOLONG:
        return ENAMETOOLONG;
    case AXO_RPC_ELOOP:
        return ELOOP;
    case AXO_RPC_EBADF:
        return EBADF;
    case AXO_RPC_EXDEV:
        return EXDEV;
    case AXO_RPC_EMFILE:
        return EMFILE;
    case AXO_RPC_EROFS:
        return EROFS;
    case AXO_RPC_EAGAIN:
        return EAGAIN;
    case AXO_RPC_EPIPE:
        return EPIPE;
    case AXO_RPC_EFBIG:
        return EFBIG;
    case AXO_RPC_EMLINK:
        return EMLINK;
    case AXO_RPC_ESPIPE:
        return ESPIPE;
    case AXO_RPC_ENOTTY:
        return ENOTTY;
    case AXO_RPC_E2BIG:
        return E2BIG;
    case AXO_RPC_ECHILD:
        return ECHILD;
    case AXO_RPC_ESRCH:
        return ESRCH;
    case AXO_RPC_ENXIO:
        return ENXIO;
    case AXO_RPC_ETXTBSY:
        return ETXTBSY;
    case AXO_RPC_ENOEXEC:
        return ENOEXEC;
    case AXO_RPC_EDEADLK:
        return EDEADLK;
    case AXO_RPC_ENOLCK:
        return ENOLCK;
    case AXO_RPC_ENFILE:
        return ENFILE;
    case AXO_RPC_ETIMEDOUT:
        return ETIMEDOUT;
    case AXO_RPC_EGONE:
        return EIO; /* the server died; libposix retries first */
    case AXO_RPC_EIPC:
        return EIO;
    case AXO_RPC_EINTR:
        return EINTR; /* a signal's handler interrupted the call */
    }
    return EIO;
}

#ifdef __cplusplus
}

namespace ipc {

inline int to_errno(Error error) {
    return axo_rpc_errno(static_cast<uint32_t>(error));
}

} // namespace ipc

#endif /* __cplusplus */

#endif /* AXO_IPC_ERRNO_MAP_H */
