// The text screen as a terminal (README.md "Escape sequences"): bytes in, cells and a cursor out.
// A subset of the VT100/ANSI (ECMA-48) sequences Linux's console and xterm understand — what
// busybox's vi, less, clear and reset and the shells' line editing write: cursor motion,
// erasing, insert/delete of characters and lines, scrolling (with a scrolling region), the
// colours and reverse video of SGR, save/restore of the cursor, and the cursor position report.
// Pure: the cells are any array of kColumns * kRows 16-bit VGA cells (character | attribute
// << 8); host-tested (tests/unit/console_screen_test.cc).
#pragma once

#include <stdint.h>

namespace console {

class Screen {
public:
    static constexpr uint32_t kColumns = 80;
    static constexpr uint32_t kRows = 25;
    static constexpr uint8_t kDefaultAttribute = 0x07; // grey on black
    // What a sequence may ask to send back (the cursor position report: ESC [ 25 ; 80 R).
    static constexpr uint32_t kMaxAnswer = 12;

    // `cells`: the screen; the cursor starts at `row`, `column` (clamped to the screen).
    void attach(volatile uint16_t* cells, uint32_t row, uint32_t column);

    // Interprets `count` bytes. A sequence split across calls continues in the next one.
    void put(const uint8_t* bytes, uint32_t count);

    void clear(); // the whole screen blank, the cursor home

    uint32_t row() const { return m_row; }
    uint32_t column() const { return m_column; }
    uint8_t attribute() const { return m_attribute; }
    uint32_t scrolls() const { return m_scrolls; }
    // Bytes a sequence asked to send back to the terminal's reader (the position report), taken
    // once: the caller puts them into the keyboard's buffer.
    uint32_t take_answer(uint8_t out[kMaxAnswer]);

private:
    static constexpr uint32_t kMaxParameters = 8;
    enum class State : uint8_t { text, escape, csi, designation };

    void control(uint8_t c);
    void print(uint8_t c);
    void escape(uint8_t c);
    void csi(uint8_t c);
    void csi_final(uint8_t c);
    void select_graphic_rendition();
    uint32_t parameter(uint32_t index, uint32_t fallback) const;

    void line_feed();
    void reverse_line_feed();
    void move_to(int32_t row, int32_t column);
    // Lines [top, bottom] of the screen move up (or down) by `count`; the lines that come in
    // are blank.
    void scroll_up(uint32_t top, uint32_t bottom, uint32_t count);
    void scroll_down(uint32_t top, uint32_t bottom, uint32_t count);
    void erase(uint32_t from, uint32_t to); // cells [from, to) in screen order
    uint16_t blank() const;
    void answer(const char* text);

    volatile uint16_t* m_cells = nullptr;
    uint32_t m_row = 0, m_column = 0;
    // The last column was written: the next printable character goes to the next line first
    // (the VT100's pending wrap, so that a full last line does not scroll at once).
    bool m_wrap_pending = false;
    uint8_t m_attribute = kDefaultAttribute;
    bool m_reverse = false, m_bold = false;
    uint8_t m_foreground = 7, m_background = 0;
    uint32_t m_top = 0, m_bottom = kRows - 1; // the scrolling region
    uint32_t m_saved_row = 0, m_saved_column = 0;
    State m_state = State::text;
    bool m_private = false; // a CSI sequence with '?' (DEC private modes)
    uint32_t m_parameters[kMaxParameters] = {};
    uint32_t m_parameter_count = 0;
    uint8_t m_answer[kMaxAnswer] = {};
    uint32_t m_answer_length = 0;
    uint32_t m_scrolls = 0;
};

} // namespace console
