// The rules of device grants (interfaces/devices/protocol.h): which module holds which ports,
// IRQ lines, device memory and PCI devices, conflicts between modules, who holds a module's
// grants, the DMA blocks that outlive an instance, the pci driver's reports and the restart
// decision. No IPC and no system calls: devices.cc, the IPC edge, finds the caller's process,
// calls in here and carries out what comes back — a reply with a map item (MapAnswer), a
// restart (EndAnswer), lines for the log (the notes). What σ0 and the kernel must do for a
// decision to hold (map ports or device memory into proc, allocate DMA memory, attach and detach
// IRQ lines) goes through `DeviceHost`: proc binds it to σ0 and the kernel, host tests to a fake
// (tests/unit/proc_device_table_test.cc).
//
// Everything proc gives a driver is mapped from proc's own mappings: ports and device memory
// come from σ0 into proc's space first (ports into its I/O bitmap, memory into kDeviceWindow),
// DMA blocks from σ0 into kDmaWindow. The kernel's mapping database then revokes the driver's
// copies when its space dies, and proc still holds the originals for the next instance.
#pragma once

#include <stdint.h>

#include "interfaces/devices/protocol.h"
#include "servers/proc/boot_config.h"

namespace proc {

// Where proc keeps device memory and DMA blocks in its own space: above the page pool
// (kPoolWindow, 32 MiB), below lib/rt's UTCB area (0xB0000000).
constexpr uint32_t kDeviceWindow = 0x90000000u;
constexpr uint32_t kDeviceWindowEnd = 0xA0000000u;
constexpr uint32_t kDmaWindow = 0xA0000000u;
constexpr uint32_t kDmaWindowEnd = 0xAC000000u;

// An instance that ran this long before it ended was not failing at its start.
constexpr uint32_t kStableRunUs = 10000000;

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

// Who asks: the process behind the sender id (the edge looks it up), or none.
struct DeviceCaller {
    ProcessId pid = kNoProcess; // kNoProcess: the sender is no running process
    uint32_t module = 0;        // its BootConfig::modules index
    axo_thread_id_t thread = AXO_NIL_THREAD;
};

// What σ0 and the kernel do for proc. Each returns whether it worked.
struct DeviceHost {
    void* context = nullptr;
    // σ0 maps the I/O ports of `fpage` into proc's own I/O bitmap.
    bool (*map_ports)(void* context, axo_fpage_t fpage) = nullptr;
    // σ0 maps the page of device memory at `physical` read-write at `address` in proc.
    bool (*map_device_page)(void* context, uint32_t physical, uint32_t address) = nullptr;
    // σ0 gives 2^log2 bytes of fresh memory at `address` in proc (zeroed by the host);
    // `physical`: its physical base.
    bool (*allocate_dma)(void* context, uint32_t log2, uint32_t address,
                         uint32_t& physical) = nullptr;
    // Attaches `thread` as the handler of IRQ `line`; AXO_OK or the kernel's error.
    uint32_t (*attach_irq)(void* context, uint32_t line, axo_thread_id_t thread) = nullptr;
    // Detaches IRQ `line` (masked until the next attach).
    void (*detach_irq)(void* context, uint32_t line) = nullptr;
};

// A reply with one map item, for the edge to send: the reply words (DMA: the physical base),
// then the item, `fpage` of proc's space sent with `send_base`.
struct MapAnswer {
    uint32_t send_base = 0;
    axo_fpage_t fpage = AXO_FPAGE_NIL;
    uint32_t physical = 0; // kProcDmaAllocate's reply word
};

// What to do after a process ended (process_ended).
struct EndAnswer {
    enum Kind : uint32_t {
        nothing, // no supervised instance ended
        restart, // start the module again (then restarted())
        give_up, // it kept failing at its start: not restarted again (a note says so)
    };
    Kind kind = nothing;
};

// A line for proc's log: what happened, with what the edge needs to print it.
struct DeviceNote {
    enum Kind : uint32_t {
        pci_too_many_bars, // `pci` of `module`: too many BARs for the grant table
        pci_conflict,      // `pci` of `module` refused: `why`
        pci_granted,       // `pci` of `module` is at `location`: memory, ports, irq granted
        irq_refused,       // attaching `irq` to `module` failed: the kernel's `error`
        given_up,          // `module` failed `failures` times in a row: not restarted again
    };
    Kind kind = pci_granted;
    uint32_t module = 0;
    PciId pci{};
    ConfigError why{};
    uint32_t location = 0, memory = 0, ports = 0, irq = 0, error = 0, failures = 0;
};

class DeviceTable {
public:
    static constexpr uint32_t kMaxNotes = 8;

    // `config` stays valid while the table is used; nullptr: no module has grants.
    void init(const BootConfig* config, DeviceHost host);
    // The time (µs, any epoch) for the decisions that follow: the edge sets it before each call.
    void set_clock(uint64_t now) { m_now = now; }

    // The protocol's operations, from `caller` (protocol.h has what each does and its errors).
    ipc::Error claim(const DeviceCaller& caller, DeviceClaimReply& reply);
    ipc::Error ports(const DeviceCaller& caller, axo_fpage_t fpage, MapAnswer& answer);
    ipc::Error irq(const DeviceCaller& caller, uint32_t line);
    ipc::Error memory(const DeviceCaller& caller, uint32_t physical, uint32_t log2,
                      MapAnswer& answer);
    ipc::Error dma(const DeviceCaller& caller, uint32_t slot, uint32_t log2, MapAnswer& answer);
    ipc::Error status(const Name& module, DeviceStatusReply& reply) const;
    // kProcDeviceClient: may `client` (the process of the thread asked about; pid kNoProcess:
    // none) use `caller`'s device? `boot_instance`: proc started `client` for its module's line,
    // at boot or as a restart (the edge knows; a spawned copy of the image is not).
    ipc::Error client(const DeviceCaller& caller, const DeviceCaller& client, bool boot_instance,
                      DeviceClientReply& reply);
    ipc::Error pci_report(const DeviceCaller& caller, const PciReportRequest& report,
                          PciReportReply& reply);

    // Module `module` was started at boot as `pid`.
    void started_at_boot(uint32_t module, ProcessId pid);
    // Process `pid` of `module` ended (`reason`: ExitReason): its grants are free for the next
    // process of the module, its IRQ lines detached; and whether to restart the module.
    EndAnswer process_ended(ProcessId pid, uint32_t module, uint32_t reason);
    // The edge restarted `module` as `pid` (after EndAnswer::restart).
    void restarted(uint32_t module, ProcessId pid);

    // The notes since the last call, oldest first, up to `max`; they are gone afterwards.
    // Notes beyond kMaxNotes between two calls are dropped.
    uint32_t take_notes(DeviceNote* out, uint32_t max);

    const DeviceModule& module(uint32_t index) const { return m_modules[index]; }
    uint32_t pci_count() const { return m_pci_count; }

private:
    ipc::Error holder_of(const DeviceCaller& caller);
    ipc::Error resolve(uint32_t index);
    const PciReportRequest* reported(const PciId& id) const;
    void note(const DeviceNote& note);

    const BootConfig* m_config = nullptr;
    DeviceHost m_host{};
    uint64_t m_now = 0;
    DeviceModule m_modules[AXO_KIP_MAX_MODULES];
    PciReportRequest m_pci[kPciReports]; // what the pci driver reported, one per location
    uint32_t m_pci_count = 0;
    uint32_t m_device_cursor = kDeviceWindow;
    uint32_t m_dma_cursor = kDmaWindow;
    DeviceNote m_notes[kMaxNotes];
    uint32_t m_note_count = 0;
};

} // namespace proc
