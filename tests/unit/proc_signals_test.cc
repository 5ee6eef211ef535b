// proc's signal bookkeeping (servers/proc/process_signals.cc): kill's permission rules, process
// group targets, default actions, caught and ignored signals, stop and continue as wait reports.
#include "tests/unit/proc_service_fixture.h"

namespace proc {
namespace {

using testing::kProcThread;
using testing::ServiceFixture;

using SignalsTest = ServiceFixture;

int32_t pid_of(const SpawnReply& reply) {
    return static_cast<int32_t>(reply.pid);
}

TEST_F(SignalsTest, KillNeedsRootOrAMatchingUid) {
    SpawnReply init = spawned(kProcThread);
    SpawnReply alice = forked(init.main_thread);
    SpawnReply bob = forked(init.main_thread);
    SpawnReply root = forked(init.main_thread);
    ASSERT_EQ(set(alice.main_thread, kSetUid, 1000), ipc::Error::ok);
    ASSERT_EQ(set(bob.main_thread, kSetUid, 2000), ipc::Error::ok);
    // Another user's process, and root's: refused; nothing happened.
    EXPECT_EQ(kill(alice.main_thread, pid_of(bob), kSignalTerm), ipc::Error::no_permission);
    EXPECT_EQ(kill(alice.main_thread, pid_of(root), kSignalTerm), ipc::Error::no_permission);
    EXPECT_EQ(kill(alice.main_thread, pid_of(root), 0), ipc::Error::no_permission)
        << "signal 0 checks the same";
    EXPECT_EQ(alive.count(bob.main_thread), 1u);
    // The real uid matches the target's saved uid: allowed (a setuid program's caller).
    SpawnReply setuid_program = forked(init.main_thread);
    ASSERT_EQ(set(setuid_program.main_thread, kSetUid, 1000), ipc::Error::ok);
    EXPECT_EQ(kill(alice.main_thread, pid_of(setuid_program), 0), ipc::Error::ok);
    // The effective uid matches the target's real one: allowed.
    SpawnReply switched = forked(init.main_thread);
    ASSERT_EQ(set(switched.main_thread, kSetEffectiveUid, 2000), ipc::Error::ok);
    EXPECT_EQ(kill(switched.main_thread, pid_of(bob), 0), ipc::Error::ok);
    // Root may signal anybody; so may proc's own threads.
    EXPECT_EQ(kill(root.main_thread, pid_of(bob), 0), ipc::Error::ok);
    EXPECT_EQ(kill(kProcThread, pid_of(alice), 0), ipc::Error::ok);
    EXPECT_EQ(kill(alice.main_thread, pid_of(setuid_program), kSignalTerm), ipc::Error::ok);
    EXPECT_EQ(alive.count(setuid_program.main_thread), 0u);
}

TEST_F(SignalsTest, SigcontIsAllowedWithinTheSession) {
    SpawnReply init = spawned(kProcThread);
    SpawnReply alice = forked(init.main_thread);
    ASSERT_EQ(set(alice.main_thread, kSetUid, 1000), ipc::Error::ok);
    EXPECT_EQ(kill(alice.main_thread, pid_of(init), kSignalContinue), ipc::Error::ok);
    EXPECT_EQ(kill(alice.main_thread, pid_of(init), kSignalStop), ipc::Error::no_permission);
    SpawnReply stranger = spawned(kProcThread); // another session
    EXPECT_EQ(kill(alice.main_thread, pid_of(stranger), kSignalContinue),
              ipc::Error::no_permission);
}

TEST_F(SignalsTest, GroupTargets) {
    (void)spawned(kProcThread); // pid 1: the shell's group must not be -1, "everybody"
    SpawnReply shell = spawned(kProcThread);
    SpawnReply a = forked(shell.main_thread);
    SpawnReply b = forked(shell.main_thread);
    SpawnReply c = forked(shell.main_thread);
    ASSERT_EQ(setpgid(shell.main_thread, pid_of(a), 0), ipc::Error::ok);
    ASSERT_EQ(setpgid(shell.main_thread, pid_of(b), pid_of(a)), ipc::Error::ok);
    // -pgid: the whole group, nobody else.
    EXPECT_EQ(kill(shell.main_thread, -pid_of(a), kSignalTerm), ipc::Error::ok);
    EXPECT_EQ(alive.count(a.main_thread), 0u);
    EXPECT_EQ(alive.count(b.main_thread), 0u);
    EXPECT_EQ(alive.count(c.main_thread), 1u);
    EXPECT_EQ(kill(shell.main_thread, -pid_of(a), kSignalTerm), ipc::Error::not_found)
        << "a group with nobody running";
    // 0: the caller's own group (the shell's: the shell and c).
    SpawnReply d = forked(shell.main_thread);
    ASSERT_EQ(set(d.main_thread, kSetUid, 5), ipc::Error::ok);
    EXPECT_EQ(kill(d.main_thread, 0, kSignalTerm), ipc::Error::ok)
        << "d may signal only itself, and does";
    EXPECT_EQ(alive.count(d.main_thread), 0u);
    EXPECT_EQ(alive.count(shell.main_thread), 1u);
    EXPECT_EQ(alive.count(c.main_thread), 1u);
    // A group of which the caller may signal nobody.
    SpawnReply e = forked(shell.main_thread);
    ASSERT_EQ(set(e.main_thread, kSetUid, 6), ipc::Error::ok);
    EXPECT_EQ(kill(e.main_thread, -pid_of(shell), kSignalTerm), ipc::Error::ok) << "itself";
    SpawnReply f = forked(shell.main_thread);
    ASSERT_EQ(set(f.main_thread, kSetUid, 7), ipc::Error::ok);
    ASSERT_EQ(setpgid(f.main_thread, 0, 0), ipc::Error::ok);
    EXPECT_EQ(kill(f.main_thread, -pid_of(shell), kSignalTerm), ipc::Error::no_permission);
    // -1: everybody it may signal but itself.
    EXPECT_EQ(kill(kProcThread, -1, kSignalKill), ipc::Error::ok);
    EXPECT_TRUE(alive.empty());
}

TEST_F(SignalsTest, DefaultActionsIgnoredAndCaughtSignals) {
    SpawnReply init = spawned(kProcThread);
    SpawnReply p = forked(init.main_thread);
    // Default ignore.
    EXPECT_EQ(kill(init.main_thread, pid_of(p), kSignalChild), ipc::Error::ok);
    EXPECT_EQ(kill(init.main_thread, pid_of(p), kSignalWindow), ipc::Error::ok);
    EXPECT_EQ(alive.count(p.main_thread), 1u);
    // Ignored and caught, as the process reports.
    ASSERT_EQ(report_signals(p.main_thread, signal_bit(kSignalInterrupt) | signal_bit(kSignalKill),
                             signal_bit(kSignalUser1) | signal_bit(kSignalStop)),
              ipc::Error::ok);
    EXPECT_EQ(kill(init.main_thread, pid_of(p), kSignalInterrupt), ipc::Error::ok);
    EXPECT_EQ(kill(init.main_thread, pid_of(p), kSignalUser1), ipc::Error::ok);
    EXPECT_EQ(alive.count(p.main_thread), 1u);
    ASSERT_EQ(notified.size(), 1u) << "the hook for delivery";
    EXPECT_EQ(notified[0].second, kSignalUser1);
    uint32_t pending = 0;
    ASSERT_EQ(report_signals(p.main_thread, 0, signal_bit(kSignalUser1), &pending), ipc::Error::ok);
    EXPECT_EQ(pending, signal_bit(kSignalUser1));
    ASSERT_EQ(report_signals(p.main_thread, 0, signal_bit(kSignalUser1), &pending), ipc::Error::ok);
    EXPECT_EQ(pending, 0u) << "collected once";
    // SIGSTOP cannot be caught, SIGKILL not ignored (their bits were dropped).
    EXPECT_EQ(kill(init.main_thread, pid_of(p), kSignalStop), ipc::Error::ok);
    EXPECT_TRUE(entry_of(p.main_thread).stopped);
    EXPECT_EQ(kill(init.main_thread, pid_of(p), kSignalKill), ipc::Error::ok);
    EXPECT_EQ(alive.count(p.main_thread), 0u);
    WaitReply reply{};
    ASSERT_EQ(wait(init.main_thread, p.pid, 0, &reply), ipc::Error::ok);
    EXPECT_EQ(reply.reason, kExitKilled);
    EXPECT_EQ(reply.status, static_cast<int32_t>(kSignalKill));
    // A default-terminating signal ends with its number.
    SpawnReply q = forked(init.main_thread);
    EXPECT_EQ(kill(init.main_thread, pid_of(q), kSignalHangup), ipc::Error::ok);
    ASSERT_EQ(wait(init.main_thread, q.pid, 0, &reply), ipc::Error::ok);
    EXPECT_EQ(reply.status, static_cast<int32_t>(kSignalHangup));
    // A spawned child forgets caught signals, keeps ignored ones; a forked child keeps both.
    ASSERT_EQ(report_signals(init.main_thread, signal_bit(kSignalHangup), signal_bit(kSignalUser2)),
              ipc::Error::ok);
    EXPECT_EQ(entry_of(spawned(init.main_thread).main_thread).caught, 0u);
    EXPECT_EQ(entry_of(forked(init.main_thread).main_thread).caught, signal_bit(kSignalUser2));
    EXPECT_EQ(entry_of(spawned(init.main_thread).main_thread).ignored, signal_bit(kSignalHangup));
}

TEST_F(SignalsTest, StopAndContinueAreReportedToWaitsThatAsk) {
    SpawnReply init = spawned(kProcThread);
    SpawnReply p = forked(init.main_thread);
    uint32_t slot = service.table().slot_of(entry_of(p.main_thread));
    // A pending wait without kWaitUntraced is not answered by a stop.
    EXPECT_EQ(wait(init.main_thread, p.pid, 0, nullptr), ipc::kNoReply);
    EXPECT_EQ(kill(init.main_thread, pid_of(p), kSignalTerminalStop), ipc::Error::ok);
    EXPECT_TRUE(wait_answers.empty());
    ASSERT_EQ(halts.size(), 1u);
    EXPECT_EQ(halts[0], std::make_pair(slot, true));
    // One that asks is answered at once, and only once.
    WaitReply reply{};
    ASSERT_EQ(wait(init.main_thread, p.pid, kWaitUntraced | kWaitNoHang, &reply), ipc::Error::ok);
    EXPECT_EQ(reply.reason, kExitStopped);
    EXPECT_EQ(reply.status, static_cast<int32_t>(kSignalTerminalStop));
    EXPECT_EQ(wait(init.main_thread, p.pid, kWaitUntraced | kWaitNoHang, nullptr),
              ipc::Error::busy);
    // While stopped, a terminating signal waits for SIGCONT.
    EXPECT_EQ(kill(init.main_thread, pid_of(p), kSignalTerm), ipc::Error::ok);
    EXPECT_EQ(alive.count(p.main_thread), 1u);
    // A deferred wait for any child's continue gets it.
    EXPECT_EQ(wait(init.main_thread, kWaitAnyChild, kWaitContinued, nullptr), ipc::kNoReply);
    SpawnReply q = forked(init.main_thread);
    EXPECT_EQ(kill(init.main_thread, pid_of(q), kSignalStop), ipc::Error::ok);
    EXPECT_EQ(kill(init.main_thread, pid_of(q), kSignalContinue), ipc::Error::ok);
    ASSERT_EQ(wait_answers.size(), 1u);
    EXPECT_EQ(wait_answers[0].reply.pid, q.pid);
    EXPECT_EQ(wait_answers[0].reply.reason, kExitContinued);
    EXPECT_EQ(halts.back().second, false);
    // p's continue lets the pending SIGTERM act: it ends.
    EXPECT_EQ(kill(init.main_thread, pid_of(p), kSignalContinue), ipc::Error::ok);
    EXPECT_EQ(alive.count(p.main_thread), 0u);
    ASSERT_EQ(wait(init.main_thread, p.pid, 0, &reply), ipc::Error::ok);
    EXPECT_EQ(reply.reason, kExitKilled);
    EXPECT_EQ(reply.status, static_cast<int32_t>(kSignalTerm));
    // A stop is forgotten by a SIGCONT that comes first, and the reverse.
    EXPECT_EQ(kill(init.main_thread, pid_of(q), kSignalStop), ipc::Error::ok);
    EXPECT_TRUE(entry_of(q.main_thread).stopped);
    EXPECT_EQ(kill(init.main_thread, pid_of(q), kSignalStop), ipc::Error::ok) << "stopped already";
    EXPECT_EQ(kill(init.main_thread, pid_of(q), kSignalContinue), ipc::Error::ok);
    EXPECT_FALSE(entry_of(q.main_thread).stopped);
}

TEST_F(SignalsTest, ACaughtSigchldIsPendingForTheParent) {
    SpawnReply init = spawned(kProcThread);
    ASSERT_EQ(report_signals(init.main_thread, 0, signal_bit(kSignalChild)), ipc::Error::ok);
    SpawnReply p = forked(init.main_thread);
    EXPECT_TRUE(service.end_thread(p.main_thread, kExitNormal, 0));
    uint32_t pending = 0;
    ASSERT_EQ(report_signals(init.main_thread, 0, signal_bit(kSignalChild), &pending),
              ipc::Error::ok);
    EXPECT_EQ(pending, signal_bit(kSignalChild));
}

TEST_F(SignalsTest, BadInput) {
    SpawnReply init = spawned(kProcThread);
    EXPECT_EQ(kill(init.main_thread, pid_of(init), kMaxSignal + 1), ipc::Error::invalid_argument);
    EXPECT_EQ(kill(init.main_thread, INT32_MIN, kSignalTerm), ipc::Error::invalid_argument);
    EXPECT_EQ(kill(init.main_thread, 4242, kSignalTerm), ipc::Error::not_found);
    EXPECT_EQ(report_signals(kProcThread, 0, 0), ipc::Error::not_found);
    // Bits beyond the signals are dropped, not trusted.
    ASSERT_EQ(report_signals(init.main_thread, 1u, 0), ipc::Error::ok);
    EXPECT_EQ(entry_of(init.main_thread).ignored, 0u);
}

} // namespace
} // namespace proc
