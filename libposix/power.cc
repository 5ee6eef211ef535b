// reboot(2) (<sys/reboot.h>, libposix's own header): fs shuts down first (interfaces/file
// kFileShutdown: every dirty block written, the disk marked clean, read-only from then on),
// then proc powers the machine off or resets it (interfaces/process kProcPower). Both are for
// root only. Unlike Linux's, it never leaves a disk not clean: init (apps/init) and
// `poweroff -f` both end here.
#include <errno.h>
#include <sys/reboot.h>

#include "interfaces/process/protocol.h"
#include "libposix/file_calls.h"
#include "libposix/posix.h"

extern "C" int reboot(int how) {
    uint32_t action = proc::kPowerOff;
    switch (static_cast<unsigned>(how)) {
    case RB_POWER_OFF:
    case RB_HALT_SYSTEM:
        break;
    case RB_AUTOBOOT:
        // proc cannot reset the machine yet (kReset answers unsupported): say so before fs
        // goes read-only for a reset that would not come.
        return posix::fail(ipc::Error::unsupported);
    case RB_ENABLE_CAD:
    case RB_DISABLE_CAD:
        return 0; // no Ctrl-Alt-Del here: nothing to switch
    default:
        return posix::fail_errno(EINVAL);
    }
    // A disk fs could not write stays not clean (the next boot mounts it read-only): the
    // machine stops all the same, as it would at a power cut. Only a refusal stops here.
    ipc::Error stopped = posix::file_call([](file::Client& files) { return files.shutdown(); });
    if (stopped == ipc::Error::no_permission) return posix::fail(stopped);
    ipc::Empty reply;
    ipc::Error error = posix::call_proc(proc::PowerRequest{action}, reply);
    return posix::fail(error == ipc::Error::ok ? ipc::Error::io_error : error);
}
