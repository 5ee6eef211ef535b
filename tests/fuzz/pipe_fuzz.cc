// The pipe state machine (servers/fs/pipe/pipe.h) against a model: the bytes a pipe must hold
// (a deque), its ends, and the parked requests in arrival order. The input is a program of
// opens, closes, reads, writes, FIFO opens, clients that give up and tickets that go stale,
// driven the way the server drives a pipe (park after wait; after every step the wake loop,
// with replies that fail for clients that gave up). Checked after every step: each answer is
// the one POSIX's rules give for the model's state; bytes come out exactly as committed writes
// put them in (an atomic write whole, a partial one as its first `count` bytes); wakes of one
// kind come in arrival order; and when the wake loop ends no parked request could go on (no
// lost wake-up). Poll registrations on the ends (armed, as the server does, only while not
// ready) are notified whenever their end becomes ready: none stays armed on a ready end.
#include <deque>
#include <vector>

#include "servers/fs/pipe/pipe.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using fs::Pipe;
using fs::PipeAnswer;
using fs::PipeEnd;
using fs::PipeWake;
using ipc::Error;

struct Parked {
    enum Kind { read, write, open_read, open_write } kind;
    ipc::PendingTicket ticket;
    uint32_t count;
    std::vector<uint8_t> data; // a write's
    bool partner;              // an open: the other end opened since
    bool gone;                 // the client gave up: its reply fails
};

struct Model {
    std::deque<uint8_t> bytes;
    uint32_t capacity = 0;
    uint32_t readers = 0, writers = 0;
    std::vector<Parked> parked;
    ipc::PendingTicket next_ticket = 0;
    uint32_t next_write = 0;

    uint32_t room() const { return capacity - static_cast<uint32_t>(bytes.size()); }
    bool has(Parked::Kind kind) const {
        for (const Parked& p : parked)
            if (p.kind == kind) return true;
        return false;
    }
    uint32_t parked_opens(PipeEnd end) const {
        uint32_t n = 0;
        for (const Parked& p : parked)
            n += p.kind == (end == PipeEnd::read ? Parked::open_read : Parked::open_write);
        return n;
    }
    void opened(PipeEnd end) {
        ++(end == PipeEnd::read ? readers : writers);
        for (Parked& p : parked)
            if (p.kind == (end == PipeEnd::read ? Parked::open_write : Parked::open_read))
                p.partner = true;
    }
    void closed(PipeEnd end) {
        --(end == PipeEnd::read ? readers : writers);
        if (readers == 0 && writers == 0) bytes.clear();
    }
    size_t index_of(ipc::PendingTicket ticket) const {
        for (size_t i = 0; i < parked.size(); ++i)
            if (parked[i].ticket == ticket) return i;
        return parked.size();
    }
};

void check_state(const Pipe& pipe, const Model& m) {
    FUZZ_CHECK(pipe.size() == m.bytes.size());
    FUZZ_CHECK(pipe.readers() == m.readers && pipe.writers() == m.writers);
    FUZZ_CHECK(pipe.waiting() == m.parked.size());
    FUZZ_CHECK(pipe.poll(PipeEnd::read) ==
               ((m.bytes.empty() ? 0 : fs::kPollIn) | (m.writers == 0 ? fs::kPollHup : 0)));
    FUZZ_CHECK(pipe.poll(PipeEnd::write) == ((m.room() >= fs::kPipeBuf ? fs::kPollOut : 0) |
                                             (m.readers == 0 ? fs::kPollErr : 0)));
    std::vector<uint8_t> content(m.bytes.size());
    FUZZ_CHECK(pipe.peek(content) == m.bytes.size());
    for (size_t i = 0; i < content.size(); ++i)
        FUZZ_CHECK(content[i] == m.bytes[i]);
}

