// open_posix_runner (README.md): runs the Open POSIX Test Suite's programs in the guest.
//
// A boot module (on-exit=shutdown) started after fs, whose root is the suite's own disk image
// (build-suite.sh makes it): /open-posix/tests lists one test per line, its path under
// /open-posix. Each runs in a child of its own process group with stdout and stderr in a file,
// under a time limit; the runner prints one line per test,
//
//     open-posix: <interface>/<test> <RESULT>
//
// RESULT being the suite's verdict from the exit status (PASS 0, FAIL 1, UNRESOLVED 2,
// UNSUPPORTED 4, UNTESTED 5), EXIT-<n> for another status, SIGNAL-<n> for a test a signal
// killed, TIMEOUT for one that outlived its limit (then its whole group is killed). What a test
// that did not pass printed follows, indented. The host (open_posix_run.py) judges the lines
// against tests/open_posix/expectations.txt. At the end: the counts, then the end marker.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

// Wall-clock seconds a test may run; the suite's own limit is 240 s, but its tests that are
// meant to finish take a few seconds at most (those that sleep longer are skipped on the host).
#ifndef OPEN_POSIX_TIME_LIMIT_S
#define OPEN_POSIX_TIME_LIMIT_S 10
#endif

static const char kRoot[] = "/open-posix";
static const char kOutput[] = "/tmp/open-posix.out";
// How many lines of a failed test's output are shown.
enum { kShownLines = 12 };

static long long now_ms(void) {
    struct timespec now;
    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) return 0;
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void nap_ms(long ms) {
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {
    }
}

// The child: its own group (so that a timeout kills what it forked too), output in kOutput,
// /tmp as its working directory (tests make their scratch files there).
static void run_child(const char* path) {
    (void)setpgid(0, 0);
    int out = open(kOutput, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out >= 0) {
        (void)dup2(out, 1);
        (void)dup2(out, 2);
        if (out > 2) close(out);
    }
    (void)chdir("/tmp");
    char* argv[] = {(char*)path, NULL};
    char* envp[] = {"PATH=/bin:/usr/bin", "HOME=/tmp", NULL};
    execve(path, argv, envp);
    printf("open_posix_runner: exec %s: %s\n", path, strerror(errno));
    _exit(126);
}

static void show_output(void) {
    FILE* file = fopen(kOutput, "r");
    if (file == NULL) return;
    char line[160];
    int shown = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        if (shown++ == kShownLines) {
            printf("    | ...\n");
            break;
        }
        size_t length = strlen(line);
        if (length > 0 && line[length - 1] == '\n') line[length - 1] = '\0';
        printf("    | %s\n", line);
    }
    fclose(file);
}

struct Counts {
    int pass, fail, unresolved, unsupported, untested, other;
};

static const char* verdict(int status, int timed_out, char* buffer, size_t size,
                           struct Counts* counts) {
    if (timed_out) {
        ++counts->other;
        return "TIMEOUT";
    }
    if (WIFSIGNALED(status)) {
        ++counts->other;
        snprintf(buffer, size, "SIGNAL-%d", WTERMSIG(status));
        return buffer;
    }
    switch (WEXITSTATUS(status)) {
    case 0:
        ++counts->pass;
        return "PASS";
    case 1:
        ++counts->fail;
        return "FAIL";
    case 2:
        ++counts->unresolved;
        return "UNRESOLVED";
    case 4:
        ++counts->unsupported;
        return "UNSUPPORTED";
    case 5:
        ++counts->untested;
        return "UNTESTED";
    default:
        ++counts->other;
        snprintf(buffer, size, "EXIT-%d", WEXITSTATUS(status));
        return buffer;
    }
}

static void run_test(const char* name, struct Counts* counts) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", kRoot, name);
    fflush(stdout);
    long long started = now_ms();
    pid_t child = fork();
    if (child < 0) {
        printf("open-posix: %s FORK-FAILED\n", name);
        ++counts->other;
        return;
    }
    if (child == 0) run_child(path);
    (void)setpgid(child, child); // as the child does: no race over who is first

    int status = 0, timed_out = 0;
    long nap = 1;
    for (;;) {
        pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child) break;
        if (done < 0 && errno != EINTR) {
            status = 0x7f00; // unknown: counted as EXIT-127
            break;
        }
        if (now_ms() - started > OPEN_POSIX_TIME_LIMIT_S * 1000LL) {
            timed_out = 1;
            (void)kill(-child, SIGKILL);
            (void)kill(child, SIGKILL);
            (void)waitpid(child, &status, 0);
            break;
        }
        nap_ms(nap);
        if (nap < 50) nap *= 2;
    }
    // What the test forked and left behind would disturb the next ones.
    (void)kill(-child, SIGKILL);

    char buffer[24];
    const char* result = verdict(status, timed_out, buffer, sizeof buffer, counts);
    printf("open-posix: %s %s %lldms\n", name, result, now_ms() - started);
    if (strcmp(result, "PASS") != 0) show_output();
    fflush(stdout);
}

int main(void) {
    // The runner's own children are reaped by waitpid; the tests' signals are theirs.
    signal(SIGPIPE, SIG_IGN);
    char list[64];
    snprintf(list, sizeof list, "%s/tests", kRoot);
    // fs starts with the system and serves files once its root is mounted: wait for it.
    FILE* tests = NULL;
    for (int i = 0; i < 200 && tests == NULL; ++i) {
        tests = fopen(list, "r");
        if (tests == NULL) nap_ms(50);
    }
    if (tests == NULL) {
        printf("open-posix: cannot open %s: %s\n", list, strerror(errno));
        printf("AXOLOTL: END OF TESTS\n");
        return 1;
    }
    printf("open-posix: begin\n");
    struct Counts counts = {0, 0, 0, 0, 0, 0};
    int ran = 0;
    char name[200];
    while (fgets(name, sizeof name, tests) != NULL) {
        size_t length = strlen(name);
        while (length > 0 && (name[length - 1] == '\n' || name[length - 1] == ' '))
            name[--length] = 0;
        if (length == 0 || name[0] == '#') continue;
        run_test(name, &counts);
        ++ran;
    }
    fclose(tests);
    printf("open-posix: ran %d: %d passed, %d failed, %d unresolved, %d unsupported, %d untested,"
           " %d other\n",
           ran, counts.pass, counts.fail, counts.unresolved, counts.unsupported, counts.untested,
           counts.other);
    printf("open-posix: end\n");
    printf("AXOLOTL: END OF TESTS\n");
    fflush(stdout);
    return 0;
}
