// Devices: proc grants drivers the I/O ports, IRQ lines and device memory their boot
// configuration lines name, DMA memory with its physical address, and restarts drivers whose
// line says on-exit=restart (interfaces/devices/protocol.h; README.md "Devices and drivers").
//
// This is the IPC edge: it finds the process behind a sender, asks the rules (device_table.h,
// DeviceTable: no IPC, tested on the host) and carries out their answer — replies with a map
// item, σ0's and the kernel's part (DeviceHost), restarts, the log.
#pragma once

#include <stdint.h>

#include "interfaces/devices/protocol.h"
#include "interfaces/process/protocol.h"
#include "lib/ipc/dispatcher.h"
#include "servers/proc/boot_config.h"
#include "servers/proc/device_table.h"
#include "servers/proc/process_table.h"

namespace proc {

struct Proc;

// Binds proc.devices to σ0 and the kernel and to proc.config (main.cc, once the configuration
// is read).
void devices_init(Proc& proc);

// The protocol's handlers (server.cc routes them).
ipc::Error on_device_claim(Proc& proc, axo_thread_id_t from, const DeviceClaimRequest& request,
                           DeviceClaimReply& reply);
ipc::Error on_device_ports(Proc& proc, axo_thread_id_t from, const DevicePortsRequest& request,
                           ipc::Empty& reply);
ipc::Error on_device_irq(Proc& proc, axo_thread_id_t from, const DeviceIrqRequest& request,
                         ipc::Empty& reply);
ipc::Error on_device_memory(Proc& proc, axo_thread_id_t from, const DeviceMemoryRequest& request,
                            ipc::Empty& reply);
ipc::Error on_dma_allocate(Proc& proc, axo_thread_id_t from, const DmaAllocateRequest& request,
                           DmaAllocateReply& reply);
ipc::Error on_device_status(Proc& proc, axo_thread_id_t from, const DeviceStatusRequest& request,
                            DeviceStatusReply& reply);
ipc::Error on_pci_report(Proc& proc, axo_thread_id_t from, const PciReportRequest& request,
                         PciReportReply& reply);
ipc::Error on_device_client(Proc& proc, axo_thread_id_t from, const DeviceClientRequest& request,
                            DeviceClientReply& reply);

// Hooks from processes.cc: a module was started at boot as `pid`; a process has ended (its
// thread and space are gone): its grants are released and, if it was a supervised instance of
// an on-exit=restart module, the module is started again.
void devices_started_at_boot(Proc& proc, uint32_t module, ProcessId pid);
void devices_process_ended(Proc& proc, const ProcessEntry& entry);

} // namespace proc
