#include "servers/proc/name_table.h"

namespace proc {

ipc::Error NameTable::add(const char* name, axo_thread_id_t owner, axo_thread_id_t server) {
    if (find_entry(name) != nullptr) return ipc::Error::exists;
    if (full() || owned_by(owner) >= kNamesPerOwner) return ipc::Error::no_space;
    for (Entry& entry : m_entries) {
        if (entry.used) continue;
        if (!entry.name.set(name)) return ipc::Error::invalid_argument;
        entry.owner = owner;
        entry.server = server;
        entry.used = true;
        ++m_size;
        return ipc::Error::ok;
    }
    return ipc::Error::no_space; // unreachable while m_size counts right
}

const NameTable::Entry* NameTable::find(const char* name) const {
    for (const Entry& entry : m_entries)
        if (entry.used && entry.name.equals(name)) return &entry;
    return nullptr;
}

NameTable::Entry* NameTable::find_entry(const char* name) {
    for (Entry& entry : m_entries)
        if (entry.used && entry.name.equals(name)) return &entry;
    return nullptr;
}

ipc::Error NameTable::remove(const char* name, axo_thread_id_t requester) {
    Entry* entry = find_entry(name);
    if (entry == nullptr) return ipc::Error::no_such_name;
    if (entry->owner != requester) return ipc::Error::no_permission;
    *entry = {};
    --m_size;
    return ipc::Error::ok;
}

uint32_t NameTable::remove_thread(axo_thread_id_t thread) {
    uint32_t removed = 0;
    for (Entry& entry : m_entries) {
        if (!entry.used || (entry.owner != thread && entry.server != thread)) continue;
        entry = {};
        --m_size;
        ++removed;
    }
    return removed;
}

uint32_t NameTable::owned_by(axo_thread_id_t owner) const {
    uint32_t count = 0;
    for (const Entry& entry : m_entries)
        if (entry.used && entry.owner == owner) ++count;
    return count;
}

} // namespace proc
