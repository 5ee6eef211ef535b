#include "kernel/map_items.h"

#include "kernel/console.h"
#include "kernel/mapping_database.h"
#include "kernel/physical_memory.h"
#include "kernel/space.h"

namespace axo::map_items {

namespace {

// The node `space` holds at `address`. σ0 holds the roots of physical memory and ports,
// created on first use; `create` is false for flushes (no root, nothing derived from it).
MapNode* source_node(Space* space, uint32_t address, bool io, bool create) {
    if (!space->is_sigma0()) return io ? space->port_node(address) : space->node_at(address);
    if (!create) return mapdb::find_root(address, io);
    if (io ? !physmem::sigma0_may_map_port(address) : !physmem::sigma0_may_map(address)) {
        return nullptr;
    }
    auto root = mapdb::root(space, address, io);
    return root.ok() ? root.value() : nullptr;
}

bool is_descendant(const MapNode* node, const MapNode* ancestor) {
    for (const MapNode* n = node; n; n = n->parent) {
        if (n == ancestor) return true;
    }
    return false;
}

void map_one(Space* from, uint32_t source, Space* to, uint32_t destination, uint8_t rights,
             bool grant, bool io) {
    MapNode* node = source_node(from, source, io, true);
    if (!node) return;
    // The Pentium cannot map writable or executable without readable.
    if (rights & (AXO_FPAGE_W | AXO_FPAGE_X)) rights |= AXO_FPAGE_R;
    rights &= node->rights;
    if (!(rights & AXO_FPAGE_R)) return;
    MapNode* existing = io ? to->port_node(destination) : to->node_at(destination);
    if (existing) {
        if (existing == node) return;
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
            return;
        }
        // The old mapping makes room; unless the source itself derives from it.
        if (is_descendant(node, existing)) return;
        mapdb::revoke(existing, AXO_FPAGE_RWX, true);
    }
    if (grant && node->parent) {
        (void)mapdb::grant(node, to, destination, rights);
    } else {
        (void)mapdb::map(node, to, destination, rights);
    }
}

} // namespace

bool valid(const axo_utcb_t* utcb, axo_msg_tag_t tag) {
    uint32_t first = axo_tag_untyped(tag) + 1, typed = axo_tag_typed(tag);
    if (typed % 2 != 0) return false;
    for (uint32_t i = 0; i < typed; i += 2) {
        uint32_t type = utcb->mr[first + i] & AXO_ITEM_TYPE_MASK;
        if (type != AXO_ITEM_MAP && type != AXO_ITEM_GRANT) return false;
        Fpage fpage;
        if (!decode_fpage(utcb->mr[first + i + 1], fpage)) return false;
    }
    return true;
}

void transfer(Thread* from, Thread* to, axo_msg_tag_t tag, const Fpage& window) {
    uint32_t first = axo_tag_untyped(tag) + 1, typed = axo_tag_typed(tag);
    const axo_utcb_t* utcb = from->m_utcb;
    for (uint32_t i = 0; i < typed; i += 2) {
        uint32_t word0 = utcb->mr[first + i];
        Fpage send;
        (void)decode_fpage(utcb->mr[first + i + 1], send);
        Placement where;
        if (!place(send, word0 & ~0x3FFu, window, where)) continue;
        bool grant = (word0 & AXO_ITEM_TYPE_MASK) == AXO_ITEM_GRANT;
        uint64_t step = send.io ? 1 : kPageSize;
        for (uint64_t offset = 0; offset < where.size; offset += step) {
            uint64_t destination = where.destination + offset;
            if (!send.io && destination >= kUserAddressLimit) break;
            map_one(from->m_space, static_cast<uint32_t>(where.source + offset), to->m_space,
                    static_cast<uint32_t>(destination), send.rights, grant, send.io);
        }
    }
}

void flush(Space* space, const Fpage& fpage, bool include_self) {
    uint64_t end = fpage.base + fpage.size();
    if (!fpage.io && !space->is_sigma0() && end > kUserAddressLimit) end = kUserAddressLimit;
    uint64_t step = fpage.io ? 1 : kPageSize;
    uint8_t rights = fpage.rights;
    for (uint64_t address = fpage.base; address < end; address += step) {
        // Whole 4 MiB stretches without a single mapping are skipped at once.
        if (!fpage.io && !space->is_sigma0() && !space->has_nodes_near(static_cast<uint32_t>(address))) {
            address = align_down(address, uint64_t{kSuperPageSize}) + kSuperPageSize - step;
            continue;
        }
        MapNode* node = source_node(space, static_cast<uint32_t>(address), fpage.io, false);
        if (node) mapdb::revoke(node, rights, include_self);
    }
}

} // namespace axo::map_items
