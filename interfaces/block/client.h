// Client calls of the ATA driver (protocol.h) on the kernel, for a known server thread (look
// it up with lib/names: names::lookup("ata", server)). Every call is bounded by `timeout` per
// phase; a driver that dies during a call gives server_gone at once, never a hang — look the
// name up again, set up the buffer again (buffer()) and retry.
#pragma once

#include <stdint.h>

#include "interfaces/block/protocol.h"
#include "lib/ipc/kernel.h"

namespace ata::client {

// Where a client may put its buffer: the kBufferBytes-aligned part of a static array of twice
// that size (memory of its own, so a driver's death leaves it its own pages there).
inline uint8_t* aligned_window(uint8_t* area) {
    uintptr_t at =
        (reinterpret_cast<uintptr_t>(area) + kBufferBytes - 1) & ~uintptr_t{kBufferBytes - 1};
    return reinterpret_cast<uint8_t*>(at);
}

// The caller's buffer, mapped at `window` (aligned to kBufferBytes). `reply` says the capacity.
inline ipc::Error buffer(axo_thread_id_t server, uint8_t* window, BufferReply& reply,
                         axo_timeout_t timeout) {
    axo_fpage_t fpage = axo_fpage(reinterpret_cast<uintptr_t>(window), kBufferLog2, AXO_FPAGE_RWX);
    return ipc::call_receiving_map(server, BufferRequest{}, reply, fpage, timeout);
}

inline ipc::Error release(axo_thread_id_t server, axo_timeout_t timeout) {
    ipc::Empty reply;
    return ipc::call(server, ReleaseRequest{}, reply, timeout);
}

inline ipc::Error read(axo_thread_id_t server, uint64_t lba, uint32_t count, uint32_t offset,
                       axo_timeout_t timeout) {
    ReadRequest request;
    request.lba_low = static_cast<uint32_t>(lba);
    request.lba_high = static_cast<uint32_t>(lba >> 32);
    request.count = count;
    request.offset = offset;
    ipc::Empty reply;
    return ipc::call(server, request, reply, timeout);
}

inline ipc::Error write(axo_thread_id_t server, uint64_t lba, uint32_t count, uint32_t offset,
                        axo_timeout_t timeout) {
    WriteRequest request;
    request.lba_low = static_cast<uint32_t>(lba);
    request.lba_high = static_cast<uint32_t>(lba >> 32);
    request.count = count;
    request.offset = offset;
    ipc::Empty reply;
    return ipc::call(server, request, reply, timeout);
}

inline ipc::Error flush(axo_thread_id_t server, axo_timeout_t timeout) {
    ipc::Empty reply;
    return ipc::call(server, FlushRequest{}, reply, timeout);
}

inline ipc::Error info(axo_thread_id_t server, InfoReply& reply, axo_timeout_t timeout) {
    return ipc::call(server, InfoRequest{}, reply, timeout);
}

inline ipc::Error statistics(axo_thread_id_t server, StatisticsReply& reply,
                             axo_timeout_t timeout) {
    return ipc::call(server, StatisticsRequest{}, reply, timeout);
}

} // namespace ata::client
