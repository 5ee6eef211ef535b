// The tty server's line discipline (servers/tty/line_discipline.h): termios's rules for typed
// and written bytes, one test per rule.
#include "servers/tty/line_discipline.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using tty::LineDiscipline;
namespace lflag = tty::lflag;
namespace cc = tty::cc;

void type(LineDiscipline& ld, const std::string& keys) {
    ld.receive(reinterpret_cast<const uint8_t*>(keys.data()), keys.size());
}

// What a person sees: the echo, after output processing.
std::string echo(LineDiscipline& ld) {
    std::string seen;
    uint8_t chunk[64];
    while (uint32_t n = ld.take_echo(chunk, sizeof chunk))
        seen.append(reinterpret_cast<const char*>(chunk), n);
    return seen;
}

// A read of at most `max` as the server makes it: decided, peeked, then dropped (delivered).
// "<wait>" when the read would wait.
std::string read(LineDiscipline& ld, uint32_t max = 240, bool expired = false) {
    LineDiscipline::ReadDecision decision = ld.decide_read(max, expired);
    if (!decision.ready) return "<wait>";
    uint8_t out[240];
    uint32_t consumed = 0;
    uint32_t count = ld.peek(out, max, consumed);
    EXPECT_EQ(count, decision.count);
    ld.drop(consumed);
    return std::string(reinterpret_cast<const char*>(out), count);
}

void set_lflag(LineDiscipline& ld, uint32_t on, uint32_t off) {
    tty::Termios t = ld.termios();
    t.lflag = (t.lflag | on) & ~off;
    ld.set_termios(t);
}

void raw(LineDiscipline& ld, uint8_t min, uint8_t time) {
    tty::Termios t = ld.termios();
    t.lflag &= ~(lflag::kCanonical | lflag::kEcho);
    t.cc[cc::kMin] = min;
    t.cc[cc::kTime] = time;
    ld.set_termios(t);
}

TEST(TtyLineDiscipline, canonical_read_waits_for_a_whole_line) {
    LineDiscipline ld;
    type(ld, "hel");
    EXPECT_EQ(read(ld), "<wait>");
    type(ld, "lo\n");
    EXPECT_EQ(read(ld), "hello\n");
    EXPECT_EQ(read(ld), "<wait>");
}

TEST(TtyLineDiscipline, canonical_read_returns_one_line_at_a_time) {
    LineDiscipline ld;
    type(ld, "one\ntwo\n");
    EXPECT_EQ(read(ld), "one\n");
    EXPECT_EQ(read(ld), "two\n");
}

TEST(TtyLineDiscipline, a_short_read_leaves_the_rest_of_the_line) {
    LineDiscipline ld;
    type(ld, "abcdef\n");
    EXPECT_EQ(read(ld, 4), "abcd");
    EXPECT_EQ(read(ld), "ef\n");
}

TEST(TtyLineDiscipline, carriage_return_becomes_newline_with_icrnl) {
    LineDiscipline ld;
    type(ld, "ls\r");
    EXPECT_EQ(read(ld), "ls\n");
    tty::Termios t = ld.termios();
    t.iflag &= ~tty::iflag::kCrToNl;
    ld.set_termios(t);
    type(ld, "a\rb\n");
    EXPECT_EQ(read(ld), "a\rb\n");
}

TEST(TtyLineDiscipline, echo_shows_typed_bytes_and_newline_as_crlf) {
    LineDiscipline ld;
    type(ld, "hi\r");
    EXPECT_EQ(echo(ld), "hi\r\n");
}

TEST(TtyLineDiscipline, erase_with_del_and_with_backspace_removes_the_last_byte) {
    LineDiscipline ld;
    type(ld, "abx\x7f"
             "c\n");
    EXPECT_EQ(read(ld), "abc\n");
    EXPECT_EQ(echo(ld), "abx\b \bc\r\n");
    type(ld, "aby\bc\n");
    EXPECT_EQ(read(ld), "abc\n");
}

