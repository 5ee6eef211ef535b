// Address spaces: a page directory whose kernel part is shared, the KIP mapped read-only,
// UTCB pages the kernel owns, the mapping-database nodes of every page and I/O port the
// space received, its I/O permission bitmap, and — for a small space — its slot.
#pragma once

#include <stdint.h>

#include "axolotl/kip.h"
#include "axolotl/utcb.h"
#include "kernel/lib/result.h"
#include "kernel/lib/types.h"
#include "kernel/mapping_database.h"

namespace axo {

class Space {
public:
    static constexpr uint32_t kUserLimit = 0xC000'0000u;
    static constexpr uint32_t kUserPages = kUserLimit >> kPageShift;

    // A new space with the KIP mapped at AXO_KIP_ADDRESS.
    static Result<Space*> create(bool privileged);
    // Frees the page tables and every kernel-owned page. The space must have no threads.
    void destroy();

    PhysAddr page_directory() const { return m_page_directory; }
    bool privileged() const { return m_privileged; }
    void thread_added() { ++m_threads; }
    // True when the last thread left.
    bool thread_removed() { return --m_threads == 0; }

    // The UTCB slot at `user_address`, mapping a kernel-owned zeroed page there if nothing
    // is mapped yet. Error::invalid_argument for an address outside user space or not
    // 512-byte aligned; Error::exists if a page that is not a UTCB page is mapped there.
    Result<axo_utcb_t*> prepare_utcb(uint32_t user_address);

    // Maps a zeroed, kernel-allocated page (initial tasks' images and stacks); returns its
    // kernel address.
    Result<void*> map_new_page(VirtAddr virt, bool writable);

    // Small spaces (DESIGN.md §4): a slot of the small-space area; user address a is linear
    // address small_base() + a, and the user segments end at user_limit().
    bool is_small() const { return m_small_blocks != 0; }
    uint32_t small_base() const { return m_small_base; }
    uint32_t small_blocks() const { return m_small_blocks; }
    uint32_t user_limit() const {
        return is_small() ? m_small_blocks * AXO_SMALL_BLOCK_SIZE : kUserLimit;
    }
    uint32_t linear(uint32_t address) const { return m_small_base + address; }
    uint32_t kip_address() const { return m_kip_address; }
    // Moves the space into a slot of `blocks` × 4 MiB. Error::unsupported where small spaces
    // are off; Error::exists if something is mapped above the size; out_of_memory: no slot.
    Result<void> make_small(uint32_t blocks);
    // Back to a large space: its mappings move to its own page directory; threads go on.
    void promote();

    // σ0's space: its map items name physical memory.
    bool is_sigma0() const { return m_sigma0; }
    void make_sigma0() { m_sigma0 = true; }

    // The mapping-database node of the page at `address` (or of I/O port `port`).
    MapNode* node_at(uint32_t address) const {
        return lookup(m_memory_nodes, address >> kPageShift);
    }
    MapNode* port_node(uint32_t port) const { return lookup(m_port_nodes, port); }
    // Whether any page of the node table covering `address` may hold a node.
    bool has_nodes_near(uint32_t address) const {
        return m_memory_nodes && (*m_memory_nodes)[(address >> kPageShift) / kNodeFanout];
    }
    bool has_port_nodes_near(uint32_t port) const {
        return m_port_nodes && (*m_port_nodes)[port / kNodeFanout];
    }
    // How many pages (or ports) one node table covers: the stretch has_nodes_near answers for.
    static constexpr uint32_t kPortsPerNodeTable = kPageSize / sizeof(MapNode*);
    // The I/O permission bitmap (8 KiB, a set bit denies the port), or nullptr: no ports.
    uint8_t* io_bitmap() const { return m_io_bitmap; }

    // Owned by the architecture: what switching to the space loads besides its page
    // directory, and how (ia32: a small space's user segment descriptor, and the IPC fast
    // path's kind of switch), written by arch::space_layout_changed and io_bitmap_changed.
    // Zero in a new space: ia32's large space without an I/O bitmap.
    uint32_t arch_switch(uint32_t i) const { return m_arch_switch[i]; }
    void set_arch_switch(uint32_t i, uint32_t value) { m_arch_switch[i] = value; }

    // Called by the mapping database (mapdb::Hooks).
    Result<void> install(MapNode* node);
    void update(MapNode* node);
    void uninstall(MapNode* node);

private:
    // Node tables: a page of node pointers per kNodeFanout pages (or ports), allocated on
    // first use, found through a directory page.
    static constexpr uint32_t kNodeFanout = kPageSize / sizeof(MapNode*);
    static_assert((kUserPages / kNodeFanout) * sizeof(void*) <= kPageSize);
    using NodeDirectory = MapNode** [kNodeFanout];
    static MapNode* lookup(NodeDirectory* directory, uint32_t index) {
        if (!directory) return nullptr;
        MapNode** table = (*directory)[index / kNodeFanout];
        return table ? table[index % kNodeFanout] : nullptr;
    }
    static Result<MapNode**> node_slot(NodeDirectory*& directory, uint32_t index);
    static void clear_node(NodeDirectory* directory, uint32_t index);
    void revoke_all(NodeDirectory* directory);
    void free_nodes(NodeDirectory*& directory);

    PhysAddr m_page_directory;
    NodeDirectory* m_memory_nodes = nullptr;
    NodeDirectory* m_port_nodes = nullptr;
    uint8_t* m_io_bitmap = nullptr;
    uint32_t m_threads = 0;
    bool m_privileged = false;
    bool m_sigma0 = false;
    uint32_t m_small_base = 0;
    uint32_t m_small_blocks = 0;
    uint32_t m_kip_address = AXO_KIP_ADDRESS;
    uint32_t m_arch_switch[3] = {};

    // The ia32 IPC fast path reads fields by offset; its layout header checks them.
    friend struct FastPathLayout;
};

namespace small_spaces {
// Decided at boot: the CPU enforces segment limits, or the command line forces them on.
void enable(bool forced);
bool enabled();
} // namespace small_spaces

// The kernel interface page (one frame, mapped read-only into every space).
namespace kip {
void init();
PhysAddr frame();
extern axo_kip_t* g_kip;
inline axo_kip_t* get() {
    return g_kip;
}
} // namespace kip

} // namespace axo
