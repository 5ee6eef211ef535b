// Waiting for a signal synchronously (libposix/README.md, "Signals"): sigwait, sigwaitinfo,
// sigtimedwait. proc has no "take a pending signal of this set" operation; the signals of the set
// are taken as every caught signal is. For the wait, each signal of the set gets a handler of
// ours that records it (with sa_mask = the set, so that one is taken), the set is unblocked —
// atomically with the wait by sigsuspend when there is no timeout — and the dispositions and the
// mask are put back. The handler asks that the set stay blocked when it returns
// (keep_blocked_after_handler), so a second pending signal of the set stays pending for the next
// call. With a timeout the wait is a nanosleep after sigprocmask unblocked the set (a signal
// pending already is taken in that sigprocmask); a signal that comes in the few instructions
// between the check and the sleep's receive is recorded and the sleep goes on to its end (the
// answer is then late, not lost).
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

#include "libposix/posix.h"
#include "libposix/signal_set.h"

namespace {

volatile int g_waited;
siginfo_t g_waited_info;
uint32_t g_wait_set;

void record_signal(int signal, siginfo_t* info, void*) {
    if (g_waited == 0) {
        g_waited_info = *info;
        g_waited = signal;
    }
    posix::keep_blocked_after_handler(g_wait_set);
}

constexpr uint64_t kNanosecondsPerSecond = 1000000000u;

uint64_t now_ns() {
    timespec now{};
    (void)clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<uint64_t>(now.tv_sec) * kNanosecondsPerSecond +
           static_cast<uint64_t>(now.tv_nsec);
}

enum class Until { signal_of_set, any_handler };

// The signal taken (its information in *info), or -1 and errno: EAGAIN (the timeout passed),
// EINTR (another signal's handler ran, when `until` is any_handler), EINVAL.
int wait_for(const sigset_t* set, siginfo_t* info, const timespec* timeout, Until until) {
    if (set == nullptr) return posix::fail_errno(EFAULT);
    if (timeout != nullptr && (timeout->tv_sec < 0 || timeout->tv_nsec < 0 ||
                               static_cast<uint64_t>(timeout->tv_nsec) >= kNanosecondsPerSecond))
        return posix::fail_errno(EINVAL);
    uint32_t waited = static_cast<uint32_t>(*set) & posix::kAllSignals & ~posix::kUncatchable;
    uint64_t deadline = 0;
    if (timeout != nullptr)
        deadline = now_ns() + static_cast<uint64_t>(timeout->tv_sec) * kNanosecondsPerSecond +
                   static_cast<uint64_t>(timeout->tv_nsec);

    // The set blocked while the handlers are ours (POSIX asks the caller to block it: if it did
    // not, nothing of the set is taken by our handler outside the wait).
    sigset_t caller_mask = 0, block = static_cast<sigset_t>(waited);
    (void)sigprocmask(SIG_BLOCK, &block, &caller_mask);
    struct sigaction saved[posix::kMaxSignal + 1];
    struct sigaction record {};
    record.sa_sigaction = record_signal;
    record.sa_flags = SA_SIGINFO;
    record.sa_mask = static_cast<sigset_t>(waited);
    for (uint32_t signal = 1; signal <= posix::kMaxSignal; ++signal)
        if (waited & proc::signal_bit(signal))
            (void)sigaction(static_cast<int>(signal), &record, &saved[signal]);
    g_waited = 0;
    g_wait_set = waited;

    sigset_t wait_mask = (caller_mask | block) & ~block;
    uint32_t handlers = posix::handlers_run();
    int error = 0;
    if (timeout == nullptr) {
        // sigsuspend: the unblocking and the wait in one step at proc.
        while (g_waited == 0) {
            (void)sigsuspend(&wait_mask);
            if (g_waited == 0 && until == Until::any_handler && posix::handlers_run() != handlers) {
                error = EINTR;
                break;
            }
        }
    } else {
        (void)sigprocmask(SIG_SETMASK, &wait_mask, nullptr);
        while (g_waited == 0) {
            if (until == Until::any_handler && posix::handlers_run() != handlers) {
                error = EINTR;
                break;
            }
            uint64_t now = now_ns();
            if (now >= deadline) {
                error = EAGAIN;
                break;
            }
            uint64_t left = deadline - now;
            timespec sleep{static_cast<time_t>(left / kNanosecondsPerSecond),
                           static_cast<long>(left % kNanosecondsPerSecond)};
            (void)nanosleep(&sleep, nullptr); // a handler's diversion ends it (EINTR)
        }
        sigset_t blocked = caller_mask | block;
        (void)sigprocmask(SIG_SETMASK, &blocked, nullptr);
    }

    for (uint32_t signal = 1; signal <= posix::kMaxSignal; ++signal)
        if (waited & proc::signal_bit(signal))
            (void)sigaction(static_cast<int>(signal), &saved[signal], nullptr);
    g_wait_set = 0;
    (void)sigprocmask(SIG_SETMASK, &caller_mask, nullptr);
    if (g_waited == 0) return posix::fail_errno(error);
    if (info != nullptr) *info = g_waited_info;
    return g_waited;
}

} // namespace

extern "C" {

// Returns an error number, not -1 (POSIX); waits on through other signals' handlers.
int sigwait(const sigset_t* set, int* signal) {
    int taken = wait_for(set, nullptr, nullptr, Until::signal_of_set);
    if (taken < 0) return errno;
    if (signal != nullptr) *signal = taken;
    return 0;
}

int sigwaitinfo(const sigset_t* set, siginfo_t* info) {
    return wait_for(set, info, nullptr, Until::any_handler);
}

int sigtimedwait(const sigset_t* set, siginfo_t* info, const struct timespec* timeout) {
    return wait_for(set, info, timeout, Until::any_handler);
}

} // extern "C"
