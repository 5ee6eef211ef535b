// In-kernel self-tests of the ia32 layer: paging and the exception path.
#pragma once

#include <stdint.h>

#include "kernel/boot_state.h"

namespace axo::ia32 {

uint32_t ticks();
void run_arch_selftests(BootState& boot);

} // namespace axo::ia32
