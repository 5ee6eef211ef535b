// Starting the first user tasks from boot modules: module 0 is σ0, module 1 the root task
// (privileged). The rest are listed in the KIP for the root task to start.
#pragma once

#include "kernel/multiboot.h"

namespace axo {

// Returns false if there is no root task to start (the kernel then just idles).
bool start_initial_tasks(const multiboot::BootInfo& boot);

} // namespace axo
