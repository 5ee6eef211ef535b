// Pipes and FIFOs (servers/fs/pipe/pipe.h) driven the way the server drives them: requests that
// must wait are deferred in a real ipc::PendingRequests and parked with its ticket; after every
// request the server's wake loop answers the parked ones (a reply to a client that gave up
// fails, and then nothing is committed).
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>
#include <vector>

#include "lib/ipc/pending_requests.h"
#include "servers/fs/pipe/pipe.h"

namespace fs {
namespace {

using ipc::Error;

axo_thread_id_t client(uint32_t n) {
    return axo_thread_id(100 + n, 1);
}

// What a client got back.
struct Reply {
    Error error = Error::ok;
    uint32_t count = 0;
    bool sigpipe = false;
    std::vector<uint8_t> bytes; // a read's
};

// The server's side of one pipe: the pending table, the clients' buffers, the wake loop.
class PipeServer {
public:
    struct Request {
        enum Kind { read, write, open } kind;
        uint32_t count;
    };

    explicit PipeServer(uint32_t capacity = kPipeCapacity)
        : m_ring(capacity, 0xCC), m_pipe(std::span<uint8_t>(m_ring)) {}

    Pipe& pipe() { return m_pipe; }

    // A read of up to `max` bytes: the reply now, or nothing (it waits).
    std::optional<Reply> read(axo_thread_id_t from, uint32_t max, bool nonblocking = false) {
        m_pending.cancel(from); // a new request from a thread ends its earlier one
        std::vector<uint8_t> out(max);
        PipeAnswer answer = m_pipe.read(out, nonblocking);
        if (answer.wait) {
            ipc::PendingTicket ticket;
            EXPECT_EQ(m_pending.defer(from, Request{Request::read, max}, &ticket), Error::ok);
            EXPECT_EQ(m_pipe.park_read(ticket, max), Error::ok);
            m_buffers[from].assign(max, 0); // the session buffer the bytes will land in
            return std::nullopt;
        }
        out.resize(answer.count);
        return Reply{answer.error, answer.count, answer.sigpipe, out};
    }

    // A write of `data` (kept as the client's buffer while it waits).
    std::optional<Reply> write(axo_thread_id_t from, std::vector<uint8_t> data,
                               bool nonblocking = false) {
        m_pending.cancel(from);
        PipeAnswer answer = m_pipe.write(data, nonblocking);
        if (answer.wait) {
            ipc::PendingTicket ticket;
            uint32_t count = static_cast<uint32_t>(data.size());
            EXPECT_EQ(m_pending.defer(from, Request{Request::write, count}, &ticket), Error::ok);
            EXPECT_EQ(m_pipe.park_write(ticket, count), Error::ok);
            m_buffers[from] = std::move(data);
            return std::nullopt;
        }
        return Reply{answer.error, answer.count, answer.sigpipe, {}};
    }

    std::optional<Reply> open_fifo(axo_thread_id_t from, PipeEnd end, bool nonblocking = false) {
        m_pending.cancel(from);
        PipeAnswer answer = m_pipe.open_fifo(end, nonblocking);
        if (answer.wait) {
            ipc::PendingTicket ticket;
            EXPECT_EQ(m_pending.defer(from, Request{Request::open, 0}, &ticket), Error::ok);
            EXPECT_EQ(m_pipe.park_open(ticket, end), Error::ok);
            return std::nullopt;
        }
        return Reply{answer.error, 0, false, {}};
    }

    // The server's wake loop (answer_wakes): answers what can be answered, in the pipe's order.
    uint32_t wake() {
        return answer_wakes(
            m_pipe, m_pending,
            [&](axo_thread_id_t client) { return std::span<uint8_t>(m_buffers[client]); },
            [&](axo_thread_id_t client, const PipeWake& wake) {
                if (m_gone.count(client)) return false;
                Reply reply{wake.error, wake.count, false, {}};
                if (wake.kind == PipeWake::Kind::read)
                    reply.bytes.assign(m_buffers[client].begin(),
                                       m_buffers[client].begin() + wake.count);
                m_replies[client].push_back(reply);
                return true;
            },
            [&](axo_thread_id_t client) {
                m_sigpipes.push_back(client);
                if (!m_replies[client].empty()) m_replies[client].back().sigpipe = true;
            });
    }

