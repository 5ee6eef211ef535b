/* PENDING: no sockets in libposix yet (sys/socket.h here says why). */
#ifndef AXO_PENDING_SYS_UN_H
#define AXO_PENDING_SYS_UN_H

#include <sys/socket.h>

struct sockaddr_un {
    sa_family_t sun_family;
    char sun_path[108];
};

#endif /* AXO_PENDING_SYS_UN_H */
