// mm's logic: clients and their regions, frames and copy-on-write, shared and external objects,
// quotas, and the decision what to do with a page fault. No IPC and no system calls: the
// server (server.cc) receives messages and calls in here, then carries out what comes back —
// a map item to send, a fault to forward, a flush (through the Flusher), deferred answers and
// notices (the outbox). So all of it is tested on the host (tests/unit/mm_*_test.cc).
//
// The request handlers have the lib/ipc handler shape and are routed by the server's
// dispatcher as they are; protocol.h documents what each does.
#pragma once

#include <stdint.h>

#include "interfaces/mm/protocol.h"
#include "lib/ipc/message.h"
#include "servers/memory/mm/frame_pool.h"
#include "servers/memory/mm/page_table.h"
#include "servers/memory/mm/region_list.h"

namespace mm {

// Takes rights from what mm has mapped on (unmap). `fpage` is an fpage of mm's space with the
// rights to take: AXO_FPAGE_RWX revokes, AXO_FPAGE_W makes read-only; `own`: mm's own mapping
// goes too (AXO_UNMAP_FLUSH_OWN). sync() carries out what was queued. The MemoryManager syncs
// before it frees a frame — a client must never hold a mapping of a frame mm reuses, not even
// for the moment mm is preempted — and at the end of every request.
struct Flusher {
    void (*flush)(void* context, uint32_t fpage, bool own) = nullptr;
    void (*sync)(void* context) = nullptr;
    void* context = nullptr;
};

// What to do about one page fault.
struct FaultAnswer {
    enum Kind : uint32_t {
        map,     // reply with a map item: `source` (mm's page) to `page`, with `rights`
        forward, // forwarded to the external pager (`token`): no reply now; the answer
                 // comes through the outbox when the pager's page landed at `source`
        refuse,  // no reply (recorded: kMmFaultState, and a notice is in the outbox)
        empty,   // reply with no mapping (kMmFaultRetry with release)
        ignore,  // not a client's thread: no reply, nothing recorded
    };
    Kind kind = ignore;
    uint32_t page = 0;   // the client's page: the map item's send base
    uint32_t source = 0; // mm's page
    uint32_t rights = 0;
    uint32_t reason = kRefusedNone;
    // The fault, for forward (and for external_failed).
    uint32_t address = 0, ip = 0, access = 0;
    axo_thread_id_t pager = AXO_NIL_THREAD;
    uint32_t cookie = 0, offset = 0;
    bool copy = false; // forward: a kRegionCopy page; complete_copy makes the client's copy
    // forward with copy: the region has no W, so the copy is the object's, kept once for every
    // region of the object (code shared by the processes of one image); `object`: its index,
    // `object_id` its id.
    bool keep = false;
    uint32_t object = 0, object_id = 0;
    uint32_t token = 0; // forward: the outstanding fault's token
};

// Work the server does after a request: answer a thread blocked in a fault, or notify a
// fault handler.
struct Deferred {
    // wake: the reply to a handler's kMmFaultWait (a notice as the reply's words); pager: the
    // reply to a pager's kMmPagerWait (`external`).
    enum Kind : uint32_t { answer, notify, wake, pager };
    Kind kind = answer;
    axo_thread_id_t to = AXO_NIL_THREAD;
    FaultAnswer fault; // answer
    FaultNotice notice{};
    ExternalFault external{};
};

struct Counters {
    uint32_t zero_fills = 0, cow_copies = 0, copies = 0, forwards = 0, faults = 0, refused = 0,
             ignored = 0;
    uint32_t notices_dropped = 0;
};

class MemoryManager {
public:
    // proc runs up to 320 processes of up to 32 threads each (servers/proc/process_table.h).
    static constexpr uint32_t kMaxClients = 330;
    static_assert(kMaxClients < 65536, "m_client_of holds client index + 1 in 16 bits");
    static constexpr uint32_t kThreadsPerClient = 32;
    // Frames of a client's own table listed as mapped with W since its last duplicate; beyond
    // that many a duplicate takes W from all its frames.
    static constexpr uint32_t kWritableFrames = 32;
    // proc makes one per process (its stack's top page) and one per program module.
    static constexpr uint32_t kMaxObjects = 512;
    // Every outstanding fault may be answered by one message (a pager's answer to one, the
    // expiry of all): room for all of them and a few notices.
    static constexpr uint32_t kOutboxSize = 2 * kMaxOutstandingForwards + 16;
    static constexpr uint32_t kNoClient = 0xFFFFFFFFu;
    // Where mm puts regions a client asks for without an address.
    static constexpr uint32_t kMapBase = 0x10000000u;
    static constexpr uint32_t kMapLimit = 0xB0000000u;

