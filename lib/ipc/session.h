// Sessions (DESIGN.md §5, "Bulk data"): a server's table of attached clients, each with a
// buffer of the server's own memory that the attach reply maps into the client's receive
// window (one map item). Data then moves through that buffer, never through messages.
//
//  - Keyed by the client's thread, as the kernel names the sender: the only identity a server
//    trusts. Attaching again from the same thread gives the same slot (contents kept).
//  - The server's memory, not the client's: a client can unmap only its own view, never a page
//    from under the server. When the server dies, the kernel revokes every mapping derived
//    from its space; the client looks the name up again and re-attaches (names::Session).
//  - A buffer is revoked from its owner (SessionHost::revoke: unmap of the server's fpage
//    without flushing its own mapping) whenever the slot is released or taken back, and zeroed
//    when it changes owner: no client sees another's data.
//  - Dead clients: a slot whose attach reply did not get through is freed again
//    (`attach_failed`); when no slot is free, the owners are asked whether they still exist
//    (Liveness) and the slots of dead ones are reclaimed; then the table is full — `refuse`
//    (no_space), or `take_least_recent` (the least recently used slot is revoked and its owner
//    gets not_found from then on). A server that is told of a death calls `client_gone`.
//
// Pure logic: revocation and liveness come through SessionHost, so the table is tested on the
// host (tests/unit/ipc_session_test.cc). On the kernel: ipc::kernel_session_host() and
// ipc::send_session_buffer (lib/ipc/session_kernel.h).
//
//   ipc::Sessions<16> m_sessions{16 /*64 KiB*/, ipc::WhenFull::take_least_recent, host};
//   m_sessions.set_buffers(dma_block);                 // 16 * 64 KiB of the server's memory
//   ipc::Error on_attach(from, …) { auto a = m_sessions.attach(from); … send_session_buffer }
//   ipc::Error on_read(from, …) { uint32_t slot; if (!m_sessions.find(from, &slot)) … }
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"
#include "lib/ipc/error.h"
#include "lib/ipc/liveness.h"
#include "lib/ipc/message.h"

