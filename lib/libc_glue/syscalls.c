/*
 * The system calls newlib needs underneath stdio, malloc and friends.
 *
 * What is wired to the system today (DESIGN.md §6: libposix will turn each call into RPC to the
 * server that owns it):
 *
 *   write(1|2)        the console: the server registered as "console" with proc's name service
 *                     when the program first writes (the serial driver with the word `console`
 *                     on its boot line: servers/drivers/serial), else the kernel debug console
 *                     (axo_debug_write); other descriptors: EBADF
 *   read(0)           the "console" server's input, if there is one (else ENOSYS)
 *   _exit             proc's exit (interfaces/process, kProcExit); the parent's wait
 *                     reports the status
 *   sbrk              mm's break (kMmSbrk) when mm pages the process, else the static heap
 *                     arena of lib/user.ld
 *   gettimeofday,     the KIP clock (microseconds since boot; there is no real-time clock yet,
 *   times             so the time of day is the time since boot, counted from the epoch)
 *   isatty, fstat     0..2 are the console, a character device and a terminal
 *   getpid            1 always: proc has no call that tells a process its pid yet
 *
 * Everything that needs a server which does not exist yet (files, signals) fails honestly:
 * read EBADF on non-console descriptors and ENOSYS on stdin without a console server, kill,
 * open, close, lseek, fcntl, stat, link, unlink, mkdir ENOSYS.
 *
 * newlib is configured for i686-elf with --disable-newlib-supplied-syscalls, so its reentrant
 * wrappers (_read_r, _sbrk_r, ...) call these plain POSIX names.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "axolotl/syscalls.h"
#include "interfaces/mm/wire.h"
#include "interfaces/names/wire.h"
#include "interfaces/process/wire.h"
#include "interfaces/stream/wire.h"

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

static int bad_fd(void) {
    errno = EBADF;
    return -1;
}

/* The KIP: the kernel maps it into every space; asked for once. */
static const axo_kip_t* kip(void) {
    static const axo_kip_t* cached;
    if (cached == NULL) cached = axo_kernel_interface();
    return cached;
}

/* ---- The heap ------------------------------------------------------------------------------ */

/*
 * Two heaps, chosen at the first call:
 *
 * - mm's break (interfaces/mm/protocol.h, kMmSbrk), when the process's pager is mm (proc
 *   starts every process as an mm client when it runs mm: servers/proc/paging.h). The heap is
 *   then an anonymous region after the image that grows and shrinks with the break, counted
 *   against the process's quota: past it sbrk fails with ENOMEM and nothing else is affected.
 * - Without mm (proc pages the process itself: it serves faults only inside segments and the
 *   stack), a fixed arena that lib/user.ld reserves after .bss, on pages of its own, as the end
 *   of the data PT_LOAD segment (inside its memsz, past its filesz), zero-filled on first
 *   touch (newlib's malloc relies on fresh sbrk memory being zero).
 *
 * The test for mm is a kMmSbrk of 0 to the pager: proc, the pager without mm, refuses the label
 * (wrong_interface: it does not serve mm's interface).
 */
#define AXO_MM_CALL_TIMEOUT_US 2000000u

extern char __heap_start[], __heap_end[];
static char* heap_break = __heap_start;
static int heap_mode; /* 0: not decided; 1: mm; 2: the arena */

/* kMmSbrk(client nil, delta): the old break in *old, or the error (label) / -1 (IPC). */
static long mm_sbrk(ptrdiff_t delta, uint32_t* old) {
    axo_utcb_t* utcb = axo_my_utcb();
    axo_thread_id_t pager = utcb->pager;
    if (pager == AXO_NIL_THREAD || pager == axo_kernel_interface()->root_task) return -1;
    utcb->mr[0] = axo_msg_tag(AXO_MM_SBRK, 2, 0);
    utcb->mr[1] = AXO_NIL_THREAD;
    utcb->mr[2] = (uint32_t)delta;
    axo_timeout_t timeout = axo_timeout_us(AXO_MM_CALL_TIMEOUT_US);
    axo_msg_tag_t tag = axo_ipc_call(pager, axo_timeouts(timeout, timeout));
    if (axo_tag_failed(tag)) return -1;
    if (axo_tag_label(tag) != 0) return (long)axo_tag_label(tag);
    if (axo_tag_untyped(tag) != 1) return -1;
    *old = utcb->mr[1];
    return 0;
}

