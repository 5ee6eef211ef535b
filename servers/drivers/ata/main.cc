// ata: the IDE disk driver for the primary channel's master (README.md). Its boot line grants
// the command block, the device control port and IRQ 14, e.g.
//   ata port=0x1f0-0x1f7 port=0x3f6 irq=14 on-exit=restart
// It claims them from proc, takes a DMA block for its clients' buffers, resets the channel,
// identifies the disk, registers its module name and serves protocol.h and its interrupt on
// its one thread.
#include "rt/rt.h"

#include "lib/driver/driver.h"
#include "lib/ipc/kernel.h"
#include "lib/names/names.h"
#include "servers/drivers/ata/ata.h"

namespace {

ata::Ata g_ata;

// The clients' buffers: kMaxBuffers of kBufferBytes in one DMA block (slot 0), physically
// contiguous, so bus-master DMA could later move data straight into them.
constexpr uint32_t kDmaSlot = 0;
constexpr uint32_t kDmaLog2 = 20;
static_assert((1u << kDmaLog2) == ata::kMaxBuffers * ata::kBufferBytes);

ipc::Error on_buffer(ata::Ata& a, axo_thread_id_t from, const ata::BufferRequest&,
                     ata::BufferReply&) {
    return a.buffer(from);
}
ipc::Error on_release(ata::Ata& a, axo_thread_id_t from, const ata::ReleaseRequest&, ipc::Empty&) {
    return a.release(from);
}
ipc::Error on_read(ata::Ata& a, axo_thread_id_t from, const ata::ReadRequest& request,
                   ipc::Empty&) {
    return a.transfer(from, request, false);
}
ipc::Error on_write(ata::Ata& a, axo_thread_id_t from, const ata::WriteRequest& request,
                    ipc::Empty&) {
    return a.transfer(from, request, true);
}
ipc::Error on_flush(ata::Ata& a, axo_thread_id_t, const ata::FlushRequest&, ipc::Empty&) {
    return a.flush();
}
ipc::Error on_info(ata::Ata& a, axo_thread_id_t, const ata::InfoRequest&, ata::InfoReply& reply) {
    a.info(reply);
    return ipc::Error::ok;
}
ipc::Error on_statistics(ata::Ata& a, axo_thread_id_t, const ata::StatisticsRequest&,
                         ata::StatisticsReply& reply) {
    a.statistics(reply);
    return ipc::Error::ok;
}

// Interrupts while a command runs are received by the command itself (Ata::await); one that
// comes here came while none ran.
ipc::Outcome on_kernel(ata::Ata& a, axo_thread_id_t from, ipc::Message& message) {
    uint32_t line = 0;
    if (!driver::interrupt_line(from, message, line)) return ipc::Outcome::no_reply;
    a.spurious_interrupt(line);
    return driver::acknowledge(message);
}

constexpr ipc::Route<ata::Ata> kRoutes[] = {
    ipc::route<&on_buffer>(),     ipc::route<&on_release>(), ipc::route<&on_read>(),
    ipc::route<&on_write>(),      ipc::route<&on_flush>(),   ipc::route<&on_info>(),
    ipc::route<&on_statistics>(),
};
static_assert(ipc::labels_unique(kRoutes));

} // namespace

int main() {
    driver::Grants grants;
    const char* name = driver::start(grants);
    // The command block (8 ports) and the device control port, in either order.
    uint32_t port = 0, control = 0;
    for (uint32_t i = 0; i < grants.port_count && i < 8; ++i) {
        const proc::DevicePortRange& range = grants.ports[i];
        if (range.last - range.first == 7) port = range.first;
        if (range.last == range.first) control = range.first;
    }
    if (grants.port_count != 2 || port == 0 || control == 0 || grants.irq_count != 1) {
        rt_printf("%s: the boot line must grant the command block (port=BASE-BASE+7), the "
                  "device control port (port=N) and one irq=\n",
                  name);
        driver::exit(2);
    }
    uint32_t irq = grants.irqs[0];
    driver::check(name, "mapping the ports", driver::map_granted_ports(grants));
    uint32_t physical = 0;
    uint8_t* buffers = reinterpret_cast<uint8_t*>(driver::kDeviceArea);
    if (ipc::Error error = driver::allocate_dma(kDmaSlot, kDmaLog2, driver::kDeviceArea, physical);
        error != ipc::Error::ok) {
        rt_printf("%s: no DMA block for the buffers (%s): clients get no_memory\n", name,
                  ipc::error_name(error));
        buffers = nullptr;
    }
    driver::check(name, "attaching the IRQ", driver::attach_irq(irq));
    if (!g_ata.start(name, static_cast<uint16_t>(port), static_cast<uint16_t>(control), irq,
                     buffers, grants.restarts))
        driver::exit(3);
    ata::InfoReply info{};
    g_ata.info(info);
    char model[41];
    memcpy(model, info.model, 40);
    model[40] = '\0';
    rt_printf("%s: ATA disk \"%s\" at port %x, irq %u: %u sectors%s, %u per interrupt; buffers "
              "at %x; serving (restart %u)\n",
              name, model, port, irq, info.sectors_low,
              (info.features & ata::kFeatureLba48) != 0 ? ", LBA48" : "", g_ata.block_sectors(),
              physical, grants.restarts);
    // Registered after the line is in the log: a waiting client may run first, and end the test.
    driver::check(name, "registering the name", names::register_name(name));
    ipc::Dispatcher<ata::Ata> dispatcher(g_ata, kRoutes, &on_kernel);
    ipc::serve(dispatcher);
}
