// The process interface proc serves (README.md): spawn, exit, wait, kill, statistics, threads,
// fork, exec; interfaces/process/client.h is the client (lib/rt, lib/driver, later libposix).
// Device grants and DMA for drivers are an interface of their own: interfaces/devices.
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

enum Label : uint32_t {
    // ---- Processes ------------------------------------------------------------------------------
    // Below: the layouts, what each operation does and its errors.
    kProcSpawn = AXO_PROC_SPAWN,           // start a program from a boot module
    kProcExit = AXO_PROC_EXIT,             // the calling process ends; no reply
    kProcWait = AXO_PROC_WAIT,             // wait for a child to end; the reply comes when it has
    kProcKill = AXO_PROC_KILL,             // end a child process
    kProcStatistics = AXO_PROC_STATISTICS, // counters of the process table and of memory
    kProcThreadCreate = AXO_PROC_THREAD_CREATE, // a new thread in the caller's own process
    kProcFork = AXO_PROC_FORK,                  // a copy-on-write copy of the calling process
    kProcIdentify =
        AXO_PROC_IDENTIFY, // pid, parent, group, session, credentials of a thread's process
    kProcSetProcessGroup = AXO_PROC_SET_PROCESS_GROUP, // setpgid
    kProcSetSession = AXO_PROC_SET_SESSION,            // setsid
    kProcSetCredentials = AXO_PROC_SET_CREDENTIALS,    // setuid, seteuid, setgid, setegid
    kProcSetGroups = AXO_PROC_SET_GROUPS,              // setgroups
    kProcEventSubscribe =
        AXO_PROC_EVENT_SUBSCRIBE, // the caller's thread subscribes to the event stream
    kProcEventSubscribeNotify =
        AXO_PROC_EVENT_SUBSCRIBE_NOTIFY, // subscribes; proc notifies the thread of every event
    kProcEventNext =
        AXO_PROC_EVENT_NEXT,   // the subscriber's next events; the reply comes when there are
    kProcList = AXO_PROC_LIST, // every process, in pid order (a subscriber's resync)
    kProcSignalState =
        AXO_PROC_SIGNAL_STATE, // the caller's ignored and caught signals; its pending ones
    kProcExec = AXO_PROC_EXEC, // the calling process runs another program, keeping its pid
    // spawn and exec with arguments and environment of up to kMaxArgumentBytes, in the
    // caller's memory (a map item), not in message words
    kProcSpawnBlock = AXO_PROC_SPAWN_BLOCK,
    kProcExecBlock = AXO_PROC_EXEC_BLOCK,
    // exec of a program file: an mm object fs pages (interfaces/file kFileExecObject)
    kProcExecFile = AXO_PROC_EXEC_FILE,
    kProcSignalAction =
        AXO_PROC_SIGNAL_ACTION, // dispositions, mask and handler entry; what is pending
    kProcSignalTake =
        AXO_PROC_SIGNAL_TAKE, // the next deliverable signal, and the context it interrupted
    kProcSignalSuspend = AXO_PROC_SIGNAL_SUSPEND, // sigsuspend: a mask, then wait for a signal
    kProcRealTime = AXO_PROC_REAL_TIME,           // the boot's date: CLOCK_REALTIME's origin
    kProcGroupSession = AXO_PROC_GROUP_SESSION,   // the session of a process group (tcsetpgrp)
    kProcInfo = AXO_PROC_INFO,                    // one process: name, threads, memory (svc)
    kProcCommandLine = AXO_PROC_COMMAND_LINE,     // one process's argv (/proc/<pid>/cmdline)
    kProcPower = AXO_PROC_POWER,                  // power the machine off, or reset it
};
static_assert(labels::all_in(AXO_LABELS_PROCESS_FIRST, AXO_LABELS_PROCESS_LAST,
                             {kProcSpawn, kProcExit, kProcWait, kProcKill, kProcStatistics,
                              kProcThreadCreate, kProcFork, kProcInfo, kProcCommandLine}));

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

// Arguments of a spawn or exec in message words: space-separated words, NUL-terminated in the
// field; no environment. Larger arguments and an environment: kProcSpawnBlock (below).
constexpr uint32_t kArgumentBytes = 96;

