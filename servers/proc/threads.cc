// Threads of processes: kProcThreadCreate and their end (threads.h, protocol.h).
#include "servers/proc/threads.h"

#include "rt/rt.h"

#include "interfaces/mm/protocol.h"
#include "lib/ipc/kernel.h"
#include "servers/proc/server.h"

namespace proc {

namespace {

constexpr uint32_t kMmCallTimeoutUs = 2000000;

bool user_address(uint32_t address) {
    return address != 0 && address < mm::kUserLimit;
}

void delete_thread(axo_thread_id_t thread) {
    (void)axo_thread_control(thread, AXO_NIL_THREAD, AXO_NIL_THREAD, AXO_NIL_THREAD, 0,
                             AXO_NIL_THREAD);
}

} // namespace

ipc::Error create_thread(Proc& proc, axo_thread_id_t from, const ThreadCreateRequest& request,
                         ThreadCreateReply& reply) {
    ProcessTable& table = proc.processes.table();
    ProcessEntry* entry = table.find_running(from);
    if (entry == nullptr) return ipc::Error::not_found;
    if (!user_address(request.ip) || !user_address(request.sp)) return ipc::Error::invalid_argument;
    uint32_t slot = table.slot_of(*entry), k = 0;
    while (k < kExtraThreads && entry->extra[k] != AXO_NIL_THREAD)
        ++k;
    if (k == kExtraThreads) return ipc::Error::no_space;
    axo_thread_id_t thread = table.new_thread();
    if (thread == AXO_NIL_THREAD) return ipc::Error::no_space;

    bool mm = paged_by_mm(proc, entry->module);
    axo_thread_id_t pager = mm                                       ? proc.paging.mm
                            : entry->module == proc.paging.mm_module ? proc.paging.pager
                                                                     : rt_my_id();
    // The UTCBs follow the first thread's (lib/loader: kUtcb), eight to a page: 32 take the
    // four pages below the initial UTCB page (AXO_INITIAL_UTCB_ADDRESS).
    // The same distance below the end in a process laid out for a small slot (lib/loader).
    uint32_t utcb = proc.loaded[slot].utcb() + (k + 1) * AXO_UTCB_SIZE;
    static_assert(loader::Process::kUtcb + (kExtraThreads + 1) * AXO_UTCB_SIZE <=
                  AXO_INITIAL_UTCB_ADDRESS);
    uint32_t error = axo_thread_control(thread, entry->thread, rt_my_id(), pager, utcb, rt_my_id());
    if (error != AXO_OK) {
        table.release_thread(thread);
        return ipc::Error::no_memory;
    }
    if (mm) {
        ipc::Empty empty;
        ipc::Error attached =
            ipc::call(proc.paging.mm,
                      mm::AttachRequest{thread, entry->thread, AXO_NIL_THREAD, mm::kNoQuota, 0},
                      empty, axo_timeout_us(kMmCallTimeoutUs));
        if (attached != ipc::Error::ok) {
            delete_thread(thread);
            table.release_thread(thread);
            return ipc::Error::no_memory;
        }
    }
    axo_exreg_t regs = {};
    regs.control = AXO_EXREG_SET_IP | AXO_EXREG_SET_SP;
    regs.ip = request.ip;
    regs.sp = request.sp;
    // Recorded first: from here on it is the process's, and ends with it.
    entry->extra[k] = thread;
    if (axo_exchange_registers(thread, &regs) != AXO_OK) {
        // The kernel refused the start: the thread stays (attached to mm, which has no detach
        // for one thread) and never runs; it goes with the process.
        return ipc::Error::invalid_argument;
    }
    reply.thread = thread;
    return ipc::Error::ok;
}

void delete_extra_threads(Proc& proc, uint32_t slot) {
    ProcessEntry& entry = proc.processes.table().at(slot);
    for (axo_thread_id_t& thread : entry.extra) {
        if (thread == AXO_NIL_THREAD) continue;
        delete_thread(thread);
        (void)proc.names.thread_died(thread);
        proc.processes.table().release_thread(thread);
        thread = AXO_NIL_THREAD;
    }
}

uint32_t extra_threads_alive(const Proc& proc) {
    uint32_t count = 0;
    for (uint32_t slot = 0; slot < ProcessTable::kSlots; ++slot) {
        const ProcessEntry& entry = proc.processes.table().at(slot);
        if (entry.state != ProcessState::running) continue;
        for (axo_thread_id_t thread : entry.extra)
            count += thread != AXO_NIL_THREAD ? 1 : 0;
    }
    return count;
}

} // namespace proc