    // `landing_base`, `landing_size`: the range of mm's own space where external pagers'
    // pages land (each external object gets a slice of its size).
    void init(FramePool* frames, Flusher flusher, axo_thread_id_t root_task, uint32_t landing_base,
              uint32_t landing_size);

    // ---- Faults ---------------------------------------------------------------------------------
    // The time (µs, any epoch) for the decisions that follow: the server sets it before each
    // message; timeouts of outstanding faults count from it.
    void set_clock(uint64_t now) { m_now = now; }
    // A page fault of `thread` (access: AXO_FPAGE_R or AXO_FPAGE_W). A forward is recorded
    // (its token in the answer) and offered to its pager if it waits: no reply now. No room
    // for one more outstanding fault refuses it (kRefusedBusy).
    FaultAnswer fault(axo_thread_id_t thread, uint32_t address, uint32_t ip, uint32_t access);
    // The external pager did not deliver the page `answer` asked for: the fault is refused.
    void external_failed(axo_thread_id_t thread, const FaultAnswer& answer,
                         uint32_t reason = kRefusedExternal);
    // A kRegionCopy page arrived from the pager at answer.source (`landed`: its bytes; the
    // server passes answer.source itself): copies it into a frame of the client (unless it has
    // one), drops mm's mapping of the pager's page, and returns the frame's address in mm, or
    // 0 (no memory).
    uint32_t complete_copy(axo_thread_id_t thread, const FaultAnswer& answer, const void* landed);
    // A kMmFaultWait reply could not be delivered: the fault is reported to the next wait.
    void unreport(axo_thread_id_t thread);

    // ---- External pagers
    // ------------------------------------------------------------------------- kMmPagerWait
    // (protocol.h) from `from`: answers fault `request.token` (if any) — `landed` is where the
    // call's map item put a page in mm's space (0: none), `bytes` that page's contents — then
    // waits: Error::ok with `reply` (a queued fault), ipc::kNoReply (deferred: the fault comes
    // through the outbox), or an error. `landing_kept`: mm keeps the landed page (else the server
    // flushes it from its own space at once).
    ipc::Error on_pager_wait(axo_thread_id_t from, const PagerWaitRequest& request, uint32_t landed,
                             const void* bytes, ExternalFault& reply, bool& landing_kept);
    // A pager's deferred kMmPagerWait reply could not be delivered (it gave up waiting): the
    // fault goes back to the queue for its next wait.
    void unoffer(uint32_t token);
    // Outstanding faults whose time is up (set_clock) are refused (kRefusedExternal).
    void expire();
    // When the next outstanding fault times out (µs), 0 if none is outstanding.
    uint64_t next_deadline() const;
    uint32_t outstanding() const;

    // ---- Requests (protocol.h)
    // --------------------------------------------------------------------
    ipc::Error on_attach(axo_thread_id_t from, const AttachRequest&, ipc::Empty&);
    ipc::Error on_detach(axo_thread_id_t from, const DetachRequest&, ipc::Empty&);
    ipc::Error on_region_create(axo_thread_id_t from, const RegionCreateRequest&,
                                RegionCreateReply&);
    ipc::Error on_sbrk(axo_thread_id_t from, const SbrkRequest&, SbrkReply&);
    ipc::Error on_protect(axo_thread_id_t from, const ProtectRequest&, ipc::Empty&);
    ipc::Error on_unmap(axo_thread_id_t from, const UnmapRequest&, ipc::Empty&);
    ipc::Error on_duplicate(axo_thread_id_t from, const DuplicateRequest&, DuplicateReply&);
    ipc::Error on_quota_set(axo_thread_id_t from, const QuotaSetRequest&, ipc::Empty&);
    ipc::Error on_statistics(axo_thread_id_t from, const StatisticsRequest&, StatisticsReply&);
    ipc::Error on_fault_state(axo_thread_id_t from, const FaultStateRequest&, FaultStateReply&);
    ipc::Error on_fault_retry(axo_thread_id_t from, const FaultRetryRequest&, ipc::Empty&);
    ipc::Error on_fault_wait(axo_thread_id_t from, const FaultWaitRequest&, FaultNotice&);
    ipc::Error on_object_create(axo_thread_id_t from, const ObjectCreateRequest&,
                                ObjectCreateReply&);
    ipc::Error on_object_grant(axo_thread_id_t from, const ObjectGrantRequest&, ipc::Empty&);
    ipc::Error on_object_rebind(axo_thread_id_t from, const ObjectRebindRequest&, ipc::Empty&);
    ipc::Error on_object_end(axo_thread_id_t from, const ObjectEndRequest&, ipc::Empty&);
    ipc::Error on_object_limit(axo_thread_id_t from, const ObjectLimitRequest&, ipc::Empty&);
    ipc::Error on_pager_rebind(axo_thread_id_t from, const PagerRebindRequest&, PagerRebindReply&);

