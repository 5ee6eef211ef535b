// kernel_main: where boot.S hands over, in the higher half with the boot page directory.
// It brings up the console, the CPU tables, physical memory and paging, then either runs
// the in-kernel self-tests (test=kernel) or idles.
#include <stdint.h>

#include "axolotl/kip.h"
#include "kernel/arch.h"
#include "kernel/arch/ia32/cpu.h"
#include "kernel/arch/ia32/descriptors.h"
#include "kernel/arch/ia32/io.h"
#include "kernel/arch/ia32/layout.h"
#include "kernel/arch/ia32/paging.h"
#include "kernel/arch/ia32/pic.h"
#include "kernel/arch/ia32/pit.h"
#include "kernel/arch/ia32/selftest.h"
#include "kernel/arch/ia32/serial.h"
#include "kernel/arch/ia32/trap.h"
#include "kernel/boot_state.h"
#include "kernel/console.h"
#include "kernel/initial_tasks.h"
#include "kernel/interrupts.h"
#include "kernel/kmem.h"
#include "kernel/ktest.h"
#include "kernel/lib/string.h"
#include "kernel/panic.h"
#include "kernel/physical_memory.h"
#include "kernel/scheduler.h"
#include "kernel/space.h"

extern "C" char _kernel_phys_start[], _kernel_phys_end[];
extern "C" char boot_stack_top[];
extern "C" void ia32_switch_context(uint32_t* save_sp, uint32_t new_sp);

namespace axo::ia32 {

namespace {

constexpr const char* kVersion = "0.1";
constexpr uint32_t kTimerHz = 1000;
constexpr uint32_t kTickUs = 1000000 / kTimerHz;
// Everything the boot loader left below 1 MiB (BIOS data, EBDA, video memory) stays out of
// the frame allocator.
constexpr uint32_t kLowMemoryEnd = 1u << 20;
// The boot page directory maps this much at kKernelBase; boot information must lie below.
constexpr uint32_t kBootMappedBytes = 512u << 20;
constexpr uint32_t kCr0WriteProtect = 1u << 16;
constexpr uint32_t kCr0MonitorCoprocessor = 1u << 1; // wait/fwait also honour CR0.TS
constexpr uint32_t kCr0NumericError = 1u << 5;       // FPU errors as #MF, not IRQ 13

uint32_t g_frame_bitmap[FrameAllocator::bitmap_words(kDirectMapSize / kPageSize)];
BootState g_boot;
volatile uint32_t g_ticks;
bool g_threads_running;

const void* read_boot_memory(void*, uint32_t phys, uint32_t length) {
    if (phys >= kBootMappedBytes || length > kBootMappedBytes - phys) return nullptr;
    return phys_ptr<void>(phys);
}

void* heap_page_source(void* ctx) {
    auto r = static_cast<FrameAllocator*>(ctx)->allocate();
    return r.ok() ? phys_ptr<void>(r.value().raw()) : nullptr;
}

void heap_page_sink(void* ctx, void* page) {
    auto phys = PhysAddr(virt_to_phys(reinterpret_cast<uint32_t>(page)));
    if (!static_cast<FrameAllocator*>(ctx)->free(phys).ok()) panic("heap returned a bad page");
}

void timer_tick(uint32_t irq) {
    g_ticks = g_ticks + 1;
    pic::end_of_interrupt(irq);
    if (g_threads_running) sched::tick(kTickUs);
}

void idle_loop() {
    for (;;) {
        sched::schedule();
        arch::wait_for_interrupt();
    }
}

[[noreturn]] void start_threads() {
    auto idle = threads::create_kernel(threads::kIdleNumber);
    if (!idle.ok()) panic("cannot create the idle thread");
    arch::prepare_kernel_thread(*idle.value(), idle_loop);
    if (!interrupts::init().ok()) panic("cannot create the interrupt threads");
    start_initial_tasks(g_boot.boot_info);
    sched::init(idle.value());
    g_threads_running = true;
    kprintf("axolotl: boot complete\n");
    uint32_t abandoned_boot_stack;
    ia32_switch_context(&abandoned_boot_stack, idle.value()->m_kernel_sp);
    panic("the boot stack was resumed");
}

void parse_boot_info(uint32_t magic, uint32_t info_phys) {
    const char* why = "";
    auto parsed =
        multiboot::parse(magic, info_phys, read_boot_memory, nullptr, g_boot.boot_info, &why);
    if (!parsed.ok()) panic("bad multiboot information: %s", why);
    const auto& info = g_boot.boot_info;
    kprintf("memory map (%zu regions, %u KiB usable):\n", info.region_count,
            static_cast<uint32_t>(info.usable_bytes >> 10));
    for (size_t i = 0; i < info.region_count; ++i) {
        const auto& r = info.regions[i];
        kprintf("  %08llx-%08llx %s\n", r.base, r.base + r.length - 1,
                r.usable ? "usable" : "reserved");
    }
    kprintf("boot modules: %zu\n", info.module_count);
    if (info.modules_dropped) {
        kprintf("boot modules: %zu more left out (at most %zu are taken)\n", info.modules_dropped,
                multiboot::kMaxModules);
    }
    for (size_t i = 0; i < info.module_count; ++i) {
        const auto& m = info.modules[i];
        kprintf("  module %zu: %08x-%08x (%u bytes) \"%s\"\n", i, m.start, m.end, m.end - m.start,
                m.cmdline);
    }
}

void parse_command_line() {
    // QEMU's -kernel puts the kernel's path first (and so does image/mkiso.sh for GRUB): a
    // first word that is a path ('/...') is dropped.
    const char* text = g_boot.boot_info.cmdline;
    if (text[0] == '/') {
        while (*text && *text != ' ')
            ++text;
    }
    auto parsed = CommandLine::parse(text);
    if (!parsed.ok()) {
        kprintf("cmdline: \"%s\" rejected (%s); using defaults\n", text,
                error_name(parsed.error()));
        parsed = CommandLine::parse("");
    }
    g_boot.command_line = parsed.value();
    kprintf("cmdline: \"%s\"\n", text);
}

// Small spaces rest on segment limits: on only where the CPU enforces them (DESIGN.md §4),
// or when the command line forces them for benchmarks.
void init_small_spaces() {
    bool enforced = probe_segment_limits();
    const char* option = g_boot.command_line.get("smallspaces");
    bool force = option && str_equal(option, "force");
    bool off = option && str_equal(option, "off");
    if (off) {
        kprintf("small spaces: off (smallspaces=off)\n");
    } else if (enforced) {
        small_spaces::enable(false);
        kprintf("small spaces: on (segment limits enforced)\n");
    } else if (force) {
        small_spaces::enable(true);
        kprintf("small spaces: FORCED ON: isolation not enforced (this CPU ignores segment "
                "limits; for benchmarks only)\n");
    } else {
        kprintf("small spaces: off (segment limits not enforced by this CPU)\n");
    }
}

void init_memory() {
    auto& frames = g_boot.frames;
    frames.init(g_frame_bitmap, kDirectMapSize / kPageSize);
    uint64_t ram_top = 0;
    const auto& info = g_boot.boot_info;
    for (size_t i = 0; i < info.region_count; ++i) {
        const auto& r = info.regions[i];
        if (!r.usable) continue;
        frames.add_free(PhysAddr(static_cast<uint32_t>(r.base)), r.length);
        if (r.base + r.length > ram_top) ram_top = r.base + r.length;
    }
    frames.reserve(PhysAddr(0), kLowMemoryEnd);
    auto image_start = reinterpret_cast<uint32_t>(_kernel_phys_start);
    auto image_end = reinterpret_cast<uint32_t>(_kernel_phys_end);
    frames.reserve(PhysAddr(image_start), image_end - image_start);
    for (size_t i = 0; i < info.module_count; ++i) {
        const auto& m = info.modules[i];
        frames.reserve(PhysAddr(m.start), m.end - m.start);
    }
    kprintf("frames: %zu free of %zu (%u KiB); kernel image %08x-%08x\n", frames.free_frames(),
            frames.total_frames(), static_cast<uint32_t>(frames.free_frames() * 4), image_start,
            image_end);
    if (ram_top > kDirectMapSize) {
        kprintf("frames: memory above %u MiB is not used (outside the direct map)\n",
                kDirectMapSize >> 20);
    }

    auto paged = init_kernel_paging(frames, ram_top);
    if (!paged.ok()) panic("cannot build the kernel page directory: %s", error_name(paged.error()));
    g_boot.heap.init(heap_page_source, heap_page_sink, &frames);
    kmem::init(frames, g_boot.heap);
    kip::init();
    threads::init();
    auto io = init_io_bitmap_window();
    if (!io.ok()) panic("cannot set up the I/O bitmap window: %s", error_name(io.error()));
    physmem::init(g_boot.boot_info, frames, image_start, image_end);
    physmem::describe(kip::get());
    init_small_spaces();
    kip::get()->tick_us = kTickUs;
}

void init_interrupts() {
    pic::init(kVectorIrqBase);
    set_irq_handler(0, timer_tick);
    pit::init(kTimerHz);
    pic::unmask(0);
    enable_interrupts();
}

} // namespace

uint32_t ticks() {
    return g_ticks;
}

} // namespace axo::ia32

