// The line discipline (README.md): what a terminal does with the bytes typed at it and the
// bytes written to it, by termios (interfaces/tty/protocol.h). Pure logic, no IPC: the server
// feeds it received bytes and client writes, and carries out what it asks for — bytes to put on
// the line (echo and processed output), a signal for the foreground group, readers to answer.
// Tested on the host (tests/unit/tty_line_discipline_test.cc).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "interfaces/tty/protocol.h"

namespace tty {

// POSIX's numbers (newlib's, the same as interfaces/process's kSignal*).
constexpr uint32_t kSigInt = 2, kSigQuit = 3, kSigTstp = 18;

class LineDiscipline {
public:
    static constexpr uint32_t kInputBytes = 4096; // typed bytes ready for readers (MAX_INPUT)
    static constexpr uint32_t kLineBytes = 1024;  // the line being edited (MAX_CANON)
    static constexpr uint32_t kEchoBytes = 4096;  // echo not yet put on the line

    LineDiscipline() : m_termios(default_termios()) {}

    const Termios& termios() const { return m_termios; }
    // New settings. Leaving canonical mode makes the line being edited readable as it is.
    void set_termios(const Termios& termios);

    // ---- Input ----
    // One received byte: edits the line, echoes, completes a line, or asks for a signal
    // (`take_signal`). Bytes that find no room are dropped.
    void receive(uint8_t byte);
    void receive(const uint8_t* bytes, size_t count) {
        for (size_t i = 0; i < count; ++i)
            receive(bytes[i]);
    }
    // The signal an INTR/QUIT/SUSP character asked for, once (0: none).
    uint32_t take_signal() {
        uint32_t signal = m_signal;
        m_signal = 0;
        return signal;
    }
    // tcflush(TCIFLUSH): forgets the typed input, readable and being edited.
    void flush_input();

    // ---- Reads ----
    // How a read of at most `max` bytes is answered now: `ready` with `count` bytes (count 0:
    // end of file in canonical mode, or nothing in time in non-canonical mode), or wait — with
    // `timer` deciseconds (0: none) for VTIME. `expired`: the read's VTIME timer ran out.
    struct ReadDecision {
        bool ready;
        uint32_t count;
        uint32_t timer;      // deciseconds; 0: none
        bool timer_restarts; // the inter-byte timer (VMIN > 0): each byte restarts it
    };
    ReadDecision decide_read(uint32_t max, bool expired) const;
    // Copies what decide_read promised into `out`; `consumed` input elements to `drop` once the
    // reply got through (an end of file is an element without a byte).
    uint32_t peek(uint8_t* out, uint32_t max, uint32_t& consumed) const;
    void drop(uint32_t consumed);
    // Bytes readers can have now (non-canonical), or of complete lines (canonical).
    uint32_t readable() const { return m_ready_count; }

    // ---- Output ----
    // Output processing (OPOST: ONLCR, OCRNL) of `count` bytes into `out`, which has room for
    // 2 * count; the length. Tracks the column for erasing echoed tabs.
    uint32_t process_output(const uint8_t* bytes, uint32_t count, uint8_t* out);
    // The echo produced since the last call, already processed for output; its length.
    uint32_t take_echo(uint8_t* out, uint32_t max);
    bool has_echo() const { return m_echo_count > 0; }

private:
    // An element of the ready input: a byte, whether it ends a line, or an end of file.
    static constexpr uint16_t kDelimiter = 0x100;
    static constexpr uint16_t kEndOfFile = 0x200;

    bool is(uint8_t byte, uint32_t index) const {
        return m_termios.cc[index] != kDisabled && byte == m_termios.cc[index];
    }
    bool lflag(uint32_t bit) const { return (m_termios.lflag & bit) != 0; }
    bool canonical() const { return lflag(lflag::kCanonical); }
    bool is_erase(uint8_t byte) const;

    void push_ready(uint16_t element);
    uint16_t ready_at(uint32_t i) const { return m_ready[(m_ready_head + i) % kInputBytes]; }
    void complete_line(uint8_t delimiter, bool is_eof);
    void signal(uint32_t signal, uint8_t byte);

    void echo_raw(uint8_t byte);
    // Echo of a typed byte: control characters as ^X with ECHOCTL; its width on the screen.
    uint8_t echo_char(uint8_t byte);
    void erase_one(bool echo_erase);
    void erase_word();
    void kill_line();
    void reprint();

    Termios m_termios;
    uint16_t m_ready[kInputBytes] = {};
    uint32_t m_ready_head = 0, m_ready_elements = 0;
    uint32_t m_ready_count = 0; // bytes readable (canonical: of complete lines, EOFs count 0)
    uint32_t m_lines = 0;       // complete lines and ends of file in m_ready (canonical)
    uint8_t m_line[kLineBytes] = {};
    uint8_t m_width[kLineBytes] = {}; // each edited byte's width on the screen when echoed
    uint32_t m_line_count = 0;
    bool m_literal = false; // the previous byte was VLNEXT
    uint32_t m_signal = 0;
    uint8_t m_echo[kEchoBytes] = {};
    uint32_t m_echo_count = 0;
    uint32_t m_column = 0;
};

} // namespace tty
