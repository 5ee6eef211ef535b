// What libposix's file sources share (README.md "Files"): the calling thread's session with fs
// (file_session.cc), calls to it that a signal may interrupt, a descriptor's release at its
// server, and fs's answers in newlib's shapes. Internal: programs see only the POSIX calls.
#pragma once

#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

#include "interfaces/file/client.h"
#include "libposix/posix.h"

namespace posix {

// The calling thread's client (one per thread: each has its own buffer at fs); it looks fs up
// and attaches at its first request. nullptr if no thread slot is free (EMFILE for the caller).
file::Client* file_client();

// One request to fs on the calling thread's session, made again after a signal's handler if
// it had SA_RESTART (else Error::interrupted: EINTR), as posix::interruptible_call does for
// plain calls. `call` takes the file::Client& and returns an ipc::Error.
template <class Call> ipc::Error file_call(Call call, bool restartable = true) {
    file::Client* client = file_client();
    if (client == nullptr) return ipc::Error::too_many_open;
    for (;;) {
        ipc::Error error = call(*client);
        if (!interrupted(error)) return error;
        if (!restartable || !restart_after_handler()) return ipc::Error::interrupted;
    }
}

// The `at` of a path request for a *at call's descriptor: AT_FDCWD, or a descriptor of fs
// (else EBADF; ENOTDIR comes from fs for a handle that is no directory). false: errno is set.
bool path_base(int fd, int32_t& at);
// The handle of a descriptor of fs; false (errno EBADF, or `other_errno` for a descriptor of
// another kind) otherwise.
bool file_handle(int fd, int32_t& handle, int other_errno);

// Releases what a closed or replaced descriptor held at its server (fs's handle; nothing for
// the console and streams, which keep no state per client).
void release(const Descriptor& entry);

// fcntl's F_GETLK, F_SETLK, F_SETLKW on a descriptor (file_locks.cc); 0 or -1 and errno.
int record_lock(int fd, int command, struct flock* lock);

// fs's attributes as newlib's struct stat; false (EOVERFLOW) if the size does not fit off_t.
bool fill_stat(const file::Stat& from, struct stat* to);

// The process's file mode creation mask (umask), applied here before fs sees a mode.
uint32_t creation_mask();

} // namespace posix
