// pci: the PCI bus driver (README.md). Its boot line grants the configuration ports of
// mechanism #1, e.g.
//   pci port=0xcf8-0xcff
// It claims them, enumerates the bus (bus 0 and the buses behind bridges; each BAR probed
// once, here), reports every function to proc (kProcPciReport) and enables those proc says a
// module's `pci=` word names, registers "pci" and then serves protocol.h on its one thread.
#include "rt/rt.h"

#include "interfaces/devices/protocol.h"
#include "lib/driver/driver.h"
#include "lib/ipc/kernel.h"
#include "lib/names/names.h"
#include "servers/drivers/pci/pci.h"

namespace {

constexpr uint16_t kAddressPort = 0xCF8;
constexpr uint16_t kDataPort = 0xCFC;

struct Server {
    pci::Table table;
    pci::StatisticsReply stats{};
};
Server g_server;

uint32_t port_read(void*, uint32_t address) {
    driver::outl(kAddressPort, address);
    return driver::inl(kDataPort);
}
void port_write(void*, uint32_t address, uint32_t value) {
    driver::outl(kAddressPort, address);
    driver::outl(kDataPort, value);
}
pci::ConfigAccess g_access{&port_read, &port_write, nullptr};

ipc::Error answer(Server& s, const pci::DeviceReply* device, pci::DeviceReply& reply) {
    if (device == nullptr) return ipc::Error::not_found;
    ++s.stats.lookups;
    reply = *device;
    return ipc::Error::ok;
}

ipc::Error on_find(Server& s, axo_thread_id_t, const pci::FindRequest& request,
                   pci::DeviceReply& reply) {
    if (request.vendor >= 0xFFFF || request.device > 0xFFFF) return ipc::Error::invalid_argument;
    return answer(s, s.table.find(request.vendor, request.device, request.index), reply);
}
ipc::Error on_find_class(Server& s, axo_thread_id_t, const pci::FindClassRequest& request,
                         pci::DeviceReply& reply) {
    if (request.class_code > 0xFF || request.subclass > 0xFF) return ipc::Error::invalid_argument;
    return answer(s, s.table.find_class(request.class_code, request.subclass, request.index),
                  reply);
}
ipc::Error on_device_at(Server& s, axo_thread_id_t, const pci::DeviceAtRequest& request,
                        pci::DeviceReply& reply) {
    return answer(s, s.table.at(request.index), reply);
}
ipc::Error on_statistics(Server& s, axo_thread_id_t, const pci::StatisticsRequest&,
                         pci::StatisticsReply& reply) {
    reply = s.stats;
    reply.devices = s.table.count();
    reply.buses = s.table.buses();
    return ipc::Error::ok;
}

constexpr ipc::Route<Server> kRoutes[] = {
    ipc::route<&on_find>(),
    ipc::route<&on_find_class>(),
    ipc::route<&on_device_at>(),
    ipc::route<&on_statistics>(),
};
static_assert(ipc::labels_unique(kRoutes));

[[noreturn]] void fail(const char* name, const char* what, ipc::Error error) {
    rt_printf("%s: %s: %s\n", name, what, ipc::error_name(error));
    driver::exit(1);
}

void print_bar(const char* name, uint32_t i, const pci::BarInfo& bar) {
    if ((bar.flags & pci::kBarPresent) == 0) return;
    rt_printf("%s:     bar%u %s %x size %x%s%s\n", name, i, bar.flags & pci::kBarIo ? "io " : "mem",
              bar.base, bar.size, bar.flags & pci::kBar64 ? " 64-bit" : "",
              bar.flags & pci::kBarPrefetch ? " prefetchable" : "");
}

// Sets `bits` in the command register of `d` (only the command half: writing the status half
// would clear its write-one-to-clear bits) and records what the register then says.
void enable(pci::DeviceReply& d, uint32_t bits) {
    uint32_t address = pci::config_address(d.bus, d.slot, d.function, pci::kRegCommand);
    uint32_t command = port_read(nullptr, address) & 0xFFFF;
    port_write(nullptr, address, command | bits);
    d.command = static_cast<uint16_t>(port_read(nullptr, address));
}

// Every function to proc, which keeps them for drivers' `pci=` grants; a device whose report
// proc answers with named > 0 is some module's: enabled here. Idempotent in proc, so a
// restarted server just reports again.
void report(const char* name, Server& s) {
    for (uint32_t i = 0; i < s.table.count(); ++i) {
        pci::DeviceReply& d = *s.table.at(i);
        proc::PciReportRequest request{};
        request.vendor = d.vendor;
        request.device = d.device;
        request.index = s.table.index_of(d);
        request.location = static_cast<uint32_t>(d.bus) << 16 | d.slot << 8 | d.function;
        request.irq_line = d.irq_line;
        request.irq_pin = d.irq_pin;
        for (uint32_t b = 0; b < pci::kBars; ++b)
            request.bars[b] = {d.bars[b].base, d.bars[b].size, d.bars[b].flags};
        proc::PciReportReply reply{};
        ipc::Error error = ipc::call(rt_kip()->root_task, request, reply);
        if (error != ipc::Error::ok) {
            rt_printf("%s: reporting %04x:%04x to proc failed: %s\n", name, d.vendor, d.device,
                      ipc::error_name(error));
            continue;
        }
        ++s.stats.reported;
        if (reply.named == 0) continue;
        enable(d, pci::enable_bits(d));
        ++s.stats.enables;
        rt_printf("%s: %02x:%02x.%u %04x:%04x.%u is named by %u module(s): enabled (command %x)\n",
                  name, d.bus, d.slot, d.function, d.vendor, d.device, request.index, reply.named,
                  d.command);
    }
}

} // namespace

int main() {
    const char* name = driver::arguments().argv[0];
    driver::Grants grants;
    if (ipc::Error error = driver::claim(grants); error != ipc::Error::ok)
        fail(name, "claiming the grants", error);
    bool ports = false;
    for (uint32_t i = 0; i < grants.port_count; ++i)
        ports |= grants.ports[i].first <= kAddressPort && grants.ports[i].last >= kDataPort + 3;
    if (!ports) {
        rt_printf("%s: the boot line must grant port=0xcf8-0xcff\n", name);
        driver::exit(2);
    }
    if (ipc::Error error = driver::map_ports(kAddressPort, kDataPort + 3); error != ipc::Error::ok)
        fail(name, "mapping the ports", error);
    g_server.stats.restarts = grants.restarts;
    g_server.table.enumerate(g_access);
    for (uint32_t i = 0; i < g_server.table.count(); ++i) {
        const pci::DeviceReply& d = *g_server.table.at(i);
        rt_printf("%s: %02x:%02x.%u %04x:%04x class %02x.%02x irq %u pin %u\n", name, d.bus, d.slot,
                  d.function, d.vendor, d.device, d.class_code, d.subclass, d.irq_line, d.irq_pin);
        for (uint32_t b = 0; b < pci::kBars; ++b)
            print_bar(name, b, d.bars[b]);
    }
    report(name, g_server);
    rt_printf("%s: %u functions on %u bus(es); serving (restart %u)\n", name,
              g_server.table.count(), g_server.table.buses(), grants.restarts);
    // Registered after the line is in the log: a waiting client may run first, and end the test.
    if (ipc::Error error = names::register_name(name); error != ipc::Error::ok)
        fail(name, "registering the name", error);
    ipc::Dispatcher<Server> dispatcher(g_server, kRoutes);
    ipc::serve(dispatcher);
}
