// Client calls of the e1000 driver (protocol.h) on the kernel, for a known server thread (look
// it up with lib/names: names::lookup("eth0", server)). Every call is bounded by `timeout`; a
// driver that dies during a call gives server_gone at once: look the name up again and attach
// again before touching the area (the old instance's mapping is gone with it).
#pragma once

#include <stdint.h>

#include "interfaces/nic/protocol.h"
#include "lib/ipc/kernel.h"

namespace e1000::client {

// Maps the caller's area at `where` (aligned to kAreaBytes, free in the caller's space).
inline ipc::Error attach(axo_thread_id_t server, uint32_t where, AttachReply& reply,
                         axo_timeout_t timeout) {
    return ipc::call_receiving_map(server, AttachRequest{}, reply,
                                   axo_fpage(where, kAreaLog2, AXO_FPAGE_R | AXO_FPAGE_W), timeout);
}

inline ipc::Error detach(axo_thread_id_t server, axo_timeout_t timeout) {
    ipc::Empty reply;
    return ipc::call(server, DetachRequest{}, reply, timeout);
}

inline ipc::Error send(axo_thread_id_t server, uint32_t offset, uint32_t length,
                       axo_timeout_t timeout) {
    ipc::Empty reply;
    return ipc::call(server, SendRequest{offset, length}, reply, timeout);
}

inline ipc::Error receive(axo_thread_id_t server, uint32_t offset, bool wait, uint32_t& length,
                          axo_timeout_t timeout) {
    ReceiveReply reply{};
    ipc::Error error =
        ipc::call(server, ReceiveRequest{offset, wait ? kReceiveWait : 0u}, reply, timeout);
    length = error == ipc::Error::ok ? reply.length : 0;
    if (error == ipc::Error::ok && length > kMaxFrame) return ipc::Error::bad_message;
    return error;
}

inline ipc::Error statistics(axo_thread_id_t server, StatisticsReply& reply,
                             axo_timeout_t timeout) {
    return ipc::call(server, StatisticsRequest{}, reply, timeout);
}

} // namespace e1000::client