    // The client stopped waiting (its receive timed out, or it died): a reply to it fails.
    void give_up(axo_thread_id_t who) { m_gone[who] = true; }

    // The replies a client got since the last call.
    std::vector<Reply> replies(axo_thread_id_t who) {
        std::vector<Reply> r = std::move(m_replies[who]);
        m_replies.erase(who);
        return r;
    }
    bool waits(axo_thread_id_t who) { return m_pending.find(who) != nullptr; }
    // The clients the wake loop asked SIGPIPE for.
    const std::vector<axo_thread_id_t>& sigpipes() const { return m_sigpipes; }
    ipc::PendingRequests<Request, 64>& pending() { return m_pending; }

private:
    std::vector<uint8_t> m_ring;
    Pipe m_pipe;
    ipc::PendingRequests<Request, 64> m_pending;
    std::map<axo_thread_id_t, std::vector<uint8_t>> m_buffers;
    std::map<axo_thread_id_t, std::vector<Reply>> m_replies;
    std::map<axo_thread_id_t, bool> m_gone;
    std::vector<axo_thread_id_t> m_sigpipes;
};

std::vector<uint8_t> bytes(uint32_t count, uint8_t value) {
    return std::vector<uint8_t>(count, value);
}

// A pipe() result: both ends open.
struct AnonymousPipe : PipeServer {
    AnonymousPipe() {
        pipe().open_end(PipeEnd::read);
        pipe().open_end(PipeEnd::write);
    }
};

TEST(FsPipe, read_returns_the_bytes_there_are_up_to_the_request) {
    AnonymousPipe s;
    ASSERT_EQ(s.write(client(1), {1, 2, 3, 4, 5})->count, 5u);
    auto r = s.read(client(2), 3);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->bytes, (std::vector<uint8_t>{1, 2, 3}));
    r = s.read(client(2), 100); // fewer than asked: never waits for more once there are some
    ASSERT_TRUE(r);
    EXPECT_EQ(r->bytes, (std::vector<uint8_t>{4, 5}));
}

TEST(FsPipe, blocking_readers_wait_and_are_woken_in_arrival_order) {
    AnonymousPipe s;
    EXPECT_FALSE(s.read(client(1), 100));
    EXPECT_FALSE(s.read(client(2), 100));
    EXPECT_FALSE(s.read(client(3), 4));
    EXPECT_EQ(s.pipe().waiting(), 3u);

    ASSERT_EQ(s.write(client(9), bytes(10, 'a'))->count, 10u);
    s.wake();
    auto first = s.replies(client(1));
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].bytes, bytes(10, 'a')); // all there was, to the oldest reader
    EXPECT_TRUE(s.replies(client(2)).empty());
    EXPECT_TRUE(s.waits(client(2)));

    ASSERT_EQ(s.write(client(9), bytes(20, 'b'))->count, 20u);
    s.wake();
    EXPECT_EQ(s.replies(client(2)).at(0).bytes, bytes(20, 'b'));
    EXPECT_TRUE(s.replies(client(3)).empty()); // the second took it all

    ASSERT_EQ(s.write(client(9), bytes(6, 'c'))->count, 6u);
    s.wake();
    EXPECT_EQ(s.replies(client(3)).at(0).bytes, bytes(4, 'c'));
    EXPECT_EQ(s.pipe().size(), 2u);
    EXPECT_EQ(s.pipe().waiting(), 0u);
}

TEST(FsPipe, a_new_reader_queues_behind_parked_readers) {
    AnonymousPipe s;
    EXPECT_FALSE(s.read(client(1), 10));
    EXPECT_EQ(s.read(client(2), 10, true)->error, Error::would_block);
    EXPECT_FALSE(s.read(client(2), 10));
    s.write(client(9), bytes(3, 'x'));
    s.wake();
    EXPECT_EQ(s.replies(client(1)).size(), 1u);
    EXPECT_TRUE(s.replies(client(2)).empty());
}

