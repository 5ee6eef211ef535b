#include "kernel/console.h"

#include <stdarg.h>

#include "kernel/lib/format.h"

namespace axo {

static void put(void*, const char* text, size_t length) {
    console_write(text, length);
}

void kprintf(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vprint_to(put, nullptr, fmt, args);
    va_end(args);
}

} // namespace axo
