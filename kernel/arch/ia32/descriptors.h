// The GDT, IDT and TSS: the Pentium's segment and gate tables.
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"
#include "kernel/arch/ia32/layout.h"
#include "kernel/lib/result.h"

namespace axo::ia32 {

// Selectors. User code and data are the two descriptors of the running space's LDT (TI set):
// the flat LDT of every large space, or a small space's own, whose segments cover its slot
// (DESIGN.md §4). Switching between small spaces is then one `lldt` of a selector computed
// when the space was laid out, where rewriting GDT descriptors took seven instructions.
// GDT entries 3 and 4 (once the user segments) stay null.
enum Selector : uint16_t {
    kNullSelector = 0x00,
    kKernelCode = 0x08,
    kKernelData = 0x10,
    kUserCode = 0x00 | 4 | 3, // LDT entry 0
    kUserData = 0x08 | 4 | 3, // LDT entry 1
    kTssSelector = 0x28,
    // A user data segment whose base is the running thread's UTCB: %gs:0 reads its address.
    kUtcbSelector = 0x30 | 3,
    // Used once at boot to find out whether the CPU enforces data-segment limits.
    kProbeSelector = 0x38,
    // The LDT of every large space: flat code and data up to 3 GiB.
    kFlatLdtSelector = 0x40,
    // Then one LDT descriptor per block of the small-space area: a small space uses the one of
    // its first block (small_space_ldt).
    kFirstSlotLdtSelector = 0x48,
};

constexpr uint32_t kSmallSpaceBlocks = AXO_SMALL_AREA_BLOCKS;
constexpr uint32_t kGdtEntries = (kFirstSlotLdtSelector >> 3) + kSmallSpaceBlocks;
constexpr uint32_t kIdtEntries = 256;

// Interrupt vectors.
constexpr uint8_t kVectorIrqBase = 0x20; // PIC lines 0..15 land on 0x20..0x2F
constexpr uint8_t kVectorSyscall = 0x30;

struct [[gnu::packed]] SegmentDescriptor {
    uint16_t limit_low;
    uint16_t base_low;
    uint8_t base_mid;
    uint8_t access;
    uint8_t flags_limit_high;
    uint8_t base_high;
};
static_assert(sizeof(SegmentDescriptor) == 8);

struct [[gnu::packed]] GateDescriptor {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t zero;
    uint8_t type_attr;
    uint16_t offset_high;
};
static_assert(sizeof(GateDescriptor) == 8);

// The 32-bit TSS (Intel SDM vol. 3, figure 7-2). The kernel uses only esp0/ss0 and the
// I/O map base; the I/O permission bitmap follows it (descriptors.cc: one per space).
struct [[gnu::packed]] Tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
};
static_assert(sizeof(Tss) == 104);

void init_descriptors();
void set_kernel_stack(uint32_t esp0);

// A descriptor as the two words the GDT holds (what the IPC fast path copies).
struct DescriptorWords {
    uint32_t low, high;
};
// The UTCB segment (%gs) of a thread whose UTCB is at linear address `base`.
DescriptorWords utcb_segment(uint32_t base);
void set_utcb_segment(DescriptorWords words);
// The user data segment of a space: base 0 and a 3 GiB limit for a large space, its slot for
// a small one (DESIGN.md §4). The code segment differs only in its type.
DescriptorWords user_data_segment(uint32_t base, uint32_t size);
constexpr uint32_t kUserCodeTypeBits = 0x08u << 8; // data read/write (2) -> code read (0xA)
// Writes the user code and data segments of a small space at linear `base` (in the
// small-space area) of `size` bytes into the LDT of its first block; returns that LDT's
// selector, which `load_ldt` makes the running one.
uint16_t small_space_ldt(uint32_t base, uint32_t size);
void load_ldt(uint16_t selector);
// The GDT, for the IPC fast path (ipc_fastpath.S), which writes the UTCB segment.
extern "C" SegmentDescriptor ia32_gdt[];
// Whether data-segment limits are enforced (QEMU's TCG does not; Bochs and hardware do).
bool probe_segment_limits();

// The I/O bitmap window: the TSS (ending at a page boundary), the bitmap's two pages, and
// the page with its terminating byte.
constexpr uint32_t kIoWindow = kKernelWindowBase + 0x0010'0000;
// The TSS's esp0 once init_io_bitmap_window() has moved it (the IPC fast path writes it).
constexpr uint32_t kTssEsp0Address = kIoWindow + 4096 - 104 + 4;

// Moves the TSS next to a remappable I/O permission bitmap (after paging is on).
Result<void> init_io_bitmap_window();
// Makes `bitmap` (8 KiB in the direct map, a set bit denies a port; nullptr: deny all) the
// CPU's I/O permission bitmap.
void load_io_bitmap(const uint8_t* bitmap);
const uint8_t* loaded_io_bitmap();
extern const uint8_t* g_loaded_bitmap __asm__("ia32_loaded_io_bitmap");

// What the CPU has loaded, as bits the IPC fast path adds to a space's kind to pick how it
// switches into it (ipc_fastpath.S, .Lkinds). None: a switch into a large space without an
// I/O bitmap needs its CR3 and nothing else (the flat segments are there, and the space they
// belonged to was large: thread_arch.cc, load_space).
constexpr uint32_t kLoadedSmallSegments = 1; // LDTR holds a small space's LDT
constexpr uint32_t kLoadedIoBitmap = 2;      // an I/O permission bitmap is loaded
constexpr uint32_t kLoadedTaskSwitched = 4;  // CR0.TS is set (thread_arch.cc, lazy FPU)
extern uint32_t g_loaded_state __asm__("ia32_loaded_state");

} // namespace axo::ia32
