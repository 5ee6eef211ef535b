// Devices on the real kernel: grants to drivers and their restart (devices.h).
#include "servers/proc/devices.h"

#include "rt/rt.h"

#include "lib/ipc/kernel.h"
#include "lib/loader/loader.h"
#include "servers/memory/sigma0/protocol.h"
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

constexpr uint32_t kMaxPorts = sizeof(DeviceClaimReply{}.ports) / sizeof(DevicePortRange);
constexpr uint32_t kMaxIrqLines = sizeof(DeviceClaimReply{}.irqs) / sizeof(uint32_t);
constexpr uint32_t kMaxMemory = sizeof(DeviceClaimReply{}.memory) / sizeof(DeviceMemoryRange);
static_assert(kMaxMemory <= kMaxMemoryRanges, "DeviceModule::memory_window has one per range");

// A module's grants: its line's words, then what its pci= devices have (as reported).
// not_found if a pci= device was not reported (yet).
ipc::Error grants_of(const Proc& proc, uint32_t module, DeviceClaimReply& out) {
    const ModuleConfig& config = proc.config->modules[module];
    out = {};
    for (uint32_t i = 0; i < config.port_count; ++i)
        out.ports[out.port_count++] = {config.ports[i].first, config.ports[i].last};
    for (uint32_t i = 0; i < config.irq_count; ++i)
        out.irqs[out.irq_count++] = config.irqs[i];
    for (uint32_t i = 0; i < config.memory_count; ++i)
        out.memory[out.memory_count++] = {config.memory[i].first, config.memory[i].last};
    for (uint32_t k = 0; k < config.pci_count; ++k) {
        const PciReportRequest* found = nullptr;
        for (uint32_t i = 0; i < proc.devices.pci_count && found == nullptr; ++i)
            if (proc.devices.pci[i].vendor == config.pci[k].vendor &&
                proc.devices.pci[i].device == config.pci[k].device)
                found = &proc.devices.pci[i];
        if (found == nullptr) return ipc::Error::not_found;
        for (const PciBarReport& bar : found->bars) {
            if ((bar.flags & kPciBarPresent) == 0 || bar.size == 0) continue;
            uint32_t last = bar.base + bar.size - 1;
            if (last < bar.base) continue;
            if (bar.flags & kPciBarIo) {
                if (last <= 0xFFFF && out.port_count < kMaxPorts)
                    out.ports[out.port_count++] = {bar.base, last};
            } else if (out.memory_count < kMaxMemory) {
                uint32_t first = bar.base & ~(kPageSize - 1);
                uint32_t end = (last | (kPageSize - 1));
                out.memory[out.memory_count++] = {first, end};
            }
        }
        uint32_t line = found->irq_line;
        bool usable = line > 0 && line < AXO_IRQ_LINES && line != 2;
        for (uint32_t i = 0; usable && i < out.irq_count; ++i)
            usable = out.irqs[i] != line;
        if (usable && out.irq_count < kMaxIrqLines) out.irqs[out.irq_count++] = line;
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

// The reply of a request whose answer carries a map item: `words` (n of them), then the item.
// Sent now with a zero timeout, as the dispatcher's replies are; the handler then returns
// kNoReply. The client is blocked in its call to proc, so it is receiving.
ipc::Error reply_with_item(axo_thread_id_t to, const uint32_t* words, uint32_t n,
                           uint32_t send_base, axo_fpage_t fpage) {
    axo_utcb_t* utcb = axo_my_utcb();
    for (uint32_t i = 0; i < n; ++i)
        utcb->mr[1 + i] = words[i];
    utcb->mr[1 + n] = axo_map_item_word0(send_base, 0);
    utcb->mr[2 + n] = fpage;
    utcb->mr[0] = axo_msg_tag(static_cast<uint32_t>(ipc::Error::ok), n, 2);
    (void)axo_ipc_send(to, AXO_TIMEOUT_ZERO);
    return ipc::kNoReply;
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
    if (ipc::Error error = grants_of(proc, module, reply); error != ipc::Error::ok) return error;
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
    DeviceClaimReply grants;
    if (ipc::Error error = grants_of(proc, module, grants); error != ipc::Error::ok) return error;
    bool granted = false;
    for (uint32_t i = 0; i < grants.port_count && !granted; ++i)
        granted = grants.ports[i].first <= first && last <= grants.ports[i].last;
    if (!granted) return ipc::Error::no_permission;
    // Into proc's own bitmap first (asking again for ports proc holds is harmless), then on.
    if (loader::sigma0_call(sigma0::kSigma0MapPorts, fpage, fpage, nullptr) != sigma0::kSigma0Ok)
        return ipc::Error::io_error;
    return reply_with_item(from, nullptr, 0, fpage & ~0x3FFu, fpage);
}

ipc::Error on_device_irq(Proc& proc, axo_thread_id_t from, const DeviceIrqRequest& request,
                         ipc::Empty&) {
    uint32_t module = 0;
    if (ipc::Error error = holder_of(proc, from, module); error != ipc::Error::ok) return error;
    const ModuleConfig& config = proc.config->modules[module];
    DeviceClaimReply grants;
    if (ipc::Error error = grants_of(proc, module, grants); error != ipc::Error::ok) return error;
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
    DeviceClaimReply grants;
    if (ipc::Error error = grants_of(proc, module, grants); error != ipc::Error::ok) return error;
    uint32_t range = grants.memory_count;
    for (uint32_t i = 0; i < grants.memory_count && range == grants.memory_count; ++i)
        if (grants.memory[i].first <= first && last <= grants.memory[i].last) range = i;
    if (range == grants.memory_count) return ipc::Error::no_permission;

    DeviceModule& state = proc.devices.modules[module];
    const DeviceMemoryRange& granted = grants.memory[range];
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
            if (loader::sigma0_call(sigma0::kSigma0MapPhysical,
                                    axo_fpage(granted.first + offset, kPageBits, kRightsRW),
                                    axo_fpage(base + offset, kPageBits, kRightsRW),
                                    nullptr) != sigma0::kSigma0Ok)
                return ipc::Error::no_memory;
        }
        proc.devices.device_cursor = base + size;
        state.memory_window[range] = base;
    }
    uint32_t address = state.memory_window[range] + (first - granted.first);
    return reply_with_item(from, nullptr, 0, address, axo_fpage(address, request.log2, kRightsRW));
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
        if (loader::sigma0_call(sigma0::kSigma0AllocateAny, request.log2,
                                axo_fpage(address, request.log2, AXO_FPAGE_RWX),
                                &physical) != sigma0::kSigma0Ok)
            return ipc::Error::no_memory;
        memset(reinterpret_cast<void*>(address), 0, size);
        block = {address, physical, request.log2};
        state.dma_bytes += size;
        proc.devices.dma_cursor = address + size;
    }
    uint32_t words[1] = {block.physical};
    return reply_with_item(from, words, 1, block.address,
                           axo_fpage(block.address, block.log2, kRightsRW));
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
                         ipc::Empty&) {
    uint32_t module = 0;
    if (ipc::Error error = holder_of(proc, from, module); error != ipc::Error::ok) return error;
    const ModuleConfig& config = proc.config->modules[module];
    bool authority = false;
    for (uint32_t i = 0; i < config.port_count && !authority; ++i)
        authority =
            config.ports[i].first <= kPciConfigFirst && kPciConfigLast <= config.ports[i].last;
    if (!authority) return ipc::Error::no_permission;
    if (request.vendor >= 0xFFFF || request.device > 0xFFFF) return ipc::Error::invalid_argument;
    Devices& devices = proc.devices;
    uint32_t slot = devices.pci_count;
    for (uint32_t i = 0; i < devices.pci_count && slot == devices.pci_count; ++i)
        if (devices.pci[i].location == request.location) slot = i;
    if (slot == kPciReports) return ipc::Error::no_space;
    devices.pci[slot] = request;
    if (slot == devices.pci_count) ++devices.pci_count;
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
