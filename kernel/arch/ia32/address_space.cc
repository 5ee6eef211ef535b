// Page directories of user address spaces. Entries from 3 GiB up (the small-space area and
// the kernel) are copied from the kernel page directory and shared by all.
#include "kernel/arch.h"
#include "kernel/arch/ia32/io.h"
#include "kernel/arch/ia32/layout.h"
#include "kernel/arch/ia32/page_table.h"
#include "kernel/arch/ia32/paging.h"
#include "kernel/kmem.h"
#include "kernel/lib/types.h"
#include "kernel/physical_memory.h"

extern "C" bool ia32_copy_user(void* dst, const void* src, size_t n);

namespace axo::arch {

// The linear address of user range [address, address + length) of the running thread's
// space, if it lies inside the space's segment.
bool user_window(uint32_t address, size_t length, uint32_t& linear);

void forget_directory(PhysAddr directory, PhysAddr kernel_directory);

namespace {

using namespace ia32;

// Available-to-software PTE bits (SDM vol. 3, 4.3): what the kernel notes about a page.
constexpr uint32_t kPteKernelOwned = 1u << 9;
constexpr uint32_t kPteUtcb = 1u << 10;

constexpr uint32_t kFirstSharedEntry = kUserEnd >> 22;

Pde* directory_ptr(PhysAddr directory) {
    return phys_ptr<Pde>(directory.raw());
}

Pte* find_pte(PhysAddr directory, VirtAddr virt) {
    Pde pde = directory_ptr(directory)[pd_index(virt)];
    if (!pde.present() || pde.is_superpage()) return nullptr;
    return &phys_ptr<Pte>(pde.table().raw())[pt_index(virt)];
}

// Mappings of user memory may be at user addresses or, for small spaces, in the shared
// small-space area (whose page tables every page directory shares).
bool mappable(VirtAddr linear) {
    return linear.raw() < kSmallSpaceEnd;
}
bool shared(VirtAddr linear) {
    return linear.raw() >= kSmallSpaceBase;
}

} // namespace

Result<PhysAddr> create_page_directory() {
    PhysAddr directory = TRY(kmem::allocate_frame());
    Pde* dst = directory_ptr(directory);
    const Pde* src = directory_ptr(kernel_page_directory());
    for (uint32_t i = kFirstSharedEntry; i < kEntriesPerTable; ++i)
        dst[i] = src[i];
    return directory;
}

void destroy_page_directory(PhysAddr directory, void (*free_kernel_owned)(PhysAddr frame)) {
    forget_directory(directory, kernel_page_directory());
    Pde* pd = directory_ptr(directory);
    for (uint32_t i = 0; i < kFirstSharedEntry; ++i) {
        if (!pd[i].present()) continue;
        Pte* table = phys_ptr<Pte>(pd[i].table().raw());
        for (uint32_t j = 0; j < kEntriesPerTable; ++j) {
            if (table[j].present() && (table[j].raw() & kPteKernelOwned)) {
                free_kernel_owned(table[j].frame());
            }
        }
        kmem::free_frame(pd[i].table());
    }
    kmem::free_frame(directory);
}

Result<void> map_user_page(PhysAddr directory, VirtAddr virt, PhysAddr frame, uint32_t flags) {
    if (!virt.is_page_aligned() || !mappable(virt) || !frame.is_page_aligned()) {
        return Error::invalid_argument;
    }
    Pde& pde = directory_ptr(directory)[pd_index(virt)];
    if (!pde.present()) {
        pde = Pde::make_table(TRY(kmem::allocate_frame()), kPresent | kWritable | kUser);
    }
    Pte& pte = phys_ptr<Pte>(pde.table().raw())[pt_index(virt)];
    if (pte.present()) return Error::exists;
    uint32_t bits = kPresent | kUser;
    if (flags & kMapWritable) bits |= kWritable;
    if (flags & kMapKernelOwned) bits |= kPteKernelOwned;
    if (flags & kMapUtcb) bits |= kPteUtcb;
    // Device memory is never cached (the Pentium has no PAT: PCD|PWT is uncached, UC).
    // Every user PTE is written here (or moved whole by move_user_mappings), so this is the
    // one place the rule is applied.
    if (physmem::cache_mode(frame.raw()) == CacheMode::uncached) bits |= kUncachedBits;
    pte = Pte::make(frame, bits);
    return {};
}

Result<UserPage> lookup_user_page(PhysAddr directory, VirtAddr virt) {
    if (!mappable(virt)) return Error::invalid_argument;
    Pte* pte = find_pte(directory, virt);
    if (!pte || !pte->present()) return Error::not_found;
    return UserPage{pte->frame(), pte->writable(), (pte->raw() & kPteKernelOwned) != 0,
                    (pte->raw() & kPteUtcb) != 0, (pte->raw() & kUncachedBits) == kUncachedBits};
}

bool directory_loaded(PhysAddr directory);

void unmap_user_page(PhysAddr directory, VirtAddr virt) {
    Pte* pte = find_pte(directory, virt);
    if (!pte || !pte->present()) return;
    *pte = Pte();
    if (shared(virt) || directory_loaded(directory)) invlpg(virt.raw());
}

void protect_user_page(PhysAddr directory, VirtAddr virt, bool writable) {
    Pte* pte = find_pte(directory, virt);
    if (!pte || !pte->present()) return;
    uint32_t flags = pte->flags() & ~uint32_t{kWritable};
    *pte = Pte::make(pte->frame(), flags | (writable ? uint32_t{kWritable} : 0u));
    if (shared(virt) || directory_loaded(directory)) invlpg(virt.raw());
}

void move_user_mappings(PhysAddr directory, uint32_t from, uint32_t to, uint32_t size) {
    for (uint32_t offset = 0; offset < size; offset += kPageSize) {
        Pte* source = find_pte(directory, VirtAddr(from + offset));
        if (!source || !source->present()) continue;
        Pte entry = *source;
        *source = Pte();
        invlpg(from + offset);
        // The target's page table exists (shared area) or is created; a failure leaves the
        // page unmapped, which only makes it fault again.
        Pde& pde = directory_ptr(directory)[pd_index(VirtAddr(to + offset))];
        if (!pde.present()) {
            auto table = kmem::allocate_frame();
            if (!table.ok()) continue;
            pde = Pde::make_table(table.value(), kPresent | kWritable | kUser);
        }
        phys_ptr<Pte>(pde.table().raw())[pt_index(VirtAddr(to + offset))] = entry;
        invlpg(to + offset);
    }
}

void clear_user_range(PhysAddr directory, uint32_t base, uint32_t size,
                      void (*free_kernel_owned)(PhysAddr frame)) {
    for (uint32_t offset = 0; offset < size; offset += kPageSize) {
        Pte* pte = find_pte(directory, VirtAddr(base + offset));
        if (!pte || !pte->present()) continue;
        if (pte->raw() & kPteKernelOwned) free_kernel_owned(pte->frame());
        *pte = Pte();
        invlpg(base + offset);
    }
}

bool has_user_mappings(PhysAddr directory, uint32_t from, uint32_t to, uint32_t except) {
    for (uint32_t address = from; address < to; address += kPageSize) {
        Pde pde = directory_ptr(directory)[pd_index(VirtAddr(address))];
        if (!pde.present()) {
            address = align_down(address, kSuperPageSize) + kSuperPageSize - kPageSize;
            continue;
        }
        Pte* pte = find_pte(directory, VirtAddr(address));
        if (pte && pte->present() && address != except) return true;
    }
    return false;
}

Result<void> copy_from_user(void* dst, uint32_t user_src, size_t length) {
    uint32_t linear;
    if (!user_window(user_src, length, linear)) return Error::invalid_argument;
    if (!ia32_copy_user(dst, reinterpret_cast<const void*>(linear), length)) {
        return Error::invalid_argument;
    }
    return {};
}

Result<void> copy_to_user(uint32_t user_dst, const void* src, size_t length) {
    uint32_t linear;
    if (!user_window(user_dst, length, linear)) return Error::invalid_argument;
    if (!ia32_copy_user(reinterpret_cast<void*>(linear), src, length)) {
        return Error::invalid_argument;
    }
    return {};
}

} // namespace axo::arch
