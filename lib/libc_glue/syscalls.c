/*
 * The system calls newlib needs underneath stdio, malloc and friends.
 *
 * Placeholders: every stub here is wired to RPC when the kernel runs user code (DESIGN.md §6:
 * libposix turns each call into RPC to the server that owns it). Until then a program links
 * and runs its pure computation: the heap works, the console reports itself as a terminal,
 * everything that needs a server fails with ENOSYS.
 *
 * newlib is configured for i686-elf with --disable-newlib-supplied-syscalls, so its reentrant
 * wrappers (_read_r, _sbrk_r, ...) call these plain POSIX names.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/types.h>
#include <unistd.h>

/* newlib's <fcntl.h> and <signal.h> drag in more than we need; these are their prototypes. */
int open(const char* path, int flags, ...);
int fcntl(int fd, int cmd, ...);
int kill(pid_t pid, int sig);
void _init(void);
void _fini(void);

static int not_yet(void) {
    errno = ENOSYS;
    return -1;
}

/* ---- The heap ------------------------------------------------------------------------------ */

/*
 * A fixed arena that lib/user.ld reserves after .bss, on pages of its own: whoever loads the
 * program maps it as zero-fill memory (newlib's malloc relies on fresh sbrk memory being
 * zero), and pages malloc never touches cost nothing under a demand-zero pager. Addresses past
 * the image would only be backed once the memory manager serves a real break.
 */
extern char __heap_start[], __heap_end[];
static char* heap_break = __heap_start;

void* sbrk(ptrdiff_t increment) {
    /* Compare distances, not pointers, so that no increment can wrap around the arena. */
    size_t used = (size_t)(heap_break - __heap_start);
    size_t left = (size_t)(__heap_end - heap_break);
    if (increment >= 0 ? (size_t)increment > left : (size_t)-increment > used) {
        errno = ENOMEM;
        return (void*)-1;
    }
    char* old_break = heap_break;
    heap_break += increment;
    return old_break;
}

/* ---- Process ------------------------------------------------------------------------------- */

void _exit(int status) {
    (void)status;
    /*
     * No exit RPC to proc yet, and hlt is privileged: spin. The empty asm keeps the loop from
     * being folded into something the compiler finds cheaper.
     */
    for (;;)
        __asm__ volatile("" ::: "memory");
}

/* The one process there is until proc hands out ids. */
pid_t getpid(void) {
    return 1;
}

int kill(pid_t pid, int sig) {
    (void)pid;
    (void)sig;
    return not_yet();
}

/* __libc_init_array/__libc_fini_array call these; constructors run from .init_array instead. */
void _init(void) {}

void _fini(void) {}

/* ---- Files --------------------------------------------------------------------------------- */

static int is_console(int fd) {
    return fd >= 0 && fd <= 2;
}

/* stdin, stdout and stderr are the console until fs and the console driver serve them. */
int isatty(int fd) {
    if (is_console(fd)) return 1;
    errno = ENOTTY;
    return 0;
}

/*
 * Agrees with isatty(): newlib's stdio line-buffers a stream only if fstat reports a character
 * device and isatty says yes, so console output appears line by line once write works.
 */
int fstat(int fd, struct stat* st) {
    if (!is_console(fd)) return not_yet();
    *st = (struct stat){.st_mode = S_IFCHR | 0620};
    return 0;
}

ssize_t write(int fd, const void* buffer, size_t count) {
    (void)fd;
    (void)buffer;
    (void)count;
    return not_yet();
}

ssize_t read(int fd, void* buffer, size_t count) {
    (void)fd;
    (void)buffer;
    (void)count;
    return not_yet();
}

int open(const char* path, int flags, ...) {
    (void)path;
    (void)flags;
    return not_yet();
}

int close(int fd) {
    (void)fd;
    return not_yet();
}

off_t lseek(int fd, off_t offset, int whence) {
    (void)fd;
    (void)offset;
    (void)whence;
    return not_yet();
}

int fcntl(int fd, int cmd, ...) {
    (void)fd;
    (void)cmd;
    return not_yet();
}

int stat(const char* path, struct stat* st) {
    (void)path;
    (void)st;
    return not_yet();
}

int link(const char* old_path, const char* new_path) {
    (void)old_path;
    (void)new_path;
    return not_yet();
}

int unlink(const char* path) {
    (void)path;
    return not_yet();
}

int mkdir(const char* path, mode_t mode) {
    (void)path;
    (void)mode;
    return not_yet();
}

/* ---- Time ---------------------------------------------------------------------------------- */

int gettimeofday(struct timeval* tv, void* tz) {
    (void)tv;
    (void)tz;
    return not_yet();
}

clock_t times(struct tms* buffer) {
    (void)buffer;
    return (clock_t)not_yet();
}
