// mm's logic (servers/memory/mm/memory_manager.h) on the host: clients and trust, regions,
// fault decisions, copy-on-write reference counts, quota accounting, shared and external
// objects, refused faults and the outbox. Flushes are recorded instead of made.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "lib/ipc/dispatcher.h"
#include "servers/memory/mm/memory_manager.h"

namespace mm {
namespace {

using ipc::Error;

constexpr uint32_t kArea = 0x40000000u;
constexpr uint32_t kLanding = 0x80000000u;
constexpr uint32_t kLandingSize = 0x01000000u;
constexpr uint32_t kFrames = 512;
constexpr uint32_t kRW = AXO_FPAGE_R | AXO_FPAGE_W;
constexpr uint32_t kR = AXO_FPAGE_R;
constexpr uint32_t kW = AXO_FPAGE_W;

const axo_thread_id_t kRoot = axo_thread_id(33, 1);
const axo_thread_id_t kHandler = axo_thread_id(34, 1);
const axo_thread_id_t kA = axo_thread_id(50, 1);
const axo_thread_id_t kA2 = axo_thread_id(51, 1); // a second thread of A's space
const axo_thread_id_t kB = axo_thread_id(52, 1);
const axo_thread_id_t kC = axo_thread_id(53, 1);
const axo_thread_id_t kPager = axo_thread_id(60, 1);
const axo_thread_id_t kStranger = axo_thread_id(70, 1);

struct Flush {
    uint32_t fpage;
    bool own;
    uint32_t frames_in_use; // when it was queued
};

class MmMemoryManagerTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_bytes.assign(size_t{kFrames} * kPageSize, 0xEE);
        m_pool = std::make_unique<FramePool>();
        m_pool->init(kArea, m_bytes.data(), kFrames, FrameSource{&grow, this});
        m_mm = std::make_unique<MemoryManager>();
        m_mm->init(m_pool.get(), Flusher{&flush, &sync, this}, kRoot, kLanding, kLandingSize);
    }

    static bool grow(void* context, uint32_t at, uint32_t* first, uint32_t* count) {
        auto* self = static_cast<MmMemoryManagerTest*>(context);
        if (self->m_frames_left == 0) return false;
        *first = at;
        *count = 1;
        --self->m_frames_left;
        return true;
    }
    static void flush(void* context, uint32_t fpage, bool own) {
        auto* self = static_cast<MmMemoryManagerTest*>(context);
        self->m_flushes.push_back({fpage, own, self->m_pool->in_use()});
    }
    static void sync(void* context) {
        auto* self = static_cast<MmMemoryManagerTest*>(context);
        ++self->m_syncs;
        self->m_synced_in_use.push_back(self->m_pool->in_use());
    }

    // ---- Requests ------------------------------------------------------------------------------
    Error attach(axo_thread_id_t thread, uint32_t quota = kNoQuota, uint32_t heap = 0,
                 axo_thread_id_t space_of = AXO_NIL_THREAD, axo_thread_id_t from = kRoot) {
        ipc::Empty reply;
        return m_mm->on_attach(from, AttachRequest{thread, space_of, kHandler, quota, heap}, reply);
    }
    Error create(axo_thread_id_t from, axo_thread_id_t client, uint32_t address, uint32_t size,
                 uint32_t rights, uint32_t kind = kRegionAnonymous, uint32_t object = 0,
                 uint32_t offset = 0, axo_thread_id_t pager = AXO_NIL_THREAD, uint32_t cookie = 0,
                 RegionCreateReply* out = nullptr) {
        RegionCreateReply reply{};
        Error e = m_mm->on_region_create(
            from,
            RegionCreateRequest{client, address, size, rights, kind, object, offset, pager, cookie},
            reply);
        if (out) *out = reply;
        return e;
    }
    Error anon(axo_thread_id_t thread, uint32_t address, uint32_t pages, uint32_t rights = kRW) {
        return create(thread, AXO_NIL_THREAD, address, pages * kPageSize, rights);
    }
    Error protect(axo_thread_id_t from, axo_thread_id_t client, uint32_t address, uint32_t pages,
                  uint32_t rights) {
        ipc::Empty reply;
        return m_mm->on_protect(from, ProtectRequest{client, address, pages * kPageSize, rights},
                                reply);
    }
    Error unmap(axo_thread_id_t from, axo_thread_id_t client, uint32_t address, uint32_t pages) {
        ipc::Empty reply;
        return m_mm->on_unmap(from, UnmapRequest{client, address, pages * kPageSize}, reply);
    }
    Error sbrk(axo_thread_id_t from, int32_t delta, uint32_t* old_break = nullptr) {
        SbrkReply reply{};
        Error e = m_mm->on_sbrk(from, SbrkRequest{AXO_NIL_THREAD, delta}, reply);
        if (old_break) *old_break = reply.old_break;
        return e;
    }
    Error duplicate(axo_thread_id_t from, axo_thread_id_t source, axo_thread_id_t destination,
                    uint32_t* shared = nullptr) {
        DuplicateReply reply{};
        Error e = m_mm->on_duplicate(from, DuplicateRequest{source, destination}, reply);
        if (shared) *shared = reply.shared_pages;
        return e;
    }
    Error detach(axo_thread_id_t client) {
        ipc::Empty reply;
        return m_mm->on_detach(kRoot, DetachRequest{client}, reply);
    }
    StatisticsReply stats(axo_thread_id_t client = AXO_NIL_THREAD) {
        StatisticsReply reply{};
        EXPECT_EQ(m_mm->on_statistics(kRoot, StatisticsRequest{client}, reply), Error::ok);
        return reply;
    }
    FaultStateReply fault_state(axo_thread_id_t thread) {
        FaultStateReply reply{};
        EXPECT_EQ(m_mm->on_fault_state(kRoot, FaultStateRequest{thread}, reply), Error::ok);
        return reply;
    }
    Error retry(axo_thread_id_t from, axo_thread_id_t thread, uint32_t release) {
        ipc::Empty reply;
        return m_mm->on_fault_retry(from, FaultRetryRequest{thread, release}, reply);
    }

    // ---- Faults --------------------------------------------------------------------------------
    FaultAnswer read(axo_thread_id_t thread, uint32_t address) {
        return m_mm->fault(thread, address, 0x1234, kR);
    }
    FaultAnswer write(axo_thread_id_t thread, uint32_t address) {
        return m_mm->fault(thread, address, 0x1234, kW);
    }
    // The word at the start of the page a map answer gives.
    uint32_t& word(const FaultAnswer& answer) {
        uint32_t frame = m_pool->frame_at(answer.source);
        return *reinterpret_cast<uint32_t*>(m_pool->data(frame));
    }
    std::vector<Deferred> outbox() {
        std::vector<Deferred> all;
        Deferred d;
        while (m_mm->take_deferred(d))
            all.push_back(d);
        return all;
    }
    bool flushed(uint32_t fpage) const {
        for (const Flush& f : m_flushes)
            if (f.fpage == fpage) return true;
        return false;
    }

    std::vector<uint8_t> m_bytes;
    std::unique_ptr<FramePool> m_pool;
    std::unique_ptr<MemoryManager> m_mm;
    uint32_t m_frames_left = kFrames;
    std::vector<Flush> m_flushes;
    std::vector<uint32_t> m_synced_in_use;
    uint32_t m_syncs = 0;
};

// ---- Clients and trust -------------------------------------------------------------------------

TEST_F(MmMemoryManagerTest, OnlyTheRootTaskAttaches) {
    EXPECT_EQ(attach(kA, kNoQuota, 0, AXO_NIL_THREAD, kStranger), Error::no_permission);
    EXPECT_EQ(attach(kA), Error::ok);
    EXPECT_EQ(attach(kA), Error::exists);
    EXPECT_EQ(attach(kB, kNoQuota, 0, AXO_NIL_THREAD, kA), Error::no_permission);
    EXPECT_EQ(attach(AXO_NIL_THREAD), Error::invalid_argument);
    EXPECT_EQ(attach(kB, kNoQuota, 0x1234), Error::invalid_argument); // heap not aligned
    EXPECT_EQ(attach(kA2, kNoQuota, 0, kStranger), Error::not_found);
    EXPECT_EQ(attach(kA2, kNoQuota, 0, kA), Error::ok);
    EXPECT_EQ(stats().clients, 1u);
}

TEST_F(MmMemoryManagerTest, ASecondThreadSharesTheClient) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(attach(kA2, kNoQuota, 0, kA), Error::ok);
    ASSERT_EQ(anon(kA, 0x100000, 1), Error::ok);
    FaultAnswer first = write(kA, 0x100000);
    ASSERT_EQ(first.kind, FaultAnswer::map);
    FaultAnswer second = read(kA2, 0x100010);
    ASSERT_EQ(second.kind, FaultAnswer::map);
    EXPECT_EQ(second.source, first.source);
}

TEST_F(MmMemoryManagerTest, RequestsAboutAClientComeFromItsManagersOrItself) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(attach(kB), Error::ok);
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0x100000, kPageSize, kRW), Error::ok);
    EXPECT_EQ(create(kA, kA, 0x200000, kPageSize, kRW), Error::ok);
    // Another client, or a stranger, may not touch A.
    EXPECT_EQ(create(kB, kA, 0x300000, kPageSize, kRW), Error::no_permission);
    EXPECT_EQ(protect(kB, kA, 0x100000, 1, 0), Error::no_permission);
    EXPECT_EQ(unmap(kStranger, kA, 0x100000, 1), Error::no_permission);
    EXPECT_EQ(create(kStranger, AXO_NIL_THREAD, 0x300000, kPageSize, kRW), Error::not_found);
    // The root task and A's fault handler may.
    EXPECT_EQ(create(kRoot, kA, 0x300000, kPageSize, kRW), Error::ok);
    EXPECT_EQ(protect(kHandler, kA, 0x300000, 1, kR), Error::ok);
    // Manager operations: not even A itself.
    ipc::Empty empty;
    EXPECT_EQ(m_mm->on_quota_set(kA, QuotaSetRequest{kA, 1000}, empty), Error::no_permission);
    EXPECT_EQ(m_mm->on_quota_set(kA, QuotaSetRequest{AXO_NIL_THREAD, 1000}, empty),
              Error::no_permission);
    EXPECT_EQ(m_mm->on_detach(kA, DetachRequest{kA}, empty), Error::no_permission);
    EXPECT_EQ(duplicate(kA, kA, kB), Error::no_permission);
    EXPECT_EQ(m_mm->on_quota_set(kHandler, QuotaSetRequest{kA, 1000}, empty), Error::ok);
    StatisticsReply reply{};
    EXPECT_EQ(m_mm->on_statistics(kB, StatisticsRequest{kA}, reply), Error::no_permission);
    EXPECT_EQ(m_mm->on_statistics(kA, StatisticsRequest{AXO_NIL_THREAD}, reply), Error::ok);
    EXPECT_EQ(reply.quota, 1000u);
    // A stranger sees only mm's totals.
    EXPECT_EQ(m_mm->on_statistics(kStranger, StatisticsRequest{AXO_NIL_THREAD}, reply), Error::ok);
    EXPECT_EQ(reply.committed, 0u);
    EXPECT_EQ(reply.clients, 2u);
}

