/* select, pselect and poll (libposix/poll.cc) over fs's pipes, FIFOs, files and devices: states
 * answered at once, waits woken by fs's notification when another process writes or closes,
 * timeouts, signals (EINTR) and the bounds of the sets. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "suite.h"

static uint64_t now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

static void sleep_ms(unsigned ms) {
    struct timespec t = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static volatile int g_signalled;
static void on_usr1(int signal) {
    (void)signal;
    g_signalled = 1;
}

/* A child that waits `ms`, writes one byte to `fd` and ends. */
static pid_t write_later(int fd, unsigned ms) {
    pid_t child = fork();
    if (child == 0) {
        sleep_ms(ms);
        _exit(write(fd, "w", 1) == 1 ? 0 : 1);
    }
    return child;
}

static void test_pipe_states(void) {
    int p[2];
    if (pipe(p) != 0) {
        ok(0, "pipe for poll");
        return;
    }
    struct pollfd fd = {p[0], POLLIN, 0};
    ok(poll(&fd, 1, 0) == 0 && fd.revents == 0, "poll of an empty pipe, timeout 0: 0");
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timeval zero = {0, 0};
    ok(select(p[0] + 1, &r, NULL, NULL, &zero) == 0 && !FD_ISSET(p[0], &r),
       "select of an empty pipe, timeout 0: 0, the set cleared");

    uint64_t start = now_us();
    FD_SET(p[0], &r);
    struct timeval fifty = {0, 50000};
    int n = select(p[0] + 1, &r, NULL, NULL, &fifty);
    uint64_t took = now_us() - start;
    ok(n == 0 && took >= 50000, "select with a 50 ms timeout: 0 after %u us", (unsigned)took);
    start = now_us();
    n = poll(&fd, 1, 50);
    took = now_us() - start;
    ok(n == 0 && took >= 50000, "poll with a 50 ms timeout: 0 after %u us", (unsigned)took);

    struct pollfd out = {p[1], POLLOUT, 0};
    ok(poll(&out, 1, 0) == 1 && out.revents == POLLOUT, "a pipe's write end with room: POLLOUT");

    ok(write(p[1], "x", 1) == 1, "a byte into the pipe");
    n = poll(&fd, 1, 0);
    ok(n == 1 && fd.revents == POLLIN, "after a write: POLLIN (%d, %#x)", n, (unsigned)fd.revents);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    ok(select(p[0] + 1, &r, NULL, NULL, NULL) == 1 && FD_ISSET(p[0], &r),
       "select without timeout on a readable pipe: 1 at once");
    char c;
    ok(read(p[0], &c, 1) == 1 && poll(&fd, 1, 0) == 0, "read empties it: not readable again");

    /* Woken: another process writes while this one waits without a timeout. */
    start = now_us();
    pid_t child = write_later(p[1], 100);
    n = poll(&fd, 1, -1);
    took = now_us() - start;
    ok(n == 1 && fd.revents == POLLIN && took >= 80000,
       "poll without timeout is woken by another process's write (%u us)", (unsigned)took);
    ok(reap(child) == 0 && read(p[0], &c, 1) == 1 && c == 'w', "the writer's byte is there");

    start = now_us();
    child = write_later(p[1], 100);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timeval five = {5, 0};
    n = select(p[0] + 1, &r, NULL, NULL, &five);
    took = now_us() - start;
    ok(n == 1 && FD_ISSET(p[0], &r) && took >= 80000 && took < 5000000,
       "select with a timeout is woken by a write before it (%u us)", (unsigned)took);
    reap(child);
    ok(read(p[0], &c, 1) == 1, "and reads it");

    /* The writers go: hang-up, then end of file. */
    child = fork();
    if (child == 0) {
        sleep_ms(100);
        _exit(0); /* its copy of the write end goes with it */
    }
    close(p[1]);
    start = now_us();
    n = poll(&fd, 1, 5000);
    took = now_us() - start;
    ok(n == 1 && (fd.revents & POLLHUP) && took >= 80000,
       "the last writer's exit wakes a poller with POLLHUP (%#x, %u us)", (unsigned)fd.revents,
       (unsigned)took);
    reap(child);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    ok(select(p[0] + 1, &r, NULL, NULL, &zero) == 1 && FD_ISSET(p[0], &r) && read(p[0], &c, 1) == 0,
       "select says readable at end of file, and read returns 0");
    close(p[0]);

    /* A write end whose reader is gone. */
    if (pipe(p) != 0) return;
    close(p[0]);
    out.fd = p[1];
    out.revents = 0;
    n = poll(&out, 1, 0);
    ok(n == 1 && (out.revents & POLLERR), "a write end without reader: POLLERR (%d, %#x)", n,
       (unsigned)out.revents);
    fd_set w;
    FD_ZERO(&w);
    FD_SET(p[1], &w);
    ok(select(p[1] + 1, NULL, &w, NULL, &zero) == 1 && FD_ISSET(p[1], &w),
       "select says writable (the write would fail at once)");
    close(p[1]);
}

