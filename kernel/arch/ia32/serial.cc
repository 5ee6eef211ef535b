#include "kernel/arch/ia32/serial.h"

#include "kernel/arch/ia32/io.h"
#include "kernel/console.h"

namespace axo::ia32::serial {

namespace {
// 16550 registers, as offsets from the base port (names from the National datasheet).
constexpr uint16_t kRbrThr = 0; // receive buffer / transmit holding (DLAB=0)
constexpr uint16_t kDll = 0;    // divisor latch low (DLAB=1)
constexpr uint16_t kIer = 1;    // interrupt enable (DLAB=0)
constexpr uint16_t kDlm = 1;    // divisor latch high (DLAB=1)
constexpr uint16_t kFcr = 2;    // FIFO control
constexpr uint16_t kLcr = 3;    // line control
constexpr uint16_t kMcr = 4;    // modem control
constexpr uint16_t kLsr = 5;    // line status

constexpr uint8_t kLcrDlab = 0x80;
constexpr uint8_t kLcr8N1 = 0x03; // Bochs truncates characters unless the word length is set
constexpr uint8_t kFcrEnableClear14 = 0xC7;
constexpr uint8_t kMcrDtrRtsOut2 = 0x0B;
constexpr uint8_t kLsrThrEmpty = 0x20;
constexpr uint16_t kDivisor115200 = 1;

uint16_t g_base = kCom1;
} // namespace

void init(uint16_t base) {
    g_base = base;
    outb(base + kIer, 0);
    outb(base + kLcr, kLcrDlab);
    outb(base + kDll, kDivisor115200 & 0xFF);
    outb(base + kDlm, kDivisor115200 >> 8);
    outb(base + kLcr, kLcr8N1);
    outb(base + kFcr, kFcrEnableClear14);
    outb(base + kMcr, kMcrDtrRtsOut2);
}

void put_char(char c) {
    // Bounded: a missing UART must not hang the kernel.
    for (int i = 0; i < 100000 && !(inb(g_base + kLsr) & kLsrThrEmpty); ++i) {
    }
    outb(g_base + kRbrThr, static_cast<uint8_t>(c));
}

} // namespace axo::ia32::serial

namespace axo {

void console_write(const char* text, size_t length) {
    for (size_t i = 0; i < length; ++i) {
        if (text[i] == '\n') ia32::serial::put_char('\r');
        ia32::serial::put_char(text[i]);
    }
}

} // namespace axo
