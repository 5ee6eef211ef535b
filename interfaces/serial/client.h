// Client calls of the serial driver (protocol.h) on the kernel: the stream calls
// (interfaces/stream/client.h) and its statistics. Look the server up with lib/names
// (names::lookup("com2", server)); every call is bounded by `timeout` per phase.
#pragma once

#include <stdint.h>

#include "interfaces/serial/protocol.h"
#include "interfaces/stream/client.h"
#include "lib/ipc/kernel.h"

namespace serial::client {

using stream::client::flush;
using stream::client::read;
using stream::client::write;
using stream::client::write_all;

inline ipc::Error statistics(axo_thread_id_t server, StatisticsReply& reply,
                             axo_timeout_t timeout) {
    return ipc::call(server, StatisticsRequest{}, reply, timeout);
}

} // namespace serial::client
