#include "servers/fs/cache/block_cache.h"

#include <string.h>

namespace fs {

using ipc::Error;

uint8_t* BlockCache::Handle::data() const {
    return m_cache->m_slots[m_slot].data;
}

uint64_t BlockCache::Handle::block() const {
    return m_cache->m_slots[m_slot].block;
}

std::span<uint8_t> BlockCache::Handle::bytes() const {
    return {m_cache->m_slots[m_slot].data, m_cache->m_block_size};
}

void BlockCache::Handle::mark_dirty() {
    BlockCache::Slot& slot = m_cache->m_slots[m_slot];
    if (!slot.dirty) {
        slot.dirty = true;
        ++m_cache->m_dirty;
    }
}

void BlockCache::Handle::reset() {
    if (m_cache != nullptr) {
        m_cache->unpin(m_slot);
        m_cache = nullptr;
        m_slot = kNone;
    }
}

BlockCache::BlockCache(BlockDevice& device, std::span<Slot> slots, std::span<uint8_t> memory)
    : m_device(device), m_slots(slots), m_memory(memory) {}

uint64_t BlockCache::blocks() const {
    if (m_block_size == 0) {
        return 0;
    }
    return m_device.sectors() / (m_block_size / m_device.sector_bytes());
}

Error BlockCache::set_block_size(uint32_t bytes) {
    uint32_t sector = m_device.sector_bytes();
    if (sector == 0 || bytes < sector || bytes > 4096 || (bytes & (bytes - 1)) != 0 ||
        bytes % sector != 0 || m_memory.size() < bytes || m_slots.empty()) {
        return Error::invalid_argument;
    }
    for (uint32_t i = 0; i < m_capacity; ++i) {
        if (m_slots[i].pins != 0) {
            return Error::busy;
        }
    }
    for (uint32_t i = 0; i < m_capacity; ++i) {
        if (m_slots[i].valid && m_slots[i].dirty) {
            if (Error error = write_back(i); error != Error::ok) {
                return error;
            }
        }
    }
    m_block_size = bytes;
    size_t by_memory = m_memory.size() / bytes;
    m_capacity = static_cast<uint32_t>(by_memory < m_slots.size() ? by_memory : m_slots.size());
    m_oldest = kNone;
    m_newest = kNone;
    m_dirty = 0;
    for (uint32_t i = 0; i < m_capacity; ++i) {
        Slot& slot = m_slots[i];
        slot = Slot{};
        slot.data = m_memory.data() + static_cast<size_t>(i) * bytes;
        push_newest(i);
    }
    return Error::ok;
}

uint32_t BlockCache::bucket_of(uint64_t block) const {
    uint64_t h = block * 0x9E3779B97F4A7C15ull;
    return static_cast<uint32_t>((h >> 32) % m_capacity);
}

uint32_t BlockCache::find(uint64_t block) const {
    uint32_t i = m_slots[bucket_of(block)].bucket;
    while (i != kNone) {
        if (m_slots[i].valid && m_slots[i].block == block) {
            return i;
        }
        i = m_slots[i].chain;
    }
    return kNone;
}

void BlockCache::hash_insert(uint32_t slot) {
    uint32_t bucket = bucket_of(m_slots[slot].block);
    m_slots[slot].chain = m_slots[bucket].bucket;
    m_slots[bucket].bucket = slot;
}

void BlockCache::hash_remove(uint32_t slot) {
    uint32_t bucket = bucket_of(m_slots[slot].block);
    uint32_t* link = &m_slots[bucket].bucket;
    while (*link != kNone) {
        if (*link == slot) {
            *link = m_slots[slot].chain;
            m_slots[slot].chain = kNone;
            return;
        }
        link = &m_slots[*link].chain;
    }
}

void BlockCache::unlink_lru(uint32_t slot) {
    Slot& s = m_slots[slot];
    if (s.older != kNone) {
        m_slots[s.older].newer = s.newer;
    } else {
        m_oldest = s.newer;
    }
    if (s.newer != kNone) {
        m_slots[s.newer].older = s.older;
    } else {
        m_newest = s.older;
    }
    s.older = kNone;
    s.newer = kNone;
}

void BlockCache::push_newest(uint32_t slot) {
    Slot& s = m_slots[slot];
    s.older = m_newest;
    s.newer = kNone;
    if (m_newest != kNone) {
        m_slots[m_newest].newer = slot;
    } else {
        m_oldest = slot;
    }
    m_newest = slot;
}

Error BlockCache::write_back(uint32_t slot) {
    Slot& s = m_slots[slot];
    uint32_t per_block = m_block_size / m_device.sector_bytes();
    Error error = m_device.write(s.block * per_block, per_block, {s.data, m_block_size});
    if (error != Error::ok) {
        return error;
    }
    ++m_writes;
    s.dirty = false;
    --m_dirty;
    return Error::ok;
}

Error BlockCache::take_slot(uint32_t* out) {
    // The least recently used unpinned slot; free (invalid) slots sit at the old end.
    for (uint32_t i = m_oldest; i != kNone; i = m_slots[i].newer) {
        Slot& s = m_slots[i];
        if (s.pins != 0) {
            continue;
        }
        if (s.valid) {
            if (s.dirty) {
                if (Error error = write_back(i); error != Error::ok) {
                    return error;
                }
            }
            hash_remove(i);
            s.valid = false;
        }
        *out = i;
        return Error::ok;
    }
    return Error::no_memory;
}

void BlockCache::pin(uint32_t slot) {
    ++m_slots[slot].pins;
}

void BlockCache::unpin(uint32_t slot) {
    --m_slots[slot].pins;
}

Error BlockCache::lookup_or_load(uint64_t block, bool read, Handle* out) {
    if (m_block_size == 0) {
        return Error::invalid_argument;
    }
    if (block >= blocks()) {
        return Error::invalid_argument;
    }
    uint32_t slot = find(block);
    if (slot != kNone) {
        ++m_hits;
        unlink_lru(slot);
        push_newest(slot);
        if (!read) {
            memset(m_slots[slot].data, 0, m_block_size);
            if (!m_slots[slot].dirty) {
                m_slots[slot].dirty = true;
                ++m_dirty;
            }
        }
        pin(slot);
        *out = Handle(this, slot);
        return Error::ok;
    }
    ++m_misses;
    if (Error error = take_slot(&slot); error != Error::ok) {
        return error;
    }
    Slot& s = m_slots[slot];
    if (read) {
        uint32_t per_block = m_block_size / m_device.sector_bytes();
        Error error = m_device.read(block * per_block, per_block, {s.data, m_block_size});
        if (error != Error::ok) {
            return error; // the slot stays free
        }
        ++m_reads;
    } else {
        memset(s.data, 0, m_block_size);
    }
    s.block = block;
    s.valid = true;
    s.dirty = !read;
    if (!read) {
        ++m_dirty;
    }
    hash_insert(slot);
    unlink_lru(slot);
    push_newest(slot);
    pin(slot);
    *out = Handle(this, slot);
    return Error::ok;
}

Error BlockCache::get(uint64_t block, Handle* out) {
    return lookup_or_load(block, true, out);
}

Error BlockCache::get_zeroed(uint64_t block, Handle* out) {
    return lookup_or_load(block, false, out);
}

void BlockCache::discard(uint64_t block) {
    if (m_block_size == 0) {
        return;
    }
    uint32_t slot = find(block);
    if (slot == kNone || m_slots[slot].pins != 0) {
        return;
    }
    Slot& s = m_slots[slot];
    if (s.dirty) {
        s.dirty = false;
        --m_dirty;
    }
    hash_remove(slot);
    s.valid = false;
    unlink_lru(slot);
    // A free slot is the first to be taken.
    s.newer = m_oldest;
    s.older = kNone;
    if (m_oldest != kNone) {
        m_slots[m_oldest].older = slot;
    } else {
        m_newest = slot;
    }
    m_oldest = slot;
}

Error BlockCache::sync_block(uint64_t block) {
    if (m_block_size == 0) {
        return Error::ok;
    }
    uint32_t slot = find(block);
    if (slot != kNone && m_slots[slot].dirty) {
        if (Error error = write_back(slot); error != Error::ok) {
            return error;
        }
    }
    ++m_flushes;
    return m_device.flush();
}

Error BlockCache::sync() {
    Error first = Error::ok;
    for (uint32_t i = 0; i < m_capacity; ++i) {
        if (m_slots[i].valid && m_slots[i].dirty) {
            Error error = write_back(i);
            if (error != Error::ok && first == Error::ok) {
                first = error;
            }
        }
    }
    if (first != Error::ok) {
        return first; // nothing is durable yet: no flush pretends otherwise
    }
    ++m_flushes;
    return m_device.flush();
}

BlockCacheStatistics BlockCache::statistics() const {
    BlockCacheStatistics out;
    out.hits = m_hits;
    out.misses = m_misses;
    out.reads = m_reads;
    out.writes = m_writes;
    out.flushes = m_flushes;
    out.dirty = m_dirty;
    for (uint32_t i = 0; i < m_capacity; ++i)
        out.held += m_slots[i].valid;
    out.capacity = m_capacity;
    out.block_size = m_block_size;
    return out;
}

} // namespace fs