    // ---- The outbox
    // ------------------------------------------------------------------------------- The next
    // piece of deferred work, oldest first; false when there is none.
    bool take_deferred(Deferred& out);
    bool has_deferred() const { return m_outbox_count != 0; }

    const Counters& counters() const { return m_counters; }
    const FramePool& frames() const { return *m_frames; }
    uint32_t table_frames() const { return static_cast<uint32_t>(m_table_frames); }
    uint32_t data_frames() const { return m_frames->in_use() - table_frames(); }
    // For tests: the frame backing a client's anonymous page, or FramePool::kNone; how many
    // regions the client has (0 for no client).
    uint32_t frame_of(axo_thread_id_t thread, uint32_t address) const;
    uint32_t region_count(axo_thread_id_t thread) const;

private:
    struct Pending {
        uint32_t reason = kRefusedNone; // kRefusedNone: nothing pending
        uint32_t address = 0, ip = 0, access = 0;
        bool reported = false; // given to a kMmFaultWait already
    };
    // The thread's last fault, to tell an answer that does not work (the same fault again and
    // again) from a page taken away since: `flushes` is m_flushes when it was answered.
    struct LastFault {
        uint32_t page = 0, access = 0, repeats = 0, flushes = 0;
    };
    struct Client {
        bool used = false;
        axo_thread_id_t threads[kThreadsPerClient] = {};
        Pending pending[kThreadsPerClient];
        LastFault last[kThreadsPerClient];
        axo_thread_id_t fault_handler = AXO_NIL_THREAD;
        uint32_t quota = kNoQuota, committed = 0, resident = 0, faults = 0, refused = 0;
        uint32_t heap_base = 0, brk = 0;
        RegionList regions;
        PageTable pages; // anonymous memory
        // Frames of `pages` mapped to it with W since its last duplicate (or its start): all
        // that a duplicate must take W from — the others are mapped read-only already, or not
        // at all. More than kWritableFrames: too many to list, all of them.
        uint32_t writable[kWritableFrames] = {};
        uint32_t writable_count = 0;
    };
    // A fault forwarded to an external pager, until the pager answers or time is up.
    struct Forward {
        uint32_t token = 0; // 0: a free slot
        uint32_t client = 0;
        axo_thread_id_t thread = AXO_NIL_THREAD;
        FaultAnswer answer;
        uint64_t deadline = 0;
        bool offered = false; // given to the pager's kMmPagerWait
    };
    struct Object {
        uint32_t kind = 0; // 0: free slot; kRegionShared or kRegionExternal
        uint32_t id = 0;
        uint32_t size = 0;          // bytes
        uint32_t limit = 0;         // shared: its pages end here (kMmObjectLimit), size at creation
        uint32_t regions = 0;       // regions mapping it: it dies with the last
        uint32_t owner = kNoClient; // shared: the client charged for it
        PageTable pages;            // shared; external: kept copies
        axo_thread_id_t pager = AXO_NIL_THREAD; // external
        uint32_t cookie = 0, landing = 0;       // external
        uint64_t authorised = 0;                // clients (bit: index) that may map it by its id
        bool held = false; // made by kMmObjectCreate, not ended yet: a reference
    };

