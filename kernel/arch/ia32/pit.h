// The 8253/8254 programmable interval timer, channel 0: the kernel's tick.
#pragma once

#include <stdint.h>

namespace axo::ia32::pit {

constexpr uint32_t kInputHz = 1193182;

void init(uint32_t hz);

} // namespace axo::ia32::pit
