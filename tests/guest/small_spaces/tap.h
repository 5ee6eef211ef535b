// TAP on the kernel console, for the small-space tests (one debug_write per line, so a line
// is never split).
#pragma once

#include "rt/rt.h"
#include "rt/tap.h"

namespace ss {

void tap_begin();
// check, skip, diag: lib/rt's (rt/tap.h).
using rt::tap::check;
using rt::tap::diag;
using rt::tap::skip;
// The plan, the end marker, then debug_shutdown(failed).
[[noreturn]] void tap_finish();

} // namespace ss
