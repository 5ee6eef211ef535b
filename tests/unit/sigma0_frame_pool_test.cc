// σ0's bookkeeping (servers/memory/sigma0): which physical memory it may hand out, to whom,
// and the clients and port owners, on the host.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <vector>

#include "servers/memory/sigma0/frame_pool.h"
#include "servers/memory/sigma0/ownership.h"

namespace sigma0 {
namespace {

constexpr uint32_t kPage = FramePool::kPageSize;
constexpr uint32_t kMiB = 1u << 20;

class FramePoolTest : public ::testing::Test {
protected:
    void init(std::vector<axo_kip_memory_t> memory) {
        m_memory = std::move(memory);
        m_pool = std::make_unique<FramePool>();
        m_pool->init(m_memory.data(), static_cast<uint32_t>(m_memory.size()));
    }
    // A PC-like map: low memory and the kernel's pool (1..16 MiB, with the boot modules in
    // it), conventional memory to 64 MiB, firmware at the top.
    void init_pc() {
        init({{0, 0x9FC00, AXO_MEMORY_KERNEL, 0},
              {0x9FC00, 0x400, AXO_MEMORY_RESERVED, 0},
              {0xF0000, 0x10000, AXO_MEMORY_RESERVED, 0},
              {kMiB, 15 * kMiB, AXO_MEMORY_KERNEL, 0},
              {16 * kMiB, 48 * kMiB, AXO_MEMORY_CONVENTIONAL, 0},
              {0xFFFC0000, 0x40000, AXO_MEMORY_RESERVED, 0},
              {0x120000, 0x13308, AXO_MEMORY_BOOT_MODULE, 0},
              {0x134000, 0x3B9D4, AXO_MEMORY_BOOT_MODULE, 0}});
    }

