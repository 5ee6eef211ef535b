#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "kernel/timeout_queue.h"

namespace axo {
namespace {

std::vector<TimeoutNode*> drain(TimeoutQueue& queue, uint64_t now) {
    std::vector<TimeoutNode*> order;
    while (TimeoutNode* node = queue.pop_expired(now))
        order.push_back(node);
    return order;
}

TEST(TimeoutQueue, StartsEmpty) {
    TimeoutQueue queue;
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(queue.size(), 0u);
    EXPECT_EQ(queue.next_deadline(), UINT64_MAX);
    EXPECT_EQ(queue.pop_expired(UINT64_MAX), nullptr);
}

TEST(TimeoutQueue, SortedByDeadline) {
    TimeoutQueue queue;
    TimeoutNode a, b, c, d;
    queue.arm(&a, 300);
    queue.arm(&b, 100);
    queue.arm(&c, 200);
    queue.arm(&d, 50);
    EXPECT_EQ(queue.size(), 4u);
    EXPECT_EQ(queue.next_deadline(), 50u);
    EXPECT_TRUE(a.armed);
    EXPECT_EQ(a.deadline, 300u);
    EXPECT_EQ(drain(queue, 1000), (std::vector<TimeoutNode*>{&d, &b, &c, &a}));
    EXPECT_TRUE(queue.empty());
    EXPECT_FALSE(a.armed);
}

TEST(TimeoutQueue, EqualDeadlinesFifo) {
    TimeoutQueue queue;
    TimeoutNode a, b, c, early, late;
    queue.arm(&a, 100);
    queue.arm(&late, 200);
    queue.arm(&b, 100);
    queue.arm(&early, 10);
    queue.arm(&c, 100);
    EXPECT_EQ(drain(queue, 1000), (std::vector<TimeoutNode*>{&early, &a, &b, &c, &late}));
}

TEST(TimeoutQueue, PopExpiredBoundaries) {
    TimeoutQueue queue;
    TimeoutNode a, b;
    queue.arm(&a, 100);
    queue.arm(&b, 101);
    EXPECT_EQ(queue.pop_expired(99), nullptr);
    EXPECT_EQ(queue.pop_expired(100), &a); // deadline == now expires
    EXPECT_EQ(queue.pop_expired(100), nullptr);
    EXPECT_EQ(queue.size(), 1u);
    EXPECT_EQ(queue.next_deadline(), 101u);
    EXPECT_EQ(queue.pop_expired(101), &b);
    EXPECT_TRUE(queue.empty());
}

TEST(TimeoutQueue, ExtremeDeadlines) {
    TimeoutQueue queue;
    TimeoutNode zero, max;
    queue.arm(&max, UINT64_MAX);
    queue.arm(&zero, 0);
    EXPECT_EQ(queue.pop_expired(0), &zero);
    EXPECT_EQ(queue.pop_expired(UINT64_MAX - 1), nullptr);
    EXPECT_EQ(queue.pop_expired(UINT64_MAX), &max);
}

TEST(TimeoutQueue, RearmMoves) {
    TimeoutQueue queue;
    TimeoutNode a, b, c;
    queue.arm(&a, 100);
    queue.arm(&b, 200);
    queue.arm(&c, 300);
    queue.arm(&a, 250); // later
    EXPECT_EQ(queue.size(), 3u);
    EXPECT_EQ(queue.next_deadline(), 200u);
    queue.arm(&c, 10); // earlier
    EXPECT_EQ(queue.next_deadline(), 10u);
    queue.arm(&b, 250); // same deadline as a: behind it
    EXPECT_EQ(queue.size(), 3u);
    EXPECT_EQ(drain(queue, 1000), (std::vector<TimeoutNode*>{&c, &a, &b}));
}

TEST(TimeoutQueue, RearmSameDeadlineGoesBehindEquals) {
    TimeoutQueue queue;
    TimeoutNode a, b;
    queue.arm(&a, 100);
    queue.arm(&b, 100);
    queue.arm(&a, 100);
    EXPECT_EQ(drain(queue, 100), (std::vector<TimeoutNode*>{&b, &a}));
}

TEST(TimeoutQueue, Disarm) {
    TimeoutQueue queue;
    TimeoutNode a, b, c, stray;
    queue.arm(&a, 1);
    queue.arm(&b, 2);
    queue.arm(&c, 3);
    queue.disarm(&stray); // not armed: no-op
    queue.disarm(&b);     // middle
    EXPECT_FALSE(b.armed);
    EXPECT_EQ(b.next, nullptr);
    EXPECT_EQ(b.prev, nullptr);
    queue.disarm(&b); // twice: no-op
    EXPECT_EQ(queue.size(), 2u);
    queue.disarm(&a); // head
    EXPECT_EQ(queue.next_deadline(), 3u);
    queue.disarm(&c); // tail and only
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(queue.next_deadline(), UINT64_MAX);
    queue.arm(&b, 5); // usable after disarm
    EXPECT_EQ(drain(queue, 5), (std::vector<TimeoutNode*>{&b}));
}

// Against a reference model: random arm / disarm / pop with a fixed seed.
TEST(TimeoutQueue, RandomAgainstModel) {
    std::mt19937 rng(1234);
    TimeoutQueue queue;
    std::vector<TimeoutNode> nodes(64);
    std::vector<TimeoutNode*> model; // sorted, FIFO among equals
    uint64_t now = 0;
    for (int step = 0; step < 20000; ++step) {
        TimeoutNode* node = &nodes[rng() % nodes.size()];
        switch (rng() % 4) {
        case 0:
        case 1: {
            uint64_t deadline = now + rng() % 50;
            queue.arm(node, deadline);
            std::erase(model, node);
            auto it = model.begin();
            while (it != model.end() && (*it)->deadline <= deadline)
                ++it;
            model.insert(it, node);
            break;
        }
        case 2:
            queue.disarm(node);
            std::erase(model, node);
            break;
        case 3: {
            now += rng() % 5;
            while (TimeoutNode* expired = queue.pop_expired(now)) {
                ASSERT_FALSE(model.empty());
                ASSERT_EQ(expired, model.front());
                model.erase(model.begin());
            }
            ASSERT_TRUE(model.empty() || model.front()->deadline > now);
            break;
        }
        }
        ASSERT_EQ(queue.size(), model.size());
        ASSERT_EQ(queue.next_deadline(), model.empty() ? UINT64_MAX : model.front()->deadline);
    }
}

} // namespace
} // namespace axo
