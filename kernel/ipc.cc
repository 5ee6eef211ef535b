#include "kernel/ipc.h"

#include "axolotl/kip.h"
#include "kernel/interrupts.h"
#include "kernel/ipc_timeout.h"
#include "kernel/lib/string.h"
#include "kernel/map_items.h"
#include "kernel/message.h"
#include "kernel/notification.h"
#include "kernel/scheduler.h"
#include "kernel/space.h"

namespace axo::ipc {

namespace {

constexpr uint32_t kTagFlagsMask = 0xF000;

// What an interrupt line's thread sends: always the same empty message.
constinit const Message kInterruptMessage{axo_msg_tag(AXO_LABEL_INTERRUPT, 0, 0), {}};

// ---- send queues: the threads blocked sending to a receiver, in arrival order ----

// `message` is what the sender will deliver: the copy it took when its send began.
void enqueue_sender(Thread* receiver, Thread* sender, const Message& message) {
    sender->m_send_target = receiver;
    sender->m_send_message = &message;
    sender->m_sendq_next = nullptr;
    Thread* head = receiver->m_sendq_head;
    if (!head) {
        receiver->m_sendq_head = sender;
        sender->m_sendq_prev = sender; // the head's prev is the tail
        return;
    }
    Thread* tail = head->m_sendq_prev;
    tail->m_sendq_next = sender;
    sender->m_sendq_prev = tail;
    head->m_sendq_prev = sender;
}

void remove_sender(Thread* sender) {
    Thread* receiver = sender->m_send_target;
    if (!receiver) return;
    Thread* head = receiver->m_sendq_head;
    if (sender == head) {
        receiver->m_sendq_head = sender->m_sendq_next;
        if (sender->m_sendq_next) sender->m_sendq_next->m_sendq_prev = sender->m_sendq_prev;
    } else {
        sender->m_sendq_prev->m_sendq_next = sender->m_sendq_next;
        Thread* next = sender->m_sendq_next ? sender->m_sendq_next : head;
        next->m_sendq_prev = sender->m_sendq_prev;
    }
    sender->m_send_target = nullptr;
    sender->m_sendq_next = sender->m_sendq_prev = nullptr;
}

// The first queued sender that `receiver`'s receive specification accepts.
Thread* find_sender(Thread* receiver) {
    for (Thread* s = receiver->m_sendq_head; s; s = s->m_sendq_next) {
        if (receiver->accepts_from(s->m_id)) return s;
    }
    return nullptr;
}

// A receive specification that can ever be satisfied: any, a live user thread, or an
// interrupt line's thread.
bool partner_exists(ThreadId spec) {
    if (spec.is_any()) return true;
    Thread* partner = threads::lookup(spec);
    return partner && (partner->is_user() || interrupts::irq_thread(spec));
}

// ---- outcomes ----

ThreadId fail(Thread* self, uint32_t error, bool receive_phase) {
    self->m_utcb->mr[0] = AXO_TAG_FLAG_ERROR;
    self->m_utcb->error = (error << 1) | (receive_phase ? AXO_IPC_PHASE_RECEIVE : 0);
    return ThreadId::nil();
}

void wake(Thread* thread, uint32_t error, bool receive_phase, ThreadId from = ThreadId::nil()) {
    sched::disarm_timeout(thread);
    if (!thread->is_user()) {
        // An IRQ thread whose message was taken (or dropped): idle until the next interrupt.
        thread->m_state = ThreadState::inactive;
        return;
    }
    thread->m_outcome = IpcOutcome{error, receive_phase, false, from};
    sched::make_ready(thread);
}

// The receive window for map items: the whole address space while the thread waits for
// its pager's reply, else the fpage in BR0 (a malformed one accepts nothing).
Fpage receive_window(const Thread* thread) {
    Fpage window;
    axo_fpage_t raw = thread->m_accept_any_mapping ? AXO_FPAGE_COMPLETE : thread->m_utcb->br[0];
    if (!decode_fpage(raw, window)) window = Fpage{};
    return window;
}

// Copies `message` into `to`'s UTCB: the tag (flags cleared) and its u + t words, never more
// than the message registers hold; then carries out the map and grant items. Map items make
// the walk long and preemptible (map_items.h): the one of the two threads that is not
// running waits in ThreadState::transferring meanwhile, linked to the running one, and is
// left as it was. AXO_IPC_OK; AXO_IPC_INVALID (an item would land below kLowestMappable);
// AXO_IPC_ABORTED: the waiting thread was deleted meanwhile and must not be touched.
uint32_t transfer(Thread* from, const Message& message, Thread* to) {
    to->m_utcb->mr[0] = message.tag & ~kTagFlagsMask;
    memcpy(&to->m_utcb->mr[1], message.words, message.word_count() * sizeof(uint32_t));
    if (!message.typed() || !from->is_user() || !to->is_user()) return AXO_IPC_OK;

    Thread* waiter = from == g_current ? to : from;
    ThreadState state = waiter->m_state;
    IpcOutcome outcome = waiter->m_outcome;
    sched::disarm_timeout(waiter);
    waiter->m_state = ThreadState::transferring;
    // Should the running thread be deleted meanwhile, the waiter wakes with this.
    waiter->m_outcome = IpcOutcome{AXO_IPC_ABORTED, waiter == to, false, ThreadId::nil()};
    g_current->m_transfer_partner = waiter;
    waiter->m_transfer_partner = g_current;
    uint32_t error = map_items::transfer(from, to, message, receive_window(to));
    if (g_current->m_transfer_partner) {
        waiter->m_transfer_partner = nullptr;
        waiter->m_state = state;
        waiter->m_outcome = outcome;
    }
    g_current->m_transfer_partner = nullptr;
    return error;
}

// Starts the receive phase of a blocked thread whose send phase `receiver` just completed.
// It never runs in between, so the partner's reply cannot arrive before it waits.
void continue_into_receive(Thread* thread) {
    if (!thread->is_user()) {
        wake(thread, AXO_IPC_OK, false);
        return;
    }
    ThreadId spec = thread->m_receive_from;
    if (spec.is_nil()) {
        wake(thread, AXO_IPC_OK, false);
        return;
    }
    if (notify::pending(thread)) {
        // Bits it accepts wait: its receive phase ends with them at once.
        thread->m_outcome = IpcOutcome{notify::kNotifiedOutcome, true, false, ThreadId::nil()};
        sched::make_ready(thread);
        return;
    }
    if (find_sender(thread)) {
        // Someone already waits to send to it: let it take that message itself.
        thread->m_outcome = IpcOutcome{AXO_IPC_OK, true, true, ThreadId::nil()};
        sched::make_ready(thread);
        return;
    }
    if (!partner_exists(spec)) {
        wake(thread, AXO_IPC_NO_PARTNER, true);
        return;
    }
    DecodedTimeout timeout = decode_timeout(thread->m_receive_timeout);
    if (timeout.kind == TimeoutKind::zero) {
        wake(thread, AXO_IPC_TIMEOUT, true);
        return;
    }
    thread->m_state = ThreadState::receiving;
    if (timeout.kind == TimeoutKind::relative) sched::arm_timeout(thread, timeout.microseconds);
}

ThreadId receive(Thread* self, Thread* preferred) {
    if (notify::pending(self)) return notify::deliver(self, true);
    if (Thread* sender = find_sender(self)) {
        remove_sender(sender);
        sched::disarm_timeout(sender);
        ThreadId from = sender->m_id;
        uint32_t error = transfer(sender, *sender->m_send_message, self);
        if (error == AXO_IPC_ABORTED) return fail(self, error, true); // the sender is gone
        if (error != AXO_IPC_OK) {
            wake(sender, error, false);
            return fail(self, error, true);
        }
        continue_into_receive(sender);
        return from;
    }
    if (!partner_exists(self->m_receive_from)) return fail(self, AXO_IPC_NO_PARTNER, true);
    DecodedTimeout timeout = decode_timeout(self->m_receive_timeout);
    if (timeout.kind == TimeoutKind::zero) return fail(self, AXO_IPC_TIMEOUT, true);

    sched::block(self, ThreadState::receiving);
    if (timeout.kind == TimeoutKind::relative) sched::arm_timeout(self, timeout.microseconds);
    if (preferred) {
        sched::schedule_prefer(preferred);
    } else {
        sched::schedule();
    }
    return finish_blocked(self);
}

} // namespace

ThreadId finish_blocked(Thread* self) {
    IpcOutcome outcome = self->m_outcome;
    self->m_outcome = IpcOutcome{};
    if (outcome.retry_receive) return receive(self, nullptr);
    if (outcome.error != AXO_IPC_OK) {
        if (outcome.error == notify::kNotifiedOutcome) {
            return notify::deliver(self, outcome.receive_phase);
        }
        return fail(self, outcome.error, outcome.receive_phase);
    }
    return outcome.from;
}

ThreadId perform(Thread* self, ThreadId to, ThreadId from_specifier, uint32_t timeouts) {
    kip::get()->counters.ipcs++;
    notify::IpcScope notify_scope(self);
    DecodedTimeout send = decode_timeout(send_timeout(timeouts));
    DecodedTimeout recv = decode_timeout(receive_timeout(timeouts));
    if (send.kind == TimeoutKind::invalid || recv.kind == TimeoutKind::invalid) {
        return fail(self, AXO_IPC_INVALID, false);
    }
    self->m_receive_from = from_specifier;
    self->m_receive_timeout = receive_timeout(timeouts);
    self->m_outcome = IpcOutcome{};

    Thread* partner = nullptr;
    // The message is read from the UTCB once, here, and checked; the send delivers this copy
    // (also from the send queue), whatever the UTCB holds by then.
    Message message;
    if (!to.is_nil()) {
        if (uint32_t error = take_message(self->m_utcb->mr, message); error != AXO_IPC_OK) {
            return fail(self, error, false);
        }
        partner = to.is_any() ? nullptr : threads::lookup(to);
        if (Thread* irq = interrupts::irq_thread(to); irq && partner == irq) {
            // Sending to an interrupt line's thread acknowledges the interrupt.
            if (!interrupts::acknowledge(self, irq)) return fail(self, AXO_IPC_NO_PARTNER, false);
            if (from_specifier.is_nil()) return ThreadId::nil();
            return receive(self, nullptr);
        }
        if (!partner || !partner->is_user()) return fail(self, AXO_IPC_NO_PARTNER, false);

        if (partner->m_state == ThreadState::receiving && partner->accepts_from(self->m_id)) {
            uint32_t error = transfer(self, message, partner);
            if (error == AXO_IPC_ABORTED) return fail(self, error, false); // the receiver is gone
            if (error != AXO_IPC_OK) {
                wake(partner, error, true);
                return fail(self, error, false);
            }
            wake(partner, AXO_IPC_OK, true, self->m_id);
        } else {
            if (send.kind == TimeoutKind::zero) return fail(self, AXO_IPC_TIMEOUT, false);
            if (notify::pending(self)) return notify::deliver(self, false);
            enqueue_sender(partner, self, message);
            sched::block(self, ThreadState::sending);
            if (send.kind == TimeoutKind::relative) sched::arm_timeout(self, send.microseconds);
            sched::schedule();
            self->m_send_message = nullptr;
            return finish_blocked(self);
        }
    }
    if (from_specifier.is_nil()) return ThreadId::nil();
    return receive(self, partner);
}

ThreadId kernel_call(Thread* self, ThreadId to) {
    Thread* partner = threads::lookup(to);
    axo_utcb_t* utcb = self->m_utcb;
    axo_msg_tag_t tag = utcb->mr[0];
    // The common case, as the fast path's: a partner waiting for us in a receive without a
    // timeout or halt, that may run at once; no typed items, no notification bits, no queued
    // sender our receive phase would take first. The rest is perform()'s.
    if (!partner || !partner->is_user() || partner->m_state != ThreadState::receiving ||
        !partner->accepts_from(self->m_id) || partner->m_timeout_armed ||
        partner->m_halt_requested || axo_tag_typed(tag) != 0 || (tag & AXO_TAG_FLAG_NOTIFY) ||
        self->m_sendq_head || !sched::may_hand_over(partner)) {
        return perform(self, to, to, axo_timeouts(AXO_TIMEOUT_NEVER, AXO_TIMEOUT_NEVER));
    }
    kip::get()->counters.ipcs++;
    self->m_receive_from = to;
    self->m_receive_timeout = AXO_TIMEOUT_NEVER;
    // The words are the kernel's own (written for this call, with interrupts off): no copy
    // to take first; a page fault's are two (a loop: memcpy's call costs more).
    axo_utcb_t* to_utcb = partner->m_utcb;
    to_utcb->mr[0] = tag & ~kTagFlagsMask;
    for (uint32_t i = 1, u = axo_tag_untyped(tag); i <= u; ++i)
        to_utcb->mr[i] = utcb->mr[i];
    partner->m_outcome = IpcOutcome{AXO_IPC_OK, true, false, self->m_id};
    self->m_outcome = IpcOutcome{};
    self->m_state = ThreadState::receiving;
    partner->m_state = ThreadState::ready;
    sched::hand_over(partner);
    return finish_blocked(self);
}

void timeout_expired(Thread* thread) {
    if (thread->m_state == ThreadState::sending) {
        remove_sender(thread);
        wake(thread, AXO_IPC_TIMEOUT, false);
    } else if (thread->m_state == ThreadState::receiving) {
        wake(thread, AXO_IPC_TIMEOUT, true);
    }
}

void abort(Thread* thread, bool send, bool receive) {
    if (send && thread->m_state == ThreadState::sending) {
        remove_sender(thread);
        wake(thread, AXO_IPC_CANCELLED, false);
    } else if (receive && thread->m_state == ThreadState::receiving) {
        wake(thread, AXO_IPC_CANCELLED, true);
    }
}

void end_by_notification(Thread* thread) {
    bool receive_phase = thread->m_state == ThreadState::receiving;
    if (!receive_phase) remove_sender(thread);
    sched::disarm_timeout(thread);
    thread->m_outcome = IpcOutcome{notify::kNotifiedOutcome, receive_phase, false, ThreadId::nil()};
    sched::make_ready(thread);
}

void deliver_interrupt(Thread* irq, Thread* handler) {
    if (handler->m_state == ThreadState::receiving && handler->accepts_from(irq->m_id)) {
        (void)transfer(irq, kInterruptMessage, handler); // no items: nothing can fail
        wake(handler, AXO_IPC_OK, true, irq->m_id);
        return;
    }
    irq->m_state = ThreadState::sending;
    enqueue_sender(handler, irq, kInterruptMessage);
}

void thread_deleted(Thread* dead) {
    if (Thread* partner = dead->m_transfer_partner) {
        // A transfer of map items between the two was preempted: the running side stops at
        // its next step; a waiting side wakes with the outcome transfer() left it.
        partner->m_transfer_partner = nullptr;
        dead->m_transfer_partner = nullptr;
        if (partner->m_state == ThreadState::transferring) sched::make_ready(partner);
    }
    if (dead->m_state == ThreadState::sending) remove_sender(dead);
    sched::disarm_timeout(dead);
    while (Thread* sender = dead->m_sendq_head) {
        remove_sender(sender);
        wake(sender, AXO_IPC_NO_PARTNER, false);
    }
    ThreadId id = dead->m_id;
    threads::for_each([id](Thread* t) {
        if (t->m_state == ThreadState::receiving && t->m_receive_from == id) {
            wake(t, AXO_IPC_NO_PARTNER, true);
        }
    });
}

} // namespace axo::ipc