TEST_F(MmMemoryManagerTest, AStaleVersionOfAClientThreadIsNoClient) {
    const axo_thread_id_t old_a = axo_thread_id(50, 1), new_a = axo_thread_id(50, 2);
    ASSERT_EQ(attach(old_a), Error::ok);
    ASSERT_EQ(anon(old_a, 0x100000, 1), Error::ok);
    EXPECT_EQ(read(new_a, 0x100000).kind, FaultAnswer::ignore);
    EXPECT_EQ(anon(new_a, 0x200000, 1), Error::not_found);
    EXPECT_EQ(attach(new_a), Error::exists); // the old client must go first
    ASSERT_EQ(detach(old_a), Error::ok);
    ASSERT_EQ(attach(new_a), Error::ok);
    EXPECT_EQ(read(new_a, 0x100000).reason, kRefusedNoRegion); // a new, empty client
    EXPECT_EQ(read(old_a, 0x100000).kind, FaultAnswer::ignore);
}

TEST_F(MmMemoryManagerTest, AFaultOfAnUnknownThreadIsIgnored) {
    EXPECT_EQ(read(kStranger, 0x1000).kind, FaultAnswer::ignore);
    EXPECT_EQ(m_mm->counters().ignored, 1u);
    EXPECT_TRUE(outbox().empty());
}

// ---- Regions
// -------------------------------------------------------------------------------------

TEST_F(MmMemoryManagerTest, RegionArgumentsAreChecked) {
    ASSERT_EQ(attach(kA), Error::ok);
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0x100000, 0, kRW), Error::invalid_argument);
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0x100000, 100, kRW), Error::invalid_argument);
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0x100010, kPageSize, kRW), Error::invalid_argument);
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0xBFFFF000, 2 * kPageSize, kRW), Error::invalid_argument);
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0x100000, kPageSize, 8), Error::invalid_argument);
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0x100000, kPageSize, kRW, 3), Error::invalid_argument);
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0x100000, kPageSize, kRW, kRegionAnonymous, 5),
              Error::invalid_argument);
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0x100000, kPageSize, kRW, kRegionShared, 0, kPageSize),
              Error::invalid_argument);
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0x100000, kPageSize, kRW, kRegionShared, 99),
              Error::not_found);
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0x100000, kPageSize, kRW, kRegionExternal),
              Error::invalid_argument); // no pager
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0x100000, 4 * kPageSize, kRW), Error::ok);
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0x103000, kPageSize, kRW), Error::exists);
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0x0FF000, 2 * kPageSize, kRW), Error::exists);
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0x104000, kPageSize, kRW), Error::ok);
}

TEST_F(MmMemoryManagerTest, MmPicksAnAddressWhenAskedTo) {
    ASSERT_EQ(attach(kA), Error::ok);
    RegionCreateReply first{}, second{};
    ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0, 2 * kPageSize, kRW, kRegionAnonymous, 0, 0,
                     AXO_NIL_THREAD, 0, &first),
              Error::ok);
    ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0, kPageSize, kRW, kRegionAnonymous, 0, 0, AXO_NIL_THREAD,
                     0, &second),
              Error::ok);
    EXPECT_EQ(first.address, MemoryManager::kMapBase);
    EXPECT_EQ(second.address, MemoryManager::kMapBase + 2 * kPageSize);
}

TEST_F(MmMemoryManagerTest, TheRegionTableFillsUpWithAnError) {
    ASSERT_EQ(attach(kA), Error::ok);
    for (uint32_t i = 0; i < RegionList::kCapacity; ++i)
        ASSERT_EQ(anon(kA, 0x100000 + i * 2 * kPageSize, 1), Error::ok);
    EXPECT_EQ(anon(kA, 0x900000, 1), Error::no_space);
    EXPECT_EQ(stats(kA).committed, RegionList::kCapacity); // the refused one committed nothing
    // A split would need a slot too.
    EXPECT_EQ(anon(kA, 0x900000, 1), Error::no_space);
}

// ---- Faults on anonymous memory
// --------------------------------------------------------------------

TEST_F(MmMemoryManagerTest, ZeroFillGivesAZeroedPageOnceAndThenTheSamePage) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(anon(kA, 0x100000, 4), Error::ok);
    FaultAnswer first = read(kA, 0x101234);
    ASSERT_EQ(first.kind, FaultAnswer::map);
    EXPECT_EQ(first.page, 0x101000u);
    EXPECT_EQ(first.rights, kRW); // a private page: writable at once, no second fault
    EXPECT_EQ(word(first), 0u);
    word(first) = 42;
    FaultAnswer again = write(kA, 0x101000);
    EXPECT_EQ(again.source, first.source);
    EXPECT_EQ(word(again), 42u);
    StatisticsReply s = stats(kA);
    EXPECT_EQ(s.resident, 1u);
    EXPECT_EQ(s.committed, 4u);
    EXPECT_EQ(s.data_frames, 1u);
    EXPECT_EQ(s.table_frames, 2u);
    EXPECT_EQ(s.zero_fills, 1u);
    EXPECT_EQ(s.faults, 2u);
}

TEST_F(MmMemoryManagerTest, RightsOfTheRegionAreNormalizedAndChecked) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(anon(kA, 0x100000, 1, AXO_FPAGE_X), Error::ok); // X implies R on a Pentium
    FaultAnswer r = read(kA, 0x100000);
    ASSERT_EQ(r.kind, FaultAnswer::map);
    EXPECT_EQ(r.rights, AXO_FPAGE_R | AXO_FPAGE_X);
    FaultAnswer w = write(kA, 0x100000);
    EXPECT_EQ(w.kind, FaultAnswer::refuse);
    EXPECT_EQ(w.reason, kRefusedProtection);
}

TEST_F(MmMemoryManagerTest, AFaultBeyondTheEndOfAnObjectIsRefusedAsSuchWhateverTheRights) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0x100000, 2 * kPageSize, 0, kRegionBeyondEnd), Error::ok);
    EXPECT_EQ(stats(kA).committed, 0u) << "no memory behind it";
    FaultAnswer r = read(kA, 0x100010);
    EXPECT_EQ(r.kind, FaultAnswer::refuse);
    EXPECT_EQ(r.reason, kRefusedBeyondEnd);
    EXPECT_EQ(fault_state(kA).reason, kRefusedBeyondEnd);
    // Rights change nothing: there is no page to give.
    ASSERT_EQ(protect(kA, AXO_NIL_THREAD, 0x100000, 2, kRW), Error::ok);
    EXPECT_EQ(write(kA, 0x101000).reason, kRefusedBeyondEnd);
    // Like anonymous memory it carries no object.
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0x200000, kPageSize, 0, kRegionBeyondEnd, 0, kPageSize),
              Error::invalid_argument);
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0x200000, kPageSize, 0, kRegionBeyondEnd + 1),
              Error::invalid_argument);
    EXPECT_EQ(unmap(kA, AXO_NIL_THREAD, 0x100000, 2), Error::ok);
    EXPECT_EQ(read(kA, 0x100010).reason, kRefusedNoRegion);
}

TEST_F(MmMemoryManagerTest, ARefusedFaultIsRecordedAndTheHandlerNotified) {
    ASSERT_EQ(attach(kA), Error::ok);
    FaultAnswer answer = m_mm->fault(kA, 0x500123, 0x4321, kW);
    EXPECT_EQ(answer.kind, FaultAnswer::refuse);
    EXPECT_EQ(answer.reason, kRefusedNoRegion);
    std::vector<Deferred> work = outbox();
    ASSERT_EQ(work.size(), 1u);
    EXPECT_EQ(work[0].kind, Deferred::notify);
    EXPECT_EQ(work[0].to, kHandler);
    EXPECT_EQ(work[0].notice.thread, kA);
    EXPECT_EQ(work[0].notice.address, 0x500123u);
    EXPECT_EQ(work[0].notice.ip, 0x4321u);
    EXPECT_EQ(work[0].notice.access, kW);
    EXPECT_EQ(work[0].notice.reason, kRefusedNoRegion);
    FaultStateReply state = fault_state(kA);
    EXPECT_EQ(state.reason, kRefusedNoRegion);
    EXPECT_EQ(state.address, 0x500123u);
    // The client itself may look; another client may not.
    FaultStateReply reply{};
    EXPECT_EQ(m_mm->on_fault_state(kA, FaultStateRequest{AXO_NIL_THREAD}, reply), Error::ok);
    EXPECT_EQ(reply.reason, kRefusedNoRegion);
    EXPECT_EQ(stats(kA).refused, 1u);
}

TEST_F(MmMemoryManagerTest, ReleasingARefusedFaultAnswersItEmpty) {
    ASSERT_EQ(attach(kA), Error::ok);
    m_mm->fault(kA, 0x500000, 0, kR);
    outbox();
    EXPECT_EQ(retry(kA, kA, 1), Error::no_permission); // a manager operation
    EXPECT_EQ(retry(kHandler, kA, 1), Error::ok);
    std::vector<Deferred> work = outbox();
    ASSERT_EQ(work.size(), 1u);
    EXPECT_EQ(work[0].kind, Deferred::answer);
    EXPECT_EQ(work[0].to, kA);
    EXPECT_EQ(work[0].fault.kind, FaultAnswer::empty);
    EXPECT_EQ(fault_state(kA).reason, kRefusedNone);
    EXPECT_EQ(retry(kHandler, kA, 1), Error::not_found);
}

TEST_F(MmMemoryManagerTest, AResolvedFaultIsAnsweredWithThePage) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(anon(kA, 0x100000, 1, kR), Error::ok);
    EXPECT_EQ(write(kA, 0x100000).kind, FaultAnswer::refuse);
    outbox();
    EXPECT_EQ(retry(kHandler, kA, 0), Error::no_permission); // still read-only: stays pending
    EXPECT_EQ(fault_state(kA).reason, kRefusedProtection);
    ASSERT_EQ(protect(kHandler, kA, 0x100000, 1, kRW), Error::ok);
    EXPECT_EQ(retry(kHandler, kA, 0), Error::ok);
    std::vector<Deferred> work = outbox();
    ASSERT_EQ(work.size(), 1u);
    EXPECT_EQ(work[0].fault.kind, FaultAnswer::map);
    EXPECT_EQ(work[0].fault.page, 0x100000u);
    EXPECT_EQ(work[0].fault.rights, kRW);
}

TEST_F(MmMemoryManagerTest, AFaultRepeatedDespiteAnswersIsRefused) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(anon(kA, 0x100000, 1), Error::ok);
    for (uint32_t i = 0; i < kMaxFaultRepeats; ++i)
        ASSERT_EQ(read(kA, 0x100000).kind, FaultAnswer::map) << i;
    FaultAnswer answer = read(kA, 0x100000);
    EXPECT_EQ(answer.kind, FaultAnswer::refuse);
    EXPECT_EQ(answer.reason, kRefusedRepeated);
    // Another fault in between starts the count afresh.
    ASSERT_EQ(retry(kHandler, kA, 1), Error::ok);
    for (uint32_t i = 0; i < 3 * kMaxFaultRepeats; ++i)
        ASSERT_EQ(m_mm->fault(kA, 0x100000, 0, i % 2 ? kR : kW).kind, FaultAnswer::map);
}

TEST_F(MmMemoryManagerTest, NoFrameLeftRefusesTheFault) {
    m_frames_left = 2; // the page table takes both
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(anon(kA, 0x100000, 1), Error::ok);
    FaultAnswer answer = read(kA, 0x100000);
    EXPECT_EQ(answer.kind, FaultAnswer::refuse);
    EXPECT_EQ(answer.reason, kRefusedNoMemory);
    EXPECT_EQ(stats(kA).resident, 0u);
}

