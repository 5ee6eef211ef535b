// What the IPC fast path (ipc_fastpath.S) counts: one word per kind of hand-over instead of
// the five KIP counters a hand-over touches (each incl is an instruction on the path). They
// reach the KIP in arch::collect_counters: at every timer tick and every AXO_DEBUG_COUNTERS.
#pragma once

#include <stdint.h>

namespace axo::ia32 {

struct FastCounts {
    uint32_t same;  // in the caller's space: a syscall, an ipc, a context switch
    uint32_t space; // into another space, no CR3 write (a large one whose directory was loaded)
    uint32_t cr3;   // into another large space, with a CR3 write
    uint32_t small; // into a small space: segments only
};
static_assert(sizeof(FastCounts) == 16);

extern FastCounts g_fast_counts __asm__("ia32_fast_counts");

} // namespace axo::ia32
