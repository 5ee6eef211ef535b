// Devices on the real kernel: grants to drivers and their restart (devices.h).
#include "servers/proc/devices.h"

#include "rt/rt.h"

#include "lib/ipc/kernel.h"
#include "lib/loader/loader.h"
#include "servers/drivers/pci/pci.h"
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

// How long proc waits for the pci server's answer while it resolves a `pci=` grant; proc
// serves nobody meanwhile, and the pci server calls nobody, so this is a bound on a broken one.
constexpr uint32_t kPciTimeoutUs = 2000000;

bool has_grants(const ModuleConfig& module) {
    return module.port_count + module.irq_count + module.memory_count != 0 ||
           pci_word(module) != nullptr;
}

const char* text(ipc::Error error) {
    return ipc::error_name(error);
}

// Adds the device's BARs and IRQ line to `grants`; false if they do not fit.
bool add_device(const pci::DeviceReply& device, ModuleConfig& grants) {
    for (uint32_t i = 0; i < pci::kBars; ++i) {
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

// The grants in force for module `index` (DeviceModule::grants): its line's, plus for a
// `pci=` line what the pci server reports of the device, checked against every other module's
// grants as the boot configuration checks static ones, and the device enabled (decoding, bus
// mastering). Once; a restarted instance gets the same. ok, or the error for the request:
// invalid_argument (malformed pci= word), no_such_name (no pci server yet: try again),
// not_found (no such device), no_space (too many ranges), no_permission (a conflict),
// io_error (the pci server failed).
ipc::Error resolve(Proc& proc, uint32_t index) {
    const ModuleConfig& config = proc.config->modules[index];
    DeviceModule& state = proc.devices.modules[index];
    if (state.resolved) return ipc::Error::ok;
    const char* word = pci_word(config);
    if (word == nullptr) {
        state.grants = config;
        state.resolved = true;
        return ipc::Error::ok;
    }
    pci::Match match{};
    if (!pci::parse_match(word, match)) {
        rt_printf("proc: %s: malformed pci=%s (VVVV:DDDD or VVVV:DDDD.N)\n", config.name, word);
        return ipc::Error::invalid_argument;
    }
    const NameTable::Entry* server = proc.names.table().find("pci");
    if (server == nullptr) return ipc::Error::no_such_name;
    ipc::KernelTransport transport;
    pci::DeviceReply device{};
    ipc::Error error = ipc::call(transport, server->server,
                                 pci::FindRequest{match.vendor, match.device, match.index}, device,
                                 axo_timeout_us(kPciTimeoutUs));
    if (error == ipc::Error::server_gone) return ipc::Error::no_such_name;
    if (error != ipc::Error::ok) {
        rt_printf("proc: %s: pci=%s: %s\n", config.name, word, text(error));
        return error == ipc::Error::not_found ? error : ipc::Error::io_error;
    }
    ModuleConfig grants = config;
    if (!add_device(device, grants)) {
        rt_printf("proc: %s: pci=%s: too many BARs for the grant table\n", config.name, word);
        return ipc::Error::no_space;
    }
    for (uint32_t j = 0; j < proc.config->module_count; ++j) {
        if (j == index) continue;
        const DeviceModule& other = proc.devices.modules[j];
        ConfigError why{};
        if (conflicts(grants, other.resolved ? other.grants : proc.config->modules[j], why)) {
            rt_printf("proc: %s: pci=%s refused: %s\n", config.name, word, why.message);
            return ipc::Error::no_permission;
        }
    }
    bool io = false;
    for (uint32_t i = 0; i < pci::kBars; ++i)
        io |= (device.bars[i].flags & (pci::kBarPresent | pci::kBarIo)) ==
              (pci::kBarPresent | pci::kBarIo);
    ipc::Empty none;
    error = ipc::call(transport, server->server,
                      pci::EnableRequest{device.bus, device.slot, device.function,
                                         pci::kCommandMemory | pci::kCommandBusMaster |
                                             (io ? pci::kCommandIo : 0u)},
                      none, axo_timeout_us(kPciTimeoutUs));
    if (error != ipc::Error::ok) {
        rt_printf("proc: %s: enabling pci device %02x:%02x.%u: %s\n", config.name, device.bus,
                  device.slot, device.function, text(error));
        return ipc::Error::io_error;
    }
    state.grants = grants;
    state.resolved = true;
    rt_printf("proc: %s: pci=%s is %02x:%02x.%u: %u memory, %u port range(s), irq %u granted\n",
              config.name, word, device.bus, device.slot, device.function,
              grants.memory_count - config.memory_count, grants.port_count - config.port_count,
              grants.irq_count > config.irq_count ? grants.irqs[grants.irq_count - 1] : 0u);
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
    const ModuleConfig& config = proc.devices.modules[module].grants;
    reply = {};
    reply.port_count = config.port_count;
    for (uint32_t i = 0; i < config.port_count; ++i)
        reply.ports[i] = {config.ports[i].first, config.ports[i].last};
    reply.irq_count = config.irq_count;
    for (uint32_t i = 0; i < config.irq_count; ++i)
        reply.irqs[i] = config.irqs[i];
    reply.memory_count = config.memory_count;
    for (uint32_t i = 0; i < config.memory_count; ++i)
        reply.memory[i] = {config.memory[i].first, config.memory[i].last};
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
    const ModuleConfig& config = proc.devices.modules[module].grants;
    bool granted = false;
    for (uint32_t i = 0; i < config.port_count && !granted; ++i)
        granted = config.ports[i].first <= first && last <= config.ports[i].last;
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
    const ModuleConfig& config = proc.devices.modules[module].grants;
    bool granted = false;
    for (uint32_t i = 0; i < config.irq_count && !granted; ++i)
        granted = config.irqs[i] == request.line;
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
    const ModuleConfig& config = proc.devices.modules[module].grants;
    uint32_t first = request.physical, last = first + ((1u << request.log2) - 1);
    if (last < first) return ipc::Error::invalid_argument;
    uint32_t range = config.memory_count;
    for (uint32_t i = 0; i < config.memory_count && range == config.memory_count; ++i)
        if (config.memory[i].first <= first && last <= config.memory[i].last) range = i;
    if (range == config.memory_count) return ipc::Error::no_permission;

    DeviceModule& state = proc.devices.modules[module];
    const MemoryRange& granted = config.memory[range];
    if (state.memory_window[range] == 0) {
        // The whole range into proc's window, page by page (σ0 hands out device memory in
        // pages), at an address congruent to it modulo 4 MiB.
        uint32_t size = granted.last - granted.first + 1;
        uint32_t base = align_up(proc.devices.device_cursor, kCongruence) +
                        (granted.first & (kCongruence - 1));
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

const char* pci_word(const ModuleConfig& config) {
    for (uint32_t i = 0; i < config.argument_count; ++i) {
        const char* word = config.argument(i);
        if (strncmp(word, "pci=", 4) == 0) return word + 4;
    }
    return nullptr;
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
    bool failed = entry.reason != kExitKilled &&
                  rt_clock_us() - state.instance_started_us < kStableRunUs;
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
