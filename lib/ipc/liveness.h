// Whether a client thread still exists, as the tables of lib/ipc (sessions, pending requests)
// ask it before they give a client's slot to another. A thread id is never reused (DESIGN.md
// §3), so "gone" is final. Injected, so the tables are tested on the host; on the kernel it is
// ipc::kernel_liveness() (lib/ipc/kernel.h). The default asks nobody and answers "alive": a
// dead client's slot is then reclaimed only when a reply to it fails or the server is told.
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"

namespace ipc {

struct Liveness {
    void* context = nullptr;
    bool (*alive)(void* context, axo_thread_id_t thread) = nullptr;

    bool operator()(axo_thread_id_t thread) const {
        return alive == nullptr || alive(context, thread);
    }
};

} // namespace ipc
