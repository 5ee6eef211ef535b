// lib/driver/stream_readers.h: the deferred reads the serial and the VGA console driver share —
// argument checks, immediate answers, deferral in order, a thread's new read replacing its old
// one, the kMax bound, and bytes that leave the ring only when a deferred reply got through.
#include <gtest/gtest.h>

#include <vector>

#include "lib/driver/stream_readers.h"

namespace driver {
namespace {

struct TestReply {
    uint32_t count;
    uint8_t bytes[16];
};
struct TestRequest {
    using Reply = TestReply;
    uint32_t max;
    uint32_t options;
};
constexpr uint32_t kWait = 1;
using Readers = StreamReaders<TestRequest, kWait, 3>;

struct Sent {
    axo_thread_id_t thread;
    std::vector<uint8_t> bytes;
};

// Records each reply; replies to threads in `gone` do not get through.
struct Sender {
    std::vector<Sent>* sent;
    std::vector<axo_thread_id_t> gone;
    bool operator()(axo_thread_id_t thread, const TestReply& reply) const {
        for (axo_thread_id_t g : gone)
            if (g == thread) return false;
        sent->push_back({thread, std::vector<uint8_t>(reply.bytes, reply.bytes + reply.count)});
        return true;
    }
};

void fill(Ring<64>& ring, uint8_t first, uint32_t count) {
    for (uint32_t i = 0; i < count; ++i)
        ring.put(static_cast<uint8_t>(first + i));
}

TEST(DriverStreamReaders, RejectsBadArguments) {
    Readers readers;
    Ring<64> ring;
    TestReply reply{};
    EXPECT_EQ(readers.read(ring, 1, TestRequest{0, 0}, reply), ipc::Error::invalid_argument);
    EXPECT_EQ(readers.read(ring, 1, TestRequest{17, 0}, reply), ipc::Error::invalid_argument);
    EXPECT_EQ(readers.read(ring, 1, TestRequest{4, 2}, reply), ipc::Error::invalid_argument);
    EXPECT_EQ(readers.read(ring, 1, TestRequest{16, kWait}, reply), ipc::kNoReply);
    EXPECT_EQ(readers.count(), 1u);
}

TEST(DriverStreamReaders, AnswersAtOnceWithBytesOrWithoutWait) {
    Readers readers;
    Ring<64> ring;
    TestReply reply{};
    EXPECT_EQ(readers.read(ring, 1, TestRequest{4, 0}, reply), ipc::Error::ok);
    EXPECT_EQ(reply.count, 0u);
    fill(ring, 10, 6);
    EXPECT_EQ(readers.read(ring, 1, TestRequest{4, kWait}, reply), ipc::Error::ok);
    ASSERT_EQ(reply.count, 4u);
    EXPECT_EQ(reply.bytes[0], 10);
    EXPECT_EQ(reply.bytes[3], 13);
    EXPECT_EQ(ring.size(), 2u); // an immediate answer takes its bytes
    EXPECT_EQ(readers.count(), 0u);
}

TEST(DriverStreamReaders, DefersInOrderAndAnswersWhenBytesArrive) {
    Readers readers;
    Ring<64> ring;
    TestReply reply{};
    std::vector<Sent> sent;
    EXPECT_EQ(readers.read(ring, 1, TestRequest{2, kWait}, reply), ipc::kNoReply);
    EXPECT_EQ(readers.read(ring, 2, TestRequest{8, kWait}, reply), ipc::kNoReply);
    readers.answer(ring, Sender{&sent, {}}); // nothing there: nobody answered
    EXPECT_TRUE(sent.empty());
    fill(ring, 1, 5);
    readers.answer(ring, Sender{&sent, {}});
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].thread, 1u);
    EXPECT_EQ(sent[0].bytes, (std::vector<uint8_t>{1, 2}));
    EXPECT_EQ(sent[1].thread, 2u);
    EXPECT_EQ(sent[1].bytes, (std::vector<uint8_t>{3, 4, 5}));
    EXPECT_TRUE(ring.empty());
    EXPECT_EQ(readers.count(), 0u);
}

TEST(DriverStreamReaders, ANewReadReplacesTheThreadsOldOne) {
    Readers readers;
    Ring<64> ring;
    TestReply reply{};
    std::vector<Sent> sent;
    EXPECT_EQ(readers.read(ring, 1, TestRequest{2, kWait}, reply), ipc::kNoReply);
    EXPECT_EQ(readers.read(ring, 2, TestRequest{2, kWait}, reply), ipc::kNoReply);
    EXPECT_EQ(readers.read(ring, 1, TestRequest{3, kWait}, reply), ipc::kNoReply);
    EXPECT_EQ(readers.count(), 2u);
    fill(ring, 1, 8);
    readers.answer(ring, Sender{&sent, {}});
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].thread, 2u); // thread 1 queued again behind 2
    EXPECT_EQ(sent[1].thread, 1u);
    EXPECT_EQ(sent[1].bytes.size(), 3u);
    // A thread that calls again without waiting gives up its deferred read too.
    EXPECT_EQ(readers.read(ring, 3, TestRequest{2, kWait}, reply), ipc::Error::ok);
    EXPECT_EQ(readers.read(ring, 4, TestRequest{2, 0}, reply), ipc::Error::ok);
    EXPECT_TRUE(ring.empty());
    EXPECT_EQ(readers.read(ring, 4, TestRequest{2, kWait}, reply), ipc::kNoReply);
    EXPECT_EQ(readers.read(ring, 4, TestRequest{2, 0}, reply), ipc::Error::ok);
    EXPECT_EQ(readers.count(), 0u);
}

TEST(DriverStreamReaders, BoundedQueue) {
    Readers readers;
    Ring<64> ring;
    TestReply reply{};
    for (axo_thread_id_t t = 1; t <= 3; ++t)
        EXPECT_EQ(readers.read(ring, t, TestRequest{1, kWait}, reply), ipc::kNoReply);
    EXPECT_EQ(readers.read(ring, 4, TestRequest{1, kWait}, reply), ipc::Error::busy);
    EXPECT_EQ(readers.read(ring, 2, TestRequest{1, kWait}, reply), ipc::kNoReply); // replaces
    EXPECT_EQ(readers.count(), 3u);
}

TEST(DriverStreamReaders, BytesStayWhenAReaderIsGone) {
    Readers readers;
    Ring<64> ring;
    TestReply reply{};
    std::vector<Sent> sent;
    EXPECT_EQ(readers.read(ring, 1, TestRequest{4, kWait}, reply), ipc::kNoReply);
    EXPECT_EQ(readers.read(ring, 2, TestRequest{4, kWait}, reply), ipc::kNoReply);
    fill(ring, 7, 3);
    readers.answer(ring, Sender{&sent, {1}}); // thread 1 gave up: its place goes, not the bytes
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].thread, 2u);
    EXPECT_EQ(sent[0].bytes, (std::vector<uint8_t>{7, 8, 9}));
    EXPECT_EQ(readers.count(), 0u);
    EXPECT_TRUE(ring.empty());
}

} // namespace
} // namespace driver
