/* PENDING: no sockets in libposix yet (sys/socket.h here says why). Only what libbb's
 * xconnect.c names; no network applet is configured. */
#ifndef AXO_PENDING_NET_IF_H
#define AXO_PENDING_NET_IF_H

#include <sys/socket.h>

#define IFNAMSIZ 16
struct ifreq {
    char ifr_name[IFNAMSIZ];
    union {
        struct sockaddr ifru_addr;
        int ifru_ivalue;
        char ifru_pad[16];
    } ifr_ifru;
};

#ifdef __cplusplus
extern "C" {
#endif
unsigned int if_nametoindex(const char*);
#ifdef __cplusplus
}
#endif

#endif /* AXO_PENDING_NET_IF_H */
