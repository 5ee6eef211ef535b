// The RPC framework's marshalling (lib/ipc/message.h): layouts as words, exact shape checks on
// requests and replies, wire strings, and how IPC errors read to a client.
#include <cstring>

#include <gtest/gtest.h>

#include "interfaces/labels.h"
#include "lib/ipc/error.h"
#include "lib/ipc/message.h"

namespace {

struct Pair {
    uint32_t a, b;
};
struct Bytes {
    char text[12];
};
struct Reply3 {
    uint32_t x, y, z;
};
struct PairRequest {
    static constexpr uint32_t kLabel = AXO_LABELS_TEST_FIRST + 0x42;
    using Reply = Reply3;
    uint32_t a, b;
};

// What may and may not travel as words, decided at compile time.
static_assert(ipc::WireLayout<Pair>);
static_assert(ipc::WireLayout<Bytes>);
static_assert(ipc::WireLayout<ipc::Empty>);
static_assert(ipc::wire_words<Pair> == 2);
static_assert(ipc::wire_words<Bytes> == 3);
static_assert(ipc::wire_words<ipc::Empty> == 0);
static_assert(!ipc::WireLayout<char[3]>); // not a whole number of words
struct Odd {
    char c[5];
};
static_assert(!ipc::WireLayout<Odd>);
struct Wide {
    uint64_t big; // 8-byte alignment: a word array cannot promise it
};
static_assert(!ipc::WireLayout<Wide>);
struct TooLong {
    uint32_t words[64];
};
static_assert(!ipc::WireLayout<TooLong>);
struct Owning {
    Owning(const Owning&) {} // not trivially copyable: it could not be memcpy'd
    uint32_t a;
};
static_assert(!ipc::WireLayout<Owning>);
static_assert(ipc::Request<PairRequest>);
static_assert(!ipc::Request<Pair>); // no label, no reply
struct KernelLabel {
    static constexpr uint32_t kLabel = AXO_LABEL_PAGE_FAULT;
    using Reply = ipc::Empty;
};
static_assert(!ipc::Request<KernelLabel>); // the kernel's labels name no operation

class MessageTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (uint32_t& r : mr)
            r = 0xDEADBEEFu;
    }
    uint32_t mr[AXO_MR_COUNT];
    ipc::Message message{mr};
};

TEST_F(MessageTest, PutWritesWordsAndTag) {
    ipc::put(message, 0x123, Pair{7, 9});
    EXPECT_EQ(message.label(), 0x123u);
    EXPECT_EQ(message.untyped(), 2u);
    EXPECT_EQ(message.typed(), 0u);
    EXPECT_FALSE(message.failed());
    EXPECT_EQ(mr[1], 7u);
    EXPECT_EQ(mr[2], 9u);
    EXPECT_EQ(mr[3], 0xDEADBEEFu); // nothing past the layout
}

TEST_F(MessageTest, PutEmptyWritesOnlyTheTag) {
    ipc::put(message, 5, ipc::Empty{});
    EXPECT_EQ(message.tag(), axo_msg_tag(5, 0, 0));
    EXPECT_EQ(mr[1], 0xDEADBEEFu);
}

TEST_F(MessageTest, RoundTrip) {
    Bytes in{};
    std::strcpy(in.text, "hello world");
    ipc::put(message, 1, in);
    Bytes out{};
    ASSERT_EQ(ipc::get(message, out), ipc::Error::ok);
    EXPECT_STREQ(out.text, "hello world");
}

TEST_F(MessageTest, GetRefusesEveryOtherWordCount) {
    for (uint32_t count = 0; count <= ipc::kMaxWords; ++count) {
        if (count == 2) continue;
        message.set_tag(1, count);
        Pair out{1, 2};
        EXPECT_EQ(ipc::get(message, out), ipc::Error::bad_message) << count << " words";
        EXPECT_EQ(out.a, 1u); // untouched
        EXPECT_EQ(out.b, 2u);
    }
    message.set_tag(1, 2);
    Pair out{};
    EXPECT_EQ(ipc::get(message, out), ipc::Error::ok);
}

TEST_F(MessageTest, GetRefusesTypedItems) {
    message.set_tag(1, 2, 2);
    Pair out{};
    EXPECT_EQ(ipc::get(message, out), ipc::Error::bad_message);
}

TEST_F(MessageTest, GetEmptyNeedsZeroWords) {
    ipc::Empty out;
    message.set_tag(1, 0);
    EXPECT_EQ(ipc::get(message, out), ipc::Error::ok);
    message.set_tag(1, 1);
    EXPECT_EQ(ipc::get(message, out), ipc::Error::bad_message);
}

TEST_F(MessageTest, ReplyOk) {
    ipc::put_reply(message, Reply3{1, 2, 3});
    EXPECT_EQ(message.label(), 0u);
    Reply3 out{};
    ASSERT_EQ(ipc::get_reply(message, out), ipc::Error::ok);
    EXPECT_EQ(out.z, 3u);
}

TEST_F(MessageTest, ErrorReplyHasNoWords) {
    ipc::put_error(message, ipc::Error::no_permission);
    EXPECT_EQ(message.label(), static_cast<uint32_t>(ipc::Error::no_permission));
    EXPECT_EQ(message.untyped(), 0u);
    Reply3 out{9, 9, 9};
    EXPECT_EQ(ipc::get_reply(message, out), ipc::Error::no_permission);
    EXPECT_EQ(out.x, 9u); // untouched
}

