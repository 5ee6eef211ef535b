// Process management (interfaces/process/protocol.h, kProcSpawn..kProcKill): the protocol's rules —
// who may do what to which process, parents and orphans, zombies, deferred wait replies —
// over the ProcessTable. What touches the kernel and memory (creating and deleting threads,
// loading images, sending a deferred reply) is done through `ProcessHost`: proc binds it to
// lib/loader and the kernel (processes.cc), host tests to a fake
// (tests/unit/proc_process_service_test.cc).
#pragma once

#include <stdint.h>

#include "interfaces/process/protocol.h"
#include "lib/ipc/dispatcher.h"
#include "lib/ipc/pending_requests.h"
#include "lib/loader/layout.h"
#include "servers/proc/boot_config.h"
#include "servers/proc/event_stream.h"
#include "servers/proc/file_image.h"
#include "servers/proc/process_table.h"

namespace proc {

struct ProcessHost {
    void* context;
    // Starts boot module `module` (BootConfig::modules index) as `thread`, the first thread of
    // a new space, for table slot `slot`, with `argv` (argc words; argv[0] its name), then the
    // arguments and environment of `more` (an argument block, already checked). Returns ok, or
    // the error for the spawn (unsupported: not a program; invalid_argument: the arguments do
    // not fit; no_memory: the kernel refused, or no room for the arguments). Nothing remains
    // after an error.
    ipc::Error (*start)(void* context, uint32_t slot, uint32_t module, axo_thread_id_t thread,
                        const char* const* argv, uint32_t argc, const loader::StringBlock& more);
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
    // start and fork make the process but do not let it run: run does, after its events are
    // queued (protocol.h, "The event stream"). An error: the kernel refused; the process is
    // then ended like a killed one. nullptr: start and fork run it themselves (host tests).
    ipc::Error (*run)(void* context, uint32_t slot, axo_thread_id_t thread) = nullptr;
    // Halts (stop) or resumes every thread of the process in `slot`: SIGSTOP and SIGCONT.
    void (*halt)(void* context, uint32_t slot, bool stop) = nullptr;
    // A caught signal became pending for the process in `slot`: the place to wake it (a kernel
    // notification, once the kernel has them); until then the process collects it itself.
    void (*signalled)(void* context, uint32_t slot, uint32_t signal) = nullptr;
    // Sends `thread` to `entry` (its ip; an ipc it is blocked in is aborted) and returns the ip,
    // sp and flags it had: a signal's delivery (protocol.h, "Signal delivery"). false: the
    // kernel refused (the thread is gone, or entry is no user address); nothing changed.
    bool (*divert)(void* context, axo_thread_id_t thread, uint32_t entry, uint32_t& ip,
                   uint32_t& sp, uint32_t& flags) = nullptr;
    // The event stream's deferred replies and a thread's liveness (EventHost).
    bool (*answer_events)(void* context, axo_thread_id_t subscriber,
                          const EventNextReply& reply) = nullptr;
    bool (*alive)(void* context, axo_thread_id_t thread) = nullptr;
    void (*notify_events)(void* context, axo_thread_id_t subscriber, uint32_t bits) = nullptr;
    // Whether config module `module` is a program start can run (exec checks before the old
    // program goes); nullptr: start decides.
    bool (*startable)(void* context, uint32_t module) = nullptr;
    // exec of a program file (kProcExecFile): as start, but the image is the file's (its
    // regions from mm's object: paging.cc) and argv is the block's alone. nullptr: unsupported.
    ipc::Error (*start_file)(void* context, uint32_t slot, const FileImage& image,
                             axo_thread_id_t thread, const loader::StringBlock& strings) = nullptr;
};

struct ProcessCounters {
    uint32_t spawned;
    uint32_t ended;
};

class ProcessService {
public:
    static constexpr uint32_t kMaxWaits = 16;
    static constexpr uint32_t kMaxArguments = 32; // argv words, the name included

    ProcessService(ProcessHost host, const BootConfig* config)
        : m_host(host), m_config(config),
          m_events(EventHost{this, &answer_events, &thread_alive, &notify_events}) {
        reserve_init_pid();
    }
    void set_config(const BootConfig* config) {
        m_config = config;
        reserve_init_pid();
    }

