// The PCI driver's protocol: look-ups of the devices found in PCI configuration space, with
// their BARs and IRQ line (servers/drivers/pci/README.md). This header is the documentation of
// the server, shared by the driver and its clients. The driver registers "pci" with proc's
// name service. Requests are IPC calls in the shape of lib/ipc.
#pragma once

#include <stdint.h>

#include "lib/ipc/message.h"

namespace pci {

enum Label : uint32_t {
    kPciFind = 0x0500,
    kPciCount = 0x0501,
};

constexpr uint32_t kAny16 = 0xFFFF; // FindRequest: any vendor / any device
constexpr uint32_t kAny8 = 0xFF;    // FindRequest: any class / subclass
constexpr uint32_t kBars = 6;
constexpr uint32_t kMaxDevices = 64; // functions the driver keeps (the rest are counted only)

// The same bits as proc's kPciBarPresent / kPciBarIo (the pci driver reports BARs to proc).
enum BarFlags : uint32_t {
    kBarPresent = 1u << 0,
    kBarIo = 1u << 1,       // I/O ports (else memory)
    kBarMemory64 = 1u << 2, // a 64-bit memory BAR (the next BAR is its upper half: absent)
    kBarPrefetchable = 1u << 3,
};

struct Bar {
    uint32_t base;  // port or physical address (the low 32 bits for a 64-bit BAR)
    uint32_t size;  // bytes or ports, from the BAR's writable bits
    uint32_t flags; // BarFlags
};

// A function of a device, as its configuration header (type 0 or 1) says.
struct Device {
    uint32_t bus, slot, function;
    uint32_t vendor, device;
    uint32_t class_code, subclass, prog_if, revision;
    uint32_t header_type; // without the multi-function bit
    uint32_t irq_line;    // the Interrupt Line register (0x3C): the ISA IRQ the firmware routed
    uint32_t irq_pin;     // 0 none, 1..4 INTA..INTD
    Bar bars[kBars];      // header type 0 only (bridges: BAR 0 and 1)
};

// The `index`-th function (0, 1, …, in bus/slot/function order) that matches every field
// not kAny: vendor, device, class, subclass. Errors: invalid_argument (a field out of range);
// not_found (fewer matches).
struct FindRequest {
    static constexpr uint32_t kLabel = kPciFind;
    using Reply = Device;
    uint32_t vendor, device, class_code, subclass, index;
};
static_assert(ipc::wire_words<FindRequest> == 5);
static_assert(ipc::wire_words<Device> == 30);

// How many functions the scan found, and how many are kept for look-ups.
struct CountReply {
    uint32_t found, kept;
};
struct CountRequest {
    static constexpr uint32_t kLabel = kPciCount;
    using Reply = CountReply;
};
static_assert(ipc::wire_words<CountRequest> == 0);
static_assert(ipc::wire_words<CountReply> == 2);

} // namespace pci
