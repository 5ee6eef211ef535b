// How a run ends on the PC platform, under QEMU and Bochs.
#include "kernel/arch/ia32/io.h"
#include "kernel/console.h"
#include "kernel/panic.h"

namespace axo {

namespace {
// QEMU's isa-debug-exit device (-device isa-debug-exit,iobase=0xf4,iosize=0x04): writing v
// ends QEMU with status (v << 1) | 1. The test harness knows these two values.
constexpr uint16_t kQemuDebugExitPort = 0xF4;
constexpr uint8_t kExitTestsDone = 0x10;   // QEMU status 33
constexpr uint8_t kExitPanic = 0x11;       // QEMU status 35
constexpr uint8_t kExitTestsFailed = 0x12; // QEMU status 37
// Bochs powers off when the string "Shutdown" is written to this port, byte by byte.
constexpr uint16_t kBochsShutdownPort = 0x8900;
// Serial line status: transmitter empty. Bochs drops bytes still in flight at power-off.
constexpr uint16_t kCom1LineStatus = 0x3FD;
constexpr uint8_t kTransmitterEmpty = 0x40;
} // namespace

void platform_exit(ExitReason reason) {
    ia32::disable_interrupts();
    const char* why = reason == ExitReason::panic          ? "panic"
                      : reason == ExitReason::tests_failed ? "tests failed"
                                                           : "tests done";
    kprintf("axolotl: halting (%s)\n", why);
    for (int i = 0; i < 1000000 && !(ia32::inb(kCom1LineStatus) & kTransmitterEmpty); ++i) {
    }
    ia32::outb(kQemuDebugExitPort, reason == ExitReason::panic          ? kExitPanic
                                   : reason == ExitReason::tests_failed ? kExitTestsFailed
                                                                        : kExitTestsDone);
    for (const char* c = "Shutdown"; *c; ++c)
        ia32::outb(kBochsShutdownPort, static_cast<uint8_t>(*c));
    // Not under QEMU (Bochs, hardware): stay halted; the harness ends the emulator.
    for (;;)
        ia32::halt();
}

} // namespace axo
