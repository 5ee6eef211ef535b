// Devices: proc grants drivers the I/O ports, IRQ lines and device memory their boot
// configuration lines name, DMA memory with its physical address, and restarts drivers whose
// line says on-exit=restart (interfaces/devices/protocol.h; README.md "Devices and drivers").
//
// Everything proc gives a driver is mapped from proc's own mappings: ports and device memory
// come from σ0 into proc's space first (ports into its I/O bitmap, memory into kDeviceWindow),
// DMA blocks from σ0's kSigma0AllocateAny into kDmaWindow. The kernel's mapping database then
// revokes the driver's copies when its space dies, and proc still holds the originals for the
// next instance. Per module state lives here, indexed like BootConfig::modules.
#pragma once

#include <stdint.h>

#include "interfaces/devices/protocol.h"
#include "interfaces/process/protocol.h"
#include "lib/ipc/dispatcher.h"
#include "servers/proc/boot_config.h"
#include "servers/proc/process_table.h"

namespace proc {

struct Proc;

// Where proc keeps device memory and DMA blocks in its own space: above the page pool
// (kPoolWindow, 32 MiB), below lib/rt's UTCB area (0xB0000000).
constexpr uint32_t kDeviceWindow = 0x90000000u;
constexpr uint32_t kDeviceWindowEnd = 0xA0000000u;
constexpr uint32_t kDmaWindow = 0xA0000000u;
constexpr uint32_t kDmaWindowEnd = 0xAC000000u;

struct DeviceModule {
    ProcessId holder = kNoProcess; // holds the grants
    axo_thread_id_t holder_thread = AXO_NIL_THREAD;
    ProcessId instance = kNoProcess; // the supervised process (on-exit=restart)
    uint32_t restarts = 0;
    uint64_t instance_started_us = 0;
    uint32_t failures = 0; // ends in a row, not by kill, soon after the start
    bool given_up = false;
    uint32_t irqs_attached = 0; // bit n: line n attached to the holder
    // proc's address of each mem= range once mapped from σ0 (0: not yet); its offset to the
    // range's first byte keeps 4 MiB congruence, so aligned fpages inside map on unchanged.
    uint32_t memory_window[kMaxMemoryRanges] = {};
    struct Dma {
        uint32_t address, physical, log2; // log2 0: slot unused
    } dma[kDmaSlots] = {};
    uint32_t dma_bytes = 0;
    // The grants in force: the module's static ones, plus, for each `pci=` word, the device's
    // memory BARs, I/O BARs and IRQ line as the pci driver reported them (kProcPciReport;
    // resolved at the first request of a holder, then kept for every restart). Valid once
    // resolved.
    bool resolved = false;
    ModuleConfig grants{};
};

struct Devices {
    DeviceModule modules[AXO_KIP_MAX_MODULES];
    PciReportRequest pci[kPciReports]; // what the pci driver reported, one per location
    uint32_t pci_count = 0;
    uint32_t device_cursor = kDeviceWindow;
    uint32_t dma_cursor = kDmaWindow;
};

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

// Hooks from processes.cc: a module was started at boot as `pid`; a process has ended (its
// thread and space are gone): its grants are released and, if it was a supervised instance of
// an on-exit=restart module, the module is started again.
void devices_started_at_boot(Proc& proc, uint32_t module, ProcessId pid);
void devices_process_ended(Proc& proc, const ProcessEntry& entry);

} // namespace proc
