// proc, the root task (boot module 1): reads the boot configuration from the KIP, starts the
// programs it names, then serves its protocol (protocol.h) and the page faults and exceptions
// of its processes forever. With the argument `selftest` it also runs its in-guest test
// (selftest.cc) against itself. README.md says what is not done yet.
#include "rt/rt.h"

#include "lib/ipc/kernel.h"
#include "servers/proc/argument_blocks.h"
#include "servers/proc/boot_config.h"
#include "servers/proc/selftest.h"
#include "servers/proc/server.h"

namespace {

// Static: far too large for a comfortable stack, and the self-test reads it.
proc::BootConfig g_config;
proc::ModuleImage g_images[AXO_KIP_MAX_MODULES];
proc::Proc g_proc;

void report_rejected(void*, uint32_t index, const char* cmdline, const char* message) {
    rt_printf("proc: module %u rejected: %s (command line \"%s\")\n", index, message, cmdline);
}

struct Line {
    char text[256];
    size_t used = 0;

    __attribute__((format(printf, 2, 3))) void add(const char* fmt, ...) {
        if (used >= sizeof text) return;
        va_list args;
        va_start(args, fmt);
        used += rt_vsnprintf(text + used, sizeof text - used, fmt, args);
        va_end(args);
    }
};

// One debug_write per module, so the line cannot be split by other output.
void print_module(const proc::ModuleConfig& module) {
    Line line;
    line.add("proc: module %u \"%s\": %u bytes at %08x, %u argument(s)", module.index, module.name,
             module.size, module.start, module.argument_count);
    for (uint32_t i = 0; i < module.port_count; ++i)
        line.add(", ports %x-%x", module.ports[i].first, module.ports[i].last);
    for (uint32_t i = 0; i < module.irq_count; ++i)
        line.add(", irq %u", module.irqs[i]);
    for (uint32_t i = 0; i < module.memory_count; ++i)
        line.add(", memory %08x-%08x", module.memory[i].first, module.memory[i].last);
    for (uint32_t i = 0; i < module.pci_count; ++i)
        line.add(", pci %04x:%04x.%u", module.pci[i].vendor, module.pci[i].device,
                 module.pci[i].index);
    rt_printf("%s\n", line.text);
}

} // namespace

int main() {
    const axo_kip_t* kip = rt_kip();
    rt_printf("proc: up, thread %u.%u\n", axo_thread_number(rt_my_id()),
              axo_thread_version(rt_my_id()));

    proc::parse_boot_config(kip->modules, kip->module_count, g_config, &report_rejected, nullptr);
    uint32_t programs = 0;
    for (uint32_t i = 0; i < g_config.module_count; ++i) {
        const proc::ModuleConfig& module = g_config.modules[i];
        print_module(module);
        g_images[i] = proc::map_module(module);
        if (g_images[i].program) {
            ++programs;
            rt_printf("proc: module %u \"%s\": a program, entry %08x, %u segment(s)\n",
                      module.index, module.name, g_images[i].elf.entry,
                      static_cast<uint32_t>(g_images[i].elf.segment_count));
        } else {
            rt_printf("proc: module %u \"%s\": not a program proc can start: %s\n", module.index,
                      module.name, g_images[i].why);
        }
    }
    rt_printf("proc: %u program(s) configured\n", programs);
    proc::read_real_time_clock(g_proc);
    g_proc.config = &g_config;
    g_proc.images = g_images;
    g_proc.processes.set_config(&g_config);
    proc::devices_init(g_proc);
    g_proc.pool.init(proc::kPoolWindow, loader::PagePool::kMaxPages);

    proc::argument_blocks_init(g_proc);
    proc::Dispatcher dispatcher = proc::make_dispatcher(g_proc);
    if (g_config.self_valid && g_config.self.has_argument("selftest"))
        proc::start_selftest(g_proc, dispatcher);
    proc::start_paging(g_proc);
    proc::start_boot_processes(g_proc);
    rt_printf("proc: serving\n");
    ipc::serve(dispatcher);
}
