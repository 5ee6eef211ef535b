// TAP output for the userland-core driver: one debug_write per line, so that lines of other
// processes (proc's log) never split one.
#pragma once

#include "rt/rt.h"

#include "lib/ipc/error.h"

namespace tap {

__attribute__((format(printf, 2, 3))) bool check(bool passed, const char* fmt, ...);
__attribute__((format(printf, 1, 2))) void diag(const char* fmt, ...);
// Checks that `got` is `want`, describing the step.
__attribute__((format(printf, 3, 4))) bool expect(ipc::Error got, ipc::Error want, const char* fmt,
                                                  ...);
// A test that cannot run here, counted as passed (TAP's SKIP directive).
void skip(const char* what, const char* why);
uint32_t failures();
// Prints the plan and the end marker; the caller then exits (proc ends the run: the driver's
// module line says on-exit=shutdown).
void finish();

} // namespace tap
