// Map and grant items in IPC: how one address space's pages (or I/O ports) become
// another's. The mapping database records every derivation so flushes can revoke them.
//
// Both walks below cost what the user chooses (a 4 GiB fpage, 65 536 ports, 31 items, 64
// fpages to unmap). They skip node tables without a single mapping at once, and they are
// preemptible: before every page or port they let pending interrupts in
// (arch::preemption_point), so the scheduler may run other threads in between; the walk
// then goes on where it stopped, with the same result as if it had never been interrupted.
#pragma once

#include "kernel/fpage.h"
#include "kernel/message.h"
#include "kernel/thread.h"

namespace axo::map_items {

// Carries out the items of `message` (accepted by take_message) from `from`'s space into
// `to`'s, inside `window`; the running thread is one of the two, the other waits in the
// transfer (Thread::m_transfer_partner). Pages the sender does not have, or the receiver may
// not get, are skipped. Returns AXO_IPC_OK; AXO_IPC_INVALID, with nothing done, if an item
// would land below kLowestMappable; AXO_IPC_ABORTED if the other thread was deleted while
// the walk was preempted (what was mapped until then stays).
uint32_t transfer(Thread* from, Thread* to, const Message& message, const Fpage& window);

// The common case of a map item, for the IPC fast path (arch/ia32/ipc_fastpath.S): a message
// that is one map item (`word0`, `fpage`) of one 4 KiB page of memory, which the sender has
// and which lands in `to`'s receive window where nothing is mapped yet. Maps it exactly as
// transfer() would (one node, one PTE: bounded work, no preemption point) and returns true;
// in every other case does nothing observable and returns false, and the general path takes
// the whole IPC. `from` runs; `to` waits in a receive that accepts it.
bool transfer_one_page(Thread* from, Thread* to, uint32_t word0, axo_fpage_t fpage);

// unmap: takes `rights` away from what is derived from the caller's pages in `fpage`
// (and from its own mappings if `include_self`). `space` is the running thread's.
void flush(Space* space, const Fpage& fpage, bool include_self);

} // namespace axo::map_items
