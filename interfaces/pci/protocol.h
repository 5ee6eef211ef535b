// The PCI bus driver's protocol (servers/drivers/pci/README.md): look-ups of the devices it
// found in configuration space, and its counters. This header documents the server and is
// shared by the server and its clients.
//
// After enumerating the bus the server reports every function to proc (kProcPciReport,
// interfaces/devices/protocol.h: ids, index among equal ids, location, IRQ line and pin,
// BARs); proc keeps the reports to grant drivers whose boot line says `pci=VVVV:DDDD[.N]` that
// device's BARs and IRQ line, and its reply says whether some module's line names the device —
// if so, the server enables I/O and memory decoding and bus mastering on it. proc never calls
// the server (the root task never blocks on a driver). Then the server registers "pci" with
// proc's name service and serves look-ups. Requests are IPC calls in the shape of lib/ipc;
// nothing is deferred.
#pragma once

#include <stdint.h>

#include "interfaces/labels.h"
#include "lib/ipc/message.h"

namespace pci {

enum Label : uint32_t {
    kPciFind = AXO_LABELS_PCI_FIRST + 0,       // by vendor/device and index
    kPciFindClass = AXO_LABELS_PCI_FIRST + 1,  // by class/subclass and index
    kPciDeviceAt = AXO_LABELS_PCI_FIRST + 2,   // the n-th device found (listing)
    kPciStatistics = AXO_LABELS_PCI_FIRST + 3, // counters
};
static_assert(labels::all_in(AXO_LABELS_PCI_FIRST, AXO_LABELS_PCI_LAST,
                             {kPciFind, kPciFindClass, kPciDeviceAt, kPciStatistics}));

constexpr uint32_t kBars = 6;
constexpr uint32_t kAnyId = 0xFFFF; // FindRequest::device: any device of the vendor

// BarInfo::flags
constexpr uint32_t kBarPresent = 1u << 0;  // the BAR decodes something (size > 0)
constexpr uint32_t kBarIo = 1u << 1;       // I/O space (else memory)
constexpr uint32_t kBar64 = 1u << 2;       // 64-bit memory BAR (uses the next slot too)
constexpr uint32_t kBarPrefetch = 1u << 3; // prefetchable memory
constexpr uint32_t kBarAbove4G = 1u << 4;  // a 64-bit BAR placed above 4 GiB: unusable here

struct BarInfo {
    uint32_t base;  // I/O port or physical address (low 32 bits)
    uint32_t size;  // bytes (ports for I/O), by the write-all-ones probe; 0: unused
    uint32_t flags; // kBar*
};

// One function of one device, as read from its configuration header at enumeration.
struct DeviceReply {
    uint8_t bus, slot, function, header_type; // header_type without the multi-function bit
    uint16_t vendor, device;
    uint8_t class_code, subclass, prog_if, revision;
    uint8_t irq_line; // Interrupt Line register (the firmware's routing; 0xFF: none)
    uint8_t irq_pin;  // 0: no interrupt, 1..4: INTA..INTD
    uint16_t command; // the command register as the server left it (after enabling)
    BarInfo bars[kBars];
};
static_assert(ipc::wire_words<DeviceReply> == 22);

// The `index`-th (0-based, in enumeration order: bus, slot, function) device with this vendor
// and device id (device kAnyId: any of the vendor's).
// Errors: not_found (fewer matches); invalid_argument (vendor or device above 0xFFFF, vendor
// 0xFFFF).
struct FindRequest {
    static constexpr uint32_t kLabel = kPciFind;
    using Reply = DeviceReply;
    uint32_t vendor, device, index;
};
static_assert(ipc::wire_words<FindRequest> == 3);

// The `index`-th device of this class and subclass (subclass 0xFF: any).
// Errors: not_found; invalid_argument (class or subclass above 0xFF).
struct FindClassRequest {
    static constexpr uint32_t kLabel = kPciFindClass;
    using Reply = DeviceReply;
    uint32_t class_code, subclass, index;
};
static_assert(ipc::wire_words<FindClassRequest> == 3);

// The `index`-th device found at all. Errors: not_found (index >= the device count).
struct DeviceAtRequest {
    static constexpr uint32_t kLabel = kPciDeviceAt;
    using Reply = DeviceReply;
    uint32_t index;
};
static_assert(ipc::wire_words<DeviceAtRequest> == 1);

// Command register bits the server sets on a device some module's `pci=` word names: I/O
// decoding if the device has an I/O BAR, memory decoding if it has a memory BAR, and bus
// mastering (DMA) always.
constexpr uint32_t kCommandIo = 1u << 0;
constexpr uint32_t kCommandMemory = 1u << 1;
constexpr uint32_t kCommandBusMaster = 1u << 2;

// Counters; anyone may ask. Never fails.
struct StatisticsReply {
    uint32_t devices;  // functions found
    uint32_t buses;    // buses scanned (bus 0 and those behind PCI-PCI bridges)
    uint32_t lookups;  // find, find-class and device-at requests answered
    uint32_t enables;  // devices enabled because proc said a module's line names them
    uint32_t reported; // devices proc accepted (kProcPciReport answered ok)
    uint32_t restarts; // proc's restart count of this server before this instance
};
struct StatisticsRequest {
    static constexpr uint32_t kLabel = kPciStatistics;
    using Reply = StatisticsReply;
};
static_assert(ipc::wire_words<StatisticsRequest> == 0);
static_assert(ipc::wire_words<StatisticsReply> == 6);

} // namespace pci
