/*
 * posix_suite's file cases (README.md): libposix's file calls on the running fs (tmpfs as /,
 * tmpfs on /tmp), each call and its main errors, newlib's stdio on files, directory streams,
 * descriptors shared with dup and with a forked child, and handles released at fs by close and
 * dup2. Everything happens under /px, which the first test makes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "axolotl/syscalls.h"
#include "interfaces/process/wire.h"
#include "suite.h"

/* fs's limit of handles per process (servers/fs/vfs/vfs.h kMaxHandles): a loop that opens
 * three times as many files and leaks the handles meets EMFILE. */
#define FS_HANDLES_PER_PROCESS 64

static int errno_is(int result, int expected_errno) {
    return result == -1 && errno == expected_errno;
}

static mode_t mode_of(const char* path) {
    struct stat st;
    return stat(path, &st) == 0 ? st.st_mode : 0;
}

static off_t size_of(const char* path) {
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

static int put_file(const char* path, const char* text) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* fs registers with proc's name service after it mounted its file systems; the suite may start
 * first. */
static int wait_for_fs(void) {
    for (int i = 0; i < 500; ++i) {
        if (access("/", F_OK) == 0) return 1;
        usleep(10000);
    }
    return 0;
}

static void test_open_read_write(void) {
    umask(022);
    int made = mkdir("/px", 0777) == 0;
    mode_t mode = mode_of("/px");
    ok(made && S_ISDIR(mode) && (mode & 0777) == 0755, "mkdir with the umask applied (mode %o)",
       (unsigned)mode);
    int fd = open("/px/f", O_RDWR | O_CREAT | O_EXCL, 0666);
    ok(fd == 3, "open O_CREAT|O_EXCL gives the lowest free descriptor (%d)", fd);
    ok((mode_of("/px/f") & 0777) == 0644, "the new file's mode is 0666 under umask 022 (%o)",
       (unsigned)(mode_of("/px/f") & 0777));
    ok(errno_is(open("/px/f", O_RDWR | O_CREAT | O_EXCL, 0666), EEXIST),
       "open O_CREAT|O_EXCL of an existing file: EEXIST");
    ok(write(fd, "hello, world", 12) == 12, "write 12 bytes");
    ok(lseek(fd, 7, SEEK_SET) == 7, "lseek SEEK_SET");
    char data[64] = {0};
    ok(read(fd, data, sizeof data) == 5 && memcmp(data, "world", 5) == 0,
       "read after lseek gives the rest (%s)", data);
    ok(read(fd, data, sizeof data) == 0, "read at the end: 0");
    ok(pwrite(fd, "W", 1, 7) == 1 && pread(fd, data, 5, 7) == 5 && memcmp(data, "World", 5) == 0,
       "pwrite, then pread sees it");
    ok(lseek(fd, 0, SEEK_CUR) == 12, "pread and pwrite leave the offset");
    ok(lseek(fd, -1, SEEK_END) == 11, "lseek SEEK_END -1");
    ok(errno_is(lseek(fd, -100, SEEK_CUR), EINVAL), "lseek before the start: EINVAL");
    ok(errno_is(lseek(fd, 0, 9), EINVAL), "lseek with an unknown whence: EINVAL");
    ok(errno_is(pread(fd, data, 1, -1), EINVAL), "pread at a negative offset: EINVAL");
    ok(errno_is(lseek(1, 0, SEEK_SET), ESPIPE), "lseek on the console: ESPIPE");
    ok(errno_is(pwrite(1, "x", 1, 0), ESPIPE), "pwrite on the console: ESPIPE");
    ok(!isatty(fd) && errno == ENOTTY, "isatty of a file: 0, ENOTTY");
    ok(isatty(1), "isatty of the console");

    static char big[100000], back[100000];
    for (unsigned i = 0; i < sizeof big; ++i)
        big[i] = (char)(i * 7);
    ok(pwrite(fd, big, sizeof big, 20) == (ssize_t)sizeof big, "pwrite 100000 bytes");
    ok(pread(fd, back, sizeof back, 20) == (ssize_t)sizeof back &&
           memcmp(big, back, sizeof big) == 0,
       "pread gives the 100000 bytes back (several requests through the 32 KiB buffer)");
    ok(ftruncate(fd, 12) == 0 && size_of("/px/f") == 12, "ftruncate to 12");
    ok(errno_is(ftruncate(fd, -1), EINVAL), "ftruncate to a negative size: EINVAL");
    ok(truncate("/px/f", 5) == 0 && size_of("/px/f") == 5, "truncate to 5");
    ok(errno_is(truncate("/px/none", 0), ENOENT), "truncate of a missing file: ENOENT");
    ok(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync, fdatasync");
    ok(errno_is(fsync(1), EINVAL), "fsync of the console: EINVAL");
    sync();
    ok(close(fd) == 0, "close");
    ok(errno_is(close(fd), EBADF), "close again: EBADF");
    ok(errno_is(read(fd, data, 1), EBADF), "read of a closed descriptor: EBADF");
    ok(errno_is(fstat(fd, &(struct stat){0}), EBADF), "fstat of a closed descriptor: EBADF");

    int ro = open("/px/f", O_RDONLY);
    ok(ro >= 0 && errno_is(write(ro, "x", 1), EBADF), "write on O_RDONLY: EBADF");
    close(ro);
    int wo = open("/px/f", O_WRONLY);
    ok(wo >= 0 && errno_is(read(wo, data, 1), EBADF), "read on O_WRONLY: EBADF");
    close(wo);

    /* O_APPEND, O_TRUNC, creat */
    put_file("/px/f", "hello");
    int ap = open("/px/f", O_WRONLY | O_APPEND);
    ok(ap >= 0 && lseek(ap, 0, SEEK_SET) == 0 && write(ap, "!", 1) == 1 && size_of("/px/f") == 6,
       "O_APPEND writes at the end whatever the offset");
    close(ap);
    int tr = open("/px/f", O_WRONLY | O_TRUNC);
    ok(tr >= 0 && size_of("/px/f") == 0, "O_TRUNC empties the file");
    close(tr);
    int cr = creat("/px/c", 0640);
    ok(cr >= 0 && write(cr, "c", 1) == 1 && (mode_of("/px/c") & 0777) == 0640,
       "creat makes a file for writing");
    ok(errno_is(read(cr, data, 1), EBADF), "creat's descriptor is write-only");
    close(cr);

    /* readv, writev */
    int v = open("/px/v", O_RDWR | O_CREAT | O_TRUNC, 0644);
    struct iovec out[3] = {{"abc", 3}, {"", 0}, {"defgh", 5}};
    ok(writev(v, out, 3) == 8 && size_of("/px/v") == 8, "writev of three pieces");
    char a[3], b[10];
    struct iovec in[2] = {{a, sizeof a}, {b, sizeof b}};
    lseek(v, 0, SEEK_SET);
    ok(readv(v, in, 2) == 8 && memcmp(a, "abc", 3) == 0 && memcmp(b, "defgh", 5) == 0,
       "readv into two pieces");
    ok(errno_is(writev(v, out, 0), EINVAL), "writev of no pieces: EINVAL");
    ok(errno_is(readv(99, in, 2), EBADF), "readv of a closed descriptor: EBADF");
    close(v);
}

static void test_open_errors(void) {
    ok(errno_is(open("/px/none", O_RDONLY), ENOENT), "open of a missing file: ENOENT");
    ok(errno_is(open("/px/none/x", O_RDONLY | O_CREAT, 0644), ENOENT),
       "create in a missing directory: ENOENT");
    ok(errno_is(open("/px/f/x", O_RDONLY), ENOTDIR), "a file as a directory: ENOTDIR");
    ok(errno_is(open("/px", O_WRONLY), EISDIR), "open a directory for writing: EISDIR");
    ok(errno_is(open("/px/f", O_RDONLY | O_DIRECTORY), ENOTDIR), "O_DIRECTORY on a file: ENOTDIR");
    ok(errno_is(open("/px/f", O_ACCMODE), EINVAL), "access mode 3: EINVAL");
    char name[300];
    memset(name, 'n', sizeof name);
    memcpy(name, "/px/", 4);
    name[sizeof name - 1] = '\0';
    ok(errno_is(open(name, O_RDONLY | O_CREAT, 0644), ENAMETOOLONG),
       "a name of 295 bytes: ENAMETOOLONG");
    static char path[5000];
    memset(path, 'p', sizeof path);
    path[0] = '/';
    path[sizeof path - 1] = '\0';
    ok(errno_is(open(path, O_RDONLY), ENAMETOOLONG), "a path of 5000 bytes: ENAMETOOLONG");
    ok(symlink("/px/loop2", "/px/loop1") == 0 && symlink("/px/loop1", "/px/loop2") == 0,
       "two symlinks naming each other");
    ok(errno_is(open("/px/loop1", O_RDONLY), ELOOP), "open through a symlink loop: ELOOP");
    ok(symlink("f", "/px/s") == 0, "symlink s -> f");
    ok(errno_is(open("/px/s", O_RDONLY | O_NOFOLLOW), ELOOP), "O_NOFOLLOW on a symlink: ELOOP");
    int fd = open("/px/s", O_RDONLY);
    ok(fd >= 0, "open follows a symlink");
    close(fd);
    ok(errno_is(open("", O_RDONLY), ENOENT), "open of an empty path: ENOENT");

    /* EMFILE: the descriptor table (64) or fs's handles (64 per process) run out. */
    int fds[70], opened = 0, last = 0;
    while (opened < 70) {
        last = open("/px/f", O_RDONLY);
        if (last < 0) break;
        fds[opened++] = last;
    }
    ok(last == -1 && errno == EMFILE && opened >= 50, "open until EMFILE (%d open)", opened);
    for (int i = 0; i < opened; ++i)
        close(fds[i]);
    fd = open("/px/f", O_RDONLY);
    ok(fd >= 0, "after closing them, open works again");
    close(fd);
}

static void test_descriptors(void) {
    put_file("/px/d", "0123456789");
    int fd = open("/px/d", O_RDWR);
    int copy = dup(fd);
    ok(copy > fd, "dup of a file (%d)", copy);
    char c = 0;
    ok(read(fd, &c, 1) == 1 && c == '0' && read(copy, &c, 1) == 1 && c == '1',
       "dup shares the offset");
    ok(close(copy) == 0 && read(fd, &c, 1) == 1 && c == '2',
       "closing the copy leaves the original open");
    int high = fcntl(fd, F_DUPFD, 20);
    ok(high == 20 && fcntl(high, F_GETFD) == 0, "F_DUPFD 20, without close-on-exec");
    ok(lseek(high, 0, SEEK_CUR) == 3, "F_DUPFD's copy shares the offset");
    int cloexec = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    ok(cloexec >= 0 && fcntl(cloexec, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC");
    close(cloexec);
    close(high);
    ok((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR, "F_GETFL: O_RDWR");
    ok(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK) == 0 &&
           (fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK)) == (O_APPEND | O_NONBLOCK),
       "F_SETFL sets O_APPEND and O_NONBLOCK at fs");
    lseek(fd, 0, SEEK_SET);
    ok(write(fd, "x", 1) == 1 && size_of("/px/d") == 11, "and writes now append");
    ok(fcntl(fd, F_SETFL, 0) == 0 && (fcntl(fd, F_GETFL) & O_APPEND) == 0, "F_SETFL clears them");
    ok(errno_is(fcntl(fd, 12345, 0), EINVAL), "an unknown fcntl: EINVAL");
    int nb = open("/px/d", O_RDONLY | O_NONBLOCK);
    ok(nb >= 0 && (fcntl(nb, F_GETFL) & O_NONBLOCK) != 0, "open O_NONBLOCK: F_GETFL shows it");
    close(nb);
    int oc = open("/px/d", O_RDONLY | O_CLOEXEC);
    ok(oc >= 0 && fcntl(oc, F_GETFD) == FD_CLOEXEC, "O_CLOEXEC sets close-on-exec");
    close(oc);

    int console = dup2(1, fd);
    ok(console == fd && isatty(fd), "dup2 of the console over a file");
    ok(dup2(fd, fd) == fd, "dup2 onto itself");
    ok(errno_is(dup2(fd, 64), EBADF) && errno_is(dup2(99, 5), EBADF), "dup2 out of range: EBADF");
    close(fd);

    /* Every handle at fs is released: three times fs's limit of handles, dup2 and close. */
    int good = 1;
    for (int i = 0; i < 3 * FS_HANDLES_PER_PROCESS && good; ++i) {
        int f = open("/px/d", O_RDONLY);
        int g = open("/px/d", O_RDONLY);
        good = f >= 0 && g >= 0 && dup2(g, f) == f && close(g) == 0 && dup2(1, f) == f &&
               close(f) == 0;
    }
    ok(good, "dup2 over an open file and close release its handle at fs (%d rounds)",
       3 * FS_HANDLES_PER_PROCESS);
}

/* libposix's step of exec on the table (descriptors.cc). */
void axo_close_on_exec_descriptors(void);

static void test_close_on_exec(void) {
    int good = 1;
    for (int i = 0; i < 3 * FS_HANDLES_PER_PROCESS && good; ++i) {
        int kept = open("/px/d", O_RDONLY);
        int dropped = open("/px/d", O_RDONLY | O_CLOEXEC);
        int dup_dropped = fcntl(kept, F_DUPFD_CLOEXEC, 30);
        axo_close_on_exec_descriptors();
        good = kept >= 0 && dropped >= 0 && dup_dropped >= 30 && fcntl(kept, F_GETFD) == 0 &&
               errno_is(fcntl(dropped, F_GETFD), EBADF) &&
               errno_is(fcntl(dup_dropped, F_GETFD), EBADF) && close(kept) == 0;
    }
    ok(good, "exec's step closes the close-on-exec descriptors and releases their handles at fs");
    ok(isatty(0) && isatty(1) && isatty(2), "and keeps the standard descriptors");
}

static void test_attributes(void) {
    put_file("/px/a", "attributes");
    struct stat st, fst;
    int fd = open("/px/a", O_RDONLY);
    ok(stat("/px/a", &st) == 0 && fstat(fd, &fst) == 0, "stat and fstat");
    ok(S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0644 && st.st_size == 10 && st.st_nlink == 1 &&
           st.st_uid == 0 && st.st_gid == 0,
       "stat: mode %o, size %ld, links %u, uid %u, gid %u", (unsigned)st.st_mode, (long)st.st_size,
       (unsigned)st.st_nlink, (unsigned)st.st_uid, (unsigned)st.st_gid);
    ok(st.st_ino != 0 && st.st_ino == fst.st_ino && st.st_dev == fst.st_dev &&
           st.st_size == fst.st_size,
       "fstat agrees with stat (ino %u, dev %d)", (unsigned)st.st_ino, (int)st.st_dev);
    ok(st.st_blksize > 0 && st.st_blocks * 512 >= st.st_size, "st_blksize %ld, st_blocks %ld",
       (long)st.st_blksize, (long)st.st_blocks);
    time_t now = time(NULL);
    ok(st.st_mtime <= now + 1 && st.st_mtime + 5 >= now && st.st_ctime == st.st_mtime,
       "st_mtime is now (%lld, time() %lld)", (long long)st.st_mtime, (long long)now);
    struct stat root = {0}, tmp = {0};
    int both = stat("/", &root) == 0 && stat("/tmp", &tmp) == 0;
    ok(both && root.st_dev == st.st_dev && tmp.st_dev != st.st_dev,
       "st_dev: / and /px on one mount (%d, %d), /tmp on another (%d)", (int)root.st_dev,
       (int)st.st_dev, (int)tmp.st_dev);
    ok(errno_is(stat("/px/none", &st), ENOENT), "stat of a missing file: ENOENT");
    ok(errno_is(stat("/px/a/b", &st), ENOTDIR), "stat through a file: ENOTDIR");
    close(fd);

    ok(symlink("a", "/px/la") == 0 && lstat("/px/la", &st) == 0 && S_ISLNK(st.st_mode) &&
           st.st_size == 1,
       "lstat sees the symlink itself");
    ok(stat("/px/la", &st) == 0 && S_ISREG(st.st_mode), "stat follows it");
    ok(fstatat(AT_FDCWD, "/px/la", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode),
       "fstatat AT_SYMLINK_NOFOLLOW");

    ok(access("/px/a", F_OK) == 0 && access("/px/a", R_OK | W_OK) == 0, "access F_OK, R_OK|W_OK");
    ok(errno_is(access("/px/none", F_OK), ENOENT), "access of a missing file: ENOENT");
    ok(errno_is(access("/px/a", 0x10), EINVAL), "access with unknown bits: EINVAL");

    ok(chmod("/px/a", 0600) == 0 && (mode_of("/px/a") & 07777) == 0600, "chmod");
    fd = open("/px/a", O_RDONLY);
    ok(fchmod(fd, 0640) == 0 && (mode_of("/px/a") & 07777) == 0640, "fchmod");
    ok(chown("/px/a", 1000, 1000) == 0 && stat("/px/a", &st) == 0 && st.st_uid == 1000 &&
           st.st_gid == 1000,
       "chown to 1000:1000");
    ok(chown("/px/a", (uid_t)-1, 5) == 0 && stat("/px/a", &st) == 0 && st.st_uid == 1000 &&
           st.st_gid == 5,
       "chown with uid -1 keeps the owner");
    ok(fchown(fd, 0, 0) == 0 && stat("/px/a", &st) == 0 && st.st_uid == 0 && st.st_gid == 0,
       "fchown");
    ok(lchown("/px/la", 7, 7) == 0 && lstat("/px/la", &st) == 0 && st.st_uid == 7 &&
           stat("/px/la", &st) == 0 && st.st_uid == 0,
       "lchown changes the link, not its target");
    ok(errno_is(chmod("/px/none", 0644), ENOENT), "chmod of a missing file: ENOENT");

    struct timeval times[2] = {{1000, 0}, {2000, 500000}};
    ok(utimes("/px/a", times) == 0 && stat("/px/a", &st) == 0 && st.st_atime == 1000 &&
           st.st_mtime == 2000 && st.st_mtim.tv_nsec == 500000000,
       "utimes sets both times");
    struct utimbuf u = {3000, 4000};
    ok(utime("/px/a", &u) == 0 && stat("/px/a", &st) == 0 && st.st_atime == 3000 &&
           st.st_mtime == 4000,
       "utime");
    ok(utime("/px/a", NULL) == 0 && stat("/px/a", &st) == 0 && st.st_mtime + 5 >= time(NULL),
       "utime(NULL): now");
    ok(futimes(fd, times) == 0 && fstat(fd, &st) == 0 && st.st_mtime == 2000, "futimes");
    struct timeval bad[2] = {{0, 1000000}, {0, 0}};
    ok(errno_is(utimes("/px/a", bad), EINVAL), "utimes with 1e6 microseconds: EINVAL");

    // utimensat and futimens (busybox's touch uses them): nanoseconds, UTIME_OMIT, UTIME_NOW.
    struct timespec ns[2] = {{5000, 7}, {0, UTIME_OMIT}};
    ok(utimensat(AT_FDCWD, "/px/a", ns, 0) == 0 && stat("/px/a", &st) == 0 && st.st_atime == 5000 &&
           st.st_atim.tv_nsec == 7 && st.st_mtime == 2000,
       "utimensat sets the access time and UTIME_OMIT keeps the modification time");
    struct timespec only_mtime[2] = {{0, UTIME_OMIT}, {6000, 0}};
    ok(utimensat(AT_FDCWD, "/px/a", only_mtime, 0) == 0 && stat("/px/a", &st) == 0 &&
           st.st_atime == 5000 && st.st_mtime == 6000,
       "utimensat with the access time omitted keeps it");
    ok(utimensat(AT_FDCWD, "/px/a", NULL, 0) == 0 && stat("/px/a", &st) == 0 &&
           st.st_mtime + 5 >= time(NULL) && st.st_atime + 5 >= time(NULL),
       "utimensat(NULL): both now");
    struct timespec now_and_fixed[2] = {{0, UTIME_NOW}, {7000, 0}};
    ok(futimens(fd, now_and_fixed) == 0 && fstat(fd, &st) == 0 && st.st_mtime == 7000 &&
           st.st_atime + 5 >= time(NULL),
       "futimens: UTIME_NOW for one time, a given one for the other");
    ok(errno_is(utimensat(AT_FDCWD, "/px/none", NULL, 0), ENOENT),
       "utimensat of a missing file: ENOENT (touch then creates it)");
    struct timespec bad_ns[2] = {{0, 1000000000L}, {0, 0}};
    ok(errno_is(utimensat(AT_FDCWD, "/px/a", bad_ns, 0), EINVAL),
       "utimensat with 1e9 nanoseconds: EINVAL");
    struct timespec link_times[2] = {{8000, 0}, {9000, 0}};
    ok(utimensat(AT_FDCWD, "/px/la", link_times, AT_SYMLINK_NOFOLLOW) == 0 &&
           lstat("/px/la", &st) == 0 && st.st_mtime == 9000 && stat("/px/la", &st) == 0 &&
           st.st_mtime == 7000,
       "utimensat with AT_SYMLINK_NOFOLLOW changes the link, not its target");
    close(fd);

    mode_t old = umask(077);
    ok(old == 022, "umask returns the old mask");
    int u7 = open("/px/u", O_CREAT | O_WRONLY, 0666);
    ok((mode_of("/px/u") & 0777) == 0600, "a file made under umask 077 is 0600");
    close(u7);
    ok(mkdir("/px/ud", 0777) == 0 && (mode_of("/px/ud") & 0777) == 0700,
       "a directory made under umask 077 is 0700");
    umask(022);

    /* EACCES as another user (a child that gave up root). */
    chmod("/px/a", 0600);
    pid_t child = fork();
    if (child == 0) {
        int good = setgid(1000) == 0 && setuid(1000) == 0;
        good = good && errno_is(open("/px/a", O_RDONLY), EACCES);
        good = good && errno_is(access("/px/a", R_OK), EACCES);
        good = good && errno_is(mkdir("/px/mine", 0755), EACCES);
        good = good && errno_is(chmod("/px/a", 0666), EPERM);
        _exit(good ? 0 : 1);
    }
    int status = reap(child);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
       "uid 1000: open, access and mkdir EACCES, chmod EPERM (%#x)", status);
}

static void test_names(void) {
    put_file("/px/n", "names");
    struct stat st;
    ok(link("/px/n", "/px/n2") == 0 && stat("/px/n", &st) == 0 && st.st_nlink == 2,
       "link: two links");
    ok(errno_is(link("/px/n", "/px/n2"), EEXIST), "link to an existing name: EEXIST");
    ok(errno_is(link("/px", "/px/dirlink"), EPERM), "link of a directory: EPERM");
    ok(unlink("/px/n2") == 0 && stat("/px/n", &st) == 0 && st.st_nlink == 1, "unlink one");
    ok(errno_is(unlink("/px/n2"), ENOENT), "unlink again: ENOENT");
    ok(errno_is(unlink("/px/ud"), EISDIR) || errno == EPERM, "unlink of a directory: EISDIR/EPERM");
    ok(rename("/px/n", "/px/m") == 0 && access("/px/n", F_OK) != 0 && size_of("/px/m") == 5,
       "rename a file");
    ok(mkdir("/px/dir", 0755) == 0 && put_file("/px/dir/inside", "x") == 0 &&
           rename("/px/dir", "/px/moved") == 0 && size_of("/px/moved/inside") == 1,
       "rename a directory (one request, not link and unlink)");
    ok(errno_is(rename("/px/moved", "/px/moved/sub"), EINVAL),
       "rename a directory into itself: EINVAL");
    ok(errno_is(rename("/px/none", "/px/x"), ENOENT), "rename of a missing name: ENOENT");
    ok(errno_is(rmdir("/px/moved"), ENOTEMPTY), "rmdir of a non-empty directory: ENOTEMPTY");
    ok(unlink("/px/moved/inside") == 0 && rmdir("/px/moved") == 0, "rmdir once empty");
    ok(errno_is(rmdir("/px/m"), ENOTDIR), "rmdir of a file: ENOTDIR");
    ok(errno_is(mkdir("/px/m", 0755), EEXIST), "mkdir over a file: EEXIST");
    ok(errno_is(rename("/px/m", "/tmp/m"), EXDEV), "rename across mounts: EXDEV");

    char target[64];
    memset(target, 0, sizeof target);
    int linked = symlink("some/where", "/px/sl") == 0;
    ssize_t target_length = readlink("/px/sl", target, sizeof target);
    ok(linked && target_length == 10 && strcmp(target, "some/where") == 0,
       "symlink and readlink (%s)", target);
    ok(readlink("/px/sl", target, 4) == 4 && memcmp(target, "some", 4) == 0,
       "readlink cuts the target to the buffer");
    ok(errno_is(readlink("/px/m", target, sizeof target), EINVAL), "readlink of a file: EINVAL");
    ok(errno_is(symlink("x", "/px/sl"), EEXIST), "symlink over a name: EEXIST");

    ok(mkfifo("/px/fifo", 0644) == 0 && S_ISFIFO(mode_of("/px/fifo")), "mkfifo");
    int made = mknod("/px/null", S_IFCHR | 0666, (1 << 8) | 3) == 0 && stat("/px/null", &st) == 0;
    ok(made && S_ISCHR(st.st_mode) && st.st_rdev == ((1 << 8) | 3),
       "mknod of a character device 1:3 (st_rdev %#x)", (unsigned)st.st_rdev);
    int dev = open("/px/null", O_RDWR);
    ok(dev >= 0 && !isatty(dev), "a device that is no console opens as a file of fs");
    close(dev);
    ok(mknod("/px/console", S_IFCHR | 0620, (5 << 8) | 1) == 0, "mknod of /dev/console's 5:1");
    int con = open("/px/console", O_WRONLY);
    ok(con >= 0 && isatty(con) && write(con, "", 0) == 0,
       "opening the console's device gives a console descriptor");
    struct stat cst;
    ok(fstat(con, &cst) == 0 && S_ISCHR(cst.st_mode), "and fstat calls it a character device");
    close(con);
    /* devfs names /dev/null; its data is fs's to route (not yet: ENOTSUP), its node is ours. */
    int null = open("/dev/null", O_RDWR);
    struct stat nst = {0};
    int null_stat = fstat(null, &nst);
    ok(null >= 0 && null_stat == 0 && S_ISCHR(nst.st_mode) && nst.st_rdev == ((1 << 8) | 3) &&
           !isatty(null),
       "/dev/null opens as a file of fs, a character device 1:3 (%#x)", (unsigned)nst.st_rdev);
    close(null);
}

static void test_working_directory(void) {
    char cwd[PATH_MAX];
    ok(getcwd(cwd, sizeof cwd) != NULL && strcmp(cwd, "/") == 0, "getcwd at start: /");
    int changed = chdir("/px") == 0 && getcwd(cwd, sizeof cwd) != NULL;
    ok(changed && strcmp(cwd, "/px") == 0, "chdir /px, getcwd (%s)", cwd);
    ok(size_of("m") == 5, "a relative path starts at the working directory");
    ok(getcwd(cwd, 3) == NULL && errno == ERANGE, "getcwd into a small buffer: ERANGE");
    ok(getcwd(cwd, 0) == NULL && errno == EINVAL, "getcwd of size 0: EINVAL");
    char* allocated = getcwd(NULL, 0);
    ok(allocated != NULL && strcmp(allocated, "/px") == 0, "getcwd(NULL, 0) allocates");
    free(allocated);
    allocated = getcwd(NULL, 2);
    ok(allocated == NULL && errno == ERANGE, "getcwd(NULL, 2): ERANGE");
    ok(errno_is(chdir("/px/m"), ENOTDIR) && errno_is(chdir("/px/none"), ENOENT),
       "chdir to a file: ENOTDIR, to nothing: ENOENT");
    int root = open("/", O_RDONLY | O_DIRECTORY);
    ok(root >= 0 && fchdir(root) == 0 && getcwd(cwd, sizeof cwd) != NULL && strcmp(cwd, "/") == 0,
       "fchdir back to /");
    int file = open("/px/m", O_RDONLY);
    ok(errno_is(fchdir(file), ENOTDIR), "fchdir to a file: ENOTDIR");
    close(file);
    int px = open("/px", O_RDONLY | O_DIRECTORY);
    struct stat st;
    ok(fstatat(px, "m", &st, 0) == 0 && st.st_size == 5, "fstatat relative to a directory");
    int rel = openat(px, "m", O_RDONLY);
    ok(rel >= 0, "openat relative to a directory");
    close(rel);
    ok(mkdirat(px, "at", 0755) == 0 && unlinkat(px, "at", AT_REMOVEDIR) == 0,
       "mkdirat and unlinkat AT_REMOVEDIR");
    ok(errno_is(openat(99, "m", O_RDONLY), EBADF), "openat with a closed descriptor: EBADF");
    ok(errno_is(openat(root, "px/m/x", O_RDONLY), ENOTDIR), "openat through a file: ENOTDIR");
    close(px);
    close(root);

    char resolved[PATH_MAX];
    symlink("/px/moved2", "/px/abs");
    mkdir("/px/moved2", 0755);
    const char* got = realpath("/px/../px/./s", resolved);
    ok(got != NULL && strcmp(resolved, "/px/f") == 0,
       "realpath resolves ., .. and a relative symlink (%s)", got ? resolved : "NULL");
    got = realpath("/px/abs/../m", resolved);
    ok(got != NULL && strcmp(resolved, "/px/m") == 0,
       "realpath through an absolute symlink, then .. (%s)", got ? resolved : "NULL");
    chdir("/px");
    char* mine = realpath("s", NULL);
    ok(mine != NULL && strcmp(mine, "/px/f") == 0, "realpath of a relative path, allocated");
    free(mine);
    chdir("/");
    ok(realpath("/px/none", resolved) == NULL && errno == ENOENT, "realpath of nothing: ENOENT");
    ok(realpath("/px/loop1", resolved) == NULL && errno == ELOOP, "realpath of a loop: ELOOP");
    ok(realpath("/px/m/x", resolved) == NULL && errno == ENOTDIR,
       "realpath through a file: ENOTDIR");
}

static void test_directories(void) {
    mkdir("/px/list", 0755);
    char name[64];
    for (int i = 0; i < 150; ++i) {
        snprintf(name, sizeof name, "/px/list/entry-%03d", i);
        put_file(name, "");
    }
    mkdir("/px/list/sub", 0755);
    symlink("entry-000", "/px/list/link");
    DIR* dir = opendir("/px/list");
    ok(dir != NULL && dirfd(dir) >= 0, "opendir, dirfd");
    int count = 0, seen[150] = {0}, dots = 0, sub_is_dir = 0, link_is_link = 0, regular = 1;
    struct dirent* entry;
    errno = 0;
    while ((entry = readdir(dir)) != NULL) {
        ++count;
        int n;
        if (sscanf(entry->d_name, "entry-%d", &n) == 1 && n >= 0 && n < 150) {
            ++seen[n];
            regular = regular && entry->d_type == DT_REG && entry->d_ino != 0;
        }
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) ++dots;
        if (strcmp(entry->d_name, "sub") == 0) sub_is_dir = entry->d_type == DT_DIR;
        if (strcmp(entry->d_name, "link") == 0) link_is_link = entry->d_type == DT_LNK;
    }
    int all = 1;
    for (int i = 0; i < 150; ++i)
        all = all && seen[i] == 1;
    ok(errno == 0 && count == 154 && all && dots == 2,
       "readdir lists ., .., 150 files, sub and link once each (%d entries, several requests)",
       count);
    ok(regular && sub_is_dir && link_is_link, "d_type: DT_REG, DT_DIR, DT_LNK");
    struct stat st;
    stat("/px/list/entry-007", &st);
    rewinddir(dir);
    int again = 0, ino_matches = 0;
    while ((entry = readdir(dir)) != NULL) {
        ++again;
        if (strcmp(entry->d_name, "entry-007") == 0) ino_matches = entry->d_ino == st.st_ino;
    }
    ok(again == 154, "rewinddir, then readdir lists them again (%d)", again);
    ok(ino_matches, "d_ino is stat's st_ino");
    ok(closedir(dir) == 0, "closedir");
    ok(opendir("/px/none") == NULL && errno == ENOENT, "opendir of nothing: ENOENT");
    ok(opendir("/px/m") == NULL && errno == ENOTDIR, "opendir of a file: ENOTDIR");
    int fd = open("/px/list", O_RDONLY | O_DIRECTORY);
    DIR* from_fd = fdopendir(fd);
    ok(from_fd != NULL && dirfd(from_fd) == fd && readdir(from_fd) != NULL, "fdopendir");
    struct dirent storage = {0}, *next = NULL;
    ok(readdir_r(from_fd, &storage, &next) == 0 && next == &storage && storage.d_name[0] != '\0',
       "readdir_r (%s)", storage.d_name);
    closedir(from_fd);
    ok(errno_is(fcntl(fd, F_GETFD), EBADF), "closedir closes its descriptor");
    int file = open("/px/m", O_RDONLY);
    ok(fdopendir(file) == NULL && errno == ENOTDIR, "fdopendir of a file: ENOTDIR");
    close(file);
    int listed = open("/px/list", O_RDONLY);
    char byte;
    ok(errno_is(read(listed, &byte, 1), EISDIR), "read of a directory: EISDIR");
    close(listed);
}

static void test_stdio(void) {
    FILE* f = fopen("/px/stdio.txt", "w");
    ok(f != NULL, "fopen for writing");
    for (int i = 0; i < 200; ++i)
        fprintf(f, "line %d of the file\n", i);
    ok(fclose(f) == 0, "fprintf 200 lines, fclose");
    f = fopen("/px/stdio.txt", "r");
    char line[64];
    int good = f != NULL;
    for (int i = 0; i < 200 && good; ++i) {
        char want[64];
        snprintf(want, sizeof want, "line %d of the file\n", i);
        good = fgets(line, sizeof line, f) != NULL && strcmp(line, want) == 0;
    }
    ok(good, "fgets reads the 200 lines back");
    ok(f != NULL && fgets(line, sizeof line, f) == NULL && feof(f), "then end of file");
    ok(f != NULL && fseek(f, 5, SEEK_SET) == 0 && ftell(f) == 5 && fgetc(f) == '0',
       "fseek and ftell");
    fclose(f);
    f = fopen("/px/stdio.txt", "a");
    fputs("appended\n", f);
    fclose(f);
    f = fopen("/px/stdio.txt", "r");
    fseek(f, -9, SEEK_END);
    ok(fgets(line, sizeof line, f) != NULL && strcmp(line, "appended\n") == 0,
       "fopen \"a\" appends");
    fclose(f);
    ok(fopen("/px/none", "r") == NULL && errno == ENOENT, "fopen of nothing: ENOENT");
    ok(remove("/px/stdio.txt") == 0 && access("/px/stdio.txt", F_OK) != 0, "remove");
}

static void test_fork_shares_offset(void) {
    put_file("/px/shared", "abcdef");
    int fd = open("/px/shared", O_RDONLY);
    char c = 0;
    read(fd, &c, 1);
    pid_t child = fork();
    if (child == 0) {
        char two[2];
        int good = read(fd, two, 2) == 2 && two[0] == 'b' && two[1] == 'c';
        /* The child's own files work too (its thread attaches to fs anew). */
        good = good && put_file("/px/child", "child") == 0;
        _exit(good ? 0 : 1);
    }
    int status = reap(child);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
       "a forked child reads on from the parent's offset (%#x)", status);
    ok(read(fd, &c, 1) == 1 && c == 'd', "and the parent continues after the child's reads");
    ok(size_of("/px/child") == 5, "the child's file is there");
    close(fd);
}

