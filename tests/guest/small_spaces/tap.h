// TAP on the kernel console, for the small-space tests (one debug_write per line, so a line
// is never split).
#pragma once

#include "rt/rt.h"

namespace ss {

void tap_begin();
// "ok N - description" / "not ok N - description"; returns `passed`. No '#' in descriptions.
bool check(bool passed, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
// "ok N - description # SKIP reason": a test this configuration cannot run.
void skip(const char* reason, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
// "# text".
void diag(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// The plan, the end marker, then debug_shutdown(failed).
[[noreturn]] void tap_finish();

} // namespace ss
