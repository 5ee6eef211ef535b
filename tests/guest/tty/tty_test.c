/*
 * tty_test: the terminal as a program on the serial console sees it (README.md). Every step
 * that needs keys prints `# ready: NAME` and then reads; the host's typist
 * (tests/system/tty_line_discipline.py, through tests/harness/serial_terminal.py) waits for
 * that line, types, and checks what a person would see. TAP on stdout, which is the tty.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int tests, failures;

static void ok(int condition, const char* format, ...) {
    va_list args;
    va_start(args, format);
    char text[200];
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    ++tests;
    if (!condition) ++failures;
    printf("%sok %d - %s\n", condition ? "" : "not ", tests, text);
}

/* The host types only after this line (and the echo of control characters has no newline:
 * the step's TAP line starts on a line of its own). */
static void ready(const char* step) {
    printf("# ready: %s\n", step);
    fflush(stdout);
}

static ssize_t read_line(char* buffer, size_t size) {
    ssize_t n = read(0, buffer, size - 1);
    buffer[n > 0 ? n : 0] = 0;
    return n;
}

static struct termios saved;

static void set_mode(int canonical, int echo, int min, int time) {
    struct termios t = saved;
    if (!canonical) t.c_lflag &= ~ICANON;
    if (!echo) t.c_lflag &= ~ECHO;
    t.c_cc[VMIN] = (cc_t)min;
    t.c_cc[VTIME] = (cc_t)time;
    tcsetattr(0, TCSANOW, &t);
}

static uint64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static void canonical_editing(void) {
    char line[128];
    ready("erase");
    ssize_t n = read_line(line, sizeof line);
    ok(n == 6 && strcmp(line, "hello\n") == 0, "DEL erases the last character (%zd: %s)", n, line);
    ready("backspace");
    n = read_line(line, sizeof line);
    ok(strcmp(line, "ac\n") == 0, "^H erases too");
    ready("kill");
    n = read_line(line, sizeof line);
    ok(strcmp(line, "good\n") == 0, "^U kills the line");
    ready("werase");
    n = read_line(line, sizeof line);
    ok(strcmp(line, "one three\n") == 0, "^W erases the last word");
    ready("two-lines");
    n = read_line(line, sizeof line);
    char second[32];
    ssize_t m = read_line(second, sizeof second);
    ok(strcmp(line, "first\n") == 0 && m == 7 && strcmp(second, "second\n") == 0,
       "a canonical read returns one line at a time");
}

static void echo_and_eof(void) {
    char line[64];
    set_mode(1, 0, 1, 0);
    ready("noecho");
    ssize_t n = read_line(line, sizeof line);
    tcsetattr(0, TCSANOW, &saved);
    ok(n == 7 && line[0] == 's', "with ECHO off the line is read but not shown");
    ready("eof");
    n = read(0, line, sizeof line);
    ok(n == 0, "^D on an empty line is end of file (read returned %zd)", n);
    ready("eof-after-text");
    n = read(0, line, sizeof line);
    printf("\n"); /* the echo "abc" ended no line */
    ok(n == 3 && memcmp(line, "abc", 3) == 0, "^D after text returns the text without newline");
}

static void raw_mode(void) {
    char bytes[16];
    struct termios raw = saved;
    cfmakeraw(&raw);
    tcsetattr(0, TCSANOW, &raw);
    struct termios now;
    tcgetattr(0, &now);
    ok(!(now.c_lflag & (ICANON | ECHO | ISIG)) && now.c_cc[VMIN] == 1,
       "tcgetattr returns what tcsetattr set (cfmakeraw)");
    ready("raw");
    int good = 1;
    const char* expected = "x\x7f\x03";
    for (int i = 0; i < 3; ++i) {
        ssize_t n = read(0, bytes, 1);
        good = good && n == 1 && bytes[0] == expected[i];
    }
    ok(good, "raw mode, VMIN 1: byte by byte, DEL and ^C are data");
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 3;
    tcsetattr(0, TCSANOW, &raw);
    uint64_t start = now_ms();
    ssize_t n = read(0, bytes, sizeof bytes);
    uint64_t took = now_ms() - start;
    ok(n == 0 && took >= 200 && took < 3000, "VMIN 0, VTIME 3: nothing after %u ms",
       (unsigned)took);
    raw.c_cc[VMIN] = 4;
    raw.c_cc[VTIME] = 0;
    tcsetattr(0, TCSANOW, &raw);
    ready("vmin");
    n = read(0, bytes, sizeof bytes);
    ok(n >= 4 && memcmp(bytes, "wxyz", 4) == 0, "VMIN 4: the read waits for four bytes (%zd)", n);
    tcsetattr(0, TCSAFLUSH, &saved);
}

