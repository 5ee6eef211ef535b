// libposix's wait status (libposix/wait_status.h) against the macros of newlib's <sys/wait.h>,
// spelled here as newlib spells them (the host's are glibc's, which agree on this encoding).
#include "libposix/wait_status.h"

#include <gtest/gtest.h>

namespace posix {
namespace {

// newlib 3.3.0's <sys/wait.h> for i686-elf, and libposix's WIFCONTINUED.
constexpr bool exited(int w) {
    return (w & 0xff) == 0;
}
constexpr bool signaled(int w) {
    return (w & 0x7f) > 0 && (w & 0x7f) < 0x7f;
}
constexpr bool stopped(int w) {
    return (w & 0xff) == 0x7f;
}
constexpr bool continued(int w) {
    return w == 0xffff;
}
constexpr int exit_status(int w) {
    return (w >> 8) & 0xff;
}
constexpr int term_signal(int w) {
    return w & 0x7f;
}

TEST(PosixWaitStatus, NormalExitKeepsTheLowEightBits) {
    int w = wait_status(proc::kExitNormal, 7);
    EXPECT_TRUE(exited(w));
    EXPECT_FALSE(signaled(w));
    EXPECT_EQ(exit_status(w), 7);
    EXPECT_EQ(exit_status(wait_status(proc::kExitNormal, 0x1234)), 0x34);
    EXPECT_EQ(exit_status(wait_status(proc::kExitNormal, -1)), 0xff);
}

TEST(PosixWaitStatus, KilledReportsTheSignal) {
    int w = wait_status(proc::kExitKilled, proc::kSignalTerm);
    EXPECT_TRUE(signaled(w));
    EXPECT_FALSE(exited(w));
    EXPECT_EQ(term_signal(w), 15);
}

TEST(PosixWaitStatus, FaultsReportTheSignalOfTheirVector) {
    EXPECT_EQ(term_signal(wait_status(proc::kExitFaulted, 14)), 11) << "page fault: SIGSEGV";
    EXPECT_EQ(term_signal(wait_status(proc::kExitFaulted, 6)), 4) << "#UD: SIGILL";
    EXPECT_EQ(term_signal(wait_status(proc::kExitFaulted, 0)), 8) << "#DE: SIGFPE";
    EXPECT_EQ(term_signal(wait_status(proc::kExitFaulted, 13)), 11) << "#GP: SIGSEGV";
    EXPECT_TRUE(signaled(wait_status(proc::kExitFaulted, 2)));
}

TEST(PosixWaitStatus, StopAndContinueAreNeitherExitNorSignal) {
    int w = wait_status(proc::kExitStopped, proc::kSignalStop);
    EXPECT_TRUE(stopped(w));
    EXPECT_FALSE(exited(w));
    EXPECT_FALSE(signaled(w));
    EXPECT_EQ(exit_status(w), 17) << "WSTOPSIG is WEXITSTATUS in newlib";
    int c = wait_status(proc::kExitContinued, proc::kSignalContinue);
    EXPECT_TRUE(continued(c));
    EXPECT_FALSE(exited(c));
    EXPECT_FALSE(signaled(c));
    EXPECT_FALSE(stopped(c));
}

} // namespace
} // namespace posix