    // Thread → client.
    bool locate(axo_thread_id_t thread, uint32_t& client, uint32_t& slot) const;
    // The client a request is about, if `from` may make it; else the error to answer.
    ipc::Error resolve(axo_thread_id_t from, axo_thread_id_t named, bool manager_only,
                       uint32_t& client) const;

    FaultAnswer evaluate(uint32_t client, uint32_t address, uint32_t access);
    // Records a forward of `answer` for the client's thread; the answer to return.
    FaultAnswer start_forward(uint32_t client, uint32_t slot, FaultAnswer answer);
    // Whether `from` is still the pager of the answered fault's object.
    bool finish_forward(axo_thread_id_t from, const PagerWaitRequest& request, uint32_t landed,
                        const void* bytes, bool& landing_kept);
    ExternalFault external_of(const Forward& forward) const;
    // Offers queued faults to pager threads that wait.
    void offer();
    // Outstanding faults of the client in [start, end) end: answered empty (the threads
    // retry and fault again on the changed region), or dropped (`answer` false).
    void cancel_forwards(uint32_t client, uint32_t start, uint32_t end, bool answer);
    bool is_pager(axo_thread_id_t thread) const;
    FaultAnswer refuse(uint32_t client, uint32_t slot, uint32_t address, uint32_t ip,
                       uint32_t access, uint32_t reason);
    bool commit(Client& c, uint32_t pages);
    void push(const Deferred& work);

    // Regions.
    uint32_t split(uint32_t client, uint32_t address); // as RegionList::split_at, objects too
    // `gone`: the client's space is gone (detach), so it maps nothing any more: pages that
    // outlive it (kept copies, frames shared copy-on-write) are not flushed from the others.
    void release(uint32_t client, const Region& region, uint32_t start, uint32_t end,
                 bool gone = false);
    void take_rights(uint32_t client, const Region& region, uint32_t start, uint32_t end,
                     uint32_t rights);
    void take_kept(const Region& region, uint32_t start, uint32_t end, uint32_t rights);
    ipc::Error carve(uint32_t client, uint32_t start, uint32_t end);
    void drop_object(uint32_t object);
    // Object `index`'s faults go to `pager` from now on, those outstanding too (offered again).
    void rebind(uint32_t index, axo_thread_id_t pager);
    uint32_t find_object(uint32_t id, uint32_t kind) const;
    // The external object `id` if `from` is the root task or its pager; else kMaxObjects.
    uint32_t pagers_object(axo_thread_id_t from, uint32_t id) const;
    uint32_t landing_for(uint32_t size) const;
    void flush_page(uint32_t address, uint32_t rights);
    // A fault answer maps `frame` of the client's own table with W (writable, above).
    static void note_writable(Client& c, uint32_t frame);
    void flush_range(uint32_t address, uint32_t size, uint32_t rights, bool own = false);
    void coalesce(uint32_t client);
    void clear_memory(uint32_t client, bool gone = false);
    void sync();
    void forget_client(uint32_t client);

    FramePool* m_frames = nullptr;
    Flusher m_flusher;
    bool m_flush_pending = false;
    // Flushes queued so far (wraps): a refault after one is no repeat (LastFault).
    uint32_t m_flushes = 0;
    axo_thread_id_t m_root = AXO_NIL_THREAD;
    uint32_t m_landing_base = 0, m_landing_size = 0;
    int32_t m_table_frames = 0;
    uint32_t m_next_object_id = 1;
    Counters m_counters;
    Client m_clients[kMaxClients];
    // Thread number → client index + 1 (0: none), so that a fault finds its client at once;
    // the thread's full id (its version) is still checked against the client's.
    uint16_t m_client_of[AXO_MAX_THREADS] = {};
    Object m_objects[kMaxObjects];
    Deferred m_outbox[kOutboxSize];
    uint32_t m_outbox_head = 0, m_outbox_count = 0;
    // Fault handlers blocked in kMmFaultWait.
    axo_thread_id_t m_fault_waiters[4] = {};
    Forward m_forwards[kMaxOutstandingForwards];
    uint32_t m_next_token = 1;
    uint64_t m_now = 0;
    uint32_t m_outstanding = 0; // used slots of m_forwards
    // Pager threads blocked in kMmPagerWait.
    axo_thread_id_t m_pager_waiters[kMaxPagerWaiters] = {};
};

} // namespace mm
