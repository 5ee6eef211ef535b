// The part of fs's IPC edge (server.h) that serves advisory locks: fcntl's record locks
// (kFileLock), owned by the caller's process as proc identifies it, and flock's whole-file
// locks (kFileFlock), owned by the open description. The bookkeeping is LockTable's
// (locks/lock_table.h); a wait (F_SETLKW, flock without LOCK_NB) is deferred in lib/ipc's
// PendingRequests and answered when an unlock, a close or an exit lets it go on. README.md
// "Advisory locks" has the rules.
#include "servers/fs/server.h"

#include "lib/ipc/kernel.h"

namespace fs {

namespace {

constexpr LockRange kWholeFile{0, kLockToEnd};

uint32_t access_of(const OpenDescription& description) {
    return description.flags & kOpenAccessMask;
}

// The reply of F_GETLK for a conflicting lock.
file::LockReply reply_of(const RecordLock& lock) {
    uint64_t length = lock.range.end == kLockToEnd ? 0 : lock.range.end - lock.range.start;
    return file::LockReply{lock.kind == LockKind::exclusive ? AXO_FILE_F_WRLCK : AXO_FILE_F_RDLCK,
                           file::low(lock.range.start),
                           file::high(lock.range.start),
                           file::low(length),
                           file::high(length),
                           lock.owner};
}

} // namespace

void Server::release_locks(uint32_t pid, const OpenDescription& closed) {
    if (!closed.anonymous) (void)m_locks.release(closed.node, pid);
    settle_locks(); // also for flock's lock, if that was the description's last handle
}

void Server::release_locks(uint32_t pid) {
    (void)m_lock_waits.cancel_if([pid](const auto& entry) { return entry.payload.pid == pid; });
    (void)m_locks.release_owner(pid);
    // Its flock locks go with its descriptions (released), when the Vfs closes them.
}

bool Server::would_deadlock(uint32_t pid, Node node, LockKind kind, LockRange range) {
    for (uint32_t i = 0; i < m_lock_waits.count(); ++i) {
        const LockWait& wait = m_lock_waits.at(i).payload;
        if (wait.flock || wait.pid == pid) continue;
        if (m_locks.conflicts_with(node, pid, kind, range, wait.pid) &&
            m_locks.conflicts_with(wait.node, wait.pid, wait.kind, wait.range, pid))
            return true;
    }
    return false;
}

void Server::settle_locks() {
    // Each answer leaves the table: start again until no wait can go on (at most kLockWaiters
    // rounds of kLockWaiters checks).
    for (bool answered = true; answered;) {
        answered = false;
        for (uint32_t i = 0; i < m_lock_waits.count(); ++i) {
            const auto& entry = m_lock_waits.at(i);
            LockTable& table = entry.payload.flock ? m_flocks : m_locks;
            const LockWait& wait = entry.payload;
            if (table.check(wait.node, wait.owner, wait.kind, wait.range) != Error::ok) continue;
            // Locked only if the reply got through: a client that gave up (a signal aborted its
            // call) holds nothing.
            (void)m_lock_waits.answer(
                entry.ticket,
                [](axo_thread_id_t client, const LockWait& w) {
                    return w.flock ? ipc::send_reply(client, ipc::Empty{})
                                   : ipc::send_reply(client, file::LockReply{});
                },
                [&table](const LockWait& w) {
                    (void)table.lock(w.node, w.owner, w.kind, w.range);
                });
            answered = true;
            break;
        }
    }
}

ipc::Error Server::on_lock(axo_thread_id_t from, const file::LockRequest& request,
                           file::LockReply& reply) {
    Caller caller;
    uint8_t* buffer = nullptr;
    if (ipc::Error error = begin(from, &caller, &buffer); error != ipc::Error::ok) return error;
    OpenDescription description;
    if (ipc::Error error = m_vfs.describe(caller, request.handle, &description);
        error != ipc::Error::ok)
        return error;
    if (description.anonymous) return ipc::Error::invalid_argument;
    int64_t base = 0;
    switch (request.whence) {
    case AXO_FILE_SEEK_SET:
        break;
    case AXO_FILE_SEEK_CUR: {
        uint64_t position = 0;
        if (ipc::Error error = m_vfs.seek(caller, request.handle, 0, Whence::current, &position);
            error != ipc::Error::ok)
            return error;
        base = static_cast<int64_t>(position);
        break;
    }
    case AXO_FILE_SEEK_END: {
        Attributes attributes;
        if (ipc::Error error = m_vfs.fstat(caller, request.handle, &attributes);
            error != ipc::Error::ok)
            return error;
        base = static_cast<int64_t>(attributes.size);
        break;
    }
    default:
        return ipc::Error::invalid_argument;
    }
    LockRange range;
    if (Error error = lock_range(
            base, static_cast<int64_t>(file::join(request.start_low, request.start_high)),
            static_cast<int64_t>(file::join(request.length_low, request.length_high)), &range);
        error != Error::ok)
        return error;
    if (request.type != AXO_FILE_F_RDLCK && request.type != AXO_FILE_F_WRLCK &&
        request.type != AXO_FILE_F_UNLCK)
        return ipc::Error::invalid_argument;
    const LockKind kind = request.type == AXO_FILE_F_WRLCK ? LockKind::exclusive : LockKind::shared;
    const Node node = description.node;

    switch (request.command) {
    case AXO_FILE_F_GETLK: {
        if (request.type == AXO_FILE_F_UNLCK) return ipc::Error::invalid_argument;
        RecordLock conflict;
        if (m_locks.conflict(node, caller.pid, kind, range, &conflict))
            reply = reply_of(conflict);
        else
            reply = file::LockReply{AXO_FILE_F_UNLCK, 0, 0, 0, 0, 0};
        return ipc::Error::ok;
    }
    case AXO_FILE_F_SETLK:
    case AXO_FILE_F_SETLKW:
        break;
    default:
        return ipc::Error::invalid_argument;
    }
    if (request.type == AXO_FILE_F_UNLCK) {
        Error error = m_locks.unlock(node, caller.pid, range);
        settle_locks();
        return error;
    }
    // POSIX: a read lock needs a descriptor open for reading, a write lock one for writing.
    if (kind == LockKind::shared && access_of(description) == kOpenWriteOnly)
        return ipc::Error::bad_handle;
    if (kind == LockKind::exclusive && access_of(description) == kOpenReadOnly)
        return ipc::Error::bad_handle;
    Error error = m_locks.lock(node, caller.pid, kind, range);
    if (error == Error::ok) {
        settle_locks(); // a write lock made a read lock: readers that waited go on
        return ipc::Error::ok;
    }
    if (error != Error::would_block || request.command == AXO_FILE_F_SETLK) return error;
    if (would_deadlock(caller.pid, node, kind, range)) return ipc::Error::deadlock;
    LockWait wait{false, node, caller.pid, caller.pid, kind, range};
    if (m_lock_waits.defer(from, wait) != ipc::Error::ok) return ipc::Error::no_locks;
    return ipc::kNoReply;
}

ipc::Error Server::on_flock(axo_thread_id_t from, const file::FlockRequest& request, ipc::Empty&) {
    Caller caller;
    uint8_t* buffer = nullptr;
    if (ipc::Error error = begin(from, &caller, &buffer); error != ipc::Error::ok) return error;
    OpenDescription description;
    if (ipc::Error error = m_vfs.describe(caller, request.handle, &description);
        error != ipc::Error::ok)
        return error;
    if (description.anonymous || description.description >= kMaxOpenFiles)
        return ipc::Error::invalid_argument;
    const uint32_t owner = kFlockOwner | description.description;
    const bool nonblocking = (request.operation & AXO_FILE_LOCK_NB) != 0;
    const Node node = description.node;
    LockKind kind = LockKind::shared;
    switch (request.operation & ~AXO_FILE_LOCK_NB) {
    case AXO_FILE_LOCK_UN:
        (void)m_flocks.unlock(node, owner, kWholeFile); // whole ranges: never a split
        settle_locks();
        return ipc::Error::ok;
    case AXO_FILE_LOCK_SH:
        break;
    case AXO_FILE_LOCK_EX:
        kind = LockKind::exclusive;
        break;
    default:
        return ipc::Error::invalid_argument;
    }
    Error error = m_flocks.lock(node, owner, kind, kWholeFile);
    if (error == Error::ok) {
        settle_locks();
        return ipc::Error::ok;
    }
    if (error != Error::would_block || nonblocking) return error;
    // A conversion that must wait gives up the lock held first (as Linux's flock): two holders
    // of shared locks that both ask for an exclusive one would wait for each other forever.
    if (m_flocks.unlock(node, owner, kWholeFile) == Error::ok) settle_locks();
    LockWait wait{true, node, owner, caller.pid, kind, kWholeFile};
    if (m_lock_waits.defer(from, wait) != ipc::Error::ok) return ipc::Error::no_locks;
    return ipc::kNoReply;
}

} // namespace fs
