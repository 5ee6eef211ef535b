/* File-system and pipe operations, timed the same way on Axolotl (bench/guest/fs_bench.c)
 * and on Linux (bench/linux/linux_bench.c): rdtsc, the C library calls, rdtsc. Under
 * `-icount shift=0,sleep=off` a delta is the instructions of the whole operation — the C
 * library, the kernel, and on Axolotl libposix, the IPC to fs and fs's work — plus the rdtsc
 * pair. Every function returns 0 when an operation failed (the caller reports the result as
 * not measurable). C only (newlib and glibc). */
#ifndef AXO_BENCH_FS_OPS_H
#define AXO_BENCH_FS_OPS_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define BENCH_FS_DIR "/fsbench"
#define BENCH_FS_FILE "/fsbench/file"       /* 4 KiB, read and overwritten */
#define BENCH_FS_MISSING "/fsbench/missing" /* never created */
#define BENCH_FS_SEQ "/fsbench/seq"         /* the sequential file */
#define BENCH_FS_CHUNK 4096
#define BENCH_FS_SEQ_CHUNK 65536

static inline uint32_t bench_fs_rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return lo;
}

/* The whole counter, for what may last longer than 2^32 (the sequential rows). */
static inline uint64_t bench_fs_rdtsc64(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static char bench_fs_buffer[BENCH_FS_SEQ_CHUNK];

/* The directory and the 4 KiB file the other operations use; 0 on failure. */
static inline int bench_fs_prepare(void) {
    mkdir(BENCH_FS_DIR, 0755);
    int fd = open(BENCH_FS_FILE, O_CREAT | O_TRUNC | O_RDWR, 0644);
    if (fd < 0) return 0;
    memset(bench_fs_buffer, 'f', BENCH_FS_CHUNK);
    int ok = write(fd, bench_fs_buffer, BENCH_FS_CHUNK) == BENCH_FS_CHUNK;
    return close(fd) == 0 && ok;
}

/* open of an existing file for reading, and its close. */
static inline uint32_t bench_fs_open_close(void) {
    uint32_t t0 = bench_fs_rdtsc();
    int fd = open(BENCH_FS_FILE, O_RDONLY);
    int closed = fd >= 0 ? close(fd) : -1;
    uint32_t t1 = bench_fs_rdtsc();
    return closed == 0 ? t1 - t0 : 0;
}

/* stat of an existing file. */
static inline uint32_t bench_fs_stat(void) {
    struct stat st;
    uint32_t t0 = bench_fs_rdtsc();
    int r = stat(BENCH_FS_FILE, &st);
    uint32_t t1 = bench_fs_rdtsc();
    return r == 0 && st.st_size == BENCH_FS_CHUNK ? t1 - t0 : 0;
}

/* stat of a path whose last component does not exist (ENOENT). */
static inline uint32_t bench_fs_stat_missing(void) {
    struct stat st;
    uint32_t t0 = bench_fs_rdtsc();
    int r = stat(BENCH_FS_MISSING, &st);
    uint32_t t1 = bench_fs_rdtsc();
    return r != 0 ? t1 - t0 : 0;
}

/* pread of the whole 4 KiB file at offset 0 (cached: it was just written and read). */
static inline uint32_t bench_fs_pread_4k(int fd) {
    uint32_t t0 = bench_fs_rdtsc();
    ssize_t n = pread(fd, bench_fs_buffer, BENCH_FS_CHUNK, 0);
    uint32_t t1 = bench_fs_rdtsc();
    return n == BENCH_FS_CHUNK ? t1 - t0 : 0;
}

/* pwrite of 4 KiB over the file's 4 KiB at offset 0 (no allocation, nothing written out). */
static inline uint32_t bench_fs_write_4k(int fd) {
    uint32_t t0 = bench_fs_rdtsc();
    ssize_t n = pwrite(fd, bench_fs_buffer, BENCH_FS_CHUNK, 0);
    uint32_t t1 = bench_fs_rdtsc();
    return n == BENCH_FS_CHUNK ? t1 - t0 : 0;
}

/* `kib` KiB written to a new (truncated) file in 64 KiB writes, fsync, close; then opened
 * again and read back in 64 KiB reads. Returns the write part (creat through close) in
 * `*write_part` and the read part in `*read_part`, per KiB; 0 on failure, else their sum. */
static inline uint32_t bench_fs_sequential(uint32_t kib, uint32_t* write_part,
                                           uint32_t* read_part) {
    uint32_t chunks = kib / (BENCH_FS_SEQ_CHUNK / 1024);
    memset(bench_fs_buffer, 's', sizeof bench_fs_buffer);
    uint64_t t0 = bench_fs_rdtsc64();
    int fd = open(BENCH_FS_SEQ, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0) return 0;
    for (uint32_t i = 0; i < chunks; ++i)
        if (write(fd, bench_fs_buffer, BENCH_FS_SEQ_CHUNK) != BENCH_FS_SEQ_CHUNK) {
            close(fd);
            return 0;
        }
    if (fsync(fd) != 0 || close(fd) != 0) return 0;
    uint64_t t1 = bench_fs_rdtsc64();
    fd = open(BENCH_FS_SEQ, O_RDONLY);
    if (fd < 0) return 0;
    uint32_t got = 0;
    for (;;) {
        ssize_t n = read(fd, bench_fs_buffer, BENCH_FS_SEQ_CHUNK);
        if (n <= 0) break;
        got += (uint32_t)n;
    }
    close(fd);
    uint64_t t2 = bench_fs_rdtsc64();
    if (got != kib * 1024) return 0;
    *write_part = (uint32_t)((t1 - t0) / kib);
    *read_part = (uint32_t)((t2 - t1) / kib);
    return (uint32_t)((t2 - t0) / kib);
}

/* Two pipes to a child process that echoes every byte it reads back: 1 byte there and back
 * (`bench_pipe_roundtrip`), or `kib` KiB there in 4 KiB writes that the child reads in 4 KiB
 * reads, and one byte back when it got them all (`bench_pipe_throughput`). */
struct bench_pipe_pair {
    int there[2], back[2];
    pid_t child;
};

/* mode 'e': echo every byte; mode 's': read `kib` KiB, answer one byte, again. */
static inline int bench_pipe_start(struct bench_pipe_pair* p, char mode, uint32_t kib) {
    if (pipe(p->there) != 0 || pipe(p->back) != 0) return 0;
    p->child = fork();
    if (p->child < 0) return 0;
    if (p->child == 0) {
        /* Our copy of the write end would keep the child's read from ever seeing EOF. */
        close(p->there[1]);
        close(p->back[0]);
        if (mode == 'e') {
            char c;
            while (read(p->there[0], &c, 1) == 1 && write(p->back[1], &c, 1) == 1) {
            }
        } else {
            for (;;) {
                uint32_t got = 0;
                while (got < kib * 1024) {
                    ssize_t n = read(p->there[0], bench_fs_buffer, BENCH_FS_CHUNK);
                    if (n <= 0) _exit(0);
                    got += (uint32_t)n;
                }
                if (write(p->back[1], "k", 1) != 1) _exit(0);
            }
        }
        _exit(0);
    }
    close(p->there[0]);
    close(p->back[1]);
    return 1;
}

static inline void bench_pipe_stop(struct bench_pipe_pair* p) {
    close(p->there[1]); /* EOF: the child leaves */
    waitpid(p->child, (int*)0, 0);
    close(p->back[0]);
}

static inline uint32_t bench_pipe_roundtrip(struct bench_pipe_pair* p) {
    char c = 'x';
    uint32_t t0 = bench_fs_rdtsc();
    if (write(p->there[1], &c, 1) != 1 || read(p->back[0], &c, 1) != 1) return 0;
    uint32_t t1 = bench_fs_rdtsc();
    return t1 - t0;
}

static inline uint32_t bench_pipe_throughput(struct bench_pipe_pair* p, uint32_t kib) {
    char c;
    memset(bench_fs_buffer, 'p', BENCH_FS_CHUNK);
    uint32_t t0 = bench_fs_rdtsc();
    for (uint32_t i = 0; i < kib / (BENCH_FS_CHUNK / 1024); ++i)
        if (write(p->there[1], bench_fs_buffer, BENCH_FS_CHUNK) != BENCH_FS_CHUNK) return 0;
    if (read(p->back[0], &c, 1) != 1) return 0;
    uint32_t t1 = bench_fs_rdtsc();
    return t1 - t0;
}

/* ---- the rows: the same driver on both systems --------------------------------------- */

#define BENCH_FS_MAX_ROUNDS 1000

static uint32_t bench_fs_samples[BENCH_FS_MAX_ROUNDS];

static int bench_fs_compare(const void* a, const void* b) {
    uint32_t x = *(const uint32_t*)a, y = *(const uint32_t*)b;
    return x < y ? -1 : x > y;
}

static inline uint32_t bench_fs_median(int rounds) {
    qsort(bench_fs_samples, (size_t)rounds, sizeof bench_fs_samples[0], bench_fs_compare);
    return bench_fs_samples[rounds / 2];
}

static inline void bench_fs_report(const char* prefix, const char* name, uint32_t value,
                                   const char* unit) {
    printf("BENCH %s%s %u %s\n", prefix, name, (unsigned)value, unit);
    fflush(stdout);
}

static inline void bench_fs_skip(const char* prefix, const char* name, const char* why) {
    printf("BENCH-SKIP %s%s %s\n", prefix, name, why);
    fflush(stdout);
}

enum {
    BENCH_FS_OPEN_CLOSE,
    BENCH_FS_STAT,
    BENCH_FS_STAT_MISSING,
    BENCH_FS_PREAD,
    BENCH_FS_WRITE,
    BENCH_PIPE_ROUNDTRIP
};

static inline uint32_t bench_fs_once(int which, int fd, struct bench_pipe_pair* pipes) {
    switch (which) {
    case BENCH_FS_OPEN_CLOSE:
        return bench_fs_open_close();
    case BENCH_FS_STAT:
        return bench_fs_stat();
    case BENCH_FS_STAT_MISSING:
        return bench_fs_stat_missing();
    case BENCH_FS_PREAD:
        return bench_fs_pread_4k(fd);
    case BENCH_FS_WRITE:
        return bench_fs_write_4k(fd);
    default:
        return bench_pipe_roundtrip(pipes);
    }
}

/* Every row, printed as `BENCH <prefix><name> <value> <unit>`: the median of `rounds` after
 * `warmup` for the small operations, of `seq_rounds` for the sequential ones (per KiB).
 * `only` (NULL: all): that row of the small ones alone (for profiling one operation). */
static inline void bench_fs_rows(const char* prefix, const char* unit, int warmup, int rounds,
                                 int seq_rounds, uint32_t seq_kib, uint32_t pipe_kib,
                                 const char* only) {
    static const char* const names[] = {"fs.open_close", "fs.stat",     "fs.stat.missing",
                                        "fs.pread.4k",   "fs.write.4k", "pipe.roundtrip"};
    if (rounds < 1 || rounds > BENCH_FS_MAX_ROUNDS) rounds = BENCH_FS_MAX_ROUNDS;
    if (seq_rounds < 1 || seq_rounds > BENCH_FS_MAX_ROUNDS) seq_rounds = 3;
    if (!bench_fs_prepare()) {
        for (int k = 0; k < 5; ++k)
            bench_fs_skip(prefix, names[k], "no file " BENCH_FS_FILE);
        return;
    }
    int fd = open(BENCH_FS_FILE, O_RDWR);
    struct bench_pipe_pair pipes;
    int have_pipes = bench_pipe_start(&pipes, 'e', 0);
    for (int k = 0; k < 6; ++k) {
        if (only != (const char*)0 && strcmp(only, names[k]) != 0) continue;
        if (k == BENCH_PIPE_ROUNDTRIP && !have_pipes) {
            bench_fs_skip(prefix, names[k], "no pipe or no fork");
            continue;
        }
        int i;
        for (i = 0; i < warmup + rounds; ++i) {
            uint32_t d = bench_fs_once(k, fd, &pipes);
            if (d == 0) break;
            if (i >= warmup) bench_fs_samples[i - warmup] = d;
        }
        if (i < warmup + rounds)
            bench_fs_skip(prefix, names[k], "the operation failed");
        else
            bench_fs_report(prefix, names[k], bench_fs_median(rounds), unit);
    }
    if (have_pipes) bench_pipe_stop(&pipes);
    close(fd);
    if (only != (const char*)0) return;

    /* Throughput: 1 warm-up round, then the median of seq_rounds, per KiB. */
    if (bench_pipe_start(&pipes, 's', pipe_kib)) {
        int i;
        for (i = 0; i < 1 + seq_rounds; ++i) {
            uint32_t d = bench_pipe_throughput(&pipes, pipe_kib);
            if (d == 0) break;
            if (i >= 1) bench_fs_samples[i - 1] = d / pipe_kib;
        }
        bench_pipe_stop(&pipes);
        if (i < 1 + seq_rounds)
            bench_fs_skip(prefix, "pipe.throughput", "the transfer failed");
        else
            bench_fs_report(prefix, "pipe.throughput", bench_fs_median(seq_rounds), unit);
    } else {
        bench_fs_skip(prefix, "pipe.throughput", "no pipe or no fork");
    }

    uint32_t writes[BENCH_FS_MAX_ROUNDS], reads[BENCH_FS_MAX_ROUNDS];
    int i;
    for (i = 0; i < seq_rounds; ++i) {
        uint32_t w = 0, r = 0;
        uint32_t d = bench_fs_sequential(seq_kib, &w, &r);
        if (d == 0) break;
        bench_fs_samples[i] = d;
        writes[i] = w;
        reads[i] = r;
    }
    unlink(BENCH_FS_SEQ);
    if (i < seq_rounds) {
        bench_fs_skip(prefix, "fs.seq.8mib", "the sequential write or read failed");
        return;
    }
    bench_fs_report(prefix, "fs.seq.8mib", bench_fs_median(seq_rounds), unit);
    memcpy(bench_fs_samples, writes, sizeof writes[0] * (size_t)seq_rounds);
    bench_fs_report(prefix, "fs.seq.8mib.write", bench_fs_median(seq_rounds), unit);
    memcpy(bench_fs_samples, reads, sizeof reads[0] * (size_t)seq_rounds);
    bench_fs_report(prefix, "fs.seq.8mib.read", bench_fs_median(seq_rounds), unit);
}

#endif
