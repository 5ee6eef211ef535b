/*
 * fs_mmap: libposix's mmap, munmap, mprotect, msync and madvise in the guest (README.md):
 * anonymous private and shared memory (across fork), private and shared mappings of a file,
 * faults on unmapped and protected pages caught as SIGSEGV, pages beyond the end of a mapped
 * file as SIGBUS, and POSIX's errors. TAP on the console;
 * children report through their exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096

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

static int reap(pid_t child) {
    int status = 0;
    pid_t got;
    do {
        got = waitpid(child, &status, 0);
    } while (got < 0 && errno == EINTR);
    return got == child ? status : -1;
}

/* ---- faults: the handler leaves by siglongjmp with what it saw ---- */
static sigjmp_buf fault_return;
static volatile int caught_signal, caught_code;
static void* volatile caught_address;

static void leave_fault(int signal, siginfo_t* info, void* context) {
    (void)context;
    caught_signal = signal;
    caught_code = info->si_code;
    caught_address = info->si_addr;
    siglongjmp(fault_return, 1);
}

/* Writes `value` at `where`; the signal it raised (0: none). */
static int write_faults(volatile char* where, char value) {
    caught_signal = 0;
    caught_address = NULL;
    if (sigsetjmp(fault_return, 1) == 0) *where = value;
    return caught_signal;
}

static int read_faults(volatile char* where) {
    caught_signal = 0;
    caught_address = NULL;
    if (sigsetjmp(fault_return, 1) == 0) (void)*where;
    return caught_signal;
}

static int all_bytes(const char* from, size_t count, char value) {
    for (size_t i = 0; i < count; ++i)
        if (from[i] != value) return 0;
    return 1;
}

/* ---- anonymous memory ---- */
static void test_anonymous_private(void) {
    size_t length = 3 * PAGE + 100; /* rounded up to 4 pages */
    char* memory = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ok(memory != MAP_FAILED && ((uintptr_t)memory & (PAGE - 1)) == 0,
       "anonymous private mapping at a page boundary (%p)", memory);
    if (memory == MAP_FAILED) return;
    ok(all_bytes(memory, 4 * PAGE, 0), "its pages are zero-filled, the rounded-up tail too");
    memset(memory, 0x5A, 4 * PAGE);
    ok(all_bytes(memory, 4 * PAGE, 0x5A), "written and read back");

    pid_t child = fork();
    if (child == 0) {
        int seen = all_bytes(memory, 4 * PAGE, 0x5A);
        memset(memory, 0x11, PAGE);
        _exit(seen ? 0 : 1);
    }
    int status = reap(child);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a fork's child sees the private pages");
    ok(all_bytes(memory, PAGE, 0x5A), "the child's write stays the child's (copy on write)");
    ok(munmap(memory, length) == 0, "munmap of the whole mapping");
}

static void test_anonymous_shared(void) {
    char* shared = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ok(shared != MAP_FAILED, "anonymous shared mapping");
    if (shared == MAP_FAILED) return;
    strcpy(shared, "before fork");
    pid_t child = fork();
    if (child == 0) {
        int seen = strcmp(shared, "before fork") == 0;
        strcpy(shared + PAGE, "from the child");
        /* Wait for the parent's answer in the same memory. */
        for (int i = 0; i < 2000 && strcmp(shared, "from the parent") != 0; ++i)
            usleep(1000);
        _exit(seen && strcmp(shared, "from the parent") == 0 ? 0 : 1);
    }
    int seen = 0;
    for (int i = 0; i < 2000 && !seen; ++i) {
        seen = strcmp(shared + PAGE, "from the child") == 0;
        if (!seen) usleep(1000);
    }
    ok(seen, "a write of the child reaches the parent while both run");
    strcpy(shared, "from the parent");
    int status = reap(child);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
       "the child saw the parent's page before the fork and its write after (status %#x)", status);
    ok(munmap(shared, 2 * PAGE) == 0, "munmap of the shared mapping");
}

