// nic_probe: a driver whose line says only pci=8086:100e (QEMU's default NIC, an e1000). Its
// grants come from what the pci driver reported to proc: BAR 0 (128 KiB of registers) as
// device memory, BAR 1 as ports, the IRQ line. It maps both, reads the STATUS register
// through the memory BAR (link up: the device answers), touches the I/O BAR (no #GP: granted;
// QEMU's e1000 does not implement IOADDR/IODATA, it reads 0) and attaches the IRQ.
// Exits 0, or 10 + the check that failed.
#include "common.h"

namespace {

constexpr uint32_t kRegisterStatus = 0x0008;    // e1000 STATUS (8254x manual, 13.4.2)
constexpr uint32_t kStatusLinkUp = 0x2;         // STATUS.LU
constexpr uint16_t kIoAddress = 0, kIoData = 4; // IOADDR/IODATA at the I/O BAR

uint32_t g_check = 0;
void expect(bool ok, const char* what, ipc::Error error = ipc::Error::ok) {
    ++g_check;
    if (ok) return;
    rt_printf("nic_probe: check %u failed: %s (%s)\n", g_check, what, ipc::error_name(error));
    driver::exit(static_cast<int32_t>(10 + g_check));
}

} // namespace

int main() {
    driver::Grants grants{};
    ipc::Error error = driver::claim(grants);
    expect(error == ipc::Error::ok && grants.memory_count == 1 && grants.port_count == 1 &&
               grants.irq_count == 1,
           "claim: the e1000's memory BAR, I/O BAR and IRQ line", error);
    uint32_t mmio = grants.memory[0].first, size = grants.memory[0].last - mmio + 1;
    uint32_t log2 = 12;
    while ((1u << log2) < size)
        ++log2;
    rt_printf("nic_probe: granted memory %08x-%08x, ports %x-%x, irq %u\n", mmio,
              grants.memory[0].last, grants.ports[0].first, grants.ports[0].last, grants.irqs[0]);
    uint32_t where = driver::kDeviceArea;
    error = driver::map_device_memory(mmio, log2, where);
    expect(error == ipc::Error::ok, "mapping BAR 0", error);
    error = driver::map_ports(grants.ports[0].first, grants.ports[0].last);
    expect(error == ipc::Error::ok, "mapping BAR 1", error);
    uint32_t through_memory = *reinterpret_cast<volatile uint32_t*>(where + kRegisterStatus);
    uint16_t io = static_cast<uint16_t>(grants.ports[0].first);
    driver::outl(static_cast<uint16_t>(io + kIoAddress), kRegisterStatus);
    uint32_t through_ports = driver::inl(static_cast<uint16_t>(io + kIoData));
    rt_printf("nic_probe: STATUS %08x through memory, %08x through ports\n", through_memory,
              through_ports);
    expect(through_memory != 0xFFFFFFFFu && (through_memory & kStatusLinkUp) != 0,
           "STATUS through the memory BAR: the device answers, link up");
    error = driver::attach_irq(grants.irqs[0]);
    expect(error == ipc::Error::ok, "attaching the IRQ line", error);
    error = driver::map_ports(0x2f8, 0x2ff);
    expect(error == ipc::Error::no_permission, "ports beyond the device's: no_permission", error);
    driver::exit(0);
}
