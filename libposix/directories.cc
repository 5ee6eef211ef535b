// Directory streams (<dirent.h>, libposix's <sys/dirent.h>): a DIR is a descriptor of fs opened
// O_DIRECTORY and the records of its last kFileReaddir, copied out of the session buffer
// (the next request to fs reuses it). readdir hands them out one by one (directory_records.h)
// and asks fs for more when they run out; rewinddir seeks the handle back to 0.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libposix/directory_records.h"
#include "libposix/file_calls.h"
#include "libposix/file_modes.h"

// Room for several records per request, and at least the one fs insists on.
constexpr uint32_t kReadAheadBytes = 2048;
static_assert(kReadAheadBytes >= file::kReaddirMinBytes);

struct axo_directory_stream {
    int fd;
    bool at_end;
    posix::DirectoryRecords records;
    struct dirent entry;
    uint8_t data[kReadAheadBytes];
};

namespace posix {
namespace {

// Fills `stream` with the next records; false at the end or on an error (errno set).
bool read_ahead(DIR* stream) {
    int32_t handle = -1;
    if (!file_handle(stream->fd, handle, EBADF)) return false;
    file::ReaddirReply reply{};
    ipc::Error error = file_call([&](file::Client& files) {
        ipc::Error answer = files.readdir(handle, reply, kReadAheadBytes);
        if (answer == ipc::Error::ok && reply.bytes <= kReadAheadBytes)
            __builtin_memcpy(stream->data, files.buffer(), reply.bytes);
        return answer;
    });
    if (error != ipc::Error::ok || reply.bytes > kReadAheadBytes) {
        (void)(error != ipc::Error::ok ? fail(error) : fail_errno(EIO));
        return false;
    }
    if (reply.count == 0) {
        stream->at_end = true;
        return false;
    }
    stream->records = DirectoryRecords(stream->data, reply.bytes, reply.count);
    return true;
}

} // namespace
} // namespace posix

extern "C" {

DIR* fdopendir(int fd) {
    int32_t handle = -1;
    if (!posix::file_handle(fd, handle, ENOTDIR)) return nullptr;
    struct stat st;
    if (fstat(fd, &st) != 0) return nullptr;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return nullptr;
    }
    DIR* stream = static_cast<DIR*>(malloc(sizeof(DIR)));
    if (stream == nullptr) {
        errno = ENOMEM;
        return nullptr;
    }
    stream->fd = fd;
    stream->at_end = false;
    stream->records = posix::DirectoryRecords();
    // A directory stream's descriptor is not for exec's new image (POSIX leaves it open;
    // Linux's opendir sets close-on-exec, as here).
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    return stream;
}

DIR* opendir(const char* path) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return nullptr;
    DIR* stream = fdopendir(fd);
    if (stream == nullptr) {
        int saved = errno;
        (void)close(fd);
        errno = saved;
    }
    return stream;
}

// NULL at the end with errno untouched; NULL with errno set on an error.
struct dirent* readdir(DIR* stream) {
    if (stream == nullptr) {
        errno = EBADF;
        return nullptr;
    }
    posix::DirectoryEntryView view;
    while (!stream->records.next(view)) {
        if (stream->at_end || !posix::read_ahead(stream)) return nullptr;
    }
    struct dirent* entry = &stream->entry;
    entry->d_ino = static_cast<ino_t>(view.inode);
    entry->d_type = posix::directory_type(view.type);
    size_t length =
        view.name_length < sizeof entry->d_name - 1 ? view.name_length : sizeof entry->d_name - 1;
    __builtin_memcpy(entry->d_name, view.name, length);
    entry->d_name[length] = '\0';
    return entry;
}

int readdir_r(DIR* stream, struct dirent* entry, struct dirent** result) {
    int saved = errno;
    errno = 0;
    struct dirent* next = readdir(stream);
    int error = errno;
    errno = saved;
    if (next == nullptr) {
        *result = nullptr;
        return error;
    }
    *entry = *next;
    *result = entry;
    return 0;
}

void rewinddir(DIR* stream) {
    if (stream == nullptr) return;
    int saved = errno;
    if (lseek(stream->fd, 0, SEEK_SET) == 0) {
        stream->at_end = false;
        stream->records = posix::DirectoryRecords();
    }
    errno = saved;
}

int closedir(DIR* stream) {
    if (stream == nullptr) {
        errno = EBADF;
        return -1;
    }
    int fd = stream->fd;
    free(stream);
    return close(fd);
}

int dirfd(DIR* stream) {
    if (stream == nullptr) {
        errno = EINVAL;
        return -1;
    }
    return stream->fd;
}

} // extern "C"
