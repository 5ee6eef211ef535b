// intruder: a driver that reaches beyond its grants. Its boot line grants
//   port=0x2e8-0x2ef irq=5 mem=0xb8000-0xb8fff
// (COM4's registers, an IRQ line, a page of VGA text memory). It checks that proc gives it
// exactly those and refuses everything else (no_permission), that DMA memory works (a
// physical address, the same block again), and finally touches a port it was not given:
// the #GP ends it, and proc reports kExitFaulted with status 13. The test driver
// (main.cc) checks that status; any earlier check that fails exits with 10 + its number.
#include "common.h"

#include "interfaces/devices/protocol.h"

namespace {

uint32_t g_check = 0;

void expect(bool ok, const char* what, ipc::Error error = ipc::Error::ok) {
    ++g_check;
    if (ok) return;
    rt_printf("intruder: check %u failed: %s (%s)\n", g_check, what, ipc::error_name(error));
    driver::exit(static_cast<int32_t>(10 + g_check));
}

constexpr uint16_t kCom2Data = 0x2f8; // another driver's, never ours

} // namespace

int main() {
    driver::Grants grants{};
    ipc::Error error = driver::claim(grants);
    expect(error == ipc::Error::ok && grants.port_count == 1 && grants.ports[0].first == 0x2e8 &&
               grants.ports[0].last == 0x2ef && grants.irq_count == 1 && grants.irqs[0] == 5 &&
               grants.memory_count == 1 && grants.memory[0].first == 0xb8000,
           "claim returns exactly the line's grants", error);

    error = driver::map_granted_ports(grants);
    expect(error == ipc::Error::ok, "the granted ports are mapped", error);
    // Touching a granted port does not fault (COM4 may not exist: any value is fine).
    (void)driver::inb(0x2ef);
    error = driver::map_ports(0x2f8, 0x2ff);
    expect(error == ipc::Error::no_permission, "another module's ports: no_permission", error);
    error = driver::map_ports(0x2e8, 0x2f0);
    expect(error == ipc::Error::no_permission, "a range one port too long: no_permission", error);
    error = driver::map_ports(0x20, 0x21);
    expect(error == ipc::Error::no_permission, "the PIC's ports: no_permission", error);
    {
        // A memory fpage where an I/O fpage belongs.
        ipc::Empty reply;
        error = ipc::call(rt_kip()->root_task,
                          proc::DevicePortsRequest{axo_fpage(0x1000, 12, AXO_FPAGE_RWX)}, reply);
        expect(error == ipc::Error::invalid_argument, "a malformed I/O fpage: invalid_argument",
               error);
    }

    error = driver::attach_irq(4);
    expect(error == ipc::Error::no_permission, "an IRQ line not granted: no_permission", error);
    error = driver::attach_irq(0);
    expect(error == ipc::Error::no_permission, "the timer's line: no_permission", error);
    error = driver::attach_irq(5);
    expect(error == ipc::Error::ok, "the granted IRQ line attaches", error);

    uint32_t vga = driver::kDeviceArea;
    error = driver::map_device_memory(0xb8000, 12, vga);
    volatile uint16_t* cells = reinterpret_cast<volatile uint16_t*>(vga);
    bool vga_ok = false;
    if (error == ipc::Error::ok) {
        uint16_t old = cells[0];
        cells[0] = 0x1F41; // 'A', white on blue
        vga_ok = cells[0] == 0x1F41;
        cells[0] = old;
    }
    expect(error == ipc::Error::ok && vga_ok, "the granted device page is mapped and writable",
           error);
    error = driver::map_device_memory(0xb9000, 12, vga + 0x1000);
    expect(error == ipc::Error::no_permission, "the next page (not granted): no_permission", error);
    error = driver::map_device_memory(0xb8000, 13, vga + 0x2000);
    expect(error == ipc::Error::no_permission, "a larger fpage over the grant: no_permission",
           error);

    uint32_t dma = driver::kDeviceArea + 0x100000, physical = 0, again = 0;
    error = driver::allocate_dma(0, 13, dma, physical);
    expect(error == ipc::Error::ok && physical != 0 && physical % 0x2000 == 0,
           "8 KiB of DMA memory, aligned, with its physical address", error);
    rt_printf("intruder: DMA block 0 at physical %08x\n", physical);
    volatile uint32_t* words = reinterpret_cast<volatile uint32_t*>(dma);
    for (uint32_t i = 0; i < 2048; ++i)
        words[i] = physical + i;
    error = driver::allocate_dma(0, 13, dma + 0x10000, again);
    volatile uint32_t* alias = reinterpret_cast<volatile uint32_t*>(dma + 0x10000);
    bool same = error == ipc::Error::ok && again == physical;
    for (uint32_t i = 0; same && i < 2048; ++i)
        same = alias[i] == physical + i;
    expect(same, "the same slot again: the same block, the same contents", error);
    error = driver::allocate_dma(0, 14, dma + 0x20000, again);
    expect(error == ipc::Error::invalid_argument, "the slot with another size: invalid_argument",
           error);
    error = driver::allocate_dma(proc::kDmaSlots, 12, dma + 0x20000, again);
    expect(error == ipc::Error::invalid_argument, "a slot out of range: invalid_argument", error);
    error = driver::allocate_dma(1, 24, dma + 0x400000, again);
    expect(error == ipc::Error::invalid_argument, "16 MiB of DMA: invalid_argument", error);

    rt_printf("intruder: %u checks passed; now touching port %x, which is not mine\n", g_check,
              kCom2Data);
    (void)driver::inb(kCom2Data);
    rt_printf("intruder: the port access did not fault\n");
    driver::exit(99);
}
