// mm's protocol: the memory manager, pager of processes (DESIGN.md §5). This header is the
// documentation of the server (STYLE.md rule 6), shared by mm's dispatcher, its clients and the
// external pagers it talks to. Requests are IPC calls in the shape of lib/ipc: label = the
// operation, exactly the request's words, no typed items; the reply label is an ipc::Error,
// then exactly the reply's words on success.
//
// ---- Clients ----------------------------------------------------------------------------------
// A client is an address space mm pages. The root task creates the space and its first thread
// with mm as pager (thread_control: only the root task can) and attaches that thread
// (kMmAttach); more threads of the same space are attached with `space_of`. A client is named
// in requests by any of its attached threads; `client` = nil means the caller itself.
//
// Trust: mm identifies callers by the sender id the kernel reports, never by message words.
// A request about a client is accepted from
//   - the root task (kip->root_task), for every client;
//   - the client's fault handler (named by the root task at attach), for that client;
//   - the client's own attached threads, for itself — except the operations marked "manager",
//     which only the first two may make (attach, detach, quota, duplicate, fault retry).
// Anyone else gets Error::no_permission.
//
// ---- Memory ---------------------------------------------------------------------------------
// A client's space is a list of regions: page-aligned ranges below 3 GiB that do not overlap,
// each with rights (AXO_FPAGE_R/W/X; W or X imply R, as on the Pentium) and a backing:
//   kRegionAnonymous  private zero-fill memory. Duplicated copy-on-write.
//   kRegionShared     pages of a shared object, seen by every region that maps it: a write
//                     in one client is seen by all. The object lives while a region maps it.
//   kRegionExternal   pages of an external pager (a file's page cache, a test pager): mm
//                     forwards each fault to it (Stacking, below).
// Nothing is mapped eagerly: every page arrives on the client's first touch (a page fault
// to mm), and mm replies with a map item of one page.
//
// Quota (pages): what a client commits — the size of its anonymous regions and heap, and of
// the shared objects it created — may not exceed its quota. A request that would is refused
// with Error::no_space and changes nothing; nobody else is affected. Faults never fail for
// quota reasons: the memory was committed when the region was made. External pages are the
// pager's memory and are not counted.
//
// ---- Faults mm refuses ----------------------------------------------------------------------
// A fault outside every region, or against a region's rights (a write to a read-only page),
// or that mm cannot serve (no memory, the external pager failed) is refused: mm does not
// reply, so the faulting thread stays blocked in its page-fault IPC and cannot run on with a
// wrong page. mm records the fault (kMmFaultState) and sends the client's fault handler a
// kMmFaultNotice. The handler decides:
//   - resolve it: fix the cause (kMmProtect, kMmRegionCreate, ...) and kMmFaultRetry
//     (release = 0): mm answers the fault with the page now, the thread goes on;
//   - reflect it to the client as a CPU exception: set the thread's pager to nil
//     (exchange_registers, root task only), then kMmFaultRetry (release = 1): mm answers the
//     fault with no mapping, the thread retries the access, faults again, and since it has no
//     pager the kernel sends its exception handler the page fault as exception vector 14 with
//     the CPU's error code (bit 1: write) and the address. The handler restores the pager when
//     it resumes the thread. This is how a write to a protected page reaches the client;
//   - kill the thread or the whole client (thread_control, kMmDetach).
// A handler that waits in kMmFaultWait gets the fault as that call's (deferred) reply, and a
// fault refused while it is busy is kept for its next wait: none is missed (proc's reflector
// works so). Otherwise mm sends a notice with a zero timeout (mm never waits for a handler): a
// handler that is not waiting for one misses it, and finds the fault with kMmFaultState.
//
// A fault that repeats kMaxFaultRepeats times in a row at the same page with the same access
// although mm answered it (an external pager that replies without a page) is refused too —
// unless mm flushed anything in between: a page one client maps may be taken by another
// client's unmap or protect (a kept copy of a shared image, a shared page: mm has one mapping
// of it to revoke from), and the refault that follows is a new fault, answered again.
//
// ---- Stacking: external pagers ---------------------------------------------------------------
// An external pager serves the pages of its objects (kRegionExternal, kRegionCopy) from memory
// of its own (from σ0, from mm itself, from another pager). Pagers are *above* mm (DESIGN.md
// §5): they call mm, mm never waits for them. A pager thread waits for work in a kMmPagerWait
// call; mm answers it — at once, or later as a deferred reply — with the next fault it forwards
// to that thread (ExternalFault: a token, the object's cookie, the page's offset, the access,
// the client, the send base for the answer). The pager composes the page and makes its next
// kMmPagerWait call with the token and one map item of the page: that answers the fault and
// waits for the next one, one IPC per fault. Meanwhile mm serves everybody else: many
// faults on many pagers are outstanding at once (kMaxOutstandingForwards), each for at most
// kExternalTimeoutUs from the moment it was forwarded — then the client's fault is refused
// (kRefusedExternal, reported like every refused fault), as when the pager answers with an
// error, without a page, or dies (its faults time out; its wait goes with it). A client's
// forwarded fault ends too when the client changes the region (unmap, protect taking
// rights: answered empty, the thread retries the access) or ends.
//
// The answer's page lands in mm's space — mm's receive window is its landing range (each
// external object has a slice of its size), the send base in the fault says where — and mm
// maps it on to the faulting client. So mm stays in the derivation chain: pager → mm → client.
// A flush by the pager (unmap) revokes mm's page and, recursively, every client's; mm can
// still take a single client's pages away (unmap, protect, detach) without the pager's help.
// A page that lands anywhere else than where an outstanding fault of the sender expects it
// (a stranger's map item, a late answer, an answer to the wrong fault) is flushed from mm at
// once, before mm maps anything on: no client ever sees it. mm keeps no copy of kRegionExternal
// pages: after a revocation the next fault asks the pager again.