    // The handlers; `from` is the kernel-given sender.
    ipc::Error spawn(axo_thread_id_t from, const SpawnRequest& request, SpawnReply& reply);
    ipc::Error exit(axo_thread_id_t from, const ExitRequest& request, ipc::Empty& reply);
    ipc::Error wait(axo_thread_id_t from, const WaitRequest& request, WaitReply& reply);
    ipc::Error kill(axo_thread_id_t from, const KillRequest& request, ipc::Empty& reply);
    ipc::Error fork(axo_thread_id_t from, const ForkRequest& request, SpawnReply& reply);
    ipc::Error exec(axo_thread_id_t from, const ExecRequest& request, ipc::Empty& reply);
    // kProcSpawnBlock and kProcExecBlock, once the block is out of the caller's memory and
    // checked (servers/proc/argument_blocks.h): `strings` after the configured arguments (and,
    // for exec, after the words of `words`, nullptr: none).
    ipc::Error spawn(axo_thread_id_t from, const Name& image, const loader::StringBlock& strings,
                     SpawnReply& reply);
    ipc::Error exec(axo_thread_id_t from, const Name& image, const char* words,
                    const loader::StringBlock& strings, ipc::Empty& reply);
    // kProcExecFile, once the headers are parsed (file_image.h) and the block is checked.
    ipc::Error exec_file(axo_thread_id_t from, const FileImage& image,
                         const loader::StringBlock& strings, ipc::Empty& reply);

    // Identity (process_identity.cc).
    ipc::Error identify(axo_thread_id_t from, const IdentifyRequest& request, IdentifyReply& reply);
    ipc::Error group_session(axo_thread_id_t from, const GroupSessionRequest& request,
                             GroupSessionReply& reply);
    ipc::Error set_process_group(axo_thread_id_t from, const SetProcessGroupRequest& request,
                                 ipc::Empty& reply);
    ipc::Error set_session(axo_thread_id_t from, const SetSessionRequest& request,
                           SetSessionReply& reply);
    ipc::Error set_credentials(axo_thread_id_t from, const SetCredentialsRequest& request,
                               ipc::Empty& reply);
    ipc::Error set_groups(axo_thread_id_t from, const SetGroupsRequest& request, ipc::Empty& reply);
    ipc::Error list(axo_thread_id_t from, const ListRequest& request, ListReply& reply);
    // kProcInfo's part that is the table's (process_identity.cc): all but restarts and memory.
    ipc::Error info(const InfoRequest& request, InfoReply& reply) const;
    // kProcCommandLine (process_identity.cc).
    ipc::Error command_line(const CommandLineRequest& request, CommandLineReply& reply) const;
    // The process's name: the program file's it exec'd (argv[0]'s last component), else its
    // boot module's.
    const char* name_of(const ProcessEntry& entry) const;

    // The event stream.
    ipc::Error subscribe(axo_thread_id_t from, const EventSubscribeRequest&, ipc::Empty&) {
        return m_events.subscribe(from);
    }
    ipc::Error subscribe(axo_thread_id_t from, const EventSubscribeNotifyRequest& request,
                         ipc::Empty&) {
        if (request.bits == 0) return ipc::Error::invalid_argument;
        return m_events.subscribe(from, request.bits);
    }
    ipc::Error next_events(axo_thread_id_t from, const EventNextRequest& request,
                           EventNextReply& reply) {
        return m_events.next(from, request, reply);
    }
    const EventStream& events() const { return m_events; }

    // Signals (process_signals.cc).
    ipc::Error signal_state(axo_thread_id_t from, const SignalStateRequest& request,
                            SignalStateReply& reply);
    ipc::Error signal_action(axo_thread_id_t from, const SignalActionRequest& request,
                             SignalActionReply& reply);
    ipc::Error signal_take(axo_thread_id_t from, const SignalTakeRequest& request,
                           SignalTakeReply& reply);
    ipc::Error signal_suspend(axo_thread_id_t from, const SignalSuspendRequest& request,
                              SignalSuspendReply& reply);
    // An exception of `thread` (vector, error, the fault address, the thread's ip, sp, flags):
    // true if its process catches the fault's signal and may take it now — its first thread,
    // an entry, the signal not blocked, no diversion pending —, then the exception's reply
    // sends the thread to `entry` (the process's signal entry). false: the process ends as
    // before (kExitFaulted). `beyond_end`: a page fault mm refused as beyond the end of a
    // mapped object, whose signal is SIGBUS (object_end_signal), not the vector's.
    bool fault(axo_thread_id_t thread, uint32_t vector, uint32_t error, uint32_t address,
               uint32_t ip, uint32_t sp, uint32_t flags, uint32_t& entry, bool beyond_end = false);

