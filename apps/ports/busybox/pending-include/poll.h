/* PENDING: poll belongs with the descriptor kinds that can wait (pipes, terminals). Until a
 * real <poll.h> is in the sysroot this declares what busybox compiles against (Linux's values);
 * searched after the sysroot (-idirafter). poll is a weak ENOSYS stub
 * (libposix/pending_stubs_busybox.cc). */
#ifndef AXO_PENDING_POLL_H
#define AXO_PENDING_POLL_H

typedef unsigned int nfds_t;
struct pollfd {
    int fd;
    short events;
    short revents;
};

#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020

#ifdef __cplusplus
extern "C" {
#endif
int poll(struct pollfd*, nfds_t, int);
#ifdef __cplusplus
}
#endif

#endif /* AXO_PENDING_POLL_H */
