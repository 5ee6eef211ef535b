// The kernel object allocator: slab caches of fixed-size objects carved from 4 KiB pages.
//
// Each page starts with a small header (its free list and use count); objects follow. A page
// with free objects sits on its cache's partial list; a full page is on no list, and a page
// whose last object is freed goes straight back to the page sink, so kernel memory returns
// to the frame allocator as soon as it is unused. free() finds the page header by rounding the
// pointer down, which is why pages must be page-aligned.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/lib/result.h"

namespace axo {

// Returns a page-aligned 4 KiB page, or nullptr when out of memory.
using PageSource = void* (*)(void* ctx);
using PageSink = void (*)(void* ctx, void* page);

class ObjectCache {
public:
    static constexpr size_t kPageBytes = 4096;

    // `name` must outlive the cache (a string literal). object_size is rounded up to 8 and to
    // at least sizeof(void*); it must leave room for one object after the page header
    // (see max_object_size()).
    void init(const char* name, size_t object_size, PageSource source, PageSink sink, void* ctx);

    // A zeroed object. out_of_memory if the page source fails; invalid_argument if the
    // cache was initialised with an impossible object size.
    Result<void*> allocate();
    // `object` must come from this cache's allocate(); nullptr is ignored.
    void free(void* object);

    const char* name() const { return m_name; }
    size_t object_size() const { return m_object_size; }
    size_t objects_per_page() const { return m_per_page; }
    size_t in_use() const { return m_in_use; }
    size_t pages() const { return m_pages; }
    // True if `object` lies in one of this cache's pages at an object boundary.
    bool owns(const void* object) const;

    static size_t max_object_size();

private:
    struct Page;

    void unlink(Page* page);
    void push_partial(Page* page);

    const char* m_name = nullptr;
    size_t m_object_size = 0;
    size_t m_per_page = 0;
    PageSource m_source = nullptr;
    PageSink m_sink = nullptr;
    void* m_ctx = nullptr;
    Page* m_partial = nullptr; // pages with at least one free object
    size_t m_in_use = 0;
    size_t m_pages = 0;
};

// General kernel allocations by size, served from power-of-two caches of 16..2048 bytes.
// The caller passes the size again to free(), so no per-allocation header is needed.
class KernelHeap {
public:
    static constexpr size_t kMinSize = 16;
    static constexpr size_t kMaxSize = 2048;
    static constexpr size_t kClassCount = 8; // 16, 32, ..., 2048

    void init(PageSource source, PageSink sink, void* ctx);
    // Zeroed memory. invalid_argument for size 0, out_of_range above kMaxSize.
    Result<void*> allocate(size_t size);
    // `size` must be the size given to allocate(); nullptr is ignored.
    void free(void* object, size_t size);

    size_t in_use() const;
    size_t pages() const;
    const ObjectCache& cache(size_t index) const { return m_caches[index]; }

private:
    static size_t class_index(size_t size);

    ObjectCache m_caches[kClassCount];
};

} // namespace axo
