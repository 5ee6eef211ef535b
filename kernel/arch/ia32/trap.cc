#include "kernel/arch/ia32/trap.h"

#include "kernel/arch.h"
#include "kernel/arch/ia32/descriptors.h"
#include "kernel/arch/ia32/io.h"
#include "kernel/arch/ia32/pic.h"
#include "kernel/console.h"
#include "kernel/interrupts.h"
#include "kernel/panic.h"
#include "kernel/scheduler.h"
#include "kernel/space.h"
#include "kernel/syscalls.h"

#include "kernel/arch/ia32/user_return.h"
#include "kernel/thread.h"

extern "C" const axo::ia32::ExceptionTableEntry __extable_start[], __extable_end[];

namespace {
// trap_entry.S and ipc_fastpath.S: the instructions that return to user mode (user_return.h).
struct UserReturnEntry {
    uint32_t ip;
    uint32_t kind; // USER_RETURN_IRET, or the selector a faulting segment pop retries with
};
static_assert(USER_RETURN_DATA_SELECTOR == axo::ia32::kUserData &&
              USER_RETURN_UTCB_SELECTOR == axo::ia32::kUtcbSelector);
} // namespace
extern "C" const UserReturnEntry __user_return_start[], __user_return_end[];
extern "C" [[noreturn]] void ia32_retrap_user(axo::ia32::TrapFrame* frame);

namespace axo::ia32 {

RecoveredFault g_last_recovered_fault;

namespace {

IrqHandler g_irq_handlers[pic::kLines];

const char* const kExceptionNames[] = {
    "divide error",
    "debug",
    "NMI",
    "breakpoint",
    "overflow",
    "BOUND range exceeded",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor segment overrun",
    "invalid TSS",
    "segment not present",
    "stack fault",
    "general protection",
    "page fault",
    "reserved (15)",
    "x87 FPU error",
    "alignment check",
    "machine check",
};

const ExceptionTableEntry* find_fixup(uint32_t ip) {
    for (const ExceptionTableEntry* e = __extable_start; e < __extable_end; ++e) {
        if (e->fault_ip == ip) return e;
    }
    return nullptr;
}

bool fatal_everywhere(uint32_t vector) {
    return vector == kNmi || vector == kDoubleFault || vector == kMachineCheck;
}

// The running thread's exception, as IPC to its pager (page faults) or exception handler;
// `frame` is its TrapFrame, and gets what the handler's reply (or a resumer) set.
void deliver_to_thread(TrapFrame& frame, uint32_t vector, uint32_t error, uint32_t address) {
    // A page fault goes to the pager first; the registers are gathered only for a handler.
    if (vector == kPageFault && syscalls::page_fault_to_pager(g_current, address, frame.eip, error))
        return;
    UserRegisters regs{frame.eax, frame.ecx, frame.edx, frame.ebx, frame.user_esp,
                       frame.ebp, frame.esi, frame.edi, frame.eip, frame.eflags,
                       vector,    error,     address};
    if (!syscalls::deliver_exception(g_current, regs, vector == kPageFault)) return;
    arch::write_user_registers(*g_current, regs);
    g_current->m_check_ip = true; // the reply may have set an eip, or left one beyond the limit
}

// A thread found in virtual-8086 mode — a ring-3 iret with EFLAGS.VM enters it on QEMU,
// though a Pentium (and Bochs) ignore VM below CPL 0 — is put back into protected mode with
// its own segments, and gets a #GP (error 0) at its v86 ip and sp: its handler decides.
void leave_v86(TrapFrame& frame) {
    frame.cs = kUserCode;
    frame.user_ss = kUserData;
    frame.ds = frame.es = frame.fs = kUserData;
    frame.gs = kUtcbSelector;
    frame.eflags = (frame.eflags & ~kEflagsNeverUser) | kEflagsIf | kEflagsReserved;
}

const UserReturnEntry* find_user_return(uint32_t ip) {
    for (const UserReturnEntry* e = __user_return_start; e < __user_return_end; ++e) {
        if (e->ip == ip) return e;
    }
    return nullptr;
}

// A fault of the kernel's own return to user mode (user_return.h). A segment pop that faults
// (a selector the GDT no longer holds as it was) is retried with the register's default user
// selector. A faulting iret — an eip beyond the code segment's limit, checked by Bochs and
// the Pentium at iret — becomes the thread's exception: its TrapFrame is rebuilt at the top of
// its kernel stack from the registers the fault saved in `frame` and the iret's five words,
// and handled as a trap from user mode.
bool recover_user_return(TrapFrame& frame) {
    const UserReturnEntry* entry = find_user_return(frame.eip);
    if (!entry) return false;
    // The interrupted instruction's stack: the word a pop would have read, or the iret's frame.
    uint32_t* stack = &frame.user_esp;
    if (entry->kind != USER_RETURN_IRET) {
        *stack = entry->kind;
        return true;
    }
    Thread* thread = g_current;
    if (!thread || !thread->is_user() ||
        reinterpret_cast<uint32_t>(stack + 5) != thread->kernel_stack_top()) {
        return false;
    }
    TrapFrame user = frame; // gs .. eax: the user's registers, restored before the iret
    user.eip = stack[0];
    user.cs = stack[1];
    user.eflags = stack[2];
    user.user_esp = stack[3];
    user.user_ss = stack[4];
    // The rebuilt frame overlaps `frame` and the stack of this call, which is never returned to.
    auto* top = reinterpret_cast<TrapFrame*>(thread->kernel_stack_top() - sizeof(TrapFrame));
    __builtin_memcpy(top, &user, sizeof(user));
    ia32_retrap_user(top);
}

void handle_exception(TrapFrame& frame) {
    uint32_t address = frame.vector == kPageFault ? read_cr2() : 0;
    if (frame.from_user() && g_current && frame.vector == kDeviceNotAvailable) {
        arch::fpu_switch(g_current); // lazy FPU switching, invisible to user space
        return;
    }
    if (frame.from_user() && g_current && !fatal_everywhere(frame.vector)) {
        // cr2 is linear; a small space's user addresses start at its slot.
        if (address) address -= g_current->m_space->small_base();
        deliver_to_thread(frame, frame.vector, frame.error, address);
        return;
    }
    if (!frame.from_user()) {
        if (recover_user_return(frame)) return;
        if (const ExceptionTableEntry* fixup = find_fixup(frame.eip)) {
            g_last_recovered_fault.vector = frame.vector;
            g_last_recovered_fault.error = frame.error;
            g_last_recovered_fault.address = address;
            g_last_recovered_fault.count++;
            frame.eip = fixup->fixup_ip;
            return;
        }
    }
    panic_with_frame(frame, exception_name(frame.vector));
}

void handle_irq(TrapFrame& frame) {
    axo::arch::end_idle_halt();
    uint32_t irq = frame.vector - kVectorIrqBase;
    if (pic::is_spurious(irq)) return;
    if (IrqHandler handler = g_irq_handlers[irq]) {
        handler(irq);
        return;
    }
    // Every other line is a user-level driver's: masked until its handler acknowledges.
    pic::mask(irq);
    pic::end_of_interrupt(irq);
    interrupts::raise(irq);
}

} // namespace

void refuse_unexecutable_ip(TrapFrame& frame) {
    g_current->m_check_ip = false;
    while (!arch::user_ip_valid(*g_current, frame.eip)) {
        deliver_to_thread(frame, kGeneralProtection, 0, 0);
        syscalls::before_user_return(g_current);
    }
}

const char* exception_name(uint32_t vector) {
    if (vector < sizeof(kExceptionNames) / sizeof(kExceptionNames[0])) {
        return kExceptionNames[vector];
    }
    return vector < 32 ? "reserved exception" : "interrupt";
}

} // namespace axo::ia32

