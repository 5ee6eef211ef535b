// The deferred reads of a byte-stream driver (the stream protocol of
// interfaces/stream/protocol.h, which the serial and the VGA console driver serve): a read
// is answered at once when bytes are there or the caller does not wait, else it waits in a
// queue, oldest first, until bytes arrive. A thread that calls again gave up its earlier read.
// Bytes leave the ring only when a deferred reply got through (`answer`); a read answered at
// once takes them with it (its reply is the dispatcher's).
//
//   driver::StreamReaders<ReadRequest, kReadWait, kMaxWaiting> readers;
//   ipc::Error read(from, request, reply) { return readers.read(m_rx, from, request, reply); }
//   // when bytes arrived:
//   readers.answer(m_rx, &ipc::send_reply<ReadReply>);     // lib/ipc/kernel.h
//
// `Request` has `max` and `options`; its `Reply` has `count` and `bytes[]` (whose size bounds
// `max`). Pure (the reply is sent by the caller's function); tested on the host
// (tests/unit/driver_stream_readers_test.cc).
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"
#include "lib/driver/ring.h"
#include "lib/ipc/dispatcher.h"
#include "lib/ipc/pending_requests.h"

namespace driver {

// The waiting reads are lib/ipc's pending requests: one per thread, a thread's next request
// cancels it (call `cancel` from the dispatcher's request hook), bytes are committed (dropped
// from the ring) only when the reply got through.
template <class Request, uint32_t kWaitOption, uint32_t kMax> class StreamReaders {
public:
    using Reply = typename Request::Reply;
    static constexpr uint32_t kChunk = sizeof(Reply::bytes);

    constexpr explicit StreamReaders(ipc::Liveness liveness = {}) : m_waiting(liveness) {}

    uint32_t count() const { return m_waiting.count(); }

    // `thread` made another request: its waiting read, if any, is given up.
    void cancel(axo_thread_id_t thread) { (void)m_waiting.cancel(thread); }

    // The read request: invalid_argument (max 0 or over a reply's bytes, unknown options);
    // ok with up to `max` bytes taken from `ring` (none there and no wait: count 0); kNoReply
    // when it waits; busy when kMax wait already (and all their threads live).
    template <uint32_t N>
    ipc::Error read(Ring<N>& ring, axo_thread_id_t from, const Request& request, Reply& reply) {
        if (request.max == 0 || request.max > kChunk || (request.options & ~kWaitOption) != 0)
            return ipc::Error::invalid_argument;
        m_waiting.cancel(from);
        if (!ring.empty() || (request.options & kWaitOption) == 0) {
            reply.count = ring.peek(reply.bytes, request.max);
            ring.drop(reply.count);
            return ipc::Error::ok;
        }
        if (m_waiting.defer(from, Waiting{request.max}) != ipc::Error::ok) return ipc::Error::busy;
        return ipc::kNoReply;
    }

    // Answers waiting readers in the order they came while `ring` has bytes. `send(thread,
    // reply)` returns whether the reply got through; only then do its bytes leave the ring (a
    // reader that gave up or died loses its place, not the bytes).
    template <uint32_t N, class Send> void answer(Ring<N>& ring, Send send) {
        while (!m_waiting.empty() && !ring.empty()) {
            Reply reply;
            reply.count = ring.peek(reply.bytes, m_waiting.at(0).payload.max);
            m_waiting.answer(
                m_waiting.at(0).ticket,
                [&](axo_thread_id_t thread, const Waiting&) {
                    return send(thread, static_cast<const Reply&>(reply));
                },
                [&](const Waiting&) { ring.drop(reply.count); });
        }
    }

private:
    struct Waiting {
        uint32_t max;
    };

    ipc::PendingRequests<Waiting, kMax> m_waiting;
};

} // namespace driver
