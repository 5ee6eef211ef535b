// mm as the pager of processes (README.md "Memory: mm"). When the boot configuration has a
// module named `mm`, proc starts it first — paged by proc itself, a σ0 client — and from then
// on every process it starts is an mm client:
//
//   - its thread is created with mm as pager and proc's main thread as exception handler,
//     attached to mm (kMmAttach) with a quota (kProcessQuotaPages) and a heap after its image;
//   - its image is a kRegionCopy region of the module's external object (one per module,
//     shared by all its processes; the cookie names the module and kImageCookieSlot) whose
//     pager is proc's **image pager** thread: at the first touch of a page mm forwards the
//     fault to it (the reply to its kMmPagerWait call), it composes the page from the
//     module's ELF file (lib/loader's fill_page: file bytes, zeros of .bss) and answers in its
//     next kMmPagerWait, and mm copies it; the rights per page are
//     lib/loader's (R X for code and read-only data, R W X for writable segments), pages
//     between segments have no region. mm keeps the copy of a read-only page once, in the
//     object, for every process of the module (their code uses its frames once); a writable
//     page's copy is the process's own;
//   - the object lives while a process of the module does (a region maps it): when the last
//     one ends, mm frees it and its kept copies, so the next process of the module makes a
//     new one (proc keeps no cache: the frames go back to mm's pool);
//   - the stack is anonymous memory, except its top page, a kRegionCopy page of an external
//     object of its own (cookie: module and slot; it holds the start block, the program's
//     arguments, which only that process may get);
//   - a fault mm refuses (outside every region, a write to code) reaches proc's **reflector**
//     thread, the client's mm fault handler, through kMmFaultWait (until the first process is
//     attached mm refuses the wait, and the reflector asks again every 10 ms); it takes the
//     thread's pager away and releases the fault (kMmFaultRetry), so the access faults again and
//     reaches proc's main thread as exception vector 14 — which ends the process as before (killed,
//     signal 9, if mm had no memory for the page), or becomes a signal (SIGBUS if the page is
//     beyond the end of a mapped file: kRefusedBeyondEnd);
//   - at its end proc deletes its threads and detaches it from mm (kMmDetach).
//
// The image pager also pages mm itself (lib/loader's handle_fault): mm's page fault comes as
// the reply to its wait, or while its bounded send to a faulting mm times out. Neither helper
// thread ever waits for proc's main thread, and mm never waits for proc (it calls nobody but
// σ0), so the main thread's calls to mm cannot deadlock.
//
// Without an `mm` module proc pages every process itself (processes.cc), as before.
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"
#include "axolotl/kip.h"
#include "lib/ipc/error.h"
#include "lib/loader/loader.h"
#include "servers/proc/file_image.h"
#include "servers/proc/process_table.h"

