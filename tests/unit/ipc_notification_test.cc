#include <gtest/gtest.h>

#include <vector>

#include "lib/ipc/notification.h"

namespace {

constexpr axo_thread_id_t kServer = axo_thread_id(40, 1);

TEST(IpcArrival, TheKernelsNotificationMessageIsANotification) {
    uint32_t mr[3] = {axo_msg_tag(AXO_LABEL_NOTIFY, 2, 0), 0x50, AXO_NOTIFY_IN_RECEIVE};
    ipc::Arrival a = ipc::classify_arrival(AXO_NIL_THREAD, mr, 0);
    EXPECT_EQ(a.kind, ipc::Arrival::Kind::notification);
    EXPECT_EQ(a.bits, 0x50u);
    EXPECT_TRUE(a.after_send);
    mr[2] = AXO_NOTIFY_IN_SEND;
    EXPECT_FALSE(ipc::classify_arrival(AXO_NIL_THREAD, mr, 0).after_send);
}

TEST(IpcArrival, AThreadsMessageWithTheNotifyLabelIsAMessage) {
    uint32_t mr[3] = {axo_msg_tag(AXO_LABEL_NOTIFY, 2, 0), 0xFFFFFFFF, AXO_NOTIFY_IN_RECEIVE};
    ipc::Arrival a = ipc::classify_arrival(kServer, mr, 0);
    EXPECT_EQ(a.kind, ipc::Arrival::Kind::message);
    EXPECT_EQ(a.from, kServer);
    EXPECT_EQ(a.bits, 0u);
}

TEST(IpcArrival, AnOrdinaryMessageIsAMessage) {
    uint32_t mr[2] = {axo_msg_tag(0x42, 1, 0), 7};
    ipc::Arrival a = ipc::classify_arrival(kServer, mr, 0);
    EXPECT_EQ(a.kind, ipc::Arrival::Kind::message);
    EXPECT_EQ(a.from, kServer);
}

TEST(IpcArrival, AFailedIpcKeepsItsErrorWordAndNeverReadsAsZero) {
    uint32_t mr[1] = {AXO_TAG_FLAG_ERROR};
    uint32_t word = (uint32_t{AXO_IPC_TIMEOUT} << 1) | AXO_IPC_PHASE_RECEIVE;
    ipc::Arrival a = ipc::classify_arrival(AXO_NIL_THREAD, mr, word);
    EXPECT_EQ(a.kind, ipc::Arrival::Kind::failed);
    EXPECT_EQ(a.error_word, word);
    EXPECT_NE(ipc::classify_arrival(AXO_NIL_THREAD, mr, 0).error_word, 0u);
    // The kernel's label on a failed ipc is still a failure.
    mr[0] = axo_msg_tag(AXO_LABEL_NOTIFY, 2, 0) | AXO_TAG_FLAG_ERROR;
    EXPECT_EQ(ipc::classify_arrival(AXO_NIL_THREAD, mr, word).kind, ipc::Arrival::Kind::failed);
}

TEST(IpcArrival, ForEachBitVisitsEverySetBitOnceLowestFirst) {
    std::vector<uint32_t> seen;
    ipc::for_each_bit(0x80000005u, [&](uint32_t bit) { seen.push_back(bit); });
    EXPECT_EQ(seen, (std::vector<uint32_t>{0, 2, 31}));
    seen.clear();
    ipc::for_each_bit(0, [&](uint32_t bit) { seen.push_back(bit); });
    EXPECT_TRUE(seen.empty());
}

} // namespace