TEST(TtyLineDiscipline, erase_on_an_empty_line_does_nothing) {
    LineDiscipline ld;
    type(ld, "\x7f\x7f"
             "a\n");
    EXPECT_EQ(read(ld), "a\n");
    EXPECT_EQ(echo(ld), "a\r\n");
}

TEST(TtyLineDiscipline, erase_of_a_control_character_erases_both_columns_of_its_echo) {
    LineDiscipline ld;
    type(ld, "a\x01");
    EXPECT_EQ(echo(ld), "a^A");
    type(ld, "\x7f");
    EXPECT_EQ(echo(ld), "\b \b\b \b");
}

TEST(TtyLineDiscipline, erase_without_echoe_echoes_the_erase_character) {
    LineDiscipline ld;
    set_lflag(ld, 0, lflag::kEchoErase | lflag::kEchoControl);
    type(ld, "ab\x7f\n");
    EXPECT_EQ(read(ld), "a\n");
    EXPECT_EQ(echo(ld), "ab\x7f\r\n");
}

TEST(TtyLineDiscipline, kill_erases_the_whole_line) {
    LineDiscipline ld;
    type(ld, "wrong\x15right\n");
    EXPECT_EQ(read(ld), "right\n");
    // ECHOKE with ECHOE: the line disappears from the screen.
    EXPECT_EQ(echo(ld).substr(0, 5 + 15), "wrong\b \b\b \b\b \b\b \b\b \b");
}

TEST(TtyLineDiscipline, kill_with_echok_but_not_echoke_echoes_a_newline) {
    LineDiscipline ld;
    set_lflag(ld, lflag::kEchoKill, lflag::kEchoKillErase);
    type(ld, "ab\x15");
    EXPECT_EQ(echo(ld), "ab^U\r\n");
    type(ld, "c\n");
    EXPECT_EQ(read(ld), "c\n");
}

TEST(TtyLineDiscipline, word_erase_removes_the_last_word_and_the_spaces_after_it) {
    LineDiscipline ld;
    type(ld, "echo hello  \x17world\n");
    EXPECT_EQ(read(ld), "echo world\n");
}

TEST(TtyLineDiscipline, word_erase_needs_iexten) {
    LineDiscipline ld;
    set_lflag(ld, 0, lflag::kExtensions);
    type(ld, "a b\x17\n");
    EXPECT_EQ(read(ld), "a b\x17\n");
}

TEST(TtyLineDiscipline, eof_on_an_empty_line_is_a_read_of_zero_bytes) {
    LineDiscipline ld;
    type(ld, "\x04");
    LineDiscipline::ReadDecision d = ld.decide_read(240, false);
    EXPECT_TRUE(d.ready);
    EXPECT_EQ(d.count, 0u);
    EXPECT_EQ(read(ld), "");
    EXPECT_EQ(read(ld), "<wait>");
}

TEST(TtyLineDiscipline, eof_after_text_delivers_the_text_without_a_newline) {
    LineDiscipline ld;
    type(ld, "abc\x04");
    EXPECT_EQ(read(ld), "abc");
    EXPECT_EQ(read(ld), "<wait>");
    type(ld, "\x04");
    EXPECT_EQ(read(ld), "");
}

TEST(TtyLineDiscipline, veol_ends_a_line_and_is_part_of_it) {
    LineDiscipline ld;
    tty::Termios t = ld.termios();
    t.cc[cc::kEol] = ';';
    ld.set_termios(t);
    type(ld, "a;b");
    EXPECT_EQ(read(ld), "a;");
    EXPECT_EQ(read(ld), "<wait>");
}

TEST(TtyLineDiscipline, echo_off_shows_nothing_but_reads_the_same) {
    LineDiscipline ld;
    set_lflag(ld, 0, lflag::kEcho);
    type(ld, "secret\n");
    EXPECT_EQ(echo(ld), "");
    EXPECT_EQ(read(ld), "secret\n");
}

