// What the generic kernel needs from the architecture: user register state, thread stacks,
// context switches, address-space page tables, and safe access to user memory. ia32
// implements it in kernel/arch/ia32/.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

namespace axo {

class Thread;
class Space;

// The user-visible registers of a thread that is in the kernel (blocked or running a syscall).
struct UserRegisters {
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t eip, eflags;
    uint32_t vector, error, fault_address; // of the exception being delivered, else 0
};

namespace arch {

// Sets up the kernel stack of a new user thread so that its first switch enters user mode
// at `ip` with stack `sp`.
void prepare_user_thread(Thread& thread, uint32_t ip, uint32_t sp);
// Sets up a kernel-only thread that runs `entry` (never returns).
void prepare_kernel_thread(Thread& thread, void (*entry)());
// Reads / writes the user registers saved on the thread's kernel stack. eflags written
// here are sanitised: only the arithmetic flags and DF are taken.
UserRegisters read_user_registers(const Thread& thread);
void write_user_registers(Thread& thread, const UserRegisters& regs);

// The space became small or large: reload segments (and CR3) if it is the running one.
void space_layout_changed(Space& space);
// The space is being destroyed: forget that the CPU may still hold its segments.
void forget_space(const Space& space);

// The space's I/O permission bitmap was created (old nullptr) or is about to be freed (new
// nullptr): the CPU's is reloaded if it belongs to the running space or was the old one.
void io_bitmap_changed(Space& space, const uint8_t* old_bitmap, const uint8_t* new_bitmap);

// Whether `ip` can be the user instruction pointer of `thread` (inside its code segment):
// returning to user mode at any other address would fault in the kernel's iret.
bool user_ip_valid(const Thread& thread, uint32_t ip);

// Switches from the running thread `from` to `to` (saving `from`'s kernel context). Loads
// `to`'s address space if it differs from the one loaded.
void switch_to(Thread* from, Thread* to);

// Brings the KIP's counters up to date with what the architecture counts on its own (the
// IPC fast path's hand-overs): called at every timer tick and before the counters are read.
void collect_counters();

// The thread is being deleted: drop any per-thread CPU state it owns (FPU).
void forget_thread(Thread& thread);

// Interrupt lines at the interrupt controller.
void mask_irq(uint32_t line);
void unmask_irq(uint32_t line);

// Idles the CPU until the next interrupt (interrupts enabled during the wait).
void wait_for_interrupt();
// An interrupt came: if it ended the idle loop's halt, the halted time goes to the KIP's idle
// cycles (kip.h).
void end_idle_halt();
// A preemption point in long kernel work on a thread's behalf: interrupts are enabled for
// one instruction, so a pending one is taken now, and the scheduler may run other threads
// before this one goes on (the kernel-mode interrupt return preempts if one is due).
void preemption_point();

// Page directories for user address spaces. The kernel part is shared with every space.
Result<PhysAddr> create_page_directory();
void destroy_page_directory(PhysAddr directory, void (*free_kernel_owned)(PhysAddr frame));
enum MapFlags : uint32_t {
    kMapWritable = 1,
    kMapKernelOwned = 2, // the kernel allocated the frame; destroying the space frees it
    kMapUtcb = 4,        // a UTCB page
};
Result<void> map_user_page(PhysAddr directory, VirtAddr virt, PhysAddr frame, uint32_t flags);
struct UserPage {
    PhysAddr frame;
    bool writable;
    bool kernel_owned;
    bool utcb;
    bool uncached; // PCD|PWT: the frame is not conventional RAM (physmem::cache_mode)
};
Result<UserPage> lookup_user_page(PhysAddr directory, VirtAddr virt);
// Removes a mapping (and its TLB entry if the directory is loaded).
void unmap_user_page(PhysAddr directory, VirtAddr virt);
// Moves every mapping of [from, from + size) to [to, to + size) (small space <-> its slot).
void move_user_mappings(PhysAddr directory, uint32_t from, uint32_t to, uint32_t size);
// Removes every mapping in the range, freeing kernel-owned frames.
void clear_user_range(PhysAddr directory, uint32_t base, uint32_t size,
                      void (*free_kernel_owned)(PhysAddr frame));
// Whether anything but the page at `except` is mapped in [from, to).
bool has_user_mappings(PhysAddr directory, uint32_t from, uint32_t to, uint32_t except);
void protect_user_page(PhysAddr directory, VirtAddr virt, bool writable);

// Copies from / to the current space's user memory; a fault or an address outside user
// space gives Error::invalid_argument instead of a panic.
Result<void> copy_from_user(void* dst, uint32_t user_src, size_t length);
Result<void> copy_to_user(uint32_t user_dst, const void* src, size_t length);

// The direct-map address of a physical frame.
void* phys_to_kernel(PhysAddr phys);
PhysAddr kernel_to_phys(const void* virt);

} // namespace arch
} // namespace axo
