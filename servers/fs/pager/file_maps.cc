// Shared file mappings' bookkeeping: file_maps.h.
#include "servers/fs/pager/file_maps.h"

namespace fs {

uint32_t FileMaps::find(const Node& node) const {
    for (uint32_t i = 0; i < kEntries; ++i)
        if (m_entries[i].used && m_entries[i].node == node) return i;
    return kNone;
}

uint32_t FileMaps::find_object(uint32_t object) const {
    for (uint32_t i = 0; i < kEntries && object != 0; ++i)
        if (m_entries[i].used && m_entries[i].object == object) return i;
    return kNone;
}

uint32_t FileMaps::free_entry() const {
    for (uint32_t i = 0; i < kEntries; ++i)
        if (!m_entries[i].used) return i;
    return kNone;
}

void FileMaps::add(uint32_t index, const Entry& entry) {
    m_entries[index] = entry;
    m_entries[index].used = true;
    m_entries[index].limit = entry.size; // all of it, until the mapper says less
}

FileMaps::Use* FileMaps::use(uint32_t pid, uint32_t index, bool create) {
    Use* free = nullptr;
    for (Use& u : m_uses) {
        if (u.pid == pid && u.entry == index) return &u;
        if (u.pid == 0 && free == nullptr) free = &u;
    }
    if (!create || free == nullptr) return nullptr;
    *free = Use{pid, index, 0};
    return free;
}

bool FileMaps::map(uint32_t pid, uint32_t index) {
    if (pid == 0 || index >= kEntries || !m_entries[index].used) return false;
    Use* u = use(pid, index, true);
    if (u == nullptr) return false;
    ++u->count;
    return true;
}

bool FileMaps::maps(uint32_t pid, uint32_t index) const {
    for (const Use& u : m_uses)
        if (pid != 0 && u.pid == pid && u.entry == index) return true;
    return false;
}

bool FileMaps::unmap(uint32_t pid, uint32_t index) {
    Use* u = pid == 0 ? nullptr : use(pid, index, false);
    if (u == nullptr) return false;
    if (--u->count == 0) *u = Use{};
    return users(index) == 0;
}

void FileMaps::fork(uint32_t parent, uint32_t child) {
    if (parent == 0 || child == 0) return;
    for (uint32_t i = 0; i < kUses; ++i) {
        if (m_uses[i].pid != parent) continue;
        Use* copy = use(child, m_uses[i].entry, true);
        if (copy != nullptr) copy->count += m_uses[i].count;
    }
}

void FileMaps::exit(uint32_t pid, uint32_t* ended, uint32_t* count) {
    *count = 0;
    if (pid == 0) return;
    for (Use& u : m_uses) {
        if (u.pid != pid) continue;
        uint32_t index = u.entry;
        u = Use{};
        if (users(index) == 0) ended[(*count)++] = index;
    }
}

uint32_t FileMaps::users(uint32_t index) const {
    uint32_t total = 0;
    for (const Use& u : m_uses)
        if (u.pid != 0 && u.entry == index) total += u.count;
    return total;
}

bool FileMaps::overlap(uint32_t index, uint64_t offset, uint32_t length, uint32_t* from,
                       uint32_t* to) const {
    const Entry& e = m_entries[index];
    if (!e.used || length == 0 || offset >= e.limit) return false;
    uint64_t end = offset + length;
    *from = static_cast<uint32_t>(offset);
    *to = end > e.limit ? e.limit : static_cast<uint32_t>(end);
    return true;
}

} // namespace fs
