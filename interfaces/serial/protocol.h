// The serial driver's own requests (README.md), on top of the stream interface it serves
// (interfaces/stream/protocol.h): a 16550 UART, buffered both ways. The driver registers its
// module's name with the name service (e.g. "com2"), and "console" too when its line says
// `console`.
#pragma once

#include <stdint.h>

#include "interfaces/labels.h"
#include "interfaces/stream/protocol.h"
#include "lib/ipc/message.h"

namespace serial {

// The byte stream (interfaces/stream/protocol.h).
using stream::FlushRequest;
using stream::kChunkBytes;
using stream::kMaxWaiting;
using stream::kReadWait;
using stream::ReadReply;
using stream::ReadRequest;
using stream::WriteReply;
using stream::WriteRequest;

enum Label : uint32_t {
    kSerialStatistics = AXO_LABELS_SERIAL_FIRST + 0,
};
static_assert(labels::all_in(AXO_LABELS_SERIAL_FIRST, AXO_LABELS_SERIAL_LAST, {kSerialStatistics}));

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
