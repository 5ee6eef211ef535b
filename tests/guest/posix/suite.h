/* What the parts of posix_suite share (README.md): one TAP line per check, and a child's end. */
#ifndef AXO_TESTS_POSIX_SUITE_H
#define AXO_TESTS_POSIX_SUITE_H

#include <sys/types.h>

/* One TAP line: "ok N - ..." or "not ok N - ...". */
void ok(int condition, const char* format, ...) __attribute__((format(printf, 2, 3)));
/* Waits for `child` and returns its status (-1 if waitpid failed). */
int reap(pid_t child);

/* The file calls (posix_files.c), on fs. */
void test_files(void);
/* select, pselect and poll (posix_poll.c). */
void test_poll(void);
/* setitimer, the System V signal calls, sigwait, sigaltstack, the realtime clock
 * (posix_timers.c). */
void test_timers_and_signal_waits(void);
/* Advisory locks and statvfs (posix_locks.c), on fs; called by test_files under /px. */
void test_locks(void);

#endif