TEST(FsPipe, read_returns_eof_after_last_writer_closes) {
    AnonymousPipe s;
    s.pipe().open_end(PipeEnd::write); // a second writer (a dup'd description)
    EXPECT_FALSE(s.read(client(1), 10));
    EXPECT_FALSE(s.read(client(2), 10));
    s.pipe().close_end(PipeEnd::write);
    s.wake();
    EXPECT_TRUE(s.waits(client(1))); // one writer is left

    s.pipe().close_end(PipeEnd::write);
    s.wake();
    for (uint32_t c : {1u, 2u}) {
        auto r = s.replies(client(c));
        ASSERT_EQ(r.size(), 1u) << c;
        EXPECT_EQ(r[0].error, Error::ok);
        EXPECT_EQ(r[0].count, 0u);
    }
    auto r = s.read(client(3), 10);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->count, 0u);
    EXPECT_EQ(s.read(client(3), 10, true)->error, Error::ok); // EOF, not would_block
    EXPECT_EQ(s.pipe().poll(PipeEnd::read), kPollHup);
}

TEST(FsPipe, bytes_written_before_the_last_close_are_read_before_eof) {
    AnonymousPipe s;
    s.write(client(9), bytes(5, 'z'));
    s.pipe().close_end(PipeEnd::write);
    EXPECT_EQ(s.pipe().poll(PipeEnd::read), kPollIn | kPollHup);
    EXPECT_EQ(s.read(client(1), 10)->bytes, bytes(5, 'z'));
    EXPECT_EQ(s.read(client(1), 10)->count, 0u);
}

TEST(FsPipe, write_after_last_reader_closed_is_broken_pipe_and_asks_for_sigpipe) {
    AnonymousPipe s;
    s.pipe().close_end(PipeEnd::read);
    auto r = s.write(client(1), bytes(10, 'a'));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->error, Error::broken_pipe);
    EXPECT_TRUE(r->sigpipe);
    EXPECT_EQ(r->count, 0u);
    r = s.write(client(1), bytes(10, 'a'), true); // O_NONBLOCK changes nothing
    EXPECT_EQ(r->error, Error::broken_pipe);
    EXPECT_TRUE(r->sigpipe);
    EXPECT_EQ(s.pipe().poll(PipeEnd::write), kPollOut | kPollErr);
}

TEST(FsPipe, parked_writers_get_broken_pipe_when_the_last_reader_closes) {
    AnonymousPipe s;
    ASSERT_EQ(s.write(client(1), bytes(kPipeCapacity, 'a'))->count, kPipeCapacity);
    EXPECT_FALSE(s.write(client(2), bytes(100, 'b')));
    EXPECT_FALSE(s.write(client(3), bytes(kPipeBuf * 4, 'c')));
    s.pipe().close_end(PipeEnd::read);
    s.wake();
    for (uint32_t c : {2u, 3u}) {
        auto r = s.replies(client(c));
        ASSERT_EQ(r.size(), 1u);
        EXPECT_EQ(r[0].error, Error::broken_pipe);
        EXPECT_TRUE(r[0].sigpipe);
    }
    EXPECT_EQ(s.pipe().waiting(), 0u);
}

TEST(FsPipe, a_writer_that_gave_up_gets_no_sigpipe) {
    AnonymousPipe s;
    ASSERT_EQ(s.write(client(1), bytes(kPipeCapacity, 'a'))->count, kPipeCapacity);
    EXPECT_FALSE(s.write(client(2), bytes(10, 'b')));
    EXPECT_FALSE(s.write(client(3), bytes(10, 'c')));
    s.give_up(client(2));
    s.pipe().close_end(PipeEnd::read);
    EXPECT_EQ(s.wake(), 1u);
    EXPECT_EQ(s.sigpipes(), (std::vector<axo_thread_id_t>{client(3)}));
    EXPECT_EQ(s.pipe().waiting(), 0u);
}

