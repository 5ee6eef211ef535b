// The 16550 UART driver's state and logic (README.md): ring buffers both ways, the interrupt
// handler, and the protocol's handlers with their deferred replies.
#pragma once

#include <stdint.h>

#include "interfaces/serial/protocol.h"
#include "lib/driver/driver.h"
#include "lib/driver/ring.h"
#include "lib/driver/stream_readers.h"
#include "lib/ipc/kernel.h"
#include "lib/ipc/pending_requests.h"

namespace serial {

// 16550 registers, offsets from the base port (National Semiconductor PC16550D datasheet).
namespace reg {
constexpr uint16_t kData = 0;            // RBR (read) / THR (write); DLL with LCR.DLAB
constexpr uint16_t kInterruptEnable = 1; // IER; DLM with LCR.DLAB
constexpr uint16_t kInterruptId = 2;     // IIR (read)
constexpr uint16_t kFifoControl = 2;     // FCR (write)
constexpr uint16_t kLineControl = 3;     // LCR
constexpr uint16_t kModemControl = 4;    // MCR
constexpr uint16_t kLineStatus = 5;      // LSR
constexpr uint16_t kModemStatus = 6;     // MSR
constexpr uint16_t kScratch = 7;         // SCR
} // namespace reg

constexpr uint8_t kIerReceive = 0x01;    // ERBFI: received data available (and timeout)
constexpr uint8_t kIerTransmit = 0x02;   // ETBEI: transmit holding register empty
constexpr uint8_t kIerLineStatus = 0x04; // ELSI
constexpr uint8_t kIirNone = 0x01;       // no interrupt pending
constexpr uint8_t kIirMask = 0x0E;
constexpr uint8_t kIirModem = 0x00;
constexpr uint8_t kIirTransmit = 0x02;
constexpr uint8_t kIirReceive = 0x04;
constexpr uint8_t kIirLine = 0x06;
constexpr uint8_t kIirTimeout = 0x0C;
constexpr uint8_t kFcrEnable = 0x01, kFcrClearRx = 0x02, kFcrClearTx = 0x04;
constexpr uint8_t kFcrTrigger8 = 0x80; // receive interrupt at 8 bytes in the FIFO
constexpr uint8_t kLcrDlab = 0x80, kLcr8N1 = 0x03;
constexpr uint8_t kMcrDtr = 0x01, kMcrRts = 0x02, kMcrOut2 = 0x08, kMcrLoop = 0x10;
constexpr uint8_t kLsrData = 0x01, kLsrOverrun = 0x02, kLsrParity = 0x04, kLsrFraming = 0x08,
                  kLsrBreak = 0x10, kLsrThrEmpty = 0x20, kLsrIdle = 0x40;
constexpr uint32_t kFifoBytes = 16;
constexpr uint32_t kClockHz = 115200; // the divisor's base: 1.8432 MHz / 16

class Serial {
public:
    // Programs the UART at `port` for `baud`, 8N1, FIFOs on, loopback if asked. False if no
    // 16550 answers there (the scratch register does not keep a value).
    bool start(uint16_t port, uint32_t irq, uint32_t baud, bool loopback, uint32_t restarts);

    // One interrupt message: everything the UART has pending is handled (registers read until
    // IIR says none), then waiting clients are answered.
    void interrupt();
    // The watchdog (driver::serve): whether transmission is in flight, and a poll of the UART
    // as if it had interrupted.
    bool busy() const { return !m_tx.empty() || !m_flushers.empty() || !m_writers.empty(); }
    void poll();

    ipc::Error write(axo_thread_id_t from, const WriteRequest& request, WriteReply& reply);
    ipc::Error read(axo_thread_id_t from, const ReadRequest& request, ReadReply& reply);
    // Any request from `from` (the dispatcher's request hook): a read, write or flush it left
    // waiting was given up, and is never answered (nor carried out) now.
    void cancel_requests_of(axo_thread_id_t from) {
        m_readers.cancel(from);
        (void)m_writers.cancel(from);
        (void)m_flushers.cancel(from);
    }
    ipc::Error flush(axo_thread_id_t from);
    void statistics(StatisticsReply& reply) const;

    driver::Interrupts interrupts;

private:
    struct Writer {
        uint32_t count;
        uint8_t bytes[kChunkBytes];
    };

    uint8_t in(uint16_t offset) const {
        return driver::inb(static_cast<uint16_t>(m_port + offset));
    }
    void out(uint16_t offset, uint8_t value) const {
        driver::outb(static_cast<uint16_t>(m_port + offset), value);
    }
    void set_ier(uint8_t ier);
    void line_status(uint8_t lsr);
    void receive();
    void transmit();
    void answer_waiting();
    void resume_receive();
    bool transmit_done() const;

    uint16_t m_port = 0;
    uint32_t m_irq = 0;
    uint8_t m_ier = 0;
    bool m_rx_paused = false;
    driver::Ring<16384> m_rx;
    driver::Ring<16384> m_tx;
    driver::StreamReaders<ReadRequest, kReadWait, kMaxWaiting> m_readers{ipc::kernel_liveness()};
    // Deferred writes and flushes (lib/ipc/pending_requests.h): a write's bytes are queued only
    // when its reply got through.
    ipc::PendingRequests<Writer, kMaxWaiting> m_writers{ipc::kernel_liveness()};
    ipc::PendingRequests<ipc::Empty, kMaxWaiting> m_flushers{ipc::kernel_liveness()};
    StatisticsReply m_stats{};
};

} // namespace serial