// ---- Protect and unmap
// -----------------------------------------------------------------------------

TEST_F(MmMemoryManagerTest, ProtectTakesWriteFromMappedPagesOnly) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(anon(kA, 0x100000, 4), Error::ok);
    FaultAnswer page = write(kA, 0x101000);
    word(page) = 7;
    m_flushes.clear();
    ASSERT_EQ(protect(kA, AXO_NIL_THREAD, 0x100000, 4, kR), Error::ok);
    ASSERT_EQ(m_flushes.size(), 1u); // only the page that is mapped
    EXPECT_EQ(m_flushes[0].fpage, axo_fpage(page.source, 12, kW));
    EXPECT_FALSE(m_flushes[0].own);
    EXPECT_GE(m_syncs, 1u);
    FaultAnswer w = write(kA, 0x101000);
    EXPECT_EQ(w.kind, FaultAnswer::refuse);
    EXPECT_EQ(w.reason, kRefusedProtection);
    FaultAnswer r = read(kA, 0x101000);
    ASSERT_EQ(r.kind, FaultAnswer::map);
    EXPECT_EQ(r.rights, kR);
    EXPECT_EQ(word(r), 7u); // protect keeps the contents
}

TEST_F(MmMemoryManagerTest, ProtectToNothingRevokesAndBackCoalesces) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(anon(kA, 0x100000, 4), Error::ok);
    FaultAnswer page = write(kA, 0x102000);
    m_flushes.clear();
    ASSERT_EQ(protect(kA, AXO_NIL_THREAD, 0x102000, 1, 0), Error::ok);
    EXPECT_EQ(m_mm->region_count(kA), 3u);
    ASSERT_EQ(m_flushes.size(), 1u);
    EXPECT_EQ(m_flushes[0].fpage, axo_fpage(page.source, 12, AXO_FPAGE_RWX));
    EXPECT_EQ(read(kA, 0x102000).reason, kRefusedProtection);
    // Back and forth many times: the table does not fill up.
    for (int i = 0; i < 100; ++i) {
        ASSERT_EQ(protect(kA, AXO_NIL_THREAD, 0x101000, 2, kRW), Error::ok);
        ASSERT_EQ(protect(kA, AXO_NIL_THREAD, 0x101000, 1, kR), Error::ok);
    }
    ASSERT_EQ(protect(kA, AXO_NIL_THREAD, 0x100000, 4, kRW), Error::ok);
    EXPECT_EQ(m_mm->region_count(kA), 1u);
    FaultAnswer again = write(kA, 0x102000);
    ASSERT_EQ(again.kind, FaultAnswer::map);
    EXPECT_EQ(again.source, page.source); // the page was kept all along
}

TEST_F(MmMemoryManagerTest, UnmapFlushesBeforeItFreesAndReleasesTheCommitment) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(anon(kA, 0x100000, 4), Error::ok);
    for (uint32_t i = 0; i < 4; ++i)
        write(kA, 0x100000 + i * kPageSize);
    uint32_t in_use = m_pool->in_use();
    m_flushes.clear();
    m_synced_in_use.clear();
    ASSERT_EQ(unmap(kA, AXO_NIL_THREAD, 0x101000, 2), Error::ok);
    ASSERT_EQ(m_flushes.size(), 2u);
    // The flushes were carried out while the frames were still in use: a client never holds
    // a frame mm hands out again.
    ASSERT_FALSE(m_synced_in_use.empty());
    EXPECT_EQ(m_synced_in_use.front(), in_use);
    EXPECT_EQ(m_pool->in_use(), in_use - 2);
    StatisticsReply s = stats(kA);
    EXPECT_EQ(s.committed, 2u);
    EXPECT_EQ(s.resident, 2u);
    EXPECT_EQ(m_mm->region_count(kA), 2u);
    EXPECT_EQ(read(kA, 0x101000).reason, kRefusedNoRegion);
    EXPECT_EQ(read(kA, 0x103000).kind, FaultAnswer::map);
    // Unmapping where nothing is changes nothing.
    EXPECT_EQ(unmap(kA, AXO_NIL_THREAD, 0x800000, 1), Error::ok);
    EXPECT_EQ(unmap(kA, AXO_NIL_THREAD, 0x800001, 1), Error::invalid_argument);
}

// ---- sbrk
// ------------------------------------------------------------------------------------------

TEST_F(MmMemoryManagerTest, SbrkGrowsAndShrinksTheHeap) {
    constexpr uint32_t kHeap = 0x00100000;
    ASSERT_EQ(attach(kA, kNoQuota, kHeap), Error::ok);
    uint32_t old_break = 0;
    ASSERT_EQ(sbrk(kA, 0, &old_break), Error::ok);
    EXPECT_EQ(old_break, kHeap);
    EXPECT_EQ(read(kA, kHeap).reason, kRefusedNoRegion); // an empty heap
    ASSERT_EQ(sbrk(kA, 100, &old_break), Error::ok);
    EXPECT_EQ(old_break, kHeap);
    ASSERT_EQ(sbrk(kA, 3 * kPageSize, &old_break), Error::ok);
    EXPECT_EQ(old_break, kHeap + 100);
    EXPECT_EQ(m_mm->region_count(kA), 1u); // grown in place
    EXPECT_EQ(stats(kA).committed, 4u);    // kHeap + 100 + 3 pages rounds up to four pages
    EXPECT_EQ(write(kA, kHeap + 3 * kPageSize + 50).kind, FaultAnswer::map);
    EXPECT_EQ(write(kA, kHeap + 4 * kPageSize).reason, kRefusedNoRegion);
    outbox();
    ASSERT_EQ(sbrk(kA, -static_cast<int32_t>(3 * kPageSize), &old_break), Error::ok);
    EXPECT_EQ(old_break, kHeap + 100 + 3 * kPageSize);
    EXPECT_EQ(stats(kA).committed, 1u);
    EXPECT_EQ(stats(kA).resident, 0u);
    EXPECT_EQ(read(kA, kHeap + kPageSize).reason, kRefusedNoRegion);
    EXPECT_EQ(sbrk(kA, -1000), Error::invalid_argument); // below the heap's start
    // A region in the way stops the heap.
    ASSERT_EQ(anon(kA, kHeap + 2 * kPageSize, 1), Error::ok);
    EXPECT_EQ(sbrk(kA, 2 * kPageSize), Error::exists);
    ASSERT_EQ(sbrk(kA, 0, &old_break), Error::ok);
    EXPECT_EQ(old_break, kHeap + 100);
}

TEST_F(MmMemoryManagerTest, SbrkNeedsAHeap) {
    ASSERT_EQ(attach(kA), Error::ok);
    EXPECT_EQ(sbrk(kA, kPageSize), Error::unsupported);
    EXPECT_EQ(sbrk(kStranger, kPageSize), Error::not_found);
}

// ---- Quotas
// ----------------------------------------------------------------------------------------

TEST_F(MmMemoryManagerTest, AClientOverQuotaGetsAnErrorAndNobodyElseIsAffected) {
    ASSERT_EQ(attach(kA, 8, 0x100000), Error::ok);
    ASSERT_EQ(attach(kB), Error::ok);
    ASSERT_EQ(anon(kA, 0x400000, 6), Error::ok);
    EXPECT_EQ(anon(kA, 0x500000, 3), Error::no_space);
    EXPECT_EQ(sbrk(kA, 3 * kPageSize), Error::no_space);
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0x600000, 3 * kPageSize, kRW, kRegionShared),
              Error::no_space);
    EXPECT_EQ(m_mm->region_count(kA), 1u);
    EXPECT_EQ(stats(kA).committed, 6u);
    EXPECT_EQ(sbrk(kA, 2 * kPageSize), Error::ok); // what fits still works
    EXPECT_EQ(stats(kA).committed, 8u);
    // B has no quota and is served as before.
    EXPECT_EQ(anon(kB, 0x400000, 64), Error::ok);
    EXPECT_EQ(write(kB, 0x400000).kind, FaultAnswer::map);
    // Every committed page of A can be touched: faults never fail for quota reasons.
    for (uint32_t i = 0; i < 6; ++i)
        EXPECT_EQ(write(kA, 0x400000 + i * kPageSize).kind, FaultAnswer::map);
    // A lower quota refuses further commitments only; unmapping makes room.
    ipc::Empty empty;
    ASSERT_EQ(m_mm->on_quota_set(kRoot, QuotaSetRequest{kA, 4}, empty), Error::ok);
    EXPECT_EQ(anon(kA, 0x500000, 1), Error::no_space);
    ASSERT_EQ(unmap(kA, AXO_NIL_THREAD, 0x400000, 6), Error::ok);
    EXPECT_EQ(anon(kA, 0x500000, 1), Error::ok);
}

// ---- Copy-on-write
// ---------------------------------------------------------------------------------

TEST_F(MmMemoryManagerTest, DuplicateSharesPagesUntilAWriteCopiesThem) {
    ASSERT_EQ(attach(kA, kNoQuota, 0x100000), Error::ok);
    ASSERT_EQ(attach(kC), Error::ok);
    ASSERT_EQ(anon(kA, 0x400000, 4), Error::ok);
    ASSERT_EQ(sbrk(kA, 2 * kPageSize), Error::ok);
    FaultAnswer pages[3];
    for (uint32_t i = 0; i < 3; ++i) {
        pages[i] = write(kA, 0x400000 + i * kPageSize);
        word(pages[i]) = 100 + i;
    }
    uint32_t data_before = stats().data_frames;
    m_flushes.clear();
    uint32_t shared = 0;
    ASSERT_EQ(duplicate(kRoot, kA, kC, &shared), Error::ok);
    EXPECT_EQ(shared, 3u);
    // The source lost W on every page at once.
    ASSERT_EQ(m_flushes.size(), 3u);
    for (uint32_t i = 0; i < 3; ++i)
        EXPECT_TRUE(flushed(axo_fpage(pages[i].source, 12, kW))) << i;
    // No page was copied; C committed what A did.
    EXPECT_EQ(stats().data_frames, data_before);
    EXPECT_EQ(stats(kC).committed, stats(kA).committed);
    EXPECT_EQ(stats(kC).resident, 3u);
    EXPECT_EQ(m_mm->region_count(kC), m_mm->region_count(kA));
    uint32_t old_break = 0;
    ASSERT_EQ(sbrk(kC, 0, &old_break), Error::ok);
    EXPECT_EQ(old_break, 0x100000u + 2 * kPageSize);

    // Reads on either side see the shared frame, read-only.
    FaultAnswer c_read = read(kC, 0x400000);
    ASSERT_EQ(c_read.kind, FaultAnswer::map);
    EXPECT_EQ(c_read.source, pages[0].source);
    EXPECT_EQ(c_read.rights, kR);
    FaultAnswer a_read = read(kA, 0x400000);
    EXPECT_EQ(a_read.rights, kR);
    // A writes: A gets a copy; C keeps the original.
    FaultAnswer a_write = write(kA, 0x400000);
    ASSERT_EQ(a_write.kind, FaultAnswer::map);
    EXPECT_NE(a_write.source, pages[0].source);
    EXPECT_EQ(a_write.rights, kRW);
    EXPECT_EQ(word(a_write), 100u);
    word(a_write) = 999;
    EXPECT_EQ(word(c_read), 100u);
    EXPECT_EQ(stats().cow_copies, 1u);
    // C writes the same page: the last reference is C's, so no copy is needed.
    FaultAnswer c_write = write(kC, 0x400000);
    EXPECT_EQ(c_write.source, pages[0].source);
    EXPECT_EQ(c_write.rights, kRW);
    EXPECT_EQ(stats().cow_copies, 1u);
    // C writes a page A never touched after: a copy for C, A keeps its frame.
    FaultAnswer c_second = write(kC, 0x401000);
    EXPECT_NE(c_second.source, pages[1].source);
    EXPECT_EQ(word(c_second), 101u);
    EXPECT_EQ(stats().cow_copies, 2u);
    EXPECT_EQ(stats().data_frames, data_before + 2);
    // A page nobody touched before the duplicate is private to whoever touches it.
    FaultAnswer c_fresh = write(kC, 0x403000);
    FaultAnswer a_fresh = write(kA, 0x403000);
    EXPECT_NE(c_fresh.source, a_fresh.source);

    // Detaching C drops its references; A's frames stay.
    ASSERT_EQ(detach(kC), Error::ok);
    FaultAnswer a_third = write(kA, 0x402000);
    EXPECT_EQ(a_third.source, pages[2].source); // the last reference: no copy
    EXPECT_EQ(stats().cow_copies, 2u);
}

