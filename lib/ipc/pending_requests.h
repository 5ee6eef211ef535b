// Deferred requests (DESIGN.md §5, "Blocking and waking"): the table every server keeps of the
// calls it answers later — a read with nothing to read, a wait for a child, a receive without
// a frame. The rules, in one place:
//
//  - One pending request per client thread. A thread makes one call at a time, so any new
//    request from it means it gave up the earlier one (its receive timed out): `cancel(from)`
//    for every request (the Dispatcher's request hook does it), and `defer` cancels too.
//  - A stale reply never answers a later call. Each deferred request gets a ticket, unique in
//    the table's life; `answer(ticket, …)` sends only while that very entry is pending. Without
//    this, a reply meant for an abandoned call would land in the thread's next call to the
//    same server (it waits in that call's receive phase from us) as that call's answer.
//  - State is committed only when the reply was delivered: the reply goes out with a zero send
//    timeout (ipc::send_reply); `commit` runs only if it got through. A client that gave up or
//    died loses its place, not the data (bytes stay in the ring, the child stays a zombie).
//  - Explicit cancellation (`cancel`, `cancel_if`), and dead clients: a failed reply drops the
//    entry; a full table asks `Liveness` and reclaims the entries of threads that are gone;
//    `client_gone` is for a server that is told (proc's exit events).
//
// Pure logic, no system calls: tested on the host (tests/unit/ipc_pending_requests_test.cc).
//
//   ipc::PendingRequests<Read, 8> m_pending;
//   // a request that must wait:
//   return m_pending.defer(from, Read{request.max}) == ipc::Error::ok ? ipc::kNoReply : busy;
//   // when data came: the oldest first
//   m_pending.answer(m_pending.at(0).ticket,
//                    [&](axo_thread_id_t client, const Read&) { return ipc::send_reply(client, r);
//                    },
//                    [&](const Read&) { ring.drop(r.count); });
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"
#include "lib/ipc/error.h"
#include "lib/ipc/liveness.h"

namespace ipc {

// Names one deferred request; 0 names none. Unique in a table's life (a 32-bit count).
using PendingTicket = uint32_t;
inline constexpr PendingTicket kNoTicket = 0;

// What became of an answer.
enum class Delivery {
    delivered, // the client got the reply; the commit ran
    failed,    // the client no longer waited (gave up, or died): entry gone, nothing committed
    stale,     // the ticket names no pending request (cancelled, answered): nothing sent
};

template <class Payload, uint32_t N> class PendingRequests {
public:
    static_assert(N > 0);
    struct Entry {
        PendingTicket ticket;
        axo_thread_id_t client;
        Payload payload;
    };

    constexpr explicit PendingRequests(Liveness liveness = {}) : m_liveness(liveness) {}
    void set_liveness(Liveness liveness) { m_liveness = liveness; }

    uint32_t count() const { return m_count; }
    bool empty() const { return m_count == 0; }
    bool full() const { return m_count == N; }
    // The pending requests in the order they came: i < count().
    Entry& at(uint32_t i) { return m_entries[i]; }
    const Entry& at(uint32_t i) const { return m_entries[i]; }

    // `client`'s pending request, or nullptr.
    Entry* find(axo_thread_id_t client) {
        return find_if([client](const Entry& e) { return e.client == client; });
    }
    // The entry of a ticket while it is pending, or nullptr.
    Entry* find_ticket(PendingTicket ticket) {
        if (ticket == kNoTicket) return nullptr;
        return find_if([ticket](const Entry& e) { return e.ticket == ticket; });
    }
    bool pending(PendingTicket ticket) const {
        return const_cast<PendingRequests*>(this)->find_ticket(ticket) != nullptr;
    }
    // The oldest entry `predicate(const Entry&)` holds for, or nullptr.
    template <class Predicate> Entry* find_if(Predicate predicate) {
        for (uint32_t i = 0; i < m_count; ++i)
            if (predicate(static_cast<const Entry&>(m_entries[i]))) return &m_entries[i];
        return nullptr;
    }

    // A request from `client` arrived, or the server cancels its pending one: it is dropped
    // unanswered. True if there was one.
    bool cancel(axo_thread_id_t client) {
        for (uint32_t i = 0; i < m_count; ++i)
            if (m_entries[i].client == client) {
                remove(i);
                return true;
            }
        return false;
    }
    // Drops, unanswered, every entry `predicate(const Entry&)` holds for; how many.
    template <class Predicate> uint32_t cancel_if(Predicate predicate) {
        uint32_t dropped = 0;
        for (uint32_t i = 0; i < m_count;) {
            if (predicate(static_cast<const Entry&>(m_entries[i]))) {
                remove(i);
                ++dropped;
            } else {
                ++i;
            }
        }
        return dropped;
    }
    // The server learnt that `client` is gone (its process ended).
    void client_gone(axo_thread_id_t client) { (void)cancel(client); }

    // `client`'s request waits, behind the others, with `payload`; its earlier one is
    // cancelled. no_space when N wait and none of their threads is gone. `ticket`, if given,
    // receives the entry's ticket.
    Error defer(axo_thread_id_t client, const Payload& payload, PendingTicket* ticket = nullptr) {
        (void)cancel(client);
        if (m_count == N && reclaim() == 0) return Error::no_space;
        if (++m_next_ticket == kNoTicket) ++m_next_ticket;
        m_entries[m_count++] = Entry{m_next_ticket, client, payload};
        if (ticket != nullptr) *ticket = m_next_ticket;
        return Error::ok;
    }

    // Drops the entries whose thread no longer exists; how many.
    uint32_t reclaim() {
        return cancel_if([this](const Entry& e) { return !m_liveness(e.client); });
    }

    // Answers the request `ticket` if it is still pending: the entry leaves the table first,
    // then `send(client, payload)` sends the reply (true: delivered; send it with a zero send
    // timeout, as ipc::send_reply does), and `commit(payload)` carries out the state change
    // only if it was delivered. Either may use the table again (answer others).
    template <class Send, class Commit>
    Delivery answer(PendingTicket ticket, Send&& send, Commit&& commit) {
        Entry* entry = find_ticket(ticket);
        if (entry == nullptr) return Delivery::stale;
        Entry taken = *entry;
        remove(static_cast<uint32_t>(entry - m_entries));
        if (!send(taken.client, static_cast<const Payload&>(taken.payload)))
            return Delivery::failed;
        commit(static_cast<const Payload&>(taken.payload));
        return Delivery::delivered;
    }
    // An answer that commits nothing (an error reply, or state that needs no commit).
    template <class Send> Delivery answer(PendingTicket ticket, Send&& send) {
        return answer(ticket, static_cast<Send&&>(send), [](const Payload&) {});
    }

private:
    void remove(uint32_t index) {
        for (uint32_t i = index + 1; i < m_count; ++i)
            m_entries[i - 1] = m_entries[i];
        --m_count;
    }

    Liveness m_liveness;
    Entry m_entries[N] = {};
    uint32_t m_count = 0;
    PendingTicket m_next_ticket = kNoTicket;
};

} // namespace ipc
