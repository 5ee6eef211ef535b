/* select on descriptors that are all ready, timed the same way on Axolotl
 * (bench/guest/select_bench.c) and on Linux (bench/linux/linux_bench.c): rdtsc, one select
 * with a zero timeout on `count` read ends of pipes that each hold a byte, rdtsc. Under
 * `-icount shift=0,sleep=off` the delta is the instructions of the whole call — the C
 * library, the kernel, and on Axolotl libposix, the IPC to fs and fs's answer — plus the
 * rdtsc pair. The sets are built before the first rdtsc. C only (newlib and glibc). */
#ifndef AXO_BENCH_SELECT_READY_H
#define AXO_BENCH_SELECT_READY_H

#include <stdint.h>
#include <sys/select.h>

static inline uint32_t bench_select_rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return lo;
}

/* One timed select on `count` readable descriptors `fds`; 0 if select did not report them
 * all (the caller reports the result as not measurable). */
static inline uint32_t bench_select_ready(const int* fds, int count) {
    fd_set readable;
    FD_ZERO(&readable);
    int top = 0;
    for (int i = 0; i < count; ++i) {
        FD_SET(fds[i], &readable);
        if (fds[i] > top) top = fds[i];
    }
    struct timeval zero = {0, 0};
    uint32_t t0 = bench_select_rdtsc();
    int ready = select(top + 1, &readable, (fd_set*)0, (fd_set*)0, &zero);
    uint32_t t1 = bench_select_rdtsc();
    return ready == count ? t1 - t0 : 0;
}

#endif
