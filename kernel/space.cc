#include "kernel/space.h"

#include <new>

#include "axolotl/kip.h"
#include "kernel/arch.h"
#include "kernel/kmem.h"
#include "kernel/lib/string.h"
#include "kernel/small_space_slots.h"

namespace axo {

namespace {
constexpr uint32_t kUserLimit = Space::kUserLimit;
constexpr uint32_t kIoBitmapPages = 2; // 65536 ports, one bit each

Result<void> install_hook(MapNode* node) {
    return node->space->install(node);
}
void update_hook(MapNode* node) {
    node->space->update(node);
}
void uninstall_hook(MapNode* node) {
    node->space->uninstall(node);
}
} // namespace

Result<MapNode**> Space::node_slot(NodeDirectory*& directory, uint32_t index) {
    if (!directory) directory = static_cast<NodeDirectory*>(TRY(kmem::allocate_block(1)));
    MapNode**& table = (*directory)[index / kNodeFanout];
    if (!table) table = static_cast<MapNode**>(TRY(kmem::allocate_block(1)));
    return &table[index % kNodeFanout];
}

void Space::clear_node(NodeDirectory* directory, uint32_t index) {
    if (!directory) return;
    if (MapNode** table = (*directory)[index / kNodeFanout]) table[index % kNodeFanout] = nullptr;
}

void Space::revoke_all(NodeDirectory* directory) {
    if (!directory) return;
    for (MapNode** table : *directory) {
        if (!table) continue;
        for (uint32_t i = 0; i < kNodeFanout; ++i) {
            // Revoking removes the node from this table, through uninstall().
            if (MapNode* node = table[i]) mapdb::revoke(node, AXO_FPAGE_RWX, true);
        }
    }
}

void Space::free_nodes(NodeDirectory*& directory) {
    if (!directory) return;
    for (MapNode** table : *directory) {
        if (table) kmem::free_block(table, 1);
    }
    kmem::free_block(directory, 1);
    directory = nullptr;
}

Result<void> Space::install(MapNode* node) {
    if (node->io) {
        if (!m_io_bitmap) {
            m_io_bitmap = static_cast<uint8_t*>(TRY(kmem::allocate_block(kIoBitmapPages)));
            memset(m_io_bitmap, 0xFF, kIoBitmapPages * kPageSize);
            arch::io_bitmap_changed(*this, nullptr, m_io_bitmap);
        }
        *TRY(node_slot(m_port_nodes, node->address)) = node;
        m_io_bitmap[node->address / 8] &= static_cast<uint8_t>(~(1u << (node->address % 8)));
        return {};
    }
    // A small space that needs more than its slot becomes large.
    if (node->address >= user_limit()) promote();
    // The node slot first: a mapping without its node could never be revoked.
    MapNode** slot = TRY(node_slot(m_memory_nodes, node->address >> kPageShift));
    uint32_t flags = (node->rights & AXO_FPAGE_W) ? uint32_t{arch::kMapWritable} : 0u;
    TRY(arch::map_user_page(m_page_directory, VirtAddr(linear(node->address)), node->frame, flags));
    *slot = node;
    return {};
}

void Space::update(MapNode* node) {
    if (node->io) return; // ports have no rights beyond present
    arch::protect_user_page(m_page_directory, VirtAddr(linear(node->address)),
                            node->rights & AXO_FPAGE_W);
}

void Space::uninstall(MapNode* node) {
    if (node->io) {
        clear_node(m_port_nodes, node->address);
        if (m_io_bitmap)
            m_io_bitmap[node->address / 8] |= static_cast<uint8_t>(1u << (node->address % 8));
        return;
    }
    clear_node(m_memory_nodes, node->address >> kPageShift);
    arch::unmap_user_page(m_page_directory, VirtAddr(linear(node->address)));
}

Result<Space*> Space::create(bool privileged) {
    void* memory = TRY(kmem::allocate(sizeof(Space)));
    auto directory = arch::create_page_directory();
    if (!directory.ok()) {
        kmem::free(memory, sizeof(Space));
        return directory.error();
    }
    Space* space = new (memory) Space();
    space->m_page_directory = directory.value();
    space->m_privileged = privileged;
    // Not kernel-owned: the KIP frame is shared and never freed with a space.
    auto kip = arch::map_user_page(directory.value(), VirtAddr(AXO_KIP_ADDRESS), kip::frame(), 0);
    if (!kip.ok()) {
        space->destroy();
        return kip.error();
    }
    return space;
}

namespace small_spaces {
namespace {
bool g_enabled;
SmallSpaceSlots g_slots;
} // namespace
void enable(bool forced) {
    g_enabled = true;
    kip::get()->api_flags |= AXO_KIP_SMALL_SPACES | (forced ? AXO_KIP_SMALL_SPACES_FORCED : 0u);
}
bool enabled() {
    return g_enabled;
}
} // namespace small_spaces

Result<void> Space::make_small(uint32_t blocks) {
    if (!small_spaces::enabled()) return Error::unsupported;
    if (is_small() || blocks == 0 || blocks > AXO_SMALL_AREA_BLOCKS) return Error::invalid_argument;
    uint32_t size = blocks * AXO_SMALL_BLOCK_SIZE;
    uint32_t kip = size - kPageSize;
    // Everything must fit below the new limit; the KIP moves to its last page.
    if (arch::has_user_mappings(m_page_directory, size - kPageSize, kUserLimit, m_kip_address) ||
        (kip != m_kip_address && arch::lookup_user_page(m_page_directory, VirtAddr(kip)).ok())) {
        return Error::exists;
    }
    uint32_t base = small_spaces::g_slots.allocate(blocks);
    if (!base) return Error::out_of_memory;
    arch::unmap_user_page(m_page_directory, VirtAddr(m_kip_address));
    arch::move_user_mappings(m_page_directory, 0, base, size);
    m_small_base = base;
    m_small_blocks = blocks;
    m_kip_address = kip;
    (void)arch::map_user_page(m_page_directory, VirtAddr(linear(kip)), kip::frame(), 0);
    arch::space_layout_changed(*this);
    return {};
}

void Space::promote() {
    if (!is_small()) return;
    uint32_t size = user_limit();
    arch::move_user_mappings(m_page_directory, m_small_base, 0, size);
    small_spaces::g_slots.free(m_small_base, m_small_blocks);
    m_small_base = 0;
    m_small_blocks = 0;
    kip::get()->counters.promotions++;
    arch::space_layout_changed(*this);
}

void Space::destroy() {
    if (is_small()) {
        // The slot's page tables are shared by every space: empty them before reuse.
        arch::clear_user_range(m_page_directory, m_small_base, user_limit(),
                               [](PhysAddr frame) { kmem::free_frame(frame); });
        small_spaces::g_slots.free(m_small_base, m_small_blocks);
        m_small_base = 0;
        m_small_blocks = 0;
    }
    // Everything this space mapped onward is revoked with it (and its own nodes go).
    revoke_all(m_memory_nodes);
    revoke_all(m_port_nodes);
    free_nodes(m_memory_nodes);
    free_nodes(m_port_nodes);
    if (m_io_bitmap) {
        arch::io_bitmap_changed(*this, m_io_bitmap, nullptr);
        kmem::free_block(m_io_bitmap, kIoBitmapPages);
    }
    arch::forget_space(*this);
    arch::destroy_page_directory(m_page_directory, [](PhysAddr frame) { kmem::free_frame(frame); });
    this->~Space();
    kmem::free(this, sizeof(Space));
}

Result<axo_utcb_t*> Space::prepare_utcb(uint32_t user_address) {
    if (user_address >= user_limit() || user_address % AXO_UTCB_SIZE != 0 || user_address == 0) {
        return Error::invalid_argument;
    }
    VirtAddr page(align_down(user_address, kPageSize));
    auto existing = arch::lookup_user_page(m_page_directory, VirtAddr(linear(page.raw())));
    PhysAddr frame;
    if (existing.ok()) {
        if (!existing.value().utcb) return Error::exists;
        frame = existing.value().frame;
    } else {
        frame = TRY(kmem::allocate_frame());
        auto mapped =
            arch::map_user_page(m_page_directory, VirtAddr(linear(page.raw())), frame,
                                arch::kMapWritable | arch::kMapKernelOwned | arch::kMapUtcb);
        if (!mapped.ok()) {
            kmem::free_frame(frame);
            return mapped.error();
        }
    }
    auto* base = static_cast<char*>(arch::phys_to_kernel(frame));
    return reinterpret_cast<axo_utcb_t*>(base + (user_address - page.raw()));
}

Result<void*> Space::map_new_page(VirtAddr virt, bool writable) {
    if (virt.raw() >= kUserLimit || !virt.is_page_aligned()) return Error::invalid_argument;
    PhysAddr frame = TRY(kmem::allocate_frame());
    auto mapped =
        arch::map_user_page(m_page_directory, virt, frame,
                            (writable ? uint32_t{arch::kMapWritable} : 0u) | arch::kMapKernelOwned);
    if (!mapped.ok()) {
        kmem::free_frame(frame);
        return mapped.error();
    }
    return arch::phys_to_kernel(frame);
}

namespace kip {

namespace {
PhysAddr g_frame;
}

// A page of the kernel image (zeroed .bss), alone in its frame: at a fixed address, so that
// the IPC fast path counts into it without loading a pointer.
union alignas(kPageSize) KipPage {
    axo_kip_t kip;
    uint8_t bytes[kPageSize];
};
static_assert(sizeof(KipPage) == kPageSize);
extern KipPage g_page __asm__("axo_kip_page");
KipPage g_page;

void init() {
    mapdb::set_hooks(mapdb::Hooks{install_hook, update_hook, uninstall_hook});
    g_frame = arch::kernel_to_phys(&g_page);
    g_kip = &g_page.kip;
    axo_kip_t* k = get();
    k->magic = AXO_KIP_MAGIC;
    k->api_version = AXO_API_VERSION;
    k->kernel_version = (0u << 16) | 1u;
    k->max_threads = AXO_MAX_THREADS;
    k->first_user_thread = AXO_FIRST_USER_THREAD;
}

PhysAddr frame() {
    return g_frame;
}

axo_kip_t* g_kip;

} // namespace kip
} // namespace axo
