/* PENDING: directories are the `files` helper's. newlib's own <sys/dirent.h> is an #error, so
 * this one is searched before the sysroot (-I) and steps aside for libposix's as soon as the
 * sysroot has it. Until then: the declarations busybox compiles against; opendir & co. are
 * weak ENOSYS stubs (libposix/pending_stubs_busybox.cc). */
#if __has_include(<posix/sys/dirent.h>)
#include <posix/sys/dirent.h>
#else
#ifndef AXO_PENDING_SYS_DIRENT_H
#define AXO_PENDING_SYS_DIRENT_H

#include <sys/types.h>

typedef struct axo_pending_dir DIR;
struct dirent {
    ino_t d_ino;
    off_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[256];
};

#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12

#endif /* AXO_PENDING_SYS_DIRENT_H */
#endif
