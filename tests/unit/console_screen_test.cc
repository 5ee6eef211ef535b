// servers/drivers/console/screen.h: the VGA text screen as a terminal — text, wrapping with the
// VT100's pending wrap, scrolling (whole screen and region), cursor motion, erasing, insert and
// delete of characters and lines, SGR attributes, save/restore, the position report, and what
// busybox's clear, reset and vi write.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "servers/drivers/console/screen.h"

namespace console {
namespace {

class ConsoleScreen : public testing::Test {
protected:
    void SetUp() override {
        m_cells.assign(Screen::kColumns * Screen::kRows, 0);
        m_screen.attach(m_cells.data(), 0, 0);
        m_screen.clear();
    }
    void put(const std::string& text) {
        m_screen.put(reinterpret_cast<const uint8_t*>(text.data()),
                     static_cast<uint32_t>(text.size()));
    }
    // Row `row` without its trailing blanks.
    std::string row(uint32_t row) const {
        std::string text;
        for (uint32_t c = 0; c < Screen::kColumns; ++c)
            text += static_cast<char>(m_cells[row * Screen::kColumns + c] & 0xFF);
        return text.substr(0, text.find_last_not_of(' ') + 1);
    }
    uint8_t attribute(uint32_t row, uint32_t column) const {
        return static_cast<uint8_t>(m_cells[row * Screen::kColumns + column] >> 8);
    }
    void expect_cursor(uint32_t row, uint32_t column) const {
        EXPECT_EQ(m_screen.row(), row);
        EXPECT_EQ(m_screen.column(), column);
    }
    void fill_rows() {
        for (int i = 0; i < 25; ++i)
            put((i == 0 ? "" : "\n") + std::string("line ") + std::to_string(i));
    }

