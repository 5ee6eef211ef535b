// POSIX advisory record locks (fcntl F_GETLK, F_SETLK, F_SETLKW): which process holds which
// byte ranges of which file, shared (F_RDLCK) or exclusive (F_WRLCK). A process's own ranges
// never conflict with each other: a new lock replaces what the process held on its range
// (splitting a range it cuts, changing a read lock into a write lock and back) and merges with
// the process's adjacent and overlapping ranges of the same kind. Locks belong to a process
// (POSIX): its close of any descriptor of the file and its exit release them (release,
// release_process); the server decides when.
//
// Waiting (F_SETLKW) is the server's: it asks `check` whether a lock could be taken now, keeps
// the request deferred meanwhile, and asks again after every unlock. `conflicts_with` lets it
// refuse a wait that would close a cycle (EDEADLK).
//
// Memory comes in from the caller (an array of slots); a lock that needs more slots than are
// free is refused with no_locks (ENOLCK) and changes nothing. Pure logic, no system calls:
// tested on the host (tests/unit/fs_lock_table_test.cc).
#pragma once

#include <stdint.h>

#include <span>

#include "lib/ipc/error.h"
#include "servers/fs/vfs/vfs.h"

namespace fs {

enum class LockKind : uint8_t {
    shared,    // F_RDLCK: others may read-lock the range too
    exclusive, // F_WRLCK: nobody else may lock the range
};

// A byte range [start, end); end kLockToEnd: to the end of the file, however far it grows.
constexpr uint64_t kLockToEnd = UINT64_MAX;
struct LockRange {
    uint64_t start = 0;
    uint64_t end = kLockToEnd;
    constexpr bool overlaps(const LockRange& other) const {
        return start < other.end && other.start < end;
    }
    constexpr bool operator==(const LockRange&) const = default;
};

// The range of a struct flock: `start` relative to `base` (0 for SEEK_SET, the offset for
// SEEK_CUR, the size for SEEK_END), `length` 0 to the end of the file, negative for the bytes
// before start (POSIX). invalid_argument if the range begins before byte 0 or overflows.
Error lock_range(int64_t base, int64_t start, int64_t length, LockRange* out);

struct RecordLock {
    Node node;
    uint32_t owner = 0; // the holder: a process id
    LockKind kind = LockKind::shared;
    LockRange range;
};

class LockTable {
public:
    struct Slot {
        RecordLock lock;
        bool used = false;
    };

    explicit LockTable(std::span<Slot> slots) : m_slots(slots) {}
    LockTable(const LockTable&) = delete;
    LockTable& operator=(const LockTable&) = delete;

    // F_GETLK: the first lock of another owner that keeps `owner` from taking `kind` on `range`
    // of `node`, in *out; false if there is none.
    bool conflict(Node node, uint32_t owner, LockKind kind, LockRange range,
                  RecordLock* out = nullptr) const;
    // Whether a lock of `holder` keeps `owner` from taking `kind` on `range` (a wait's cycle).
    bool conflicts_with(Node node, uint32_t owner, LockKind kind, LockRange range,
                        uint32_t holder) const;
    // Whether `lock` would succeed now: would_block (another owner's lock conflicts), no_locks
    // (not enough free slots), or ok. Changes nothing.
    Error check(Node node, uint32_t owner, LockKind kind, LockRange range) const;
    // F_SETLK with F_RDLCK/F_WRLCK: as check, then the range is `owner`'s, of `kind`.
    Error lock(Node node, uint32_t owner, LockKind kind, LockRange range);
    // F_SETLK with F_UNLCK: `owner` holds nothing of `range` afterwards (a range it held around
    // it is split: no_locks if that needs a slot and none is free; then nothing changes).
    Error unlock(Node node, uint32_t owner, LockRange range);
    // The owner closed a descriptor of `node`, or ended: all of its locks there, or anywhere,
    // go. How many locks went.
    uint32_t release(Node node, uint32_t owner);
    uint32_t release_owner(uint32_t owner);

    // For tests and statistics: the locks in use, and `owner`'s on `node` in ascending order.
    uint32_t count() const;
    uint32_t held(Node node, uint32_t owner, std::span<RecordLock> out) const;

private:
    // Slots `owner`'s change of `range` on `node` needs beyond those it frees: for a lock, the
    // new range (0 if a range of the same kind holds all of it already) and a split.
    int32_t slots_needed(Node node, uint32_t owner, LockRange range, bool adding) const;
    uint32_t free_slots() const;
    // Cuts `range` out of `owner`'s locks on `node` (the split's right part into a free slot).
    void cut(Node node, uint32_t owner, LockRange range);
    Slot* take_slot();

    std::span<Slot> m_slots;
};

} // namespace fs
