/* sysinfo() (libposix: system_info.cc), Linux's call and layout: the uptime, the memory and the
 * number of processes, from proc's statistics. What busybox's free and uptime read. */
#ifndef AXO_LIBPOSIX_SYS_SYSINFO_H
#define AXO_LIBPOSIX_SYS_SYSINFO_H

#ifdef __cplusplus
extern "C" {
#endif

#define SI_LOAD_SHIFT 16

struct sysinfo {
    long uptime;             /* seconds since boot */
    unsigned long loads[3];  /* 1, 5 and 15 minute load averages, << SI_LOAD_SHIFT: 0, not kept */
    unsigned long totalram;  /* conventional memory σ0 manages, in mem_unit */
    unsigned long freeram;   /* of it, not given to any process or server */
    unsigned long sharedram; /* 0: not counted */
    unsigned long bufferram; /* 0: fs's cache is not counted */
    unsigned long totalswap; /* 0: no swap */
    unsigned long freeswap;
    unsigned short procs; /* processes in proc's table */
    unsigned short pad;
    unsigned long totalhigh; /* 0: no high memory */
    unsigned long freehigh;
    unsigned int mem_unit; /* bytes */
    char _f[20 - 2 * sizeof(long) - sizeof(int)];
};

int sysinfo(struct sysinfo*);

#ifdef __cplusplus
}
#endif

#endif /* AXO_LIBPOSIX_SYS_SYSINFO_H */
