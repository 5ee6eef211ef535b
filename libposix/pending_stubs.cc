// PENDING — deleted when the branches that implement these calls merge (apps/ports/README.md,
// "What libposix lacks"). Weak stand-ins that fail with ENOSYS, so that the ports (dash, lua,
// sqlite3) link before libposix has the calls; the real, strong definitions replace them at
// link time. Nothing here is an implementation.
//   files (file calls):  chdir getcwd lstat umask opendir readdir closedir access chmod fchmod
//                        fchown fsync ftruncate readlink rmdir symlink utimes
//   pipes:               pipe
//   exec:                execve
//   tty (terminal.cc):   tcgetpgrp tcsetpgrp tcgetattr tcsetattr ioctl
#include <errno.h>
#include <sys/types.h>

#define AXO_PENDING extern "C" __attribute__((weak))

namespace {
int not_yet() {
    errno = ENOSYS;
    return -1;
}
mode_t g_umask = 022;
} // namespace

AXO_PENDING int chdir(const char*) {
    return not_yet();
}
AXO_PENDING char* getcwd(char*, size_t) {
    errno = ENOSYS;
    return nullptr;
}
AXO_PENDING int lstat(const char*, void*) {
    return not_yet();
}
// umask cannot fail: the stand-in only remembers the mask.
AXO_PENDING mode_t umask(mode_t mask) {
    mode_t old = g_umask;
    g_umask = mask & 0777;
    return old;
}
AXO_PENDING void* opendir(const char*) {
    errno = ENOSYS;
    return nullptr;
}
AXO_PENDING void* readdir(void*) {
    errno = ENOSYS;
    return nullptr;
}
AXO_PENDING int closedir(void*) {
    return not_yet();
}
AXO_PENDING int access(const char*, int) {
    return not_yet();
}
AXO_PENDING int chmod(const char*, mode_t) {
    return not_yet();
}
AXO_PENDING int fchmod(int, mode_t) {
    return not_yet();
}
AXO_PENDING int fchown(int, uid_t, gid_t) {
    return not_yet();
}
AXO_PENDING int fsync(int) {
    return not_yet();
}
AXO_PENDING int ftruncate(int, off_t) {
    return not_yet();
}
AXO_PENDING ssize_t readlink(const char*, char*, size_t) {
    return not_yet();
}
AXO_PENDING int rmdir(const char*) {
    return not_yet();
}
AXO_PENDING int symlink(const char*, const char*) {
    return not_yet();
}
AXO_PENDING int utimes(const char*, const void*) {
    return not_yet();
}
AXO_PENDING int pipe(int*) {
    return not_yet();
}
AXO_PENDING int execve(const char*, char* const*, char* const*) {
    return not_yet();
}
AXO_PENDING pid_t tcgetpgrp(int) {
    return not_yet();
}
AXO_PENDING int tcsetpgrp(int, pid_t) {
    return not_yet();
}
AXO_PENDING int tcgetattr(int, void*) {
    return not_yet();
}
AXO_PENDING int tcsetattr(int, int, const void*) {
    return not_yet();
}
AXO_PENDING int ioctl(int, unsigned long, ...) {
    return not_yet();
}
