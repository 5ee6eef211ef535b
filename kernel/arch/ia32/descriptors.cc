#include "kernel/arch/ia32/descriptors.h"

#include <stddef.h>

#include "kernel/arch/ia32/layout.h"
#include "kernel/arch/ia32/paging.h"
#include "kernel/arch/ia32/trap.h"
#include "kernel/kmem.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"

extern "C" uint32_t ia32_trap_stubs[]; // trap_entry.S: one entry point per vector
extern "C" void ia32_syscall_entry();  // ipc_fastpath.S

namespace axo::ia32 {

namespace {

// Access byte bits (SDM vol. 3, 3.4.5).
constexpr uint8_t kPresent = 0x80;
constexpr uint8_t kDpl3 = 0x60;
constexpr uint8_t kCodeOrData = 0x10;
constexpr uint8_t kTypeCodeRead = 0x0A;
constexpr uint8_t kTypeDataWrite = 0x02;
// The accessed bit of a code or data segment's type. The CPU sets it (a locked write to the
// GDT) when it first loads a descriptor without it; every code and data descriptor is made
// with it set, so the CPU never writes the GDT and a descriptor stays equal to what the
// kernel wrote — the IPC fast path's "user segments already flat" compare depends on that.
constexpr uint8_t kTypeAccessed = 0x01;
constexpr uint8_t kTypeTss32Available = 0x09;
constexpr uint8_t kTypeLdt = 0x02;
// Flags nibble: 4 KiB granularity, 32-bit default size.
constexpr uint8_t kGranularity4K = 0x80;
constexpr uint8_t kSize32 = 0x40;

// Gate types (SDM vol. 3, 6.11).
constexpr uint8_t kInterruptGate32 = 0x0E;

struct [[gnu::packed]] TablePointer {
    uint16_t limit;
    uint32_t base;
};

constexpr uint32_t kIoBitmapBytes = 65536 / 8;
constexpr uint16_t kNoIoBitmap = 0xFFFF; // an I/O map base beyond the limit: no port allowed

alignas(16) GateDescriptor g_idt[kIdtEntries];
// The boot TSS, until init_io_bitmap_window() moves it next to a remappable bitmap.
Tss g_boot_tss;
Tss* g_tss = &g_boot_tss;

// The I/O bitmap window: the TSS ends exactly at a page boundary so that the bitmap's two
// pages follow it; switching spaces remaps those two pages (DESIGN.md: per-space I/O
// permission bitmaps, switched with the space). A fourth page holds the 0xFF byte that must
// end the map (SDM vol. 1, 19.5.2).
constexpr uint32_t kIoBitmapPages = 2;
PhysAddr g_deny_frames[kIoBitmapPages];

constexpr SegmentDescriptor make_segment(uint32_t base, uint32_t limit_pages, uint8_t access,
                                         uint8_t flags) {
    if (access & kCodeOrData) access |= kTypeAccessed;
    return SegmentDescriptor{
        .limit_low = static_cast<uint16_t>(limit_pages & 0xFFFF),
        .base_low = static_cast<uint16_t>(base & 0xFFFF),
        .base_mid = static_cast<uint8_t>((base >> 16) & 0xFF),
        .access = access,
        .flags_limit_high = static_cast<uint8_t>(flags | ((limit_pages >> 16) & 0x0F)),
        .base_high = static_cast<uint8_t>(base >> 24),
    };
}

GateDescriptor make_gate(uint32_t offset, uint8_t dpl) {
    return GateDescriptor{
        .offset_low = static_cast<uint16_t>(offset & 0xFFFF),
        .selector = kKernelCode,
        .zero = 0,
        .type_attr = static_cast<uint8_t>(kPresent | (dpl << 5) | kInterruptGate32),
        .offset_high = static_cast<uint16_t>(offset >> 16),
    };
}

DescriptorWords words(SegmentDescriptor d) {
    DescriptorWords w;
    __builtin_memcpy(&w, &d, sizeof(w));
    return w;
}

void set(SegmentDescriptor& entry, DescriptorWords w) {
    __builtin_memcpy(&entry, &w, sizeof(w));
}

} // namespace

alignas(16) SegmentDescriptor ia32_gdt[kGdtEntries];

namespace {
// The LDTs: user code (entry 0) and data (entry 1). The flat one is shared by every large
// space; a small space's is the one of its slot's first block, written when it is laid out.
// Their GDT descriptors never change after boot: switching spaces changes only LDTR.
constexpr uint32_t kLdtEntries = 2;
alignas(8) SegmentDescriptor g_flat_ldt[kLdtEntries];
alignas(8) SegmentDescriptor g_slot_ldts[kSmallSpaceBlocks][kLdtEntries];

SegmentDescriptor ldt_descriptor(const SegmentDescriptor* table) {
    return make_segment(reinterpret_cast<uint32_t>(table), kLdtEntries * 8 - 1, kPresent | kTypeLdt,
                        0);
}

void set_user_segments(SegmentDescriptor* ldt, DescriptorWords data) {
    set(ldt[kUserData >> 3], data);
    set(ldt[kUserCode >> 3], DescriptorWords{data.low, data.high | kUserCodeTypeBits});
}
} // namespace
const uint8_t* g_loaded_bitmap;
uint32_t g_loaded_state;

void init_descriptors() {
    constexpr uint32_t kAllPages = 0xFFFFF;
    // Large spaces end at 3 GiB: their user segments keep them out of the small-space area
    // and the kernel even where paging would allow it.
    constexpr uint32_t kUserPages = (kUserEnd >> 12) - 1;
    constexpr uint8_t kFlags = kGranularity4K | kSize32;

    ia32_gdt[0] = SegmentDescriptor{};
    ia32_gdt[kKernelCode >> 3] =
        make_segment(0, kAllPages, kPresent | kCodeOrData | kTypeCodeRead, kFlags);
    ia32_gdt[kKernelData >> 3] =
        make_segment(0, kAllPages, kPresent | kCodeOrData | kTypeDataWrite, kFlags);
    g_flat_ldt[kUserCode >> 3] =
        make_segment(0, kUserPages, kPresent | kDpl3 | kCodeOrData | kTypeCodeRead, kFlags);
    g_flat_ldt[kUserData >> 3] =
        make_segment(0, kUserPages, kPresent | kDpl3 | kCodeOrData | kTypeDataWrite, kFlags);
    ia32_gdt[kFlatLdtSelector >> 3] = ldt_descriptor(g_flat_ldt);
    for (uint32_t block = 0; block < kSmallSpaceBlocks; ++block) {
        ia32_gdt[(kFirstSlotLdtSelector >> 3) + block] = ldt_descriptor(g_slot_ldts[block]);
    }

    set_utcb_segment(utcb_segment(0));

    g_boot_tss.ss0 = kKernelData;
    g_boot_tss.iomap_base = kNoIoBitmap;
    ia32_gdt[kTssSelector >> 3] = make_segment(reinterpret_cast<uint32_t>(&g_boot_tss),
                                               sizeof(Tss) - 1, kPresent | kTypeTss32Available, 0);

    for (uint32_t v = 0; v < kIdtEntries; ++v) {
        // Only the system-call gate may be used by `int` from user mode.
        g_idt[v] = v == kVectorSyscall
                       ? make_gate(reinterpret_cast<uint32_t>(ia32_syscall_entry), 3)
                       : make_gate(ia32_trap_stubs[v], 0);
    }

    TablePointer gdtr{sizeof(ia32_gdt) - 1, reinterpret_cast<uint32_t>(ia32_gdt)};
    TablePointer idtr{sizeof(g_idt) - 1, reinterpret_cast<uint32_t>(g_idt)};
    asm volatile("lgdt %0" ::"m"(gdtr));
    asm volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%ss; mov %1, %%fs; mov %1, %%gs" ::"r"(
                     uint32_t{kKernelData}),
                 "r"(uint32_t{kNullSelector}));
    asm volatile("ljmp %0, $1f; 1:" ::"i"(kKernelCode));
    asm volatile("lidt %0" ::"m"(idtr));
    asm volatile("ltr %w0" ::"r"(uint32_t{kTssSelector}));
    // Only the kernel's LDTs, ever: LDTR otherwise keeps what the firmware or boot loader left
    // (on QEMU a table at linear 0, which a process could fill with a call gate into ring 0).
    // They live in kernel memory and hold only the two user segments; the TSS's LDT field
    // is null (g_boot_tss is zero-initialised), but no task switch ever reads it.
    load_ldt(kFlatLdtSelector);
}

