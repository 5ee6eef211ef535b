// Threads of processes (protocol.h, kProcThreadCreate): a process's threads besides its first
// live in its ProcessEntry (extra[]); they act as their process, and end with it.
#pragma once

#include <stdint.h>

#include "interfaces/process/protocol.h"

namespace proc {

struct Proc;

ipc::Error create_thread(Proc& proc, axo_thread_id_t from, const ThreadCreateRequest& request,
                         ThreadCreateReply& reply);

// The process in `slot` ends: its extra threads are deleted (before its first thread, whose
// deletion then takes the space).
void delete_extra_threads(Proc& proc, uint32_t slot);

// Extra threads alive, for kProcStatistics.
uint32_t extra_threads_alive(const Proc& proc);

} // namespace proc
