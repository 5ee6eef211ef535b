// A thread's notification state: the word of pending bits that permitted senders set without
// blocking, and the grants by which the thread lets threads of other spaces set some of
// them (docs/kernel-api.md §17). Pure logic, no kernel calls: unit-tested on the host; the
// kernel's operations on it are in notification.h.
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"

namespace axo {

class NotificationWord {
public:
    // Sets `bits`; bits already pending stay set once (a word, not a counter).
    void post(uint32_t bits) { m_pending |= bits; }
    // Takes the pending bits of `mask` at once: they are returned and cleared, the others
    // stay pending.
    uint32_t take(uint32_t mask) {
        uint32_t taken = m_pending & mask;
        m_pending &= ~mask;
        return taken;
    }
    uint32_t pending() const { return m_pending; }

    // The bits the thread `notifier` (an exact id: number and version) was granted; 0 if none.
    uint32_t granted(axo_thread_id_t notifier) const {
        for (const Grant& g : m_grants) {
            if (g.bits != 0 && g.notifier == notifier) return g.bits;
        }
        return 0;
    }
    // Whether a grant lets `notifier` set all of `bits`.
    bool grant_covers(axo_thread_id_t notifier, uint32_t bits) const {
        return (bits & ~granted(notifier)) == 0;
    }

    enum class GrantResult { ok, full };
    // Grants `notifier` the bits of `bits`, replacing its earlier grant; bits 0 revokes it.
    // `full` (nothing changed) when all kGrants entries hold other notifiers.
    GrantResult grant(axo_thread_id_t notifier, uint32_t bits) {
        Grant* free_entry = nullptr;
        for (Grant& g : m_grants) {
            if (g.bits != 0 && g.notifier == notifier) {
                g.bits = bits;
                return GrantResult::ok;
            }
            if (g.bits == 0 && !free_entry) free_entry = &g;
        }
        if (bits == 0) return GrantResult::ok;
        if (!free_entry) return GrantResult::full;
        *free_entry = Grant{notifier, bits};
        return GrantResult::ok;
    }

    static constexpr uint32_t kGrants = AXO_NOTIFY_GRANTS;

private:
    struct Grant {
        axo_thread_id_t notifier = AXO_NIL_THREAD;
        uint32_t bits = 0; // 0: a free entry
    };
    uint32_t m_pending = 0;
    Grant m_grants[kGrants] = {};
};

} // namespace axo
