// pci: enumerates PCI configuration space through configuration mechanism #1 (ports
// 0xCF8-0xCFF, its only grant: `pci port=0xcf8-0xcff`) once at start, sizes every BAR, and
// answers look-ups by vendor/device/class (protocol.h). README.md says what is not done.
#include "rt/rt.h"

#include "lib/driver/driver.h"
#include "lib/ipc/kernel.h"
#include "lib/names/names.h"
#include "servers/drivers/pci/protocol.h"
#include "servers/proc/protocol.h"

namespace {

// Configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2).
constexpr uint16_t kConfigAddress = 0xCF8;
constexpr uint16_t kConfigData = 0xCFC;
constexpr uint32_t kEnable = 0x80000000u;
constexpr uint32_t kBuses = 256, kSlots = 32, kFunctions = 8;
// Header registers (offsets).
constexpr uint32_t kVendorDevice = 0x00, kCommandStatus = 0x04, kClassRevision = 0x08,
                   kHeaderType = 0x0C, kBar0 = 0x10, kInterrupt = 0x3C;
constexpr uint32_t kCommandIo = 0x1, kCommandMemory = 0x2;
constexpr uint32_t kMultiFunction = 0x80;
constexpr uint32_t kNoVendor = 0xFFFF;

struct Pci {
    pci::Device devices[pci::kMaxDevices];
    uint32_t kept = 0, found = 0;
};
Pci g_pci;

uint32_t address(uint32_t bus, uint32_t slot, uint32_t function, uint32_t offset) {
    return kEnable | bus << 16 | slot << 11 | function << 8 | (offset & 0xFC);
}
uint32_t read32(uint32_t bus, uint32_t slot, uint32_t function, uint32_t offset) {
    driver::outl(kConfigAddress, address(bus, slot, function, offset));
    return driver::inl(kConfigData);
}
void write32(uint32_t bus, uint32_t slot, uint32_t function, uint32_t offset, uint32_t value) {
    driver::outl(kConfigAddress, address(bus, slot, function, offset));
    driver::outl(kConfigData, value);
}

// BARs of a header: write all ones, read which bits stick, restore — with decoding off
// meanwhile, so the device never answers at the probe address.
void size_bars(pci::Device& d, uint32_t count) {
    uint32_t command = read32(d.bus, d.slot, d.function, kCommandStatus);
    write32(d.bus, d.slot, d.function, kCommandStatus,
            command & 0xFFFF & ~(kCommandIo | kCommandMemory));
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t offset = kBar0 + 4 * i;
        uint32_t original = read32(d.bus, d.slot, d.function, offset);
        write32(d.bus, d.slot, d.function, offset, 0xFFFFFFFFu);
        uint32_t mask = read32(d.bus, d.slot, d.function, offset);
        write32(d.bus, d.slot, d.function, offset, original);
        pci::Bar& bar = d.bars[i];
        if (mask == 0 || mask == 0xFFFFFFFFu) continue;
        if (original & 1) {
            uint32_t bits = mask & 0xFFFCu;
            if (bits == 0) continue;
            bar = {original & 0xFFFCu, (~bits & 0xFFFFu) + 1, pci::kBarPresent | pci::kBarIo};
        } else {
            uint32_t bits = mask & ~0xFu;
            if (bits == 0) continue;
            bar = {original & ~0xFu, ~bits + 1, pci::kBarPresent};
            if (original & 0x8) bar.flags |= pci::kBarPrefetchable;
            if (((original >> 1) & 3) == 2) {
                // 64-bit: the next BAR is the upper half (sizes above 4 GiB not kept).
                bar.flags |= pci::kBarMemory64;
                ++i;
            }
        }
    }
    write32(d.bus, d.slot, d.function, kCommandStatus, command & 0xFFFF);
}

