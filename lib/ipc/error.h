/* The error codes every RPC protocol shares (DESIGN.md §5). A server answers a request with
 * the reply label set to one of these (AXO_RPC_OK = 0: the reply words follow); a client
 * stub returns them, plus the transport errors it sees itself.
 *
 * Usable from C (libposix will map them to errno) and from C++ (ipc::Error). Values are
 * part of the wire format: never renumber, only append. */
#ifndef AXO_IPC_ERROR_H
#define AXO_IPC_ERROR_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum axo_rpc_error {
    AXO_RPC_OK = 0,
    AXO_RPC_ENONAME = 1, /* the name service knows no such name */
    AXO_RPC_EEXIST = 2,  /* already exists (a name, a mapping, a file) */
    AXO_RPC_EPERM = 3,   /* the caller may not do this */
    AXO_RPC_EBADMSG = 4, /* wrong shape: word count, typed items; also a reply of the wrong shape */
    AXO_RPC_ENOMEM = 5,  /* the server is out of memory */
    AXO_RPC_ENOENT = 6,  /* no such object (process, file, region) */
    AXO_RPC_ENOTSUP = 7, /* a known operation this server does not (yet) support */
    AXO_RPC_EBADOP = 8,  /* an unknown operation: no handler for the label */
    AXO_RPC_EBUSY = 9,   /* in use; try again later */
    AXO_RPC_EIO = 10,    /* the device or medium failed */
    AXO_RPC_EINVAL = 11, /* right shape, but an argument is out of range or malformed */
    AXO_RPC_ENOSPC = 12, /* a fixed table or a quota is full */
    AXO_RPC_EACCES = 13, /* refused for the object's state, not the caller's rights (POSIX
                            EACCES: setpgid of a child that has exec'd) */
    /* a label of an interface this server does not serve (interfaces/labels.h): the request
     * went to the wrong server */
    AXO_RPC_EWRONGIF = 14,
    /* POSIX's own conditions, for the file system, pipes, ttys and processes; each maps to the
     * errno of the same name (errno_map.h). */
    AXO_RPC_ENOTDIR = 15,      /* a path component or the target is not a directory */
    AXO_RPC_EISDIR = 16,       /* the target is a directory and the operation needs another kind */
    AXO_RPC_ENOTEMPTY = 17,    /* a directory to remove or replace still has entries */
    AXO_RPC_ENAMETOOLONG = 18, /* a name above NAME_MAX or a path above PATH_MAX */
    AXO_RPC_ELOOP = 19,        /* more symbolic links than a resolution may follow */
    AXO_RPC_EBADF = 20,        /* no such open file, or not open for this kind of access */
    AXO_RPC_EXDEV = 21,        /* a link or rename across mounted file systems */
    AXO_RPC_EMFILE = 22,       /* the caller's table of open objects is full */
    AXO_RPC_EROFS = 23,        /* a change on a file system mounted read-only */
    AXO_RPC_EAGAIN = 24,       /* a non-blocking request that would have to wait */
    AXO_RPC_EPIPE = 25,        /* a write with nobody left to read */
    AXO_RPC_EFBIG = 26,        /* beyond the largest size a file (or object) may have */
    AXO_RPC_EMLINK = 27,       /* a link count would pass its maximum */
    AXO_RPC_ESPIPE = 28,       /* an offset on a pipe, FIFO or stream device */
    AXO_RPC_ENOTTY = 29,       /* a terminal operation on something that is not one */
    AXO_RPC_E2BIG = 30,        /* arguments and environment above ARG_MAX */
    AXO_RPC_ECHILD = 31,       /* wait: the caller has no such child */
    AXO_RPC_ESRCH = 32,        /* no process or process group of that id */
    AXO_RPC_ENXIO = 33,        /* the device behind a special file is not there */
    AXO_RPC_ETXTBSY = 34, /* writing a program that is running, or running one open for writing */
    AXO_RPC_ENOEXEC = 35, /* exec of a file that is no program this system runs */
    AXO_RPC_EDEADLK = 36, /* a wait for a lock would never end: its holder waits for the caller */
    AXO_RPC_ENOLCK = 37,  /* the table of record locks is full */
    AXO_RPC_ENFILE = 38,  /* the server's table of open objects, for all callers, is full */

    /* Transport errors: made by the client side from the IPC error, never sent by a server. */
    AXO_RPC_ETIMEDOUT = 0x100, /* AXO_IPC_TIMEOUT in either phase */
    /* AXO_IPC_NO_PARTNER: the server thread does not exist (any more). In the receive phase
     * the request may have been carried out: only idempotent requests may be retried after
     * looking the name up again. */
    AXO_RPC_EGONE = 0x101,
    AXO_RPC_EIPC = 0x102, /* any other IPC failure (cancelled, aborted, overflow, invalid) */
    /* The call was ended by notification bits it accepted (ipc::call_interruptible). If the
     * request had gone out, the server may carry it out; its reply is lost. */
    AXO_RPC_EINTR = 0x103
};

#ifdef __cplusplus
}