static void test_unmap_and_protect(void) {
    char* memory = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ok(memory != MAP_FAILED, "three pages for faults");
    if (memory == MAP_FAILED) return;
    memset(memory, 7, 3 * PAGE);

    ok(munmap(memory + PAGE, PAGE) == 0, "munmap of the middle page");
    ok(write_faults(memory + PAGE + 8, 1) == SIGSEGV && caught_address == memory + PAGE + 8,
       "a write to the unmapped page raises SIGSEGV at its address");
    ok(read_faults(memory + PAGE) == SIGSEGV, "a read of it too");
    ok(memory[0] == 7 && memory[2 * PAGE] == 7, "the pages around it stay");

    ok(mprotect(memory, PAGE, PROT_READ) == 0, "mprotect read-only");
    ok(read_faults(memory) == 0 && memory[0] == 7, "a read-only page reads");
    ok(write_faults(memory + 4, 9) == SIGSEGV && caught_address == memory + 4,
       "a write to it raises SIGSEGV");
    ok(memory[4] == 7, "and changed nothing");
    ok(mprotect(memory, PAGE, PROT_READ | PROT_WRITE) == 0 && write_faults(memory + 4, 9) == 0 &&
           memory[4] == 9,
       "mprotect read-write again: the write goes through");
    ok(mprotect(memory + 2 * PAGE, PAGE, PROT_NONE) == 0 &&
           read_faults(memory + 2 * PAGE) == SIGSEGV,
       "PROT_NONE: a read raises SIGSEGV");

    /* MAP_FIXED takes the range: a fresh zero page where the old page was. */
    char* fixed =
        mmap(memory, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    ok(fixed == memory && fixed[4] == 0, "MAP_FIXED replaces a mapped page with a zero page");
    char* refill = mmap(memory + PAGE, PAGE, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    ok(refill == memory + PAGE && write_faults(refill, 3) == 0,
       "MAP_FIXED into the hole munmap left");
    ok(munmap(memory, 3 * PAGE) == 0, "munmap of the three pages");
    ok(write_faults(memory, 1) == SIGSEGV, "and they fault");
}

/* ---- files ---- */
static const char kPath[] = "/tmp/mapped";

static int make_file(size_t size) {
    int fd = open(kPath, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return -1;
    char block[256];
    for (size_t done = 0; done < size;) {
        size_t part = size - done < sizeof block ? size - done : sizeof block;
        for (size_t i = 0; i < part; ++i)
            block[i] = (char)('a' + (done + i) % 26);
        if (write(fd, block, part) != (ssize_t)part) return -1;
        done += part;
    }
    return fd;
}

static void test_file_private(void) {
    size_t size = 2 * PAGE + 300;
    int fd = make_file(size);
    ok(fd >= 0, "a file of 2 pages and 300 bytes");
    if (fd < 0) return;
    char* map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    ok(map != MAP_FAILED, "MAP_PRIVATE of the file, read-only");
    if (map == MAP_FAILED) return;
    int same = 1;
    for (size_t i = 0; i < size; ++i)
        same &= map[i] == (char)('a' + i % 26);
    ok(same, "the mapping holds the file's bytes");
    ok(all_bytes(map + size, 3 * PAGE - size, 0), "the last page is zero past the end");
    ok(write_faults(map, 'X') == SIGSEGV, "a write to the read-only mapping raises SIGSEGV");
    ok(munmap(map, size) == 0, "munmap");

    char* copy = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, PAGE);
    ok(copy != MAP_FAILED && copy[0] == (char)('a' + PAGE % 26), "MAP_PRIVATE at an offset");
    if (copy != MAP_FAILED) {
        copy[0] = '#';
        ok(msync(copy, PAGE, MS_SYNC) == 0, "msync of a private mapping");
        char first = 0;
        ok(pread(fd, &first, 1, PAGE) == 1 && first == (char)('a' + PAGE % 26),
           "a private write does not reach the file");
        munmap(copy, PAGE);
    }

    int read_only = open(kPath, O_RDONLY);
    char* readable = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, read_only, 0);
    ok(readable != MAP_FAILED, "a writable private mapping of a read-only descriptor");
    if (readable != MAP_FAILED) munmap(readable, PAGE);
    errno = 0;
    ok(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, read_only, 0) == MAP_FAILED &&
           errno == EACCES,
       "EACCES: a shared writable mapping of a read-only descriptor");
    close(read_only);
    int write_only = open(kPath, O_WRONLY);
    errno = 0;
    ok(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, write_only, 0) == MAP_FAILED && errno == EACCES,
       "EACCES: any mapping of a write-only descriptor");
    close(write_only);
    close(fd);
    unlink(kPath);
}