TEST(TtyLineDiscipline, echonl_shows_the_newline_while_echo_is_off) {
    LineDiscipline ld;
    set_lflag(ld, lflag::kEchoNl, lflag::kEcho);
    type(ld, "pw\n");
    EXPECT_EQ(echo(ld), "\r\n");
}

TEST(TtyLineDiscipline, echoctl_shows_control_characters_as_caret_letters) {
    LineDiscipline ld;
    type(ld, "\x01\x1b");
    EXPECT_EQ(echo(ld), "^A^[");
    set_lflag(ld, 0, lflag::kEchoControl);
    type(ld, "\x01");
    EXPECT_EQ(echo(ld), "\x01");
}

TEST(TtyLineDiscipline, interrupt_asks_for_sigint_flushes_input_and_echoes) {
    LineDiscipline ld;
    type(ld, "done\nhalf");
    type(ld, "\x03");
    EXPECT_EQ(ld.take_signal(), tty::kSigInt);
    EXPECT_EQ(ld.take_signal(), 0u);
    EXPECT_EQ(read(ld), "<wait>");
    EXPECT_EQ(echo(ld), "done\r\nhalf^C");
    type(ld, "x\n");
    EXPECT_EQ(read(ld), "x\n");
}

TEST(TtyLineDiscipline, quit_and_suspend_ask_for_their_signals) {
    LineDiscipline ld;
    type(ld, "\x1c");
    EXPECT_EQ(ld.take_signal(), tty::kSigQuit);
    type(ld, "\x1a");
    EXPECT_EQ(ld.take_signal(), tty::kSigTstp);
}

TEST(TtyLineDiscipline, noflsh_keeps_the_input_on_a_signal) {
    LineDiscipline ld;
    set_lflag(ld, lflag::kNoFlush, 0);
    type(ld, "kept\n\x03");
    EXPECT_EQ(ld.take_signal(), tty::kSigInt);
    EXPECT_EQ(read(ld), "kept\n");
}

TEST(TtyLineDiscipline, without_isig_the_interrupt_character_is_data) {
    LineDiscipline ld;
    set_lflag(ld, 0, lflag::kSignals);
    type(ld, "\x03\n");
    EXPECT_EQ(ld.take_signal(), 0u);
    EXPECT_EQ(read(ld), "\x03\n");
}

TEST(TtyLineDiscipline, literal_next_takes_a_special_character_as_data) {
    LineDiscipline ld;
    type(ld, "\x16\x03\x16\x7f\n");
    EXPECT_EQ(ld.take_signal(), 0u);
    EXPECT_EQ(read(ld), "\x03\x7f\n");
}

TEST(TtyLineDiscipline, raw_min_1_time_0_returns_each_byte_as_it_comes) {
    LineDiscipline ld;
    raw(ld, 1, 0);
    EXPECT_EQ(read(ld), "<wait>");
    type(ld, "a");
    EXPECT_EQ(read(ld), "a");
    type(ld, "\x7f");
    EXPECT_EQ(read(ld), "\x7f"); // no erase outside canonical mode
    type(ld, "\x03");
    EXPECT_EQ(ld.take_signal(), tty::kSigInt); // ISIG is still on
}

TEST(TtyLineDiscipline, raw_min_3_waits_for_three_bytes) {
    LineDiscipline ld;
    raw(ld, 3, 0);
    type(ld, "ab");
    EXPECT_EQ(read(ld), "<wait>");
    type(ld, "cd");
    EXPECT_EQ(read(ld), "abcd");
    type(ld, "xy");
    EXPECT_EQ(read(ld, 2), "xy"); // a read of 2 wants only 2
}

