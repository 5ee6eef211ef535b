// The C++ side of the IPC fast path (ipc_fastpath.S): the compile-time check of everything
// it knows about the kernel's data, and the resumption of a thread that blocked in it when
// the general path switches to it.
#include "kernel/arch/ia32/ipc_fastpath_layout.h"

#include <stddef.h>

#include "axolotl/kip.h"
#include "kernel/arch.h"
#include "kernel/arch/ia32/descriptors.h"
#include "kernel/arch/ia32/ipc_fastpath.h"
#include "kernel/arch/ia32/trap.h"
#include "kernel/ipc.h"
#include "kernel/map_items.h"
#include "kernel/panic.h"
#include "kernel/scheduler.h"
#include "kernel/space.h"
#include "kernel/syscalls.h"
#include "kernel/thread.h"

namespace axo {

struct FastPathLayout {
    static_assert(Thread::kBlockSize == THREAD_BLOCK_SIZE);
    static_assert(offsetof(Thread, m_kernel_sp) == T_KERNEL_SP);
    static_assert(offsetof(Thread, m_id) == T_ID);
    static_assert(offsetof(Thread, m_state) == T_STATE);
    static_assert(offsetof(Thread, m_halt_requested) == T_STATE + 1, "one 32-bit compare");
    static_assert(offsetof(Thread, m_arch_fpu_owner) == T_STATE + 2, "one 32-bit compare");
    static_assert(offsetof(Thread, m_timeout_armed) == T_STATE + 3, "one 32-bit compare");
    static_assert(sizeof(ThreadState) == 1 && sizeof(bool) == 1);
    static_assert(offsetof(Thread, m_priority) == T_PRIORITY);
    static_assert(offsetof(Thread, m_space) == T_SPACE);
    static_assert(offsetof(Thread, m_utcb) == T_UTCB);
    static_assert(offsetof(Thread, m_arch_switch) == T_ARCH_SWITCH);
    static_assert(offsetof(Thread, m_receive_from) == T_RECEIVE_FROM);
    static_assert(offsetof(Thread, m_sendq_head) == T_SENDQ_HEAD);
    static_assert(offsetof(Thread, m_outcome) + offsetof(IpcOutcome, error) == T_OUTCOME_ERROR);
    static_assert(offsetof(Thread, m_outcome) + offsetof(IpcOutcome, receive_phase) ==
                  T_OUTCOME_FLAGS);
    static_assert(offsetof(Thread, m_outcome) + offsetof(IpcOutcome, retry_receive) ==
                  T_OUTCOME_FLAGS + 1);
    static_assert(offsetof(IpcOutcome, from) - offsetof(IpcOutcome, receive_phase) == 4,
                  "the flags word is the two bools and padding");
    static_assert(offsetof(Thread, m_outcome) + offsetof(IpcOutcome, from) == T_OUTCOME_FROM);
    static_assert(static_cast<int>(ThreadState::ready) == STATE_READY);
    static_assert(static_cast<int>(ThreadState::receiving) == STATE_RECEIVING);

    static_assert(offsetof(Space, m_page_directory) == S_PAGE_DIRECTORY);
    static_assert(sizeof(PhysAddr) == 4);
    static_assert(offsetof(Space, m_arch_switch) == S_ARCH_SWITCH);
    static_assert(offsetof(Space, m_arch_switch) + 2 * sizeof(uint32_t) == S_FAST_KIND);
    static_assert(ia32::kLoadedSmallSegments == LOADED_SMALL_SEGMENTS &&
                  ia32::kLoadedIoBitmap == LOADED_IO_BITMAP &&
                  ia32::kLoadedTaskSwitched == LOADED_TASK_SWITCHED);
    static_assert(FAST_KIND_SMALL == 8 && FAST_KIND_GENERAL == 16 &&
                      (LOADED_SMALL_SEGMENTS | LOADED_IO_BITMAP | LOADED_TASK_SWITCHED) == 7,
                  "a kind plus the loaded bits index .Lkinds: eight entries per kind");

    static_assert(sizeof(ia32::TrapFrame) == FRAME_SIZE);
    static_assert(offsetof(ia32::TrapFrame, ebx) == FRAME_EBX);
    static_assert(offsetof(ia32::TrapFrame, edx) == FRAME_EDX);
    static_assert(offsetof(ia32::TrapFrame, ecx) == FRAME_ECX);
    static_assert(offsetof(ia32::TrapFrame, vector) == FRAME_VECTOR);
    static_assert(offsetof(ia32::TrapFrame, error) == FRAME_ERROR);

