#include "kernel/scheduler.h"

#include "axolotl/kip.h"
#include "kernel/arch.h"
#include "kernel/ipc.h"
#include "kernel/ipc_timeout.h"
#include "kernel/space.h"

namespace axo::sched {

ReadyQueues g_ready;
bool g_lazy;
bool g_need_resched;

namespace {
TimeoutQueue g_timeouts;
Thread* g_idle;
Thread* g_zombie;
uint64_t g_now_us;
// The running thread when the scheduler last ran: the only thread that fast-path hand-overs
// since then can have left blocked in a ready queue (scheduler.h).
Thread* g_settled;

// Brings the ready queues up to date after fast-path hand-overs (scheduler.h).
void settle() {
    if (!g_lazy) return;
    g_lazy = false;
    Thread* left = g_settled;
    if (left && left->m_state != ThreadState::ready) g_ready.remove(&left->m_sched);
    Thread* running = g_current;
    if (running != g_idle && running->m_state == ThreadState::ready) {
        g_ready.remove(&running->m_sched);
        running->m_sched.priority = running->m_priority;
        g_ready.enqueue(&running->m_sched);
    }
    g_settled = running;
}

Thread* pick() {
    SchedNode* node = g_ready.highest();
    return node ? Thread::from_sched_node(node) : g_idle;
}

void switch_to(Thread* next) {
    g_need_resched = false;
    if (next == g_current) return;
    Thread* previous = g_current;
    g_current = next;
    g_settled = next;
    kip::get()->counters.context_switches++;
    arch::switch_to(previous, next);
    switched_in();
}
} // namespace

void switched_in() {
    // Back on this thread's stack: free threads that deleted themselves meanwhile.
    while (g_zombie && g_zombie != g_current) {
        Thread* dead = g_zombie;
        g_zombie = dead->m_sendq_next;
        threads::destroy(dead);
    }
}

void init(Thread* idle) {
    g_idle = idle;
    g_current = idle;
    g_settled = idle;
}

void make_ready(Thread* thread) {
    settle();
    thread->m_state = ThreadState::ready;
    if (thread->m_sched.queued) return;
    thread->m_sched.priority = thread->m_priority;
    g_ready.enqueue(&thread->m_sched);
    if (g_current == g_idle || thread->m_priority > g_current->m_priority) g_need_resched = true;
}

void block(Thread* thread, ThreadState state) {
    settle();
    thread->m_state = state;
    g_ready.remove(&thread->m_sched);
}

void schedule() {
    settle();
    switch_to(pick());
}

void schedule_prefer(Thread* preferred) {
    settle();
    if (preferred->m_state == ThreadState::ready &&
        static_cast<int>(preferred->m_priority) >= g_ready.highest_priority()) {
        switch_to(preferred);
    } else {
        schedule();
    }
}

bool may_hand_over(const Thread* next) {
    return next->m_priority >= g_ready.top();
}

void hand_over(Thread* next) {
    // What the fast path leaves out, left out here too (scheduler.h, ipc_fastpath.S): the
    // queues, and g_settled (the next scheduler run settles from it). No reschedule is
    // pending: the running thread came from user mode, where none is.
    g_lazy = true;
    Thread* previous = g_current;
    g_current = next;
    kip::get()->counters.context_switches++;
    arch::switch_to(previous, next);
    switched_in();
}

void yield() {
    settle();
    if (g_current != g_idle && g_current->m_sched.queued) {
        g_ready.remove(&g_current->m_sched);
        g_ready.enqueue(&g_current->m_sched);
        g_current->m_remaining_us = static_cast<int32_t>(g_current->m_timeslice_us);
    }
    schedule();
}

void donate(Thread* target) {
    settle();
    if (target->m_state != ThreadState::ready || target == g_current) {
        schedule();
        return;
    }
    switch_to(target);
}

void preempt_if_needed() {
    if (g_need_resched) schedule();
}

void set_priority(Thread* thread, uint8_t priority) {
    settle();
    bool queued = thread->m_sched.queued;
    if (queued) g_ready.remove(&thread->m_sched);
    thread->m_priority = priority;
    thread->m_sched.priority = priority;
    if (queued) g_ready.enqueue(&thread->m_sched);
    g_need_resched = true;
}

uint64_t now_us() {
    return g_now_us;
}

void tick(uint32_t elapsed_us) {
    g_now_us += elapsed_us;
    axo_kip_t* k = kip::get();
    k->clock_hi = static_cast<uint32_t>(g_now_us >> 32);
    k->clock_lo = static_cast<uint32_t>(g_now_us);
    k->counters.timer_ticks++;
    arch::collect_counters();
    settle();

    while (TimeoutNode* node = g_timeouts.pop_expired(g_now_us)) {
        Thread* thread = Thread::from_timeout_node(node);
        thread->m_timeout_armed = false;
        ipc::timeout_expired(thread);
    }
    if (g_current != g_idle) {
        g_current->m_remaining_us -= static_cast<int32_t>(elapsed_us);
        if (g_current->m_remaining_us <= 0) {
            g_current->m_remaining_us = static_cast<int32_t>(g_current->m_timeslice_us);
            if (g_current->m_sched.queued) {
                g_ready.remove(&g_current->m_sched);
                g_ready.enqueue(&g_current->m_sched);
            }
            g_need_resched = true;
        }
    }
}

void arm_timeout(Thread* thread, uint64_t microseconds) {
    g_timeouts.arm(&thread->m_timeout, timeout_deadline(g_now_us, microseconds));
    thread->m_timeout_armed = true;
}

void disarm_timeout(Thread* thread) {
    // Every IPC hand-over disarms its partner; most never armed a timeout.
    if (!thread->m_timeout_armed) return;
    g_timeouts.disarm(&thread->m_timeout);
    thread->m_timeout_armed = false;
}

void retire(Thread* dead) {
    // Linked through the send-queue link, unused once a thread is dead.
    dead->m_sendq_next = g_zombie;
    g_zombie = dead;
}

} // namespace axo::sched