#pragma once

#include <stdint.h>

#include "axolotl/abi.h"
#include "interfaces/labels.h"
#include "interfaces/mm/wire.h"
#include "lib/ipc/message.h"

namespace mm {

enum Label : uint32_t {
    // ---- Clients -------------------------------------------------------------------------------
    // Manager (root task only). Makes `thread` a client thread: of a new client, or (space_of
    // not nil) of the client `space_of` belongs to — the caller vouches that it is the same
    // space. The caller must have made mm the thread's pager. Errors: invalid_argument (nil
    // thread, heap_base not page-aligned or not below 3 GiB); exists (already attached, or
    // another version of its thread number is: detach that one's client first); not_found
    // (space_of unknown); no_space (client or thread table full).
    kMmAttach = 0x0700,
    // Manager. Forgets the whole client `thread` belongs to: every region, every page, its
    // commitment. Call it when the space is gone: the frames mm frees are flushed first (in
    // case it is not), but pages that outlive the client — kept copies of an image, frames
    // shared copy-on-write with a fork — are not flushed, so other clients keep them mapped.
    kMmDetach = 0x0701,

    // ---- Regions --------------------------------------------------------------------------------
    // Makes a region (protocol comment above). Errors: invalid_argument (size 0, unaligned,
    // beyond 3 GiB, unknown kind, an object of the wrong kind, offset + size beyond the
    // object, nil pager); exists (overlaps a region); not_found (no such object); no_space
    // (over quota, or the client's region table or mm's object table is full); no_memory.
    kMmRegionCreate = 0x0702,
    // Moves the client's break (heap end) by `delta` bytes, like sbrk(2): returns the old
    // break. The heap is an anonymous region from heap_base (given at attach) to the break
    // rounded up to a page; growing commits pages, shrinking releases them. Errors:
    // unsupported (no heap_base); invalid_argument (below heap_base or beyond 3 GiB);
    // exists (the growth would overlap a region); no_space (quota).
    kMmSbrk = AXO_MM_SBRK,
    // Sets the rights of every region page in [address, address + size); pages without a
    // region are skipped. Taking rights takes them from the pages already mapped (unmap with
    // those rights: the client faults on its next such access); giving rights takes effect on
    // the next fault. Errors: invalid_argument; no_space (splitting needs region slots).
    kMmProtect = 0x0704,
    // Removes every region page in [address, address + size): unmapped from the client, its
    // anonymous pages freed and their commitment released. Errors as kMmProtect.
    kMmUnmap = 0x0705,
    // Manager. Copy-on-write duplicate of the whole client `source` into `destination`, which
    // must be attached and have no regions (what fork needs): anonymous pages are shared
    // read-only by both and copied at the first write in either; every writable page of the
    // source loses W at once (unmap with W). Shared and external regions are shared, not
    // copied. The heap and its break are copied. The destination commits what the source has
    // committed for anonymous memory. Errors: invalid_argument (source = destination, or
    // the destination has regions); no_space (quota); no_memory.
    kMmDuplicate = 0x0706,

