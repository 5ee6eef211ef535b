// serial: the 16550 UART driver (README.md). Its boot line grants one port range (the UART's
// eight registers) and one IRQ line, e.g.
//   serial name=com2 port=0x2f8-0x2ff irq=3 [baud=115200] [loopback] [console]
// It claims them from proc, programs the UART, registers its module name (and "console" with
// the word `console`) and serves protocol.h and its interrupt on its one thread.
#include "rt/rt.h"

#include "lib/driver/client_gate.h"
#include "lib/driver/driver.h"
#include "lib/ipc/kernel.h"
#include "servers/drivers/serial/serial.h"

namespace {

serial::Serial g_serial;
// The line's client= words say who may read and write (the tty server, in the default system);
// anyone may ask for the counters.
driver::ClientGate g_clients;
const char* g_name = "serial";

ipc::Error on_write(serial::Serial& s, axo_thread_id_t from, const serial::WriteRequest& request,
                    serial::WriteReply& reply) {
    if (ipc::Error error = g_clients.check(from, g_name); error != ipc::Error::ok) return error;
    return s.write(from, request, reply);
}
ipc::Error on_read(serial::Serial& s, axo_thread_id_t from, const serial::ReadRequest& request,
                   serial::ReadReply& reply) {
    if (ipc::Error error = g_clients.check(from, g_name); error != ipc::Error::ok) return error;
    return s.read(from, request, reply);
}
ipc::Error on_flush(serial::Serial& s, axo_thread_id_t from, const serial::FlushRequest&,
                    ipc::Empty&) {
    if (ipc::Error error = g_clients.check(from, g_name); error != ipc::Error::ok) return error;
    return s.flush(from);
}
ipc::Error on_statistics(serial::Serial& s, axo_thread_id_t, const serial::StatisticsRequest&,
                         serial::StatisticsReply& reply) {
    s.statistics(reply);
    return ipc::Error::ok;
}

// While bytes are in flight, a missed interrupt costs at most this much (about 115 byte times).
constexpr uint32_t kPollUs = 10000;
bool busy(serial::Serial& s) {
    return s.busy();
}
void poll(serial::Serial& s) {
    s.poll();
}

constexpr ipc::Route<serial::Serial> kRoutes[] = {
    ipc::route<&on_write>(),
    ipc::route<&on_read>(),
    ipc::route<&on_flush>(),
    ipc::route<&on_statistics>(),
};
static_assert(ipc::labels_unique(kRoutes));

} // namespace

int main() {
    driver::Grants grants;
    const char* name = driver::start(grants);
    g_name = name;
    if (grants.port_count != 1 || grants.ports[0].last - grants.ports[0].first != 7 ||
        grants.irq_count != 1) {
        rt_printf("%s: the boot line must grant one UART (port=BASE-BASE+7) and one irq=\n", name);
        driver::exit(2);
    }
    uint16_t port = static_cast<uint16_t>(grants.ports[0].first);
    uint32_t irq = grants.irqs[0];
    uint32_t baud = serial::kClockHz;
    if (const char* value = driver::argument_value("baud");
        value != nullptr &&
        (!driver::parse_number(value, baud) || baud == 0 || baud > serial::kClockHz)) {
        rt_printf("%s: bad baud=%s\n", name, value);
        driver::exit(2);
    }
    bool loopback = driver::has_argument("loopback");
    driver::check(name, "mapping the ports", driver::map_granted_ports(grants));
    if (!g_serial.start(port, irq, baud, loopback, grants.restarts)) {
        rt_printf("%s: no 16550 at port %x\n", name, port);
        driver::exit(3);
    }
    driver::check(name, "attaching the IRQ", driver::attach_irq(irq));
    bool console = driver::register_names(name);
    rt_printf("%s: 16550 at port %x, irq %u, %u baud%s%s; serving (restart %u)\n", name, port, irq,
              baud, loopback ? ", loopback" : "", console ? ", the console" : "", grants.restarts);
    // The reply of ipc::serve to an interrupt goes to the IRQ thread: the acknowledgement.
    ipc::Dispatcher<serial::Serial> dispatcher(g_serial, kRoutes,
                                               &driver::on_interrupt<serial::Serial>,
                                               &driver::cancel_requests_of<serial::Serial>);
    driver::serve(dispatcher, g_serial, &busy, &poll, kPollUs);
}
