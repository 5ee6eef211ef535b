#include "kernel/arch/ia32/pit.h"

#include "kernel/arch/ia32/io.h"

namespace axo::ia32::pit {

namespace {
constexpr uint16_t kChannel0 = 0x40;
constexpr uint16_t kCommand = 0x43;
constexpr uint8_t kChannel0LoHiRateGenerator = 0x34; // channel 0, lobyte/hibyte, mode 2
} // namespace

void init(uint32_t hz) {
    uint32_t divisor = kInputHz / hz;
    outb(kCommand, kChannel0LoHiRateGenerator);
    outb(kChannel0, divisor & 0xFF);
    outb(kChannel0, (divisor >> 8) & 0xFF);
}

} // namespace axo::ia32::pit
