// Client calls of the e1000 driver (protocol.h) on the kernel, for a known server thread (look
// it up with lib/names: names::lookup("eth0", server)). Every call is bounded by `timeout`; a
// driver that dies during a call gives server_gone at once: look the name up again and attach
// again before touching the area (the old instance's mapping is gone with it).
#pragma once

#include <stdint.h>

#include "lib/ipc/kernel.h"
#include "servers/drivers/e1000/protocol.h"

namespace e1000::client {

// Maps the caller's area at `where` (aligned to kAreaBytes, free in the caller's space).
inline ipc::Error attach(axo_thread_id_t server, uint32_t where, AttachReply& reply,
                         axo_timeout_t timeout) {
    axo_utcb_t* utcb = axo_my_utcb();
    uint32_t saved = utcb->br[0];
    utcb->br[0] = axo_fpage(where, kAreaLog2, AXO_FPAGE_R | AXO_FPAGE_W);
    utcb->mr[0] = axo_msg_tag(kNetAttach, 0, 0);
    axo_msg_tag_t tag = axo_ipc_call(server, axo_timeouts(timeout, timeout));
    uint32_t error_word = utcb->error;
    utcb->br[0] = saved;
    if (axo_tag_failed(tag))
        return ipc::transport_error(error_word != 0 ? error_word : (uint32_t{AXO_IPC_INVALID} << 1));
    if (axo_tag_label(tag) != 0) {
        ipc::Error error = static_cast<ipc::Error>(axo_tag_label(tag));
        return ipc::is_transport_error(error) ? ipc::Error::bad_message : error;
    }
    if (axo_tag_untyped(tag) != ipc::wire_words<AttachReply> || axo_tag_typed(tag) != 2)
        return ipc::Error::bad_message;
    memcpy(&reply, &utcb->mr[1], sizeof reply);
    return ipc::Error::ok;
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
