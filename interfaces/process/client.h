// Client stubs for proc's process operations (protocol.h), over any ipc transport — the
// kernel's (ipc::KernelTransport) in programs, a fake in host tests. `proc` is the root task's
// thread id (kip->root_task). Every call but exit takes a timeout for each phase; a wait's
// reply phase lasts until the child ends, so bound it if the caller must not hang.
#pragma once

#include <stdint.h>

#include "interfaces/process/protocol.h"
#include "lib/ipc/client.h"

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

// `pid` as POSIX kill(): > 0 a process, 0 the caller's group, -1 everybody, < -1 a group.
template <ipc::Transport T>
ipc::Error kill(T& transport, axo_thread_id_t proc, int32_t pid, uint32_t signal,
                axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    ipc::Empty reply;
    return ipc::call(transport, proc, KillRequest{pid, signal}, reply, timeout);
}

// `thread` nil: the caller's own process.
template <ipc::Transport T>
ipc::Error identify(T& transport, axo_thread_id_t proc, axo_thread_id_t thread,
                    IdentifyReply& reply, axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    return ipc::call(transport, proc, IdentifyRequest{thread}, reply, timeout);
}

template <ipc::Transport T>
ipc::Error set_process_group(T& transport, axo_thread_id_t proc, int32_t pid, int32_t pgid,
                             axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    ipc::Empty reply;
    return ipc::call(transport, proc, SetProcessGroupRequest{pid, pgid}, reply, timeout);
}

template <ipc::Transport T>
ipc::Error set_session(T& transport, axo_thread_id_t proc, SetSessionReply& reply,
                       axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    return ipc::call(transport, proc, SetSessionRequest{}, reply, timeout);
}

template <ipc::Transport T>
ipc::Error set_credentials(T& transport, axo_thread_id_t proc, CredentialOperation operation,
                           uint32_t id, axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    ipc::Empty reply;
    return ipc::call(transport, proc, SetCredentialsRequest{operation, id}, reply, timeout);
}

template <ipc::Transport T>
ipc::Error subscribe(T& transport, axo_thread_id_t proc,
                     axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    ipc::Empty reply;
    return ipc::call(transport, proc, EventSubscribeRequest{}, reply, timeout);
}

// Blocks until there are events, unless `options` has kEventNoHang (bound it with `timeout`).
template <ipc::Transport T>
ipc::Error next_events(T& transport, axo_thread_id_t proc, uint32_t options, EventNextReply& reply,
                       axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    return ipc::call(transport, proc, EventNextRequest{options}, reply, timeout);
}

template <ipc::Transport T>
ipc::Error list(T& transport, axo_thread_id_t proc, ProcessId from, ListReply& reply,
                axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    return ipc::call(transport, proc, ListRequest{from}, reply, timeout);
}

template <ipc::Transport T>
ipc::Error signal_state(T& transport, axo_thread_id_t proc, uint32_t ignored, uint32_t caught,
                        SignalStateReply& reply, axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    return ipc::call(transport, proc, SignalStateRequest{ignored, caught}, reply, timeout);
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
