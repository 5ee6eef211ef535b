#include "tap.h"

namespace tap {
namespace {

uint32_t g_count;
uint32_t g_failures;

void vline(const char* prefix, const char* fmt, va_list args) {
    char line[240];
    size_t n = rt_snprintf(line, sizeof line, "%s", prefix);
    if (n < sizeof line) n += rt_vsnprintf(line + n, sizeof line - n, fmt, args);
    if (n > sizeof line - 2) n = sizeof line - 2;
    line[n++] = '\n';
    axo_debug_write(line, n);
}

} // namespace

bool check(bool passed, const char* fmt, ...) {
    ++g_count;
    if (!passed) ++g_failures;
    char prefix[24];
    rt_snprintf(prefix, sizeof prefix, "%s %u - ", passed ? "ok" : "not ok", g_count);
    va_list args;
    va_start(args, fmt);
    vline(prefix, fmt, args);
    va_end(args);
    return passed;
}

void diag(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vline("# ", fmt, args);
    va_end(args);
}

bool expect(ipc::Error got, ipc::Error want, const char* fmt, ...) {
    char what[160];
    va_list args;
    va_start(args, fmt);
    rt_vsnprintf(what, sizeof what, fmt, args);
    va_end(args);
    if (got == want) return check(true, "%s: %s", what, ipc::error_name(want));
    return check(false, "%s: got %s (%u), expected %s", what, ipc::error_name(got),
                 static_cast<uint32_t>(got), ipc::error_name(want));
}

void skip(const char* what, const char* why) {
    ++g_count;
    rt_printf("ok %u - %s # SKIP %s\n", g_count, what, why);
}

uint32_t failures() {
    return g_failures;
}

void finish() {
    rt_printf("1..%u\n", g_count);
    rt_printf("AXOLOTL: END OF TESTS\n");
}

} // namespace tap
