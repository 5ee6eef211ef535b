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
    }
    for (uint16_t& slot : m_slot_of_number)
        slot = kSlots;
}

axo_thread_id_t ProcessTable::new_thread() {
    for (uint32_t n = 0; n < kThreadNumbers; ++n) {
        uint32_t i = (m_next_number + n) % kThreadNumbers;
        if (m_in_use[i] || m_version[i] >= kMaxVersion) continue;
        m_next_number = (i + 1) % kThreadNumbers;
        m_in_use[i] = true;
        ++m_numbers_in_use;
        if (++m_version[i] == kMaxVersion) ++m_numbers_retired;
        return axo_thread_id(kFirstThreadNumber + i, m_version[i]);
    }
    return AXO_NIL_THREAD;
}

void ProcessTable::release_thread(axo_thread_id_t thread) {
    uint32_t number = axo_thread_number(thread);
    if (thread == AXO_NIL_THREAD || number < kFirstThreadNumber || number >= AXO_MAX_THREADS)
        return;
    uint32_t i = number - kFirstThreadNumber;
    if (!m_in_use[i] || m_version[i] != axo_thread_version(thread)) return;
    m_in_use[i] = false;
    --m_numbers_in_use;
}

ProcessEntry* ProcessTable::allocate(ProcessId parent, uint32_t module, ProcessId wanted) {
    if (wanted != kNoProcess && find(wanted) != nullptr) return nullptr;
    // Round robin over the slots, so that a pid's slot is not predictable from the last one.
    uint32_t slot = kSlots;
    for (uint32_t n = 1; n <= kSlots && slot == kSlots; ++n) {
        uint32_t i = (m_last_slot + n) % kSlots;
        if (m_entries[i].state == ProcessState::free) slot = i;
    }
    if (slot == kSlots) return nullptr;
    axo_thread_id_t thread = new_thread();
    if (thread == AXO_NIL_THREAD) return nullptr;

    // Every pid in use is in one of kSlots entries, so this ends within kSlots + 1 steps.
    ProcessId pid = wanted;
    if (pid == kNoProcess) {
        pid = m_last_pid;
        const ProcessId first = m_first_pid_reserved ? 2 : 1;
        do {
            pid = pid >= kMaxPid || pid < first ? first : pid + 1;
        } while (find(pid) != nullptr);
        m_last_pid = pid;
    }
    m_last_slot = slot;
    ProcessEntry& entry = m_entries[slot];
    entry = ProcessEntry{};
    entry.pid = pid;
    entry.parent = parent;
    entry.thread = thread;
    entry.state = ProcessState::running;
    entry.module = module;
    return &entry;
}

void ProcessTable::release(ProcessEntry& entry) {
    release_thread(entry.thread);
    for (axo_thread_id_t extra : entry.extra)
        release_thread(extra);
    entry = ProcessEntry{};
    entry.state = ProcessState::free;
}

ProcessEntry* ProcessTable::find(ProcessId pid) {
    if (pid == kNoProcess) return nullptr;
    for (ProcessEntry& entry : m_entries)
        if (entry.state != ProcessState::free && entry.pid == pid) return &entry;
    return nullptr;
}

namespace {
bool runs_thread(const ProcessEntry& entry, axo_thread_id_t thread) {
    if (entry.state != ProcessState::running) return false;
    if (entry.thread == thread) return true;
    for (axo_thread_id_t extra : entry.extra)
        if (extra == thread) return true;
    return false;
}
} // namespace

ProcessEntry* ProcessTable::find_running(axo_thread_id_t thread) {
    if (thread == AXO_NIL_THREAD) return nullptr;
    // Numbers below the table's are no process's (proc's own threads, the kernel's).
    uint32_t index = axo_thread_number(thread) - kFirstThreadNumber;
    bool hinted = axo_thread_number(thread) >= kFirstThreadNumber && index < kThreadNumbers;
    if (hinted) {
        uint32_t slot = m_slot_of_number[index];
        if (slot < kSlots && runs_thread(m_entries[slot], thread)) return &m_entries[slot];
    }
    for (ProcessEntry& entry : m_entries) {
        if (!runs_thread(entry, thread)) continue;
        if (hinted) m_slot_of_number[index] = static_cast<uint16_t>(slot_of(entry));
        return &entry;
    }
    return nullptr;
}

uint32_t ProcessTable::count() const {
    uint32_t n = 0;
    for (const ProcessEntry& entry : m_entries)
        n += entry.state != ProcessState::free ? 1 : 0;
    return n;
}

} // namespace proc
