// proc's event stream (servers/proc/event_stream.{h,cc} and its use in process_service.cc):
// order, the guarantee that a new process runs only after its fork is in every queue, deferred
// replies that empty a queue only when delivered, overflow and resync.
#include "tests/unit/proc_service_fixture.h"

namespace proc {
namespace {

using testing::kProcThread;
using testing::kServerThread;
using testing::ServiceFixture;

using EventStreamTest = ServiceFixture;

constexpr axo_thread_id_t kOtherServer = axo_thread_id(901, 1);

TEST_F(EventStreamTest, ANewProcessRunsOnlyOnceItsForkIsInEveryQueue) {
    ASSERT_EQ(subscribe(kServerThread), ipc::Error::ok);
    ASSERT_EQ(subscribe(kOtherServer), ipc::Error::ok);
    // One subscriber blocked in its call (answered), the other busy (queued).
    EXPECT_EQ(next(kServerThread, 0, nullptr), ipc::kNoReply);
    SpawnReply init = spawned(kProcThread);
    SpawnReply child = forked(init.main_thread);
    for (axo_thread_id_t thread : {init.main_thread, child.main_thread}) {
        ASSERT_EQ(held_at_run[thread].size(), 2u);
        EXPECT_TRUE(held_at_run[thread][0]);
        EXPECT_TRUE(held_at_run[thread][1]);
    }
    // The blocked one got init's fork at once; the rest waits for its next call.
    ASSERT_EQ(event_answers.size(), 1u);
    const EventNextReply& first = event_answers[0].reply;
    ASSERT_EQ(first.count, 1u);
    EXPECT_EQ(first.events[0].kind, kEventFork);
    EXPECT_EQ(first.events[0].pid, init.pid);
    EXPECT_EQ(first.events[0].parent, kNoProcess);
    EventNextReply more{};
    ASSERT_EQ(next(kServerThread, 0, &more), ipc::Error::ok);
    ASSERT_EQ(more.count, 2u);
    EXPECT_EQ(more.events[0].kind, kEventExec);
    EXPECT_EQ(more.events[1].kind, kEventFork);
    EXPECT_EQ(more.events[1].pid, child.pid);
    // The other finds everything in order with a no-hang call.
    EventNextReply reply{};
    ASSERT_EQ(next(kOtherServer, kEventNoHang, &reply), ipc::Error::ok);
    ASSERT_EQ(reply.count, 3u);
    EXPECT_EQ(reply.events[0].pid, init.pid);
    EXPECT_EQ(reply.events[2].kind, kEventFork);
    EXPECT_EQ(reply.events[2].pid, child.pid);
    EXPECT_EQ(reply.events[2].parent, init.pid);
    EXPECT_EQ(reply.lost, 0u);
    EXPECT_EQ(reply.pending, 0u);
    // Empty now: a no-hang call answers with nothing.
    ASSERT_EQ(next(kOtherServer, kEventNoHang, &reply), ipc::Error::ok);
    EXPECT_EQ(reply.count, 0u);
}

TEST_F(EventStreamTest, ExitAndCredentialAndGroupChangesAreEvents) {
    SpawnReply init = spawned(kProcThread);
    ASSERT_EQ(subscribe(kServerThread), ipc::Error::ok);
    SpawnReply child = forked(init.main_thread);
    ASSERT_EQ(set(child.main_thread, kSetUid, 77), ipc::Error::ok);
    ASSERT_EQ(setsid(child.main_thread), ipc::Error::ok);
    EXPECT_TRUE(service.end_thread(child.main_thread, kExitFaulted, 14));
    EventNextReply reply{};
    ASSERT_EQ(next(kServerThread, 0, &reply), ipc::Error::ok);
    ASSERT_EQ(reply.count, 4u);
    EXPECT_EQ(reply.events[0].kind, kEventFork);
    EXPECT_EQ(reply.events[1].kind, kEventCredentials);
    EXPECT_EQ(reply.events[1].value, 77u);
    EXPECT_EQ(reply.events[2].kind, kEventGroup);
    EXPECT_EQ(reply.events[2].value, child.pid);
    EXPECT_EQ(reply.events[3].kind, kEventExit);
    EXPECT_EQ(reply.events[3].pid, child.pid);
    EXPECT_EQ(reply.events[3].value, kExitFaulted << 16 | 14u);
}

TEST_F(EventStreamTest, ANotifiedSubscriberGetsItsBitsBeforeTheProcessRuns) {
    ipc::Empty empty;
    EXPECT_EQ(service.subscribe(kServerThread, EventSubscribeNotifyRequest{0}, empty),
              ipc::Error::invalid_argument);
    ASSERT_EQ(subscribe_notify(kServerThread, 0x10), ipc::Error::ok);
    ASSERT_EQ(subscribe(kOtherServer), ipc::Error::ok);
    SpawnReply init = spawned(kProcThread);
    // Its fork and its exec: the notified subscriber's bits, the other one never.
    ASSERT_FALSE(event_notifications.empty());
    for (const auto& [thread, bits] : event_notifications) {
        EXPECT_EQ(thread, kServerThread);
        EXPECT_EQ(bits, 0x10u);
    }
    EXPECT_GE(notifications_at_run[init.main_thread], 1u) << "notified before it ran";
    EventNextReply reply{};
    ASSERT_EQ(next(kServerThread, kEventNoHang, &reply), ipc::Error::ok);
    EXPECT_EQ(reply.count, 2u);
    // A fork while the subscriber waits in its call: the reply takes the event, no bits.
    event_notifications.clear();
    EXPECT_EQ(next(kServerThread, 0, nullptr), ipc::kNoReply);
    SpawnReply child = forked(init.main_thread);
    ASSERT_EQ(event_answers.size(), 1u);
    EXPECT_EQ(event_answers[0].reply.events[0].pid, child.pid);
    EXPECT_TRUE(event_notifications.empty());
    // Not waiting: the exit is queued and notified, before anyone could act on it.
    EXPECT_TRUE(service.end_thread(child.main_thread, kExitNormal, 0));
    ASSERT_EQ(event_notifications.size(), 1u);
    EXPECT_EQ(event_notifications[0].first, kServerThread);
    ASSERT_EQ(next(kServerThread, kEventNoHang, &reply), ipc::Error::ok);
    ASSERT_EQ(reply.count, 1u);
    EXPECT_EQ(reply.events[0].kind, kEventExit);
}

TEST_F(EventStreamTest, AnUndeliveredReplyLeavesTheEventsQueued) {
    ASSERT_EQ(subscribe(kServerThread), ipc::Error::ok);
    EXPECT_EQ(next(kServerThread, 0, nullptr), ipc::kNoReply);
    not_receiving.insert(kServerThread); // its call timed out meanwhile
    SpawnReply init = spawned(kProcThread);
    EXPECT_TRUE(event_answers.empty());
    EXPECT_EQ(service.events().queued(kServerThread), 2u);
    // Not waiting any more: later events are queued, not sent.
    not_receiving.clear();
    (void)forked(init.main_thread);
    EXPECT_TRUE(event_answers.empty());
    EventNextReply reply{};
    ASSERT_EQ(next(kServerThread, 0, &reply), ipc::Error::ok);
    EXPECT_EQ(reply.count, 3u);
    EXPECT_EQ(reply.events[0].pid, init.pid);
}

TEST_F(EventStreamTest, OverflowIsReportedAsLostAndListResyncs) {
    ASSERT_EQ(subscribe(kServerThread), ipc::Error::ok);
    SpawnReply init = spawned(kProcThread); // 2 events
    std::vector<ProcessId> children;
    for (uint32_t i = 0; i < kEventQueueDepth; ++i) {
        SpawnReply child = forked(init.main_thread);
        children.push_back(child.pid);
        EXPECT_TRUE(service.end_thread(child.main_thread, kExitNormal, 0));
        WaitReply reaped{};
        ASSERT_EQ(wait(init.main_thread, child.pid, 0, &reaped), ipc::Error::ok);
    }
    SpawnReply last = forked(init.main_thread);
    // The guarantee holds even for a full queue: the subscriber will be told it lost events.
    ASSERT_EQ(held_at_run[last.main_thread].size(), 1u);
    EXPECT_TRUE(held_at_run[last.main_thread][0]);
    EXPECT_EQ(service.events().queued(kServerThread), kEventQueueDepth);
    EventNextReply reply{};
    ASSERT_EQ(next(kServerThread, 0, &reply), ipc::Error::ok);
    EXPECT_EQ(reply.lost, 1u);
    EXPECT_EQ(reply.count, kEventsPerReply);
    EXPECT_EQ(reply.pending, kEventQueueDepth - kEventsPerReply);
    ASSERT_EQ(next(kServerThread, 0, &reply), ipc::Error::ok);
    EXPECT_EQ(reply.lost, 0u) << "reported once";
    // The resync: the list has what exists now.
    ListReply list{};
    ASSERT_EQ(service.list(kServerThread, ListRequest{kNoProcess}, list), ipc::Error::ok);
    ASSERT_EQ(list.count, 2u);
    EXPECT_EQ(list.entries[0].pid, init.pid);
    EXPECT_EQ(list.entries[1].pid, last.pid);
    EXPECT_EQ(list.entries[1].parent, init.pid);
    EXPECT_EQ(list.next, kNoProcess);
}

TEST_F(EventStreamTest, SubscribersAreLimitedAndDeadOnesMakeRoom) {
    std::vector<axo_thread_id_t> threads;
    for (uint32_t i = 0; i < kMaxSubscribers; ++i) {
        threads.push_back(axo_thread_id(800 + i, 1));
        ASSERT_EQ(subscribe(threads.back()), ipc::Error::ok);
    }
    EXPECT_EQ(subscribe(kServerThread), ipc::Error::no_space);
    dead.insert(threads[3]);
    EXPECT_EQ(subscribe(kServerThread), ipc::Error::ok);
    EXPECT_EQ(service.events().subscribers(), kMaxSubscribers);
    EXPECT_EQ(next(threads[3], kEventNoHang, nullptr), ipc::Error::not_found);
    EXPECT_EQ(next(kServerThread, 2, nullptr), ipc::Error::invalid_argument);
    EXPECT_EQ(next(kOtherServer, 0, nullptr), ipc::Error::not_found);
}

TEST_F(EventStreamTest, ASubscriptionEndsWithItsProcess) {
    SpawnReply server = spawned(kProcThread);
    ASSERT_EQ(subscribe(server.main_thread), ipc::Error::ok);
    EXPECT_EQ(service.events().subscribers(), 1u);
    EXPECT_TRUE(service.end_thread(server.main_thread, kExitNormal, 0));
    EXPECT_EQ(service.events().subscribers(), 0u);
}

TEST_F(EventStreamTest, AProcessThatCannotRunIsReportedEnded) {
    ASSERT_EQ(subscribe(kServerThread), ipc::Error::ok);
    fail_run = ipc::Error::invalid_argument;
    SpawnRequest request{};
    (void)request.image.set("app");
    SpawnReply reply{};
    EXPECT_EQ(service.spawn(kProcThread, request, reply), ipc::Error::invalid_argument);
    EXPECT_EQ(service.table().count(), 0u);
    EXPECT_TRUE(alive.empty());
    EventNextReply events{};
    ASSERT_EQ(next(kServerThread, 0, &events), ipc::Error::ok);
    ASSERT_EQ(events.count, 3u);
    EXPECT_EQ(events.events[2].kind, kEventExit);
}

} // namespace
} // namespace proc
