// The RPC framework's server side (lib/ipc/dispatcher.h) and its client call (client.h),
// joined by the fake kernel: routing by label, shape checks before any handler runs, error
// replies, the statistics, and what a client sees of each.
#include <gtest/gtest.h>

#include "ipc_fake_kernel.h"
#include "lib/ipc/client.h"
#include "lib/ipc/dispatcher.h"

namespace {

constexpr axo_thread_id_t kServer = axo_thread_id(100, 1);
constexpr axo_thread_id_t kClient = axo_thread_id(101, 1);

// A little protocol: add two numbers; remember a word; always fail.
struct SumReply {
    uint32_t sum;
    axo_thread_id_t caller; // who the server believes called
};
struct SumRequest {
    static constexpr uint32_t kLabel = AXO_LABELS_TEST_FIRST + 0x10;
    using Reply = SumReply;
    uint32_t a, b;
};
struct StoreRequest {
    static constexpr uint32_t kLabel = AXO_LABELS_TEST_FIRST + 0x11;
    using Reply = ipc::Empty;
    uint32_t value;
};
struct FailRequest {
    static constexpr uint32_t kLabel = AXO_LABELS_TEST_FIRST + 0x12;
    using Reply = ipc::Empty;
};
struct WrongServerRequest { // another interface's operation, sent here by mistake
    static constexpr uint32_t kLabel = AXO_LABELS_PCI_FIRST;
    using Reply = SumReply;
    uint32_t a, b;
};
struct LaterRequest { // declared, not implemented
    static constexpr uint32_t kLabel = AXO_LABELS_TEST_FIRST + 0x13;
    using Reply = SumReply;
    uint32_t x;
};

struct Calculator {
    uint32_t stored = 0;
    uint32_t handler_runs = 0;

    // A member-function handler.
    ipc::Error store(axo_thread_id_t, const StoreRequest& request, ipc::Empty&) {
        ++handler_runs;
        stored = request.value;
        return ipc::Error::ok;
    }
};

ipc::Error sum(Calculator& calc, axo_thread_id_t from, const SumRequest& request, SumReply& reply) {
    ++calc.handler_runs;
    reply.sum = request.a + request.b;
    reply.caller = from;
    return ipc::Error::ok;
}

ipc::Error fail(Calculator& calc, axo_thread_id_t, const FailRequest&, ipc::Empty&) {
    ++calc.handler_runs;
    return ipc::Error::busy;
}

constexpr ipc::Route<Calculator> kRoutes[] = {
    ipc::route<&sum>(),
    ipc::route<&Calculator::store>(),
    ipc::route<&fail>(),
    ipc::unsupported<Calculator, LaterRequest>(),
};
static_assert(ipc::labels_unique(kRoutes));
constexpr ipc::Route<Calculator> kDuplicate[] = {ipc::route<&sum>(), ipc::route<&sum>()};
static_assert(!ipc::labels_unique(kDuplicate));

class DispatcherTest : public ::testing::Test {
protected:
    DispatcherTest() { kernel.add_dispatcher(kServer, dispatcher); }

    // A hand-made request: label and words, as a broken or hostile client sends it.
    uint32_t raw(uint32_t label, uint32_t count, uint32_t typed = 0) {
        uint32_t* mr = client.registers();
        for (uint32_t i = 1; i <= count + typed; ++i)
            mr[i] = i;
        mr[0] = axo_msg_tag(label, count, typed);
        return client.call(kServer, 0);
    }
    ipc::Message reply() { return client.message(); }

