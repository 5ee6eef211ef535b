/*
 * axo_bench_mmap: "mmap of 1 MiB touched page by page" (bench/common/mmap_touch.h), in a
 * libposix program that proc starts (mm its pager). It prints
 *
 *     BENCH mmap.touch.1mib <median> <unit>    per touched page: libposix's mmap (a region
 *                                              of mm), 256 first touches (mm's zero fill),
 *                                              munmap
 *
 * over 20 rounds after 2 warm-up rounds. Argument `wall`: plain TCG, the unit is tsc-ticks.
 */
#include <stdio.h>
#include <string.h>

#include "bench/common/mmap_touch.h"

enum { kWarmup = 2, kRounds = 20 };

int main(int argc, char** argv) {
    const char* unit = argc > 1 && strcmp(argv[1], "wall") == 0 ? "tsc-ticks" : "instructions";
    uint32_t samples[kRounds];
    for (int i = 0; i < kWarmup + kRounds; ++i) {
        uint32_t cost = bench_mmap_touch();
        if (cost == 0) {
            printf("BENCH-SKIP mmap.touch.1mib mmap failed\n");
            return 0;
        }
        if (i >= kWarmup) samples[i - kWarmup] = cost;
    }
    for (int i = 1; i < kRounds; ++i)
        for (int j = i; j > 0 && samples[j - 1] > samples[j]; --j) {
            uint32_t t = samples[j];
            samples[j] = samples[j - 1];
            samples[j - 1] = t;
        }
    printf("BENCH mmap.touch.1mib %u %s\n", samples[kRounds / 2], unit);
    return 0;
}
