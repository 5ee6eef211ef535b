// Pending timeouts (IPC timeouts, sleeps), kept sorted by deadline so the timer interrupt
// only looks at the head. Intrusive: a thread embeds a TimeoutNode. Equal deadlines expire in
// arm order. Arming is O(n) from the tail (new deadlines are usually the latest), disarm and
// pop are O(1). Deadlines are absolute, in the caller's time unit (the kernel uses
// microseconds since boot). Not thread-safe: the caller holds the kernel lock.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace axo {

struct TimeoutNode {
    TimeoutNode* next = nullptr;
    TimeoutNode* prev = nullptr;
    uint64_t deadline = 0;
    bool armed = false;
};

class TimeoutQueue {
public:
    // Arming an armed node moves it to its new place (it goes behind nodes with the same
    // deadline, as if newly armed).
    void arm(TimeoutNode* node, uint64_t deadline);
    // No-op if the node is not armed.
    void disarm(TimeoutNode* node);
    // The earliest node with deadline <= now, removed (armed = false), or nullptr. Call in a
    // loop to drain everything that expired.
    TimeoutNode* pop_expired(uint64_t now);
    // The earliest deadline, UINT64_MAX if empty.
    uint64_t next_deadline() const { return m_head ? m_head->deadline : UINT64_MAX; }
    bool empty() const { return m_head == nullptr; }
    size_t size() const { return m_size; }

private:
    TimeoutNode* m_head = nullptr;
    TimeoutNode* m_tail = nullptr;
    size_t m_size = 0;
};

} // namespace axo