    Calculator calc;
    ipc::Dispatcher<Calculator> dispatcher{calc, kRoutes};
    fake::Kernel kernel;
    fake::Transport client{kernel, kClient};
};

TEST_F(DispatcherTest, TypedCallReachesItsHandler) {
    SumReply out{};
    ASSERT_EQ(ipc::call(client, kServer, SumRequest{40, 2}, out), ipc::Error::ok);
    EXPECT_EQ(out.sum, 42u);
    EXPECT_EQ(out.caller, kClient); // the kernel's sender, handed to the handler
    EXPECT_EQ(dispatcher.stats().messages, 1u);
    EXPECT_EQ(dispatcher.stats().errors, 0u);
}

TEST_F(DispatcherTest, MemberHandler) {
    ipc::Empty out;
    ASSERT_EQ(ipc::call(client, kServer, StoreRequest{77}, out), ipc::Error::ok);
    EXPECT_EQ(calc.stored, 77u);
}

TEST_F(DispatcherTest, HandlerErrorBecomesAnErrorReply) {
    ipc::Empty out;
    EXPECT_EQ(ipc::call(client, kServer, FailRequest{}, out), ipc::Error::busy);
    EXPECT_EQ(reply().untyped(), 0u);
    EXPECT_EQ(dispatcher.stats().errors, 1u);
    EXPECT_EQ(dispatcher.stats().bad_messages, 0u);
}

TEST_F(DispatcherTest, UnknownLabelOfAServedInterfaceIsBadOperation) {
    ASSERT_EQ(raw(AXO_LABELS_TEST_FIRST + 0x99, 3), 0u);
    EXPECT_EQ(reply().label(), static_cast<uint32_t>(ipc::Error::bad_operation));
    EXPECT_EQ(reply().untyped(), 0u);
    EXPECT_EQ(dispatcher.stats().bad_operations, 1u);
    EXPECT_EQ(dispatcher.stats().wrong_interfaces, 0u);
    EXPECT_EQ(dispatcher.stats().errors, 1u);
    EXPECT_EQ(calc.handler_runs, 0u);
}

TEST_F(DispatcherTest, LabelOfAnotherInterfaceIsWrongInterface) {
    // The first label of the pci interface, with the word count of this server's SumRequest:
    // never taken for one of this server's operations, whatever its shape.
    for (uint32_t label : {uint32_t{AXO_LABELS_PCI_FIRST}, uint32_t{AXO_LABELS_BLOCK_FIRST},
                           uint32_t{AXO_LABELS_MM_FIRST}, uint32_t{0x0001}, uint32_t{0xFF00}}) {
        ASSERT_EQ(raw(label, 2), 0u);
        EXPECT_EQ(reply().label(), static_cast<uint32_t>(ipc::Error::wrong_interface)) << label;
        EXPECT_EQ(reply().untyped(), 0u);
    }
    EXPECT_EQ(dispatcher.stats().wrong_interfaces, 5u);
    EXPECT_EQ(dispatcher.stats().bad_operations, 0u);
    EXPECT_EQ(dispatcher.stats().errors, 5u);
    EXPECT_EQ(calc.handler_runs, 0u);
    // What a client stub sees of it.
    SumReply out{};
    EXPECT_EQ(ipc::call(client, kServer, WrongServerRequest{1, 2}, out),
              ipc::Error::wrong_interface);
}

TEST_F(DispatcherTest, WrongWordCountNeverReachesTheHandler) {
    for (uint32_t count : {0u, 1u, 3u, 4u, ipc::kMaxWords}) {
        ASSERT_EQ(raw(SumRequest::kLabel, count), 0u);
        EXPECT_EQ(reply().label(), static_cast<uint32_t>(ipc::Error::bad_message)) << count;
        EXPECT_EQ(reply().untyped(), 0u);
    }
    EXPECT_EQ(calc.handler_runs, 0u);
    EXPECT_EQ(dispatcher.stats().bad_messages, 5u);
    // And the server goes on serving.
    SumReply out{};
    EXPECT_EQ(ipc::call(client, kServer, SumRequest{1, 1}, out), ipc::Error::ok);
    EXPECT_EQ(out.sum, 2u);
}

TEST_F(DispatcherTest, TypedItemsAreRefused) {
    ASSERT_EQ(raw(SumRequest::kLabel, 2, 2), 0u);
    EXPECT_EQ(reply().label(), static_cast<uint32_t>(ipc::Error::bad_message));
    EXPECT_EQ(calc.handler_runs, 0u);
}

TEST_F(DispatcherTest, EmptyRequestMustBeEmpty) {
    ASSERT_EQ(raw(FailRequest::kLabel, 1), 0u);
    EXPECT_EQ(reply().label(), static_cast<uint32_t>(ipc::Error::bad_message));
    EXPECT_EQ(calc.handler_runs, 0u);
}

TEST_F(DispatcherTest, UnsupportedChecksTheShapeFirst) {
    SumReply out{};
    EXPECT_EQ(ipc::call(client, kServer, LaterRequest{1}, out), ipc::Error::unsupported);
    ASSERT_EQ(raw(LaterRequest::kLabel, 2), 0u);
    EXPECT_EQ(reply().label(), static_cast<uint32_t>(ipc::Error::bad_message));
}

TEST_F(DispatcherTest, KernelProtocolLabelsAreDroppedNotAnswered) {
    // An error reply to a page fault would only fault again; the sender is left waiting.
    for (uint32_t label : {uint32_t{AXO_LABEL_PAGE_FAULT | 6}, uint32_t{AXO_LABEL_EXCEPTION},
                           uint32_t{AXO_LABEL_INTERRUPT}}) {
        uint32_t word = raw(label, 2);
        EXPECT_EQ(axo_ipc_error_code(word), uint32_t{AXO_IPC_TIMEOUT}) << label;
        EXPECT_TRUE(axo_ipc_error_in_receive(word));
    }
    EXPECT_EQ(dispatcher.stats().kernel_messages, 3u);
    EXPECT_EQ(dispatcher.stats().bad_operations, 0u);
}

TEST_F(DispatcherTest, DispatchInPlace) {
    // Without the fake kernel: the reply overwrites the request in the same registers.
    uint32_t mr[AXO_MR_COUNT] = {};
    ipc::Message message(mr);
    ipc::put(message, SumRequest::kLabel, SumRequest{3, 4});
    EXPECT_EQ(dispatcher.dispatch(kClient, message), ipc::Outcome::reply);
    EXPECT_EQ(message.label(), 0u);
    EXPECT_EQ(message.untyped(), 2u);
    EXPECT_EQ(mr[1], 7u);
    EXPECT_EQ(mr[2], kClient);
}

TEST_F(DispatcherTest, ServeLoopCounters) {
    dispatcher.note_failed_reply();
    dispatcher.note_failed_receive();
    EXPECT_EQ(dispatcher.stats().failed_replies, 1u);
    EXPECT_EQ(dispatcher.stats().failed_receives, 1u);
}

// ---- The client's view of transport failures --------------------------------------------------

TEST_F(DispatcherTest, ServerThatDoesNotExistIsGone) {
    SumReply out{123, 0};
    EXPECT_EQ(ipc::call(client, axo_thread_id(555, 1), SumRequest{1, 2}, out),
              ipc::Error::server_gone);
    EXPECT_EQ(out.sum, 123u); // untouched
}

TEST_F(DispatcherTest, ServerDyingIsGone) {
    kernel.kill(kServer);
    SumReply out{};
    EXPECT_EQ(ipc::call(client, kServer, SumRequest{1, 2}, out), ipc::Error::server_gone);
}

TEST_F(DispatcherTest, TimeoutAndOtherFailures) {
    SumReply out{};
    client.fail_next = fake::ipc_error_word(AXO_IPC_TIMEOUT, false);
    EXPECT_EQ(ipc::call(client, kServer, SumRequest{1, 2}, out), ipc::Error::timed_out);
    client.fail_next = fake::ipc_error_word(AXO_IPC_CANCELLED, true);
    EXPECT_EQ(ipc::call(client, kServer, SumRequest{1, 2}, out), ipc::Error::ipc_failed);
    client.fail_next = fake::ipc_error_word(AXO_IPC_NO_PARTNER, true);
    EXPECT_EQ(ipc::call(client, kServer, SumRequest{1, 2}, out), ipc::Error::server_gone);
}

TEST_F(DispatcherTest, TimeoutBoundsBothPhases) {
    SumReply out{};
    axo_timeout_t t = axo_timeout_us(5000);
    ASSERT_EQ(ipc::call(client, kServer, SumRequest{1, 2}, out, t), ipc::Error::ok);
    EXPECT_EQ(client.last_timeouts, axo_timeouts(t, t));
    ASSERT_EQ(ipc::call(client, kServer, SumRequest{1, 2}, out), ipc::Error::ok);
    EXPECT_EQ(client.last_timeouts, axo_timeouts(AXO_TIMEOUT_NEVER, AXO_TIMEOUT_NEVER));
}

TEST_F(DispatcherTest, ReplyFromAnotherProtocolIsBadMessage) {
    // A "server" that answers ok with one word: not a SumReply.
    constexpr axo_thread_id_t kImpostor = axo_thread_id(200, 1);
    kernel.add_server(kImpostor, [](axo_thread_id_t, ipc::Message& m) {
        m.set_word(0, 1);
        m.set_tag(0, 1);
        return ipc::Outcome::reply;
    });
    SumReply out{};
    EXPECT_EQ(ipc::call(client, kImpostor, SumRequest{1, 2}, out), ipc::Error::bad_message);
}

} // namespace