void scan() {
    for (uint32_t bus = 0; bus < kBuses; ++bus) {
        for (uint32_t slot = 0; slot < kSlots; ++slot) {
            for (uint32_t function = 0; function < kFunctions; ++function) {
                uint32_t id = read32(bus, slot, function, kVendorDevice);
                if ((id & 0xFFFF) == kNoVendor) {
                    if (function == 0) break;
                    continue;
                }
                uint32_t header = (read32(bus, slot, function, kHeaderType) >> 16) & 0xFF;
                ++g_pci.found;
                if (g_pci.kept < pci::kMaxDevices) {
                    pci::Device& d = g_pci.devices[g_pci.kept++];
                    uint32_t klass = read32(bus, slot, function, kClassRevision);
                    uint32_t interrupt = read32(bus, slot, function, kInterrupt);
                    d = {};
                    d.bus = bus;
                    d.slot = slot;
                    d.function = function;
                    d.vendor = id & 0xFFFF;
                    d.device = id >> 16;
                    d.class_code = klass >> 24;
                    d.subclass = (klass >> 16) & 0xFF;
                    d.prog_if = (klass >> 8) & 0xFF;
                    d.revision = klass & 0xFF;
                    d.header_type = header & ~kMultiFunction;
                    d.irq_line = interrupt & 0xFF;
                    d.irq_pin = (interrupt >> 8) & 0xFF;
                    if (d.header_type == 0)
                        size_bars(d, pci::kBars);
                    else if (d.header_type == 1)
                        size_bars(d, 2);
                }
                if (function == 0 && (header & kMultiFunction) == 0) break;
            }
        }
    }
}

bool matches(const pci::Device& d, const pci::FindRequest& r) {
    return (r.vendor == pci::kAny16 || r.vendor == d.vendor) &&
           (r.device == pci::kAny16 || r.device == d.device) &&
           (r.class_code == pci::kAny8 || r.class_code == d.class_code) &&
           (r.subclass == pci::kAny8 || r.subclass == d.subclass);
}

ipc::Error on_find(Pci& p, axo_thread_id_t, const pci::FindRequest& request, pci::Device& reply) {
    if (request.vendor > 0xFFFF || request.device > 0xFFFF || request.class_code > 0xFF ||
        request.subclass > 0xFF)
        return ipc::Error::invalid_argument;
    uint32_t seen = 0;
    for (uint32_t i = 0; i < p.kept; ++i) {
        if (!matches(p.devices[i], request)) continue;
        if (seen++ == request.index) {
            reply = p.devices[i];
            return ipc::Error::ok;
        }
    }
    return ipc::Error::not_found;
}

ipc::Error on_count(Pci& p, axo_thread_id_t, const pci::CountRequest&, pci::CountReply& reply) {
    reply = {p.found, p.kept};
    return ipc::Error::ok;
}

constexpr ipc::Route<Pci> kRoutes[] = {ipc::route<&on_find>(), ipc::route<&on_count>()};
static_assert(ipc::labels_unique(kRoutes));

[[noreturn]] void fail(const char* what, ipc::Error error) {
    rt_printf("pci: %s: %s\n", what, ipc::error_name(error));
    driver::exit(1);
}

} // namespace

int main() {
    driver::Grants grants;
    if (ipc::Error error = driver::claim(grants); error != ipc::Error::ok)
        fail("claiming the grants", error);
    if (ipc::Error error = driver::map_ports(kConfigAddress, kConfigData + 3);
        error != ipc::Error::ok)
        fail("mapping ports 0xcf8-0xcff", error);
    uint64_t start = rt_clock_us();
    scan();
    rt_printf("pci: %u functions found in %u us, %u kept\n", g_pci.found,
              static_cast<uint32_t>(rt_clock_us() - start), g_pci.kept);
    for (uint32_t i = 0; i < g_pci.kept; ++i) {
        const pci::Device& d = g_pci.devices[i];
        rt_printf("pci: %02x:%02x.%u %04x:%04x class %02x.%02x.%02x irq %u\n", d.bus, d.slot,
                  d.function, d.vendor, d.device, d.class_code, d.subclass, d.prog_if, d.irq_line);
    }
    // proc resolves drivers' pci= grants from these reports (servers/proc/protocol.h).
    for (uint32_t i = 0; i < g_pci.kept; ++i) {
        const pci::Device& d = g_pci.devices[i];
        proc::PciReportRequest report{};
        report.vendor = d.vendor;
        report.device = d.device;
        report.location = d.bus << 16 | d.slot << 8 | d.function;
        report.irq_line = d.irq_line;
        for (uint32_t b = 0; b < pci::kBars; ++b)
            report.bars[b] = {d.bars[b].base, d.bars[b].size, d.bars[b].flags};
        ipc::Empty reply;
        if (ipc::Error error = ipc::call(rt_kip()->root_task, report, reply);
            error != ipc::Error::ok)
            rt_printf("pci: reporting %04x:%04x to proc failed: %s\n", d.vendor, d.device,
                      ipc::error_name(error));
    }
    if (ipc::Error error = names::register_name("pci"); error != ipc::Error::ok)
        fail("registering \"pci\"", error);
    ipc::Dispatcher<Pci> dispatcher(g_pci, kRoutes);
    ipc::serve(dispatcher);
}
