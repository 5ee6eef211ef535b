/*
 * fsstat: fs's counters (<sys/fsstat.h>, interfaces/file kFileStatistics) — the block caches'
 * hits and misses, the blocks they hold and how many are dirty, the open-file descriptions and
 * open files, the mounts and the processes fs keeps state for. One "name value" line each, so
 * scripts can pick a line with grep or awk.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsstat.h>

int main(void) {
    struct fs_statistics s;
    if (fs_statistics(&s) != 0) {
        fprintf(stderr, "fsstat: %s\n", strerror(errno));
        return 1;
    }
    printf("cache_hits %llu\n", s.cache_hits);
    printf("cache_misses %llu\n", s.cache_misses);
    printf("cache_blocks %u\n", s.cache_blocks);
    printf("cache_dirty %u\n", s.cache_dirty);
    printf("open_descriptions %u\n", s.open_descriptions);
    printf("open_files %u\n", s.open_files);
    printf("mounts %u\n", s.mounts);
    printf("processes %u\n", s.processes);
    return 0;
}
