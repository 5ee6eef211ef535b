// proc's protocol: the name service and process management. This header is the documentation
// of the server (DESIGN.md §5, STYLE.md rule 6), shared by proc's dispatcher and its clients
// (lib/names, later libposix).
//
// proc is the root task: its thread id is the KIP's root_task, the one id nobody needs to
// look up. Requests are IPC calls in the shape of lib/ipc (label = operation, exactly the
// request's words; reply label = an ipc::Error, then exactly the reply's words on success).
//
// Identity: proc identifies the caller by the sender id the kernel reports for the IPC, never
// by anything in the message. A name belongs to the thread that registered it.
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"
#include "lib/ipc/message.h"

namespace proc {

enum Label : uint32_t {
    // ---- Name service (implemented) ---------------------------------------------------------
    // Binds a name to a server thread; the caller becomes the name's owner. `server` nil means
    // the caller itself. Errors: invalid_argument (name empty, unterminated, or not printable
    // ASCII without spaces); no_permission (`server` is another thread: only a thread's own
    // registrations are accepted until proc's process table can tell which threads share a
    // process); exists (the name is bound by another owner, or by the caller to another
    // server; registering the same binding again is ok, so retrying is safe); no_space (the
    // table is full, or the caller owns kNamesPerOwner names).
    // A name whose server or owner thread no longer exists is free again: proc checks with the
    // kernel, so a restarted server can take its name back.
    kNameRegister = 0x0100,
    // The server thread bound to a name. Errors: invalid_argument; no_such_name (never bound,
    // unregistered, or its server or owner died — a dead server's name stops resolving).
    kNameLookup = 0x0101,
    // Removes a binding: only its owner may. Errors: invalid_argument; no_such_name;
    // no_permission (the caller is not the owner).
    kNameUnregister = 0x0102,

    // ---- Processes (declared, not implemented yet: Error::unsupported) -----------------------
    // These need map items and the memory manager (issue 7, later parts): proc must map an ELF
    // image's pages into a new space before it can start anything.
    kProcSpawn = 0x0200, // start a program from a boot module
    kProcExit = 0x0201,  // the calling process ends; no reply
    kProcWait = 0x0202,  // wait for a child to end; the reply comes when it has
    kProcKill = 0x0203,  // end a process (the caller's child, or any for proc's trusted servers)
};

// Names: up to 31 bytes, NUL-terminated in 32 (8 words).
constexpr uint32_t kNameBytes = 32;
using Name = ipc::WireString<kNameBytes>;
// Per-owner limit, so one thread cannot fill the table for everybody.
constexpr uint32_t kNamesPerOwner = 8;
// The whole table.
constexpr uint32_t kNameCapacity = 64;

// ---- Name service ------------------------------------------------------------------------------

struct NameRegisterRequest {
    static constexpr uint32_t kLabel = kNameRegister;
    using Reply = ipc::Empty;
    Name name;
    axo_thread_id_t server; // nil: the caller
};
static_assert(ipc::wire_words<NameRegisterRequest> == 9);

struct NameLookupReply {
    axo_thread_id_t server;
};
struct NameLookupRequest {
    static constexpr uint32_t kLabel = kNameLookup;
    using Reply = NameLookupReply;
    Name name;
};
static_assert(ipc::wire_words<NameLookupRequest> == 8);
static_assert(ipc::wire_words<NameLookupReply> == 1);

struct NameUnregisterRequest {
    static constexpr uint32_t kLabel = kNameUnregister;
    using Reply = ipc::Empty;
    Name name;
};
static_assert(ipc::wire_words<NameUnregisterRequest> == 8);

// ---- Processes (not implemented yet) -----------------------------------------------------------

using ProcessId = uint32_t; // 0 is no process

// Starts the boot module whose configured name is `image` (docs: servers/proc/README.md) with
// `arguments` (space-separated words). Later also programs from the file system.
struct SpawnReply {
    ProcessId pid;
    axo_thread_id_t main_thread;
};
struct SpawnRequest {
    static constexpr uint32_t kLabel = kProcSpawn;
    using Reply = SpawnReply;
    Name image;
    char arguments[96]; // NUL-terminated
};
static_assert(ipc::wire_words<SpawnRequest> == 32);
static_assert(ipc::wire_words<SpawnReply> == 2);

struct ExitRequest {
    static constexpr uint32_t kLabel = kProcExit;
    using Reply = ipc::Empty; // never sent: the caller's threads are gone
    int32_t status;
};
static_assert(ipc::wire_words<ExitRequest> == 1);

// How a process ended.
enum ExitReason : uint32_t {
    kExitNormal = 0,  // it called exit; status is its argument
    kExitKilled = 1,  // kProcKill; status is the signal
    kExitFaulted = 2, // an exception nobody handled; status is the CPU vector
};

constexpr uint32_t kWaitAnyChild = 0; // WaitRequest::pid: any child
constexpr uint32_t kWaitNoHang = 1u;  // WaitRequest::options: Error::busy if none has ended
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

struct KillRequest {
    static constexpr uint32_t kLabel = kProcKill;
    using Reply = ipc::Empty;
    ProcessId pid;
    uint32_t signal;
};
static_assert(ipc::wire_words<KillRequest> == 2);

} // namespace proc
