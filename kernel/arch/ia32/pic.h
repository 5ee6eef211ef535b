// The two cascaded 8259A interrupt controllers of the PC.
#pragma once

#include <stdint.h>

namespace axo::ia32::pic {

constexpr uint32_t kLines = 16;
constexpr uint32_t kCascadeLine = 2;

void init(uint8_t vector_base);
void mask(uint32_t irq);
void unmask(uint32_t irq);
void end_of_interrupt(uint32_t irq);
// IRQ 7 and 15 fire spuriously when a request vanishes before the CPU acknowledges it;
// the in-service register tells a real one from a spurious one.
bool is_spurious(uint32_t irq);

} // namespace axo::ia32::pic
