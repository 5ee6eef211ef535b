// The tty server's terminal (servers/tty/terminal.h): deferred reads, job control, the
// foreground group and the window size, on a fake host.
#include "servers/tty/terminal.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace {

using tty::Identity;
using tty::Terminal;

class FakeHost final : public tty::TerminalHost {
public:
    void put(const uint8_t* bytes, uint32_t count) override {
        line.append(reinterpret_cast<const char*>(bytes), count);
    }
    ipc::Error drain() override {
        ++drains;
        return ipc::Error::ok;
    }
    ipc::Error identify(axo_thread_id_t thread, Identity& who) override {
        auto it = processes.find(thread);
        if (it == processes.end()) return ipc::Error::not_found;
        who = it->second;
        return ipc::Error::ok;
    }
    ipc::Error group_session(uint32_t pgid, uint32_t& sid) override {
        for (auto& [thread, who] : processes)
            if (who.pgid == pgid) {
                sid = who.sid;
                return ipc::Error::ok;
            }
        return ipc::Error::not_found;
    }
    void kill_group(uint32_t pgid, uint32_t signal) override { signals.push_back({pgid, signal}); }
    uint64_t now_us() override { return now; }
    void notify(axo_thread_id_t thread, uint32_t bits) override {
        notifications.push_back({thread, bits});
    }
    bool send_read(axo_thread_id_t client, const stream::ReadReply& reply) override {
        if (!client_waits) return false;
        replies.push_back(
            {client, std::string(reinterpret_cast<const char*>(reply.bytes), reply.count)});
        return true;
    }

    std::string line;
    uint32_t drains = 0;
    std::map<axo_thread_id_t, Identity> processes;
    std::vector<std::pair<uint32_t, uint32_t>> signals;
    uint64_t now = 1000;
    bool client_waits = true;
    std::vector<std::pair<axo_thread_id_t, std::string>> replies;
    std::vector<std::pair<axo_thread_id_t, uint32_t>> notifications;
};

// A shell (pid 10, its own session and group) and a job in group 20 of the same session; a
// daemon in another session.
constexpr axo_thread_id_t kShell = 0x1001, kJob = 0x1002, kDaemon = 0x1003, kServer = 0x1004;

class TerminalTest : public testing::Test {
protected:
    TerminalTest() {
        host.processes[kShell] = Identity{10, 10, 10};
        host.processes[kJob] = Identity{20, 20, 10};
        host.processes[kDaemon] = Identity{30, 30, 30};
    }
    ipc::Error read(axo_thread_id_t from, std::string& got, bool wait = true) {
        stream::ReadRequest request{stream::kChunkBytes, wait ? stream::kReadWait : 0};
        stream::ReadReply reply{};
        ipc::Error error = terminal.read(from, request, reply);
        if (error == ipc::Error::ok)
            got.assign(reinterpret_cast<const char*>(reply.bytes), reply.count);
        return error;
    }
    void type(const std::string& keys) {
        terminal.input(reinterpret_cast<const uint8_t*>(keys.data()),
                       static_cast<uint32_t>(keys.size()));
    }
    ipc::Error write(axo_thread_id_t from, const std::string& text) {
        stream::WriteRequest request{};
        request.count = static_cast<uint32_t>(text.size());
        memcpy(request.bytes, text.data(), text.size());
        stream::WriteReply reply{};
        return terminal.write(from, request, reply);
    }
    ipc::Error set_foreground(axo_thread_id_t from, uint32_t pgid, bool allowed = false) {
        return terminal.set_foreground(from, tty::SetForegroundRequest{pgid, allowed});
    }
    void set_lflag(uint32_t on, uint32_t off, uint8_t min = 1, uint8_t time = 0) {
        tty::SetAttributesRequest request{tty::kNow, 1, {}};
        (void)terminal.get_attributes(request.termios);
        request.termios.lflag = (request.termios.lflag | on) & ~off;
        request.termios.cc[tty::cc::kMin] = min;
        request.termios.cc[tty::cc::kTime] = time;
        ASSERT_EQ(terminal.set_attributes(kShell, request), ipc::Error::ok);
    }