void* sbrk(ptrdiff_t increment) {
    if (heap_mode == 0) {
        uint32_t old = 0;
        heap_mode = mm_sbrk(0, &old) == 0 ? 1 : 2;
    }
    if (heap_mode == 1) {
        uint32_t old = 0;
        long error = mm_sbrk(increment, &old);
        if (error != 0) {
            errno = ENOMEM;
            return (void*)-1;
        }
        return (void*)(uintptr_t)old;
    }
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

/* Which heap sbrk uses: 1 mm's break, 2 the arena (for tests; decides it if not yet). */
int axo_heap_mode(void) {
    if (heap_mode == 0) (void)sbrk(0);
    return heap_mode;
}

/* ---- Process ------------------------------------------------------------------------------- */

/*
 * proc's exit (interfaces/process): an IPC call to the root task with label AXO_PROC_EXIT and
 * one word, the status. On success proc deletes the thread and never answers; an answer means
 * proc refused (the caller is no process) or could not be reached.
 */

static void console_text(const char* text) {
    uint32_t n = 0;
    while (text[n] != '\0')
        ++n;
    axo_debug_write(text, n);
}

/* Blocks for good (L4's sleep idiom, as lib/rt's rt_park): hlt is privileged. */
static void park(void) {
    axo_thread_id_t self = axo_my_utcb()->my_id;
    for (;;) {
        axo_ipc_receive(self, AXO_TIMEOUT_NEVER);
        axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
    }
}

void _exit(int status) {
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[0] = axo_msg_tag(AXO_PROC_EXIT, 1, 0);
    utcb->mr[1] = (uint32_t)status;
    axo_ipc_call(kip()->root_task, axo_timeouts(AXO_TIMEOUT_NEVER, AXO_TIMEOUT_NEVER));
    console_text("libc: proc refused exit; parking the thread\n");
    park();
    __builtin_unreachable();
}

/* proc has no call that tells a process its pid (interfaces/process): 1 until it has. */
pid_t getpid(void) {
    return 1;
}

/* No signals yet; proc's kill is for a parent's children and ends them whatever the signal. */
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
    errno = EBADF;
    return 0;
}

/*
 * Agrees with isatty(): newlib's stdio line-buffers a stream only if fstat reports a character
 * device and isatty says yes, so console output appears line by line.
 */
int fstat(int fd, struct stat* st) {
    if (!is_console(fd)) return bad_fd();
    *st = (struct stat){.st_mode = S_IFCHR | 0620};
    return 0;
}

/*
 * The console. A server registered as "console" with the name service (interfaces/names)
 * serves the stream interface (interfaces/stream): programs that start after it write and read
 * through it. Looked up once, at the first use; without one the output goes to the kernel's
 * debug console. The labels and sizes come from the interfaces' C headers (wire.h), whose
 * layouts the C++ protocol headers pin with static_asserts.
 */
/* A write waits for room in the driver's buffer at most this long, then output falls back. */
#define AXO_CONSOLE_TIMEOUT_US 10000000u

enum console_state { CONSOLE_UNKNOWN, CONSOLE_SERVER, CONSOLE_DEBUG };
static enum console_state console_state;
static axo_thread_id_t console_thread;

static axo_thread_id_t console_server(void) {
    if (console_state == CONSOLE_UNKNOWN) {
        axo_utcb_t* utcb = axo_my_utcb();
        static const char name[] = "console";
        char* words = (char*)&utcb->mr[1];
        for (uint32_t i = 0; i < AXO_NAME_BYTES; ++i)
            words[i] = i < sizeof name ? name[i] : 0;
        utcb->mr[0] = axo_msg_tag(AXO_NAME_LOOKUP, AXO_NAME_BYTES / 4, 0);
        axo_timeout_t timeout = axo_timeout_us(1000000);
        axo_msg_tag_t tag = axo_ipc_call(kip()->root_task, axo_timeouts(timeout, timeout));
        if (!axo_tag_failed(tag) && axo_tag_label(tag) == 0 && axo_tag_untyped(tag) == 1) {
            console_thread = utcb->mr[1];
            console_state = CONSOLE_SERVER;
        } else {
            console_state = CONSOLE_DEBUG;
        }
    }
    return console_state == CONSOLE_SERVER ? console_thread : AXO_NIL_THREAD;
}

/* One write request: how many bytes the server took, or 0 if it failed (it is then forgotten,
 * and looked up again at the next use: a restarted driver registers again). */
static size_t console_write_chunk(const char* bytes, size_t n) {
    axo_utcb_t* utcb = axo_my_utcb();
    if (n > AXO_STREAM_CHUNK_BYTES) n = AXO_STREAM_CHUNK_BYTES;
    utcb->mr[1] = (uint32_t)n;
    char* data = (char*)&utcb->mr[2];
    for (size_t i = 0; i < n; ++i)
        data[i] = bytes[i];
    utcb->mr[0] = axo_msg_tag(AXO_STREAM_WRITE, AXO_STREAM_CHUNK_WORDS, 0);
    axo_timeout_t timeout = axo_timeout_us(AXO_CONSOLE_TIMEOUT_US);
    axo_msg_tag_t tag = axo_ipc_call(console_thread, axo_timeouts(timeout, timeout));
    if (axo_tag_failed(tag) || axo_tag_label(tag) != 0 || axo_tag_untyped(tag) != 1 ||
        utcb->mr[1] == 0 || utcb->mr[1] > n) {
        console_state = CONSOLE_UNKNOWN;
        return 0;
    }
    return utcb->mr[1];
}

