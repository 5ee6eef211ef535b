// mm as the pager of processes: paging.h says how. The helper threads run in proc's space;
// the image pager is the only user of proc's page pool while mm runs (the main thread then
// pages nobody), the main thread the only one of the process table.
#include "servers/proc/paging.h"

#include "rt/rt.h"

#include "interfaces/mm/protocol.h"
#include "interfaces/sigma0/client.h"
#include "lib/ipc/kernel.h"
#include "lib/ipc/map_item.h"
#include "lib/loader/layout.h"
#include "servers/proc/server.h"
#include "servers/proc/small_spaces.h"

namespace proc {

namespace {

constexpr uint32_t kPage = loader::kPageSize;
constexpr uint32_t kPageBits = 12;
// proc's helper threads: numbers nothing else of proc uses (the self-test uses 63..71, the
// processes 256..), UTCBs after the self-test's.
constexpr uint32_t kPagerThread = kImagePagerThread;
constexpr uint32_t kReflectorThread = 81;
constexpr uint32_t kPagerUtcbSlot = 16;
constexpr uint32_t kReflectorUtcbSlot = 17;
constexpr uint32_t kStackBytes = 8192;
// Every call to mm is bounded: a broken mm fails spawns instead of hanging proc.
constexpr uint32_t kMmCallTimeoutUs = 2000000;

alignas(16) uint8_t g_pager_stack[kStackBytes];
alignas(16) uint8_t g_reflector_stack[kStackBytes];
// The page the image pager composes each answer in: a page of the pool (from σ0, so that the
// kernel's mapping database lets proc map it on; proc's own image pages are the kernel's). It
// unmaps it from mm before it writes it again (mm copies every page at once).
uint32_t g_scratch = 0;

template <class Request>
ipc::Error mm_call(const Proc& proc, const Request& request, typename Request::Reply& reply) {
    return ipc::call(proc.paging.mm, request, reply, axo_timeout_us(kMmCallTimeoutUs));
}

bool sigma0_add_client(axo_thread_id_t thread) {
    return sigma0::client::add_client(thread) == ipc::Error::ok;
}

// The pages the image's segments touch: [low, high).
bool image_extent(const axo::elf::Image& elf, uint32_t& low, uint32_t& high) {
    low = 0xFFFFFFFFu;
    high = 0;
    for (uint32_t i = 0; i < elf.segment_count; ++i) {
        const auto& segment = elf.segments[i];
        if (segment.memsz == 0) continue;
        uint32_t first = loader::page_of(segment.vaddr);
        uint32_t end = loader::page_of(segment.vaddr + segment.memsz + kPage - 1);
        if (first < low) low = first;
        if (end > high) high = end;
    }
    return high > low;
}

// Cookies (protocol.h, kImagePagerThread): module and slot, or kImageCookieSlot for the
// module's image object (shared by its processes).
constexpr uint32_t cookie(uint32_t module, uint32_t slot) {
    return image_cookie(module, slot);
}
static_assert(ProcessTable::kSlots < kImageCookieSlot);

uint32_t mm_slot(const Proc& proc) {
    const ProcessEntry* entry = const_cast<Proc&>(proc).processes.running(proc.paging.mm);
    return entry != nullptr ? proc.processes.table().slot_of(*entry) : ProcessTable::kSlots;
}

// mm's own page fault (its image, .bss and stack, from proc's pool), in the UTCB: true if the
// map reply is in the UTCB.
bool serve_mm_fault(Proc& proc) {
    ipc::PageFault page_fault;
    uint32_t slot = mm_slot(proc);
    if (slot == ProcessTable::kSlots ||
        !ipc::get_page_fault(ipc::Message(axo_my_utcb()->mr), page_fault))
        return false;
    loader::Fault fault =
        loader::handle_fault(proc.loaded[slot], proc.pool, page_fault.address, page_fault.write());
    if (fault == loader::Fault::mapped) return true;
    rt_printf("proc: mm faulted at %08x (eip %08x): %s; left blocked\n", page_fault.address,
              page_fault.ip, fault == loader::Fault::violation ? "outside its image" : "no memory");
    return false;
}

// The pages at the top of the stack that hold a process's start block (its arguments).
uint32_t start_pages(const loader::Process& process) {
    uint32_t pages = (process.start.size() + kPage - 1) / kPage;
    return pages != 0 ? pages : 1;
}

// The message in the UTCB (MR0 is the tag an ipc returned) is a page fault.
bool is_page_fault() {
    return ipc::is_page_fault(ipc::Message(axo_my_utcb()->mr));
}

ipc::Error compose_into_scratch(Proc& proc, const loader::Process& process, uint32_t page) {
    if (g_scratch == 0) g_scratch = proc.pool.allocate();
    if (g_scratch == 0) return ipc::Error::no_memory;
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[0] = axo_fpage(g_scratch, kPageBits, AXO_FPAGE_RWX);
    (void)axo_unmap(0);
    loader::fill_page(process.elf, process.image, process.start, page,
                      reinterpret_cast<uint8_t*>(g_scratch));
    return ipc::Error::ok;
}

// A stack top page of a process that runs a program file: its start block, only to it. The
// image's pages are fs's; the stack lies above every segment (mm_start_file), so fill_page
// never reads the image (which proc does not have) for it.
ipc::Error compose_file_stack_page(Proc& proc, const mm::ExternalFault& fault, uint32_t slot) {
    if (slot >= ProcessTable::kSlots || !proc.paging.file_process[slot])
        return ipc::Error::invalid_argument;
    const ProcessEntry* entry = proc.processes.running(fault.client);
    const loader::Process& process = proc.loaded[slot];
    if (entry == nullptr || proc.processes.table().slot_of(*entry) != slot ||
        (fault.offset & (kPage - 1)) != 0 || fault.offset >= start_pages(process) * kPage)
        return ipc::Error::invalid_argument;
    return compose_into_scratch(proc, process,
                                process.stack_top() - start_pages(process) * kPage + fault.offset);
}

// The answer to one fault mm forwarded (mm's ExternalFault): the page in g_scratch, or an
// error. Returns the ipc::Error for the answer (ok: the page is in g_scratch).
ipc::Error compose_page(Proc& proc, const mm::ExternalFault& fault) {
    // The cookie names the module and the slot of the process that made the object (cookie()).
    uint32_t module = fault.cookie >> 16, slot = fault.cookie & 0xFFFFu, offset = fault.offset;
    if (module == kFileCookieModule) return compose_file_stack_page(proc, fault, slot);
    uint32_t low = 0, high = 0;
    bool stack_top = slot != kImageCookieSlot;
    bool known = module < proc.config->module_count && proc.images[module].program &&
                 image_extent(proc.images[module].elf, low, high) && (offset & (kPage - 1)) == 0 &&
                 (stack_top || offset < high - low);
    // The stack's top pages hold the process's own arguments and environment: only its process
    // gets them (any client may name this thread as the pager of a region, with any cookie;
    // the images are boot modules anyone may spawn, the arguments are not). A forked child
    // never asks: its parent's start-up touched them all (lib/rt, lib/crt0), and the child has
    // copies.
    if (known && stack_top) {
        const ProcessEntry* entry = proc.processes.running(fault.client);
        if (slot >= ProcessTable::kSlots || entry == nullptr ||
            proc.processes.table().slot_of(*entry) != slot ||
            proc.loaded[slot].image != proc.images[module].data ||
            offset >= start_pages(proc.loaded[slot]) * kPage)
            known = false;
    }
    if (!known) return ipc::Error::invalid_argument;
    if (g_scratch == 0) g_scratch = proc.pool.allocate();
    if (g_scratch == 0) return ipc::Error::no_memory;
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[0] = axo_fpage(g_scratch, kPageBits, AXO_FPAGE_RWX);
    (void)axo_unmap(0);
    uint8_t* out = reinterpret_cast<uint8_t*>(g_scratch);
    if (stack_top) {
        const loader::Process& process = proc.loaded[slot];
        loader::fill_page(process.elf, process.image, process.start,
                          process.stack_top() - start_pages(process) * kPage + offset, out);
    } else {
        // The image's pages are the same for every process of the module.
        static const loader::StartBlock kNoArguments;
        loader::fill_page(proc.images[module].elf, proc.images[module].data, kNoArguments,
                          low + offset, out);
    }
    return ipc::Error::ok;
}

// The image pager waits for mm's forwarded faults in kMmPagerWait calls, each answering the
// previous fault (mm's protocol.h, "Stacking"). mm's own page faults come to this thread too
// (it is mm's pager): mm touches all of its memory before it serves anybody, but one that
// comes as the reply to a wait, or while no object names this thread yet, is served as well.
void image_pager(void* context) {
    Proc& proc = *static_cast<Proc*>(context);
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->br[0] = AXO_FPAGE_NIL;
    uint32_t token = 0;
    ipc::Error answer = ipc::Error::ok;
    uint32_t send_base = 0;
    for (;;) {
        axo_thread_id_t mm = proc.paging.mm;
        axo_msg_tag_t tag = 0;
        if (mm != AXO_NIL_THREAD) {
            bool item = token != 0 && answer == ipc::Error::ok;
            utcb->mr[0] = axo_msg_tag(mm::kMmPagerWait, 2, item ? 2 : 0);
            utcb->mr[1] = token;
            utcb->mr[2] = static_cast<uint32_t>(answer);
            if (item) {
                utcb->mr[3] = axo_map_item_word0(send_base, 0);
                utcb->mr[4] = axo_fpage(g_scratch, kPageBits, AXO_FPAGE_R);
            }
            // A bounded send: mm may be sending us its own page fault right now.
            tag = axo_ipc_call(mm, axo_timeouts(axo_timeout_us(10000), AXO_TIMEOUT_NEVER));
        }
        if (mm == AXO_NIL_THREAD || axo_tag_failed(tag)) {
            // Not sent (mm busy faulting, or not started yet): serve mm's faults while they
            // come back to back (mm touches all its memory at start-up: a retried call per
            // fault would cost the send timeout per page), then try the same answer again.
            axo_thread_id_t from = axo_ipc_receive(AXO_ANY_THREAD, axo_timeout_us(1000));
            while (!axo_tag_failed(utcb->mr[0]) && from == proc.paging.mm && is_page_fault() &&
                   serve_mm_fault(proc))
                from = axo_ipc_reply_wait(from, axo_timeout_us(1000));
            continue;
        }
        token = 0; // the answer went with the call
        if (is_page_fault()) {
            if (serve_mm_fault(proc)) axo_ipc_send(mm, AXO_TIMEOUT_ZERO);
            continue;
        }
        if (axo_tag_label(tag) != static_cast<uint32_t>(ipc::Error::ok) ||
            axo_tag_untyped(tag) != ipc::wire_words<mm::ExternalFault> || axo_tag_typed(tag) != 0) {
            // No object names this thread yet (no process runs): ask again soon.
            axo_ipc_receive(mm, axo_timeout_us(10000));
            if (!axo_tag_failed(utcb->mr[0]) && is_page_fault() && serve_mm_fault(proc))
                axo_ipc_send(mm, AXO_TIMEOUT_ZERO);
            continue;
        }
        mm::ExternalFault fault{utcb->mr[1], utcb->mr[2], utcb->mr[3],
                                utcb->mr[4], utcb->mr[5], utcb->mr[6]};
        token = fault.token;
        send_base = fault.send_base;
        answer = compose_page(proc, fault);
    }
}

// mm's refused faults of processes become CPU exceptions of the process (paging.h).
void reflector(void* context) {
    Proc& proc = *static_cast<Proc*>(context);
    uint32_t failures = 0;
    for (;;) {
        mm::FaultNotice notice{};
        ipc::Error error = ipc::call(proc.paging.mm, mm::FaultWaitRequest{}, notice);
        if (error == ipc::Error::no_permission) {
            // No process is attached yet (mm lets only a client's fault handler wait): soon.
            axo_ipc_receive(rt_kip()->sigma0, axo_timeout_us(10000));
            continue;
        }
        if (error != ipc::Error::ok) {
            // mm gone or confused: say so once, and try again now and then.
            if (failures++ == 0)
                rt_printf("proc: waiting for mm's refused faults failed: %s\n",
                          ipc::error_name(error));
            axo_ipc_receive(rt_kip()->sigma0, axo_timeout_us(100000));
            continue;
        }
        if (notice.reason == mm::kRefusedNoMemory || notice.reason == mm::kRefusedBeyondEnd) {
            Paging& paging = proc.paging;
            volatile Paging::Refusal& slot =
                paging.refusals[paging.refusals_next++ % Paging::kRefusalRing];
            slot.reason = notice.reason;
            slot.thread = notice.thread;
        }
        axo_exreg_t regs = {};
        regs.control = AXO_EXREG_SET_PAGER;
        regs.pager = AXO_NIL_THREAD;
        if (axo_exchange_registers(notice.thread, &regs) != AXO_OK) continue; // gone already
        ipc::Empty empty;
        (void)ipc::call(proc.paging.mm, mm::FaultRetryRequest{notice.thread, 1}, empty,
                        axo_timeout_us(kMmCallTimeoutUs));
    }
}

uint32_t find_mm_module(const Proc& proc) {
    for (uint32_t i = 0; i < proc.config->module_count; ++i) {
        const char* name = proc.config->modules[i].name;
        if (name[0] == 'm' && name[1] == 'm' && name[2] == '\0') return i;
    }
    return Paging::kNoModule;
}

ipc::Error region(const Proc& proc, axo_thread_id_t thread, uint32_t address, uint32_t size,
                  uint32_t rights, uint32_t kind, uint32_t object, uint32_t offset, uint32_t cookie,
                  uint32_t* id) {
    mm::RegionCreateReply reply{};
    ipc::Error error = mm_call(
        proc,
        mm::RegionCreateRequest{thread, address, size, rights, kind, object, offset,
                                object == 0 && kind != mm::kRegionAnonymous ? proc.paging.pager
                                                                            : AXO_NIL_THREAD,
                                cookie},
        reply);
    if (id != nullptr) *id = reply.object;
    return error;
}

// The image's pages by lib/loader's plan: runs without a region are unmapped, read-only runs
// protected; the rest stays R W X as created.
ipc::Error shape_image(const Proc& proc, axo_thread_id_t thread, const loader::Process& process,
                       uint32_t low, uint32_t high) {
    ipc::Empty empty;
    uint32_t run_start = low, run_kind = 0;
    auto kind_of = [&](uint32_t page) -> uint32_t {
        loader::PagePlan plan = loader::plan_page(process.elf, process.stack(), page);
        return !plan.known ? 1u : plan.writable ? 0u : 2u;
    };
    for (uint32_t page = low; page <= high; page += kPage) {
        uint32_t kind = page < high ? kind_of(page) : 3u;
        if (page == low) run_kind = kind;
        if (kind == run_kind) continue;
        ipc::Error error = ipc::Error::ok;
        if (run_kind == 1)
            error = mm_call(proc, mm::UnmapRequest{thread, run_start, page - run_start}, empty);
        else if (run_kind == 2)
            error = mm_call(
                proc,
                mm::ProtectRequest{thread, run_start, page - run_start, AXO_FPAGE_R | AXO_FPAGE_X},
                empty);
        if (error != ipc::Error::ok) return error;
        run_start = page;
        run_kind = kind;
    }
    return ipc::Error::ok;
}

ipc::Error setup_space(Proc& proc, uint32_t slot, uint32_t module, axo_thread_id_t thread) {
    const loader::Process& process = proc.loaded[slot];
    uint32_t low = 0, high = 0;
    if (!image_extent(process.elf, low, high)) return ipc::Error::unsupported;
    uint32_t span = high - low;

    ipc::Empty empty;
    if (ipc::Error e = mm_call(proc,
                               mm::AttachRequest{thread, AXO_NIL_THREAD, proc.paging.reflector,
                                                 proc.paging.quota_pages, high + kPage},
                               empty);
        e != ipc::Error::ok)
        return e;
    // The module's image object: the one its running processes map, or a new one (paging.h).
    uint32_t& object = proc.paging.image_object[module];
    ipc::Error e = ipc::Error::not_found;
    if (object != 0)
        e = region(proc, thread, low, span, AXO_FPAGE_RWX, mm::kRegionCopy, object, 0, 0, nullptr);
    if (e == ipc::Error::not_found)
        e = region(proc, thread, low, span, AXO_FPAGE_RWX, mm::kRegionCopy, 0, 0,
                   cookie(module, kImageCookieSlot), &object);
    if (e != ipc::Error::ok) return e;
    if (ipc::Error e = shape_image(proc, thread, process, low, high); e != ipc::Error::ok) return e;
    const uint32_t stack_top = process.stack_top();
    const uint32_t stack_low = stack_top - kProcessStackBytes;
    // The start block's pages come from the image pager; the rest of the stack is anonymous.
    uint32_t top = start_pages(process) * kPage;
    if (ipc::Error e = region(proc, thread, stack_top - top, top, AXO_FPAGE_R | AXO_FPAGE_W,
                              mm::kRegionCopy, 0, 0, cookie(module, slot), nullptr);
        e != ipc::Error::ok)
        return e;
    return region(proc, thread, stack_low, stack_top - top - stack_low, AXO_FPAGE_R | AXO_FPAGE_W,
                  mm::kRegionAnonymous, 0, 0, 0, nullptr);
}

// The stack of a new process (module or file): its top pages (the start block) from the image
// pager under `top_cookie`, the rest anonymous.
ipc::Error make_stack(const Proc& proc, axo_thread_id_t thread, const loader::Process& process,
                      uint32_t top_cookie) {
    const uint32_t stack_top = process.stack_top();
    const uint32_t stack_low = stack_top - kProcessStackBytes;
    uint32_t top = start_pages(process) * kPage;
    if (ipc::Error e = region(proc, thread, stack_top - top, top, AXO_FPAGE_R | AXO_FPAGE_W,
                              mm::kRegionCopy, 0, 0, top_cookie, nullptr);
        e != ipc::Error::ok)
        return e;
    return region(proc, thread, stack_low, stack_top - top - stack_low, AXO_FPAGE_R | AXO_FPAGE_W,
                  mm::kRegionAnonymous, 0, 0, 0, nullptr);
}

// A program file's space (paging.h, mm_start_file): regions by file_image.h's plan.
ipc::Error setup_file_space(Proc& proc, uint32_t slot, const FileImage& image,
                            axo_thread_id_t thread) {
    const loader::Process& process = proc.loaded[slot];
    uint32_t low = 0, high = 0;
    if (!image_extent(process.elf, low, high)) return ipc::Error::not_executable;
    ipc::Empty empty;
    if (ipc::Error e = mm_call(proc,
                               mm::AttachRequest{thread, AXO_NIL_THREAD, proc.paging.reflector,
                                                 proc.paging.quota_pages, high + kPage},
                               empty);
        e != ipc::Error::ok)
        return e;
    FileRegion regions[kMaxFileRegions];
    uint32_t count = file_regions(image, regions);
    for (uint32_t i = 0; i < count; ++i) {
        const FileRegion& r = regions[i];
        uint32_t rights = r.writable ? AXO_FPAGE_RWX : AXO_FPAGE_R | AXO_FPAGE_X;
        ipc::Error e = r.file ? region(proc, thread, r.address, r.size, rights, mm::kRegionCopy,
                                       image.object, r.offset, 0, nullptr)
                              : region(proc, thread, r.address, r.size, rights,
                                       mm::kRegionAnonymous, 0, 0, 0, nullptr);
        if (e != ipc::Error::ok) return e;
    }
    return make_stack(proc, thread, process, cookie(kFileCookieModule, slot));
}

} // namespace

ipc::Error mm_start_file(Proc& proc, uint32_t slot, const FileImage& image, axo_thread_id_t thread,
                         const loader::StringBlock& strings) {
    if (proc.paging.mm == AXO_NIL_THREAD) return ipc::Error::unsupported;
    loader::Process& process = proc.loaded[slot];
    uint8_t* storage = process.start.storage();
    uint32_t capacity = process.start.capacity();
    process = loader::Process{};
    process.start.set_storage(storage, capacity);
    process.elf = image.elf;
    if (!process.start.build(nullptr, 0, process.stack_top(), strings))
        return ipc::Error::invalid_argument;
    const char* why = nullptr;
    if (loader::create_thread(process, thread, proc.paging.mm, rt_my_id(), &why) != ipc::Error::ok)
        return ipc::Error::no_memory;
    proc.paging.file_process[slot] = true;
    ipc::Error e = setup_file_space(proc, slot, image, thread);
    if (e != ipc::Error::ok) {
        rt_printf("proc: setting up a program file in mm failed: %s\n", ipc::error_name(e));
        (void)axo_thread_control(thread, AXO_NIL_THREAD, AXO_NIL_THREAD, AXO_NIL_THREAD, 0,
                                 AXO_NIL_THREAD);
        mm_release_process(proc, thread);
        process.thread = AXO_NIL_THREAD;
        proc.paging.file_process[slot] = false;
        return e == ipc::Error::invalid_argument ? e : ipc::Error::no_memory;
    }
    return ipc::Error::ok;
}

void start_paging(Proc& proc) {
    uint32_t module = find_mm_module(proc);
    if (module == Paging::kNoModule) {
        rt_printf("proc: no module named mm: proc pages every process itself\n");
        return;
    }
    if (!proc.images[module].program) {
        rt_printf("proc: module \"mm\" is no program: proc pages every process itself\n");
        return;
    }
    proc.paging.mm_module = module;
    if (sigma0::StatisticsReply memory{}; sigma0::client::statistics(memory) == ipc::Error::ok &&
                                          memory.total_bytes / kPage < proc.paging.quota_pages)
        proc.paging.quota_pages = memory.total_bytes / kPage;
    proc.paging.pager = axo_thread_id(kPagerThread, 1);
    proc.paging.reflector = axo_thread_id(kReflectorThread, 1);
    // The image pager takes pages for mm's image from σ0 (proc's pool): only the root task's
    // main thread is σ0's client by default.
    if (!sigma0_add_client(proc.paging.pager))
        rt_printf("proc: σ0 refused the image pager as a client\n");
    uint32_t error =
        rt_thread_start(proc.paging.pager, &image_pager, &proc, g_pager_stack + kStackBytes,
                        rt_utcb_slot(kPagerUtcbSlot), rt_my_id());
    SpawnReply reply{};
    ipc::Error started = error == AXO_OK ? proc.processes.start(kNoProcess, module, nullptr, reply)
                                         : ipc::Error::no_memory;
    if (started != ipc::Error::ok) {
        rt_printf("proc: starting mm failed (%s, thread error %u): proc pages every process "
                  "itself\n",
                  ipc::error_name(started), error);
        proc.paging.mm_module = Paging::kNoModule;
        return;
    }
    proc.paging.mm = reply.main_thread;
    proc.boot_pid[module] = reply.pid;
    error =
        rt_thread_start(proc.paging.reflector, &reflector, &proc, g_reflector_stack + kStackBytes,
                        rt_utcb_slot(kReflectorUtcbSlot), rt_my_id());
    rt_printf("proc: started module %u \"mm\": process %u, thread %u.%u, the pager of every "
              "process from now on%s\n",
              proc.config->modules[module].index, reply.pid, axo_thread_number(reply.main_thread),
              axo_thread_version(reply.main_thread),
              error == AXO_OK ? "" : " (but no reflector thread: refused faults hang)");
}

uint32_t take_refusal(Proc& proc, axo_thread_id_t thread) {
    for (volatile Paging::Refusal& entry : proc.paging.refusals) {
        if (entry.thread != thread) continue;
        entry.thread = AXO_NIL_THREAD;
        return entry.reason;
    }
    return mm::kRefusedNone;
}

bool paged_by_mm(const Proc& proc, uint32_t module) {
    return proc.paging.mm != AXO_NIL_THREAD && module != proc.paging.mm_module;
}

ipc::Error start_mm_module(Proc& proc, uint32_t slot, uint32_t module, axo_thread_id_t thread,
                           const char* const* argv, uint32_t argc) {
    const ModuleImage& image = proc.images[module];
    loader::Process& process = proc.loaded[slot];
    const char* why = nullptr;
    ipc::Error error = loader::prepare(process, image.data, image.size, argv, argc, &why);
    if (error == ipc::Error::ok)
        error = loader::create_thread(process, thread, proc.paging.pager, rt_my_id(), &why);
    if (error != ipc::Error::ok) {
        rt_printf("proc: starting mm failed: %s\n", why != nullptr ? why : "?");
        return error == ipc::Error::invalid_argument ? error : ipc::Error::no_memory;
    }
    // mm takes its frames from σ0 directly, from its first instruction on.
    if (!sigma0_add_client(thread)) rt_printf("proc: σ0 refused mm as a client\n");
    if (loader::start(process, &why) != ipc::Error::ok) return ipc::Error::no_memory;
    return ipc::Error::ok;
}

ipc::Error mm_start_process(Proc& proc, uint32_t slot, uint32_t module, axo_thread_id_t thread,
                            const char* const* argv, uint32_t argc,
                            const loader::StringBlock& more) {
    const ModuleImage& image = proc.images[module];
    if (!image.program) return ipc::Error::unsupported;
    loader::Process& process = proc.loaded[slot];
    const char* why = nullptr;
    ipc::Error error = prepare_module(proc, process, module, argv, argc, &why, more);
    if (error != ipc::Error::ok) return error; // invalid_argument or unsupported
    error = loader::create_thread(process, thread, proc.paging.mm, rt_my_id(), &why);
    if (error != ipc::Error::ok) return ipc::Error::no_memory;
    // Small before mm maps anything (mm maps nothing before the first fault anyway).
    if (process.end != loader::Process::kLargeEnd) (void)make_space_small(thread, argv[0]);
    // Not started here: ProcessHost::run does, after the process's events are queued.
    ipc::Error e = setup_space(proc, slot, module, thread);
    if (e != ipc::Error::ok) {
        rt_printf("proc: setting up %s in mm failed: %s\n", argv[0], ipc::error_name(e));
        (void)axo_thread_control(thread, AXO_NIL_THREAD, AXO_NIL_THREAD, AXO_NIL_THREAD, 0,
                                 AXO_NIL_THREAD);
        mm_release_process(proc, thread);
        process.thread = AXO_NIL_THREAD;
        return e == ipc::Error::unsupported ? e : ipc::Error::no_memory;
    }
    return ipc::Error::ok;
}

ipc::Error mm_fork_process(Proc& proc, uint32_t slot, uint32_t parent_slot, axo_thread_id_t thread,
                           uint32_t ip, uint32_t sp) {
    const ProcessEntry& parent = proc.processes.table().at(parent_slot);
    if (!paged_by_mm(proc, parent.module)) return ipc::Error::unsupported;
    if (ip == 0 || ip >= mm::kUserLimit || sp == 0 || sp >= mm::kUserLimit)
        return ipc::Error::invalid_argument;
    // The child has the parent's image (for the image pager: paging.h); its arguments are the
    // copies of the parent's stack pages, never the image pager's.
    const loader::Process& from = proc.loaded[parent_slot];
    loader::Process& child = proc.loaded[slot];
    child.image = from.image;
    child.image_size = from.image_size;
    child.elf = from.elf;
    child.end = from.end; // its stack and UTCBs where the parent's are
    child.start.set_storage(nullptr, 0);
    child.given_count = 0;
    const char* why = nullptr;
    if (loader::create_thread(child, thread, proc.paging.mm, rt_my_id(), &why) != ipc::Error::ok)
        return ipc::Error::no_memory;
    ipc::Empty empty;
    ipc::Error error = mm_call(proc,
                               mm::AttachRequest{thread, AXO_NIL_THREAD, proc.paging.reflector,
                                                 proc.paging.quota_pages, 0},
                               empty);
    mm::DuplicateReply duplicated{};
    if (error == ipc::Error::ok)
        error = mm_call(proc, mm::DuplicateRequest{parent.thread, thread}, duplicated);
    // Not started here: ProcessHost::run does, at ip and sp, after the fork event is queued.
    if (error == ipc::Error::ok && proc.forks++ < 4)
        rt_printf("proc: fork of %u.%u: %u.%u, %u page(s) shared copy-on-write\n",
                  axo_thread_number(parent.thread), axo_thread_version(parent.thread),
                  axo_thread_number(thread), axo_thread_version(thread), duplicated.shared_pages);
    if (error != ipc::Error::ok) {
        (void)axo_thread_control(thread, AXO_NIL_THREAD, AXO_NIL_THREAD, AXO_NIL_THREAD, 0,
                                 AXO_NIL_THREAD);
        mm_release_process(proc, thread);
        child.thread = AXO_NIL_THREAD;
        return error == ipc::Error::no_space || error == ipc::Error::invalid_argument
                   ? error
                   : ipc::Error::no_memory;
    }
    return ipc::Error::ok;
}

void mm_rebind_restarted(Proc& proc, axo_thread_id_t old_thread, axo_thread_id_t new_thread) {
    if (proc.paging.mm == AXO_NIL_THREAD) return;
    mm::PagerRebindReply rebound{};
    ipc::Error error = mm_call(proc, mm::PagerRebindRequest{old_thread, new_thread}, rebound);
    if (error != ipc::Error::ok)
        rt_printf("proc: mm did not rebind the objects of %u.%u: %s\n",
                  axo_thread_number(old_thread), axo_thread_version(old_thread),
                  ipc::error_name(error));
    else if (rebound.objects != 0)
        rt_printf("proc: %u object(s) of %u.%u rebound to its restarted instance %u.%u\n",
                  rebound.objects, axo_thread_number(old_thread), axo_thread_version(old_thread),
                  axo_thread_number(new_thread), axo_thread_version(new_thread));
}

bool mm_memory_of(const Proc& proc, axo_thread_id_t thread, uint32_t& committed,
                  uint32_t& resident) {
    if (proc.paging.mm == AXO_NIL_THREAD || thread == AXO_NIL_THREAD) return false;
    mm::StatisticsReply statistics{};
    if (mm_call(proc, mm::StatisticsRequest{thread}, statistics) != ipc::Error::ok) return false;
    committed = statistics.committed;
    resident = statistics.resident;
    return true;
}

void mm_release_process(Proc& proc, axo_thread_id_t thread) {
    ipc::Empty empty;
    ipc::Error error = mm_call(proc, mm::DetachRequest{thread}, empty);
    if (error != ipc::Error::ok && error != ipc::Error::not_found)
        rt_printf("proc: mm did not detach %u.%u: %s\n", axo_thread_number(thread),
                  axo_thread_version(thread), ipc::error_name(error));
}

} // namespace proc
