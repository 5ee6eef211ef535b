// TEMPORARY, for busybox (apps/ports/busybox/README.md): weak stand-ins for POSIX calls that
// other parts of libposix are being written to provide, so that busybox links today. Each
// fails with ENOSYS (a pointer result is nullptr) and does nothing else, except vfork, which is
// fork (POSIX allows it), and getcwd, which answers "/" (with no chdir, every process is at the
// root). A real definition anywhere in libposix replaces a weak one; the file goes once every
// call here has its real implementation. Owners: files (the file and directory calls), tty
// (termios, ioctl), exec (execve, execvp), pipes (pipe, poll, popen), ports (the user and group
// database); clock_settime has none yet.
#include <errno.h>
#include <stddef.h>
#include <sys/types.h>
#include <unistd.h>

#define AXO_PENDING extern "C" __attribute__((weak))

namespace {

int no_such_call() {
    errno = ENOSYS;
    return -1;
}

template <typename T> T* no_such_object() {
    errno = ENOSYS;
    return nullptr;
}

} // namespace

struct stat;
struct termios;
struct timeval;
struct timespec;
struct statvfs;
struct pollfd;
struct passwd;
struct group;
struct dirent;
struct axo_pending_dir;
typedef struct __sFILE FILE;

// ---- files ----
AXO_PENDING int lstat(const char*, struct stat*) {
    return no_such_call();
}
AXO_PENDING mode_t umask(mode_t) {
    return 022;
}
AXO_PENDING int access(const char*, int) {
    return no_such_call();
}
AXO_PENDING int chdir(const char*) {
    return no_such_call();
}
// No chdir yet, so every process is where it started: at the root.
AXO_PENDING char* getcwd(char* buffer, size_t size) {
    if (buffer == nullptr || size == 0) {
        errno = EINVAL;
        return nullptr;
    }
    if (size < 2) {
        errno = ERANGE;
        return nullptr;
    }
    buffer[0] = '/';
    buffer[1] = '\0';
    return buffer;
}
AXO_PENDING int chmod(const char*, mode_t) {
    return no_such_call();
}
AXO_PENDING int fchmod(int, mode_t) {
    return no_such_call();
}
AXO_PENDING int chown(const char*, uid_t, gid_t) {
    return no_such_call();
}
AXO_PENDING int lchown(const char*, uid_t, gid_t) {
    return no_such_call();
}
AXO_PENDING int fchown(int, uid_t, gid_t) {
    return no_such_call();
}
AXO_PENDING int rmdir(const char*) {
    return no_such_call();
}
AXO_PENDING int symlink(const char*, const char*) {
    return no_such_call();
}
AXO_PENDING ssize_t readlink(const char*, char*, size_t) {
    return no_such_call();
}
AXO_PENDING int mknod(const char*, mode_t, dev_t) {
    return no_such_call();
}
AXO_PENDING int mkfifo(const char*, mode_t) {
    return no_such_call();
}
AXO_PENDING int ftruncate(int, off_t) {
    return no_such_call();
}
AXO_PENDING int utimes(const char*, const struct timeval*) {
    return no_such_call();
}
AXO_PENDING int utimensat(int, const char*, const struct timespec*, int) {
    return no_such_call();
}
AXO_PENDING void sync(void) {}
AXO_PENDING int statvfs(const char*, struct statvfs*) {
    return no_such_call();
}
AXO_PENDING int fstatvfs(int, struct statvfs*) {
    return no_such_call();
}
AXO_PENDING axo_pending_dir* opendir(const char*) {
    return no_such_object<axo_pending_dir>();
}
AXO_PENDING axo_pending_dir* fdopendir(int) {
    return no_such_object<axo_pending_dir>();
}
AXO_PENDING struct dirent* readdir(axo_pending_dir*) {
    return no_such_object<struct dirent>();
}
AXO_PENDING int closedir(axo_pending_dir*) {
    return no_such_call();
}

// ---- tty ----
AXO_PENDING int tcgetattr(int, struct termios*) {
    return no_such_call();
}
AXO_PENDING int tcsetattr(int, int, const struct termios*) {
    return no_such_call();
}
AXO_PENDING unsigned int cfgetospeed(const struct termios*) {
    return 0;
}
AXO_PENDING unsigned int cfgetispeed(const struct termios*) {
    return 0;
}
AXO_PENDING int cfsetospeed(struct termios*, unsigned int) {
    return no_such_call();
}
AXO_PENDING int cfsetispeed(struct termios*, unsigned int) {
    return no_such_call();
}
AXO_PENDING int ioctl(int, unsigned long, ...) {
    return no_such_call();
}

// ---- exec ----
AXO_PENDING int execve(const char*, char* const[], char* const[]) {
    return no_such_call();
}
AXO_PENDING int execvp(const char*, char* const[]) {
    return no_such_call();
}
AXO_PENDING pid_t vfork(void) {
    return fork();
}

// ---- pipes ----
AXO_PENDING int pipe(int[2]) {
    return no_such_call();
}
AXO_PENDING int poll(struct pollfd*, unsigned int, int) {
    return no_such_call();
}
AXO_PENDING FILE* popen(const char*, const char*) {
    return no_such_object<FILE>();
}
AXO_PENDING int pclose(FILE*) {
    return no_such_call();
}

// ---- ports: the user and group database ----
AXO_PENDING struct passwd* getpwnam(const char*) {
    return no_such_object<struct passwd>();
}
AXO_PENDING struct passwd* getpwuid(uid_t) {
    return no_such_object<struct passwd>();
}
AXO_PENDING struct group* getgrnam(const char*) {
    return no_such_object<struct group>();
}
AXO_PENDING struct group* getgrgid(gid_t) {
    return no_such_object<struct group>();
}

// ---- nobody yet ----
AXO_PENDING int clock_settime(int, const struct timespec*) {
    return no_such_call();
}
