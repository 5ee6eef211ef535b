// Client stubs for proc's process operations (protocol.h), over any ipc transport — the
// kernel's (ipc::KernelTransport) in programs, a fake in host tests. `proc` is the root task's
// thread id (kip->root_task). Every call but exit takes a timeout for each phase; a wait's
// reply phase lasts until the child ends, so bound it if the caller must not hang.
#pragma once

#include <stdint.h>

#include "lib/ipc/client.h"
#include "interfaces/process/protocol.h"

namespace proc::client {

// `arguments`: space-separated words (nullptr: none); invalid_argument if they do not fit.
template <ipc::Transport T>
ipc::Error spawn(T& transport, axo_thread_id_t proc, const char* image, const char* arguments,
                 SpawnReply& reply, axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    SpawnRequest request{};
    if (!request.image.set(image)) return ipc::Error::invalid_argument;
    uint32_t n = 0;
    for (; arguments != nullptr && arguments[n] != '\0'; ++n) {
        if (n + 1 == kArgumentBytes) return ipc::Error::invalid_argument;
        request.arguments[n] = arguments[n];
    }
    request.arguments[n] = '\0';
    return ipc::call(transport, proc, request, reply, timeout);
}

template <ipc::Transport T>
ipc::Error wait(T& transport, axo_thread_id_t proc, ProcessId pid, uint32_t options,
                WaitReply& reply, axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    return ipc::call(transport, proc, WaitRequest{pid, options}, reply, timeout);
}

template <ipc::Transport T>
ipc::Error kill(T& transport, axo_thread_id_t proc, ProcessId pid, uint32_t signal,
                axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    ipc::Empty reply;
    return ipc::call(transport, proc, KillRequest{pid, signal}, reply, timeout);
}

// Returns only if proc refused (the caller is no process) or could not be reached.
template <ipc::Transport T> ipc::Error exit(T& transport, axo_thread_id_t proc, int32_t status) {
    ipc::Empty reply;
    return ipc::call(transport, proc, ExitRequest{status}, reply);
}

template <ipc::Transport T>
ipc::Error statistics(T& transport, axo_thread_id_t proc, StatisticsReply& reply,
                      axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    return ipc::call(transport, proc, StatisticsRequest{}, reply, timeout);
}

} // namespace proc::client
