/*
 * posix_suite's lock cases (README.md): fcntl's record locks between a process and its forked
 * child — conflicts and F_GETLK, a split by a partial unlock, release by the close of any
 * descriptor of the file and by exit, F_SETLKW's wait until the holder unlocks, EINTR when a
 * signal's handler ends the wait, EDEADLK for a two-process cycle, bad requests — flock's
 * locks of open descriptions, and statvfs/fstatvfs. Everything happens under /px/locks.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suite.h"

#define LOCKED "/px/locks"

static int set_lock(int fd, int command, short type, short whence, long start, long length) {
    struct flock lock;
    memset(&lock, 0, sizeof lock);
    lock.l_type = type;
    lock.l_whence = whence;
    lock.l_start = start;
    lock.l_len = length;
    return fcntl(fd, command, &lock);
}

/* In a child: whether a lock of `type` on [start, start + length) could be taken (F_SETLK). */
static int child_can_lock(int fd, short type, long start, long length) {
    pid_t child = fork();
    if (child == 0) {
        int result = set_lock(fd, F_SETLK, type, SEEK_SET, start, length);
        _exit(result == 0 ? 0 : errno == EAGAIN ? 1 : 2);
    }
    return reap(child);
}

static void test_record_locks(int fd) {
    ok(set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10) == 0, "F_SETLK takes a write lock");
    ok(child_can_lock(fd, F_WRLCK, 5, 1) == 1 << 8,
       "another process's write lock on an overlapping range fails with EAGAIN");
    ok(child_can_lock(fd, F_RDLCK, 9, 5) == 1 << 8, "and so does its read lock");
    ok(child_can_lock(fd, F_WRLCK, 10, 5) == 0, "an adjacent range is free");

    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        struct flock probe;
        memset(&probe, 0, sizeof probe);
        probe.l_type = F_RDLCK;
        probe.l_whence = SEEK_SET;
        probe.l_start = 3;
        probe.l_len = 1;
        int right = fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type == F_WRLCK &&
                    probe.l_start == 0 && probe.l_len == 10 && probe.l_pid == (short)parent;
        memset(&probe, 0, sizeof probe);
        probe.l_type = F_WRLCK;
        probe.l_start = 20;
        int free = fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type == F_UNLCK;
        _exit(right && free ? 0 : 1);
    }
    ok(reap(child) == 0, "F_GETLK names the holder's range and pid, and F_UNLCK where none is");

    ok(set_lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 3, 2) == 0, "unlocking [3, 5) of [0, 10)");
    ok(child_can_lock(fd, F_WRLCK, 3, 2) == 0 && child_can_lock(fd, F_WRLCK, 2, 1) == 1 << 8 &&
           child_can_lock(fd, F_WRLCK, 5, 1) == 1 << 8,
       "splits it: the middle is free, both sides still held");

    /* SEEK_CUR and SEEK_END, and len 0 (to the end, however far the file grows). */
    ok(lseek(fd, 100, SEEK_SET) == 100 && set_lock(fd, F_SETLK, F_WRLCK, SEEK_CUR, 0, 0) == 0 &&
           child_can_lock(fd, F_RDLCK, 1000000, 1) == 1 << 8 &&
           child_can_lock(fd, F_RDLCK, 99, 1) == 0,
       "a lock from the offset with length 0 runs to the end of the file");
    ok(set_lock(fd, F_SETLK, F_UNLCK, SEEK_END, -5, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0,
       "SEEK_END unlocks relative to the size");

    /* POSIX: closing any descriptor of the file releases all of the process's locks on it. */
    int other = open(LOCKED, O_RDONLY);
    ok(other >= 0 && close(other) == 0 && child_can_lock(fd, F_WRLCK, 0, 3) == 0 &&
           child_can_lock(fd, F_WRLCK, 5, 5) == 0,
       "closing another descriptor of the file releases the process's locks");

    child = fork();
    if (child == 0) {
        int locked = set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0) == 0;
        _exit(locked ? 0 : 1);
    }
    ok(reap(child) == 0 && set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0) == 0,
       "a process's exit releases its locks");
    (void)set_lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
}

static void test_waiting(int fd) {
    int ends[2];
    if (pipe(ends) != 0) {
        ok(0, "pipe for the F_SETLKW case");
        return;
    }
    ok(set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == 0, "the parent holds byte 0");
    pid_t child = fork();
    if (child == 0) {
        close(ends[0]);
        int locked = set_lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) == 0;
        (void)write(ends[1], locked ? "L" : "E", 1);
        _exit(locked ? 0 : 1);
    }
    close(ends[1]);
    usleep(300000);
    int flags = fcntl(ends[0], F_GETFL);
    (void)fcntl(ends[0], F_SETFL, flags | O_NONBLOCK);
    char got = 0;
    ok(read(ends[0], &got, 1) == -1 && errno == EAGAIN, "F_SETLKW waits while the lock is held");
    (void)fcntl(ends[0], F_SETFL, flags);
    ok(set_lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1) == 0 && read(ends[0], &got, 1) == 1 &&
           got == 'L' && reap(child) == 0,
       "and takes it when the holder unlocks");
    close(ends[0]);
}

