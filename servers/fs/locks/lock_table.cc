#include "servers/fs/locks/lock_table.h"

namespace fs {

namespace {

bool conflicting(LockKind held, LockKind wanted) {
    return held == LockKind::exclusive || wanted == LockKind::exclusive;
}

} // namespace

Error lock_range(int64_t base, int64_t start, int64_t length, LockRange* out) {
    int64_t first = 0;
    if (__builtin_add_overflow(base, start, &first)) return Error::invalid_argument;
    if (length == 0) {
        if (first < 0) return Error::invalid_argument;
        *out = LockRange{static_cast<uint64_t>(first), kLockToEnd};
        return Error::ok;
    }
    int64_t second = 0;
    if (__builtin_add_overflow(first, length, &second)) return Error::invalid_argument;
    // A negative length locks the bytes before start: [start + length, start).
    if (length < 0) {
        int64_t swap = first;
        first = second;
        second = swap;
    }
    if (first < 0) return Error::invalid_argument;
    *out = LockRange{static_cast<uint64_t>(first), static_cast<uint64_t>(second)};
    return Error::ok;
}

bool LockTable::conflict(Node node, uint32_t owner, LockKind kind, LockRange range,
                         RecordLock* out) const {
    for (const Slot& slot : m_slots) {
        const RecordLock& lock = slot.lock;
        if (!slot.used || lock.owner == owner || !(lock.node == node)) continue;
        if (!lock.range.overlaps(range) || !conflicting(lock.kind, kind)) continue;
        if (out != nullptr) *out = lock;
        return true;
    }
    return false;
}

bool LockTable::conflicts_with(Node node, uint32_t owner, LockKind kind, LockRange range,
                               uint32_t holder) const {
    if (holder == owner) return false;
    for (const Slot& slot : m_slots) {
        const RecordLock& lock = slot.lock;
        if (slot.used && lock.owner == holder && lock.node == node && lock.range.overlaps(range) &&
            conflicting(lock.kind, kind))
            return true;
    }
    return false;
}

uint32_t LockTable::free_slots() const {
    uint32_t free = 0;
    for (const Slot& slot : m_slots)
        if (!slot.used) ++free;
    return free;
}

uint32_t LockTable::count() const {
    return static_cast<uint32_t>(m_slots.size()) - free_slots();
}

int32_t LockTable::slots_needed(Node node, uint32_t owner, LockRange range, bool adding) const {
    int32_t needed = adding ? 1 : 0;
    for (const Slot& slot : m_slots) {
        const RecordLock& lock = slot.lock;
        if (!slot.used || lock.owner != owner || !(lock.node == node)) continue;
        if (!lock.range.overlaps(range)) continue;
        if (lock.range.start < range.start && lock.range.end > range.end)
            ++needed; // split in two: its right part takes a slot
        else if (lock.range.start >= range.start && lock.range.end <= range.end)
            --needed; // inside the range: its slot is freed
    }
    return needed;
}

Error LockTable::check(Node node, uint32_t owner, LockKind kind, LockRange range) const {
    if (range.start >= range.end) return Error::invalid_argument;
    if (conflict(node, owner, kind, range)) return Error::would_block;
    for (const Slot& slot : m_slots) {
        const RecordLock& lock = slot.lock;
        if (slot.used && lock.owner == owner && lock.node == node && lock.kind == kind &&
            lock.range.start <= range.start && lock.range.end >= range.end)
            return Error::ok; // held already: nothing changes
    }
    int32_t needed = slots_needed(node, owner, range, true);
    if (needed > 0 && static_cast<uint32_t>(needed) > free_slots()) return Error::no_locks;
    return Error::ok;
}

LockTable::Slot* LockTable::take_slot() {
    for (Slot& slot : m_slots)
        if (!slot.used) {
            slot.used = true;
            return &slot;
        }
    return nullptr; // slots_needed was checked first: never
}

void LockTable::cut(Node node, uint32_t owner, LockRange range) {
    for (Slot& slot : m_slots) {
        RecordLock& lock = slot.lock;
        if (!slot.used || lock.owner != owner || !(lock.node == node)) continue;
        if (!lock.range.overlaps(range)) continue;
        const LockRange held = lock.range;
        if (held.start < range.start && held.end > range.end) {
            lock.range.end = range.start;
            Slot* right = take_slot();
            if (right != nullptr)
                right->lock = RecordLock{node, owner, lock.kind, {range.end, held.end}};
        } else if (held.start < range.start) {
            lock.range.end = range.start;
        } else if (held.end > range.end) {
            lock.range.start = range.end;
        } else {
            slot = Slot{};
        }
    }
}

Error LockTable::lock(Node node, uint32_t owner, LockKind kind, LockRange range) {
    if (Error error = check(node, owner, kind, range); error != Error::ok) return error;
    for (const Slot& slot : m_slots) {
        const RecordLock& lock = slot.lock;
        if (slot.used && lock.owner == owner && lock.node == node && lock.kind == kind &&
            lock.range.start <= range.start && lock.range.end >= range.end)
            return Error::ok;
    }
    cut(node, owner, range);
    // Nothing of the owner's overlaps the range now: only neighbours of the same kind merge.
    LockRange merged = range;
    for (Slot& slot : m_slots) {
        RecordLock& lock = slot.lock;
        if (!slot.used || lock.owner != owner || !(lock.node == node) || lock.kind != kind)
            continue;
        if (lock.range.end == merged.start) {
            merged.start = lock.range.start;
            slot = Slot{};
        } else if (lock.range.start == merged.end) {
            merged.end = lock.range.end;
            slot = Slot{};
        }
    }
    Slot* slot = take_slot();
    if (slot == nullptr) return Error::no_locks; // checked: never
    slot->lock = RecordLock{node, owner, kind, merged};
    return Error::ok;
}

Error LockTable::unlock(Node node, uint32_t owner, LockRange range) {
    if (range.start >= range.end) return Error::invalid_argument;
    int32_t needed = slots_needed(node, owner, range, false);
    if (needed > 0 && static_cast<uint32_t>(needed) > free_slots()) return Error::no_locks;
    cut(node, owner, range);
    return Error::ok;
}

uint32_t LockTable::release(Node node, uint32_t owner) {
    uint32_t released = 0;
    for (Slot& slot : m_slots)
        if (slot.used && slot.lock.owner == owner && slot.lock.node == node) {
            slot = Slot{};
            ++released;
        }
    return released;
}

uint32_t LockTable::release_owner(uint32_t owner) {
    uint32_t released = 0;
    for (Slot& slot : m_slots)
        if (slot.used && slot.lock.owner == owner) {
            slot = Slot{};
            ++released;
        }
    return released;
}

uint32_t LockTable::held(Node node, uint32_t owner, std::span<RecordLock> out) const {
    uint32_t count = 0;
    for (const Slot& slot : m_slots) {
        if (!slot.used || slot.lock.owner != owner || !(slot.lock.node == node)) continue;
        // Insertion in ascending order of start (the owner's ranges never overlap).
        uint32_t at = count < out.size() ? count : static_cast<uint32_t>(out.size());
        while (at > 0 && out[at - 1].range.start > slot.lock.range.start) {
            if (at < out.size()) out[at] = out[at - 1];
            --at;
        }
        if (at < out.size()) out[at] = slot.lock;
        ++count;
    }
    return count;
}

} // namespace fs
