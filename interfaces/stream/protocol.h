// The stream interface (README.md): bytes in and out, buffered by the server. The serial
// driver (a 16550 UART) and the VGA console serve it, pipes and terminals will; client.h is the
// client, newlib's write(1)/read(0) speak it in C (wire.h). Requests are IPC calls in the shape
// of lib/ipc. What follows is the serial driver's behaviour, the reference for every server;
// interfaces/console/protocol.h says where the console differs.
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

#include "interfaces/labels.h"
#include "interfaces/stream/wire.h"
#include "lib/ipc/message.h"

namespace stream {

enum Label : uint32_t {
    kStreamWrite = AXO_STREAM_WRITE,
    kStreamRead = AXO_STREAM_READ,
    kStreamFlush = AXO_STREAM_FLUSH,
};
static_assert(labels::all_in(AXO_LABELS_STREAM_FIRST, AXO_LABELS_STREAM_LAST,
                             {kStreamWrite, kStreamRead, kStreamFlush}));

constexpr uint32_t kChunkBytes = AXO_STREAM_CHUNK_BYTES;
constexpr uint32_t kMaxWaiting = 8; // deferred requests of each kind (readers, writers, flushes)

// Queues bytes[0..count) for transmission. Takes as many as the transmit buffer has room for
// and answers at once with that number (at least 1) — or, with no room at all, answers when
// there is room (deferred; the bytes are taken only if that reply gets through). count 0:
// answered at once with 0.
// Errors: invalid_argument (count > kChunkBytes); busy (kMaxWaiting writers wait already).
struct WriteReply {
    uint32_t accepted;
};
struct WriteRequest {
    static constexpr uint32_t kLabel = kStreamWrite;
    using Reply = WriteReply;
    uint32_t count;
    uint8_t bytes[kChunkBytes];
};
static_assert(ipc::wire_words<WriteRequest> == AXO_STREAM_CHUNK_WORDS);
static_assert(ipc::wire_words<WriteReply> == 1);

constexpr uint32_t kReadWait =
    AXO_STREAM_READ_WAIT; // ReadRequest::options: wait for at least one byte

// Up to `max` (<= kChunkBytes) received bytes, oldest first. With nothing received: count 0 at
// once, or — with kReadWait — the reply waits until a byte arrives (bound it with the call's
// timeout). Any new request of a thread cancels a read it left waiting.
// Errors: invalid_argument (max 0 or > kChunkBytes, unknown option bits); busy (kMaxWaiting
// readers wait already).
struct ReadReply {
    uint32_t count;
    uint8_t bytes[kChunkBytes];
};
struct ReadRequest {
    static constexpr uint32_t kLabel = kStreamRead;
    using Reply = ReadReply;
    uint32_t max;
    uint32_t options;
};
static_assert(ipc::wire_words<ReadRequest> == 2);
static_assert(ipc::wire_words<ReadReply> == AXO_STREAM_CHUNK_WORDS);

// Answers when every byte written before it has left the UART (transmit buffer and FIFO empty).
// Errors: busy (kMaxWaiting flushes wait already).
struct FlushRequest {
    static constexpr uint32_t kLabel = kStreamFlush;
    using Reply = ipc::Empty;
};
static_assert(ipc::wire_words<FlushRequest> == 0);

} // namespace stream
