#include "tap.h"

#include "rt/tap.h"

// The userland-core names over lib/rt's TAP output, which every guest test shares.
namespace tap {

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
    rt_tap_skip(why, "%s", what);
}

uint32_t failures() {
    return rt_tap_failures();
}

void finish() {
    rt_tap_end();
}

} // namespace tap