/* Two processes map the file each by itself; a pipe paces them. */
static void test_file_shared(void) {
    size_t size = 3 * PAGE;
    int fd = make_file(size);
    ok(fd >= 0, "a file of 3 pages");
    if (fd < 0) return;
    int go[2], done[2];
    if (pipe(go) != 0 || pipe(done) != 0) {
        ok(0, "pipes for the two processes");
        return;
    }
    pid_t child = fork();
    if (child == 0) {
        int own = open(kPath, O_RDWR);
        char* map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, own, 0);
        char token = 0;
        if (map == MAP_FAILED || read(go[0], &token, 1) != 1) _exit(2);
        /* The parent wrote through its own mapping before it said go. */
        int seen = strcmp(map + PAGE, "the parent's words") == 0;
        strcpy(map + 2 * PAGE + 10, "the child's words");
        write(done[1], "x", 1);
        _exit(seen ? 0 : 1);
    }
    char* map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ok(map != MAP_FAILED, "MAP_SHARED of the file, read-write");
    if (map == MAP_FAILED) {
        kill(child, SIGKILL);
        reap(child);
        return;
    }
    ok(map[0] == 'a' && map[PAGE + 1] == (char)('a' + (PAGE + 1) % 26),
       "it holds the file's bytes");
    strcpy(map + PAGE, "the parent's words");
    write(go[1], "x", 1);
    char token = 0;
    int answered = read(done[0], &token, 1) == 1;
    int status = reap(child);
    ok(answered && WIFEXITED(status) && WEXITSTATUS(status) == 0,
       "another process that maps the file sees a write through this mapping (status %#x)", status);
    ok(strcmp(map + 2 * PAGE + 10, "the child's words") == 0,
       "and this mapping sees the other's write");
    char text[32] = {0};
    ok(pread(fd, text, 18, PAGE) == 18 && memcmp(text, "the parent's words", 18) == 0,
       "pread of the file reads what the mapping wrote");
    ok(lseek(fd, 2 * PAGE + 10, SEEK_SET) == 2 * PAGE + 10 && read(fd, text, 17) == 17 &&
           memcmp(text, "the child's words", 17) == 0,
       "read of the file reads the other process's write");
    ok(pwrite(fd, "WRITTEN", 7, 100) == 7 && memcmp(map + 100, "WRITTEN", 7) == 0,
       "pwrite of the file shows in the mapping");
    ok(msync(map, size, MS_SYNC) == 0, "msync(MS_SYNC)");
    ok(munmap(map, size) == 0, "munmap: the last mapping of the file");
    close(go[0]);
    close(go[1]);
    close(done[0]);
    close(done[1]);
    close(fd);

    /* No process maps it any more: what fs kept went to the file, and a new mapping reads
     * it from there. */
    fd = open(kPath, O_RDONLY);
    memset(text, 0, sizeof text);
    ok(pread(fd, text, 17, 2 * PAGE + 10) == 17 && memcmp(text, "the child's words", 17) == 0,
       "the file holds the mapped writes after the last munmap");
    char* again = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, PAGE);
    ok(again != MAP_FAILED && strcmp(again, "the parent's words") == 0,
       "a new shared read-only mapping at an offset reads them");
    if (again != MAP_FAILED) {
        ok(write_faults(again, 'x') == SIGSEGV, "a write to it raises SIGSEGV");
        munmap(again, PAGE);
    }
    close(fd);
    unlink(kPath);
}

