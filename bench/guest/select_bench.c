/* axo_bench_select: select on 1 and on 8 ready descriptors (read ends of pipes holding a
 * byte) in an ordinary process — libposix's select, one kFilePoll request to fs and its
 * answer — timed by bench/common/select_ready.h, the same C as the Linux baseline's. Booted by
 * bench.py with σ0, proc, mm and fs (on-exit=shutdown), and by the bench-smoke-select test.
 * Arguments: `wall` (the unit is tsc-ticks), `rounds=N`, `warmup=N`. Prints
 * `BENCH select.ready.1 <median> <unit>` and `BENCH select.ready.8 …`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/select_ready.h"

#define MAX_ROUNDS 1000

static uint32_t samples[MAX_ROUNDS];

static int compare(const void* a, const void* b) {
    uint32_t x = *(const uint32_t*)a, y = *(const uint32_t*)b;
    return x < y ? -1 : x > y;
}

static void run(const char* name, const int* fds, int count, int warmup, int rounds,
                const char* unit) {
    for (int i = 0; i < warmup + rounds; ++i) {
        uint32_t d = bench_select_ready(fds, count);
        if (d == 0) {
            printf("BENCH-SKIP %s select did not report %d ready descriptors\n", name, count);
            return;
        }
        if (i >= warmup) samples[i - warmup] = d;
    }
    qsort(samples, (size_t)rounds, sizeof samples[0], compare);
    printf("BENCH %s %u %s\n", name, (unsigned)samples[rounds / 2], unit);
}

int main(int argc, char** argv) {
    const char* unit = "instructions";
    int rounds = MAX_ROUNDS, warmup = 100;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "wall") == 0) unit = "tsc-ticks";
        if (strncmp(argv[i], "rounds=", 7) == 0) rounds = atoi(argv[i] + 7);
        if (strncmp(argv[i], "warmup=", 7) == 0) warmup = atoi(argv[i] + 7);
    }
    if (rounds < 1 || rounds > MAX_ROUNDS) rounds = MAX_ROUNDS;
    /* fs registers its name after it mounted its file systems; this program may start first. */
    for (int i = 0; i < 500 && access("/", F_OK) != 0; ++i)
        usleep(10000);
    int fds[8];
    for (int i = 0; i < 8; ++i) {
        int ends[2];
        if (pipe(ends) != 0 || write(ends[1], "x", 1) != 1) {
            printf("BENCH-SKIP select.ready.1 no pipe\nBENCH-SKIP select.ready.8 no pipe\n");
            return 1;
        }
        fds[i] = ends[0];
    }
    run("select.ready.1", fds, 1, warmup, rounds, unit);
    run("select.ready.8", fds, 8, warmup, rounds, unit);
    printf("AXOLOTL: END OF TESTS\n");
    fflush(stdout);
    return 0;
}
