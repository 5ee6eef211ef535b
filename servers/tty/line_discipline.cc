// The line discipline (line_discipline.h, README.md "The line discipline").
#include "servers/tty/line_discipline.h"

namespace tty {

namespace {

bool is_space(uint8_t byte) {
    return byte == ' ' || byte == '\t';
}

// The column after `byte` is shown at `column` (tabs every 8).
uint32_t advance(uint32_t column, uint8_t byte) {
    switch (byte) {
    case '\r':
    case '\n':
        return 0;
    case '\b':
        return column > 0 ? column - 1 : 0;
    case '\t':
        return (column | 7) + 1;
    default:
        return byte >= 0x20 && byte != 0x7f ? column + 1 : column;
    }
}

} // namespace

void LineDiscipline::set_termios(const Termios& termios) {
    bool was_canonical = canonical();
    m_termios = termios;
    if (was_canonical && !canonical() && m_line_count > 0) {
        // What was being edited becomes readable as it is.
        for (uint32_t i = 0; i < m_line_count && m_ready_elements < kInputBytes; ++i) {
            push_ready(m_line[i]);
            ++m_ready_count;
        }
        m_line_count = 0;
    }
}

bool LineDiscipline::is_erase(uint8_t byte) const {
    // Terminals send DEL or ^H for the backspace key: either erases while VERASE is one of them.
    if (is(byte, cc::kErase)) return true;
    uint8_t erase = m_termios.cc[cc::kErase];
    return (erase == 0x7f && byte == 0x08) || (erase == 0x08 && byte == 0x7f);
}

void LineDiscipline::receive(uint8_t byte) {
    if (m_termios.iflag & iflag::kStrip) byte &= 0x7f;
    bool literal = m_literal;
    m_literal = false;
    if (!literal) {
        if (byte == '\r') {
            if (m_termios.iflag & iflag::kIgnoreCr) return;
            if (m_termios.iflag & iflag::kCrToNl) byte = '\n';
        } else if (byte == '\n' && (m_termios.iflag & iflag::kNlToCr)) {
            byte = '\r';
        }
        if (lflag(lflag::kSignals)) {
            if (is(byte, cc::kInterrupt)) return signal(kSigInt, byte);
            if (is(byte, cc::kQuit)) return signal(kSigQuit, byte);
            if (is(byte, cc::kSuspend)) return signal(kSigTstp, byte);
        }
        if (lflag(lflag::kExtensions) && is(byte, cc::kLiteral)) {
            m_literal = true;
            if (lflag(lflag::kEcho) && lflag(lflag::kEchoControl)) {
                echo_raw('^');
                echo_raw('\b');
            }
            return;
        }
    }
    if (!canonical()) {
        if (m_ready_elements == kInputBytes) return;
        push_ready(byte);
        ++m_ready_count;
        if (lflag(lflag::kEcho)) (void)echo_char(byte);
        return;
    }
    if (!literal) {
        if (is_erase(byte)) return erase_one(lflag(lflag::kEchoErase));
        if (is(byte, cc::kKill)) return kill_line();
        if (lflag(lflag::kExtensions) && is(byte, cc::kWordErase)) return erase_word();
        if (lflag(lflag::kExtensions) && is(byte, cc::kReprint)) return reprint();
        if (is(byte, cc::kEof)) return complete_line(0, true);
    }
    bool ends_line = !literal && (byte == '\n' || is(byte, cc::kEol) ||
                                  (lflag(lflag::kExtensions) && is(byte, cc::kEol2)));
    // The last place of the line is kept for its delimiter.
    if (m_line_count >= kLineBytes - (ends_line ? 0 : 1)) return;
    uint8_t width = 0;
    if (byte == '\n') {
        if (lflag(lflag::kEcho) || lflag(lflag::kEchoNl)) echo_raw('\n');
    } else if (lflag(lflag::kEcho)) {
        width = echo_char(byte);
    }
    m_line[m_line_count] = byte;
    m_width[m_line_count] = width;
    ++m_line_count;
    if (ends_line) complete_line(byte, false);
}

void LineDiscipline::push_ready(uint16_t element) {
    m_ready[(m_ready_head + m_ready_elements) % kInputBytes] = element;
    ++m_ready_elements;
}

void LineDiscipline::complete_line(uint8_t, bool is_eof) {
    uint32_t needed = m_line_count > 0 ? m_line_count : 1;
    if (kInputBytes - m_ready_elements < needed) {
        m_line_count = 0; // no room for the line: it is lost, as a full terminal loses input
        return;
    }
    if (m_line_count == 0) {
        if (is_eof) push_ready(kEndOfFile);
    } else {
        for (uint32_t i = 0; i < m_line_count; ++i)
            push_ready(static_cast<uint16_t>(m_line[i] | (i + 1 == m_line_count ? kDelimiter : 0)));
        m_ready_count += m_line_count;
    }
    if (m_line_count > 0 || is_eof) ++m_lines;
    m_line_count = 0;
}

void LineDiscipline::signal(uint32_t signal, uint8_t byte) {
    m_signal = signal;
    if (!lflag(lflag::kNoFlush)) flush_input();
    if (lflag(lflag::kEcho)) (void)echo_char(byte);
}

void LineDiscipline::flush_input() {
    m_ready_head = m_ready_elements = m_ready_count = m_lines = 0;
    m_line_count = 0;
    m_literal = false;
}

void LineDiscipline::echo_raw(uint8_t byte) {
    if (m_echo_count == kEchoBytes) return;
    m_echo[m_echo_count++] = byte;
    m_column = advance(m_column, byte);
}

uint8_t LineDiscipline::echo_char(uint8_t byte) {
    if (lflag(lflag::kEchoControl) &&
        ((byte < 0x20 && byte != '\t' && byte != '\n') || byte == 0x7f)) {
        echo_raw('^');
        echo_raw(byte == 0x7f ? '?' : static_cast<uint8_t>(byte + 0x40));
        return 2;
    }
    uint32_t before = m_column;
    echo_raw(byte);
    return static_cast<uint8_t>(m_column > before ? m_column - before : 0);
}

void LineDiscipline::erase_one(bool echo_erase) {
    if (m_line_count == 0) return;
    --m_line_count;
    if (!lflag(lflag::kEcho)) return;
    if (echo_erase) {
        for (uint8_t i = 0; i < m_width[m_line_count]; ++i) {
            echo_raw('\b');
            echo_raw(' ');
            echo_raw('\b');
        }
    } else {
        (void)echo_char(m_termios.cc[cc::kErase]);
    }
}

void LineDiscipline::erase_word() {
    while (m_line_count > 0 && is_space(m_line[m_line_count - 1]))
        erase_one(lflag(lflag::kEchoErase));
    while (m_line_count > 0 && !is_space(m_line[m_line_count - 1]))
        erase_one(lflag(lflag::kEchoErase));
}

void LineDiscipline::kill_line() {
    if (lflag(lflag::kEcho) && lflag(lflag::kEchoKillErase) && lflag(lflag::kEchoErase)) {
        while (m_line_count > 0)
            erase_one(true);
        return;
    }
    m_line_count = 0;
    if (!lflag(lflag::kEcho)) return;
    (void)echo_char(m_termios.cc[cc::kKill]);
    if (lflag(lflag::kEchoKill)) echo_raw('\n');
}

void LineDiscipline::reprint() {
    if (!lflag(lflag::kEcho)) return;
    (void)echo_char(m_termios.cc[cc::kReprint]);
    echo_raw('\n');
    for (uint32_t i = 0; i < m_line_count; ++i)
        m_width[i] = echo_char(m_line[i]);
}

LineDiscipline::ReadDecision LineDiscipline::decide_read(uint32_t max, bool expired) const {
    if (canonical()) {
        if (m_lines == 0) return {false, 0, 0, false};
        uint32_t consumed = 0;
        uint8_t scratch[stream::kChunkBytes];
        uint32_t count = peek(scratch, max < sizeof scratch ? max : sizeof scratch, consumed);
        return {true, count, 0, false};
    }
    uint32_t min = m_termios.cc[cc::kMin];
    uint32_t time = m_termios.cc[cc::kTime];
    uint32_t available = m_ready_count < max ? m_ready_count : max;
    uint32_t wanted = min < max ? min : max;
    if (min == 0 && time == 0) return {true, available, 0, false};
    if (time == 0)
        return available >= wanted ? ReadDecision{true, available, 0, false}
                                   : ReadDecision{false, 0, 0, false};
    if (min == 0) {
        if (available > 0 || expired) return {true, available, 0, false};
        return {false, 0, time, false}; // the timer runs from the read
    }
    if (available >= wanted || (available > 0 && expired)) return {true, available, 0, false};
    // The inter-byte timer starts with the first byte and restarts with each.
    return {false, 0, available > 0 ? time : 0, true};
}

uint32_t LineDiscipline::peek(uint8_t* out, uint32_t max, uint32_t& consumed) const {
    uint32_t count = 0;
    consumed = 0;
    for (uint32_t i = 0; i < m_ready_elements && count < max; ++i) {
        uint16_t element = ready_at(i);
        if (element & kEndOfFile) {
            if (canonical()) {
                // An end of file ends the read; at its start it is the read (of 0 bytes).
                if (count == 0) consumed = i + 1;
                return count;
            }
            consumed = i + 1; // not canonical: ends of file mean nothing any more
            continue;
        }
        out[count++] = static_cast<uint8_t>(element);
        consumed = i + 1;
        if (canonical() && (element & kDelimiter)) break;
    }
    return count;
}

void LineDiscipline::drop(uint32_t consumed) {
    for (uint32_t i = 0; i < consumed && m_ready_elements > 0; ++i) {
        uint16_t element = ready_at(0);
        if (!(element & kEndOfFile)) --m_ready_count;
        if ((element & (kDelimiter | kEndOfFile)) && m_lines > 0) --m_lines;
        m_ready_head = (m_ready_head + 1) % kInputBytes;
        --m_ready_elements;
    }
}

uint32_t LineDiscipline::process_output(const uint8_t* bytes, uint32_t count, uint8_t* out) {
    uint32_t n = 0;
    bool post = (m_termios.oflag & oflag::kPostProcess) != 0;
    for (uint32_t i = 0; i < count; ++i) {
        uint8_t byte = bytes[i];
        if (post && byte == '\n' && (m_termios.oflag & oflag::kNlToCrNl)) {
            out[n++] = '\r';
        } else if (post && byte == '\r' && (m_termios.oflag & oflag::kCrToNl)) {
            byte = '\n';
        }
        out[n++] = byte;
        m_column = advance(m_column, byte);
    }
    return n;
}

uint32_t LineDiscipline::take_echo(uint8_t* out, uint32_t max) {
    bool crnl = (m_termios.oflag & oflag::kPostProcess) && (m_termios.oflag & oflag::kNlToCrNl);
    uint32_t n = 0, taken = 0;
    while (taken < m_echo_count && n + 2 <= max) {
        uint8_t byte = m_echo[taken++];
        if (byte == '\n' && crnl) out[n++] = '\r';
        out[n++] = byte;
    }
    for (uint32_t i = taken; i < m_echo_count; ++i)
        m_echo[i - taken] = m_echo[i];
    m_echo_count -= taken;
    return n;
}

} // namespace tty
