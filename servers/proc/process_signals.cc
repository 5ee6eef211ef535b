// Signals (protocol.h, "Signals", kProcKill, kProcSignalState): POSIX's permission rules, and
// what proc does without the process's help — default actions, SIGKILL, SIGSTOP, SIGCONT —
// and the pending bits of caught signals. Part of ProcessService (process_service.h).
#include "servers/proc/process_service.h"

namespace proc {

namespace {

// Never ignored, never caught (POSIX).
constexpr uint32_t kUncatchable = signal_bit(kSignalKill) | signal_bit(kSignalStop);
// Default action: ignore.
constexpr uint32_t kDefaultIgnore =
    signal_bit(kSignalChild) | signal_bit(kSignalUrgent) | signal_bit(kSignalWindow);
// Default action: stop.
constexpr uint32_t kDefaultStop = signal_bit(kSignalStop) | signal_bit(kSignalTerminalStop) |
                                  signal_bit(kSignalTerminalIn) | signal_bit(kSignalTerminalOut);
constexpr uint32_t kValidSignals = (signal_bit(kMaxSignal) - 1) | signal_bit(kMaxSignal);

} // namespace

bool ProcessService::may_signal(ProcessId sender, const ProcessEntry& target, uint32_t signal) {
    if (sender == kNoProcess) return true; // proc itself
    const ProcessEntry* from = m_table.find(sender);
    if (from == nullptr) return false;
    const Credentials& a = from->credentials;
    const Credentials& b = target.credentials;
    if (a.euid == 0) return true;
    if (a.ruid == b.ruid || a.ruid == b.suid || a.euid == b.ruid || a.euid == b.suid) return true;
    return signal == kSignalContinue && from->sid == target.sid;
}

ipc::Error ProcessService::kill(axo_thread_id_t from, const KillRequest& request, ipc::Empty&) {
    if (request.signal > kMaxSignal) return ipc::Error::invalid_argument;
    ProcessId sender = caller(from);
    // A diversion would abort this very call: the caller takes its own signals afterwards.
    struct Requester {
        axo_thread_id_t& slot;
        ~Requester() { slot = AXO_NIL_THREAD; }
    } requester{m_requester};
    m_requester = from;
    if (request.pid > 0) {
        ProcessEntry* target = m_table.find(static_cast<ProcessId>(request.pid));
        if (target == nullptr) return ipc::Error::not_found;
        if (!may_signal(sender, *target, request.signal)) return ipc::Error::no_permission;
        if (target->state == ProcessState::running && request.signal != 0)
            signal(*target, request.signal);
        return ipc::Error::ok;
    }
    // A group (0: the caller's), or everybody (-1).
    bool everybody = request.pid == -1;
    ProcessId group = kNoProcess;
    if (request.pid == 0) {
        const ProcessEntry* self = m_table.find(sender);
        if (self == nullptr) return ipc::Error::not_found; // proc itself has no group
        group = self->pgid;
    } else if (!everybody) {
        if (request.pid == INT32_MIN) return ipc::Error::invalid_argument;
        group = static_cast<ProcessId>(-request.pid);
    }
    // Decide first, then act: a signal may end a process, which re-parents its children.
    ProcessId targets[ProcessTable::kSlots];
    uint32_t count = 0, refused = 0;
    for (uint32_t i = 0; i < ProcessTable::kSlots; ++i) {
        ProcessEntry& entry = m_table.at(i);
        if (entry.state != ProcessState::running) continue;
        // -1 from a process spares the system's processes; from proc itself it reaches all.
        if (everybody ? entry.pid == sender || (entry.system && sender != kNoProcess)
                      : entry.pgid != group)
            continue;
        if (!may_signal(sender, entry, request.signal)) {
            ++refused;
            continue;
        }
        targets[count++] = entry.pid;
    }
    if (count == 0) return refused != 0 ? ipc::Error::no_permission : ipc::Error::not_found;
    for (uint32_t i = 0; i < count && request.signal != 0; ++i) {
        ProcessEntry* target = m_table.find(targets[i]);
        if (target != nullptr && target->state == ProcessState::running)
            signal(*target, request.signal);
    }
    return ipc::Error::ok;
}

void ProcessService::signal(ProcessEntry& target, uint32_t signal) {
    uint32_t bit = signal_bit(signal);
    if (signal == kSignalKill) {
        end(target, kExitKilled, static_cast<int32_t>(signal));
        return;
    }
    if (signal == kSignalContinue) {
        // Continues the process whatever its disposition, and discards pending stops.
        target.pending &= ~kDefaultStop;
        if (target.stopped) resume(target);
        if (target.state != ProcessState::running) return;
        if (target.caught & bit) {
            target.pending |= bit;
            if (m_host.signalled != nullptr)
                m_host.signalled(m_host.context, m_table.slot_of(target), signal);
            divert_for_signal(target);
        }
        return;
    }
    if (kDefaultStop & bit) target.pending &= ~signal_bit(kSignalContinue);
    if ((target.ignored & bit) && !(kUncatchable & bit)) return;
    if (target.stopped) {
        // Nothing but SIGKILL and SIGCONT acts on a stopped process: the rest waits for SIGCONT.
        if (!(kDefaultStop & bit) || (target.caught & bit)) target.pending |= bit;
        return;
    }
    if ((target.blocked & bit) && !(kUncatchable & bit) && !(target.caught & bit)) {
        // Blocked: its default action waits until the process unblocks it (signal_action).
        target.pending |= bit;
        return;
    }
    if ((target.caught & bit) && !(kUncatchable & bit)) {
        target.pending |= bit;
        if (m_host.signalled != nullptr)
            m_host.signalled(m_host.context, m_table.slot_of(target), signal);
        divert_for_signal(target);
        return;
    }
    if (kDefaultIgnore & bit) return;
    if (kDefaultStop & bit) {
        stop(target, signal);
        return;
    }
    end(target, kExitKilled, static_cast<int32_t>(signal));
}

void ProcessService::stop(ProcessEntry& target, uint32_t signal) {
    target.stopped = true;
    if (m_host.halt != nullptr) m_host.halt(m_host.context, m_table.slot_of(target), true);
    target.report = kExitStopped;
    target.report_status = static_cast<int32_t>(signal);
    deliver_report(target);
    if (ProcessEntry* parent = m_table.find(target.parent);
        parent != nullptr && parent->state == ProcessState::running)
        this->signal(*parent, kSignalChild);
}

void ProcessService::resume(ProcessEntry& target) {
    target.stopped = false;
    if (m_host.halt != nullptr) m_host.halt(m_host.context, m_table.slot_of(target), false);
    target.report = kExitContinued;
    target.report_status = static_cast<int32_t>(kSignalContinue);
    // What arrived while it was stopped acts now: the first one whose default action ends the
    // process ends it; caught ones stay pending for it to collect.
    uint32_t waiting =
        target.pending & ~target.caught & ~target.blocked & ~signal_bit(kSignalContinue);
    target.pending &= target.caught | target.blocked;
    for (uint32_t signal = 1; signal <= kMaxSignal; ++signal) {
        uint32_t bit = signal_bit(signal);
        if (!(waiting & bit) || (target.ignored & bit) || (kDefaultIgnore & bit) ||
            (kDefaultStop & bit))
            continue;
        end(target, kExitKilled, static_cast<int32_t>(signal));
        return;
    }
    deliver_report(target);
    if (ProcessEntry* parent = m_table.find(target.parent);
        parent != nullptr && parent->state == ProcessState::running)
        this->signal(*parent, kSignalChild);
    if (target.pending != 0 && m_host.signalled != nullptr)
        m_host.signalled(m_host.context, m_table.slot_of(target), 0);
    divert_for_signal(target);
}

ipc::Error ProcessService::signal_state(axo_thread_id_t from, const SignalStateRequest& request,
                                        SignalStateReply& reply) {
    ProcessEntry* self = m_table.find_running(from);
    if (self == nullptr) return ipc::Error::not_found;
    self->ignored = request.ignored & kValidSignals & ~kUncatchable & ~signal_bit(0);
    self->caught = request.caught & kValidSignals & ~kUncatchable & ~signal_bit(0) & ~self->ignored;
    reply.pending = self->pending;
    self->pending = 0;
    return ipc::Error::ok;
}

// ---- Delivery to handlers (protocol.h, "Signal delivery") -------------------------------------

namespace {

constexpr uint32_t kCatchable = kValidSignals & ~kUncatchable & ~signal_bit(0);

uint32_t deliverable(const ProcessEntry& entry) {
    return entry.pending & entry.caught & ~entry.blocked;
}

uint32_t lowest_signal(uint32_t bits) {
    for (uint32_t signal = 1; signal <= kMaxSignal; ++signal)
        if (bits & signal_bit(signal)) return signal;
    return 0;
}

} // namespace

void ProcessService::divert_for_signal(ProcessEntry& target) {
    if (target.thread == m_requester) return;
    if (target.state != ProcessState::running || target.stopped || target.entry == 0) return;
    if (target.diverted || deliverable(target) == 0 || m_host.divert == nullptr) return;
    uint32_t ip = 0, sp = 0, flags = 0;
    if (!m_host.divert(m_host.context, target.thread, target.entry, ip, sp, flags)) return;
    target.diverted = true;
    target.saved_ip = ip;
    target.saved_sp = sp;
    target.saved_flags = flags;
}

ipc::Error ProcessService::signal_action(axo_thread_id_t from, const SignalActionRequest& request,
                                         SignalActionReply& reply) {
    ProcessEntry* self = m_table.find_running(from);
    if (self == nullptr) return ipc::Error::not_found;
    self->ignored = request.ignored & kCatchable;
    self->caught = request.caught & kCatchable & ~self->ignored;
    self->blocked = request.blocked & kCatchable;
    self->entry = request.entry;
    // A signal that became ignored is discarded (POSIX: setting SIG_IGN discards it).
    self->pending &= ~self->ignored;
    act_on_unblocked(*self);
    if (self->state != ProcessState::running) return ipc::kNoReply; // it ended
    reply.pending = self->pending;
    reply.deliverable = deliverable(*self);
    return ipc::Error::ok;
}

void ProcessService::act_on_unblocked(ProcessEntry& target) {
    // Pending signals with their default action that the mask no longer blocks act now, as
    // they would have when they came (signal()): ignored, a stop, or the end.
    uint32_t waiting = target.pending & ~target.caught & ~target.blocked;
    for (uint32_t signal = 1; signal <= kMaxSignal && waiting != 0; ++signal) {
        uint32_t bit = signal_bit(signal);
        if (!(waiting & bit)) continue;
        waiting &= ~bit;
        target.pending &= ~bit;
        if (target.state != ProcessState::running || target.stopped) return;
        this->signal(target, signal);
    }
}

ipc::Error ProcessService::signal_take(axo_thread_id_t from, const SignalTakeRequest&,
                                       SignalTakeReply& reply) {
    ProcessEntry* self = m_table.find_running(from);
    if (self == nullptr) return ipc::Error::not_found;
    reply = SignalTakeReply{};
    if (self->diverted) {
        reply.diverted = 1;
        reply.ip = self->saved_ip;
        reply.sp = self->saved_sp;
        reply.flags = self->saved_flags;
        self->diverted = false;
    }
    if (self->fault_signal != 0) {
        reply.signal = self->fault_signal;
        reply.code = self->fault_code;
        reply.address = self->fault_address;
        self->fault_signal = 0;
    } else {
        reply.signal = lowest_signal(deliverable(*self));
        self->pending &= ~signal_bit(reply.signal);
    }
    if (reply.signal != 0) self->blocked = kCatchable; // until the handler's mask is set
    return ipc::Error::ok;
}

ipc::Error ProcessService::signal_suspend(axo_thread_id_t from, const SignalSuspendRequest& request,
                                          SignalSuspendReply& reply) {
    ProcessEntry* self = m_table.find_running(from);
    if (self == nullptr) return ipc::Error::not_found;
    self->blocked = request.blocked & kCatchable;
    reply.deliverable = deliverable(*self);
    act_on_unblocked(*self);
    if (self->state != ProcessState::running) return ipc::kNoReply; // it ended
    if (reply.deliverable != 0) return ipc::Error::ok;
    // No answer: the caller waits in its call until a signal's diversion aborts it.
    return ipc::kNoReply;
}

bool ProcessService::fault(axo_thread_id_t thread, uint32_t vector, uint32_t error,
                           uint32_t address, uint32_t ip, uint32_t sp, uint32_t flags,
                           uint32_t& entry, bool beyond_end) {
    ProcessEntry* self = m_table.find_running(thread);
    if (self == nullptr || self->thread != thread || self->entry == 0 || self->diverted)
        return false;
    FaultSignal fault = beyond_end ? object_end_signal() : fault_signal(vector, error);
    uint32_t bit = signal_bit(fault.signal);
    if (fault.signal == 0 || !(self->caught & bit) || (self->blocked & bit)) return false;
    self->diverted = true;
    self->saved_ip = ip;
    self->saved_sp = sp;
    self->saved_flags = flags;
    self->fault_signal = fault.signal;
    self->fault_code = fault.code;
    self->fault_address = vector == 14 ? address : ip;
    entry = self->entry;
    return true;
}

} // namespace proc