    // ---- Accounting -----------------------------------------------------------------------------
    // Manager. Sets the client's quota in pages (kNoQuota: unlimited). A quota below what is
    // committed already is allowed: it only refuses further commitments.
    kMmQuotaSet = 0x0707,
    // Counters: of the client (nil: the caller's own client if it is one, else zeros) and of
    // mm as a whole. Anyone may ask about themselves; about another client, its managers.
    kMmStatistics = 0x0708,

    // ---- Refused faults
    // ---------------------------------------------------------------------------
    // The refused fault `thread` is blocked in, if any. The client itself may ask too.
    kMmFaultState = 0x0709,
    // Manager. Answers the refused fault of `thread`: release = 0: with the page, if it can be
    // served now (else Error::no_permission and the fault stays pending); release = 1: with
    // no mapping (the thread retries the access). Errors: not_found (no refused fault).
    kMmFaultRetry = 0x070A,
    // A fault handler waits for the next refused fault of its clients (those that named it at
    // attach): the reply is that fault's FaultNotice — at once if one is on record and not
    // yet reported to a wait, else when mm refuses one (a deferred reply, so unlike
    // kMmFaultNotice it cannot be missed while the handler is busy; a reply the handler did
    // not wait for any more goes to its next wait). One wait per thread, 4 handlers at once.
    // Errors: invalid_argument (nil caller); no_permission (the caller is no client's fault
    // handler: it may wait again once one names it); no_space (4 other handlers wait already).
    kMmFaultWait = 0x070B,

    // An external pager waits for the next fault mm forwards to it (the reply: ExternalFault,
    // at once if one is queued for the caller, else deferred), and answers the previous one
    // in the same call: `token` (0: none) with `error` 0 and one map item of the page (two
    // typed words after the request's; send base: ExternalFault::send_base), or with an
    // ipc::Error and no item (the client's fault is refused, kRefusedExternal). mm checks the
    // answer (the sender is the fault's pager, the page landed where the fault expects it)
    // before the wait; a wrong answer only fails that fault. The caller must be the pager of a
    // live object. A wait the pager gave up (its call timed out) loses nothing: the fault
    // offered to it goes to its next wait. Errors: no_permission (no object names the
    // caller as pager), no_space (kMaxPagerWaiters other pagers wait), invalid_argument.
    kMmPagerWait = 0x070C,

    // ---- Objects of pagers ------------------------------------------------------------------
    // A pager makes an external object of `size` bytes whose pager it is (the file system: one
    // per file): mm answers its id. Nobody may map it yet — only clients the pager authorises
    // (kMmObjectGrant) and the root task. It lives until its pager ends it (kMmObjectEnd) and
    // no region maps it any more. Errors: invalid_argument (size 0 or unaligned), no_space
    // (object table or landing area full).
    kMmObjectCreate = 0x070D,
    // The object's pager (or the root task) lets the client `client` belongs to map the
    // object (kMmRegionCreate with its id, external or copy). Errors: not_found (no such
    // object, or the caller may not grant it), invalid_argument (no such client).
    kMmObjectGrant = 0x070E,
    // A restarted pager takes over its object: `pager` (a new thread) gets its faults from now
    // on, also those outstanding (offered again). From the root task (which knows who the
    // restarted pager is: its name) or the object's current pager. Errors as kMmObjectGrant.
    kMmObjectRebind = 0x070F,
    // The pager ends its object: it goes when the last region mapping it goes. Errors as
    // kMmObjectGrant.
    kMmObjectEnd = 0x0710,
    // Root task only: every object whose pager is `old_pager` (a server's instance that
    // ended) is rebound to `new_pager` (its restarted instance), as kMmObjectRebind does for
    // one; the reply says how many. What proc does when it restarts a module (on-exit=restart),
    // so that a restarted pager serves the objects its old instance made. Errors:
    // no_permission (not the root task); invalid_argument (a nil or equal pager).
    kMmPagerRebind = 0x0711,
    // The creator of a shared object (a client that made it with kMmRegionCreate, object 0)
    // moves where its pages end: `end` bytes, rounded up to a page, at most the object's size.
    // Pages at or past it are taken from every client that maps them and freed; a fault there
    // is refused with kRefusedBeyondEnd (SIGBUS) until a later call moves the end past it
    // again, and then the page is zero. What fs does when a mapped file is truncated or grows
    // (servers/fs/pager/README.md). The commitment stays the object's size. Errors: not_found
    // (no shared object of that id made by the caller's client).
    kMmObjectLimit = 0x0712,

