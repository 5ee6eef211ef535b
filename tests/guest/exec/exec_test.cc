// exec-ext2 (README.md): programs run from the file system. A boot module linked with libposix
// execs /bin/exec_echo (exec_echo.c) from the ext2 root the build makes, and the files it makes in
// /tmp (through interfaces/file/client.h: libposix's own file calls are not there yet), and
// checks what comes back: exit statuses through waitpid, errno of refused execs, mm's frame
// counts for the shared text. TAP on the console; its exit status ends the run.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "interfaces/file/client.h"
#include "interfaces/mm/protocol.h"
#include "lib/ipc/kernel.h"

namespace {

int g_test = 0;
int g_failed = 0;

void check(bool ok, const char* what) {
    ++g_test;
    if (!ok) ++g_failed;
    printf("%s %d - %s\n", ok ? "ok" : "not ok", g_test, what);
    fflush(stdout);
}

alignas(file::kBufferBytes) uint8_t g_window[file::kBufferBytes];

file::Client& fs() {
    static file::Client client(g_window);
    return client;
}

char* g_environment[] = {const_cast<char*>("EXEC_TEST=hello"), nullptr};

// A new file `path` with `bytes` and `mode`: true if fs made it.
bool make_file(const char* path, const void* bytes, size_t length, uint32_t mode) {
    int32_t handle = -1;
    if (fs().open(file::kAtCwd, path, O_WRONLY | O_CREAT | O_TRUNC, mode, handle) != ipc::Error::ok)
        return false;
    size_t done = 0;
    ipc::Error error = fs().write(handle, bytes, length, done);
    (void)fs().close(handle);
    return error == ipc::Error::ok && done == length &&
           fs().chmod(file::kAtCwd, path, mode) == ipc::Error::ok;
}

bool make_text(const char* path, const char* text, uint32_t mode) {
    return make_file(path, text, strlen(text), mode);
}

// A copy of the first `limit` bytes of `from` (0: all of it) as `to`, in steps of a buffer.
uint8_t g_copy[16 * 1024];
bool copy_file(const char* from, const char* to, size_t limit, uint32_t mode) {
    int32_t in = -1, out = -1;
    if (fs().open(file::kAtCwd, from, O_RDONLY, 0, in) != ipc::Error::ok) return false;
    if (fs().open(file::kAtCwd, to, O_WRONLY | O_CREAT | O_TRUNC, mode, out) != ipc::Error::ok) {
        (void)fs().close(in);
        return false;
    }
    size_t total = 0;
    bool ok = true;
    for (;;) {
        size_t want = sizeof g_copy;
        if (limit != 0 && limit - total < want) want = limit - total;
        size_t got = 0, put = 0;
        if (want == 0) break;
        if (fs().read(in, g_copy, want, got) != ipc::Error::ok) ok = false;
        if (!ok || got == 0) break;
        if (fs().write(out, g_copy, got, put) != ipc::Error::ok || put != got) ok = false;
        total += got;
        if (!ok) break;
    }
    (void)fs().close(in);
    (void)fs().close(out);
    return ok && total != 0 && fs().chmod(file::kAtCwd, to, mode) == ipc::Error::ok;
}

// fork, then the child execs `path` with `argv` (execve; or execvp when `search`); the child's
// exit status, or -1 - errno of its exec (it exits 100 + errno then), or -1000 if the wait failed.
int run(const char* path, char* const* argv, bool search = false) {
    pid_t child = fork();
    if (child == 0) {
        if (search)
            execvp(path, argv);
        else
            execve(path, argv, g_environment);
        _exit(100 + errno);
    }
    if (child < 0) return -1000;
    int status = 0;
    if (waitpid(child, &status, 0) != child) return -1000;
    if (!WIFEXITED(status)) return -2000 - (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return WEXITSTATUS(status);
}

// execve in this process, expected to fail: its errno (0 if it returned without one).
int refused(const char* path, char* const* argv) {
    errno = 0;
    int result = execve(path, argv, g_environment);
    return result == -1 ? errno : 0;
}

pid_t start(const char* path, char* const* argv) {
    pid_t child = fork();
    if (child == 0) {
        execve(path, argv, g_environment);
        _exit(100 + errno);
    }
    return child;
}

int finish(pid_t child) {
    int status = 0;
    if (child <= 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

mm::StatisticsReply mm_statistics() {
    mm::StatisticsReply reply{};
    (void)ipc::call(axo_my_utcb()->pager, mm::StatisticsRequest{AXO_NIL_THREAD}, reply,
                    axo_timeout_us(2000000));
    return reply;
}

void sleep_ms(long ms) {
    usleep(static_cast<useconds_t>(ms * 1000));
}

char* args(const char* text) {
    return const_cast<char*>(text);
}

volatile sig_atomic_t g_held = 0;
void on_held(int) {
    g_held = 1;
}

// Starts `path` `hold` and waits for its SIGUSR1: it has read its whole table.
pid_t start_holder(const char* path, char* const* argv) {
    sigset_t blocked, old;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR1);
    sigprocmask(SIG_BLOCK, &blocked, &old);
    g_held = 0;
    pid_t child = start(path, argv);
    sigset_t wait_mask = old;
    sigdelset(&wait_mask, SIGUSR1);
    while (child > 0 && !g_held)
        sigsuspend(&wait_mask);
    sigprocmask(SIG_SETMASK, &old, nullptr);
    return child;
}

// Two processes of one file: the second's pages come from fs fewer times than the first's by
// the text it shares (exec_echo's 16-page table at least: mm keeps one copy for both). The
// frame counts are printed too, but the forking parent's own copy-on-write copies move them.
void shared_text() {
    char* hold[] = {args("exec_echo"), args("hold"), args("1000"), nullptr};
    mm::StatisticsReply before = mm_statistics();
    pid_t first = start_holder("/bin/exec_echo", hold);
    mm::StatisticsReply one = mm_statistics();
    pid_t second = start_holder("/bin/exec_echo", hold);
    mm::StatisticsReply two = mm_statistics();
    int a = finish(first), b = finish(second);
    uint32_t first_forwards = one.forwards - before.forwards;
    uint32_t second_forwards = two.forwards - one.forwards;
    uint32_t first_frames = one.data_frames - before.data_frames;
    uint32_t second_frames = two.data_frames - one.data_frames;
    printf("# /bin/exec_echo: the first process %u pages from fs (forwarded faults), %u frames "
           "of mm; the second %u pages from fs, %u frames\n",
           first_forwards, first_frames, second_forwards, second_frames);
    check(a == 0 && b == 0 && second_forwards + 16 <= first_forwards,
          "two processes of one file share its text pages");
}

void too_long() {
    static char big[200 * 1024];
    memset(big, 'x', sizeof big - 1);
    char* argv[] = {args("exec_echo"), big, nullptr};
    check(refused("/bin/exec_echo", argv) == E2BIG, "arguments beyond ARG_MAX: E2BIG");
    static char path[5000];
    memset(path, 'a', sizeof path - 1);
    path[0] = '/';
    char* none[] = {args("x"), nullptr};
    check(refused(path, none) == ENAMETOOLONG, "a path beyond PATH_MAX: ENAMETOOLONG");
}

} // namespace

// A child with stdout on a pipe (dup2), 5 close-on-exec and 6 open, execs exec_echo `fds`.
void descriptors_survive_exec() {
    int ends[2] = {-1, -1};
    bool made = pipe(ends) == 0;
    pid_t child = made ? fork() : -1;
    if (child == 0) {
        close(ends[0]);
        int cloexec = open("/bin/exec_echo", O_RDONLY | O_CLOEXEC);
        int kept = open("/bin/exec_echo", O_RDONLY);
        bool good = dup2(ends[1], 1) == 1 && close(ends[1]) == 0 && cloexec >= 0 && kept >= 0 &&
                    dup2(cloexec, 5) == 5 && fcntl(5, F_SETFD, FD_CLOEXEC) == 0 &&
                    dup2(kept, 6) == 6;
        char* fds[] = {args("exec_echo"), args("fds"), nullptr};
        if (good) execve("/bin/exec_echo", fds, g_environment);
        _exit(100 + errno);
    }
    if (made) close(ends[1]);
    char line[64] = {};
    ssize_t got = made ? read(ends[0], line, sizeof line - 1) : -1;
    int status = 0;
    bool waited = child > 0 && waitpid(child, &status, 0) == child;
    if (made) close(ends[0]);
    bool right = waited && WIFEXITED(status) && WEXITSTATUS(status) == 46 && got == 15 &&
                 strcmp(line, "fds: inherited\n") == 0;
    check(right, "descriptors survive exec: stdout on a pipe (dup2) writes into it, a "
                 "close-on-exec one is closed, another stays open, the environment is clean");
}

int main() {
    printf("TAP version 13\n");
    // exec_echo `hold` tells its parent with SIGUSR1 that it has read its table.
    struct sigaction action {};
    action.sa_handler = on_held;
    sigaction(SIGUSR1, &action, nullptr);
    // fs starts with the system and registers its name once its root is mounted: wait for it.
    bool attached = false;
    for (int i = 0; i < 200 && !attached; ++i) {
        attached = fs().attach() == ipc::Error::ok;
        if (!attached) sleep_ms(50);
    }
    check(attached, "fs is up");
    char* echo[] = {args("exec_echo"), args("args"), args("one"), args("two words"), nullptr};
    check(run("/bin/exec_echo", echo) == 42,
          "fork, execve of /bin/exec_echo from ext2 with argv and envp, waitpid: status 42");

    descriptors_survive_exec();

    char* search[] = {args("exec_echo"), args("search"), nullptr};
    setenv("PATH", "/nonexistent:/bin", 1);
    check(run("exec_echo", search, true) == 44, "execvp finds exec_echo through PATH");

    // The signal mask survives exec (POSIX): SIGUSR2 blocked before it stays blocked after.
    sigset_t usr2, old_mask;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr2, &old_mask);
    char* mask[] = {args("exec_echo"), args("mask"), nullptr};
    int masked = run("/bin/exec_echo", mask);
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    printf("# exec_echo mask: %d\n", masked);
    check(masked == 45, "the signal mask survives exec");

    char* none[] = {args("x"), nullptr};
    check(refused("/bin/no-such-program", none) == ENOENT, "a missing file: ENOENT");
    check(refused("/bin", none) == EACCES, "a directory: EACCES");

    bool made = make_text("/tmp/plain", "#!/bin/exec_echo -x\n", 0644) &&
                make_text("/tmp/text", "just some text\n", 0755) &&
                make_text("/tmp/script", "#!/bin/exec_echo -x\n", 0755) &&
                make_text("/tmp/loop1", "#!/tmp/loop2\n", 0755) &&
                make_text("/tmp/loop2", "#!/tmp/loop1\n", 0755) &&
                copy_file("/bin/exec_echo", "/tmp/truncated", 300, 0755) &&
                copy_file("/bin/exec_echo", "/tmp/copy", 0, 0755);
    check(made, "test files made in /tmp through fs");

    check(refused("/tmp/plain", none) == EACCES, "a file without an execute bit: EACCES");
    check(refused("/tmp/text", none) == ENOEXEC, "a text file without #!: ENOEXEC");
    check(refused("/tmp/truncated", none) == ENOEXEC, "a truncated ELF: ENOEXEC (proc's check)");
    check(refused("/tmp/loop1", none) == ENOEXEC, "interpreters nested beyond 4 levels: ENOEXEC");

    char* script[] = {args("script"), args("a"), args("b"), nullptr};
    check(run("/tmp/script", script) == 43, "a #! script runs its interpreter with its path");

    char* copy[] = {args("exec_echo"), args("args"), args("one"), args("two words"), nullptr};
    check(run("/tmp/copy", copy) == 42, "a copy of the program on tmpfs runs");

    // ETXTBSY both ways: writing a running program, running a program open for writing.
    char* hold[] = {args("exec_echo"), args("hold"), args("800"), nullptr};
    pid_t holder = start_holder("/tmp/copy", hold);
    int32_t handle = -1;
    ipc::Error write_open = fs().open(file::kAtCwd, "/tmp/copy", O_WRONLY, 0, handle);
    if (write_open == ipc::Error::ok) (void)fs().close(handle);
    check(finish(holder) == 0 && write_open == ipc::Error::text_busy,
          "opening a running program for writing: ETXTBSY");
    int32_t writer = -1;
    bool opened = fs().open(file::kAtCwd, "/tmp/copy", O_WRONLY, 0, writer) == ipc::Error::ok;
    check(opened && refused("/tmp/copy", none) == ETXTBSY,
          "exec of a file open for writing: ETXTBSY");
    if (opened) (void)fs().close(writer);

    // Removed while it runs: its pages still come (the table is read only after the unlink).
    char* late[] = {args("copy"), args("late"), args("600"), nullptr};
    pid_t runner = start("/tmp/copy", late);
    sleep_ms(200);
    bool unlinked = fs().unlink(file::kAtCwd, "/tmp/copy") == ipc::Error::ok;
    check(unlinked && finish(runner) == 0, "a program removed while it runs goes on running");

    shared_text();
    too_long();

    printf("1..%d\n", g_test);
    printf("# %d of %d failed\n", g_failed, g_test);
    printf("AXOLOTL: END OF TESTS\n");
    fflush(stdout);
    return g_failed == 0 ? 0 : 1;
}
