// Address spaces. For now: a page directory whose kernel part is shared, the KIP mapped
// read-only, UTCB pages the kernel owns, and a privilege flag (the root task's space).
// Map, grant and flush between spaces come with the memory issue.
#pragma once

#include <stdint.h>

#include "axolotl/kip.h"
#include "axolotl/utcb.h"
#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

namespace axo {

class Space {
public:
    // A new space with the KIP mapped at AXO_KIP_ADDRESS.
    static Result<Space*> create(bool privileged);
    // Frees the page tables and every kernel-owned page. The space must have no threads.
    void destroy();

    PhysAddr page_directory() const { return m_page_directory; }
    bool privileged() const { return m_privileged; }
    uint32_t thread_count() const { return m_threads; }
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

private:
    PhysAddr m_page_directory;
    uint32_t m_threads = 0;
    bool m_privileged = false;
};

// The kernel interface page (one frame, mapped read-only into every space).
namespace kip {
void init();
PhysAddr frame();
axo_kip_t* get();
} // namespace kip

} // namespace axo
