/* PENDING: no name resolution in libposix yet (sys/socket.h here says why). */
#ifndef AXO_PENDING_NETDB_H
#define AXO_PENDING_NETDB_H

#include <netinet/in.h>

struct hostent {
    char* h_name;
    char** h_aliases;
    int h_addrtype;
    int h_length;
    char** h_addr_list;
};
#define h_addr h_addr_list[0]
struct servent {
    char* s_name;
    char** s_aliases;
    int s_port;
    char* s_proto;
};
struct addrinfo {
    int ai_flags;
    int ai_family;
    int ai_socktype;
    int ai_protocol;
    socklen_t ai_addrlen;
    struct sockaddr* ai_addr;
    char* ai_canonname;
    struct addrinfo* ai_next;
};
#define AI_PASSIVE 0x0001
#define AI_CANONNAME 0x0002
#define AI_NUMERICHOST 0x0004
#define NI_NUMERICHOST 1
#define NI_NUMERICSERV 2
#define NI_NAMEREQD 8
#define NI_MAXHOST 1025

#ifdef __cplusplus
extern "C" {
#endif
extern int h_errno;
struct hostent* gethostbyname(const char*);
const char* hstrerror(int);
struct servent* getservbyname(const char*, const char*);
int getaddrinfo(const char*, const char*, const struct addrinfo*, struct addrinfo**);
void freeaddrinfo(struct addrinfo*);
const char* gai_strerror(int);
int getnameinfo(const struct sockaddr*, socklen_t, char*, socklen_t, char*, socklen_t, int);
#ifdef __cplusplus
}
#endif

#endif /* AXO_PENDING_NETDB_H */
