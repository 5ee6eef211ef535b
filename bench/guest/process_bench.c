/* axo_bench_process: fork, exec and signals in an ordinary libposix process beside proc, mm,
 * the ATA driver and fs on a root file system whose /bin/true is bench/guest/true.c —
 * bench/common/process_ops.h, the same C as the Linux baseline's. Booted by bench.py (group
 * "process") and by the bench-smoke-process test. Prints
 *
 *     BENCH process.fork_exit_wait <median> <unit>
 *     BENCH process.fork_exec_wait <median> <unit>
 *     BENCH signal.self <median> <unit>
 *
 * Arguments: `wall` (plain TCG: the unit is tsc-ticks), `rounds=N` and `warmup=N` (the
 * process rows; default 100 after 10; the signal row runs ten times as many),
 * `true=PATH` (the program to exec; default /bin/true). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/process_ops.h"

#define MAX_ROUNDS 1000

static uint32_t samples[MAX_ROUNDS];

static int compare(const void* a, const void* b) {
    uint32_t x = *(const uint32_t*)a, y = *(const uint32_t*)b;
    return x < y ? -1 : x > y;
}

enum row { fork_exit_wait, fork_exec_wait, signal_self };

static uint32_t once(enum row row, const char* path) {
    switch (row) {
    case fork_exit_wait:
        return bench_fork_exit_wait();
    case fork_exec_wait:
        return bench_fork_exec_wait(path);
    default:
        return bench_signal_self();
    }
}

static void run(const char* name, enum row row, const char* path, int warmup, int rounds,
                const char* unit) {
    for (int i = 0; i < warmup + rounds; ++i) {
        uint32_t d = once(row, path);
        if (d == 0) {
            printf("BENCH-SKIP %s round %d failed\n", name, i);
            return;
        }
        if (i >= warmup) samples[i - warmup] = d;
    }
    qsort(samples, (size_t)rounds, sizeof samples[0], compare);
    printf("BENCH %s %u %s\n", name, (unsigned)samples[rounds / 2], unit);
    fflush(stdout);
}

int main(int argc, char** argv) {
    const char* unit = "instructions";
    const char* path = "/bin/true";
    int rounds = 100, warmup = 10;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "wall") == 0) unit = "tsc-ticks";
        if (strncmp(argv[i], "rounds=", 7) == 0) rounds = atoi(argv[i] + 7);
        if (strncmp(argv[i], "warmup=", 7) == 0) warmup = atoi(argv[i] + 7);
        if (strncmp(argv[i], "true=", 5) == 0) path = argv[i] + 5;
    }
    if (rounds < 1 || rounds * 10 > MAX_ROUNDS) rounds = MAX_ROUNDS / 10;
    if (warmup < 0) warmup = 0;
    /* fs registers its name after it mounted its file systems; this program may start first. */
    for (int i = 0; i < 500 && access(path, X_OK) != 0; ++i)
        usleep(10000);
    run("process.fork_exit_wait", fork_exit_wait, path, warmup, rounds, unit);
    run("process.fork_exec_wait", fork_exec_wait, path, warmup, rounds, unit);
    if (bench_signal_setup() != 0)
        printf("BENCH-SKIP signal.self sigaction failed\n");
    else
        run("signal.self", signal_self, path, warmup * 10, rounds * 10, unit);
    printf("AXOLOTL: END OF TESTS\n");
    fflush(stdout);
    return 0;
}