TEST_F(MmMemoryManagerTest, ADuplicateTakesWOnlyFromPagesMappedWritableSinceTheLast) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(attach(kB), Error::ok);
    ASSERT_EQ(attach(kC), Error::ok);
    ASSERT_EQ(anon(kA, 0x400000, 4), Error::ok);
    FaultAnswer pages[3];
    for (uint32_t i = 0; i < 3; ++i)
        pages[i] = write(kA, 0x400000 + i * kPageSize);
    ASSERT_EQ(duplicate(kRoot, kA, kB), Error::ok);
    ASSERT_EQ(detach(kB), Error::ok); // A's frames are its own again, mapped read-only
    // A reads page 0 (its last reference: mapped with W again) and writes page 1; page 2 stays
    // read-only since the first duplicate.
    FaultAnswer read_again = read(kA, 0x400000);
    EXPECT_EQ(read_again.rights, kRW);
    EXPECT_EQ(write(kA, 0x401000).source, pages[1].source);
    m_flushes.clear();
    uint32_t shared = 0;
    ASSERT_EQ(duplicate(kRoot, kA, kC, &shared), Error::ok);
    EXPECT_EQ(shared, 3u);
    ASSERT_EQ(m_flushes.size(), 2u);
    EXPECT_TRUE(flushed(axo_fpage(pages[0].source, 12, kW)));
    EXPECT_TRUE(flushed(axo_fpage(pages[1].source, 12, kW)));
    // Still copy-on-write on both sides for all three.
    EXPECT_EQ(read(kA, 0x402000).rights, kR);
    EXPECT_NE(write(kC, 0x402000).source, pages[2].source);
}

TEST_F(MmMemoryManagerTest, ADuplicateAfterMoreWritablePagesThanItListsTakesWFromAll) {
    constexpr uint32_t kMany = MemoryManager::kWritableFrames + 8;
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(attach(kC), Error::ok);
    ASSERT_EQ(anon(kA, 0x400000, kMany), Error::ok);
    for (uint32_t i = 0; i < kMany; ++i)
        (void)write(kA, 0x400000 + i * kPageSize);
    m_flushes.clear();
    ASSERT_EQ(duplicate(kRoot, kA, kC), Error::ok);
    EXPECT_EQ(m_flushes.size(), kMany);
    // The list starts again empty: a second duplicate with nothing written flushes nothing.
    ASSERT_EQ(detach(kC), Error::ok);
    ASSERT_EQ(attach(kC), Error::ok);
    m_flushes.clear();
    ASSERT_EQ(duplicate(kRoot, kA, kC), Error::ok);
    EXPECT_EQ(m_flushes.size(), 0u);
}

TEST_F(MmMemoryManagerTest, DuplicateChecksItsArguments) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(attach(kB, 2), Error::ok);
    ASSERT_EQ(attach(kC), Error::ok);
    ASSERT_EQ(anon(kA, 0x400000, 4), Error::ok);
    ASSERT_EQ(anon(kC, 0x400000, 1), Error::ok);
    EXPECT_EQ(duplicate(kRoot, kA, kA), Error::invalid_argument);
    EXPECT_EQ(duplicate(kRoot, kA, kC), Error::invalid_argument); // C is not empty
    EXPECT_EQ(duplicate(kRoot, kA, kB), Error::no_space);         // B's quota is 2 pages
    EXPECT_EQ(m_mm->region_count(kB), 0u);
    EXPECT_EQ(stats(kB).committed, 0u);
    EXPECT_EQ(duplicate(kRoot, kA, kStranger), Error::not_found);
}

TEST_F(MmMemoryManagerTest, AFailedDuplicateLeavesNothingBehind) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(attach(kC), Error::ok);
    ASSERT_EQ(anon(kA, 0x400000, 1), Error::ok);
    ASSERT_EQ(anon(kA, 0x80000000, 1), Error::ok); // another directory entry
    write(kA, 0x400000);
    write(kA, 0x80000000);
    m_frames_left = 2; // C's directory and one table: the second table is missing
    uint32_t in_use = m_pool->in_use();
    EXPECT_EQ(duplicate(kRoot, kA, kC), Error::no_memory);
    EXPECT_EQ(m_mm->region_count(kC), 0u);
    EXPECT_EQ(stats(kC).committed, 0u);
    EXPECT_EQ(stats(kC).resident, 0u);
    EXPECT_EQ(m_pool->in_use(), in_use);
    // A's pages are still writable and private.
    FaultAnswer w = write(kA, 0x400000);
    EXPECT_EQ(w.rights, kRW);
    EXPECT_EQ(stats().cow_copies, 0u);
}

// ---- Shared memory
// ---------------------------------------------------------------------------------

TEST_F(MmMemoryManagerTest, ASharedObjectsLimitRevokesThePagesPastItForEveryClient) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(attach(kB, 1), Error::ok);
    RegionCreateReply made{};
    ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0x400000, 4 * kPageSize, kRW, kRegionShared, 0, 0,
                     AXO_NIL_THREAD, 0, &made),
              Error::ok);
    ipc::Empty none;
    ASSERT_EQ(m_mm->on_object_grant(kA, ObjectGrantRequest{made.object, kB}, none), Error::ok);
    ASSERT_EQ(create(kB, AXO_NIL_THREAD, 0x900000, 4 * kPageSize, kRW, kRegionShared, made.object),
              Error::ok);
    FaultAnswer kept = write(kA, 0x400000);
    word(kept) = 0x1111;
    FaultAnswer cut = write(kA, 0x402000);
    word(cut) = 0x2222;
    ASSERT_EQ(read(kB, 0x902000).source, cut.source);
    uint32_t in_use = m_pool->in_use();
    // Only the creator's client moves it.
    EXPECT_EQ(m_mm->on_object_limit(kB, ObjectLimitRequest{made.object, kPageSize}, none),
              Error::not_found);
    EXPECT_EQ(m_mm->on_object_limit(kA, ObjectLimitRequest{made.object + 7, kPageSize}, none),
              Error::not_found);
    // A file cut to 100 bytes: its first page stays, the rest goes from A and B alike.
    ASSERT_EQ(m_mm->on_object_limit(kA, ObjectLimitRequest{made.object, 100}, none), Error::ok);
    EXPECT_TRUE(flushed(axo_fpage(cut.source, 12, AXO_FPAGE_RWX)));
    EXPECT_EQ(m_pool->in_use(), in_use - 1) << "the cut page's frame is free";
    EXPECT_EQ(read(kB, 0x902000).reason, kRefusedBeyondEnd);
    EXPECT_EQ(write(kA, 0x401000).reason, kRefusedBeyondEnd);
    FaultAnswer first = read(kB, 0x900000);
    ASSERT_EQ(first.kind, FaultAnswer::map);
    EXPECT_EQ(word(first), 0x1111u);
    // Grown again: the pages come back, zero.
    ASSERT_EQ(m_mm->on_object_limit(kA, ObjectLimitRequest{made.object, 0xFFFFFFFFu}, none),
              Error::ok);
    FaultAnswer back = read(kB, 0x902000);
    ASSERT_EQ(back.kind, FaultAnswer::map);
    EXPECT_EQ(word(back), 0u);
    EXPECT_EQ(stats(kA).committed, 4u) << "the commitment is the object's size throughout";
}

TEST_F(MmMemoryManagerTest, ASharedObjectIsSeenByEveryRegionMappingIt) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(attach(kB, 1), Error::ok);
    RegionCreateReply made{};
    ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0x400000, 4 * kPageSize, kRW, kRegionShared, 0, 0,
                     AXO_NIL_THREAD, 0, &made),
              Error::ok);
    ASSERT_NE(made.object, 0u);
    EXPECT_EQ(stats(kA).committed, 4u); // charged to its creator
    RegionCreateReply mapped{};
    // B may not map it by its id until A authorises it (ids are no capabilities).
    EXPECT_EQ(create(kB, AXO_NIL_THREAD, 0x900000, 2 * kPageSize, kR, kRegionShared, made.object),
              Error::not_found);
    ipc::Empty none;
    EXPECT_EQ(m_mm->on_object_grant(kC, ObjectGrantRequest{made.object, kB}, none),
              Error::not_found); // not A's
    ASSERT_EQ(m_mm->on_object_grant(kA, ObjectGrantRequest{made.object, kB}, none), Error::ok);
    ASSERT_EQ(create(kB, AXO_NIL_THREAD, 0x900000, 2 * kPageSize, kR, kRegionShared, made.object,
                     2 * kPageSize, AXO_NIL_THREAD, 0, &mapped),
              Error::ok);
    EXPECT_EQ(mapped.object, made.object);
    EXPECT_EQ(stats(kB).committed, 0u); // not B's: its quota of one page does not matter
    FaultAnswer a = write(kA, 0x402000);
    word(a) = 0x5A5A;
    FaultAnswer b = read(kB, 0x900000);
    ASSERT_EQ(b.kind, FaultAnswer::map);
    EXPECT_EQ(b.source, a.source);
    EXPECT_EQ(b.rights, kR);
    EXPECT_EQ(word(b), 0x5A5Au);
    EXPECT_EQ(write(kB, 0x900000).reason, kRefusedProtection);
    // Beyond the object: refused at creation.
    EXPECT_EQ(
        create(kRoot, kB, 0xA00000, 3 * kPageSize, kR, kRegionShared, made.object, 2 * kPageSize),
        Error::invalid_argument);
    EXPECT_EQ(create(kRoot, kB, 0xA00000, kPageSize, kR, kRegionExternal, made.object),
              Error::not_found); // not an external object
    // The object lives while a region maps it.
    EXPECT_EQ(stats().objects, 1u);
    ASSERT_EQ(detach(kA), Error::ok);
    EXPECT_EQ(stats().objects, 1u);
    EXPECT_EQ(read(kB, 0x901000).kind, FaultAnswer::map);
    ASSERT_EQ(unmap(kB, AXO_NIL_THREAD, 0x900000, 2), Error::ok);
    EXPECT_EQ(stats().objects, 0u);
    EXPECT_EQ(stats().data_frames, 0u);
}

