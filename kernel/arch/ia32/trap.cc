#include "kernel/arch/ia32/trap.h"

#include "kernel/arch/ia32/descriptors.h"
#include "kernel/arch/ia32/io.h"
#include "kernel/arch/ia32/pic.h"
#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/interrupts.h"
#include "kernel/panic.h"
#include "kernel/scheduler.h"
#include "kernel/space.h"
#include "kernel/syscalls.h"

extern "C" const axo::ia32::ExceptionTableEntry __extable_start[], __extable_end[];

namespace axo::ia32 {

RecoveredFault g_last_recovered_fault;

namespace {

IrqHandler g_irq_handlers[pic::kLines];

const char* const kExceptionNames[] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "BOUND range exceeded",
    "invalid opcode", "device not available", "double fault", "coprocessor segment overrun",
    "invalid TSS", "segment not present", "stack fault", "general protection", "page fault",
    "reserved (15)", "x87 FPU error", "alignment check", "machine check",
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

void handle_exception(TrapFrame& frame) {
    uint32_t address = frame.vector == kPageFault ? read_cr2() : 0;
    if (frame.from_user() && g_current && frame.vector == kDeviceNotAvailable) {
        arch::fpu_switch(g_current); // lazy FPU switching, invisible to user space
        return;
    }
    if (frame.from_user() && g_current && !fatal_everywhere(frame.vector)) {
        // cr2 is linear; a small space's user addresses start at its slot.
        if (address) address -= g_current->m_space->small_base();
        UserRegisters regs{frame.eax, frame.ecx, frame.edx, frame.ebx, frame.user_esp,
                           frame.ebp, frame.esi, frame.edi, frame.eip, frame.eflags,
                           frame.vector, frame.error, address};
        syscalls::deliver_exception(g_current, regs, frame.vector == kPageFault);
        arch::write_user_registers(*g_current, regs);
        return;
    }
    if (!frame.from_user()) {
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

const char* exception_name(uint32_t vector) {
    if (vector < sizeof(kExceptionNames) / sizeof(kExceptionNames[0])) {
        return kExceptionNames[vector];
    }
    return vector < 32 ? "reserved exception" : "interrupt";
}

} // namespace axo::ia32

namespace axo::arch {
void mask_irq(uint32_t line) { ia32::pic::mask(line); }
void unmask_irq(uint32_t line) { ia32::pic::unmask(line); }
} // namespace axo::arch

namespace axo::ia32 {

void set_irq_handler(uint32_t irq, IrqHandler handler) {
    if (irq < pic::kLines) g_irq_handlers[irq] = handler;
}

void panic_with_frame(const TrapFrame& f, const char* why) {
    kprintf("\nKERNEL PANIC: %s (vector %u, error 0x%x) in %s mode\n", why, f.vector, f.error,
            f.from_user() ? "user" : "kernel");
    kprintf("  eip=%08x cs=%04x eflags=%08x cr2=%08x cr3=%08x\n", f.eip, f.cs, f.eflags,
            read_cr2(), read_cr3());
    kprintf("  eax=%08x ebx=%08x ecx=%08x edx=%08x\n", f.eax, f.ebx, f.ecx, f.edx);
    kprintf("  esi=%08x edi=%08x ebp=%08x esp=%08x\n", f.esi, f.edi, f.ebp,
            f.from_user() ? f.user_esp : reinterpret_cast<uint32_t>(&f.user_esp));
    kprintf("  ds=%04x es=%04x fs=%04x gs=%04x\n", f.ds, f.es, f.fs, f.gs);
    platform_exit(ExitReason::panic);
}

} // namespace axo::ia32

extern "C" void ia32_trap(axo::ia32::TrapFrame* frame) {
    using namespace axo::ia32;
    if (frame->vector == kVectorSyscall) {
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
        axo::syscalls::before_user_return(axo::g_current);
    } else {
        axo::sched::preempt_if_needed(); // only idle runs with interrupts enabled
    }
}