static volatile sig_atomic_t interrupts;
static void on_interrupt(int signal) {
    (void)signal;
    ++interrupts;
    static const char text[] = "\n# handler: got SIGINT\n";
    write(1, text, sizeof text - 1);
}

static volatile sig_atomic_t quits;
static void on_quit(int signal) {
    (void)signal;
    ++quits;
    static const char text[] = "\n# handler: got SIGQUIT\n";
    write(1, text, sizeof text - 1);
}

static void interrupt(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    sigaction(SIGINT, &action, NULL);
    action.sa_handler = on_quit;
    sigaction(SIGQUIT, &action, NULL);
    char line[32];
    ready("sigint");
    errno = 0;
    ssize_t n = read(0, line, sizeof line);
    ok(n == -1 && errno == EINTR && interrupts == 1,
       "^C sends SIGINT to the foreground group: the handler ran, read said EINTR");
    ready("sigquit");
    errno = 0;
    n = read(0, line, sizeof line);
    ok(n == -1 && errno == EINTR && quits == 1, "^\\ sends SIGQUIT");
    ready("after-signal");
    n = read_line(line, sizeof line);
    ok(strcmp(line, "kept\n") == 0, "what was typed before the signal was flushed (%s)", line);
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
}

static void suspend(void) {
    pid_t child = fork();
    if (child == 0) {
        setpgid(0, 0);
        while (tcgetpgrp(0) != getpgrp()) /* ^Z must reach this job, not the parent */
            usleep(10000);
        char line[32];
        ready("sigtstp");
        read(0, line, sizeof line);
        _exit(7);
    }
    setpgid(child, child);
    ok(tcsetpgrp(0, child) == 0 && tcgetpgrp(0) == child, "tcsetpgrp gives the terminal to a job");
    int status = 0;
    pid_t got = waitpid(child, &status, WUNTRACED);
    printf("\n"); /* after the echo "^Z" */
    ok(got == child && WIFSTOPPED(status) && WSTOPSIG(status) == SIGTSTP,
       "^Z stops the foreground job; waitpid(WUNTRACED) sees SIGTSTP (%#x)", status);
    /* Back to the shell's group: from the background, which SIGTTOU (ignored here) allows. */
    ok(tcsetpgrp(0, getpgrp()) == 0 && tcgetpgrp(0) == getpgrp(),
       "a background process that ignores SIGTTOU takes the terminal back");
    kill(child, SIGCONT);
    got = waitpid(child, &status, WUNTRACED | WCONTINUED);
    ok(got == child && WIFCONTINUED(status), "SIGCONT continues it (%#x)", status);
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
}

static void background_read(void) {
    pid_t child = fork();
    if (child == 0) {
        setpgid(0, 0);
        char line[8];
        read(0, line, sizeof line);
        _exit(3);
    }
    setpgid(child, child);
    int status = 0;
    pid_t got = waitpid(child, &status, WUNTRACED);
    ok(got == child && WIFSTOPPED(status) && WSTOPSIG(status) == SIGTTIN,
       "a read from a background group stops it with SIGTTIN (%#x)", status);
    kill(child, SIGKILL);
    waitpid(child, &status, 0);

    child = fork();
    if (child == 0) {
        setpgid(0, 0);
        signal(SIGTTIN, SIG_IGN);
        char line[8];
        errno = 0;
        ssize_t n = read(0, line, sizeof line);
        _exit(n == -1 && errno == EIO ? 0 : 1);
    }
    setpgid(child, child);
    got = waitpid(child, &status, WUNTRACED);
    ok(got == child && WIFEXITED(status) && WEXITSTATUS(status) == 0,
       "a background read that ignores SIGTTIN fails with EIO (%#x)", status);
}

