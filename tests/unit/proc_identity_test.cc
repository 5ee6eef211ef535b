// proc's identity rules (servers/proc/process_identity.cc): identify by any thread, inheritance
// on spawn and fork, and POSIX's setpgid, setsid, setuid/seteuid/setgid/setegid, setgroups.
#include "tests/unit/proc_service_fixture.h"

namespace proc {
namespace {

using testing::kProcThread;
using testing::ServiceFixture;

using IdentityTest = ServiceFixture;

TEST_F(IdentityTest, AProcessProcStartsIsRootAndLeadsANewSession) {
    SpawnReply init = spawned(kProcThread);
    IdentifyReply id = identity(init.main_thread);
    EXPECT_EQ(id.pid, init.pid);
    EXPECT_EQ(id.parent, kNoProcess);
    EXPECT_EQ(id.pgid, init.pid);
    EXPECT_EQ(id.sid, init.pid);
    EXPECT_EQ(id.credentials.ruid, 0u);
    EXPECT_EQ(id.credentials.euid, 0u);
    EXPECT_EQ(id.credentials.group_count, 0u);
}

TEST_F(IdentityTest, ChildrenInheritGroupSessionAndCredentials) {
    SpawnReply init = spawned(kProcThread);
    ASSERT_EQ(set(init.main_thread, kSetGid, 100), ipc::Error::ok);
    SetGroupsRequest groups{3, {7, 8, 9}};
    ipc::Empty empty;
    ASSERT_EQ(service.set_groups(init.main_thread, groups, empty), ipc::Error::ok);
    ASSERT_EQ(set(init.main_thread, kSetUid, 1000), ipc::Error::ok);
    for (SpawnReply child : {spawned(init.main_thread), forked(init.main_thread)}) {
        IdentifyReply id = identity(child.main_thread);
        EXPECT_EQ(id.parent, init.pid);
        EXPECT_EQ(id.pgid, init.pid);
        EXPECT_EQ(id.sid, init.pid);
        EXPECT_EQ(id.credentials.ruid, 1000u);
        EXPECT_EQ(id.credentials.suid, 1000u);
        EXPECT_EQ(id.credentials.egid, 100u);
        ASSERT_EQ(id.credentials.group_count, 3u);
        EXPECT_EQ(id.credentials.groups[2], 9u);
    }
}

TEST_F(IdentityTest, AnyThreadOfAProcessIdentifiesIt) {
    SpawnReply init = spawned(kProcThread);
    ProcessEntry& entry = service.table().at(service.table().slot_of(entry_of(init.main_thread)));
    axo_thread_id_t extra = service.table().new_thread();
    entry.extra[0] = extra;
    EXPECT_EQ(identity(extra).pid, init.pid);
    // The caller itself with nil; a thread of no process is not found.
    IdentifyReply reply{};
    EXPECT_EQ(service.identify(extra, IdentifyRequest{AXO_NIL_THREAD}, reply), ipc::Error::ok);
    EXPECT_EQ(reply.pid, init.pid);
    EXPECT_EQ(service.identify(kProcThread, IdentifyRequest{AXO_NIL_THREAD}, reply),
              ipc::Error::not_found);
    EXPECT_EQ(service.identify(kProcThread, IdentifyRequest{axo_thread_id(700, 3)}, reply),
              ipc::Error::not_found);
    // An ended process's threads identify nobody.
    EXPECT_TRUE(service.end_thread(init.main_thread, kExitNormal, 0));
    EXPECT_EQ(service.identify(kProcThread, IdentifyRequest{init.main_thread}, reply),
              ipc::Error::not_found);
}

TEST_F(IdentityTest, SetpgidMovesSelfAndForkedChildren) {
    SpawnReply shell = spawned(kProcThread);
    SpawnReply job = forked(shell.main_thread);
    SpawnReply other = forked(shell.main_thread);
    // A new group for the child, led by it (pgid 0: the target's pid)...
    EXPECT_EQ(setpgid(shell.main_thread, static_cast<int32_t>(job.pid), 0), ipc::Error::ok);
    EXPECT_EQ(identity(job.main_thread).pgid, job.pid);
    // ...which another child may join, and itself too (pid 0).
    EXPECT_EQ(setpgid(other.main_thread, 0, static_cast<int32_t>(job.pid)), ipc::Error::ok);
    EXPECT_EQ(identity(other.main_thread).pgid, job.pid);
    // Back to the shell's group.
    EXPECT_EQ(setpgid(shell.main_thread, static_cast<int32_t>(other.pid),
                      static_cast<int32_t>(shell.pid)),
              ipc::Error::ok);
    EXPECT_EQ(identity(other.main_thread).pgid, shell.pid);
}

TEST_F(IdentityTest, SetpgidRefusesWhatPosixRefuses) {
    SpawnReply shell = spawned(kProcThread);
    SpawnReply child = forked(shell.main_thread);
    SpawnReply grandchild = forked(child.main_thread);
    SpawnReply spawned_child = spawned(shell.main_thread);
    SpawnReply stranger = spawned(kProcThread);
    auto pid = [](const SpawnReply& r) { return static_cast<int32_t>(r.pid); };
    // EINVAL: a negative group.
    EXPECT_EQ(setpgid(shell.main_thread, 0, -5), ipc::Error::invalid_argument);
    // ESRCH: neither the caller nor its child (a grandchild, a stranger, nobody).
    EXPECT_EQ(setpgid(shell.main_thread, pid(grandchild), 0), ipc::Error::not_found);
    EXPECT_EQ(setpgid(shell.main_thread, pid(stranger), 0), ipc::Error::not_found);
    EXPECT_EQ(setpgid(shell.main_thread, 99999, 0), ipc::Error::not_found);
    // EACCES: a child that has exec'd (spawn is fork and exec).
    EXPECT_EQ(setpgid(shell.main_thread, pid(spawned_child), 0), ipc::Error::access_denied);
    // EPERM: a session leader (the shell leads its session: proc started it).
    EXPECT_EQ(setpgid(shell.main_thread, 0, 0), ipc::Error::no_permission);
    // EPERM: a group that does not exist in the caller's session (the stranger's is another).
    EXPECT_EQ(setpgid(child.main_thread, 0, pid(stranger)), ipc::Error::no_permission);
    EXPECT_EQ(setpgid(child.main_thread, 0, 4242), ipc::Error::no_permission);
    // EPERM: a child in another session.
    ASSERT_EQ(setsid(child.main_thread), ipc::Error::ok);
    EXPECT_EQ(setpgid(shell.main_thread, pid(child), 0), ipc::Error::no_permission);
    // Nothing changed.
    EXPECT_EQ(identity(grandchild.main_thread).pgid, shell.pid);
    EXPECT_EQ(identity(stranger.main_thread).pgid, stranger.pid);
    // A caller that is no process.
    EXPECT_EQ(setpgid(kProcThread, 0, 0), ipc::Error::not_found);
}

TEST_F(IdentityTest, SetsidMakesANewSessionUnlessAGroupLeader) {
    SpawnReply shell = spawned(kProcThread);
    SpawnReply child = forked(shell.main_thread);
    // The shell leads its group: refused.
    EXPECT_EQ(setsid(shell.main_thread), ipc::Error::no_permission);
    SetSessionReply reply{};
    ASSERT_EQ(service.set_session(child.main_thread, SetSessionRequest{}, reply), ipc::Error::ok);
    EXPECT_EQ(reply.sid, child.pid);
    IdentifyReply id = identity(child.main_thread);
    EXPECT_EQ(id.sid, child.pid);
    EXPECT_EQ(id.pgid, child.pid);
    // Now it leads a group: a second setsid fails.
    EXPECT_EQ(setsid(child.main_thread), ipc::Error::no_permission);
    EXPECT_EQ(setsid(kProcThread), ipc::Error::not_found);
}

TEST_F(IdentityTest, RootSetsEveryIdOthersOnlyToRealOrSaved) {
    SpawnReply p = spawned(kProcThread);
    axo_thread_id_t t = p.main_thread;
    // Root: seteuid to anything keeps the real and saved uid 0...
    ASSERT_EQ(set(t, kSetEffectiveUid, 500), ipc::Error::ok);
    Credentials c = identity(t).credentials;
    EXPECT_EQ(c.ruid, 0u);
    EXPECT_EQ(c.euid, 500u);
    EXPECT_EQ(c.suid, 0u);
    // ...so a non-root effective uid may go back to the saved 0.
    EXPECT_EQ(set(t, kSetEffectiveUid, 600), ipc::Error::no_permission);
    ASSERT_EQ(set(t, kSetEffectiveUid, 0), ipc::Error::ok);
    // Root's setuid sets all three, for good.
    ASSERT_EQ(set(t, kSetUid, 1000), ipc::Error::ok);
    c = identity(t).credentials;
    EXPECT_EQ(c.ruid, 1000u);
    EXPECT_EQ(c.euid, 1000u);
    EXPECT_EQ(c.suid, 1000u);
    EXPECT_EQ(set(t, kSetUid, 0), ipc::Error::no_permission);
    EXPECT_EQ(set(t, kSetEffectiveUid, 0), ipc::Error::no_permission);
    EXPECT_EQ(set(t, kSetUid, 1000), ipc::Error::ok) << "to its own real uid";
    // Groups: not root any more.
    EXPECT_EQ(set(t, kSetGid, 5), ipc::Error::no_permission);
    EXPECT_EQ(set(t, kSetEffectiveGid, 5), ipc::Error::no_permission);
    EXPECT_EQ(set(t, kSetEffectiveGid, 0), ipc::Error::ok) << "its real gid";
    SetGroupsRequest groups{1, {5}};
    ipc::Empty empty;
    EXPECT_EQ(service.set_groups(t, groups, empty), ipc::Error::no_permission);
    // Bad input.
    EXPECT_EQ(set(t, kSetUid, kNoId), ipc::Error::invalid_argument);
    EXPECT_EQ(set(t, static_cast<CredentialOperation>(9), 1), ipc::Error::invalid_argument);
    EXPECT_EQ(set(kProcThread, kSetUid, 1), ipc::Error::not_found);
}

TEST_F(IdentityTest, NonRootSetuidSwitchesBetweenRealAndSaved) {
    SpawnReply p = spawned(kProcThread);
    axo_thread_id_t t = p.main_thread;
    ASSERT_EQ(set(t, kSetGid, 10), ipc::Error::ok);
    ASSERT_EQ(set(t, kSetEffectiveUid, 20), ipc::Error::ok); // r 0, e 20, s 0
    // Not root now: setuid may only pick the real or saved uid, and sets the effective one.
    EXPECT_EQ(set(t, kSetUid, 30), ipc::Error::no_permission);
    ASSERT_EQ(set(t, kSetUid, 0), ipc::Error::ok);
    EXPECT_EQ(identity(t).credentials.euid, 0u);
    EXPECT_EQ(identity(t).credentials.ruid, 0u);
    // setgid as non-root: only the real or saved gid.
    ASSERT_EQ(set(t, kSetEffectiveUid, 20), ipc::Error::ok);
    EXPECT_EQ(set(t, kSetGid, 11), ipc::Error::no_permission);
    EXPECT_EQ(set(t, kSetGid, 10), ipc::Error::ok);
}

TEST_F(IdentityTest, SetgroupsNeedsRootAndAFittingList) {
    SpawnReply p = spawned(kProcThread);
    ipc::Empty empty;
    SetGroupsRequest many{kMaxGroups + 1, {}};
    EXPECT_EQ(service.set_groups(p.main_thread, many, empty), ipc::Error::invalid_argument);
    SetGroupsRequest bad{2, {1, kNoId}};
    EXPECT_EQ(service.set_groups(p.main_thread, bad, empty), ipc::Error::invalid_argument);
    SetGroupsRequest fine{2, {4, 5}};
    EXPECT_EQ(service.set_groups(p.main_thread, fine, empty), ipc::Error::ok);
    EXPECT_EQ(identity(p.main_thread).credentials.group_count, 2u);
    SetGroupsRequest none{0, {}};
    EXPECT_EQ(service.set_groups(p.main_thread, none, empty), ipc::Error::ok);
    EXPECT_EQ(identity(p.main_thread).credentials.group_count, 0u);
}

TEST_F(IdentityTest, ListGivesEveryProcessInPidOrderInPages) {
    std::vector<ProcessId> pids;
    for (int i = 0; i < 20; ++i)
        pids.push_back(spawned(kProcThread).pid);
    // proc reaps its own children at once: an ended one is no longer listed.
    EXPECT_TRUE(service.end_thread(service.table().find(pids[3])->thread, kExitNormal, 0));
    std::vector<ProcessId> listed;
    ProcessId from = kNoProcess;
    for (int calls = 0; calls < 10; ++calls) {
        ListReply reply{};
        ASSERT_EQ(service.list(kProcThread, ListRequest{from}, reply), ipc::Error::ok);
        ASSERT_LE(reply.count, kListEntries);
        for (uint32_t i = 0; i < reply.count; ++i)
            listed.push_back(reply.entries[i].pid);
        if (reply.next == kNoProcess) break;
        from = reply.next;
    }
    pids.erase(pids.begin() + 3);
    EXPECT_EQ(listed, pids);
}

} // namespace
} // namespace proc