// ---- Arguments and environment as a block (kProcSpawnBlock, kProcExecBlock) -----------------
//
// The caller lays its arguments and environment out in its own memory as an *argument block*:
// `argc` arguments, then `envc` environment strings ("NAME=value"), each NUL-terminated, back
// to back, `bytes` long in all — and maps the pages that hold it to proc with the request's one
// map item (read rights suffice): an fpage of 2^s bytes, 4 KiB <= 2^s <= kArgumentWindowBytes,
// based where the block starts, with a send base that is a multiple of kArgumentWindowBytes
// (client.h's ArgumentBlock does all of it). proc copies the block out of its receive window
// before it checks it, so a caller that changes its pages meanwhile changes nothing but its own
// request, then flushes the window: the caller's pages are its own again when the reply comes.
//
// ARG_MAX: `bytes` is at most kMaxArgumentBytes and argc + envc at most kMaxArgumentStrings;
// beyond either the request is refused with arguments_too_long (E2BIG) and nothing starts.
// Malformed blocks are invalid_argument (EINVAL): not exactly argc + envc strings each
// terminated inside `bytes` (bytes 0 means no strings, and a nil fpage), an item that does not
// cover `bytes` or is not readable, a send base that would not put it at the window's start, or
// pages proc cannot read (the caller mapped pages it does not have).
//
// The new image gets, at the top of its stack, argc' = the module's name, its configured
// arguments and the block's argc arguments; argv[0..argc'), a null pointer, envp (the block's
// envc strings), a null pointer, the auxiliary vector (AT_NULL) — the System V i386 layout
// (lib/loader/layout.h). The block's pages are part of the stack (kProcessStackBytes).
constexpr uint32_t kMaxArgumentBytes = 128 * 1024;
constexpr uint32_t kMaxArgumentStrings = 8192;
constexpr uint32_t kArgumentWindowLog2 = 17;
constexpr uint32_t kArgumentWindowBytes = 1u << kArgumentWindowLog2;
static_assert(kMaxArgumentBytes <= kArgumentWindowBytes);

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

// spawn with an argument block ("Arguments and environment as a block" above), otherwise as
// kProcSpawn. Errors as kProcSpawn's, and arguments_too_long (E2BIG), invalid_argument for a
// malformed block, no_memory when proc has no room for the block.
struct SpawnBlockRequest {
    static constexpr uint32_t kLabel = kProcSpawnBlock;
    using Reply = SpawnReply;
    Name image;
    uint32_t argc;  // arguments in the block (after the module's name and configured ones)
    uint32_t envc;  // environment strings in the block, after the arguments
    uint32_t bytes; // the block's length
};
static_assert(ipc::wire_words<SpawnBlockRequest> == 11);

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
    // Not ends: what a wait with kWaitUntraced / kWaitContinued reports of a running child.
    kExitStopped = 3,   // stopped by a signal (status: the signal)
    kExitContinued = 4, // continued by SIGCONT (status: SIGCONT)
};

// Signals, numbered as newlib's <sys/signal.h> for i686-elf (the BSD numbers). proc carries
// out the default action of a signal that the process neither ignores nor catches (it reports
// which: kProcSignalState), SIGKILL and SIGSTOP always; a caught signal is recorded as pending
// for the process to collect (kProcSignalState) until kernel notifications deliver it.
constexpr uint32_t kSignalHangup = 1;
constexpr uint32_t kSignalInterrupt = 2;
constexpr uint32_t kSignalIllegal = 4;
constexpr uint32_t kSignalTrap = 5;
constexpr uint32_t kSignalAbort = 6;
constexpr uint32_t kSignalFloatingPoint = 8;
constexpr uint32_t kSignalKill = 9;
constexpr uint32_t kSignalBus = 10;
constexpr uint32_t kSignalSegmentation = 11;
constexpr uint32_t kSignalAlarm = 14;
constexpr uint32_t kSignalTerm = 15;
constexpr uint32_t kSignalUrgent = 16;
constexpr uint32_t kSignalStop = 17;
constexpr uint32_t kSignalTerminalStop = 18;
constexpr uint32_t kSignalContinue = 19;
constexpr uint32_t kSignalChild = 20;
constexpr uint32_t kSignalTerminalIn = 21;
constexpr uint32_t kSignalTerminalOut = 22;
constexpr uint32_t kSignalWindow = 28;
constexpr uint32_t kSignalUser1 = 30;
constexpr uint32_t kSignalUser2 = 31;
constexpr uint32_t kMaxSignal = 31; // kill accepts 0..kMaxSignal (0: the permission check only)
constexpr uint32_t signal_bit(uint32_t signal) {
    return 1u << signal;
}

