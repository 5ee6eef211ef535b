// The scheduler: 256 priorities, round robin with time slices within a priority, the
// kernel clock and IPC timeouts. The running thread stays at the head of its ready queue.
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
// make_ready(to), block(from, receiving), schedule_prefer(to) in one step (IPC fast path).
void ipc_handoff(Thread* from, Thread* to);
// Moves the current thread behind its peers and schedules.
void yield();
// Donates the CPU to `target` if it is ready; the caller stays ready.
void donate(Thread* target);
// Before returning to user mode: schedule if a preemption is due.
void preempt_if_needed();

void set_priority(Thread* thread, uint8_t priority);

// The kernel clock, in microseconds since boot; advanced by the timer.
uint64_t now_us();
void tick(uint32_t elapsed_us);

// Timeouts of blocked threads: on expiry `ipc::timeout_expired` runs for the thread.
void arm_timeout(Thread* thread, uint64_t microseconds);
void disarm_timeout(Thread* thread);

// A thread that deleted itself is freed by the next schedule on another stack.
void retire(Thread* dead);

} // namespace axo::sched
