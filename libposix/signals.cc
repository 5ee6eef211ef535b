// Signals (libposix/README.md, "Signal delivery"): dispositions and the mask live here, in the
// process (DESIGN.md §6); proc keeps a copy of what it needs — which signals are ignored, caught
// and blocked, and the signal entry — (kProcSignalAction) and diverts the first thread to
// axo_signal_entry (signal_entry.S) when a caught signal is deliverable. axo_signal_deliver then
// takes the signal and the interrupted context from proc (kProcSignalTake), runs the handler with
// its mask, and returns to the context. A call the diversion aborted fails with
// AXO_IPC_CANCELLED: EINTR, or made again if the handler had SA_RESTART (posix.h).
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>

#include "interfaces/process/protocol.h"
#include "libposix/posix.h"
#include "libposix/signal_set.h"

extern "C" void axo_signal_entry(void);
// signal_entry.S: calls `call(argument)` with the stack pointer at `top` (16-byte aligned), and
// returns on the caller's stack.
extern "C" void axo_signal_call_on_stack(uint32_t top, void (*call)(void*), void* argument);

namespace posix {
namespace {

struct sigaction g_actions[kMaxSignal + 1];
Dispositions g_dispositions;
uint32_t g_mask;
bool g_reported; // proc has the entry (and the state) since the first report
bool g_restart;  // the last handler that ran had SA_RESTART
// The UTCB of the thread signals are delivered to: the one main runs on, or a fork's child's.
axo_utcb_t* g_signal_utcb;

// Constructors run in crt0, on the first thread.
__attribute__((constructor)) void note_signal_thread() {
    g_signal_utcb = axo_my_utcb();
}

// Signals whose generation changes other pending signals at proc (SIGCONT discards pending
// stops, a stop signal discards a pending SIGCONT): never delivered here without proc.
constexpr uint32_t kGeneratedAtProcOnly =
    proc::signal_bit(proc::kSignalContinue) | proc::signal_bit(proc::kSignalTerminalStop) |
    proc::signal_bit(proc::kSignalTerminalIn) | proc::signal_bit(proc::kSignalTerminalOut);

// Handlers run so far (poll: one ran before its wait began).
uint32_t g_handlers_run;
// Signals the running handler asked to stay blocked after it returns (keep_blocked_after_handler).
uint32_t g_keep_blocked;

// The registers axo_signal_entry saved, and the interrupted ip and flags it returns to.
struct SignalFrame {
    uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
    uint32_t eflags;
    uint32_t ip;
};
static_assert(sizeof(SignalFrame) == 40, "signal_entry.S pushes 8 registers, flags and ip");

// A call to proc that a diversion may cancel only before proc has it (proc answers at once):
// then it is made again.
template <ipc::Request Req>
ipc::Error call_proc_uninterrupted(const Req& request, typename Req::Reply& reply) {
    for (;;) {
        ipc::Error error = ipc::call(proc_thread(), request, reply);
        if (!interrupted(error)) return error;
    }
}

uint32_t signal_entry_address() {
    return reinterpret_cast<uint32_t>(&axo_signal_entry);
}

// Tells proc the dispositions and the mask; the reply says what is pending and deliverable.
proc::SignalActionReply report() {
    proc::SignalActionReply reply{};
    ipc::Error error = call_proc_uninterrupted(
        proc::SignalActionRequest{g_dispositions.ignored, g_dispositions.caught, g_mask,
                                  signal_entry_address()},
        reply);
    if (error == ipc::Error::ok) g_reported = true;
    return reply;
}

proc::SignalTakeReply take() {
    proc::SignalTakeReply reply{};
    if (call_proc_uninterrupted(proc::SignalTakeRequest{}, reply) != ipc::Error::ok)
        reply = proc::SignalTakeReply{};
    return reply;
}

int posix_code(uint32_t code) {
    switch (code) {
    case proc::kFaultMapError:
        return SEGV_MAPERR;
    case proc::kFaultAccess:
        return SEGV_ACCERR;
    case proc::kFaultOpcode:
        return ILL_ILLOPC;
    case proc::kFaultDivide:
        return FPE_INTDIV;
    case proc::kFaultFloat:
        return FPE_FLTINV;
    case proc::kFaultAlignment:
        return BUS_ADRALN;
    case proc::kFaultObjectEnd:
        return BUS_ADRERR;
    case proc::kFaultBreakpoint:
        return TRAP_BRKPT;
    default:
        return SI_USER;
    }
}

struct HandlerCall {
    const struct sigaction* action;
    siginfo_t* info;
    void* context;
};

void call_handler(void* argument) {
    const HandlerCall& call = *static_cast<HandlerCall*>(argument);
    int signal = call.info->si_signo;
    if (call.action->sa_flags & SA_SIGINFO)
        call.action->sa_sigaction(signal, call.info, call.context);
    else
        call.action->sa_handler(signal);
}

// Runs the handler of a taken signal with its mask, then restores the mask; returns the signals
// that are deliverable after that (to be taken next).
uint32_t run_handler(const proc::SignalTakeReply& taken, void* context) {
    uint32_t signal = taken.signal;
    struct sigaction action = g_actions[signal];
    uint32_t saved = g_mask;
    if (action.sa_handler == SIG_DFL || action.sa_handler == SIG_IGN) {
        // The disposition changed after proc had the signal: nothing to run.
        return report().deliverable;
    }
    if (action.sa_flags & SA_RESETHAND) {
        g_actions[signal].sa_handler = SIG_DFL;
        g_actions[signal].sa_flags &= ~SA_SIGINFO;
        g_dispositions.set(signal, Dispositions::Kind::default_action);
    }
    g_mask = handler_mask(saved, static_cast<uint32_t>(action.sa_mask), signal,
                          (action.sa_flags & SA_NODEFER) != 0);
    if (report().deliverable != 0) deliver_pending(); // what this handler's mask lets through
    siginfo_t info{};
    info.si_signo = static_cast<int>(signal);
    info.si_code = posix_code(taken.code);
    info.si_addr = reinterpret_cast<void*>(taken.address);
    HandlerCall call{&action, &info, context};
    // SA_ONSTACK: on the alternate stack, unless there is none or the thread is on it already
    // (a handler interrupted by another: the stack goes on growing down from where it is).
    uint32_t top = (action.sa_flags & SA_ONSTACK) ? alternate_stack_top() : 0;
    if (top != 0)
        axo_signal_call_on_stack(top, &call_handler, &call);
    else
        call_handler(&call);
    g_restart = (action.sa_flags & SA_RESTART) != 0;
    ++g_handlers_run;
    g_mask = change_mask(saved, MaskChange::block, g_keep_blocked);
    g_keep_blocked = 0;
    return report().deliverable;
}

} // namespace

bool restart_after_handler() {
    return g_restart;
}

uint32_t handlers_run() {
    return g_handlers_run;
}

void keep_blocked_after_handler(uint32_t signals) {
    g_keep_blocked |= signals;
}

void deliver_pending() {
    for (;;) {
        proc::SignalTakeReply taken = take();
        if (taken.signal == 0) return;
        if (run_handler(taken, nullptr) == 0) return;
    }
}

void receive_signals_after_fork() {
    // Usually the same UTCB as the parent's first thread: then no write (a copy-on-write fault).
    if (g_signal_utcb != axo_my_utcb()) g_signal_utcb = axo_my_utcb();
}

bool deliver_here(int signal) {
    if (!valid_signal(signal) || !g_reported || axo_my_utcb() != g_signal_utcb) return false;
    uint32_t bit = proc::signal_bit(static_cast<uint32_t>(signal));
    if ((g_mask & bit) != 0 || (g_dispositions.caught & bit) == 0 ||
        (kGeneratedAtProcOnly & bit) != 0)
        return false;
    // As proc's take would have handed it out; code 0 is SI_USER. run_handler reports the
    // handler's mask and the one restored, so proc's copy of the mask is right all along.
    proc::SignalTakeReply taken{};
    taken.signal = static_cast<uint32_t>(signal);
    if (run_handler(taken, nullptr) != 0) deliver_pending();
    return true;
}

} // namespace posix