    std::vector<axo_kip_memory_t> m_memory;
    std::unique_ptr<FramePool> m_pool;
};

TEST_F(FramePoolTest, ConventionalMemoryIsFreeAndCounted) {
    init_pc();
    EXPECT_EQ(m_pool->total_bytes(), uint64_t{48} * kMiB);
    EXPECT_EQ(m_pool->free_bytes(), uint64_t{48} * kMiB);
    EXPECT_EQ(m_pool->ignored_bytes(), 0u);
    EXPECT_EQ(m_pool->owner_of((16 * kMiB) / kPage), kNobody);
    EXPECT_EQ(m_pool->owner_of((64 * kMiB) / kPage - 1), kNobody);
    EXPECT_EQ(m_pool->owner_of((16 * kMiB) / kPage - 1), FramePool::kNotConventional);
    EXPECT_EQ(m_pool->owner_of((64 * kMiB) / kPage), FramePool::kNotConventional);
}

TEST_F(FramePoolTest, PartialPagesAndOtherDescriptorsAreNotConventional) {
    // Conventional memory is rounded inward; a module, a reserved range and a kernel range
    // inside it take their pages (rounded outward), and frame 0 is never handed out.
    init({{0, 0x10000, AXO_MEMORY_CONVENTIONAL, 0},
          {0x20800, 0x3000, AXO_MEMORY_CONVENTIONAL, 0},
          {0x4000, 0x10, AXO_MEMORY_BOOT_MODULE, 0},
          {0x6FFF, 2, AXO_MEMORY_RESERVED, 0},
          {0x9000, 0x1000, AXO_MEMORY_KERNEL, 0}});
    // [0, 0x10000): 16 pages minus frame 0, the module page, two reserved pages, the kernel's.
    // [0x20800, 0x23800): pages 0x21 and 0x22 only.
    EXPECT_EQ(m_pool->total_bytes(), uint64_t{(16 - 1 - 1 - 2 - 1) + 2} * kPage);
    EXPECT_EQ(m_pool->owner_of(0), FramePool::kNotConventional);
    EXPECT_EQ(m_pool->owner_of(4), FramePool::kNotConventional);
    EXPECT_EQ(m_pool->owner_of(6), FramePool::kNotConventional);
    EXPECT_EQ(m_pool->owner_of(7), FramePool::kNotConventional);
    EXPECT_EQ(m_pool->owner_of(9), FramePool::kNotConventional);
    EXPECT_EQ(m_pool->owner_of(0x20), FramePool::kNotConventional);
    EXPECT_EQ(m_pool->owner_of(0x21), kNobody);
    EXPECT_EQ(m_pool->owner_of(0x23), FramePool::kNotConventional);
}

TEST_F(FramePoolTest, MemoryAboveTheManagedRangeIsIgnored) {
    init({{0x1000000, 0x20000000, AXO_MEMORY_CONVENTIONAL, 0}}); // 16 MiB .. 528 MiB
    EXPECT_EQ(m_pool->total_bytes(), FramePool::kManagedBytes - 16 * kMiB);
    EXPECT_EQ(m_pool->ignored_bytes(), uint64_t{0x21000000} - FramePool::kManagedBytes);
    // σ0 cannot promise memory it does not track to one client.
    EXPECT_EQ(m_pool->claim(1, static_cast<uint32_t>(FramePool::kManagedBytes), 12),
              kSigma0ErrorNoPermission);
    EXPECT_EQ(m_pool->claim(1, 0x1C000000, 26), kSigma0ErrorNoPermission); // straddles it
}

TEST_F(FramePoolTest, AllocateGivesTheLowestFreeBlockNaturallyAligned) {
    init_pc();
    uint32_t base = 0;
    ASSERT_EQ(m_pool->allocate(1, 12, &base), kSigma0Ok);
    EXPECT_EQ(base, 16 * kMiB);
    ASSERT_EQ(m_pool->allocate(1, 12, &base), kSigma0Ok);
    EXPECT_EQ(base, 16 * kMiB + kPage);
    ASSERT_EQ(m_pool->allocate(2, 16, &base), kSigma0Ok);
    EXPECT_EQ(base, 16 * kMiB + 0x10000);
    ASSERT_EQ(m_pool->allocate(2, 22, &base), kSigma0Ok);
    EXPECT_EQ(base, 20 * kMiB);
    ASSERT_EQ(m_pool->allocate(1, 17, &base), kSigma0Ok);
    EXPECT_EQ(base, 16 * kMiB + 0x20000);
    EXPECT_EQ(m_pool->owner_of(20 * kMiB / kPage), 2);
    EXPECT_EQ(m_pool->owner_of(24 * kMiB / kPage - 1), 2);
    EXPECT_EQ(m_pool->free_bytes(), uint64_t{48} * kMiB - 2 * kPage - 0x10000 - 4 * kMiB - 0x20000);
}

TEST_F(FramePoolTest, AllocateRefusesBadSizesAndOwners) {
    init_pc();
    uint32_t base = 0;
    EXPECT_EQ(m_pool->allocate(1, 11, &base), kSigma0ErrorBadRequest);
    EXPECT_EQ(m_pool->allocate(1, 23, &base), kSigma0ErrorBadRequest);
    EXPECT_EQ(m_pool->allocate(kNobody, 12, &base), kSigma0ErrorBadRequest);
    EXPECT_EQ(m_pool->allocate(FramePool::kNotConventional, 12, &base), kSigma0ErrorBadRequest);
    EXPECT_EQ(m_pool->free_bytes(), m_pool->total_bytes());
}

TEST_F(FramePoolTest, AllocateRunsOutCleanly) {
    init({{0x100000, 0x8000, AXO_MEMORY_CONVENTIONAL, 0}});
    uint32_t base = 0;
    EXPECT_EQ(m_pool->allocate(1, 16, &base), kSigma0ErrorNoMemory); // 32 KiB only
    for (int i = 0; i < 8; ++i)
        ASSERT_EQ(m_pool->allocate(1, 12, &base), kSigma0Ok);
    EXPECT_EQ(m_pool->allocate(1, 12, &base), kSigma0ErrorNoMemory);
    EXPECT_EQ(m_pool->free_bytes(), 0u);
}

TEST_F(FramePoolTest, AlignmentSkipsBlocksThatAreNotWhollyFree) {
    // 64 KiB of conventional memory with one page taken in the middle: no 64 KiB block left,
    // two 16 KiB ones in the first half are still there.
    init({{0x100000, 0x10000, AXO_MEMORY_CONVENTIONAL, 0}});
    ASSERT_EQ(m_pool->claim(1, 0x109000, 12), kSigma0Ok);
    uint32_t base = 0;
    EXPECT_EQ(m_pool->allocate(2, 16, &base), kSigma0ErrorNoMemory);
    ASSERT_EQ(m_pool->allocate(2, 14, &base), kSigma0Ok);
    EXPECT_EQ(base, 0x100000u);
    ASSERT_EQ(m_pool->allocate(2, 14, &base), kSigma0Ok);
    EXPECT_EQ(base, 0x104000u);
    ASSERT_EQ(m_pool->allocate(2, 14, &base), kSigma0Ok);
    EXPECT_EQ(base, 0x10C000u);
}

TEST_F(FramePoolTest, ClaimIsIdempotentPerOwnerAndExclusive) {
    init_pc();
    const uint32_t page = 32 * kMiB;
    EXPECT_EQ(m_pool->claim(1, page, 12), kSigma0Ok);
    uint64_t free = m_pool->free_bytes();
    EXPECT_EQ(m_pool->claim(1, page, 12), kSigma0Ok);
    EXPECT_EQ(m_pool->free_bytes(), free);
    EXPECT_EQ(m_pool->claim(2, page, 12), kSigma0ErrorTaken);
    EXPECT_EQ(m_pool->owner_of(page / kPage), 1);
    // A larger fpage around it: the owner gets the rest, anyone else nothing at all.
    EXPECT_EQ(m_pool->claim(2, page, 16), kSigma0ErrorTaken);
    EXPECT_EQ(m_pool->owner_of(page / kPage + 1), kNobody);
    EXPECT_EQ(m_pool->claim(1, page, 16), kSigma0Ok);
    EXPECT_EQ(m_pool->owner_of(page / kPage + 15), 1);
    EXPECT_EQ(m_pool->free_bytes(), free - 15 * kPage);
    // Allocation never returns a claimed frame.
    uint32_t base = 0;
    for (int i = 0; i < 100; ++i) {
        ASSERT_EQ(m_pool->allocate(2, 12, &base), kSigma0Ok);
        EXPECT_EQ(m_pool->owner_of(base / kPage), 2);
    }
}

TEST_F(FramePoolTest, ClaimRefusesTheKernelButSharesModulesAndDevices) {
    init_pc();
    EXPECT_EQ(m_pool->claim(1, 0x200000, 12), kSigma0ErrorNoPermission); // the kernel's pool
    EXPECT_EQ(m_pool->claim(1, 0, 12), kSigma0ErrorNoPermission);
    EXPECT_EQ(m_pool->claim(1, 0, 32), kSigma0ErrorNoPermission);
    // Boot modules sit in the kernel's pool but are anybody's to map, and not recorded.
    EXPECT_EQ(m_pool->claim(1, 0x120000, 12), kSigma0Ok);
    EXPECT_EQ(m_pool->claim(2, 0x133000, 12), kSigma0Ok); // the first module's last page
    EXPECT_EQ(m_pool->claim(2, 0x134000, 14), kSigma0Ok);
    EXPECT_EQ(m_pool->claim(1, 0x100000, 20), kSigma0ErrorNoPermission); // modules and more
    // Device memory (unlisted) and firmware (reserved): shared.
    EXPECT_EQ(m_pool->claim(1, 0xB8000, 12), kSigma0Ok);
    EXPECT_EQ(m_pool->claim(2, 0xB8000, 12), kSigma0Ok);
    EXPECT_EQ(m_pool->claim(1, 0xE0000000, 24), kSigma0Ok);
    EXPECT_EQ(m_pool->claim(2, 0xFFFC0000, 18), kSigma0Ok);
    EXPECT_EQ(m_pool->free_bytes(), m_pool->total_bytes());
}

TEST_F(FramePoolTest, ClaimRefusesMalformedRequests) {
    init_pc();
    EXPECT_EQ(m_pool->claim(1, 32 * kMiB + kPage, 13), kSigma0ErrorBadRequest);
    EXPECT_EQ(m_pool->claim(1, 32 * kMiB, 11), kSigma0ErrorBadRequest);
    EXPECT_EQ(m_pool->claim(1, 32 * kMiB, 33), kSigma0ErrorBadRequest);
    EXPECT_EQ(m_pool->claim(kNobody, 32 * kMiB, 12), kSigma0ErrorBadRequest);
}

// Random allocations and claims by three clients against a simple model: a frame has at most
// one owner, a client gets back what it holds, the free count matches.
TEST_F(FramePoolTest, RandomOperationsAgreeWithAModel) {
    init({{0x100000, 0x400000, AXO_MEMORY_CONVENTIONAL, 0},
          {0x200000, 0x3000, AXO_MEMORY_BOOT_MODULE, 0}});
    const uint32_t first = 0x100000 / kPage, last = 0x500000 / kPage;
    std::map<uint32_t, Owner> model; // frame -> owner, conventional frames only
    for (uint32_t f = first; f < last; ++f)
        if (f < 0x200 || f >= 0x203) model[f] = kNobody;
    std::mt19937 random(4);
    for (int step = 0; step < 20000; ++step) {
        Owner owner = static_cast<Owner>(1 + random() % 3);
        if (random() % 2) {
            uint32_t log2 = 12 + random() % 5;
            uint32_t base = 0;
            Status status = m_pool->allocate(owner, log2, &base);
            if (status != kSigma0Ok) continue;
            ASSERT_EQ(base % (1u << log2), 0u);
            for (uint32_t f = base / kPage; f < (base >> 12) + (1u << (log2 - 12)); ++f) {
                ASSERT_EQ(model.count(f), 1u) << "allocated a frame that is not sigma0's";
                ASSERT_EQ(model[f], kNobody) << "allocated a frame twice";
                model[f] = owner;
            }
        } else {
            uint32_t log2 = 12 + random() % 3;
            uint32_t size = 1u << log2;
            uint32_t base = (0x100000 + random() % 0x400000) & ~(size - 1);
            bool taken = false;
            for (uint32_t f = base / kPage; f < (base + size) / kPage; ++f)
                taken |= model.count(f) && model[f] != kNobody && model[f] != owner;
            ASSERT_EQ(m_pool->claim(owner, base, log2), taken ? kSigma0ErrorTaken : kSigma0Ok);
            if (!taken)
                for (uint32_t f = base / kPage; f < (base + size) / kPage; ++f)
                    if (model.count(f)) model[f] = owner;
        }
    }
    uint64_t free = 0;
    for (auto [frame, owner] : model) {
        ASSERT_EQ(m_pool->owner_of(frame), owner) << "frame " << frame;
        free += owner == kNobody ? kPage : 0;
    }
    EXPECT_EQ(m_pool->free_bytes(), free);
}

TEST(Sigma0ClientTable, AddFindAndLimits) {
    ClientTable clients;
    axo_thread_id_t root = axo_thread_id(33, 1);
    EXPECT_EQ(clients.find(root), kNobody);
    EXPECT_EQ(clients.add(root), 1);
    EXPECT_EQ(clients.add(root), 1); // idempotent
    EXPECT_EQ(clients.find(root), 1);
    EXPECT_EQ(clients.find(axo_thread_id(33, 2)), kNobody); // another version: another thread
    EXPECT_EQ(clients.add(AXO_NIL_THREAD), kNobody);
    EXPECT_EQ(clients.add(AXO_ANY_THREAD), kNobody);
    EXPECT_EQ(clients.find(AXO_NIL_THREAD), kNobody);
    for (uint32_t i = 1; i < kMaxClients; ++i)
        EXPECT_EQ(clients.add(axo_thread_id(100 + i, 1)), i + 1);
    EXPECT_EQ(clients.add(axo_thread_id(99, 1)), kNobody); // full
    EXPECT_EQ(clients.count(), kMaxClients);
}

TEST(Sigma0PortTable, ClaimsAreExclusiveAndIdempotent) {
    auto ports = std::make_unique<PortTable>();
    EXPECT_EQ(ports->claim(1, 0x3F8, 3), kSigma0Ok);
    EXPECT_EQ(ports->claim(1, 0x3F8, 3), kSigma0Ok);
    EXPECT_EQ(ports->claim(2, 0x3FC, 2), kSigma0ErrorTaken);
    // Nothing of a refused range changes hands.
    EXPECT_EQ(ports->claim(2, 0x3F0, 4), kSigma0ErrorTaken);
    EXPECT_EQ(ports->owner_of(0x3F0), kNobody);
    EXPECT_EQ(ports->claim(2, 0x3F0, 3), kSigma0Ok);
    EXPECT_EQ(ports->owner_of(0x3F7), 2);
    EXPECT_EQ(ports->owner_of(0x3FF), 1);
    EXPECT_EQ(ports->claim(3, 0, 16), kSigma0ErrorTaken);
    EXPECT_EQ(ports->claim(3, 0xFFFF, 0), kSigma0Ok);
    EXPECT_EQ(ports->owner_of(0xFFFF), 3);
}

TEST(Sigma0PortTable, KeptPortsGoToNobody) {
    auto ports = std::make_unique<PortTable>();
    ports->keep(0x40, 0x43);
    EXPECT_EQ(ports->claim(1, 0x40, 0), kSigma0ErrorNoPermission);
    EXPECT_EQ(ports->claim(1, 0x40, 3), kSigma0ErrorNoPermission);
    EXPECT_EQ(ports->owner_of(0x44), kNobody); // nothing of a refused range changes hands
    EXPECT_EQ(ports->claim(1, 0x44, 2), kSigma0Ok);
    EXPECT_EQ(ports->claim(1, 0, 16), kSigma0ErrorNoPermission);
    ports->keep(0xFFFF, 0x10005); // clipped at the last port
    EXPECT_EQ(ports->owner_of(0xFFFF), PortTable::kKept);
}

} // namespace
} // namespace sigma0
