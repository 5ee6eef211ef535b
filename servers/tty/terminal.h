// A terminal (README.md): the line discipline of one line plus what POSIX keeps per terminal —
// the foreground process group, the controlling session, the window size — and the readers
// that wait. The decisions, in plain C++: the effects (bytes to the line, signals, identities,
// deferred replies) go through TerminalHost, which main.cc carries out with IPC and the unit
// test fakes (tests/unit/tty_terminal_test.cc).
#pragma once

#include <stdint.h>

#include "interfaces/stream/protocol.h"
#include "interfaces/tty/protocol.h"
#include "lib/ipc/dispatcher.h"
#include "lib/ipc/pending_requests.h"
#include "lib/readiness/readiness_table.h"
#include "servers/tty/line_discipline.h"

namespace tty {

struct Identity {
    uint32_t pid, pgid, sid;
};

class TerminalHost {
public:
    // Bytes to the line (the driver), in order.
    virtual void put(const uint8_t* bytes, uint32_t count) = 0;
    // Returns when what was put has left the line.
    virtual ipc::Error drain() = 0;
    // Who the process of `thread` is (proc); not_found for a thread of no process.
    virtual ipc::Error identify(axo_thread_id_t thread, Identity& who) = 0;
    // The session of process group `pgid` (proc); not_found if the group has no process.
    virtual ipc::Error group_session(uint32_t pgid, uint32_t& sid) = 0;
    virtual void kill_group(uint32_t pgid, uint32_t signal) = 0;
    virtual uint64_t now_us() = 0;
    // A deferred read's reply (zero send timeout); whether the client got it.
    virtual bool send_read(axo_thread_id_t client, const stream::ReadReply& reply) = 0;
    // A poller's notification (the kernel's notify): `bits` to `thread`.
    virtual void notify(axo_thread_id_t thread, uint32_t bits) {
        (void)thread;
        (void)bits;
    }

protected:
    ~TerminalHost() = default;
};

class Terminal {
public:
    static constexpr uint32_t kMaxReaders = stream::kMaxWaiting;
    static constexpr uint32_t kSignalWindow = 28; // SIGWINCH

    static constexpr uint32_t kMaxPollers = 16;

    explicit Terminal(TerminalHost& host, ipc::Liveness liveness = {})
        : m_host(host), m_readers(liveness),
          m_pollers(m_poll_registrations, m_poll_interests, liveness) {}

    // ---- The stream interface ----
    ipc::Error write(axo_thread_id_t from, const stream::WriteRequest& request,
                     stream::WriteReply& reply);
    ipc::Error write_background(axo_thread_id_t from, const WriteBackgroundRequest& request,
                                stream::WriteReply& reply);
    ipc::Error read(axo_thread_id_t from, const stream::ReadRequest& request,
                    stream::ReadReply& reply);
    ipc::Error flush_output() { return m_host.drain(); }

    // ---- The tty interface ----
    ipc::Error get_attributes(Termios& reply) const {
        reply = m_discipline.termios();
        return ipc::Error::ok;
    }
    ipc::Error set_attributes(axo_thread_id_t from, const SetAttributesRequest& request);
    uint32_t foreground() const { return m_foreground; }
    ipc::Error set_foreground(axo_thread_id_t from, const SetForegroundRequest& request);
    WindowSize window_size() const { return m_window; }
    void set_window_size(const WindowSize& size);
    ipc::Error flush(const FlushRequest& request);
    ipc::Error session(SessionReply& reply) const;
    // select/poll: the terminal's events now, and a registration when none is wanted yet.
    ipc::Error poll_readiness(axo_thread_id_t from, const PollRequest& request, PollReply& reply);
    // poll's events now: kPollIn when a read would return now, kPollOut always.
    uint32_t events() const;

    // ---- The line ----
    // Bytes received from the line: echo, signals, waiting readers answered.
    void input(const uint8_t* bytes, uint32_t count);
    // Readers whose VTIME ran out are answered; `timing` says whether any has a deadline.
    void poll();
    bool timing() const;
    // `thread` made another request: its waiting read is given up.
    void cancel(axo_thread_id_t thread) { (void)m_readers.cancel(thread); }
    uint32_t waiting_readers() const { return m_readers.count(); }

private:
    struct Waiting {
        uint32_t max;
        uint64_t deadline_us; // 0: no VTIME timer running
    };

    // Whether `from` is in the background: a process of the controlling session outside the
    // foreground group (while that group still has a process).
    bool in_background(axo_thread_id_t from);
    ipc::Error put_output(const uint8_t* bytes, uint32_t count, stream::WriteReply& reply);
    void put_echo();
    // Answers the waiting readers that can be answered; `input_came`: bytes arrived (restarts
    // inter-byte timers).
    void answer_readers(bool input_came);
    // The input's events to the pollers' table, and the notifications it has due out.
    void report_readiness();

    TerminalHost& m_host;
    LineDiscipline m_discipline;
    ipc::PendingRequests<Waiting, kMaxReaders> m_readers;
    uint32_t m_foreground = 0;   // 0: none set
    uint32_t m_session = 0;      // the controlling session; 0: none yet
    uint32_t m_reader_group = 0; // the group of the last reader, while no foreground is set
    WindowSize m_window{24, 80, 0, 0};
    readiness::ReadinessTable::Registration m_poll_registrations[kMaxPollers];
    readiness::ReadinessTable::InterestSlot m_poll_interests[kMaxPollers];
    readiness::ReadinessTable m_pollers;
};

} // namespace tty
