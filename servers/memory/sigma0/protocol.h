// σ0's protocol: the owner of all physical memory and I/O ports at boot hands them out by
// map items. This header is the documentation of the server (DESIGN.md §5) and is shared by
// σ0 and its clients. Requests are IPC calls to kip->sigma0; the reply carries the mapping.
//
// Physical addresses: σ0's fpages name physical memory (the kernel treats σ0's send fpages as
// physical), so a client asking for "any page" learns its physical address from the reply
// (drivers need it for DMA).
//
// Clients: the root task (kip->root_task) and the threads it registers with
// kSigma0AddClient. Everyone else gets kSigma0ErrorNoPermission.
//
// Idempotence: asking again for a page or port range one already holds returns the same
// mapping; memory handed to one client is never handed to another (device memory and boot
// modules excepted: those may be shared, they are not σ0's to allocate).
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"

namespace sigma0 {

enum Label : uint32_t {
    // MR1 = log2 of the size wanted (12..22). Any free conventional memory of that size,
    // naturally aligned. Reply: label kSigma0Ok, u = 1 (MR1 = physical base), one map item
    // (send base = physical base) for the client's receive window (BR0).
    kSigma0AllocateAny = 0x5100,
    // MR1 = a memory fpage naming physical addresses (rights r/w): that memory — device
    // memory, a boot module, or conventional memory not held by another client. Same reply.
    kSigma0MapPhysical = 0x5101,
    // MR1 = an I/O fpage (axo_io_fpage): those ports. Reply: label kSigma0Ok, u = 0, one map
    // item with the I/O fpage (the receive window must accept I/O: the complete fpage or an
    // I/O fpage covering it).
    kSigma0MapPorts = 0x5102,
    // Root task only. MR1 = a thread id that may use σ0 from now on (a memory manager).
    kSigma0AddClient = 0x5103,
    // MR1..MR2 in the reply: free and total conventional bytes σ0 has.
    kSigma0Statistics = 0x5104,
};

// The reply label: kSigma0Ok, or an error (u = 0, no items).
enum Status : uint32_t {
    kSigma0Ok = 0,
    kSigma0ErrorNoPermission = 1, // not a client, or the resource is not σ0's to give
    kSigma0ErrorNoMemory = 2,     // nothing free of that size
    kSigma0ErrorTaken = 3,        // held by another client
    kSigma0ErrorBadRequest = 4,   // wrong word count, malformed fpage, unknown label
};

} // namespace sigma0
