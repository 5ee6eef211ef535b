#include "kernel/ipc_fastpath.h"

#include "axolotl/kip.h"
#include "kernel/ipc.h"
#include "kernel/scheduler.h"
#include "kernel/space.h"

namespace axo::ipc {

namespace {

constexpr uint32_t kTagFlagsMask = 0xF000;

// The KIP's counters. The KIP never moves once threads run; looking it up costs more than
// the rest of a counter update.
axo_counters_t& fast_path_counters() {
    static axo_kip_t* kip;
    if (!kip) kip = kip::get();
    return kip->counters;
}

// The partner of the common case: what threads::lookup finds, a user thread (interrupt
// threads are the kernel's and take the general path), waiting in a receive that accepts
// `sender`.
Thread* waiting_partner(ThreadId to, ThreadId sender) {
    uint32_t number = to.number();
    if (number >= AXO_MAX_THREADS) return nullptr; // also nil's and any's number
    Thread* t = threads::g_table[number];
    if (!t || t->m_id != to || t->m_state != ThreadState::receiving || !t->is_user() ||
        !t->accepts_from(sender) || t->m_halt_requested) {
        return nullptr;
    }
    return t;
}

} // namespace

bool fast_path(Thread* self, FastIpc& io) {
    constexpr uint32_t kItemCounts = 0xFFF; // axo_msg_tag: t in bits 11..6, u in bits 5..0
    constexpr uint32_t kRegisterWords = 2;  // MR1 and MR2 travel in registers
    ThreadId to(io.to), from(io.from_specifier);
    uint32_t send_timeout = io.timeouts >> 16;
    bool in_registers = (io.mr0 & kItemCounts) <= kRegisterWords; // t = 0, u <= 2
    bool receive_never = (io.timeouts & 0xFFFF) == AXO_TIMEOUT_NEVER;
    // With the partner waiting, a send timeout is only ever checked for being well-formed.
    bool send_unarmed = send_timeout == AXO_TIMEOUT_NEVER || send_timeout == AXO_TIMEOUT_ZERO;
    bool call_or_reply_wait = from == to || from.is_any();
    // A queued sender would make the receive phase take its message at once.
    if (!in_registers || !receive_never || !send_unarmed || !call_or_reply_wait ||
        self->m_sendq_head != nullptr || self->m_halt_requested) {
        return false;
    }
    Thread* partner = waiting_partner(to, self->m_id);
    if (!partner) return false;

    // From here on, what the general path does, in its order: the syscall entry stores
    // MR0..MR2 in the UTCB; perform() counts, records the receive specification, transfers
    // the message and wakes the partner; receive() blocks the caller and hands the CPU to the
    // partner unless another ready thread outranks it.
    axo_counters_t& counters = fast_path_counters();
    counters.syscalls++;
    axo_utcb_t* utcb = self->m_utcb;
    uint32_t tag = io.mr0;
    utcb->mr[0] = tag;
    utcb->mr[1] = io.mr1;
    utcb->mr[2] = io.mr2;
    counters.ipcs++;
    self->m_receive_from = from;
    self->m_receive_timeout = AXO_TIMEOUT_NEVER;
    self->m_outcome = IpcOutcome{};

    axo_utcb_t* target = partner->m_utcb;
    target->mr[0] = tag & ~kTagFlagsMask;
    if (axo_tag_untyped(tag) >= 1) target->mr[1] = io.mr1;
    if (axo_tag_untyped(tag) >= 2) target->mr[2] = io.mr2;
    if (partner->m_timeout.armed) sched::disarm_timeout(partner);
    partner->m_outcome = IpcOutcome{AXO_IPC_OK, true, false, self->m_id};
    sched::ipc_handoff(self, partner);

    // Back: whoever completed our receive left the outcome (finish_blocked in ipc.cc).
    if (self->m_outcome.retry_receive) {
        // Only a thread blocked in its send phase is told to retry; ours was done. Should
        // that change, the general path runs the receive phase — as part of this IPC, so the
        // count it adds is taken back.
        self->m_outcome = IpcOutcome{};
        counters.ipcs--;
        from = perform(self, ThreadId::nil(), self->m_receive_from, AXO_TIMEOUT_NEVER);
    } else if (uint32_t error = self->m_outcome.error; error != AXO_IPC_OK) {
        bool receive_phase = self->m_outcome.receive_phase;
        self->m_outcome = IpcOutcome{};
        utcb->mr[0] = AXO_TAG_FLAG_ERROR;
        utcb->error = (error << 1) | (receive_phase ? AXO_IPC_PHASE_RECEIVE : 0);
        from = ThreadId::nil();
    } else {
        from = self->m_outcome.from;
        self->m_outcome = IpcOutcome{};
    }
    io.from = from.raw();
    io.mr0 = utcb->mr[0];
    io.mr1 = utcb->mr[1];
    io.mr2 = utcb->mr[2];
    return true;
}

} // namespace axo::ipc