static void test_full_pipe(void) {
    int p[2];
    if (pipe(p) != 0) return;
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    static char block[4096];
    memset(block, 'f', sizeof block);
    while (write(p[1], block, sizeof block) > 0) {
    }
    struct pollfd out = {p[1], POLLOUT, 0};
    ok(poll(&out, 1, 0) == 0, "a full pipe's write end: not writable");
    pid_t child = fork();
    if (child == 0) {
        sleep_ms(100);
        char sink[8192];
        _exit(read(p[0], sink, sizeof sink) == sizeof sink ? 0 : 1);
    }
    uint64_t start = now_us();
    int n = poll(&out, 1, 5000);
    uint64_t took = now_us() - start;
    ok(n == 1 && (out.revents & POLLOUT) && took >= 80000,
       "a reader that makes room wakes a poller of the write end (%u us)", (unsigned)took);
    reap(child);
    close(p[0]);
    close(p[1]);
}

static void test_fifo(void) {
    unlink("/tmp/poll_fifo");
    if (mkfifo("/tmp/poll_fifo", 0600) != 0) {
        ok(0, "mkfifo for poll (errno %d)", errno);
        return;
    }
    int r = open("/tmp/poll_fifo", O_RDONLY | O_NONBLOCK);
    int w = open("/tmp/poll_fifo", O_WRONLY | O_NONBLOCK);
    struct pollfd fds[2] = {{r, POLLIN, 0}, {w, POLLOUT, 0}};
    ok(r >= 0 && w >= 0 && poll(fds, 2, 0) == 1 && fds[0].revents == 0 && fds[1].revents == POLLOUT,
       "a FIFO's ends: the write end writable, the empty read end not");
    pid_t child = write_later(w, 100);
    fds[0].revents = 0;
    int n = poll(fds, 1, 5000);
    ok(n == 1 && fds[0].revents == POLLIN, "a FIFO's reader is woken by a write (%#x)",
       (unsigned)fds[0].revents);
    reap(child);
    close(r);
    close(w);
    unlink("/tmp/poll_fifo");
}

static void test_mixed_and_many(void) {
    int p[2];
    if (pipe(p) != 0) return;
    int file = open("/tmp/poll_file", O_RDWR | O_CREAT | O_TRUNC, 0600);
    int null = open("/dev/null", O_RDWR);
    struct pollfd fds[3] = {{p[0], POLLIN, 0}, {file, POLLIN | POLLOUT, 0}, {null, POLLIN, 0}};
    int n = poll(fds, 3, 1000);
    ok(n == 2 && fds[0].revents == 0 && fds[1].revents == (POLLIN | POLLOUT) &&
           fds[2].revents == POLLIN,
       "pipe + regular file + /dev/null: the file and the device are ready (%d: %#x %#x %#x)", n,
       (unsigned)fds[0].revents, (unsigned)fds[1].revents, (unsigned)fds[2].revents);
    close(file);
    close(null);
    unlink("/tmp/poll_file");
    close(p[0]);
    close(p[1]);

    /* Eight descriptors: the read and write ends of four pipes. */
    int ends[4][2];
    for (int i = 0; i < 4; ++i)
        if (pipe(ends[i]) != 0) return;
    int top = 0;
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    for (int i = 0; i < 4; ++i) {
        FD_SET(ends[i][0], &r);
        FD_SET(ends[i][1], &w);
        if (ends[i][0] > top) top = ends[i][0];
        if (ends[i][1] > top) top = ends[i][1];
    }
    write(ends[2][1], "y", 1);
    n = select(top + 1, &r, &w, NULL, NULL);
    int right = n == 5 && FD_ISSET(ends[2][0], &r);
    for (int i = 0; i < 4; ++i) {
        right &= FD_ISSET(ends[i][1], &w) != 0;
        if (i != 2) right &= !FD_ISSET(ends[i][0], &r);
    }
    ok(right, "select on 8 descriptors: 4 write ends and the one readable pipe (%d)", n);
    char c;
    read(ends[2][0], &c, 1);

    pid_t child = write_later(ends[3][1], 100);
    FD_ZERO(&r);
    for (int i = 0; i < 4; ++i)
        FD_SET(ends[i][0], &r);
    n = select(top + 1, &r, NULL, NULL, NULL);
    ok(n == 1 && FD_ISSET(ends[3][0], &r) && !FD_ISSET(ends[0][0], &r),
       "select on 4 empty pipes is woken by a write to the last");
    reap(child);
    for (int i = 0; i < 4; ++i) {
        close(ends[i][0]);
        close(ends[i][1]);
    }
}