void set_kernel_stack(uint32_t esp0) {
    g_tss->esp0 = esp0;
}

DescriptorWords user_data_segment(uint32_t base, uint32_t size) {
    constexpr uint8_t kFlags = kGranularity4K | kSize32;
    uint32_t limit_pages = size / kPageSize - 1;
    return words(
        make_segment(base, limit_pages, kPresent | kDpl3 | kCodeOrData | kTypeDataWrite, kFlags));
}
static_assert(kTypeCodeRead - kTypeDataWrite == kUserCodeTypeBits >> 8);

uint16_t small_space_ldt(uint32_t base, uint32_t size) {
    uint32_t block = (base - kSmallSpaceBase) / AXO_SMALL_BLOCK_SIZE;
    ASSERT(base >= kSmallSpaceBase && block < kSmallSpaceBlocks);
    set_user_segments(g_slot_ldts[block], user_data_segment(base, size));
    return static_cast<uint16_t>(kFirstSlotLdtSelector + block * 8);
}

void load_ldt(uint16_t selector) {
    asm volatile("lldt %w0" ::"r"(uint32_t{selector}));
}

bool probe_segment_limits() {
    // A one-page data segment over the (mapped) start of the direct map; a read at 8 KiB
    // through it faults only if limits are enforced — any fault other than #GP would be
    // a broken probe.
    ia32_gdt[kProbeSelector >> 3] = make_segment(
        kKernelBase, 0, kPresent | kCodeOrData | kTypeDataWrite, kGranularity4K | kSize32);
    uint32_t value = 0;
    uint32_t faults = g_last_recovered_fault.count;
    bool read = ia32_probe_read_fs(kProbeSelector, 0x2000, &value);
    if (!read && !(g_last_recovered_fault.count == faults + 1 &&
                   g_last_recovered_fault.vector == kGeneralProtection)) {
        read = true; // not a limit check: treat as not enforced
    }
    ia32_gdt[kProbeSelector >> 3] = SegmentDescriptor{};
    return !read;
}

