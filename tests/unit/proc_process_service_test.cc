// proc's process management (servers/proc/process_service.h) with the kernel played by a
// fake ProcessHost: who may spawn, exit, wait and kill; deferred wait replies, abandoned
// waits, zombies, orphans; thread ids; a full table; and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "servers/proc/process_service.h"

namespace proc {
namespace {

// proc's own threads: no process of the table, so they act as proc itself.
constexpr axo_thread_id_t kProcThread = axo_thread_id(33, 1);
constexpr axo_thread_id_t kProcHelper = axo_thread_id(64, 1);

struct Answer {
    axo_thread_id_t waiter;
    ipc::Error error;
    WaitReply reply;
};

class ProcessServiceTest : public ::testing::Test {
protected:
    ProcessServiceTest() {
        add("/boot/sigma0");
        add("/boot/proc");
        add("/boot/init on-exit=shutdown");
        add("/boot/exit42 start=spawn alpha beta");
        add("/boot/spinner start=spawn");
        add("/boot/notes start=spawn"); // the fake's "no program"
        parse_boot_config(modules.data(), static_cast<uint32_t>(modules.size()), config, nullptr,
                          nullptr);
        service.set_config(&config);
    }

    void add(const char* cmdline) {
        axo_kip_module_t module{};
        module.start = 0x100000;
        module.size = 4096;
        std::strncpy(module.cmdline, cmdline, sizeof module.cmdline - 1);
        modules.push_back(module);
    }

    // ---- the fake host ----
    static ipc::Error start(void* context, uint32_t slot, uint32_t module, axo_thread_id_t thread,
                            const char* const* argv, uint32_t argc,
                            const loader::StringBlock& more) {
        auto* self = static_cast<ProcessServiceTest*>(context);
        if (self->fail_start != ipc::Error::ok) return self->fail_start;
        if (std::strcmp(self->config.modules[module].name, "notes") == 0)
            return ipc::Error::unsupported;
        // As the kernel: a number's versions only grow, and a live thread is not created twice.
        uint32_t number = axo_thread_number(thread);
        EXPECT_GT(axo_thread_version(thread), self->last_version[number]);
        self->last_version[number] = axo_thread_version(thread);
        EXPECT_EQ(self->alive.count(thread), 0u);
        self->alive.insert(thread);
        self->slot_of[thread] = slot;
        self->last_argv.assign(argv, argv + argc);
        self->last_more = more;
        return ipc::Error::ok;
    }
    static void destroy(void* context, uint32_t slot, axo_thread_id_t thread) {
        auto* self = static_cast<ProcessServiceTest*>(context);
        EXPECT_EQ(self->alive.erase(thread), 1u);
        EXPECT_EQ(self->slot_of[thread], slot);
        self->destroyed.push_back(thread);
    }
    static bool answer(void* context, axo_thread_id_t waiter, ipc::Error error,
                       const WaitReply& reply) {
        auto* self = static_cast<ProcessServiceTest*>(context);
        if (self->gone_waiters.count(waiter) != 0) return false;
        self->answers.push_back({waiter, error, reply});
        return true;
    }
    static void ended(void* context, const ProcessEntry& entry) {
        static_cast<ProcessServiceTest*>(context)->ends.push_back(entry);
    }

    // ---- requests ----
    ipc::Error spawn(axo_thread_id_t from, const char* image, const char* arguments,
                     SpawnReply* out = nullptr) {
        SpawnRequest request{};
        (void)request.image.set(image);
        std::strncpy(request.arguments, arguments ? arguments : "", kArgumentBytes - 1);
        SpawnReply reply{};
        ipc::Error error = service.spawn(from, request, reply);
        if (out != nullptr) *out = reply;
        return error;
    }
    SpawnReply spawned(axo_thread_id_t from, const char* image = "exit42") {
        SpawnReply reply{};
        EXPECT_EQ(spawn(from, image, nullptr, &reply), ipc::Error::ok);
        return reply;
    }
    ipc::Error exit(axo_thread_id_t from, int32_t status) {
        ipc::Empty reply;
        return service.exit(from, ExitRequest{status}, reply);
    }
    ipc::Error wait(axo_thread_id_t from, ProcessId pid, WaitReply* out = nullptr,
                    uint32_t options = 0) {
        WaitReply reply{};
        ipc::Error error = service.wait(from, WaitRequest{pid, options}, reply);
        if (out != nullptr) *out = reply;
        return error;
    }
    ipc::Error kill(axo_thread_id_t from, ProcessId pid, uint32_t signal = kSignalKill) {
        ipc::Empty reply;
        return service.kill(from, KillRequest{static_cast<int32_t>(pid), signal}, reply);
    }

