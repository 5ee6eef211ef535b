#include "kernel/initial_tasks.h"

#include "axolotl/kip.h"
#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/elf.h"
#include "kernel/lib/string.h"
#include "kernel/scheduler.h"
#include "kernel/space.h"
#include "kernel/thread.h"

namespace axo {

namespace {

// The top of user space below the KIP and initial UTCB pages: the stack and images live here.
constexpr uint32_t kInitialStackTop = 0xBFFF'D000;
constexpr uint32_t kInitialStackSize = 64 * 1024;
constexpr uint32_t kImageLimit = kInitialStackTop - kInitialStackSize;

constexpr uint32_t kSigma0Number = AXO_FIRST_USER_THREAD;
constexpr uint32_t kRootNumber = AXO_FIRST_USER_THREAD + 1;

bool page_writable(const elf::Image& image, uint32_t page) {
    for (size_t i = 0; i < image.segment_count; ++i) {
        const elf::Segment& s = image.segments[i];
        uint32_t first = align_down(s.vaddr, kPageSize);
        if (s.writable && page >= first && page - first < s.vaddr + s.memsz - first) return true;
    }
    return false;
}

Result<void> load_image(Space* space, const uint8_t* data, const elf::Image& image) {
    for (size_t i = 0; i < image.segment_count; ++i) {
        const elf::Segment& s = image.segments[i];
        uint32_t end = s.vaddr + s.memsz;
        for (uint32_t page = align_down(s.vaddr, kPageSize); page < end; page += kPageSize) {
            uint8_t* frame;
            auto existing = arch::lookup_user_page(space->page_directory(), VirtAddr(page));
            if (existing.ok()) {
                frame = static_cast<uint8_t*>(arch::phys_to_kernel(existing.value().frame));
            } else {
                void* mapped = TRY(space->map_new_page(VirtAddr(page), page_writable(image, page)));
                frame = static_cast<uint8_t*>(mapped);
            }
            // The part of [vaddr, vaddr + filesz) inside this page comes from the file.
            uint32_t from = page > s.vaddr ? page : s.vaddr;
            uint32_t to =
                page + kPageSize < s.vaddr + s.filesz ? page + kPageSize : s.vaddr + s.filesz;
            if (from < to)
                memcpy(frame + (from - page), data + s.offset + (from - s.vaddr), to - from);
        }
    }
    return {};
}

Result<Thread*> start_task(const multiboot::Module& module, uint32_t number, bool privileged,
                           bool sigma0) {
    const uint8_t* data = static_cast<const uint8_t*>(arch::phys_to_kernel(PhysAddr(module.start)));
    elf::Image image;
    const char* why = "";
    auto parsed = elf::parse(data, module.end - module.start, kImageLimit, image, &why);
    if (!parsed.ok()) {
        kprintf("boot: module \"%s\" is not a valid program: %s\n", module.cmdline, why);
        return parsed.error();
    }
    Space* space = TRY(Space::create(privileged));
    if (sigma0) space->make_sigma0();
    TRY(load_image(space, data, image));
    for (uint32_t page = kInitialStackTop - kInitialStackSize; page < kInitialStackTop;
         page += kPageSize) {
        TRY(space->map_new_page(VirtAddr(page), true));
    }
    ThreadId id = ThreadId::make(number, 1);
    axo_utcb_t* utcb = TRY(space->prepare_utcb(AXO_INITIAL_UTCB_ADDRESS));
    Thread* thread = TRY(threads::create(id, space));
    space->thread_added();
    thread->m_utcb = utcb;
    thread->m_utcb_user = AXO_INITIAL_UTCB_ADDRESS;
    thread->m_scheduler = id;
    utcb->self = AXO_INITIAL_UTCB_ADDRESS;
    utcb->my_id = id.raw();
    arch::prepare_user_thread(*thread, image.entry, kInitialStackTop);
    sched::make_ready(thread);
    kprintf("boot: started \"%s\" as thread %u.%u%s, entry %08x\n", module.cmdline, number, 1,
            privileged ? " (root task, privileged)" : "", image.entry);
    return thread;
}

void describe_modules(const multiboot::BootInfo& boot) {
    // Memory descriptors are physmem's; the module list with command lines is ours.
    axo_kip_t* k = kip::get();
    size_t n = boot.module_count < AXO_KIP_MAX_MODULES ? boot.module_count : AXO_KIP_MAX_MODULES;
    for (size_t i = 0; i < n; ++i) {
        k->modules[i].start = boot.modules[i].start;
        k->modules[i].size = boot.modules[i].end - boot.modules[i].start;
        str_copy(k->modules[i].cmdline, boot.modules[i].cmdline, sizeof(k->modules[i].cmdline));
    }
    k->module_count = static_cast<uint32_t>(n);
}

} // namespace

bool start_initial_tasks(const multiboot::BootInfo& boot) {
    describe_modules(boot);
    if (boot.module_count < 2) {
        kprintf("boot: no root task (need modules: sigma0, root task)\n");
        return false;
    }
    auto sigma0 = start_task(boot.modules[0], kSigma0Number, false, true);
    auto root = start_task(boot.modules[1], kRootNumber, true, false);
    if (!sigma0.ok() || !root.ok()) {
        kprintf("boot: the initial tasks could not be started\n");
        return false;
    }
    kip::get()->sigma0 = ThreadId::make(kSigma0Number, 1).raw();
    kip::get()->root_task = ThreadId::make(kRootNumber, 1).raw();
    return true;
}

} // namespace axo
