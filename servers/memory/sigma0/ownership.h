// Who holds what σ0 hands out: the clients, and an owner per port. Plain logic without
// syscalls, unit-tested on the host (tests/unit/sigma0_ownership_test.cc).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "axolotl/abi.h"
#include "interfaces/sigma0/protocol.h"

namespace sigma0 {

// An owner is a client's index in the ClientTable: one byte per frame and per port keeps the
// ownership tables small (DESIGN.md: σ0 serves the root task and a few memory managers).
using Owner = uint8_t;
constexpr Owner kNobody = 0;
constexpr uint32_t kMaxClients = 32;

// The threads σ0 serves. Index 1 is the root task, added at start; the root task adds the
// others (kSigma0AddClient). A client stays one for good: σ0 has no way to learn that a
// thread died, and a restarted one has a new id (a new version) anyway.
class ClientTable {
public:
    // The client's owner index, or kNobody for a thread that is not a client.
    Owner find(axo_thread_id_t id) const {
        if (id == AXO_NIL_THREAD || id == AXO_ANY_THREAD) return kNobody;
        for (uint32_t i = 0; i < m_count; ++i)
            if (m_ids[i] == id) return static_cast<Owner>(i + 1);
        return kNobody;
    }
    // Adds `id` (idempotent: a client added again keeps its index). kNobody if the table is
    // full or the id cannot name a thread.
    Owner add(axo_thread_id_t id) {
        if (id == AXO_NIL_THREAD || id == AXO_ANY_THREAD) return kNobody;
        if (Owner known = find(id)) return known;
        if (m_count == kMaxClients) return kNobody;
        m_ids[m_count++] = id;
        return static_cast<Owner>(m_count);
    }
    uint32_t count() const { return m_count; }

private:
    axo_thread_id_t m_ids[kMaxClients] = {};
    uint32_t m_count = 0;
};

// All 65536 I/O ports. A port range goes to the first client that asks; the same client
// asking again gets it again, any other client is refused.
class PortTable {
public:
    static constexpr uint32_t kPorts = 1u << 16;
    // Owner byte of a port that is not σ0's to give.
    static constexpr Owner kKept = 0xFF;
    static_assert(kMaxClients < kKept);

    // Ports [first, last] are never given to anyone (the kernel drives those devices).
    void keep(uint32_t first, uint32_t last) {
        for (uint32_t port = first; port <= last && port < kPorts; ++port)
            m_owner[port] = kKept;
    }

    // `base` must be aligned to 2^log2, log2 <= 16 (the caller checked the fpage). Nothing
    // changes on an error: kSigma0ErrorNoPermission if a port is kept, kSigma0ErrorTaken if
    // another client holds one.
    Status claim(Owner owner, uint32_t base, uint32_t log2) {
        uint32_t end = base + (1u << log2);
        for (uint32_t port = base; port < end; ++port)
            if (m_owner[port] == kKept) return kSigma0ErrorNoPermission;
        for (uint32_t port = base; port < end; ++port)
            if (m_owner[port] != kNobody && m_owner[port] != owner) return kSigma0ErrorTaken;
        for (uint32_t port = base; port < end; ++port)
            m_owner[port] = owner;
        return kSigma0Ok;
    }
    Owner owner_of(uint32_t port) const { return m_owner[port & (kPorts - 1)]; }

private:
    Owner m_owner[kPorts] = {};
};

} // namespace sigma0
