// A terminal (terminal.h, README.md "Job control").
#include "servers/tty/terminal.h"

namespace tty {

namespace {
constexpr uint64_t kDecisecondUs = 100000;
} // namespace

bool Terminal::in_background(axo_thread_id_t from) {
    if (m_foreground == 0) return false;
    Identity who{};
    // A thread of no process (a server, proc's own) is under no job control.
    if (m_host.identify(from, who) != ipc::Error::ok) return false;
    if (who.sid != m_session || who.pgid == m_foreground) return false;
    uint32_t sid = 0;
    if (m_host.group_session(m_foreground, sid) != ipc::Error::ok) {
        m_foreground = 0; // the foreground group is gone: nobody is in the background
        return false;
    }
    return true;
}

ipc::Error Terminal::put_output(const uint8_t* bytes, uint32_t count, stream::WriteReply& reply) {
    if (count > stream::kChunkBytes) return ipc::Error::invalid_argument;
    uint8_t out[2 * stream::kChunkBytes];
    uint32_t n = m_discipline.process_output(bytes, count, out);
    if (n > 0) m_host.put(out, n);
    reply.accepted = count;
    return ipc::Error::ok;
}

ipc::Error Terminal::write(axo_thread_id_t from, const stream::WriteRequest& request,
                           stream::WriteReply& reply) {
    if (request.count > stream::kChunkBytes) return ipc::Error::invalid_argument;
    if ((m_discipline.termios().lflag & lflag::kStopOutput) && in_background(from))
        return ipc::Error::access_denied;
    return put_output(request.bytes, request.count, reply);
}

ipc::Error Terminal::write_background(axo_thread_id_t, const WriteBackgroundRequest& request,
                                      stream::WriteReply& reply) {
    return put_output(request.bytes, request.count, reply);
}

ipc::Error Terminal::read(axo_thread_id_t from, const stream::ReadRequest& request,
                          stream::ReadReply& reply) {
    if (request.max == 0 || request.max > stream::kChunkBytes ||
        (request.options & ~stream::kReadWait) != 0)
        return ipc::Error::invalid_argument;
    m_readers.cancel(from);
    if (in_background(from)) return ipc::Error::access_denied;
    if (m_foreground == 0) {
        // Until a foreground group is set, the signals of typed characters go to the group
        // that read last: a program started without a shell can still be interrupted.
        Identity who{};
        if (m_host.identify(from, who) == ipc::Error::ok) m_reader_group = who.pgid;
    }
    LineDiscipline::ReadDecision decision = m_discipline.decide_read(request.max, false);
    if (decision.ready || (request.options & stream::kReadWait) == 0) {
        uint32_t consumed = 0;
        reply.count = decision.ready ? m_discipline.peek(reply.bytes, request.max, consumed) : 0;
        m_discipline.drop(consumed);
        return ipc::Error::ok;
    }
    uint64_t deadline = decision.timer > 0 ? m_host.now_us() + decision.timer * kDecisecondUs : 0;
    if (m_readers.defer(from, Waiting{request.max, deadline}) != ipc::Error::ok)
        return ipc::Error::busy;
    return ipc::kNoReply;
}

void Terminal::answer_readers(bool input_came) {
    uint64_t now = m_host.now_us();
    for (uint32_t i = 0; i < m_readers.count();) {
        auto& entry = m_readers.at(i);
        bool expired = entry.payload.deadline_us != 0 && now >= entry.payload.deadline_us;
        LineDiscipline::ReadDecision decision =
            m_discipline.decide_read(entry.payload.max, expired);
        if (!decision.ready) {
            if (decision.timer > 0 &&
                (entry.payload.deadline_us == 0 || (input_came && decision.timer_restarts)))
                entry.payload.deadline_us = now + decision.timer * kDecisecondUs;
            ++i;
            continue;
        }
        stream::ReadReply reply{};
        uint32_t consumed = 0;
        reply.count = m_discipline.peek(reply.bytes, entry.payload.max, consumed);
        (void)m_readers.answer(
            entry.ticket,
            [&](axo_thread_id_t client, const Waiting&) { return m_host.send_read(client, reply); },
            [&](const Waiting&) { m_discipline.drop(consumed); });
        // The entry left the table either way: the next one is at i now.
    }
}

void Terminal::put_echo() {
    uint8_t out[512];
    while (m_discipline.has_echo()) {
        uint32_t n = m_discipline.take_echo(out, sizeof out);
        if (n == 0) break;
        m_host.put(out, n);
    }
}

void Terminal::input(const uint8_t* bytes, uint32_t count) {
    for (uint32_t i = 0; i < count; ++i) {
        m_discipline.receive(bytes[i]);
        if (uint32_t signal = m_discipline.take_signal(); signal != 0) {
            put_echo(); // "^C" shows before what the signal's handler prints
            uint32_t group = m_foreground != 0 ? m_foreground : m_reader_group;
            if (group != 0) m_host.kill_group(group, signal);
        }
    }
    put_echo();
    answer_readers(true);
    report_readiness();
}

void Terminal::poll() {
    answer_readers(false);
}

// ---- select and poll --------------------------------------------------------------------------

namespace {
// The one object of the table: the terminal's input.
constexpr readiness::ReadinessObject kInputObject{1};
} // namespace

uint32_t Terminal::events() const {
    const Termios& termios = m_discipline.termios();
    bool readable = false;
    if ((termios.lflag & lflag::kCanonical) != 0) {
        // A complete line, or an end of file: what a read returns at once.
        readable = m_discipline.decide_read(stream::kChunkBytes, false).ready;
    } else {
        // VMIN bytes, at least one (VMIN 0 would make a read return at once with nothing).
        uint32_t wanted = termios.cc[cc::kMin] != 0 ? termios.cc[cc::kMin] : 1;
        if (wanted > stream::kChunkBytes) wanted = stream::kChunkBytes;
        readable = m_discipline.readable() >= wanted;
    }
    return (readable ? kPollIn : 0) | kPollOut;
}

ipc::Error Terminal::poll_readiness(axo_thread_id_t from, const PollRequest& request,
                                    PollReply& reply) {
    if (request.bit > 31 || (request.flags & ~kPollWait) != 0) return ipc::Error::invalid_argument;
    reply.revents = readiness::poll_revents(request.events, events());
    if (reply.revents != 0 || (request.flags & kPollWait) == 0) {
        (void)m_pollers.cancel(from);
        return ipc::Error::ok;
    }
    // Only input changes what a poller waits for (output is always possible).
    const readiness::Interest interest{kInputObject, request.events};
    return m_pollers.arm(from, 0, request.bit, {&interest, 1});
}

void Terminal::report_readiness() {
    (void)m_pollers.update(kInputObject, events());
    readiness::ReadinessNotification notification;
    while (m_pollers.take_notification(&notification))
        m_host.notify(notification.thread, notification.bits);
}

bool Terminal::timing() const {
    for (uint32_t i = 0; i < m_readers.count(); ++i)
        if (m_readers.at(i).payload.deadline_us != 0) return true;
    return false;
}

ipc::Error Terminal::set_attributes(axo_thread_id_t from, const SetAttributesRequest& request) {
    if (request.when > kFlushInput) return ipc::Error::invalid_argument;
    if (!request.background_allowed && in_background(from)) return ipc::Error::access_denied;
    if (request.when != kNow) {
        if (ipc::Error error = m_host.drain(); error != ipc::Error::ok) return error;
    }
    if (request.when == kFlushInput) m_discipline.flush_input();
    m_discipline.set_termios(request.termios);
    report_readiness();    // leaving canonical mode can make the edited line readable
    answer_readers(false); // new VMIN/VTIME or mode may satisfy a waiting read
    return ipc::Error::ok;
}

ipc::Error Terminal::set_foreground(axo_thread_id_t from, const SetForegroundRequest& request) {
    if (request.pgid == 0 || request.pgid > 0x7fffffffu) return ipc::Error::invalid_argument;
    Identity who{};
    if (ipc::Error error = m_host.identify(from, who); error != ipc::Error::ok) return error;
    uint32_t sid = 0;
    if (m_session != 0 && who.sid != m_session) {
        // Another session's terminal while that session still has a foreground group.
        if (m_foreground != 0 && m_host.group_session(m_foreground, sid) == ipc::Error::ok)
            return ipc::Error::not_terminal;
        m_foreground = 0;
    }
    if (!request.background_allowed && m_session == who.sid && in_background(from))
        return ipc::Error::access_denied;
    if (m_host.group_session(request.pgid, sid) != ipc::Error::ok || sid != who.sid)
        return ipc::Error::no_permission;
    m_session = who.sid;
    m_foreground = request.pgid;
    return ipc::Error::ok;
}

void Terminal::set_window_size(const WindowSize& size) {
    bool changed = size.rows != m_window.rows || size.columns != m_window.columns ||
                   size.xpixels != m_window.xpixels || size.ypixels != m_window.ypixels;
    m_window = size;
    if (changed && m_foreground != 0) m_host.kill_group(m_foreground, kSignalWindow);
}

ipc::Error Terminal::flush(const FlushRequest& request) {
    if (request.queues > kBoth) return ipc::Error::invalid_argument;
    if (request.queues != kOutput) m_discipline.flush_input();
    return ipc::Error::ok;
}

ipc::Error Terminal::session(SessionReply& reply) const {
    if (m_session == 0) return ipc::Error::not_found;
    reply.sid = m_session;
    return ipc::Error::ok;
}

} // namespace tty
