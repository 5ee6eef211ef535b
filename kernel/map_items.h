// Map and grant items in IPC: how one address space's pages (or I/O ports) become
// another's. The mapping database records every derivation so flushes can revoke them.
#pragma once

#include "kernel/fpage.h"
#include "kernel/thread.h"

namespace axo::map_items {

// Whether the typed words of the message in `utcb` are well-formed items.
bool valid(const axo_utcb_t* utcb, axo_msg_tag_t tag);
// Carries out the items of `from`'s message into `to`'s space, inside `window`. Pages the
// sender does not have, or the receiver may not get, are skipped.
void transfer(Thread* from, Thread* to, axo_msg_tag_t tag, const Fpage& window);

// unmap: takes `rights` away from what is derived from the caller's pages in `fpage`
// (and from its own mappings if `include_self`).
void flush(Space* space, const Fpage& fpage, bool include_self);

} // namespace axo::map_items
