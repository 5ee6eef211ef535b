/* The user thread control block: one per thread, 512 bytes, in the thread's address space
 * at the location given when the thread was created. The kernel owns the page it lives in
 * (user space can read and write it, but cannot unmap it). %gs:0 holds its address. */
#ifndef AXOLOTL_UTCB_H
#define AXOLOTL_UTCB_H

#include <stdint.h>

#include "axolotl/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AXO_UTCB_SIZE 512u
#define AXO_BR_COUNT 33u

typedef struct axo_utcb {
    uint32_t self;                     /*   0: this UTCB's address (what %gs:0 reads) */
    axo_thread_id_t my_id;             /*   4: the thread's own id (written by the kernel) */
    uint32_t user_handle;              /*   8: free for the thread library */
    axo_thread_id_t pager;             /*  12: a copy; the kernel's own copy is authoritative */
    axo_thread_id_t exception_handler; /* 16: a copy, as above */
    uint32_t error;                    /*  20: error of the last syscall (abi.h) */
    uint32_t notify_mask;              /*  24: the notification bits that end an ipc with
                                                  AXO_TAG_FLAG_NOTIFY (abi.h) */
    uint32_t reserved0[9];             /*  28 */
    uint32_t thread_words[4];          /*  64: free for the runtime (TLS pointer, errno, ...) */
    uint32_t br[AXO_BR_COUNT];         /*  80: buffer registers; BR0 = the receive window */
    uint32_t reserved1[11];            /* 212 */
    uint32_t mr[AXO_MR_COUNT];         /* 256: message registers; MR0 is the tag */
} axo_utcb_t;

#ifdef __cplusplus
static_assert(sizeof(axo_utcb_t) == AXO_UTCB_SIZE, "UTCB layout");
static_assert(__builtin_offsetof(axo_utcb_t, error) == 20, "UTCB layout");
static_assert(__builtin_offsetof(axo_utcb_t, notify_mask) == 24, "UTCB layout");
static_assert(__builtin_offsetof(axo_utcb_t, br) == 80, "UTCB layout");
static_assert(__builtin_offsetof(axo_utcb_t, mr) == 256, "UTCB layout");
#else
_Static_assert(sizeof(axo_utcb_t) == AXO_UTCB_SIZE, "UTCB layout");
#endif

#ifdef __cplusplus
}
#endif

#endif /* AXOLOTL_UTCB_H */
