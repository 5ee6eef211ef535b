// Calls libposix does not carry out yet, answered with ENOSYS so that programs that mention them
// (busybox: apps/ports/busybox/README.md) link and fail cleanly where they use them. Each goes
// when its real implementation comes: clock_settime, for an RTC owner.
#include <errno.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct timespec;

namespace {

int not_implemented() {
    errno = ENOSYS;
    return -1;
}

} // namespace

extern "C" {

int clock_settime(clockid_t, const struct timespec*) {
    return not_implemented();
}

} // extern "C"
