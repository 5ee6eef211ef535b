// Devices on the real kernel: grants to drivers and their restart (devices.h).
#include "servers/proc/devices.h"

#include "rt/rt.h"

#include "interfaces/pci/resources.h"
#include "interfaces/sigma0/client.h"
#include "interfaces/sigma0/protocol.h"
#include "lib/ipc/kernel.h"
#include "lib/loader/loader.h"
#include "servers/proc/server.h"

namespace proc {
namespace {

constexpr uint32_t kPageSize = 4096;
constexpr uint32_t kPageBits = 12;
constexpr uint32_t kMemoryMinLog2 = 12;
constexpr uint32_t kMemoryMaxLog2 = 22;
constexpr uint32_t kCongruence = 1u << kMemoryMaxLog2; // 4 MiB
constexpr uint32_t kPortCount = 0x10000;
constexpr uint32_t kRightsRW = AXO_FPAGE_R | AXO_FPAGE_W;
// An instance that ran this long before it ended was not failing at its start.
constexpr uint32_t kStableRunUs = 10000000;

bool has_grants(const ModuleConfig& module) {
    return module.port_count + module.irq_count + module.memory_count + module.pci_count != 0;
}

static_assert(sizeof(DeviceClaimReply{}.ports) / sizeof(DevicePortRange) == kMaxPortRanges &&
                  sizeof(DeviceClaimReply{}.irqs) / sizeof(uint32_t) == kMaxIrqs &&
                  sizeof(DeviceClaimReply{}.memory) / sizeof(DeviceMemoryRange) == kMaxMemoryRanges,
              "a module's grants (ModuleConfig) fit the claim's reply");

const PciReportRequest* reported(const Devices& devices, const PciId& id) {
    for (uint32_t i = 0; i < devices.pci_count; ++i) {
        const PciReportRequest& r = devices.pci[i];
        if (r.vendor == id.vendor && r.device == id.device && r.index == id.index) return &r;
    }
    return nullptr;
}

// Adds the device's BARs and IRQ line to `grants`; false if they do not fit.
bool add_device(const PciReportRequest& report, ModuleConfig& grants) {
    pci::DeviceReply device{};
    device.irq_line = static_cast<uint8_t>(report.irq_line);
    device.irq_pin = static_cast<uint8_t>(report.irq_pin);
    for (uint32_t i = 0; i < pci::kBars; ++i) {
        device.bars[i] = {report.bars[i].base, report.bars[i].size, report.bars[i].flags};
        pci::Range range;
        if (!pci::bar_range(device.bars[i], range)) continue;
        if (range.io) {
            if (grants.port_count == kMaxPortRanges) return false;
            grants.ports[grants.port_count++] = {range.first, range.last};
        } else {
            if (grants.memory_count == kMaxMemoryRanges) return false;
            grants.memory[grants.memory_count++] = {range.first, range.last};
        }
    }
    uint32_t line = 0;
    if (pci::irq_of(device, line)) {
        bool have = false;
        for (uint32_t i = 0; i < grants.irq_count; ++i)
            have |= grants.irqs[i] == line;
        if (!have) {
            if (grants.irq_count == kMaxIrqs) return false;
            grants.irqs[grants.irq_count++] = static_cast<uint8_t>(line);
        }
    }
    return true;
}

// The grants in force for module `index` (DeviceModule::grants): its line's, plus for each
// `pci=` word what the pci driver reported of that device, checked against every other
// module's grants as the boot configuration checks static ones. Resolved once, at the first
// request of a holder; a restarted instance gets the same, and a later report (a restarted pci
// driver) changes nothing. ok, or the error for the request: not_found (a device not reported
// yet: lib/driver's claim waits), no_space (too many ranges), no_permission (a conflict).
// proc never calls the pci driver: the reports are already here.
ipc::Error resolve(Proc& proc, uint32_t index) {
    const ModuleConfig& config = proc.config->modules[index];
    DeviceModule& state = proc.devices.modules[index];
    if (state.resolved) return ipc::Error::ok;
    ModuleConfig grants = config;
    for (uint32_t k = 0; k < config.pci_count; ++k) {
        const PciId& id = config.pci[k];
        const PciReportRequest* device = reported(proc.devices, id);
        if (device == nullptr) return ipc::Error::not_found;
        if (!add_device(*device, grants)) {
            rt_printf("proc: %s: pci=%04x:%04x.%u: too many BARs for the grant table\n",
                      config.name, id.vendor, id.device, id.index);
            return ipc::Error::no_space;
        }
    }
    for (uint32_t j = 0; j < proc.config->module_count && config.pci_count != 0; ++j) {
        if (j == index) continue;
        const DeviceModule& other = proc.devices.modules[j];
        ConfigError why{};
        if (conflicts(grants, other.resolved ? other.grants : proc.config->modules[j], why)) {
            rt_printf("proc: %s: pci=%04x:%04x.%u refused: %s\n", config.name, config.pci[0].vendor,
                      config.pci[0].device, config.pci[0].index, why.message);
            return ipc::Error::no_permission;
        }
    }
    state.grants = grants;
    state.resolved = true;
    for (uint32_t k = 0; k < config.pci_count; ++k) {
        const PciId& id = config.pci[k];
        uint32_t location = reported(proc.devices, id)->location;
        rt_printf("proc: %s: pci=%04x:%04x.%u is %02x:%02x.%u: %u memory, %u port range(s), irq "
                  "%u granted\n",
                  config.name, id.vendor, id.device, id.index, location >> 16,
                  (location >> 8) & 0xFF, location & 0xFF,
                  grants.memory_count - config.memory_count, grants.port_count - config.port_count,
                  grants.irq_count > config.irq_count ? grants.irqs[grants.irq_count - 1] : 0u);
    }
    return ipc::Error::ok;
}

uint32_t align_up(uint32_t value, uint32_t alignment) {
    return (value + alignment - 1) & ~(alignment - 1);
}

// The process behind `from` and its module, if it may hold that module's grants; makes it
// their holder. ok, or the error for the request.
ipc::Error holder_of(Proc& proc, axo_thread_id_t from, uint32_t& module) {
    const ProcessEntry* entry = proc.processes.running(from);
    if (entry == nullptr || proc.config == nullptr) return ipc::Error::no_permission;
    const ModuleConfig& config = proc.config->modules[entry->module];
    if (!has_grants(config)) return ipc::Error::no_permission;
    DeviceModule& state = proc.devices.modules[entry->module];
    if (state.holder != kNoProcess && state.holder != entry->pid) return ipc::Error::busy;
    if (ipc::Error error = resolve(proc, entry->module); error != ipc::Error::ok) return error;
    if (state.holder == kNoProcess) {
        state.holder = entry->pid;
        state.holder_thread = from;
        if (config.on_exit == ExitPolicy::restart && state.instance != entry->pid) {
            // A spawned process of a restartable module that claims becomes its supervised
            // instance.
            state.instance = entry->pid;
            state.instance_started_us = rt_clock_us();
        }
    }
    module = entry->module;
    return ipc::Error::ok;
}

void detach_irqs(DeviceModule& state) {
    for (uint32_t line = 0; line < AXO_IRQ_LINES; ++line) {
        if ((state.irqs_attached & (1u << line)) == 0) continue;
        // pager = the IRQ thread itself: detached, the line masked (kernel-api.md §12.1).
        (void)axo_thread_control(axo_irq_thread(line), AXO_NIL_THREAD, AXO_NIL_THREAD,
                                 axo_irq_thread(line), 0, AXO_NIL_THREAD);
    }
    state.irqs_attached = 0;
}

} // namespace

ipc::Error on_device_claim(Proc& proc, axo_thread_id_t from, const DeviceClaimRequest&,
                           DeviceClaimReply& reply) {
    uint32_t module = 0;
    if (ipc::Error error = holder_of(proc, from, module); error != ipc::Error::ok) return error;
    const ModuleConfig& grants = proc.devices.modules[module].grants;
    reply = {};
    reply.port_count = grants.port_count;
    for (uint32_t i = 0; i < grants.port_count; ++i)
        reply.ports[i] = {grants.ports[i].first, grants.ports[i].last};
    reply.irq_count = grants.irq_count;
    for (uint32_t i = 0; i < grants.irq_count; ++i)
        reply.irqs[i] = grants.irqs[i];
    reply.memory_count = grants.memory_count;
    for (uint32_t i = 0; i < grants.memory_count; ++i)
        reply.memory[i] = {grants.memory[i].first, grants.memory[i].last};
    reply.restarts = proc.devices.modules[module].restarts;
    return ipc::Error::ok;
}

ipc::Error on_device_ports(Proc& proc, axo_thread_id_t from, const DevicePortsRequest& request,
                           ipc::Empty&) {
    uint32_t module = 0;
    if (ipc::Error error = holder_of(proc, from, module); error != ipc::Error::ok) return error;
    axo_fpage_t fpage = request.fpage;
    uint32_t first = axo_fpage_base(fpage), log2 = axo_fpage_log2(fpage);
    if (!axo_fpage_is_io(fpage) || log2 > 16 || axo_io_fpage(first, log2) != fpage ||
        first % (1u << log2) != 0 || first + (1u << log2) > kPortCount)
        return ipc::Error::invalid_argument;
    uint32_t last = first + (1u << log2) - 1;
    const ModuleConfig& grants = proc.devices.modules[module].grants;
    bool granted = false;
    for (uint32_t i = 0; i < grants.port_count && !granted; ++i)
        granted = grants.ports[i].first <= first && last <= grants.ports[i].last;
    if (!granted) return ipc::Error::no_permission;
    // Into proc's own bitmap first (asking again for ports proc holds is harmless), then on.
    if (sigma0::client::map_ports(fpage, fpage) != ipc::Error::ok) return ipc::Error::io_error;
    (void)ipc::send_reply_with_map(from, ipc::Empty{}, fpage & ~0x3FFu, fpage);
    return ipc::kNoReply;
}

ipc::Error on_device_irq(Proc& proc, axo_thread_id_t from, const DeviceIrqRequest& request,
                         ipc::Empty&) {
    uint32_t module = 0;
    if (ipc::Error error = holder_of(proc, from, module); error != ipc::Error::ok) return error;
    const ModuleConfig& config = proc.config->modules[module];
    const ModuleConfig& grants = proc.devices.modules[module].grants;
    bool granted = false;
    for (uint32_t i = 0; i < grants.irq_count && !granted; ++i)
        granted = grants.irqs[i] == request.line;
    if (!granted) return ipc::Error::no_permission;
    uint32_t error = axo_thread_control(axo_irq_thread(request.line), AXO_NIL_THREAD,
                                        AXO_NIL_THREAD, from, 0, AXO_NIL_THREAD);
    if (error != AXO_OK) {
        rt_printf("proc: attaching IRQ %u to %s failed: error %u\n", request.line, config.name,
                  error);
        return ipc::Error::io_error;
    }
    proc.devices.modules[module].irqs_attached |= 1u << request.line;
    return ipc::Error::ok;
}

ipc::Error on_device_memory(Proc& proc, axo_thread_id_t from, const DeviceMemoryRequest& request,
                            ipc::Empty&) {
    uint32_t module = 0;
    if (ipc::Error error = holder_of(proc, from, module); error != ipc::Error::ok) return error;
    if (request.log2 < kMemoryMinLog2 || request.log2 > kMemoryMaxLog2 ||
        request.physical % (1u << request.log2) != 0)
        return ipc::Error::invalid_argument;
    uint32_t first = request.physical, last = first + ((1u << request.log2) - 1);
    if (last < first) return ipc::Error::invalid_argument;
    const ModuleConfig& grants = proc.devices.modules[module].grants;
    uint32_t range = grants.memory_count;
    for (uint32_t i = 0; i < grants.memory_count && range == grants.memory_count; ++i)
        if (grants.memory[i].first <= first && last <= grants.memory[i].last) range = i;
    if (range == grants.memory_count) return ipc::Error::no_permission;

    DeviceModule& state = proc.devices.modules[module];
    const MemoryRange& granted = grants.memory[range];
    if (state.memory_window[range] == 0) {
        // The whole range into proc's window, page by page (σ0 hands out device memory in
        // pages), at an address congruent to it modulo 4 MiB.
        uint32_t size = granted.last - granted.first + 1;
        uint32_t base =
            align_up(proc.devices.device_cursor, kCongruence) + (granted.first & (kCongruence - 1));
        if (base < proc.devices.device_cursor || base + size > kDeviceWindowEnd ||
            base + size < base)
            return ipc::Error::no_memory;
        for (uint32_t offset = 0; offset < size; offset += kPageSize) {
            if (sigma0::client::map_physical(
                    axo_fpage(granted.first + offset, kPageBits, kRightsRW),
                    axo_fpage(base + offset, kPageBits, kRightsRW)) != ipc::Error::ok)
                return ipc::Error::no_memory;
        }
        proc.devices.device_cursor = base + size;
        state.memory_window[range] = base;
    }
    uint32_t address = state.memory_window[range] + (first - granted.first);
    (void)ipc::send_reply_with_map(from, ipc::Empty{}, address,
                                   axo_fpage(address, request.log2, kRightsRW));
    return ipc::kNoReply;
}

ipc::Error on_dma_allocate(Proc& proc, axo_thread_id_t from, const DmaAllocateRequest& request,
                           DmaAllocateReply&) {
    uint32_t module = 0;
    if (ipc::Error error = holder_of(proc, from, module); error != ipc::Error::ok) return error;
    if (request.slot >= kDmaSlots || request.log2 < kDmaMinLog2 || request.log2 > kDmaMaxLog2)
        return ipc::Error::invalid_argument;
    DeviceModule& state = proc.devices.modules[module];
    DeviceModule::Dma& block = state.dma[request.slot];
    uint32_t size = 1u << request.log2;
    if (block.log2 != 0 && block.log2 != request.log2) return ipc::Error::invalid_argument;
    if (block.log2 == 0) {
        if (state.dma_bytes + size > kDmaMaxBytes) return ipc::Error::no_space;
        uint32_t address = align_up(proc.devices.dma_cursor, size);
        if (address + size > kDmaWindowEnd) return ipc::Error::no_memory;
        uint32_t physical = 0;
        if (sigma0::client::allocate_any(request.log2,
                                         axo_fpage(address, request.log2, AXO_FPAGE_RWX),
                                         physical) != ipc::Error::ok)
            return ipc::Error::no_memory;
        memset(reinterpret_cast<void*>(address), 0, size);
        block = {address, physical, request.log2};
        state.dma_bytes += size;
        proc.devices.dma_cursor = address + size;
    }
    (void)ipc::send_reply_with_map(from, DmaAllocateReply{block.physical}, block.address,
                                   axo_fpage(block.address, block.log2, kRightsRW));
    return ipc::kNoReply;
}

ipc::Error on_device_status(Proc& proc, axo_thread_id_t, const DeviceStatusRequest& request,
                            DeviceStatusReply& reply) {
    if (!request.module.terminated() || request.module.length() == 0)
        return ipc::Error::invalid_argument;
    if (proc.config == nullptr) return ipc::Error::not_found;
    const ModuleConfig* config = proc.config->find(request.module.c_str());
    if (config == nullptr) return ipc::Error::not_found;
    const DeviceModule& state =
        proc.devices.modules[static_cast<uint32_t>(config - proc.config->modules)];
    reply.instance = state.instance;
    reply.holder = state.holder;
    reply.restarts = state.restarts;
    reply.irqs_attached = static_cast<uint32_t>(__builtin_popcount(state.irqs_attached));
    reply.restart_policy = config->on_exit == ExitPolicy::restart ? 1 : 0;
    return ipc::Error::ok;
}

ipc::Error on_pci_report(Proc& proc, axo_thread_id_t from, const PciReportRequest& request,
                         PciReportReply& reply) {
    uint32_t module = 0;
    if (ipc::Error error = holder_of(proc, from, module); error != ipc::Error::ok) return error;
    const ModuleConfig& config = proc.config->modules[module];
    bool authority = false;
    for (uint32_t i = 0; i < config.port_count && !authority; ++i)
        authority =
            config.ports[i].first <= kPciConfigFirst && kPciConfigLast <= config.ports[i].last;
    if (!authority) return ipc::Error::no_permission;
    if (request.vendor >= 0xFFFF || request.device > 0xFFFF || request.index > 0xFFFF ||
        request.location > 0xFFFFFF)
        return ipc::Error::invalid_argument;
    Devices& devices = proc.devices;
    uint32_t slot = devices.pci_count;
    for (uint32_t i = 0; i < devices.pci_count && slot == devices.pci_count; ++i)
        if (devices.pci[i].location == request.location) slot = i;
    if (slot == kPciReports) return ipc::Error::no_space;
    devices.pci[slot] = request;
    if (slot == devices.pci_count) ++devices.pci_count;
    reply.named = 0;
    for (uint32_t m = 0; m < proc.config->module_count; ++m) {
        const ModuleConfig& line = proc.config->modules[m];
        for (uint32_t k = 0; k < line.pci_count; ++k)
            reply.named += line.pci[k].vendor == request.vendor &&
                           line.pci[k].device == request.device &&
                           line.pci[k].index == request.index;
    }
    return ipc::Error::ok;
}

void devices_started_at_boot(Proc& proc, uint32_t module, ProcessId pid) {
    if (proc.config->modules[module].on_exit != ExitPolicy::restart) return;
    proc.devices.modules[module].instance = pid;
    proc.devices.modules[module].instance_started_us = rt_clock_us();
}

void devices_process_ended(Proc& proc, const ProcessEntry& entry) {
    const ModuleConfig& config = proc.config->modules[entry.module];
    DeviceModule& state = proc.devices.modules[entry.module];
    bool claimed = state.holder == entry.pid;
    if (claimed) {
        // Its ports, pages and DMA mappings died with its space; the IRQ lines are ours to
        // detach.
        detach_irqs(state);
        state.holder = kNoProcess;
        state.holder_thread = AXO_NIL_THREAD;
    }
    if (config.on_exit != ExitPolicy::restart || state.instance != entry.pid) return;
    state.instance = kNoProcess;
    // A kill is a deliberate restart; an instance that exits or faults soon after its start
    // is failing, and one that keeps failing is given up.
    bool failed =
        entry.reason != kExitKilled && rt_clock_us() - state.instance_started_us < kStableRunUs;
    state.failures = failed ? state.failures + 1 : 0;
    if (state.failures > kRestartAttempts) {
        state.given_up = true;
        rt_printf("proc: %s failed %u times in a row within %u s of its start: not restarted "
                  "again\n",
                  config.name, state.failures, kStableRunUs / 1000000);
        return;
    }
    SpawnReply reply{};
    ipc::Error error = proc.processes.start(entry.parent, entry.module, nullptr, reply);
    if (error != ipc::Error::ok) {
        rt_printf("proc: restarting %s failed: %s\n", config.name, ipc::error_name(error));
        return;
    }
    state.instance = reply.pid;
    state.instance_started_us = rt_clock_us();
    ++state.restarts;
    rt_printf("proc: restarted module %u \"%s\": process %u, thread %u.%u (restart %u)\n",
              config.index, config.name, reply.pid, axo_thread_number(reply.main_thread),
              axo_thread_version(reply.main_thread), state.restarts);
}

} // namespace proc