namespace axo::arch {
void mask_irq(uint32_t line) {
    ia32::pic::mask(line);
}
void unmask_irq(uint32_t line) {
    ia32::pic::unmask(line);
}
} // namespace axo::arch

namespace axo::ia32 {

void set_irq_handler(uint32_t irq, IrqHandler handler) {
    if (irq < pic::kLines) g_irq_handlers[irq] = handler;
}

void panic_with_frame(const TrapFrame& f, const char* why) {
    kprintf("\nKERNEL PANIC: %s (vector %u, error 0x%x) in %s mode\n", why, f.vector, f.error,
            f.from_user() ? "user" : "kernel");
    kprintf("  eip=%08x cs=%04x eflags=%08x cr2=%08x cr3=%08x\n", f.eip, f.cs, f.eflags, read_cr2(),
            read_cr3());
    kprintf("  eax=%08x ebx=%08x ecx=%08x edx=%08x\n", f.eax, f.ebx, f.ecx, f.edx);
    kprintf("  esi=%08x edi=%08x ebp=%08x esp=%08x\n", f.esi, f.edi, f.ebp,
            f.from_user() ? f.user_esp : reinterpret_cast<uint32_t>(&f.user_esp));
    kprintf("  ds=%04x es=%04x fs=%04x gs=%04x\n", f.ds, f.es, f.fs, f.gs);
    platform_exit(ExitReason::panic);
}

} // namespace axo::ia32

extern "C" void ia32_trap(axo::ia32::TrapFrame* frame) {
    using namespace axo::ia32;
    bool from_v86 = (frame->eflags & kEflagsVm) != 0;
    if (from_v86) leave_v86(*frame);
    bool irq = frame->vector >= kVectorIrqBase && frame->vector < kVectorIrqBase + pic::kLines;
    if (from_v86 && irq) {
        handle_irq(*frame); // a device's interrupt that happened to arrive in v86 mode
    } else if (from_v86 && !(frame->vector < 32 && fatal_everywhere(frame->vector))) {
        // Neither its exception nor its system call (QEMU lets int $0x30 through with IOPL 3).
    } else if (frame->vector == kVectorSyscall) {
        handle_syscall(*frame);
    } else if (frame->vector < 32) {
        handle_exception(*frame);
    } else if (frame->vector >= kVectorIrqBase && frame->vector < kVectorIrqBase + pic::kLines) {
        handle_irq(*frame);
    } else {
        axo::kprintf("trap: unexpected vector %u ignored\n", frame->vector);
    }
    if (!axo::g_current) return; // still booting: no threads yet
    if (frame->from_user()) {
        if (from_v86) deliver_to_thread(*frame, kGeneralProtection, 0, 0);
        axo::syscalls::before_user_return(axo::g_current);
        if (axo::g_current->m_check_ip) refuse_unexecutable_ip(*frame);
    } else {
        axo::sched::preempt_if_needed(); // only idle runs with interrupts enabled
    }
}
