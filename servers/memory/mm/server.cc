#include "servers/memory/mm/server.h"

#include "axolotl/syscalls.h"
#include "lib/ipc/kernel.h"
#include "rt/rt.h"
#include "interfaces/sigma0/protocol.h"

namespace mm {

namespace {

// Replies of an external pager carry an ipc::Error label (at most the transport codes); mm's
// requests and the kernel's labels are all above this.
constexpr uint32_t kAnswerLabelLimit = 0x100;
// How many of the pager's own faults and requests mm serves while it waits for one answer.
constexpr uint32_t kMaxForwardSteps = 64;
// σ0 hands out 64 KiB at a time when it can: one IPC for sixteen frames.
constexpr uint32_t kSigma0BlockBits = 16;

// ---- Frames from σ0 ----------------------------------------------------------------------------

bool sigma0_allocate(uint32_t at, uint32_t log2) {
    axo_utcb_t* utcb = axo_my_utcb();
    uint32_t saved = utcb->br[0];
    utcb->br[0] = axo_fpage(at, log2, AXO_FPAGE_RWX);
    utcb->mr[0] = axo_msg_tag(sigma0::kSigma0AllocateAny, 1, 0);
    utcb->mr[1] = log2;
    axo_msg_tag_t tag =
        axo_ipc_call(rt_kip()->sigma0, axo_timeouts(AXO_TIMEOUT_NEVER, AXO_TIMEOUT_NEVER));
    utcb->br[0] = saved;
    return !axo_tag_failed(tag) && axo_tag_label(tag) == sigma0::kSigma0Ok &&
           axo_tag_typed(tag) == 2;
}

bool grow_from_sigma0(void*, uint32_t at, uint32_t* first, uint32_t* count) {
    const uint32_t sizes[] = {kSigma0BlockBits, kPageBits};
    for (uint32_t log2 : sizes) {
        uint32_t size = 1u << log2;
        uint32_t base = (at + size - 1) & ~(size - 1);
        if (base + size > kFrameArea + kFrameAreaFrames * kPageSize) continue;
        if (sigma0_allocate(base, log2)) {
            *first = base;
            *count = size / kPageSize;
            return true;
        }
    }
    return false;
}

// ---- Flushes: unmap, 64 fpages per call
// ------------------------------------------------------------

struct UnmapBatch {
    uint32_t fpages[AXO_UNMAP_COUNT_MASK + 1];
    uint32_t count;
};
// [0]: others' mappings only; [1]: mm's own too (AXO_UNMAP_FLUSH_OWN).
UnmapBatch g_batches[2];

void run_batch(bool own) {
    UnmapBatch& batch = g_batches[own];
    if (batch.count == 0) return;
    axo_utcb_t* utcb = axo_my_utcb();
    for (uint32_t i = 0; i < batch.count; ++i)
        utcb->mr[i] = batch.fpages[i];
    uint32_t error = axo_unmap((batch.count - 1) | (own ? AXO_UNMAP_FLUSH_OWN : 0));
    if (error != AXO_OK)
        rt_printf("mm: unmap of %u fpage(s) failed: error %u\n", batch.count, error);
    batch.count = 0;
}

void flush(void*, uint32_t fpage, bool own) {
    UnmapBatch& batch = g_batches[own];
    if (batch.count == AXO_UNMAP_COUNT_MASK + 1) run_batch(own);
    batch.fpages[batch.count++] = fpage;
}

void sync(void*) {
    run_batch(false);
    run_batch(true);
}

// ---- Routes
// -------------------------------------------------------------------------------------------

constexpr ipc::Route<MemoryManager> kRoutes[] = {
    ipc::route<&MemoryManager::on_attach>(),        ipc::route<&MemoryManager::on_detach>(),
    ipc::route<&MemoryManager::on_region_create>(), ipc::route<&MemoryManager::on_sbrk>(),
    ipc::route<&MemoryManager::on_protect>(),       ipc::route<&MemoryManager::on_unmap>(),
    ipc::route<&MemoryManager::on_duplicate>(),     ipc::route<&MemoryManager::on_quota_set>(),
    ipc::route<&MemoryManager::on_statistics>(),    ipc::route<&MemoryManager::on_fault_state>(),
    ipc::route<&MemoryManager::on_fault_retry>(), ipc::route<&MemoryManager::on_fault_wait>(),
};
static_assert(ipc::labels_unique(kRoutes));

bool is_page_fault(axo_msg_tag_t tag) {
    return (axo_tag_label(tag) & ~AXO_FPAGE_RWX) == AXO_LABEL_PAGE_FAULT &&
           axo_tag_untyped(tag) == 2 && axo_tag_typed(tag) == 0;
}

void set_map_reply(axo_utcb_t* utcb, uint32_t page, uint32_t source, uint32_t rights) {
    utcb->mr[0] = axo_msg_tag(0, 0, 2);
    utcb->mr[1] = axo_map_item_word0(page, 0);
    utcb->mr[2] = axo_fpage(source, kPageBits, rights);
}

} // namespace

Server::Server() : m_dispatcher(m_manager, kRoutes) {}

void Server::init() {
    m_frames.init(kFrameArea, reinterpret_cast<uint8_t*>(kFrameArea), kFrameAreaFrames,
                  FrameSource{&grow_from_sigma0, nullptr});
    m_manager.init(&m_frames, Flusher{&flush, &sync, nullptr}, rt_kip()->root_task, kLandingArea,
                   kLandingAreaSize);
}

bool Server::handle(axo_thread_id_t from, bool forwarding) {
    axo_utcb_t* utcb = axo_my_utcb();
    if (is_page_fault(utcb->mr[0])) {
        uint32_t access = axo_tag_label(utcb->mr[0]) & AXO_FPAGE_RWX;
        FaultAnswer answer = m_manager.fault(from, utcb->mr[1], utcb->mr[2], access, forwarding);
        if (answer.kind == FaultAnswer::ignore)
            rt_printf("mm: page fault of %u.%u at %08x (ip %08x): not a client, left blocked\n",
                      axo_thread_number(from), axo_thread_version(from), utcb->mr[1], utcb->mr[2]);
        return answer_fault(from, answer);
    }
    ipc::Message message(utcb->mr);
    return m_dispatcher.dispatch(from, message) == ipc::Outcome::reply;
}

bool Server::answer_fault(axo_thread_id_t thread, const FaultAnswer& answer) {
    axo_utcb_t* utcb = axo_my_utcb();
    switch (answer.kind) {
    case FaultAnswer::map:
        set_map_reply(utcb, answer.page, answer.source, answer.rights);
        return true;
    case FaultAnswer::empty:
        utcb->mr[0] = axo_msg_tag(0, 0, 0);
        return true;
    case FaultAnswer::forward:
        if (forward(thread, answer)) {
            uint32_t source = answer.source;
            if (answer.copy) {
                source = m_manager.complete_copy(thread, answer,
                                                 reinterpret_cast<const void*>(answer.source));
                if (source == 0) {
                    m_manager.external_failed(thread, answer, kRefusedNoMemory);
                    return false;
                }
            }
            set_map_reply(utcb, answer.page, source, answer.rights);
            return true;
        }
        m_manager.external_failed(thread, answer);
        return false;
    case FaultAnswer::refuse:
    case FaultAnswer::ignore:
        break;
    }
    return false;
}

// One kMmExternalFault call; the page lands at answer.source. Until the answer comes, the
// pager may fault on its own memory or make requests (it is an mm client, perhaps): those are
// served here, since the pager cannot answer before they are — mm's closed receive from the
// pager gets them, and nobody else is served meanwhile.
bool Server::forward(axo_thread_id_t client, const FaultAnswer& answer) {
    axo_utcb_t* utcb = axo_my_utcb();
    uint32_t saved_window = utcb->br[0];
    utcb->br[0] = axo_fpage(answer.source, kPageBits, AXO_FPAGE_RWX);
    ipc::Message message(utcb->mr);
    ipc::put(message, kMmExternalFault,
             ExternalFaultRequest{answer.cookie, answer.offset, answer.access, client});
    axo_timeout_t timeout = axo_timeout_us(kExternalTimeoutUs);
    axo_ipc(answer.pager, answer.pager, axo_timeouts(timeout, timeout));
    bool delivered = false;
    for (uint32_t step = 0; step < kMaxForwardSteps; ++step) {
        if (message.failed()) break;
        if (message.label() < kAnswerLabelLimit) {
            delivered = message.label() == 0 && message.untyped() == 0 && message.typed() == 2;
            break;
        }
        if (!handle(answer.pager, true)) break; // the pager itself is stuck now
        axo_ipc(answer.pager, answer.pager, axo_timeouts(AXO_TIMEOUT_ZERO, timeout));
    }
    utcb->br[0] = saved_window;
    return delivered;
}

void Server::drain_outbox() {
    axo_utcb_t* utcb = axo_my_utcb();
    Deferred work;
    while (m_manager.take_deferred(work)) {
        if (work.kind == Deferred::notify) {
            ipc::Message message(utcb->mr);
            ipc::put(message, kMmFaultNotice, work.notice);
            // Never wait for a handler: the fault stays on record (kMmFaultState).
            axo_ipc_send(work.to, AXO_TIMEOUT_ZERO);
            continue;
        }
        if (work.kind == Deferred::wake) {
            // The handler waits in its kMmFaultWait call; if it gave up, the next wait gets it.
            if (!ipc::send_reply(work.to, work.notice)) m_manager.unreport(work.notice.thread);
            continue;
        }
        // The thread waits in its page-fault IPC, so a zero timeout reaches it.
        if (answer_fault(work.to, work.fault)) axo_ipc_send(work.to, AXO_TIMEOUT_ZERO);
    }
}

void Server::run() {
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->br[0] = AXO_FPAGE_NIL; // clients send mm no memory
    axo_thread_id_t from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
    for (;;) {
        if (axo_tag_failed(utcb->mr[0])) {
            // A reply the client did not wait for, or a cancelled receive: serve on.
            from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
            continue;
        }
        bool reply = handle(from, false);
        if (reply && !m_manager.has_deferred()) {
            from = axo_ipc_reply_wait(from, AXO_TIMEOUT_NEVER);
            continue;
        }
        // The sender first: it asked, the outbox's threads were merely waiting.
        if (reply) axo_ipc_send(from, AXO_TIMEOUT_ZERO);
        drain_outbox();
        from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
    }
}

} // namespace mm
