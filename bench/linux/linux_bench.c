/* The Linux baseline of the Axolotl benchmark: /init of an initramfs booted on Debian's
 * i386 kernel under the same QEMU as Axolotl (bench.py builds and boots it). Measures with
 * rdtsc like bench/guest does — under `-icount shift=0,sleep=off` rdtsc counts guest
 * instructions, in a plain TCG run it reads the host's TSC — and prints
 *
 *     BENCH <name> <median> <unit>
 *
 * on the console, then leaves QEMU through isa-debug-exit (status 33, like Axolotl).
 * Environment: mode=wall (from the kernel command line) prints the unit `tsc-ticks`
 * instead of `instructions`; the numbers are the same rdtsc deltas either way.
 *
 * Built static with `gcc -m32 -static` (glibc: read, write and friends enter the kernel
 * through the vDSO's sysenter, as every Linux program does; getppid is timed as a raw
 * `int $0x80`, the same kind of entry as Axolotl's `int $0x30`). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/reboot.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/first_touch.h"
#include "../common/fs_ops.h"
#include "../common/mmap_touch.h"
#include "../common/process_ops.h"
#include "../common/select_ready.h"

#define WARMUP 100
#define ROUNDS 1000
#define DEBUG_EXIT_PORT 0xf4 /* QEMU's isa-debug-exit: status (v << 1) | 1 */
#define DEBUG_EXIT_DONE 0x10 /* 33, what Axolotl's kernel writes */

static uint32_t samples[ROUNDS];
static uint32_t calibration;
static const char* unit = "instructions";

static inline uint32_t rdtsc32(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return lo;
}

static int compare(const void* a, const void* b) {
    uint32_t x = *(const uint32_t*)a, y = *(const uint32_t*)b;
    return x < y ? -1 : x > y;
}

static uint32_t median(void) {
    qsort(samples, ROUNDS, sizeof samples[0], compare);
    return samples[ROUNDS / 2];
}

static void report(const char* name) {
    printf("BENCH %s %u %s\n", name, median() - calibration, unit);
    fflush(stdout);
}

/* The same four instructions that start every timed entry in bench/guest/probes.S, with a
 * rdtsc where the int would be. */
static uint32_t timed_entry_overhead(void) {
    uint32_t t0, t1;
    __asm__ volatile("rdtsc\n\t"
                     "movl %%eax, %0\n\t"
                     "movl $0, %%eax\n\t"
                     "movl $0, %%edx\n\t"
                     "rdtsc\n\t"
                     "movl %%eax, %1"
                     : "=m"(t0), "=r"(t1)
                     :
                     : "eax", "edx");
    return t1 - t0;
}

/* getppid by `int $0x80`, timed from the rdtsc before the int to the first instruction
 * after the kernel returned: the kernel's entry, work and exit. */
static uint32_t timed_getppid(void) {
    uint32_t t0, t1;
    __asm__ volatile("rdtsc\n\t"
                     "movl %%eax, %0\n\t"
                     "movl %2, %%eax\n\t"
                     "movl $0, %%edx\n\t"
                     "int $0x80\n\t"
                     "rdtsc\n\t"
                     "movl %%eax, %1"
                     : "=m"(t0), "=r"(t1)
                     : "i"(SYS_getppid)
                     : "eax", "edx", "memory");
    return t1 - t0;
}

static void bench_getppid(void) {
    for (int i = 0; i < WARMUP + ROUNDS; ++i) {
        uint32_t d = timed_getppid();
        if (i >= WARMUP) samples[i - WARMUP] = d;
    }
    report("linux.getppid");
}

static long futex(volatile int* word, int op, int value) {
    return syscall(SYS_futex, word, op, value, NULL, NULL, 0);
}

/* Two threads of one process hand a futex word back and forth (the analogue of an IPC round
 * trip between two threads of one space): 1 = the other thread's turn, 0 = ours. Each round
 * the parent hands the turn over and wakes the other, which hands it back. */
static volatile int futex_turn;

static void* futex_partner(void* unused) {
    (void)unused;
    for (;;) {
        while (__atomic_load_n(&futex_turn, __ATOMIC_ACQUIRE) == 0)
            futex(&futex_turn, FUTEX_WAIT_PRIVATE, 0);
        if (futex_turn == 2) return NULL;
        __atomic_store_n(&futex_turn, 0, __ATOMIC_RELEASE);
        futex(&futex_turn, FUTEX_WAKE_PRIVATE, 1);
    }
}

