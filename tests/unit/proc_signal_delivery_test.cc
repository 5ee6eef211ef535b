// proc's side of delivering signals to handlers (servers/proc/process_signals.cc, protocol.h
// "Signal delivery"): when proc diverts a process to its signal entry, what the take hands it,
// the mask proc keeps, sigsuspend's atomic wait, and faults that become signals.
#include "tests/unit/proc_service_fixture.h"

namespace proc {
namespace {

using testing::kProcThread;
using testing::ServiceFixture;

constexpr uint32_t kEntry = 0x00402000;

class SignalDeliveryTest : public ServiceFixture {
protected:
    SignalActionReply action(axo_thread_id_t from, uint32_t caught, uint32_t blocked,
                             uint32_t entry = kEntry, uint32_t ignored = 0) {
        SignalActionReply reply{};
        EXPECT_EQ(service.signal_action(from, SignalActionRequest{ignored, caught, blocked, entry},
                                        reply),
                  ipc::Error::ok);
        return reply;
    }
    SignalTakeReply take(axo_thread_id_t from) {
        SignalTakeReply reply{};
        EXPECT_EQ(service.signal_take(from, SignalTakeRequest{}, reply), ipc::Error::ok);
        return reply;
    }
    int32_t pid(const SpawnReply& reply) { return static_cast<int32_t>(reply.pid); }
};

TEST_F(SignalDeliveryTest, CaughtUnblockedSignalDivertsTheFirstThreadOnce) {
    SpawnReply app = spawned(kProcThread);
    action(app.main_thread, signal_bit(kSignalUser1) | signal_bit(kSignalUser2), 0);
    ASSERT_EQ(kill(kProcThread, pid(app), kSignalUser1), ipc::Error::ok);
    ASSERT_EQ(diversions.size(), 1u);
    EXPECT_EQ(diversions[0].first, app.main_thread);
    EXPECT_EQ(diversions[0].second, kEntry);
    // A second signal before the take does not divert again: the context would be lost.
    ASSERT_EQ(kill(kProcThread, pid(app), kSignalUser2), ipc::Error::ok);
    EXPECT_EQ(diversions.size(), 1u);

    SignalTakeReply first = take(app.main_thread);
    EXPECT_EQ(first.signal, kSignalUser1) << "the lowest pending signal first";
    EXPECT_EQ(first.diverted, 1u);
    EXPECT_EQ(first.ip, kInterruptedIp);
    EXPECT_EQ(first.sp, kInterruptedSp);
    EXPECT_EQ(first.flags, kInterruptedFlags);
    EXPECT_EQ(first.code, kFaultNone);
    // Everything is blocked until the handler's mask is reported: no take, no diversion.
    EXPECT_EQ(take(app.main_thread).signal, 0u);
    SignalActionReply during =
        action(app.main_thread, signal_bit(kSignalUser1) | signal_bit(kSignalUser2),
               signal_bit(kSignalUser1));
    EXPECT_EQ(during.deliverable, signal_bit(kSignalUser2))
        << "the caller takes what its own mask change made deliverable";
    EXPECT_EQ(diversions.size(), 1u) << "proc does not divert a thread that is calling it";
    SignalTakeReply second = take(app.main_thread);
    EXPECT_EQ(second.signal, kSignalUser2);
    EXPECT_EQ(second.diverted, 0u) << "the context goes out once";
}

TEST_F(SignalDeliveryTest, BlockedSignalWaitsForTheMaskToOpen) {
    SpawnReply app = spawned(kProcThread);
    action(app.main_thread, signal_bit(kSignalUser1), signal_bit(kSignalUser1));
    ASSERT_EQ(kill(kProcThread, pid(app), kSignalUser1), ipc::Error::ok);
    EXPECT_TRUE(diversions.empty());
    EXPECT_EQ(entry_of(app.main_thread).pending, signal_bit(kSignalUser1));
    SignalActionReply still =
        action(app.main_thread, signal_bit(kSignalUser1), signal_bit(kSignalUser1));
    EXPECT_EQ(still.pending, signal_bit(kSignalUser1)) << "sigpending sees it";
    EXPECT_EQ(still.deliverable, 0u);
    SignalActionReply open = action(app.main_thread, signal_bit(kSignalUser1), 0);
    EXPECT_EQ(open.deliverable, signal_bit(kSignalUser1));
    EXPECT_EQ(take(app.main_thread).signal, kSignalUser1);
    EXPECT_EQ(entry_of(app.main_thread).pending, 0u);
}

TEST_F(SignalDeliveryTest, BlockedDefaultActionWaitsForTheUnblock) {
    SpawnReply app = spawned(kProcThread);
    action(app.main_thread, 0, signal_bit(kSignalTerm) | signal_bit(kSignalTerminalStop));
    ASSERT_EQ(kill(kProcThread, pid(app), kSignalTerm), ipc::Error::ok);
    ASSERT_EQ(kill(kProcThread, pid(app), kSignalTerminalStop), ipc::Error::ok);
    EXPECT_EQ(alive.count(app.main_thread), 1u) << "blocked: not ended yet";
    EXPECT_TRUE(halts.empty()) << "blocked: not stopped yet";
    SignalActionReply still = action(app.main_thread, 0, signal_bit(kSignalTerm));
    EXPECT_EQ(still.pending, signal_bit(kSignalTerm)) << "sigpending sees the blocked one";
    ASSERT_EQ(halts.size(), 1u) << "SIGTSTP unblocked: the stop happens now";
    ASSERT_EQ(kill(kProcThread, pid(app), kSignalContinue), ipc::Error::ok);
    EXPECT_EQ(alive.count(app.main_thread), 1u) << "SIGCONT does not release a blocked SIGTERM";
    SignalActionReply reply{};
    EXPECT_EQ(service.signal_action(app.main_thread, SignalActionRequest{0, 0, 0, kEntry}, reply),
              ipc::kNoReply)
        << "unblocked: SIGTERM ends the process, and nobody is left to answer";
    EXPECT_EQ(alive.count(app.main_thread), 0u);
}

TEST_F(SignalDeliveryTest, KillAndStopCannotBeBlocked) {
    SpawnReply app = spawned(kProcThread);
    action(app.main_thread, 0, ~0u);
    EXPECT_EQ(entry_of(app.main_thread).blocked & signal_bit(kSignalKill), 0u);
    ASSERT_EQ(kill(kProcThread, pid(app), kSignalKill), ipc::Error::ok);
    EXPECT_EQ(alive.count(app.main_thread), 0u);
}

TEST_F(SignalDeliveryTest, WithoutEntrySignalsAreOnlyRecorded) {
    SpawnReply app = spawned(kProcThread);
    action(app.main_thread, signal_bit(kSignalUser1), 0, 0);
    ASSERT_EQ(kill(kProcThread, pid(app), kSignalUser1), ipc::Error::ok);
    EXPECT_TRUE(diversions.empty());
    EXPECT_EQ(entry_of(app.main_thread).pending, signal_bit(kSignalUser1));
}

TEST_F(SignalDeliveryTest, IgnoringDiscardsThePendingSignal) {
    SpawnReply app = spawned(kProcThread);
    action(app.main_thread, signal_bit(kSignalUser1), signal_bit(kSignalUser1));
    ASSERT_EQ(kill(kProcThread, pid(app), kSignalUser1), ipc::Error::ok);
    SignalActionReply reply = action(app.main_thread, 0, 0, kEntry, signal_bit(kSignalUser1));
    EXPECT_EQ(reply.pending, 0u);
    EXPECT_EQ(entry_of(app.main_thread).pending, 0u);
}

TEST_F(SignalDeliveryTest, SuspendSetsTheMaskAndWaitsInOneStep) {
    SpawnReply app = spawned(kProcThread);
    action(app.main_thread, signal_bit(kSignalUser1), signal_bit(kSignalUser1));
    SignalSuspendReply reply{};
    EXPECT_EQ(service.signal_suspend(app.main_thread, SignalSuspendRequest{0}, reply),
              ipc::kNoReply)
        << "nothing deliverable: the caller waits";
    ASSERT_EQ(kill(kProcThread, pid(app), kSignalUser1), ipc::Error::ok);
    EXPECT_EQ(diversions.size(), 1u) << "the signal ends the wait by diverting the thread";
    EXPECT_EQ(take(app.main_thread).signal, kSignalUser1);

    // A signal pending under the old mask: the suspend answers at once.
    action(app.main_thread, signal_bit(kSignalUser1), signal_bit(kSignalUser1));
    ASSERT_EQ(kill(kProcThread, pid(app), kSignalUser1), ipc::Error::ok);
    EXPECT_EQ(service.signal_suspend(app.main_thread, SignalSuspendRequest{0}, reply),
              ipc::Error::ok);
    EXPECT_EQ(reply.deliverable, signal_bit(kSignalUser1));
}

TEST_F(SignalDeliveryTest, CaughtFaultGoesToTheEntryWithItsAddress) {
    SpawnReply app = spawned(kProcThread);
    action(app.main_thread, signal_bit(kSignalSegmentation), 0);
    uint32_t entry = 0;
    ASSERT_TRUE(
        service.fault(app.main_thread, 14, 2 | 4, 0x10, 0x401000, 0x7fff0000, 0x202, entry));
    EXPECT_EQ(entry, kEntry);
    SignalTakeReply reply = take(app.main_thread);
    EXPECT_EQ(reply.signal, kSignalSegmentation);
    EXPECT_EQ(reply.code, kFaultMapError) << "error bit 0 clear: no page there";
    EXPECT_EQ(reply.address, 0x10u);
    EXPECT_EQ(reply.diverted, 1u);
    EXPECT_EQ(reply.ip, 0x401000u);
    EXPECT_EQ(reply.sp, 0x7fff0000u);
}

TEST_F(SignalDeliveryTest, AFaultBeyondTheEndOfAMappedFileIsSigbusAtItsAddress) {
    SpawnReply app = spawned(kProcThread);
    action(app.main_thread, signal_bit(kSignalBus), 0);
    uint32_t entry = 0;
    // Without mm's word the same page fault is SIGSEGV, which the process does not catch.
    EXPECT_FALSE(
        service.fault(app.main_thread, 14, 4, 0x50001000, 0x401000, 0x7fff0000, 0x202, entry));
    ASSERT_TRUE(service.fault(app.main_thread, 14, 4, 0x50001000, 0x401000, 0x7fff0000, 0x202,
                              entry, true));
    EXPECT_EQ(entry, kEntry);
    SignalTakeReply reply = take(app.main_thread);
    EXPECT_EQ(reply.signal, kSignalBus);
    EXPECT_EQ(reply.code, kFaultObjectEnd);
    EXPECT_EQ(reply.address, 0x50001000u);
}

TEST_F(SignalDeliveryTest, UncaughtBlockedOrRepeatedFaultEndsTheProcess) {
    SpawnReply app = spawned(kProcThread);
    uint32_t entry = 0;
    action(app.main_thread, signal_bit(kSignalUser1), 0);
    EXPECT_FALSE(service.fault(app.main_thread, 6, 0, 0, 0x401000, 0x7fff0000, 0x202, entry))
        << "SIGILL not caught";
    action(app.main_thread, signal_bit(kSignalIllegal), signal_bit(kSignalIllegal));
    EXPECT_FALSE(service.fault(app.main_thread, 6, 0, 0, 0x401000, 0x7fff0000, 0x202, entry))
        << "SIGILL blocked";
    action(app.main_thread, signal_bit(kSignalIllegal), 0);
    EXPECT_TRUE(service.fault(app.main_thread, 6, 0, 0, 0x401000, 0x7fff0000, 0x202, entry));
    EXPECT_FALSE(service.fault(app.main_thread, 6, 0, 0, kEntry, 0x7ffeff00, 0x202, entry))
        << "a fault on the way to the handler, before the take: no second diversion";
}

TEST_F(SignalDeliveryTest, ForkKeepsMaskAndEntryExecDropsThem) {
    SpawnReply app = spawned(kProcThread);
    action(app.main_thread, signal_bit(kSignalUser1), signal_bit(kSignalUser2));
    SpawnReply child = forked(app.main_thread);
    EXPECT_EQ(entry_of(child.main_thread).entry, kEntry);
    EXPECT_EQ(entry_of(child.main_thread).blocked, signal_bit(kSignalUser2));
    EXPECT_EQ(entry_of(child.main_thread).caught, signal_bit(kSignalUser1));
    SpawnReply spawned_child = spawned(app.main_thread);
    EXPECT_EQ(entry_of(spawned_child.main_thread).entry, 0u);
    EXPECT_EQ(entry_of(spawned_child.main_thread).caught, 0u);
}

TEST(FaultSignal, VectorsMapToPosixSignals) {
    EXPECT_EQ(fault_signal(0, 0).signal, kSignalFloatingPoint);
    EXPECT_EQ(fault_signal(6, 0).signal, kSignalIllegal);
    EXPECT_EQ(fault_signal(13, 0).signal, kSignalSegmentation);
    EXPECT_EQ(fault_signal(14, 1).code, kFaultAccess);
    EXPECT_EQ(fault_signal(14, 0).code, kFaultMapError);
    EXPECT_EQ(fault_signal(17, 0).signal, kSignalBus);
    EXPECT_EQ(fault_signal(2, 0).signal, 0u) << "NMI is no fault of the process";
}

} // namespace
} // namespace proc
