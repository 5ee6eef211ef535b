// The serial driver's protocol: a 16550 UART as a byte stream, buffered both ways
// (servers/drivers/serial/README.md). This header is the documentation of the server and is
// shared by the driver and its clients (client.h). Requests are IPC calls in the shape of
// lib/ipc; the driver registers its module's name with proc's name service (e.g. "com2"),
// and "console" too when its line says `console`.
//
// Bytes travel in the messages: up to kChunkBytes per request or reply. The driver is one
// thread that serves its clients and its interrupt; nothing a client does blocks it: replies
// that must wait (a read with nothing to read, a write with no room, a flush) are deferred and
// sent with a zero timeout when they can be answered, so a client bounds every call with its
// own timeout, and one that gave up costs nothing (a deferred read's bytes leave the buffer
// only when its reply got through; a read answered at once, like any reply, is lost with a
// client that died meanwhile).
#pragma once

#include <stdint.h>

#include "lib/ipc/message.h"

namespace serial {

enum Label : uint32_t {
    kSerialWrite = 0x0400,
    kSerialRead = 0x0401,
    kSerialStatistics = 0x0402,
    kSerialFlush = 0x0403,
};

constexpr uint32_t kChunkBytes = 240;
constexpr uint32_t kMaxWaiting = 8; // deferred requests of each kind (readers, writers, flushes)

// Queues bytes[0..count) for transmission. Takes as many as the transmit buffer has room for
// and answers at once with that number (at least 1) — or, with no room at all, answers when
// there is room (deferred). count 0: answered at once with 0.
// Errors: invalid_argument (count > kChunkBytes); busy (kMaxWaiting writers wait already).
struct WriteReply {
    uint32_t accepted;
};
struct WriteRequest {
    static constexpr uint32_t kLabel = kSerialWrite;
    using Reply = WriteReply;
    uint32_t count;
    uint8_t bytes[kChunkBytes];
};
static_assert(ipc::wire_words<WriteRequest> == 61);
static_assert(ipc::wire_words<WriteReply> == 1);

constexpr uint32_t kReadWait = 1u; // ReadRequest::options: wait for at least one byte

// Up to `max` (<= kChunkBytes) received bytes, oldest first. With nothing received: count 0 at
// once, or — with kReadWait — the reply waits until a byte arrives (bound it with the call's
// timeout). A thread's new read replaces one it left waiting.
// Errors: invalid_argument (max 0 or > kChunkBytes, unknown option bits); busy (kMaxWaiting
// readers wait already).
struct ReadReply {
    uint32_t count;
    uint8_t bytes[kChunkBytes];
};
struct ReadRequest {
    static constexpr uint32_t kLabel = kSerialRead;
    using Reply = ReadReply;
    uint32_t max;
    uint32_t options;
};
static_assert(ipc::wire_words<ReadRequest> == 2);
static_assert(ipc::wire_words<ReadReply> == 61);

// Answers when every byte written before it has left the UART (transmit buffer and FIFO empty).
// Errors: busy (kMaxWaiting flushes wait already).
struct FlushRequest {
    static constexpr uint32_t kLabel = kSerialFlush;
    using Reply = ipc::Empty;
};
static_assert(ipc::wire_words<FlushRequest> == 0);

// Counters since this instance started; anyone may ask. Never fails.
struct StatisticsReply {
    uint32_t interrupts;      // interrupt messages handled (each acknowledged)
    uint32_t rx_bytes;        // received from the UART
    uint32_t tx_bytes;        // written to the UART
    uint32_t overruns;        // bytes the UART lost (LSR overrun error): should stay 0
    uint32_t line_errors;     // parity, framing, break
    uint32_t rx_throttled;    // times reception was paused because the receive buffer was full
    uint32_t rx_buffered;     // bytes waiting to be read
    uint32_t tx_buffered;     // bytes waiting to be sent
    uint32_t readers_waiting; // deferred reads
    uint32_t writers_waiting; // deferred writes
    uint32_t port;            // the UART's base port
    uint32_t irq;             // its IRQ line
    uint32_t restarts;        // proc's count of restarts of this driver before this instance
    uint32_t polls;           // watchdog polls (transmission in flight, no message for 10 ms)
    uint32_t stalls;          // polls that found work an interrupt should have announced
};
struct StatisticsRequest {
    static constexpr uint32_t kLabel = kSerialStatistics;
    using Reply = StatisticsReply;
};
static_assert(ipc::wire_words<StatisticsRequest> == 0);
static_assert(ipc::wire_words<StatisticsReply> == 15);

} // namespace serial