/* A touch of a page wholly beyond the end of the file is SIGBUS (BUS_ADRERR at the address);
 * the rest of the file's last page reads zeros. */
static void test_file_beyond_end(void) {
    int fd = make_file(PAGE + 100);
    ok(fd >= 0, "a file of a page and 100 bytes");
    if (fd < 0) return;
    static const int kinds[] = {MAP_SHARED, MAP_PRIVATE};
    for (int k = 0; k < 2; ++k) {
        const char* kind = kinds[k] == MAP_SHARED ? "shared" : "private";
        char* map = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, kinds[k], fd, 0);
        ok(map != MAP_FAILED, "a %s mapping of 4 pages of it", kind);
        if (map == MAP_FAILED) continue;
        ok(read_faults(map + PAGE + 200) == 0 && map[PAGE + 200] == 0 && map[PAGE + 99] != 0,
           "%s: the file's last page reads zeros after the end", kind);
        int signal = read_faults(map + 2 * PAGE + 8);
        ok(signal == SIGBUS && caught_code == BUS_ADRERR && caught_address == map + 2 * PAGE + 8,
           "%s: a read of the page after it raises SIGBUS, BUS_ADRERR, at its address "
           "(signal %d, code %d)",
           kind, signal, caught_code);
        signal = write_faults(map + 3 * PAGE + 4095, 'x');
        ok(signal == SIGBUS && caught_address == map + 3 * PAGE + 4095,
           "%s: a write to the last page too (signal %d)", kind, signal);
        ok(munmap(map, 4 * PAGE) == 0, "%s: munmap", kind);
    }
    char* far = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 4 * PAGE);
    ok(far != MAP_FAILED && read_faults(far) == SIGBUS,
       "a mapping wholly past the end: SIGBUS at its first byte");
    if (far != MAP_FAILED) munmap(far, PAGE);

    /* A process that does not catch it ends by SIGBUS. */
    pid_t child = fork();
    if (child == 0) {
        signal(SIGBUS, SIG_DFL);
        char* map = mmap(NULL, 3 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
        if (map == MAP_FAILED) _exit(2);
        (void)*(volatile char*)(map + 2 * PAGE + 1);
        _exit(3);
    }
    int status = reap(child);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS,
       "a process that does not catch it is ended by SIGBUS (status %#x)", status);
    close(fd);
    unlink(kPath);
}

/* ftruncate while mapped: the pages past the new end are gone from the mapping (SIGBUS), the
 * rest of the end's page reads zeros, and a file grown again has the pages back, zero. */
static void test_file_truncated(void) {
    int fd = make_file(2 * PAGE);
    char* map =
        fd < 0 ? MAP_FAILED : mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ok(map != MAP_FAILED, "a shared mapping of a 2-page file");
    if (map == MAP_FAILED) return;
    map[PAGE + 5] = 'Q';
    ok(ftruncate(fd, PAGE) == 0, "ftruncate to one page");
    ok(map[10] == 'a' + 10, "the page before the end stays");
    int signal = read_faults(map + PAGE + 5);
    ok(signal == SIGBUS && caught_code == BUS_ADRERR && caught_address == map + PAGE + 5,
       "a touch past the new end raises SIGBUS, BUS_ADRERR, at its address (signal %d)", signal);
    ok(write_faults(map + PAGE, 'x') == SIGBUS, "a write there too");
    ok(ftruncate(fd, 100) == 0 && map[99] == (char)('a' + 99 % 26) && map[100] == 0 &&
           map[PAGE - 1] == 0,
       "ftruncate into the first page: the rest of that page reads zeros");
    ok(ftruncate(fd, 2 * PAGE) == 0 && read_faults(map + PAGE + 5) == 0 && map[PAGE + 5] == 0,
       "the file grown again: the page is back, zero");
    map[PAGE + 6] = 'R';
    char byte = 0;
    ok(msync(map, 2 * PAGE, MS_SYNC) == 0 && pread(fd, &byte, 1, PAGE + 6) == 1 && byte == 'R',
       "and a store there reaches the file");
    ok(ftruncate(fd, 0) == 0 && read_faults(map) == SIGBUS, "an empty file: SIGBUS at its start");
    ok(pwrite(fd, "grow", 4, 0) == 4 && read_faults(map) == 0 && memcmp(map, "grow", 4) == 0,
       "a write grows it: the mapping sees the bytes");
    munmap(map, 2 * PAGE);
    byte = 1;
    ok(ftruncate(fd, 2 * PAGE) == 0 && pread(fd, &byte, 1, PAGE + 5) == 1 && byte == 0,
       "the file grown again reads zeros there");
    close(fd);
    unlink(kPath);
}

