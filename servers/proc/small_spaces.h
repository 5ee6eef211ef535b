// Servers in small spaces (docs/kernel-api.md §14; README.md "Small spaces"): where the kernel
// has small spaces on, proc makes the space of a server it starts small, so that a call from
// any program to it reloads segments instead of writing CR3.
//
// Which modules: wants_small_space (boot_config.h).
// Such a process is laid out for a small slot (lib/loader: Process::kSmallEnd) wherever it runs,
// so the layout is the same with small spaces off; only the space_control call depends on
// them. A server that outgrows its slot (a mapping beyond it) is promoted by the kernel.
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"
#include "lib/ipc/error.h"
#include "lib/loader/loader.h"
#include "servers/proc/boot_config.h"

namespace proc {

struct Proc;

// loader::prepare for a process of config module `module`, laid out for a small slot if
// wants_small_space (and large if its image does not fit one).
ipc::Error prepare_module(const Proc& proc, loader::Process& process, uint32_t module,
                          const char* const* argv, uint32_t argc, const char** why,
                          const loader::StringBlock& more);

// Makes `thread`'s space small (lib/loader's Process::kSmallBlocks) if the kernel has small
// spaces on; logs the slot, or why not. True if it is small now.
bool make_space_small(axo_thread_id_t thread, const char* name);

// An exception of `thread` that may be its small space's limit — a #GP (an access beyond the
// slot, which a CPU enforcing limits reports so) or a #PF at an address outside it (QEMU with
// small spaces forced) — promotes the space to a large one if it is small, so that the retried
// instruction reaches the space's pager (mm) like any other fault. True if it was promoted: the
// caller resumes the thread where it faulted. A genuine fault faults again, large, and ends
// the process as before.
bool promote_outgrown(axo_thread_id_t thread, uint32_t vector, const char* name);

} // namespace proc
