#include "kernel/ktest.h"

#include <stdarg.h>

#include "kernel/console.h"
#include "kernel/lib/format.h"

namespace axo::ktest {

namespace {
uint32_t g_count;
uint32_t g_failures;

void put(void*, const char* text, size_t length) {
    console_write(text, length);
}
} // namespace

void begin() {
    kprintf("TAP version 13\n");
}

bool check(bool passed, const char* what, ...) {
    ++g_count;
    if (!passed) ++g_failures;
    kprintf("%s %u - ", passed ? "ok" : "not ok", g_count);
    va_list args;
    va_start(args, what);
    vprint_to(put, nullptr, what, args);
    va_end(args);
    kprintf("\n");
    return passed;
}

void end() {
    kprintf("1..%u\n", g_count);
    kprintf("AXOLOTL: END OF TESTS\n");
}

uint32_t failures() {
    return g_failures;
}

} // namespace axo::ktest
