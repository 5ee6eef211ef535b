// The status word waitpid reports, from how proc says a child ended (interfaces/process:
// WaitReply's reason and status), in the encoding newlib's <sys/wait.h> decodes: an exit is
// status << 8, a signal's end the signal (faults as the signal of their CPU vector: 14 SIGSEGV,
// 6 SIGILL, 0 SIGFPE), a stop signal << 8 | 0x7f, a continue 0xffff (libposix's WIFCONTINUED).
// Pure: host-tested (tests/unit/posix_wait_status_test.cc).
#pragma once

#include <stdint.h>

#include "interfaces/process/protocol.h"

namespace posix {

constexpr int kContinuedStatus = 0xffff;
constexpr int kStoppedLow = 0x7f;

constexpr int wait_status(uint32_t reason, int32_t status) {
    switch (reason) {
    case proc::kExitNormal:
        return (status & 0xff) << 8;
    case proc::kExitKilled:
        return status & 0x7f;
    case proc::kExitFaulted: {
        uint32_t signal = proc::fault_signal(static_cast<uint32_t>(status), 0).signal;
        return static_cast<int>(signal != 0 ? signal : proc::kSignalKill);
    }
    case proc::kExitStopped:
        return (status & 0xff) << 8 | kStoppedLow;
    case proc::kExitContinued:
        return kContinuedStatus;
    default:
        return proc::kSignalKill;
    }
}

} // namespace posix
