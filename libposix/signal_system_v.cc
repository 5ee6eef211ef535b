// The System V signal calls of XSI (libposix/README.md, "Signals"): sighold, sigrelse, sigignore,
// sigset and sigpause (newlib's <sys/signal.h> names it __xpg_sigpause), each in terms of
// sigaction, sigprocmask and sigsuspend (signals.cc), so that proc sees one state.
#include <errno.h>
#include <signal.h>

#include "libposix/posix.h"
#include "libposix/signal_set.h"

namespace {

// A signal these calls may change: valid, and neither SIGKILL nor SIGSTOP.
bool changeable(int signal) {
    return posix::valid_signal(signal) &&
           !(posix::kUncatchable & proc::signal_bit(static_cast<uint32_t>(signal)));
}

int change_one(int how, int signal) {
    if (!changeable(signal)) return posix::fail_errno(EINVAL);
    sigset_t set = static_cast<sigset_t>(proc::signal_bit(static_cast<uint32_t>(signal)));
    return sigprocmask(how, &set, nullptr);
}

} // namespace

extern "C" {

int sighold(int signal) {
    return change_one(SIG_BLOCK, signal);
}

int sigrelse(int signal) {
    return change_one(SIG_UNBLOCK, signal);
}

int sigignore(int signal) {
    if (!changeable(signal)) return posix::fail_errno(EINVAL);
    struct sigaction action {};
    action.sa_handler = SIG_IGN;
    return sigaction(signal, &action, nullptr);
}

// POSIX: SIG_HOLD adds the signal to the mask and leaves its disposition; anything else sets the
// disposition (no sa_mask, no flags) and removes the signal from the mask. The answer is SIG_HOLD
// if the signal was blocked, else its previous disposition.
_sig_func_ptr sigset(int signal, _sig_func_ptr disposition) {
    if (!changeable(signal)) {
        errno = EINVAL;
        return SIG_ERR;
    }
    struct sigaction old {};
    sigset_t mask = 0;
    (void)sigaction(signal, nullptr, &old);
    (void)sigprocmask(SIG_BLOCK, nullptr, &mask);
    bool was_blocked = (mask & proc::signal_bit(static_cast<uint32_t>(signal))) != 0;
    if (disposition == SIG_HOLD) {
        if (sighold(signal) != 0) return SIG_ERR;
    } else {
        struct sigaction action {};
        action.sa_handler = disposition;
        if (sigaction(signal, &action, nullptr) != 0) return SIG_ERR;
        if (sigrelse(signal) != 0) return SIG_ERR;
    }
    return was_blocked ? SIG_HOLD : old.sa_handler;
}

// XSI's sigpause: removes the signal from the mask and waits for a signal, as sigsuspend; the
// mask is restored when it returns (always -1 and EINTR).
int __xpg_sigpause(int signal) {
    if (!changeable(signal)) return posix::fail_errno(EINVAL);
    sigset_t mask = 0;
    (void)sigprocmask(SIG_BLOCK, nullptr, &mask);
    mask &= ~static_cast<sigset_t>(proc::signal_bit(static_cast<uint32_t>(signal)));
    return sigsuspend(&mask);
}

} // extern "C"
