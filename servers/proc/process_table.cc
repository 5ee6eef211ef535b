#include "servers/proc/process_table.h"

namespace proc {

namespace {
// Pids stay positive as a POSIX pid_t would.
constexpr ProcessId kMaxPid = 0x7FFFFFFFu;
} // namespace

ProcessTable::ProcessTable() {
    for (uint32_t i = 0; i < kSlots; ++i) {
        m_entries[i] = ProcessEntry{};
        m_entries[i].state = ProcessState::free;
        m_last_version[i] = 0;
    }
}

ProcessEntry* ProcessTable::allocate(ProcessId parent, uint32_t module) {
    // Round robin over the slots, so that versions (and retirement) spread evenly.
    uint32_t slot = kSlots;
    for (uint32_t n = 1; n <= kSlots && slot == kSlots; ++n) {
        uint32_t i = (m_last_slot + n) % kSlots;
        if (m_entries[i].state == ProcessState::free && m_last_version[i] < kMaxVersion) slot = i;
    }
    if (slot == kSlots) return nullptr;

    // Every pid in use is in one of kSlots entries, so this ends within kSlots + 1 steps.
    ProcessId pid = m_last_pid;
    do {
        pid = pid >= kMaxPid ? 1 : pid + 1;
    } while (find(pid) != nullptr);

    m_last_slot = slot;
    m_last_pid = pid;
    uint16_t version = ++m_last_version[slot];
    ProcessEntry& entry = m_entries[slot];
    entry = ProcessEntry{};
    entry.pid = pid;
    entry.parent = parent;
    entry.thread = axo_thread_id(kFirstThreadNumber + slot, version);
    entry.state = ProcessState::running;
    entry.module = module;
    return &entry;
}

void ProcessTable::release(ProcessEntry& entry) {
    entry = ProcessEntry{};
    entry.state = ProcessState::free;
}

ProcessEntry* ProcessTable::find(ProcessId pid) {
    if (pid == kNoProcess) return nullptr;
    for (ProcessEntry& entry : m_entries)
        if (entry.state != ProcessState::free && entry.pid == pid) return &entry;
    return nullptr;
}

ProcessEntry* ProcessTable::find_running(axo_thread_id_t thread) {
    if (thread == AXO_NIL_THREAD) return nullptr;
    for (ProcessEntry& entry : m_entries) {
        if (entry.state != ProcessState::running) continue;
        if (entry.thread == thread) return &entry;
        for (axo_thread_id_t extra : entry.extra)
            if (extra == thread) return &entry;
    }
    return nullptr;
}

axo_thread_id_t ProcessTable::new_extra_thread(uint32_t slot, uint32_t k) {
    if (slot >= kSlots || k >= kExtraThreads) return AXO_NIL_THREAD;
    uint16_t& version = m_last_extra_version[slot * kExtraThreads + k];
    if (version >= kMaxVersion) return AXO_NIL_THREAD;
    return axo_thread_id(kFirstExtraNumber + slot * kExtraThreads + k, ++version);
}

uint32_t ProcessTable::count() const {
    uint32_t n = 0;
    for (const ProcessEntry& entry : m_entries)
        n += entry.state != ProcessState::free ? 1 : 0;
    return n;
}

} // namespace proc
