// Ending the kernel: on corruption (panic) or after the in-kernel tests.
#pragma once

namespace axo {

enum class ExitReason { tests_done, tests_failed, panic };

// Implemented by the platform: tells the emulator (QEMU isa-debug-exit, Bochs) how the run
// ended, then halts forever.
[[noreturn]] void platform_exit(ExitReason reason);

// Prints "KERNEL PANIC: <message>" and stops. For kernel corruption only: user input must
// never reach a panic.
[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

} // namespace axo

#define ASSERT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond)) ::axo::panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__);      \
    } while (0)