TEST_F(MmMemoryManagerTest, DuplicateKeepsSharedMemoryShared) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(attach(kC), Error::ok);
    ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0x400000, kPageSize, kRW, kRegionShared), Error::ok);
    FaultAnswer a = write(kA, 0x400000);
    ASSERT_EQ(duplicate(kRoot, kA, kC), Error::ok);
    FaultAnswer c = write(kC, 0x400000);
    EXPECT_EQ(c.source, a.source);
    EXPECT_EQ(c.rights, kRW);
    EXPECT_EQ(stats(kC).committed, 0u);
    EXPECT_EQ(stats().cow_copies, 0u);
}

// ---- External pagers
// -------------------------------------------------------------------------------

TEST_F(MmMemoryManagerTest, FaultsInAnExternalRegionAreForwarded) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(attach(kB), Error::ok);
    RegionCreateReply made{};
    ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0x400000, 8 * kPageSize, AXO_FPAGE_R | AXO_FPAGE_X,
                     kRegionExternal, 0, 0, kPager, 0xC00C1E, &made),
              Error::ok);
    EXPECT_EQ(stats(kA).committed, 0u); // the pager's memory
    FaultAnswer answer = read(kA, 0x403010);
    ASSERT_EQ(answer.kind, FaultAnswer::forward);
    EXPECT_EQ(answer.pager, kPager);
    EXPECT_EQ(answer.cookie, 0xC00C1Eu);
    EXPECT_EQ(answer.offset, 3 * kPageSize);
    EXPECT_EQ(answer.access, kR);
    EXPECT_EQ(answer.page, 0x403000u);
    EXPECT_EQ(answer.source, kLanding + 3 * kPageSize);
    EXPECT_EQ(answer.rights, AXO_FPAGE_R | AXO_FPAGE_X);
    EXPECT_EQ(stats().forwards, 1u);
    // A write is the region's business first.
    EXPECT_EQ(write(kA, 0x403000).reason, kRefusedProtection);
    // Another client mapping the same object shares the landing pages.
    ASSERT_EQ(create(kRoot, kB, 0x100000, 2 * kPageSize, kRW, kRegionExternal, made.object,
                     2 * kPageSize),
              Error::ok);
    FaultAnswer b = write(kB, 0x101000);
    ASSERT_EQ(b.kind, FaultAnswer::forward);
    EXPECT_EQ(b.source, kLanding + 3 * kPageSize);
    EXPECT_EQ(b.access, kW);
    // Both are outstanding at once, each with a token of its own.
    EXPECT_NE(b.token, answer.token);
    EXPECT_EQ(m_mm->outstanding(), 2u);
}

TEST_F(MmMemoryManagerTest, AFailedForwardIsARefusedFault) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0x400000, kPageSize, kR, kRegionExternal, 0, 0, kPager),
              Error::ok);
    FaultAnswer answer = m_mm->fault(kA, 0x400004, 0x777, kR);
    ASSERT_EQ(answer.kind, FaultAnswer::forward);
    outbox();
    m_mm->external_failed(kA, answer);
    FaultStateReply state = fault_state(kA);
    EXPECT_EQ(state.reason, kRefusedExternal);
    EXPECT_EQ(state.address, 0x400004u);
    EXPECT_EQ(state.ip, 0x777u);
    std::vector<Deferred> work = outbox();
    ASSERT_EQ(work.size(), 1u);
    EXPECT_EQ(work[0].notice.reason, kRefusedExternal);
    // Retried, it is forwarded again: outstanding, no answer yet.
    ASSERT_EQ(retry(kRoot, kA, 0), Error::ok);
    EXPECT_TRUE(outbox().empty());
    EXPECT_EQ(m_mm->outstanding(), 2u); // the first one (failed by hand above) and this
    EXPECT_EQ(fault_state(kA).reason, kRefusedNone);
}

TEST_F(MmMemoryManagerTest, UnmappingAnExternalRegionFlushesItsLandingPages) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(
        create(kA, AXO_NIL_THREAD, 0x400000, 4 * kPageSize, kR, kRegionExternal, 0, 0, kPager),
        Error::ok);
    ASSERT_EQ(
        create(kA, AXO_NIL_THREAD, 0x800000, 4 * kPageSize, kR, kRegionExternal, 0, 0, kPager),
        Error::ok);
    m_flushes.clear();
    // Pages 1..2 of the second object (landing kLanding + 16 KiB): one 8 KiB fpage.
    ASSERT_EQ(unmap(kA, AXO_NIL_THREAD, 0x801000, 2), Error::ok);
    ASSERT_EQ(m_flushes.size(), 2u); // the middle: one fpage per aligned piece
    EXPECT_EQ(m_flushes[0].fpage, axo_fpage(kLanding + 5 * kPageSize, 12, AXO_FPAGE_RWX));
    EXPECT_EQ(m_flushes[1].fpage, axo_fpage(kLanding + 6 * kPageSize, 12, AXO_FPAGE_RWX));
    m_flushes.clear();
    // The whole first object goes: its landing pages leave mm too (own).
    ASSERT_EQ(unmap(kA, AXO_NIL_THREAD, 0x400000, 4), Error::ok);
    bool own_flush = false;
    for (const Flush& f : m_flushes)
        own_flush |= f.own && f.fpage == axo_fpage(kLanding, 14, AXO_FPAGE_RWX);
    EXPECT_TRUE(own_flush);
    // Its slice of the landing range serves the next object.
    RegionCreateReply made{};
    ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0x400000, 2 * kPageSize, kR, kRegionExternal, 0, 0, kPager,
                     0, &made),
              Error::ok);
    EXPECT_EQ(read(kA, 0x400000).source, kLanding);
}

// ---- Detach
// ------------------------------------------------------------------------------------------

TEST_F(MmMemoryManagerTest, DetachingEveryClientReturnsEveryFrame) {
    for (int round = 0; round < 20; ++round) {
        ASSERT_EQ(attach(kA, kNoQuota, 0x100000), Error::ok);
        ASSERT_EQ(attach(kB), Error::ok);
        ASSERT_EQ(attach(kC), Error::ok);
        ASSERT_EQ(anon(kA, 0x400000, 8), Error::ok);
        ASSERT_EQ(sbrk(kA, 4 * kPageSize), Error::ok);
        RegionCreateReply made{};
        ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0x800000, 2 * kPageSize, kRW, kRegionShared, 0, 0,
                         AXO_NIL_THREAD, 0, &made),
                  Error::ok);
        ASSERT_EQ(create(kRoot, kB, 0x800000, 2 * kPageSize, kRW, kRegionShared, made.object),
                  Error::ok);
        for (uint32_t i = 0; i < 8; ++i)
            write(kA, 0x400000 + i * kPageSize);
        write(kA, 0x100000);
        write(kB, 0x801000);
        ASSERT_EQ(duplicate(kRoot, kA, kC), Error::ok);
        write(kC, 0x400000);
        write(kA, 0x401000);
        outbox();
        ASSERT_EQ(detach(kB), Error::ok);
        ASSERT_EQ(detach(kA), Error::ok);
        ASSERT_EQ(detach(kC), Error::ok);
        StatisticsReply s = stats();
        ASSERT_EQ(s.clients, 0u);
        ASSERT_EQ(s.objects, 0u);
        ASSERT_EQ(s.data_frames, 0u);
        ASSERT_EQ(s.table_frames, 0u);
    }
    EXPECT_LE(m_pool->backed(), 64u); // frames are reused, not taken anew each round
}

// ---- Copied external pages (kRegionCopy) -----------------------------------------------------

TEST_F(MmMemoryManagerTest, ACopyRegionForwardsOnceThenThePageIsTheClients) {
    ASSERT_EQ(attach(kA, 16), Error::ok);
    RegionCreateReply made{};
    ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0x400000, 4 * kPageSize, kRW, kRegionCopy, 0, 0, kPager,
                     0xC0DE, &made),
              Error::ok);
    EXPECT_NE(made.object, 0u);
    EXPECT_EQ(stats(kA).committed, 4u); // copies are the client's memory
    FaultAnswer answer = write(kA, 0x401008);
    ASSERT_EQ(answer.kind, FaultAnswer::forward);
    EXPECT_TRUE(answer.copy);
    EXPECT_EQ(answer.cookie, 0xC0DEu);
    EXPECT_EQ(answer.offset, kPageSize);
    EXPECT_EQ(answer.source, kLanding + kPageSize);
    std::vector<uint8_t> landed(kPageSize, 0x5A);
    EXPECT_EQ(stats().data_frames, 0u);
    uint32_t source = m_mm->complete_copy(kA, answer, landed.data());
    ASSERT_NE(source, 0u);
    EXPECT_EQ(stats().data_frames, 1u);
    EXPECT_EQ(m_pool->data(m_pool->frame_at(source))[100], 0x5A);
    // mm dropped its own mapping of the pager's page.
    EXPECT_TRUE(flushed(axo_fpage(kLanding + kPageSize, kPageBits, AXO_FPAGE_RWX)));
    EXPECT_EQ(stats(kA).resident, 1u);
    // The next fault is answered from the client's own frame, without the pager.
    FaultAnswer again = read(kA, 0x401000);
    EXPECT_EQ(again.kind, FaultAnswer::map);
    EXPECT_EQ(again.source, source);
    // Unmap frees the copy and the commitment; the object goes with its last region.
    ASSERT_EQ(unmap(kA, AXO_NIL_THREAD, 0x400000, 4), Error::ok);
    EXPECT_EQ(stats().data_frames, 0u);
    EXPECT_EQ(stats(kA).committed, 0u);
    EXPECT_EQ(stats().objects, 0u);
}

TEST_F(MmMemoryManagerTest, ACopyRegionIsChargedAndDuplicatedCopyOnWrite) {
    ASSERT_EQ(attach(kA, 3), Error::ok);
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0x400000, 4 * kPageSize, kRW, kRegionCopy, 0, 0, kPager),
              Error::no_space);
    EXPECT_EQ(stats().objects, 0u); // nothing made
    ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0x400000, 2 * kPageSize, kRW, kRegionCopy, 0, 0, kPager),
              Error::ok);
    std::vector<uint8_t> landed(kPageSize, 7);
    FaultAnswer answer = write(kA, 0x400000);
    ASSERT_EQ(answer.kind, FaultAnswer::forward);
    ASSERT_NE(m_mm->complete_copy(kA, answer, landed.data()), 0u);
    ASSERT_EQ(attach(kB), Error::ok);
    uint32_t shared = 0;
    ASSERT_EQ(duplicate(kRoot, kA, kB, &shared), Error::ok);
    EXPECT_EQ(shared, 1u);
    EXPECT_EQ(stats(kB).committed, 2u);
    // The copied page is shared copy-on-write; the untouched one still comes from the pager.
    FaultAnswer b = read(kB, 0x400000);
    EXPECT_EQ(b.kind, FaultAnswer::map);
    EXPECT_EQ(b.rights & AXO_FPAGE_W, 0u);
    uint32_t copies = stats().cow_copies;
    EXPECT_EQ(write(kB, 0x400000).kind, FaultAnswer::map);
    EXPECT_EQ(stats().cow_copies, copies + 1);
    EXPECT_EQ(read(kB, 0x401000).kind, FaultAnswer::forward);
    ASSERT_EQ(detach(kA), Error::ok);
    ASSERT_EQ(detach(kB), Error::ok);
    EXPECT_EQ(stats().objects, 0u);
    EXPECT_EQ(stats().data_frames, 0u);
}

