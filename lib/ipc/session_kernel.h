// lib/ipc's sessions (session.h) on the kernel: revocation by unmap, liveness by the kernel,
// and the attach reply that maps the client's buffer. Target only.
#pragma once

#include <stdint.h>

#include "axolotl/syscalls.h"
#include "lib/ipc/kernel.h"
#include "lib/ipc/session.h"

namespace ipc {

// Takes every right from the mappings derived from the server's (the clients'); the server's
// own mapping stays (no AXO_UNMAP_FLUSH_OWN).
inline void revoke_buffer(void*, uintptr_t address, uint32_t log2) {
    axo_my_utcb()->mr[0] = axo_fpage(static_cast<uint32_t>(address), log2, AXO_FPAGE_RWX);
    (void)axo_unmap(0);
}

inline SessionHost kernel_session_host() {
    return SessionHost{kernel_liveness(), nullptr, &revoke_buffer};
}

// The attach reply (the handler then returns kNoReply): `reply`'s words and the map item of
// the client's buffer with `rights`, landing in the client's receive window
// (ipc::call_receiving_map). If the client no longer waits, a fresh slot is freed again.
// True if the client got it.
template <uint32_t N, class State, WireLayout T>
bool send_session_buffer(Sessions<N, State>& sessions, axo_thread_id_t client,
                         const typename Sessions<N, State>::Attached& attached, const T& reply,
                         uint32_t rights) {
    uint32_t address = static_cast<uint32_t>(sessions.address(attached.slot));
    if (send_reply_with_map(client, reply, address, sessions.fpage(attached.slot, rights)))
        return true;
    sessions.attach_failed(attached);
    return false;
}

} // namespace ipc
