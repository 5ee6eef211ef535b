/* The mount-table reader of BSD and glibc: fstab-format lines (device, directory, type, options,
 * dump frequency, pass number), read from a file (mount_table.cc). Axolotl keeps no mount table
 * file yet: _PATH_MOUNTED names where one will be. */
#ifndef AXO_LIBPOSIX_MNTENT_H
#define AXO_LIBPOSIX_MNTENT_H

#include <stdio.h>

#define MNTTAB "/etc/fstab"
#define MOUNTED "/etc/mtab"
#define _PATH_MNTTAB MNTTAB
#define _PATH_MOUNTED MOUNTED

#define MNTTYPE_IGNORE "ignore"
#define MNTTYPE_SWAP "swap"
#define MNTOPT_DEFAULTS "defaults"
#define MNTOPT_RO "ro"
#define MNTOPT_RW "rw"

#ifdef __cplusplus
extern "C" {
#endif

struct mntent {
    char* mnt_fsname;
    char* mnt_dir;
    char* mnt_type;
    char* mnt_opts;
    int mnt_freq;
    int mnt_passno;
};

FILE* setmntent(const char*, const char*);
struct mntent* getmntent(FILE*);
struct mntent* getmntent_r(FILE*, struct mntent*, char*, int);
int addmntent(FILE*, const struct mntent*);
int endmntent(FILE*);
char* hasmntopt(const struct mntent*, const char*);

#ifdef __cplusplus
}
#endif

#endif /* AXO_LIBPOSIX_MNTENT_H */
