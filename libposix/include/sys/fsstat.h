/* Axolotl's own: fs's counters (interfaces/file kFileStatistics; libposix: mount_calls.cc), for
 * df-like tools and diagnosis (apps/fsstat). Not POSIX; any process may ask. */
#ifndef AXO_LIBPOSIX_SYS_FSSTAT_H
#define AXO_LIBPOSIX_SYS_FSSTAT_H

#ifdef __cplusplus
extern "C" {
#endif

struct fs_statistics {
    unsigned long long cache_hits;   /* blocks found in fs's block caches */
    unsigned long long cache_misses; /* blocks read from a disk */
    unsigned int cache_blocks;       /* blocks cached now */
    unsigned int cache_dirty;        /* of those, not yet written back */
    unsigned int open_descriptions;  /* open-file descriptions of every kind */
    unsigned int open_files;         /* of those, of regular files */
    unsigned int mounts;             /* file systems mounted, the root included */
    unsigned int processes;          /* processes fs keeps state for */
};

/* 0, or -1 and errno (EFAULT; what the call to fs failed with). */
int fs_statistics(struct fs_statistics* out);

#ifdef __cplusplus
}
#endif

#endif /* AXO_LIBPOSIX_SYS_FSSTAT_H */
