// The process interface (README.md): spawn, exit, wait, kill, statistics, threads, fork. proc
// serves it; interfaces/process/client.h is the client (lib/rt, lib/driver, later libposix).
//
// proc is the root task: its thread id is the KIP's root_task, the one id nobody needs to
// look up. Requests are IPC calls in the shape of lib/ipc (label = operation, exactly the
// request's words; reply label = an ipc::Error, then exactly the reply's words on success).
//
// Identity: proc identifies the caller by the sender id the kernel reports for the IPC, never
// by anything in the message. A process is the space of its thread (below).
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"
#include "interfaces/labels.h"
#include "interfaces/names/protocol.h"
#include "interfaces/process/wire.h"
#include "lib/ipc/message.h"

namespace proc {

// Below: the layouts, what each operation does and its errors.
enum ProcessLabel : uint32_t {
    kProcSpawn = AXO_PROC_SPAWN,                // start a program from a boot module
    kProcExit = AXO_PROC_EXIT,                  // the calling process ends; no reply
    kProcWait = AXO_PROC_WAIT,                  // wait for a child to end; the reply comes when it has
    kProcKill = AXO_PROC_KILL,                  // end a child process
    kProcStatistics = AXO_PROC_STATISTICS,      // counters of the process table and of memory
    kProcThreadCreate = AXO_PROC_THREAD_CREATE, // a new thread in the caller's own process
    kProcFork = AXO_PROC_FORK,                  // a copy-on-write copy of the calling process
};
static_assert(labels::all_in(AXO_LABELS_PROCESS_FIRST, AXO_LABELS_PROCESS_LAST,
                             {kProcSpawn, kProcExit, kProcWait, kProcKill, kProcStatistics,
                              kProcThreadCreate, kProcFork}));

// ---- Processes ------------------------------------------------------------------------------
//
// A process is an address space with one thread (and up to kExtraThreads more: kProcThreadCreate),
// started by proc from an ELF image (a boot module) with lib/loader, or copied by kProcFork; its
// pager is mm when proc runs one (else proc), its exception handler proc (README.md: "Processes",
// "Memory").
// Its life: running -> ended (it called exit, was killed, or faulted: proc deleted its threads,
// which destroyed its space and revoked every page; mm forgot it, or the pages went back to
// proc's pool) ->
// reaped (its parent's wait collected the status; the pid is free again).
//
// Identity and parents. proc knows the caller only as the kernel-given sender id. A sender
// that is a thread of a process in the table (its first or an extra one) acts as that process.
// Any other sender is one of proc's own threads or σ0 — only the root task can create threads,
// and every thread it creates for a program is in the table — and acts as proc itself
// (kNoProcess): it may kill
// any process, and it is the parent of what it spawns and of the modules proc starts at boot.
// Processes whose parent ends are re-parented to proc. proc reaps its own children itself
// when they end, unless one of its threads is already waiting for them.

using ProcessId = uint32_t;
constexpr ProcessId kNoProcess = 0; // no process; as a parent: proc itself

// Arguments of a spawn: space-separated words, NUL-terminated in the field.
constexpr uint32_t kArgumentBytes = 96;

// Starts the boot module named `image` (its configured name, README.md "The boot
// configuration") as a new process, the caller's child. Its argv: the module's name, the
// arguments of its boot configuration line, then the words of `arguments`.
// Errors: invalid_argument (image not a valid name; arguments unterminated; too many words
// for the start block); not_found (no module of that name); unsupported (the module is not a
// program proc can start: not a valid static i386 ELF executable); no_space (the process
// table is full, zombies included); no_memory (the kernel refused the thread or space).
struct SpawnReply {
    ProcessId pid;
    axo_thread_id_t main_thread;
};
struct SpawnRequest {
    static constexpr uint32_t kLabel = kProcSpawn;
    using Reply = SpawnReply;
    Name image;
    char arguments[kArgumentBytes]; // NUL-terminated
};
static_assert(ipc::wire_words<SpawnRequest> == 32);
static_assert(ipc::wire_words<SpawnReply> == 2);

// The calling process ends with `status`: proc deletes its thread (the call never returns)
// and keeps the status for the parent's wait. Errors (the only replies ever sent):
// not_found (the caller is no process: proc's own threads and σ0 cannot exit).
struct ExitRequest {
    static constexpr uint32_t kLabel = kProcExit;
    using Reply = ipc::Empty; // never sent on success: the caller's thread is gone
    int32_t status;
};
static_assert(ipc::wire_words<ExitRequest> == 1);

// How a process ended.
enum ExitReason : uint32_t {
    kExitNormal = 0,  // it called exit; status is its argument
    kExitKilled = 1,  // kProcKill (status: the signal), or its pager had no memory for a
                      // page it needed (status: kSignalKill)
    kExitFaulted = 2, // an exception nobody handled, in any of its threads; status is the
                      // CPU's vector: 14 for a page fault its pager refused (outside its
                      // regions, a write to read-only memory); 6
                      // invalid opcode, 13 general protection, 0 divide error, ...
};

// Signals: kill takes one and records it as the status; none is delivered to the process
// yet (it ends whatever the signal).
constexpr uint32_t kSignalKill = 9;
constexpr uint32_t kSignalTerm = 15;
constexpr uint32_t kMaxSignal = 31; // kill accepts 1..kMaxSignal

// The image pager (README.md "Memory", paging.h): the thread of proc that mm asks for image
// pages of processes (kMmExternalFault), thread number kImagePagerThread, version 1. It
// answers only mm. A cookie is module << 16 | slot: module = the config index of a program
// module (its boot module index - 2), slot = kImageCookieSlot for the module's image (offset
// < its extent: any program image, boot modules are no secret), else the process table slot
// of a process (its main thread's number - 256) for its stack's top page (offset 0: its
// arguments), served only if the faulting thread is that process's; anything else is
// answered invalid_argument, and mm refuses the fault (kRefusedExternal).
constexpr uint32_t kImagePagerThread = 80;
constexpr uint32_t kImageCookieSlot = 0xFFFFu;
constexpr uint32_t image_cookie(uint32_t module, uint32_t slot) {
    return module << 16 | slot;
}

constexpr uint32_t kWaitAnyChild = 0; // WaitRequest::pid: any child
constexpr uint32_t kWaitNoHang = 1u;  // WaitRequest::options: Error::busy if none has ended

// Waits until the child `pid` (or any child: kWaitAnyChild) has ended, reaps it and answers
// with how it ended. The reply is deferred: proc answers when the child ends, and the
// caller stays blocked in its call meanwhile (use a receive timeout to bound it; a wait
// whose caller stopped waiting is dropped when the child ends, and the child stays for the
// next wait). A thread has one wait at a time: a new one replaces its old.
// Errors: invalid_argument (unknown option bits); not_found (no such process, or no
// children at all for kWaitAnyChild); no_permission (`pid` is not the caller's child);
// busy (kWaitNoHang and no child has ended yet; or another thread already waits for
// `pid`); no_space (too many waits pending in proc).
struct WaitReply {
    ProcessId pid;
    uint32_t reason; // ExitReason
    int32_t status;
};
struct WaitRequest {
    static constexpr uint32_t kLabel = kProcWait;
    using Reply = WaitReply;
    ProcessId pid;
    uint32_t options;
};
static_assert(ipc::wire_words<WaitRequest> == 2);
static_assert(ipc::wire_words<WaitReply> == 3);

// The one number a shell shows for an ended process, as POSIX shells do: the status of a
// normal exit (its low 8 bits), 128 + the signal or the vector otherwise.
constexpr uint32_t shell_status(const WaitReply& reply) {
    return reply.reason == kExitNormal ? static_cast<uint32_t>(reply.status) & 0xFFu
                                       : 128u + static_cast<uint32_t>(reply.status);
}

// Ends the process `pid` (reason kExitKilled, status `signal`) as if it had faulted: its
// thread deleted, its memory reclaimed, its parent's wait answered. Only its parent may, or
// proc itself (see Identity above). A process that has ended already: ok, nothing happens.
// Errors: invalid_argument (pid kNoProcess; signal outside 1..kMaxSignal); not_found;
// no_permission (not the caller's child).
struct KillRequest {
    static constexpr uint32_t kLabel = kProcKill;
    using Reply = ipc::Empty;
    ProcessId pid;
    uint32_t signal;
};
static_assert(ipc::wire_words<KillRequest> == 2);

// Counters, for tests and tools; anyone may ask. Never fails.
struct StatisticsReply {
    uint32_t processes;     // in the table: running, or ended and not yet reaped
    uint32_t spawned;       // since boot
    uint32_t ended;         // since boot
    uint32_t pending_waits; // deferred wait replies
    uint32_t pool_in_use;   // pages of proc's page pool given to processes
    uint32_t pool_owned;    // pages proc holds from σ0 (in use or free for the next process)
    uint32_t sigma0_free;   // σ0's free conventional memory, bytes (0 if σ0 would not say)
    uint32_t sigma0_total;  // σ0's conventional memory, bytes
    uint32_t threads;       // extra threads of processes alive (kProcThreadCreate)
};
struct StatisticsRequest {
    static constexpr uint32_t kLabel = kProcStatistics;
    using Reply = StatisticsReply;
};
static_assert(ipc::wire_words<StatisticsRequest> == 0);
static_assert(ipc::wire_words<StatisticsReply> == 9);

// A new thread in the caller's process, which starts at `ip` with `sp` (the caller prepares
// the stack) — what threads of a process are, since only proc, the root task, may create
// threads (thread_control). proc picks its id and its UTCB (in the first thread's UTCB page);
// its pager is the process's (mm, attached to the same client: kMmAttach with space_of; or
// proc), its exception handler proc: a fault or exception in any thread ends the whole process
// as one in its first thread would. It acts as its process in every request. It ends when the
// process ends (exit from any thread, kill, a fault): proc deletes all its threads.
// Errors: not_found (the caller is no process); no_space (the process has kExtraThreads
// already: process_table.h); invalid_argument (ip or sp not a user address: the kernel
// refused to start it); no_memory (the kernel or mm refused the thread).
struct ThreadCreateReply {
    axo_thread_id_t thread;
};
struct ThreadCreateRequest {
    static constexpr uint32_t kLabel = kProcThreadCreate;
    using Reply = ThreadCreateReply;
    uint32_t ip;
    uint32_t sp;
};
static_assert(ipc::wire_words<ThreadCreateRequest> == 2);
static_assert(ipc::wire_words<ThreadCreateReply> == 1);

// fork: a new process, the caller's child, whose space is a copy-on-write copy of the
// caller's (mm's kMmDuplicate: every page shared read-only until one of the two writes it;
// pages neither has touched yet come from the image when touched), with one thread that
// starts at `ip` with `sp` — the caller chooses where the child continues (a function and a
// stack the copy has, e.g. a static stack array). Its argv and image are the caller's; its
// other threads are not copied. Wait, kill and exit work on it as on a spawned child.
// Errors: not_found (the caller is no process); unsupported (no mm: only mm can copy a
// space); no_space (the table is full, or mm's quota refused the copy's commitment);
// invalid_argument (ip or sp not a user address); no_memory (the kernel or mm refused).
struct ForkRequest {
    static constexpr uint32_t kLabel = kProcFork;
    using Reply = SpawnReply;
    uint32_t ip;
    uint32_t sp;
};
static_assert(ipc::wire_words<ForkRequest> == 2);

} // namespace proc
