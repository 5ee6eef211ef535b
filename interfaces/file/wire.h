/* The file interface's labels, open flags and constants for C callers; protocol.h, the C++
 * header, is built on them and pins the layouts. The open flags, access bits and whence values
 * are newlib's own (i686-elf <sys/_default_fcntl.h>, <unistd.h>), so libposix passes a
 * program's flags through unchanged. */
#ifndef AXO_INTERFACES_FILE_WIRE_H
#define AXO_INTERFACES_FILE_WIRE_H

#include "interfaces/labels.h"

enum axo_file_label {
    AXO_FILE_ATTACH = AXO_LABELS_FILE_FIRST + 0, /* the caller thread's shared buffer */
    AXO_FILE_OPEN = AXO_LABELS_FILE_FIRST + 1,
    AXO_FILE_CLOSE = AXO_LABELS_FILE_FIRST + 2,
    AXO_FILE_READ = AXO_LABELS_FILE_FIRST + 3,
    AXO_FILE_WRITE = AXO_LABELS_FILE_FIRST + 4,
    AXO_FILE_PREAD = AXO_LABELS_FILE_FIRST + 5,
    AXO_FILE_PWRITE = AXO_LABELS_FILE_FIRST + 6,
    AXO_FILE_SEEK = AXO_LABELS_FILE_FIRST + 7,
    AXO_FILE_STAT = AXO_LABELS_FILE_FIRST + 8,
    AXO_FILE_FSTAT = AXO_LABELS_FILE_FIRST + 9,
    AXO_FILE_ACCESS = AXO_LABELS_FILE_FIRST + 10,
    AXO_FILE_MKDIR = AXO_LABELS_FILE_FIRST + 11,
    AXO_FILE_RMDIR = AXO_LABELS_FILE_FIRST + 12,
    AXO_FILE_UNLINK = AXO_LABELS_FILE_FIRST + 13,
    AXO_FILE_RENAME = AXO_LABELS_FILE_FIRST + 14,
    AXO_FILE_LINK = AXO_LABELS_FILE_FIRST + 15,
    AXO_FILE_SYMLINK = AXO_LABELS_FILE_FIRST + 16,
    AXO_FILE_READLINK = AXO_LABELS_FILE_FIRST + 17,
    AXO_FILE_TRUNCATE = AXO_LABELS_FILE_FIRST + 18,
    AXO_FILE_FTRUNCATE = AXO_LABELS_FILE_FIRST + 19,
    AXO_FILE_CHMOD = AXO_LABELS_FILE_FIRST + 20,
    AXO_FILE_FCHMOD = AXO_LABELS_FILE_FIRST + 21,
    AXO_FILE_CHOWN = AXO_LABELS_FILE_FIRST + 22,
    AXO_FILE_FCHOWN = AXO_LABELS_FILE_FIRST + 23,
    AXO_FILE_UTIMES = AXO_LABELS_FILE_FIRST + 24,
    AXO_FILE_FUTIMES = AXO_LABELS_FILE_FIRST + 25,
    AXO_FILE_READDIR = AXO_LABELS_FILE_FIRST + 26,
    AXO_FILE_CHDIR = AXO_LABELS_FILE_FIRST + 27,
    AXO_FILE_FCHDIR = AXO_LABELS_FILE_FIRST + 28,
    AXO_FILE_GETCWD = AXO_LABELS_FILE_FIRST + 29,
    AXO_FILE_FSYNC = AXO_LABELS_FILE_FIRST + 30,
    AXO_FILE_SYNC = AXO_LABELS_FILE_FIRST + 31,
    AXO_FILE_STATFS = AXO_LABELS_FILE_FIRST + 32,
    AXO_FILE_FSTATFS = AXO_LABELS_FILE_FIRST + 33,
    AXO_FILE_MKNOD = AXO_LABELS_FILE_FIRST + 34,
    AXO_FILE_DUP = AXO_LABELS_FILE_FIRST + 35,
    AXO_FILE_GET_FLAGS = AXO_LABELS_FILE_FIRST + 36,
    AXO_FILE_SET_FLAGS = AXO_LABELS_FILE_FIRST + 37,
    AXO_FILE_PIPE = AXO_LABELS_FILE_FIRST + 38,       /* a pipe: two handles */
    AXO_FILE_POLL = AXO_LABELS_FILE_FIRST + 40,       /* select/poll: handles' readiness */
    AXO_FILE_MOUNT = AXO_LABELS_FILE_FIRST + 41,      /* mount a file system on a directory */
    AXO_FILE_UMOUNT = AXO_LABELS_FILE_FIRST + 42,     /* unmount it again */
    AXO_FILE_STATISTICS = AXO_LABELS_FILE_FIRST + 43, /* fs's counters (cache, open files) */
    AXO_FILE_LOCK = AXO_LABELS_FILE_FIRST + 44,       /* fcntl's record locks */
    AXO_FILE_FLOCK = AXO_LABELS_FILE_FIRST + 45,      /* flock: a lock of the open description */
    AXO_FILE_SHUTDOWN = AXO_LABELS_FILE_FIRST + 46,   /* sync, then refuse every change */
    /* exec: a handle's mm object (fs is its pager) */
    AXO_FILE_EXEC_OBJECT = AXO_LABELS_FILE_FIRST + 48,
    /* fs's pager thread to fs's main thread only (servers/fs/pager) */
    AXO_FILE_PAGER_READ = AXO_LABELS_FILE_FIRST + 49,
    /* mmap of a file: its shared mm object; write-back; a mapping's end (servers/fs/pager) */
    AXO_FILE_MAP_OBJECT = AXO_LABELS_FILE_FIRST + 50,
    AXO_FILE_MAP_SYNC = AXO_LABELS_FILE_FIRST + 51,
    AXO_FILE_MAP_RELEASE = AXO_LABELS_FILE_FIRST + 52,
};