    std::vector<uint16_t> m_cells;
    Screen m_screen;
};

TEST_F(ConsoleScreen, TextAndControls) {
    put("ab\tc\r\nx\by");
    EXPECT_EQ(row(0), "ab      c");
    EXPECT_EQ(row(1), "y");
    expect_cursor(1, 1);
    EXPECT_EQ(attribute(0, 0), Screen::kDefaultAttribute);
    put("\a\x01\x7f"); // BEL, other C0 controls and DEL show nothing
    EXPECT_EQ(row(1), "y");
    expect_cursor(1, 1);
}

TEST_F(ConsoleScreen, FullLastColumnWrapsOnlyAtTheNextCharacter) {
    put(std::string(80, 'a'));
    expect_cursor(0, 79); // pending wrap: the cursor stays on the line
    put("b");
    EXPECT_EQ(row(1), "b");
    expect_cursor(1, 1);
    // The bottom right cell can be written without scrolling (a full-screen editor's status).
    put("\x1b[25;80HZ");
    EXPECT_EQ(row(24), std::string(79, ' ') + "Z");
    EXPECT_EQ(m_screen.scrolls(), 0u);
    put("\r"); // a carriage return cancels the pending wrap
    expect_cursor(24, 0);
}

TEST_F(ConsoleScreen, LineFeedAtTheBottomScrolls) {
    fill_rows();
    EXPECT_EQ(row(0), "line 0");
    put("\nnew");
    EXPECT_EQ(row(0), "line 1");
    EXPECT_EQ(row(23), "line 24");
    EXPECT_EQ(row(24), "new");
    EXPECT_EQ(m_screen.scrolls(), 1u);
}

TEST_F(ConsoleScreen, CursorMotionIsClampedToTheScreen) {
    put("\x1b[5;10H");
    expect_cursor(4, 9);
    put("\x1b[2A");
    expect_cursor(2, 9);
    put("\x1b[B");
    expect_cursor(3, 9);
    put("\x1b[3C");
    expect_cursor(3, 12);
    put("\x1b[100D");
    expect_cursor(3, 0);
    put("\x1b[99;999H");
    expect_cursor(24, 79);
    put("\x1b[H");
    expect_cursor(0, 0);
    put("\x1b[7G");
    expect_cursor(0, 6);
    put("\x1b[3d");
    expect_cursor(2, 6);
    put("\x1b[;5f"); // an empty parameter is the default
    expect_cursor(0, 4);
}

TEST_F(ConsoleScreen, EraseInDisplayAndLine) {
    fill_rows();
    put("\x1b[3;4H\x1b[K");
    EXPECT_EQ(row(2), "lin");
    put("\x1b[4;3H\x1b[1K");
    EXPECT_EQ(row(3), "   e 3");
    put("\x1b[5;1H\x1b[2K");
    EXPECT_EQ(row(4), "");
    put("\x1b[20;1H\x1b[J");
    EXPECT_EQ(row(18), "line 18");
    EXPECT_EQ(row(19), "");
    EXPECT_EQ(row(24), "");
    put("\x1b[2;2H\x1b[1J");
    EXPECT_EQ(row(0), "");
    EXPECT_EQ(row(1), "  ne 1");
    put("\x1b[2J");
    for (uint32_t r = 0; r < Screen::kRows; ++r)
        EXPECT_EQ(row(r), "") << r;
    expect_cursor(1, 1); // ED does not move the cursor
}

TEST_F(ConsoleScreen, BusyboxClearAndReset) {
    fill_rows();
    put("\x1b[H\x1b[J"); // clear
    EXPECT_EQ(row(0), "");
    EXPECT_EQ(row(24), "");
    expect_cursor(0, 0);
    put("\x1b[7mx\x1b"
        "c"); // reset: RIS clears and drops the attributes
    EXPECT_EQ(row(0), "");
    put("y");
    EXPECT_EQ(attribute(0, 0), Screen::kDefaultAttribute);
}

TEST_F(ConsoleScreen, InsertAndDeleteCharactersAndLines) {
    put("abcdef\x1b[1;3H\x1b[2@");
    EXPECT_EQ(row(0), "ab  cdef");
    put("\x1b[3P");
    EXPECT_EQ(row(0), "abdef");
    put("\x1b[1;2H\x1b[2X");
    EXPECT_EQ(row(0), "a  ef");
    SetUp();
    fill_rows();
    put("\x1b[3;1H\x1b[2L");
    EXPECT_EQ(row(2), "");
    EXPECT_EQ(row(3), "");
    EXPECT_EQ(row(4), "line 2");
    EXPECT_EQ(row(24), "line 22");
    put("\x1b[M");
    EXPECT_EQ(row(2), "");
    EXPECT_EQ(row(3), "line 2");
    EXPECT_EQ(row(24), "");
}

TEST_F(ConsoleScreen, ScrollingRegionKeepsTheLinesOutsideIt) {
    fill_rows();
    put("\x1b[2;24r"); // rows 2..24 scroll; row 1 and 25 stay (vi's status line)
    expect_cursor(0, 0);
    put("\x1b[24;1H\nnext");
    EXPECT_EQ(row(0), "line 0");
    EXPECT_EQ(row(1), "line 2");
    EXPECT_EQ(row(22), "line 23");
    EXPECT_EQ(row(23), "next");
    EXPECT_EQ(row(24), "line 24");
    put("\x1b[2;1H\x1bM"); // reverse index at the region's top scrolls it down
    EXPECT_EQ(row(1), "");
    EXPECT_EQ(row(2), "line 2");
    EXPECT_EQ(row(24), "line 24");
    put("\x1b[r"); // the whole screen again
    put("\x1b[25;1H\n");
    EXPECT_EQ(row(0), ""); // the whole screen scrolls now: row 1 (blank since the RI) moves up
    EXPECT_EQ(row(23), "line 24");
}

TEST_F(ConsoleScreen, ScrollUpAndDownCommands) {
    fill_rows();
    put("\x1b[2S");
    EXPECT_EQ(row(0), "line 2");
    EXPECT_EQ(row(23), "");
    put("\x1b[T");
    EXPECT_EQ(row(0), "");
    EXPECT_EQ(row(1), "line 2");
}

TEST_F(ConsoleScreen, GraphicRenditionSetsTheAttribute) {
    put("\x1b[7mR\x1b[0mN\x1b[1;31mB\x1b[44;32mC\x1b[mD\x1b[93mE\x1b[7;27mF");
    EXPECT_EQ(attribute(0, 0), 0x70); // reverse: black on grey
    EXPECT_EQ(attribute(0, 1), 0x07);
    EXPECT_EQ(attribute(0, 2), 0x0C); // bold red: bright red
    EXPECT_EQ(attribute(0, 3), 0x1A); // green on blue, still bold
    EXPECT_EQ(attribute(0, 4), 0x07);
    EXPECT_EQ(attribute(0, 5), 0x0E); // bright yellow
    EXPECT_EQ(attribute(0, 6), 0x0E); // reverse off again
    put("\x1b[0;7m\x1b[2K");
    EXPECT_EQ(attribute(0, 0), 0x70) << "erasing uses the current background";
}

TEST_F(ConsoleScreen, SaveAndRestoreTheCursor) {
    put("\x1b[5;6H\x1b"
        "7\x1b[H\x1b"
        "8");
    expect_cursor(4, 5);
    put("\x1b[10;11H\x1b[s\x1b[H\x1b[u");
    expect_cursor(9, 10);
}

TEST_F(ConsoleScreen, CursorPositionReportIsAnswered) {
    uint8_t out[Screen::kMaxAnswer];
    EXPECT_EQ(m_screen.take_answer(out), 0u);
    put("\x1b[12;34H\x1b[6n");
    uint32_t n = m_screen.take_answer(out);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(out), n), "\x1b[12;34R");
    EXPECT_EQ(m_screen.take_answer(out), 0u) << "taken once";
    put("\x1b[999;999H\x1b[6n"); // how vi and resize measure a terminal
    n = m_screen.take_answer(out);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(out), n), "\x1b[25;80R");
}

