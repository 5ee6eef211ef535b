// The PCI server's pure logic (pci.h).
#include "servers/drivers/pci/pci.h"

namespace pci {

uint32_t decode_bar(uint32_t original, uint32_t probed, uint32_t upper_original,
                    uint32_t upper_probed, BarInfo& out) {
    out = {};
    if (original & 1u) {
        // I/O: bit 0 set, bits 1 reserved; the upper 16 bits may read as 0 on x86.
        uint32_t mask = probed & 0xFFFFFFFCu;
        if (mask == 0) return 1;
        mask |= 0xFFFF0000u;
        out.base = original & 0xFFFFFFFCu;
        out.size = ~mask + 1;
        out.flags = kBarPresent | kBarIo;
        return 1;
    }
    uint32_t type = (original >> 1) & 3u;
    uint32_t slots = type == 2 ? 2 : 1;
    uint32_t mask = probed & 0xFFFFFFF0u;
    if (type == 2) {
        if (mask == 0 && upper_probed == 0) return slots;
        out.flags |= kBar64;
        if (upper_original != 0) out.flags |= kBarAbove4G;
        // A 64-bit BAR of 4 GiB or more: the low half probes as 0; unusable here.
        if (mask == 0) {
            out.flags |= kBarPresent | kBarAbove4G;
            out.base = original & 0xFFFFFFF0u;
            return slots;
        }
    } else if (mask == 0) {
        return slots;
    }
    out.base = original & 0xFFFFFFF0u;
    out.size = ~mask + 1;
    out.flags |= kBarPresent;
    if (original & 8u) out.flags |= kBarPrefetch;
    return slots;
}

void Table::enumerate(ConfigAccess& access) {
    m_count = 0;
    m_buses = 0;
    scan_bus(access, 0);
}

void Table::scan_bus(ConfigAccess& access, uint32_t bus) {
    if (m_buses >= kMaxBuses) return;
    ++m_buses;
    for (uint32_t slot = 0; slot < kSlots; ++slot) {
        uint32_t id = access.read32(bus, slot, 0, kRegId);
        if ((id & 0xFFFF) == 0xFFFF) continue;
        uint32_t header = access.read32(bus, slot, 0, kRegHeader) >> 16 & 0xFF;
        uint32_t functions = header & 0x80 ? kFunctions : 1;
        for (uint32_t function = 0; function < functions; ++function) {
            if ((access.read32(bus, slot, function, kRegId) & 0xFFFF) == 0xFFFF) continue;
            add_function(access, bus, slot, function);
        }
    }
}

void Table::add_function(ConfigAccess& access, uint32_t bus, uint32_t slot, uint32_t function) {
    uint32_t id = access.read32(bus, slot, function, kRegId);
    uint32_t header = access.read32(bus, slot, function, kRegHeader) >> 16 & 0x7F;
    uint32_t klass = access.read32(bus, slot, function, kRegClass);
    uint32_t interrupt = access.read32(bus, slot, function, kRegInterrupt);
    uint32_t command = access.read32(bus, slot, function, kRegCommand);
    DeviceReply d{};
    d.bus = static_cast<uint8_t>(bus);
    d.slot = static_cast<uint8_t>(slot);
    d.function = static_cast<uint8_t>(function);
    d.header_type = static_cast<uint8_t>(header);
    d.vendor = static_cast<uint16_t>(id);
    d.device = static_cast<uint16_t>(id >> 16);
    d.revision = static_cast<uint8_t>(klass);
    d.prog_if = static_cast<uint8_t>(klass >> 8);
    d.subclass = static_cast<uint8_t>(klass >> 16);
    d.class_code = static_cast<uint8_t>(klass >> 24);
    d.irq_line = static_cast<uint8_t>(interrupt);
    d.irq_pin = static_cast<uint8_t>(interrupt >> 8);
    d.command = static_cast<uint16_t>(command);

    // BARs: type 0 has six, a bridge (type 1) two. Decoding off while probing, so that the
    // all-ones value never decodes an address.
    uint32_t bars = header == 0 ? 6 : header == 1 ? 2 : 0;
    if (bars > 0)
        access.write32(bus, slot, function, kRegCommand,
                       command & ~(kCommandIo | kCommandMemory) & 0xFFFF);
    for (uint32_t i = 0; i < bars;) {
        uint32_t reg = kRegBar0 + 4 * i;
        uint32_t original = access.read32(bus, slot, function, reg);
        access.write32(bus, slot, function, reg, 0xFFFFFFFFu);
        uint32_t probed = access.read32(bus, slot, function, reg);
        access.write32(bus, slot, function, reg, original);
        uint32_t upper_original = 0, upper_probed = 0;
        bool wide = (original & 1u) == 0 && ((original >> 1) & 3u) == 2 && i + 1 < bars;
        if (wide) {
            upper_original = access.read32(bus, slot, function, reg + 4);
            access.write32(bus, slot, function, reg + 4, 0xFFFFFFFFu);
            upper_probed = access.read32(bus, slot, function, reg + 4);
            access.write32(bus, slot, function, reg + 4, upper_original);
        }
        i += decode_bar(original, probed, upper_original, upper_probed, d.bars[i]);
    }
    if (bars > 0) access.write32(bus, slot, function, kRegCommand, command & 0xFFFF);

    if (m_count < kMaxDevices) m_devices[m_count++] = d;

    // A PCI-to-PCI bridge: the bus behind it, as the firmware numbered it.
    if (header == 1 && d.class_code == 0x06 && d.subclass == 0x04) {
        uint32_t secondary = access.read32(bus, slot, function, kRegBuses) >> 8 & 0xFF;
        if (secondary > bus) scan_bus(access, secondary);
    }
}

const DeviceReply* Table::find(uint32_t vendor, uint32_t device, uint32_t index) const {
    for (uint32_t i = 0; i < m_count; ++i) {
        const DeviceReply& d = m_devices[i];
        if (d.vendor != vendor || (device != kAnyId && d.device != device)) continue;
        if (index-- == 0) return &d;
    }
    return nullptr;
}

const DeviceReply* Table::find_class(uint32_t class_code, uint32_t subclass, uint32_t index) const {
    for (uint32_t i = 0; i < m_count; ++i) {
        const DeviceReply& d = m_devices[i];
        if (d.class_code != class_code || (subclass != 0xFF && d.subclass != subclass)) continue;
        if (index-- == 0) return &d;
    }
    return nullptr;
}

DeviceReply* Table::find_location(uint32_t bus, uint32_t slot, uint32_t function) {
    for (uint32_t i = 0; i < m_count; ++i) {
        DeviceReply& d = m_devices[i];
        if (d.bus == bus && d.slot == slot && d.function == function) return &d;
    }
    return nullptr;
}

uint32_t Table::index_of(const DeviceReply& device) const {
    uint32_t index = 0;
    for (uint32_t i = 0; i < m_count && &m_devices[i] != &device; ++i)
        index += m_devices[i].vendor == device.vendor && m_devices[i].device == device.device;
    return index;
}

uint32_t enable_bits(const DeviceReply& device) {
    uint32_t bits = kCommandBusMaster;
    for (uint32_t i = 0; i < kBars; ++i) {
        if ((device.bars[i].flags & kBarPresent) == 0) continue;
        bits |= device.bars[i].flags & kBarIo ? kCommandIo : kCommandMemory;
    }
    return bits;
}

} // namespace pci
