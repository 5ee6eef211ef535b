#include "servers/fs/pager/exec_objects.h"

namespace fs {

uint32_t ExecObjects::entry_of_cookie(uint32_t cookie) const {
    uint32_t index = cookie & 0xFFu;
    if (index >= kEntries || !m_entries[index].used || m_entries[index].generation != (cookie >> 8))
        return kNone;
    return index;
}

uint32_t ExecObjects::find(const Node& node) const {
    for (uint32_t i = 0; i < kEntries; ++i)
        if (m_entries[i].used && m_entries[i].node == node) return i;
    return kNone;
}

uint32_t ExecObjects::free_entry() const {
    for (uint32_t i = 0; i < kEntries; ++i)
        if (!m_entries[i].used) return i;
    return kNone;
}

void ExecObjects::add(uint32_t index, const Node& node, uint32_t object, uint32_t size,
                      Handle handle) {
    Entry& e = m_entries[index];
    uint32_t generation = (e.generation + 1) & 0x00FFFFFFu;
    e = Entry{true, node, object, size, handle, generation, 0};
}

void ExecObjects::remove(uint32_t index) {
    if (index >= kEntries) return;
    uint32_t generation = m_entries[index].generation;
    m_entries[index] = Entry{};
    m_entries[index].generation = generation;
}

ExecObjects::Process* ExecObjects::process(uint32_t pid, bool create) {
    Process* free = nullptr;
    for (Process& p : m_processes) {
        if (p.pid == pid) return &p;
        if (p.pid == 0 && free == nullptr) free = &p;
    }
    if (!create || free == nullptr || pid == 0) return nullptr;
    *free = Process{pid, kNone, kNone};
    return free;
}

void ExecObjects::drop(uint32_t index, uint32_t* ended, uint32_t* count) {
    if (index == kNone) return;
    Entry& e = m_entries[index];
    if (e.users == 0) return; // never: every use was counted
    if (--e.users == 0) ended[(*count)++] = index;
}

bool ExecObjects::ask(uint32_t pid, uint32_t index, uint32_t* ended, uint32_t* count) {
    *count = 0;
    if (index >= kEntries || !m_entries[index].used) return false;
    Process* p = process(pid, true);
    if (p == nullptr) return false;
    ++m_entries[index].users; // first, so that asking again for the same file keeps it
    drop(p->asked, ended, count);
    p->asked = index;
    return true;
}

void ExecObjects::exec(uint32_t pid, uint32_t object, uint32_t* ended, uint32_t* count) {
    *count = 0;
    Process* p = process(pid, false);
    if (p == nullptr) return;
    uint32_t now = kNone;
    if (p->asked != kNone && object != 0 && m_entries[p->asked].object == object) {
        now = p->asked; // its use moves from asked to running
        p->asked = kNone;
    }
    drop(p->running, ended, count);
    drop(p->asked, ended, count);
    p->asked = kNone;
    p->running = now;
    tidy(*p);
}

void ExecObjects::fork(uint32_t parent, uint32_t child, uint32_t* ended, uint32_t* count) {
    exit(child, ended, count); // a pid seen before starts afresh
    if (child == parent) return;
    const Process* from = process(parent, false);
    if (from == nullptr || from->running == kNone) return;
    uint32_t running = from->running;
    Process* to = process(child, true);
    if (to == nullptr) return; // no room: the object may end while the child runs (README.md)
    to->running = running;
    ++m_entries[running].users;
}

void ExecObjects::exit(uint32_t pid, uint32_t* ended, uint32_t* count) {
    *count = 0;
    Process* p = process(pid, false);
    if (p == nullptr) return;
    drop(p->running, ended, count);
    drop(p->asked, ended, count);
    *p = Process{};
}

uint32_t ExecObjects::entries_in_use() const {
    uint32_t n = 0;
    for (const Entry& e : m_entries)
        n += e.used ? 1 : 0;
    return n;
}

uint32_t ExecObjects::running(uint32_t pid) const {
    for (const Process& p : m_processes)
        if (p.pid == pid && pid != 0) return p.running;
    return kNone;
}

uint32_t ExecObjects::asked(uint32_t pid) const {
    for (const Process& p : m_processes)
        if (p.pid == pid && pid != 0) return p.asked;
    return kNone;
}

} // namespace fs
