/* uname() (libposix: process.cc); newlib for i686-elf has no <sys/utsname.h>. */
#ifndef AXO_LIBPOSIX_SYS_UTSNAME_H
#define AXO_LIBPOSIX_SYS_UTSNAME_H

#ifdef __cplusplus
extern "C" {
#endif

#define _UTSNAME_LENGTH 65

struct utsname {
    char sysname[_UTSNAME_LENGTH];
    char nodename[_UTSNAME_LENGTH];
    char release[_UTSNAME_LENGTH];
    char version[_UTSNAME_LENGTH];
    char machine[_UTSNAME_LENGTH];
};

int uname(struct utsname*);

#ifdef __cplusplus
}
#endif

#endif /* AXO_LIBPOSIX_SYS_UTSNAME_H */