static void test_signals_and_bounds(void) {
    int p[2];
    if (pipe(p) != 0) return;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_usr1;
    action.sa_flags = SA_RESTART; /* poll and select fail with EINTR all the same */
    sigemptyset(&action.sa_mask);
    sigaction(SIGUSR1, &action, NULL);

    g_signalled = 0;
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        sleep_ms(100);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    struct pollfd fd = {p[0], POLLIN, 0};
    int n = poll(&fd, 1, 5000);
    ok(n == -1 && errno == EINTR && g_signalled, "a signal interrupts poll: EINTR");
    reap(child);

    g_signalled = 0;
    child = fork();
    if (child == 0) {
        sleep_ms(100);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    n = select(p[0] + 1, &r, NULL, NULL, NULL);
    ok(n == -1 && errno == EINTR && g_signalled, "a signal interrupts select: EINTR");
    reap(child);

    /* pselect: the signal is blocked until pselect's mask lets it through. */
    sigset_t block, old, none;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    g_signalled = 0;
    kill(getpid(), SIGUSR1);
    ok(!g_signalled, "SIGUSR1 blocked: pending");
    sigemptyset(&none);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timespec second = {1, 0};
    uint64_t start = now_us();
    n = pselect(p[0] + 1, &r, NULL, NULL, &second, &none);
    uint64_t took = now_us() - start;
    ok(n == -1 && errno == EINTR && g_signalled && took < 500000,
       "pselect's mask lets the pending signal through: EINTR at once (%u us)", (unsigned)took);
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    ok(sigismember(&now, SIGUSR1), "pselect put the old mask back");
    sigprocmask(SIG_SETMASK, &old, NULL);

    /* Bounds. */
    struct timeval zero = {0, 0};
    FD_ZERO(&r);
    ok(select(FD_SETSIZE + 1, &r, NULL, NULL, &zero) == -1 && errno == EINVAL,
       "select of more than FD_SETSIZE descriptors: EINVAL");
    ok(select(-1, &r, NULL, NULL, &zero) == -1 && errno == EINVAL, "select of -1: EINVAL");
    struct timeval bad = {0, 1000000};
    ok(select(1, NULL, NULL, NULL, &bad) == -1 && errno == EINVAL,
       "select with a microsecond count of a second: EINVAL");
    FD_ZERO(&r);
    FD_SET(40, &r);
    ok(select(41, &r, NULL, NULL, &zero) == -1 && errno == EBADF,
       "select of a closed descriptor: EBADF");
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    ok(select(FD_SETSIZE, &r, NULL, NULL, &zero) == 0, "select of FD_SETSIZE descriptors: fine");
    struct pollfd fds[2] = {{40, POLLIN, 0}, {-1, POLLIN, 0}};
    ok(poll(fds, 2, 0) == 1 && fds[0].revents == POLLNVAL && fds[1].revents == 0,
       "poll: a closed descriptor is POLLNVAL, a negative one ignored");
    static struct pollfd many[65];
    ok(poll(many, 65, 0) == -1 && errno == EINVAL, "poll of more than OPEN_MAX: EINVAL");
    start = now_us();
    ok(poll(NULL, 0, 50) == 0 && now_us() - start >= 50000, "poll of nothing sleeps its timeout");
    close(p[0]);
    close(p[1]);
    signal(SIGUSR1, SIG_DFL);
}

void test_poll(void) {
    test_pipe_states();
    test_full_pipe();
    test_fifo();
    test_mixed_and_many();
    test_signals_and_bounds();
}