static void identity_and_window(void) {
    ok(isatty(0) && isatty(1), "isatty");
    const char* name = ttyname(0);
    ok(name != NULL && strcmp(name, "/dev/console") == 0, "ttyname is /dev/console");
    ok(tcgetsid(0) == getsid(0), "tcgetsid is the session that took the terminal");
    struct winsize size;
    ok(ioctl(0, TIOCGWINSZ, &size) == 0 && size.ws_row == 24 && size.ws_col == 80,
       "TIOCGWINSZ: 80x24 by default");
    struct winsize bigger = {50, 132, 0, 0};
    signal(SIGWINCH, SIG_IGN);
    ok(ioctl(0, TIOCSWINSZ, &bigger) == 0 && ioctl(0, TIOCGWINSZ, &size) == 0 &&
           size.ws_row == 50 && size.ws_col == 132,
       "TIOCSWINSZ sets it");
    pid_t group = 0;
    ok(ioctl(0, TIOCGPGRP, &group) == 0 && group == getpgrp(), "TIOCGPGRP");
    struct termios t;
    ok(cfsetospeed(&t, B9600) == 0 && cfgetospeed(&t) == B9600 && cfsetispeed(&t, 12345) == -1,
       "cfsetospeed/cfgetospeed");
}

/* poll and select on stdin (libposix/poll.cc, the tty's kTtyPoll): readable only once a whole
 * line was typed (canonical mode) or VMIN bytes (raw), woken by the tty's notification. */
static void poll_stdin(void) {
    struct pollfd in = {0, POLLIN | POLLOUT, 0};
    int n = poll(&in, 1, 0);
    ok(n == 1 && in.revents == POLLOUT,
       "poll on the terminal with nothing typed: writable, not readable (%d, %#x)", n,
       (unsigned)in.revents);
    ready("poll");
    in.events = POLLIN;
    uint64_t start = now_ms();
    n = poll(&in, 1, 20000);
    uint64_t took = now_ms() - start;
    char line[64];
    ssize_t got = read_line(line, sizeof line);
    ok(n == 1 && in.revents == POLLIN && took >= 300 && got == 7 && strcmp(line, "polled\n") == 0,
       "poll on stdin wakes when a whole line is typed, not before (%d, %#x, %u ms, \"%s\")", n,
       (unsigned)in.revents, (unsigned)took, line);

    set_mode(0, 0, 2, 0);
    ready("select-raw");
    fd_set r;
    FD_ZERO(&r);
    FD_SET(0, &r);
    struct timeval limit = {20, 0};
    start = now_ms();
    n = select(1, &r, NULL, NULL, &limit);
    took = now_ms() - start;
    got = read(0, line, sizeof line);
    ok(n == 1 && FD_ISSET(0, &r) && took >= 300 && got == 2 && line[0] == 'q' && line[1] == 'r',
       "select on stdin in raw mode wakes at VMIN = 2 bytes (%d, %u ms, %d bytes)", n,
       (unsigned)took, (int)got);
    tcsetattr(0, TCSANOW, &saved);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* proc starts the tty and this program together: wait until the tty is the console. */
    for (int i = 0; i < 500 && tcgetattr(0, &saved) != 0; ++i)
        usleep(10000);
    printf("TAP version 13\n");
    signal(SIGTTOU, SIG_IGN); /* as a shell does */
    ok(tcgetattr(0, &saved) == 0 && (saved.c_lflag & ICANON) && (saved.c_lflag & ECHO),
       "the console is a terminal in canonical mode with echo");
    ok(tcsetpgrp(0, getpgrp()) == 0, "the session leader makes its group the foreground");
    canonical_editing();
    poll_stdin();
    echo_and_eof();
    raw_mode();
    interrupt();
    suspend();
    background_read();
    identity_and_window();
    printf("1..%d\n", tests);
    printf("AXOLOTL: END OF TESTS\n");
    fflush(stdout);
    tcdrain(1);
    return failures == 0 ? 0 : 1;
}
