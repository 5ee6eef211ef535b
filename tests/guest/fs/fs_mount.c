/*
 * fs_mount: mount and umount at run time through libposix (README.md), and fs's statistics.
 * The root is a tmpfs; the second disk (the secondary channel's master, /dev/hdc) holds an
 * ext2 that tests/system/fs_mount_disk.py made with `mke2fs -d` (the files below). A tmpfs is
 * mounted, used, refused to unmount while a file is open or a working directory is inside,
 * unmounted and found empty when mounted again; the ext2 is mounted, its files read, the cache
 * counters watched (a cold read misses, a second one hits, a write leaves dirty blocks, sync
 * cleans them), written, unmounted clean, mounted read-only (EROFS), and written once more for
 * the host to check with debugfs and e2fsck -fn after the run. TAP on the console.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsstat.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* -1 with errno `want`: the call failed as it should. */
static int fails_with(int result, int want) {
    return result == -1 && errno == want;
}

/* fs_mount_disk.py's pattern for the big files: the same bytes on both sides. */
static unsigned char pattern_byte(unsigned seed, unsigned offset) {
    unsigned x = offset * 2654435761u + seed * 40503u + (offset >> 10);
    return (unsigned char)(x ^ (x >> 13) ^ (x >> 24));
}

static int write_text(const char* path, const char* text) {
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int read_text(const char* path, char* out, size_t size) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t n = read(fd, out, size - 1);
    close(fd);
    if (n < 0) return -1;
    out[n] = '\0';
    return (int)n;
}

/* Reads the whole file and compares it with pattern `seed`: its length, or -1. */
static long read_pattern(const char* path, unsigned seed) {
    static unsigned char chunk[4096];
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    long total = 0;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0) {
            total = -1;
            break;
        }
        if (n == 0) break;
        for (ssize_t i = 0; i < n; ++i)
            if (chunk[i] != pattern_byte(seed, (unsigned)(total + i))) {
                close(fd);
                return -1;
            }
        total += n;
    }
    close(fd);
    return total;
}

static void test_refused_to_others(void) {
    mkdir("/mnt", 0755);
    pid_t child = fork();
    if (child == 0) {
        if (setuid(1000) != 0) _exit(10);
        if (!fails_with(mount("none", "/mnt", "tmpfs", 0, NULL), EPERM)) _exit(11);
        if (!fails_with(umount("/tmp"), EPERM)) _exit(12);
        _exit(0);
    }
    int status = -1;
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
       "mount and umount by a user other than root: EPERM (child status %x)", status);
}

static void test_tmpfs(void) {
    struct stat root, mounted;
    int result = mount("none", "/mnt", "tmpfs", 0, NULL);
    ok(result == 0, "mount -t tmpfs none /mnt (errno %d)", result == 0 ? 0 : errno);
    memset(&root, 0, sizeof root);
    memset(&mounted, 0, sizeof mounted);
    int looked = stat("/", &root) == 0 && stat("/mnt", &mounted) == 0;
    ok(looked && root.st_dev != mounted.st_dev && S_ISDIR(mounted.st_mode),
       "/mnt is a directory of another file system (st_dev %d, /: %d)", (int)mounted.st_dev,
       (int)root.st_dev);
    ok(fails_with(mount("none", "/mnt", "tmpfs", 0, NULL), EBUSY),
       "a second mount on the same directory: EBUSY");
    ok(write_text("/mnt/file", "in the tmpfs\n") == 0, "a file written in it");

    int fd = open("/mnt/file", O_RDONLY);
    ok(fd >= 0 && fails_with(umount("/mnt"), EBUSY), "umount while a file is open: EBUSY");
    close(fd);
    ok(chdir("/mnt") == 0 && fails_with(umount("/mnt"), EBUSY),
       "umount while the working directory is inside: EBUSY");
    result = chdir("/") == 0 ? umount("/mnt") : -1;
    ok(result == 0, "umount once nothing uses it (errno %d)", result == 0 ? 0 : errno);
    ok(stat("/mnt/file", &mounted) == -1 && errno == ENOENT,
       "the file is gone with the mount (/mnt is the bare directory again)");
    ok(fails_with(umount("/mnt"), EINVAL), "umount of a directory that is no mount: EINVAL");

    ok(mount("none", "/mnt", "tmpfs", MS_SILENT, NULL) == 0 && stat("/mnt/file", &mounted) == -1 &&
           errno == ENOENT,
       "a tmpfs mounted again starts empty");
    ok(umount2("/mnt", 0) == 0, "umount2(/mnt, 0)");
}

