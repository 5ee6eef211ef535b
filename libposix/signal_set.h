// Signal sets and masks as libposix keeps them (a word of bits, bit n = signal n, as newlib's
// sigset_t for i686-elf and proc's signal_bit): the rules of sigprocmask and of the mask a handler
// runs with. Pure: host-tested (tests/unit/posix_signal_set_test.cc).
#pragma once

#include <stdint.h>

#include "interfaces/process/protocol.h"

namespace posix {

constexpr uint32_t kMaxSignal = proc::kMaxSignal;
// SIGKILL and SIGSTOP can be neither blocked, caught nor ignored.
constexpr uint32_t kUncatchable =
    proc::signal_bit(proc::kSignalKill) | proc::signal_bit(proc::kSignalStop);
constexpr uint32_t kAllSignals = ~proc::signal_bit(0);

constexpr bool valid_signal(int signal) {
    return signal >= 1 && signal <= static_cast<int>(kMaxSignal);
}

// sigprocmask's `how`, in libposix's own terms (the C library's SIG_* values are mapped to it).
enum class MaskChange { block, unblock, set };

// The mask after sigprocmask(how, set): SIGKILL and SIGSTOP never in it.
constexpr uint32_t change_mask(uint32_t mask, MaskChange how, uint32_t set) {
    switch (how) {
    case MaskChange::block:
        mask |= set;
        break;
    case MaskChange::unblock:
        mask &= ~set;
        break;
    case MaskChange::set:
        mask = set;
        break;
    }
    return mask & kAllSignals & ~kUncatchable;
}

// The mask a handler of `signal` runs with: the mask at delivery, the action's sa_mask, and the
// signal itself unless the action says SA_NODEFER.
constexpr uint32_t handler_mask(uint32_t mask, uint32_t action_mask, uint32_t signal,
                                bool no_defer) {
    uint32_t result = mask | action_mask;
    if (!no_defer) result |= proc::signal_bit(signal);
    return result & kAllSignals & ~kUncatchable;
}

// What proc is told (kProcSignalAction): the ignored and caught signals from the dispositions.
struct Dispositions {
    uint32_t ignored = 0;
    uint32_t caught = 0;

    enum class Kind { default_action, ignore, handler };
    void set(uint32_t signal, Kind kind) {
        uint32_t bit = proc::signal_bit(signal);
        ignored &= ~bit;
        caught &= ~bit;
        if (kind == Kind::ignore) ignored |= bit;
        if (kind == Kind::handler) caught |= bit;
    }
};

} // namespace posix