    FakeHost host;
    Terminal terminal{host};
};

TEST_F(TerminalTest, a_read_waits_for_a_line_and_is_answered_when_it_is_typed) {
    std::string got;
    EXPECT_EQ(read(kShell, got), ipc::kNoReply);
    type("ab");
    EXPECT_TRUE(host.replies.empty());
    type("\r");
    ASSERT_EQ(host.replies.size(), 1u);
    EXPECT_EQ(host.replies[0].second, "ab\n");
    EXPECT_EQ(host.line, "ab\r\n"); // the echo
}

TEST_F(TerminalTest, a_reply_that_does_not_get_through_leaves_the_line_for_the_next_read) {
    std::string got;
    EXPECT_EQ(read(kShell, got), ipc::kNoReply);
    host.client_waits = false;
    type("kept\n");
    EXPECT_EQ(terminal.waiting_readers(), 0u);
    EXPECT_EQ(read(kShell, got), ipc::Error::ok);
    EXPECT_EQ(got, "kept\n");
}

TEST_F(TerminalTest, a_new_request_of_the_thread_cancels_its_waiting_read) {
    std::string got;
    EXPECT_EQ(read(kShell, got), ipc::kNoReply);
    terminal.cancel(kShell);
    type("x\n");
    EXPECT_TRUE(host.replies.empty());
    EXPECT_EQ(read(kShell, got), ipc::Error::ok);
    EXPECT_EQ(got, "x\n");
}

TEST_F(TerminalTest, output_is_processed_for_the_line) {
    EXPECT_EQ(write(kShell, "a\nb"), ipc::Error::ok);
    EXPECT_EQ(host.line, "a\r\nb");
}

TEST_F(TerminalTest, interrupt_goes_to_the_foreground_group) {
    ASSERT_EQ(set_foreground(kShell, 20), ipc::Error::ok);
    type("\x03");
    ASSERT_EQ(host.signals.size(), 1u);
    EXPECT_EQ(host.signals[0], (std::pair<uint32_t, uint32_t>{20, tty::kSigInt}));
    EXPECT_EQ(host.line, "^C");
}

TEST_F(TerminalTest, without_a_foreground_group_interrupt_goes_to_the_last_reader) {
    type("\x03");
    EXPECT_TRUE(host.signals.empty());
    std::string got;
    EXPECT_EQ(read(kJob, got), ipc::kNoReply);
    type("\x1a");
    ASSERT_EQ(host.signals.size(), 1u);
    EXPECT_EQ(host.signals[0], (std::pair<uint32_t, uint32_t>{20, tty::kSigTstp}));
}

TEST_F(TerminalTest, a_background_read_is_refused_a_foreground_one_is_not) {
    ASSERT_EQ(set_foreground(kShell, 10), ipc::Error::ok);
    std::string got;
    EXPECT_EQ(read(kJob, got), ipc::Error::access_denied);
    EXPECT_EQ(read(kShell, got), ipc::kNoReply);
    // Another session, and threads of no process, are under no job control.
    EXPECT_EQ(read(kDaemon, got), ipc::kNoReply);
    EXPECT_EQ(read(kServer, got), ipc::kNoReply);
}

TEST_F(TerminalTest, a_foreground_group_that_is_gone_puts_nobody_in_the_background) {
    host.processes[0x1005] = Identity{40, 40, 10};
    ASSERT_EQ(set_foreground(kShell, 40), ipc::Error::ok);
    std::string got;
    EXPECT_EQ(read(kJob, got), ipc::Error::access_denied);
    host.processes.erase(0x1005);
    EXPECT_EQ(read(kJob, got), ipc::kNoReply);
}