namespace proc {
namespace {

using testing::kProcThread;
using testing::kServerThread;
using ExecTest = testing::ServiceFixture;

TEST_F(ExecTest, ExecKeepsThePidIdentityAndChildrenWithANewThread) {
    SpawnReply init = spawned(kProcThread);
    SpawnReply shell = forked(init.main_thread);
    SpawnReply child = forked(shell.main_thread);
    ASSERT_EQ(set(shell.main_thread, kSetUid, 42), ipc::Error::ok);
    ASSERT_EQ(setpgid(shell.main_thread, 0, 0), ipc::Error::ok);
    ASSERT_EQ(
        report_signals(shell.main_thread, signal_bit(kSignalHangup), signal_bit(kSignalUser1)),
        ipc::Error::ok);
    ProcessEntry& entry = service.table().at(service.table().slot_of(entry_of(shell.main_thread)));
    axo_thread_id_t extra = service.table().new_thread();
    entry.extra[0] = extra;
    ASSERT_EQ(subscribe(kServerThread), ipc::Error::ok);
    // A wait of the shell's pending: it goes with its thread.
    EXPECT_EQ(wait(shell.main_thread, child.pid, 0, nullptr), ipc::kNoReply);

    ExecRequest request{};
    (void)request.image.set("app");
    std::strncpy(request.arguments, "one two", kArgumentBytes - 1);
    ipc::Empty empty;
    EXPECT_EQ(service.exec(extra, request, empty), ipc::kNoReply) << "from any of its threads";
    EXPECT_EQ(alive.count(shell.main_thread), 0u) << "the old program's thread is gone";
    EXPECT_EQ(service.running(extra), nullptr);
    const ProcessEntry* now = service.table().find(shell.pid);
    ASSERT_NE(now, nullptr);
    EXPECT_EQ(now->state, ProcessState::running);
    EXPECT_NE(now->thread, shell.main_thread);
    EXPECT_EQ(alive.count(now->thread), 1u);
    EXPECT_EQ(running.count(now->thread), 1u);
    EXPECT_EQ(now->extra[0], AXO_NIL_THREAD);
    IdentifyReply id = identity(now->thread);
    EXPECT_EQ(id.pid, shell.pid);
    EXPECT_EQ(id.parent, init.pid);
    EXPECT_EQ(id.pgid, shell.pid);
    EXPECT_EQ(id.credentials.euid, 42u);
    EXPECT_EQ(now->ignored, signal_bit(kSignalHangup));
    EXPECT_EQ(now->caught, 0u);
    EXPECT_TRUE(now->execed);
    // Its child is still its child; the old wait is gone.
    EXPECT_EQ(service.table().find(child.pid)->parent, shell.pid);
    EXPECT_EQ(service.pending_waits(), 0u);
    EventNextReply events{};
    ASSERT_EQ(next(kServerThread, kEventNoHang, &events), ipc::Error::ok);
    ASSERT_EQ(events.count, 1u);
    EXPECT_EQ(events.events[0].kind, kEventExec);
    EXPECT_EQ(events.events[0].pid, shell.pid);
    // The new program ran only once the subscriber had the exec event queued.
    EXPECT_EQ(held_at_run[now->thread], std::vector<bool>{true});
}

TEST_F(ExecTest, ExecRefusesBadRequestsAndKeepsTheCaller) {
    SpawnReply p = spawned(kProcThread);
    ipc::Empty empty;
    ExecRequest request{};
    (void)request.image.set("nothing");
    EXPECT_EQ(service.exec(p.main_thread, request, empty), ipc::Error::not_found);
    EXPECT_EQ(service.exec(kProcThread, request, empty), ipc::Error::not_found);
    (void)request.image.set("app");
    std::memset(request.arguments, 'x', sizeof request.arguments);
    EXPECT_EQ(service.exec(p.main_thread, request, empty), ipc::Error::invalid_argument);
    EXPECT_EQ(alive.count(p.main_thread), 1u);
    EXPECT_EQ(service.running(p.main_thread)->pid, p.pid);
}

TEST_F(ExecTest, AnExecThatCannotRunEndsTheProcessKilled) {
    SpawnReply init = spawned(kProcThread);
    SpawnReply p = forked(init.main_thread);
    fail_run = ipc::Error::invalid_argument;
    ExecRequest request{};
    (void)request.image.set("app");
    ipc::Empty empty;
    EXPECT_EQ(service.exec(p.main_thread, request, empty), ipc::kNoReply);
    fail_run = ipc::Error::ok;
    WaitReply reply{};
    ASSERT_EQ(wait(init.main_thread, p.pid, 0, &reply), ipc::Error::ok);
    EXPECT_EQ(reply.reason, kExitKilled);
    EXPECT_EQ(reply.status, static_cast<int32_t>(kSignalKill));
}

} // namespace
} // namespace proc

