#include "servers/drivers/console/screen.h"

namespace console {
namespace {

constexpr uint8_t kEsc = 0x1b;
// ANSI's colour numbers (black red green yellow blue magenta cyan white) as the VGA's (black
// blue green cyan red magenta brown grey).
constexpr uint8_t kVgaColour[8] = {0, 4, 2, 6, 1, 5, 3, 7};
constexpr uint32_t kLargest = 9999; // a parameter is clamped here (no overflow)

} // namespace

void Screen::attach(volatile uint16_t* cells, uint32_t row, uint32_t column) {
    m_cells = cells;
    m_row = row < kRows ? row : kRows - 1;
    m_column = column < kColumns ? column : kColumns - 1;
}

uint16_t Screen::blank() const {
    return static_cast<uint16_t>(m_attribute << 8 | ' ');
}

void Screen::erase(uint32_t from, uint32_t to) {
    for (uint32_t i = from; i < to && i < kColumns * kRows; ++i)
        m_cells[i] = blank();
}

void Screen::clear() {
    erase(0, kColumns * kRows);
    m_row = m_column = 0;
    m_wrap_pending = false;
}

void Screen::scroll_up(uint32_t top, uint32_t bottom, uint32_t count) {
    if (top > bottom || bottom >= kRows) return;
    uint32_t lines = bottom - top + 1;
    if (count > lines) count = lines;
    for (uint32_t r = top; r + count <= bottom; ++r)
        for (uint32_t c = 0; c < kColumns; ++c)
            m_cells[r * kColumns + c] = m_cells[(r + count) * kColumns + c];
    erase((bottom + 1 - count) * kColumns, (bottom + 1) * kColumns);
    m_scrolls += count;
}

void Screen::scroll_down(uint32_t top, uint32_t bottom, uint32_t count) {
    if (top > bottom || bottom >= kRows) return;
    uint32_t lines = bottom - top + 1;
    if (count > lines) count = lines;
    for (uint32_t r = bottom; r >= top + count; --r)
        for (uint32_t c = 0; c < kColumns; ++c)
            m_cells[r * kColumns + c] = m_cells[(r - count) * kColumns + c];
    erase(top * kColumns, (top + count) * kColumns);
}

void Screen::line_feed() {
    m_wrap_pending = false;
    if (m_row == m_bottom)
        scroll_up(m_top, m_bottom, 1);
    else if (m_row + 1 < kRows)
        ++m_row;
}

void Screen::reverse_line_feed() {
    m_wrap_pending = false;
    if (m_row == m_top)
        scroll_down(m_top, m_bottom, 1);
    else if (m_row > 0)
        --m_row;
}

void Screen::move_to(int32_t row, int32_t column) {
    if (row < 0) row = 0;
    if (row >= static_cast<int32_t>(kRows)) row = kRows - 1;
    if (column < 0) column = 0;
    if (column >= static_cast<int32_t>(kColumns)) column = kColumns - 1;
    m_row = static_cast<uint32_t>(row);
    m_column = static_cast<uint32_t>(column);
    m_wrap_pending = false;
}

void Screen::answer(const char* text) {
    m_answer_length = 0;
    for (; *text != 0 && m_answer_length < kMaxAnswer; ++text)
        m_answer[m_answer_length++] = static_cast<uint8_t>(*text);
}

uint32_t Screen::take_answer(uint8_t out[kMaxAnswer]) {
    uint32_t n = m_answer_length;
    for (uint32_t i = 0; i < n; ++i)
        out[i] = m_answer[i];
    m_answer_length = 0;
    return n;
}

void Screen::put(const uint8_t* bytes, uint32_t count) {
    for (uint32_t i = 0; i < count; ++i) {
        uint8_t c = bytes[i];
        // CAN and SUB end a sequence; ESC starts another one even inside a sequence.
        if (c == 0x18 || c == 0x1a) {
            m_state = State::text;
            continue;
        }
        if (c == kEsc) {
            m_state = State::escape;
            continue;
        }
        switch (m_state) {
        case State::text:
            if (c < 0x20 || c == 0x7f)
                control(c);
            else
                print(c);
            break;
        case State::escape:
            escape(c);
            break;
        case State::csi:
            csi(c);
            break;
        case State::designation: // ESC ( B, ESC ) 0 …: the set's final byte, shown nowhere
            m_state = State::text;
            break;
        }
    }
}

// The C0 controls a terminal acts on; the others (and DEL) show nothing.
void Screen::control(uint8_t c) {
    switch (c) {
    case '\n': // LF, VT and FF move down; LF also returns (the driver's stream protocol)
        m_column = 0;
        line_feed();
        break;
    case '\v':
        line_feed();
        break;
    case '\f':
        clear();
        break;
    case '\r':
        m_column = 0;
        m_wrap_pending = false;
        break;
    case '\b':
        if (m_column > 0) --m_column;
        m_wrap_pending = false;
        break;
    case '\t':
        m_column = (m_column + 8) & ~7u;
        if (m_column >= kColumns) m_column = kColumns - 1;
        m_wrap_pending = false;
        break;
    default: // BEL and the rest
        break;
    }
}

void Screen::print(uint8_t c) {
    if (m_wrap_pending) {
        m_column = 0;
        line_feed();
    }
    m_cells[m_row * kColumns + m_column] = static_cast<uint16_t>(m_attribute << 8 | c);
    if (m_column + 1 < kColumns)
        ++m_column;
    else
        m_wrap_pending = true;
}

void Screen::escape(uint8_t c) {
    m_state = State::text;
    switch (c) {
    case '[':
        m_state = State::csi;
        m_private = false;
        m_parameter_count = 0;
        for (uint32_t& p : m_parameters)
            p = 0;
        break;
    case 'c': // RIS: the terminal as it started
        m_attribute = kDefaultAttribute;
        m_reverse = m_bold = false;
        m_foreground = 7;
        m_background = 0;
        m_top = 0;
        m_bottom = kRows - 1;
        clear();
        break;
    case 'D': // IND
        line_feed();
        break;
    case 'E': // NEL
        m_column = 0;
        line_feed();
        break;
    case 'M': // RI
        reverse_line_feed();
        break;
    case '7': // DECSC
        m_saved_row = m_row;
        m_saved_column = m_column;
        break;
    case '8': // DECRC
        move_to(static_cast<int32_t>(m_saved_row), static_cast<int32_t>(m_saved_column));
        break;
    case '(': // character set designations (G0..G3): one more byte, then ignored
    case ')':
    case '*':
    case '+':
        m_state = State::designation;
        break;
    default: // the rest: ignored
        break;
    }
}

void Screen::csi(uint8_t c) {
    if (c >= '0' && c <= '9') {
        if (m_parameter_count == 0) m_parameter_count = 1;
        uint32_t& p = m_parameters[m_parameter_count - 1];
        p = p * 10 + (c - '0');
        if (p > kLargest) p = kLargest;
        return;
    }
    if (c == ';') {
        if (m_parameter_count == 0) m_parameter_count = 1;
        if (m_parameter_count < kMaxParameters) ++m_parameter_count;
        return;
    }
    if (c == '?' || c == '>' || c == '=') {
        m_private = true;
        return;
    }
    if (c < 0x40 || c > 0x7e) {
        if (c < 0x20) control(c); // a control inside a sequence acts and the sequence goes on
        return;                   // intermediate bytes: ignored
    }
    m_state = State::text;
    csi_final(c);
}

uint32_t Screen::parameter(uint32_t index, uint32_t fallback) const {
    if (index >= m_parameter_count || m_parameters[index] == 0) return fallback;
    return m_parameters[index];
}

void Screen::csi_final(uint8_t c) {
    const int32_t row = static_cast<int32_t>(m_row), column = static_cast<int32_t>(m_column);
    const int32_t n = static_cast<int32_t>(parameter(0, 1));
    if (m_private) {
        // DEC private modes (?25 cursor, ?7 autowrap, ?1049 the other screen ...) and the
        // secondary device attributes: nothing to change on this screen.
        return;
    }
    switch (c) {
    case 'A': // CUU
        move_to(row - n < static_cast<int32_t>(m_top) && row >= static_cast<int32_t>(m_top)
                    ? static_cast<int32_t>(m_top)
                    : row - n,
                column);
        break;
    case 'B': // CUD
        move_to(row + n > static_cast<int32_t>(m_bottom) && row <= static_cast<int32_t>(m_bottom)
                    ? static_cast<int32_t>(m_bottom)
                    : row + n,
                column);
        break;
    case 'C': // CUF
    case 'a': // HPR
        move_to(row, column + n);
        break;
    case 'D': // CUB
        move_to(row, column - n);
        break;
    case 'E': // CNL
        move_to(row + n, 0);
        break;
    case 'F': // CPL
        move_to(row - n, 0);
        break;
    case 'G': // CHA
    case '`': // HPA
        move_to(row, n - 1);
        break;
    case 'd': // VPA
        move_to(n - 1, column);
        break;
    case 'H': // CUP
    case 'f': // HVP
        move_to(static_cast<int32_t>(parameter(0, 1)) - 1,
                static_cast<int32_t>(parameter(1, 1)) - 1);
        break;
    case 'J': { // ED
        uint32_t here = m_row * kColumns + m_column;
        switch (parameter(0, 0)) {
        case 0:
            erase(here, kColumns * kRows);
            break;
        case 1:
            erase(0, here + 1);
            break;
        default: // 2, and 3 (the scrollback, which this screen has none of)
            erase(0, kColumns * kRows);
            break;
        }
        m_wrap_pending = false;
        break;
    }
    case 'K': { // EL
        uint32_t start = m_row * kColumns;
        switch (parameter(0, 0)) {
        case 0:
            erase(start + m_column, start + kColumns);
            break;
        case 1:
            erase(start, start + m_column + 1);
            break;
        default:
            erase(start, start + kColumns);
            break;
        }
        m_wrap_pending = false;
        break;
    }
    case 'X': // ECH
        erase(m_row * kColumns + m_column,
              m_row * kColumns +
                  (m_column + static_cast<uint32_t>(n) < kColumns ? m_column + n : kColumns));
        m_wrap_pending = false;
        break;
    case '@': { // ICH: blanks pushed in at the cursor, the line's end falls off
        uint32_t shift = static_cast<uint32_t>(n) < kColumns - m_column ? n : kColumns - m_column;
        volatile uint16_t* line = m_cells + m_row * kColumns;
        for (uint32_t x = kColumns - 1; x >= m_column + shift; --x)
            line[x] = line[x - shift];
        for (uint32_t x = m_column; x < m_column + shift; ++x)
            line[x] = blank();
        m_wrap_pending = false;
        break;
    }
    case 'P': { // DCH: the rest of the line moves left, blanks come in at its end
        uint32_t shift = static_cast<uint32_t>(n) < kColumns - m_column ? n : kColumns - m_column;
        volatile uint16_t* line = m_cells + m_row * kColumns;
        for (uint32_t x = m_column; x + shift < kColumns; ++x)
            line[x] = line[x + shift];
        for (uint32_t x = kColumns - shift; x < kColumns; ++x)
            line[x] = blank();
        m_wrap_pending = false;
        break;
    }
    case 'L': // IL: only inside the scrolling region
        if (m_row >= m_top && m_row <= m_bottom)
            scroll_down(m_row, m_bottom, static_cast<uint32_t>(n));
        m_column = 0;
        m_wrap_pending = false;
        break;
    case 'M': // DL
        if (m_row >= m_top && m_row <= m_bottom)
            scroll_up(m_row, m_bottom, static_cast<uint32_t>(n));
        m_column = 0;
        m_wrap_pending = false;
        break;
    case 'S': // SU
        scroll_up(m_top, m_bottom, static_cast<uint32_t>(n));
        break;
    case 'T': // SD
        scroll_down(m_top, m_bottom, static_cast<uint32_t>(n));
        break;
    case 'r': { // DECSTBM: the scrolling region; the cursor goes home
        uint32_t top = parameter(0, 1) - 1, bottom = parameter(1, kRows) - 1;
        if (bottom >= kRows) bottom = kRows - 1;
        if (top < bottom) {
            m_top = top;
            m_bottom = bottom;
        }
        move_to(0, 0);
        break;
    }
    case 's': // SCOSC
        m_saved_row = m_row;
        m_saved_column = m_column;
        break;
    case 'u': // SCORC
        move_to(static_cast<int32_t>(m_saved_row), static_cast<int32_t>(m_saved_column));
        break;
    case 'm':
        select_graphic_rendition();
        break;
    case 'n': // DSR: 5 the status (fine), 6 the cursor position (1-based)
        if (parameter(0, 0) == 5) {
            answer("\x1b[0n");
        } else if (parameter(0, 0) == 6) {
            char text[kMaxAnswer + 1];
            uint32_t at = 0;
            auto number = [&](uint32_t value) {
                if (value >= 10) text[at++] = static_cast<char>('0' + value / 10);
                text[at++] = static_cast<char>('0' + value % 10);
            };
            text[at++] = static_cast<char>(kEsc);
            text[at++] = '[';
            number(m_row + 1);
            text[at++] = ';';
            number(m_column + 1);
            text[at++] = 'R';
            text[at] = 0;
            answer(text);
        }
        break;
    default: // h/l (ANSI modes), c (device attributes), q, ...: nothing to do here
        break;
    }
}

void Screen::select_graphic_rendition() {
    uint32_t count = m_parameter_count == 0 ? 1 : m_parameter_count;
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t p = i < m_parameter_count ? m_parameters[i] : 0;
        if (p == 0) {
            m_bold = m_reverse = false;
            m_foreground = 7;
            m_background = 0;
        } else if (p == 1) {
            m_bold = true;
        } else if (p == 22) {
            m_bold = false;
        } else if (p == 7) {
            m_reverse = true;
        } else if (p == 27) {
            m_reverse = false;
        } else if (p >= 30 && p <= 37) {
            m_foreground = kVgaColour[p - 30];
        } else if (p == 39) {
            m_foreground = 7;
        } else if (p >= 40 && p <= 47) {
            m_background = kVgaColour[p - 40];
        } else if (p == 49) {
            m_background = 0;
        } else if (p >= 90 && p <= 97) {
            m_foreground = static_cast<uint8_t>(kVgaColour[p - 90] | 8);
        }
        // underline, blink, italic and the rest: not shown
    }
    uint8_t foreground = static_cast<uint8_t>(m_foreground | (m_bold ? 8 : 0));
    uint8_t background = m_background;
    if (m_reverse) {
        uint8_t swap = foreground;
        foreground = background;
        background = static_cast<uint8_t>(swap & 7);
    }
    m_attribute = static_cast<uint8_t>(background << 4 | foreground);
}

} // namespace console