static void on_alarm(int signal) {
    (void)signal;
}

static void test_interrupted_wait(int fd) {
    ok(set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == 0, "the parent holds byte 0 again");
    pid_t child = fork();
    if (child == 0) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_alarm;
        sigemptyset(&action.sa_mask);
        sigaction(SIGALRM, &action, NULL); /* no SA_RESTART */
        alarm(1);
        int result = set_lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1);
        _exit(result == -1 && errno == EINTR ? 0 : 1);
    }
    ok(reap(child) == 0, "a signal's handler ends an F_SETLKW wait with EINTR");
    /* The abandoned wait took nothing: the parent's lock is intact, and after the unlock the
     * byte is free for everybody. */
    ok(child_can_lock(fd, F_WRLCK, 0, 1) == 1 << 8, "the holder still holds it");
    ok(set_lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1) == 0 &&
           child_can_lock(fd, F_WRLCK, 0, 1) == 0,
       "and the interrupted waiter got nothing");
}

static void test_deadlock(int fd) {
    int ends[2];
    if (pipe(ends) != 0) {
        ok(0, "pipe for the EDEADLK case");
        return;
    }
    ok(set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == 0, "the parent holds byte 0");
    pid_t child = fork();
    if (child == 0) {
        close(ends[0]);
        int first = set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1) == 0;
        (void)write(ends[1], "1", 1);
        int second = set_lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) == 0;
        _exit(first && second ? 0 : 1);
    }
    close(ends[1]);
    char got = 0;
    (void)read(ends[0], &got, 1);
    usleep(300000); /* the child waits for byte 0 by now */
    ok(set_lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1) == -1 && errno == EDEADLK,
       "waiting for a lock whose holder waits for ours fails with EDEADLK");
    ok(set_lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1) == 0 && reap(child) == 0,
       "and the other waiter goes on once we unlock");
    close(ends[0]);
}

static void test_bad_requests(int fd) {
    ok(set_lock(fd, F_SETLK, 7, SEEK_SET, 0, 1) == -1 && errno == EINVAL,
       "a lock type that does not exist: EINVAL");
    ok(set_lock(fd, F_SETLK, F_RDLCK, 9, 0, 1) == -1 && errno == EINVAL,
       "a whence that does not exist: EINVAL");
    ok(set_lock(fd, F_SETLK, F_RDLCK, SEEK_SET, -4, 1) == -1 && errno == EINVAL,
       "a range before byte 0: EINVAL");
    int reader = open(LOCKED, O_RDONLY);
    ok(reader >= 0 && set_lock(reader, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == -1 && errno == EBADF,
       "a write lock on a descriptor open only for reading: EBADF");
    close(reader);
    ok(fcntl(fd, F_SETLK, (struct flock*)0) == -1 && errno == EFAULT, "no struct flock: EFAULT");
    ok(set_lock(99, F_SETLK, F_RDLCK, SEEK_SET, 0, 1) == -1 && errno == EBADF,
       "a descriptor that is not open: EBADF");
}

static void test_flock(void) {
    int a = open(LOCKED, O_RDWR);
    int b = open(LOCKED, O_RDWR);
    ok(a >= 0 && b >= 0 && flock(a, LOCK_EX) == 0, "flock takes an exclusive lock");
    ok(flock(b, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK,
       "another open description of the file cannot have one too");
    ok(flock(b, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK, "nor a shared one");
    ok(flock(a, LOCK_SH) == 0 && flock(b, LOCK_SH | LOCK_NB) == 0,
       "after a conversion to shared, shared locks coexist");
    ok(flock(b, LOCK_UN) == 0 && close(a) == 0 && flock(b, LOCK_EX | LOCK_NB) == 0,
       "closing the description's last descriptor releases its lock");
    ok(flock(b, 0) == -1 && errno == EINVAL, "an operation that is none: EINVAL");
    close(b);
}

static void test_statvfs(int fd) {
    struct statvfs root, file;
    memset(&root, 0, sizeof root);
    ok(statvfs("/", &root) == 0 && root.f_bsize > 0 && root.f_blocks > 0 &&
           root.f_bfree <= root.f_blocks && root.f_namemax == 255,
       "statvfs(\"/\") reports the file system's sizes");
    ok(fstatvfs(fd, &file) == 0 && file.f_bsize == root.f_bsize && file.f_blocks == root.f_blocks,
       "fstatvfs on a descriptor of a file there reports the same");
    ok(statvfs("/no/such/path", &root) == -1 && errno == ENOENT, "statvfs of no path: ENOENT");
}

void test_locks(void) {
    int fd = open(LOCKED, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "0123456789abcdefghij", 20) != 20) {
        ok(0, "a file for the lock cases");
        return;
    }
    test_record_locks(fd);
    test_waiting(fd);
    test_interrupted_wait(fd);
    test_deadlock(fd);
    test_bad_requests(fd);
    test_flock();
    test_statvfs(fd);
    close(fd);
}