static void test_errors(void) {
    ok(fails_with(mount("none", "/mnt", "nosuchfs", 0, NULL), ENODEV),
       "an unknown file system type: ENODEV");
    ok(fails_with(mount("none", "/nowhere", "tmpfs", 0, NULL), ENOENT),
       "a missing mount point: ENOENT");
    ok(write_text("/plain", "x") == 0 &&
           fails_with(mount("none", "/plain", "tmpfs", 0, NULL), ENOTDIR),
       "a mount point that is a file: ENOTDIR");
    ok(fails_with(mount("none", "/mnt", "tmpfs", MS_REMOUNT, NULL), EINVAL),
       "MS_REMOUNT (not served): EINVAL");
    ok(fails_with(mount("/dev/null", "/mnt", "ext2", 0, NULL), ENXIO),
       "ext2 from a character device: ENXIO");
    ok(fails_with(mount("/dev/nothing", "/mnt", "ext2", 0, NULL), ENOENT),
       "ext2 from a missing device node: ENOENT");
    ok(fails_with(umount("/"), EINVAL), "umount of the root: EINVAL");
    ok(fails_with(umount2("/tmp", MNT_DETACH), EINVAL), "a lazy umount (not served): EINVAL");
}

static int statistics(struct fs_statistics* out) {
    return fs_statistics(out);
}

static void test_ext2(void) {
    mkdir("/disk", 0755);
    struct fs_statistics before, after;
    memset(&before, 0, sizeof before);
    memset(&after, 0, sizeof after);
    int answered = statistics(&before) == 0;
    ok(answered && before.mounts >= 3, "fs_statistics answers (mounts %u, open files %u)",
       before.mounts, before.open_files);
    int result = mount("/dev/hdc", "/disk", "ext2", 0, NULL);
    ok(result == 0, "mount /dev/hdc /disk (ext2) (errno %d)", result == 0 ? 0 : errno);
    answered = statistics(&after) == 0;
    ok(answered && after.mounts == before.mounts + 1, "the statistics count the mount (%u -> %u)",
       before.mounts, after.mounts);
    ok(fails_with(mount("/dev/hdc", "/mnt", "ext2", 0, NULL), EBUSY),
       "the same disk mounted twice: EBUSY");

    char text[128];
    ok(read_text("/disk/hello.txt", text, sizeof text) > 0 &&
           strcmp(text, "hello from the host\n") == 0,
       "a file the host wrote reads back");
    ok(read_pattern("/disk/deep/a/b/c.bin", 2) == 5000,
       "a file deep in the host's tree reads back");

    /* The cache: a cold file's blocks are misses, the second read of it hits. */
    struct fs_statistics cold, warm, dirty, clean;
    statistics(&before);
    long length = read_pattern("/disk/cold.bin", 1);
    statistics(&cold);
    ok(length == 65536, "the cold 64 KiB file reads back (%ld bytes)", length);
    ok(cold.cache_misses >= before.cache_misses + 16,
       "reading it raises the misses by its blocks (%llu -> %llu)", before.cache_misses,
       cold.cache_misses);
    (void)read_pattern("/disk/cold.bin", 1);
    statistics(&warm);
    ok(warm.cache_hits >= cold.cache_hits + 16 && warm.cache_misses == cold.cache_misses,
       "reading it again hits (hits %llu -> %llu, misses %llu -> %llu)", cold.cache_hits,
       warm.cache_hits, cold.cache_misses, warm.cache_misses);
    ok(warm.cache_blocks >= 16, "the cache holds its blocks (%u)", warm.cache_blocks);

    ok(write_text("/disk/written.txt", "written by the guest\n") == 0, "a new file written");
    statistics(&dirty);
    ok(dirty.cache_dirty > 0, "the write leaves dirty blocks (%u)", dirty.cache_dirty);
    sync();
    statistics(&clean);
    ok(clean.cache_dirty == 0, "sync writes them back (dirty %u)", clean.cache_dirty);

    int fd = open("/disk/hello.txt", O_RDONLY);
    memset(&after, 0, sizeof after);
    statistics(&after);
    ok(fd >= 0 && after.open_files >= 1 && fails_with(umount("/disk"), EBUSY),
       "umount with a file open: EBUSY (open files %u)", after.open_files);
    close(fd);
    result = umount("/disk");
    ok(result == 0, "umount /disk (errno %d)", result == 0 ? 0 : errno);
    ok(stat("/disk/hello.txt", &(struct stat){0}) == -1 && errno == ENOENT,
       "its files are gone from the tree");

    ok(mount("/dev/hdc", "/disk", "ext2", MS_RDONLY, NULL) == 0, "mounted again, read-only");
    ok(read_text("/disk/written.txt", text, sizeof text) > 0 &&
           strcmp(text, "written by the guest\n") == 0,
       "the file written before the umount is there");
    ok(fails_with(open("/disk/new", O_CREAT | O_WRONLY, 0644), EROFS),
       "a read-only mount refuses a new file: EROFS");
    ok(umount("/disk") == 0, "umount of the read-only mount");

    ok(mount("/dev/hdc", "/disk", "ext2", 0, NULL) == 0, "mounted read-write once more");
    ok(write_text("/disk/deep/last.txt", "the last write\n") == 0 && unlink("/disk/hello.txt") == 0,
       "a file written and one removed");
    ok(umount("/disk") == 0, "umount: written back and clean for the host's checks");
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
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("TAP version 13\n");
    ok(wait_for_fs(), "fs answers");
    test_refused_to_others();
    test_tmpfs();
    test_errors();
    test_ext2();
    printf("1..%d\n", tests);
    printf("# %d of %d failed\n", failures, tests);
    printf("AXOLOTL: END OF TESTS\n");
    return failures == 0 ? 0 : 1;
}
