// serial: the 16550 UART driver (README.md). Its boot line grants one port range (the UART's
// eight registers) and one IRQ line, e.g.
//   serial name=com2 port=0x2f8-0x2ff irq=3 [baud=115200] [loopback] [console]
// It claims them from proc, programs the UART, registers its module name (and "console" with
// the word `console`) and serves protocol.h and its interrupt on its one thread.
#include "rt/rt.h"

#include "lib/driver/driver.h"
#include "lib/ipc/kernel.h"
#include "lib/names/names.h"
#include "servers/drivers/serial/serial.h"

namespace {

serial::Serial g_serial;

ipc::Error on_write(serial::Serial& s, axo_thread_id_t from, const serial::WriteRequest& request,
                    serial::WriteReply& reply) {
    return s.write(from, request, reply);
}
ipc::Error on_read(serial::Serial& s, axo_thread_id_t from, const serial::ReadRequest& request,
                   serial::ReadReply& reply) {
    return s.read(from, request, reply);
}
ipc::Error on_flush(serial::Serial& s, axo_thread_id_t from, const serial::FlushRequest&,
                    ipc::Empty&) {
    return s.flush(from);
}
ipc::Error on_statistics(serial::Serial& s, axo_thread_id_t, const serial::StatisticsRequest&,
                         serial::StatisticsReply& reply) {
    s.statistics(reply);
    return ipc::Error::ok;
}

ipc::Outcome on_kernel(serial::Serial& s, axo_thread_id_t from, ipc::Message& message) {
    uint32_t line = 0;
    if (!driver::interrupt_line(from, message, line)) return ipc::Outcome::no_reply;
    s.interrupts.note(line);
    s.interrupt();
    // The reply of ipc::serve goes to the IRQ thread: the acknowledgement, which unmasks it.
    return driver::acknowledge(message);
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

[[noreturn]] void fail(const char* name, const char* what, ipc::Error error) {
    rt_printf("%s: %s: %s\n", name, what, ipc::error_name(error));
    driver::exit(1);
}

} // namespace

int main() {
    const char* name = driver::arguments().argv[0];
    driver::Grants grants;
    if (ipc::Error error = driver::claim(grants); error != ipc::Error::ok)
        fail(name, "claiming the grants", error);
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
    if (ipc::Error error = driver::map_granted_ports(grants); error != ipc::Error::ok)
        fail(name, "mapping the ports", error);
    if (!g_serial.start(port, irq, baud, loopback, grants.restarts)) {
        rt_printf("%s: no 16550 at port %x\n", name, port);
        driver::exit(3);
    }
    if (ipc::Error error = driver::attach_irq(irq); error != ipc::Error::ok)
        fail(name, "attaching the IRQ", error);
    if (ipc::Error error = names::register_name(name); error != ipc::Error::ok)
        fail(name, "registering the name", error);
    bool console = driver::has_argument("console");
    if (console) {
        if (ipc::Error error = names::register_name("console"); error != ipc::Error::ok)
            fail(name, "registering \"console\"", error);
    }
    rt_printf("%s: 16550 at port %x, irq %u, %u baud%s%s; serving (restart %u)\n", name, port, irq,
              baud, loopback ? ", loopback" : "", console ? ", the console" : "", grants.restarts);
    ipc::Dispatcher<serial::Serial> dispatcher(g_serial, kRoutes, &on_kernel);
    driver::serve(dispatcher, g_serial, &busy, &poll, kPollUs);
}