// The server's wake loop, checked against the model.
void wake_all(Pipe& pipe, Model& m) {
    PipeWake wake;
    for (uint32_t rounds = 0; pipe.next_wake(&wake); ++rounds) {
        FUZZ_CHECK(rounds <= 2 * Pipe::kMaxWaiters);
        size_t i = m.index_of(wake.ticket);
        FUZZ_CHECK(i < m.parked.size());
        Parked p = m.parked[i];
        // Arrival order within a kind: no parked request of its kind is older (broken_pipe
        // and end of file go to everyone, but the loop still takes the oldest first).
        for (size_t j = 0; j < i; ++j)
            FUZZ_CHECK(m.parked[j].kind != p.kind || p.kind == Parked::open_read ||
                       p.kind == Parked::open_write);
        switch (p.kind) {
        case Parked::read:
            FUZZ_CHECK(wake.kind == PipeWake::Kind::read && wake.error == Error::ok);
            FUZZ_CHECK(!m.bytes.empty() || m.writers == 0);
            FUZZ_CHECK(wake.count == std::min<size_t>(p.count, m.bytes.size()));
            break;
        case Parked::write:
            FUZZ_CHECK(wake.kind == PipeWake::Kind::write);
            if (m.readers == 0) {
                FUZZ_CHECK(wake.error == Error::broken_pipe && wake.sigpipe);
            } else {
                FUZZ_CHECK(wake.error == Error::ok && !wake.sigpipe);
                FUZZ_CHECK(wake.count <= m.room() && wake.count > 0);
                if (p.count <= fs::kPipeBuf)
                    FUZZ_CHECK(wake.count == p.count);
                else
                    FUZZ_CHECK(wake.count == std::min(m.room(), p.count));
            }
            break;
        case Parked::open_read:
        case Parked::open_write:
            FUZZ_CHECK(wake.kind == PipeWake::Kind::open && p.partner);
            break;
        }
        std::vector<uint8_t> peeked(wake.count);
        if (wake.kind == PipeWake::Kind::read) FUZZ_CHECK(pipe.peek(peeked) == wake.count);
        if (wake.kind == PipeWake::Kind::write && wake.error == Error::ok)
            FUZZ_CHECK(pipe.stage(std::span<const uint8_t>(p.data).first(wake.count)) ==
                       wake.count);
        m.parked.erase(m.parked.begin() + static_cast<long>(i));
        if (p.gone) { // the reply failed: nothing committed
            FUZZ_CHECK(pipe.drop(wake.ticket));
            if (p.kind == Parked::open_read) m.closed(PipeEnd::read);
            if (p.kind == Parked::open_write) m.closed(PipeEnd::write);
            continue;
        }
        pipe.complete(wake);
        if (p.kind == Parked::read) {
            for (uint32_t k = 0; k < wake.count; ++k) {
                FUZZ_CHECK(peeked[k] == m.bytes.front());
                m.bytes.pop_front();
            }
        } else if (p.kind == Parked::write && wake.error == Error::ok) {
            m.bytes.insert(m.bytes.end(), p.data.begin(), p.data.begin() + wake.count);
        }
    }
    // No lost wake-up: nothing parked could go on now.
    bool first_writer = true;
    for (const Parked& p : m.parked) {
        switch (p.kind) {
        case Parked::read:
            FUZZ_CHECK(m.bytes.empty() && m.writers > 0);
            break;
        case Parked::write:
            FUZZ_CHECK(m.readers > 0);
            if (first_writer)
                FUZZ_CHECK(p.count <= fs::kPipeBuf ? m.room() < p.count : m.room() == 0);
            first_writer = false;
            break;
        case Parked::open_read:
        case Parked::open_write:
            FUZZ_CHECK(!p.partner);
            break;
        }
    }
}

std::vector<uint8_t> data_of(uint32_t write, uint32_t size) {
    std::vector<uint8_t> data(size);
    for (uint32_t i = 0; i < size; ++i)
        data[i] = static_cast<uint8_t>(write * 31 + i * 7 + (i >> 8));
    return data;
}

// A registration in the readiness table the pipe reports to.
struct Poller {
    axo_thread_id_t thread;
    PipeEnd end;
    uint32_t wanted;
};

fs::ReadinessObject object_of(PipeEnd end) {
    return {end == PipeEnd::read ? 1u : 2u};
}

