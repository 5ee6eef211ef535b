// Client calls of σ0 (protocol.h) on the kernel, through lib/ipc: σ0's id from the KIP, the
// calling thread's UTCB. Memory and ports land in `window` (the receive window for that call
// only). Errors are σ0's Status codes as ipc::Error (no_permission, no_memory, busy: taken,
// bad_message) or a transport error. σ0 never blocks: no timeouts.
#pragma once

#include <stdint.h>

#include "axolotl/kip.h"
#include "interfaces/sigma0/protocol.h"
#include "lib/ipc/kernel.h"
#include "lib/ipc/kip.h"

namespace sigma0::client {

inline axo_thread_id_t sigma0_thread() {
    return ipc::kip()->sigma0;
}

// Any free conventional memory of 2^log2 bytes, naturally aligned; `physical` its address.
inline ipc::Error allocate_any(uint32_t log2, axo_fpage_t window, uint32_t& physical) {
    MemoryReply reply{};
    ipc::Error error =
        ipc::call_receiving_map(sigma0_thread(), AllocateAnyRequest{log2}, reply, window);
    if (error == ipc::Error::ok) physical = reply.physical;
    return error;
}

// The physical memory `fpage` names, with its rights.
inline ipc::Error map_physical(axo_fpage_t fpage, axo_fpage_t window) {
    MemoryReply reply{};
    return ipc::call_receiving_map(sigma0_thread(), MapPhysicalRequest{fpage}, reply, window);
}

// The I/O ports `ports` (axo_io_fpage) names; `window` must cover them (an I/O fpage, or the
// complete fpage).
inline ipc::Error map_ports(axo_fpage_t ports, axo_fpage_t window) {
    ipc::Empty reply;
    return ipc::call_receiving_map(sigma0_thread(), MapPortsRequest{ports}, reply, window);
}

// Root task only: `thread` may use σ0 from now on.
inline ipc::Error add_client(axo_thread_id_t thread) {
    ipc::Empty reply;
    return ipc::call(sigma0_thread(), AddClientRequest{thread}, reply);
}

inline ipc::Error statistics(StatisticsReply& reply) {
    return ipc::call(sigma0_thread(), StatisticsRequest{}, reply);
}

} // namespace sigma0::client
