// Run queues for 256 priorities (255 = most urgent, as in L4). Intrusive: a thread embeds a
// SchedNode, so no operation allocates. Each priority is a circular doubly linked list; a
// two-level bitmap (8 words + a summary word) finds the highest non-empty priority in O(1)
// with two bit scans (bsr on the Pentium). Not thread-safe: the caller holds the kernel lock
// or runs with interrupts off.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace axo {

struct SchedNode {
    SchedNode* next = nullptr;
    SchedNode* prev = nullptr;
    uint8_t priority = 0; // read by enqueue; change it only while the node is not queued
    bool queued = false;
};

class ReadyQueues {
public:
    static constexpr unsigned kPriorities = 256;
    static constexpr unsigned kBitsPerWord = 32;
    static constexpr unsigned kWords = kPriorities / kBitsPerWord;
    static_assert(kWords <= kBitsPerWord, "the summary word needs one bit per bitmap word");
    static_assert(kPriorities - 1 <= UINT8_MAX, "SchedNode::priority must hold every priority");

    // At the tail of node->priority. The node must not be queued (checked: a queued node is
    // left where it is).
    void enqueue(SchedNode* node) {
        if (node->queued) return;
        link(node);
    }
    // At the head of node->priority: it runs next among its equals (a preempted thread that
    // keeps the rest of its time slice).
    void enqueue_front(SchedNode* node) {
        if (node->queued) return;
        link(node);
        m_heads[node->priority] = node;
    }
    // No-op if the node is not queued.
    void remove(SchedNode* node) {
        if (!node->queued) return;
        unsigned priority = node->priority;
        if (node->next == node) {
            m_heads[priority] = nullptr;
            clear_bit(priority);
        } else {
            node->prev->next = node->next;
            node->next->prev = node->prev;
            if (m_heads[priority] == node) m_heads[priority] = node->next;
        }
        node->next = node->prev = nullptr;
        node->queued = false;
    }

    // Head of the highest non-empty priority, or nullptr.
    SchedNode* highest() const {
        int priority = highest_priority();
        return priority < 0 ? nullptr : m_heads[priority];
    }
    // -1 if every queue is empty.
    int highest_priority() const { return m_summary == 0 ? -1 : m_top; }
    // The highest non-empty priority, 0 if every queue is empty: a thread of priority p
    // outranks every queued thread iff p >= top(). Kept up to date on every change, at the
    // very start of the object, so that assembly reads it with one compare
    // (kernel/arch/ia32/ipc_fastpath.S).
    uint8_t top() const { return m_top; }
    // Head of `priority`, or nullptr.
    SchedNode* head(uint8_t priority) const { return m_heads[priority]; }
    // The head of `priority` moves to the tail (end of its time slice). No-op if empty.
    void rotate(uint8_t priority) {
        if (m_heads[priority]) m_heads[priority] = m_heads[priority]->next;
    }
    bool empty() const { return m_summary == 0; }

private:
    static unsigned top_bit(uint32_t word) {
        return 31u - static_cast<unsigned>(__builtin_clz(word));
    }

    // Inserts before the head, i.e. at the tail; the caller moves the head for enqueue_front.
    void link(SchedNode* node) {
        unsigned priority = node->priority;
        SchedNode* head = m_heads[priority];
        if (!head) {
            node->next = node->prev = node;
            m_heads[priority] = node;
            set_bit(priority);
        } else {
            node->next = head;
            node->prev = head->prev;
            head->prev->next = node;
            head->prev = node;
        }
        node->queued = true;
    }
    void set_bit(unsigned priority) {
        m_bits[priority / kBitsPerWord] |= 1u << (priority % kBitsPerWord);
        m_summary |= 1u << (priority / kBitsPerWord);
        if (priority > m_top) m_top = static_cast<uint8_t>(priority);
    }
    void clear_bit(unsigned priority) {
        uint32_t& word = m_bits[priority / kBitsPerWord];
        word &= ~(1u << (priority % kBitsPerWord));
        if (word == 0) m_summary &= ~(1u << (priority / kBitsPerWord));
        if (priority == m_top) m_top = static_cast<uint8_t>(scan_top());
    }
    // The highest set bit's priority (0 if none), by two bit scans (bsr on the Pentium).
    unsigned scan_top() const {
        if (m_summary == 0) return 0;
        unsigned word = top_bit(m_summary);
        return word * kBitsPerWord + top_bit(m_bits[word]);
    }

public:
    // For the layout check of code that reads top() by address.
    static constexpr size_t top_offset() { return offsetof(ReadyQueues, m_top); }

private:
    uint8_t m_top = 0; // first: see top()
    SchedNode* m_heads[kPriorities] = {};
    uint32_t m_bits[kWords] = {};
    uint32_t m_summary = 0; // bit w set iff m_bits[w] != 0
};

} // namespace axo
