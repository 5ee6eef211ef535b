/* ioctl for Axolotl (libposix/terminal.cc): the terminal requests, with Linux's numbers. */
#ifndef _SYS_IOCTL_H
#define _SYS_IOCTL_H

#ifdef __cplusplus
extern "C" {
#endif

struct winsize {
    unsigned short ws_row;
    unsigned short ws_col;
    unsigned short ws_xpixel;
    unsigned short ws_ypixel;
};

#define TCGETS 0x5401     /* struct termios *: tcgetattr */
#define TCSETS 0x5402     /* const struct termios *: tcsetattr(TCSANOW) */
#define TCSETSW 0x5403    /* tcsetattr(TCSADRAIN) */
#define TCSETSF 0x5404    /* tcsetattr(TCSAFLUSH) */
#define TIOCGPGRP 0x540F  /* pid_t *: tcgetpgrp */
#define TIOCSPGRP 0x5410  /* const pid_t *: tcsetpgrp */
#define TIOCGWINSZ 0x5413 /* struct winsize *: the window size */
#define TIOCSWINSZ 0x5414 /* const struct winsize *: set it (SIGWINCH to the foreground) */
#define FIONREAD 0x541B   /* int *: not supported (EINVAL) */
#define TIOCGSID 0x5429   /* pid_t *: tcgetsid */

int ioctl(int fd, unsigned long request, ...);

#ifdef __cplusplus
}
#endif

#endif /* _SYS_IOCTL_H */