TEST(TtyLineDiscipline, raw_min_0_time_0_is_a_poll) {
    LineDiscipline ld;
    raw(ld, 0, 0);
    EXPECT_EQ(read(ld), "");
    type(ld, "q");
    EXPECT_EQ(read(ld), "q");
}

TEST(TtyLineDiscipline, raw_min_0_time_5_waits_at_most_half_a_second_from_the_read) {
    LineDiscipline ld;
    raw(ld, 0, 5);
    LineDiscipline::ReadDecision d = ld.decide_read(240, false);
    EXPECT_FALSE(d.ready);
    EXPECT_EQ(d.timer, 5u);
    EXPECT_FALSE(d.timer_restarts);
    EXPECT_EQ(read(ld, 240, true), "");
    type(ld, "z");
    EXPECT_EQ(read(ld), "z");
}

TEST(TtyLineDiscipline, raw_min_2_time_3_times_between_bytes_once_one_came) {
    LineDiscipline ld;
    raw(ld, 2, 3);
    LineDiscipline::ReadDecision d = ld.decide_read(240, false);
    EXPECT_FALSE(d.ready);
    EXPECT_EQ(d.timer, 0u); // no byte yet: no timer
    type(ld, "a");
    d = ld.decide_read(240, false);
    EXPECT_FALSE(d.ready);
    EXPECT_EQ(d.timer, 3u);
    EXPECT_TRUE(d.timer_restarts);
    EXPECT_EQ(read(ld, 240, true), "a");
    type(ld, "bc");
    EXPECT_EQ(read(ld), "bc");
}

TEST(TtyLineDiscipline, leaving_canonical_mode_makes_the_edited_line_readable) {
    LineDiscipline ld;
    type(ld, "part");
    raw(ld, 1, 0);
    EXPECT_EQ(read(ld), "part");
}

TEST(TtyLineDiscipline, flush_forgets_typed_input) {
    LineDiscipline ld;
    type(ld, "line\nhalf");
    ld.flush_input();
    EXPECT_EQ(read(ld), "<wait>");
    type(ld, "new\n");
    EXPECT_EQ(read(ld), "new\n");
}

TEST(TtyLineDiscipline, output_turns_newline_into_crlf_with_opost_onlcr) {
    LineDiscipline ld;
    const uint8_t text[] = {'a', '\n', 'b'};
    uint8_t out[6];
    uint32_t n = ld.process_output(text, 3, out);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(out), n), "a\r\nb");
    tty::Termios t = ld.termios();
    t.oflag &= ~tty::oflag::kPostProcess;
    ld.set_termios(t);
    n = ld.process_output(text, 3, out);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(out), n), "a\nb");
}

TEST(TtyLineDiscipline, erasing_a_tab_moves_back_to_where_it_started) {
    LineDiscipline ld;
    const uint8_t prompt[] = {'$', ' '};
    uint8_t out[4];
    (void)ld.process_output(prompt, 2, out);
    type(ld, "\t\x7f");
    std::string seen = echo(ld);
    EXPECT_EQ(seen, std::string("\t") + "\b \b\b \b\b \b\b \b\b \b\b \b"); // columns 2..8
}

TEST(TtyLineDiscipline, a_full_line_drops_further_bytes_but_still_ends) {
    LineDiscipline ld;
    set_lflag(ld, 0, lflag::kEcho);
    type(ld, std::string(LineDiscipline::kLineBytes + 10, 'x'));
    type(ld, "\n");
    uint32_t total = 0;
    for (;;) {
        std::string got = read(ld);
        if (got == "<wait>") break;
        total += got.size();
        if (!got.empty() && got.back() == '\n') break;
    }
    EXPECT_EQ(total, LineDiscipline::kLineBytes);
}

TEST(TtyLineDiscipline, reprint_shows_the_line_again) {
    LineDiscipline ld;
    type(ld, "abc\x12");
    EXPECT_EQ(echo(ld), "abc^R\r\nabc");
}

} // namespace
