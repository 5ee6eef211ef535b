/* A first touch of a page, timed the same way on Axolotl (bench/guest/mm_faults.cc) and on
 * Linux (bench/linux/linux_bench.c): rdtsc, one store to the page, rdtsc. Under
 * `-icount shift=0,sleep=off` the delta is the instructions from the faulting store to its
 * retry — the trap, the kernel, the pager and the return — plus the store and the rdtsc pair,
 * which the same timing of a page already present measures (subtract its median). C and C++. */
#ifndef AXO_BENCH_FIRST_TOUCH_H
#define AXO_BENCH_FIRST_TOUCH_H

#include <stdint.h>

static inline uint32_t bench_first_touch(volatile uint32_t* page) {
    uint32_t delta, start;
    /* The page's address in edi: rdtsc writes eax and edx. */
    __asm__ volatile("rdtsc\n\t"
                     "movl %%eax, %%ecx\n\t"
                     "movl $1, (%%edi)\n\t"
                     "rdtsc\n\t"
                     "subl %%ecx, %%eax"
                     : "=a"(delta), "=&c"(start)
                     : "D"(page)
                     : "edx", "memory");
    (void)start;
    return delta;
}

#endif