    // Starts config module `module` as a child of `parent` with its configured arguments and
    // then the words of `extra` (nullptr: none). At boot: start(kNoProcess, i, nullptr, ...).
    ipc::Error start(ProcessId parent, uint32_t module, const char* extra, SpawnReply& reply) {
        return start(parent, module, extra, loader::StringBlock{}, reply);
    }
    ipc::Error start(ProcessId parent, uint32_t module, const char* extra,
                     const loader::StringBlock& more, SpawnReply& reply);

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
    uint32_t pending_waits() const { return m_waits.count(); }
    // Any request from `from` (the dispatcher's request hook): a wait it left pending was given
    // up (its call timed out), and is never answered now — else its reply would answer this
    // call.
    void cancel_requests_of(axo_thread_id_t from) { (void)m_waits.cancel(from); }

private:
    // A pending wait (the waiting thread is the entry's client).
    struct Wait {
        ProcessId parent; // as whom (caller(thread) when it asked)
        ProcessId pid;    // for whom; kWaitAnyChild: any child of parent
        uint32_t options; // kWaitUntraced, kWaitContinued: also report stops, continues
    };

    static bool answer_events(void* context, axo_thread_id_t subscriber,
                              const EventNextReply& reply);
    static bool thread_alive(void* context, axo_thread_id_t thread);
    static void notify_events(void* context, axo_thread_id_t subscriber, uint32_t bits);
    void publish(uint32_t kind, const ProcessEntry& entry, uint32_t value);
    // exec's point of no return: the old program's threads (and with them its memory), waits
    // and subscriptions go; `thread` becomes its first thread; caught signals go back to their
    // default (ignored ones and the mask stay: POSIX).
    void retire_program(ProcessEntry& entry, axo_thread_id_t thread);
    static void name_after(ProcessEntry& entry, const loader::StringBlock& strings);
    // The entry's command line (kProcCommandLine): `argv`, then the block's arguments.
    static void record_command_line(ProcessEntry& entry, const char* const* argv, uint32_t argc,
                                    const loader::StringBlock& more);
    // After the new program was made (`started`): announce it (kEventExec, `value`) and run it;
    // if it cannot run, the process ends killed. Always kNoReply (the caller's thread is gone).
    ipc::Error finish_exec(ProcessEntry& entry, ipc::Error started, uint32_t value);
    // A new process in the table, not yet running: inherits `parent`'s identity (nullptr: proc
    // itself, then root and a new session), is announced, then run.
    ipc::Error launch(ProcessEntry& entry, const ProcessEntry* parent, bool execed);
    // argv for config module `module`: its name, its configured arguments, the words of
    // `extra` (split in `words`, which must outlive argv). invalid_argument if too many.
    ipc::Error arguments(uint32_t module, const char* extra, char (&words)[kArgumentBytes],
                         const char* (&argv)[kMaxArguments], uint32_t& argc) const;

    // Signals (process_signals.cc).
    bool may_signal(ProcessId sender, const ProcessEntry& target, uint32_t signal);
    void signal(ProcessEntry& target, uint32_t signal);
    void stop(ProcessEntry& target, uint32_t signal);
    // A caught signal is pending: divert the process to its entry if it can take one now —
    // unless its first thread is the one whose request proc is carrying out (a kill of itself:
    // it takes the signal when the answer is back, kProcSignalTake).
    void divert_for_signal(ProcessEntry& target);
    // After a mask change: pending signals with their default action that are no longer
    // blocked are carried out (which may end or stop `target`).
    void act_on_unblocked(ProcessEntry& target);
    axo_thread_id_t m_requester = AXO_NIL_THREAD;
    void resume(ProcessEntry& target);
    // A stop or continue of `child` to report: to a wait that asked for it, else kept.
    void deliver_report(ProcessEntry& child);
    static bool wants_report(uint32_t options, uint32_t report);

    void end(ProcessEntry& entry, ExitReason reason, int32_t status);
    // `child` has ended: answer a wait for it (and reap it), or leave it for one — unless its
    // parent is proc, which reaps its own children unless one of its threads waits.
    void deliver(ProcessEntry& child);
    // `reaped`, a child of `parent`, is gone: other waits for it, and waits for any child of
    // `parent` if it has none left, can never be answered: they fail with not_found.
    void settle_waits(ProcessId parent, ProcessId reaped);
    bool has_children(ProcessId parent);
    static WaitReply wait_reply(const ProcessEntry& child);

    // Pid 1 is init's if the configuration has one (role=init).
    void reserve_init_pid() {
        if (m_config == nullptr) return;
        for (uint32_t i = 0; i < m_config->module_count; ++i)
            if (m_config->modules[i].init) m_table.reserve_first_pid();
    }

    ProcessTable m_table;
    ProcessHost m_host;
    const BootConfig* m_config;
    ipc::PendingRequests<Wait, kMaxWaits> m_waits;
    ProcessCounters m_counters{};
    EventStream m_events;
};

} // namespace proc