using posix::fail_errno;
using posix::g_mask;

extern "C" {

// Called by axo_signal_entry on the interrupted thread's stack. The handler's IPC would
// overwrite the message registers and error word an interrupted ipc stub has still to read
// (axolotl/syscalls.h moves MR0..MR2 from registers into the UTCB after the trap), and errno:
// both are kept here and put back.
void axo_signal_deliver(posix::SignalFrame* frame) {
    axo_utcb_t* utcb = axo_my_utcb();
    uint32_t error = utcb->error, notify_mask = utcb->notify_mask;
    uint32_t mr[AXO_MR_COUNT], br[AXO_BR_COUNT];
    __builtin_memcpy(mr, utcb->mr, sizeof mr);
    __builtin_memcpy(br, utcb->br, sizeof br);
    int saved_errno = errno;

    proc::SignalTakeReply taken = posix::take();
    if (!taken.diverted) {
        // Nothing to return to: proc sent no thread here. Never happens unless something jumped
        // to the entry by itself.
        static const char text[] = "libposix: signal entry reached without a diversion\n";
        axo_debug_write(text, sizeof text - 1);
        _exit(128 + SIGKILL);
    }
    frame->ip = taken.ip;
    frame->eflags = taken.flags;
    while (taken.signal != 0) {
        if (posix::run_handler(taken, frame) == 0) break;
        taken = posix::take();
    }

    errno = saved_errno;
    __builtin_memcpy(utcb->mr, mr, sizeof mr);
    __builtin_memcpy(utcb->br, br, sizeof br);
    utcb->error = error;
    utcb->notify_mask = notify_mask;
}

int sigaction(int signal, const struct sigaction* action, struct sigaction* old) {
    if (!posix::valid_signal(signal)) return fail_errno(EINVAL);
    if (old != nullptr) *old = posix::g_actions[signal];
    if (action == nullptr) return 0;
    if (posix::kUncatchable & proc::signal_bit(static_cast<uint32_t>(signal)))
        return fail_errno(EINVAL);
    posix::g_actions[signal] = *action;
    posix::g_actions[signal].sa_mask &= ~posix::kUncatchable;
    using Kind = posix::Dispositions::Kind;
    Kind kind = action->sa_handler == SIG_DFL   ? Kind::default_action
                : action->sa_handler == SIG_IGN ? Kind::ignore
                                                : Kind::handler;
    posix::g_dispositions.set(static_cast<uint32_t>(signal), kind);
    if (posix::report().deliverable != 0) posix::deliver_pending();
    return 0;
}

// signal(): BSD's semantics, as glibc's: the handler stays installed and interrupted calls
// restart.
_sig_func_ptr signal(int number, _sig_func_ptr handler) {
    struct sigaction action {
    }, old{};
    action.sa_handler = handler;
    action.sa_flags = SA_RESTART;
    if (sigaction(number, &action, &old) != 0) return SIG_ERR;
    return old.sa_handler;
}

int sigprocmask(int how, const sigset_t* set, sigset_t* old) {
    if (old != nullptr) *old = static_cast<sigset_t>(g_mask);
    if (set == nullptr) return 0;
    posix::MaskChange change;
    switch (how) {
    case SIG_BLOCK:
        change = posix::MaskChange::block;
        break;
    case SIG_UNBLOCK:
        change = posix::MaskChange::unblock;
        break;
    case SIG_SETMASK:
        change = posix::MaskChange::set;
        break;
    default:
        return fail_errno(EINVAL);
    }
    uint32_t mask = posix::change_mask(g_mask, change, static_cast<uint32_t>(*set));
    if (mask == g_mask && posix::g_reported) return 0;
    g_mask = mask;
    if (posix::report().deliverable != 0) posix::deliver_pending();
    return 0;
}

int pthread_sigmask(int how, const sigset_t* set, sigset_t* old) {
    return sigprocmask(how, set, old) == 0 ? 0 : errno;
}

int sigpending(sigset_t* set) {
    proc::SignalActionReply reply = posix::report();
    *set = static_cast<sigset_t>(reply.pending & g_mask);
    return 0;
}

// The mask and the wait are one step at proc (kProcSignalSuspend): a signal that arrives in
// between cannot be missed. The handler runs on the signal entry, which the diversion that
// aborts the call leads to, or here if the signal was deliverable at once.
int sigsuspend(const sigset_t* mask) {
    uint32_t saved = g_mask;
    if (!posix::g_reported) (void)posix::report();
    g_mask = posix::change_mask(0, posix::MaskChange::set, static_cast<uint32_t>(*mask));
    proc::SignalSuspendReply reply{};
    ipc::Error error = ipc::call(posix::proc_thread(), proc::SignalSuspendRequest{g_mask}, reply);
    if (error == ipc::Error::ok && reply.deliverable != 0) posix::deliver_pending();
    g_mask = saved;
    if (posix::report().deliverable != 0) posix::deliver_pending();
    return fail_errno(EINTR);
}

int pause(void) {
    sigset_t mask = static_cast<sigset_t>(g_mask);
    return sigsuspend(&mask);
}

int raise(int signal) {
    return kill(getpid(), signal);
}

// newlib defines these as macros too; the functions are for code that takes their address.
#undef sigemptyset
#undef sigfillset
#undef sigaddset
#undef sigdelset
#undef sigismember
int sigemptyset(sigset_t* set) {
    *set = 0;
    return 0;
}
int sigfillset(sigset_t* set) {
    *set = static_cast<sigset_t>(posix::kAllSignals);
    return 0;
}
int sigaddset(sigset_t* set, int signal) {
    if (!posix::valid_signal(signal)) return fail_errno(EINVAL);
    *set |= static_cast<sigset_t>(proc::signal_bit(static_cast<uint32_t>(signal)));
    return 0;
}
int sigdelset(sigset_t* set, int signal) {
    if (!posix::valid_signal(signal)) return fail_errno(EINVAL);
    *set &= ~static_cast<sigset_t>(proc::signal_bit(static_cast<uint32_t>(signal)));
    return 0;
}
int sigismember(const sigset_t* set, int signal) {
    if (!posix::valid_signal(signal)) return fail_errno(EINVAL);
    return (*set & proc::signal_bit(static_cast<uint32_t>(signal))) != 0;
}

} // extern "C"

extern "C" void siglongjmp(sigjmp_buf env, int value) {
    if (env[0].save_mask) sigprocmask(SIG_SETMASK, &env[0].mask, nullptr);
    longjmp(env[0].buffer, value);
}
