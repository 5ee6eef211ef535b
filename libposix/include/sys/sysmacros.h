/* major, minor and makedev for dev_t: Axolotl's device numbers are Linux's, major << 8 |
 * minor (servers/fs/devfs/README.md), in newlib's 16-bit dev_t. */
#ifndef AXO_LIBPOSIX_SYS_SYSMACROS_H
#define AXO_LIBPOSIX_SYS_SYSMACROS_H

#include <sys/types.h>

#define major(device) ((unsigned int)(((device) >> 8) & 0xff))
#define minor(device) ((unsigned int)((device)&0xff))
#define makedev(major, minor) ((dev_t)((((major)&0xff) << 8) | ((minor)&0xff)))

#endif /* AXO_LIBPOSIX_SYS_SYSMACROS_H */
