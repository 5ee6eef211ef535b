/* "mmap of 1 MiB touched page by page", the same C on Axolotl (bench/guest/mmap_touch.c, a
 * libposix program) and on Linux (bench/linux/linux_bench.c): rdtsc, mmap of 1 MiB of
 * anonymous private memory, one store to each of its 256 pages in order, munmap, rdtsc —
 * divided by 256: what a program that maps memory and uses it pays per page, the system
 * calls included. Under `-icount shift=0,sleep=off` rdtsc counts guest instructions. */
#ifndef AXO_BENCH_MMAP_TOUCH_H
#define AXO_BENCH_MMAP_TOUCH_H

#include <stdint.h>
#include <sys/mman.h>

#define BENCH_MMAP_BYTES (1u << 20)
#define BENCH_MMAP_PAGES (BENCH_MMAP_BYTES / 4096u)

static inline uint32_t bench_mmap_rdtsc(void) {
    uint32_t low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    (void)high;
    return low;
}

/* One round: the cost per touched page, or 0 if mmap failed. */
static inline uint32_t bench_mmap_touch(void) {
    uint32_t start = bench_mmap_rdtsc();
    volatile uint8_t* area = (volatile uint8_t*)mmap(0, BENCH_MMAP_BYTES, PROT_READ | PROT_WRITE,
                                                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if ((void*)area == MAP_FAILED) return 0;
    for (uint32_t page = 0; page < BENCH_MMAP_PAGES; ++page)
        area[page * 4096u] = 1;
    munmap((void*)area, BENCH_MMAP_BYTES);
    return (bench_mmap_rdtsc() - start) / BENCH_MMAP_PAGES;
}

#endif