TEST_F(MmMemoryManagerTest, ReadOnlyCopyRegionsOfOneObjectShareOneKeptCopy) {
    // Two clients map one external object (a program's image) with a read-only part (code)
    // and a writable part (data), as proc does for two processes of one program.
    constexpr uint32_t kRX = AXO_FPAGE_R | AXO_FPAGE_X;
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(attach(kB), Error::ok);
    RegionCreateReply made{};
    ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0x400000, 4 * kPageSize, kRX, kRegionCopy, 0, 0, kPager,
                     0xC0DE, &made),
              Error::ok);
    ASSERT_EQ(create(kRoot, kB, 0x400000, 2 * kPageSize, kRX, kRegionCopy, made.object, 0),
              Error::ok);
    ASSERT_EQ(
        create(kRoot, kB, 0x402000, 2 * kPageSize, kRW, kRegionCopy, made.object, 2 * kPageSize),
        Error::ok);
    std::vector<uint8_t> landed(kPageSize, 0x90);
    // A's read of code: forwarded, the copy is the object's, mapped without W.
    FaultAnswer a = read(kA, 0x401000);
    ASSERT_EQ(a.kind, FaultAnswer::forward);
    EXPECT_TRUE(a.keep);
    uint32_t kept = m_mm->complete_copy(kA, a, landed.data());
    ASSERT_NE(kept, 0u);
    EXPECT_EQ(stats().data_frames, 1u);
    EXPECT_EQ(stats(kA).resident, 0u); // not A's own page
    // B's read of the same page: no forward, no frame, the same copy, read-only.
    FaultAnswer b = read(kB, 0x401000);
    ASSERT_EQ(b.kind, FaultAnswer::map);
    EXPECT_EQ(b.source, kept);
    EXPECT_EQ(b.rights & AXO_FPAGE_W, 0u);
    EXPECT_EQ(stats().data_frames, 1u);
    // A write to code is refused (proc turns it into vector 14).
    EXPECT_EQ(write(kA, 0x401000).kind, FaultAnswer::refuse);
    // B's writable part stays private: forwarded and copied into B's own table.
    FaultAnswer data = write(kB, 0x402000);
    ASSERT_EQ(data.kind, FaultAnswer::forward);
    EXPECT_FALSE(data.keep);
    ASSERT_NE(m_mm->complete_copy(kB, data, landed.data()), 0u);
    EXPECT_EQ(stats(kB).resident, 1u);
    EXPECT_EQ(stats().data_frames, 2u);
    // A makes its page of code writable: a write then takes a private copy of the kept one.
    m_flushes.clear();
    ASSERT_EQ(protect(kA, AXO_NIL_THREAD, 0x401000, 1, kRW), Error::ok);
    EXPECT_FALSE(flushed(axo_fpage(kept, kPageBits, AXO_FPAGE_RWX))); // giving rights: no flush
    FaultAnswer own = write(kA, 0x401000);
    ASSERT_EQ(own.kind, FaultAnswer::map);
    EXPECT_NE(own.source, kept);
    EXPECT_EQ(stats().data_frames, 3u);
    EXPECT_EQ(read(kB, 0x401000).source, kept); // B still sees the object's copy
    // A's unmap of the page takes the kept copy from everyone (one mapping to revoke); B
    // faults it back. A's end takes nothing more: its space is gone.
    m_flushes.clear();
    ASSERT_EQ(unmap(kA, AXO_NIL_THREAD, 0x401000, 1), Error::ok);
    EXPECT_TRUE(flushed(axo_fpage(kept, kPageBits, AXO_FPAGE_RWX)));
    m_flushes.clear();
    ASSERT_EQ(detach(kA), Error::ok);
    EXPECT_FALSE(flushed(axo_fpage(kept, kPageBits, AXO_FPAGE_RWX)));
    EXPECT_EQ(stats().data_frames, 2u); // A's private copy went; the object still lives (B)
    EXPECT_EQ(stats().objects, 1u);
    ASSERT_EQ(detach(kB), Error::ok);
    EXPECT_EQ(stats().objects, 0u);
    EXPECT_EQ(stats().data_frames, 0u); // the kept copy went with the object
}

// One process of a program churns its own image (unmap, remap, protect away and back) and
// ends; another of the same program runs on the kept copy of a code page the whole time.
// Each churn takes the kept page from both (mm has one mapping of it to revoke from), so the
// bystander faults the same page again and again: answered every time, never refused as a
// repeat, and never at all because of the churner's end.
TEST_F(MmMemoryManagerTest, AnotherClientsChurnNeverCostsABystanderItsKeptCodePage) {
    constexpr uint32_t kRX = AXO_FPAGE_R | AXO_FPAGE_X;
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(attach(kB), Error::ok);
    RegionCreateReply made{};
    ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0x400000, 2 * kPageSize, kRX, kRegionCopy, 0, 0, kPager,
                     0xC0DE, &made),
              Error::ok);
    ASSERT_EQ(create(kRoot, kB, 0x400000, 2 * kPageSize, kRX, kRegionCopy, made.object, 0),
              Error::ok);
    std::vector<uint8_t> landed(kPageSize, 0x90);
    FaultAnswer first = read(kB, 0x400000);
    ASSERT_EQ(first.kind, FaultAnswer::forward);
    uint32_t kept = m_mm->complete_copy(kB, first, landed.data());
    ASSERT_NE(kept, 0u);
    for (uint32_t round = 0; round < 4 * kMaxFaultRepeats; ++round) {
        m_flushes.clear();
        switch (round % 3) {
        case 0: // unmapped and mapped again
            ASSERT_EQ(unmap(kA, AXO_NIL_THREAD, 0x400000, 1), Error::ok);
            ASSERT_EQ(
                create(kA, AXO_NIL_THREAD, 0x400000, kPageSize, kRX, kRegionCopy, made.object, 0),
                Error::ok);
            break;
        case 1: // no rights, then back
            ASSERT_EQ(protect(kA, AXO_NIL_THREAD, 0x400000, 1, 0), Error::ok);
            ASSERT_EQ(protect(kA, AXO_NIL_THREAD, 0x400000, 1, kRX), Error::ok);
            break;
        case 2: // made writable, written (a private copy), read-only again
            ASSERT_EQ(protect(kA, AXO_NIL_THREAD, 0x400000, 1, AXO_FPAGE_RWX), Error::ok);
            ASSERT_EQ(write(kA, 0x400000).kind, FaultAnswer::map);
            ASSERT_EQ(protect(kA, AXO_NIL_THREAD, 0x400000, 1, kRX), Error::ok);
            ASSERT_EQ(unmap(kA, AXO_NIL_THREAD, 0x400000, 1), Error::ok); // the copy goes
            ASSERT_EQ(
                create(kA, AXO_NIL_THREAD, 0x400000, kPageSize, kRX, kRegionCopy, made.object, 0),
                Error::ok);
            break;
        }
        EXPECT_TRUE(flushed(axo_fpage(kept, kPageBits, AXO_FPAGE_RWX))) << round;
        // The bystander's next instruction fetch on that page.
        FaultAnswer b = m_mm->fault(kB, 0x400010, 0x400010, kR);
        ASSERT_EQ(b.kind, FaultAnswer::map) << "round " << round << ": reason " << b.reason;
        EXPECT_EQ(b.source, kept);
    }
    EXPECT_EQ(stats(kB).refused, 0u);
    // The churner ends: its space is gone, so nothing the bystander maps is taken.
    m_flushes.clear();
    ASSERT_EQ(detach(kA), Error::ok);
    EXPECT_FALSE(flushed(axo_fpage(kept, kPageBits, AXO_FPAGE_RWX)));
    EXPECT_EQ(stats().objects, 1u);
    EXPECT_EQ(read(kB, 0x400000).source, kept);
    // The object's end still takes its copies from everyone before the frames are reused.
    m_flushes.clear();
    ASSERT_EQ(detach(kB), Error::ok);
    EXPECT_TRUE(flushed(axo_fpage(kept, kPageBits, AXO_FPAGE_RWX)));
    EXPECT_EQ(stats().data_frames, 0u);
}

// A fork's parent ends: the frames it shared copy-on-write with the child stay mapped in the
// child (only the parent's own frames are flushed, before they are reused).
TEST_F(MmMemoryManagerTest, AParentsEndLeavesItsChildsSharedFramesMapped) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(anon(kA, 0x100000, 2), Error::ok);
    FaultAnswer shared = write(kA, 0x100000);
    ASSERT_EQ(shared.kind, FaultAnswer::map);
    ASSERT_EQ(attach(kB), Error::ok);
    ASSERT_EQ(duplicate(kRoot, kA, kB), Error::ok);
    FaultAnswer own = write(kA, 0x101000); // after the fork: A's alone
    ASSERT_EQ(own.kind, FaultAnswer::map);
    ASSERT_EQ(read(kB, 0x100000).source, shared.source);
    m_flushes.clear();
    ASSERT_EQ(detach(kA), Error::ok);
    EXPECT_FALSE(flushed(axo_fpage(shared.source, kPageBits, AXO_FPAGE_RWX)));
    EXPECT_TRUE(flushed(axo_fpage(own.source, kPageBits, AXO_FPAGE_RWX)));
    // The child owns the frame alone now: its write maps it writable, no copy.
    FaultAnswer mine = write(kB, 0x100000);
    EXPECT_EQ(mine.source, shared.source);
    EXPECT_NE(mine.rights & AXO_FPAGE_W, 0u);
}

// A fault repeated with no flush in between is still refused: the detector of answers that do
// not work stays (AFaultRepeatedDespiteAnswersIsRefused), only flushes restart it.
TEST_F(MmMemoryManagerTest, AFlushBetweenTwoFaultsMakesTheSecondNoRepeat) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(anon(kA, 0x100000, 1), Error::ok);
    for (uint32_t i = 0; i < 3 * kMaxFaultRepeats; ++i) {
        ASSERT_EQ(read(kA, 0x100000).kind, FaultAnswer::map) << i;
        ASSERT_EQ(protect(kA, AXO_NIL_THREAD, 0x100000, 1, 0), Error::ok);
        ASSERT_EQ(protect(kA, AXO_NIL_THREAD, 0x100000, 1, kRW), Error::ok);
    }
    for (uint32_t i = 0; i < kMaxFaultRepeats; ++i)
        ASSERT_EQ(read(kA, 0x100000).kind, FaultAnswer::map) << i;
    EXPECT_EQ(read(kA, 0x100000).reason, kRefusedRepeated);
}

// ---- Asynchronous external paging (kMmPagerWait) ------------------------------------------------

class MmPagerTest : public MmMemoryManagerTest {
protected:
    // A pager's kMmPagerWait: answers `token` (landed: where its page went, 0 for none) and
    // waits. `kept`: whether mm keeps the landed page.
    Error pager_wait(axo_thread_id_t pager, uint32_t token, uint32_t landed, ExternalFault& fault,
                     bool* kept = nullptr, uint32_t error = 0, const void* bytes = nullptr) {
        bool keep = false;
        fault = ExternalFault{};
        Error e = m_mm->on_pager_wait(pager, PagerWaitRequest{token, error}, landed,
                                      bytes != nullptr ? bytes : m_landed.data(), fault, keep);
        if (kept) *kept = keep;
        return e;
    }
    std::vector<uint8_t> m_landed = std::vector<uint8_t>(kPageSize, 0x3C);
};