/* ---- pipe(): a child writes through stdout redirected with dup2, the parent reads ---- */
static void test_pipe(void) {
    /* Each condition before its ok(): the order of an argument list's evaluation is open. */
    int ends[2] = {-1, -1};
    int made = pipe(ends) == 0 && ends[0] >= 0 && ends[1] >= 0 && ends[0] != ends[1];
    ok(made, "pipe gives two descriptors (%d, %d)", ends[0], ends[1]);
    struct stat st = {0};
    int fifo = fstat(ends[0], &st) == 0 && S_ISFIFO(st.st_mode);
    ok(fifo, "its read end is a FIFO (%#o)", (unsigned)st.st_mode);
    pid_t child = fork();
    if (child == 0) {
        close(ends[0]);
        int good = dup2(ends[1], 1) == 1 && close(ends[1]) == 0;
        /* More than one session buffer, so the parent's reads take several requests. */
        static char block[40000];
        memset(block, 'p', sizeof block);
        good = good && write(1, block, sizeof block) == (ssize_t)sizeof block;
        _exit(good ? 0 : 1);
    }
    close(ends[1]);
    size_t total = 0;
    int all_p = 1;
    char buffer[50000];
    for (int i = 0; i < 100; ++i) {
        ssize_t n = read(ends[0], buffer, sizeof buffer);
        if (n <= 0) break;
        for (ssize_t j = 0; j < n; ++j)
            all_p = all_p && buffer[j] == 'p';
        total += (size_t)n;
    }
    ok(total == 40000 && all_p, "the parent reads the child's 40000 bytes, then end of file (%u)",
       (unsigned)total);
    int status = reap(child);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the writer exited normally (%#x)", status);
    ok(read(ends[0], buffer, 1) == 0, "a read after the last writer went is end of file");
    close(ends[0]);
    int again[2];
    ok(pipe(again) == 0 && close(again[0]) == 0 && signal(SIGPIPE, SIG_IGN) != SIG_ERR &&
           errno_is(write(again[1], "x", 1), EPIPE),
       "a write without a reader fails with EPIPE (SIGPIPE ignored)");
    signal(SIGPIPE, SIG_DFL);
    close(again[1]);
    int held[2];
    ok(pipe(held) == 0 && write(held[1], "ten bytes!", 10) == 10 &&
           read(held[0], buffer, sizeof buffer) == 10,
       "a read of a pipe returns what is there, not waiting for the whole count");
    close(held[0]);
    close(held[1]);
}

/* ---- Supplementary groups: getgrouplist from /etc/group, initgroups, setgroups, getgroups ---- */
static void test_groups(void) {
    int own_file = access("/etc/group", F_OK) != 0;
    if (own_file) {
        mkdir("/etc", 0755);
        FILE* file = fopen("/etc/group", "w");
        ok(file != NULL, "an /etc/group for the test");
        if (file == NULL) return;
        fputs("root:x:0:\nwheel:x:10:root,alice\nusers:x:100:alice,bob\nalicia:x:20:alicia\n",
              file);
        fclose(file);
    }
    ok(getgroups(0, NULL) >= 0, "getgroups(0) counts the groups (%d)", getgroups(0, NULL));
    gid_t list[16] = {0};
    int count = 16;
    int got = getgrouplist("alice", 100, list, &count);
    ok(got == 2 && count == 2 && list[0] == 100 && list[1] == 10,
       "getgrouplist: the given group first, then the others that list the user, each once "
       "(%d: %d, %d)",
       got, (int)list[0], (int)list[1]);
    count = 1;
    ok(getgrouplist("alice", 100, list, &count) == -1 && count == 2,
       "getgrouplist with room for one: -1 and the number needed");
    count = 4;
    ok(getgrouplist("nobody", 7, list, &count) == 1 && list[0] == 7,
       "getgrouplist of a user in no group: the given one");
    pid_t child = fork();
    if (child == 0) {
        gid_t mine[16] = {0};
        int good = initgroups("alice", 100) == 0 && getgroups(16, mine) == 2 && mine[0] == 100 &&
                   mine[1] == 10;
        good = good && getgroups(1, mine) == -1 && errno == EINVAL;
        gid_t many[17] = {0};
        good = good && setgroups(17, many) == -1 && errno == EINVAL;
        good = good && setuid(1000) == 0 && setgroups(0, NULL) == -1 && errno == EPERM;
        good = good && getgroups(0, NULL) == 2; /* kept across setuid */
        _exit(good ? 0 : 1);
    }
    int status = reap(child);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
       "initgroups sets them (getgroups reads them back), setgroups of 17 is EINVAL and of a "
       "user EPERM (status %#x)",
       status);
    if (own_file) unlink("/etc/group");
}