// The image pager (README.md "Memory", paging.h): the thread of proc that mm asks for image
// pages of processes (mm's kMmPagerWait), thread number kImagePagerThread, version 1. It
// answers only mm. A cookie is module << 16 | slot: module = the config index of a program
// module (its boot module index - 2), slot = kImageCookieSlot for the module's image (offset
// < its extent: any program image, boot modules are no secret), else the process table slot
// of a process for its stack's top page (offset 0: its
// arguments), served only if the faulting thread is that process's; anything else is
// answered invalid_argument, and mm refuses the fault (kRefusedExternal).
constexpr uint32_t kImagePagerThread = 80;
constexpr uint32_t kImageCookieSlot = 0xFFFFu;
// The module part of the cookie of a process that runs a program file (kProcExecFile): only its
// stack's top pages come from the image pager (the image's pages come from fs).
constexpr uint32_t kFileCookieModule = 0xFFFFu;
constexpr uint32_t image_cookie(uint32_t module, uint32_t slot) {
    return module << 16 | slot;
}

constexpr uint32_t kWaitAnyChild = 0; // WaitRequest::pid: any child
constexpr uint32_t kWaitNoHang = 1u;  // WaitRequest::options: Error::busy if none has ended
// Also report a child that stopped (WUNTRACED) or was continued (WCONTINUED) since it was
// last reported: reason kExitStopped (status: the signal) or kExitContinued (status: SIGCONT);
// the child is not reaped.
constexpr uint32_t kWaitUntraced = 2u;
constexpr uint32_t kWaitContinued = 4u;

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

