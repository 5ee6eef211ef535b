/* PENDING: a stand-in for the <sys/dirent.h> that libposix's file calls bring (the `files`
 * branch). Only the ports' build sees it (apps/ports/pending/README.md); delete it when libposix
 * has its own. Layout as POSIX requires: DIR is opaque, struct dirent has d_ino and d_name. */
#ifndef AXO_PENDING_SYS_DIRENT_H
#define AXO_PENDING_SYS_DIRENT_H
#include <sys/types.h>

typedef struct axo_pending_dir DIR;

struct dirent {
    ino_t d_ino;
    unsigned char d_type;
    char d_name[256];
};

#endif
