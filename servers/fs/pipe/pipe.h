// A pipe (and a FIFO, a pipe with a name) with POSIX's semantics, as decisions a server without
// threads carries out: every request is answered now (bytes, end of file, an error) or told to
// wait; the server parks a waiting request in lib/ipc's PendingRequests and hands its ticket to
// the pipe (park_…). After every change the pipe says, one at a time in arrival order, which
// parked request can now be answered and with what (next_wake); the server sends that answer
// and, only if it was delivered, commits it (complete), else forgets the waiter (drop). So a
// client that gave up loses its place, never the bytes. answer_wakes (below) is that loop.
//
// Rules (POSIX, as Linux behaves where POSIX leaves a choice):
//  - read: the bytes there are, up to the request (never waits for more once there are some);
//    0 = end of file once no writer is left; empty with writers: wait, or would_block.
//  - write of at most kPipeBuf bytes: all at once or nothing (never interleaved with another
//    writer's bytes); above kPipeBuf: as much as fits now, the count answered (libposix's write
//    loops for the rest); no room: wait, or would_block. No reader: broken_pipe, and the
//    answer asks for SIGPIPE to the writer.
//  - Waiters are served in arrival order per kind: a new request queues behind parked ones of
//    its kind, so a large atomic write is never starved by small ones.
//  - A FIFO's open for reading waits until a writer opens, and vice versa; an open that waits
//    already counts as its end (as in Linux), so the partner's open succeeds at once.
//    O_NONBLOCK: reading opens at once, writing with no reader fails (no_device: ENXIO).
//  - When no end is left, the bytes are discarded (a FIFO opened again starts empty).
//
// The memory for the ring comes from the caller; nothing allocates. Pure logic, no IPC: tested
// on the host (tests/unit/fs_pipe_test.cc, tests/fuzz/pipe_fuzz.cc).
#pragma once

#include <stdint.h>

#include <span>

#include "lib/ipc/error.h"
#include "lib/ipc/pending_requests.h"
#include "lib/readiness/readiness_table.h"

namespace fs {

using ipc::Error;

// The readiness table is lib/readiness's, shared with tty.
using readiness::Interest;
using readiness::kPollAlways;
using readiness::kPollErr;
using readiness::kPollHup;
using readiness::kPollIn;
using readiness::kPollNval;
using readiness::kPollOut;
using readiness::kPollPri;
using readiness::poll_revents;
using readiness::ReadinessNotification;
using readiness::ReadinessObject;
using readiness::ReadinessTable;

constexpr uint32_t kPipeBuf = 4096;       // PIPE_BUF: writes up to this size are atomic
constexpr uint32_t kPipeCapacity = 65536; // the ring every pipe gets (Linux's default size)

enum class PipeEnd : uint8_t { read, write };

// The answer to a request made now.
struct PipeAnswer {
    // The request must wait: defer it (PendingRequests::defer) and park it with its ticket.
    bool wait = false;
    // ok: `count` bytes were read (0: end of file) or written; an open succeeded. Else
    // would_block, broken_pipe, no_device (a FIFO's O_NONBLOCK write open without a reader),
    // busy (a request that must wait but the pipe's table of waiters is full).
    Error error = Error::ok;
    uint32_t count = 0;
    // broken_pipe: ask proc to send SIGPIPE to the writer's process (then answer EPIPE).
    bool sigpipe = false;
};

// A parked request that can be answered now.
struct PipeWake {
    enum class Kind : uint8_t { read, write, open };
    Kind kind = Kind::read;
    ipc::PendingTicket ticket = ipc::kNoTicket;
    Error error = Error::ok; // ok, or broken_pipe (a write)
    // read: the bytes to give (peek them into the reply), 0 = end of file; write: the bytes
    // of the request's data to take (stage them before the reply).
    uint32_t count = 0;
    bool sigpipe = false; // broken_pipe: as PipeAnswer
};

class Pipe {
public:
    static constexpr uint32_t kMaxWaiters = 32;

