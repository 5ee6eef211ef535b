// The name service's table: which thread serves a name, and which thread owns the binding.
// Fixed capacity, no allocation; pure logic, tested on the host
// (tests/unit/proc_name_table_test.cc). The rules that need the kernel (who is alive) are the
// NameService's (name_service.h).
#pragma once

#include <stdint.h>

#include "interfaces/names/protocol.h"
#include "lib/ipc/error.h"

namespace proc {

class NameTable {
public:
    struct Entry {
        Name name;
        axo_thread_id_t owner;  // who registered it: the only one who may unregister it
        axo_thread_id_t server; // what lookups return
        bool used;
    };

    // Names are valid C strings of at most Name::kCapacity bytes (the NameService checks).
    //   exists:   the name is bound (to anything: the caller decides whether that is a retry)
    //   no_space: the table is full, or `owner` has kNamesPerOwner names already
    ipc::Error add(const char* name, axo_thread_id_t owner, axo_thread_id_t server);
    // nullptr if unbound.
    const Entry* find(const char* name) const;
    //   no_such_name, or no_permission if `requester` is not the owner
    ipc::Error remove(const char* name, axo_thread_id_t requester);
    // Unbinds every name `thread` owns or serves: it died. Returns how many went.
    uint32_t remove_thread(axo_thread_id_t thread);

    uint32_t size() const { return m_size; }
    bool full() const { return m_size == kNameCapacity; }
    uint32_t owned_by(axo_thread_id_t owner) const;
    // Slots 0..kNameCapacity-1, used or not: for sweeps.
    const Entry& slot(uint32_t index) const { return m_entries[index]; }

private:
    Entry* find_entry(const char* name);

    Entry m_entries[kNameCapacity] = {};
    uint32_t m_size = 0;
};

} // namespace proc
