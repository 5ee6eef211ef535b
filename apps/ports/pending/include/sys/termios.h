/* PENDING: a stand-in for the <sys/termios.h> of libposix's terminal calls (the `tty` branch),
 * which newlib's <termios.h> includes. Only the ports' build sees it
 * (apps/ports/pending/README.md); delete it when libposix has its own. The ports use only the
 * names below (dash: tcgetpgrp/tcsetpgrp from <unistd.h>, which newlib declares). */
#ifndef AXO_PENDING_SYS_TERMIOS_H
#define AXO_PENDING_SYS_TERMIOS_H

typedef unsigned int tcflag_t;
typedef unsigned char cc_t;
typedef unsigned int speed_t;

#define NCCS 32
struct termios {
    tcflag_t c_iflag, c_oflag, c_cflag, c_lflag;
    cc_t c_cc[NCCS];
};

#define TCSANOW 0
#define TCSADRAIN 1
#define TCSAFLUSH 2

int tcgetattr(int fd, struct termios* t);
int tcsetattr(int fd, int when, const struct termios* t);
#endif