TEST_F(TerminalTest, tostop_refuses_background_writes_unless_the_caller_is_exempt) {
    ASSERT_EQ(set_foreground(kShell, 10), ipc::Error::ok);
    EXPECT_EQ(write(kJob, "bg"), ipc::Error::ok); // TOSTOP is off
    set_lflag(tty::lflag::kStopOutput, 0);
    EXPECT_EQ(write(kJob, "no"), ipc::Error::access_denied);
    tty::WriteBackgroundRequest request{};
    request.count = 3;
    memcpy(request.bytes, "yes", 3);
    stream::WriteReply reply{};
    EXPECT_EQ(terminal.write_background(kJob, request, reply), ipc::Error::ok);
    EXPECT_EQ(host.line, "bgyes");
}

TEST_F(TerminalTest, tcsetpgrp_checks_what_posix_checks) {
    EXPECT_EQ(set_foreground(kShell, 0), ipc::Error::invalid_argument);
    EXPECT_EQ(set_foreground(kServer, 10), ipc::Error::not_found);
    // A group of another session, and one that does not exist.
    EXPECT_EQ(set_foreground(kShell, 30), ipc::Error::no_permission);
    EXPECT_EQ(set_foreground(kShell, 99), ipc::Error::no_permission);
    ASSERT_EQ(set_foreground(kShell, 20), ipc::Error::ok);
    EXPECT_EQ(terminal.foreground(), 20u);
    tty::SessionReply session{};
    ASSERT_EQ(terminal.session(session), ipc::Error::ok);
    EXPECT_EQ(session.sid, 10u);
    // Another session may not take the terminal while this one has a foreground group.
    EXPECT_EQ(set_foreground(kDaemon, 30), ipc::Error::not_terminal);
    // The shell is in the background now: refused, unless it ignores or blocks SIGTTOU.
    EXPECT_EQ(set_foreground(kShell, 10), ipc::Error::access_denied);
    EXPECT_EQ(set_foreground(kShell, 10, true), ipc::Error::ok);
}

TEST_F(TerminalTest, vmin_0_vtime_answers_with_nothing_when_the_time_ran_out) {
    set_lflag(0, tty::lflag::kCanonical | tty::lflag::kEcho, 0, 2);
    std::string got;
    EXPECT_EQ(read(kShell, got), ipc::kNoReply);
    EXPECT_TRUE(terminal.timing());
    host.now += 100000;
    terminal.poll();
    EXPECT_TRUE(host.replies.empty());
    host.now += 100000;
    terminal.poll();
    ASSERT_EQ(host.replies.size(), 1u);
    EXPECT_EQ(host.replies[0].second, "");
    EXPECT_FALSE(terminal.timing());
}

TEST_F(TerminalTest, vmin_vtime_answers_with_what_came_when_bytes_stop) {
    set_lflag(0, tty::lflag::kCanonical | tty::lflag::kEcho, 5, 1);
    std::string got;
    EXPECT_EQ(read(kShell, got), ipc::kNoReply);
    EXPECT_FALSE(terminal.timing()); // no byte yet
    type("ab");
    EXPECT_TRUE(terminal.timing());
    host.now += 50000;
    type("c"); // restarts the timer
    host.now += 60000;
    terminal.poll();
    EXPECT_TRUE(host.replies.empty());
    host.now += 50000;
    terminal.poll();
    ASSERT_EQ(host.replies.size(), 1u);
    EXPECT_EQ(host.replies[0].second, "abc");
}

TEST_F(TerminalTest, tcsetattr_with_drain_and_flush) {
    type("old\n");
    tty::SetAttributesRequest request{tty::kFlushInput, 0, {}};
    (void)terminal.get_attributes(request.termios);
    ASSERT_EQ(terminal.set_attributes(kShell, request), ipc::Error::ok);
    EXPECT_EQ(host.drains, 1u);
    std::string got;
    EXPECT_EQ(read(kShell, got, false), ipc::Error::ok);
    EXPECT_EQ(got, "");
    request.when = 7;
    EXPECT_EQ(terminal.set_attributes(kShell, request), ipc::Error::invalid_argument);
}

