#include "kernel/arch/ia32/paging.h"

#include "kernel/arch/ia32/io.h"
#include "kernel/arch/ia32/layout.h"
#include "kernel/arch/ia32/page_table.h"
#include "kernel/console.h"
#include "kernel/lib/string.h"

namespace axo::ia32 {

namespace {

FrameAllocator* g_frames;
PhysAddr g_kernel_pd;

Pde* page_directory() {
    return phys_ptr<Pde>(g_kernel_pd.raw());
}

Result<PhysAddr> zeroed_frame() {
    PhysAddr frame = TRY(g_frames->allocate());
    memset(phys_ptr<void>(frame.raw()), 0, kPageSize);
    return frame;
}

bool in_kernel_window(VirtAddr virt) {
    return virt.raw() >= kKernelWindowBase && virt.raw() < kKernelWindowEnd &&
           is_aligned(virt.raw(), kPageSize);
}

} // namespace

Result<void> init_kernel_paging(FrameAllocator& frames, uint64_t ram_top) {
    g_frames = &frames;
    g_kernel_pd = TRY(zeroed_frame());
    Pde* pd = page_directory();

    uint64_t mapped = ram_top < kDirectMapSize ? ram_top : kDirectMapSize;
    mapped = align_up(mapped, uint64_t{kSuperPageSize});
    for (uint64_t phys = 0; phys < mapped; phys += kSuperPageSize) {
        VirtAddr virt(static_cast<uint32_t>(phys + kKernelBase));
        pd[pd_index(virt)] =
            Pde::make_superpage(PhysAddr(static_cast<uint32_t>(phys)), kPresent | kWritable);
    }
    // The small-space area's page tables are shared by every page directory: they exist
    // from the start, user-accessible (segment limits keep large spaces out), so a mapping
    // made for a small space is seen under every CR3.
    for (uint32_t virt = kSmallSpaceBase; virt < kSmallSpaceEnd; virt += kSuperPageSize) {
        pd[pd_index(VirtAddr(virt))] =
            Pde::make_table(TRY(zeroed_frame()), kPresent | kWritable | kUser);
    }
    // Every page table of the kernel window exists from the start: user page directories
    // copy the kernel's entries once, so a table added later would be missing there.
    for (uint32_t virt = kKernelWindowBase; virt < kKernelWindowEnd; virt += kSuperPageSize) {
        pd[pd_index(VirtAddr(virt))] = Pde::make_table(TRY(zeroed_frame()), kPresent | kWritable);
    }
    write_cr3(g_kernel_pd.raw());
    kprintf("paging: kernel page directory at %08x, %u MiB direct-mapped at %08x\n",
            g_kernel_pd.raw(), static_cast<uint32_t>(mapped >> 20), kKernelBase);
    return {};
}

PhysAddr kernel_page_directory() {
    return g_kernel_pd;
}

Result<void> map_kernel_page(VirtAddr virt, PhysAddr phys, bool writable) {
    if (!in_kernel_window(virt) || !is_aligned(phys.raw(), kPageSize)) {
        return Error::invalid_argument;
    }
    Pde& pde = page_directory()[pd_index(virt)];
    if (!pde.present()) pde = Pde::make_table(TRY(zeroed_frame()), kPresent | kWritable);
    Pte* table = phys_ptr<Pte>(pde.table().raw());
    Pte& pte = table[pt_index(virt)];
    if (pte.present()) return Error::exists;
    pte = Pte::make(phys, kPresent | (writable ? uint32_t{kWritable} : 0u));
    return {};
}

void remap_kernel_page(VirtAddr virt, PhysAddr phys, bool writable) {
    Pde pde = page_directory()[pd_index(virt)];
    Pte& pte = phys_ptr<Pte>(pde.table().raw())[pt_index(virt)];
    pte = Pte::make(phys, kPresent | (writable ? uint32_t{kWritable} : 0u));
    invlpg(virt.raw());
}

Result<void> unmap_kernel_page(VirtAddr virt) {
    if (!in_kernel_window(virt)) return Error::invalid_argument;
    Pde& pde = page_directory()[pd_index(virt)];
    if (!pde.present()) return Error::not_found;
    Pte& pte = phys_ptr<Pte>(pde.table().raw())[pt_index(virt)];
    if (!pte.present()) return Error::not_found;
    pte = Pte();
    invlpg(virt.raw());
    return {};
}

Result<PhysAddr> translate_kernel(VirtAddr virt) {
    Pde pde = page_directory()[pd_index(virt)];
    if (!pde.present()) return Error::not_found;
    if (pde.is_superpage()) {
        return PhysAddr(pde.frame().raw() + (virt.raw() & (kSuperPageSize - 1)));
    }
    Pte pte = phys_ptr<Pte>(pde.table().raw())[pt_index(virt)];
    if (!pte.present()) return Error::not_found;
    return PhysAddr(pte.frame().raw() + (virt.raw() & (kPageSize - 1)));
}

} // namespace axo::ia32