namespace ipc {

// The C++ face of axo_rpc_error. [[nodiscard]]: an ignored error is a bug.
enum class [[nodiscard]] Error : uint32_t{
    ok = AXO_RPC_OK,
    no_such_name = AXO_RPC_ENONAME,
    exists = AXO_RPC_EEXIST,
    no_permission = AXO_RPC_EPERM,
    bad_message = AXO_RPC_EBADMSG,
    no_memory = AXO_RPC_ENOMEM,
    not_found = AXO_RPC_ENOENT,
    unsupported = AXO_RPC_ENOTSUP,
    bad_operation = AXO_RPC_EBADOP,
    busy = AXO_RPC_EBUSY,
    io_error = AXO_RPC_EIO,
    invalid_argument = AXO_RPC_EINVAL,
    no_space = AXO_RPC_ENOSPC,
    access_denied = AXO_RPC_EACCES,
    wrong_interface = AXO_RPC_EWRONGIF,
    not_directory = AXO_RPC_ENOTDIR,
    is_directory = AXO_RPC_EISDIR,
    not_empty = AXO_RPC_ENOTEMPTY,
    name_too_long = AXO_RPC_ENAMETOOLONG,
    symlink_loop = AXO_RPC_ELOOP,
    bad_handle = AXO_RPC_EBADF,
    cross_device = AXO_RPC_EXDEV,
    too_many_open = AXO_RPC_EMFILE,
    read_only = AXO_RPC_EROFS,
    would_block = AXO_RPC_EAGAIN,
    broken_pipe = AXO_RPC_EPIPE,
    too_big = AXO_RPC_EFBIG,
    too_many_links = AXO_RPC_EMLINK,
    not_seekable = AXO_RPC_ESPIPE,
    not_terminal = AXO_RPC_ENOTTY,
    arguments_too_long = AXO_RPC_E2BIG,
    no_child = AXO_RPC_ECHILD,
    no_process = AXO_RPC_ESRCH,
    no_device = AXO_RPC_ENXIO,
    text_busy = AXO_RPC_ETXTBSY,
    not_executable = AXO_RPC_ENOEXEC,
    deadlock = AXO_RPC_EDEADLK,
    no_locks = AXO_RPC_ENOLCK,
    too_many_open_in_system = AXO_RPC_ENFILE,
    timed_out = AXO_RPC_ETIMEDOUT,
    server_gone = AXO_RPC_EGONE,
    ipc_failed = AXO_RPC_EIPC,
    interrupted = AXO_RPC_EINTR,
};

// A reply label is 16 bits: every code must fit, transport codes included (so that a test
// can tell a server that wrongly sends one).
static_assert(static_cast<uint32_t>(Error::interrupted) <= 0xFFFFu);

// For logs; never nullptr, also for values outside the enum (a server may send anything).
constexpr const char* error_name(Error error) {
    switch (error) {
    case Error::ok:
        return "ok";
    case Error::no_such_name:
        return "no such name";
    case Error::exists:
        return "exists";
    case Error::no_permission:
        return "no permission";
    case Error::bad_message:
        return "bad message";
    case Error::no_memory:
        return "no memory";
    case Error::not_found:
        return "not found";
    case Error::unsupported:
        return "unsupported";
    case Error::bad_operation:
        return "bad operation";
    case Error::busy:
        return "busy";
    case Error::io_error:
        return "i/o error";
    case Error::invalid_argument:
        return "invalid argument";
    case Error::no_space:
        return "no space";
    case Error::access_denied:
        return "access denied";
    case Error::wrong_interface:
        return "wrong interface";
    case Error::not_directory:
        return "not a directory";
    case Error::is_directory:
        return "is a directory";
    case Error::not_empty:
        return "not empty";
    case Error::name_too_long:
        return "name too long";
    case Error::symlink_loop:
        return "too many symbolic links";
    case Error::bad_handle:
        return "bad handle";
    case Error::cross_device:
        return "cross device";
    case Error::too_many_open:
        return "too many open";
    case Error::read_only:
        return "read-only file system";
    case Error::would_block:
        return "would block";
    case Error::broken_pipe:
        return "broken pipe";
    case Error::too_big:
        return "too big";
    case Error::too_many_links:
        return "too many links";
    case Error::not_seekable:
        return "not seekable";
    case Error::not_terminal:
        return "not a terminal";
    case Error::arguments_too_long:
        return "arguments too long";
    case Error::no_child:
        return "no child";
    case Error::no_process:
        return "no such process";
    case Error::no_device:
        return "no device";
    case Error::text_busy:
        return "text busy";
    case Error::not_executable:
        return "not executable";
    case Error::deadlock:
        return "deadlock";
    case Error::no_locks:
        return "no locks available";
    case Error::too_many_open_in_system:
        return "too many open files in system";
    case Error::timed_out:
        return "timed out";
    case Error::server_gone:
        return "server gone";
    case Error::ipc_failed:
        return "ipc failed";
    case Error::interrupted:
        return "interrupted";
    }
    return "unknown error";
}

// Transport errors describe the IPC, not the request: a server never sends them.
constexpr bool is_transport_error(Error error) {
    return static_cast<uint32_t>(error) >= AXO_RPC_ETIMEDOUT;
}

} // namespace ipc

#endif /* __cplusplus */

#endif /* AXO_IPC_ERROR_H */
