// Multiboot v1 boot information (Multiboot Specification 0.6.96), parsed and validated into
// a self-contained BootInfo. Nothing from the boot loader is trusted: every pointer goes
// through the caller's PhysReader, every length is bounded, and failures carry a reason.
//
// Decisions:
// - Zero-length memory map entries are skipped silently: real BIOSes emit them.
// - Memory map types other than 1 (available) are reserved; where a usable and a reserved
//   range overlap, reserved wins. Regions are sorted, merged and clipped at 4 GiB.
// - Without a memory map (flag 6), mem_lower/mem_upper (flag 0) describe [0, mem_lower KiB)
//   and [1 MiB, 1 MiB + mem_upper KiB). Without either, parsing fails.
// - Modules need not be page-aligned (Module::page_aligned records it) but must not be
//   empty or overlap each other.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/lib/result.h"

namespace axo::multiboot {

constexpr uint32_t kBootloaderMagic = 0x2BADB002;

constexpr size_t kMaxCmdline = 512;
constexpr size_t kMaxRegions = 32;
constexpr size_t kMaxModules = 24; // = AXO_KIP_MAX_MODULES (kernel/uapi/axolotl/kip.h)
constexpr size_t kMaxModuleCmdline = 128;

// Bits of RawInfo::flags.
enum InfoFlags : uint32_t {
    kFlagMemory = 1u << 0, // mem_lower, mem_upper
    kFlagBootDevice = 1u << 1,
    kFlagCmdline = 1u << 2,
    kFlagModules = 1u << 3,
    kFlagAoutSyms = 1u << 4,
    kFlagElfSections = 1u << 5,
    kFlagMmap = 1u << 6,
};

// The boot information structure as the boot loader lays it out (spec §3.3), up to the VBE
// fields. Every field is 4-byte aligned, so the layout is the same on the host.
struct RawInfo {
    uint32_t flags;
    uint32_t mem_lower; // KiB
    uint32_t mem_upper; // KiB
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count;
    uint32_t mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length;
    uint32_t mmap_addr;
    uint32_t drives_length;
    uint32_t drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
    uint32_t apm_table;
    uint32_t vbe_control_info;
    uint32_t vbe_mode_info;
    uint16_t vbe_mode;
    uint16_t vbe_interface_seg;
    uint16_t vbe_interface_off;
    uint16_t vbe_interface_len;
};
static_assert(sizeof(RawInfo) == 88);
static_assert(offsetof(RawInfo, flags) == 0);
static_assert(offsetof(RawInfo, mem_lower) == 4);
static_assert(offsetof(RawInfo, mem_upper) == 8);
static_assert(offsetof(RawInfo, cmdline) == 16);
static_assert(offsetof(RawInfo, mods_count) == 20);
static_assert(offsetof(RawInfo, mods_addr) == 24);
static_assert(offsetof(RawInfo, syms) == 28);
static_assert(offsetof(RawInfo, mmap_length) == 44);
static_assert(offsetof(RawInfo, mmap_addr) == 48);
static_assert(offsetof(RawInfo, boot_loader_name) == 64);
static_assert(offsetof(RawInfo, vbe_mode) == 80);

// The fields parse() needs; only this much of the structure must be readable, since older
// boot loaders may place the structure right at the end of readable memory.
constexpr uint32_t kRawInfoRequired = offsetof(RawInfo, drives_length);

// One memory map entry (spec §3.3). `size` does not count itself: the next entry starts at
// this one + size + 4. The 64-bit fields are split because they are only 4-byte aligned.
struct RawMmapEntry {
    uint32_t size;
    uint32_t base_low;
    uint32_t base_high;
    uint32_t length_low;
    uint32_t length_high;
    uint32_t type;
};
static_assert(sizeof(RawMmapEntry) == 24);
static_assert(offsetof(RawMmapEntry, base_low) == 4);
static_assert(offsetof(RawMmapEntry, length_low) == 12);
static_assert(offsetof(RawMmapEntry, type) == 20);
constexpr uint32_t kMinMmapEntrySize = 20; // the `size` value of a full entry
constexpr uint32_t kMmapTypeAvailable = 1;

struct RawModule {
    uint32_t mod_start;
    uint32_t mod_end; // exclusive
    uint32_t string;  // 0: no command line
    uint32_t reserved;
};
static_assert(sizeof(RawModule) == 16);
static_assert(offsetof(RawModule, string) == 8);

struct MemoryRegion {
    uint64_t base;
    uint64_t length;
    bool usable;
};

struct Module {
    uint32_t start;
    uint32_t end; // exclusive; end > start
    char cmdline[kMaxModuleCmdline];
    bool page_aligned; // start is a multiple of 4 KiB
};

struct BootInfo {
    char cmdline[kMaxCmdline];         // "" if the boot loader passed none
    MemoryRegion regions[kMaxRegions]; // sorted, non-overlapping, adjacent equal kinds merged
    size_t region_count;
    Module modules[kMaxModules];
    size_t module_count;
    size_t modules_dropped; // modules beyond kMaxModules, left out
    uint64_t usable_bytes;
};

// Returns a pointer to `length` readable bytes at physical address `phys`, or nullptr if that
// range is not readable. The pointer need not be aligned.
using PhysReader = const void* (*)(void* ctx, uint32_t phys, uint32_t length);

// On failure, *why (if why is not nullptr) points to a static description of the problem.
Result<void> parse(uint32_t magic, uint32_t info_phys, PhysReader read, void* ctx, BootInfo& out,
                   const char** why);

} // namespace axo::multiboot
