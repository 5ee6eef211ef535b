#include "tap.h"

#include "rt/tap.h"

// Thin names over lib/rt's TAP output, which every guest test shares.
namespace ss {

void tap_begin() {
    rt_tap_begin();
}

void tap_finish() {
    rt_tap_end();
    axo_debug_shutdown(rt_tap_failures() ? 1 : 0);
    rt_park();
}

} // namespace ss
