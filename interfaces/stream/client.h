// Client calls of the stream interface (protocol.h) on the kernel, for a known server thread
// (look it up with lib/names: names::lookup("console", server)). Every call is bounded by
// `timeout` per phase; a driver that dies during a call gives server_gone at once (the
// kernel aborts the call), never a hang — look the name up again and retry.
#pragma once

#include <stdint.h>

#include "interfaces/stream/protocol.h"
#include "lib/ipc/kernel.h"

namespace stream::client {

// Queues up to kChunkBytes; `accepted` says how many were taken (waits for room if none).
inline ipc::Error write(axo_thread_id_t server, const uint8_t* bytes, uint32_t count,
                        uint32_t& accepted, axo_timeout_t timeout) {
    WriteRequest request;
    request.count = count < kChunkBytes ? count : kChunkBytes;
    memcpy(request.bytes, bytes, request.count);
    WriteReply reply{};
    ipc::Error error = ipc::call(server, request, reply, timeout);
    accepted = error == ipc::Error::ok ? reply.accepted : 0;
    return error;
}

// All `count` bytes, in chunks; stops at the first error.
inline ipc::Error write_all(axo_thread_id_t server, const uint8_t* bytes, uint32_t count,
                            axo_timeout_t timeout) {
    while (count > 0) {
        uint32_t accepted = 0;
        if (ipc::Error error = write(server, bytes, count, accepted, timeout);
            error != ipc::Error::ok)
            return error;
        if (accepted > count) return ipc::Error::bad_message;
        bytes += accepted;
        count -= accepted;
    }
    return ipc::Error::ok;
}

// Up to `max` bytes into `out` (`count` of them); with `wait`, until at least one came.
inline ipc::Error read(axo_thread_id_t server, uint8_t* out, uint32_t max, bool wait,
                       uint32_t& count, axo_timeout_t timeout) {
    ReadRequest request{max < kChunkBytes ? max : kChunkBytes, wait ? kReadWait : 0};
    ReadReply reply;
    ipc::Error error = ipc::call(server, request, reply, timeout);
    count = 0;
    if (error != ipc::Error::ok) return error;
    if (reply.count > request.max) return ipc::Error::bad_message;
    memcpy(out, reply.bytes, reply.count);
    count = reply.count;
    return ipc::Error::ok;
}

inline ipc::Error flush(axo_thread_id_t server, axo_timeout_t timeout) {
    ipc::Empty reply;
    return ipc::call(server, FlushRequest{}, reply, timeout);
}

} // namespace stream::client
