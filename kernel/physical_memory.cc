#include "kernel/physical_memory.h"

#include "kernel/console.h"
#include "kernel/lib/types.h"

namespace axo::physmem {

namespace {

constexpr uint64_t kMinPool = 8u << 20;
constexpr uint64_t kMaxPool = 32u << 20;
constexpr uint32_t kLowMemoryEnd = 1u << 20;

const multiboot::BootInfo* g_boot;
uint32_t g_pool_end;
uint32_t g_image_start, g_image_end;
CachePolicy g_cache_policy;

bool in_range(uint64_t p, uint64_t base, uint64_t length) {
    return p >= base && p - base < length;
}

bool usable_ram(uint32_t phys) {
    for (size_t i = 0; i < g_boot->region_count; ++i) {
        const auto& r = g_boot->regions[i];
        if (r.usable && in_range(phys, r.base, r.length)) return true;
    }
    return false;
}

bool in_module(uint32_t phys) {
    for (size_t i = 0; i < g_boot->module_count; ++i) {
        const auto& m = g_boot->modules[i];
        if (phys >= align_down(m.start, kPageSize) && phys < m.end) return true;
    }
    return false;
}

} // namespace

void init(const multiboot::BootInfo& boot, FrameAllocator& frames, uint32_t image_start,
          uint32_t image_end) {
    g_boot = &boot;
    g_cache_policy = CachePolicy(boot.regions, boot.region_count);
    g_image_start = image_start;
    g_image_end = image_end;
    // A sixth: each process costs the kernel about 36 KiB (its thread, page directory, page
    // tables, UTCB page, mapping nodes), and proc runs 320 of them at 128 MiB.
    uint64_t pool = boot.usable_bytes / 6;
    pool = pool < kMinPool ? kMinPool : pool > kMaxPool ? kMaxPool : pool;

    // The pool ends where `pool` bytes of usable memory above 1 MiB that hold no boot module
    // have been counted. GRUB loads the modules right above the kernel (QEMU's -initrd puts
    // them at the top of memory): counted as pool, the default system's 9 MiB of modules left
    // the kernel 3 MiB at 64 MiB of RAM, too little to load proc.
    uint64_t counted = 0, end = kLowMemoryEnd;
    for (size_t i = 0; i < boot.region_count && counted < pool; ++i) {
        const auto& r = boot.regions[i];
        if (!r.usable || r.base + r.length <= kLowMemoryEnd) continue;
        uint64_t base =
            align_up(r.base < kLowMemoryEnd ? kLowMemoryEnd : r.base, uint64_t{kPageSize});
        uint64_t limit = r.base + r.length < (1ull << 32) ? r.base + r.length : (1ull << 32);
        for (uint64_t page = base; page + kPageSize <= limit && counted < pool; page += kPageSize) {
            if (!in_module(static_cast<uint32_t>(page))) counted += kPageSize;
            end = page + kPageSize;
        }
    }
    g_pool_end = static_cast<uint32_t>(align_up(end, uint64_t{kPageSize}));

    // Everything above the pool leaves the kernel's frame allocator.
    uint64_t given = 0;
    for (size_t i = 0; i < boot.region_count; ++i) {
        const auto& r = boot.regions[i];
        if (!r.usable || r.base + r.length <= g_pool_end) continue;
        uint64_t base = r.base < g_pool_end ? g_pool_end : r.base;
        frames.reserve(PhysAddr(static_cast<uint32_t>(base)), r.base + r.length - base);
        given += r.base + r.length - base;
    }
    kprintf("memory: kernel pool below %08x (%u KiB free), %u KiB for sigma0\n", g_pool_end,
            static_cast<uint32_t>(frames.free_frames() * 4), static_cast<uint32_t>(given >> 10));
}

uint32_t pool_end() {
    return g_pool_end;
}

bool sigma0_may_map(uint32_t phys) {
    if (phys >= g_image_start && phys < g_image_end) return false;
    if (in_module(phys)) return true;
    if (usable_ram(phys)) return phys >= g_pool_end;
    return true; // not RAM: device memory, firmware
}

CacheMode cache_mode(uint32_t phys) {
    // Before init() the policy is empty: everything uncached (nothing is mapped then).
    return g_cache_policy.mode(phys);
}

bool sigma0_may_map_port(uint32_t port) {
    // 8259A master and slave (0x20-0x21, 0xA0-0xA1), 8254 PIT (0x40-0x43).
    constexpr struct {
        uint32_t first, last;
    } kKernelPorts[] = {{0x20, 0x21}, {0x40, 0x43}, {0xA0, 0xA1}};
    for (const auto& range : kKernelPorts) {
        if (port >= range.first && port <= range.last) return false;
    }
    return port < 65536;
}

void describe(axo_kip_t* kip) {
    uint32_t n = 0;
    auto add = [&](uint64_t base, uint64_t size, uint32_t type) {
        if (n >= AXO_KIP_MAX_MEMORY || size == 0 || base >= (1ull << 32)) return;
        if (size > (1ull << 32) - base) size = (1ull << 32) - base;
        kip->memory[n++] =
            axo_kip_memory_t{static_cast<uint32_t>(base), static_cast<uint32_t>(size), type, 0};
    };
    for (size_t i = 0; i < g_boot->region_count; ++i) {
        const auto& r = g_boot->regions[i];
        uint64_t end = r.base + r.length;
        if (!r.usable) {
            add(r.base, r.length, AXO_MEMORY_RESERVED);
        } else if (end <= g_pool_end) {
            add(r.base, r.length, AXO_MEMORY_KERNEL);
        } else if (r.base >= g_pool_end) {
            add(r.base, r.length, AXO_MEMORY_CONVENTIONAL);
        } else {
            add(r.base, g_pool_end - r.base, AXO_MEMORY_KERNEL);
            add(g_pool_end, end - g_pool_end, AXO_MEMORY_CONVENTIONAL);
        }
    }
    for (size_t i = 0; i < g_boot->module_count; ++i) {
        const auto& m = g_boot->modules[i];
        add(m.start, m.end - m.start, AXO_MEMORY_BOOT_MODULE);
    }
    kip->memory_count = n;
}

} // namespace axo::physmem
