// driver::ClientGate: who may use a driver's device. proc's device table knows whom the boot
// line gave it (the line's client= words; none: anyone), and answers kProcDeviceClient for a
// thread (driver::client_allowed). The gate asks once per thread and remembers the last
// kRemembered threads it allowed, so that a busy client costs one question, not one per
// request; a refusal is not remembered (proc is asked again) and only the first is printed.
//
//   driver::ClientGate g_gate;
//   ipc::Error on_write(Uart& u, axo_thread_id_t from, ...) {
//       if (ipc::Error error = g_gate.check(from); error != ipc::Error::ok) return error;
//       ...
//   }
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"
#include "lib/ipc/error.h"

namespace driver {

class ClientGate {
public:
    static constexpr uint32_t kRemembered = 8;

    // ok, or no_permission: anything but proc's yes (a stranger, a thread of no process, proc
    // not answering) is a no. `name` names the driver in the one message printed.
    ipc::Error check(axo_thread_id_t from, const char* name);
    uint32_t refused() const { return m_refused; }

private:
    axo_thread_id_t m_allowed[kRemembered] = {};
    uint32_t m_next = 0;
    uint32_t m_refused = 0;
};

} // namespace driver
