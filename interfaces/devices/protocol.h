// The devices interface (README.md): what proc gives a driver process — the I/O ports, IRQ
// lines and device memory its boot-configuration line grants, DMA memory with its physical
// address, its supervision state — and the pci driver's device reports. Served by proc (the
// root task, kip->root_task); called by drivers through lib/driver, by the pci driver
// (kProcPciReport) and by tests (kProcDeviceStatus).
//
// Requests are IPC calls in the shape of lib/ipc (label = operation, exactly the request's
// words; reply label = an ipc::Error, then exactly the reply's words on success). proc
// identifies the caller by the sender id the kernel reports: a thread of a process acts as that
// process (interfaces/process/protocol.h, "Identity and parents").
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"
#include "interfaces/labels.h"
#include "interfaces/names/protocol.h"
#include "interfaces/process/protocol.h"
#include "lib/ipc/message.h"

// In namespace proc, as the names and process interfaces proc serves.
namespace proc {

enum DeviceLabel : uint32_t {
    kProcDeviceClaim = AXO_LABELS_DEVICES_FIRST + 0,  // the caller's grants; makes it their holder
    kProcDevicePorts = AXO_LABELS_DEVICES_FIRST + 1,  // map granted I/O ports (reply: one map item)
    kProcDeviceIrq = AXO_LABELS_DEVICES_FIRST + 2,    // attach the caller to a granted IRQ line
    kProcDeviceMemory = AXO_LABELS_DEVICES_FIRST + 3, // map granted device memory (one map item)
    kProcDmaAllocate = AXO_LABELS_DEVICES_FIRST + 4,  // contiguous memory + its physical address
    kProcDeviceStatus = AXO_LABELS_DEVICES_FIRST + 5, // a driver module's supervision state
    kProcPciReport = AXO_LABELS_DEVICES_FIRST + 6,    // the pci driver reports a device's BARs, IRQ
    kProcDeviceClient = AXO_LABELS_DEVICES_FIRST + 7, // may this thread use the caller's device?
};
static_assert(labels::all_in(AXO_LABELS_DEVICES_FIRST, AXO_LABELS_DEVICES_LAST,
                             {kProcDeviceClaim, kProcDevicePorts, kProcDeviceIrq, kProcDeviceMemory,
                              kProcDmaAllocate, kProcDeviceStatus, kProcPciReport,
                              kProcDeviceClient}));
static_assert(kProcDeviceClaim == 0x0300 && kProcPciReport == 0x0306, "the wire's labels");

// A driver is an ordinary process that holds only what its boot-configuration line grants
// (docs/boot-configuration.md): `port=` ranges, `irq=` lines, `mem=` device memory — and, if it
// has any grant at all, DMA memory. Drivers use lib/driver, which wraps these calls.
//
// PCI devices: a line with `pci=VVVV:DDDD[.N]` is granted, on top of its static grants, the
// memory BARs (whole pages), I/O BARs and IRQ line of the N-th device with those ids, as the
// pci driver reported them (kProcPciReport, below: the push model — proc never calls a driver).
// They are resolved at the module's first request (servers/proc/device_table.cc `resolve`), checked
// against every other module's grants as the boot configuration checks static ones (a conflict:
// no_permission, logged), and then kept for every restart of the module. Errors of that first
// request besides the ones below: not_found (the device has not been reported (yet): lib/driver's
// claim waits for it), no_permission (its resources conflict with another module's), no_space (too
// many ranges for the grant table).
//
// The holder. The grants of a module belong to one process at a time: the first process of
// that module to make any of these requests (kProcDeviceClaim first, by convention) becomes
// their holder; while it lives, every other process of the module gets `busy`. When the holder
// ends, its space dies, and with it every port, page and DMA mapping proc gave it (they were
// mapped from proc's own, so the kernel revokes them); proc detaches its IRQ lines (masked
// until the next attach). A process of a module without grants gets `no_permission` for all
// of these but kProcDeviceStatus; so does a sender that is no process.
//
// Replies with a map item (kProcDevicePorts, kProcDeviceMemory, kProcDmaAllocate): label 0,
// exactly the reply struct's words, then 2 typed words — one map item (axolotl ABI §10.2)
// whose fpage is the requested one. The caller must set its receive window (BR0) before the
// call: the same I/O fpage for ports (or the complete fpage), a memory fpage of the requested
// size at the address where it wants the memory for the others. lib/driver does this. Error
// replies are as everywhere (label = error, no words, no items).
//
// Supervision: a module whose line says `on-exit=restart` is restarted by proc when its
// supervised process ends for any reason (exit, kill, fault): the process proc started at
// boot, or a process of it that claimed the grants, and each restarted instance. The new
// instance is a child of the old one's parent, with the module's configured arguments, and
// claims the same grants again (its DMA blocks are the same physical memory: proc keeps them
// per module). A kill is a deliberate restart; an instance that exits or faults within 10 s of
// its start is failing, and after kRestartAttempts such failures in a row proc gives up and
// says so.

constexpr uint32_t kRestartAttempts = 5;
constexpr uint32_t kDmaSlots = 4;           // DMA blocks per module
constexpr uint32_t kDmaMinLog2 = 12;        // 4 KiB
constexpr uint32_t kDmaMaxLog2 = 20;        // 1 MiB per block
constexpr uint32_t kDmaMaxBytes = 4u << 20; // per module, all slots together

struct DevicePortRange {
    uint32_t first, last; // inclusive
};
struct DeviceMemoryRange {
    uint32_t first, last; // physical, inclusive, whole pages
};

// The caller's grants, and it becomes their holder. Idempotent for the holder. The grants are
// the line's port=, irq= and mem= words, then for each pci=VVVV:DDDD[.N] word the device's
// BARs (an I/O BAR as a port range, a memory BAR as the pages it covers; not a 64-bit BAR
// above 4 GiB) and its IRQ line (if it has an interrupt pin and a line 1..15 but 2), as the pci
// driver reported them (kProcPciReport).
// Errors: no_permission (no process, or a module without grants; or a pci= device's
// resources conflict with another module's grants); busy (another process of the module holds
// them); not_found (a pci= device has not been reported (yet): the pci driver starts, scans
// and reports at boot; lib/driver's claim tries again for a while); no_space (a pci= device
// has more BARs than the grant table has room).
struct DeviceClaimReply {
    uint32_t port_count, irq_count, memory_count;
    DevicePortRange ports[8];
    uint32_t irqs[4];
    DeviceMemoryRange memory[4];
    uint32_t restarts; // how often proc has restarted this module so far (0: first instance)
};
struct DeviceClaimRequest {
    static constexpr uint32_t kLabel = kProcDeviceClaim;
    using Reply = DeviceClaimReply;
};
static_assert(ipc::wire_words<DeviceClaimRequest> == 0);
static_assert(ipc::wire_words<DeviceClaimReply> == 32);

// Maps the I/O ports of `fpage` (an I/O fpage, axo_io_fpage: 2^s ports aligned to their
// size), which must lie inside one granted range, into the caller's I/O bitmap. A port the
// caller was not given stays denied: touching it is a #GP, and proc ends the process
// (kExitFaulted, status 13) and logs it.
// Errors: no_permission, busy (above); invalid_argument (not a well-formed I/O fpage);
// no_permission (ports outside the grants); io_error (σ0 refused proc the ports: the kernel's
// own devices, the PIC and the PIT, never leave σ0).
struct DevicePortsRequest {
    static constexpr uint32_t kLabel = kProcDevicePorts;
    using Reply = ipc::Empty;
    axo_fpage_t fpage;
};
static_assert(ipc::wire_words<DevicePortsRequest> == 1);

// Attaches the caller's thread as the handler of IRQ `line` (a granted one). From then on
// each interrupt is a message from axo_irq_thread(line) (label AXO_LABEL_INTERRUPT, no words);
// the line stays masked until the driver acknowledges it by sending any message to that
// thread (docs/kernel-api.md §12.1). Idempotent.
// Errors: no_permission, busy (above); no_permission (a line not granted); io_error (the
// kernel refused).
struct DeviceIrqRequest {
    static constexpr uint32_t kLabel = kProcDeviceIrq;
    using Reply = ipc::Empty;
    uint32_t line;
};
static_assert(ipc::wire_words<DeviceIrqRequest> == 1);

// Maps 2^log2 bytes of device memory at `physical` (aligned to its size, inside one granted
// `mem=` range) read-write at the caller's receive window (BR0, the same size). The kernel
// maps it uncached (PCD|PWT), as every frame outside the memory map's usable RAM.
// Errors: no_permission, busy (above); invalid_argument (log2 outside 12..22, physical not
// aligned); no_permission (outside the grants); no_memory (σ0 refused, or proc's window for
// device memory is full).
struct DeviceMemoryRequest {
    static constexpr uint32_t kLabel = kProcDeviceMemory;
    using Reply = ipc::Empty;
    uint32_t physical;
    uint32_t log2;
};
static_assert(ipc::wire_words<DeviceMemoryRequest> == 2);

// DMA memory: 2^log2 bytes (kDmaMinLog2..kDmaMaxLog2) of physically contiguous RAM, aligned
// to its size, zeroed when first allocated, mapped read-write at the caller's receive window
// (BR0, the same size). `slot` (0..kDmaSlots-1) names the block: the first request for a slot
// allocates it from σ0; later ones — from this instance or a restarted one — map the same
// block again (same physical address, contents kept), so a driver that is restarted finds its
// rings where the device has them, and no memory is lost: σ0 never takes memory back.
// Errors: no_permission, busy (above); invalid_argument (slot or log2 out of range, or the
// slot exists with another size); no_space (more than kDmaMaxBytes for the module);
// no_memory (σ0 has no free block of that size).
struct DmaAllocateReply {
    uint32_t physical; // the block's physical base address, for the device
};
struct DmaAllocateRequest {
    static constexpr uint32_t kLabel = kProcDmaAllocate;
    using Reply = DmaAllocateReply;
    uint32_t slot;
    uint32_t log2;
};
static_assert(ipc::wire_words<DmaAllocateRequest> == 2);
static_assert(ipc::wire_words<DmaAllocateReply> == 1);

// A module's supervision state, by module name; anyone may ask (tests, tools).
// Errors: invalid_argument (not a valid name); not_found (no such module).
struct DeviceStatusReply {
    ProcessId instance;      // its supervised process (kNoProcess: none running)
    ProcessId holder;        // the process holding its grants (kNoProcess: none)
    uint32_t restarts;       // restarts so far
    uint32_t irqs_attached;  // IRQ lines attached to the holder now
    uint32_t restart_policy; // 1 if on-exit=restart
};
struct DeviceStatusRequest {
    static constexpr uint32_t kLabel = kProcDeviceStatus;
    using Reply = DeviceStatusReply;
    Name module;
};
static_assert(ipc::wire_words<DeviceStatusRequest> == 8);
static_assert(ipc::wire_words<DeviceStatusReply> == 5);

// The pci driver (servers/drivers/pci) reports each function it found: ids, `index` (which of
// the functions with these ids it is, 0 first, in enumeration order: the N of pci=VVVV:DDDD.N),
// location (bus << 16 | slot << 8 | function), the Interrupt Line and Interrupt Pin registers,
// and its BARs (flags as pci::BarInfo's: bit 0 present, 1 I/O, 2 64-bit, 3 prefetchable,
// 4 above 4 GiB). proc keeps up to kPciReports of them, replacing an earlier report of the same
// location (a restarted pci driver reports again), and resolves pci= grants from them. The
// reply says how many modules' lines name the device (vendor, device, index): if any, the pci
// driver enables decoding and bus mastering on it — proc itself never calls the pci driver.
// Only the holder of the PCI configuration ports (a module whose line grants
// port=0xcf8-0xcff) may report. Grants already resolved from an earlier report are kept.
// Errors: no_permission (not the holder of the configuration ports); invalid_argument (ids
// above 0xffff, vendor 0xffff, location above 0xffffff); no_space (the table is full).
constexpr uint32_t kPciReports = 32;
constexpr uint32_t kPciConfigFirst = 0xCF8, kPciConfigLast = 0xCFF;
struct PciBarReport {
    uint32_t base, size, flags;
};
struct PciReportReply {
    uint32_t named; // modules whose pci= word names this device
};
struct PciReportRequest {
    static constexpr uint32_t kLabel = kProcPciReport;
    using Reply = PciReportReply;
    uint32_t vendor, device, index, location, irq_line, irq_pin;
    PciBarReport bars[6];
};
static_assert(ipc::wire_words<PciReportRequest> == 24);
static_assert(ipc::wire_words<PciReportReply> == 1);

// Whether the process of `thread` may use the caller's device: a driver asks before it gives a
// client anything of the device (the ATA driver: before a buffer, and when a thread without one
// asks to read or write). The caller's line names its clients with `client=NAME` words
// (docs/boot-configuration.md): then only a boot instance of a module so named — the process
// proc started for that line, or the instance it restarted — may; a process spawned from the
// same image is no boot instance, so a copy of fs started by anyone gets no disk. A line without
// client= words lets any process (the driver tests talk to their drivers directly). The reply
// is the client's pid.
// Errors: no_permission, busy (the caller is no holder of grants: above); no_permission (the
// process of `thread` is not a client of the device); not_found (`thread` is no thread of a
// running process, with client= words; without them any thread is let through).
struct DeviceClientReply {
    ProcessId pid; // kNoProcess: `thread` is no process's (a line without client= words)
};
struct DeviceClientRequest {
    static constexpr uint32_t kLabel = kProcDeviceClient;
    using Reply = DeviceClientReply;
    axo_thread_id_t thread;
};
static_assert(ipc::wire_words<DeviceClientRequest> == 1);
static_assert(ipc::wire_words<DeviceClientReply> == 1);

} // namespace proc