namespace ipc {

struct SessionHost {
    Liveness liveness{};
    void* context = nullptr;
    // Takes the buffer at `address` (2^log2 bytes) back from every client it was mapped to;
    // the server keeps its own mapping. nullptr: nothing to revoke (host tests count instead).
    void (*revoke)(void* context, uintptr_t address, uint32_t log2) = nullptr;
};

enum class WhenFull : uint8_t {
    refuse,            // attach answers no_space
    take_least_recent, // the least recently used slot changes owner
};

template <uint32_t N, class State = Empty> class Sessions {
public:
    static_assert(N > 0);
    struct Session {
        axo_thread_id_t client; // nil: free
        uint32_t last_use;      // the table's clock at the client's last attach or find
        State state;            // the server's own per-client state, reset on a new owner
    };
    struct Attached {
        Error error;   // ok, no_memory (no buffers), no_space (full, refuse)
        uint32_t slot; // on ok
        bool fresh;    // on ok: the slot is new to this client (zeroed)
    };

    constexpr Sessions(uint32_t buffer_log2, WhenFull when_full, SessionHost host = {})
        : m_log2(buffer_log2), m_when_full(when_full), m_host(host) {}

    // The buffers: N of 2^buffer_log2 bytes from `base`, each aligned to its size (fpages
    // must be). 0: none, every attach answers no_memory.
    void set_buffers(uintptr_t base) { m_base = base; }
    void set_host(SessionHost host) { m_host = host; }

    uint32_t buffer_log2() const { return m_log2; }
    uint32_t buffer_bytes() const { return 1u << m_log2; }
    uintptr_t address(uint32_t slot) const { return m_base + uintptr_t{slot} * buffer_bytes(); }
    uint8_t* buffer(uint32_t slot) const { return reinterpret_cast<uint8_t*>(address(slot)); }
    // The fpage the attach reply maps, with `rights` for the client.
    axo_fpage_t fpage(uint32_t slot, uint32_t rights) const {
        return axo_fpage(static_cast<uint32_t>(address(slot)), m_log2, rights);
    }

    uint32_t count() const {
        uint32_t n = 0;
        for (const Session& s : m_slots)
            n += s.client != AXO_NIL_THREAD;
        return n;
    }
    Session& at(uint32_t slot) { return m_slots[slot]; }
    const Session& at(uint32_t slot) const { return m_slots[slot]; }
    // Slots taken back from live owners because the table was full (take_least_recent).
    uint32_t taken_back() const { return m_taken_back; }
    // Slots of dead owners reclaimed (liveness, failed attach replies, client_gone).
    uint32_t reclaimed() const { return m_reclaimed; }

    // `client` attaches: its slot again, a free one, a dead owner's, or (take_least_recent)
    // the least recently used one. Then the server sends the reply with the buffer's map item
    // (send_session_buffer) and, if it did not get through, calls attach_failed.
    Attached attach(axo_thread_id_t client) {
        if (m_base == 0) return {Error::no_memory, 0, false};
        uint32_t slot = 0;
        if (find_slot(client, slot)) {
            m_slots[slot].last_use = ++m_clock;
            return {Error::ok, slot, false};
        }
        if (!find_slot(AXO_NIL_THREAD, slot) && !reclaim_dead(slot)) {
            if (m_when_full == WhenFull::refuse) return {Error::no_space, 0, false};
            slot = least_recent();
            free_slot(slot);
            ++m_taken_back;
        }
        // memset, not a loop of byte stores: the servers' is `rep stosl` (lib/rt), 8k
        // instructions for fs's 32 KiB where the loop took 230k — at every exec's attach.
        __builtin_memset(buffer(slot), 0, buffer_bytes());
        m_slots[slot] = Session{client, ++m_clock, State{}};
        return {Error::ok, slot, true};
    }
    // The attach reply did not reach the client: a fresh slot is free again (a client that
    // had it before keeps it).
    void attach_failed(const Attached& attached) {
        if (attached.error != Error::ok || !attached.fresh) return;
        free_slot(attached.slot);
        ++m_reclaimed;
    }

    // `client`'s session (a use: it counts for take_least_recent), or nullptr: not attached
    // (or taken back). `slot` receives its slot.
    Session* find(axo_thread_id_t client, uint32_t* slot = nullptr) {
        uint32_t i = 0;
        if (client == AXO_NIL_THREAD || !find_slot(client, i)) return nullptr;
        m_slots[i].last_use = ++m_clock;
        if (slot != nullptr) *slot = i;
        return &m_slots[i];
    }

    // The client detaches: its buffer is revoked and free. not_found if it had none.
    Error release(axo_thread_id_t client) {
        uint32_t slot = 0;
        if (client == AXO_NIL_THREAD || !find_slot(client, slot)) return Error::not_found;
        free_slot(slot);
        return Error::ok;
    }
    // The server learnt that `client` is gone.
    void client_gone(axo_thread_id_t client) {
        if (release(client) == Error::ok) ++m_reclaimed;
    }

private:
    bool find_slot(axo_thread_id_t client, uint32_t& slot) const {
        for (uint32_t i = 0; i < N; ++i)
            if (m_slots[i].client == client) {
                slot = i;
                return true;
            }
        return false;
    }
    // Frees every slot whose owner is gone; true (and the first of them) if there was one.
    bool reclaim_dead(uint32_t& first) {
        bool found = false;
        for (uint32_t i = 0; i < N; ++i) {
            if (m_slots[i].client == AXO_NIL_THREAD || m_host.liveness(m_slots[i].client)) continue;
            free_slot(i);
            ++m_reclaimed;
            if (!found) first = i;
            found = true;
        }
        return found;
    }
    uint32_t least_recent() const {
        uint32_t pick = 0;
        for (uint32_t i = 1; i < N; ++i)
            if (m_slots[i].last_use < m_slots[pick].last_use) pick = i;
        return pick;
    }
    void free_slot(uint32_t slot) {
        if (m_host.revoke != nullptr) m_host.revoke(m_host.context, address(slot), m_log2);
        m_slots[slot] = Session{AXO_NIL_THREAD, 0, State{}};
    }

    uint32_t m_log2;
    WhenFull m_when_full;
    SessionHost m_host;
    uintptr_t m_base = 0;
    Session m_slots[N] = {};
    uint32_t m_clock = 0;
    uint32_t m_taken_back = 0;
    uint32_t m_reclaimed = 0;
};

} // namespace ipc