TEST_F(MmPagerTest, AForwardedFaultWaitsForThePagerWhileOthersAreServed) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(attach(kB), Error::ok);
    ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0x400000, 4 * kPageSize, kR, kRegionExternal, 0, 0, kPager,
                     0xC0C0),
              Error::ok);
    ASSERT_EQ(anon(kB, 0x100000, 1), Error::ok);
    ExternalFault fault{};
    // Nobody names a stranger as pager: it may not wait.
    EXPECT_EQ(pager_wait(kStranger, 0, 0, fault), Error::no_permission);
    FaultAnswer a = read(kA, 0x402000);
    ASSERT_EQ(a.kind, FaultAnswer::forward);
    EXPECT_NE(a.token, 0u);
    EXPECT_TRUE(outbox().empty()); // the pager does not wait yet: queued
    // Meanwhile B's fault is served at once.
    EXPECT_EQ(write(kB, 0x100000).kind, FaultAnswer::map);
    // The pager's wait gets the queued fault at once.
    ASSERT_EQ(pager_wait(kPager, 0, 0, fault), Error::ok);
    EXPECT_EQ(fault.token, a.token);
    EXPECT_EQ(fault.cookie, 0xC0C0u);
    EXPECT_EQ(fault.offset, 2 * kPageSize);
    EXPECT_EQ(fault.access, kR);
    EXPECT_EQ(fault.client, kA);
    EXPECT_EQ(fault.send_base, kLanding + 2 * kPageSize);
    // Its answer (the page landed where mm asked) is A's page; then it waits (deferred).
    bool kept = false;
    EXPECT_EQ(pager_wait(kPager, fault.token, fault.send_base, fault, &kept), ipc::kNoReply);
    EXPECT_TRUE(kept);
    std::vector<Deferred> work = outbox();
    ASSERT_EQ(work.size(), 1u);
    EXPECT_EQ(work[0].kind, Deferred::answer);
    EXPECT_EQ(work[0].to, kA);
    EXPECT_EQ(work[0].fault.kind, FaultAnswer::map);
    EXPECT_EQ(work[0].fault.page, 0x402000u);
    EXPECT_EQ(work[0].fault.source, kLanding + 2 * kPageSize);
    EXPECT_EQ(m_mm->outstanding(), 0u);
    // The pager waits now: the next fault is offered to it through the outbox.
    FaultAnswer next = read(kA, 0x403000);
    work = outbox();
    ASSERT_EQ(work.size(), 1u);
    EXPECT_EQ(work[0].kind, Deferred::pager);
    EXPECT_EQ(work[0].to, kPager);
    EXPECT_EQ(work[0].external.token, next.token);
    // Not delivered (the pager gave up its call): its next wait gets it again.
    m_mm->unoffer(next.token);
    ASSERT_EQ(pager_wait(kPager, 0, 0, fault), Error::ok);
    EXPECT_EQ(fault.token, next.token);
}

TEST_F(MmPagerTest, WrongAnswersFailOnlyTheirFaultAndLeaveNoPage) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(
        create(kA, AXO_NIL_THREAD, 0x400000, 4 * kPageSize, kR, kRegionExternal, 0, 0, kPager),
        Error::ok);
    ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0x800000, kPageSize, kR, kRegionExternal, 0, 0, kC),
              Error::ok);
    ExternalFault fault{};
    FaultAnswer a = read(kA, 0x400000);
    ASSERT_EQ(pager_wait(kPager, 0, 0, fault), Error::ok);
    // Another pager (of another object) cannot answer it, and its page does not stay.
    bool kept = true;
    EXPECT_EQ(pager_wait(kC, a.token, a.source, fault, &kept), ipc::kNoReply);
    EXPECT_FALSE(kept);
    EXPECT_EQ(m_mm->outstanding(), 1u);
    // The right pager, but the page landed elsewhere: refused, the page dropped.
    EXPECT_EQ(pager_wait(kPager, a.token, a.source + kPageSize, fault, &kept), ipc::kNoReply);
    EXPECT_FALSE(kept);
    EXPECT_EQ(fault_state(kA).reason, kRefusedExternal);
    EXPECT_EQ(m_mm->outstanding(), 0u);
    // A late answer to it later: nothing.
    EXPECT_EQ(pager_wait(kPager, a.token, a.source, fault, &kept), ipc::kNoReply);
    EXPECT_FALSE(kept);
    // An error answer refuses the fault too.
    ASSERT_EQ(retry(kHandler, kA, 1), Error::ok);
    outbox();
    FaultAnswer b = read(kA, 0x401000);
    ASSERT_EQ(outbox().size(), 1u); // offered to the waiting pager
    EXPECT_EQ(pager_wait(kPager, b.token, 0, fault, &kept, static_cast<uint32_t>(Error::not_found)),
              ipc::kNoReply);
    EXPECT_EQ(fault_state(kA).reason, kRefusedExternal);
}

TEST_F(MmPagerTest, APagerThatNeverAnswersCostsItsClientsATimeoutOnly) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(attach(kB), Error::ok);
    ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0x400000, kPageSize, kR, kRegionExternal, 0, 0, kPager),
              Error::ok);
    ASSERT_EQ(anon(kB, 0x100000, 1), Error::ok);
    m_mm->set_clock(1000);
    FaultAnswer a = read(kA, 0x400000);
    ASSERT_EQ(a.kind, FaultAnswer::forward);
    EXPECT_EQ(m_mm->next_deadline(), 1000u + kExternalTimeoutUs);
    m_mm->set_clock(1000 + kExternalTimeoutUs - 1);
    m_mm->expire();
    EXPECT_EQ(m_mm->outstanding(), 1u);
    EXPECT_EQ(write(kB, 0x100000).kind, FaultAnswer::map); // others served meanwhile
    m_mm->set_clock(1000 + kExternalTimeoutUs);
    m_mm->expire();
    EXPECT_EQ(m_mm->outstanding(), 0u);
    EXPECT_EQ(m_mm->next_deadline(), 0u);
    EXPECT_EQ(fault_state(kA).reason, kRefusedExternal);
    std::vector<Deferred> work = outbox();
    ASSERT_EQ(work.size(), 1u);
    EXPECT_EQ(work[0].kind, Deferred::notify); // reported like any refused fault
    EXPECT_EQ(work[0].notice.reason, kRefusedExternal);
}

TEST_F(MmPagerTest, ManyFaultsOnTwoPagersAreOutstandingAtOnce) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(attach(kA2, kNoQuota, 0, kA), Error::ok);
    ASSERT_EQ(attach(kB), Error::ok);
    ASSERT_EQ(attach(kC), Error::ok);
    ASSERT_EQ(
        create(kA, AXO_NIL_THREAD, 0x400000, 4 * kPageSize, kR, kRegionExternal, 0, 0, kPager, 1),
        Error::ok);
    const axo_thread_id_t kPager2 = axo_thread_id(61, 1);
    ASSERT_EQ(
        create(kB, AXO_NIL_THREAD, 0x400000, 4 * kPageSize, kR, kRegionExternal, 0, 0, kPager2, 2),
        Error::ok);
    ASSERT_EQ(
        create(kC, AXO_NIL_THREAD, 0x400000, 4 * kPageSize, kRW, kRegionCopy, 0, 0, kPager2, 3),
        Error::ok);
    FaultAnswer faults[4] = {read(kA, 0x400000), read(kA2, 0x401000), read(kB, 0x400000),
                             read(kC, 0x402000)};
    for (const FaultAnswer& f : faults)
        ASSERT_EQ(f.kind, FaultAnswer::forward);
    EXPECT_EQ(m_mm->outstanding(), 4u);
    ExternalFault fault{};
    // Each pager gets its own faults, oldest first.
    ASSERT_EQ(pager_wait(kPager2, 0, 0, fault), Error::ok);
    EXPECT_EQ(fault.token, faults[2].token);
    ASSERT_EQ(pager_wait(kPager, 0, 0, fault), Error::ok);
    EXPECT_EQ(fault.token, faults[0].token);
    ASSERT_EQ(pager_wait(kPager, fault.token, faults[0].source, fault), Error::ok);
    EXPECT_EQ(fault.token, faults[1].token);
    // The copy region's page: copied into C's memory, the landed page dropped by mm.
    ASSERT_EQ(pager_wait(kPager2, faults[2].token, faults[2].source, fault), Error::ok);
    EXPECT_EQ(fault.token, faults[3].token);
    m_flushes.clear();
    bool kept = false;
    EXPECT_EQ(pager_wait(kPager2, faults[3].token, faults[3].source, fault, &kept), ipc::kNoReply);
    EXPECT_TRUE(kept);
    EXPECT_TRUE(flushed(axo_fpage(faults[3].source, kPageBits, AXO_FPAGE_RWX)));
    uint32_t frame = m_mm->frame_of(kC, 0x402000);
    ASSERT_NE(frame, FramePool::kNone);
    EXPECT_EQ(m_pool->data(frame)[17], 0x3C);
    std::vector<Deferred> work = outbox();
    ASSERT_EQ(work.size(), 3u); // A's, B's and C's answers (A2's is still outstanding)
    EXPECT_EQ(m_mm->outstanding(), 1u);
    // The table is finite: beyond it a fault is refused (busy), not queued without end.
    ASSERT_EQ(
        create(kB, AXO_NIL_THREAD, 0x1000000, 64 * kPageSize, kR, kRegionExternal, 0, 0, kPager2),
        Error::ok);
    for (uint32_t i = 1; i < kMaxOutstandingForwards; ++i)
        ASSERT_EQ(m_mm->fault(kB, 0x1000000 + i * kPageSize, 0, kR).kind, FaultAnswer::forward);
    EXPECT_EQ(m_mm->outstanding(), kMaxOutstandingForwards);
    FaultAnswer busy = read(kB, 0x1000000);
    EXPECT_EQ(busy.kind, FaultAnswer::refuse);
    EXPECT_EQ(busy.reason, kRefusedBusy);
}

TEST_F(MmPagerTest, ARegionChangeOrTheClientsEndEndsItsForwardedFaults) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(
        create(kA, AXO_NIL_THREAD, 0x400000, 4 * kPageSize, kRW, kRegionExternal, 0, 0, kPager),
        Error::ok);
    ExternalFault fault{};
    FaultAnswer a = read(kA, 0x400000);
    ASSERT_EQ(pager_wait(kPager, 0, 0, fault), Error::ok);
    // The client takes W from the page: the fault ends empty (the thread retries).
    ASSERT_EQ(protect(kA, AXO_NIL_THREAD, 0x400000, 1, kR), Error::ok);
    std::vector<Deferred> work = outbox();
    ASSERT_EQ(work.size(), 1u);
    EXPECT_EQ(work[0].to, kA);
    EXPECT_EQ(work[0].fault.kind, FaultAnswer::empty);
    EXPECT_EQ(m_mm->outstanding(), 0u);
    bool kept = true;
    EXPECT_EQ(pager_wait(kPager, a.token, a.source, fault, &kept), ipc::kNoReply);
    EXPECT_FALSE(kept); // too late: dropped
    // The client ends while a fault waits: nobody to answer, nothing left behind.
    FaultAnswer b = read(kA, 0x401000);
    work = outbox();
    ASSERT_EQ(work.size(), 1u); // offered to the waiting pager
    ASSERT_EQ(detach(kA), Error::ok);
    EXPECT_EQ(m_mm->outstanding(), 0u);
    EXPECT_TRUE(outbox().empty());
    // The object is gone too: its pager may not wait any more.
    EXPECT_EQ(pager_wait(kPager, b.token, b.source, fault, &kept), Error::no_permission);
    EXPECT_FALSE(kept);
}

