// proc's in-guest self-test (argument `selftest` on proc's boot module): client threads in
// proc's own space exercise the name service, the RPC framework and the boot configuration
// over real IPC, print TAP and end the run (ctest proc-names, tests/system/proc.cmake).
#pragma once

#include "servers/proc/server.h"

namespace proc {

// Starts the test thread; returns at once. The caller then serves `dispatcher`, which the
// test watches (its statistics) while it talks to it.
void start_selftest(Proc& proc, const Dispatcher& dispatcher);

} // namespace proc
