/* Directory entries (libposix: directories.cc). newlib's <dirent.h> declares opendir, readdir,
 * ... and takes DIR and struct dirent from <sys/dirent.h>, which for i686-elf is a stub that
 * stops the build: this one is found first. d_type is the BSD/Linux DT_* (fs's records carry
 * the type, so readdir needs no stat). */
#ifndef AXO_LIBPOSIX_SYS_DIRENT_H
#define AXO_LIBPOSIX_SYS_DIRENT_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12

struct dirent {
    ino_t d_ino; /* newlib's ino_t is 16 bits: larger inode numbers are cut as in st_ino */
    unsigned char d_type;
    char d_name[256]; /* NAME_MAX + 1 */
};

/* Opaque: an open directory's descriptor and the records read ahead of readdir. */
typedef struct axo_directory_stream DIR;

#ifdef __cplusplus
}
#endif

#endif /* AXO_LIBPOSIX_SYS_DIRENT_H */