TEST_F(TerminalTest, window_size_defaults_to_80x24_and_a_change_sends_sigwinch) {
    EXPECT_EQ(terminal.window_size().rows, 24);
    EXPECT_EQ(terminal.window_size().columns, 80);
    ASSERT_EQ(set_foreground(kShell, 10), ipc::Error::ok);
    terminal.set_window_size(tty::WindowSize{50, 132, 0, 0});
    EXPECT_EQ(terminal.window_size().columns, 132);
    ASSERT_EQ(host.signals.size(), 1u);
    EXPECT_EQ(host.signals[0], (std::pair<uint32_t, uint32_t>{10, Terminal::kSignalWindow}));
    terminal.set_window_size(tty::WindowSize{50, 132, 0, 0});
    EXPECT_EQ(host.signals.size(), 1u);
}

TEST_F(TerminalTest, bad_reads_are_refused) {
    stream::ReadRequest request{0, 0};
    stream::ReadReply reply{};
    EXPECT_EQ(terminal.read(kShell, request, reply), ipc::Error::invalid_argument);
    request = {stream::kChunkBytes + 1, 0};
    EXPECT_EQ(terminal.read(kShell, request, reply), ipc::Error::invalid_argument);
    request = {1, 0x80};
    EXPECT_EQ(terminal.read(kShell, request, reply), ipc::Error::invalid_argument);
}

// ---- select and poll ----------------------------------------------------------------------------

TEST_F(TerminalTest, poll_is_readable_only_once_a_whole_line_was_typed_and_notifies_once) {
    tty::PollReply reply{};
    ASSERT_EQ(terminal.poll_readiness(kShell, {tty::kPollIn | tty::kPollOut, 2, 0}, reply),
              ipc::Error::ok);
    EXPECT_EQ(reply.revents, tty::kPollOut); // writable always, nothing typed
    ASSERT_EQ(terminal.poll_readiness(kShell, {tty::kPollIn, 2, tty::kPollWait}, reply),
              ipc::Error::ok);
    EXPECT_EQ(reply.revents, 0u);
    type("hal");
    EXPECT_TRUE(host.notifications.empty()); // half a line is nothing to read yet
    type("f\n");
    ASSERT_EQ(host.notifications.size(), 1u);
    EXPECT_EQ(host.notifications[0], std::make_pair(kShell, 1u << 2));
    type("more\n");
    EXPECT_EQ(host.notifications.size(), 1u); // one-shot: the thread asks again
    ASSERT_EQ(terminal.poll_readiness(kShell, {tty::kPollIn, 2, tty::kPollWait}, reply),
              ipc::Error::ok);
    EXPECT_EQ(reply.revents, tty::kPollIn);
}

TEST_F(TerminalTest, poll_in_raw_mode_waits_for_vmin_bytes) {
    tty::Termios raw = tty::default_termios();
    raw.lflag &= ~tty::lflag::kCanonical;
    raw.cc[tty::cc::kMin] = 3;
    ASSERT_EQ(terminal.set_attributes(kShell, {tty::kNow, 1, raw}), ipc::Error::ok);
    tty::PollReply reply{};
    ASSERT_EQ(terminal.poll_readiness(kShell, {tty::kPollIn, 5, tty::kPollWait}, reply),
              ipc::Error::ok);
    type("ab");
    EXPECT_TRUE(host.notifications.empty());
    type("c");
    ASSERT_EQ(host.notifications.size(), 1u);
    EXPECT_EQ(host.notifications[0].second, 1u << 5);
}

TEST_F(TerminalTest, a_poll_without_wait_ends_the_registration_and_bad_requests_are_refused) {
    tty::PollReply reply{};
    ASSERT_EQ(terminal.poll_readiness(kShell, {tty::kPollIn, 2, tty::kPollWait}, reply),
              ipc::Error::ok);
    ASSERT_EQ(terminal.poll_readiness(kShell, {0, 2, 0}, reply), ipc::Error::ok);
    type("x\n");
    EXPECT_TRUE(host.notifications.empty());
    EXPECT_EQ(terminal.poll_readiness(kShell, {tty::kPollIn, 32, tty::kPollWait}, reply),
              ipc::Error::invalid_argument);
    EXPECT_EQ(terminal.poll_readiness(kShell, {tty::kPollIn, 2, 0x80}, reply),
              ipc::Error::invalid_argument);
}

} // namespace
