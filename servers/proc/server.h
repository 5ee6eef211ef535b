// proc's state and its dispatch table: what main() builds and serves, and what the self-test
// inspects (it runs in proc's own space).
#pragma once

#include "lib/ipc/dispatcher.h"
#include "servers/proc/boot_config.h"
#include "servers/proc/module_image.h"
#include "servers/proc/name_service.h"
#include "servers/proc/protocol.h"

namespace proc {

// Asks the kernel: exchange_registers with no control bits changes nothing and fails only for
// an id that names no thread. proc, the root task, may ask about any thread.
bool kernel_thread_alive(void* context, axo_thread_id_t thread);

struct Proc {
    NameService names{Liveness{&kernel_thread_alive, nullptr}};
    const BootConfig* config = nullptr;
    // images[i] is config->modules[i]'s contents.
    const ModuleImage* images = nullptr;
};

using Dispatcher = ipc::Dispatcher<Proc>;

// Every label of protocol.h: the name service, and the process operations still unsupported.
Dispatcher make_dispatcher(Proc& proc);

} // namespace proc
