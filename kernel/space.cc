#include "kernel/space.h"

#include <new>

#include "axolotl/kip.h"
#include "kernel/arch.h"
#include "kernel/kmem.h"

namespace axo {

namespace {
// User space ends where the small-space area begins (DESIGN.md §4).
constexpr uint32_t kUserLimit = 0xC000'0000;
} // namespace

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

void Space::destroy() {
    arch::destroy_page_directory(m_page_directory, [](PhysAddr frame) { kmem::free_frame(frame); });
    this->~Space();
    kmem::free(this, sizeof(Space));
}

Result<axo_utcb_t*> Space::prepare_utcb(uint32_t user_address) {
    if (user_address >= kUserLimit || user_address % AXO_UTCB_SIZE != 0 || user_address == 0) {
        return Error::invalid_argument;
    }
    VirtAddr page(align_down(user_address, kPageSize));
    auto existing = arch::lookup_user_page(m_page_directory, page);
    PhysAddr frame;
    if (existing.ok()) {
        if (!existing.value().utcb) return Error::exists;
        frame = existing.value().frame;
    } else {
        frame = TRY(kmem::allocate_frame());
        auto mapped = arch::map_user_page(m_page_directory, page, frame,
                                          arch::kMapWritable | arch::kMapKernelOwned |
                                              arch::kMapUtcb);
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
    auto mapped = arch::map_user_page(m_page_directory, virt, frame,
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

void init() {
    auto frame = kmem::allocate_frame();
    if (!frame.ok()) return; // boot cannot go on; the caller panics on frame() == 0
    g_frame = frame.value();
    axo_kip_t* k = get();
    k->magic = AXO_KIP_MAGIC;
    k->api_version = AXO_API_VERSION;
    k->kernel_version = (0u << 16) | 1u;
    k->max_threads = AXO_MAX_THREADS;
    k->first_user_thread = AXO_FIRST_USER_THREAD;
}

PhysAddr frame() { return g_frame; }

axo_kip_t* get() { return static_cast<axo_kip_t*>(arch::phys_to_kernel(g_frame)); }

} // namespace kip
} // namespace axo
