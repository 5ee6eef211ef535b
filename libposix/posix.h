// What libposix's parts share (libposix/README.md): the process's state that lives in the process
// (DESIGN.md §6) and the calls to proc that a signal may interrupt. C++ inside, extern "C" outside.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "axolotl/syscalls.h"
#include "lib/ipc/errno_map.h"
#include "lib/ipc/kernel.h"
#include "libposix/descriptor_table.h"

// exec's step on the descriptor table (descriptors.cc): closes the close-on-exec descriptors,
// releasing their handles at their servers.
extern "C" void axo_close_on_exec_descriptors(void);

namespace posix {

inline axo_thread_id_t proc_thread() {
    return axo_kernel_interface()->root_task;
}

// errno = `error` (of lib/ipc's vocabulary), and -1.
int fail(ipc::Error error);
// errno = `code`, and -1.
int fail_errno(int code);

DescriptorTable& descriptors();

// ---- The terminals (syscalls.cc): the bytes of descriptors of kind console ----
// `terminal` is the descriptor's handle: 0 the system console, 1 the VGA one (file_modes.h).
// How many were written (all, unless the output failed after some), or -1 and errno.
ssize_t console_write(uint32_t terminal, const char* bytes, size_t count);
// Waits for at least one byte (EINTR, or again with SA_RESTART, if a handler interrupts).
ssize_t console_read(uint32_t terminal, char* out, size_t count);
// ---- The terminals (syscalls.cc) and their calls (terminal.cc) ----
// The server registered under the terminal's name ("console", "tty1"), looked up at the first
// use, and again while there was none; nil without one (or for a number out of range).
axo_thread_id_t console_thread(uint32_t terminal);
// A terminal refused the caller's request because its process group is in the background
// (interfaces/tty): `signal` (SIGTTIN for a read, SIGTTOU for output or a change) went to the
// caller's group unless it ignores or blocks it. retry: the default action stopped the group and
// it was continued — make the request again; exempt: ignored or blocked — a read fails with EIO,
// output and changes go ahead; interrupted: a handler ran — EINTR.
enum class Background { retry, exempt, interrupted };
Background background(int signal);

// ---- Signals (signals.cc) ----
// What the last handler that ran said about restarting the call it interrupted (SA_RESTART).
bool restart_after_handler();
// How many signal handlers have run in the process so far: a call that is about to wait (poll)
// compares it with its value at the start, so that a signal handled in between still ends it.
uint32_t handlers_run();
// Takes and runs every deliverable signal now (a call of the process's own made them so).
void deliver_pending();
// A signal the process sends itself (kill of its own pid): runs its handler here, before kill
// returns, as proc would have had it diverted — when the caller is the thread signals go to, the
// signal is caught and not blocked, and its generation changes nothing else at proc (not SIGCONT
// or a stop signal). False: nothing ran, proc must have the signal.
bool deliver_here(int signal);
// A fork's child: its one thread (the one that forked) is the one signals go to.
void receive_signals_after_fork();
// Called by a running handler: `signals` stay blocked when it returns, added to the mask it
// restores (sigwait's handler: one signal taken, the others of its set left pending).
void keep_blocked_after_handler(uint32_t signals);
// ---- The alternate signal stack (signal_stack.cc) ----
// Where an SA_ONSTACK handler's stack begins: the top of the alternate stack, or 0 to run it
// where the thread is (no alternate stack, or the thread is on it already).
uint32_t alternate_stack_top();
// The process's pid, asked of proc once (fork resets it).
uint32_t my_pid();
// A fork's child: what was the parent's alone (the timer thread, the cached pid) is not its own.
void forget_after_fork();
void forget_timer_after_fork();
// Files (file_session.cc): the child's thread attaches to fs anew.
void forget_files_after_fork();

// After an ipc that failed (its tag says so): whether a signal's diversion aborted it
// (AXO_IPC_CANCELLED). The error word is only fresh after a failure: ask nothing else of it.
inline bool call_was_interrupted() {
    uint32_t word = axo_my_utcb()->error;
    return axo_ipc_error_code(word) == AXO_IPC_CANCELLED;
}

// An ipc::call's result: the ipc failed because a signal's diversion aborted it.
inline bool interrupted(ipc::Error error) {
    return error == ipc::Error::ipc_failed && call_was_interrupted();
}

// ipc::call to proc (or another server) that a signal handler may interrupt: the call is made
// again if the handler had SA_RESTART and `restartable`, else Error::interrupted (EINTR).
template <ipc::Request Req>
ipc::Error interruptible_call(axo_thread_id_t server, const Req& request,
                              typename Req::Reply& reply, bool restartable = true) {
    for (;;) {
        ipc::Error error = ipc::call(server, request, reply);
        if (!interrupted(error)) return error;
        if (!restartable || !restart_after_handler()) return ipc::Error::interrupted;
    }
}

template <ipc::Request Req>
ipc::Error call_proc(const Req& request, typename Req::Reply& reply, bool restartable = true) {
    return interruptible_call(proc_thread(), request, reply, restartable);
}

} // namespace posix