TEST(FsPipe, pipe_buf_writes_are_atomic_among_four_parked_writers) {
    AnonymousPipe s;
    // Leave 3000 bytes of room: no 4096-byte write fits.
    ASSERT_EQ(s.write(client(9), bytes(kPipeCapacity - 3000, '.'))->count, kPipeCapacity - 3000);
    for (uint32_t w = 1; w <= 4; ++w)
        EXPECT_FALSE(s.write(client(w), bytes(kPipeBuf, static_cast<uint8_t>('0' + w))));
    // A small write queues behind them, so it can never split their room.
    EXPECT_FALSE(s.write(client(5), bytes(10, '5')));
    EXPECT_EQ(s.write(client(6), bytes(10, '6'), true)->error, Error::would_block);

    // Odd-sized reads let each writer in as soon as its 4096 bytes fit.
    std::vector<uint8_t> out;
    std::vector<uint32_t> answered;
    for (int i = 0; i < 200 && out.size() < kPipeCapacity - 3000 + 4 * kPipeBuf + 10; ++i) {
        auto r = s.read(client(20), 1337);
        ASSERT_TRUE(r);
        out.insert(out.end(), r->bytes.begin(), r->bytes.end());
        s.wake();
        for (uint32_t w = 1; w <= 5; ++w)
            for (const Reply& reply : s.replies(client(w))) {
                EXPECT_EQ(reply.error, Error::ok);
                EXPECT_EQ(reply.count, w == 5 ? 10u : kPipeBuf);
                answered.push_back(w);
            }
    }
    EXPECT_EQ(answered, (std::vector<uint32_t>{1, 2, 3, 4, 5}));
    ASSERT_EQ(out.size(), kPipeCapacity - 3000 + 4 * kPipeBuf + 10);
    size_t at = kPipeCapacity - 3000;
    EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.begin() + at), bytes(at, '.'));
    for (uint32_t w = 1; w <= 4; ++w, at += kPipeBuf) // whole, uninterleaved, in order
        EXPECT_EQ(std::vector<uint8_t>(out.begin() + at, out.begin() + at + kPipeBuf),
                  bytes(kPipeBuf, static_cast<uint8_t>('0' + w)));
    EXPECT_EQ(std::vector<uint8_t>(out.begin() + at, out.end()), bytes(10, '5'));
}

TEST(FsPipe, writes_above_pipe_buf_are_partial) {
    AnonymousPipe s;
    ASSERT_EQ(s.write(client(9), bytes(kPipeCapacity - 1000, '.'))->count, kPipeCapacity - 1000);
    auto r = s.write(client(1), bytes(10000, 'a')); // what fits now is taken and answered
    ASSERT_TRUE(r);
    EXPECT_EQ(r->count, 1000u);
    EXPECT_EQ(s.pipe().room(), 0u);

    EXPECT_FALSE(s.write(client(1), bytes(9000, 'a'))); // no room at all: waits
    ASSERT_EQ(s.read(client(2), 3000)->count, 3000u);
    s.wake();
    auto w = s.replies(client(1));
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].count, 3000u); // woken with any room, and takes what fits
    EXPECT_EQ(s.pipe().room(), 0u);
}

TEST(FsPipe, an_atomic_write_waits_for_all_its_room) {
    AnonymousPipe s;
    ASSERT_EQ(s.write(client(9), bytes(kPipeCapacity - 100, '.'))->count, kPipeCapacity - 100);
    EXPECT_FALSE(s.write(client(1), bytes(200, 'a')));
    ASSERT_EQ(s.read(client(2), 50)->count, 50u);
    s.wake();
    EXPECT_TRUE(s.waits(client(1))); // 150 of room: still not all of it
    ASSERT_EQ(s.read(client(2), 50)->count, 50u);
    s.wake();
    auto w = s.replies(client(1));
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].count, 200u);
    EXPECT_EQ(s.pipe().room(), 0u);
}

TEST(FsPipe, nonblocking_requests_never_wait) {
    AnonymousPipe s;
    EXPECT_EQ(s.read(client(1), 10, true)->error, Error::would_block);
    EXPECT_EQ(s.pipe().waiting(), 0u);

    ASSERT_EQ(s.write(client(2), bytes(kPipeCapacity - 100, '.'), true)->count,
              kPipeCapacity - 100);
    // At most PIPE_BUF: all or nothing.
    auto r = s.write(client(2), bytes(101, 'a'), true);
    EXPECT_EQ(r->error, Error::would_block);
    EXPECT_EQ(s.pipe().size(), kPipeCapacity - 100);
    EXPECT_EQ(s.write(client(2), bytes(100, 'a'), true)->count, 100u);
    // Above PIPE_BUF: would_block only without any room, else partial.
    EXPECT_EQ(s.write(client(2), bytes(kPipeBuf + 1, 'b'), true)->error, Error::would_block);
    ASSERT_EQ(s.read(client(1), 7, true)->count, 7u);
    r = s.write(client(2), bytes(kPipeBuf + 1, 'b'), true);
    EXPECT_EQ(r->error, Error::ok);
    EXPECT_EQ(r->count, 7u);
    EXPECT_EQ(s.pipe().waiting(), 0u);
}

