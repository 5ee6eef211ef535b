// servers/proc/boot_config.cc on arbitrary module command lines (one per input line, as the
// KIP's modules[] would hold them): whatever proc accepts keeps the promises of
// boot_config.h — grants in range, no two accepted modules sharing anything, names and
// arguments terminated inside their fields.
#include <string.h>

#include "servers/proc/boot_config.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

struct Reports {
    uint32_t count = 0;
};

void on_reject(void* context, uint32_t index, const char*, const char* message) {
    auto* reports = static_cast<Reports*>(context);
    FUZZ_CHECK(index >= 1 && index < AXO_KIP_MAX_MODULES);
    if (index >= 2) ++reports->count; // index 1: proc's own line, not a module
    FUZZ_CHECK(message != nullptr && message[0] != '\0');
}

void check_module(const proc::ModuleConfig& m) {
    FUZZ_CHECK(memchr(m.name, 0, sizeof m.name) != nullptr && m.name[0] != '\0');
    FUZZ_CHECK(m.port_count <= proc::kMaxPortRanges && m.irq_count <= proc::kMaxIrqs);
    FUZZ_CHECK(m.memory_count <= proc::kMaxMemoryRanges && m.pci_count <= proc::kMaxPciDevices);
    for (uint32_t i = 0; i < m.port_count; ++i)
        FUZZ_CHECK(m.ports[i].first <= m.ports[i].last && m.ports[i].last <= 0xFFFF);
    for (uint32_t i = 0; i < m.irq_count; ++i)
        FUZZ_CHECK(m.irqs[i] >= 1 && m.irqs[i] <= 15 && m.irqs[i] != 2);
    for (uint32_t i = 0; i < m.memory_count; ++i) {
        FUZZ_CHECK(m.memory[i].first <= m.memory[i].last);
        FUZZ_CHECK(m.memory[i].first % 4096 == 0 && (uint64_t{m.memory[i].last} + 1) % 4096 == 0);
    }
    // The arguments fit the field, each terminated inside it.
    size_t offset = 0;
    for (uint32_t i = 0; i < m.argument_count; ++i) {
        FUZZ_CHECK(offset < sizeof m.arguments);
        const char* argument = m.argument(i);
        FUZZ_CHECK(argument == m.arguments + offset);
        const void* end = memchr(argument, 0, sizeof m.arguments - offset);
        FUZZ_CHECK(end != nullptr);
        FUZZ_CHECK(m.has_argument(argument));
        offset = static_cast<const char*>(end) - m.arguments + 1;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static axo_kip_module_t modules[AXO_KIP_MAX_MODULES];
    memset(modules, 0, sizeof modules);
    uint32_t count = 2; // modules 0 and 1 are σ0 and proc; proc's line comes first
    size_t start = 0;
    uint32_t line = 1;
    for (size_t i = 0; i <= size && line < AXO_KIP_MAX_MODULES; ++i) {
        if (i < size && data[i] != '\n') continue;
        size_t length = i - start;
        // A full field is not terminated: what a misbehaving kernel could hand over.
        if (length > sizeof modules[0].cmdline) length = sizeof modules[0].cmdline;
        memcpy(modules[line].cmdline, data + start, length);
        modules[line].start = 0x100000 + line * 0x10000;
        modules[line].size = 0x1000;
        count = ++line;
        start = i + 1;
    }

    static proc::BootConfig config;
    memset(&config, 0, sizeof config);
    Reports reports;
    proc::parse_boot_config(modules, count, config, &on_reject, &reports);
    FUZZ_CHECK(config.module_count + config.rejected_count == count - 2);
    FUZZ_CHECK(reports.count == config.rejected_count);
    for (uint32_t i = 0; i < config.module_count; ++i) {
        const proc::ModuleConfig& m = config.modules[i];
        check_module(m);
        FUZZ_CHECK(config.find(m.name) == &m);
        proc::ConfigError error;
        for (uint32_t j = 0; j < i; ++j)
            FUZZ_CHECK(!proc::conflicts(m, config.modules[j], error));
    }

    // Each line alone, straight to the word parser.
    for (uint32_t i = 2; i < count; ++i) {
        static proc::ModuleConfig one;
        char cmdline[proc::kCmdlineBytes + 1] = {};
        memcpy(cmdline, modules[i].cmdline, proc::kCmdlineBytes);
        proc::ConfigError error;
        memset(&error, 0, sizeof error);
        if (proc::parse_module(cmdline, one, error))
            check_module(one);
        else
            FUZZ_CHECK(memchr(error.message, 0, sizeof error.message) != nullptr &&
                       error.message[0] != '\0');
    }
    return 0;
}
