// Synchronous IPC (L4 X.2 style): an optional send phase then an optional receive phase,
// each with its own timeout. Call (send + closed receive from the same partner) and
// reply-and-wait (send + open receive) are atomic: the kernel moves a caller into its
// receive phase in the same step in which its message is taken, so a reply never misses it.
#pragma once

#include <stdint.h>

#include "kernel/thread.h"

namespace axo::ipc {

// Performs an IPC for `self`, whose message (MR0 = tag, MR1..) is in its UTCB. Returns the
// sender of a received message (nil if there was no receive phase or it failed). On error,
// MR0 holds a tag with AXO_TAG_FLAG_ERROR and the UTCB error word says what failed.
ThreadId perform(Thread* self, ThreadId to, ThreadId from_specifier, uint32_t timeouts);

// A call the kernel makes on `self`'s behalf (a page fault to its pager): the message is the
// untyped words in its UTCB (MR0 = the tag), both timeouts never. Like perform(), and when
// the partner already waits for it, handed over directly (sched::hand_over) instead of
// through the ready queues.
ThreadId kernel_call(Thread* self, ThreadId to);

// Back from blocking in an IPC: the outcome its waker left (IpcOutcome), as perform()
// would have returned it. For a thread that blocked in the ia32 IPC fast path.
ThreadId finish_blocked(Thread* self);

// The thread's IPC timeout fired.
void timeout_expired(Thread* thread);
// exchange_registers: abort a blocked send and/or receive with AXO_IPC_CANCELLED.
void abort(Thread* thread, bool send, bool receive);
// Notification bits end the IPC `thread` is blocked in (notification.h): it becomes ready and
// returns the notification message.
void end_by_notification(Thread* thread);
// An interrupt: the IRQ thread sends its (empty) message to the handler, now or when the
// handler next receives from it.
void deliver_interrupt(Thread* irq, Thread* handler);

// The thread is being deleted: every partner waiting on it fails with AXO_IPC_NO_PARTNER.
void thread_deleted(Thread* thread);

} // namespace axo::ipc
