#include "servers/fs/pipe/pipe.h"

#include <string.h>

namespace fs {

namespace {
uint32_t min(uint32_t a, uint32_t b) {
    return a < b ? a : b;
}
} // namespace

void Pipe::reset(std::span<uint8_t> ring) {
    m_ring = ring.data();
    m_capacity = static_cast<uint32_t>(ring.size());
    m_head = m_size = m_staged = 0;
    m_readers = m_writers = 0;
    m_waiter_count = 0;
    m_table = nullptr;
    m_read_object = m_write_object = ReadinessObject{};
    m_reported_read = m_reported_write = 0;
}

// ---- Ends ---------------------------------------------------------------------------------------

void Pipe::partner_arrived(PipeEnd end) {
    Waiter::Kind partner =
        end == PipeEnd::read ? Waiter::Kind::open_write : Waiter::Kind::open_read;
    for (uint32_t i = 0; i < m_waiter_count; ++i)
        if (m_waiters[i].kind == partner) m_waiters[i].partner = true;
}

void Pipe::open_end(PipeEnd end) {
    ++(end == PipeEnd::read ? m_readers : m_writers);
    partner_arrived(end);
    changed();
}

void Pipe::close_end(PipeEnd end) {
    uint32_t& count = end == PipeEnd::read ? m_readers : m_writers;
    if (count > 0) --count;
    if (m_readers == 0 && m_writers == 0) {
        // Nobody can read these bytes any more; a FIFO opened again starts empty.
        m_head = 0;
        m_size = 0;
    }
    changed();
}

PipeAnswer Pipe::open_fifo(PipeEnd end, bool nonblocking) {
    bool partner_there = end == PipeEnd::read ? m_writers > 0 : m_readers > 0;
    if (partner_there || (end == PipeEnd::read && nonblocking)) {
        open_end(end);
        return PipeAnswer{};
    }
    if (nonblocking) return PipeAnswer{false, Error::no_device};
    if (m_waiter_count == kMaxWaiters) return PipeAnswer{false, Error::busy};
    return PipeAnswer{true};
}

Error Pipe::park_open(ipc::PendingTicket ticket, PipeEnd end) {
    Waiter waiter;
    waiter.kind = end == PipeEnd::read ? Waiter::Kind::open_read : Waiter::Kind::open_write;
    waiter.ticket = ticket;
    // The partner may have come between open_fifo and now.
    waiter.partner = end == PipeEnd::read ? m_writers > 0 : m_readers > 0;
    Error error = park(waiter);
    if (error != Error::ok) return error;
    open_end(end);
    return Error::ok;
}

// ---- Data ---------------------------------------------------------------------------------------

bool Pipe::has_waiter(Waiter::Kind kind) const {
    for (uint32_t i = 0; i < m_waiter_count; ++i)
        if (m_waiters[i].kind == kind) return true;
    return false;
}

PipeAnswer Pipe::read(std::span<uint8_t> out, bool nonblocking) {
    m_staged = 0;
    if (out.empty()) return PipeAnswer{};
    if (m_size == 0 && m_writers == 0) return PipeAnswer{}; // end of file
    if (m_size > 0 && !has_waiter(Waiter::Kind::read)) {
        uint32_t n = min(static_cast<uint32_t>(out.size()), m_size);
        take(out.first(n));
        changed();
        return PipeAnswer{false, Error::ok, n};
    }
    if (nonblocking) return PipeAnswer{false, Error::would_block};
    if (m_waiter_count == kMaxWaiters) return PipeAnswer{false, Error::busy};
    return PipeAnswer{true};
}

PipeAnswer Pipe::write(std::span<const uint8_t> data, bool nonblocking) {
    m_staged = 0;
    uint32_t n = static_cast<uint32_t>(data.size() < 0xFFFFFFFFu ? data.size() : 0xFFFFFFFFu);
    if (n == 0) return PipeAnswer{};
    if (m_readers == 0) return PipeAnswer{false, Error::broken_pipe, 0, true};
    if (!has_waiter(Waiter::Kind::write)) {
        uint32_t fits = n <= kPipeBuf ? (room() >= n ? n : 0) : min(room(), n);
        if (fits > 0) {
            copy_in(m_size, data.first(fits));
            m_size += fits;
            changed();
            return PipeAnswer{false, Error::ok, fits};
        }
    }
    if (nonblocking) return PipeAnswer{false, Error::would_block};
    if (m_waiter_count == kMaxWaiters) return PipeAnswer{false, Error::busy};
    return PipeAnswer{true};
}

Error Pipe::park(Waiter waiter) {
    if (waiter.ticket == ipc::kNoTicket) return Error::invalid_argument;
    if (m_waiter_count == kMaxWaiters) return Error::busy;
    m_waiters[m_waiter_count++] = waiter;
    return Error::ok;
}

Error Pipe::park_read(ipc::PendingTicket ticket, uint32_t max) {
    if (max == 0) return Error::invalid_argument;
    Waiter waiter;
    waiter.kind = Waiter::Kind::read;
    waiter.ticket = ticket;
    waiter.count = max;
    return park(waiter);
}

Error Pipe::park_write(ipc::PendingTicket ticket, uint32_t count) {
    if (count == 0) return Error::invalid_argument;
    Waiter waiter;
    waiter.kind = Waiter::Kind::write;
    waiter.ticket = ticket;
    waiter.count = count;
    return park(waiter);
}

// ---- Waking -------------------------------------------------------------------------------------

bool Pipe::wake_of(const Waiter& waiter, bool first_of_kind, PipeWake* out) const {
    PipeWake wake;
    wake.ticket = waiter.ticket;
    switch (waiter.kind) {
    case Waiter::Kind::read:
        // Readers wait only for bytes or the end of file, so if the first cannot go on, none can.
        if (!first_of_kind || (m_size == 0 && m_writers > 0)) return false;
        wake.kind = PipeWake::Kind::read;
        wake.count = min(waiter.count, m_size);
        break;
    case Waiter::Kind::write:
        wake.kind = PipeWake::Kind::write;
        if (m_readers == 0) {
            wake.error = Error::broken_pipe;
            wake.sigpipe = true;
            break;
        }
        if (!first_of_kind) return false;
        if (waiter.count <= kPipeBuf) {
            if (room() < waiter.count) return false;
            wake.count = waiter.count;
        } else {
            if (room() == 0) return false;
            wake.count = min(room(), waiter.count);
        }
        break;
    case Waiter::Kind::open_read:
    case Waiter::Kind::open_write:
        if (!waiter.partner) return false;
        wake.kind = PipeWake::Kind::open;
        break;
    }
    *out = wake;
    return true;
}

bool Pipe::next_wake(PipeWake* out) const {
    bool reader_seen = false, writer_seen = false;
    for (uint32_t i = 0; i < m_waiter_count; ++i) {
        const Waiter& waiter = m_waiters[i];
        bool first = false;
        if (waiter.kind == Waiter::Kind::read) {
            first = !reader_seen;
            reader_seen = true;
        } else if (waiter.kind == Waiter::Kind::write) {
            first = !writer_seen;
            writer_seen = true;
        }
        if (wake_of(waiter, first, out)) return true;
    }
    return false;
}

uint32_t Pipe::peek(std::span<uint8_t> out) const {
    uint32_t n = min(static_cast<uint32_t>(out.size()), m_size);
    if (n == 0) return 0;
    uint32_t first = min(n, m_capacity - m_head);
    memcpy(out.data(), m_ring + m_head, first);
    if (n > first) memcpy(out.data() + first, m_ring, n - first);
    return n;
}

uint32_t Pipe::stage(std::span<const uint8_t> data) {
    uint32_t n = data.size() < room() ? static_cast<uint32_t>(data.size()) : room();
    copy_in(m_size, data.first(n));
    m_staged = n;
    return n;
}

void Pipe::complete(const PipeWake& wake) {
    uint32_t index = 0;
    while (index < m_waiter_count && m_waiters[index].ticket != wake.ticket)
        ++index;
    if (index == m_waiter_count) return;
    const Waiter waiter = m_waiters[index];
    remove(index);
    if (waiter.kind == Waiter::Kind::read) {
        uint32_t n = min(wake.count, m_size);
        m_head = (m_head + n) % m_capacity;
        m_size -= n;
    } else if (waiter.kind == Waiter::Kind::write && wake.error == Error::ok) {
        m_size += min(m_staged, wake.count);
    }
    m_staged = 0;
    changed();
}

bool Pipe::drop(ipc::PendingTicket ticket) {
    m_staged = 0;
    for (uint32_t i = 0; i < m_waiter_count; ++i) {
        if (m_waiters[i].ticket != ticket) continue;
        Waiter::Kind kind = m_waiters[i].kind;
        remove(i);
        if (kind == Waiter::Kind::open_read) close_end(PipeEnd::read);
        if (kind == Waiter::Kind::open_write) close_end(PipeEnd::write);
        return true;
    }
    return false;
}

void Pipe::remove(uint32_t index) {
    for (uint32_t i = index + 1; i < m_waiter_count; ++i)
        m_waiters[i - 1] = m_waiters[i];
    --m_waiter_count;
}

// ---- The ring -----------------------------------------------------------------------------------

void Pipe::copy_in(uint32_t at, std::span<const uint8_t> data) {
    uint32_t n = static_cast<uint32_t>(data.size());
    if (n == 0) return;
    uint32_t start = (m_head + at) % m_capacity;
    uint32_t first = min(n, m_capacity - start);
    memcpy(m_ring + start, data.data(), first);
    if (n > first) memcpy(m_ring, data.data() + first, n - first);
}

void Pipe::take(std::span<uint8_t> out) {
    uint32_t n = peek(out);
    m_head = (m_head + n) % m_capacity;
    m_size -= n;
}

// ---- Readiness ----------------------------------------------------------------------------------

uint32_t Pipe::poll(PipeEnd end) const {
    if (end == PipeEnd::read) return (m_size > 0 ? kPollIn : 0) | (m_writers == 0 ? kPollHup : 0);
    return (room() >= kPipeBuf ? kPollOut : 0) | (m_readers == 0 ? kPollErr : 0);
}

void Pipe::watch(ReadinessTable* table, ReadinessObject read_end, ReadinessObject write_end) {
    m_table = table;
    m_read_object = read_end;
    m_write_object = write_end;
    m_reported_read = ~0u; // report both now
    m_reported_write = ~0u;
    changed();
}

void Pipe::changed() {
    if (m_table == nullptr) return;
    uint32_t read_events = poll(PipeEnd::read), write_events = poll(PipeEnd::write);
    if (read_events != m_reported_read) (void)m_table->update(m_read_object, read_events);
    if (write_events != m_reported_write) (void)m_table->update(m_write_object, write_events);
    m_reported_read = read_events;
    m_reported_write = write_events;
}

} // namespace fs