TEST(FsPipe, empty_requests_answer_zero_at_once) {
    AnonymousPipe s;
    EXPECT_EQ(s.read(client(1), 0)->count, 0u);
    EXPECT_EQ(s.write(client(1), {})->count, 0u);
    s.pipe().close_end(PipeEnd::read);
    auto r = s.write(client(1), {}); // nothing to write: no EPIPE (as Linux)
    EXPECT_EQ(r->error, Error::ok);
    EXPECT_FALSE(r->sigpipe);
    EXPECT_EQ(s.pipe().park_read(7, 0), Error::invalid_argument);
    EXPECT_EQ(s.pipe().park_write(7, 0), Error::invalid_argument);
}

TEST(FsPipe, a_reader_that_gave_up_loses_its_place_not_the_bytes) {
    AnonymousPipe s;
    EXPECT_FALSE(s.read(client(1), 10));
    EXPECT_FALSE(s.read(client(2), 10));
    s.give_up(client(1));
    s.write(client(9), {7, 8, 9});
    s.wake();
    EXPECT_TRUE(s.replies(client(1)).empty());
    EXPECT_EQ(s.replies(client(2)).at(0).bytes, (std::vector<uint8_t>{7, 8, 9}));
    EXPECT_EQ(s.pipe().waiting(), 0u);
}

TEST(FsPipe, a_writer_that_gave_up_writes_nothing) {
    AnonymousPipe s;
    ASSERT_EQ(s.write(client(9), bytes(kPipeCapacity, '.'))->count, kPipeCapacity);
    EXPECT_FALSE(s.write(client(1), bytes(100, 'x')));
    EXPECT_FALSE(s.write(client(2), bytes(100, 'y')));
    s.give_up(client(1));
    ASSERT_EQ(s.read(client(3), kPipeCapacity)->count, kPipeCapacity);
    s.wake();
    EXPECT_TRUE(s.replies(client(1)).empty());
    EXPECT_EQ(s.replies(client(2)).at(0).count, 100u);
    EXPECT_EQ(s.read(client(3), 1000)->bytes, bytes(100, 'y'));
}

TEST(FsPipe, a_stale_ticket_is_dropped_without_an_answer) {
    AnonymousPipe s;
    EXPECT_FALSE(s.read(client(1), 10));
    s.pending().cancel(client(1)); // the thread's receive timed out and it called again
    s.write(client(9), {1});
    s.wake();
    EXPECT_TRUE(s.replies(client(1)).empty());
    EXPECT_EQ(s.pipe().waiting(), 0u);
    EXPECT_EQ(s.pipe().size(), 1u);
    EXPECT_FALSE(s.pipe().drop(12345));
}

TEST(FsPipe, the_table_of_waiters_is_bounded) {
    AnonymousPipe s;
    for (uint32_t i = 0; i < Pipe::kMaxWaiters; ++i)
        ASSERT_FALSE(s.read(client(i), 1));
    std::vector<uint8_t> out(1);
    PipeAnswer a = s.pipe().read(out, false);
    EXPECT_FALSE(a.wait);
    EXPECT_EQ(a.error, Error::busy);
    EXPECT_EQ(s.pipe().park_read(999, 1), Error::busy);
    EXPECT_EQ(s.pipe().write(bytes(kPipeCapacity, 'a'), false).count, kPipeCapacity);
    a = s.pipe().write(bytes(1, 'a'), false);
    EXPECT_EQ(a.error, Error::busy);
    EXPECT_EQ(s.pipe().open_fifo(PipeEnd::read, false).error, Error::ok); // a writer is there
}

