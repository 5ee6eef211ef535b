// e1000: the Intel 82540EM driver (README.md, protocol.h). Its boot line names the device, and
// proc grants it the device's BARs and IRQ line as the pci driver reported them, e.g.
//   e1000 name=eth0 pci=8086:100e.1 on-exit=restart [selfcheck]
// It claims them, maps BAR0 (the registers), takes two DMA blocks (the rings and their buffers;
// the clients' areas), resets the device, registers its name and serves protocol.h and its
// interrupt on its one thread. A restarted instance finds the same DMA blocks and resets the
// device again: all its state is re-read from the device or rebuilt.
#include "rt/rt.h"

#include "interfaces/nic/protocol.h"
#include "lib/driver/client_gate.h"
#include "lib/driver/driver.h"
#include "lib/ipc/kernel.h"
#include "lib/ipc/pending_requests.h"
#include "lib/ipc/session_kernel.h"
#include "lib/names/names.h"
#include "servers/drivers/e1000/registers.h"

namespace {

using namespace e1000;

constexpr uint32_t kMmioLog2 = 17; // BAR0: 128 KiB of registers
constexpr uint32_t kMmioAddress = driver::kDeviceArea;
constexpr uint32_t kRingsLog2 = 17; // DMA block 0: descriptors and buffers
constexpr uint32_t kRingsAddress = driver::kDeviceArea + 0x00100000;
constexpr uint32_t kAreasLog2 = 16; // DMA block 1: kMaxClients areas of kAreaBytes
constexpr uint32_t kAreasAddress = driver::kDeviceArea + 0x00200000;
static_assert(kMaxClients * kAreaBytes == 1u << kAreasLog2);
constexpr uint32_t kBufferBytes = 2048;
constexpr uint32_t kLinkWaitMs = 3000;
// Offsets in block 0.
constexpr uint32_t kRxRing = 0, kTxRing = 1024, kRxBuffers = 4096,
                   kTxBuffers = kRxBuffers + kRxDescriptors * kBufferBytes;
static_assert(kTxBuffers + kTxDescriptors * kBufferBytes <= 1u << kRingsLog2);
static_assert(kRxDescriptors * 16 % 128 == 0 && kTxDescriptors * 16 % 128 == 0);

// A deferred receive: where in whose area the frame goes.
struct Receive {
    uint32_t slot;
    uint32_t offset;
};

struct Nic {
    volatile uint32_t* mmio = nullptr;
    uint8_t* rings = nullptr;
    uint32_t rings_physical = 0;
    reg::RxDescriptor* rx = nullptr;
    reg::TxDescriptor* tx = nullptr;
    uint32_t rx_next = 0; // the next descriptor the device fills
    uint32_t tx_tail = 0, tx_clean = 0;
    // Attached threads, each with its area; when all are taken, attach says no_space (after
    // reclaiming the areas of threads that are gone).
    ipc::Sessions<kMaxClients> sessions{kAreaLog2, ipc::WhenFull::refuse};
    // Deferred receives, oldest first: one per thread, a frame leaves the ring only when the
    // reply got through.
    ipc::PendingRequests<Receive, kMaxClients> receivers;
    driver::Interrupts interrupts;
    StatisticsReply stats{};

    uint32_t read(uint32_t r) const { return mmio[r / 4]; }
    void write(uint32_t r, uint32_t value) { mmio[r / 4] = value; }
    uint8_t* area(uint32_t slot) { return sessions.buffer(slot); }
    uint8_t* rx_buffer(uint32_t i) { return rings + kRxBuffers + i * kBufferBytes; }
    uint8_t* tx_buffer(uint32_t i) { return rings + kTxBuffers + i * kBufferBytes; }

