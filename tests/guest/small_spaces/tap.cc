#include "tap.h"

#include "rt/tap.h"

// Thin names over lib/rt's TAP output, which every guest test shares.
namespace ss {

void tap_begin() { rt_tap_begin(); }

bool check(bool passed, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    rt_tap_vcheck(passed, fmt, args);
    va_end(args);
    return passed;
}

void skip(const char* reason, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    rt_tap_vskip(reason, fmt, args);
    va_end(args);
}

void diag(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    rt_tap_vdiag(fmt, args);
    va_end(args);
}

void tap_finish() {
    rt_tap_end();
    axo_debug_shutdown(rt_tap_failures() ? 1 : 0);
    rt_park();
}

} // namespace ss