static int fails_with(void* result, int expected) {
    return result == MAP_FAILED && errno == expected;
}

static void test_errors(void) {
    errno = 0;
    ok(fails_with(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL),
       "EINVAL: length 0");
    errno = 0;
    ok(fails_with(mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL),
       "EINVAL: neither MAP_SHARED nor MAP_PRIVATE");
    errno = 0;
    ok(fails_with(mmap(NULL, PAGE, PROT_READ, MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                  EINVAL),
       "EINVAL: both");
    errno = 0;
    ok(fails_with(
           mmap((void*)0x20000123, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
           EINVAL),
       "EINVAL: MAP_FIXED at an unaligned address");
    int fd = open("/tmp/errors", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(fd, "x", 1);
    errno = 0;
    ok(fails_with(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100), EINVAL),
       "EINVAL: an unaligned offset");
    close(fd);
    unlink("/tmp/errors");
    errno = 0;
    ok(fails_with(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 55, 0), EBADF),
       "EBADF: no such descriptor");
    int ends[2];
    if (pipe(ends) == 0) {
        errno = 0;
        ok(fails_with(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, ends[0], 0), ENODEV),
           "ENODEV: a pipe");
        close(ends[0]);
        close(ends[1]);
    } else {
        ok(0, "ENODEV: a pipe (no pipe: errno %d)", errno);
    }
    errno = 0;
    ok(fails_with(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 1, 0), ENODEV), "ENODEV: the console");
    errno = 0;
    ok(fails_with(
           mmap(NULL, 0x80000000u, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
           ENOMEM),
       "ENOMEM: 2 GiB of anonymous memory (over the quota)");
    errno = 0;
    ok(munmap((void*)0x20000123, PAGE) == -1 && errno == EINVAL, "munmap: EINVAL unaligned");
    errno = 0;
    ok(munmap((void*)0x20000000, 0) == -1 && errno == EINVAL, "munmap: EINVAL length 0");
    errno = 0;
    ok(mprotect((void*)0x20000000, PAGE, 0x80) == -1 && errno == EINVAL,
       "mprotect: EINVAL unknown protection");
    errno = 0;
    ok(msync((void*)0x20000000, PAGE, MS_SYNC | MS_ASYNC) == -1 && errno == EINVAL,
       "msync: EINVAL MS_SYNC with MS_ASYNC");
    ok(madvise((void*)0x20000000, PAGE, MADV_SEQUENTIAL) == 0, "madvise: advice taken");
}

/* fs registers its name once it has looked for a disk: until then every file call answers
 * ENOENT (no such server). */
static int wait_for_fs(void) {
    for (int i = 0; i < 1000; ++i) {
        if (access("/tmp", F_OK) == 0) return 1;
        usleep(10000);
    }
    return 0;
}

int main(void) {
    printf("TAP version 13\n");
    ok(wait_for_fs(), "fs answers");
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = leave_fault;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, NULL);
    sigaction(SIGBUS, &action, NULL);

    test_anonymous_private();
    test_anonymous_shared();
    test_unmap_and_protect();
    test_file_private();
    test_file_shared();
    test_file_beyond_end();
    test_file_truncated();
    test_errors();

    printf("1..%d\n", tests);
    printf("# %d of %d failed\n", failures, tests);
    printf("AXOLOTL: END OF TESTS\n");
    return failures == 0 ? 0 : 1;
}