    bool reset();
    void read_mac();
    void update_link() { stats.link_up = (read(reg::kStatus) & reg::kStatusLu) ? 1 : 0; }
    void collect_missed() { stats.rx_missed += read(reg::kMpc); }
    void interrupt();
    void reclaim_tx();
    // The next good received frame (errored ones are dropped on the way); nullptr if none.
    reg::RxDescriptor* peek_rx();
    void pop_rx();
    void serve_waiting();
    // Any request from `from` (the dispatcher's request hook): its waiting receive is given up.
    void cancel_requests_of(axo_thread_id_t from) { receivers.cancel(from); }
};

Nic g_nic;

inline void barrier() {
    asm volatile("lock; addl $0, (%%esp)" ::: "memory");
}

bool Nic::reset() {
    write(reg::kImc, 0xFFFFFFFFu);
    write(reg::kCtrl, read(reg::kCtrl) | reg::kCtrlRst);
    // The reset takes about a microsecond; bounded by count, not time.
    bool done = false;
    for (uint32_t i = 0; i < 1000000 && !done; ++i)
        done = (read(reg::kCtrl) & reg::kCtrlRst) == 0;
    if (!done) return false;
    write(reg::kImc, 0xFFFFFFFFu);
    (void)read(reg::kIcr);
    write(reg::kCtrl, (read(reg::kCtrl) | reg::kCtrlSlu | reg::kCtrlAsde) &
                          ~(reg::kCtrlLrst | reg::kCtrlPhyRst));
    read_mac();
    for (uint32_t i = 0; i < 128; ++i)
        write(reg::kMta + 4 * i, 0);
    (void)read(reg::kMpc);

    // Receive: every descriptor but one owned by the device (RDT one behind RDH).
    rx = reinterpret_cast<reg::RxDescriptor*>(rings + kRxRing);
    for (uint32_t i = 0; i < kRxDescriptors; ++i)
        rx[i] = {rings_physical + kRxBuffers + i * kBufferBytes, 0, 0, 0, 0, 0};
    rx_next = 0;
    write(reg::kRdbal, rings_physical + kRxRing);
    write(reg::kRdbah, 0);
    write(reg::kRdlen, kRxDescriptors * sizeof(reg::RxDescriptor));
    write(reg::kRdh, 0);
    write(reg::kRdt, kRxDescriptors - 1);
    write(reg::kRdtr, 0);
    write(reg::kRctl, reg::kRctlEn | reg::kRctlBam | reg::kRctlSecrc);

    tx = reinterpret_cast<reg::TxDescriptor*>(rings + kTxRing);
    for (uint32_t i = 0; i < kTxDescriptors; ++i)
        tx[i] = {rings_physical + kTxBuffers + i * kBufferBytes, 0, 0, 0, reg::kTxDd, 0, 0};
    tx_tail = tx_clean = 0;
    write(reg::kTdbal, rings_physical + kTxRing);
    write(reg::kTdbah, 0);
    write(reg::kTdlen, kTxDescriptors * sizeof(reg::TxDescriptor));
    write(reg::kTdh, 0);
    write(reg::kTdt, 0);
    write(reg::kTctl, reg::kTctlEn | reg::kTctlPsp | reg::kTctlCt | reg::kTctlCold);
    write(reg::kTipg, reg::kTipgValue);

    write(reg::kIms, reg::kIntRxt0 | reg::kIntRxo | reg::kIntRxdmt0 | reg::kIntTxdw | reg::kIntLsc);
    // The link comes up after auto-negotiation (QEMU: 0.5 s after a reset); frames sent before
    // would be lost, so clients are served once it is up, or after kLinkWaitMs anyway.
    for (uint32_t ms = 0; ms < kLinkWaitMs && (read(reg::kStatus) & reg::kStatusLu) == 0; ms += 10)
        axo_ipc_receive(rt_kip()->sigma0, axo_timeout_us(10000)); // σ0 never sends: a sleep
    update_link();
    return true;
}

void Nic::read_mac() {
    uint32_t low = read(reg::kRal0), high = read(reg::kRah0);
    if ((high & reg::kRahAv) == 0) {
        // Not loaded: the first three words of the EEPROM (EERD), then into RAL0/RAH0.
        uint16_t words[3] = {};
        for (uint32_t w = 0; w < 3; ++w) {
            write(reg::kEerd, w << 8 | reg::kEerdStart);
            uint32_t value = 0;
            for (uint32_t i = 0; i < 100000 && (value & reg::kEerdDone) == 0; ++i)
                value = read(reg::kEerd);
            words[w] = static_cast<uint16_t>(value >> 16);
        }
        low = words[0] | uint32_t{words[1]} << 16;
        high = words[2] | reg::kRahAv;
        write(reg::kRal0, low);
        write(reg::kRah0, high);
    }
    for (uint32_t i = 0; i < 4; ++i)
        stats.mac[i] = static_cast<uint8_t>(low >> (8 * i));
    stats.mac[4] = static_cast<uint8_t>(high);
    stats.mac[5] = static_cast<uint8_t>(high >> 8);
}

void Nic::reclaim_tx() {
    while (tx_clean != tx_tail && (tx[tx_clean].status & reg::kTxDd)) {
        ++stats.tx_done;
        tx_clean = (tx_clean + 1) % kTxDescriptors;
    }
}

reg::RxDescriptor* Nic::peek_rx() {
    for (uint32_t guard = 0; guard < kRxDescriptors; ++guard) {
        reg::RxDescriptor& d = rx[rx_next];
        barrier();
        if ((d.status & reg::kRxDd) == 0) return nullptr;
        if ((d.status & reg::kRxEop) && d.errors == 0 && d.length >= kMinFrame &&
            d.length <= kMaxFrame)
            return &d;
        ++stats.rx_errors;
        pop_rx();
    }
    return nullptr;
}

void Nic::pop_rx() {
    rx[rx_next].status = 0;
    barrier();
    write(reg::kRdt, rx_next); // the descriptor goes back to the device
    rx_next = (rx_next + 1) % kRxDescriptors;
}

// Waiting receivers get queued frames, one each, oldest first. A frame leaves the ring only
// when its reply got through.
void Nic::serve_waiting() {
    while (!receivers.empty()) {
        reg::RxDescriptor* d = peek_rx();
        if (d == nullptr) return;
        const auto& oldest = receivers.at(0);
        if (sessions.at(oldest.payload.slot).client != oldest.client) {
            // Its area went to another thread (the waiter died and was reclaimed): not a byte
            // of the frame into someone else's area.
            receivers.client_gone(oldest.client);
            continue;
        }
        uint32_t length = d->length;
        memcpy(area(oldest.payload.slot) + oldest.payload.offset, rx_buffer(rx_next), length);
        receivers.answer(
            oldest.ticket,
            [length](axo_thread_id_t client, const Receive&) {
                return ipc::send_reply(client, ReceiveReply{length});
            },
            [this, length](const Receive&) {
                ++stats.rx_frames;
                stats.rx_bytes += length;
                pop_rx();
            });
    }
}

void Nic::interrupt() {
    for (uint32_t round = 0; round < 16; ++round) {
        uint32_t cause = read(reg::kIcr);
        if (cause == 0) break;
        if (cause & reg::kIntLsc) {
            ++stats.link_changes;
            update_link();
        }
        if (cause & reg::kIntTxdw) reclaim_tx();
        if (cause & reg::kIntRxo) collect_missed();
    }
    serve_waiting();
}

// ---- Requests ---------------------------------------------------------------------------------

// The line's client= words say who may attach (and so send and receive: both need the
// session); anyone may ask for the counters.
driver::ClientGate g_clients;
const char* g_name = "e1000";

ipc::Error on_attach(Nic& nic, axo_thread_id_t from, const AttachRequest&, AttachReply&) {
    if (ipc::Error error = g_clients.check(from, g_name); error != ipc::Error::ok) return error;
    ipc::Sessions<kMaxClients>::Attached attached = nic.sessions.attach(from);
    if (attached.error != ipc::Error::ok) return attached.error;
    AttachReply reply{};
    memcpy(reply.mac, nic.stats.mac, 6);
    reply.link_up = static_cast<uint16_t>(nic.stats.link_up);
    reply.client = attached.slot;
    // The reply with its map item, sent now (the client waits in its call).
    (void)ipc::send_session_buffer(nic.sessions, from, attached, reply, AXO_FPAGE_R | AXO_FPAGE_W);
    return ipc::kNoReply;
}

ipc::Error on_detach(Nic& nic, axo_thread_id_t from, const DetachRequest&, ipc::Empty&) {
    // The area is taken back from everybody it was mapped to; the driver keeps its own mapping.
    return nic.sessions.release(from);
}

ipc::Error on_send(Nic& nic, axo_thread_id_t from, const SendRequest& request, ipc::Empty&) {
    uint32_t index = 0;
    if (nic.sessions.find(from, &index) == nullptr) return ipc::Error::not_found;
    if (request.length < kMinFrame || request.length > kMaxFrame || request.offset > kAreaBytes ||
        request.length > kAreaBytes - request.offset)
        return ipc::Error::invalid_argument;
    nic.reclaim_tx();
    uint32_t next = (nic.tx_tail + 1) % kTxDescriptors;
    if (next == nic.tx_clean) {
        ++nic.stats.tx_busy;
        return ipc::Error::busy;
    }
    uint32_t i = nic.tx_tail;
    memcpy(nic.tx_buffer(i), nic.area(index) + request.offset, request.length);
    reg::TxDescriptor& d = nic.tx[i];
    d.length = static_cast<uint16_t>(request.length);
    d.command = reg::kTxEop | reg::kTxIfcs | reg::kTxRs;
    d.status = 0;
    barrier();
    nic.tx_tail = next;
    nic.write(reg::kTdt, next);
    ++nic.stats.tx_frames;
    nic.stats.tx_bytes += request.length;
    return ipc::Error::ok;
}

ipc::Error on_receive(Nic& nic, axo_thread_id_t from, const ReceiveRequest& request,
                      ReceiveReply& reply) {
    uint32_t index = 0;
    if (nic.sessions.find(from, &index) == nullptr) return ipc::Error::not_found;
    if ((request.options & ~kReceiveWait) != 0 || request.offset > kAreaBytes - kMaxFrame)
        return ipc::Error::invalid_argument;
    reg::RxDescriptor* d = nic.peek_rx();
    if (d == nullptr) {
        if ((request.options & kReceiveWait) == 0) {
            reply.length = 0;
            return ipc::Error::ok;
        }
        // At most one per attached thread, so there is room (the request hook cancelled the
        // thread's earlier one).
        if (nic.receivers.defer(from, Receive{index, request.offset}) != ipc::Error::ok)
            return ipc::Error::busy;
        return ipc::kNoReply;
    }
    memcpy(nic.area(index) + request.offset, nic.rx_buffer(nic.rx_next), d->length);
    reply.length = d->length;
    ++nic.stats.rx_frames;
    nic.stats.rx_bytes += d->length;
    nic.pop_rx();
    return ipc::Error::ok;
}

ipc::Error on_statistics(Nic& nic, axo_thread_id_t, const StatisticsRequest&,
                         StatisticsReply& reply) {
    nic.collect_missed();
    nic.update_link();
    // Descriptors the device finished since the last TXDW interrupt (the device delays that
    // interrupt): counted now, so that tx_done does not lag behind a sender that just ended.
    nic.reclaim_tx();
    nic.stats.interrupts = nic.interrupts.total;
    nic.stats.clients = nic.sessions.count();
    nic.stats.receivers_waiting = nic.receivers.count();
    reply = nic.stats;
    return ipc::Error::ok;
}

ipc::Outcome on_kernel(Nic& nic, axo_thread_id_t from, ipc::Message& message) {
    uint32_t line = 0;
    if (!driver::interrupt_line(from, message, line)) return ipc::Outcome::no_reply;
    nic.interrupts.note(line);
    nic.interrupt();
    return driver::acknowledge(message);
}

constexpr ipc::Route<Nic> kRoutes[] = {
    ipc::route<&on_attach>(),  ipc::route<&on_detach>(),     ipc::route<&on_send>(),
    ipc::route<&on_receive>(), ipc::route<&on_statistics>(),
};
static_assert(ipc::labels_unique(kRoutes));

[[noreturn]] void fail(const char* name, const char* what, ipc::Error error) {
    rt_printf("%s: %s: %s\n", name, what, ipc::error_name(error));
    driver::exit(1);
}

// Asks for a page just past BAR0 and an IRQ line not granted: both must be refused.
void check_refusals(const char* name, const driver::Grants& grants, uint32_t mmio) {
    ipc::Error memory =
        driver::map_device_memory(mmio + (1u << kMmioLog2), 12, driver::kDeviceArea + 0x00400000);
    uint32_t other = 0;
    for (uint32_t line = 3; line < 16 && other == 0; ++line) {
        bool granted = false;
        for (uint32_t i = 0; i < grants.irq_count; ++i)
            granted |= grants.irqs[i] == line;
        if (!granted) other = line;
    }
    ipc::Error irq = driver::attach_irq(other);
    g_nic.stats.refusals_checked =
        (memory == ipc::Error::no_permission) + (irq == ipc::Error::no_permission);
    rt_printf("%s: outside its grants: memory %x %s, irq %u %s\n", name, mmio + (1u << kMmioLog2),
              ipc::error_name(memory), other, ipc::error_name(irq));
}

} // namespace