namespace proc {

struct Proc;

// Pages (4 KiB) a process may commit in mm: its image (code, data, .bss, newlib's 1 MiB
// arena), its stack, its heap and its regions. Beyond, mm answers no_space. 64 MiB, or what σ0
// has if that is less (Paging::quota_pages): mm counts a region's whole size as committed when
// it is made, but gives a frame only when a page is touched.
constexpr uint32_t kProcessQuotaPages = 16384;
// The stack of an mm client: 8 MiB below loader::Process::kStackTop, anonymous memory that
// grows on demand (a frame at a page's first touch); it counts 2048 pages of the quota.
constexpr uint32_t kProcessStackBytes = 8u << 20;
// A program file's segments end below that stack (its regions may not overlap it).
constexpr uint32_t kFileProgramLimit = loader::Process::kStackTop - kProcessStackBytes;

struct Paging {
    static constexpr uint32_t kNoModule = 0xFFFFFFFFu;
    axo_thread_id_t mm = AXO_NIL_THREAD; // mm's thread; nil: proc pages processes itself
    uint32_t mm_module = kNoModule;      // the config index of the `mm` module
    axo_thread_id_t pager = AXO_NIL_THREAD;
    axo_thread_id_t reflector = AXO_NIL_THREAD;
    uint32_t quota_pages = kProcessQuotaPages; // bounded by σ0's memory at start_paging
    // Per module: the id of its image's external object in mm, 0 before the first process.
    // It dies with the last region mapping it (the module's last process); the id then is
    // stale — mm never reuses an id, so mm answers not_found and proc makes a new one.
    uint32_t image_object[AXO_KIP_MAX_MODULES] = {};
    // Per table slot: the process runs a program file (mm_start_file): its image pager cookie's
    // module is kFileCookieModule.
    bool file_process[ProcessTable::kSlots] = {};
    // Threads whose fault mm refused for a reason the exception does not tell, written by the
    // reflector before it releases the fault, read by the main thread when the exception
    // comes: for lack of memory such a process is killed (signal 9), as without mm, not
    // faulted; beyond the end of a mapped file the fault is SIGBUS, not SIGSEGV.
    static constexpr uint32_t kRefusalRing = 4;
    struct Refusal {
        axo_thread_id_t thread;
        uint32_t reason; // mm::Refusal
    };
    volatile Refusal refusals[kRefusalRing] = {};
    uint32_t refusals_next = 0;
};

// Why mm refused `thread`'s page fault, if the reflector noted it (kRefusedNoMemory,
// kRefusedBeyondEnd; and forgets it), else mm::kRefusedNone.
uint32_t take_refusal(Proc& proc, axo_thread_id_t thread);

// At boot, before the other modules: starts the helper threads and the `mm` module, if the
// configuration has one. Logs what it did.
void start_paging(Proc& proc);

// Whether processes of config module `module` are mm clients (mm runs and it is not mm).
bool paged_by_mm(const Proc& proc, uint32_t module);

// Makes config module `module` in table slot `slot` as `thread`, an mm client (above), not yet
// started (ProcessHost::run starts it). Errors as ProcessHost::start; no_memory also when mm
// refuses (quota, tables).
ipc::Error mm_start_process(Proc& proc, uint32_t slot, uint32_t module, axo_thread_id_t thread,
                            const char* const* argv, uint32_t argc,
                            const loader::StringBlock& more);

// Makes a process of a program file (kProcExecFile, file_image.h) in table slot `slot` as
// `thread`, an mm client: the file's segments are regions of mm's object of the file (fs pages
// it), the stack and the start block (argv and envp of `strings` alone) as for a module. Not
// yet started (ProcessHost::run starts it). Errors: unsupported (no mm), invalid_argument (the
// arguments do not fit), no_memory (the kernel or mm refused: the object is gone, quota, tables).
ipc::Error mm_start_file(Proc& proc, uint32_t slot, const FileImage& image, axo_thread_id_t thread,
                         const loader::StringBlock& strings);

// Starts the `mm` module (module == Paging::mm_module) in `slot`: paged by proc's image pager,
// proc's main thread its exception handler, a σ0 client.
ipc::Error start_mm_module(Proc& proc, uint32_t slot, uint32_t module, axo_thread_id_t thread,
                           const char* const* argv, uint32_t argc);

// kProcFork's work (protocol.h): `thread`, in slot `slot`, becomes an mm client that is a
// copy-on-write duplicate (kMmDuplicate) of the process in `parent_slot`, to start at ip, sp
// (ProcessHost::run starts it).
ipc::Error mm_fork_process(Proc& proc, uint32_t slot, uint32_t parent_slot, axo_thread_id_t thread,
                           uint32_t ip, uint32_t sp);

// A module was restarted (on-exit=restart): the objects its old instance's first thread was the
// pager of are its new first thread's from now on (mm's kMmPagerRebind), so clients of a
// restarted pager fault on into the new instance. Logs how many; nothing without mm.
void mm_rebind_restarted(Proc& proc, axo_thread_id_t old_thread, axo_thread_id_t new_thread);

// mm's count of the memory of its client `thread` (kProcInfo): pages committed and anonymous
// pages resident. False without mm, or when mm does not know the thread.
bool mm_memory_of(const Proc& proc, axo_thread_id_t thread, uint32_t& committed,
                  uint32_t& resident);

// The process whose thread was `thread` is gone (its threads deleted): mm forgets it.
void mm_release_process(Proc& proc, axo_thread_id_t thread);

} // namespace proc
