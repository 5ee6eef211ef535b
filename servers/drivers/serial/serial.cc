#include "servers/drivers/serial/serial.h"

#include "rt/rt.h"

#include "lib/ipc/kernel.h"

namespace serial {
namespace {

// A bound on the registers read per interrupt: a device that never clears its interrupt
// (a broken or emulated-wrong UART) cannot keep the driver from its clients.
constexpr uint32_t kMaxRounds = 64;
constexpr uint8_t kScratchProbe = 0x5A;

} // namespace

bool Serial::start(uint16_t port, uint32_t irq, uint32_t baud, bool loopback, uint32_t restarts) {
    m_port = port;
    m_irq = irq;
    m_stats = {};
    m_stats.port = port;
    m_stats.irq = irq;
    m_stats.restarts = restarts;

    // Everything is re-read from the device: a restarted driver finds the UART as its
    // predecessor left it, with interrupts perhaps enabled and bytes in the FIFOs.
    out(reg::kInterruptEnable, 0);
    out(reg::kScratch, kScratchProbe);
    if (in(reg::kScratch) != kScratchProbe) return false;
    uint32_t divisor = baud == 0 || baud > kClockHz ? 1 : kClockHz / baud;
    out(reg::kLineControl, kLcrDlab);
    out(reg::kData, static_cast<uint8_t>(divisor & 0xFF));
    out(reg::kInterruptEnable, static_cast<uint8_t>(divisor >> 8));
    out(reg::kLineControl, kLcr8N1);
    out(reg::kFifoControl, kFcrEnable | kFcrClearRx | kFcrClearTx | kFcrTrigger8);
    out(reg::kModemControl, kMcrDtr | kMcrRts | kMcrOut2 | (loopback ? kMcrLoop : 0));
    // Clear what may be pending: line status, received data, interrupt id, modem status.
    for (uint32_t i = 0; i < kFifoBytes && (in(reg::kLineStatus)&kLsrData); ++i)
        (void)in(reg::kData);
    (void)in(reg::kInterruptId);
    (void)in(reg::kModemStatus);
    set_ier(kIerReceive | kIerLineStatus);
    return true;
}

void Serial::set_ier(uint8_t ier) {
    if (ier == m_ier) return;
    m_ier = ier;
    out(reg::kInterruptEnable, ier);
}

void Serial::line_status(uint8_t lsr) {
    if (lsr & kLsrOverrun) ++m_stats.overruns;
    if (lsr & (kLsrParity | kLsrFraming | kLsrBreak)) ++m_stats.line_errors;
}

void Serial::receive() {
    for (;;) {
        uint8_t lsr = in(reg::kLineStatus);
        line_status(lsr);
        if ((lsr & kLsrData) == 0) break;
        if (m_rx.full()) {
            // No room: stop taking interrupts for received data. The bytes stay in the UART's
            // FIFO, the UART stops taking more from the line (an emulator stops reading its
            // backend), and a read that makes room turns reception on again.
            if (!m_rx_paused) ++m_stats.rx_throttled;
            m_rx_paused = true;
            set_ier(m_ier & ~kIerReceive);
            return;
        }
        m_rx.put(in(reg::kData));
        ++m_stats.rx_bytes;
    }
}

void Serial::transmit() {
    if ((in(reg::kLineStatus)&kLsrThrEmpty) == 0) return;
    // THRE with the FIFO on: the whole transmit FIFO is empty.
    for (uint32_t i = 0; i < kFifoBytes && !m_tx.empty(); ++i) {
        out(reg::kData, m_tx.get());
        ++m_stats.tx_bytes;
    }
    // Keep the transmit interrupt while bytes wait, and while a flush waits for the FIFO to
    // empty: the interrupt that says so answers it.
    bool wanted = !m_tx.empty() || !m_flushers.empty();
    set_ier(wanted ? (m_ier | kIerTransmit) : (m_ier & ~kIerTransmit));
}

bool Serial::transmit_done() const {
    return m_tx.empty() && (in(reg::kLineStatus)&kLsrThrEmpty) != 0;
}

void Serial::interrupt() {
    for (uint32_t round = 0; round < kMaxRounds; ++round) {
        uint8_t iir = in(reg::kInterruptId);
        if (iir & kIirNone) break;
        switch (iir & kIirMask) {
        case kIirLine:
            line_status(in(reg::kLineStatus));
            break;
        case kIirReceive:
        case kIirTimeout:
            receive();
            if (m_rx_paused) {
                // Receive interrupts are off now; the condition stays until read.
                transmit();
                answer_waiting();
                return;
            }
            break;
        case kIirTransmit:
            transmit();
            break;
        case kIirModem:
        default:
            (void)in(reg::kModemStatus);
            break;
        }
    }
    answer_waiting();
}

void Serial::poll() {
    ++m_stats.polls;
    uint8_t lsr = in(reg::kLineStatus);
    if ((!m_tx.empty() && (lsr & kLsrThrEmpty)) || (!m_rx_paused && (lsr & kLsrData)))
        ++m_stats.stalls;
    receive();
    transmit();
    answer_waiting();
}

void Serial::answer_waiting() {
    // Readers: each gets what is there, in the order they came.
    m_readers.answer(m_rx, &ipc::send_reply<ReadReply>);
    resume_receive();
    // Writers: the oldest first, each as far as there is room.
    // A writer that gave up or died: its bytes are not sent (it never learnt they were taken,
    // and would send them again).
    while (!m_writers.empty() && m_tx.room() > 0) {
        const Writer& oldest = m_writers.at(0).payload;
        uint32_t room = m_tx.room();
        uint32_t accepted = oldest.count < room ? oldest.count : room;
        (void)m_writers.answer(
            m_writers.at(0).ticket,
            [accepted](axo_thread_id_t client, const Writer&) {
                return ipc::send_reply(client, WriteReply{accepted});
            },
            [this, accepted](const Writer& writer) {
                (void)m_tx.put(writer.bytes, accepted);
                transmit();
            });
    }
    if (!m_flushers.empty() && transmit_done()) {
        while (!m_flushers.empty())
            (void)m_flushers.answer(m_flushers.at(0).ticket,
                                    [](axo_thread_id_t client, const ipc::Empty&) {
                                        return ipc::send_reply(client, ipc::Empty{});
                                    });
        set_ier(m_ier & ~kIerTransmit);
    }
}

ipc::Error Serial::write(axo_thread_id_t from, const WriteRequest& request, WriteReply& reply) {
    if (request.count > kChunkBytes) return ipc::Error::invalid_argument;
    if (request.count == 0 || m_tx.room() > 0) {
        reply.accepted = m_tx.put(request.bytes, request.count);
        transmit();
        return ipc::Error::ok;
    }
    Writer writer;
    writer.count = request.count;
    memcpy(writer.bytes, request.bytes, request.count);
    if (m_writers.defer(from, writer) != ipc::Error::ok) return ipc::Error::busy;
    return ipc::kNoReply;
}

ipc::Error Serial::read(axo_thread_id_t from, const ReadRequest& request, ReadReply& reply) {
    // The dispatcher's reply cannot fail unnoticed here: a client that left is gone for good,
    // and the bytes it was sent are lost with it, as with any reader that dies.
    ipc::Error error = m_readers.read(m_rx, from, request, reply);
    if (error == ipc::Error::ok) resume_receive();
    return error;
}

// A read made room: reception, paused by a full receive buffer, goes on at half empty.
void Serial::resume_receive() {
    if (m_rx_paused && m_rx.room() >= m_rx.kCapacity / 2) {
        m_rx_paused = false;
        set_ier(m_ier | kIerReceive);
        receive();
    }
}

ipc::Error Serial::flush(axo_thread_id_t from) {
    transmit();
    if (transmit_done()) return ipc::Error::ok;
    if (m_flushers.defer(from, ipc::Empty{}) != ipc::Error::ok) return ipc::Error::busy;
    // The transmit interrupt that says the FIFO is empty answers it (transmit() keeps it on).
    set_ier(m_ier | kIerTransmit);
    return ipc::kNoReply;
}

void Serial::statistics(StatisticsReply& reply) const {
    reply = m_stats;
    reply.interrupts = interrupts.total;
    reply.rx_buffered = m_rx.size();
    reply.tx_buffered = m_tx.size();
    reply.readers_waiting = m_readers.count();
    reply.writers_waiting = m_writers.count();
}

} // namespace serial
