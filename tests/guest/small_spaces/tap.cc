#include "tap.h"

namespace ss {

namespace {

uint32_t g_count;
uint32_t g_failures;

void vline(const char* prefix, const char* fmt, va_list args, const char* suffix) {
    char line[200];
    size_t n = rt_snprintf(line, sizeof line, "%s", prefix);
    if (n < sizeof line) n += rt_vsnprintf(line + n, sizeof line - n, fmt, args);
    if (n < sizeof line) n += rt_snprintf(line + n, sizeof line - n, "%s", suffix);
    if (n > sizeof line - 2) n = sizeof line - 2;
    line[n++] = '\n';
    axo_debug_write(line, n);
}

} // namespace

void tap_begin() { rt_printf("TAP version 13\n"); }

bool check(bool passed, const char* fmt, ...) {
    ++g_count;
    if (!passed) ++g_failures;
    char prefix[24];
    rt_snprintf(prefix, sizeof prefix, "%s %u - ", passed ? "ok" : "not ok", g_count);
    va_list args;
    va_start(args, fmt);
    vline(prefix, fmt, args, "");
    va_end(args);
    return passed;
}

void skip(const char* reason, const char* fmt, ...) {
    ++g_count;
    char prefix[24], suffix[80];
    rt_snprintf(prefix, sizeof prefix, "ok %u - ", g_count);
    rt_snprintf(suffix, sizeof suffix, " # SKIP %s", reason);
    va_list args;
    va_start(args, fmt);
    vline(prefix, fmt, args, suffix);
    va_end(args);
}

void diag(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vline("# ", fmt, args, "");
    va_end(args);
}

void tap_finish() {
    rt_printf("1..%u\n", g_count);
    rt_printf("AXOLOTL: END OF TESTS\n");
    axo_debug_shutdown(g_failures ? 1 : 0);
    rt_park();
}

} // namespace ss
