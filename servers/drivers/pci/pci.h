// The PCI server's pure logic (README.md): configuration addresses, BAR decoding by the
// write-all-ones probe, enumeration over any configuration-space accessor, the device table and
// its look-ups, the `pci=` boot word and the grant ranges of a BAR. No system calls: the server
// (main.cc) gives it port I/O, the host tests (tests/unit/pci_test.cc) a fake bus.
#pragma once

#include <stdint.h>

#include "interfaces/pci/protocol.h"
#include "interfaces/pci/resources.h"

namespace pci {

constexpr uint32_t kSlots = 32;
constexpr uint32_t kFunctions = 8;
constexpr uint32_t kMaxBuses = 8; // bus 0 and up to 7 behind bridges

// Configuration mechanism #1: the dword written to 0xCF8 (enable bit, bus, slot, function,
// register with its low two bits clear).
constexpr uint32_t config_address(uint32_t bus, uint32_t slot, uint32_t function, uint32_t offset) {
    return 0x80000000u | (bus & 0xFF) << 16 | (slot & 0x1F) << 11 | (function & 7) << 8 |
           (offset & 0xFC);
}

// Registers of a configuration header.
constexpr uint32_t kRegId = 0x00;      // vendor (low), device (high)
constexpr uint32_t kRegCommand = 0x04; // command (low), status (high)
constexpr uint32_t kRegClass = 0x08;   // revision, prog-if, subclass, class
constexpr uint32_t kRegHeader = 0x0C;  // header type in bits 16..23
constexpr uint32_t kRegBar0 = 0x10;
constexpr uint32_t kRegBuses = 0x18;     // type 1: primary, secondary, subordinate bus
constexpr uint32_t kRegInterrupt = 0x3C; // line (low byte), pin (next byte)

// Decodes the BAR whose register held `original` and read `probed` after all ones were
// written to it; for a 64-bit memory BAR also the upper half (`upper_original`,
// `upper_probed`). Returns how many BAR slots it takes (1, or 2 for a 64-bit BAR).
uint32_t decode_bar(uint32_t original, uint32_t probed, uint32_t upper_original,
                    uint32_t upper_probed, BarInfo& out);

// Configuration space as the enumeration sees it. read32/write32 of a dword register.
struct ConfigAccess {
    uint32_t (*read)(void* context, uint32_t address); // address: config_address()
    void (*write)(void* context, uint32_t address, uint32_t value);
    void* context;
    uint32_t read32(uint32_t bus, uint32_t slot, uint32_t function, uint32_t offset) {
        return read(context, config_address(bus, slot, function, offset));
    }
    void write32(uint32_t bus, uint32_t slot, uint32_t function, uint32_t offset, uint32_t value) {
        write(context, config_address(bus, slot, function, offset), value);
    }
};

class Table {
public:
    // Scans bus 0 and every bus behind a PCI-to-PCI bridge (up to kMaxBuses), every function
    // of multi-function devices, probes every BAR (decoding off while it is probed, the
    // original values and command register restored) and records up to kMaxDevices.
    void enumerate(ConfigAccess& access);

    // nullptr if there is no `index`-th match.
    const DeviceReply* find(uint32_t vendor, uint32_t device, uint32_t index) const;
    const DeviceReply* find_class(uint32_t class_code, uint32_t subclass, uint32_t index) const;
    const DeviceReply* at(uint32_t index) const {
        return index < m_count ? &m_devices[index] : nullptr;
    }
    DeviceReply* at(uint32_t index) { return index < m_count ? &m_devices[index] : nullptr; }
    DeviceReply* find_location(uint32_t bus, uint32_t slot, uint32_t function);
    // Which of the devices with its vendor and device id `device` is (0: the first in
    // enumeration order): the N of `pci=VVVV:DDDD.N`. `device` must be in the table.
    uint32_t index_of(const DeviceReply& device) const;

    uint32_t count() const { return m_count; }
    uint32_t buses() const { return m_buses; }

private:
    void scan_bus(ConfigAccess& access, uint32_t bus);
    void add_function(ConfigAccess& access, uint32_t bus, uint32_t slot, uint32_t function);

    DeviceReply m_devices[kMaxDevices] = {};
    uint32_t m_count = 0;
    uint32_t m_buses = 0;
};

// The command register bits to set on a device a driver is granted: memory decoding if it has
// a memory BAR, I/O decoding if it has an I/O BAR, bus mastering always (protocol.h).
uint32_t enable_bits(const DeviceReply& device);

} // namespace pci
