#include "servers/memory/mm/server.h"
#include "servers/memory/mm/routes.h"

#include "axolotl/syscalls.h"
#include "interfaces/sigma0/protocol.h"
#include "lib/ipc/kernel.h"
#include "lib/ipc/map_item.h"
#include "rt/rt.h"

namespace mm {

namespace {

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

// mm's receive window: the landing range, where pagers' answers land (protocol.h).
constexpr axo_fpage_t kWindow = axo_fpage(kLandingArea, 29, AXO_FPAGE_RWX);
static_assert(kLandingAreaSize == 1u << 29);

// Where the map item at mr[first], mr[first + 1] put pages in mm's space (the kernel's rule,
// axolotl/abi.h): [at, at + size); false if it can have put none.
bool landed_range(const axo_utcb_t* utcb, uint32_t first, uint32_t& at, uint32_t& size) {
    uint32_t word0 = utcb->mr[first];
    axo_fpage_t fpage = utcb->mr[first + 1];
    uint32_t type = word0 & AXO_ITEM_TYPE_MASK;
    if ((type != AXO_ITEM_MAP && type != AXO_ITEM_GRANT) || fpage == AXO_FPAGE_NIL ||
        axo_fpage_is_io(fpage))
        return false;
    uint32_t log2 = axo_fpage_log2(fpage);
    if (log2 < kPageBits) return false;
    uint32_t hotspot = word0 & ~0x3FFu;
    uint64_t window = uint64_t{1} << 29;
    if (log2 >= 29) {
        at = kLandingArea;
        size = static_cast<uint32_t>(window);
        return true;
    }
    uint64_t send = uint64_t{1} << log2;
    at = kLandingArea + static_cast<uint32_t>((hotspot % window) & ~(send - 1));
    size = static_cast<uint32_t>(send);
    return true;
}

// mm keeps no page nobody asked for: flushed from its own space (and whatever it mapped on).
void drop_landed(uint32_t at, uint32_t size) {
    axo_utcb_t* utcb = axo_my_utcb();
    uint32_t log2 = kPageBits;
    while ((1u << log2) < size)
        ++log2;
    utcb->mr[0] = axo_fpage(at, log2, AXO_FPAGE_RWX);
    (void)axo_unmap(AXO_UNMAP_FLUSH_OWN);
}

} // namespace

Server::Server() : m_dispatcher(m_manager, kRoutes) {}

void Server::init() {
    m_frames.init(kFrameArea, reinterpret_cast<uint8_t*>(kFrameArea), kFrameAreaFrames,
                  FrameSource{&grow_from_sigma0, nullptr});
    m_manager.init(&m_frames, Flusher{&flush, &sync, nullptr}, rt_kip()->root_task, kLandingArea,
                   kLandingAreaSize);
}

bool Server::handle(axo_thread_id_t from) {
    axo_utcb_t* utcb = axo_my_utcb();
    axo_msg_tag_t tag = utcb->mr[0];
    if (ipc::PageFault fault; ipc::get_page_fault(ipc::Message(utcb->mr), fault)) {
        FaultAnswer answer = m_manager.fault(from, fault.address, fault.ip, fault.access);
        if (answer.kind == FaultAnswer::ignore)
            rt_printf("mm: page fault of %u.%u at %08x (ip %08x): not a client, left blocked\n",
                      axo_thread_number(from), axo_thread_version(from), fault.address, fault.ip);
        return answer_fault(answer);
    }
    uint32_t untyped = axo_tag_untyped(tag), typed = axo_tag_typed(tag);
    if (axo_tag_label(tag) == kMmPagerWait && untyped == 2 && (typed == 0 || typed == 2)) {
        PagerWaitRequest request{utcb->mr[1], utcb->mr[2]};
        uint32_t at = 0, size = 0;
        bool landed = typed == 2 && landed_range(utcb, 3, at, size);
        ExternalFault reply{};
        bool kept = false;
        ipc::Error error =
            m_manager.on_pager_wait(from, request, landed && size == kPageSize ? at : 0,
                                    reinterpret_cast<const void*>(at), reply, kept);
        if (landed && !kept) drop_landed(at, size);
        if (error == ipc::kNoReply) return false;
        ipc::Message message(utcb->mr);
        if (error != ipc::Error::ok) {
            ipc::put_error(message, error);
            return true;
        }
        ipc::put_reply(message, reply);
        return true;
    }
    // Map items nobody asked for (the window is open for pagers' answers): gone at once.
    uint32_t ranges[2 * (AXO_UNMAP_COUNT_MASK + 1)] = {};
    uint32_t dropped = 0;
    for (uint32_t i = 0; i + 1 < typed && dropped + 2 <= 2 * (AXO_UNMAP_COUNT_MASK + 1); i += 2) {
        if (landed_range(utcb, 1 + untyped + i, ranges[dropped], ranges[dropped + 1])) dropped += 2;
    }
    for (uint32_t i = 0; i < dropped; i += 2)
        drop_landed(ranges[i], ranges[i + 1]); // uses MR0: the message's tag is put back below
    if (dropped != 0) utcb->mr[0] = tag;
    ipc::Message message(utcb->mr);
    return m_dispatcher.dispatch(from, message) == ipc::Outcome::reply;
}

bool Server::answer_fault(const FaultAnswer& answer) {
    axo_utcb_t* utcb = axo_my_utcb();
    switch (answer.kind) {
    case FaultAnswer::map: {
        ipc::Message message(utcb->mr);
        ipc::put_fault_reply(message, answer.page,
                             axo_fpage(answer.source, kPageBits, answer.rights));
        return true;
    }
    case FaultAnswer::empty:
        utcb->mr[0] = axo_msg_tag(0, 0, 0);
        return true;
    case FaultAnswer::forward: // the pager's answer comes later, through the outbox
    case FaultAnswer::refuse:
    case FaultAnswer::ignore:
        break;
    }
    return false;
}

// Puts deferred work's message into the UTCB; false if there is none to send.
bool Server::prepare(const Deferred& work) {
    ipc::Message message(axo_my_utcb()->mr);
    switch (work.kind) {
    case Deferred::notify:
        ipc::put(message, kMmFaultNotice, work.notice);
        return true;
    case Deferred::wake:
        ipc::put_reply(message, work.notice);
        return true;
    case Deferred::pager:
        ipc::put_reply(message, work.external);
        return true;
    case Deferred::answer:
        return answer_fault(work.fault);
    }
    return false;
}

// The receiver was not waiting any more (it gave up its call): what that means for the work.
void Server::undelivered(const Deferred& work) {
    // A handler's or pager's next wait gets what this one missed; a notice stays on record
    // (kMmFaultState); a thread in a page fault always waits.
    if (work.kind == Deferred::wake) m_manager.unreport(work.notice.thread);
    if (work.kind == Deferred::pager) m_manager.unoffer(work.external.token);
}

// Sends all deferred work but the last, which it leaves in `last` (true if there is one): the
// run loop sends that one with its next receive, so that the kernel hands the processor
// straight to its receiver (a pager with a fault to serve, a client with its page) instead of
// to whoever is next in the ready queue. Every receiver waits in a call or a page fault, so a
// zero timeout reaches it.
bool Server::drain_outbox(Deferred& last) {
    bool have = false;
    Deferred work;
    while (m_manager.take_deferred(work)) {
        if (have && prepare(last) && axo_tag_failed(axo_ipc_send(last.to, AXO_TIMEOUT_ZERO)))
            undelivered(last);
        last = work;
        have = true;
    }
    return have;
}

// How long mm may wait for the next message: until the next outstanding fault times out.
axo_timeout_t Server::receive_timeout() {
    uint64_t deadline = m_manager.next_deadline();
    if (deadline == 0) return AXO_TIMEOUT_NEVER;
    uint64_t now = rt_clock_us();
    if (deadline <= now) return AXO_TIMEOUT_ZERO;
    uint64_t wait = deadline - now;
    return axo_timeout_us(static_cast<uint32_t>(wait < 0x7FFFFFFF ? wait : 0x7FFFFFFF));
}

void Server::run() {
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->br[0] = kWindow;
    axo_thread_id_t from = axo_ipc_receive(AXO_ANY_THREAD, receive_timeout());
    Deferred last;
    for (;;) {
        m_manager.set_clock(rt_clock_us());
        bool reply = false;
        if (axo_tag_failed(utcb->mr[0])) {
            // A timeout (an outstanding fault's time is up), a reply the client did not wait
            // for, or a cancelled receive: serve on.
            m_manager.expire();
        } else {
            reply = handle(from);
            m_manager.expire();
            if (reply && !m_manager.has_deferred()) {
                from = axo_ipc_reply_wait(from, receive_timeout());
                continue;
            }
            // The sender first: it asked, the outbox's threads were merely waiting.
            if (reply) axo_ipc_send(from, AXO_TIMEOUT_ZERO);
        }
        if (drain_outbox(last) && prepare(last)) {
            from = axo_ipc_reply_wait(last.to, receive_timeout());
            uint32_t error = utcb->error;
            if (axo_tag_failed(utcb->mr[0]) && !axo_ipc_error_in_receive(error)) {
                undelivered(last);
                from = axo_ipc_receive(AXO_ANY_THREAD, receive_timeout());
            }
            continue;
        }
        from = axo_ipc_receive(AXO_ANY_THREAD, receive_timeout());
    }
}

} // namespace mm