Result<void> init_io_bitmap_window() {
    auto all_ones = []() -> Result<PhysAddr> {
        PhysAddr frame = TRY(kmem::allocate_frame());
        memset(phys_ptr<void>(frame.raw()), 0xFF, kPageSize);
        return frame;
    };
    PhysAddr tss_frame = TRY(kmem::allocate_frame());
    for (auto& frame : g_deny_frames)
        frame = TRY(all_ones());
    PhysAddr terminator = TRY(all_ones());
    TRY(map_kernel_page(VirtAddr(kIoWindow), tss_frame, true));
    for (uint32_t i = 0; i < kIoBitmapPages; ++i) {
        TRY(map_kernel_page(VirtAddr(kIoWindow + (i + 1) * kPageSize), g_deny_frames[i], false));
    }
    TRY(map_kernel_page(VirtAddr(kIoWindow + (kIoBitmapPages + 1) * kPageSize), terminator, false));

    auto* tss = reinterpret_cast<Tss*>(kIoWindow + kPageSize - sizeof(Tss));
    static_assert(kIoWindow + kPageSize - sizeof(Tss) + offsetof(Tss, esp0) == kTssEsp0Address);
    *tss = g_boot_tss;
    tss->iomap_base = sizeof(Tss);
    g_tss = tss;
    // Limit: the TSS, the bitmap and the terminating byte.
    ia32_gdt[kTssSelector >> 3] =
        make_segment(reinterpret_cast<uint32_t>(tss), sizeof(Tss) + kIoBitmapBytes,
                     kPresent | kTypeTss32Available, 0);
    asm volatile("ltr %w0" ::"r"(uint32_t{kTssSelector}));
    return {};
}

void load_io_bitmap(const uint8_t* bitmap) {
    if (bitmap == g_loaded_bitmap) return;
    g_loaded_bitmap = bitmap;
    g_loaded_state = bitmap ? g_loaded_state | kLoadedIoBitmap : g_loaded_state & ~kLoadedIoBitmap;
    for (uint32_t i = 0; i < kIoBitmapPages; ++i) {
        PhysAddr frame =
            bitmap ? PhysAddr(virt_to_phys(reinterpret_cast<uint32_t>(bitmap)) + i * kPageSize)
                   : g_deny_frames[i];
        remap_kernel_page(VirtAddr(kIoWindow + (i + 1) * kPageSize), frame, false);
    }
}

const uint8_t* loaded_io_bitmap() {
    return g_loaded_bitmap;
}

DescriptorWords utcb_segment(uint32_t base) {
    // Byte-granular, as long as a UTCB: user code can reach its UTCB through %gs, no more.
    constexpr uint32_t kUtcbLimit = 512 - 1;
    return words(
        make_segment(base, kUtcbLimit, kPresent | kDpl3 | kCodeOrData | kTypeDataWrite, kSize32));
}

void set_utcb_segment(DescriptorWords w) {
    set(ia32_gdt[kUtcbSelector >> 3], w);
}

} // namespace axo::ia32
