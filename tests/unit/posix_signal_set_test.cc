// libposix's signal sets (libposix/signal_set.h): sigprocmask's rules and the mask a handler
// runs with.
#include "libposix/signal_set.h"

#include <gtest/gtest.h>

namespace posix {
namespace {

using proc::signal_bit;

TEST(PosixSignalSet, BlockUnblockAndSetCombineAsSigprocmaskSays) {
    uint32_t mask = change_mask(0, MaskChange::block, signal_bit(10) | signal_bit(12));
    EXPECT_EQ(mask, signal_bit(10) | signal_bit(12));
    mask = change_mask(mask, MaskChange::unblock, signal_bit(10));
    EXPECT_EQ(mask, signal_bit(12));
    mask = change_mask(mask, MaskChange::set, signal_bit(3));
    EXPECT_EQ(mask, signal_bit(3));
}

TEST(PosixSignalSet, KillStopAndSignalZeroAreNeverBlocked) {
    uint32_t mask = change_mask(0, MaskChange::set, ~0u);
    EXPECT_EQ(mask & signal_bit(proc::kSignalKill), 0u);
    EXPECT_EQ(mask & signal_bit(proc::kSignalStop), 0u);
    EXPECT_EQ(mask & signal_bit(0), 0u);
    EXPECT_NE(mask & signal_bit(proc::kSignalUser1), 0u);
}

TEST(PosixSignalSet, HandlerMaskAddsTheSignalUnlessNoDefer) {
    uint32_t during = handler_mask(signal_bit(2), signal_bit(5), 30, false);
    EXPECT_EQ(during, signal_bit(2) | signal_bit(5) | signal_bit(30));
    EXPECT_EQ(handler_mask(0, 0, 30, true), 0u);
    EXPECT_EQ(handler_mask(0, signal_bit(proc::kSignalKill), 30, true), 0u)
        << "sa_mask cannot block SIGKILL";
}

TEST(PosixSignalSet, ValidSignalsAreOneToThirtyOne) {
    EXPECT_FALSE(valid_signal(0));
    EXPECT_TRUE(valid_signal(1));
    EXPECT_TRUE(valid_signal(31));
    EXPECT_FALSE(valid_signal(32));
    EXPECT_FALSE(valid_signal(-1));
}

TEST(PosixSignalSet, DispositionsTellProcWhatIsIgnoredAndCaught) {
    Dispositions d;
    d.set(10, Dispositions::Kind::handler);
    d.set(12, Dispositions::Kind::ignore);
    EXPECT_EQ(d.caught, signal_bit(10));
    EXPECT_EQ(d.ignored, signal_bit(12));
    d.set(10, Dispositions::Kind::ignore);
    EXPECT_EQ(d.caught, 0u) << "a signal is ignored or caught, never both";
    EXPECT_EQ(d.ignored, signal_bit(10) | signal_bit(12));
    d.set(12, Dispositions::Kind::default_action);
    EXPECT_EQ(d.ignored, signal_bit(10));
}

} // namespace
} // namespace posix