    std::vector<axo_kip_module_t> modules;
    BootConfig config{};
    ProcessService service{ProcessHost{this, &start, &destroy, &answer, &ended}, nullptr};

    ipc::Error fail_start = ipc::Error::ok;
    std::map<uint32_t, uint32_t> last_version;
    std::set<axo_thread_id_t> alive;
    std::map<axo_thread_id_t, uint32_t> slot_of;
    std::vector<std::string> last_argv;
    loader::StringBlock last_more{};
    std::vector<axo_thread_id_t> destroyed;
    std::set<axo_thread_id_t> gone_waiters;
    std::vector<Answer> answers;
    std::vector<ProcessEntry> ends;
};

TEST_F(ProcessServiceTest, SpawnGivesPidThreadAndArgv) {
    SpawnReply child{};
    ASSERT_EQ(spawn(kProcThread, "exit42", "  one two  ", &child), ipc::Error::ok);
    EXPECT_NE(child.pid, kNoProcess);
    EXPECT_GE(axo_thread_number(child.main_thread), ProcessTable::kFirstThreadNumber);
    EXPECT_EQ(alive.count(child.main_thread), 1u);
    // The name, the configured arguments, the caller's words.
    EXPECT_EQ(last_argv, (std::vector<std::string>{"exit42", "alpha", "beta", "one", "two"}));
    EXPECT_EQ(service.running(child.main_thread)->pid, child.pid);
    EXPECT_EQ(service.caller(child.main_thread), child.pid);
    EXPECT_EQ(service.caller(kProcThread), kNoProcess);
    EXPECT_EQ(service.counters().spawned, 1u);
}

TEST_F(ProcessServiceTest, AnArgumentBlockFollowsTheConfiguredArguments) {
    const char block[] = "one\0X=1\0";
    loader::StringBlock strings{block, sizeof block - 1, 1, 1};
    Name image{};
    ASSERT_TRUE(image.set("exit42"));
    SpawnReply child{};
    ASSERT_EQ(service.spawn(kProcThread, image, strings, child), ipc::Error::ok);
    // The name and the configured arguments from proc, the block's strings after them.
    EXPECT_EQ(last_argv, (std::vector<std::string>{"exit42", "alpha", "beta"}));
    EXPECT_EQ(last_more.bytes, block);
    EXPECT_EQ(last_more.argc, 1u);
    EXPECT_EQ(last_more.envc, 1u);
    // exec with a block: the same, and the process keeps its pid.
    ipc::Empty none;
    EXPECT_EQ(service.exec(child.main_thread, image, nullptr, strings, none), ipc::kNoReply);
    EXPECT_EQ(last_argv, (std::vector<std::string>{"exit42", "alpha", "beta"}));
    EXPECT_EQ(last_more.size, sizeof block - 1);
    EXPECT_NE(service.table().find(child.pid), nullptr);
    // A bad name or an unknown module: nothing starts.
    Name bad{};
    EXPECT_EQ(service.spawn(kProcThread, bad, strings, child), ipc::Error::invalid_argument);
    ASSERT_TRUE(image.set("nosuch"));
    EXPECT_EQ(service.spawn(kProcThread, image, strings, child), ipc::Error::not_found);
}

TEST_F(ProcessServiceTest, BootStartHasProcAsParent) {
    SpawnReply init{};
    ASSERT_EQ(service.start(kNoProcess, 0, nullptr, init), ipc::Error::ok);
    EXPECT_EQ(last_argv, (std::vector<std::string>{"init"}));
    EXPECT_EQ(exit(init.main_thread, 0), ipc::kNoReply);
    // Nobody of proc's waits: proc reaps it itself.
    EXPECT_EQ(service.table().count(), 0u);
    ASSERT_EQ(ends.size(), 1u);
    EXPECT_EQ(ends[0].pid, init.pid);
    EXPECT_EQ(ends[0].reason, kExitNormal);
}

TEST_F(ProcessServiceTest, ExitLeavesAZombieForTheParentsWait) {
    SpawnReply parent = spawned(kProcThread);
    SpawnReply child = spawned(parent.main_thread);
    EXPECT_EQ(exit(child.main_thread, 42), ipc::kNoReply);
    EXPECT_EQ(alive.count(child.main_thread), 0u);
    EXPECT_EQ(service.table().count(), 2u); // the zombie stays for its parent
    EXPECT_EQ(exit(child.main_thread, 1), ipc::Error::not_found) << "a deleted thread";

    WaitReply reply{};
    ASSERT_EQ(wait(parent.main_thread, child.pid, &reply), ipc::Error::ok);
    EXPECT_EQ(reply.pid, child.pid);
    EXPECT_EQ(reply.reason, kExitNormal);
    EXPECT_EQ(reply.status, 42);
    EXPECT_EQ(service.table().count(), 1u);
    EXPECT_EQ(wait(parent.main_thread, child.pid), ipc::Error::not_found);
}

TEST_F(ProcessServiceTest, WaitBeforeTheEndIsAnsweredLater) {
    SpawnReply parent = spawned(kProcThread);
    SpawnReply child = spawned(parent.main_thread);
    EXPECT_EQ(wait(parent.main_thread, child.pid), ipc::kNoReply);
    EXPECT_EQ(service.pending_waits(), 1u);
    EXPECT_TRUE(answers.empty());
    EXPECT_EQ(exit(child.main_thread, -7), ipc::kNoReply);
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_EQ(answers[0].waiter, parent.main_thread);
    EXPECT_EQ(answers[0].error, ipc::Error::ok);
    EXPECT_EQ(answers[0].reply.pid, child.pid);
    EXPECT_EQ(answers[0].reply.status, -7);
    EXPECT_EQ(service.pending_waits(), 0u);
    EXPECT_EQ(service.table().count(), 1u);
}

TEST_F(ProcessServiceTest, AnAbandonedWaitLeavesTheChildForTheNext) {
    SpawnReply parent = spawned(kProcThread);
    SpawnReply child = spawned(parent.main_thread);
    EXPECT_EQ(wait(parent.main_thread, child.pid), ipc::kNoReply);
    gone_waiters.insert(parent.main_thread); // its call timed out
    EXPECT_EQ(exit(child.main_thread, 3), ipc::kNoReply);
    EXPECT_TRUE(answers.empty());
    EXPECT_EQ(service.pending_waits(), 0u);
    gone_waiters.clear();
    WaitReply reply{};
    EXPECT_EQ(wait(parent.main_thread, child.pid, &reply, kWaitNoHang), ipc::Error::ok);
    EXPECT_EQ(reply.status, 3);
}

TEST_F(ProcessServiceTest, ANewWaitReplacesTheThreadsOld) {
    SpawnReply parent = spawned(kProcThread);
    SpawnReply a = spawned(parent.main_thread);
    SpawnReply b = spawned(parent.main_thread);
    EXPECT_EQ(wait(parent.main_thread, a.pid), ipc::kNoReply);
    EXPECT_EQ(wait(parent.main_thread, b.pid), ipc::kNoReply);
    EXPECT_EQ(service.pending_waits(), 1u);
    EXPECT_EQ(exit(a.main_thread, 1), ipc::kNoReply);
    EXPECT_TRUE(answers.empty()) << "the wait for a was given up";
    EXPECT_EQ(exit(b.main_thread, 2), ipc::kNoReply);
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_EQ(answers[0].reply.pid, b.pid);
}

// The waiter's call timed out and it calls proc again — kill of the very child it waited for.
// Its old wait must not answer the kill (the thread waits in the kill's receive phase from
// proc): the dispatcher's request hook cancels it first, and the child stays a zombie.
TEST_F(ProcessServiceTest, AnAbandonedWaitNeverAnswersTheThreadsNextCall) {
    SpawnReply parent = spawned(kProcThread);
    SpawnReply child = spawned(parent.main_thread);
    EXPECT_EQ(wait(parent.main_thread, child.pid), ipc::kNoReply);
    service.cancel_requests_of(parent.main_thread); // proc's dispatcher, for the kill
    EXPECT_EQ(kill(parent.main_thread, child.pid), ipc::Error::ok);
    EXPECT_TRUE(answers.empty()) << "a wait reply would have answered the kill";
    EXPECT_EQ(service.pending_waits(), 0u);
    WaitReply reply{};
    EXPECT_EQ(wait(parent.main_thread, child.pid, &reply, kWaitNoHang), ipc::Error::ok);
    EXPECT_EQ(reply.pid, child.pid);
}

TEST_F(ProcessServiceTest, WaitForAnyChild) {
    SpawnReply parent = spawned(kProcThread);
    EXPECT_EQ(wait(parent.main_thread, kWaitAnyChild), ipc::Error::not_found);
    SpawnReply a = spawned(parent.main_thread);
    SpawnReply b = spawned(parent.main_thread);
    EXPECT_EQ(wait(parent.main_thread, kWaitAnyChild, nullptr, kWaitNoHang), ipc::Error::busy);
    EXPECT_EQ(wait(parent.main_thread, kWaitAnyChild), ipc::kNoReply);
    EXPECT_EQ(service.end_thread(b.main_thread, kExitFaulted, 14), true);
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_EQ(answers[0].reply.pid, b.pid);
    EXPECT_EQ(answers[0].reply.reason, kExitFaulted);
    EXPECT_EQ(answers[0].reply.status, 14);
    EXPECT_EQ(exit(a.main_thread, 5), ipc::kNoReply);
    WaitReply reply{};
    EXPECT_EQ(wait(parent.main_thread, kWaitAnyChild, &reply), ipc::Error::ok);
    EXPECT_EQ(reply.pid, a.pid);
    EXPECT_EQ(wait(parent.main_thread, kWaitAnyChild), ipc::Error::not_found);
}

TEST_F(ProcessServiceTest, OnlyChildrenMayBeWaitedFor) {
    SpawnReply parent = spawned(kProcThread);
    SpawnReply a = spawned(parent.main_thread);
    SpawnReply b = spawned(parent.main_thread);
    EXPECT_EQ(wait(b.main_thread, a.pid), ipc::Error::no_permission) << "a sibling";
    EXPECT_EQ(wait(a.main_thread, parent.pid), ipc::Error::no_permission) << "its parent";
    EXPECT_EQ(wait(a.main_thread, a.pid), ipc::Error::no_permission) << "itself";
    EXPECT_EQ(wait(b.main_thread, 99999), ipc::Error::not_found);
    EXPECT_EQ(kill(b.main_thread, 99999), ipc::Error::not_found);
    EXPECT_EQ(alive.count(a.main_thread), 1u);

    // Who may signal whom is the credentials' business (proc_signals_test.cc); here all are
    // root. proc's own threads may signal any process.
    EXPECT_EQ(kill(parent.main_thread, a.pid, kSignalTerm), ipc::Error::ok);
    EXPECT_EQ(alive.count(a.main_thread), 0u);
    EXPECT_EQ(kill(parent.main_thread, a.pid), ipc::Error::ok) << "an ended one: nothing";
    EXPECT_EQ(kill(kProcHelper, b.pid), ipc::Error::ok);
    WaitReply reply{};
    EXPECT_EQ(wait(parent.main_thread, a.pid, &reply), ipc::Error::ok);
    EXPECT_EQ(reply.reason, kExitKilled);
    EXPECT_EQ(reply.status, static_cast<int32_t>(kSignalTerm));
}

TEST_F(ProcessServiceTest, BadRequests) {
    SpawnReply child = spawned(kProcThread);
    EXPECT_EQ(kill(kProcThread, child.pid, 0), ipc::Error::ok) << "signal 0: a check only";
    EXPECT_EQ(alive.count(child.main_thread), 1u);
    EXPECT_EQ(kill(kProcThread, child.pid, kMaxSignal + 1), ipc::Error::invalid_argument);
    EXPECT_EQ(kill(kProcThread, kNoProcess), ipc::Error::not_found) << "proc has no group";
    EXPECT_EQ(wait(kProcThread, child.pid, nullptr, 8), ipc::Error::invalid_argument);
    EXPECT_EQ(exit(kProcThread, 0), ipc::Error::not_found) << "proc's thread is no process";

    EXPECT_EQ(spawn(kProcThread, "", nullptr), ipc::Error::invalid_argument);
    EXPECT_EQ(spawn(kProcThread, "a b", nullptr), ipc::Error::invalid_argument);
    EXPECT_EQ(spawn(kProcThread, "nothing", nullptr), ipc::Error::not_found);
    EXPECT_EQ(spawn(kProcThread, "notes", nullptr), ipc::Error::unsupported);
    std::string many;
    for (uint32_t i = 0; i < ProcessService::kMaxArguments; ++i)
        many += "w ";
    EXPECT_EQ(spawn(kProcThread, "spinner", many.c_str()), ipc::Error::invalid_argument);

    SpawnRequest unterminated{};
    (void)unterminated.image.set("spinner");
    std::memset(unterminated.arguments, 'x', sizeof unterminated.arguments);
    SpawnReply reply{};
    EXPECT_EQ(service.spawn(kProcThread, unterminated, reply), ipc::Error::invalid_argument);
    std::memset(&unterminated.image, 'y', sizeof unterminated.image);
    unterminated.arguments[0] = '\0';
    EXPECT_EQ(service.spawn(kProcThread, unterminated, reply), ipc::Error::invalid_argument);
    EXPECT_EQ(service.table().count(), 1u) << "no slot taken by a refused spawn";
}

TEST_F(ProcessServiceTest, AFailedStartTakesNoSlot) {
    fail_start = ipc::Error::no_memory;
    EXPECT_EQ(spawn(kProcThread, "exit42", nullptr), ipc::Error::no_memory);
    EXPECT_EQ(service.table().count(), 0u);
    EXPECT_EQ(service.counters().spawned, 0u);
    fail_start = ipc::Error::ok;
    EXPECT_EQ(spawn(kProcThread, "exit42", nullptr), ipc::Error::ok);
}

// role=init: pid 1 is kept for init, also when proc starts it again; nobody else gets it.
TEST_F(ProcessServiceTest, InitIsProcessOneWhenTheConfigurationSaysSo) {
    config.modules[0].init = true; // "init"
    service.set_config(&config);
    SpawnReply other{};
    ASSERT_EQ(service.start(kNoProcess, 1, nullptr, other), ipc::Error::ok);
    EXPECT_NE(other.pid, 1u) << "pid 1 waits for init";
    SpawnReply init{};
    ASSERT_EQ(service.start(kNoProcess, 0, nullptr, init), ipc::Error::ok);
    EXPECT_EQ(init.pid, 1u);
    SpawnReply child = spawned(init.main_thread);
    EXPECT_NE(child.pid, 1u);
    EXPECT_EQ(exit(init.main_thread, 0), ipc::kNoReply);
    SpawnReply again{};
    ASSERT_EQ(service.start(kNoProcess, 0, nullptr, again), ipc::Error::ok);
    EXPECT_EQ(again.pid, 1u) << "a restarted init is process 1 again";
}

// kill(-1) reaches every process the caller may signal but itself and those proc started from
// the boot configuration (the servers, init): init's shutdown ends the users' processes only.
TEST_F(ProcessServiceTest, KillOfEverybodySparesTheSystemsProcesses) {
    SpawnReply server{}, init{};
    ASSERT_EQ(service.start(kNoProcess, 2, nullptr, server), ipc::Error::ok); // "spinner"
    ASSERT_EQ(service.start(kNoProcess, 0, nullptr, init), ipc::Error::ok);
    SpawnReply shell = spawned(init.main_thread, "spinner");
    SpawnReply job = spawned(shell.main_thread, "spinner");
    EXPECT_EQ(kill(init.main_thread, static_cast<ProcessId>(-1), kSignalKill), ipc::Error::ok);
    EXPECT_EQ(service.caller(server.main_thread), server.pid) << "a server still runs";
    EXPECT_EQ(service.caller(init.main_thread), init.pid) << "the caller still runs";
    EXPECT_EQ(service.caller(shell.main_thread), kNoProcess);
    EXPECT_EQ(service.caller(job.main_thread), kNoProcess);
    // Nobody left to signal: not_found, as kill(-1, 0) then tells init.
    EXPECT_EQ(kill(init.main_thread, static_cast<ProcessId>(-1), 0), ipc::Error::not_found);
}

TEST_F(ProcessServiceTest, AParentsEndOrphansItsChildren) {
    SpawnReply parent = spawned(kProcThread);
    SpawnReply running = spawned(parent.main_thread);
    SpawnReply zombie = spawned(parent.main_thread);
    EXPECT_EQ(exit(zombie.main_thread, 1), ipc::kNoReply);
    EXPECT_EQ(wait(parent.main_thread, running.pid), ipc::kNoReply);
    EXPECT_EQ(service.table().count(), 3u);

    EXPECT_EQ(kill(kProcThread, parent.pid), ipc::Error::ok);
    EXPECT_EQ(service.pending_waits(), 0u) << "the dead parent's wait went with it";
    // proc reaped the zombie and the parent (its own child); the running child is proc's now.
    EXPECT_EQ(service.table().count(), 1u);
    EXPECT_EQ(service.caller(running.main_thread), running.pid);
    EXPECT_EQ(kill(kProcHelper, running.pid), ipc::Error::ok);
    EXPECT_EQ(service.table().count(), 0u);
    EXPECT_TRUE(answers.empty());
}

TEST_F(ProcessServiceTest, ProcsOwnThreadsWaitForItsChildren) {
    SpawnReply child = spawned(kProcThread);
    EXPECT_EQ(wait(kProcThread, child.pid), ipc::kNoReply);
    EXPECT_EQ(wait(kProcHelper, child.pid), ipc::Error::busy) << "one waiter per pid";
    EXPECT_EQ(wait(kProcHelper, kWaitAnyChild), ipc::kNoReply);
    EXPECT_EQ(exit(child.main_thread, 9), ipc::kNoReply);
    // The first wait gets it; the other, for any child of a parent with none left, fails.
    ASSERT_EQ(answers.size(), 2u);
    EXPECT_EQ(answers[0].waiter, kProcThread);
    EXPECT_EQ(answers[0].reply.status, 9);
    EXPECT_EQ(answers[1].waiter, kProcHelper);
    EXPECT_EQ(answers[1].error, ipc::Error::not_found);
    EXPECT_EQ(service.pending_waits(), 0u);
}

TEST_F(ProcessServiceTest, AnAnyWaitStaysWhileChildrenRemain) {
    SpawnReply first = spawned(kProcThread);
    SpawnReply second = spawned(kProcThread);
    EXPECT_EQ(wait(kProcHelper, first.pid), ipc::kNoReply);
    EXPECT_EQ(wait(kProcThread, kWaitAnyChild), ipc::kNoReply);
    EXPECT_EQ(exit(first.main_thread, 4), ipc::kNoReply);
    // The older wait, for `first` by name, gets it; proc still has `second`: the any-wait stays.
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_EQ(answers[0].waiter, kProcHelper);
    EXPECT_EQ(service.pending_waits(), 1u);
    EXPECT_EQ(exit(second.main_thread, 5), ipc::kNoReply);
    ASSERT_EQ(answers.size(), 2u);
    EXPECT_EQ(answers[1].waiter, kProcThread);
    EXPECT_EQ(answers[1].reply.pid, second.pid);
    EXPECT_EQ(service.table().count(), 0u);
}

TEST_F(ProcessServiceTest, ATableFullOfProcesses) {
    std::vector<SpawnReply> children;
    for (uint32_t i = 0; i < ProcessTable::kSlots; ++i)
        children.push_back(spawned(kProcThread));
    EXPECT_EQ(spawn(kProcThread, "exit42", nullptr), ipc::Error::no_space);
    std::set<ProcessId> pids;
    for (const SpawnReply& c : children)
        pids.insert(c.pid);
    EXPECT_EQ(pids.size(), ProcessTable::kSlots);
    EXPECT_EQ(exit(children[5].main_thread, 0), ipc::kNoReply);
    EXPECT_EQ(spawn(kProcThread, "exit42", nullptr), ipc::Error::ok);
}

TEST_F(ProcessServiceTest, ThreadIdsAreNeverReused) {
    std::set<axo_thread_id_t> seen;
    for (int i = 0; i < 200; ++i) {
        SpawnReply child = spawned(kProcThread);
        EXPECT_TRUE(seen.insert(child.main_thread).second);
        EXPECT_TRUE(service.end_thread(child.main_thread, kExitFaulted, 6));
        EXPECT_FALSE(service.end_thread(child.main_thread, kExitFaulted, 6));
    }
    EXPECT_EQ(service.table().count(), 0u);
    EXPECT_EQ(service.counters().ended, 200u);
    EXPECT_EQ(destroyed.size(), 200u);
}

TEST(ProcessTable, ThreadNumbersRetireOnlyWhenEveryVersionIsUsed) {
    ProcessTable table;
    std::vector<uint32_t> last(AXO_MAX_THREADS, 0);
    uint64_t made = 0;
    for (;;) {
        axo_thread_id_t thread = table.new_thread();
        if (thread == AXO_NIL_THREAD) break;
        uint32_t number = axo_thread_number(thread), version = axo_thread_version(thread);
        ASSERT_GE(number, ProcessTable::kFirstThreadNumber);
        ASSERT_LT(number, AXO_MAX_THREADS);
        ASSERT_GT(version, last[number]) << "a version is never used twice";
        last[number] = version;
        table.release_thread(thread);
        ++made;
    }
    // 768 numbers of 16383 versions: 12.58 million threads (process_table.h).
    EXPECT_EQ(made, uint64_t{ProcessTable::kThreadNumbers} * ProcessTable::kMaxVersion);
    EXPECT_EQ(made, 12582144u);
    EXPECT_EQ(table.numbers_retired(), ProcessTable::kThreadNumbers);
    EXPECT_EQ(table.allocate(kNoProcess, 0), nullptr);
}

TEST(ProcessTable, AForkHeavyRunSpreadsVersionsEvenly) {
    // A scaled-down run of 100 000 short-lived processes, each with one extra thread, while
    // 200 others live: round robin uses every number alike, so a number's versions grow by
    // (processes * threads) / 768 — for a million spawns 1302 of 16383 (process_table.h).
    ProcessTable table;
    std::vector<ProcessEntry*> living;
    for (int i = 0; i < 200; ++i)
        living.push_back(table.allocate(kNoProcess, 0));
    constexpr uint32_t kRuns = 100000;
    for (uint32_t i = 0; i < kRuns; ++i) {
        ProcessEntry* entry = table.allocate(kNoProcess, 0);
        ASSERT_NE(entry, nullptr) << "after " << i;
        entry->extra[0] = table.new_thread();
        ASSERT_NE(entry->extra[0], AXO_NIL_THREAD);
        table.release(*entry);
    }
    uint32_t highest = 0;
    for (uint32_t n = 0; n < ProcessTable::kThreadNumbers; ++n) {
        axo_thread_id_t probe = table.new_thread();
        if (probe == AXO_NIL_THREAD) break;
        highest = std::max(highest, axo_thread_version(probe));
        table.release_thread(probe);
    }
    EXPECT_LE(highest, 2 * kRuns / (ProcessTable::kThreadNumbers - 200) + 2);
    EXPECT_EQ(table.numbers_retired(), 0u);
    EXPECT_EQ(table.numbers_in_use(), 200u);
    EXPECT_EQ(table.count(), 200u);
}

TEST(ProcessTable, PidsAreUniqueAndNeverZero) {
    ProcessTable table;
    std::set<ProcessId> live;
    for (uint32_t i = 0; i < ProcessTable::kSlots; ++i) {
        ProcessEntry* entry = table.allocate(kNoProcess, 0);
        ASSERT_NE(entry, nullptr);
        EXPECT_NE(entry->pid, kNoProcess);
        EXPECT_TRUE(live.insert(entry->pid).second);
        EXPECT_EQ(table.find(entry->pid), entry);
        EXPECT_EQ(table.find_running(entry->thread), entry);
    }
    EXPECT_EQ(table.allocate(kNoProcess, 0), nullptr);
    EXPECT_EQ(table.find(kNoProcess), nullptr);
    EXPECT_EQ(table.find_running(AXO_NIL_THREAD), nullptr);
}

// find_running remembers where a thread number was found; a process that ended and a new one
// with the same number (another version) in another slot must not be confused by it.
TEST(ProcessTable, FindRunningIsNeverMisledByWhereANumberWasLastFound) {
    ProcessTable table;
    ProcessEntry* first = table.allocate(kNoProcess, 0);
    ASSERT_NE(first, nullptr);
    axo_thread_id_t old_thread = first->thread;
    EXPECT_EQ(table.find_running(old_thread), first);
    EXPECT_EQ(table.find_running(old_thread), first);
    first->state = ProcessState::ended;
    EXPECT_EQ(table.find_running(old_thread), nullptr);
    table.release(*first);
    // The pool hands the number out again only after every other one: use them all up.
    ProcessEntry* again = nullptr;
    for (uint32_t i = 0; i <= ProcessTable::kThreadNumbers && again == nullptr; ++i) {
        ProcessEntry* e = table.allocate(kNoProcess, 0);
        ASSERT_NE(e, nullptr);
        if (axo_thread_number(e->thread) == axo_thread_number(old_thread))
            again = e;
        else
            table.release(*e);
    }
    ASSERT_NE(again, nullptr);
    EXPECT_NE(again->thread, old_thread);
    EXPECT_EQ(table.find_running(old_thread), nullptr);
    EXPECT_EQ(table.find_running(again->thread), again);
}

TEST(ProcessTable, ExtraThreadsActAsTheirProcess) {
    ProcessTable table;
    ProcessEntry* entry = table.allocate(kNoProcess, 0);
    ASSERT_NE(entry, nullptr);
    uint32_t slot = table.slot_of(*entry);
    axo_thread_id_t first = table.new_thread();
    EXPECT_GE(axo_thread_number(first), ProcessTable::kFirstThreadNumber);
    EXPECT_NE(first, entry->thread);
    EXPECT_EQ(table.find_running(first), nullptr);
    entry->extra[0] = first;
    EXPECT_EQ(table.find_running(first), entry);
    // 32 threads in one process.
    for (uint32_t k = 1; k < kExtraThreads; ++k)
        entry->extra[k] = table.new_thread();
    EXPECT_EQ(table.find_running(entry->extra[kExtraThreads - 1]), entry);
    EXPECT_EQ(table.numbers_in_use(), 1 + kExtraThreads);
    // A new process in the slot starts without the old one's threads, whose numbers are free.
    table.release(*entry);
    EXPECT_EQ(table.numbers_in_use(), 0u);
    ProcessEntry* next = nullptr;
    for (uint32_t i = 0; i < ProcessTable::kSlots; ++i) {
        ProcessEntry* e = table.allocate(kNoProcess, 0);
        if (table.slot_of(*e) == slot) next = e;
    }
    ASSERT_NE(next, nullptr);
    EXPECT_EQ(next->extra[0], AXO_NIL_THREAD);
    EXPECT_EQ(table.find_running(first), nullptr);
}

TEST_F(ProcessServiceTest, ForkNeedsAProcessAndAHostThatCopies) {
    SpawnReply parent = spawned(kProcThread);
    SpawnReply child{};
    // This fake host has no fork.
    EXPECT_EQ(service.fork(parent.main_thread, ForkRequest{0x400000, 0x500000}, child),
              ipc::Error::unsupported);
    EXPECT_EQ(service.fork(kProcThread, ForkRequest{0x400000, 0x500000}, child),
              ipc::Error::not_found);
    EXPECT_EQ(service.table().count(), 1u);
}

struct ForkHost {
    std::vector<std::pair<uint32_t, uint32_t>> copies; // (slot, parent slot)
    static ipc::Error fork(void* context, uint32_t slot, uint32_t parent_slot, axo_thread_id_t,
                           uint32_t ip, uint32_t sp) {
        auto* self = static_cast<ForkHost*>(context);
        if (ip == 0 || sp == 0) return ipc::Error::invalid_argument;
        self->copies.push_back({slot, parent_slot});
        return ipc::Error::ok;
    }
    static ipc::Error start(void*, uint32_t, uint32_t, axo_thread_id_t, const char* const*,
                            uint32_t, const loader::StringBlock&) {
        return ipc::Error::ok;
    }
    static void destroy(void*, uint32_t, axo_thread_id_t) {}
    static bool answer(void*, axo_thread_id_t, ipc::Error, const WaitReply&) { return true; }
    static void ended(void*, const ProcessEntry&) {}
};

TEST(ProcessServiceFork, TheCopyIsTheCallersChild) {
    std::vector<axo_kip_module_t> modules(4);
    const char* lines[] = {"/boot/sigma0", "/boot/proc", "/boot/init", "/boot/app start=spawn"};
    for (size_t i = 0; i < modules.size(); ++i) {
        modules[i].start = 0x100000;
        modules[i].size = 4096;
        std::strncpy(modules[i].cmdline, lines[i], sizeof modules[i].cmdline - 1);
    }
    BootConfig config{};
    parse_boot_config(modules.data(), 4, config, nullptr, nullptr);
    ForkHost host;
    ProcessService service{ProcessHost{&host, &ForkHost::start, &ForkHost::destroy,
                                       &ForkHost::answer, &ForkHost::ended, &ForkHost::fork},
                           &config};
    SpawnReply parent{};
    ASSERT_EQ(service.start(kNoProcess, 1, nullptr, parent), ipc::Error::ok);
    SpawnReply child{};
    ASSERT_EQ(service.fork(parent.main_thread, ForkRequest{0x400000, 0x500000}, child),
              ipc::Error::ok);
    EXPECT_NE(child.pid, parent.pid);
    ASSERT_EQ(host.copies.size(), 1u);
    const ProcessEntry* entry = service.running(child.main_thread);
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(entry->parent, parent.pid);
    EXPECT_EQ(entry->module, 1u);
    EXPECT_EQ(host.copies[0].second, service.table().slot_of(*service.running(parent.main_thread)));
    // A refused copy takes no slot.
    EXPECT_EQ(service.fork(parent.main_thread, ForkRequest{0, 0}, child),
              ipc::Error::invalid_argument);
    EXPECT_EQ(service.table().count(), 2u);
}

} // namespace
} // namespace proc
