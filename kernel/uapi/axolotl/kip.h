/* The kernel interface page: mapped read-only into every address space at AXO_KIP_ADDRESS
 * (and returned by the kernel_interface syscall). */
#ifndef AXOLOTL_KIP_H
#define AXOLOTL_KIP_H

#include <stdint.h>

#include "axolotl/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AXO_KIP_MAGIC 0x314F5841u /* "AXO1" */
#define AXO_API_VERSION 1u
/* Where the KIP and the initial thread's UTCB page are, in every space (below 3 GiB). */
#define AXO_KIP_ADDRESS 0xBFFFF000u
#define AXO_INITIAL_UTCB_ADDRESS 0xBFFFE000u

/* api_flags */
#define AXO_KIP_SMALL_SPACES 1u        /* small spaces are in use */
#define AXO_KIP_SMALL_SPACES_FORCED 2u /* ... although segment limits are not enforced */
#define AXO_KIP_SYSENTER 4u            /* a sysenter entry exists (not yet) */

#define AXO_KIP_MAX_MEMORY 32u
#define AXO_KIP_MAX_MODULES 24u

enum axo_memory_type {
    AXO_MEMORY_CONVENTIONAL = 1, /* free RAM, owned by σ0 */
    AXO_MEMORY_RESERVED = 2,     /* firmware, device memory */
    AXO_MEMORY_KERNEL = 3,       /* the kernel's image and its memory */
    AXO_MEMORY_BOOT_MODULE = 4
};

typedef struct axo_kip_memory {
    uint32_t base, size, type, reserved;
} axo_kip_memory_t;

typedef struct axo_kip_module {
    uint32_t start, size; /* physical */
    char cmdline[120];
} axo_kip_module_t;

/* Counters the kernel keeps for tests and benchmarks. */
typedef struct axo_counters {
    uint32_t syscalls;
    uint32_t ipcs;
    uint32_t context_switches;
    uint32_t space_switches;
    uint32_t cr3_writes;
    uint32_t timer_ticks;
    uint32_t segment_reloads; /* switches into a small space: segments only, no CR3 write */
    uint32_t promotions;      /* small spaces promoted to large ones */
    /* Not a count: free frames of the kernel's memory pool (threads, spaces, page tables,
     * UTCBs), as of the last AXO_DEBUG_COUNTERS call (which refreshes it). */
    uint32_t kernel_free_frames;
} axo_counters_t;

typedef struct axo_kip {
    uint32_t magic;          /*  0 */
    uint32_t api_version;    /*  4 */
    uint32_t api_flags;      /*  8 */
    uint32_t kernel_version; /* 12: major << 16 | minor */
    /* Microseconds since boot. Updated every tick; read hi, lo, hi until hi is stable. */
    volatile uint32_t clock_lo; /* 16 */
    volatile uint32_t clock_hi; /* 20 */
    uint32_t tick_us;           /* 24 */
    uint32_t max_threads;       /* 28 */
    uint32_t first_user_thread; /* 32 */
    axo_thread_id_t sigma0;     /* 36 */
    axo_thread_id_t root_task;  /* 40 */
    uint32_t memory_count;      /* 44 */
    uint32_t module_count;      /* 48 */
    /* Time-stamp-counter cycles the CPU spent halted in the idle loop since boot (under QEMU's
     * -icount sleep=off: the virtual time it skipped while nothing ran). Updated at each
     * interrupt that ends an idle halt; read hi, lo, hi as the clock. */
    volatile uint32_t idle_lo;                     /* 52 */
    volatile uint32_t idle_hi;                     /* 56 */
    uint32_t reserved;                             /* 60 */
    axo_counters_t counters;                       /* 64 */
    axo_kip_memory_t memory[AXO_KIP_MAX_MEMORY];   /* 100 */
    axo_kip_module_t modules[AXO_KIP_MAX_MODULES]; /* 612 */
} axo_kip_t;

#ifdef __cplusplus
static_assert(sizeof(axo_kip_t) <= 4096, "the KIP is one page");
static_assert(__builtin_offsetof(axo_kip_t, counters) == 64, "KIP layout");
static_assert(__builtin_offsetof(axo_kip_t, memory) == 100, "KIP layout");
#endif

static inline uint64_t axo_kip_idle_cycles(const axo_kip_t* kip) {
    uint32_t hi, lo;
    do {
        hi = kip->idle_hi;
        lo = kip->idle_lo;
    } while (hi != kip->idle_hi);
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t axo_kip_clock_us(const axo_kip_t* kip) {
    uint32_t hi, lo;
    do {
        hi = kip->clock_hi;
        lo = kip->clock_lo;
    } while (hi != kip->clock_hi);
    return ((uint64_t)hi << 32) | lo;
}

#ifdef __cplusplus
}
#endif

#endif /* AXOLOTL_KIP_H */
