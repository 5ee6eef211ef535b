// The name service (interfaces/names/protocol.h, kNameRegister..kNameUnregister): the protocol's
// rules over the NameTable. Whether a thread still exists is asked through `Liveness`, which
// proc answers from the kernel (exchange_registers on the id) and host tests from a fake, so
// all of this is tested on the host (tests/unit/proc_name_service_test.cc).
#pragma once

#include <stdint.h>

#include "interfaces/names/protocol.h"
#include "lib/ipc/dispatcher.h"
#include "lib/ipc/error.h"
#include "servers/proc/name_table.h"

namespace proc {

// True if `thread` exists. A thread id is never reused (DESIGN.md §3), so "not alive" is final.
struct Liveness {
    bool (*alive)(void* context, axo_thread_id_t thread);
    void* context;
    bool operator()(axo_thread_id_t thread) const { return alive(context, thread); }
};

// 1..31 printable ASCII characters without spaces, NUL-terminated inside the field.
bool valid_name(const Name& name);

// Sends a waiter its deferred kNameWait reply (zero timeout); false if it was not waiting.
struct NameWaitAnswer {
    bool (*send)(void* context, axo_thread_id_t waiter, axo_thread_id_t server);
    void* context;
};

class NameService {
public:
    explicit NameService(Liveness liveness, NameWaitAnswer answer = {nullptr, nullptr})
        : m_alive(liveness), m_answer(answer) {}

    // The handlers; `from` is the kernel-given sender.
    ipc::Error register_name(axo_thread_id_t from, const NameRegisterRequest& request,
                             ipc::Empty& reply);
    ipc::Error lookup(axo_thread_id_t from, const NameLookupRequest& request,
                      NameLookupReply& reply);
    ipc::Error unregister(axo_thread_id_t from, const NameUnregisterRequest& request,
                          ipc::Empty& reply);
    // Answers now if the name is bound, else keeps the caller (ipc::kNoReply) until a
    // register_name of it sends the answer.
    ipc::Error wait(axo_thread_id_t from, const NameWaitRequest& request, NameLookupReply& reply);
    uint32_t waiting() const;
    // A new request from `from`: the wait it left (it gave up) ends without an answer.
    void cancel_wait(axo_thread_id_t from);

    // proc knows `thread` is gone (it deleted it, or learned of its death): its names go at
    // once instead of on the next lookup. Returns how many.
    uint32_t thread_died(axo_thread_id_t thread) { return m_table.remove_thread(thread); }

    const NameTable& table() const { return m_table; }

private:
    // Drops the entry's bindings if its owner or server died; true if it did.
    bool reclaim_if_dead(const NameTable::Entry& entry);
    // Every dead entry: only when the table is full, since it asks about each one.
    void sweep();

    struct Waiter {
        axo_thread_id_t thread = AXO_NIL_THREAD;
        Name name;
    };

    NameTable m_table;
    Liveness m_alive;
    NameWaitAnswer m_answer;
    Waiter m_waiters[kNameWaits];
};

} // namespace proc
