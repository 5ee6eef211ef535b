/* PENDING: a stand-in for the <sys/ioctl.h> of libposix's terminal calls (the `tty` branch). Only
 * the ports' build sees it (apps/ports/pending/README.md); delete it when libposix has its own. */
#ifndef AXO_PENDING_SYS_IOCTL_H
#define AXO_PENDING_SYS_IOCTL_H

struct winsize {
    unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel;
};
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414

#ifdef __cplusplus
extern "C" {
#endif
int ioctl(int fd, unsigned long request, ...);
#ifdef __cplusplus
}
#endif
#endif
