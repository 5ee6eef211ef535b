// Devices on the real kernel: the IPC edge of the grant rules (devices.h, device_table.h).
#include "servers/proc/devices.h"

#include "rt/rt.h"

#include "interfaces/sigma0/client.h"
#include "interfaces/sigma0/protocol.h"
#include "lib/ipc/kernel.h"
#include "servers/proc/server.h"

namespace proc {
namespace {

constexpr uint32_t kPageBits = 12;
constexpr uint32_t kRightsRW = AXO_FPAGE_R | AXO_FPAGE_W;

// ---- DeviceHost: σ0 and the kernel ---------------------------------------------------------

bool map_ports(void*, axo_fpage_t fpage) {
    return sigma0::client::map_ports(fpage, fpage) == ipc::Error::ok;
}

bool map_device_page(void*, uint32_t physical, uint32_t address) {
    return sigma0::client::map_physical(axo_fpage(physical, kPageBits, kRightsRW),
                                        axo_fpage(address, kPageBits, kRightsRW)) == ipc::Error::ok;
}

bool allocate_dma(void*, uint32_t log2, uint32_t address, uint32_t& physical) {
    if (sigma0::client::allocate_any(log2, axo_fpage(address, log2, AXO_FPAGE_RWX), physical) !=
        ipc::Error::ok)
        return false;
    memset(reinterpret_cast<void*>(address), 0, 1u << log2);
    return true;
}

uint32_t attach_irq(void*, uint32_t line, axo_thread_id_t thread) {
    return axo_thread_control(axo_irq_thread(line), AXO_NIL_THREAD, AXO_NIL_THREAD, thread, 0,
                              AXO_NIL_THREAD);
}

void detach_irq(void*, uint32_t line) {
    // pager = the IRQ thread itself: detached, the line masked (kernel-api.md §12.1).
    (void)axo_thread_control(axo_irq_thread(line), AXO_NIL_THREAD, AXO_NIL_THREAD,
                             axo_irq_thread(line), 0, AXO_NIL_THREAD);
}

// ---- The edge ------------------------------------------------------------------------------

// The process behind `from`, as the rules know callers.
DeviceCaller caller_of(Proc& proc, axo_thread_id_t from) {
    DeviceCaller caller;
    caller.thread = from;
    if (const ProcessEntry* entry = proc.processes.running(from)) {
        caller.pid = entry->pid;
        caller.module = entry->module;
    }
    proc.devices.set_clock(rt_clock_us());
    return caller;
}

// The rules' notes, to the log.
void print_notes(Proc& proc) {
    DeviceNote notes[DeviceTable::kMaxNotes];
    uint32_t count = proc.devices.take_notes(notes, DeviceTable::kMaxNotes);
    for (uint32_t i = 0; i < count; ++i) {
        const DeviceNote& n = notes[i];
        const char* name = proc.config->modules[n.module].name;
        switch (n.kind) {
        case DeviceNote::pci_too_many_bars:
            rt_printf("proc: %s: pci=%04x:%04x.%u: too many BARs for the grant table\n", name,
                      n.pci.vendor, n.pci.device, n.pci.index);
            break;
        case DeviceNote::pci_conflict:
            rt_printf("proc: %s: pci=%04x:%04x.%u refused: %s\n", name, n.pci.vendor, n.pci.device,
                      n.pci.index, n.why.message);
            break;
        case DeviceNote::pci_granted:
            rt_printf("proc: %s: pci=%04x:%04x.%u is %02x:%02x.%u: %u memory, %u port range(s), "
                      "irq %u granted\n",
                      name, n.pci.vendor, n.pci.device, n.pci.index, n.location >> 16,
                      (n.location >> 8) & 0xFF, n.location & 0xFF, n.memory, n.ports, n.irq);
            break;
        case DeviceNote::irq_refused:
            rt_printf("proc: attaching IRQ %u to %s failed: error %u\n", n.irq, name, n.error);
            break;
        case DeviceNote::given_up:
            rt_printf("proc: %s failed %u times in a row within %u s of its start: not "
                      "restarted again\n",
                      name, n.failures, kStableRunUs / 1000000);
            break;
        }
    }
}

// Ends a request: the log, then the error or the reply with its map item (sent here, so the
// dispatcher sends nothing).
template <class Reply>
ipc::Error send_map(Proc& proc, axo_thread_id_t from, ipc::Error error, const Reply& reply,
                    const MapAnswer& answer) {
    print_notes(proc);
    if (error != ipc::Error::ok) return error;
    (void)ipc::send_reply_with_map(from, reply, answer.send_base, answer.fpage);
    return ipc::kNoReply;
}

} // namespace

void devices_init(Proc& proc) {
    DeviceHost host;
    host.context = &proc;
    host.map_ports = &map_ports;
    host.map_device_page = &map_device_page;
    host.allocate_dma = &allocate_dma;
    host.attach_irq = &attach_irq;
    host.detach_irq = &detach_irq;
    proc.devices.init(proc.config, host);
}

ipc::Error on_device_claim(Proc& proc, axo_thread_id_t from, const DeviceClaimRequest&,
                           DeviceClaimReply& reply) {
    ipc::Error error = proc.devices.claim(caller_of(proc, from), reply);
    print_notes(proc);
    return error;
}

ipc::Error on_device_ports(Proc& proc, axo_thread_id_t from, const DevicePortsRequest& request,
                           ipc::Empty&) {
    MapAnswer answer;
    ipc::Error error = proc.devices.ports(caller_of(proc, from), request.fpage, answer);
    return send_map(proc, from, error, ipc::Empty{}, answer);
}

ipc::Error on_device_irq(Proc& proc, axo_thread_id_t from, const DeviceIrqRequest& request,
                         ipc::Empty&) {
    ipc::Error error = proc.devices.irq(caller_of(proc, from), request.line);
    print_notes(proc);
    return error;
}

ipc::Error on_device_memory(Proc& proc, axo_thread_id_t from, const DeviceMemoryRequest& request,
                            ipc::Empty&) {
    MapAnswer answer;
    ipc::Error error =
        proc.devices.memory(caller_of(proc, from), request.physical, request.log2, answer);
    return send_map(proc, from, error, ipc::Empty{}, answer);
}

ipc::Error on_dma_allocate(Proc& proc, axo_thread_id_t from, const DmaAllocateRequest& request,
                           DmaAllocateReply&) {
    MapAnswer answer;
    ipc::Error error = proc.devices.dma(caller_of(proc, from), request.slot, request.log2, answer);
    return send_map(proc, from, error, DmaAllocateReply{answer.physical}, answer);
}

ipc::Error on_device_status(Proc& proc, axo_thread_id_t, const DeviceStatusRequest& request,
                            DeviceStatusReply& reply) {
    return proc.devices.status(request.module, reply);
}

ipc::Error on_device_client(Proc& proc, axo_thread_id_t from, const DeviceClientRequest& request,
                            DeviceClientReply& reply) {
    DeviceCaller client;
    client.thread = request.thread;
    bool boot_instance = false;
    if (const ProcessEntry* entry = proc.processes.running(request.thread)) {
        client.pid = entry->pid;
        client.module = entry->module;
        boot_instance = proc.config != nullptr && entry->module < proc.config->module_count &&
                        (proc.boot_pid[entry->module] == entry->pid ||
                         proc.devices.module(entry->module).instance == entry->pid);
    }
    return proc.devices.client(caller_of(proc, from), client, boot_instance, reply);
}

ipc::Error on_pci_report(Proc& proc, axo_thread_id_t from, const PciReportRequest& request,
                         PciReportReply& reply) {
    ipc::Error error = proc.devices.pci_report(caller_of(proc, from), request, reply);
    print_notes(proc);
    return error;
}

void devices_started_at_boot(Proc& proc, uint32_t module, ProcessId pid) {
    proc.devices.set_clock(rt_clock_us());
    proc.devices.started_at_boot(module, pid);
}

void devices_process_ended(Proc& proc, const ProcessEntry& entry) {
    proc.devices.set_clock(rt_clock_us());
    EndAnswer answer = proc.devices.process_ended(entry.pid, entry.module, entry.reason);
    print_notes(proc);
    if (answer.kind != EndAnswer::restart) return;
    const ModuleConfig& config = proc.config->modules[entry.module];
    SpawnReply reply{};
    ipc::Error error = proc.processes.start(entry.parent, entry.module, nullptr, reply);
    if (error != ipc::Error::ok) {
        rt_printf("proc: restarting %s failed: %s\n", config.name, ipc::error_name(error));
        return;
    }
    // A pager's objects follow it to its new instance (paging.h).
    mm_rebind_restarted(proc, entry.thread, reply.main_thread);
    proc.devices.set_clock(rt_clock_us());
    proc.devices.restarted(entry.module, reply.pid);
    rt_printf("proc: restarted module %u \"%s\": process %u, thread %u.%u (restart %u)\n",
              config.index, config.name, reply.pid, axo_thread_number(reply.main_thread),
              axo_thread_version(reply.main_thread), proc.devices.module(entry.module).restarts);
}

} // namespace proc