void check_pollers(const Pipe& pipe, fs::ReadinessTable& table, std::vector<Poller>& pollers) {
    fs::ReadinessNotification n;
    while (table.take_notification(&n)) {
        size_t i = 0;
        while (i < pollers.size() && pollers[i].thread != n.thread)
            ++i;
        FUZZ_CHECK(i < pollers.size());
        FUZZ_CHECK(n.bits == 1u); // every poller waits on bit 0
        pollers.erase(pollers.begin() + static_cast<long>(i));
    }
    for (const Poller& p : pollers) {
        FUZZ_CHECK(table.armed(p.thread));
        FUZZ_CHECK(fs::poll_revents(p.wanted, pipe.poll(p.end)) == 0);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::Input in(data, size);
    Model m;
    // A small ring reaches the edges (full, wrapped) quickly; it is never below PIPE_BUF.
    m.capacity = fs::kPipeBuf + in.u16() % (3 * fs::kPipeBuf);
    std::vector<uint8_t> ring(m.capacity);
    Pipe pipe(ring);
    if (in.pick(2) == 0) { // pipe(): both ends; else a FIFO nobody opened yet
        pipe.open_end(PipeEnd::read);
        pipe.open_end(PipeEnd::write);
        m.opened(PipeEnd::read);
        m.opened(PipeEnd::write);
    }
    std::vector<uint8_t> buffer;
    fs::ReadinessTable::Registration registrations[4];
    fs::ReadinessTable::InterestSlot interests[4];
    fs::ReadinessTable table(registrations, interests);
    std::vector<Poller> pollers;
    pipe.watch(&table, object_of(PipeEnd::read), object_of(PipeEnd::write));

    for (int steps = 0; steps < 400 && !in.empty(); ++steps) {
        uint32_t op = in.pick(9);
        bool nonblocking = in.pick(4) == 0;
        PipeEnd end = in.pick(2) == 0 ? PipeEnd::read : PipeEnd::write;
        bool room_to_park = m.parked.size() < Pipe::kMaxWaiters;
        switch (op) {
        case 0: // an end without the FIFO rules (pipe(), O_RDWR)
            pipe.open_end(end);
            m.opened(end);
            break;
        case 1: { // the last reference to a description goes (not one of a parked open)
            uint32_t count = end == PipeEnd::read ? m.readers : m.writers;
            if (count > m.parked_opens(end)) {
                pipe.close_end(end);
                m.closed(end);
            }
            break;
        }
        case 2: { // read
            uint32_t max = in.pick(8) == 0 ? 0 : 1 + in.u16() % (2 * m.capacity);
            buffer.assign(max, 0);
            PipeAnswer a = pipe.read(buffer, nonblocking);
            if (max == 0 || (m.bytes.empty() && m.writers == 0)) {
                FUZZ_CHECK(!a.wait && a.error == Error::ok && a.count == 0);
            } else if (!m.bytes.empty() && !m.has(Parked::read)) {
                FUZZ_CHECK(!a.wait && a.error == Error::ok);
                FUZZ_CHECK(a.count == std::min<size_t>(max, m.bytes.size()));
                for (uint32_t k = 0; k < a.count; ++k) {
                    FUZZ_CHECK(buffer[k] == m.bytes.front());
                    m.bytes.pop_front();
                }
            } else if (nonblocking) {
                FUZZ_CHECK(!a.wait && a.error == Error::would_block);
            } else if (!room_to_park) {
                FUZZ_CHECK(!a.wait && a.error == Error::busy);
            } else {
                FUZZ_CHECK(a.wait);
                ipc::PendingTicket t = ++m.next_ticket;
                FUZZ_CHECK(pipe.park_read(t, max) == Error::ok);
                m.parked.push_back(Parked{Parked::read, t, max, {}, false, false});
            }
            break;
        }
        case 3: { // write
            uint32_t n =
                in.pick(3) == 0 ? in.u16() % (3 * m.capacity) : in.u16() % (fs::kPipeBuf + 1);
            std::vector<uint8_t> bytes = data_of(++m.next_write, n);
            PipeAnswer a = pipe.write(bytes, nonblocking);
            uint32_t fits = n <= fs::kPipeBuf ? (m.room() >= n ? n : 0) : std::min(m.room(), n);
            if (n == 0) {
                FUZZ_CHECK(!a.wait && a.error == Error::ok && a.count == 0 && !a.sigpipe);
            } else if (m.readers == 0) {
                FUZZ_CHECK(!a.wait && a.error == Error::broken_pipe && a.sigpipe);
            } else if (!m.has(Parked::write) && fits > 0) {
                FUZZ_CHECK(!a.wait && a.error == Error::ok && a.count == fits);
                m.bytes.insert(m.bytes.end(), bytes.begin(), bytes.begin() + fits);
            } else if (nonblocking) {
                FUZZ_CHECK(!a.wait && a.error == Error::would_block);
            } else if (!room_to_park) {
                FUZZ_CHECK(!a.wait && a.error == Error::busy);
            } else {
                FUZZ_CHECK(a.wait);
                ipc::PendingTicket t = ++m.next_ticket;
                FUZZ_CHECK(pipe.park_write(t, n) == Error::ok);
                m.parked.push_back(Parked{Parked::write, t, n, bytes, false, false});
            }
            break;
        }
        case 4: { // open(2) of the FIFO
            PipeAnswer a = pipe.open_fifo(end, nonblocking);
            bool partner = end == PipeEnd::read ? m.writers > 0 : m.readers > 0;
            if (partner || (end == PipeEnd::read && nonblocking)) {
                FUZZ_CHECK(!a.wait && a.error == Error::ok);
                m.opened(end);
            } else if (nonblocking) {
                FUZZ_CHECK(!a.wait && a.error == Error::no_device);
            } else if (!room_to_park) {
                FUZZ_CHECK(!a.wait && a.error == Error::busy);
            } else {
                FUZZ_CHECK(a.wait);
                ipc::PendingTicket t = ++m.next_ticket;
                FUZZ_CHECK(pipe.park_open(t, end) == Error::ok);
                m.parked.push_back(
                    Parked{end == PipeEnd::read ? Parked::open_read : Parked::open_write,
                           t,
                           0,
                           {},
                           false,
                           false});
                m.opened(end);
            }
            break;
        }
        case 5: // a parked client gives up: its reply will fail
            if (!m.parked.empty()) m.parked[in.u8() % m.parked.size()].gone = true;
            break;
        case 6: // a parked request is cancelled (a new request from its thread, its death)
            if (!m.parked.empty()) {
                size_t i = in.u8() % m.parked.size();
                Parked p = m.parked[i];
                m.parked.erase(m.parked.begin() + static_cast<long>(i));
                FUZZ_CHECK(pipe.drop(p.ticket));
                if (p.kind == Parked::open_read) m.closed(PipeEnd::read);
                if (p.kind == Parked::open_write) m.closed(PipeEnd::write);
            } else {
                FUZZ_CHECK(!pipe.drop(m.next_ticket + 1));
            }
            break;
        case 7: { // poll: arm a registration if the end is not ready (else poll answers now)
            axo_thread_id_t thread = axo_thread_id(100 + in.pick(4), 1);
            uint32_t wanted = in.pick(2) == 0 ? fs::kPollIn : fs::kPollOut;
            for (size_t i = 0; i < pollers.size(); ++i)
                if (pollers[i].thread == thread) {
                    pollers.erase(pollers.begin() + static_cast<long>(i));
                    break;
                }
            if (fs::poll_revents(wanted, pipe.poll(end)) != 0) {
                (void)table.cancel(thread);
                break;
            }
            const fs::Interest interest[] = {{object_of(end), wanted}};
            FUZZ_CHECK(table.arm(thread, 1, 0, interest) == Error::ok);
            pollers.push_back(Poller{thread, end, wanted});
            break;
        }
        default: // the wake loop only
            break;
        }
        wake_all(pipe, m);
        check_state(pipe, m);
        check_pollers(pipe, table, pollers);
    }
    // Every end closes and every parked request goes: the pipe is unused and empty.
    while (!m.parked.empty()) {
        FUZZ_CHECK(pipe.drop(m.parked.back().ticket));
        Parked p = m.parked.back();
        m.parked.pop_back();
        if (p.kind == Parked::open_read) m.closed(PipeEnd::read);
        if (p.kind == Parked::open_write) m.closed(PipeEnd::write);
    }
    while (m.readers > 0) {
        pipe.close_end(PipeEnd::read);
        m.closed(PipeEnd::read);
    }
    while (m.writers > 0) {
        pipe.close_end(PipeEnd::write);
        m.closed(PipeEnd::write);
    }
    FUZZ_CHECK(pipe.unused() && pipe.size() == 0);
    return 0;
}