extern "C" [[noreturn]] void kernel_main(uint32_t magic, uint32_t info_phys) {
    using namespace axo;
    using namespace axo::ia32;

    serial::init();
    kprintf("\nAxolotl %s (i586) booting\n", kVersion);
    CpuInfo cpu = identify_cpu();
    log_cpu(cpu);
    if (!(cpu.features & kFeaturePse)) panic("this CPU lacks 4 MiB pages (PSE); need a Pentium");

    init_descriptors();
    set_kernel_stack(reinterpret_cast<uint32_t>(boot_stack_top));
    // Supervisor writes honour read-only pages too (copy-on-write must see kernel writes).
    asm volatile("mov %%cr0, %%eax; or %0, %%eax; mov %%eax, %%cr0" ::"i"(
                     kCr0WriteProtect | kCr0MonitorCoprocessor | kCr0NumericError)
                 : "eax");

    parse_boot_info(magic, info_phys);
    parse_command_line();
    init_memory();
    init_interrupts();
    kprintf("timer: %u Hz\n", kTimerHz);

    const char* test = g_boot.command_line.get("test");
    if (test && str_equal(test, "panic")) panic("injected panic (test=panic)");
    if (test && str_equal(test, "fault")) {
        // An unexpected kernel fault: must end in a panic with a register dump.
        volatile uint32_t* null_page;
        asm("" : "=r"(null_page) : "0"(0x10)); // hide the constant from -Warray-bounds
        (void)*null_page;
    }
    if (test && str_equal(test, "kernel")) {
        ktest::begin();
        run_generic_selftests(g_boot);
        run_arch_selftests(g_boot);
        ktest::end();
        platform_exit(ktest::failures() ? ExitReason::tests_failed : ExitReason::tests_done);
    }

    disable_interrupts();
    start_threads();
}
