// A write-back cache of a BlockDevice's blocks (1, 2 or 4 KiB, set by the file system at mount).
// Fixed capacity: the caller hands in the slots and the memory for the blocks, so the server
// never allocates. A block in use is pinned by a Handle and never evicted; otherwise the least
// recently used block goes first, written back if dirty. A failed write-back leaves the block
// dirty and in the cache, and the error reaches the caller that needed the slot.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <span>

#include "lib/ipc/error.h"
#include "servers/fs/cache/block_device.h"

namespace fs {

struct BlockCacheStatistics {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t reads = 0;  // blocks read from the device
    uint64_t writes = 0; // blocks written to the device
    uint64_t flushes = 0;
    uint32_t dirty = 0; // dirty blocks now
    uint32_t held = 0;  // blocks cached now (dirty or clean)
    uint32_t capacity = 0;
    uint32_t block_size = 0;
};

class BlockCache {
public:
    // One cached block's bookkeeping; the caller provides an array of them.
    struct Slot {
        uint64_t block = 0;
        uint8_t* data = nullptr;
        uint32_t pins = 0;
        bool valid = false;
        bool dirty = false;
        uint32_t older = kNone; // LRU list: towards the least recently used
        uint32_t newer = kNone;
        uint32_t chain = kNone;  // next slot in the same hash bucket
        uint32_t bucket = kNone; // head of the hash bucket with this slot's index
    };
    static constexpr uint32_t kNone = 0xFFFFFFFFu;

    // A pinned block: the cache keeps it while the handle lives. Move-only.
    class Handle {
    public:
        Handle() = default;
        Handle(Handle&& other) : m_cache(other.m_cache), m_slot(other.m_slot) {
            other.m_cache = nullptr;
            other.m_slot = kNone;
        }
        Handle& operator=(Handle&& other) {
            if (this != &other) {
                reset();
                m_cache = other.m_cache;
                m_slot = other.m_slot;
                other.m_cache = nullptr;
                other.m_slot = kNone;
            }
            return *this;
        }
        Handle(const Handle&) = delete;
        Handle& operator=(const Handle&) = delete;
        ~Handle() { reset(); }

        bool valid() const { return m_cache != nullptr; }
        uint8_t* data() const;
        uint64_t block() const;
        std::span<uint8_t> bytes() const;
        // The block must be written back before it is evicted or at sync.
        void mark_dirty();
        void reset();

    private:
        friend class BlockCache;
        Handle(BlockCache* cache, uint32_t slot) : m_cache(cache), m_slot(slot) {}
        BlockCache* m_cache = nullptr;
        uint32_t m_slot = kNone;
    };

    // `memory` holds the blocks: the capacity is min(slots, memory / block size).
    BlockCache(BlockDevice& device, std::span<Slot> slots, std::span<uint8_t> memory);

    // Drops every block (after writing back dirty ones) and changes the block size: a power of
    // two from the device's sector size to 4096 (and the memory must hold at least one).
    // Errors: busy (a block is pinned), invalid_argument, io_error (write-back; nothing dropped).
    ipc::Error set_block_size(uint32_t bytes);
    uint32_t block_size() const { return m_block_size; }
    uint64_t blocks() const; // of the device, in blocks of the current size

    // The block read from the device (or from the cache). Errors: invalid_argument (beyond the
    // device), io_error, no_memory (every slot pinned), or the error of writing back the
    // evicted block.
    ipc::Error get(uint64_t block, Handle* out);
    // The block without reading it, zero-filled and dirty: for a block the file system has just
    // allocated and will overwrite.
    ipc::Error get_zeroed(uint64_t block, Handle* out);
    // Forgets a cached block without writing it (a freed block's stale contents); it must not be
    // pinned.
    void discard(uint64_t block);

    // Writes this block if it is dirty and flushes the device.
    ipc::Error sync_block(uint64_t block);
    // Writes every dirty block, then flushes the device. On an error the rest
    // is still attempted and stays dirty where it failed; the first error is returned.
    ipc::Error sync();

    BlockCacheStatistics statistics() const;
    uint32_t capacity() const { return m_capacity; }

private:
    uint32_t bucket_of(uint64_t block) const;
    uint32_t find(uint64_t block) const;
    void unlink_lru(uint32_t slot);
    void push_newest(uint32_t slot);
    void hash_insert(uint32_t slot);
    void hash_remove(uint32_t slot);
    ipc::Error write_back(uint32_t slot);
    ipc::Error take_slot(uint32_t* out);
    ipc::Error lookup_or_load(uint64_t block, bool read, Handle* out);
    void pin(uint32_t slot);
    void unpin(uint32_t slot);

    BlockDevice& m_device;
    std::span<Slot> m_slots;
    std::span<uint8_t> m_memory;
    uint32_t m_block_size = 0;
    uint32_t m_capacity = 0;
    uint32_t m_oldest = kNone; // LRU list of unpinned valid slots and free slots
    uint32_t m_newest = kNone;
    uint32_t m_dirty = 0;
    uint64_t m_hits = 0;
    uint64_t m_misses = 0;
    uint64_t m_reads = 0;
    uint64_t m_writes = 0;
    uint64_t m_flushes = 0;
};

} // namespace fs
