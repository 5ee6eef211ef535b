// Interrupts as IPC (DESIGN.md §3): IRQ line n is the kernel thread axo_irq_thread(n). The
// root task attaches a handler thread; each interrupt is a message from the IRQ thread to
// the handler; the line stays masked until the handler acknowledges by sending to it.
#pragma once

#include <stdint.h>

#include "kernel/lib/result.h"
#include "kernel/thread.h"

namespace axo::interrupts {

Result<void> init();

// Whether `id` names an IRQ thread (valid or not).
bool is_irq_id(ThreadId id);
Thread* irq_thread(ThreadId id);

// thread_control on an IRQ thread: attach `handler` (or detach: handler nil or the IRQ
// thread itself). Returns an axo_error.
uint32_t attach(ThreadId irq, ThreadId handler);

// The line fired (the architecture masked and acknowledged it at the controller).
void raise(uint32_t line);

// The handler's message to its IRQ thread: unmask the line. False if `self` is not its
// handler.
bool acknowledge(Thread* self, Thread* irq);

} // namespace axo::interrupts
