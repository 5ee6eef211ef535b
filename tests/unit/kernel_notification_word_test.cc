#include <gtest/gtest.h>

#include <random>

#include "kernel/notification_word.h"

namespace axo {
namespace {

constexpr axo_thread_id_t kServer = axo_thread_id(40, 1);
constexpr axo_thread_id_t kOther = axo_thread_id(41, 1);

TEST(NotificationWord, TakeReturnsOnlyTheMaskedBitsAndLeavesTheRest) {
    NotificationWord word;
    word.post(0b1011);
    EXPECT_EQ(word.take(0b0011), 0b0011u);
    EXPECT_EQ(word.pending(), 0b1000u);
    EXPECT_EQ(word.take(0b0011), 0u);
    EXPECT_EQ(word.take(~0u), 0b1000u);
    EXPECT_EQ(word.pending(), 0u);
}

TEST(NotificationWord, ABitPostedTwiceBeforeATakeIsTakenOnce) {
    NotificationWord word;
    word.post(1);
    word.post(1);
    EXPECT_EQ(word.take(1), 1u);
    EXPECT_EQ(word.take(1), 0u);
}

// Senders post random subsets, the receiver takes random masks in between: every posted bit
// is taken exactly once after its last post and nothing is taken that was not posted.
TEST(NotificationWord, InterleavedPostsAndTakesNeverLoseOrDuplicateABit) {
    std::mt19937 random(12345);
    NotificationWord word;
    uint32_t outstanding = 0; // what a perfect word holds
    for (int step = 0; step < 100000; ++step) {
        if (random() % 2) {
            uint32_t bits = random();
            word.post(bits);
            outstanding |= bits;
        } else {
            uint32_t mask = random();
            uint32_t taken = word.take(mask);
            EXPECT_EQ(taken, outstanding & mask);
            outstanding &= ~mask;
        }
        ASSERT_EQ(word.pending(), outstanding);
    }
}

TEST(NotificationWord, AGrantCoversExactlyItsBitsForExactlyThatThread) {
    NotificationWord word;
    EXPECT_FALSE(word.grant_covers(kServer, 1));
    ASSERT_EQ(word.grant(kServer, 0b0110), NotificationWord::GrantResult::ok);
    EXPECT_TRUE(word.grant_covers(kServer, 0b0010));
    EXPECT_TRUE(word.grant_covers(kServer, 0b0110));
    EXPECT_FALSE(word.grant_covers(kServer, 0b0111));
    EXPECT_FALSE(word.grant_covers(kOther, 0b0010));
    // Another version of the same number is another thread.
    EXPECT_FALSE(word.grant_covers(axo_thread_id(40, 2), 0b0010));
}

TEST(NotificationWord, AGrantIsReplacedAndRevoked) {
    NotificationWord word;
    word.grant(kServer, 0b01);
    word.grant(kServer, 0b10);
    EXPECT_EQ(word.granted(kServer), 0b10u);
    word.grant(kServer, 0);
    EXPECT_EQ(word.granted(kServer), 0u);
    EXPECT_FALSE(word.grant_covers(kServer, 0b10));
}

TEST(NotificationWord, GrantsAreBoundedAndARevokedEntryIsReused) {
    NotificationWord word;
    for (uint32_t i = 0; i < NotificationWord::kGrants; ++i)
        ASSERT_EQ(word.grant(axo_thread_id(100 + i, 1), 1u << i),
                  NotificationWord::GrantResult::ok);
    EXPECT_EQ(word.grant(kOther, 1), NotificationWord::GrantResult::full);
    EXPECT_EQ(word.granted(kOther), 0u);
    // Changing an existing grant still works when full; revoking makes room.
    EXPECT_EQ(word.grant(axo_thread_id(100, 1), 3), NotificationWord::GrantResult::ok);
    EXPECT_EQ(word.grant(axo_thread_id(101, 1), 0), NotificationWord::GrantResult::ok);
    EXPECT_EQ(word.grant(kOther, 1), NotificationWord::GrantResult::ok);
    EXPECT_EQ(word.granted(kOther), 1u);
    // Revoking a notifier that has no grant is not an error and takes no entry.
    EXPECT_EQ(word.grant(axo_thread_id(999, 1), 0), NotificationWord::GrantResult::ok);
}

} // namespace
} // namespace axo
