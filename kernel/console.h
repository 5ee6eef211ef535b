// The kernel's debug console: formatted output to whatever the architecture provides
// (COM1 on ia32). Used for the boot log, panics and in-kernel test output.
#pragma once

#include <stddef.h>

namespace axo {

// Implemented by the architecture.
void console_write(const char* text, size_t length);

void kprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

} // namespace axo
