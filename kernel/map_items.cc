#include "kernel/map_items.h"

#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/mapping_database.h"
#include "kernel/physical_memory.h"
#include "kernel/space.h"

namespace axo::map_items {

namespace {

// The node `space` holds at `address`. σ0 holds the roots of physical memory and ports,
// created on first use; `create` is false for flushes (no root, nothing derived from it).
// nullptr if there is none; `*no_memory` (if given) is set when a root could not be made for
// want of kernel memory.
MapNode* source_node(Space* space, uint32_t address, bool io, bool create,
                     bool* no_memory = nullptr) {
    if (!space->is_sigma0()) return io ? space->port_node(address) : space->node_at(address);
    if (!create) return mapdb::find_root(address, io);
    if (io ? !physmem::sigma0_may_map_port(address) : !physmem::sigma0_may_map(address)) {
        return nullptr;
    }
    auto root = mapdb::root(space, address, io);
    if (!root.ok() && root.error() == Error::out_of_memory && no_memory) *no_memory = true;
    return root.ok() ? root.value() : nullptr;
}

bool is_descendant(const MapNode* node, const MapNode* ancestor) {
    for (const MapNode* n = node; n; n = n->parent) {
        if (n == ancestor) return true;
    }
    return false;
}

// One page (or port) of an item. False only if the kernel had no memory for it (a mapping
// node, a node table, a page table): nothing of this page was mapped. A source page that is
// not mapped, or rights that leave nothing, map nothing and are no error (L4's semantics).
bool map_one(Space* from, uint32_t source, Space* to, uint32_t destination, uint8_t rights,
             bool grant, bool io) {
    bool no_memory = false;
    MapNode* node = source_node(from, source, io, true, &no_memory);
    if (!node) return !no_memory;
    // The Pentium cannot map writable or executable without readable.
    if (rights & (AXO_FPAGE_W | AXO_FPAGE_X)) rights |= AXO_FPAGE_R;
    rights &= node->rights;
    if (!(rights & AXO_FPAGE_R)) return true;
    MapNode* existing = io ? to->port_node(destination) : to->node_at(destination);
    if (existing) {
        if (existing == node) return true;
        if (existing->parent == node) {
            // Mapping the same page again: only the rights change. Rights taken away are
            // taken from everything derived from it too; children never exceed parents.
            uint8_t removed = existing->rights & ~rights;
            if (removed) mapdb::revoke(existing, removed, true);
            uint8_t added = rights & ~existing->rights;
            if (added) {
                existing->rights |= added;
                to->update(existing);
            }
            return true;
        }
        // The old mapping makes room; unless the source itself derives from it.
        if (is_descendant(node, existing)) return true;
        mapdb::revoke(existing, AXO_FPAGE_RWX, true);
    }
    // Refused (over a UTCB or the KIP, ...): nothing mapped, as L4 skips what cannot be mapped.
    Error error = Error::none;
    if (grant && node->parent) {
        auto granted = mapdb::grant(node, to, destination, rights);
        if (!granted.ok()) error = granted.error();
    } else {
        auto mapped = mapdb::map(node, to, destination, rights);
        if (!mapped.ok()) error = mapped.error();
    }
    return error != Error::out_of_memory;
}

// Whether the node table covering `address` (a page address, or a port) holds any node:
// whole stretches without one are skipped at once.
bool has_nodes_near(const Space* space, uint64_t address, bool io) {
    uint32_t at = static_cast<uint32_t>(address);
    return io ? space->has_port_nodes_near(at) : space->has_nodes_near(at);
}

// The first address (or port) after the stretch one node table covers.
uint64_t next_stretch(uint64_t address, bool io) {
    uint64_t stretch = io ? Space::kPortsPerNodeTable : uint64_t{kSuperPageSize};
    return align_down(address, stretch) + stretch;
}

// A preemption point (map_items.h). False if the thread on the other end of the IPC this
// walk belongs to was deleted meanwhile.
bool preemption_point(bool has_partner) {
    arch::preemption_point();
    return !has_partner || g_current->m_transfer_partner != nullptr;
}

} // namespace

uint32_t transfer(Thread* from, Thread* to, const Message& message, const Fpage& window) {
    uint32_t items = message.typed() / 2;
    // Every item is decoded and placed once, here: nothing is done unless every item may be
    // carried out where it lands. The message is the kernel's checked copy, so the second
    // loop may use what the first computed.
    struct Placed {
        Placement where;
        uint8_t rights;
        bool grant;
        bool io;
        bool lands; // false: nothing of it falls into the window
    };
    Placed placed[Message::kMaxWords / 2];
    for (uint32_t i = 0; i < items; ++i) {
        MapItem item;
        Placed& p = placed[i];
        if (!decode_item(message, i, item)) return AXO_IPC_INVALID;
        p.lands = place(item.fpage, item.hotspot, window, p.where);
        if (p.lands && lands_below_lowest_mappable(item.fpage, p.where)) return AXO_IPC_INVALID;
        p.rights = item.fpage.rights;
        p.grant = item.grant;
        p.io = item.fpage.io;
    }
    for (uint32_t i = 0; i < items; ++i) {
        const Placed& p = placed[i];
        if (!p.lands) continue;
        const Placement& where = p.where;
        uint64_t step = p.io ? 1 : kPageSize;
        for (uint64_t offset = 0; offset < where.size;) {
            // The other thread, its space and the message (on the sender's stack) exist
            // only as long as the partner link does.
            if (!preemption_point(true)) return AXO_IPC_ABORTED;
            Space* source_space = from->m_space;
            uint64_t source = where.source + offset, destination = where.destination + offset;
            if (!p.io && destination >= kUserAddressLimit) break;
            if (!source_space->is_sigma0() && !has_nodes_near(source_space, source, p.io)) {
                offset = next_stretch(source, p.io) - where.source;
                continue;
            }
            // Out of kernel memory: what was mapped until here stays, the rest is not, and both
            // sides learn it (a receiver must not take the page for mapped).
            if (!map_one(source_space, static_cast<uint32_t>(source), to->m_space,
                         static_cast<uint32_t>(destination), p.rights, p.grant, p.io))
                return AXO_IPC_NO_MEMORY;
            offset += step;
        }
    }
    return AXO_IPC_OK;
}

bool transfer_one_page(Thread* from, Thread* to, uint32_t word0, axo_fpage_t raw) {
    // decode_fpage and place() for this one shape, in a few instructions: a memory fpage of
    // 2^12 bytes (no I/O bit, bits 10..11 clear; its base is page-aligned by construction).
    constexpr uint32_t kShape = (0x3Fu << 4) | AXO_FPAGE_IO_BIT | 0xC00u;
    if ((word0 & AXO_ITEM_TYPE_MASK) != AXO_ITEM_MAP || (raw & kShape) != (kPageShift << 4)) {
        return false;
    }
    // The window as ipc.cc's receive_window reads it (once, here); a window of at least a
    // page takes the page at its base + (hotspot mod its size), rounded down to the page.
    uint32_t window_base = 0, window_mask = ~0u; // the whole space while a fault waits
    if (!to->m_accept_any_mapping) {
        Fpage window;
        if (!decode_fpage(to->m_utcb->br[0], window) || window.nil || window.io) return false;
        window_base = window.base;
        window_mask = window.log2 >= 32 ? ~0u : (1u << window.log2) - 1;
    }
    uint32_t destination = window_base + (word0 & window_mask & ~(kPageSize - 1));
    // Below the lowest mappable page (the general path refuses the ipc), beyond a small
    // space's slot (a promotion) or over an existing mapping (a revocation): the general
    // path's.
    Space* space = to->m_space;
    if (destination < kLowestMappable || destination >= space->user_limit() ||
        space->node_at(destination)) {
        return false;
    }
    MapNode* node = source_node(from->m_space, raw & ~(kPageSize - 1), false, true);
    if (!node) return false;
    uint8_t rights = static_cast<uint8_t>(axo_fpage_rights(raw));
    if (rights & (AXO_FPAGE_W | AXO_FPAGE_X)) rights |= AXO_FPAGE_R;
    rights &= node->rights;
    if (!(rights & AXO_FPAGE_R)) return false;
    return mapdb::map(node, space, destination, rights).ok();
}

void flush(Space* space, const Fpage& fpage, bool include_self) {
    uint64_t end = fpage.base + fpage.size();
    if (!fpage.io && !space->is_sigma0() && end > kUserAddressLimit) end = kUserAddressLimit;
    uint64_t step = fpage.io ? 1 : kPageSize;
    uint8_t rights = fpage.rights;
    for (uint64_t address = fpage.base; address < end;) {
        (void)preemption_point(false);
        if (!space->is_sigma0() && !has_nodes_near(space, address, fpage.io)) {
            address = next_stretch(address, fpage.io);
            continue;
        }
        MapNode* node = source_node(space, static_cast<uint32_t>(address), fpage.io, false);
        if (node) mapdb::revoke(node, rights, include_self);
        address += step;
    }
}

} // namespace axo::map_items
