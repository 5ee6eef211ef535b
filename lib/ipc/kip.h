// The calling program's KIP. It is at AXO_KIP_ADDRESS in a large space and on the last page of
// the slot in a small one (docs/kernel-api.md §14): proc may start a server small, so nothing
// may assume the fixed address. Asked of the kernel once per program (every thread would get
// the same answer, so a race between two first calls is harmless).
#pragma once

#include <stdint.h>

#include "axolotl/kip.h"
#include "axolotl/syscalls.h"

namespace ipc {

inline const axo_kip_t* g_kip = nullptr;

inline const axo_kip_t* kip() {
    const axo_kip_t* known = g_kip;
    if (known == nullptr) {
        known = axo_kernel_interface();
        g_kip = known;
    }
    return known;
}

} // namespace ipc
