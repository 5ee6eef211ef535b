#include "kernel/timeout_queue.h"

namespace axo {

void TimeoutQueue::arm(TimeoutNode* node, uint64_t deadline) {
    disarm(node);
    node->deadline = deadline;
    // Behind the last node whose deadline is <= ours: FIFO among equal deadlines.
    TimeoutNode* before = m_tail;
    while (before && before->deadline > deadline)
        before = before->prev;
    node->prev = before;
    node->next = before ? before->next : m_head;
    if (node->next)
        node->next->prev = node;
    else
        m_tail = node;
    if (before)
        before->next = node;
    else
        m_head = node;
    node->armed = true;
    ++m_size;
}

void TimeoutQueue::disarm(TimeoutNode* node) {
    if (!node->armed) return;
    if (node->prev)
        node->prev->next = node->next;
    else
        m_head = node->next;
    if (node->next)
        node->next->prev = node->prev;
    else
        m_tail = node->prev;
    node->next = node->prev = nullptr;
    node->armed = false;
    --m_size;
}

TimeoutNode* TimeoutQueue::pop_expired(uint64_t now) {
    TimeoutNode* node = m_head;
    if (!node || node->deadline > now) return nullptr;
    disarm(node);
    return node;
}

} // namespace axo