/* ---- Devices fs serves move the whole count, like a regular file (not a pipe's short read) */
static void test_device_reads(void) {
    const size_t size = 1u << 20;
    char* buffer = malloc(size);
    if (buffer == NULL) {
        ok(0, "a 1 MiB buffer");
        return;
    }
    memset(buffer, 0x5a, size);
    int zero = open("/dev/zero", O_RDONLY);
    ssize_t got = zero < 0 ? -1 : read(zero, buffer, size);
    size_t nonzero = 0;
    for (size_t i = 0; i < size; ++i)
        nonzero += buffer[i] != 0;
    ok(got == (ssize_t)size && nonzero == 0,
       "one read of 1 MiB from /dev/zero gives 1 MiB of zeros (%d, %u not zero)", (int)got,
       (unsigned)nonzero);
    close(zero);
    int random = open("/dev/urandom", O_RDONLY);
    got = random < 0 ? -1 : read(random, buffer, 100000);
    ok(got == 100000, "one read of 100000 bytes from /dev/urandom gives them all (%d)", (int)got);
    close(random);
    int null = open("/dev/null", O_RDONLY);
    ok(null >= 0 && read(null, buffer, size) == 0, "a read of /dev/null is end of file at once");
    close(null);
    free(buffer);
}

/* ---- A second thread of the process (kProcThreadCreate) has a session of its own ---- */
static volatile int thread_result = -1;
static char thread_stack[16384] __attribute__((aligned(16)));

