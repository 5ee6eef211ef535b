// 16550 UART on COM1: the kernel's debug console.
#pragma once

#include <stdint.h>

namespace axo::ia32::serial {

constexpr uint16_t kCom1 = 0x3F8;

void init(uint16_t base = kCom1);
void put_char(char c);

} // namespace axo::ia32::serial
