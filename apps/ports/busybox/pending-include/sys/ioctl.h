/* PENDING: ioctl is the `tty` helper's (libposix/terminal.cc). Until its header is in the
 * sysroot this declares what busybox compiles against, with Linux's i386 request numbers;
 * searched after the sysroot (-idirafter). ioctl is a weak ENOSYS stub
 * (libposix/pending_stubs_busybox.cc). */
#ifndef AXO_PENDING_SYS_IOCTL_H
#define AXO_PENDING_SYS_IOCTL_H

#include <termios.h>

struct winsize {
    unsigned short ws_row;
    unsigned short ws_col;
    unsigned short ws_xpixel;
    unsigned short ws_ypixel;
};

#define TCGETS 0x5401
#define TCSETS 0x5402
#define TIOCSCTTY 0x540E
#define TIOCGPGRP 0x540F
#define TIOCSPGRP 0x5410
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD 0x541B
#define TIOCNOTTY 0x5422
#define FIONBIO 0x5421

#ifdef __cplusplus
extern "C" {
#endif
int ioctl(int, unsigned long, ...);
#ifdef __cplusplus
}
#endif

#endif /* AXO_PENDING_SYS_IOCTL_H */