static void second_thread(void) {
    int fd = open("/px/thread", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char back[6] = {0};
    int good = fd >= 0 && write(fd, "thread", 6) == 6 && pread(fd, back, 6, 0) == 6 &&
               memcmp(back, "thread", 6) == 0 && close(fd) == 0;
    thread_result = good;
    for (;;) /* parked: proc ends it with the process */
        axo_ipc_receive(axo_my_utcb()->my_id, AXO_TIMEOUT_NEVER);
}

static void test_second_thread(void) {
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[1] = (uint32_t)(uintptr_t)second_thread;
    utcb->mr[2] = (uint32_t)(uintptr_t)(thread_stack + sizeof thread_stack) - 16;
    utcb->mr[0] = axo_msg_tag(AXO_PROC_THREAD_CREATE, 2, 0);
    axo_timeout_t timeout = axo_timeout_us(2000000);
    axo_msg_tag_t tag =
        axo_ipc_call(axo_kernel_interface()->root_task, axo_timeouts(timeout, timeout));
    int created = !axo_tag_failed(tag) && axo_tag_label(tag) == 0;
    for (int i = 0; created && thread_result < 0 && i < 500; ++i)
        usleep(10000);
    ok(created && thread_result == 1,
       "a second thread opens, writes and reads a file through a session of its own");
    char back[6] = {0};
    int fd = open("/px/thread", O_RDONLY);
    ok(fd >= 0 && read(fd, back, 6) == 6 && memcmp(back, "thread", 6) == 0,
       "and the first thread, on its own session, reads what it wrote");
    close(fd);
}

void test_files(void) {
    if (!wait_for_fs()) {
        ok(0, "fs answers");
        return;
    }
    test_open_read_write();
    test_open_errors();
    test_descriptors();
    test_close_on_exec();
    test_attributes();
    test_names();
    test_working_directory();
    test_directories();
    test_stdio();
    test_second_thread();
    test_fork_shares_offset();
    test_device_reads();
    test_groups();
    test_pipe();
    test_locks();
}
