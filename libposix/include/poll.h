/* poll and ppoll (libposix: poll.cc). The event bits are Linux's, which fs and tty answer in
 * (interfaces/file kFilePoll, interfaces/tty kTtyPoll). */
#ifndef AXO_LIBPOSIX_POLL_H
#define AXO_LIBPOSIX_POLL_H

#include <signal.h>
#include <sys/types.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned long nfds_t;

struct pollfd {
    int fd;        /* negative: ignored (revents 0) */
    short events;  /* wanted */
    short revents; /* what is: POLLERR, POLLHUP and POLLNVAL whether wanted or not */
};

#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLRDBAND 0x080
#define POLLWRNORM 0x100
#define POLLWRBAND 0x200

int poll(struct pollfd* fds, nfds_t count, int timeout_ms);
int ppoll(struct pollfd* fds, nfds_t count, const struct timespec* timeout, const sigset_t* mask);

#ifdef __cplusplus
}
#endif

#endif /* AXO_LIBPOSIX_POLL_H */
