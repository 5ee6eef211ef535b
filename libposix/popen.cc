// popen, pclose and system (libposix/README.md): a command run by /bin/sh -c, with one end of a
// pipe as its standard input or output (popen), or waited for (system). Built on pipe, fork, dup2,
// execve and waitpid, so it works as far as they do (no exec from the file system: execve fails,
// the child exits with 127, and pclose reports that, as POSIX says for a shell that could not be
// run).
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

// The children of open streams: pclose waits for exactly its own (POSIX), and a popen child
// closes the streams of earlier popens, which are its parent's business.
constexpr int kMaxStreams = 16;
struct Child {
    FILE* stream;
    pid_t pid;
};
Child g_children[kMaxStreams];

Child* free_slot() {
    for (Child& child : g_children)
        if (child.stream == nullptr) return &child;
    return nullptr;
}

} // namespace

extern "C" {

FILE* popen(const char* command, const char* mode) {
    if (command == nullptr || mode == nullptr || (mode[0] != 'r' && mode[0] != 'w') ||
        (mode[1] != '\0' && !(mode[1] == 'e' && mode[2] == '\0'))) {
        errno = EINVAL;
        return nullptr;
    }
    Child* slot = free_slot();
    if (slot == nullptr) {
        errno = EMFILE;
        return nullptr;
    }
    bool reading = mode[0] == 'r';
    int ends[2];
    if (pipe(ends) < 0) return nullptr;
    // The parent's end and the end that becomes the child's stdin or stdout.
    int mine = reading ? ends[0] : ends[1];
    int theirs = reading ? ends[1] : ends[0];
    int target = reading ? STDOUT_FILENO : STDIN_FILENO;
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(ends[0]);
        close(ends[1]);
        errno = saved;
        return nullptr;
    }
    if (pid == 0) {
        for (const Child& child : g_children)
            if (child.stream != nullptr) close(fileno(child.stream));
        close(mine);
        if (theirs != target) {
            if (dup2(theirs, target) < 0) _exit(127);
            close(theirs);
        }
        char* const argv[] = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                              const_cast<char*>(command), nullptr};
        execve("/bin/sh", argv, environ);
        _exit(127);
    }
    close(theirs);
    FILE* stream = fdopen(mine, reading ? "r" : "w");
    if (stream == nullptr) {
        int saved = errno;
        close(mine);
        (void)waitpid(pid, nullptr, 0);
        errno = saved;
        return nullptr;
    }
    slot->stream = stream;
    slot->pid = pid;
    return stream;
}

int pclose(FILE* stream) {
    Child* found = nullptr;
    for (Child& child : g_children)
        if (stream != nullptr && child.stream == stream) found = &child;
    if (found == nullptr) {
        errno = ECHILD;
        return -1;
    }
    pid_t pid = found->pid;
    found->stream = nullptr;
    fclose(stream);
    int status = 0;
    pid_t got;
    do {
        got = waitpid(pid, &status, 0);
    } while (got < 0 && errno == EINTR);
    return got < 0 ? -1 : status;
}

// POSIX's system: SIGCHLD blocked and SIGINT and SIGQUIT ignored in the caller while the
// command runs (so the caller's handlers neither reap it nor see the terminal's ^C), restored in
// the child before the shell runs; 127 as the exit status of a shell that could not be run.
int system(const char* command) {
    if (command == nullptr) return access("/bin/sh", X_OK) == 0 ? 1 : 0;
    struct sigaction ignore = {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    struct sigaction saved_int, saved_quit;
    sigaction(SIGINT, &ignore, &saved_int);
    sigaction(SIGQUIT, &ignore, &saved_quit);
    sigset_t chld, saved_mask;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &saved_mask);
    pid_t pid = fork();
    if (pid == 0) {
        sigaction(SIGINT, &saved_int, nullptr);
        sigaction(SIGQUIT, &saved_quit, nullptr);
        sigprocmask(SIG_SETMASK, &saved_mask, nullptr);
        char* const argv[] = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                              const_cast<char*>(command), nullptr};
        execve("/bin/sh", argv, environ);
        _exit(127);
    }
    int status = -1;
    if (pid > 0) {
        pid_t got;
        do {
            got = waitpid(pid, &status, 0);
        } while (got < 0 && errno == EINTR);
        if (got < 0) status = -1;
    }
    int saved = errno;
    sigaction(SIGINT, &saved_int, nullptr);
    sigaction(SIGQUIT, &saved_quit, nullptr);
    sigprocmask(SIG_SETMASK, &saved_mask, nullptr);
    errno = saved;
    return status;
}

} // extern "C"
