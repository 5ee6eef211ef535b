#include "loader.h"

#include "interfaces/sigma0/client.h"
#include "lib/ipc/map_item.h"
#include "rt/rt.h"

namespace loader {

namespace {

constexpr uint32_t kPage = kPageSize;
constexpr uint32_t kPageBits = 12;

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
        if (sigma0::client::allocate_any(kPageBits, axo_fpage(address, kPageBits, AXO_FPAGE_RWX),
                                         physical) != ipc::Error::ok)
            return 0;
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
        if (sigma0::client::map_physical(
                axo_fpage(page, kPageBits, AXO_FPAGE_R),
                axo_fpage(window + (page - first), kPageBits, AXO_FPAGE_R)) != ipc::Error::ok)
            return nullptr;
    }
    *size = length;
    return reinterpret_cast<const uint8_t*>(window + (start - first));
}

ipc::Error prepare(Process& process, const uint8_t* image, uint32_t size, const char* const* argv,
                   uint32_t argc, const char** why, const StringBlock& more, uint32_t end) {
    uint8_t* storage = process.start.storage();
    uint32_t capacity = process.start.capacity();
    process = Process{};
    process.start.set_storage(storage, capacity);
    process.end = end;
    if (!axo::elf::parse(image, size, process.stack().low, process.elf, why).ok())
        return ipc::Error::unsupported;
    if (!process.start.build(argv, argc, process.stack_top(), more)) {
        if (why != nullptr) *why = "the arguments do not fit the start block";
        return ipc::Error::invalid_argument;
    }
    process.image = image;
    process.image_size = size;
    return ipc::Error::ok;
}

ipc::Error create_thread(Process& process, axo_thread_id_t id, axo_thread_id_t pager,
                         axo_thread_id_t exception_handler, const char** why) {
    uint32_t error =
        axo_thread_control(id, id, rt_my_id(), pager, process.utcb(), exception_handler);
    if (error != AXO_OK) {
        if (why != nullptr) *why = "thread_control refused the new thread";
        return error == AXO_ERR_NO_MEMORY ? ipc::Error::no_memory : ipc::Error::invalid_argument;
    }
    process.thread = id;
    return ipc::Error::ok;
}

ipc::Error start(Process& process, const char** why) {
    axo_exreg_t regs = {AXO_EXREG_SET_IP | AXO_EXREG_SET_SP, process.start.stack_pointer(),
                        process.elf.entry, 0, AXO_NIL_THREAD};
    if (axo_exchange_registers(process.thread, &regs) != AXO_OK) {
        // Half a process is none: the space goes with its only thread.
        (void)axo_thread_control(process.thread, AXO_NIL_THREAD, AXO_NIL_THREAD, AXO_NIL_THREAD, 0,
                                 AXO_NIL_THREAD);
        process.thread = AXO_NIL_THREAD;
        if (why != nullptr) *why = "exchange_registers refused the new thread's entry";
        return ipc::Error::invalid_argument;
    }
    return ipc::Error::ok;
}

ipc::Error spawn(Process& process, const uint8_t* image, uint32_t size, axo_thread_id_t id,
                 axo_thread_id_t pager, const char* const* argv, uint32_t argc, const char** why,
                 axo_thread_id_t exception_handler) {
    if (ipc::Error error = prepare(process, image, size, argv, argc, why); error != ipc::Error::ok)
        return error;
    axo_thread_id_t handler = exception_handler == AXO_NIL_THREAD ? pager : exception_handler;
    if (ipc::Error error = create_thread(process, id, pager, handler, why); error != ipc::Error::ok)
        return error;
    return start(process, why);
}

Fault handle_fault(Process& process, PagePool& pool, uint32_t address, bool write) {
    uint32_t page = page_of(address);
    PagePlan plan = plan_page(process.elf, process.stack(), page);
    if (!plan.known || (write && !plan.writable)) return Fault::violation;

    // A fault on a page already given (two threads faulted on it at once, or the kernel
    // repeats a fault): the same page again. A fresh copy would replace the mapping and lose
    // what the process wrote there, and cost a second pool page.
    const Process::Given* given = nullptr;
    for (uint32_t i = 0; i < process.given_count && given == nullptr; ++i)
        if (process.given[i].child_page == page) given = &process.given[i];
    if (given == nullptr) {
        if (process.given_count == Process::kMaxPages) return Fault::no_memory;
        uint32_t pool_page = pool.allocate();
        if (pool_page == 0) return Fault::no_memory;
        fill_page(process.elf, process.image, process.start, page,
                  reinterpret_cast<uint8_t*>(pool_page));
        process.given[process.given_count] = Process::Given{page, pool_page, plan.writable};
        given = &process.given[process.given_count++];
    }

    ipc::Message message(axo_my_utcb()->mr);
    ipc::put_fault_reply(message, page,
                         axo_fpage(given->pool_page, kPageBits,
                                   given->writable ? AXO_FPAGE_RWX : AXO_FPAGE_R | AXO_FPAGE_X));
    return Fault::mapped;
}

void release(Process& process, PagePool& pool) {
    for (uint32_t i = 0; i < process.given_count; ++i)
        pool.free(process.given[i].pool_page);
    process.given_count = 0;
    process.thread = AXO_NIL_THREAD;
}

} // namespace loader
