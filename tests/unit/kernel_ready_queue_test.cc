#include <gtest/gtest.h>

#include <vector>

#include "kernel/ready_queue.h"

namespace axo {
namespace {

SchedNode make(uint8_t priority) {
    SchedNode node;
    node.priority = priority;
    return node;
}

// Pops everything in scheduling order (highest first, FIFO within a priority).
std::vector<SchedNode*> drain(ReadyQueues& queues) {
    std::vector<SchedNode*> order;
    while (SchedNode* node = queues.highest()) {
        queues.remove(node);
        order.push_back(node);
    }
    return order;
}

TEST(ReadyQueues, StartsEmpty) {
    ReadyQueues queues;
    EXPECT_TRUE(queues.empty());
    EXPECT_EQ(queues.highest(), nullptr);
    EXPECT_EQ(queues.highest_priority(), -1);
    queues.rotate(0); // no-op on an empty priority
    EXPECT_TRUE(queues.empty());
}

TEST(ReadyQueues, HighestPriorityFirst) {
    ReadyQueues queues;
    SchedNode low = make(10), mid = make(100), high = make(200);
    queues.enqueue(&mid);
    queues.enqueue(&low);
    queues.enqueue(&high);
    EXPECT_FALSE(queues.empty());
    EXPECT_EQ(queues.highest_priority(), 200);
    EXPECT_EQ(drain(queues), (std::vector<SchedNode*>{&high, &mid, &low}));
    EXPECT_TRUE(queues.empty());
}

TEST(ReadyQueues, FifoWithinPriority) {
    ReadyQueues queues;
    SchedNode a = make(7), b = make(7), c = make(7);
    queues.enqueue(&a);
    queues.enqueue(&b);
    queues.enqueue(&c);
    EXPECT_EQ(queues.head(7), &a);
    EXPECT_EQ(drain(queues), (std::vector<SchedNode*>{&a, &b, &c}));
}

TEST(ReadyQueues, EnqueueFrontRunsNext) {
    ReadyQueues queues;
    SchedNode a = make(7), b = make(7), c = make(7);
    queues.enqueue(&a);
    queues.enqueue(&b);
    queues.enqueue_front(&c);
    EXPECT_EQ(drain(queues), (std::vector<SchedNode*>{&c, &a, &b}));
    SchedNode only = make(3);
    queues.enqueue_front(&only);
    EXPECT_EQ(queues.highest(), &only);
    EXPECT_EQ(queues.highest_priority(), 3);
}

TEST(ReadyQueues, Rotate) {
    ReadyQueues queues;
    SchedNode a = make(50), b = make(50), c = make(50), other = make(49);
    queues.enqueue(&a);
    queues.enqueue(&b);
    queues.enqueue(&c);
    queues.enqueue(&other);
    queues.rotate(50);
    EXPECT_EQ(queues.highest(), &b);
    queues.rotate(50);
    EXPECT_EQ(queues.highest(), &c);
    queues.rotate(50);
    EXPECT_EQ(queues.highest(), &a);
    queues.rotate(49); // single element: stays
    EXPECT_EQ(queues.head(49), &other);
    queues.rotate(50);
    EXPECT_EQ(drain(queues), (std::vector<SchedNode*>{&b, &c, &a, &other}));
}

TEST(ReadyQueues, RemoveFromMiddleHeadTail) {
    ReadyQueues queues;
    SchedNode a = make(1), b = make(1), c = make(1), d = make(1);
    for (SchedNode* n : {&a, &b, &c, &d})
        queues.enqueue(n);
    queues.remove(&b); // middle
    EXPECT_FALSE(b.queued);
    EXPECT_EQ(b.next, nullptr);
    EXPECT_EQ(b.prev, nullptr);
    queues.remove(&a); // head
    EXPECT_EQ(queues.highest(), &c);
    queues.remove(&d); // tail
    EXPECT_EQ(drain(queues), (std::vector<SchedNode*>{&c}));
}

TEST(ReadyQueues, RemoveOnlyElementClearsBitmap) {
    ReadyQueues queues;
    SchedNode a = make(33), b = make(32);
    queues.enqueue(&a);
    queues.enqueue(&b);
    queues.remove(&a);
    EXPECT_EQ(queues.highest_priority(), 32);
    EXPECT_EQ(queues.head(33), nullptr);
    queues.remove(&b);
    EXPECT_TRUE(queues.empty());
    EXPECT_EQ(queues.highest_priority(), -1);
}

TEST(ReadyQueues, RemoveNotQueuedIsNoop) {
    ReadyQueues queues;
    SchedNode a = make(5), stray = make(5);
    queues.enqueue(&a);
    queues.remove(&stray);
    queues.remove(&stray);
    EXPECT_EQ(queues.highest(), &a);
    queues.remove(&a);
    queues.remove(&a);
    EXPECT_TRUE(queues.empty());
}

TEST(ReadyQueues, EnqueueTwiceIsIgnored) {
    ReadyQueues queues;
    SchedNode a = make(5), b = make(5);
    queues.enqueue(&a);
    queues.enqueue(&b);
    queues.enqueue(&a);
    queues.enqueue_front(&b);
    EXPECT_EQ(drain(queues), (std::vector<SchedNode*>{&a, &b}));
}

TEST(ReadyQueues, BitmapBoundaries) {
    for (int priority : {0, 1, 30, 31, 32, 33, 63, 64, 127, 128, 224, 254, 255}) {
        ReadyQueues queues;
        SchedNode node = make(static_cast<uint8_t>(priority));
        queues.enqueue(&node);
        EXPECT_EQ(queues.highest_priority(), priority);
        EXPECT_EQ(queues.highest(), &node);
        if (priority > 0) {
            SchedNode below = make(static_cast<uint8_t>(priority - 1));
            queues.enqueue(&below);
            EXPECT_EQ(queues.highest_priority(), priority);
            queues.remove(&node);
            EXPECT_EQ(queues.highest_priority(), priority - 1);
            EXPECT_EQ(queues.highest(), &below);
            queues.remove(&below);
        } else {
            queues.remove(&node);
        }
        EXPECT_TRUE(queues.empty()) << priority;
    }
}

TEST(ReadyQueues, AllPrioritiesUsed) {
    ReadyQueues queues;
    std::vector<SchedNode> nodes(2 * ReadyQueues::kPriorities);
    for (unsigned i = 0; i < nodes.size(); ++i) {
        nodes[i].priority = static_cast<uint8_t>(i % ReadyQueues::kPriorities);
        queues.enqueue(&nodes[i]);
    }
    for (int priority = 255; priority >= 0; --priority) {
        ASSERT_EQ(queues.highest_priority(), priority);
        SchedNode* first = queues.highest();
        EXPECT_EQ(first, &nodes[priority]);
        queues.remove(first);
        ASSERT_EQ(queues.highest_priority(), priority);
        EXPECT_EQ(queues.highest(), &nodes[priority + 256]);
        queues.remove(queues.highest());
    }
    EXPECT_TRUE(queues.empty());
}

TEST(ReadyQueues, ReenqueueAtNewPriority) {
    ReadyQueues queues;
    SchedNode a = make(10), b = make(20);
    queues.enqueue(&a);
    queues.enqueue(&b);
    queues.remove(&a);
    a.priority = 30;
    queues.enqueue(&a);
    EXPECT_EQ(queues.highest(), &a);
    EXPECT_EQ(queues.head(10), nullptr);
    EXPECT_EQ(drain(queues), (std::vector<SchedNode*>{&a, &b}));
}

} // namespace
} // namespace axo
