// mm's decisions (servers/memory/mm/memory_manager.h) under a stream of requests and faults
// from several clients, decoded from the fuzzer's bytes. After every step mm's own promises
// are checked, against a model of what each client has mapped (map answers add, flushes take
// rights away, as the kernel would):
//   - the frame pool's count matches the frames that hold references;
//   - no client keeps a mapping of a frame mm has freed (mm syncs before it frees);
//   - a client's anonymous page mapped writable is its own: one reference, nobody else maps it;
//   - a client never still sees an old frame at a page its anonymous memory moved off;
//   - a request never takes a client's committed pages above its quota;
//   - after every client detaches, no data frame and no object is left (a detach promises
//     that the space is gone: its mappings go with it, mm does not flush them).
#include <new>
#include <string.h>

#include <map>
#include <vector>

#include "servers/memory/mm/memory_manager.h"
#include "tests/fuzz/fuzz_input.h"

namespace mm {
namespace {

constexpr uint32_t kArea = 0x40000000u;
constexpr uint32_t kLanding = 0x80000000u;
constexpr uint32_t kLandingSize = 0x01000000u;
constexpr uint32_t kFrames = 96;
constexpr uint32_t kWindow = 0x10000000u; // clients' requests fall in 64 pages from here
constexpr uint32_t kClients = 3;

const axo_thread_id_t kRoot = axo_thread_id(33, 1);
const axo_thread_id_t kHandler = axo_thread_id(34, 1);
const axo_thread_id_t kPager = axo_thread_id(60, 1);
const axo_thread_id_t kStranger = axo_thread_id(70, 1);
// Client c's threads: (50 + 2c, 1) and (51 + 2c, 1), the second attached into the first's space.
axo_thread_id_t thread_of(uint32_t client, uint32_t second) {
    return axo_thread_id(50 + 2 * client + second, 1);
}

// The first thread of a thread's client: mappings belong to the address space.
axo_thread_id_t space_of(axo_thread_id_t thread) {
    return thread_of((axo_thread_number(thread) - 50) / 2, 0);
}

struct Mapping {
    uint32_t frame;
    uint32_t rights;
};

struct World {
    std::vector<uint8_t> bytes;
    FramePool pool;
    MemoryManager mm;
    uint32_t frames_left = 0;
    // (thread of the space, page) → what the kernel would have mapped there.
    std::map<std::pair<uint32_t, uint32_t>, Mapping> mapped;
    std::vector<uint32_t> objects;
    uint8_t landed[kPageSize];
};

bool grow(void* context, uint32_t at, uint32_t* first, uint32_t* count) {
    auto* w = static_cast<World*>(context);
    if (w->frames_left == 0) return false;
    *first = at;
    *count = 1;
    --w->frames_left;
    return true;
}

// A flush of an fpage of mm's space takes those rights from every mapping derived from it.
void flush(void* context, uint32_t fpage, bool) {
    auto* w = static_cast<World*>(context);
    uint32_t base = axo_fpage_base(fpage);
    uint64_t end = uint64_t{base} + (uint64_t{1} << axo_fpage_log2(fpage));
    uint32_t rights = axo_fpage_rights(fpage);
    for (auto it = w->mapped.begin(); it != w->mapped.end();) {
        uint64_t address = uint64_t{w->pool.address(it->second.frame)};
        if (address >= base && address < end) {
            it->second.rights &= ~rights;
            if ((it->second.rights & AXO_FPAGE_R) == 0 || (rights & AXO_FPAGE_R) != 0) {
                it = w->mapped.erase(it);
                continue;
            }
        }
        ++it;
    }
}
void sync(void*) {}

uint32_t address(fuzz::Input& in) {
    uint8_t b = in.u8();
    if (b == 0xFF) return in.u32(); // anything at all, now and then
    return kWindow + (b % 64) * kPageSize;
}
uint32_t size(fuzz::Input& in) {
    uint8_t b = in.u8();
    if (b == 0xFF) return in.u32();
    return (b % 16 + 1) * kPageSize;
}
uint32_t rights(fuzz::Input& in) {
    return in.u8() & AXO_FPAGE_RWX;
}
axo_thread_id_t client_thread(fuzz::Input& in) {
    uint8_t b = in.u8();
    return thread_of(b % kClients, (b >> 4) & 1);
}
// Who sends a request: mostly the root task, which manages every client.
axo_thread_id_t sender(fuzz::Input& in, axo_thread_id_t client) {
    switch (in.u8() % 8) {
    case 0:
        return client;
    case 1:
        return kStranger;
    case 2:
        return kHandler;
    default:
        return kRoot;
    }
}

// A client's counters; false if the thread is no client's.
bool statistics(World& w, axo_thread_id_t client, StatisticsReply& reply) {
    reply = StatisticsReply{};
    return w.mm.on_statistics(kRoot, StatisticsRequest{client}, reply) == ipc::Error::ok;
}
constexpr uint32_t kNotAttached = 0xFFFFFFFFu;

void record(World& w, axo_thread_id_t thread, const FaultAnswer& answer) {
    if (answer.kind != FaultAnswer::map) return;
    uint32_t frame = w.pool.frame_at(answer.source);
    if (frame == FramePool::kNone) return; // a landing page of an external pager
    FUZZ_CHECK(w.pool.refs(frame) > 0);    // mm never maps out a free frame
    w.mapped[{space_of(thread), answer.page / kPageSize}] = Mapping{frame, answer.rights};
}

// A fault: [address, offset in the page, access, the external pager's answer, its bytes].
void fault(World& w, fuzz::Input& in, axo_thread_id_t thread) {
    uint32_t at = address(in) + (in.u8() & 0xF);
    uint32_t access = in.u8() & 1 ? AXO_FPAGE_W : AXO_FPAGE_R;
    bool pager_fails = in.u8() & 1;
    uint8_t fill = in.u8();
    FaultAnswer answer = w.mm.fault(thread, at, 0x1000, access);
    if (answer.kind == FaultAnswer::forward) {
        if (pager_fails) {
            w.mm.external_failed(thread, answer);
        } else if (answer.copy) {
            memset(w.landed, fill, sizeof w.landed);
            uint32_t source = w.mm.complete_copy(thread, answer, w.landed);
            if (source != 0) {
                FaultAnswer mapped = answer;
                mapped.kind = FaultAnswer::map;
                mapped.source = source;
                record(w, thread, mapped);
            }
        }
        return;
    }
    record(w, thread, answer);
}

// The mappings of every thread of the client whose first thread is `first`.
void forget_space(World& w, axo_thread_id_t first) {
    for (auto it = w.mapped.begin(); it != w.mapped.end();)
        it = space_of(it->first.first) == first ? w.mapped.erase(it) : std::next(it);
}

void step(World& w, fuzz::Input& in) {
    ipc::Empty empty;
    axo_thread_id_t client = client_thread(in);
    axo_thread_id_t first_thread = space_of(client);
    switch (in.pick(12)) {
    case 0: { // attach a new client, or a second thread into an existing one
        bool second = client != first_thread;
        uint8_t q = in.u8();
        AttachRequest request{client, second ? first_thread : AXO_NIL_THREAD, kHandler,
                              q >= 64 ? kNoQuota : q, in.u8() & 1 ? kWindow + 32 * kPageSize : 0};
        (void)w.mm.on_attach(sender(in, client), request, empty);
        break;
    }
    case 1:
        // A detach is the manager's promise that the client's space is gone (mm does not
        // flush what outlives it, such as frames shared copy-on-write): so are its mappings.
        if (w.mm.on_detach(sender(in, client), DetachRequest{client}, empty) == ipc::Error::ok)
            forget_space(w, first_thread);
        break;
    case 2: {
        RegionCreateRequest request{};
        request.client = client;
        request.address = in.u8() & 1 ? 0 : address(in);
        request.size = size(in);
        request.rights = rights(in);
        request.kind = in.u8() % 4;
        uint8_t o = in.u8();
        request.object = o < 128 || w.objects.empty() ? 0 : w.objects[o % w.objects.size()];
        request.offset = request.object != 0 ? (in.u8() % 8) * kPageSize : 0;
        request.pager = kPager;
        request.cookie = 7;
        RegionCreateReply reply{};
        if (w.mm.on_region_create(sender(in, client), request, reply) == ipc::Error::ok &&
            reply.object != 0)
            w.objects.push_back(reply.object);
        break;
    }
    case 3: {
        uint32_t at = address(in);
        (void)w.mm.on_unmap(sender(in, client), UnmapRequest{client, at, size(in)}, empty);
        break;
    }
    case 4: {
        uint32_t at = address(in);
        uint32_t length = size(in);
        (void)w.mm.on_protect(sender(in, client), ProtectRequest{client, at, length, rights(in)},
                              empty);
        break;
    }
    case 5: {
        axo_thread_id_t destination = client_thread(in);
        DuplicateReply reply{};
        (void)w.mm.on_duplicate(sender(in, client), DuplicateRequest{client, destination}, reply);
        break;
    }
    case 6: {
        SbrkReply reply{};
        int32_t delta = static_cast<int8_t>(in.u8()) * static_cast<int32_t>(kPageSize);
        (void)w.mm.on_sbrk(sender(in, client), SbrkRequest{client, delta}, reply);
        break;
    }
    case 7: {
        uint8_t q = in.u8();
        (void)w.mm.on_quota_set(sender(in, client), QuotaSetRequest{client, q >= 64 ? kNoQuota : q},
                                empty);
        return; // the quota may now be below what is committed: that is allowed
    }
    case 8: {
        FaultStateReply state{};
        (void)w.mm.on_fault_state(sender(in, client), FaultStateRequest{client}, state);
        (void)w.mm.on_fault_retry(sender(in, client), FaultRetryRequest{client, in.u8() & 1u},
                                  empty);
        break;
    }
    case 9: {
        FaultNotice notice{};
        (void)w.mm.on_fault_wait(kHandler, FaultWaitRequest{}, notice);
        Deferred work;
        while (w.mm.take_deferred(work))
            if (work.kind == Deferred::answer) record(w, work.to, work.fault);
        break;
    }
    default:
        fault(w, in, client);
        break;
    }
}

void check(World& w, const uint32_t (&committed_before)[kClients][2]) {
    // Pool bookkeeping: frames holding references are the frames in use.
    uint32_t referenced = 0;
    for (uint32_t f = 0; f < w.pool.backed() && f < kFrames; ++f)
        if (w.pool.refs(f) > 0) ++referenced;
    FUZZ_CHECK(referenced == w.pool.in_use());

    for (const auto& [key, mapping] : w.mapped) {
        axo_thread_id_t thread = key.first;
        uint32_t page = key.second;
        FUZZ_CHECK(w.pool.refs(mapping.frame) > 0); // a freed frame is mapped nowhere
        uint32_t own = w.mm.frame_of(thread, page * kPageSize);
        if (own == FramePool::kNone) continue; // not anonymous memory (or gone: flushed above)
        // Anonymous memory that moved to another frame (a copy-on-write copy) is unmapped
        // from the old one: the client sees its own page.
        FUZZ_CHECK(own == mapping.frame);
        if ((mapping.rights & AXO_FPAGE_W) != 0) {
            FUZZ_CHECK(w.pool.refs(own) == 1); // copy-on-write pages are read-only
            for (const auto& [other_key, other] : w.mapped)
                if (other.frame == own) FUZZ_CHECK(other_key == key);
        }
    }
    for (uint32_t c = 0; c < kClients; ++c)
        for (uint32_t s = 0; s < 2; ++s) {
            StatisticsReply stats;
            if (!statistics(w, thread_of(c, s), stats)) continue;
            // Commitments that grew stay within the quota (a thread that just joined a client
            // did not commit anything).
            uint32_t before = committed_before[c][s];
            if (before != kNotAttached && stats.committed > before && stats.quota != kNoQuota)
                FUZZ_CHECK(stats.committed <= stats.quota);
        }
}

} // namespace
} // namespace mm

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace mm;
    static World* world = new World;
    World& w = *world;
    w.bytes.assign(size_t{kFrames} * kPageSize, 0xEE);
    w.pool = FramePool{};
    w.mm.~MemoryManager(); // a fresh manager for every input
    new (&w.mm) MemoryManager;
    w.frames_left = kFrames;
    w.mapped.clear();
    w.objects.clear();
    w.pool.init(kArea, w.bytes.data(), kFrames, FrameSource{&grow, &w});
    w.mm.init(&w.pool, Flusher{&flush, &sync, &w}, kRoot, kLanding, kLandingSize);

    fuzz::Input in(data, size);
    for (uint32_t steps = 0; steps < 256 && !in.empty(); ++steps) {
        uint32_t committed[kClients][2];
        for (uint32_t c = 0; c < kClients; ++c)
            for (uint32_t s = 0; s < 2; ++s) {
                StatisticsReply stats;
                committed[c][s] =
                    statistics(w, thread_of(c, s), stats) ? stats.committed : kNotAttached;
            }
        step(w, in);
        check(w, committed);
    }

    // Everyone leaves: nothing may stay behind.
    ipc::Empty empty;
    for (uint32_t c = 0; c < kClients; ++c)
        for (uint32_t s = 0; s < 2; ++s)
            if (w.mm.on_detach(kRoot, DetachRequest{thread_of(c, s)}, empty) == ipc::Error::ok)
                forget_space(w, thread_of(c, 0));
    Deferred work;
    while (w.mm.take_deferred(work)) {
    }
    StatisticsReply after;
    FUZZ_CHECK(statistics(w, AXO_NIL_THREAD, after));
    FUZZ_CHECK(after.clients == 0);
    FUZZ_CHECK(after.objects == 0);
    FUZZ_CHECK(w.mm.data_frames() == 0);
    return 0;
}
