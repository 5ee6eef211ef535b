// TAP output for the userland-core driver: one debug_write per line, so that lines of other
// processes (proc's log) never split one.
#pragma once

#include "rt/rt.h"
#include "rt/tap.h"

#include "lib/ipc/error.h"

namespace tap {

// check, diag: lib/rt's (rt/tap.h).
using rt::tap::check;
using rt::tap::diag;
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