int main() {
    const char* name = driver::arguments().argv[0];
    g_name = name;
    driver::Grants grants;
    // Waits (bounded: lib/driver's kClaimWaitUs) until the pci driver has reported the device.
    ipc::Error claimed = driver::claim(grants);
    if (claimed != ipc::Error::ok) fail(name, "claiming the grants", claimed);
    uint32_t mmio = 0;
    for (uint32_t i = 0; i < grants.memory_count && mmio == 0; ++i)
        if (grants.memory[i].last - grants.memory[i].first + 1 == 1u << kMmioLog2)
            mmio = grants.memory[i].first;
    if (mmio == 0 || grants.irq_count == 0) {
        rt_printf("%s: the grants must hold a 128 KiB BAR and an IRQ line (pci=8086:100e)\n", name);
        driver::exit(2);
    }
    uint32_t irq = grants.irqs[grants.irq_count - 1];
    if (ipc::Error error = driver::map_device_memory(mmio, kMmioLog2, kMmioAddress);
        error != ipc::Error::ok)
        fail(name, "mapping BAR0", error);
    uint32_t areas_physical = 0;
    if (ipc::Error error = driver::allocate_dma(0, kRingsLog2, kRingsAddress, g_nic.rings_physical);
        error != ipc::Error::ok)
        fail(name, "allocating the rings", error);
    if (ipc::Error error = driver::allocate_dma(1, kAreasLog2, kAreasAddress, areas_physical);
        error != ipc::Error::ok)
        fail(name, "allocating the client areas", error);
    g_nic.mmio = reinterpret_cast<volatile uint32_t*>(kMmioAddress);
    g_nic.rings = reinterpret_cast<uint8_t*>(kRingsAddress);
    g_nic.sessions.set_host(ipc::kernel_session_host());
    g_nic.sessions.set_buffers(kAreasAddress);
    g_nic.receivers.set_liveness(ipc::kernel_liveness());
    g_nic.stats.irq = irq;
    g_nic.stats.mmio = mmio;
    g_nic.stats.restarts = grants.restarts;
    if (driver::has_argument("selfcheck")) check_refusals(name, grants, mmio);
    if (!g_nic.reset()) {
        rt_printf("%s: the device did not come out of reset\n", name);
        driver::exit(3);
    }
    if (ipc::Error error = driver::attach_irq(irq); error != ipc::Error::ok)
        fail(name, "attaching the IRQ", error);
    const uint8_t* m = g_nic.stats.mac;
    rt_printf("%s: 82540EM at %x, irq %u, mac %02x:%02x:%02x:%02x:%02x:%02x, link %s, rings at "
              "physical %x; serving (restart %u)\n",
              name, mmio, irq, m[0], m[1], m[2], m[3], m[4], m[5],
              g_nic.stats.link_up ? "up" : "down", g_nic.rings_physical, grants.restarts);
    // Registered after the line is in the log: a waiting client may run first, and end the test.
    if (ipc::Error error = names::register_name(name); error != ipc::Error::ok)
        fail(name, "registering the name", error);
    ipc::Dispatcher<Nic> dispatcher(g_nic, kRoutes, &on_kernel, &driver::cancel_requests_of<Nic>);
    ipc::serve(dispatcher);
}
