#include "loader.h"

#include "rt/rt.h"
#include "servers/memory/sigma0/protocol.h"

namespace loader {

namespace {

constexpr uint32_t kPage = 4096;
constexpr uint32_t kPageBits = 12;

uint32_t page_of(uint32_t address) { return address & ~(kPage - 1); }

// One call to σ0 with a receive window; returns the reply's status.
uint32_t sigma0_call(uint32_t label, uint32_t argument, axo_fpage_t window, uint32_t* physical) {
    axo_utcb_t* utcb = axo_my_utcb();
    uint32_t saved_window = utcb->br[0];
    utcb->br[0] = window;
    utcb->mr[0] = axo_msg_tag(label, 1, 0);
    utcb->mr[1] = argument;
    axo_msg_tag_t tag = axo_ipc_call(rt_kip()->sigma0, 0);
    utcb->br[0] = saved_window;
    if (axo_tag_failed(tag)) return sigma0::kSigma0ErrorNoPermission;
    if (physical && axo_tag_untyped(tag) >= 1) *physical = utcb->mr[1];
    return axo_tag_label(tag);
}

} // namespace

void PagePool::init(uint32_t window_base, uint32_t window_pages) {
    m_base = window_base;
    m_pages = window_pages < kMaxPages ? window_pages : kMaxPages;
}

void PagePool::set(uint32_t* bits, uint32_t i, bool on) {
    if (on)
        bits[i / 32] |= 1u << (i % 32);
    else
        bits[i / 32] &= ~(1u << (i % 32));
}

uint32_t PagePool::allocate() {
    uint32_t slot = m_pages;
    for (uint32_t i = 0; i < m_pages; ++i) {
        if (test(m_owned_bits, i) && !test(m_used_bits, i)) {
            slot = i;
            break;
        }
    }
    if (slot == m_pages) {
        // Nothing free that we own: ask σ0 for one more page into the first unowned slot.
        for (uint32_t i = 0; i < m_pages && slot == m_pages; ++i) {
            if (!test(m_owned_bits, i)) slot = i;
        }
        if (slot == m_pages) return 0;
        uint32_t address = m_base + slot * kPage;
        uint32_t physical = 0;
        if (sigma0_call(sigma0::kSigma0AllocateAny, kPageBits,
                        axo_fpage(address, kPageBits, AXO_FPAGE_RWX), &physical) != sigma0::kSigma0Ok) {
            return 0;
        }
        m_physical[slot] = physical;
        set(m_owned_bits, slot, true);
        ++m_owned;
    }
    set(m_used_bits, slot, true);
    ++m_in_use;
    uint32_t address = m_base + slot * kPage;
    memset(reinterpret_cast<void*>(address), 0, kPage);
    return address;
}

void PagePool::free(uint32_t page) {
    if (page < m_base) return;
    uint32_t slot = (page - m_base) / kPage;
    if (slot >= m_pages || !test(m_used_bits, slot)) return;
    set(m_used_bits, slot, false);
    --m_in_use;
}

uint32_t PagePool::physical(uint32_t page) const {
    uint32_t slot = (page - m_base) / kPage;
    return slot < m_pages ? m_physical[slot] : 0;
}

const uint8_t* map_boot_module(uint32_t index, uint32_t window, uint32_t* size) {
    const axo_kip_t* kip = rt_kip();
    if (index >= kip->module_count) return nullptr;
    uint32_t start = kip->modules[index].start, length = kip->modules[index].size;
    uint32_t first = page_of(start), end = start + length;
    // One page at a time: modules need not be aligned to their size.
    for (uint32_t page = first; page < end; page += kPage) {
        uint32_t status = sigma0_call(sigma0::kSigma0MapPhysical, axo_fpage(page, kPageBits, AXO_FPAGE_R),
                                      axo_fpage(window + (page - first), kPageBits, AXO_FPAGE_R), nullptr);
        if (status != sigma0::kSigma0Ok) return nullptr;
    }
    *size = length;
    return reinterpret_cast<const uint8_t*>(window + (start - first));
}

int spawn(Process& process, const uint8_t* image, uint32_t size, axo_thread_id_t id,
          axo_thread_id_t pager, const char** why) {
    process = Process{};
    constexpr uint32_t kImageLimit = Process::kStackTop - Process::kStackPages * kPage;
    if (!axo::elf::parse(image, size, kImageLimit, process.elf, why).ok()) return kBadImage;
    process.thread = id;
    process.image = image;
    process.image_size = size;
    if (axo_thread_control(id, id, rt_my_id(), pager, Process::kUtcb, pager) != AXO_OK) {
        return kKernelError;
    }
    axo_exreg_t start = {AXO_EXREG_SET_IP | AXO_EXREG_SET_SP, Process::kStackTop,
                         process.elf.entry, 0, AXO_NIL_THREAD};
    if (axo_exchange_registers(id, &start) != AXO_OK) return kKernelError;
    return kOk;
}

bool handle_fault(Process& process, PagePool& pool, uint32_t address, bool write) {
    uint32_t page = page_of(address);
    bool in_stack = page < Process::kStackTop && page >= Process::kStackTop - Process::kStackPages * kPage;
    bool known = in_stack, writable = in_stack;
    for (size_t i = 0; i < process.elf.segment_count; ++i) {
        const auto& s = process.elf.segments[i];
        if (page + kPage > s.vaddr && page < s.vaddr + s.memsz) {
            known = true;
            writable |= s.writable;
        }
    }
    if (!known || (write && !writable)) return false;
    if (process.given_count == Process::kMaxPages) return false;

    uint32_t pool_page = pool.allocate();
    if (!pool_page) return false;
    // The file's bytes that fall into this page; the rest stays zero (.bss, stack).
    for (size_t i = 0; i < process.elf.segment_count; ++i) {
        const auto& s = process.elf.segments[i];
        uint32_t from = page > s.vaddr ? page : s.vaddr;
        uint32_t file_end = s.vaddr + s.filesz;
        uint32_t to = page + kPage < file_end ? page + kPage : file_end;
        if (from < to) {
            memcpy(reinterpret_cast<void*>(pool_page + (from - page)),
                   process.image + s.offset + (from - s.vaddr), to - from);
        }
    }
    process.given[process.given_count++] = Process::Given{page, pool_page};

    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[0] = axo_msg_tag(0, 0, 2);
    utcb->mr[1] = axo_map_item_word0(page, 0);
    utcb->mr[2] = axo_fpage(pool_page, kPageBits, writable ? AXO_FPAGE_RWX : AXO_FPAGE_R | AXO_FPAGE_X);
    return true;
}

void release(Process& process, PagePool& pool) {
    for (uint32_t i = 0; i < process.given_count; ++i) pool.free(process.given[i].pool_page);
    process.given_count = 0;
}

} // namespace loader