namespace proc {
namespace {

using IdentityGroupSessionTest = testing::ServiceFixture;

TEST_F(IdentityGroupSessionTest, GroupSessionNamesTheSessionOfALiveGroup) {
    using testing::kProcThread;
    SpawnReply shell = spawned(kProcThread);
    SpawnReply job = forked(shell.main_thread);
    ASSERT_EQ(setpgid(shell.main_thread, static_cast<int32_t>(job.pid), 0), ipc::Error::ok);
    GroupSessionReply reply{};
    ASSERT_EQ(service.group_session(job.main_thread, GroupSessionRequest{job.pid}, reply),
              ipc::Error::ok);
    EXPECT_EQ(reply.sid, shell.pid);
    SpawnReply stranger = spawned(kProcThread);
    ASSERT_EQ(service.group_session(job.main_thread, GroupSessionRequest{stranger.pid}, reply),
              ipc::Error::ok);
    EXPECT_EQ(reply.sid, stranger.pid);
    EXPECT_EQ(service.group_session(job.main_thread, GroupSessionRequest{4242}, reply),
              ipc::Error::not_found);
    // A group whose last process ended is no group.
    EXPECT_TRUE(service.end_thread(job.main_thread, kExitNormal, 0));
    EXPECT_EQ(service.group_session(shell.main_thread, GroupSessionRequest{job.pid}, reply),
              ipc::Error::not_found);
}

} // namespace
} // namespace proc
