#include "kernel/scheduler.h"

#include "axolotl/kip.h"
#include "kernel/arch.h"
#include "kernel/ipc.h"
#include "kernel/ipc_timeout.h"
#include "kernel/space.h"

namespace axo::sched {

namespace {
ReadyQueues g_ready;
TimeoutQueue g_timeouts;
Thread* g_idle;
Thread* g_zombie;
uint64_t g_now_us;
bool g_need_resched;

Thread* pick() {
    SchedNode* node = g_ready.highest();
    return node ? Thread::from_sched_node(node) : g_idle;
}

void switch_to(Thread* next) {
    g_need_resched = false;
    if (next == g_current) return;
    Thread* previous = g_current;
    g_current = next;
    kip::get()->counters.context_switches++;
    arch::switch_to(previous, next);
    // Back on this thread's stack: free threads that deleted themselves meanwhile.
    while (g_zombie && g_zombie != g_current) {
        Thread* dead = g_zombie;
        g_zombie = dead->m_sendq_next;
        threads::destroy(dead);
    }
}
} // namespace

void init(Thread* idle) {
    g_idle = idle;
    g_current = idle;
}

void make_ready(Thread* thread) {
    thread->m_state = ThreadState::ready;
    if (thread->m_sched.queued) return;
    thread->m_sched.priority = thread->m_priority;
    g_ready.enqueue(&thread->m_sched);
    if (g_current == g_idle || thread->m_priority > g_current->m_priority) g_need_resched = true;
}

void block(Thread* thread, ThreadState state) {
    thread->m_state = state;
    g_ready.remove(&thread->m_sched);
}

void schedule() { switch_to(pick()); }

void schedule_prefer(Thread* preferred) {
    if (preferred->m_state == ThreadState::ready &&
        static_cast<int>(preferred->m_priority) >= g_ready.highest_priority()) {
        switch_to(preferred);
    } else {
        schedule();
    }
}

void ipc_handoff(Thread* from, Thread* to) {
    // The three steps of the general path, in one call the compiler can fold together.
    make_ready(to);
    block(from, ThreadState::receiving);
    schedule_prefer(to);
}

void yield() {
    if (g_current != g_idle && g_current->m_sched.queued) {
        g_ready.remove(&g_current->m_sched);
        g_ready.enqueue(&g_current->m_sched);
        g_current->m_remaining_us = static_cast<int32_t>(g_current->m_timeslice_us);
    }
    schedule();
}

void donate(Thread* target) {
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
    bool queued = thread->m_sched.queued;
    if (queued) g_ready.remove(&thread->m_sched);
    thread->m_priority = priority;
    thread->m_sched.priority = priority;
    if (queued) g_ready.enqueue(&thread->m_sched);
    g_need_resched = true;
}

uint64_t now_us() { return g_now_us; }

void tick(uint32_t elapsed_us) {
    g_now_us += elapsed_us;
    axo_kip_t* k = kip::get();
    k->clock_hi = static_cast<uint32_t>(g_now_us >> 32);
    k->clock_lo = static_cast<uint32_t>(g_now_us);
    k->counters.timer_ticks++;

    while (TimeoutNode* node = g_timeouts.pop_expired(g_now_us)) {
        ipc::timeout_expired(Thread::from_timeout_node(node));
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
}

void disarm_timeout(Thread* thread) { g_timeouts.disarm(&thread->m_timeout); }

void retire(Thread* dead) {
    // Linked through the send-queue link, unused once a thread is dead.
    dead->m_sendq_next = g_zombie;
    g_zombie = dead;
}

} // namespace axo::sched
