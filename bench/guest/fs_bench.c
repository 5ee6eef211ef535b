/* axo_bench_fs: the file system's and the pipes' rows (bench/common/fs_ops.h, the same C as
 * the Linux baseline's) in an ordinary libposix process beside mm and fs: open+close, stat, a
 * missing path, pread and pwrite of 4 KiB, 8 MiB written + fsync and read back (per KiB), a
 * 1-byte pipe round trip to a child process and the pipe's throughput (per KiB). Booted by
 * bench.py (with an ext2 disk: the root is ext2 on the ATA disk) and by the bench-smoke-fs test
 * (without one: the root is fs's tmpfs). Arguments: `wall` (the unit is tsc-ticks),
 * `rounds=N`, `warmup=N`, `seq_rounds=N`, `seq_kib=N` (default 8192), `pipe_kib=N` (default
 * 1024), `only=ROW` (that one of the small rows alone: for a trace of one operation). Prints `BENCH
 * <row> <value> <unit>` per row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/fs_ops.h"

int main(int argc, char** argv) {
    const char* unit = "instructions";
    int rounds = 1000, warmup = 100, seq_rounds = 3;
    uint32_t seq_kib = 8192, pipe_kib = 1024;
    const char* only = NULL;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "wall") == 0) unit = "tsc-ticks";
        if (strncmp(argv[i], "rounds=", 7) == 0) rounds = atoi(argv[i] + 7);
        if (strncmp(argv[i], "warmup=", 7) == 0) warmup = atoi(argv[i] + 7);
        if (strncmp(argv[i], "seq_rounds=", 11) == 0) seq_rounds = atoi(argv[i] + 11);
        if (strncmp(argv[i], "seq_kib=", 8) == 0) seq_kib = (uint32_t)atoi(argv[i] + 8);
        if (strncmp(argv[i], "pipe_kib=", 9) == 0) pipe_kib = (uint32_t)atoi(argv[i] + 9);
        if (strncmp(argv[i], "only=", 5) == 0) only = argv[i] + 5;
    }
    if (seq_kib < 64) seq_kib = 64;
    if (pipe_kib < 4) pipe_kib = 4;
    /* fs registers its name after it mounted its file systems; this program may start first. */
    for (int i = 0; i < 500 && access("/", F_OK) != 0; ++i)
        usleep(10000);
    bench_fs_rows("", unit, warmup, rounds, seq_rounds, seq_kib, pipe_kib, only);
    printf("AXOLOTL: END OF TESTS\n");
    fflush(stdout);
    return 0;
}
