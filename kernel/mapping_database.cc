#include "kernel/mapping_database.h"

#include <new>

#include "axolotl/abi.h"
#include "kernel/kmem.h"

namespace axo::mapdb {

namespace {

Hooks g_hooks;
uint32_t g_nodes;

// Roots: two levels indexed by frame number (memory) or by port (I/O); a second-level
// table is one page of node pointers.
constexpr uint32_t kRootFanout = kPageSize / sizeof(MapNode*);
constexpr uint32_t kFrames = (uint64_t{1} << 32) >> kPageShift;
MapNode** g_memory_roots[kFrames / kRootFanout];
MapNode** g_port_roots[65536 / kRootFanout];

Result<MapNode*> allocate_node() {
    void* memory = TRY(kmem::allocate_map_node());
    ++g_nodes;
    return new (memory) MapNode();
}

void free_node(MapNode* node) {
    node->~MapNode();
    kmem::free_map_node(node);
    --g_nodes;
}

void link_child(MapNode* parent, MapNode* child) {
    child->parent = parent;
    child->prev_sibling = nullptr;
    child->next_sibling = parent->first_child;
    if (parent->first_child) parent->first_child->prev_sibling = child;
    parent->first_child = child;
}

void unlink(MapNode* node) {
    if (node->prev_sibling) {
        node->prev_sibling->next_sibling = node->next_sibling;
    } else if (node->parent) {
        node->parent->first_child = node->next_sibling;
    }
    if (node->next_sibling) node->next_sibling->prev_sibling = node->prev_sibling;
    node->parent = node->next_sibling = node->prev_sibling = nullptr;
}

// Removes `top` and everything below it, children first, without recursion.
void remove_subtree(MapNode* top) {
    MapNode* node = top;
    for (;;) {
        while (node->first_child)
            node = node->first_child;
        MapNode* parent = node->parent;
        bool last = node == top;
        unlink(node);
        g_hooks.uninstall(node);
        free_node(node);
        if (last) return;
        node = parent;
    }
}

// Takes `rights` from every node strictly below `top`.
void reduce_below(MapNode* top, uint8_t rights) {
    MapNode* node = top->first_child;
    while (node) {
        uint8_t remaining = node->rights & ~rights;
        if (!(remaining & AXO_FPAGE_R)) {
            MapNode* next = node->next_sibling;
            MapNode* parent = node->parent;
            remove_subtree(node);
            // Continue with the next sibling, or climb until one exists.
            node = next;
            while (!node && parent != top) {
                node = parent->next_sibling;
                parent = parent->parent;
            }
            continue;
        }
        if (remaining != node->rights) {
            node->rights = remaining;
            g_hooks.update(node);
        }
        if (node->first_child) {
            node = node->first_child;
            continue;
        }
        while (node != top && !node->next_sibling)
            node = node->parent;
        node = node == top ? nullptr : node->next_sibling;
    }
}

} // namespace

void set_hooks(const Hooks& hooks) {
    g_hooks = hooks;
}

Result<MapNode*> root(Space* sigma0, uint32_t address, bool io) {
    uint32_t index = io ? address : address >> kPageShift;
    MapNode*** top = io ? &g_port_roots[index / kRootFanout] : &g_memory_roots[index / kRootFanout];
    if (!*top) {
        void* table = TRY(kmem::allocate_block(1));
        *top = static_cast<MapNode**>(table);
    }
    MapNode*& slot = (*top)[index % kRootFanout];
    if (!slot) {
        MapNode* node = TRY(allocate_node());
        node->space = sigma0;
        node->address = address;
        node->frame = PhysAddr(io ? 0 : address);
        node->rights = AXO_FPAGE_RWX;
        node->io = io;
        slot = node;
    }
    return slot;
}

MapNode* find_root(uint32_t address, bool io) {
    uint32_t index = io ? address : address >> kPageShift;
    MapNode** table = io ? g_port_roots[index / kRootFanout] : g_memory_roots[index / kRootFanout];
    return table ? table[index % kRootFanout] : nullptr;
}

Result<MapNode*> map(MapNode* parent, Space* space, uint32_t address, uint8_t rights) {
    MapNode* node = TRY(allocate_node());
    node->space = space;
    node->address = address;
    node->frame = parent->frame;
    node->io = parent->io;
    node->rights = rights & parent->rights;
    auto installed = g_hooks.install(node);
    if (!installed.ok()) {
        free_node(node);
        return installed.error();
    }
    link_child(parent, node);
    return node;
}

Result<void> grant(MapNode* node, Space* space, uint32_t address, uint8_t rights) {
    g_hooks.uninstall(node);
    Space* old_space = node->space;
    uint32_t old_address = node->address;
    node->space = space;
    node->address = address;
    uint8_t old_rights = node->rights;
    node->rights &= rights;
    auto installed = g_hooks.install(node);
    if (!installed.ok()) {
        // Put it back where it was: a failed grant leaves the sender as it was.
        node->space = old_space;
        node->address = old_address;
        node->rights = old_rights;
        (void)g_hooks.install(node);
        return installed.error();
    }
    if (node->rights != old_rights) reduce_below(node, old_rights & ~node->rights);
    return {};
}

void revoke(MapNode* node, uint8_t rights, bool include_self) {
    if (include_self && node->parent) {
        uint8_t remaining = node->rights & ~rights;
        if (!(remaining & AXO_FPAGE_R)) {
            remove_subtree(node);
            return;
        }
        node->rights = remaining;
        g_hooks.update(node);
    }
    reduce_below(node, rights);
}

uint32_t node_count() {
    return g_nodes;
}

} // namespace axo::mapdb
