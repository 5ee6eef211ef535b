// proc's process table: a fixed number of slots, each a process with its pid, parent, thread
// and state, and the thread ids processes get. Pure bookkeeping, tested on the host
// (tests/unit/proc_process_table_test.cc); the rules of the protocol are process_service.h.
//
// Thread ids: slot i runs its processes on thread number kFirstThreadNumber + i, each with a
// version one above the last one used there. The kernel refuses a version not above every
// deleted one (docs/kernel-api.md §2), and versions make a dead process's thread id stale
// forever, so a late message to it can never reach its successor. A slot whose versions are
// used up (after 16383 processes) is retired.
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"
#include "interfaces/process/protocol.h"

namespace proc {

enum class ProcessState : uint8_t {
    free,    // no process
    running, // its thread exists (it may be blocked, or faulting)
    ended,   // its thread is deleted and its memory reclaimed; the status waits for a wait
};

// Threads a process may have besides its first (kProcThreadCreate): mm attaches at most 4 threads
// to a client.
constexpr uint32_t kExtraThreads = 3;

struct ProcessEntry {
    ProcessId pid;
    ProcessId parent; // kNoProcess: proc itself
    axo_thread_id_t thread;
    // Its other threads (nil: none), created by kProcThreadCreate; they act as the process.
    axo_thread_id_t extra[kExtraThreads];
    ProcessState state;
    uint32_t module; // index into BootConfig::modules
    uint32_t reason; // ExitReason, once ended
    int32_t status;  // once ended
};

class ProcessTable {
public:
    static constexpr uint32_t kSlots = 32;
    // Above the numbers the kernel reserves, σ0 (32), proc (33) and proc's own threads
    // (selftest.cc uses 63..71); below AXO_MAX_THREADS.
    static constexpr uint32_t kFirstThreadNumber = 256;
    static constexpr uint32_t kMaxVersion = (1u << 14) - 1;
    static_assert(kFirstThreadNumber + kSlots <= AXO_MAX_THREADS);
    // Extra threads: slot i's k-th uses number kFirstExtraNumber + i * kExtraThreads + k.
    static constexpr uint32_t kFirstExtraNumber = kFirstThreadNumber + kSlots;
    static_assert(kFirstExtraNumber + kSlots * kExtraThreads <= AXO_MAX_THREADS);

    ProcessTable();

    // A free slot, marked running, with a new pid and thread id: the caller starts it or
    // gives it back with release(). nullptr if every slot is taken or retired.
    ProcessEntry* allocate(ProcessId parent, uint32_t module);
    // The slot is free again (the process was reaped, or never started).
    void release(ProcessEntry& entry);

    ProcessEntry* find(ProcessId pid);
    // The running process whose thread (first or extra) this is.
    ProcessEntry* find_running(axo_thread_id_t thread);
    // A new id for extra thread k of the process in `slot` (a version above every earlier
    // one of its number), or nil when the number's versions are used up.
    axo_thread_id_t new_extra_thread(uint32_t slot, uint32_t k);
    uint32_t slot_of(const ProcessEntry& entry) const {
        return static_cast<uint32_t>(&entry - m_entries);
    }
    ProcessEntry& at(uint32_t slot) { return m_entries[slot]; }
    const ProcessEntry& at(uint32_t slot) const { return m_entries[slot]; }

    // Processes in the table, running or ended.
    uint32_t count() const;

private:
    ProcessEntry m_entries[kSlots];
    uint16_t m_last_version[kSlots]; // 0: never used
    uint16_t m_last_extra_version[kSlots * kExtraThreads] = {};
    ProcessId m_last_pid = kNoProcess;
    uint32_t m_last_slot = kSlots - 1;
};

} // namespace proc
