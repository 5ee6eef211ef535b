#include "servers/memory/mm/memory_manager.h"

#include "lib/ipc/dispatcher.h"

namespace mm {

namespace {

using ipc::Error;

constexpr uint32_t kNoFrame = FramePool::kNone;

constexpr uint32_t page_of(uint32_t address) {
    return address & ~(kPageSize - 1);
}
constexpr bool aligned(uint32_t value) {
    return (value & (kPageSize - 1)) == 0;
}
constexpr uint32_t pages(uint32_t bytes) {
    return bytes / kPageSize;
}

// The Pentium cannot map a page writable or executable without making it readable.
constexpr uint32_t normalize(uint32_t rights) {
    rights &= AXO_FPAGE_RWX;
    return (rights & (AXO_FPAGE_W | AXO_FPAGE_X)) ? rights | AXO_FPAGE_R : rights;
}

// A non-empty, page-aligned range of user addresses.
constexpr bool valid_range(uint32_t address, uint32_t size) {
    return size > 0 && aligned(address) && aligned(size) && address < kUserLimit &&
           size <= kUserLimit - address;
}

bool is_backed_by_object(const Region& r) {
    return r.kind == kRegionShared || r.kind == kRegionExternal || r.kind == kRegionCopy;
}

// Regions whose pages are the client's own frames (its page table): anonymous memory, and
// pages of an external object copied at their first touch.
bool has_private_pages(const Region& r) {
    return r.kind == kRegionAnonymous || r.kind == kRegionCopy;
}

// The kind of object a region of `kind` maps.
constexpr uint32_t object_kind(uint32_t kind) {
    return kind == kRegionCopy ? uint32_t{kRegionExternal} : kind;
}

} // namespace

void MemoryManager::init(FramePool* frames, Flusher flusher, axo_thread_id_t root_task,
                         uint32_t landing_base, uint32_t landing_size) {
    m_frames = frames;
    m_flusher = flusher;
    m_flush_pending = false;
    m_root = root_task;
    m_landing_base = landing_base;
    m_landing_size = landing_size;
    m_table_frames = 0;
    m_next_object_id = 1;
    m_counters = Counters{};
    for (Client& c : m_clients)
        c = Client{};
    for (Object& o : m_objects)
        o = Object{};
    for (uint16_t& index : m_client_of)
        index = 0;
    m_outbox_head = m_outbox_count = 0;
    for (axo_thread_id_t& waiter : m_fault_waiters)
        waiter = AXO_NIL_THREAD;
    for (Forward& f : m_forwards)
        f = Forward{};
    for (axo_thread_id_t& waiter : m_pager_waiters)
        waiter = AXO_NIL_THREAD;
    m_next_token = 1;
    m_now = 0;
    m_outstanding = 0;
}

// ---- Lookup and trust --------------------------------------------------------------------------

bool MemoryManager::locate(axo_thread_id_t thread, uint32_t& client, uint32_t& slot) const {
    uint32_t number = axo_thread_number(thread);
    if (thread == AXO_NIL_THREAD || thread == AXO_ANY_THREAD || number >= AXO_MAX_THREADS)
        return false;
    if (m_client_of[number] == 0) return false;
    uint32_t index = m_client_of[number] - 1u;
    for (uint32_t s = 0; s < kThreadsPerClient; ++s) {
        if (m_clients[index].threads[s] == thread) {
            client = index;
            slot = s;
            return true;
        }
    }
    return false; // another version of the number: a stale id
}

Error MemoryManager::resolve(axo_thread_id_t from, axo_thread_id_t named, bool manager_only,
                             uint32_t& client) const {
    uint32_t slot = 0;
    if (named == AXO_NIL_THREAD) {
        // "Myself": only a client has a self, and a client does not manage itself.
        if (!locate(from, client, slot)) return Error::not_found;
        return manager_only ? Error::no_permission : Error::ok;
    }
    if (!locate(named, client, slot)) return Error::not_found;
    const Client& c = m_clients[client];
    if (from == m_root || (from == c.fault_handler && from != AXO_NIL_THREAD)) return Error::ok;
    if (!manager_only) {
        for (axo_thread_id_t t : c.threads)
            if (t == from) return Error::ok;
    }
    return Error::no_permission;
}

// ---- Faults ------------------------------------------------------------------------------------

FaultAnswer MemoryManager::fault(axo_thread_id_t thread, uint32_t address, uint32_t ip,
                                 uint32_t access) {
    uint32_t client = 0, slot = 0;
    if (!locate(thread, client, slot)) {
        ++m_counters.ignored;
        return FaultAnswer{};
    }
    Client& c = m_clients[client];
    access = (access & AXO_FPAGE_W) ? AXO_FPAGE_W : AXO_FPAGE_R;
    // The same fault again with no flush since the last answer: that answer did not work.
    // After a flush it is a new fault — another client's unmap or end may take a page this
    // one maps too (a kept copy, a shared page), and that must not count against it.
    LastFault& last = c.last[slot];
    if (last.repeats > 0 && last.page == page_of(address) && last.access == access &&
        last.flushes == m_flushes) {
        if (++last.repeats > kMaxFaultRepeats)
            return refuse(client, slot, address, ip, access, kRefusedRepeated);
    } else {
        last = LastFault{page_of(address), access, 1, m_flushes};
    }
    FaultAnswer answer = evaluate(client, address, access);
    answer.ip = ip;
    if (answer.kind == FaultAnswer::refuse)
        return refuse(client, slot, address, ip, access, answer.reason);
    if (answer.kind == FaultAnswer::forward) {
        answer = start_forward(client, slot, answer);
        if (answer.kind == FaultAnswer::refuse) return answer;
    }
    ++c.faults;
    ++m_counters.faults;
    return answer;
}

FaultAnswer MemoryManager::evaluate(uint32_t client, uint32_t address, uint32_t access) {
    Client& c = m_clients[client];
    FramePool& pool = *m_frames;
    FaultAnswer answer;
    answer.page = page_of(address);
    answer.address = address;
    answer.access = access;
    auto refused = [&](uint32_t reason) {
        answer.kind = FaultAnswer::refuse;
        answer.reason = reason;
        return answer;
    };

    uint32_t index = c.regions.find(address);
    if (index == RegionList::kCapacity) return refused(kRefusedNoRegion);
    const Region& r = c.regions[index];
    if (r.kind == kRegionBeyondEnd) return refused(kRefusedBeyondEnd);
    uint32_t need = access == AXO_FPAGE_W ? AXO_FPAGE_W : AXO_FPAGE_R;
    if ((r.rights & need) == 0) return refused(kRefusedProtection);
    answer.rights = r.rights;

    if (r.kind == kRegionCopy && c.pages.get(pool, answer.page / kPageSize) == kNoFrame) {
        Object& o = m_objects[r.object];
        uint32_t kept = o.pages.get(pool, r.offset_of(answer.page) / kPageSize);
        if (kept != kNoFrame) {
            // The object keeps a copy (a region without W made it): read-only for all, and a
            // write (the region has W) takes a private copy of it.
            if (need == AXO_FPAGE_W) {
                uint32_t copy = pool.allocate(false);
                if (copy == kNoFrame) return refused(kRefusedNoMemory);
                if (!c.pages.set(pool, answer.page / kPageSize, copy, m_table_frames)) {
                    pool.unref(copy);
                    return refused(kRefusedNoMemory);
                }
                __builtin_memcpy(pool.data(copy), pool.data(kept), kPageSize);
                ++c.resident;
                ++m_counters.copies;
                kept = copy;
                if (answer.rights & AXO_FPAGE_W) note_writable(c, copy);
            } else {
                answer.rights &= ~AXO_FPAGE_W;
            }
            answer.kind = FaultAnswer::map;
            answer.source = pool.address(kept);
            return answer;
        }
        // Not copied yet: the pager's page first, then a copy (complete_copy): the object's
        // if the region is read-only, else the client's.
        answer.kind = FaultAnswer::forward;
        answer.copy = true;
        answer.keep = (r.rights & AXO_FPAGE_W) == 0;
        answer.object = r.object;
        answer.object_id = o.id;
        answer.offset = r.offset_of(answer.page);
        answer.source = o.landing + answer.offset;
        answer.pager = o.pager;
        answer.cookie = o.cookie;
        ++m_counters.forwards;
        return answer;
    }
    if (r.kind == kRegionExternal) {
        const Object& o = m_objects[r.object];
        answer.kind = FaultAnswer::forward;
        answer.object = r.object;
        answer.object_id = o.id;
        answer.offset = r.offset_of(answer.page);
        answer.source = o.landing + answer.offset;
        answer.pager = o.pager;
        answer.cookie = o.cookie;
        ++m_counters.forwards;
        return answer;
    }

    if (r.kind == kRegionShared && r.offset_of(answer.page) >= m_objects[r.object].limit)
        return refused(kRefusedBeyondEnd);
    // Anonymous memory is the client's own table; shared memory the object's.
    PageTable& table = r.kind == kRegionShared ? m_objects[r.object].pages : c.pages;
    uint32_t page =
        r.kind == kRegionShared ? r.offset_of(answer.page) / kPageSize : answer.page / kPageSize;
    uint32_t frame = table.get(pool, page);
    if (frame == kNoFrame) {
        frame = pool.allocate(true);
        if (frame == kNoFrame) return refused(kRefusedNoMemory);
        if (!table.set(pool, page, frame, m_table_frames)) {
            pool.unref(frame);
            return refused(kRefusedNoMemory);
        }
        if (r.kind == kRegionAnonymous) ++c.resident;
        ++m_counters.zero_fills;
    } else if (has_private_pages(r) && pool.refs(frame) > 1) {
        // Shared copy-on-write since a duplicate: a write takes a private copy, a read sees
        // the shared frame, read-only.
        if (need == AXO_FPAGE_W) {
            uint32_t copy = pool.allocate(false);
            if (copy == kNoFrame) return refused(kRefusedNoMemory);
            __builtin_memcpy(pool.data(copy), pool.data(frame), kPageSize);
            table.set(pool, page, copy, m_table_frames); // the table exists: cannot fail
            pool.unref(frame);
            frame = copy;
            ++m_counters.cow_copies;
        } else {
            answer.rights &= ~AXO_FPAGE_W;
        }
    }
    if (r.kind != kRegionShared && (answer.rights & AXO_FPAGE_W)) note_writable(c, frame);
    answer.kind = FaultAnswer::map;
    answer.source = pool.address(frame);
    return answer;
}

void MemoryManager::note_writable(Client& c, uint32_t frame) {
    if (c.writable_count < kWritableFrames) c.writable[c.writable_count] = frame;
    if (c.writable_count <= kWritableFrames) ++c.writable_count; // kWritableFrames + 1: all
}

FaultAnswer MemoryManager::refuse(uint32_t client, uint32_t slot, uint32_t address, uint32_t ip,
                                  uint32_t access, uint32_t reason) {
    Client& c = m_clients[client];
    c.pending[slot] = Pending{reason, address, ip, access};
    c.last[slot] = LastFault{};
    ++c.refused;
    ++m_counters.refused;
    if (c.fault_handler != AXO_NIL_THREAD) {
        Deferred notice;
        notice.kind = Deferred::notify;
        notice.to = c.fault_handler;
        notice.notice = FaultNotice{c.threads[slot], address, ip, access, reason};
        for (axo_thread_id_t& waiter : m_fault_waiters) {
            if (waiter != c.fault_handler) continue;
            // The handler waits in kMmFaultWait: the notice is the reply to its call.
            notice.kind = Deferred::wake;
            c.pending[slot].reported = true;
            waiter = AXO_NIL_THREAD;
            break;
        }
        push(notice);
    }
    FaultAnswer answer;
    answer.kind = FaultAnswer::refuse;
    answer.reason = reason;
    answer.page = page_of(address);
    answer.address = address;
    answer.ip = ip;
    answer.access = access;
    return answer;
}

void MemoryManager::external_failed(axo_thread_id_t thread, const FaultAnswer& answer,
                                    uint32_t reason) {
    uint32_t client = 0, slot = 0;
    if (!locate(thread, client, slot)) return;
    refuse(client, slot, answer.address, answer.ip, answer.access, reason);
}

uint32_t MemoryManager::complete_copy(axo_thread_id_t thread, const FaultAnswer& answer,
                                      const void* landed) {
    uint32_t client = 0, slot = 0;
    if (!locate(thread, client, slot)) return 0;
    Client& c = m_clients[client];
    FramePool& pool = *m_frames;
    // A read-only region's copy goes into the object (kept once for all its regions), a
    // writable one's into the client's table. The region may have changed while mm waited
    // for the pager (it serves the pager meanwhile): the object must still be alive.
    bool keep = answer.keep && answer.object < kMaxObjects &&
                m_objects[answer.object].kind == kRegionExternal &&
                m_objects[answer.object].id == answer.object_id;
    PageTable& table = keep ? m_objects[answer.object].pages : c.pages;
    uint32_t page = keep ? answer.offset / kPageSize : answer.page / kPageSize;
    uint32_t frame = table.get(pool, page);
    if (frame == kNoFrame) {
        frame = pool.allocate(false);
        if (frame == kNoFrame) return 0;
        if (!table.set(pool, page, frame, m_table_frames)) {
            pool.unref(frame);
            return 0;
        }
        __builtin_memcpy(pool.data(frame), landed, kPageSize);
        if (!keep) ++c.resident;
        ++m_counters.copies;
    }
    if (!keep && (answer.rights & AXO_FPAGE_W)) note_writable(c, frame);
    // mm keeps no mapping of the pager's page: its copy is the client's now.
    m_flusher.flush(m_flusher.context, axo_fpage(answer.source, kPageBits, AXO_FPAGE_RWX), true);
    m_flush_pending = true;
    sync();
    return pool.address(frame);
}

// ---- External pagers ----------------------------------------------------------------------------

FaultAnswer MemoryManager::start_forward(uint32_t client, uint32_t slot, FaultAnswer answer) {
    Client& c = m_clients[client];
    for (Forward& f : m_forwards) {
        if (f.token != 0) continue;
        answer.token = m_next_token++;
        if (m_next_token == 0) m_next_token = 1;
        f = Forward{answer.token, client, c.threads[slot], answer, m_now + kExternalTimeoutUs,
                    false};
        ++m_outstanding;
        offer();
        return answer;
    }
    return refuse(client, slot, answer.address, answer.ip, answer.access, kRefusedBusy);
}

ExternalFault MemoryManager::external_of(const Forward& f) const {
    const FaultAnswer& a = f.answer;
    return ExternalFault{f.token, a.cookie, a.offset, a.access, f.thread, a.source};
}

// Each waiting pager gets its oldest queued fault.
void MemoryManager::offer() {
    for (axo_thread_id_t& waiter : m_pager_waiters) {
        if (waiter == AXO_NIL_THREAD) continue;
        Forward* oldest = nullptr;
        for (Forward& f : m_forwards)
            if (f.token != 0 && !f.offered && f.answer.pager == waiter &&
                (oldest == nullptr || f.deadline < oldest->deadline))
                oldest = &f;
        if (oldest == nullptr) continue;
        oldest->offered = true;
        Deferred work;
        work.kind = Deferred::pager;
        work.to = waiter;
        work.external = external_of(*oldest);
        waiter = AXO_NIL_THREAD;
        push(work);
    }
}

bool MemoryManager::is_pager(axo_thread_id_t thread) const {
    for (const Object& o : m_objects)
        if (o.kind == kRegionExternal && o.pager == thread) return true;
    return false;
}

Error MemoryManager::on_pager_wait(axo_thread_id_t from, const PagerWaitRequest& request,
                                   uint32_t landed, const void* bytes, ExternalFault& reply,
                                   bool& landing_kept) {
    landing_kept = false;
    if (from == AXO_NIL_THREAD || from == AXO_ANY_THREAD) return Error::invalid_argument;
    // A pager that answered one of its faults is a pager: no scan of the object table.
    bool answered =
        request.token != 0 && finish_forward(from, request, landed, bytes, landing_kept);
    if (!answered && !is_pager(from)) return Error::no_permission;
    Forward* oldest = nullptr;
    for (Forward& f : m_forwards)
        if (f.token != 0 && !f.offered && f.answer.pager == from &&
            (oldest == nullptr || f.deadline < oldest->deadline))
            oldest = &f;
    if (oldest != nullptr) {
        oldest->offered = true;
        reply = external_of(*oldest);
        return Error::ok;
    }
    for (axo_thread_id_t& waiter : m_pager_waiters)
        if (waiter == from) return ipc::kNoReply; // a new wait replaces the old
    for (uint32_t round = 0; round < 2; ++round) {
        for (axo_thread_id_t& waiter : m_pager_waiters) {
            if (waiter != AXO_NIL_THREAD) continue;
            waiter = from;
            return ipc::kNoReply;
        }
        // Full: threads that page no object any more lose their place (their wait stays
        // unanswered; they have nothing to wait for).
        for (axo_thread_id_t& waiter : m_pager_waiters)
            if (!is_pager(waiter)) waiter = AXO_NIL_THREAD;
    }
    return Error::no_space;
}

bool MemoryManager::finish_forward(axo_thread_id_t from, const PagerWaitRequest& request,
                                   uint32_t landed, const void* bytes, bool& landing_kept) {
    Forward* found = nullptr;
    for (Forward& f : m_forwards)
        if (f.token == request.token && f.offered && f.answer.pager == from) found = &f;
    // Unknown, late (timed out, cancelled) or somebody else's: nothing happens, and a page
    // that came with it does not stay.
    if (found == nullptr) return false;
    Forward done = *found;
    *found = Forward{};
    --m_outstanding;
    // Its object may have ended meanwhile (the client's region went: cancel_forwards took the
    // forward then), so the pager is still a pager only if the object lives.
    const Object& o = m_objects[done.answer.object];
    bool alive = o.kind == kRegionExternal && o.id == done.answer.object_id && o.pager == from;
    uint32_t client = 0, slot = 0;
    if (!locate(done.thread, client, slot)) return alive;
    FaultAnswer answer = done.answer;
    if (request.error != 0 || landed != answer.source) {
        external_failed(done.thread, answer);
        return alive;
    }
    if (answer.copy) {
        uint32_t source = complete_copy(done.thread, answer, bytes);
        if (source == 0) {
            external_failed(done.thread, answer, kRefusedNoMemory);
            return alive;
        }
        answer.source = source;
    }
    landing_kept = true; // a kRegionExternal page stays; complete_copy flushed a copied one
    answer.kind = FaultAnswer::map;
    Deferred work;
    work.kind = Deferred::answer;
    work.to = done.thread;
    work.fault = answer;
    push(work);
    return alive;
}

void MemoryManager::unoffer(uint32_t token) {
    for (Forward& f : m_forwards)
        if (f.token == token && token != 0) f.offered = false;
}

void MemoryManager::expire() {
    if (m_outstanding == 0) return;
    for (Forward& f : m_forwards) {
        if (f.token == 0 || f.deadline > m_now) continue;
        Forward done = f;
        f = Forward{};
        --m_outstanding;
        external_failed(done.thread, done.answer);
    }
}

uint64_t MemoryManager::next_deadline() const {
    if (m_outstanding == 0) return 0; // the common case: no scan
    uint64_t next = 0;
    for (const Forward& f : m_forwards)
        if (f.token != 0 && (next == 0 || f.deadline < next)) next = f.deadline;
    return next;
}

uint32_t MemoryManager::outstanding() const {
    return m_outstanding;
}

void MemoryManager::cancel_forwards(uint32_t client, uint32_t start, uint32_t end, bool answer) {
    if (m_outstanding == 0) return;
    for (Forward& f : m_forwards) {
        if (f.token == 0 || f.client != client || f.answer.page < start || f.answer.page >= end)
            continue;
        axo_thread_id_t thread = f.thread;
        f = Forward{};
        --m_outstanding;
        if (!answer) continue;
        Deferred work;
        work.kind = Deferred::answer;
        work.to = thread;
        work.fault.kind = FaultAnswer::empty;
        push(work);
    }
}

// ---- The outbox
// ----------------------------------------------------------------------------------

void MemoryManager::push(const Deferred& work) {
    if (m_outbox_count == kOutboxSize) {
        // Only notices can be lost: the server drains the outbox after every message, and no
        // message makes more than one answer.
        ++m_counters.notices_dropped;
        return;
    }
    m_outbox[(m_outbox_head + m_outbox_count) % kOutboxSize] = work;
    ++m_outbox_count;
}

bool MemoryManager::take_deferred(Deferred& out) {
    if (m_outbox_count == 0) return false;
    out = m_outbox[m_outbox_head];
    m_outbox_head = (m_outbox_head + 1) % kOutboxSize;
    --m_outbox_count;
    return true;
}

// ---- Flushing
// ------------------------------------------------------------------------------------

void MemoryManager::flush_page(uint32_t address, uint32_t rights) {
    m_flusher.flush(m_flusher.context, axo_fpage(address, kPageBits, rights), false);
    m_flush_pending = true;
    ++m_flushes;
}

// As few fpages as the alignment allows: an external object may span many pages mm never saw.
void MemoryManager::flush_range(uint32_t address, uint32_t size, uint32_t rights, bool own) {
    uint64_t at = address, end = uint64_t{address} + size;
    while (at < end) {
        uint32_t log2 = kPageBits;
        while (log2 < 31 && (at & ((uint64_t{2} << log2) - 1)) == 0 &&
               at + (uint64_t{2} << log2) <= end)
            ++log2;
        m_flusher.flush(m_flusher.context, axo_fpage(static_cast<uint32_t>(at), log2, rights), own);
        at += uint64_t{1} << log2;
    }
    m_flush_pending = true;
    ++m_flushes;
}

void MemoryManager::sync() {
    if (!m_flush_pending) return;
    m_flusher.sync(m_flusher.context);
    m_flush_pending = false;
}

// ---- Regions
// -------------------------------------------------------------------------------------

bool MemoryManager::commit(Client& c, uint32_t count) {
    if (c.quota != kNoQuota && (count > c.quota || c.committed > c.quota - count)) return false;
    c.committed += count;
    return true;
}

uint32_t MemoryManager::split(uint32_t client, uint32_t address) {
    RegionList& regions = m_clients[client].regions;
    uint32_t upper = regions.split_at(address);
    if (upper != RegionList::kCapacity && is_backed_by_object(regions[upper]))
        ++m_objects[regions[upper].object].regions;
    return upper;
}

// The pages [start, end) of `region` leave the client: unmapped, anonymous frames freed.
void MemoryManager::release(uint32_t client, const Region& region, uint32_t start, uint32_t end,
                            bool gone) {
    Client& c = m_clients[client];
    FramePool& pool = *m_frames;
    if (!gone) cancel_forwards(client, start, end, true);
    if (has_private_pages(region)) {
        // A frame this client shares copy-on-write (a fork) is mapped from mm's one mapping
        // in the other client too: flushed only when this client may still map it.
        c.pages.for_each(pool, start / kPageSize, end / kPageSize, [&](uint32_t, uint32_t frame) {
            if (!gone || pool.refs(frame) == 1) flush_page(pool.address(frame), AXO_FPAGE_RWX);
        });
        sync(); // before any of the frames can be handed out again
        c.pages.for_each(pool, start / kPageSize, end / kPageSize,
                         [&](uint32_t page, uint32_t frame) {
                             c.pages.set(pool, page, kNoFrame, m_table_frames);
                             pool.unref(frame);
                             --c.resident;
                         });
        c.committed -= pages(end - start);
        // Kept copies of the object the client mapped: taken from every client (one
        // mapping per page to revoke from), the others fault them back in — unless the
        // client's space is gone: the kernel took its mappings, and the copies stay with
        // the object (drop_object flushes them when it dies).
        if (region.kind == kRegionCopy && !gone) take_kept(region, start, end, AXO_FPAGE_RWX);
        return;
    }
    // A page of an object may be mapped in other clients too: they lose it as well and get it
    // back at their next fault — mm has one mapping per page to revoke from, not one per client.
    // A client whose space is gone maps nothing: the others keep the pages.
    if (!gone) take_rights(client, region, start, end, AXO_FPAGE_RWX);
}

void MemoryManager::take_rights(uint32_t client, const Region& region, uint32_t start, uint32_t end,
                                uint32_t rights) {
    FramePool& pool = *m_frames;
    cancel_forwards(client, start, end, true); // they were forwarded with the old rights
    auto flush = [&](uint32_t, uint32_t frame) { flush_page(pool.address(frame), rights); };
    switch (region.kind) {
    case kRegionAnonymous:
        m_clients[client].pages.for_each(pool, start / kPageSize, end / kPageSize, flush);
        break;
    case kRegionCopy:
        m_clients[client].pages.for_each(pool, start / kPageSize, end / kPageSize, flush);
        take_kept(region, start, end, rights);
        break;
    case kRegionShared:
        m_objects[region.object].pages.for_each(pool, region.offset_of(start) / kPageSize,
                                                region.offset_of(end) / kPageSize, flush);
        break;
    case kRegionExternal:
        flush_range(m_objects[region.object].landing + region.offset_of(start), end - start,
                    rights);
        break;
    }
}

// The object's kept copies behind [start, end) of a kRegionCopy region lose `rights`.
void MemoryManager::take_kept(const Region& region, uint32_t start, uint32_t end, uint32_t rights) {
    FramePool& pool = *m_frames;
    m_objects[region.object].pages.for_each(
        pool, region.offset_of(start) / kPageSize, region.offset_of(end) / kPageSize,
        [&](uint32_t, uint32_t frame) { flush_page(pool.address(frame), rights); });
}

// Removes [start, end) from the client's regions, splitting those that straddle its ends.
Error MemoryManager::carve(uint32_t client, uint32_t start, uint32_t end) {
    RegionList& regions = m_clients[client].regions;
    if (regions.count() + regions.splits_needed(start, end) > RegionList::kCapacity)
        return Error::no_space;
    split(client, start);
    split(client, end);
    for (uint32_t i = regions.count(); i-- > 0;) {
        Region r = regions[i];
        if (r.start < start || r.end > end) continue;
        release(client, r, r.start, r.end);
        regions.remove(i);
        if (is_backed_by_object(r)) drop_object(r.object);
    }
    return Error::ok;
}

// Neighbours that protect or unmap left alike become one region again, so that changing
// rights back and forth does not use up the region table.
void MemoryManager::coalesce(uint32_t client) {
    RegionList& regions = m_clients[client].regions;
    for (uint32_t i = 0; i + 1 < regions.count();) {
        Region& a = regions[i];
        const Region& b = regions[i + 1];
        bool alike = a.end == b.start && a.kind == b.kind && a.rights == b.rights &&
                     a.heap == b.heap &&
                     (a.kind == kRegionAnonymous || a.kind == kRegionBeyondEnd ||
                      (a.object == b.object && a.offset_of(a.end) == b.offset));
        if (!alike) {
            ++i;
            continue;
        }
        a.end = b.end;
        // Both referenced the object; one reference goes, the object stays.
        if (is_backed_by_object(b)) --m_objects[b.object].regions;
        regions.remove(i + 1);
    }
}

uint32_t MemoryManager::find_object(uint32_t id, uint32_t kind) const {
    for (uint32_t i = 0; i < kMaxObjects; ++i)
        if (m_objects[i].kind == kind && m_objects[i].id == id) return i;
    return kMaxObjects;
}

// The lowest slice of the landing range that no external object uses, or 0.
uint32_t MemoryManager::landing_for(uint32_t size) const {
    uint64_t candidate = m_landing_base, limit = uint64_t{m_landing_base} + m_landing_size;
    for (bool moved = true; moved;) {
        moved = false;
        for (const Object& o : m_objects) {
            if (o.kind != kRegionExternal) continue;
            if (candidate < uint64_t{o.landing} + o.size && o.landing < candidate + size) {
                candidate = uint64_t{o.landing} + o.size;
                moved = true;
            }
        }
    }
    return candidate + size <= limit ? static_cast<uint32_t>(candidate) : 0;
}

void MemoryManager::drop_object(uint32_t index) {
    Object& o = m_objects[index];
    if (--o.regions != 0) return;
    FramePool& pool = *m_frames;
    // A shared object's pages, an external object's kept copies: freed.
    o.pages.for_each(pool, 0, PageTable::kPages, [&](uint32_t, uint32_t frame) {
        flush_page(pool.address(frame), AXO_FPAGE_RWX);
    });
    sync();
    o.pages.for_each(pool, 0, PageTable::kPages, [&](uint32_t page, uint32_t frame) {
        o.pages.set(pool, page, kNoFrame, m_table_frames);
        pool.unref(frame);
    });
    o.pages.clear(pool, m_table_frames);
    if (o.kind == kRegionShared) {
        if (o.owner != kNoClient) m_clients[o.owner].committed -= pages(o.size);
    } else {
        // mm's own pages from the pager go too: the slice will serve another object, and a
        // pager that answers without sending a page must not expose this one's.
        flush_range(o.landing, o.size, AXO_FPAGE_RWX, true);
    }
    o = Object{};
}

// Every region and page of the client goes; the client stays attached.
void MemoryManager::clear_memory(uint32_t client, bool gone) {
    Client& c = m_clients[client];
    for (uint32_t i = c.regions.count(); i-- > 0;) {
        Region r = c.regions[i];
        release(client, r, r.start, r.end, gone);
        c.regions.remove(i);
        if (is_backed_by_object(r)) drop_object(r.object);
    }
    // Pages the regions no longer cover (a failed duplicate leaves some): freed as well.
    FramePool& pool = *m_frames;
    c.pages.for_each(pool, 0, PageTable::kPages, [&](uint32_t, uint32_t frame) {
        if (!gone || pool.refs(frame) == 1) flush_page(pool.address(frame), AXO_FPAGE_RWX);
    });
    sync();
    c.pages.for_each(pool, 0, PageTable::kPages, [&](uint32_t page, uint32_t frame) {
        c.pages.set(pool, page, kNoFrame, m_table_frames);
        pool.unref(frame);
        --c.resident;
    });
    c.pages.clear(pool, m_table_frames);
}

// A detached client's space is gone (protocol.h, kMmDetach): what it mapped went with it.
void MemoryManager::forget_client(uint32_t client) {
    cancel_forwards(client, 0, kUserLimit, false); // its threads are gone: nobody to answer
    clear_memory(client, true);
    for (Object& o : m_objects) {
        if (o.owner == client) o.owner = kNoClient; // the charge goes with the client
        o.authorised &= ~(uint64_t{1} << client);   // the index will be another client's
    }
    for (axo_thread_id_t thread : m_clients[client].threads)
        if (thread != AXO_NIL_THREAD) m_client_of[axo_thread_number(thread)] = 0;
    m_clients[client] = Client{};
}

// ---- Requests
// --------------------------------------------------------------------------------------

Error MemoryManager::on_attach(axo_thread_id_t from, const AttachRequest& request, ipc::Empty&) {
    if (from != m_root) return Error::no_permission;
    if (request.thread == AXO_NIL_THREAD || request.thread == AXO_ANY_THREAD)
        return Error::invalid_argument;
    uint32_t client = 0, slot = 0;
    if (locate(request.thread, client, slot)) return Error::exists;
    uint32_t number = axo_thread_number(request.thread);
    if (number >= AXO_MAX_THREADS) return Error::invalid_argument;
    // Another version of the number is attached: that thread is dead (ids are unique in
    // space and time), but its client may still be; the root task detaches it first.
    if (m_client_of[number] != 0) return Error::exists;
    if (request.space_of != AXO_NIL_THREAD) {
        if (!locate(request.space_of, client, slot)) return Error::not_found;
        for (uint32_t s = 0; s < kThreadsPerClient; ++s) {
            Client& c = m_clients[client];
            if (c.threads[s] != AXO_NIL_THREAD) continue;
            c.threads[s] = request.thread;
            c.pending[s] = Pending{};
            c.last[s] = LastFault{};
            m_client_of[number] = static_cast<uint16_t>(client + 1);
            return Error::ok;
        }
        return Error::no_space;
    }
    if (!aligned(request.heap_base) || request.heap_base >= kUserLimit)
        return Error::invalid_argument;
    for (uint32_t index = 0; index < kMaxClients; ++index) {
        Client& c = m_clients[index];
        if (c.used) continue;
        m_client_of[number] = static_cast<uint16_t>(index + 1);
        c = Client{};
        c.used = true;
        c.threads[0] = request.thread;
        c.fault_handler =
            request.fault_handler == AXO_ANY_THREAD ? AXO_NIL_THREAD : request.fault_handler;
        c.quota = request.quota_pages;
        c.heap_base = c.brk = request.heap_base;
        return Error::ok;
    }
    return Error::no_space;
}

Error MemoryManager::on_detach(axo_thread_id_t from, const DetachRequest& request, ipc::Empty&) {
    uint32_t client;
    if (Error e = resolve(from, request.client, true, client); e != Error::ok) return e;
    forget_client(client);
    sync();
    return Error::ok;
}

Error MemoryManager::on_region_create(axo_thread_id_t from, const RegionCreateRequest& request,
                                      RegionCreateReply& reply) {
    uint32_t client;
    if (Error e = resolve(from, request.client, false, client); e != Error::ok) return e;
    Client& c = m_clients[client];
    uint32_t size = request.size, address = request.address;
    if (size == 0 || !aligned(size) || size > kUserLimit || !aligned(request.offset) ||
        (request.rights & ~AXO_FPAGE_RWX) != 0 || request.kind > kRegionBeyondEnd)
        return Error::invalid_argument;
    if (address != 0 && !valid_range(address, size)) return Error::invalid_argument;
    bool objectless = request.kind == kRegionAnonymous || request.kind == kRegionBeyondEnd;
    if (objectless && (request.object != 0 || request.offset != 0)) return Error::invalid_argument;
    if (request.object == 0 && request.offset != 0) return Error::invalid_argument;
    if (address == 0) {
        address = c.regions.find_gap(size, kMapBase, kMapLimit);
        if (address == 0) return Error::no_space;
    } else if (c.regions.overlaps(address, address + size)) {
        return Error::exists;
    }
    if (c.regions.count() == RegionList::kCapacity) return Error::no_space;

    Region region{address,        address + size, normalize(request.rights), request.kind, 0,
                  request.offset, false};
    uint32_t id = 0;
    uint32_t kind = object_kind(request.kind);
    if (request.kind == kRegionAnonymous) {
        if (!commit(c, pages(size))) return Error::no_space;
    } else if (request.kind == kRegionBeyondEnd) {
        // No memory behind it: nothing to commit, nothing to map.
    } else if (request.object != 0) {
        uint32_t index = find_object(request.object, kind);
        if (index == kMaxObjects) return Error::not_found;
        Object& o = m_objects[index];
        // Ids are no capabilities: only an authorised client maps an object by its id (to the
        // others it does not exist), or the root task for one of its clients.
        if (from != m_root && (o.authorised & (uint64_t{1} << client)) == 0)
            return Error::not_found;
        if (request.offset > o.size || size > o.size - request.offset)
            return Error::invalid_argument;
        // Copied pages are the client's own memory: committed like anonymous memory.
        if (request.kind == kRegionCopy && !commit(c, pages(size))) return Error::no_space;
        ++o.regions;
        region.object = index;
        id = o.id;
    } else {
        if (kind == kRegionExternal &&
            (request.pager == AXO_NIL_THREAD || request.pager == AXO_ANY_THREAD))
            return Error::invalid_argument;
        uint32_t index = find_object(0, 0); // a free slot has kind 0 and id 0
        if (index == kMaxObjects) return Error::no_space;
        Object fresh;
        fresh.kind = kind;
        fresh.size = size;
        fresh.limit = size;
        fresh.regions = 1;
        fresh.authorised = uint64_t{1} << client;
        if (kind == kRegionExternal) {
            fresh.pager = request.pager;
            fresh.cookie = request.cookie;
            fresh.landing = landing_for(size);
            if (fresh.landing == 0) return Error::no_space;
            if (request.kind == kRegionCopy && !commit(c, pages(size))) return Error::no_space;
        } else {
            if (!commit(c, pages(size))) return Error::no_space;
        }
        fresh.owner = client; // charged (shared only), and may grant it to others
        fresh.id = m_next_object_id++;
        m_objects[index] = fresh;
        region.object = index;
        id = fresh.id;
    }
    c.regions.insert(region);
    reply.address = address;
    reply.object = id;
    return Error::ok;
}

Error MemoryManager::on_sbrk(axo_thread_id_t from, const SbrkRequest& request, SbrkReply& reply) {
    uint32_t client;
    if (Error e = resolve(from, request.client, false, client); e != Error::ok) return e;
    Client& c = m_clients[client];
    if (c.heap_base == 0) return Error::unsupported;
    int64_t wanted = int64_t{c.brk} + request.delta;
    if (wanted < c.heap_base || wanted > kUserLimit) return Error::invalid_argument;
    uint32_t old_break = c.brk, new_break = static_cast<uint32_t>(wanted);
    uint32_t old_end = page_of(old_break + kPageSize - 1);
    uint32_t new_end = page_of(new_break + kPageSize - 1);
    if (new_end > old_end) {
        if (c.regions.overlaps(old_end, new_end)) return Error::exists;
        // The heap region below the break grows; if the client unmapped or re-protected its
        // top, a new piece of heap starts at the old end.
        uint32_t below =
            old_end > c.heap_base ? c.regions.find(old_end - kPageSize) : RegionList::kCapacity;
        bool extend = below != RegionList::kCapacity && c.regions[below].heap &&
                      c.regions[below].end == old_end &&
                      c.regions[below].rights == (AXO_FPAGE_R | AXO_FPAGE_W);
        if (!extend && c.regions.count() == RegionList::kCapacity) return Error::no_space;
        if (!commit(c, pages(new_end - old_end))) return Error::no_space;
        if (extend)
            c.regions[below].end = new_end;
        else
            c.regions.insert(
                Region{old_end, new_end, AXO_FPAGE_R | AXO_FPAGE_W, kRegionAnonymous, 0, 0, true});
    } else if (new_end < old_end) {
        if (Error e = carve(client, new_end, old_end); e != Error::ok) return e;
        sync();
    }
    c.brk = new_break;
    reply.old_break = old_break;
    return Error::ok;
}

Error MemoryManager::on_protect(axo_thread_id_t from, const ProtectRequest& request, ipc::Empty&) {
    uint32_t client;
    if (Error e = resolve(from, request.client, false, client); e != Error::ok) return e;
    if (!valid_range(request.address, request.size) || (request.rights & ~AXO_FPAGE_RWX) != 0)
        return Error::invalid_argument;
    RegionList& regions = m_clients[client].regions;
    uint32_t start = request.address, end = request.address + request.size;
    if (regions.count() + regions.splits_needed(start, end) > RegionList::kCapacity)
        return Error::no_space;
    split(client, start);
    split(client, end);
    uint32_t rights = normalize(request.rights);
    for (uint32_t i = 0; i < regions.count(); ++i) {
        Region& r = regions[i];
        if (r.start < start || r.end > end) continue;
        uint32_t taken = r.rights & ~rights;
        r.rights = rights;
        // X alone changes no access on the Pentium; R takes the page, W makes it read-only.
        if (taken & AXO_FPAGE_R)
            take_rights(client, r, r.start, r.end, AXO_FPAGE_RWX);
        else if (taken & AXO_FPAGE_W)
            take_rights(client, r, r.start, r.end, AXO_FPAGE_W);
    }
    coalesce(client);
    sync();
    return Error::ok;
}

Error MemoryManager::on_unmap(axo_thread_id_t from, const UnmapRequest& request, ipc::Empty&) {
    uint32_t client;
    if (Error e = resolve(from, request.client, false, client); e != Error::ok) return e;
    if (!valid_range(request.address, request.size)) return Error::invalid_argument;
    Error e = carve(client, request.address, request.address + request.size);
    coalesce(client);
    sync();
    return e;
}

Error MemoryManager::on_duplicate(axo_thread_id_t from, const DuplicateRequest& request,
                                  DuplicateReply& reply) {
    uint32_t source, destination;
    if (Error e = resolve(from, request.source, true, source); e != Error::ok) return e;
    if (Error e = resolve(from, request.destination, true, destination); e != Error::ok) return e;
    if (source == destination) return Error::invalid_argument;
    Client& s = m_clients[source];
    Client& d = m_clients[destination];
    if (d.regions.count() != 0 || !d.pages.empty()) return Error::invalid_argument;

    uint32_t anonymous = 0;
    for (uint32_t i = 0; i < s.regions.count(); ++i)
        if (has_private_pages(s.regions[i]))
            anonymous += pages(s.regions[i].end - s.regions[i].start);
    if (!commit(d, anonymous)) return Error::no_space;

    for (uint32_t i = 0; i < s.regions.count(); ++i) {
        d.regions.insert(s.regions[i]);
        if (is_backed_by_object(s.regions[i])) ++m_objects[s.regions[i].object].regions;
    }
    FramePool& pool = *m_frames;
    bool failed = false;
    uint32_t shared = 0;
    s.pages.for_each(pool, 0, PageTable::kPages, [&](uint32_t page, uint32_t frame) {
        if (failed) return;
        if (!d.pages.set(pool, page, frame, m_table_frames)) {
            failed = true;
            return;
        }
        pool.ref(frame);
        ++d.resident;
        ++shared;
    });
    if (failed) {
        clear_memory(destination); // also gives back the commitment of its regions
        sync();
        return Error::no_memory;
    }
    // From now on a write in either space must fault: the source loses W on every page that
    // has it — those mapped writable since its last duplicate (the others lost W then, and
    // every answer since that gave W is listed), or all when they were too many to list.
    if (s.writable_count > kWritableFrames) {
        s.pages.for_each(pool, 0, PageTable::kPages, [&](uint32_t, uint32_t frame) {
            flush_page(pool.address(frame), AXO_FPAGE_W);
        });
    } else {
        for (uint32_t i = 0; i < s.writable_count; ++i)
            flush_page(pool.address(s.writable[i]), AXO_FPAGE_W);
    }
    s.writable_count = 0;
    sync();
    d.heap_base = s.heap_base;
    d.brk = s.brk;
    reply.shared_pages = shared;
    return Error::ok;
}

Error MemoryManager::on_quota_set(axo_thread_id_t from, const QuotaSetRequest& request,
                                  ipc::Empty&) {
    uint32_t client;
    if (Error e = resolve(from, request.client, true, client); e != Error::ok) return e;
    m_clients[client].quota = request.pages;
    return Error::ok;
}

Error MemoryManager::on_statistics(axo_thread_id_t from, const StatisticsRequest& request,
                                   StatisticsReply& reply) {
    uint32_t client = kNoClient, slot = 0;
    if (request.client == AXO_NIL_THREAD) {
        if (!locate(from, client, slot)) client = kNoClient;
    } else if (Error e = resolve(from, request.client, false, client); e != Error::ok) {
        return e;
    }
    reply = StatisticsReply{};
    if (client != kNoClient) {
        const Client& c = m_clients[client];
        reply.quota = c.quota;
        reply.committed = c.committed;
        reply.resident = c.resident;
        reply.faults = c.faults;
        reply.refused = c.refused;
    }
    reply.data_frames = data_frames();
    reply.table_frames = table_frames();
    reply.free_frames = m_frames->free_count();
    reply.zero_fills = m_counters.zero_fills;
    reply.cow_copies = m_counters.cow_copies;
    reply.forwards = m_counters.forwards;
    for (const Client& c : m_clients)
        reply.clients += c.used ? 1 : 0;
    for (const Object& o : m_objects)
        reply.objects += o.kind != 0 ? 1 : 0;
    return Error::ok;
}

Error MemoryManager::on_fault_state(axo_thread_id_t from, const FaultStateRequest& request,
                                    FaultStateReply& reply) {
    uint32_t client = 0, slot = 0;
    axo_thread_id_t thread = request.thread == AXO_NIL_THREAD ? from : request.thread;
    if (Error e = resolve(from, request.thread, false, client); e != Error::ok) return e;
    if (!locate(thread, client, slot)) return Error::not_found;
    const Pending& p = m_clients[client].pending[slot];
    reply = FaultStateReply{p.reason, p.address, p.ip, p.access};
    return Error::ok;
}

Error MemoryManager::on_fault_retry(axo_thread_id_t from, const FaultRetryRequest& request,
                                    ipc::Empty&) {
    uint32_t client = 0, slot = 0;
    if (Error e = resolve(from, request.thread, true, client); e != Error::ok) return e;
    if (request.release > 1) return Error::invalid_argument;
    locate(request.thread, client, slot);
    Client& c = m_clients[client];
    Pending pending = c.pending[slot];
    if (pending.reason == kRefusedNone) return Error::not_found;

    Deferred work;
    work.to = request.thread;
    if (request.release) {
        work.fault.kind = FaultAnswer::empty;
    } else {
        FaultAnswer answer = evaluate(client, pending.address, pending.access);
        if (answer.kind == FaultAnswer::refuse) {
            c.pending[slot].reason = answer.reason;
            return Error::no_permission;
        }
        answer.ip = pending.ip;
        ++c.faults;
        ++m_counters.faults;
        if (answer.kind == FaultAnswer::forward) {
            // The pager's answer comes later (or the fault is refused again).
            c.pending[slot] = Pending{};
            c.last[slot] = LastFault{};
            (void)start_forward(client, slot, answer);
            sync();
            return Error::ok;
        }
        work.fault = answer;
    }
    c.pending[slot] = Pending{};
    c.last[slot] = LastFault{};
    push(work);
    sync();
    return Error::ok;
}

Error MemoryManager::on_fault_wait(axo_thread_id_t from, const FaultWaitRequest&,
                                   FaultNotice& reply) {
    if (from == AXO_NIL_THREAD || from == AXO_ANY_THREAD) return Error::invalid_argument;
    bool handler = false;
    for (Client& c : m_clients) {
        if (!c.used || c.fault_handler != from) continue;
        handler = true;
        for (uint32_t s = 0; s < kThreadsPerClient; ++s) {
            Pending& p = c.pending[s];
            if (p.reason == kRefusedNone || p.reported) continue;
            p.reported = true;
            reply = FaultNotice{c.threads[s], p.address, p.ip, p.access, p.reason};
            return Error::ok;
        }
    }
    // Only the root task names handlers, so nobody else can take the few waiting places.
    if (!handler) return Error::no_permission;
    for (axo_thread_id_t& waiter : m_fault_waiters)
        if (waiter == from) return ipc::kNoReply; // a new wait replaces the old
    for (axo_thread_id_t& waiter : m_fault_waiters) {
        if (waiter != AXO_NIL_THREAD) continue;
        waiter = from;
        return ipc::kNoReply;
    }
    return Error::no_space;
}

void MemoryManager::unreport(axo_thread_id_t thread) {
    uint32_t client = 0, slot = 0;
    if (locate(thread, client, slot)) m_clients[client].pending[slot].reported = false;
}

// ---- Objects of pagers
// -------------------------------------------------------------------------------

uint32_t MemoryManager::pagers_object(axo_thread_id_t from, uint32_t id) const {
    uint32_t index = id != 0 ? find_object(id, kRegionExternal) : kMaxObjects;
    if (index == kMaxObjects) return kMaxObjects;
    return from == m_root || m_objects[index].pager == from ? index : kMaxObjects;
}

Error MemoryManager::on_object_create(axo_thread_id_t from, const ObjectCreateRequest& request,
                                      ObjectCreateReply& reply) {
    if (from == AXO_NIL_THREAD || from == AXO_ANY_THREAD) return Error::invalid_argument;
    if (request.size == 0 || !aligned(request.size) || request.size > kUserLimit)
        return Error::invalid_argument;
    uint32_t index = find_object(0, 0);
    if (index == kMaxObjects) return Error::no_space;
    Object fresh;
    fresh.kind = kRegionExternal;
    fresh.size = request.size;
    fresh.regions = 1; // the pager's hold (kMmObjectEnd)
    fresh.held = true;
    fresh.pager = from;
    fresh.cookie = request.cookie;
    fresh.landing = landing_for(request.size);
    if (fresh.landing == 0) return Error::no_space;
    fresh.id = m_next_object_id++;
    m_objects[index] = fresh;
    reply.object = fresh.id;
    return Error::ok;
}

Error MemoryManager::on_object_grant(axo_thread_id_t from, const ObjectGrantRequest& request,
                                     ipc::Empty&) {
    uint32_t index = kMaxObjects;
    for (uint32_t i = 0; i < kMaxObjects && request.object != 0; ++i)
        if (m_objects[i].kind != 0 && m_objects[i].id == request.object) index = i;
    if (index == kMaxObjects) return Error::not_found;
    Object& o = m_objects[index];
    uint32_t caller = kNoClient, slot = 0;
    if (!locate(from, caller, slot)) caller = kNoClient;
    bool may = from == m_root || (o.kind == kRegionExternal && o.pager == from) ||
               (o.owner != kNoClient && caller == o.owner);
    if (!may) return Error::not_found;
    uint32_t client = 0;
    if (!locate(request.client, client, slot)) return Error::invalid_argument;
    o.authorised |= uint64_t{1} << client;
    return Error::ok;
}

Error MemoryManager::on_object_rebind(axo_thread_id_t from, const ObjectRebindRequest& request,
                                      ipc::Empty&) {
    uint32_t index = pagers_object(from, request.object);
    if (index == kMaxObjects) return Error::not_found;
    if (request.pager == AXO_NIL_THREAD || request.pager == AXO_ANY_THREAD)
        return Error::invalid_argument;
    rebind(index, request.pager);
    offer();
    return Error::ok;
}

void MemoryManager::rebind(uint32_t index, axo_thread_id_t pager) {
    Object& o = m_objects[index];
    o.pager = pager;
    // Faults that waited for the old pager go to the new one (an answer from the old one
    // does not count any more).
    for (Forward& f : m_forwards) {
        if (f.token == 0 || f.answer.object != index || f.answer.object_id != o.id) continue;
        f.answer.pager = pager;
        f.offered = false;
    }
}

Error MemoryManager::on_pager_rebind(axo_thread_id_t from, const PagerRebindRequest& request,
                                     PagerRebindReply& reply) {
    if (from != m_root) return Error::no_permission;
    if (request.old_pager == AXO_NIL_THREAD || request.new_pager == AXO_NIL_THREAD ||
        request.old_pager == AXO_ANY_THREAD || request.new_pager == AXO_ANY_THREAD ||
        request.old_pager == request.new_pager)
        return Error::invalid_argument;
    reply.objects = 0;
    for (uint32_t i = 0; i < kMaxObjects; ++i) {
        if (m_objects[i].kind != kRegionExternal || m_objects[i].pager != request.old_pager)
            continue;
        rebind(i, request.new_pager);
        ++reply.objects;
    }
    offer();
    return Error::ok;
}

Error MemoryManager::on_object_end(axo_thread_id_t from, const ObjectEndRequest& request,
                                   ipc::Empty&) {
    uint32_t index = pagers_object(from, request.object);
    if (index == kMaxObjects || !m_objects[index].held) return Error::not_found;
    m_objects[index].held = false;
    drop_object(index);
    sync();
    return Error::ok;
}

Error MemoryManager::on_object_limit(axo_thread_id_t from, const ObjectLimitRequest& request,
                                     ipc::Empty&) {
    uint32_t client = 0, slot = 0;
    if (!locate(from, client, slot)) return Error::not_found;
    uint32_t index = request.object != 0 ? find_object(request.object, kRegionShared) : kMaxObjects;
    if (index == kMaxObjects || m_objects[index].owner != client) return Error::not_found;
    Object& o = m_objects[index];
    uint32_t limit =
        request.end >= o.size ? o.size : (request.end + kPageSize - 1) & ~(kPageSize - 1);
    if (limit < o.limit) {
        // Taken from every client that maps them (one mapping per page to revoke from), then
        // freed: a page that comes back later is a new, zero one.
        FramePool& pool = *m_frames;
        o.pages.for_each(
            pool, limit / kPageSize, o.limit / kPageSize,
            [&](uint32_t, uint32_t frame) { flush_page(pool.address(frame), AXO_FPAGE_RWX); });
        sync();
        o.pages.for_each(pool, limit / kPageSize, o.limit / kPageSize,
                         [&](uint32_t page, uint32_t frame) {
                             o.pages.set(pool, page, kNoFrame, m_table_frames);
                             pool.unref(frame);
                         });
    }
    o.limit = limit;
    return Error::ok;
}

uint32_t MemoryManager::frame_of(axo_thread_id_t thread, uint32_t address) const {
    uint32_t client = 0, slot = 0;
    if (!locate(thread, client, slot)) return kNoFrame;
    return m_clients[client].pages.get(*m_frames, address / kPageSize);
}

uint32_t MemoryManager::region_count(axo_thread_id_t thread) const {
    uint32_t client = 0, slot = 0;
    return locate(thread, client, slot) ? m_clients[client].regions.count() : 0;
}

} // namespace mm
