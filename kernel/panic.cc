#include "kernel/panic.h"

#include <stdarg.h>

#include "kernel/console.h"
#include "kernel/lib/format.h"

namespace axo {

static void put(void*, const char* text, size_t length) {
    console_write(text, length);
}

void panic(const char* fmt, ...) {
    console_write("\nKERNEL PANIC: ", 15);
    va_list args;
    va_start(args, fmt);
    vprint_to(put, nullptr, fmt, args);
    va_end(args);
    console_write("\n", 1);
    platform_exit(ExitReason::panic);
}

} // namespace axo
