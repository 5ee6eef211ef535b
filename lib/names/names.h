// The name-service client for programs on the kernel: proc (the root task, whose id is in
// the KIP) answers; the calling thread's own UTCB carries the messages. See client.h for the
// rules, interfaces/names/protocol.h for the errors.
//
//   names::register_name("console");                 // this thread serves "console"
//   axo_thread_id_t console;
//   if (names::lookup("console", console) == ipc::Error::ok) ...
//   names::Service console("console");               // lookup, call, re-lookup after a restart
//   console.call_idempotent(request, reply);
#pragma once

#include <stdint.h>

#include "axolotl/kip.h"
#include "interfaces/names/client.h"
#include "lib/ipc/kernel.h"
#include "lib/ipc/kip.h"

namespace names {

// proc's id: the one server nobody needs to look up.
inline axo_thread_id_t proc_thread() {
    return ipc::kip()->root_task;
}

inline ipc::Error register_name(const char* name, axo_thread_id_t server = AXO_NIL_THREAD) {
    ipc::KernelTransport transport;
    return register_name(transport, proc_thread(), name, server);
}
inline ipc::Error lookup(const char* name, axo_thread_id_t& server) {
    ipc::KernelTransport transport;
    return lookup(transport, proc_thread(), name, server);
}
// Waits until `name` is registered (at most `timeout`), without polling: a program started
// beside its server.
inline ipc::Error wait_for(const char* name, axo_thread_id_t& server, axo_timeout_t timeout) {
    ipc::KernelTransport transport;
    return wait_for(transport, proc_thread(), name, server, timeout);
}
inline ipc::Error unregister_name(const char* name) {
    ipc::KernelTransport transport;
    return unregister_name(transport, proc_thread(), name);
}

// KernelTransport has no state (each call uses the calling thread's own UTCB), so one
// instance serves every thread.
inline constinit ipc::KernelTransport g_kernel_transport{};

// A Binding on the calling thread's registers. One per thread.
class Service : public Binding<ipc::KernelTransport> {
public:
    explicit Service(const char* name)
        : Binding<ipc::KernelTransport>(g_kernel_transport, proc_thread(), name) {}
};

} // namespace names
