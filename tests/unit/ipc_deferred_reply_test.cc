// The dispatcher's deferred replies and kernel-protocol handler (lib/ipc/dispatcher.h): a
// handler that returns ipc::kNoReply leaves its client waiting; a server with a kernel handler
// sees page faults and exceptions raw, and may answer them.
#include <gtest/gtest.h>

#include "ipc_fake_kernel.h"
#include "lib/ipc/client.h"
#include "lib/ipc/dispatcher.h"

namespace {

constexpr axo_thread_id_t kServer = axo_thread_id(100, 1);
constexpr axo_thread_id_t kClient = axo_thread_id(101, 1);

struct TakeReply {
    uint32_t value;
};
struct TakeRequest { // answered later, when something is there
    static constexpr uint32_t kLabel = AXO_LABELS_TEST_FIRST + 0x20;
    using Reply = TakeReply;
};

struct Queue {
    axo_thread_id_t waiting = AXO_NIL_THREAD;
    uint32_t kernel_calls = 0;
    axo_thread_id_t kernel_from = AXO_NIL_THREAD;
};

ipc::Error take(Queue& queue, axo_thread_id_t from, const TakeRequest&, TakeReply& reply) {
    if (queue.waiting != AXO_NIL_THREAD) return ipc::Error::busy;
    queue.waiting = from;
    reply.value = 0xBAD; // must not be sent
    return ipc::kNoReply;
}

// Answers page faults with a made-up map item, drops everything else.
ipc::Outcome on_kernel(Queue& queue, axo_thread_id_t from, ipc::Message& message) {
    ++queue.kernel_calls;
    queue.kernel_from = from;
    if ((message.label() & ~7u) != AXO_LABEL_PAGE_FAULT) return ipc::Outcome::no_reply;
    message.set_tag(0, 0, 2);
    message.set_word(0, axo_map_item_word0(message.word(0), 0));
    message.set_word(1, axo_fpage(0x10000, 12, AXO_FPAGE_RWX));
    return ipc::Outcome::reply;
}

constexpr ipc::Route<Queue> kRoutes[] = {ipc::route<&take>()};

TEST(DeferredReply, TheClientWaitsAndNothingIsSent) {
    Queue queue;
    ipc::Dispatcher<Queue> dispatcher(queue, kRoutes);
    fake::Kernel kernel;
    kernel.add_dispatcher(kServer, dispatcher);
    fake::Transport client(kernel, kClient);
    TakeReply reply{7};
    // The fake kernel reports a server that does not answer as a receive timeout.
    EXPECT_EQ(ipc::call(client, kServer, TakeRequest{}, reply), ipc::Error::timed_out);
    EXPECT_EQ(reply.value, 7u);
    EXPECT_EQ(queue.waiting, kClient);
    EXPECT_EQ(dispatcher.stats().deferred, 1u);
    EXPECT_EQ(dispatcher.stats().errors, 0u);
    // A second one is an ordinary error reply.
    EXPECT_EQ(ipc::call(client, kServer, TakeRequest{}, reply), ipc::Error::busy);
    EXPECT_EQ(dispatcher.stats().deferred, 1u);
}

TEST(DeferredReply, NoReplyIsNoWireCode) {
    EXPECT_GT(static_cast<uint32_t>(ipc::kNoReply), 0xFFFFu);
    EXPECT_FALSE(ipc::is_transport_error(ipc::Error::ok));
}

TEST(DeferredReply, TheDeferredReplyHasTheReplyShape) {
    // What ipc::send_reply puts in the registers before its send.
    uint32_t mr[AXO_MR_COUNT] = {};
    ipc::Message message(mr);
    ipc::put_reply(message, TakeReply{42});
    TakeReply got{};
    EXPECT_EQ(ipc::get_reply(message, got), ipc::Error::ok);
    EXPECT_EQ(got.value, 42u);
    ipc::put_error(message, ipc::Error::not_found);
    EXPECT_EQ(ipc::get_reply(message, got), ipc::Error::not_found);
}

TEST(KernelHandler, SeesKernelLabelsRawAndMayAnswer) {
    Queue queue;
    ipc::Dispatcher<Queue> dispatcher(queue, kRoutes, &on_kernel);
    uint32_t mr[AXO_MR_COUNT] = {};
    ipc::Message message(mr);
    message.set_tag(AXO_LABEL_PAGE_FAULT | AXO_FPAGE_W, 2);
    message.set_word(0, 0x401234);
    message.set_word(1, 0x400100);
    EXPECT_EQ(dispatcher.dispatch(kClient, message), ipc::Outcome::reply);
    EXPECT_EQ(queue.kernel_from, kClient);
    EXPECT_EQ(message.typed(), 2u);
    EXPECT_EQ(message.word(0), axo_map_item_word0(0x401234, 0));

    message.set_tag(AXO_LABEL_EXCEPTION, AXO_EXC_WORDS);
    EXPECT_EQ(dispatcher.dispatch(kClient, message), ipc::Outcome::no_reply);
    EXPECT_EQ(queue.kernel_calls, 2u);
    EXPECT_EQ(dispatcher.stats().kernel_messages, 2u);
    EXPECT_EQ(dispatcher.stats().bad_operations, 0u);

    // Ordinary labels still go to the routes, never to the kernel handler.
    message.set_tag(AXO_LABELS_TEST_FIRST + 0x77, 0);
    EXPECT_EQ(dispatcher.dispatch(kClient, message), ipc::Outcome::reply);
    EXPECT_EQ(message.label(), static_cast<uint32_t>(ipc::Error::bad_operation));
    EXPECT_EQ(queue.kernel_calls, 2u);
}

} // namespace
