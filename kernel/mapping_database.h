// The mapping database: for every page mapped in user space, where its mapping came from.
// Each physical frame (and each I/O port) has a derivation tree: the root is σ0's
// ownership, every map item adds a child under the sender's node, a grant moves the
// sender's node to the receiver. Flushing a node revokes its whole subtree — every mapping
// derived from it, directly or through other spaces — exactly as in Liedtke's paper.
#pragma once

#include <stdint.h>

#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

namespace axo {

class Space;

struct MapNode {
    Space* space = nullptr;
    uint32_t address = 0; // page address in `space` (σ0: the physical address); or a port
    PhysAddr frame;       // the physical frame (memory nodes)
    uint8_t rights = 0;   // AXO_FPAGE_R/W/X
    bool io = false;      // an I/O port node: `address` is the port
    MapNode* parent = nullptr;
    MapNode* first_child = nullptr;
    MapNode* next_sibling = nullptr;
    MapNode* prev_sibling = nullptr;
};

namespace mapdb {

// How a space reflects a node in its page tables (implemented by Space).
struct Hooks {
    // The node now exists at (node->space, node->address) with node->rights.
    Result<void> (*install)(MapNode* node);
    // The node's rights changed (never to zero).
    void (*update)(MapNode* node);
    // The node is going away: remove the page table entry / port permission.
    void (*uninstall)(MapNode* node);
};
void set_hooks(const Hooks& hooks);

// σ0's root node of a frame or port, created on first use.
Result<MapNode*> root(Space* sigma0, uint32_t address, bool io);

// σ0's root node of a frame or port if it exists.
MapNode* find_root(uint32_t address, bool io);

// A new mapping of `parent`'s frame at (space, address) with rights <= parent's.
Result<MapNode*> map(MapNode* parent, Space* space, uint32_t address, uint8_t rights);
// Moves `node` to (space, address); its children stay derived from it.
Result<void> grant(MapNode* node, Space* space, uint32_t address, uint8_t rights);
// Takes `rights` away from every mapping derived from `node` (and from `node` itself if
// `include_self`). A node that loses R (or all rights) disappears with its subtree.
void revoke(MapNode* node, uint8_t rights, bool include_self);

// Counts, for tests.
uint32_t node_count();

} // namespace mapdb
} // namespace axo