TEST_F(ConsoleScreen, SequencesSplitAcrossWritesAndPrivateModes) {
    put("\x1b[");
    put("3;");
    put("4H*");
    EXPECT_EQ(row(2), "   *");
    put("\x1b[?25l\x1b[?1049h\x1b(B\x1b)0"); // cursor, other screen, character sets: ignored
    EXPECT_EQ(row(2), "   *");
    expect_cursor(2, 4);
    put("\x1b[12\x18X"); // CAN abandons a sequence
    EXPECT_EQ(row(2), "   *X");
    put("\x1b[99999999999999999999C"); // a huge parameter is clamped, not overflowed
    expect_cursor(2, 79);
}

TEST_F(ConsoleScreen, BusyboxViScreen) {
    // What busybox vi writes for a two-line file on a 25x80 screen: home, clear, the lines,
    // '~' for the rest, the status line in the last row, the cursor back to the text.
    put("\x1b[H\x1b[J");
    put("first line\r\n");
    put("second line\r\n");
    for (int i = 2; i < 24; ++i)
        put("~\x1b[K\r\n");
    put("\x1b[25;1H\x1b[K\x1b[7m-\"/tmp/v.txt\" 2L, 24C\x1b[m");
    put("\x1b[2;1H");
    EXPECT_EQ(row(0), "first line");
    EXPECT_EQ(row(1), "second line");
    EXPECT_EQ(row(23), "~");
    EXPECT_EQ(row(24), "-\"/tmp/v.txt\" 2L, 24C");
    EXPECT_EQ(attribute(24, 0), 0x70);
    expect_cursor(1, 0);
    EXPECT_EQ(m_screen.scrolls(), 0u);
}

} // namespace
} // namespace console
