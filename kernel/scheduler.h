// The scheduler: 256 priorities, round robin with time slices within a priority, the
// kernel clock and IPC timeouts. The running thread stays in its ready queue.
//
// Lazy scheduling (Liedtke): the IPC fast path (kernel/arch/ia32/ipc_fastpath.S) hands the
// CPU from a thread that blocks to a partner that becomes ready without touching the ready
// queues. It only sets g_lazy; every function here first settles the queues — the thread that
// ran when the scheduler last ran leaves them if it is blocked now, the running thread goes
// to the tail of its priority — which is exactly where the general path (make_ready, block,
// schedule_prefer) would have left them: between the scheduler's runs nothing but fast-path
// hand-overs happens, and each of them blocks the running thread.
#pragma once

#include <stdint.h>

#include "kernel/thread.h"

namespace axo::sched {

void init(Thread* idle);

// Makes a blocked or new thread runnable. Marks a reschedule if it outranks the current one.
void make_ready(Thread* thread);
// Takes the thread off the ready queues and gives it `state` (it stops at its next switch).
void block(Thread* thread, ThreadState state);
// Runs the highest-priority ready thread (or idle) if it is not the current one.
void schedule();
// Runs `preferred` if no ready thread outranks it (IPC hands the CPU to its partner).
void schedule_prefer(Thread* preferred);
// IPC's direct hand-over, as the IPC fast path makes it: the running thread has just blocked,
// and `next` (ready, possibly still queued lazily) runs at once without touching the ready
// queues; it only sets g_lazy. Only if may_hand_over(next): no queued thread outranks it.
// Returns when the running thread runs again.
bool may_hand_over(const Thread* next);
void hand_over(Thread* next);
// Moves the current thread behind its peers and schedules.
void yield();
// Donates the CPU to `target` if it is ready; the caller stays ready.
void donate(Thread* target);
// Before returning to user mode: schedule if a preemption is due.
void preempt_if_needed();
// A preemption is due: set by make_ready, the tick and set_priority, cleared by every switch.
// Read inline on every return to user mode (syscalls::before_user_return).
extern bool g_need_resched;

void set_priority(Thread* thread, uint8_t priority);

// The kernel clock, in microseconds since boot; advanced by the timer.
uint64_t now_us();
void tick(uint32_t elapsed_us);

// Timeouts of blocked threads: on expiry `ipc::timeout_expired` runs for the thread.
void arm_timeout(Thread* thread, uint64_t microseconds);
void disarm_timeout(Thread* thread);

// A thread that deleted itself is freed by the next schedule on another stack.
void retire(Thread* dead);
// Back on a thread's stack after a switch that did not return through schedule (the IPC
// fast path's blocked threads resume elsewhere): frees what schedule would have freed.
void switched_in();

// What the IPC fast path reads and writes directly (kernel/arch/ia32/ipc_fastpath_layout.h).
extern ReadyQueues g_ready __asm__("axo_sched_ready");
extern bool g_lazy __asm__("axo_sched_lazy");

} // namespace axo::sched
