// Process management (interfaces/process/protocol.h, kProcSpawn..kProcKill): the protocol's rules —
// who may do what to which process, parents and orphans, zombies, deferred wait replies —
// over the ProcessTable. What touches the kernel and memory (creating and deleting threads,
// loading images, sending a deferred reply) is done through `ProcessHost`: proc binds it to
// lib/loader and the kernel (processes.cc), host tests to a fake
// (tests/unit/proc_process_service_test.cc).
#pragma once

#include <stdint.h>

#include "lib/ipc/dispatcher.h"
#include "servers/proc/boot_config.h"
#include "servers/proc/process_table.h"
#include "interfaces/process/protocol.h"

namespace proc {

struct ProcessHost {
    void* context;
    // Starts boot module `module` (BootConfig::modules index) as `thread`, the first thread of
    // a new space, for table slot `slot`, with `argv` (argc words; argv[0] its name). Returns
    // ok, or the error for the spawn (unsupported: not a program; invalid_argument: the
    // arguments do not fit; no_memory: the kernel refused). Nothing remains after an error.
    ipc::Error (*start)(void* context, uint32_t slot, uint32_t module, axo_thread_id_t thread,
                        const char* const* argv, uint32_t argc);
    // Deletes the thread — its space and every page in it go — and takes back the slot's
    // pages. The process's name-service bindings go too.
    void (*destroy)(void* context, uint32_t slot, axo_thread_id_t thread);
    // Sends a deferred wait reply (`reply` on ok, else the error alone); false if `waiter`
    // is no longer waiting for it.
    bool (*answer)(void* context, axo_thread_id_t waiter, ipc::Error error, const WaitReply& reply);
    // Called once for every process that ends, after it is destroyed (for the log and the
    // module's on-exit policy).
    void (*ended)(void* context, const ProcessEntry& entry);
    // Makes the process in `slot` (`thread`, a new space) a copy of the running process in
    // `parent_slot`, its first thread starting at ip, sp. nullptr: fork is unsupported.
    ipc::Error (*fork)(void* context, uint32_t slot, uint32_t parent_slot, axo_thread_id_t thread,
                       uint32_t ip, uint32_t sp) = nullptr;
};

struct ProcessCounters {
    uint32_t spawned;
    uint32_t ended;
};

class ProcessService {
public:
    static constexpr uint32_t kMaxWaits = 16;
    static constexpr uint32_t kMaxArguments = 32; // argv words, the name included

    ProcessService(ProcessHost host, const BootConfig* config) : m_host(host), m_config(config) {}
    void set_config(const BootConfig* config) { m_config = config; }

    // The handlers; `from` is the kernel-given sender.
    ipc::Error spawn(axo_thread_id_t from, const SpawnRequest& request, SpawnReply& reply);
    ipc::Error exit(axo_thread_id_t from, const ExitRequest& request, ipc::Empty& reply);
    ipc::Error wait(axo_thread_id_t from, const WaitRequest& request, WaitReply& reply);
    ipc::Error kill(axo_thread_id_t from, const KillRequest& request, ipc::Empty& reply);
    ipc::Error fork(axo_thread_id_t from, const ForkRequest& request, SpawnReply& reply);

    // Starts config module `module` as a child of `parent` with its configured arguments and
    // then the words of `extra` (nullptr: none). At boot: start(kNoProcess, i, nullptr, ...).
    ipc::Error start(ProcessId parent, uint32_t module, const char* extra, SpawnReply& reply);

    // A process's thread faulted in a way proc will not resolve, or proc ran out of memory
    // for it: the process ends with `reason` and `status`. False if `thread` is no running
    // process's.
    bool end_thread(axo_thread_id_t thread, ExitReason reason, int32_t status);

    // The running process of a thread, or nullptr: page faults and exceptions are served
    // only for these.
    const ProcessEntry* running(axo_thread_id_t thread) { return m_table.find_running(thread); }

    // The pid a sender acts as: its process, or kNoProcess (proc itself; protocol.h).
    ProcessId caller(axo_thread_id_t from) {
        const ProcessEntry* entry = m_table.find_running(from);
        return entry != nullptr ? entry->pid : kNoProcess;
    }

    const ProcessTable& table() const { return m_table; }
    // For the thread operations (threads.cc), which keep an entry's extra threads.
    ProcessTable& table() { return m_table; }
    ProcessCounters counters() const { return m_counters; }
    uint32_t pending_waits() const { return m_wait_count; }

private:
    struct Wait {
        axo_thread_id_t thread; // who waits, blocked in its call
        ProcessId parent;       // as whom (caller(thread) when it asked)
        ProcessId pid;          // for whom; kWaitAnyChild: any child of parent
    };

    void end(ProcessEntry& entry, ExitReason reason, int32_t status);
    // `child` has ended: answer a wait for it (and reap it), or leave it for one — unless its
    // parent is proc, which reaps its own children unless one of its threads waits.
    void deliver(ProcessEntry& child);
    // `reaped`, a child of `parent`, is gone: other waits for it, and waits for any child of
    // `parent` if it has none left, can never be answered: they fail with not_found.
    void settle_waits(ProcessId parent, ProcessId reaped);
    bool has_children(ProcessId parent);
    void remove_wait(uint32_t index);
    void drop_waits_of_thread(axo_thread_id_t thread);
    void drop_waits_of_parent(ProcessId parent);
    static WaitReply wait_reply(const ProcessEntry& child);

    ProcessTable m_table;
    ProcessHost m_host;
    const BootConfig* m_config;
    Wait m_waits[kMaxWaits] = {};
    uint32_t m_wait_count = 0;
    ProcessCounters m_counters{};
};

} // namespace proc