// Sends `signal` (0..kMaxSignal) to processes, as POSIX kill(): `pid` > 0 that process; 0
// every process of the caller's process group; -1 every process the caller may signal but
// itself and, for a process, the system's processes — those proc started itself from the boot
// configuration, and their restarts (as Linux spares its kernel threads): init's
// kill(-1, SIGKILL) at a shutdown ends the users' processes, not fs or the drivers; < -1 every
// process of the group -pid.
// The caller may signal a process if it is proc itself (see Identity above), or its effective
// uid is 0, or its real or effective uid is the target's real or saved uid, or the signal is
// SIGCONT and the target is in the caller's session. Signal 0 only checks. What happens: see
// "Signals" above; without a catch, most signals end the process (kExitKilled, the signal),
// SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU stop it (its threads halted), SIGCONT continues it,
// SIGCHLD/SIGURG/SIGWINCH are ignored. A process that has ended already (a zombie) may be
// signalled: nothing happens.
// Errors: invalid_argument (signal above kMaxSignal); not_found (no such process or group, or
// none the caller may signal); no_permission (the process, or every process of the group,
// refuses the caller).
struct KillRequest {
    static constexpr uint32_t kLabel = kProcKill;
    using Reply = ipc::Empty;
    int32_t pid;
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

// ---- Identity -----------------------------------------------------------------------------------
//
// Every process has a process group and a session (POSIX), and credentials: real, effective and
// saved user and group ids and up to kMaxGroups supplementary groups. A child (spawn or fork)
// inherits its parent's group, session and credentials; a process proc starts itself (at boot,
// or for one of its own threads) is root (all ids 0) and the leader of a new session and group.
// Servers identify a client by asking proc about the thread the kernel reported as the sender
// (kProcIdentify): any thread of a process names the process; a client's claim is never trusted.

using UserId = uint32_t;
using GroupId = uint32_t;
constexpr uint32_t kMaxGroups = 16;
constexpr uint32_t kNoId = 0xFFFFFFFFu; // (uid_t)-1: never a valid id

struct Credentials {
    UserId ruid, euid, suid;
    GroupId rgid, egid, sgid;
    uint32_t group_count;
    GroupId groups[kMaxGroups];
};
static_assert(ipc::wire_words<Credentials> == 23);

// Who the process of `thread` (nil: the caller) is. Anyone may ask (getpid, getppid, getpgrp,
// getsid, getuid... are this call with nil; servers ask about their clients' threads).
// Errors: not_found (`thread` is no thread of a running process; for nil: the caller is none).
struct IdentifyReply {
    ProcessId pid;
    ProcessId parent; // kNoProcess: proc
    ProcessId pgid;
    ProcessId sid;
    Credentials credentials;
};
struct IdentifyRequest {
    static constexpr uint32_t kLabel = kProcIdentify;
    using Reply = IdentifyReply;
    axo_thread_id_t thread;
};
static_assert(ipc::wire_words<IdentifyRequest> == 1);
static_assert(ipc::wire_words<IdentifyReply> == 27);

// The session of the process group `pgid`: a terminal checks with it that tcsetpgrp names a
// group of the caller's session (servers/tty). Anyone may ask.
// Errors: not_found (no running process is in group `pgid`).
struct GroupSessionReply {
    ProcessId sid;
};
struct GroupSessionRequest {
    static constexpr uint32_t kLabel = kProcGroupSession;
    using Reply = GroupSessionReply;
    ProcessId pgid;
};
static_assert(ipc::wire_words<GroupSessionRequest> == 1);

// The machine stops: kPowerOff powers it off (under QEMU the run ends with success), kReset
// resets it. Only for a process whose effective uid is 0; the caller syncs the file systems
// first (fs's kFileShutdown: init does it, README.md of apps/init). On success there is no
// reply: the machine is gone. Errors: no_permission (not root, or not a process);
// invalid_argument (another action); unsupported (kReset: the kernel has no reset yet).
constexpr uint32_t kPowerOff = 0;
constexpr uint32_t kReset = 1;
struct PowerRequest {
    static constexpr uint32_t kLabel = kProcPower;
    using Reply = ipc::Empty;
    uint32_t action;
};
static_assert(ipc::wire_words<PowerRequest> == 1);

// setpgid(pid, pgid): `pid` 0 is the caller, `pgid` 0 is `pid`. The target must be the caller or
// a child of it that has not exec'd (a spawned child has: spawn is fork and exec), in the
// caller's session and no session leader; `pgid` must be the target's pid or a group that
// exists in the caller's session.
// Errors: invalid_argument (pgid negative); not_found (pid is neither the caller nor a child of
// it: ESRCH); access_denied (a child that has exec'd: EACCES); no_permission (the target is a
// session leader, a child in another session, or pgid a group of another session or of none:
// EPERM); not_found also for a caller that is no process.
struct SetProcessGroupRequest {
    static constexpr uint32_t kLabel = kProcSetProcessGroup;
    using Reply = ipc::Empty;
    int32_t pid;
    int32_t pgid;
};
static_assert(ipc::wire_words<SetProcessGroupRequest> == 2);

// setsid(): the caller becomes the leader of a new session and of a new process group, both
// its pid. Errors: no_permission (it is a process group leader already: some process's group is
// its pid); not_found (no process).
struct SetSessionReply {
    ProcessId sid;
};
struct SetSessionRequest {
    static constexpr uint32_t kLabel = kProcSetSession;
    using Reply = SetSessionReply;
};
static_assert(ipc::wire_words<SetSessionRequest> == 0);
static_assert(ipc::wire_words<SetSessionReply> == 1);

// setuid, seteuid, setgid, setegid (POSIX, with _POSIX_SAVED_IDS): with effective uid 0,
// setuid/setgid set all three ids and seteuid/setegid the effective one to anything; otherwise
// the effective id may become the real or the saved one only.
// Errors: invalid_argument (unknown operation; id kNoId); no_permission (EPERM); not_found.
enum CredentialOperation : uint32_t {
    kSetUid = 0,
    kSetEffectiveUid = 1,
    kSetGid = 2,
    kSetEffectiveGid = 3,
};
struct SetCredentialsRequest {
    static constexpr uint32_t kLabel = kProcSetCredentials;
    using Reply = ipc::Empty;
    uint32_t operation; // CredentialOperation
    uint32_t id;
};
static_assert(ipc::wire_words<SetCredentialsRequest> == 2);

// setgroups: only with effective uid 0. Errors: invalid_argument (count above kMaxGroups, or an
// id kNoId); no_permission; not_found.
struct SetGroupsRequest {
    static constexpr uint32_t kLabel = kProcSetGroups;
    using Reply = ipc::Empty;
    uint32_t count;
    GroupId groups[kMaxGroups];
};
static_assert(ipc::wire_words<SetGroupsRequest> == 17);

// ---- The event stream ---------------------------------------------------------------------------
//
// Servers that keep per-process state (fs, net: descriptors inherited by fork, dropped at exit)
// learn of processes from proc without proc ever calling them (DESIGN.md §5): a subscriber
// thread subscribes once, then calls kProcEventNext in a loop; proc answers when it has events
// (a deferred reply) and otherwise keeps them in the subscriber's queue (kEventQueueDepth).
//
// Ordering guarantee: proc queues an event for every subscriber *before* it lets the process
// act on it — a new process's thread runs only after its kEventFork is in every queue — and a
// queue is emptied only by a reply the kernel delivered. So a server that receives a request
// from a sender it does not know asks kProcEventNext with kEventNoHang and finds the fork
// (events come in the order proc made them). If a queue is full when an event comes, the event
// is not queued and the subscriber's next reply has `lost` set (before any later event): it
// must resync with kProcList, which lists every process that exists from then on.
// A subscriber's queue goes when its thread's process ends, when it subscribes again (a fresh
// queue), or when proc needs the place and finds its thread dead.
constexpr uint32_t kMaxSubscribers = 8;
constexpr uint32_t kEventQueueDepth = 64;
constexpr uint32_t kEventsPerReply = 12;
constexpr uint32_t kEventNoHang = 1u; // EventNextRequest::options: answer at once, maybe empty

enum EventKind : uint32_t {
    kEventFork = 1,        // pid was made by parent (fork, or spawn: then a kEventExec follows)
    kEventExec = 2,        // pid runs a new image (spawn's, or exec)
    kEventExit = 3,        // pid ended (value: the ExitReason << 16 | status & 0xFFFF)
    kEventCredentials = 4, // pid's credentials changed (value: its new effective uid)
    kEventGroup = 5,       // pid's process group or session changed (value: its new pgid)
};
struct Event {
    uint32_t kind; // EventKind
    ProcessId pid;
    ProcessId parent; // its parent now
    uint32_t value;
};

// Errors: no_space (kMaxSubscribers threads subscribe already).
struct EventSubscribeRequest {
    static constexpr uint32_t kLabel = kProcEventSubscribe;
    using Reply = ipc::Empty;
};
static_assert(ipc::wire_words<EventSubscribeRequest> == 0);

// A subscription (as kProcEventSubscribe) whose thread proc notifies: whenever an event is
// queued for it (or found its queue full), proc sets `bits` in the thread's notification word
// (kernel notify; proc may notify any thread) — after the event is in the queue and before the
// process it concerns acts on it. The subscriber then needs no call to proc to learn that
// nothing happened: it asks kProcEventNext (kEventNoHang) only when its bits are set, and can
// wait for them (a receive with AXO_TAG_FLAG_NOTIFY) instead of polling. A bit set once for
// several events is taken once: the subscriber reads until `pending` is 0.
// Errors: invalid_argument (bits 0); no_space (kMaxSubscribers threads subscribe already).
struct EventSubscribeNotifyRequest {
    static constexpr uint32_t kLabel = kProcEventSubscribeNotify;
    using Reply = ipc::Empty;
    uint32_t bits;
};
static_assert(ipc::wire_words<EventSubscribeNotifyRequest> == 1);

// The oldest events of the caller's queue (up to kEventsPerReply; `pending`: how many more are
// queued). Deferred until there is one, unless kEventNoHang. A thread has one such call at a
// time (a new one replaces the old). proc removes the events from the queue when the kernel
// delivered its reply; a subscriber whose call timed out and that then receives from any thread
// may get that reply there (label 0, EventNextReply's words, from proc): it must take it as
// events (or never give up a deferred call: a thread of its own that blocks in it).
// Errors: not_found (the caller is no subscriber); invalid_argument (unknown option bits).
struct EventNextReply {
    uint32_t lost;    // 1: events were lost since the last reply: resync with kProcList
    uint32_t count;   // events[0..count)
    uint32_t pending; // still queued after these
    Event events[kEventsPerReply];
};
struct EventNextRequest {
    static constexpr uint32_t kLabel = kProcEventNext;
    using Reply = EventNextReply;
    uint32_t options;
};
static_assert(ipc::wire_words<EventNextRequest> == 1);
static_assert(ipc::wire_words<EventNextReply> == 51);

// The processes with pid >= `from`, in pid order, up to kListEntries; call again with
// `next` until it is kNoProcess. Running and ended (not yet reaped) processes alike.
constexpr uint32_t kListEntries = 8;
struct ProcessListEntry {
    ProcessId pid, parent, pgid, sid;
    UserId euid;
    GroupId egid;
    uint32_t state; // 0 running, 1 stopped, 2 ended
};
struct ListReply {
    uint32_t count;
    ProcessId next; // the first pid not listed (kNoProcess: none)
    ProcessListEntry entries[kListEntries];
};
struct ListRequest {
    static constexpr uint32_t kLabel = kProcList;
    using Reply = ListReply;
    ProcessId from;
};
static_assert(ipc::wire_words<ListRequest> == 1);
static_assert(ipc::wire_words<ListReply> == 58);

// One process, for tools (apps/svc); anyone may ask. `name` is its boot module's name, or for a
// process that exec'd a program file the last component of the argv[0] it gave (as Linux's
// comm), at most kInfoNameBytes - 1 characters, terminated; a fork's child has its parent's.
// `module` is the boot module it was started from or last exec'd (kInfoNoModule after a file);
// `restarts` how often proc restarted that module's supervised instance (on-exit=restart), for
// that instance only. Memory is mm's count for the process (0 for one proc pages itself:
// σ0, proc, mm): pages it has committed, and anonymous pages resident. Errors: not_found (no
// such pid).
constexpr uint32_t kInfoNameBytes = 16;
constexpr uint32_t kInfoNoModule = 0xffffffffu;
enum InfoFlags : uint32_t {
    kInfoBootModule = 1u << 0, // started by proc from the boot configuration
    kInfoSupervised = 1u << 1, // the instance proc restarts when it ends (on-exit=restart)
    kInfoPagedByMm = 1u << 2,  // mm pages it (the memory counts are mm's)
};
struct InfoReply {
    ProcessId pid, parent, pgid, sid;
    uint32_t state; // as ProcessListEntry's
    uint32_t flags; // InfoFlags
    uint32_t module;
    uint32_t restarts;
    uint32_t threads; // its first and its extra threads
    uint32_t committed_pages, resident_pages;
    char name[kInfoNameBytes];
};
struct InfoRequest {
    static constexpr uint32_t kLabel = kProcInfo;
    using Reply = InfoReply;
    ProcessId pid;
};
static_assert(ipc::wire_words<InfoRequest> == 1);
static_assert(ipc::wire_words<InfoReply> == 15);

// One process's arguments, for tools (/proc/<pid>/cmdline); anyone may ask. `bytes` holds its
// argv as it started its program (spawn, exec; a fork's child has its parent's), each argument
// NUL-terminated, the first `length` bytes of it: an argv longer than kCommandLineBytes is cut
// there. Errors: not_found (no such pid).
constexpr uint32_t kCommandLineBytes = 128;
struct CommandLineReply {
    uint32_t length;
    char bytes[kCommandLineBytes];
};
struct CommandLineRequest {
    static constexpr uint32_t kLabel = kProcCommandLine;
    using Reply = CommandLineReply;
    ProcessId pid;
};
static_assert(ipc::wire_words<CommandLineRequest> == 1);
static_assert(ipc::wire_words<CommandLineReply> == 33);

// The caller reports which signals it ignores and which it catches (its sigaction table, as
// bits signal_bit(n)), so that proc acts on the others by default; SIGKILL and SIGSTOP are
// never ignored or caught (their bits are dropped). The reply takes the pending caught signals
// (they are cleared): until kernel notifications deliver them, a process collects them here.
// Errors: not_found (no process).
struct SignalStateReply {
    uint32_t pending;
};
struct SignalStateRequest {
    static constexpr uint32_t kLabel = kProcSignalState;
    using Reply = SignalStateReply;
    uint32_t ignored;
    uint32_t caught;
};
static_assert(ipc::wire_words<SignalStateRequest> == 2);
static_assert(ipc::wire_words<SignalStateReply> == 1);

// exec: the calling process replaces its program with the boot module `image` (its argv as
// spawn's: the module's name, its configured arguments, the words of `arguments`) and keeps its
// pid, parent, group, session, credentials, ignored signals, signal mask and children; caught
// signals go
// back to their default. All its threads end (the caller's call never returns on success), its
// memory goes, and the new program starts with a new first thread (a new thread id: identify it
// by pid) in a new space with the new image's regions and a fresh stack. Subscribers get
// kEventExec (value: the module). Errors (the caller still runs): invalid_argument (image not a
// valid name, arguments unterminated or too many); not_found (no such module, or the caller is
// no process); unsupported (not a program). If the new program cannot be started after the old
// one is gone (no memory), the process ends killed (SIGKILL), as it would on Linux.
struct ExecRequest {
    static constexpr uint32_t kLabel = kProcExec;
    using Reply = ipc::Empty; // never sent on success
    Name image;
    char arguments[kArgumentBytes]; // NUL-terminated
};
static_assert(ipc::wire_words<ExecRequest> == 32);

// exec with an argument block (above), otherwise as kProcExec.
struct ExecBlockRequest {
    static constexpr uint32_t kLabel = kProcExecBlock;
    using Reply = ipc::Empty; // never sent on success
    Name image;
    uint32_t argc;
    uint32_t envc;
    uint32_t bytes;
};
static_assert(ipc::wire_words<ExecBlockRequest> == 11);

// ---- exec of a file (kProcExecFile) -------------------------------------------------------------
//
// exec, otherwise as kProcExecBlock, of a program file instead of a boot module: `object` is the
// id of the file's external object in mm (fs is its pager: interfaces/file kFileExecObject, which
// also let the caller's client map it), `file_size` the file's size. proc never touches the
// object's pages itself (a fault of proc's on fs would turn the call hierarchy round): the caller
// sends the file's first `header_bytes` bytes — the ELF header and the program headers, at most
// kExecHeaderBytes, all of the table inside them — at the start of the mapped block, the argument
// block (`bytes`, argc, envc) right after them. proc validates them as strictly as a module's
// (kernel/elf.h) and more: the program headers inside the sent bytes, no two segments on one page,
// segments below the stack. The new image: each PT_LOAD segment's file pages are a kRegionCopy
// region of the object at the segment's file offset (read-only text kept once in mm for every
// process of the file; writable data a private copy; the bytes after a segment's file end on its
// last page are the file's next bytes — crt0 clears .bss, libposix/crt0.S), the rest of its
// memory anonymous zero-fill; the stack, heap and start block as for a module. argv is the
// block's alone (argv[0] the caller's choice). Kept and reset as kProcExec says; the signal mask
// is kept too (POSIX). Subscribers get kEventExec with value exec_event_value(object).
// Errors (the caller still runs): not_executable (ENOEXEC: the headers are refused),
// arguments_too_long (the headers and the block above kArgumentWindowBytes, or the block above
// ARG_MAX), invalid_argument (a malformed block, header_bytes above kExecHeaderBytes or the file),
// not_found (the caller is no process, or mm knows no such object), unsupported (no mm),
// no_space (no thread id).
constexpr uint32_t kExecHeaderBytes = 1024;
struct ExecFileRequest {
    static constexpr uint32_t kLabel = kProcExecFile;
    using Reply = ipc::Empty; // never sent on success
    uint32_t object;
    uint32_t file_size;
    uint32_t header_bytes;
    uint32_t argc;
    uint32_t envc;
    uint32_t bytes;
};
static_assert(ipc::wire_words<ExecFileRequest> == 6);

// kEventExec's value: the boot module's index (kProcExec, kProcExecBlock, spawn), or for a file
// this flag and the object's id.
constexpr uint32_t kExecEventObject = 0x80000000u;
constexpr uint32_t exec_event_value(uint32_t object) {
    return kExecEventObject | object;
}
// ---- Signal delivery ----------------------------------------------------------------------------
//
// How a caught signal reaches its handler (README.md, "Signal delivery"; libposix/README.md). The
// process tells proc its dispositions, its mask and `entry`, the address of its signal entry
// (libposix's trampoline). When a caught signal that is not blocked becomes pending, proc diverts
// the process's first thread there with exchange_registers — its ip becomes `entry`, and an ipc it
// is blocked in is aborted (the call fails with AXO_IPC_CANCELLED: EINTR, or a restart) — and keeps
// the ip, sp and flags it had: the interrupted context. A fault (an exception of the first thread)
// whose signal is caught and not blocked is answered the same way: the exception reply sends the
// thread to `entry`. At `entry` the process takes the signal and the context (kProcSignalTake),
// runs the handler and returns to the context itself. proc diverts a thread once until it took the
// context; the take blocks every signal in proc's copy of the mask until the process sets its mask
// again (kProcSignalAction), so nothing interrupts the handler before its own mask is in place.

// The faults proc turns into signals, with the si_code the handler sees (POSIX's values in
// newlib-compatible numbering are the process's business: these are proc's).
enum FaultCode : uint32_t {
    kFaultNone = 0,       // a signal sent by kill
    kFaultMapError = 1,   // a page fault outside every region (SEGV_MAPERR)
    kFaultAccess = 2,     // a page fault on a page without the right (SEGV_ACCERR)
    kFaultGeneral = 3,    // general protection, stack, segment (SIGSEGV)
    kFaultOpcode = 4,     // invalid opcode (SIGILL)
    kFaultDivide = 5,     // divide error (SIGFPE)
    kFaultFloat = 6,      // x87 or SIMD floating point (SIGFPE)
    kFaultBreakpoint = 7, // int3, debug (SIGTRAP)
    kFaultAlignment = 8,  // alignment check (SIGBUS)
    kFaultObjectEnd = 9,  // a page beyond the end of a mapped file (SIGBUS, BUS_ADRERR)
};

// The signal (0: none) and code for a CPU exception vector and its error code.
struct FaultSignal {
    uint32_t signal;
    uint32_t code;
};
constexpr FaultSignal fault_signal(uint32_t vector, uint32_t error) {
    switch (vector) {
    case 0:
        return {kSignalFloatingPoint, kFaultDivide};
    case 1:
    case 3:
        return {kSignalTrap, kFaultBreakpoint};
    case 6:
        return {kSignalIllegal, kFaultOpcode};
    case 16:
    case 19:
        return {kSignalFloatingPoint, kFaultFloat};
    case 17:
        return {kSignalBus, kFaultAlignment};
    case 14:
        return {kSignalSegmentation, (error & 1u) ? kFaultAccess : kFaultMapError};
    case 4:
    case 5:
    case 10:
    case 11:
    case 12:
    case 13:
        return {kSignalSegmentation, kFaultGeneral};
    default:
        return {0, kFaultNone};
    }
}

// A page fault mm refused because the page lies beyond the end of the mapped object (a file
// mapping past the file's end): POSIX's SIGBUS, not the SIGSEGV of its vector 14.
constexpr FaultSignal object_end_signal() {
    return {kSignalBus, kFaultObjectEnd};
}

// Sets what kProcSignalState sets — the ignored and caught signals — and the mask (`blocked`;
// SIGKILL and SIGSTOP are never blocked) and `entry`, the process's signal entry (0: none; proc
// then only records caught signals as pending, as without delivery). Pending signals stay pending;
// a blocked signal with its default action waits in proc until the mask unblocks it, and acts
// then (this call may end or stop the caller: no reply then). The reply: the pending signals
// (sigpending), and the deliverable ones (caught, not blocked): proc does not divert the caller
// for those — it takes them itself now.
// Errors: not_found (no process).
struct SignalActionReply {
    uint32_t pending;
    uint32_t deliverable;
};
struct SignalActionRequest {
    static constexpr uint32_t kLabel = kProcSignalAction;
    using Reply = SignalActionReply;
    uint32_t ignored;
    uint32_t caught;
    uint32_t blocked;
    uint32_t entry;
};
static_assert(ipc::wire_words<SignalActionRequest> == 4);
static_assert(ipc::wire_words<SignalActionReply> == 2);

// Takes the next signal to deliver: a fault's signal first, else the lowest caught, pending and
// unblocked one (its pending bit is cleared); `signal` 0 if there is none. If proc diverted the
// caller (to its entry, for a signal or a fault), the reply carries the interrupted context
// (`diverted` 1: ip, sp, flags), once. After a take with a signal every signal is blocked in proc's
// copy of the mask until the next kProcSignalAction sets it. Errors: not_found (no process).
struct SignalTakeReply {
    uint32_t signal;
    uint32_t code;    // FaultCode
    uint32_t address; // the fault address (page faults), else 0
    uint32_t diverted;
    uint32_t ip;
    uint32_t sp;
    uint32_t flags;
};
struct SignalTakeRequest {
    static constexpr uint32_t kLabel = kProcSignalTake;
    using Reply = SignalTakeReply;
};
static_assert(ipc::wire_words<SignalTakeRequest> == 0);
static_assert(ipc::wire_words<SignalTakeReply> == 7);

// The realtime clock (CLOCK_REALTIME, file times): proc reads the RTC once at boot; the reply is
// the date at which the KIP's clock read 0, in µs since the epoch (UTC), as two words. Realtime
// is that plus the KIP's clock. 0 if proc found no RTC with a valid date (times then start at the
// epoch at boot). Anybody may ask; no errors.
struct RealTimeReply {
    uint32_t boot_us_low;
    uint32_t boot_us_high;
};
struct RealTimeRequest {
    static constexpr uint32_t kLabel = kProcRealTime;
    using Reply = RealTimeReply;
};
static_assert(ipc::wire_words<RealTimeRequest> == 0);
static_assert(ipc::wire_words<RealTimeReply> == 2);

// sigsuspend: sets the mask to `blocked` and waits for a caught signal. If one is deliverable at
// once the reply says which (`deliverable`); otherwise proc never answers: the signal's diversion
// aborts the call (AXO_IPC_CANCELLED) and runs the handler. Setting the mask and starting to wait
// are one step at proc, so no signal can slip in between. Errors: not_found (no process).
struct SignalSuspendReply {
    uint32_t deliverable;
};
struct SignalSuspendRequest {
    static constexpr uint32_t kLabel = kProcSignalSuspend;
    using Reply = SignalSuspendReply;
    uint32_t blocked;
};
static_assert(ipc::wire_words<SignalSuspendRequest> == 1);
static_assert(ipc::wire_words<SignalSuspendReply> == 1);

} // namespace proc
