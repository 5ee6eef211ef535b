// How a run ends on the PC platform, under QEMU and Bochs.
#include "kernel/arch/ia32/io.h"
#include "kernel/console.h"
#include "kernel/panic.h"

namespace axo {

namespace {
// QEMU's isa-debug-exit device (-device isa-debug-exit,iobase=0xf4,iosize=0x04): writing v
// ends QEMU with status (v << 1) | 1. The test harness knows these two values.
constexpr uint16_t kQemuDebugExitPort = 0xF4;
constexpr uint8_t kExitTestsDone = 0x10; // QEMU status 33
constexpr uint8_t kExitPanic = 0x11;     // QEMU status 35
} // namespace

void platform_exit(ExitReason reason) {
    ia32::disable_interrupts();
    kprintf("axolotl: halting (%s)\n", reason == ExitReason::panic ? "panic" : "tests done");
    ia32::outb(kQemuDebugExitPort, reason == ExitReason::panic ? kExitPanic : kExitTestsDone);
    // Not under QEMU (Bochs, hardware): stay halted; the harness ends the emulator.
    for (;;) ia32::halt();
}

} // namespace axo
