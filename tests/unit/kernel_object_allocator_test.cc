#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <set>
#include <vector>

#include "kernel/object_allocator.h"

namespace axo {
namespace {

// Hands out aligned_alloc pages and keeps count, optionally failing after a limit.
struct PagePool {
    size_t live = 0;
    size_t limit = SIZE_MAX;
    size_t handed_out = 0;

    static void* source(void* ctx) {
        auto* pool = static_cast<PagePool*>(ctx);
        if (pool->live >= pool->limit) return nullptr;
        void* page = std::aligned_alloc(4096, 4096);
        // Dirty it: objects must be zeroed by the cache, not by luck.
        std::memset(page, 0xA5, 4096);
        ++pool->live;
        ++pool->handed_out;
        return page;
    }
    static void sink(void* ctx, void* page) {
        --static_cast<PagePool*>(ctx)->live;
        std::free(page);
    }
};

TEST(ObjectCache, SizeRounding) {
    PagePool pool;
    ObjectCache cache;
    cache.init("tiny", 1, PagePool::source, PagePool::sink, &pool);
    EXPECT_EQ(cache.object_size(), sizeof(void*) > 8 ? sizeof(void*) : 8u);
    cache.init("odd", 13, PagePool::source, PagePool::sink, &pool);
    EXPECT_EQ(cache.object_size(), 16u);
    EXPECT_GT(cache.objects_per_page(), 200u);
    EXPECT_STREQ(cache.name(), "odd");
}

TEST(ObjectCache, AllocateManyFreeAllReturnsPages) {
    PagePool pool;
    ObjectCache cache;
    cache.init("thread", 200, PagePool::source, PagePool::sink, &pool);
    std::vector<void*> objects;
    std::set<void*> distinct;
    for (int i = 0; i < 1000; ++i) {
        auto r = cache.allocate();
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(reinterpret_cast<uintptr_t>(r.value()) % 8, 0u);
        EXPECT_TRUE(cache.owns(r.value()));
        std::memset(r.value(), 0xFF, 200); // the whole object is writable (ASan checks)
        objects.push_back(r.value());
        distinct.insert(r.value());
    }
    EXPECT_EQ(distinct.size(), 1000u);
    EXPECT_EQ(cache.in_use(), 1000u);
    size_t per_page = cache.objects_per_page();
    EXPECT_EQ(cache.pages(), (1000 + per_page - 1) / per_page);
    EXPECT_EQ(pool.live, cache.pages());
    for (void* o : objects)
        cache.free(o);
    EXPECT_EQ(cache.in_use(), 0u);
    EXPECT_EQ(cache.pages(), 0u);
    EXPECT_EQ(pool.live, 0u);
}

TEST(ObjectCache, ObjectsAreZeroedEvenWhenReused) {
    PagePool pool;
    ObjectCache cache;
    cache.init("zero", 64, PagePool::source, PagePool::sink, &pool);
    void* keep = cache.allocate().value(); // keeps the page alive across the reuse
    void* a = cache.allocate().value();
    std::memset(a, 0x5A, 64);
    cache.free(a);
    void* b = cache.allocate().value();
    EXPECT_EQ(a, b); // LIFO reuse of the freed object
    const auto* bytes = static_cast<const unsigned char*>(b);
    for (size_t i = 0; i < 64; ++i)
        ASSERT_EQ(bytes[i], 0) << i;
    cache.free(b);
    cache.free(keep);
    EXPECT_EQ(pool.live, 0u);
}

TEST(ObjectCache, RegressionFullPageReturnsToPartialListOnFree) {
    PagePool pool;
    ObjectCache cache;
    cache.init("full", 1024, PagePool::source, PagePool::sink, &pool);
    size_t per_page = cache.objects_per_page();
    ASSERT_GE(per_page, 2u);
    std::vector<void*> first_page;
    for (size_t i = 0; i < per_page; ++i)
        first_page.push_back(cache.allocate().value());
    EXPECT_EQ(cache.pages(), 1u);
    cache.free(first_page[1]); // full → partial
    void* again = cache.allocate().value();
    EXPECT_EQ(again, first_page[1]); // served from the same page, no new page
    EXPECT_EQ(cache.pages(), 1u);
    EXPECT_EQ(pool.handed_out, 1u);
    for (void* o : first_page)
        cache.free(o);
    EXPECT_EQ(pool.live, 0u);
}

TEST(ObjectCache, OneObjectPerPage) {
    PagePool pool;
    ObjectCache cache;
    cache.init("big", ObjectCache::max_object_size(), PagePool::source, PagePool::sink, &pool);
    EXPECT_EQ(cache.objects_per_page(), 1u);
    void* a = cache.allocate().value();
    void* b = cache.allocate().value();
    EXPECT_EQ(cache.pages(), 2u);
    cache.free(a);
    cache.free(b);
    EXPECT_EQ(pool.live, 0u);
}

TEST(ObjectCache, TooBigObjectIsRefused) {
    PagePool pool;
    ObjectCache cache;
    cache.init("huge", ObjectCache::max_object_size() + 1, PagePool::source, PagePool::sink, &pool);
    EXPECT_EQ(cache.allocate().error(), Error::invalid_argument);
    EXPECT_EQ(pool.live, 0u);
}

TEST(ObjectCache, PageSourceExhaustion) {
    PagePool pool;
    pool.limit = 1;
    ObjectCache cache;
    cache.init("limited", 2048, PagePool::source, PagePool::sink, &pool);
    void* a = cache.allocate().value();
    EXPECT_EQ(cache.allocate().error(), Error::out_of_memory);
    EXPECT_EQ(cache.in_use(), 1u);
    cache.free(a); // the page goes back, so the source can serve again
    void* b = cache.allocate().value();
    EXPECT_EQ(cache.in_use(), 1u);
    cache.free(b);
    cache.free(nullptr); // ignored
    EXPECT_EQ(pool.live, 0u);
}

TEST(ObjectCache, RegressionMisalignedPageIsRefused) {
    static unsigned char arena[3 * 4096] alignas(4096);
    struct Ctx {
        int sunk = 0;
    } ctx;
    auto source = [](void*) -> void* { return arena + 8; };
    auto sink = [](void* c, void*) { ++static_cast<Ctx*>(c)->sunk; };
    ObjectCache cache;
    cache.init("skewed", 32, source, sink, &ctx);
    EXPECT_EQ(cache.allocate().error(), Error::invalid_argument);
    EXPECT_EQ(ctx.sunk, 1);
}

TEST(KernelHeap, SizeClasses) {
    PagePool pool;
    KernelHeap heap;
    heap.init(PagePool::source, PagePool::sink, &pool);
    struct Case {
        size_t size;
        size_t cls;
    } cases[] = {{1, 0}, {16, 0}, {17, 1}, {32, 1}, {100, 3}, {1024, 6}, {1025, 7}, {2048, 7}};
    for (const Case& c : cases) {
        void* p = heap.allocate(c.size).value();
        EXPECT_TRUE(heap.cache(c.cls).owns(p)) << c.size;
        std::memset(p, 0xEE, c.size);
        heap.free(p, c.size);
    }
    EXPECT_EQ(heap.in_use(), 0u);
    EXPECT_EQ(heap.pages(), 0u);
    EXPECT_EQ(pool.live, 0u);
}

TEST(KernelHeap, BadSizes) {
    PagePool pool;
    KernelHeap heap;
    heap.init(PagePool::source, PagePool::sink, &pool);
    EXPECT_EQ(heap.allocate(0).error(), Error::invalid_argument);
    EXPECT_EQ(heap.allocate(2049).error(), Error::out_of_range);
    heap.free(nullptr, 16);
}

TEST(KernelHeap, ManyMixedAllocations) {
    PagePool pool;
    KernelHeap heap;
    heap.init(PagePool::source, PagePool::sink, &pool);
    std::vector<std::pair<void*, size_t>> live;
    for (size_t i = 0; i < 3000; ++i) {
        size_t size = 1 + (i * 37) % 2048;
        void* p = heap.allocate(size).value();
        const auto* bytes = static_cast<const unsigned char*>(p);
        ASSERT_EQ(bytes[0], 0);
        ASSERT_EQ(bytes[size - 1], 0);
        std::memset(p, static_cast<int>(i), size);
        live.emplace_back(p, size);
        if (i % 3 == 0) {
            heap.free(live.front().first, live.front().second);
            live.erase(live.begin());
        }
    }
    EXPECT_EQ(heap.in_use(), live.size());
    for (auto& [p, size] : live)
        heap.free(p, size);
    EXPECT_EQ(heap.in_use(), 0u);
    EXPECT_EQ(pool.live, 0u);
}

} // namespace
} // namespace axo
