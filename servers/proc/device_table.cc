// The rules of device grants (device_table.h).
#include "servers/proc/device_table.h"

#include "interfaces/pci/resources.h"

namespace proc {
namespace {

constexpr uint32_t kPageSize = 4096;
constexpr uint32_t kPageBits = 12;
constexpr uint32_t kMemoryMinLog2 = 12;
constexpr uint32_t kMemoryMaxLog2 = 22;
constexpr uint32_t kCongruence = 1u << kMemoryMaxLog2; // 4 MiB
constexpr uint32_t kPortCount = 0x10000;
constexpr uint32_t kRightsRW = AXO_FPAGE_R | AXO_FPAGE_W;

bool has_grants(const ModuleConfig& module) {
    return module.port_count + module.irq_count + module.memory_count + module.pci_count != 0;
}

static_assert(sizeof(DeviceClaimReply{}.ports) / sizeof(DevicePortRange) == kMaxPortRanges &&
                  sizeof(DeviceClaimReply{}.irqs) / sizeof(uint32_t) == kMaxIrqs &&
                  sizeof(DeviceClaimReply{}.memory) / sizeof(DeviceMemoryRange) == kMaxMemoryRanges,
              "a module's grants (ModuleConfig) fit the claim's reply");

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

uint32_t align_up(uint32_t value, uint32_t alignment) {
    return (value + alignment - 1) & ~(alignment - 1);
}

} // namespace

void DeviceTable::init(const BootConfig* config, DeviceHost host) {
    m_config = config;
    m_host = host;
}

const PciReportRequest* DeviceTable::reported(const PciId& id) const {
    for (uint32_t i = 0; i < m_pci_count; ++i) {
        const PciReportRequest& r = m_pci[i];
        if (r.vendor == id.vendor && r.device == id.device && r.index == id.index) return &r;
    }
    return nullptr;
}

void DeviceTable::note(const DeviceNote& note) {
    if (m_note_count < kMaxNotes) m_notes[m_note_count++] = note;
}

uint32_t DeviceTable::take_notes(DeviceNote* out, uint32_t max) {
    uint32_t count = m_note_count < max ? m_note_count : max;
    for (uint32_t i = 0; i < count; ++i)
        out[i] = m_notes[i];
    for (uint32_t i = count; i < m_note_count; ++i)
        m_notes[i - count] = m_notes[i];
    m_note_count -= count;
    return count;
}

// The grants in force for module `index` (DeviceModule::grants): its line's, plus for each
// `pci=` word what the pci driver reported of that device, checked against every other
// module's grants as the boot configuration checks static ones. Resolved once, at the first
// request of a holder; a restarted instance gets the same, and a later report (a restarted pci
// driver) changes nothing. ok, or the error for the request: not_found (a device not reported
// yet: lib/driver's claim waits), no_space (too many ranges), no_permission (a conflict).
// proc never calls the pci driver: the reports are already here.
ipc::Error DeviceTable::resolve(uint32_t index) {
    const ModuleConfig& config = m_config->modules[index];
    DeviceModule& state = m_modules[index];
    if (state.resolved) return ipc::Error::ok;
    ModuleConfig grants = config;
    for (uint32_t k = 0; k < config.pci_count; ++k) {
        const PciId& id = config.pci[k];
        const PciReportRequest* device = reported(id);
        if (device == nullptr) return ipc::Error::not_found;
        if (!add_device(*device, grants)) {
            DeviceNote n{};
            n.kind = DeviceNote::pci_too_many_bars;
            n.module = index;
            n.pci = id;
            note(n);
            return ipc::Error::no_space;
        }
    }
    for (uint32_t j = 0; j < m_config->module_count && config.pci_count != 0; ++j) {
        if (j == index) continue;
        const DeviceModule& other = m_modules[j];
        DeviceNote n{};
        if (conflicts(grants, other.resolved ? other.grants : m_config->modules[j], n.why)) {
            n.kind = DeviceNote::pci_conflict;
            n.module = index;
            n.pci = config.pci[0];
            note(n);
            return ipc::Error::no_permission;
        }
    }
    state.grants = grants;
    state.resolved = true;
    for (uint32_t k = 0; k < config.pci_count; ++k) {
        DeviceNote n{};
        n.kind = DeviceNote::pci_granted;
        n.module = index;
        n.pci = config.pci[k];
        n.location = reported(config.pci[k])->location;
        n.memory = grants.memory_count - config.memory_count;
        n.ports = grants.port_count - config.port_count;
        n.irq = grants.irq_count > config.irq_count ? grants.irqs[grants.irq_count - 1] : 0u;
        note(n);
    }
    return ipc::Error::ok;
}

// Whether `caller` may hold its module's grants; makes it their holder. ok, or the error for
// the request.
ipc::Error DeviceTable::holder_of(const DeviceCaller& caller) {
    if (caller.pid == kNoProcess || m_config == nullptr || caller.module >= m_config->module_count)
        return ipc::Error::no_permission;
    const ModuleConfig& config = m_config->modules[caller.module];
    if (!has_grants(config)) return ipc::Error::no_permission;
    DeviceModule& state = m_modules[caller.module];
    if (state.holder != kNoProcess && state.holder != caller.pid) return ipc::Error::busy;
    if (ipc::Error error = resolve(caller.module); error != ipc::Error::ok) return error;
    if (state.holder == kNoProcess) {
        state.holder = caller.pid;
        state.holder_thread = caller.thread;
        if (config.on_exit == ExitPolicy::restart && state.instance != caller.pid) {
            // A spawned process of a restartable module that claims becomes its supervised
            // instance.
            state.instance = caller.pid;
            state.instance_started_us = m_now;
        }
    }
    return ipc::Error::ok;
}

ipc::Error DeviceTable::claim(const DeviceCaller& caller, DeviceClaimReply& reply) {
    if (ipc::Error error = holder_of(caller); error != ipc::Error::ok) return error;
    const DeviceModule& state = m_modules[caller.module];
    const ModuleConfig& grants = state.grants;
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
    reply.restarts = state.restarts;
    return ipc::Error::ok;
}

ipc::Error DeviceTable::ports(const DeviceCaller& caller, axo_fpage_t fpage, MapAnswer& answer) {
    if (ipc::Error error = holder_of(caller); error != ipc::Error::ok) return error;
    uint32_t first = axo_fpage_base(fpage), log2 = axo_fpage_log2(fpage);
    if (!axo_fpage_is_io(fpage) || log2 > 16 || axo_io_fpage(first, log2) != fpage ||
        first % (1u << log2) != 0 || first + (1u << log2) > kPortCount)
        return ipc::Error::invalid_argument;
    uint32_t last = first + (1u << log2) - 1;
    const ModuleConfig& grants = m_modules[caller.module].grants;
    bool granted = false;
    for (uint32_t i = 0; i < grants.port_count && !granted; ++i)
        granted = grants.ports[i].first <= first && last <= grants.ports[i].last;
    if (!granted) return ipc::Error::no_permission;
    // Into proc's own bitmap first (asking again for ports proc holds is harmless), then on.
    if (!m_host.map_ports(m_host.context, fpage)) return ipc::Error::io_error;
    answer = {fpage & ~0x3FFu, fpage, 0};
    return ipc::Error::ok;
}

ipc::Error DeviceTable::irq(const DeviceCaller& caller, uint32_t line) {
    if (ipc::Error error = holder_of(caller); error != ipc::Error::ok) return error;
    const ModuleConfig& grants = m_modules[caller.module].grants;
    bool granted = false;
    for (uint32_t i = 0; i < grants.irq_count && !granted; ++i)
        granted = grants.irqs[i] == line;
    if (!granted) return ipc::Error::no_permission;
    uint32_t error = m_host.attach_irq(m_host.context, line, caller.thread);
    if (error != AXO_OK) {
        DeviceNote n{};
        n.kind = DeviceNote::irq_refused;
        n.module = caller.module;
        n.irq = line;
        n.error = error;
        note(n);
        return ipc::Error::io_error;
    }
    m_modules[caller.module].irqs_attached |= 1u << line;
    return ipc::Error::ok;
}

ipc::Error DeviceTable::memory(const DeviceCaller& caller, uint32_t physical, uint32_t log2,
                               MapAnswer& answer) {
    if (ipc::Error error = holder_of(caller); error != ipc::Error::ok) return error;
    if (log2 < kMemoryMinLog2 || log2 > kMemoryMaxLog2 || physical % (1u << log2) != 0)
        return ipc::Error::invalid_argument;
    uint32_t first = physical, last = first + ((1u << log2) - 1);
    if (last < first) return ipc::Error::invalid_argument;
    DeviceModule& state = m_modules[caller.module];
    const ModuleConfig& grants = state.grants;
    uint32_t range = grants.memory_count;
    for (uint32_t i = 0; i < grants.memory_count && range == grants.memory_count; ++i)
        if (grants.memory[i].first <= first && last <= grants.memory[i].last) range = i;
    if (range == grants.memory_count) return ipc::Error::no_permission;

    const MemoryRange& granted = grants.memory[range];
    if (state.memory_window[range] == 0) {
        // The whole range into proc's window, page by page (σ0 hands out device memory in
        // pages), at an address congruent to it modulo 4 MiB.
        uint32_t size = granted.last - granted.first + 1;
        uint32_t base =
            align_up(m_device_cursor, kCongruence) + (granted.first & (kCongruence - 1));
        if (base < m_device_cursor || base + size > kDeviceWindowEnd || base + size < base)
            return ipc::Error::no_memory;
        for (uint32_t offset = 0; offset < size; offset += kPageSize)
            if (!m_host.map_device_page(m_host.context, granted.first + offset, base + offset))
                return ipc::Error::no_memory;
        m_device_cursor = base + size;
        state.memory_window[range] = base;
    }
    uint32_t address = state.memory_window[range] + (first - granted.first);
    answer = {address, axo_fpage(address, log2, kRightsRW), 0};
    return ipc::Error::ok;
}

ipc::Error DeviceTable::dma(const DeviceCaller& caller, uint32_t slot, uint32_t log2,
                            MapAnswer& answer) {
    if (ipc::Error error = holder_of(caller); error != ipc::Error::ok) return error;
    if (slot >= kDmaSlots || log2 < kDmaMinLog2 || log2 > kDmaMaxLog2)
        return ipc::Error::invalid_argument;
    DeviceModule& state = m_modules[caller.module];
    DeviceModule::Dma& block = state.dma[slot];
    uint32_t size = 1u << log2;
    if (block.log2 != 0 && block.log2 != log2) return ipc::Error::invalid_argument;
    if (block.log2 == 0) {
        if (state.dma_bytes + size > kDmaMaxBytes) return ipc::Error::no_space;
        uint32_t address = align_up(m_dma_cursor, size);
        if (address + size > kDmaWindowEnd) return ipc::Error::no_memory;
        uint32_t physical = 0;
        if (!m_host.allocate_dma(m_host.context, log2, address, physical))
            return ipc::Error::no_memory;
        block = {address, physical, log2};
        state.dma_bytes += size;
        m_dma_cursor = address + size;
    }
    answer = {block.address, axo_fpage(block.address, block.log2, kRightsRW), block.physical};
    return ipc::Error::ok;
}

ipc::Error DeviceTable::client(const DeviceCaller& caller, const DeviceCaller& client,
                               bool boot_instance, DeviceClientReply& reply) {
    if (ipc::Error error = holder_of(caller); error != ipc::Error::ok) return error;
    reply.pid = client.pid;
    const ModuleConfig& config = m_config->modules[caller.module];
    if (config.client_count == 0) return ipc::Error::ok; // no client= words: anyone
    if (client.pid == kNoProcess) return ipc::Error::not_found;
    // A process spawned from a client's image is no boot instance: only the line's own process.
    if (!boot_instance || client.module >= m_config->module_count) return ipc::Error::no_permission;
    for (uint32_t i = 0; i < config.client_count; ++i) {
        const ModuleConfig* named = m_config->find(config.clients[i]);
        if (named != nullptr && static_cast<uint32_t>(named - m_config->modules) == client.module)
            return ipc::Error::ok;
    }
    return ipc::Error::no_permission;
}

ipc::Error DeviceTable::status(const Name& name, DeviceStatusReply& reply) const {
    if (!name.terminated() || name.length() == 0) return ipc::Error::invalid_argument;
    if (m_config == nullptr) return ipc::Error::not_found;
    const ModuleConfig* config = m_config->find(name.c_str());
    if (config == nullptr) return ipc::Error::not_found;
    const DeviceModule& state = m_modules[static_cast<uint32_t>(config - m_config->modules)];
    reply.instance = state.instance;
    reply.holder = state.holder;
    reply.restarts = state.restarts;
    reply.irqs_attached = static_cast<uint32_t>(__builtin_popcount(state.irqs_attached));
    reply.restart_policy = config->on_exit == ExitPolicy::restart ? 1 : 0;
    return ipc::Error::ok;
}

ipc::Error DeviceTable::pci_report(const DeviceCaller& caller, const PciReportRequest& report,
                                   PciReportReply& reply) {
    if (ipc::Error error = holder_of(caller); error != ipc::Error::ok) return error;
    const ModuleConfig& config = m_config->modules[caller.module];
    bool authority = false;
    for (uint32_t i = 0; i < config.port_count && !authority; ++i)
        authority =
            config.ports[i].first <= kPciConfigFirst && kPciConfigLast <= config.ports[i].last;
    if (!authority) return ipc::Error::no_permission;
    if (report.vendor >= 0xFFFF || report.device > 0xFFFF || report.index > 0xFFFF ||
        report.location > 0xFFFFFF)
        return ipc::Error::invalid_argument;
    uint32_t slot = m_pci_count;
    for (uint32_t i = 0; i < m_pci_count && slot == m_pci_count; ++i)
        if (m_pci[i].location == report.location) slot = i;
    if (slot == kPciReports) return ipc::Error::no_space;
    m_pci[slot] = report;
    if (slot == m_pci_count) ++m_pci_count;
    reply.named = 0;
    for (uint32_t m = 0; m < m_config->module_count; ++m) {
        const ModuleConfig& line = m_config->modules[m];
        for (uint32_t k = 0; k < line.pci_count; ++k)
            reply.named += line.pci[k].vendor == report.vendor &&
                           line.pci[k].device == report.device && line.pci[k].index == report.index;
    }
    return ipc::Error::ok;
}

void DeviceTable::started_at_boot(uint32_t module, ProcessId pid) {
    if (m_config == nullptr || m_config->modules[module].on_exit != ExitPolicy::restart) return;
    m_modules[module].instance = pid;
    m_modules[module].instance_started_us = m_now;
}

EndAnswer DeviceTable::process_ended(ProcessId pid, uint32_t module, uint32_t reason) {
    if (m_config == nullptr) return {};
    const ModuleConfig& config = m_config->modules[module];
    DeviceModule& state = m_modules[module];
    if (state.holder == pid) {
        // Its ports, pages and DMA mappings died with its space; the IRQ lines are proc's to
        // detach.
        for (uint32_t line = 0; line < AXO_IRQ_LINES; ++line)
            if ((state.irqs_attached & (1u << line)) != 0) m_host.detach_irq(m_host.context, line);
        state.irqs_attached = 0;
        state.holder = kNoProcess;
        state.holder_thread = AXO_NIL_THREAD;
    }
    if (config.on_exit != ExitPolicy::restart || state.instance != pid) return {};
    state.instance = kNoProcess;
    // A kill is a deliberate restart; an instance that exits or faults soon after its start
    // is failing, and one that keeps failing is given up.
    bool failed = reason != kExitKilled && m_now - state.instance_started_us < kStableRunUs;
    state.failures = failed ? state.failures + 1 : 0;
    if (state.failures > kRestartAttempts) {
        state.given_up = true;
        DeviceNote n{};
        n.kind = DeviceNote::given_up;
        n.module = module;
        n.failures = state.failures;
        note(n);
        return {EndAnswer::give_up};
    }
    return {EndAnswer::restart};
}

void DeviceTable::restarted(uint32_t module, ProcessId pid) {
    DeviceModule& state = m_modules[module];
    state.instance = pid;
    state.instance_started_us = m_now;
    ++state.restarts;
}

} // namespace proc