static void bench_futex(void) {
    pthread_t partner;
    futex_turn = 0;
    if (pthread_create(&partner, NULL, futex_partner, NULL) != 0) {
        perror("pthread_create");
        return;
    }
    for (int i = 0; i < WARMUP + ROUNDS; ++i) {
        uint32_t t0 = rdtsc32();
        __atomic_store_n(&futex_turn, 1, __ATOMIC_RELEASE);
        futex(&futex_turn, FUTEX_WAKE_PRIVATE, 1);
        while (__atomic_load_n(&futex_turn, __ATOMIC_ACQUIRE) == 1)
            futex(&futex_turn, FUTEX_WAIT_PRIVATE, 1);
        uint32_t t1 = rdtsc32();
        if (i >= WARMUP) samples[i - WARMUP] = t1 - t0;
    }
    __atomic_store_n(&futex_turn, 2, __ATOMIC_RELEASE);
    futex(&futex_turn, FUTEX_WAKE_PRIVATE, 1);
    pthread_join(partner, NULL);
    report("linux.futex.roundtrip");
}

/* Two processes that only yield, a counter in shared memory proving that the other one
 * ran: a round lasts from the parent's yield until it runs again after the child's loop
 * went round once (CFS need not switch on every yield; the extra yields are then part of
 * the round). One round is at least two yields and two process switches. */
static void bench_yield(void) {
    volatile uint32_t* turns =
        mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (turns == MAP_FAILED) {
        perror("mmap");
        return;
    }
    *turns = 0;
    pid_t child = fork();
    if (child == 0) {
        for (;;) {
            __atomic_add_fetch(turns, 1, __ATOMIC_RELEASE);
            sched_yield();
        }
    }
    for (int i = 0; i < WARMUP + ROUNDS; ++i) {
        uint32_t seen = __atomic_load_n(turns, __ATOMIC_ACQUIRE);
        uint32_t t0 = rdtsc32();
        do {
            sched_yield();
        } while (__atomic_load_n(turns, __ATOMIC_ACQUIRE) == seen);
        uint32_t t1 = rdtsc32();
        if (i >= WARMUP) samples[i - WARMUP] = t1 - t0;
    }
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    report("linux.yield.pingpong");
}

/* The first touch of an anonymous page (private, zero-filled): the store, the fault, the
 * kernel's zero fill and the retried store — bench/common/first_touch.h, the timing
 * Axolotl's pagefault.mm.anon uses, less the same timing of a present page. */
static void bench_first_touch_anon(void) {
    size_t pages = WARMUP + ROUNDS;
    uint8_t* area =
        mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED) {
        printf("BENCH-SKIP linux.pagefault.anon mmap failed\n");
        return;
    }
    for (int i = 0; i < WARMUP + ROUNDS; ++i) {
        uint32_t d = bench_first_touch((volatile uint32_t*)area);
        if (i >= WARMUP) samples[i - WARMUP] = d;
    }
    uint32_t present = median();
    for (size_t i = 1; i < pages; ++i) {
        uint32_t d = bench_first_touch((volatile uint32_t*)(area + i * 4096));
        if (i >= WARMUP) samples[i - WARMUP] = d;
    }
    /* Page 0 served the present-page timing; pages 1.. are first touches. */
    uint32_t m = median();
    printf("BENCH linux.pagefault.anon %u %s\n", m > present ? m - present : 0, unit);
    fflush(stdout);
    munmap(area, pages * 4096);
}

/* mmap of 1 MiB touched page by page, per page (bench/common/mmap_touch.h: the same C as
 * Axolotl's mmap.touch.1mib); 20 rounds after 2. */