TEST(FsPipe, sixty_four_mebibytes_pass_unchanged_through_random_sizes) {
    AnonymousPipe s;
    constexpr uint64_t kTotal = 64ull << 20;
    std::mt19937 random(12345);
    auto byte_at = [](uint64_t i) { return static_cast<uint8_t>((i * 2654435761u) >> 13); };
    uint64_t written = 0, read = 0;
    uint64_t sum_in = 1469598103934665603ull, sum_out = sum_in; // FNV-1a
    bool writer_waits = false, reader_waits = false;
    uint32_t writer_asked = 0;
    auto sum = [](uint64_t& h, uint8_t b) { h = (h ^ b) * 1099511628211ull; };
    auto take = [&](const Reply& r) {
        for (uint8_t b : r.bytes) {
            if (b != byte_at(read)) {
                ADD_FAILURE() << "byte " << read << " is " << int{b} << ", not "
                              << int{byte_at(read)};
                return;
            }
            sum(sum_out, b);
            ++read;
        }
    };
    auto wrote = [&](uint32_t count) {
        for (uint32_t i = 0; i < count; ++i)
            sum(sum_in, byte_at(written + i));
        written += count;
    };
    int steps = 0;
    while (read < kTotal) {
        ASSERT_LT(++steps, 2000000);
        bool nonblocking = random() % 4 == 0;
        if (!writer_waits && written < kTotal && random() % 2 == 0) {
            uint32_t size = random() % 3 == 0 ? 1 + random() % kPipeBuf
                                              : 1 + random() % (3 * kPipeCapacity / 2);
            size = static_cast<uint32_t>(std::min<uint64_t>(size, kTotal - written));
            std::vector<uint8_t> data(size);
            for (uint32_t i = 0; i < size; ++i)
                data[i] = byte_at(written + i);
            auto r = s.write(client(1), std::move(data), nonblocking);
            if (!r) {
                writer_waits = true;
                writer_asked = size;
            } else if (r->error == Error::ok) {
                ASSERT_GT(r->count, 0u);
                if (size <= kPipeBuf) {
                    ASSERT_EQ(r->count, size);
                }
                wrote(r->count);
            } else {
                ASSERT_EQ(r->error, Error::would_block);
            }
        } else if (!reader_waits) {
            auto r = s.read(client(2), 1 + random() % (2 * kPipeCapacity), nonblocking);
            if (!r) {
                reader_waits = true;
            } else if (r->error == Error::ok) {
                ASSERT_GT(r->count, 0u);
                take(*r);
            } else {
                ASSERT_EQ(r->error, Error::would_block);
            }
        }
        s.wake();
        for (const Reply& r : s.replies(client(1))) {
            ASSERT_EQ(r.error, Error::ok);
            if (writer_asked <= kPipeBuf) {
                ASSERT_EQ(r.count, writer_asked);
            }
            wrote(r.count);
            writer_waits = false;
        }
        for (const Reply& r : s.replies(client(2))) {
            take(r);
            reader_waits = false;
        }
        ASSERT_FALSE(writer_waits && reader_waits) << "both sides wait: a lost wake-up";
        if (HasFailure()) return;
    }
    EXPECT_EQ(read, kTotal);
    EXPECT_EQ(sum_out, sum_in);
}

TEST(FsPipe, a_pool_slot_is_reset_to_a_fresh_pipe) {
    std::vector<uint8_t> ring(kPipeCapacity);
    Pipe pipe; // a static pool's slot
    EXPECT_EQ(pipe.capacity(), 0u);
    pipe.reset(ring);
    pipe.open_end(PipeEnd::read);
    pipe.open_end(PipeEnd::write);
    const uint8_t data[] = {1, 2, 3};
    ASSERT_EQ(pipe.write(data, false).count, 3u);
    ASSERT_EQ(pipe.park_write(5, 10), Error::ok);
    pipe.reset(ring);
    EXPECT_EQ(pipe.capacity(), kPipeCapacity);
    EXPECT_TRUE(pipe.unused());
    EXPECT_EQ(pipe.size(), 0u);
    EXPECT_EQ(pipe.waiting(), 0u);
}

// ---- FIFOs: the open rendezvous ---------------------------------------------------------------

