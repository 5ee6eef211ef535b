// ia32 side of threads: initial kernel stacks, user register access, context switches.
#include "axolotl/abi.h"
#include "axolotl/kip.h"
#include "kernel/arch.h"
#include "kernel/arch/ia32/descriptors.h"
#include "kernel/arch/ia32/io.h"
#include "kernel/arch/ia32/layout.h"
#include "kernel/arch/ia32/trap.h"
#include "kernel/space.h"
#include "kernel/thread.h"

extern "C" void ia32_switch_context(uint32_t* save_sp, uint32_t new_sp);
extern "C" void ia32_enter_user();
extern "C" void ia32_enter_kernel_thread();

namespace axo::arch {

namespace {

using ia32::TrapFrame;

constexpr uint32_t kEflagsReserved = 1u << 1;
constexpr uint32_t kEflagsIf = 1u << 9;

// What ia32_switch_context pops, lowest address first.
struct SwitchFrame {
    uint32_t edi, esi, ebx, ebp;
    uint32_t return_address;
};

// A user thread's TrapFrame is always at the top of its kernel stack: every entry from
// user mode starts on an empty kernel stack.
TrapFrame* user_frame(const Thread& thread) {
    return reinterpret_cast<TrapFrame*>(thread.kernel_stack_top() - sizeof(TrapFrame));
}

PhysAddr g_loaded_directory;

} // namespace

void prepare_user_thread(Thread& thread, uint32_t ip, uint32_t sp) {
    TrapFrame* frame = user_frame(thread);
    *frame = TrapFrame{};
    frame->gs = ia32::kUtcbSelector;
    frame->fs = ia32::kUserData;
    frame->es = ia32::kUserData;
    frame->ds = ia32::kUserData;
    frame->eip = ip;
    frame->cs = ia32::kUserCode;
    frame->eflags = kEflagsIf | kEflagsReserved;
    frame->user_esp = sp;
    frame->user_ss = ia32::kUserData;
    auto* sw = reinterpret_cast<SwitchFrame*>(frame) - 1;
    *sw = SwitchFrame{0, 0, 0, 0, reinterpret_cast<uint32_t>(ia32_enter_user)};
    thread.m_kernel_sp = reinterpret_cast<uint32_t>(sw);
}

void prepare_kernel_thread(Thread& thread, void (*entry)()) {
    auto* sw = reinterpret_cast<SwitchFrame*>(thread.kernel_stack_top()) - 1;
    *sw = SwitchFrame{0, 0, reinterpret_cast<uint32_t>(entry), 0,
                      reinterpret_cast<uint32_t>(ia32_enter_kernel_thread)};
    thread.m_kernel_sp = reinterpret_cast<uint32_t>(sw);
}

UserRegisters read_user_registers(const Thread& thread) {
    const TrapFrame* f = user_frame(thread);
    return UserRegisters{f->eax, f->ecx, f->edx, f->ebx, f->user_esp, f->ebp, f->esi, f->edi,
                         f->eip, f->eflags, f->vector, f->error, 0};
}

void write_user_registers(Thread& thread, const UserRegisters& r) {
    TrapFrame* f = user_frame(thread);
    f->eax = r.eax;
    f->ecx = r.ecx;
    f->edx = r.edx;
    f->ebx = r.ebx;
    f->user_esp = r.esp;
    f->ebp = r.ebp;
    f->esi = r.esi;
    f->edi = r.edi;
    f->eip = r.eip;
    f->eflags = (f->eflags & ~AXO_USER_EFLAGS_MASK) | (r.eflags & AXO_USER_EFLAGS_MASK) |
                kEflagsIf | kEflagsReserved;
}

void switch_to(Thread* from, Thread* to) {
    if (to->is_user()) {
        ia32::set_kernel_stack(to->kernel_stack_top());
        ia32::set_utcb_segment_base(to->m_utcb_user);
        PhysAddr directory = to->m_space->page_directory();
        if (!(directory == g_loaded_directory)) {
            ia32::write_cr3(directory.raw());
            g_loaded_directory = directory;
            axo_counters_t& counters = kip::get()->counters;
            counters.cr3_writes++;
            counters.space_switches++;
        }
    }
    ia32_switch_context(&from->m_kernel_sp, to->m_kernel_sp);
}

void wait_for_interrupt() { asm volatile("sti; hlt; cli" ::: "memory"); }

void* phys_to_kernel(PhysAddr phys) { return ia32::phys_ptr<void>(phys.raw()); }

PhysAddr kernel_to_phys(const void* virt) {
    return PhysAddr(ia32::virt_to_phys(reinterpret_cast<uint32_t>(virt)));
}

// The page directory being destroyed may be the loaded one (lazy switching keeps the last
// user space loaded while idle runs): fall back to the kernel's own first.
void forget_directory(PhysAddr directory, PhysAddr kernel_directory) {
    if (directory == g_loaded_directory) {
        ia32::write_cr3(kernel_directory.raw());
        g_loaded_directory = kernel_directory;
    }
}

} // namespace axo::arch