// ---- Objects made by their pager
// ------------------------------------------------------------------

TEST_F(MmPagerTest, APagersObjectIsMappedOnlyByClientsItAuthorised) {
    ASSERT_EQ(attach(kA), Error::ok);
    ASSERT_EQ(attach(kB), Error::ok);
    ipc::Empty none;
    ObjectCreateReply made{};
    EXPECT_EQ(m_mm->on_object_create(kPager, ObjectCreateRequest{0x1234, 1}, made),
              Error::invalid_argument);
    ASSERT_EQ(m_mm->on_object_create(kPager, ObjectCreateRequest{4 * kPageSize, 0xF11E}, made),
              Error::ok);
    EXPECT_EQ(stats().objects, 1u); // it lives without a region: the pager holds it
    // Guessing the id maps nothing; nor may anyone but its pager (or the root task) grant it.
    EXPECT_EQ(create(kA, AXO_NIL_THREAD, 0x400000, 4 * kPageSize, kR, kRegionExternal, made.object),
              Error::not_found);
    EXPECT_EQ(m_mm->on_object_grant(kA, ObjectGrantRequest{made.object, kA}, none),
              Error::not_found);
    ASSERT_EQ(m_mm->on_object_grant(kPager, ObjectGrantRequest{made.object, kA}, none), Error::ok);
    ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0x400000, 4 * kPageSize, kR, kRegionExternal, made.object),
              Error::ok);
    EXPECT_EQ(create(kB, AXO_NIL_THREAD, 0x400000, 4 * kPageSize, kR, kRegionCopy, made.object),
              Error::not_found);
    FaultAnswer a = read(kA, 0x401000);
    ASSERT_EQ(a.kind, FaultAnswer::forward);
    ExternalFault fault{};
    ASSERT_EQ(pager_wait(kPager, 0, 0, fault), Error::ok);
    EXPECT_EQ(fault.cookie, 0xF11Eu);
    // The pager ends the object: it stays while A maps it, then goes.
    ASSERT_EQ(m_mm->on_object_end(kPager, ObjectEndRequest{made.object}, none), Error::ok);
    EXPECT_EQ(m_mm->on_object_end(kPager, ObjectEndRequest{made.object}, none), Error::not_found);
    EXPECT_EQ(stats().objects, 1u);
    ASSERT_EQ(unmap(kA, AXO_NIL_THREAD, 0x400000, 4), Error::ok);
    EXPECT_EQ(stats().objects, 0u);
    // An authorisation goes with the client: the index's next client is not authorised.
    ASSERT_EQ(m_mm->on_object_create(kPager, ObjectCreateRequest{kPageSize, 2}, made), Error::ok);
    ASSERT_EQ(m_mm->on_object_grant(kPager, ObjectGrantRequest{made.object, kB}, none), Error::ok);
    ASSERT_EQ(detach(kB), Error::ok);
    ASSERT_EQ(attach(kC), Error::ok); // takes B's index
    EXPECT_EQ(create(kC, AXO_NIL_THREAD, 0x400000, kPageSize, kR, kRegionExternal, made.object),
              Error::not_found);
}

TEST_F(MmPagerTest, ARestartedPagerIsRebound) {
    ASSERT_EQ(attach(kA), Error::ok);
    ipc::Empty none;
    ObjectCreateReply made{};
    ASSERT_EQ(m_mm->on_object_create(kPager, ObjectCreateRequest{2 * kPageSize, 9}, made),
              Error::ok);
    ASSERT_EQ(m_mm->on_object_grant(kPager, ObjectGrantRequest{made.object, kA}, none), Error::ok);
    ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0x400000, 2 * kPageSize, kR, kRegionExternal, made.object),
              Error::ok);
    FaultAnswer a = read(kA, 0x400000);
    ExternalFault fault{};
    ASSERT_EQ(pager_wait(kPager, 0, 0, fault), Error::ok); // the old pager took it, then died
    const axo_thread_id_t kRestarted = axo_thread_id(60, 2);
    // Only the root task (which knows who the restarted pager is) or the pager rebinds.
    EXPECT_EQ(m_mm->on_object_rebind(kA, ObjectRebindRequest{made.object, kA}, none),
              Error::not_found);
    EXPECT_EQ(
        m_mm->on_object_rebind(kRestarted, ObjectRebindRequest{made.object, kRestarted}, none),
        Error::not_found);
    ASSERT_EQ(m_mm->on_object_rebind(kRoot, ObjectRebindRequest{made.object, kRestarted}, none),
              Error::ok);
    // The outstanding fault goes to the new pager; the old one's answer counts no more.
    bool kept = true;
    EXPECT_EQ(pager_wait(kPager, a.token, a.source, fault, &kept), Error::no_permission);
    EXPECT_FALSE(kept);
    ASSERT_EQ(pager_wait(kRestarted, 0, 0, fault), Error::ok);
    EXPECT_EQ(fault.token, a.token);
    EXPECT_EQ(pager_wait(kRestarted, a.token, a.source, fault, &kept), ipc::kNoReply);
    EXPECT_TRUE(kept);
    std::vector<Deferred> work = outbox();
    ASSERT_EQ(work.size(), 1u);
    EXPECT_EQ(work[0].fault.kind, FaultAnswer::map);
}

TEST_F(MmPagerTest, TheRootTaskRebindsEveryObjectOfARestartedPager) {
    ASSERT_EQ(attach(kA), Error::ok);
    ipc::Empty none;
    ObjectCreateReply one{}, two{}, other{};
    const axo_thread_id_t kOther = axo_thread_id(61, 1), kRestarted = axo_thread_id(60, 2);
    ASSERT_EQ(m_mm->on_object_create(kPager, ObjectCreateRequest{kPageSize, 1}, one), Error::ok);
    ASSERT_EQ(m_mm->on_object_create(kPager, ObjectCreateRequest{kPageSize, 2}, two), Error::ok);
    ASSERT_EQ(m_mm->on_object_create(kOther, ObjectCreateRequest{kPageSize, 3}, other), Error::ok);
    ASSERT_EQ(m_mm->on_object_grant(kPager, ObjectGrantRequest{two.object, kA}, none), Error::ok);
    ASSERT_EQ(create(kA, AXO_NIL_THREAD, 0x400000, kPageSize, kR, kRegionExternal, two.object),
              Error::ok);
    FaultAnswer a = read(kA, 0x400000);
    PagerRebindReply rebound{};
    // Only the root task: neither a client nor the restarted pager itself.
    EXPECT_EQ(m_mm->on_pager_rebind(kA, PagerRebindRequest{kPager, kA}, rebound),
              Error::no_permission);
    EXPECT_EQ(m_mm->on_pager_rebind(kRestarted, PagerRebindRequest{kPager, kRestarted}, rebound),
              Error::no_permission);
    EXPECT_EQ(m_mm->on_pager_rebind(kRoot, PagerRebindRequest{kPager, kPager}, rebound),
              Error::invalid_argument);
    EXPECT_EQ(m_mm->on_pager_rebind(kRoot, PagerRebindRequest{AXO_NIL_THREAD, kPager}, rebound),
              Error::invalid_argument);
    ASSERT_EQ(m_mm->on_pager_rebind(kRoot, PagerRebindRequest{kPager, kRestarted}, rebound),
              Error::ok);
    EXPECT_EQ(rebound.objects, 2u); // the old instance's two, not the other pager's
    // The client's waiting fault goes to the restarted pager, and so do the objects.
    ExternalFault fault{};
    EXPECT_EQ(pager_wait(kPager, 0, 0, fault), Error::no_permission);
    ASSERT_EQ(pager_wait(kRestarted, 0, 0, fault), Error::ok);
    EXPECT_EQ(fault.token, a.token);
    EXPECT_EQ(fault.cookie, 2u);
    EXPECT_EQ(m_mm->on_object_end(kRestarted, ObjectEndRequest{one.object}, none), Error::ok);
    EXPECT_EQ(m_mm->on_object_end(kRestarted, ObjectEndRequest{other.object}, none),
              Error::not_found);
}

// ---- Waiting for refused faults (kMmFaultWait) -------------------------------------------------

TEST_F(MmMemoryManagerTest, AFaultWaitIsAnsweredByTheNextRefusalOrAtOnce) {
    FaultNotice notice{};
    // Only a thread some client names as its fault handler may wait.
    EXPECT_EQ(m_mm->on_fault_wait(kHandler, FaultWaitRequest{}, notice), Error::no_permission);
    ASSERT_EQ(attach(kA), Error::ok);
    EXPECT_EQ(m_mm->on_fault_wait(kA, FaultWaitRequest{}, notice), Error::no_permission);
    // Nothing refused yet: the handler's wait is deferred.
    EXPECT_EQ(m_mm->on_fault_wait(kHandler, FaultWaitRequest{}, notice), ipc::kNoReply);
    EXPECT_EQ(read(kA, 0x900000).kind, FaultAnswer::refuse);
    std::vector<Deferred> work = outbox();
    ASSERT_EQ(work.size(), 1u);
    EXPECT_EQ(work[0].kind, Deferred::wake);
    EXPECT_EQ(work[0].to, kHandler);
    EXPECT_EQ(work[0].notice.thread, kA);
    EXPECT_EQ(work[0].notice.address, 0x900000u);
    EXPECT_EQ(work[0].notice.reason, kRefusedNoRegion);
    // Reported once: the next wait waits again.
    EXPECT_EQ(m_mm->on_fault_wait(kHandler, FaultWaitRequest{}, notice), ipc::kNoReply);
    ASSERT_EQ(attach(kB), Error::ok);
    outbox();
    // The handler is waiting: B's refusal answers its wait...
    EXPECT_EQ(write(kB, 0x700000).kind, FaultAnswer::refuse);
    work = outbox();
    ASSERT_EQ(work.size(), 1u);
    EXPECT_EQ(work[0].kind, Deferred::wake);
    EXPECT_EQ(work[0].notice.thread, kB);
    // ... and if that reply was not delivered, the next wait gets it at once.
    m_mm->unreport(kB);
    ASSERT_EQ(m_mm->on_fault_wait(kHandler, FaultWaitRequest{}, notice), Error::ok);
    EXPECT_EQ(notice.thread, kB);
    EXPECT_EQ(notice.address, 0x700000u);
    EXPECT_EQ(notice.access, kW);
    // Without a waiting handler the old notice goes out and the fault is still unreported.
    EXPECT_EQ(retry(kHandler, kA, 1), Error::ok);
    outbox();
    EXPECT_EQ(read(kA, 0x900000).kind, FaultAnswer::refuse);
    work = outbox();
    ASSERT_EQ(work.size(), 1u);
    EXPECT_EQ(work[0].kind, Deferred::notify);
    ASSERT_EQ(m_mm->on_fault_wait(kHandler, FaultWaitRequest{}, notice), Error::ok);
    EXPECT_EQ(notice.thread, kA);
}

} // namespace
} // namespace mm