    static_assert(offsetof(axo_utcb_t, mr) == UTCB_MR0);
    static_assert(UTCB_MR3 == UTCB_MR0 + 12 && UTCB_MR2 == UTCB_MR0 + 8 &&
                  UTCB_MR1 == UTCB_MR0 + 4);
    // The copy of MR3..MRu is bounded by the tag's six bits alone: it ends inside the UTCB.
    static_assert(TAG_UNTYPED == AXO_MR_COUNT - 1 && axo_tag_untyped(0xFFFFFFFFu) == TAG_UNTYPED);
    static_assert(UTCB_MR0 + (TAG_UNTYPED + 1) * 4 == sizeof(axo_utcb_t));
    static_assert((TAG_NOT_FAST & 0xFFF) == (0x3Fu << 6) &&
                      axo_tag_typed(~uint32_t{TAG_NOT_FAST}) == 0,
                  "the typed-items field, and of the flags only AXO_TAG_FLAG_NOTIFY");

    static_assert(axo_tag_typed(TAG_ONE_MAP_ITEM) == 2 && axo_tag_untyped(TAG_ONE_MAP_ITEM) == 0 &&
                      (TAG_ONE_MAP_ITEM & ~(TAG_NOT_FAST | TAG_UNTYPED)) == 0,
                  "one map item and nothing else, without AXO_TAG_FLAG_NOTIFY");
    static_assert((TAG_WORDS_INDEX & ~TAG_UNTYPED) == 0xC0 && TAG_ONE_MAP_ITEM <= TAG_WORDS_INDEX,
                  "the words table's index: u, and t's two low bits (zero when t = 0)");
    static_assert(AXO_SYS_IPC == SYS_IPC);
    static_assert(AXO_ANY_THREAD == ANY_THREAD);
    static_assert(AXO_THREAD_VERSION_BITS == THREAD_VERSION_BITS);
    static_assert(AXO_MAX_THREADS == MAX_THREADS && (MAX_THREADS & (MAX_THREADS - 1)) == 0);
    static_assert((AXO_TAG_FLAG_ERROR & TAG_FLAGS) != 0 && TAG_FLAGS == 0xF000, "ipc.cc's mask");
    static_assert((TAG_NOT_FAST & AXO_TAG_FLAG_NOTIFY) != 0,
                  "an ipc that notification bits may end takes the general path");
    static_assert((TAG_NOT_FAST & TAG_FLAGS) == AXO_TAG_FLAG_NOTIFY,
                  "no other flag leaves the fast path");
    static_assert((uint32_t{AXO_TIMEOUT_ZERO} << 16 | AXO_TIMEOUT_NEVER) == TIMEOUTS_SEND_ZERO);
    static_assert(AXO_TIMEOUT_NEVER == 0, "timeouts 0: send and receive never");

    static_assert(ia32::kFlatLdtSelector == FLAT_LDT);
    static_assert(ia32::kUtcbSelector >> 3 == GDT_UTCB / 8);
    static_assert(ia32::kKernelData == KERNEL_DATA);
    static_assert(ia32::kVectorSyscall == SYSCALL_VECTOR);
    static_assert(ia32::kTssEsp0Address == TSS_ESP0);
    static_assert(ReadyQueues::top_offset() == 0, "READY_TOP is the queues' address");
    static_assert(offsetof(ia32::FastCounts, same) == 0 && offsetof(ia32::FastCounts, space) == 4 &&
                      offsetof(ia32::FastCounts, cr3) == 8 &&
                      offsetof(ia32::FastCounts, small) == 12,
                  "FAST_COUNT_*");
};

} // namespace axo

namespace axo::ia32 {
FastCounts g_fast_counts;
} // namespace axo::ia32

namespace axo::arch {
void collect_counters() {
    using ia32::g_fast_counts;
    axo_counters_t& counters = kip::get()->counters;
    uint32_t all =
        g_fast_counts.same + g_fast_counts.space + g_fast_counts.cr3 + g_fast_counts.small;
    counters.syscalls += all;
    counters.ipcs += all;
    counters.context_switches += all;
    counters.space_switches += all - g_fast_counts.same;
    counters.cr3_writes += g_fast_counts.cr3;
    counters.segment_reloads += g_fast_counts.small;
    g_fast_counts = ia32::FastCounts{};
}
} // namespace axo::arch

// Switched to by the general path after blocking in the fast path (ia32_ipc_fast_blocked):
// what the general path does after a switch and at the end of an ipc syscall.
extern "C" void ia32_ipc_fast_resumed(axo::ia32::TrapFrame* f) {
    using namespace axo;
    sched::switched_in();
    Thread* self = g_current;
    ThreadId from = ipc::finish_blocked(self);
    axo_utcb_t* utcb = self->m_utcb;
    f->eax = from.raw();
    f->esi = utcb->mr[0];
    f->edi = utcb->mr[1];
    f->ebp = utcb->mr[2];
    syscalls::before_user_return(self);
    if (g_current->m_check_ip) ia32::refuse_unexecutable_ip(*f);
}

// The fast path's map item (ipc_fastpath.S, .Lmaybe_map_item): called with the kernel's data
// segments, before anything is committed.
extern "C" bool ia32_ipc_fast_map_one(axo::Thread* caller, axo::Thread* partner, uint32_t word0,
                                      uint32_t fpage) {
    return axo::map_items::transfer_one_page(caller, partner, word0, fpage);
}
