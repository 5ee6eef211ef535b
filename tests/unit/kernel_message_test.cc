// The kernel's copy of a message (kernel/message.h): read once, checked, never longer than
// the message registers; and the rule that nothing lands below kLowestMappable (fpage.h).
#include <gtest/gtest.h>

#include "kernel/message.h"

namespace axo {
namespace {

struct Registers {
    uint32_t mr[AXO_MR_COUNT] = {};
};

TEST(Message, CopiesTheTagAndExactlyTheWordsItNames) {
    Registers r;
    for (uint32_t i = 1; i < AXO_MR_COUNT; ++i)
        r.mr[i] = 0x100 + i;
    r.mr[0] = axo_msg_tag(0x42, 3, 0);
    Message m;
    ASSERT_EQ(take_message(r.mr, m), AXO_IPC_OK);
    EXPECT_EQ(m.tag, r.mr[0]);
    EXPECT_EQ(m.word_count(), 3u);
    EXPECT_EQ(m.words[0], 0x101u);
    EXPECT_EQ(m.words[2], 0x103u);
}

TEST(Message, ALaterRewriteOfTheRegistersDoesNotReachTheCopy) {
    Registers r;
    r.mr[0] = axo_msg_tag(1, 2, 2);
    r.mr[1] = 7;
    r.mr[2] = 8;
    r.mr[3] = axo_map_item_word0(0x20000000, 0);
    r.mr[4] = axo_fpage(0x20000000, 12, AXO_FPAGE_RWX);
    Message m;
    ASSERT_EQ(take_message(r.mr, m), AXO_IPC_OK);
    r.mr[0] = axo_msg_tag(1, 63, 63);
    r.mr[4] = axo_io_fpage(0, 16) | 0xFC00; // malformed now
    EXPECT_EQ(m.word_count(), 4u);
    MapItem item;
    ASSERT_TRUE(decode_item(m, 0, item));
    EXPECT_FALSE(item.fpage.io);
    EXPECT_EQ(item.fpage.base, 0x20000000u);
    EXPECT_FALSE(decode_item(m, 1, item)); // there is no second item
}

TEST(Message, MoreWordsThanRegistersOverflow) {
    Registers r;
    r.mr[0] = axo_msg_tag(1, 63, 1);
    Message m;
    EXPECT_EQ(take_message(r.mr, m), AXO_IPC_OVERFLOW);
    r.mr[0] = axo_msg_tag(1, 63, 63);
    EXPECT_EQ(take_message(r.mr, m), AXO_IPC_OVERFLOW);
    r.mr[0] = axo_msg_tag(1, 63, 0);
    EXPECT_EQ(take_message(r.mr, m), AXO_IPC_OK);
    EXPECT_EQ(m.word_count(), Message::kMaxWords);
}

TEST(Message, TypedWordsMustBeWellFormedItems) {
    Registers r;
    Message m;
    r.mr[0] = axo_msg_tag(1, 0, 1); // half an item
    EXPECT_EQ(take_message(r.mr, m), AXO_IPC_INVALID);
    r.mr[0] = axo_msg_tag(1, 0, 2);
    r.mr[1] = 0x1000 | 0xC; // unknown type
    r.mr[2] = axo_fpage(0x1000, 12, AXO_FPAGE_R);
    EXPECT_EQ(take_message(r.mr, m), AXO_IPC_INVALID);
    r.mr[1] = axo_map_item_word0(0x1000, 0);
    r.mr[2] = axo_fpage(0x1000, 13, AXO_FPAGE_R); // misaligned
    EXPECT_EQ(take_message(r.mr, m), AXO_IPC_INVALID);
    r.mr[2] = axo_io_fpage(0, 16) | 0x0400; // reserved bits of an I/O fpage
    EXPECT_EQ(take_message(r.mr, m), AXO_IPC_INVALID);
    r.mr[2] = axo_io_fpage(0x3F8, 3);
    EXPECT_EQ(take_message(r.mr, m), AXO_IPC_OK);
    MapItem item;
    ASSERT_TRUE(decode_item(m, 0, item));
    EXPECT_TRUE(item.fpage.io);
    EXPECT_EQ(item.fpage.size(), 8u);
}

TEST(Message, GrantItemsAreRecognised) {
    Registers r;
    r.mr[0] = axo_msg_tag(1, 1, 2);
    r.mr[2] = axo_map_item_word0(0x3000, 1);
    r.mr[3] = axo_fpage(0x3000, 12, AXO_FPAGE_R | AXO_FPAGE_W);
    Message m;
    ASSERT_EQ(take_message(r.mr, m), AXO_IPC_OK);
    MapItem item;
    ASSERT_TRUE(decode_item(m, 0, item));
    EXPECT_TRUE(item.grant);
    EXPECT_EQ(item.hotspot, 0x3000u);
}

TEST(LowestMappable, NothingLandsInTheFirst64KiB) {
    Fpage send, window;
    Placement where;
    ASSERT_TRUE(decode_fpage(axo_fpage(0x20000000, 12, AXO_FPAGE_RWX), send));
    ASSERT_TRUE(decode_fpage(AXO_FPAGE_COMPLETE, window));
    ASSERT_TRUE(place(send, 0x0, window, where));
    EXPECT_TRUE(lands_below_lowest_mappable(send, where));
    ASSERT_TRUE(place(send, 0xF000, window, where));
    EXPECT_TRUE(lands_below_lowest_mappable(send, where));
    ASSERT_TRUE(place(send, 0x10000, window, where));
    EXPECT_FALSE(lands_below_lowest_mappable(send, where));
    // A window at 0 larger than the item, with the hotspot above 64 KiB, is fine.
    ASSERT_TRUE(decode_fpage(axo_fpage(0, 20, AXO_FPAGE_RWX), window));
    ASSERT_TRUE(place(send, 0x10000, window, where));
    EXPECT_FALSE(lands_below_lowest_mappable(send, where));
    // I/O ports are not memory.
    ASSERT_TRUE(decode_fpage(axo_io_fpage(0, 16), send));
    ASSERT_TRUE(decode_fpage(AXO_FPAGE_COMPLETE, window));
    ASSERT_TRUE(place(send, 0, window, where));
    EXPECT_FALSE(lands_below_lowest_mappable(send, where));
}

} // namespace
} // namespace axo