TEST_F(MessageTest, ReplyOfTheWrongShapeIsBadMessage) {
    ipc::put_reply(message, Pair{1, 2}); // a server of another protocol
    Reply3 out{};
    EXPECT_EQ(ipc::get_reply(message, out), ipc::Error::bad_message);
    // An error label with words is no reply of ours either.
    message.set_tag(static_cast<uint32_t>(ipc::Error::busy), 1);
    EXPECT_EQ(ipc::get_reply(message, out), ipc::Error::bad_message);
}

TEST_F(MessageTest, AServerCannotClaimATransportError) {
    // "server gone" from a live server would make clients re-look-up and retry for nothing.
    for (ipc::Error e : {ipc::Error::server_gone, ipc::Error::timed_out, ipc::Error::ipc_failed}) {
        ipc::put_error(message, e);
        Reply3 out{};
        EXPECT_EQ(ipc::get_reply(message, out), ipc::Error::bad_message) << ipc::error_name(e);
    }
}

TEST_F(MessageTest, UnknownErrorCodesPassThrough) {
    // A newer server's code: still an error, never ok.
    message.set_tag(77, 0);
    Reply3 out{};
    ipc::Error error = ipc::get_reply(message, out);
    EXPECT_NE(error, ipc::Error::ok);
    EXPECT_EQ(static_cast<uint32_t>(error), 77u);
    EXPECT_STREQ(ipc::error_name(error), "unknown error");
}

TEST(IpcErrors, TransportErrorsFromTheErrorWord) {
    auto word = [](uint32_t code, bool receive) { return (code << 1) | (receive ? 1u : 0u); };
    EXPECT_EQ(ipc::transport_error(word(AXO_IPC_NO_PARTNER, false)), ipc::Error::server_gone);
    EXPECT_EQ(ipc::transport_error(word(AXO_IPC_NO_PARTNER, true)), ipc::Error::server_gone);
    EXPECT_EQ(ipc::transport_error(word(AXO_IPC_TIMEOUT, false)), ipc::Error::timed_out);
    EXPECT_EQ(ipc::transport_error(word(AXO_IPC_TIMEOUT, true)), ipc::Error::timed_out);
    EXPECT_EQ(ipc::transport_error(word(AXO_IPC_CANCELLED, true)), ipc::Error::ipc_failed);
    EXPECT_EQ(ipc::transport_error(word(AXO_IPC_ABORTED, true)), ipc::Error::ipc_failed);
    EXPECT_EQ(ipc::transport_error(word(AXO_IPC_OVERFLOW, false)), ipc::Error::ipc_failed);
    EXPECT_EQ(ipc::transport_error(word(AXO_IPC_INVALID, false)), ipc::Error::ipc_failed);
    // The kernel could not map what the message carried: the receiver has nothing, as if the
    // server had answered no_memory.
    EXPECT_EQ(ipc::transport_error(word(AXO_IPC_NO_MEMORY, true)), ipc::Error::no_memory);
    EXPECT_EQ(ipc::transport_error(word(AXO_IPC_NO_MEMORY, false)), ipc::Error::no_memory);
}

TEST(IpcErrors, EveryCodeHasAName) {
    for (uint32_t code = 0; code <= AXO_RPC_ENFILE; ++code)
        EXPECT_STRNE(ipc::error_name(static_cast<ipc::Error>(code)), "unknown error") << code;
    EXPECT_TRUE(ipc::is_transport_error(ipc::Error::server_gone));
    EXPECT_FALSE(ipc::is_transport_error(ipc::Error::no_space));
    // The C names are the same numbers.
    EXPECT_EQ(static_cast<uint32_t>(ipc::Error::bad_message), uint32_t{AXO_RPC_EBADMSG});
    EXPECT_EQ(static_cast<uint32_t>(ipc::Error::server_gone), uint32_t{AXO_RPC_EGONE});
}

TEST(WireString, SetZeroFillsAndTerminates) {
    ipc::WireString<8> s;
    std::memset(s.bytes, 'x', sizeof s.bytes);
    ASSERT_TRUE(s.set("abc"));
    EXPECT_STREQ(s.c_str(), "abc");
    for (uint32_t i = 3; i < 8; ++i)
        EXPECT_EQ(s.bytes[i], '\0') << i; // no stale bytes travel
    EXPECT_TRUE(s.terminated());
    EXPECT_EQ(s.length(), 3u);
    EXPECT_TRUE(s.equals("abc"));
    EXPECT_FALSE(s.equals("abcd"));
    EXPECT_FALSE(s.equals("ab"));
}

TEST(WireString, CapacityIsOneLessThanTheField) {
    ipc::WireString<8> s;
    EXPECT_TRUE(s.set("1234567"));
    EXPECT_EQ(s.length(), 7u);
    EXPECT_FALSE(s.set("12345678"));
    EXPECT_EQ(s.length(), 0u); // left empty, not truncated
    EXPECT_TRUE(s.set(""));
}

TEST(WireString, UnterminatedIsDetected) {
    ipc::WireString<8> s;
    std::memset(s.bytes, 'x', sizeof s.bytes);
    EXPECT_FALSE(s.terminated());
    EXPECT_FALSE(s.equals("xxxxxxxx")); // never reads past the field
}

} // namespace