    // `ring`: at least kPipeBuf bytes (the server gives kPipeCapacity). No end is open.
    explicit Pipe(std::span<uint8_t> ring) { reset(ring); }
    // For a server's static pool: no ring until reset.
    Pipe() = default;
    // Copies would share the ring and the waiters' tickets.
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;
    // A new, empty pipe on `ring` (a pool slot's reuse once unused()): no ends, no waiters, no
    // readiness reports.
    void reset(std::span<uint8_t> ring);

    // ---- Ends: one per open-file description (dup and fork share it; the VFS counts those).
    // An end opened without the FIFO rules: both ends of pipe(), both ends of a FIFO opened
    // O_RDWR (which never waits, as in Linux).
    void open_end(PipeEnd end);
    // The last reference to a description of this end went. Readers parked on an empty pipe
    // then read end of file, parked writers broken_pipe.
    void close_end(PipeEnd end);
    uint32_t readers() const { return m_readers; }
    uint32_t writers() const { return m_writers; }
    // No end and no waiter left: the server may free the pipe and its ring (an anonymous pipe;
    // a FIFO's pipe lives while its inode has open descriptions).
    bool unused() const { return m_readers == 0 && m_writers == 0 && m_waiter_count == 0; }

    // open(2) of a FIFO for one end: ok (the end is open), wait (then park_open), no_device.
    PipeAnswer open_fifo(PipeEnd end, bool nonblocking);
    // The open waits as `ticket`; the end counts as open from now. busy: no room for a waiter.
    Error park_open(ipc::PendingTicket ticket, PipeEnd end);

    // ---- Data
    // read(2) of up to out.size() bytes into `out`: ok with the count (taken from the pipe),
    // wait, would_block.
    PipeAnswer read(std::span<uint8_t> out, bool nonblocking);
    // write(2) of `data`: ok with the count (in the pipe), wait, would_block, broken_pipe.
    PipeAnswer write(std::span<const uint8_t> data, bool nonblocking);
    // The read of up to `max` bytes (the write of `count` bytes) waits as `ticket`.
    // busy: no room for a waiter; invalid_argument: a count of 0.
    Error park_read(ipc::PendingTicket ticket, uint32_t max);
    Error park_write(ipc::PendingTicket ticket, uint32_t count);

    // ---- Waking parked requests
    // The oldest parked request that can be answered now; false if none. Nothing changes until
    // complete or drop: call this again after each of them, until it says false.
    bool next_wake(PipeWake* out) const;
    // A read wake: copies the bytes to give (the first wake.count bytes) into `out`, leaving
    // them in the pipe; how many.
    uint32_t peek(std::span<uint8_t> out) const;
    // A write wake: copies the writer's bytes (wake.count of them) after the pipe's bytes,
    // unpublished: a read sees them only after complete. How many (less only if the span is
    // shorter than the room).
    uint32_t stage(std::span<const uint8_t> data);
    // The wake's answer was delivered: a read takes its bytes, a write publishes what was
    // staged, an open's end stays open. The waiter leaves.
    void complete(const PipeWake& wake);
    // The parked request `ticket` will not be answered (its reply failed, the ticket went
    // stale, the client gave up or died): it leaves; a parked open's end closes again. False
    // if the pipe had no such waiter.
    bool drop(ipc::PendingTicket ticket);
    uint32_t waiting() const { return m_waiter_count; }

    // ---- State
    uint32_t size() const { return m_size; }
    uint32_t room() const { return m_capacity - m_size; }
    uint32_t capacity() const { return m_capacity; }
    // poll's events of an end: read: kPollIn (bytes), kPollHup (no writer); write: kPollOut
    // (room for an atomic write), kPollErr (no reader).
    uint32_t poll(PipeEnd end) const;
    // Reports each end's events to `table` whenever they change (now, and after every change
    // of the pipe), as `read_end` and `write_end`. nullptr: stop.
    void watch(ReadinessTable* table, ReadinessObject read_end, ReadinessObject write_end);

private:
    struct Waiter {
        enum class Kind : uint8_t { read, write, open_read, open_write };
        Kind kind = Kind::read;
        bool partner = false; // an open: the other end has opened since it parked
        ipc::PendingTicket ticket = ipc::kNoTicket;
        uint32_t count = 0;
    };