/* mount: the kind of file system (AXO_FILE_MOUNT's `type`), and its flags. */
#define AXO_FILE_MOUNT_TMPFS 1u
#define AXO_FILE_MOUNT_EXT2 2u
#define AXO_FILE_MOUNT_READ_ONLY 0x1u /* MS_RDONLY */

/* AXO_FILE_STATISTICS's reply: fs's counters (the block caches' summed over the disks). */
struct axo_file_statistics {
    unsigned int cache_hits_low, cache_hits_high;     /* blocks found in a cache */
    unsigned int cache_misses_low, cache_misses_high; /* blocks read from a disk */
    unsigned int cache_blocks;                        /* blocks held now */
    unsigned int cache_dirty;                         /* of those, not yet written back */
    unsigned int open_descriptions;                   /* open-file descriptions (all kinds) */
    unsigned int open_files;                          /* of those, of regular files */
    unsigned int mounts;                              /* file systems mounted, the root too */
    unsigned int processes;                           /* processes with state in fs */
};

/* The shared buffer: 2^AXO_FILE_BUFFER_LOG2 bytes per client thread. */
#define AXO_FILE_BUFFER_LOG2 15u
#define AXO_FILE_BUFFER_BYTES (1u << AXO_FILE_BUFFER_LOG2)

#define AXO_FILE_NAME_MAX 255u  /* NAME_MAX */
#define AXO_FILE_PATH_MAX 4096u /* PATH_MAX, the NUL included */

/* A path's starting directory: a directory handle, or the caller's working directory. */
#define AXO_FILE_AT_CWD (-100) /* AT_FDCWD */

/* open flags (newlib's values) */
#define AXO_FILE_O_RDONLY 0x0u
#define AXO_FILE_O_WRONLY 0x1u
#define AXO_FILE_O_RDWR 0x2u
#define AXO_FILE_O_ACCMODE 0x3u
#define AXO_FILE_O_APPEND 0x0008u
#define AXO_FILE_O_CREAT 0x0200u
#define AXO_FILE_O_TRUNC 0x0400u
#define AXO_FILE_O_EXCL 0x0800u
#define AXO_FILE_O_NONBLOCK 0x4000u
#define AXO_FILE_O_NOFOLLOW 0x100000u
#define AXO_FILE_O_DIRECTORY 0x200000u

/* PIPE_BUF: writes of up to this many bytes to a pipe or FIFO are atomic; a pipe holds 64 KiB. */
#define AXO_FILE_PIPE_BUF 4096u
#define AXO_FILE_PIPE_CAPACITY 65536u

/* access() bits */
#define AXO_FILE_F_OK 0u
#define AXO_FILE_X_OK 1u
#define AXO_FILE_W_OK 2u
#define AXO_FILE_R_OK 4u

/* lseek whence */
#define AXO_FILE_SEEK_SET 0u
#define AXO_FILE_SEEK_CUR 1u
#define AXO_FILE_SEEK_END 2u

/* fcntl's lock commands (AXO_FILE_LOCK's `command`) and lock types (newlib's values) */
#define AXO_FILE_F_GETLK 7u
#define AXO_FILE_F_SETLK 8u
#define AXO_FILE_F_SETLKW 9u
#define AXO_FILE_F_RDLCK 1u
#define AXO_FILE_F_WRLCK 2u
#define AXO_FILE_F_UNLCK 3u
/* flock's operations (newlib's values) */
#define AXO_FILE_LOCK_SH 1u
#define AXO_FILE_LOCK_EX 2u
#define AXO_FILE_LOCK_NB 4u
#define AXO_FILE_LOCK_UN 8u

/* Path requests' flags word: the last component is not followed if it is a symlink
 * (lstat, lchown, AT_SYMLINK_NOFOLLOW). */
#define AXO_FILE_NOFOLLOW 1u
/* utimes: set both times to the server's clock (utimes(path, NULL)). */
#define AXO_FILE_TIMES_NOW 2u
/* access: check with the effective ids (AT_EACCESS) instead of the real ones. */
#define AXO_FILE_EFFECTIVE_IDS 4u
/* link: follow a symlink `from` (AT_SYMLINK_FOLLOW). */
#define AXO_FILE_FOLLOW_LINK 8u

/* poll: the items in the buffer (AXO_FILE_POLL) at most, and the request's flag: arm the
 * notification when nothing is ready. */
#define AXO_FILE_POLL_MAX_ITEMS 64u
#define AXO_FILE_POLL_WAIT 1u

#endif /* AXO_INTERFACES_FILE_WIRE_H */
