// The name service (README.md): servers register under a name, clients look names up. proc
// serves it; interfaces/names/client.h is the client. Requests are IPC calls in the shape of
// lib/ipc (label = operation, exactly the request's words; reply label = an ipc::Error, then
// exactly the reply's words on success). proc identifies the caller by the sender id the
// kernel reports, never by anything in the message: a name belongs to the thread that
// registered it.
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"
#include "interfaces/labels.h"
#include "interfaces/names/wire.h"
#include "lib/ipc/message.h"

namespace proc {

enum NameLabel : uint32_t {
    // Binds a name to a server thread; the caller becomes the name's owner. `server` nil means
    // the caller itself. Errors: invalid_argument (name empty, unterminated, or not printable
    // ASCII without spaces); no_permission (`server` is another thread: only a thread's own
    // registrations are accepted until proc's process table can tell which threads share a
    // process); exists (the name is bound by another owner, or by the caller to another
    // server; registering the same binding again is ok, so retrying is safe); no_space (the
    // table is full, or the caller owns kNamesPerOwner names).
    // A name whose server or owner thread no longer exists is free again: proc checks with the
    // kernel, so a restarted server can take its name back.
    kNameRegister = AXO_NAME_REGISTER,
    // The server thread bound to a name. Errors: invalid_argument; no_such_name (never bound,
    // unregistered, or its server or owner died — a dead server's name stops resolving).
    kNameLookup = AXO_NAME_LOOKUP,
    // Removes a binding: only its owner may. Errors: invalid_argument; no_such_name;
    // no_permission (the caller is not the owner).
    kNameUnregister = AXO_NAME_UNREGISTER,
    // As kNameLookup, but a name not bound yet is answered when a server registers it (a
    // deferred reply, sent with a zero timeout), so that a client starting beside its server
    // waits for it without polling. One wait per thread: a new one replaces the old. Bound it
    // with the call's receive timeout; a waiter that gave up is dropped when the name comes.
    // Errors: invalid_argument; no_space (kNameWaits threads wait already).
    kNameWait = AXO_NAME_WAIT,
};
static_assert(labels::all_in(AXO_LABELS_NAMES_FIRST, AXO_LABELS_NAMES_LAST,
                             {kNameRegister, kNameLookup, kNameUnregister, kNameWait}));

// Names: up to 31 bytes, NUL-terminated in 32 (8 words).
constexpr uint32_t kNameBytes = AXO_NAME_BYTES;
using Name = ipc::WireString<kNameBytes>;
// Per-owner limit, so one thread cannot fill the table for everybody.
constexpr uint32_t kNamesPerOwner = 8;
// The whole table.
constexpr uint32_t kNameCapacity = 64;
// Threads waiting for a name (kNameWait) at one time.
constexpr uint32_t kNameWaits = 16;

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

struct NameWaitRequest {
    static constexpr uint32_t kLabel = kNameWait;
    using Reply = NameLookupReply;
    Name name;
};
static_assert(ipc::wire_words<NameWaitRequest> == 8);

struct NameUnregisterRequest {
    static constexpr uint32_t kLabel = kNameUnregister;
    using Reply = ipc::Empty;
    Name name;
};
static_assert(ipc::wire_words<NameUnregisterRequest> == 8);

} // namespace proc
