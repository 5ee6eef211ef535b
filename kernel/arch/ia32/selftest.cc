#include "kernel/arch/ia32/selftest.h"

#include "kernel/arch.h"
#include "kernel/arch/ia32/descriptors.h"
#include "kernel/arch/ia32/io.h"
#include "kernel/arch/ia32/layout.h"
#include "kernel/arch/ia32/page_table.h"
#include "kernel/arch/ia32/paging.h"
#include "kernel/arch/ia32/trap.h"
#include "kernel/ktest.h"
#include "kernel/mapping_database.h"
#include "kernel/physical_memory.h"
#include "kernel/space.h"

namespace axo::ia32 {

namespace {

// Page-fault error code bits (SDM vol. 3, 4.7).
constexpr uint32_t kPfPresent = 1u << 0;
constexpr uint32_t kPfWrite = 1u << 1;

bool fault_was(uint32_t count_before, uint32_t vector) {
    return g_last_recovered_fault.count == count_before + 1 &&
           g_last_recovered_fault.vector == vector;
}

void test_paging(BootState& boot) {
    auto frame = boot.frames.allocate();
    ktest::check(frame.ok(), "allocate a frame for the mapping tests");
    if (!frame.ok()) return;
    VirtAddr window(kKernelWindowBase);
    auto* direct = phys_ptr<volatile uint32_t>(frame.value().raw());
    direct[0] = 0;

    ktest::check(map_kernel_page(window, frame.value(), true).ok(), "map a 4 KiB kernel page");
    auto translated = translate_kernel(window + 0x123);
    ktest::check(translated.ok() && translated.value() == frame.value() + 0x123,
                 "translate the window address to its frame");
    *reinterpret_cast<volatile uint32_t*>(window.raw()) = 0xA0B0C0D0;
    ktest::check(direct[0] == 0xA0B0C0D0, "write through the window, read through the direct map");
    ktest::check(map_kernel_page(window, frame.value(), true).error() == Error::exists,
                 "mapping an occupied address is refused");
    ktest::check(map_kernel_page(VirtAddr(0x1000), frame.value(), true).error() ==
                     Error::invalid_argument,
                 "mapping outside the kernel window is refused");

    ktest::check(unmap_kernel_page(window).ok(), "unmap the page");
    uint32_t value = 0, before = g_last_recovered_fault.count;
    bool read = ia32_probe_read(window.raw(), &value);
    ktest::check(!read && fault_was(before, kPageFault) &&
                     g_last_recovered_fault.address == window.raw() &&
                     (g_last_recovered_fault.error & (kPfPresent | kPfWrite)) == 0,
                 "read of the unmapped page: #PF, not-present read, cr2 = address");

    (void)map_kernel_page(window, frame.value(), false);
    before = g_last_recovered_fault.count;
    bool wrote = ia32_probe_write(window.raw(), 1);
    ktest::check(!wrote && fault_was(before, kPageFault) &&
                     (g_last_recovered_fault.error & (kPfPresent | kPfWrite)) ==
                         (kPfPresent | kPfWrite),
                 "kernel write to a read-only page: #PF (CR0.WP set)");
    ktest::check(direct[0] == 0xA0B0C0D0, "the read-only page kept its contents");
    (void)unmap_kernel_page(window);
    (void)boot.frames.free(frame.value());

    before = g_last_recovered_fault.count;
    ktest::check(!ia32_probe_read(0x00100000, &value) && fault_was(before, kPageFault),
                 "the boot identity mapping is gone");
    ktest::check(ia32_probe_read(kKernelBase + 0x00100000, &value),
                 "the kernel image is reachable through the direct map");
}

void test_exceptions() {
    uint32_t before = g_last_recovered_fault.count;
    constexpr uint32_t kBadSelector = 0x0FF8; // far beyond the GDT limit
    ktest::check(!ia32_probe_load_fs(kBadSelector) && fault_was(before, kGeneralProtection) &&
                     g_last_recovered_fault.error == kBadSelector,
                 "loading a selector beyond the GDT: #GP with the selector as error code");
    before = g_last_recovered_fault.count;
    ktest::check(ia32_probe_load_fs(kUserData) && g_last_recovered_fault.count == before,
                 "loading a valid selector does not fault");
    before = g_last_recovered_fault.count;
    ktest::check(!ia32_probe_invalid_opcode() && fault_was(before, kInvalidOpcode),
                 "ud2: #UD recovered");
}

void test_timer() {
    uint32_t start = ticks();
    // Bounded: at 1 kHz three ticks take 3 ms; 1000 halts are far more than enough.
    for (int i = 0; i < 1000 && ticks() - start < 3; ++i)
        enable_interrupts_and_halt();
    ktest::check(ticks() - start >= 3, "timer interrupts arrive (PIT channel 0 via the PIC)");
}

// The raw PTE of `linear` in `directory`, or an empty one.
Pte user_pte(PhysAddr directory, uint32_t linear) {
    Pde pde = phys_ptr<Pde>(directory.raw())[pd_index(VirtAddr(linear))];
    if (!pde.present() || pde.is_superpage()) return Pte();
    return phys_ptr<Pte>(pde.table().raw())[pt_index(VirtAddr(linear))];
}

// Device memory mapped into a user space gets PCD|PWT, RAM does not: through the real
// path (a σ0 root, a mapping-database map, Space::install, arch::map_user_page), and the
// bits survive a change of rights.
void test_user_cache_modes(BootState& boot) {
    auto owner = Space::create(false);  // stands in for σ0: holds the roots, never installed
    auto client = Space::create(false); // receives the mappings
    auto ram = boot.frames.allocate();
    ktest::check(owner.ok() && client.ok() && ram.ok(), "cache modes: two spaces and a frame");
    if (!owner.ok() || !client.ok() || !ram.ok()) return;
    owner.value()->make_sigma0();

    constexpr uint32_t kVga = 0xB8000, kE1000 = 0xFEBC0000; // QEMU's e1000 BAR 0
    ktest::check(physmem::sigma0_may_map(kVga) && physmem::sigma0_may_map(kE1000),
                 "cache modes: sigma0 may map the VGA buffer and a PCI BAR");
    ktest::check(physmem::cache_mode(kVga) == CacheMode::uncached &&
                     physmem::cache_mode(kE1000) == CacheMode::uncached &&
                     physmem::cache_mode(ram.value().raw()) == CacheMode::write_back,
                 "cache modes: devices uncached, RAM write-back (on the real memory map)");

    struct Case {
        const char* what;
        uint32_t phys, address;
        bool uncached;
    } cases[] = {{"VGA text buffer 0xb8000", kVga, 0x10000000, true},
                 {"PCI BAR 0xfebc0000", kE1000, 0x10001000, true},
                 {"conventional RAM", ram.value().raw(), 0x10002000, false}};
    for (const auto& c : cases) {
        auto root = mapdb::root(owner.value(), c.phys, false);
        auto node = root.ok() ? mapdb::map(root.value(), client.value(), c.address,
                                           AXO_FPAGE_R | AXO_FPAGE_W)
                              : Result<MapNode*>(root.error());
        Pte pte = user_pte(client.value()->page_directory(), c.address);
        uint32_t cache = pte.raw() & kUncachedBits;
        ktest::check(node.ok() && pte.present() && pte.user() && pte.writable() &&
                         pte.frame() == PhysAddr(c.phys) &&
                         cache == (c.uncached ? kUncachedBits : 0u),
                     "user PTE of %s: %s (pte %08x)", c.what, c.uncached ? "PCD|PWT" : "cacheable",
                     pte.raw());
        if (!node.ok()) continue;
        auto page = arch::lookup_user_page(client.value()->page_directory(), VirtAddr(c.address));
        ktest::check(page.ok() && page.value().uncached == c.uncached,
                     "lookup_user_page reports %s as %s", c.what,
                     c.uncached ? "uncached" : "cached");
        mapdb::revoke(node.value(), AXO_FPAGE_W, true);
        pte = user_pte(client.value()->page_directory(), c.address);
        ktest::check(pte.present() && !pte.writable() &&
                         (pte.raw() & kUncachedBits) == (c.uncached ? kUncachedBits : 0u),
                     "%s made read-only keeps its cache mode (pte %08x)", c.what, pte.raw());
        mapdb::revoke(root.value(), AXO_FPAGE_RWX, false);
        ktest::check(!user_pte(client.value()->page_directory(), c.address).present(),
                     "%s unmapped by revoking its root", c.what);
    }
    client.value()->destroy();
    (void)boot.frames.free(ram.value());
    // `owner` stays: the roots name it; test=kernel ends the run after the self-tests.
}

} // namespace

void run_arch_selftests(BootState& boot) {
    test_paging(boot);
    test_user_cache_modes(boot);
    test_exceptions();
    test_timer();
}

} // namespace axo::ia32
