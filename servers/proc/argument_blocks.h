// Argument blocks (interfaces/process/protocol.h, "Arguments and environment as a block"): how
// the arguments and environment of kProcSpawnBlock and kProcExecBlock get from the caller's
// memory into the new image's stack, and where proc keeps a start block until the process has
// taken it.
//
//   1. The request's map item lands in proc's argument window (the main thread's receive
//      window, kArgumentWindow). take_argument_block checks the request's counts (E2BIG beyond
//      ARG_MAX) and the item, then has the **reader** thread copy `bytes` out of the window into
//      proc's staging buffer. The reader has no pager: a page the caller did not have (a hole
//      in the window) is an exception that comes to the main thread, which refuses the request
//      (invalid_argument) and makes a fresh reader — proc never blocks on, or reads anything
//      but, what the caller sent. The window is flushed before the handler returns, and a
//      stray item any other request brings is flushed before that request is handled
//      (flush_stray_items), so the window never holds a page of an earlier caller.
//   2. The staged copy — which nobody else can change — is checked (lib/loader's
//      valid_strings) and handed to the ProcessService as a loader::StringBlock.
//   3. The new process's start block (lib/loader's StartBlock: argc, argv, envp, the auxiliary
//      vector, the strings) is built in **start storage**: runs of pages of proc's start-block
//      area (kStartArea, pages from σ0 kept for reuse), one run per process, given back when
//      its process ends or execs. mm copies its pages into the process at their first touch
//      (paging.cc: the stack's top pages are a kRegionCopy of the image pager's).
//
// The main thread owns the staging buffer and the start storage; the image pager only reads a
// slot's start block (as before).
#pragma once

#include <stdint.h>

#include "interfaces/process/protocol.h"
#include "lib/ipc/map_item.h"
#include "lib/loader/layout.h"

namespace proc {

struct Proc;

// Where the caller's block lands in proc's space (its main thread's receive window), and the
// area start storage comes from: above the page pool (server.h's kPoolWindow, 32 MiB), below
// the device windows (device_table.h).
constexpr uint32_t kArgumentWindow = 0x88000000u;
constexpr uint32_t kStartArea = 0x84000000u;
constexpr uint32_t kStartAreaPages = 1024; // 4 MiB
static_assert(kArgumentWindow % kArgumentWindowBytes == 0);

// Starts the reader thread and opens the main thread's receive window. At boot, on the main
// thread, before it serves.
void argument_blocks_init(Proc& proc);

// Step 1 and 2 above: `strings` points into the staging buffer until the next call. Errors:
// arguments_too_long, invalid_argument (protocol.h).
ipc::Error take_argument_block(uint32_t argc, uint32_t envc, uint32_t bytes,
                               const ipc::MapItem& item, loader::StringBlock& strings);

// kProcExecFile's block: `header_bytes` of the program file's headers (at most
// kExecHeaderBytes), then the argument block as above; `headers` points into the staging
// buffer too. Errors as take_argument_block's; arguments_too_long also when headers and block
// together exceed the window.
ipc::Error take_exec_file_block(uint32_t header_bytes, uint32_t argc, uint32_t envc, uint32_t bytes,
                                const ipc::MapItem& item, const uint8_t*& headers,
                                loader::StringBlock& strings);

// A request other than the two block requests that arrived with typed items: whatever it mapped
// into the window goes at once (the dispatcher's request hook and the kernel-message handler
// call it with the tag).
void flush_stray_items(uint32_t tag);

// Step 3: storage for the start block of the process in `slot`, enough for `argv` (argc
// strings) and `more`; false if the area has no room (the slot then uses the block's own
// kBytes, which fits what boot lines and kProcSpawn carry). release_start_storage gives it
// back (nothing if it has none).
bool attach_start_storage(Proc& proc, uint32_t slot, const char* const* argv, uint32_t argc,
                          const loader::StringBlock& more);
void release_start_storage(Proc& proc, uint32_t slot);

// Pages of start storage in use (for statistics and tests).
uint32_t start_storage_pages();

} // namespace proc
