// Calls older than POSIX.1-2008 that upstream programs still use, on top of the ones
// process.cc has (libposix/README.md): dash uses vfork and wait3; lua locks streams.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

// newlib's <sys/resource.h> has no extern "C" of its own.
extern "C" {
#include <sys/resource.h>
}

extern "C" {

// vfork as fork (POSIX allowed it; 2008 removed vfork): the child gets its own copy of the
// address space, copy-on-write, so what a program's vfork child may do is safe, and what it
// may not do (return, change the parent's memory) stays the child's own.
pid_t vfork(void) {
    return fork();
}

// wait3 is waitpid for any child; no resource usage is counted per child, so `usage` is zero.
pid_t wait3(int* status, int options, struct rusage* usage) {
    pid_t pid = waitpid(-1, status, options);
    if (pid > 0 && usage != nullptr) memset(usage, 0, sizeof *usage);
    return pid;
}

// newlib's stdio locks are no-ops in this single-threaded C library (libposix/README.md), so
// locking a stream for a run of getc_unlocked calls has nothing to do either.
void flockfile(FILE*) {}
int ftrylockfile(FILE*) {
    return 0;
}
void funlockfile(FILE*) {}

} // extern "C"
