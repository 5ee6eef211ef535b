// σ0's protocol: the owner of all physical memory and I/O ports at boot hands them out by
// map items. This header is the documentation of the server (DESIGN.md §5) and is shared by
// σ0 and its clients. Requests are IPC calls to kip->sigma0; the reply carries the mapping.
//
// Physical addresses: σ0's fpages name physical memory (the kernel treats σ0's send fpages as
// physical), so a client asking for "any page" learns its physical address from the reply
// (drivers need it for DMA).
//
// Clients: the root task (kip->root_task) and the threads it registers with
// kSigma0AddClient. Everyone else gets kSigma0ErrorNoPermission. A client is a thread id, not
// a space: two threads of one space are two clients.
//
// Idempotence: asking again for a page or port range one already holds (kSigma0MapPhysical,
// kSigma0MapPorts, a page fault) returns the same mapping; memory handed to one client is never
// handed to another (device memory and boot modules excepted: those may be shared, they are
// not σ0's to allocate). kSigma0AllocateAny is the exception: every call gives a new block, so
// a client that loses the answer can only learn the block's address by asking for it by name.
// Nothing is ever given back: σ0 has no free operation (a client that is done with memory
// keeps it, or passes it on by map or grant).
//
// What is whose, from the KIP's memory descriptors (whole pages): boot modules — shared, even
// inside the kernel's memory, where the boot loader put them; the kernel's memory — never;
// conventional memory no other descriptor touches — σ0's, to one client; reserved and
// unlisted memory (firmware, devices) — shared. σ0 manages conventional memory below 448 MiB.
//
// Page faults: σ0 is also a pager. A page fault message (label AXO_LABEL_PAGE_FAULT | rwx,
// u = 2) from a client's thread — one the root task made σ0 the pager of — is answered like
// kSigma0MapPhysical of the faulting page, rwx, mapped 1:1 (send base = the fault address).
// A fault σ0 may not answer (not a client, the kernel's memory, another client's page) gets no
// reply: the thread stays blocked, and σ0 says so on the console.
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"
#include "interfaces/labels.h"
#include "lib/ipc/error.h"
#include "lib/ipc/message.h"

namespace sigma0 {

enum Label : uint32_t {
    // MR1 = log2 of the size wanted (12..22). Any free conventional memory of that size,
    // naturally aligned. Reply: label kSigma0Ok, u = 1 (MR1 = physical base), one map item
    // (send base = physical base) for the client's receive window (BR0).
    kSigma0AllocateAny = 0x5100,
    // MR1 = a memory fpage naming physical addresses, with the rights wanted (not none): that
    // memory — device memory, a boot module, or conventional memory not held by another
    // client. Same reply, the item with those rights.
    kSigma0MapPhysical = 0x5101,
    // MR1 = an I/O fpage (axo_io_fpage): those ports — any but those of the devices the
    // kernel drives (the interrupt controllers 0x20-0x21 and 0xA0-0xA1, the timer
    // 0x40-0x43: kSigma0ErrorNoPermission). Reply: label kSigma0Ok, u = 0, one map item with
    // the I/O fpage, word 0 = the fpage's own bits 31..10 (ports are not translated; the
    // window only filters: the complete fpage or an I/O fpage covering them).
    kSigma0MapPorts = 0x5102,
    // Root task only. MR1 = a thread id that may use σ0 from now on (a memory manager).
    // Adding a client twice is harmless; kSigma0ErrorNoMemory once there are 32 clients.
    kSigma0AddClient = 0x5103,
    // u = 0. MR1..MR2 in the reply: free and total conventional bytes σ0 manages.
    kSigma0Statistics = 0x5104,
};
static_assert(labels::all_in(AXO_LABELS_SIGMA0_FIRST, AXO_LABELS_SIGMA0_LAST,
                             {kSigma0AllocateAny, kSigma0MapPhysical, kSigma0MapPorts,
                              kSigma0AddClient, kSigma0Statistics}));

// The reply label: kSigma0Ok, or an error (u = 0, no items) — lib/ipc's codes, so that the
// clients read σ0's replies with lib/ipc like any other (ipc::call_receiving_map).
enum Status : uint32_t {
    kSigma0Ok = AXO_RPC_OK,
    kSigma0ErrorNoPermission = AXO_RPC_EPERM, // not a client, or the resource is not σ0's to give
    kSigma0ErrorNoMemory = AXO_RPC_ENOMEM,    // nothing free of that size
    kSigma0ErrorTaken = AXO_RPC_EBUSY,        // held by another client
    kSigma0ErrorBadRequest = AXO_RPC_EBADMSG, // wrong word count, typed items, malformed fpage,
                                              // unknown label of σ0's range
};
// A request label outside σ0's range (another interface's, or none's) is answered
// ipc::Error::wrong_interface (AXO_RPC_EWRONGIF): the request went to the wrong server.

// The layouts (lib/ipc), one per label above. Replies that carry memory or ports have their
// words and then one map item (lib/ipc/map_item.h).
struct MemoryReply {
    uint32_t physical; // the base of the memory mapped (σ0's fpages name physical memory)
};
struct AllocateAnyRequest {
    static constexpr uint32_t kLabel = kSigma0AllocateAny;
    using Reply = MemoryReply;
    uint32_t log2;
};
struct MapPhysicalRequest {
    static constexpr uint32_t kLabel = kSigma0MapPhysical;
    using Reply = MemoryReply;
    axo_fpage_t fpage;
};
struct MapPortsRequest {
    static constexpr uint32_t kLabel = kSigma0MapPorts;
    using Reply = ipc::Empty;
    axo_fpage_t fpage;
};
struct AddClientRequest {
    static constexpr uint32_t kLabel = kSigma0AddClient;
    using Reply = ipc::Empty;
    axo_thread_id_t thread;
};
struct StatisticsReply {
    uint32_t free_bytes;
    uint32_t total_bytes;
    uint32_t refused_faults; // page faults σ0 did not answer (wraps at 2^32)
};
struct StatisticsRequest {
    static constexpr uint32_t kLabel = kSigma0Statistics;
    using Reply = StatisticsReply;
};
static_assert(ipc::wire_words<MemoryReply> == 1);
static_assert(ipc::wire_words<AllocateAnyRequest> == 1);
static_assert(ipc::wire_words<MapPhysicalRequest> == 1);
static_assert(ipc::wire_words<MapPortsRequest> == 1);
static_assert(ipc::wire_words<AddClientRequest> == 1);
static_assert(ipc::wire_words<StatisticsRequest> == 0);
static_assert(ipc::wire_words<StatisticsReply> == 3);

} // namespace sigma0
