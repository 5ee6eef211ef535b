#include "rt/tap.h"

#include "rt/rt.h"

namespace {

uint32_t g_count;
uint32_t g_failures;

void vline(const char* prefix, const char* fmt, va_list args, const char* suffix) {
    char line[240];
    size_t n = rt_snprintf(line, sizeof line, "%s", prefix);
    if (n < sizeof line) n += rt_vsnprintf(line + n, sizeof line - n, fmt, args);
    if (n < sizeof line) n += rt_snprintf(line + n, sizeof line - n, "%s", suffix);
    if (n > sizeof line - 2) n = sizeof line - 2;
    line[n++] = '\n';
    axo_debug_write(line, n);
}

} // namespace

extern "C" {

void rt_tap_begin(void) {
    rt_printf("TAP version 13\n");
}

int rt_tap_vcheck(int passed, const char* fmt, va_list args) {
    ++g_count;
    if (!passed) ++g_failures;
    char prefix[24];
    rt_snprintf(prefix, sizeof prefix, "%s %u - ", passed ? "ok" : "not ok", g_count);
    vline(prefix, fmt, args, "");
    return passed;
}

int rt_tap_check(int passed, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    rt_tap_vcheck(passed, fmt, args);
    va_end(args);
    return passed;
}

void rt_tap_vskip(const char* reason, const char* fmt, va_list args) {
    ++g_count;
    char prefix[24], suffix[100];
    rt_snprintf(prefix, sizeof prefix, "ok %u - ", g_count);
    rt_snprintf(suffix, sizeof suffix, " # SKIP %s", reason);
    vline(prefix, fmt, args, suffix);
}

void rt_tap_skip(const char* reason, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    rt_tap_vskip(reason, fmt, args);
    va_end(args);
}

void rt_tap_vdiag(const char* fmt, va_list args) {
    vline("# ", fmt, args, "");
}

void rt_tap_diag(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    rt_tap_vdiag(fmt, args);
    va_end(args);
}

uint32_t rt_tap_failures(void) {
    return g_failures;
}

void rt_tap_end(void) {
    rt_printf("1..%u\n", g_count);
    rt_printf("AXOLOTL: END OF TESTS\n");
}

} // extern "C"