static void bench_mmap_touch_1mib(void) {
    uint32_t sorted[20];
    for (int i = 0; i < 22; ++i) {
        uint32_t d = bench_mmap_touch();
        if (d == 0) {
            printf("BENCH-SKIP linux.mmap.touch.1mib mmap failed\n");
            return;
        }
        if (i >= 2) sorted[i - 2] = d;
    }
    for (int i = 1; i < 20; ++i)
        for (int j = i; j > 0 && sorted[j - 1] > sorted[j]; --j) {
            uint32_t t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    printf("BENCH linux.mmap.touch.1mib %u %s\n", sorted[10], unit);
    fflush(stdout);
}

/* fork+exit+wait, fork+exec+wait of /bin/true (bench/guest/true.c, static) and a signal to
 * self with a handler: bench/common/process_ops.h, the same C as Axolotl's
 * bench/guest/process_bench.c, with its rounds (100 after 10; the signal 1000 after 100). */
static void bench_process_row(const char* name, int which, int warmup, int rounds) {
    for (int i = 0; i < warmup + rounds; ++i) {
        uint32_t d = which == 0   ? bench_fork_exit_wait()
                     : which == 1 ? bench_fork_exec_wait("/bin/true")
                                  : bench_signal_self();
        if (d == 0) {
            printf("BENCH-SKIP %s round %d failed\n", name, i);
            return;
        }
        if (i >= warmup) samples[i - warmup] = d;
    }
    qsort(samples, rounds, sizeof samples[0], compare);
    printf("BENCH %s %u %s\n", name, samples[rounds / 2], unit);
    fflush(stdout);
}

static void bench_processes(void) {
    bench_process_row("linux.process.fork_exit_wait", 0, 10, 100);
    bench_process_row("linux.process.fork_exec_wait", 1, 10, 100);
    if (bench_signal_setup() != 0)
        printf("BENCH-SKIP linux.signal.self sigaction failed\n");
    else
        bench_process_row("linux.signal.self", 2, 100, 1000);
}

/* /init may start without a console: mount devtmpfs and take /dev/console. */
static void open_console(void) {
    if (fcntl(1, F_GETFD) != -1) return;
    mkdir("/dev", 0755);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    int fd = open("/dev/console", O_RDWR);
    if (fd < 0) return;
    dup2(fd, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    if (fd > 2) close(fd);
}

static void power_off(void) {
    fflush(stdout);
    sync();
    if (iopl(3) == 0) outb(DEBUG_EXIT_DONE, DEBUG_EXIT_PORT);
    reboot(LINUX_REBOOT_CMD_POWER_OFF);
    for (;;)
        pause();
}

/* select on 1 and on 8 ready descriptors (read ends of pipes holding a byte):
 * bench/common/select_ready.h, the same C as Axolotl's bench/guest/select_bench.c. */
static void bench_select(void) {
    int fds[8];
    for (int i = 0; i < 8; ++i) {
        int ends[2];
        if (pipe(ends) != 0 || write(ends[1], "x", 1) != 1) {
            printf("BENCH-SKIP linux.select.ready.1 no pipe\n");
            printf("BENCH-SKIP linux.select.ready.8 no pipe\n");
            return;
        }
        fds[i] = ends[0];
    }
    static const int counts[2] = {1, 8};
    static const char* const names[2] = {"linux.select.ready.1", "linux.select.ready.8"};
    for (int k = 0; k < 2; ++k) {
        for (int i = 0; i < WARMUP + ROUNDS; ++i) {
            uint32_t d = bench_select_ready(fds, counts[k]);
            if (d == 0) {
                printf("BENCH-SKIP %s select did not report them ready\n", names[k]);
                break;
            }
            if (i >= WARMUP) samples[i - WARMUP] = d;
            if (i == WARMUP + ROUNDS - 1) report(names[k]);
        }
    }
}

int main(void) {
    /* The first thing /init does: under -icount, the instructions since reset (boot.to_shell's
     * baseline, README.md; the virtual time Linux spends idle included). */
    uint32_t boot_lo, boot_hi;
    __asm__ volatile("rdtsc" : "=a"(boot_lo), "=d"(boot_hi));
    open_console();
    const char* mode = getenv("mode");
    if (mode && strcmp(mode, "wall") == 0) unit = "tsc-ticks";
    printf("# Linux baseline (%s)\n", unit);
    /* In wall mode the counter is the host's TSC since the host's boot: no boot time. */
    if (strcmp(unit, "instructions") == 0)
        printf("BENCH linux.boot.to_init %llu instructions\n",
               ((unsigned long long)boot_hi << 32) | boot_lo);

    for (int i = 0; i < WARMUP + ROUNDS; ++i) {
        uint32_t d = timed_entry_overhead();
        if (i >= WARMUP) samples[i - WARMUP] = d;
    }
    calibration = median();
    printf("# timed entry overhead: %u\n", calibration);

    bench_getppid();
    /* The others are timed by plain rdtsc pairs around library calls: no overhead to take
     * off but the rdtsc itself, which the calibration's shape does not match; keep it. */
    calibration = 0;
    bench_futex();
    bench_yield();
    bench_first_touch_anon();
    bench_select();
    bench_mmap_touch_1mib();
    bench_processes();
    /* The file system's and the pipes' rows (linux.pipe.roundtrip among them):
     * bench/common/fs_ops.h, the same C as Axolotl's bench/guest/fs_bench.c; the files live
     * in the initramfs's root (rootfs, in memory). */
    bench_fs_rows("linux.", unit, WARMUP, ROUNDS, 3, 8192, 1024, NULL);
    printf("AXOLOTL: END OF TESTS\n");
    power_off();
    return 0;
}
