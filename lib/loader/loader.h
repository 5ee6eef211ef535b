/* loader: starting programs from ELF images in new address spaces, at user level, with the
 * caller as their first pager — what the root task (proc) does for every process. Memory
 * comes from σ0 into a window of the caller's space (PagePool) and is mapped on to the
 * children on their page faults, so the mapping database records σ0 → caller → child and a
 * flush by the caller revokes everything it gave.
 *
 * Freestanding C++ over kernel/uapi and lib/rt; no allocation. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "axolotl/syscalls.h"
#include "kernel/elf.h"
#include "lib/ipc/error.h"
#include "lib/loader/layout.h"

namespace loader {

// Pages from σ0 for the caller, in the window [base, base + pages * 4 KiB) of its space.
class PagePool {
public:
    static constexpr uint32_t kMaxPages = 8192; // 32 MiB

    void init(uint32_t window_base, uint32_t window_pages);
    // A zeroed page (its address in the caller's space), or 0 when σ0 has none left.
    uint32_t allocate();
    void free(uint32_t page);
    uint32_t in_use() const { return m_in_use; }
    uint32_t owned() const { return m_owned; }
    // The physical address of a page of the pool (from σ0's reply).
    uint32_t physical(uint32_t page) const;

private:
    bool test(const uint32_t* bits, uint32_t i) const { return (bits[i / 32] >> (i % 32)) & 1; }
    void set(uint32_t* bits, uint32_t i, bool on);

    uint32_t m_base = 0, m_pages = 0, m_in_use = 0, m_owned = 0;
    uint32_t m_owned_bits[kMaxPages / 32] = {};
    uint32_t m_used_bits[kMaxPages / 32] = {};
    uint32_t m_physical[kMaxPages] = {};
};

// Maps boot module `index` (from the KIP) read-only into the caller's space at `window`
// (which must have room for it, 4 KiB aligned). Returns its address and size, or nullptr.
const uint8_t* map_boot_module(uint32_t index, uint32_t window, uint32_t* size);

// A process being started or running: its image and what it was given.
struct Process {
    static constexpr uint32_t kMaxPages = 512; // 2 MiB: a process that wants more is killed
    // The top of a space is laid out relative to its end: 3 GiB for a large space, the slot's
    // size for one that proc makes small (docs/kernel-api.md §14), whose KIP takes the last
    // page. The stack ends 64 KiB below the end, the UTCBs start 32 KiB below it.
    static constexpr uint32_t kLargeEnd = 0xC0000000u;
    static constexpr uint32_t kStackTopBelowEnd = 0x10000u;
    static constexpr uint32_t kUtcbBelowEnd = 0x8000u;
    // A server in a small space: 8 blocks of 4 MiB. Its image (linked at 4 MiB, lib/user.ld),
    // its device area (lib/driver/driver.h) and its 8 MiB stack region fit; 16 such servers
    // fill the 512 MiB small-space area.
    static constexpr uint32_t kSmallBlocks = 8;
    static constexpr uint32_t kSmallEnd = kSmallBlocks * 0x400000u;
    static constexpr uint32_t kStackTop = kLargeEnd - kStackTopBelowEnd;
    // Room for the largest start block (interfaces/process/protocol.h: 128 KiB of strings and
    // their pointers) and the stack below it.
    static constexpr uint32_t kStackPages = 64;
    static constexpr uint32_t kUtcb = kLargeEnd - kUtcbBelowEnd;
    static constexpr StackArea kStack{kStackTop - kStackPages * kPageSize, kStackTop};

    // This process's end: kLargeEnd, or kSmallEnd for one laid out to fit a small slot.
    uint32_t end = kLargeEnd;
    uint32_t stack_top() const { return end - kStackTopBelowEnd; }
    uint32_t utcb() const { return end - kUtcbBelowEnd; }
    StackArea stack() const { return {stack_top() - kStackPages * kPageSize, stack_top()}; }

    axo_thread_id_t thread = AXO_NIL_THREAD;
    const uint8_t* image = nullptr;
    uint32_t image_size = 0;
    axo::elf::Image elf{};
    StartBlock start;
    struct Given {
        uint32_t child_page, pool_page;
        bool writable;
    } given[kMaxPages];
    uint32_t given_count = 0;
};

// Errors are the one vocabulary's (lib/ipc/error.h): unsupported (the ELF image was refused:
// see `why`), invalid_argument (the arguments do not fit the start block; or the kernel refused
// the thread or its entry), no_memory (the kernel is out of memory for a thread or a space).

// Validates `image` and creates `id`, the first thread of a new space, with `pager` (a thread
// of the caller that calls handle_fault) as pager and exception handler; it starts at the
// ELF entry with its arguments `argv` (argc of them, argv[0] its name by convention) at the
// top of its stack (layout.h). Nothing is created unless everything succeeds.
// `exception_handler` nil: the pager handles exceptions too.
ipc::Error spawn(Process& process, const uint8_t* image, uint32_t size, axo_thread_id_t id,
                 axo_thread_id_t pager, const char* const* argv, uint32_t argc, const char** why,
                 axo_thread_id_t exception_handler = AXO_NIL_THREAD);

// spawn in three steps, for a caller that sets up the space in between (proc hands it to mm,
// servers/proc/paging.cc): validate the image and lay out the arguments (`argv`, then the
// arguments and environment of `more`, in the start block's storage: StartBlock::set_storage
// before, kept); create the thread (nothing started); start it at the ELF entry (deleted again
// if that fails).
// `end`: Process::kLargeEnd, or Process::kSmallEnd to lay the process out for a small slot (its
// image must then end below that layout's stack).
ipc::Error prepare(Process& process, const uint8_t* image, uint32_t size, const char* const* argv,
                   uint32_t argc, const char** why, const StringBlock& more = {},
                   uint32_t end = Process::kLargeEnd);
ipc::Error create_thread(Process& process, axo_thread_id_t id, axo_thread_id_t pager,
                         axo_thread_id_t exception_handler, const char** why);
ipc::Error start(Process& process, const char** why);

enum class Fault {
    mapped,    // a map item reply is in the caller's UTCB: send it to the faulting thread
    violation, // outside its segments and stack, or a write to a read-only page
    no_memory, // the pool is empty, or the process holds Process::kMaxPages already
};

// A page fault of `process` at `address`: gives it the page (copying from the image, or a
// zeroed one) by preparing a map item reply in the caller's UTCB. A second fault on a page it
// was given (a retried fault) gets the same page again.
Fault handle_fault(Process& process, PagePool& pool, uint32_t address, bool write);

// The process's space is gone (its last thread deleted): its pages return to the pool.
void release(Process& process, PagePool& pool);

} // namespace loader
