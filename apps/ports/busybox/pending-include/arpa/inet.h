/* PENDING: no sockets in libposix yet (sys/socket.h here says why). */
#ifndef AXO_PENDING_ARPA_INET_H
#define AXO_PENDING_ARPA_INET_H

#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif
in_addr_t inet_addr(const char*);
int inet_aton(const char*, struct in_addr*);
char* inet_ntoa(struct in_addr);
const char* inet_ntop(int, const void*, char*, socklen_t);
int inet_pton(int, const char*, void*);
#ifdef __cplusplus
}
#endif

#endif /* AXO_PENDING_ARPA_INET_H */