TEST(FsFifo, opening_for_reading_waits_for_a_writer) {
    PipeServer s;
    EXPECT_FALSE(s.open_fifo(client(1), PipeEnd::read));
    EXPECT_EQ(s.pipe().readers(), 1u); // an open that waits counts as its end
    s.wake();
    EXPECT_TRUE(s.waits(client(1)));

    auto w = s.open_fifo(client(2), PipeEnd::write); // finds the reader: opens at once
    ASSERT_TRUE(w);
    EXPECT_EQ(w->error, Error::ok);
    s.wake();
    auto r = s.replies(client(1));
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].error, Error::ok);
    EXPECT_EQ(s.pipe().readers(), 1u);
    EXPECT_EQ(s.pipe().writers(), 1u);
}

TEST(FsFifo, opening_for_writing_waits_for_a_reader) {
    PipeServer s;
    EXPECT_FALSE(s.open_fifo(client(1), PipeEnd::write));
    EXPECT_FALSE(s.open_fifo(client(2), PipeEnd::write));
    auto r = s.open_fifo(client(3), PipeEnd::read);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->error, Error::ok);
    s.wake();
    EXPECT_EQ(s.replies(client(1)).size(), 1u);
    EXPECT_EQ(s.replies(client(2)).size(), 1u);
    EXPECT_EQ(s.pipe().writers(), 2u);
}

TEST(FsFifo, a_writer_that_opens_and_closes_at_once_still_wakes_the_reader) {
    PipeServer s;
    EXPECT_FALSE(s.open_fifo(client(1), PipeEnd::read));
    ASSERT_EQ(s.open_fifo(client(2), PipeEnd::write)->error, Error::ok);
    s.pipe().close_end(PipeEnd::write);
    s.wake();
    ASSERT_EQ(s.replies(client(1)).size(), 1u);
    EXPECT_EQ(s.read(client(1), 10)->count, 0u); // and reads end of file
}

TEST(FsFifo, nonblocking_opens) {
    PipeServer s;
    // Writing without a reader: ENXIO; nothing counted.
    EXPECT_EQ(s.open_fifo(client(1), PipeEnd::write, true)->error, Error::no_device);
    EXPECT_EQ(s.pipe().writers(), 0u);
    // Reading opens at once, and reads end of file while no writer is there.
    EXPECT_EQ(s.open_fifo(client(2), PipeEnd::read, true)->error, Error::ok);
    EXPECT_EQ(s.read(client(2), 10, true)->count, 0u);
    // Now a reader is there: a nonblocking write open succeeds.
    EXPECT_EQ(s.open_fifo(client(1), PipeEnd::write, true)->error, Error::ok);
    EXPECT_EQ(s.read(client(2), 10, true)->error, Error::would_block);
}

TEST(FsFifo, an_open_that_gave_up_closes_its_end_again) {
    PipeServer s;
    EXPECT_FALSE(s.open_fifo(client(1), PipeEnd::read));
    s.give_up(client(1));
    ASSERT_EQ(s.open_fifo(client(2), PipeEnd::write)->error, Error::ok);
    s.wake();
    EXPECT_TRUE(s.replies(client(1)).empty());
    EXPECT_EQ(s.pipe().readers(), 0u);
    auto w = s.write(client(2), {1});
    EXPECT_EQ(w->error, Error::broken_pipe);
    EXPECT_TRUE(w->sigpipe);
}

TEST(FsFifo, read_write_open_never_waits) {
    PipeServer s;
    s.pipe().open_end(PipeEnd::read); // O_RDWR: both ends of one description
    s.pipe().open_end(PipeEnd::write);
    EXPECT_EQ(s.write(client(1), {1, 2})->count, 2u);
    EXPECT_EQ(s.read(client(1), 10)->count, 2u);
}

TEST(FsFifo, bytes_are_discarded_when_no_end_is_left) {
    PipeServer s;
    s.pipe().open_end(PipeEnd::read);
    s.pipe().open_end(PipeEnd::write);
    s.write(client(1), bytes(100, 'a'));
    s.pipe().close_end(PipeEnd::write);
    EXPECT_EQ(s.pipe().size(), 100u); // the reader may still read them
    s.pipe().close_end(PipeEnd::read);
    EXPECT_EQ(s.pipe().size(), 0u);
    EXPECT_TRUE(s.pipe().unused());
}

// ---- Readiness -------------------------------------------------------------------------------

