// TAP output for in-kernel self-tests (booted with test=kernel). The harness in
// tests/system parses these lines; the end marker tells it the run is complete.
#pragma once

#include <stdint.h>

namespace axo::ktest {

void begin();
// Prints "ok N - what" or "not ok N - what"; returns `passed`.
bool check(bool passed, const char* what, ...) __attribute__((format(printf, 2, 3)));
// Prints the plan and the end marker.
void end();
uint32_t failures();

} // namespace axo::ktest
