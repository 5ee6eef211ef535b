#include "servers/proc/name_service.h"

namespace proc {

bool valid_name(const Name& name) {
    if (!name.terminated() || name.length() == 0) return false;
    for (uint32_t i = 0; i < name.length(); ++i) {
        char c = name.bytes[i];
        if (c <= ' ' || c > '~') return false;
    }
    return true;
}

namespace {

bool same_name(const Name& a, const Name& b) {
    for (uint32_t i = 0; i < kNameBytes; ++i) {
        if (a.bytes[i] != b.bytes[i]) return false;
        if (a.bytes[i] == '\0') return true;
    }
    return true;
}

} // namespace

void NameService::cancel_wait(axo_thread_id_t from) {
    for (Waiter& w : m_waiters)
        if (w.thread == from) w = Waiter{};
}

bool NameService::reclaim_if_dead(const NameTable::Entry& entry) {
    // Copies: removing clears the entry.
    axo_thread_id_t owner = entry.owner, server = entry.server;
    bool owner_alive = m_alive(owner);
    bool server_alive = server == owner ? owner_alive : m_alive(server);
    if (owner_alive && server_alive) return false;
    if (!owner_alive) m_table.remove_thread(owner);
    if (!server_alive) m_table.remove_thread(server);
    return true;
}

void NameService::sweep() {
    for (uint32_t i = 0; i < kNameCapacity; ++i) {
        const NameTable::Entry& entry = m_table.slot(i);
        if (entry.used) reclaim_if_dead(entry);
    }
}

ipc::Error NameService::register_name(axo_thread_id_t from, const NameRegisterRequest& request,
                                      ipc::Empty&) {
    if (!valid_name(request.name)) return ipc::Error::invalid_argument;
    axo_thread_id_t server = request.server == AXO_NIL_THREAD ? from : request.server;
    if (server != from) return ipc::Error::no_permission;

    const char* name = request.name.c_str();
    if (const NameTable::Entry* entry = m_table.find(name)) {
        if (entry->owner == from && entry->server == server) return ipc::Error::ok; // a retry
        if (!reclaim_if_dead(*entry)) return ipc::Error::exists;
    }
    ipc::Error error = m_table.add(name, from, server);
    if (error == ipc::Error::no_space && m_table.full()) {
        sweep();
        error = m_table.add(name, from, server);
    }
    if (error != ipc::Error::ok) return error;
    // The waiters for this name get their answer; one that gave up is dropped all the same.
    for (Waiter& w : m_waiters) {
        if (w.thread == AXO_NIL_THREAD || !same_name(w.name, request.name)) continue;
        axo_thread_id_t waiter = w.thread;
        w = Waiter{};
        if (m_answer.send != nullptr) (void)m_answer.send(m_answer.context, waiter, server);
    }
    return ipc::Error::ok;
}

ipc::Error NameService::wait(axo_thread_id_t from, const NameWaitRequest& request,
                             NameLookupReply& reply) {
    NameLookupRequest lookup_request{};
    lookup_request.name = request.name;
    ipc::Error error = lookup(from, lookup_request, reply);
    if (error != ipc::Error::no_such_name) return error;
    Waiter* free_slot = nullptr;
    for (Waiter& w : m_waiters) {
        if (w.thread == from) w = Waiter{}; // a new wait replaces the old
        if (w.thread == AXO_NIL_THREAD && free_slot == nullptr) free_slot = &w;
    }
    if (free_slot == nullptr) {
        // Waiters that died free their slots.
        for (Waiter& w : m_waiters)
            if (!m_alive(w.thread)) w = Waiter{};
        for (Waiter& w : m_waiters)
            if (w.thread == AXO_NIL_THREAD && free_slot == nullptr) free_slot = &w;
    }
    if (free_slot == nullptr) return ipc::Error::no_space;
    free_slot->thread = from;
    free_slot->name = request.name;
    return ipc::kNoReply;
}

uint32_t NameService::waiting() const {
    uint32_t n = 0;
    for (const Waiter& w : m_waiters)
        n += w.thread != AXO_NIL_THREAD ? 1u : 0u;
    return n;
}

ipc::Error NameService::lookup(axo_thread_id_t, const NameLookupRequest& request,
                               NameLookupReply& reply) {
    if (!valid_name(request.name)) return ipc::Error::invalid_argument;
    const NameTable::Entry* entry = m_table.find(request.name.c_str());
    if (entry == nullptr || reclaim_if_dead(*entry)) return ipc::Error::no_such_name;
    reply.server = entry->server;
    return ipc::Error::ok;
}

ipc::Error NameService::unregister(axo_thread_id_t from, const NameUnregisterRequest& request,
                                   ipc::Empty&) {
    if (!valid_name(request.name)) return ipc::Error::invalid_argument;
    return m_table.remove(request.name.c_str(), from);
}

} // namespace proc