/*
 * stdout and stderr: the console server, or the kernel's debug console. The kernel reads a
 * debug_write buffer without faulting pages in (a page the process never touched is not
 * mapped yet: proc maps on the first fault), so the bytes are copied to the stack first, which
 * touches every source page.
 */
ssize_t write(int fd, const void* buffer, size_t count) {
    if (fd != 1 && fd != 2) return bad_fd();
    const char* bytes = buffer;
    char chunk[256];
    size_t done = 0;
    while (done < count) {
        if (console_server() != AXO_NIL_THREAD) {
            size_t n = console_write_chunk(bytes + done, count - done);
            /* A server that died is looked up once more before output falls back. */
            if (n == 0 && console_server() != AXO_NIL_THREAD)
                n = console_write_chunk(bytes + done, count - done);
            if (n > 0) {
                done += n;
                continue;
            }
            console_state = CONSOLE_DEBUG;
        }
        size_t n = count - done < sizeof chunk ? count - done : sizeof chunk;
        for (size_t i = 0; i < n; ++i)
            chunk[i] = bytes[done + i];
        if (axo_debug_write(chunk, (uint32_t)n) != AXO_OK) {
            if (done > 0) break;
            errno = EFAULT;
            return -1;
        }
        done += n;
    }
    return (ssize_t)done;
}

/* stdin: the console server's input (waits for at least one byte); without one, ENOSYS.
 * Other descriptors do not exist. */
ssize_t read(int fd, void* buffer, size_t count) {
    if (fd != 0) return bad_fd();
    if (count == 0) return 0;
    if (console_server() == AXO_NIL_THREAD) return not_yet();
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[1] = (uint32_t)(count < AXO_STREAM_CHUNK_BYTES ? count : AXO_STREAM_CHUNK_BYTES);
    utcb->mr[2] = AXO_STREAM_READ_WAIT;
    utcb->mr[0] = axo_msg_tag(AXO_STREAM_READ, 2, 0);
    axo_msg_tag_t tag =
        axo_ipc_call(console_thread, axo_timeouts(AXO_TIMEOUT_NEVER, AXO_TIMEOUT_NEVER));
    if (axo_tag_failed(tag) || axo_tag_label(tag) != 0 ||
        axo_tag_untyped(tag) != AXO_STREAM_CHUNK_WORDS || utcb->mr[1] > count) {
        console_state = CONSOLE_UNKNOWN;
        errno = EIO;
        return -1;
    }
    uint32_t n = utcb->mr[1];
    const char* data = (const char*)&utcb->mr[2];
    char* out = buffer;
    for (uint32_t i = 0; i < n; ++i)
        out[i] = data[i];
    return (ssize_t)n;
}

int open(const char* path, int flags, ...) {
    (void)path;
    (void)flags;
    return not_yet();
}

/* The console descriptors are never closed for real; nothing else is open. */
int close(int fd) {
    if (is_console(fd)) return 0;
    return bad_fd();
}

/* The console cannot seek (ESPIPE); nothing else is open. */
off_t lseek(int fd, off_t offset, int whence) {
    (void)offset;
    (void)whence;
    if (is_console(fd)) {
        errno = ESPIPE;
        return -1;
    }
    return bad_fd();
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

/*
 * The KIP clock counts microseconds since boot. With no real-time clock read yet, the time of
 * day is that count from the epoch (1970-01-01 plus the uptime); no time zone.
 */
int gettimeofday(struct timeval* tv, void* tz) {
    (void)tz;
    if (tv != NULL) {
        uint64_t us = axo_kip_clock_us(kip());
        tv->tv_sec = (time_t)(us / 1000000u);
        tv->tv_usec = (suseconds_t)(us % 1000000u);
    }
    return 0;
}

/* The clock when the program started (a constructor, before main). */
static uint64_t start_us;
__attribute__((constructor)) static void note_start_time(void) {
    start_us = axo_kip_clock_us(kip());
}

/*
 * Clock ticks of CLOCKS_PER_SEC (newlib's clock() divides by it). The return value is the time
 * since boot; the kernel keeps no CPU time per thread yet, so the user time is the real time
 * since the program started (an upper bound: it includes time other threads ran), system time
 * and the children's times are 0.
 */
clock_t times(struct tms* buffer) {
    uint64_t now = axo_kip_clock_us(kip());
    const uint64_t us_per_tick = 1000000u / CLOCKS_PER_SEC;
    if (buffer != NULL) {
        buffer->tms_utime = (clock_t)((now - start_us) / us_per_tick);
        buffer->tms_stime = 0;
        buffer->tms_cutime = 0;
        buffer->tms_cstime = 0;
    }
    return (clock_t)(now / us_per_tick);
}
