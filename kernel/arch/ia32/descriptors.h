// The GDT, IDT and TSS: the Pentium's segment and gate tables.
#pragma once

#include <stdint.h>

#include "kernel/lib/result.h"

namespace axo::ia32 {

// Selectors. Their order is fixed: user code/data follow kernel code/data so that the
// sysenter convention (if ever used) holds.
enum Selector : uint16_t {
    kNullSelector = 0x00,
    kKernelCode = 0x08,
    kKernelData = 0x10,
    kUserCode = 0x18 | 3,
    kUserData = 0x20 | 3,
    kTssSelector = 0x28,
    // A user data segment whose base is the running thread's UTCB: %gs:0 reads its address.
    kUtcbSelector = 0x30 | 3,
    // Used once at boot to find out whether the CPU enforces data-segment limits.
    kProbeSelector = 0x38,
};

constexpr uint32_t kGdtEntries = 8;
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
void set_utcb_segment_base(uint32_t base);
// The user code and data segments of the running space: base 0 and a 3 GiB limit for a
// large space, its slot for a small one (DESIGN.md §4).
void set_user_segments(uint32_t base, uint32_t size);
// Whether data-segment limits are enforced (QEMU's TCG does not; Bochs and hardware do).
bool probe_segment_limits();

// Moves the TSS next to a remappable I/O permission bitmap (after paging is on).
Result<void> init_io_bitmap_window();
// Makes `bitmap` (8 KiB in the direct map, a set bit denies a port; nullptr: deny all) the
// CPU's I/O permission bitmap.
void load_io_bitmap(const uint8_t* bitmap);
const uint8_t* loaded_io_bitmap();

} // namespace axo::ia32
