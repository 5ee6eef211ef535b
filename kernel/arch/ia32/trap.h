// Traps, exceptions and interrupts on ia32: the saved register frame and its dispatch.
#pragma once

#include <stdint.h>

namespace axo::ia32 {

// EFLAGS bits the kernel looks at in a frame (SDM vol. 1, 3.4.3).
constexpr uint32_t kEflagsReserved = 1u << 1; // always 1
constexpr uint32_t kEflagsIf = 1u << 9;
constexpr uint32_t kEflagsIopl = 3u << 12;
constexpr uint32_t kEflagsNt = 1u << 14;
constexpr uint32_t kEflagsRf = 1u << 16;
constexpr uint32_t kEflagsVm = 1u << 17;
constexpr uint32_t kEflagsVif = 1u << 19;
constexpr uint32_t kEflagsVip = 1u << 20;
// What no flags image the kernel restores to user mode may hold: virtual-8086 mode, an I/O
// privilege level above 0, a nested task (a user iret would switch tasks), the resume flag and
// the virtual interrupt flags (meaningful only with VM or CR4.VME/PVI, which are off).
constexpr uint32_t kEflagsNeverUser =
    kEflagsIopl | kEflagsNt | kEflagsRf | kEflagsVm | kEflagsVif | kEflagsVip;

// What trap_entry.S leaves on the kernel stack, lowest address first. An entry from
// virtual-8086 mode (QEMU only) is moved into the same layout with EFLAGS.VM still set
// (trap_entry.S: ia32_trap_from_v86), until ia32_trap takes the thread out of v86 mode.
struct TrapFrame {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax;
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
    uint32_t user_esp, user_ss; // valid only when the trap came from user mode

    // User mode is CPL 3 or virtual-8086 mode, whose cs is any number.
    bool from_user() const { return (cs & 3) != 0 || (eflags & kEflagsVm) != 0; }
};
static_assert(sizeof(TrapFrame) == 19 * 4);
static_assert(__builtin_offsetof(TrapFrame, vector) == 12 * 4);
static_assert(__builtin_offsetof(TrapFrame, eip) == 14 * 4);

// CPU exception vectors (Intel SDM vol. 3, table 6-1).
enum Exception : uint8_t {
    kDivideError = 0,
    kDebug = 1,
    kNmi = 2,
    kBreakpoint = 3,
    kOverflow = 4,
    kBoundRange = 5,
    kInvalidOpcode = 6,
    kDeviceNotAvailable = 7,
    kDoubleFault = 8,
    kCoprocessorOverrun = 9,
    kInvalidTss = 10,
    kSegmentNotPresent = 11,
    kStackFault = 12,
    kGeneralProtection = 13,
    kPageFault = 14,
    kFpuError = 16,
    kAlignmentCheck = 17,
    kMachineCheck = 18,
};

const char* exception_name(uint32_t vector);

// A kernel instruction allowed to fault (probes, later: user-memory copies) and the place
// where execution continues if it does. Entries come from the __extable section.
struct ExceptionTableEntry {
    uint32_t fault_ip;
    uint32_t fixup_ip;
};

// The last fault recovered through the exception table, for the self-tests.
struct RecoveredFault {
    uint32_t vector, error, address, count;
};
extern RecoveredFault g_last_recovered_fault;

// Reads a word at `addr`; false (and no panic) if the read faults.
extern "C" bool ia32_probe_read(uint32_t addr, uint32_t* out);
// Writes a word; false if the write faults.
extern "C" bool ia32_probe_write(uint32_t addr, uint32_t value);
// Loads `selector` into %fs; false if the load faults (#GP, #NP).
extern "C" bool ia32_probe_load_fs(uint32_t selector);
// Reads the word at `offset` through a data segment loaded into %fs; false if it faults.
extern "C" bool ia32_probe_read_fs(uint32_t selector, uint32_t offset, uint32_t* out);
// Executes ud2; returns false after the #UD was recovered.
extern "C" bool ia32_probe_invalid_opcode();

using IrqHandler = void (*)(uint32_t irq);
void set_irq_handler(uint32_t irq, IrqHandler handler);

void handle_syscall(TrapFrame& frame);

// Before a return to user mode through `frame` (the running thread's), when its eip or its
// space's limit may have changed (Thread::m_check_ip: exchange_registers, an exception reply
// — also one that leaves the eip of a thread that ran off the end —, its space made small):
// an eip the thread cannot execute would fault in the kernel's iret on Bochs and the Pentium
// and run on into other memory on QEMU. It is a #GP (error 0) of the thread at that eip
// instead, as often as it is resumed there. Callers test m_check_ip first (it is cleared
// here): an ordinary system call's return costs one compare.
void refuse_unexecutable_ip(TrapFrame& frame);

} // namespace axo::ia32

namespace axo {
class Thread;
namespace arch {
// Gives the FPU to `thread` (saving the previous owner's state): the #NM handler.
void fpu_switch(Thread* thread);
} // namespace arch
} // namespace axo

namespace axo::ia32 {

[[noreturn]] void panic_with_frame(const TrapFrame& frame, const char* why);

} // namespace axo::ia32
