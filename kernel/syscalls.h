// The system calls other than ipc, architecture-free: the ia32 entry code decodes the
// registers (see kernel/uapi/axolotl/syscalls.h) and calls these. Each returns an axo_error.
#pragma once

#include <stdint.h>

#include "kernel/arch.h"
#include "kernel/scheduler.h"
#include "kernel/thread.h"

namespace axo::syscalls {

uint32_t thread_control(Thread* self, ThreadId dest, ThreadId space, ThreadId scheduler,
                        ThreadId pager, uint32_t utcb_location, ThreadId exception_handler);

struct ExchangeRegisters {
    uint32_t control; // in: axo_exreg_control; out: axo_exreg_state
    uint32_t sp, ip, flags;
    ThreadId pager;
};
uint32_t exchange_registers(Thread* self, ThreadId dest, ExchangeRegisters& io);

uint32_t schedule(Thread* self, ThreadId dest, uint32_t priority, uint32_t timeslice_us,
                  uint32_t& old_priority, uint32_t& old_timeslice_us);
uint32_t thread_switch(Thread* self, ThreadId dest);
// space_control (abi.h): small and large spaces. `blocks`/`base` receive the result.
uint32_t space_control(Thread* self, ThreadId space, uint32_t control, uint32_t argument,
                       uint32_t& blocks, uint32_t& base);

// Flushes the fpages in MR0.. (see abi.h): recursive revocation through the mapping database.
uint32_t unmap(Thread* self, uint32_t control);
uint32_t debug(Thread* self, uint32_t op, uint32_t arg0, uint32_t arg1);

// A page fault of the current thread at `address` (by the instruction at `eip`; `error` is the
// CPU's error code): an IPC call to its pager on its behalf, whose reply's map items land
// anywhere in the space. True when that settled the fault and the thread's saved registers
// stand as they are: the pager answered, the IPC was aborted (the thread retries where it now
// stands), or the pager was unreachable and the thread halted (its resumer wrote the saved
// registers). False: the fault is the exception handler's (deliver_exception) — no pager, an
// address outside the space, or the pager answered AXO_LABEL_RAISE_FAULT.
bool page_fault_to_pager(Thread* self, uint32_t address, uint32_t eip, uint32_t error);

// A user-mode exception (or a page fault page_fault_to_pager left) of the current thread:
// becomes an IPC to its exception handler; the reply may change the registers. Without a
// handler the thread is halted. False when the thread's saved registers stand as they are
// and `regs` need not be written back (an aborted exception IPC).
bool deliver_exception(Thread* self, UserRegisters& regs, bool page_fault);

// On every return to user mode: honour a pending preemption, then a pending halt. Inline:
// the common case, neither, costs two compares on every system call's return.
void before_user_return_slow(Thread* self);
inline void before_user_return(Thread* self) {
    if (sched::g_need_resched || self->m_halt_requested) before_user_return_slow(self);
}

} // namespace axo::syscalls