TEST(FsPipe, reports_its_readiness_into_the_table) {
    ReadinessTable::Registration registrations[4];
    ReadinessTable::InterestSlot interests[8];
    ReadinessTable table(registrations, interests);
    AnonymousPipe s;
    constexpr ReadinessObject kReadEnd{1}, kWriteEnd{2};
    s.pipe().watch(&table, kReadEnd, kWriteEnd);
    EXPECT_EQ(s.pipe().poll(PipeEnd::read), 0u);
    EXPECT_EQ(s.pipe().poll(PipeEnd::write), kPollOut);

    const Interest in[] = {{kReadEnd, kPollIn}};
    ASSERT_EQ(table.arm(client(1), 1, 3, in), Error::ok);
    s.write(client(2), bytes(kPipeCapacity - 10, 'a'));
    ReadinessNotification n;
    ASSERT_TRUE(table.take_notification(&n));
    EXPECT_EQ(n.thread, client(1));
    EXPECT_EQ(n.bits, 1u << 3);

    // The write end has less than PIPE_BUF of room: not writable until a read makes room.
    EXPECT_EQ(s.pipe().poll(PipeEnd::write), 0u);
    const Interest out[] = {{kWriteEnd, kPollOut}};
    ASSERT_EQ(table.arm(client(2), 2, 4, out), Error::ok);
    s.read(client(1), 100);
    EXPECT_FALSE(table.has_notifications()); // 110 bytes of room: still not enough
    s.read(client(1), kPipeBuf);
    ASSERT_TRUE(table.take_notification(&n));
    EXPECT_EQ(n.thread, client(2));

    // The reader closing is an error on the write end, wanted or not.
    const Interest nothing[] = {{kWriteEnd, 0}};
    ASSERT_EQ(table.arm(client(3), 3, 5, nothing), Error::ok);
    s.pipe().close_end(PipeEnd::read);
    ASSERT_TRUE(table.take_notification(&n));
    EXPECT_EQ(n.thread, client(3));
    EXPECT_EQ(s.pipe().poll(PipeEnd::write) & kPollErr, kPollErr);
}

// The wake loop's fuller form, as fs's server uses it: the reply is built from the request's
// payload (a FIFO open answers with the handle it made), and an answer that was not delivered
// is reported, so that the server closes that handle again.
TEST(FsFifo, the_wake_loop_hands_over_the_payload_and_reports_dropped_answers) {
    std::vector<uint8_t> ring(kPipeBuf);
    Pipe pipe{std::span<uint8_t>(ring)};
    ipc::PendingRequests<int, 8> pending;
    ipc::PendingTicket ticket1, ticket2;
    ASSERT_TRUE(pipe.open_fifo(PipeEnd::read, false).wait);
    ASSERT_EQ(pending.defer(client(1), 41, &ticket1), Error::ok);
    ASSERT_EQ(pipe.park_open(ticket1, PipeEnd::read), Error::ok);
    ASSERT_TRUE(pipe.open_fifo(PipeEnd::read, false).wait);
    ASSERT_EQ(pending.defer(client(2), 42, &ticket2), Error::ok);
    ASSERT_EQ(pipe.park_open(ticket2, PipeEnd::read), Error::ok);
    EXPECT_EQ(pipe.readers(), 2u);
    ASSERT_EQ(pipe.open_fifo(PipeEnd::write, false).error, Error::ok);

    std::vector<int> sent, dropped;
    std::vector<uint8_t> buffer(16);
    uint32_t delivered = answer_wakes(
        pipe, pending, [&](axo_thread_id_t) { return std::span<uint8_t>(buffer); },
        [&](axo_thread_id_t who, const PipeWake& wake, const int& payload) {
            EXPECT_EQ(wake.kind, PipeWake::Kind::open);
            sent.push_back(payload);
            return who == client(2); // client 1 gave up
        },
        [&](axo_thread_id_t) { ADD_FAILURE() << "no SIGPIPE for an open"; },
        [&](const int& payload) { dropped.push_back(payload); });
    EXPECT_EQ(delivered, 1u);
    EXPECT_EQ(sent, (std::vector<int>{41, 42}));
    EXPECT_EQ(dropped, (std::vector<int>{41}));
    EXPECT_EQ(pipe.readers(), 1u); // the dropped open's end closed again
    EXPECT_EQ(pipe.waiting(), 0u);
    EXPECT_TRUE(pending.empty());
}

} // namespace
} // namespace fs