    // ---- Messages mm sends
    // ---------------------------------------------------------------------------
    // To a client's fault handler: one message, no reply expected (FaultNotice).
    kMmFaultNotice = 0x0781,
};
static_assert(labels::all_in(AXO_LABELS_MM_FIRST, AXO_LABELS_MM_LAST,
                             {kMmAttach,     kMmDetach,       kMmRegionCreate, kMmSbrk,
                              kMmProtect,    kMmUnmap,        kMmDuplicate,    kMmQuotaSet,
                              kMmStatistics, kMmFaultState,   kMmFaultRetry,   kMmFaultWait,
                              kMmPagerWait,  kMmObjectCreate, kMmObjectGrant,  kMmObjectRebind,
                              kMmObjectEnd,  kMmPagerRebind,  kMmObjectLimit,  kMmFaultNotice}));
static_assert(uint32_t{kMmPagerWait} == uint32_t{AXO_MM_PAGER_WAIT},
              "the C callers' label (wire.h)");

// Region kinds (RegionCreateRequest::kind).
enum RegionKind : uint32_t {
    kRegionAnonymous = 0,
    kRegionShared = 1,
    kRegionExternal = 2,
    // Pages of an external object, copied: at the first touch of a page mm asks the pager for
    // it (ExternalFault, as for kRegionExternal) and gives the client a private copy, which
    // from then on is the client's anonymous memory (committed like it, duplicated
    // copy-on-write, freed by unmap); the pager's later flushes do not reach it. What a
    // program's image is (proc serves the pages from the ELF file: servers/proc/README.md),
    // and what a private file mapping will be. In a region without W the copy is the
    // object's instead, made once and mapped read-only to every region of the object that
    // touches the page (the code of all processes of one program); a write after a protect
    // that gives W takes a private copy of it. Kept copies go with the object; unmapping one
    // region's takes them from every client (they fault them back in). `object`: 0 makes a
    // new external object (pager, cookie), else the id of an external object.
    kRegionCopy = 3,
    // No memory: the part of a file mapping beyond the end of the file. Every fault in it is
    // refused with kRefusedBeyondEnd whatever its rights (what POSIX makes SIGBUS, not
    // SIGSEGV); it commits nothing. `object` and `offset` must be 0.
    kRegionBeyondEnd = 4,
};

// Why mm refused a fault (FaultNotice, FaultStateReply).
enum Refusal : uint32_t {
    kRefusedNone = 0,
    kRefusedNoRegion = 1,   // no region at the address (also: beyond the break)
    kRefusedProtection = 2, // the access is not allowed by the region's rights
    kRefusedNoMemory = 3,   // mm could get no frame (σ0 exhausted) or no page table
    kRefusedExternal = 4,   // the external pager failed, timed out or sent no page
    kRefusedRepeated = 5,   // answered kMaxFaultRepeats times, still faulting
    kRefusedBusy = 6,       // kMaxOutstandingForwards faults wait for pagers already
    kRefusedBeyondEnd = 7,  // beyond the end of a mapped file (kRegionBeyondEnd, kMmObjectLimit)
};

constexpr uint32_t kNoQuota = 0xFFFFFFFFu;
constexpr uint32_t kMaxFaultRepeats = 8;
// How long a forwarded fault may wait for its pager's answer.
constexpr uint32_t kExternalTimeoutUs = 1000000;
constexpr uint32_t kMaxOutstandingForwards = 32;
constexpr uint32_t kMaxPagerWaiters = 16;
// Addresses a region may use: below the kernel's 3 GiB.
constexpr uint32_t kUserLimit = 0xC0000000u;

// ---- Clients ---------------------------------------------------------------------------------

struct AttachRequest {
    static constexpr uint32_t kLabel = kMmAttach;
    using Reply = ipc::Empty;
    axo_thread_id_t thread;
    axo_thread_id_t space_of;      // nil: a new client; else a thread of an existing client
    axo_thread_id_t fault_handler; // gets kMmFaultNotice and may manage the client; nil: none
    uint32_t quota_pages;          // kNoQuota: unlimited (ignored with space_of)
    uint32_t heap_base;            // page-aligned start of the heap; 0: no heap (ditto)
};
static_assert(ipc::wire_words<AttachRequest> == 5);

struct DetachRequest {
    static constexpr uint32_t kLabel = kMmDetach;
    using Reply = ipc::Empty;
    axo_thread_id_t client;
};
static_assert(ipc::wire_words<DetachRequest> == 1);

// ---- Regions
// -------------------------------------------------------------------------------------

struct RegionCreateReply {
    uint32_t address; // where the region is (mm's choice if the request said 0)
    uint32_t object;  // the shared or external object's id (0 for anonymous memory)
};
struct RegionCreateRequest {
    static constexpr uint32_t kLabel = kMmRegionCreate;
    using Reply = RegionCreateReply;
    axo_thread_id_t client;
    uint32_t address; // page-aligned; 0: mm picks a free range
    uint32_t size;    // bytes, page-aligned, > 0
    uint32_t rights;  // AXO_FPAGE_R/W/X
    uint32_t kind;    // RegionKind
    // Shared and external: 0 makes a new object of `size` bytes (offset must be 0), which the
    // client may map; else the id of an existing object of that kind, mapped from `offset`
    // (page-aligned) — by a client the object's creator or pager authorised (kMmObjectGrant)
    // or for it by the root task: to anyone else an id is not_found, so guessing ids maps
    // nothing.
    uint32_t object;
    uint32_t offset;
    axo_thread_id_t pager; // external, new object: the thread mm forwards faults to
    uint32_t cookie;       // external, new object: passed on in every ExternalFault
};
static_assert(ipc::wire_words<RegionCreateRequest> == 9);
static_assert(ipc::wire_words<RegionCreateReply> == 2);

struct SbrkReply {
    uint32_t old_break;
};
struct SbrkRequest {
    static constexpr uint32_t kLabel = kMmSbrk;
    using Reply = SbrkReply;
    axo_thread_id_t client;
    int32_t delta;
};
static_assert(ipc::wire_words<SbrkRequest> == 2);
static_assert(ipc::wire_words<SbrkReply> == 1);

struct ProtectRequest {
    static constexpr uint32_t kLabel = kMmProtect;
    using Reply = ipc::Empty;
    axo_thread_id_t client;
    uint32_t address; // page-aligned
    uint32_t size;    // page-aligned, > 0
    uint32_t rights;
};
static_assert(ipc::wire_words<ProtectRequest> == 4);

struct UnmapRequest {
    static constexpr uint32_t kLabel = kMmUnmap;
    using Reply = ipc::Empty;
    axo_thread_id_t client;
    uint32_t address; // page-aligned
    uint32_t size;    // page-aligned, > 0
};
static_assert(ipc::wire_words<UnmapRequest> == 3);

struct DuplicateReply {
    uint32_t shared_pages; // anonymous pages now shared copy-on-write
};
struct DuplicateRequest {
    static constexpr uint32_t kLabel = kMmDuplicate;
    using Reply = DuplicateReply;
    axo_thread_id_t source;
    axo_thread_id_t destination;
};
static_assert(ipc::wire_words<DuplicateRequest> == 2);
static_assert(ipc::wire_words<DuplicateReply> == 1);

// ---- Objects of pagers
// ---------------------------------------------------------------------------

struct ObjectCreateReply {
    uint32_t object;
};
struct ObjectCreateRequest {
    static constexpr uint32_t kLabel = kMmObjectCreate;
    using Reply = ObjectCreateReply;
    uint32_t size;   // bytes, page-aligned
    uint32_t cookie; // passed on in every ExternalFault
};
static_assert(ipc::wire_words<ObjectCreateRequest> == 2);
static_assert(ipc::wire_words<ObjectCreateReply> == 1);

struct ObjectGrantRequest {
    static constexpr uint32_t kLabel = kMmObjectGrant;
    using Reply = ipc::Empty;
    uint32_t object;
    axo_thread_id_t client; // a thread of the client to authorise
};
static_assert(ipc::wire_words<ObjectGrantRequest> == 2);

struct ObjectRebindRequest {
    static constexpr uint32_t kLabel = kMmObjectRebind;
    using Reply = ipc::Empty;
    uint32_t object;
    axo_thread_id_t pager;
};
static_assert(ipc::wire_words<ObjectRebindRequest> == 2);

struct PagerRebindReply {
    uint32_t objects; // how many were rebound
};
struct PagerRebindRequest {
    static constexpr uint32_t kLabel = kMmPagerRebind;
    using Reply = PagerRebindReply;
    axo_thread_id_t old_pager;
    axo_thread_id_t new_pager;
};
static_assert(ipc::wire_words<PagerRebindRequest> == 2);
static_assert(ipc::wire_words<PagerRebindReply> == 1);

struct ObjectEndRequest {
    static constexpr uint32_t kLabel = kMmObjectEnd;
    using Reply = ipc::Empty;
    uint32_t object;
};
static_assert(ipc::wire_words<ObjectEndRequest> == 1);

struct ObjectLimitRequest {
    static constexpr uint32_t kLabel = kMmObjectLimit;
    using Reply = ipc::Empty;
    uint32_t object;
    uint32_t end; // bytes; rounded up to a page, at most the object's size
};
static_assert(ipc::wire_words<ObjectLimitRequest> == 2);

// ---- Accounting
// ----------------------------------------------------------------------------------

struct QuotaSetRequest {
    static constexpr uint32_t kLabel = kMmQuotaSet;
    using Reply = ipc::Empty;
    axo_thread_id_t client;
    uint32_t pages;
};
static_assert(ipc::wire_words<QuotaSetRequest> == 2);

struct StatisticsReply {
    // The client (zeros without one):
    uint32_t quota;     // pages, kNoQuota for none
    uint32_t committed; // pages committed (what the quota limits)
    uint32_t resident;  // anonymous pages it has (each counted in every client sharing it)
    uint32_t faults;    // page faults mm answered with a page
    uint32_t refused;   // page faults mm refused
    // mm as a whole:
    uint32_t data_frames;  // frames holding client memory (a copy-on-write page counts once)
    uint32_t table_frames; // frames holding mm's page tables
    uint32_t free_frames;  // frames mm holds for reuse
    uint32_t zero_fills;   // pages given out zeroed
    uint32_t cow_copies;   // pages copied at a write after a duplicate
    uint32_t forwards;     // faults forwarded to external pagers
    uint32_t clients;
    uint32_t objects; // shared and external objects alive
};
struct StatisticsRequest {
    static constexpr uint32_t kLabel = kMmStatistics;
    using Reply = StatisticsReply;
    axo_thread_id_t client;
};
static_assert(ipc::wire_words<StatisticsRequest> == 1);
static_assert(ipc::wire_words<StatisticsReply> == 13);

// ---- Refused faults
// --------------------------------------------------------------------------------

struct FaultStateReply {
    uint32_t reason;  // Refusal; kRefusedNone: the thread is not blocked in a refused fault
    uint32_t address; // the fault address
    uint32_t ip;      // the fault eip
    uint32_t access;  // AXO_FPAGE_R or AXO_FPAGE_W, as the kernel reported it
};
struct FaultStateRequest {
    static constexpr uint32_t kLabel = kMmFaultState;
    using Reply = FaultStateReply;
    axo_thread_id_t thread;
};
static_assert(ipc::wire_words<FaultStateRequest> == 1);
static_assert(ipc::wire_words<FaultStateReply> == 4);

struct FaultRetryRequest {
    static constexpr uint32_t kLabel = kMmFaultRetry;
    using Reply = ipc::Empty;
    axo_thread_id_t thread;
    uint32_t release; // 0: answer with the page or keep it pending; 1: answer with nothing
};
static_assert(ipc::wire_words<FaultRetryRequest> == 2);

// ---- Messages mm sends
// -------------------------------------------------------------------------------

// mm -> external pager: the reply to its kMmPagerWait.
struct ExternalFault {
    uint32_t token;         // names this fault in the answer (never 0)
    uint32_t cookie;        // as given at RegionCreate
    uint32_t offset;        // of the page in the object, bytes, page-aligned
    uint32_t access;        // AXO_FPAGE_R or AXO_FPAGE_W
    axo_thread_id_t client; // the faulting thread (for the pager's information)
    uint32_t send_base;     // the answer's map item's send base (where mm wants the page)
};
static_assert(ipc::wire_words<ExternalFault> == 6);

struct PagerWaitRequest {
    static constexpr uint32_t kLabel = kMmPagerWait;
    using Reply = ExternalFault;
    uint32_t token; // the fault answered with this call; 0: none
    uint32_t error; // ipc::Error: 0 with a map item of the page, else no item
};
static_assert(ipc::wire_words<PagerWaitRequest> == 2);

// mm -> fault handler (a send with a zero timeout; not answered).
struct FaultNotice {
    axo_thread_id_t thread; // blocked in the refused fault
    uint32_t address;
    uint32_t ip;
    uint32_t access;
    uint32_t reason; // Refusal
};
static_assert(ipc::wire_words<FaultNotice> == 5);

struct FaultWaitRequest {
    static constexpr uint32_t kLabel = kMmFaultWait;
    using Reply = FaultNotice;
};
static_assert(ipc::wire_words<FaultWaitRequest> == 0);

} // namespace mm
