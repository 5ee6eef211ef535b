// exec of a program file (kProcExecFile, servers/proc/process_service.h exec_file) with the
// kernel and mm played by the fixture's host: what the process keeps, what the event says, and
// what happens when the new image cannot be made.
#include <string>

#include "tests/unit/proc_service_fixture.h"

namespace proc {
namespace {

using testing::kProcThread;
using testing::kServerThread;
using testing::ServiceFixture;

class ExecFileTest : public ServiceFixture {
protected:
    ipc::Error exec_file(axo_thread_id_t from, uint32_t object) {
        static const char kStrings[] = "exec_echo\0args\0";
        return exec_file(from, object, loader::StringBlock{kStrings, sizeof kStrings - 1, 2, 0});
    }
    ipc::Error exec_file(axo_thread_id_t from, uint32_t object,
                         const loader::StringBlock& strings) {
        FileImage image{};
        image.object = object;
        image.file_size = 8192;
        ipc::Empty reply;
        return service.exec_file(from, image, strings, reply);
    }
    InfoReply info(ProcessId pid) {
        InfoReply reply{};
        EXPECT_EQ(service.info(InfoRequest{pid}, reply), ipc::Error::ok);
        return reply;
    }
};

TEST_F(ExecFileTest, ExecKeepsPidMaskAndIgnoredSignalsAndResetsCaughtOnes) {
    SpawnReply app = spawned(kProcThread);
    SignalActionReply reply{};
    uint32_t blocked = signal_bit(kSignalUser2);
    ASSERT_EQ(service.signal_action(app.main_thread,
                                    SignalActionRequest{signal_bit(kSignalTerm),
                                                        signal_bit(kSignalUser1), blocked, 0x1000},
                                    reply),
              ipc::Error::ok);
    EXPECT_EQ(exec_file(app.main_thread, 77), ipc::kNoReply);
    const ProcessEntry* entry = nullptr;
    for (uint32_t slot = 0; slot < ProcessTable::kSlots; ++slot)
        if (service.table().at(slot).pid == app.pid) entry = &service.table().at(slot);
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(entry->state, ProcessState::running);
    EXPECT_NE(entry->thread, app.main_thread); // a new first thread
    EXPECT_EQ(alive.count(app.main_thread), 0u);
    EXPECT_EQ(entry->blocked, blocked);                 // the mask stays (POSIX)
    EXPECT_EQ(entry->ignored, signal_bit(kSignalTerm)); // ignored stays ignored
    EXPECT_EQ(entry->caught, 0u);                       // caught goes back to default
    EXPECT_EQ(entry->entry, 0u);
    EXPECT_EQ(started_objects, std::vector<uint32_t>{77});
}

TEST_F(ExecFileTest, SubscribersLearnWhichObjectTheProgramMaps) {
    ASSERT_EQ(subscribe(kServerThread), ipc::Error::ok);
    SpawnReply app = spawned(kProcThread);
    EXPECT_EQ(exec_file(app.main_thread, 77), ipc::kNoReply);
    EventNextReply events{};
    ASSERT_EQ(service.next_events(kServerThread, EventNextRequest{kEventNoHang}, events),
              ipc::Error::ok);
    bool found = false;
    for (uint32_t i = 0; i < events.count; ++i)
        if (events.events[i].kind == kEventExec && events.events[i].pid == app.pid &&
            events.events[i].value == exec_event_value(77))
            found = true;
    EXPECT_TRUE(found);
}

TEST_F(ExecFileTest, AnImageThatCannotBeMadeEndsTheProcessKilled) {
    ASSERT_EQ(subscribe(kServerThread), ipc::Error::ok);
    SpawnReply app = spawned(kProcThread);
    fail_start_file = ipc::Error::no_memory;
    EXPECT_EQ(exec_file(app.main_thread, 78), ipc::kNoReply);
    EXPECT_EQ(service.running(app.main_thread), nullptr);
    EventNextReply events{};
    ASSERT_EQ(service.next_events(kServerThread, EventNextRequest{kEventNoHang}, events),
              ipc::Error::ok);
    bool killed = false, announced = false;
    for (uint32_t i = 0; i < events.count; ++i) {
        const Event& e = events.events[i];
        if (e.pid != app.pid) continue;
        killed |= e.kind == kEventExit && e.value == (kExitKilled << 16 | kSignalKill);
        announced |= e.kind == kEventExec && e.value == exec_event_value(78);
    }
    EXPECT_TRUE(killed);
    EXPECT_FALSE(announced); // no new program ran
}

TEST_F(ExecFileTest, TheProcessIsNamedAfterTheLastComponentOfArgvZero) {
    SpawnReply app = spawned(kProcThread);
    EXPECT_STREQ(info(app.pid).name, "app"); // a boot module's process: the module's name
    EXPECT_STREQ(config.modules[info(app.pid).module].name, "app");
    static const char kStrings[] = "/usr/bin/a-rather-long-program-name\0";
    EXPECT_EQ(
        exec_file(app.main_thread, 77, loader::StringBlock{kStrings, sizeof kStrings - 1, 1, 0}),
        ipc::kNoReply);
    InfoReply reply = info(app.pid);
    EXPECT_STREQ(reply.name, "a-rather-long-p"); // cut to the name's room
    EXPECT_EQ(reply.module, kInfoNoModule);
    EXPECT_EQ(reply.state, 0u);
    EXPECT_EQ(reply.threads, 1u);
}

TEST_F(ExecFileTest, AForkKeepsTheNameAndAnExecOfAModuleTakesTheModules) {
    SpawnReply app = spawned(kProcThread);
    static const char kStrings[] = "sh\0-c\0";
    EXPECT_EQ(
        exec_file(app.main_thread, 77, loader::StringBlock{kStrings, sizeof kStrings - 1, 2, 0}),
        ipc::kNoReply);
    const ProcessEntry* entry = service.table().find(app.pid);
    ASSERT_NE(entry, nullptr);
    SpawnReply child = forked(entry->thread);
    EXPECT_STREQ(info(child.pid).name, "sh");
    ExecRequest request{};
    (void)request.image.set("init");
    ipc::Empty reply;
    const ProcessEntry* forked_entry = service.table().find(child.pid);
    ASSERT_NE(forked_entry, nullptr);
    EXPECT_EQ(service.exec(forked_entry->thread, request, reply), ipc::kNoReply);
    EXPECT_STREQ(info(child.pid).name, "init");
    EXPECT_STREQ(config.modules[info(child.pid).module].name, "init");
}

TEST_F(ExecFileTest, TheCommandLineIsTheArgvOfTheLastProgramAndAForkKeepsIt) {
    auto command_line = [&](ProcessId pid) {
        CommandLineReply reply{};
        EXPECT_EQ(service.command_line(CommandLineRequest{pid}, reply), ipc::Error::ok);
        return std::string(reply.bytes, reply.length);
    };
    SpawnReply app = spawned(kProcThread);
    EXPECT_EQ(command_line(app.pid), std::string("app\0", 4)); // the module's name
    static const char kStrings[] = "/bin/sleep\0"
                                   "100\0";
    EXPECT_EQ(
        exec_file(app.main_thread, 77, loader::StringBlock{kStrings, sizeof kStrings - 1, 2, 0}),
        ipc::kNoReply);
    EXPECT_EQ(command_line(app.pid), std::string("/bin/sleep\0"
                                                 "100\0",
                                                 15));
    const ProcessEntry* entry = service.table().find(app.pid);
    ASSERT_NE(entry, nullptr);
    SpawnReply child = forked(entry->thread);
    EXPECT_EQ(command_line(child.pid), std::string("/bin/sleep\0"
                                                   "100\0",
                                                   15));
    // An argv beyond the room is cut to it.
    std::string big;
    for (int i = 0; i < 40; ++i)
        big += std::string("arg") + std::to_string(i) + '\0';
    EXPECT_EQ(exec_file(entry->thread, 78,
                        loader::StringBlock{big.data(), static_cast<uint32_t>(big.size()), 40, 0}),
              ipc::kNoReply);
    EXPECT_EQ(command_line(app.pid), big.substr(0, kCommandLineBytes));
    CommandLineReply reply{};
    EXPECT_EQ(service.command_line(CommandLineRequest{4242}, reply), ipc::Error::not_found);
    EXPECT_EQ(service.command_line(CommandLineRequest{kNoProcess}, reply), ipc::Error::not_found);
}

TEST_F(ExecFileTest, InfoOfNoProcessIsNotFound) {
    InfoReply reply{};
    EXPECT_EQ(service.info(InfoRequest{4242}, reply), ipc::Error::not_found);
    EXPECT_EQ(service.info(InfoRequest{kNoProcess}, reply), ipc::Error::not_found);
}

TEST_F(ExecFileTest, ASenderThatIsNoProcessIsRefused) {
    EXPECT_EQ(exec_file(kProcThread, 77), ipc::Error::not_found);
    EXPECT_TRUE(started_objects.empty());
}

} // namespace
} // namespace proc
