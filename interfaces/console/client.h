// Client calls of the VGA console driver (protocol.h), for a known server thread (look it up
// with lib/names: names::lookup("vga", server)). The character stream is the stream
// interface, so its calls serve here as they are; every call is bounded by `timeout`; a driver
// that dies during a call gives server_gone at once, never a hang — look the name up again.
#pragma once

#include <stdint.h>

#include "interfaces/console/protocol.h"
#include "interfaces/stream/client.h"
#include "lib/ipc/kernel.h"

namespace console::client {

// write(server, bytes, count, accepted, timeout): on the screen at once, all of it.
using stream::client::write;
// write_all(server, bytes, count, timeout).
using stream::client::write_all;
// read(server, out, max, wait, count, timeout): typed characters; with `wait`, at least one.
using stream::client::read;

inline ipc::Error statistics(axo_thread_id_t server, StatisticsReply& reply,
                             axo_timeout_t timeout) {
    return ipc::call(server, StatisticsRequest{}, reply, timeout);
}

} // namespace console::client
