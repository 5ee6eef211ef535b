// ia32 side of threads: initial kernel stacks, user register access, context switches.
#include "axolotl/abi.h"
#include "axolotl/kip.h"
#include "kernel/arch.h"
#include "kernel/arch/ia32/descriptors.h"
#include "kernel/arch/ia32/io.h"
#include "kernel/arch/ia32/ipc_fastpath_layout.h"
#include "kernel/arch/ia32/layout.h"
#include "kernel/arch/ia32/trap.h"
#include "kernel/space.h"
#include "kernel/thread.h"

extern "C" void ia32_switch_context(uint32_t* save_sp, uint32_t new_sp);
extern "C" void ia32_enter_user();
extern "C" void ia32_enter_kernel_thread();
extern "C" void ia32_ipc_fast_blocked();

namespace axo::arch {

// What the CPU has loaded; the IPC fast path (ipc_fastpath.S) reads and writes them too.
// (The loaded page directory is CR3 itself: reading it costs what a variable would, and the
// fast path's switch into a large space then writes CR3 and nothing beside it.)
const Space* g_segment_space __asm__("ia32_segment_space"); // whose LDT (user segments) is loaded
// Lazy FPU switching: the FPU keeps the state of g_fpu_owner; any other thread runs with
// CR0.TS set, and its first FPU instruction traps (#NM) to fpu_switch().
Thread* g_fpu_owner __asm__("ia32_fpu_owner");
bool g_task_switched __asm__("ia32_task_switched");

namespace {

using ia32::TrapFrame;

constexpr uint32_t kEflagsReserved = 1u << 1;

// The space's third arch word: how the IPC fast path switches into it (its jump table,
// ipc_fastpath.S .Lkinds): a large space, a small one, or not at all — a space with an I/O
// bitmap is switched to by the general path, which remaps the bitmap's window.
constexpr uint32_t kFastKindWord = 2;
uint32_t fast_kind(const Space& space, const uint8_t* io_bitmap) {
    if (io_bitmap) return FAST_KIND_GENERAL;
    return space.is_small() ? FAST_KIND_SMALL : FAST_KIND_LARGE;
}
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

constexpr uint32_t kCr0TaskSwitched = 1u << 3;
constexpr uint8_t kFpuStateValid = 1u << 0;
constexpr size_t kFnsaveSize = 108;

void* fpu_area(Thread* thread) {
    return reinterpret_cast<char*>(thread) + kTcbSize;
}
static_assert(kTcbSize + kFnsaveSize < Thread::kBlockSize / 2);

// CR0.TS (clear at boot), and its copy in ia32::g_loaded_state for the IPC fast path; the
// bool is what this function tests (one compare), the bit what the fast path does (its
// .Lfpu_set_ts sets both).
void set_task_switched(bool on) {
    if (on == g_task_switched) return;
    g_task_switched = on;
    ia32::g_loaded_state ^= ia32::kLoadedTaskSwitched;
    if (on) {
        asm volatile("mov %%cr0, %%eax; or %0, %%eax; mov %%eax, %%cr0" ::"i"(kCr0TaskSwitched)
                     : "eax", "memory");
    } else {
        asm volatile("clts" ::: "memory");
    }
}

} // namespace

void fpu_switch(Thread* thread) {
    set_task_switched(false);
    if (g_fpu_owner == thread) return;
    if (g_fpu_owner) {
        asm volatile("fnsave (%0); fwait" ::"r"(fpu_area(g_fpu_owner)) : "memory");
        g_fpu_owner->m_arch_flags |= kFpuStateValid;
        g_fpu_owner->m_arch_fpu_owner = false;
    }
    if (thread->m_arch_flags & kFpuStateValid) {
        asm volatile("frstor (%0)" ::"r"(fpu_area(thread)) : "memory");
    } else {
        asm volatile("fninit" ::: "memory");
    }
    g_fpu_owner = thread;
    thread->m_arch_fpu_owner = true;
}

void forget_thread(Thread& thread) {
    if (g_fpu_owner == &thread) g_fpu_owner = nullptr;
    thread.m_arch_fpu_owner = false;
}

// What switching to the thread loads: its UTCB segment.
void update_switch_state(Thread& thread) {
    ia32::DescriptorWords utcb = ia32::utcb_segment(thread.m_space->linear(thread.m_utcb_user));
    thread.m_arch_switch[0] = utcb.low;
    thread.m_arch_switch[1] = utcb.high;
}

void prepare_user_thread(Thread& thread, uint32_t ip, uint32_t sp) {
    update_switch_state(thread);
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
    return UserRegisters{f->eax, f->ecx, f->edx,    f->ebx,    f->user_esp, f->ebp, f->esi,
                         f->edi, f->eip, f->eflags, f->vector, f->error,    0};
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
    // Only the arithmetic flags and DF are the caller's; what the thread set itself (TF, AC,
    // ID) stays, and nothing that would leave user mode's rules (ia32::kEflagsNeverUser).
    f->eflags = (f->eflags & ~(AXO_USER_EFLAGS_MASK | ia32::kEflagsNeverUser)) |
                (r.eflags & AXO_USER_EFLAGS_MASK) | kEflagsIf | kEflagsReserved;
}

bool user_ip_valid(const Thread& thread, uint32_t ip) {
    return ip < (thread.m_space ? thread.m_space->user_limit() : ia32::kUserEnd);
}

void io_bitmap_changed(Space& space, const uint8_t* old_bitmap, const uint8_t* new_bitmap) {
    space.set_arch_switch(kFastKindWord, fast_kind(space, new_bitmap));
    bool running = g_current && g_current->m_space == &space;
    if (running || (old_bitmap && ia32::loaded_io_bitmap() == old_bitmap)) {
        ia32::load_io_bitmap(new_bitmap);
    }
}

// Makes `space` the user address space the CPU runs: its segments, and its page directory
// unless it is small (the small-space area is in every page directory: no CR3 write, no
// TLB flush — the point of small spaces).
//
// The space whose segments are loaded has its directory loaded too if it is large: every
// CR3 write that could take it away (forget_directory: the space is being destroyed) comes
// after forget_space, and space_layout_changed forgets the segments too.
void load_space(const Space* space) {
    if (space == g_segment_space) return;
    axo_counters_t& counters = kip::get()->counters;
    g_segment_space = space;
    counters.space_switches++;
    if (space->is_small()) {
        ia32::load_ldt(static_cast<uint16_t>(space->arch_switch(0)));
        ia32::g_loaded_state |= ia32::kLoadedSmallSegments;
        counters.segment_reloads++;
        return;
    }
    ia32::load_ldt(ia32::kFlatLdtSelector);
    ia32::g_loaded_state &= ~ia32::kLoadedSmallSegments;
    PhysAddr directory = space->page_directory();
    if (directory.raw() != ia32::read_cr3()) {
        ia32::write_cr3(directory.raw());
        counters.cr3_writes++;
    }
}

// Where to switch to `to`'s kernel context: m_kernel_sp, unless it blocked in the IPC fast
// path (ipc_fastpath.S), which leaves only the return address of its switch frame, right
// under its TrapFrame.
uint32_t kernel_sp(const Thread& to) {
    if (to.is_user()) {
        auto* sw = reinterpret_cast<const SwitchFrame*>(user_frame(to)) - 1;
        if (sw->return_address == reinterpret_cast<uint32_t>(ia32_ipc_fast_blocked)) {
            return reinterpret_cast<uint32_t>(sw);
        }
    }
    return to.m_kernel_sp;
}

void switch_to(Thread* from, Thread* to) {
    if (to->is_user()) {
        const Space* space = to->m_space;
        ia32::set_kernel_stack(to->kernel_stack_top());
        ia32::set_utcb_segment({to->m_arch_switch[0], to->m_arch_switch[1]});
        ia32::load_io_bitmap(space->io_bitmap());
        load_space(space);
    }
    set_task_switched(to != g_fpu_owner);
    ia32_switch_context(&from->m_kernel_sp, kernel_sp(*to));
}

void space_layout_changed(Space& space) {
    // A small space's segments go into the LDT of its slot (which no other space uses while
    // it holds the slot); a large one runs on the flat LDT.
    space.set_arch_switch(0, space.is_small()
                                 ? ia32::small_space_ldt(space.small_base(), space.user_limit())
                                 : uint16_t{ia32::kFlatLdtSelector});
    space.set_arch_switch(kFastKindWord, fast_kind(space, space.io_bitmap()));
    threads::for_each([&space](Thread* t) {
        if (t->m_space == &space) update_switch_state(*t);
    });
    if (g_segment_space == &space) g_segment_space = nullptr;
    if (g_current && g_current->m_space == &space) {
        ia32::set_utcb_segment({g_current->m_arch_switch[0], g_current->m_arch_switch[1]});
        load_space(&space);
    }
}

void forget_space(const Space& space) {
    if (g_segment_space == &space) g_segment_space = nullptr;
}

bool user_window(uint32_t address, size_t length, uint32_t& linear) {
    const Space* space = g_current ? g_current->m_space : nullptr;
    uint32_t limit = space ? space->user_limit() : ia32::kUserEnd;
    if (address >= limit || length > limit - address) return false;
    linear = space ? space->linear(address) : address;
    return true;
}

// The time-stamp counter when the idle loop halted; 0: not halted. The interrupt that ends
// the halt adds the time to the KIP's idle cycles (end_idle_halt) before the scheduler may run
// another thread from it, so what that thread runs is never counted as idle.
static uint64_t g_halted_since = 0;

void wait_for_interrupt() {
    g_halted_since = ia32::rdtsc();
    asm volatile("sti; hlt; cli" ::: "memory");
    end_idle_halt();
}

void end_idle_halt() {
    if (g_halted_since == 0) return;
    axo_kip_t* kip = kip::get();
    uint64_t idle =
        (uint64_t{kip->idle_hi} << 32 | kip->idle_lo) + (ia32::rdtsc() - g_halted_since);
    g_halted_since = 0;
    kip->idle_lo = static_cast<uint32_t>(idle);
    kip->idle_hi = static_cast<uint32_t>(idle >> 32);
}
// sti takes effect after the next instruction: the nop is where an interrupt can come in.
void preemption_point() {
    asm volatile("sti; nop; cli" ::: "memory");
}

void* phys_to_kernel(PhysAddr phys) {
    return ia32::phys_ptr<void>(phys.raw());
}

PhysAddr kernel_to_phys(const void* virt) {
    return PhysAddr(ia32::virt_to_phys(reinterpret_cast<uint32_t>(virt)));
}

bool directory_loaded(PhysAddr directory) {
    return directory.raw() == ia32::read_cr3();
}

// The page directory being destroyed may be the loaded one (lazy switching keeps the last
// user space loaded while idle runs): fall back to the kernel's own first.
void forget_directory(PhysAddr directory, PhysAddr kernel_directory) {
    if (directory.raw() == ia32::read_cr3()) ia32::write_cr3(kernel_directory.raw());
}

} // namespace axo::arch
