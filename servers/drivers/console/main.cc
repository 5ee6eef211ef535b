// The VGA console driver (README.md): the VGA text screen and the PS/2 keyboard. Its boot
// line grants the 8042's two ports, the CRTC's index/data pair, IRQ 1 and the text buffer:
//   vga port=96 port=100 port=980-981 irq=1 mem=0xb8000-0xb8fff [console] [keep] [check]
// (0x60, 0x64, 0x3d4-0x3d5; decimal keeps the line under the KIP's 119 bytes). It claims them
// from proc, maps the text buffer, reads the cursor back, sets up the controller, registers
// its module name (and "console" with the word `console`) and serves protocol.h and IRQ 1 on
// its one thread. The first instance clears the screen unless its line says `keep`; a
// restarted one never does. `check`: before anything else, ask proc for a port, an IRQ line
// and a page outside the grant and exit 4 unless each is refused (the driver tests).
#include "rt/rt.h"

#include "lib/driver/client_gate.h"
#include "lib/driver/driver.h"
#include "lib/ipc/kernel.h"
#include "servers/drivers/console/console.h"

namespace {

console::Console g_console;
// The line's client= words say who may write to the screen and read the keys (the tty server,
// in the default system); anyone may ask for the counters.
driver::ClientGate g_clients;
const char* g_name = "vga";

ipc::Error on_write(console::Console& c, axo_thread_id_t from, const console::WriteRequest& request,
                    console::WriteReply& reply) {
    if (ipc::Error error = g_clients.check(from, g_name); error != ipc::Error::ok) return error;
    return c.write(from, request, reply);
}
ipc::Error on_read(console::Console& c, axo_thread_id_t from, const console::ReadRequest& request,
                   console::ReadReply& reply) {
    if (ipc::Error error = g_clients.check(from, g_name); error != ipc::Error::ok) return error;
    return c.read(from, request, reply);
}
ipc::Error on_flush(console::Console&, axo_thread_id_t, const console::FlushRequest&, ipc::Empty&) {
    return ipc::Error::ok; // the screen holds nothing back
}
ipc::Error on_statistics(console::Console& c, axo_thread_id_t, const console::StatisticsRequest&,
                         console::StatisticsReply& reply) {
    c.statistics(reply);
    return ipc::Error::ok;
}

constexpr ipc::Route<console::Console> kRoutes[] = {
    ipc::route<&on_write>(),
    ipc::route<&on_read>(),
    ipc::route<&on_flush>(),
    ipc::route<&on_statistics>(),
};
static_assert(ipc::labels_unique(kRoutes));

bool has_port(const driver::Grants& grants, uint32_t port) {
    for (uint32_t i = 0; i < grants.port_count; ++i)
        if (grants.ports[i].first <= port && port <= grants.ports[i].last) return true;
    return false;
}

// proc must refuse what the line does not grant: the port next to the controller's data port
// (0x61, the speaker and NMI gate), the mouse's IRQ 12, the VGA graphics window.
void check_refusals(const char* name) {
    constexpr uint32_t kVgaGraphics = 0xA0000;
    ipc::Error port = driver::map_ports(0x61, 0x61);
    ipc::Error irq = driver::attach_irq(12);
    ipc::Error memory = driver::map_device_memory(kVgaGraphics, 12, driver::kDeviceArea + 0x10000);
    bool refused = port == ipc::Error::no_permission && irq == ipc::Error::no_permission &&
                   memory == ipc::Error::no_permission;
    rt_printf("%s: check: outside the grant, port 0x61: %s, irq 12: %s, memory %x: %s%s\n", name,
              ipc::error_name(port), ipc::error_name(irq), kVgaGraphics, ipc::error_name(memory),
              refused ? "; all refused" : "; NOT REFUSED");
    if (!refused) driver::exit(4);
}

} // namespace

int main() {
    driver::Grants grants;
    const char* name = driver::start(grants);
    g_name = name;
    constexpr uint32_t kText = console::kColumns * console::kRows * 2;
    if (!has_port(grants, console::ps2::kData) || !has_port(grants, console::ps2::kStatus) ||
        !has_port(grants, console::crtc::kIndex) || !has_port(grants, console::crtc::kData) ||
        grants.irq_count != 1 || grants.memory_count != 1 || grants.memory[0].first != 0xB8000 ||
        grants.memory[0].last - grants.memory[0].first + 1 < kText) {
        rt_printf("%s: the boot line must grant port=0x60 port=0x64 port=0x3d4-0x3d5, one irq= "
                  "and mem=0xb8000-...\n",
                  name);
        driver::exit(2);
    }
    if (driver::has_argument("check")) check_refusals(name);
    uint32_t irq = grants.irqs[0];
    driver::check(name, "mapping the ports", driver::map_granted_ports(grants));
    // One page holds the 80x25 text buffer (4000 bytes).
    driver::check(name, "mapping the text buffer",
                  driver::map_device_memory(0xB8000, 12, driver::kDeviceArea));
    bool clear = grants.restarts == 0 && !driver::has_argument("keep");
    g_console.start(reinterpret_cast<volatile uint16_t*>(driver::kDeviceArea), irq, grants.restarts,
                    clear);
    driver::check(name, "attaching the IRQ", driver::attach_irq(irq));
    // A byte that came before the line was attached raised its edge while nobody listened; the
    // controller raises no other until it is read. Take it now.
    g_console.interrupt();
    bool is_console = driver::register_names(name);
    console::StatisticsReply stats{};
    g_console.statistics(stats);
    rt_printf("%s: VGA text 80x25, PS/2 keyboard on irq %u%s; cursor found at %u,%u; serving "
              "(restart %u)\n",
              name, irq, is_console ? ", the console" : "", stats.start_row, stats.start_column,
              grants.restarts);
    if (clear) {
        static const char kBanner[] = "Axolotl VGA console\n";
        g_console.put(reinterpret_cast<const uint8_t*>(kBanner), sizeof kBanner - 1);
    }
    // The reply of ipc::serve to an interrupt goes to the IRQ thread: the acknowledgement.
    ipc::Dispatcher<console::Console> dispatcher(g_console, kRoutes,
                                                 &driver::on_interrupt<console::Console>,
                                                 &driver::cancel_requests_of<console::Console>);
    ipc::serve(dispatcher);
}
