#include "kernel/object_allocator.h"

#include "kernel/lib/string.h"
#include "kernel/lib/types.h"

namespace axo {

// Lives at the start of every slab page.
struct ObjectCache::Page {
    Page* next; // partial list links; unused while the page is full
    Page* prev;
    void* free_list; // free objects, linked through their first word
    size_t in_use;
    const ObjectCache* cache;
};

namespace {

constexpr size_t kObjectAlign = 8;
constexpr size_t kHeaderBytes = align_up(sizeof(void*) * 5, kObjectAlign);

static_assert(ObjectCache::kPageBytes == kPageSize);

// __builtin_memcpy: a freestanding build calls memcpy for plain memcpy (-fno-builtin); a
// word is one move.
void* link_of(void* object) {
    void* next;
    __builtin_memcpy(&next, object, sizeof next);
    return next;
}

void set_link(void* object, void* next) {
    __builtin_memcpy(object, &next, sizeof next);
}

} // namespace

size_t ObjectCache::max_object_size() {
    return kPageBytes - kHeaderBytes;
}

void ObjectCache::init(const char* name, size_t object_size, PageSource source, PageSink sink,
                       void* ctx) {
    static_assert(sizeof(Page) <= kHeaderBytes);
    m_name = name;
    size_t size = object_size < sizeof(void*) ? sizeof(void*) : object_size;
    m_object_size = align_up(size, kObjectAlign);
    // An impossible size leaves m_per_page at 0, and allocate() reports it.
    m_per_page = m_object_size <= max_object_size() ? max_object_size() / m_object_size : 0;
    m_source = source;
    m_sink = sink;
    m_ctx = ctx;
    m_partial = nullptr;
    m_in_use = 0;
    m_pages = 0;
}

void ObjectCache::push_partial(Page* page) {
    page->prev = nullptr;
    page->next = m_partial;
    if (m_partial != nullptr) m_partial->prev = page;
    m_partial = page;
}

void ObjectCache::unlink(Page* page) {
    if (page->prev != nullptr)
        page->prev->next = page->next;
    else
        m_partial = page->next;
    if (page->next != nullptr) page->next->prev = page->prev;
    page->next = page->prev = nullptr;
}

Result<void*> ObjectCache::allocate() {
    if (m_per_page == 0 || m_source == nullptr) return Error::invalid_argument;
    if (m_partial == nullptr) {
        void* memory = m_source(m_ctx);
        if (memory == nullptr) return Error::out_of_memory;
        if (!is_aligned(reinterpret_cast<uintptr_t>(memory), uintptr_t{kPageBytes})) {
            // free() could not find the header of such a page: refuse it.
            m_sink(m_ctx, memory);
            return Error::invalid_argument;
        }
        auto* page = static_cast<Page*>(memory);
        page->cache = this;
        page->in_use = 0;
        // Thread the free list in address order so fresh pages hand out ascending objects.
        auto* first = static_cast<unsigned char*>(memory) + kHeaderBytes;
        void* next = nullptr;
        for (size_t i = m_per_page; i-- > 0;) {
            void* object = first + i * m_object_size;
            set_link(object, next);
            next = object;
        }
        page->free_list = next;
        push_partial(page);
        ++m_pages;
    }

    Page* page = m_partial;
    void* object = page->free_list;
    page->free_list = link_of(object);
    ++page->in_use;
    if (page->free_list == nullptr) unlink(page); // full pages live on no list
    ++m_in_use;
    memset(object, 0, m_object_size);
    return object;
}

void ObjectCache::free(void* object) {
    if (object == nullptr) return;
    auto* page = reinterpret_cast<Page*>(
        align_down(reinterpret_cast<uintptr_t>(object), uintptr_t{kPageBytes}));
    bool was_full = page->free_list == nullptr;
    set_link(object, page->free_list);
    page->free_list = object;
    --page->in_use;
    --m_in_use;
    if (page->in_use == 0) {
        // A page with one object per page was full and so on no list.
        if (!was_full) unlink(page);
        --m_pages;
        m_sink(m_ctx, page);
    } else if (was_full) {
        push_partial(page);
    }
}

bool ObjectCache::owns(const void* object) const {
    if (object == nullptr) return false;
    auto address = reinterpret_cast<uintptr_t>(object);
    auto* page = reinterpret_cast<const Page*>(align_down(address, uintptr_t{kPageBytes}));
    size_t offset = address - reinterpret_cast<uintptr_t>(page);
    return page->cache == this && offset >= kHeaderBytes &&
           (offset - kHeaderBytes) % m_object_size == 0 &&
           (offset - kHeaderBytes) / m_object_size < m_per_page;
}

void KernelHeap::init(PageSource source, PageSink sink, void* ctx) {
    static const char* const kNames[kClassCount] = {"heap-16",   "heap-32",  "heap-64",
                                                    "heap-128",  "heap-256", "heap-512",
                                                    "heap-1024", "heap-2048"};
    for (size_t i = 0; i < kClassCount; ++i)
        m_caches[i].init(kNames[i], kMinSize << i, source, sink, ctx);
}

size_t KernelHeap::class_index(size_t size) {
    // The smallest index with kMinSize << index >= size: log2 of size rounded up to a power
    // of two, from the highest set bit of size - 1 (size is 1..kMaxSize here).
    static_assert(kMinSize == 16);
    if (size <= kMinSize) return 0;
    return static_cast<size_t>(32 - __builtin_clz(static_cast<uint32_t>(size - 1))) - 4;
}

Result<void*> KernelHeap::allocate(size_t size) {
    if (size == 0) return Error::invalid_argument;
    if (size > kMaxSize) return Error::out_of_range;
    return m_caches[class_index(size)].allocate();
}

void KernelHeap::free(void* object, size_t size) {
    if (object == nullptr || size == 0 || size > kMaxSize) return;
    m_caches[class_index(size)].free(object);
}

size_t KernelHeap::in_use() const {
    size_t total = 0;
    for (const ObjectCache& cache : m_caches)
        total += cache.in_use();
    return total;
}

size_t KernelHeap::pages() const {
    size_t total = 0;
    for (const ObjectCache& cache : m_caches)
        total += cache.pages();
    return total;
}

static_assert((KernelHeap::kMinSize << (KernelHeap::kClassCount - 1)) == KernelHeap::kMaxSize);

} // namespace axo