    bool has_waiter(Waiter::Kind kind) const;
    bool wake_of(const Waiter& waiter, bool first_of_kind, PipeWake* out) const;
    Error park(Waiter waiter);
    void remove(uint32_t index);
    // An end opened: opens of the other end that wait have their partner.
    void partner_arrived(PipeEnd end);
    void copy_in(uint32_t at, std::span<const uint8_t> data);
    void take(std::span<uint8_t> out);
    void changed();

    uint8_t* m_ring = nullptr;
    uint32_t m_capacity = 0;
    uint32_t m_head = 0; // index of the oldest byte
    uint32_t m_size = 0;
    uint32_t m_staged = 0; // bytes after the last that stage() copied, not yet published
    uint32_t m_readers = 0, m_writers = 0;
    Waiter m_waiters[kMaxWaiters];
    uint32_t m_waiter_count = 0;

    ReadinessTable* m_table = nullptr;
    ReadinessObject m_read_object, m_write_object;
    uint32_t m_reported_read = 0, m_reported_write = 0;
};

// The server's wake loop: answers every parked request of `pipe` that can go on, in the pipe's
// order, through `pending` (the table the requests were deferred in; a ticket it no longer
// holds is stale and dropped). `buffer(client)` gives the client's buffer as a
// std::span<uint8_t> (a read's bytes are copied into it, a write's taken from it; the server
// parked no more than it holds); `send(client, const PipeWake&, const Payload&)` sends the reply
// (with a zero send timeout) and says whether it was delivered; `sigpipe(client)` asks for
// SIGPIPE to the client's process; `dropped(const Payload&)` runs after an answer that was not
// delivered was dropped from the pipe (a FIFO open's end is closed again then: the server
// closes the handle it made for it). Only a delivered answer is committed (and only then
// SIGPIPE asked for). How many were delivered.
template <class Payload, uint32_t N, class Buffer, class Send, class Sigpipe, class Dropped>
uint32_t answer_wakes(Pipe& pipe, ipc::PendingRequests<Payload, N>& pending, Buffer&& buffer,
                      Send&& send, Sigpipe&& sigpipe, Dropped&& dropped) {
    uint32_t delivered = 0;
    PipeWake wake;
    while (pipe.next_wake(&wake)) {
        auto* entry = pending.find_ticket(wake.ticket);
        if (entry == nullptr) {
            (void)pipe.drop(wake.ticket);
            continue;
        }
        const axo_thread_id_t client = entry->client;
        if (wake.kind == PipeWake::Kind::read) {
            std::span<uint8_t> to = buffer(client);
            wake.count = pipe.peek(to.first(wake.count < to.size() ? wake.count : to.size()));
        } else if (wake.kind == PipeWake::Kind::write && wake.error == Error::ok) {
            std::span<uint8_t> from = buffer(client);
            wake.count =
                pipe.stage(from.first(wake.count < from.size() ? wake.count : from.size()));
        }
        Payload payload{};
        ipc::Delivery delivery = pending.answer(
            wake.ticket,
            [&](axo_thread_id_t to, const Payload& p) {
                payload = p;
                return send(to, static_cast<const PipeWake&>(wake), p);
            },
            [&](const Payload&) {
                pipe.complete(wake);
                if (wake.sigpipe) sigpipe(client);
            });
        if (delivery == ipc::Delivery::delivered) {
            ++delivered;
        } else {
            (void)pipe.drop(wake.ticket);
            if (delivery == ipc::Delivery::failed) dropped(static_cast<const Payload&>(payload));
        }
    }
    return delivered;
}

// The same for a server that needs neither the payload to answer nor to hear of dropped
// answers: `send(client, const PipeWake&)`.
template <class Payload, uint32_t N, class Buffer, class Send, class Sigpipe>
uint32_t answer_wakes(Pipe& pipe, ipc::PendingRequests<Payload, N>& pending, Buffer&& buffer,
                      Send&& send, Sigpipe&& sigpipe) {
    return answer_wakes(
        pipe, pending, buffer,
        [&](axo_thread_id_t client, const PipeWake& wake, const Payload&) {
            return send(client, wake);
        },
        sigpipe, [](const Payload&) {});
}

} // namespace fs
