// proc's process table: a fixed number of slots, each a process with its pid, parent, threads
// and state, and the thread ids processes get. Pure bookkeeping, tested on the host
// (tests/unit/proc_process_service_test.cc); the rules of the protocol are process_service.h.
//
// Thread ids: every thread of a process — its first and its extra ones — takes a thread number
// from one pool, [kFirstThreadNumber, AXO_MAX_THREADS), round robin, each time with a version
// one above the last one used on that number. The kernel refuses a version not above every
// deleted one (docs/kernel-api.md §2), and versions make a dead thread's id stale forever, so
// a late message to it can never reach its successor. A number whose versions are used up is
// retired. The pool holds 768 numbers of 16383 versions: 12.58 million threads before the
// first spawn fails — a million spawns (each a first thread) use 8 % of it, and round robin
// spreads them evenly (1302 versions of each number); a workload of a million spawns and
// a million threads uses 16 %.
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

// Threads a process may have besides its first (kProcThreadCreate): 32 in all, as many as mm
// attaches to a client (its kThreadsPerClient).
constexpr uint32_t kExtraThreads = 31;

struct ProcessEntry {
    ProcessId pid;
    ProcessId parent; // kNoProcess: proc itself
    axo_thread_id_t thread;
    // Its other threads (nil: none), created by kProcThreadCreate; they act as the process.
    axo_thread_id_t extra[kExtraThreads];
    ProcessState state;
    uint32_t module; // index into BootConfig::modules
    // The program's name once it exec'd a file (argv[0]'s last component, kProcInfo); empty: the
    // module's. A fork's child has its parent's.
    char name[kInfoNameBytes];
    // Its argv when it started its program (kProcCommandLine), each argument terminated, cut
    // to the room. A fork's child has its parent's.
    char command_line[kCommandLineBytes];
    uint32_t command_line_length;
    bool system;     // proc started it from the boot configuration: kill(-1) spares it
    uint32_t reason; // ExitReason, once ended
    int32_t status;  // once ended

    // Identity (protocol.h, "Identity"): inherited from the parent.
    ProcessId pgid;
    ProcessId sid;
    Credentials credentials;
    bool execed; // it runs an image of its own (spawned, or exec'd): setpgid by its parent fails

    // Signals (protocol.h, "Signals"): what the process reported, and what proc keeps for it.
    uint32_t ignored; // signal_bit()s
    uint32_t caught;
    uint32_t pending; // caught signals not yet collected; any signal while stopped
    bool stopped;     // its threads are halted
    // Delivery to handlers (protocol.h, "Signal delivery").
    uint32_t blocked; // the process's mask, as it last reported it (all, after a take)
    uint32_t entry;   // its signal entry; 0: none, signals are only recorded
    bool diverted;    // sent to its entry; the context below not yet taken
    uint32_t saved_ip, saved_sp, saved_flags;         // the context the diversion interrupted
    uint32_t fault_signal, fault_code, fault_address; // a fault's signal waiting for the take
    // Not yet reported to a wait with kWaitUntraced / kWaitContinued (at most one of them).
    uint32_t report;       // 0, kExitStopped or kExitContinued
    int32_t report_status; // the stopping signal, or SIGCONT
};

class ProcessTable {
public:
    // 256 processes of users, and room for the servers.
    static constexpr uint32_t kSlots = 320;
    // Above the numbers the kernel reserves, σ0 (32), proc (33) and proc's own threads
    // (selftest.cc uses 63..71, paging.cc 80 and 81).
    static constexpr uint32_t kFirstThreadNumber = 256;
    static constexpr uint32_t kThreadNumbers = AXO_MAX_THREADS - kFirstThreadNumber;
    static constexpr uint32_t kMaxVersion = (1u << 14) - 1;
    static_assert(kSlots <= kThreadNumbers, "every process needs a thread number");

    ProcessTable();

    // A free slot, marked running, with a new pid and thread id: the caller starts it or
    // gives it back with release(). nullptr if every slot is taken or no thread number is free.
    // `pid`, if not kNoProcess: that pid (nullptr if it is in use).
    ProcessEntry* allocate(ProcessId parent, uint32_t module, ProcessId pid = kNoProcess);
    // Pid 1 is handed out only when asked for (init's, boot_config.h role=init).
    void reserve_first_pid() { m_first_pid_reserved = true; }
    // The slot is free again (the process was reaped, or never started), and its threads'
    // numbers.
    void release(ProcessEntry& entry);

    ProcessEntry* find(ProcessId pid);
    // The running process whose thread (first or extra) this is.
    ProcessEntry* find_running(axo_thread_id_t thread);
    // A new thread id from the pool (a version above every earlier one of its number), or nil
    // when the pool is empty. For extra threads; give it back with release_thread once the
    // thread is deleted.
    axo_thread_id_t new_thread();
    void release_thread(axo_thread_id_t thread);
    uint32_t slot_of(const ProcessEntry& entry) const {
        return static_cast<uint32_t>(&entry - m_entries);
    }
    ProcessEntry& at(uint32_t slot) { return m_entries[slot]; }
    const ProcessEntry& at(uint32_t slot) const { return m_entries[slot]; }

    // Processes in the table, running or ended.
    uint32_t count() const;
    // Thread numbers in use, and retired (their versions used up).
    uint32_t numbers_in_use() const { return m_numbers_in_use; }
    uint32_t numbers_retired() const { return m_numbers_retired; }

private:
    ProcessEntry m_entries[kSlots];
    uint16_t m_version[kThreadNumbers] = {}; // last version used; 0: never
    bool m_in_use[kThreadNumbers] = {};
    uint32_t m_next_number = 0;
    uint32_t m_numbers_in_use = 0, m_numbers_retired = 0;
    ProcessId m_last_pid = kNoProcess;
    bool m_first_pid_reserved = false;
    uint32_t m_last_slot = kSlots - 1;
    // find_running's hint: the slot where a thread number was last found (kSlots: none). Only
    // a hint — checked against the entry — so nothing has to keep it exact; it spares the walk
    // over every slot that each request to proc made (a signal to self is four of them).
    uint16_t m_slot_of_number[kThreadNumbers];
};

} // namespace proc
