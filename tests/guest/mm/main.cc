// The mm test (README.md): the root task starts mm from its boot module in a space of its own
// and runs client spaces paged by it — zero fill, sbrk, protect with refused faults reflected
// to the client's exception handler, unmap, trust, shared memory, copy-on-write duplication,
// quotas, and the pager stack σ0 → mm → a test pager in another space → mm → client with
// revocation at each level; then it measures faults and checks that every frame comes back.
#include "harness.h"

namespace mt {
namespace {

using ipc::Error;
using mm::StatisticsReply;

constexpr uint32_t kRW = AXO_FPAGE_R | AXO_FPAGE_W;
constexpr uint32_t kPagerCookie = 0xE7;
constexpr uint32_t kSharedPages = 2; // A's shared object, charged to A alone

constexpr uint32_t code(Error e) {
    return static_cast<uint32_t>(e);
}

Client g_a, g_b, g_c, g_d, g_p;

// A region of `pages` anonymous pages at `address`, asked for by the client itself.
uint32_t anonymous_region(const Client& client, uint32_t address, uint32_t pages) {
    const uint32_t words[] = {
        AXO_NIL_THREAD, address, pages * kPage, kRW, mm::kRegionAnonymous, 0, 0, 0, 0};
    return client_mm(client, mm::kMmRegionCreate, 9, words);
}

uint32_t sbrk(const Client& client, int32_t delta, uint32_t* old_break) {
    const uint32_t words[] = {AXO_NIL_THREAD, static_cast<uint32_t>(delta)};
    return client_mm(client, mm::kMmSbrk, 2, words, old_break);
}

// A command that must fault for good: the client restarts and the supervisor saw the
// exception. Fills in what it saw.
bool faults(const Client& client, uint32_t op, uint32_t address, uint32_t value,
            NoticeRecord* notice, ExceptionRecord* exception) {
    uint32_t notices = last_notice().count;
    uint32_t exceptions = last_exception().count;
    Report report = command(client, op, {address, value});
    bool noticed = wait_notice(notices);
    *notice = last_notice();
    *exception = last_exception();
    if (!report.restarted() || !noticed || exception->count != exceptions + 1) {
        diag("client %s at %x: %s, notice %s, %u exception(s)", client.name, address,
             describe(report).text, noticed ? "seen" : "missing", exception->count - exceptions);
        return false;
    }
    return true;
}

// ---- mm itself ------------------------------------------------------------------------------

bool test_start() {
    bool up = start_mm();
    check(up, "mm starts from its boot module in a space of its own, loaded by lib/loader with the "
              "test as its pager, a sigma0 client");
    StatisticsReply s{};
    Error e = up ? mm_call(mm::StatisticsRequest{AXO_NIL_THREAD}, s) : Error::server_gone;
    check(e == Error::ok && s.clients == 0 && s.data_frames == 0 && s.objects == 0,
          "mm answers the root task: no clients, no frames, no objects");
    if (e != Error::ok) diag("statistics: %s", ipc::error_name(e));
    return up && e == Error::ok;
}

bool test_first_client() {
    bool created = client_create(g_a, "A");
    ipc::Empty empty;
    Error again = mm_call(
        mm::AttachRequest{g_a.id, AXO_NIL_THREAD, supervisor_thread(), mm::kNoQuota, CLIENT_HEAP},
        empty);
    check(created && again == Error::exists,
          "attach: the root task attaches client A; attaching its thread again is refused");
    uint32_t served = image_pages_served();
    bool started = client_start(g_a);
    StatisticsReply s = stats(g_a.id);
    check(started && image_pages_served() > served && s.faults >= 2 && s.resident >= 1,
          "client A runs: its code comes from the image pager through mm (an external region), "
          "its stack is zero-filled anonymous memory");
    diag("A started: %u faults answered by mm, %u image pages served, %u resident pages", s.faults,
         image_pages_served() - served, s.resident);
    return started;
}

// ---- Anonymous memory, sbrk, protect, unmap
// ---------------------------------------------------------

void test_zero_fill() {
    uint32_t made = anonymous_region(g_a, CLIENT_DATA, 8);
    uint32_t first = 1, back = 0;
    bool read = client_read(g_a, CLIENT_DATA + 0x10, &first);
    bool wrote = client_write(g_a, CLIENT_DATA + 0x10, 0xA11CE);
    bool reread = client_read(g_a, CLIENT_DATA + 0x10, &back);
    check(made == 0 && read && wrote && reread && first == 0 && back == 0xA11CE,
          "zero fill: a fresh anonymous page of A reads 0, and what A writes there reads back");
}

void test_sbrk() {
    uint32_t old_break = 0, new_break = 0;
    uint32_t grown = sbrk(g_a, 3 * kPage, &old_break);
    Report written = command(g_a, CLIENT_TOUCH, {CLIENT_HEAP, 3, 1, 100});
    Report read = command(g_a, CLIENT_TOUCH, {CLIENT_HEAP, 3, 0});
    uint32_t asked = sbrk(g_a, 0, &new_break);
    check(grown == 0 && asked == 0 && old_break == CLIENT_HEAP &&
              new_break == CLIENT_HEAP + 3 * kPage && written.done() && read.done() &&
              read.value[1] == 100 + 101 + 102,
          "sbrk: A's own sbrk of 3 pages returns the heap base, the pages are usable, and the "
          "break moved");

    NoticeRecord notice;
    ExceptionRecord exception;
    bool faulted = faults(g_a, CLIENT_READ, new_break, 0, &notice, &exception);
    check(faulted && notice.notice.thread == g_a.id &&
              notice.notice.reason == mm::kRefusedNoRegion && notice.notice.access == AXO_FPAGE_R &&
              notice.retry_error == 0 && exception.thread == g_a.id && exception.vector == 14 &&
              exception.address == new_break && (exception.error & 2) == 0,
          "sbrk: a read above the break is refused by mm and reflected: A's exception handler "
          "gets vector 14 at the address, and A restarts");

    uint32_t committed = stats(g_a.id).committed;
    uint32_t shrunk = sbrk(g_a, -2 * static_cast<int32_t>(kPage), &old_break);
    uint32_t released = committed - stats(g_a.id).committed;
    bool gone = faults(g_a, CLIENT_READ, CLIENT_HEAP + kPage, 0, &notice, &exception);
    uint32_t kept = 0;
    bool still = client_read(g_a, CLIENT_HEAP, &kept);
    check(shrunk == 0 && old_break == new_break && released == 2 && gone &&
              exception.address == CLIENT_HEAP + kPage && still && kept == 100,
          "sbrk: shrinking by 2 pages releases their commitment; a released page is refused, the "
          "page below the break keeps its contents");
}

void test_protect() {
    constexpr uint32_t kPageAddress = CLIENT_DATA + kPage;
    bool wrote = client_write(g_a, kPageAddress, 0x1234);
    const uint32_t words[] = {AXO_NIL_THREAD, kPageAddress, kPage, AXO_FPAGE_R};
    uint32_t made = client_mm(g_a, mm::kMmProtect, 4, words);
    uint32_t value = 0;
    bool read = client_read(g_a, kPageAddress, &value);
    check(wrote && made == 0 && read && value == 0x1234,
          "protect: A makes one of its pages read-only itself, and still reads it");

    NoticeRecord notice;
    ExceptionRecord exception;
    bool faulted = faults(g_a, CLIENT_WRITE, kPageAddress, 0x5678, &notice, &exception);
    check(faulted && notice.notice.reason == mm::kRefusedProtection &&
              notice.notice.access == AXO_FPAGE_W && notice.notice.address == kPageAddress &&
              notice.retry_error == 0 && exception.thread == g_a.id && exception.vector == 14 &&
              (exception.error & 2) != 0 && exception.address == kPageAddress,
          "protect: a write to it is refused by mm, noticed by the fault handler and reflected: "
          "A's exception handler gets vector 14 with the write bit at the address");
    value = 0;
    read = client_read(g_a, kPageAddress, &value);
    mm::FaultStateReply state{};
    Error e = mm_call(mm::FaultStateRequest{g_a.id}, state);
    check(read && value == 0x1234 && e == Error::ok && state.reason == mm::kRefusedNone,
          "protect: the refused write changed nothing, and no fault is left pending");

    set_policy(FaultPolicy::resolve);
    uint32_t notices = last_notice().count, exceptions = last_exception().count;
    Report report = command(g_a, CLIENT_WRITE, {kPageAddress, 0x5678});
    bool noticed = wait_notice(notices);
    set_policy(FaultPolicy::reflect);
    read = client_read(g_a, kPageAddress, &value);
    check(report.done() && noticed && last_notice().retry_error == 0 &&
              last_exception().count == exceptions && read && value == 0x5678,
          "protect: a fault handler may resolve the refused write instead (protect rw, fault "
          "retry): A's write completes without an exception");
}

void test_unmap() {
    constexpr uint32_t kPageAddress = CLIENT_DATA + 2 * kPage;
    bool wrote = client_write(g_a, kPageAddress, 0x600D);
    uint32_t resident = stats(g_a.id).resident;
    const uint32_t words[] = {AXO_NIL_THREAD, kPageAddress, kPage};
    uint32_t done = client_mm(g_a, mm::kMmUnmap, 3, words);
    uint32_t freed = resident - stats(g_a.id).resident;
    NoticeRecord notice;
    ExceptionRecord exception;
    bool faulted = faults(g_a, CLIENT_READ, kPageAddress, 0, &notice, &exception);
    check(wrote && done == 0 && freed == 1 && faulted &&
              notice.notice.reason == mm::kRefusedNoRegion && exception.address == kPageAddress,
          "unmap: A unmaps one of its pages; mm frees it, and reading it is refused");
}

// ---- Trust and malformed requests
// --------------------------------------------------------------------

void test_trust() {
    bool b = client_create(g_b, "B") && client_start(g_b);
    const uint32_t protect_b[] = {g_b.id, CLIENT_STACK, kPage, 0};
    const uint32_t attach[] = {axo_thread_id(1000, 1), AXO_NIL_THREAD, AXO_NIL_THREAD, mm::kNoQuota,
                               0};
    const uint32_t quota[] = {AXO_NIL_THREAD, 100000};
    const uint32_t duplicate[] = {g_a.id, g_b.id};
    const uint32_t statistics[] = {g_b.id};
    uint32_t refused[] = {
        client_mm(g_a, mm::kMmProtect, 4, protect_b), client_mm(g_a, mm::kMmAttach, 5, attach),
        client_mm(g_a, mm::kMmQuotaSet, 2, quota), client_mm(g_a, mm::kMmDuplicate, 2, duplicate),
        client_mm(g_a, mm::kMmStatistics, 1, statistics)};
    bool all = true;
    for (uint32_t label : refused)
        all &= label == code(Error::no_permission);
    Report alive = command(g_b, CLIENT_TOUCH, {CLIENT_STACK, CLIENT_STACK_PAGES, 0});
    check(b && all && alive.done(),
          "trust: A may not protect B's memory, attach threads, set its own quota, duplicate "
          "itself or read B's counters (no permission); B runs on");
    if (!all)
        diag("labels %u %u %u %u %u", refused[0], refused[1], refused[2], refused[3], refused[4]);
}

void test_bad_requests() {
    const uint32_t one[] = {0};
    const uint32_t unaligned[] = {
        AXO_NIL_THREAD, CLIENT_DATA + 0x123, kPage, kRW, mm::kRegionAnonymous, 0, 0, 0, 0};
    const uint32_t overlapping[] = {
        AXO_NIL_THREAD, CLIENT_DATA, kPage, kRW, mm::kRegionAnonymous, 0, 0, 0, 0};
    uint32_t shape = client_mm(g_a, mm::kMmSbrk, 1, one);
    uint32_t unknown = client_mm(g_a, 0x07FF, 0, nullptr);
    uint32_t invalid = client_mm(g_a, mm::kMmRegionCreate, 9, unaligned);
    uint32_t exists = client_mm(g_a, mm::kMmRegionCreate, 9, overlapping);
    uint32_t value = 0;
    bool served = client_read(g_a, CLIENT_DATA + 0x10, &value);
    check(shape == code(Error::bad_message) && unknown == code(Error::bad_operation) &&
              invalid == code(Error::invalid_argument) && exists == code(Error::exists) && served &&
              value == 0xA11CE,
          "bad requests: a wrong word count, an unknown label, an unaligned and an overlapping "
          "region are refused, and mm serves on");
}

// ---- Shared memory
// ------------------------------------------------------------------------------------

void test_shared() {
    const uint32_t create[] = {
        AXO_NIL_THREAD, CLIENT_SHARED, kSharedPages * kPage, kRW, mm::kRegionShared, 0, 0, 0, 0};
    uint32_t address = 0, object = 0;
    uint32_t made = client_mm(g_a, mm::kMmRegionCreate, 9, create, &address, &object);
    const uint32_t map[] = {AXO_NIL_THREAD,
                            CLIENT_SHARED + 0x100000,
                            kSharedPages * kPage,
                            kRW,
                            mm::kRegionShared,
                            object,
                            0,
                            0,
                            0};
    // B may not map A's object by its id until A authorises it: ids are no capabilities.
    uint32_t guessed = client_mm(g_b, mm::kMmRegionCreate, 9, map);
    const uint32_t grant[] = {object, g_b.id};
    uint32_t granted = client_mm(g_a, mm::kMmObjectGrant, 2, grant);
    uint32_t mapped = client_mm(g_b, mm::kMmRegionCreate, 9, map);
    uint32_t seen_by_b = 0, seen_by_a = 0;
    bool ok = client_write(g_a, CLIENT_SHARED, 0x5A5A) &&
              client_read(g_b, CLIENT_SHARED + 0x100000, &seen_by_b) &&
              client_write(g_b, CLIENT_SHARED + 0x100000 + kPage, 0xB0B0) &&
              client_read(g_a, CLIENT_SHARED + kPage, &seen_by_a);
    check(guessed == static_cast<uint32_t>(Error::not_found),
          "an unauthorised client cannot map an object: B's map of A's shared object by its id "
          "is not_found (%u)",
          guessed);
    check(made == 0 && address == CLIENT_SHARED && object != 0 && granted == 0 && mapped == 0 &&
              ok && seen_by_b == 0x5A5A && seen_by_a == 0xB0B0,
          "shared memory: A creates a shared object and authorises B (kMmObjectGrant), B maps it "
          "by its id at another address, and each sees what the other writes");
}

// ---- Copy-on-write
// ------------------------------------------------------------------------------------

void test_copy_on_write() {
    Report touched = command(g_a, CLIENT_TOUCH, {CLIENT_DATA + 3 * kPage, 4, 1, 0xC0DE0003});
    bool created = client_create(g_c, "C", mm::kNoQuota, CLIENT_HEAP, false);
    StatisticsReply before = stats();
    mm::DuplicateReply duplicated{};
    Error e = mm_call(mm::DuplicateRequest{g_a.id, g_c.id}, duplicated);
    StatisticsReply after = stats();
    StatisticsReply a = stats(g_a.id), c = stats(g_c.id);
    // C commits A's anonymous memory; the shared object stays A's alone.
    check(touched.done() && created && e == Error::ok && duplicated.shared_pages == a.resident &&
              c.resident == a.resident && c.committed + kSharedPages == a.committed &&
              after.data_frames == before.data_frames,
          "copy-on-write: the root task duplicates A into the empty client C: %u pages shared, no "
          "data frame allocated",
          duplicated.shared_pages);
    if (e != Error::ok) diag("duplicate: %s", ipc::error_name(e));
    diag("A: %u resident, %u committed; C: %u resident, %u committed; data frames %u -> %u",
         a.resident, a.committed, c.resident, c.committed, before.data_frames, after.data_frames);

    bool started = client_start(g_c);
    StatisticsReply base = stats();
    uint32_t c_old = 0, c_after = 0, a_own = 0, a_other = 0, c_own = 0, c_read5 = 0, c_read6 = 0;
    bool ok = client_read(g_c, CLIENT_DATA + 3 * kPage, &c_old) &&
              client_write(g_a, CLIENT_DATA + 3 * kPage, 0xAAAA0003) &&
              client_read(g_c, CLIENT_DATA + 3 * kPage, &c_after) &&
              client_read(g_a, CLIENT_DATA + 3 * kPage, &a_own) &&
              client_write(g_c, CLIENT_DATA + 4 * kPage, 0xCCCC0004) &&
              client_read(g_a, CLIENT_DATA + 4 * kPage, &a_other) &&
              client_read(g_c, CLIENT_DATA + 4 * kPage, &c_own) &&
              client_read(g_c, CLIENT_DATA + 5 * kPage, &c_read5) &&
              client_read(g_c, CLIENT_DATA + 6 * kPage, &c_read6);
    check(started && ok && c_old == 0xC0DE0003 && c_after == 0xC0DE0003 && a_own == 0xAAAA0003 &&
              a_other == 0xC0DE0004 && c_own == 0xCCCC0004,
          "copy-on-write: C starts from A's memory; after the duplicate A's write is invisible to "
          "C and C's to A");
    StatisticsReply end = stats();
    uint32_t copies = end.cow_copies - base.cow_copies;
    uint32_t zero_fills = end.zero_fills - base.zero_fills;
    uint32_t grown = end.data_frames - base.data_frames;
    check(ok && c_read5 == 0xC0DE0005 && c_read6 == 0xC0DE0006 && copies >= 2 &&
              grown == copies + zero_fills,
          "copy-on-write: frames grew only by the %u pages copied at writes (and %u zero fills); "
          "pages only read stay shared",
          copies, zero_fills);
    uint32_t c_break = 0;
    uint32_t asked = sbrk(g_c, 0, &c_break);
    check(asked == 0 && c_break == CLIENT_HEAP + kPage,
          "copy-on-write: C inherited A's heap and break");
}

// ---- Quotas
// ----------------------------------------------------------------------------------------------

void test_quota() {
    constexpr uint32_t kQuota = 16; // the stack takes 8
    bool d = client_create(g_d, "D", kQuota) && client_start(g_d);
    uint32_t old_break = 0;
    uint32_t fits = sbrk(g_d, 8 * kPage, &old_break);
    uint32_t beyond = sbrk(g_d, kPage, &old_break);
    const uint32_t region[] = {
        AXO_NIL_THREAD, CLIENT_DATA, kPage, kRW, mm::kRegionAnonymous, 0, 0, 0, 0};
    uint32_t another = client_mm(g_d, mm::kMmRegionCreate, 9, region);
    Report written = command(g_d, CLIENT_TOUCH, {CLIENT_HEAP, 8, 1, 1});
    Report read = command(g_d, CLIENT_TOUCH, {CLIENT_HEAP, 8, 0});
    StatisticsReply s = stats(g_d.id);
    check(d && fits == 0 && beyond == code(Error::no_space) && another == code(Error::no_space) &&
              written.done() && read.done() && read.value[1] == 8 + 28 && s.committed == kQuota &&
              s.quota == kQuota,
          "quota: D (16 pages) commits up to its quota; more is refused with no space (sbrk, "
          "region), and every committed page works");

    uint32_t grown = sbrk(g_a, 4 * kPage, &old_break);
    Report used = command(g_a, CLIENT_TOUCH, {old_break, 4, 1, 7});
    check(grown == 0 && used.done(), "quota: A is unaffected by D's exhausted quota");
}

// ---- The pager stack
// -------------------------------------------------------------------------------------

// A reads `address` while P serves one fault from mm.
bool read_through_p(uint32_t address, uint32_t* value, Report* served) {
    if (!send_command(g_p, CLIENT_SERVE, {1, CLIENT_POOL, kReportTimeoutUs / 2, kRW})) return false;
    bool read = client_read(g_a, address, value);
    *served = wait_report(g_p);
    if (!served->done()) diag("P serving: %s", describe(*served).text);
    return read && served->done();
}

void test_stacking() {
    bool p = client_create(g_p, "P") && client_start(g_p);
    uint32_t pool = anonymous_region(g_p, CLIENT_POOL, 4);
    bool patterned = client_write(g_p, CLIENT_POOL, 0xAAAA0000) &&
                     client_write(g_p, CLIENT_POOL + kPage, 0xAAAA0001);
    const uint32_t external[] = {
        AXO_NIL_THREAD, CLIENT_EXTERNAL, 4 * kPage, kRW, mm::kRegionExternal, 0, 0,
        g_p.id,         kPagerCookie};
    uint32_t made = client_mm(g_a, mm::kMmRegionCreate, 9, external);
    StatisticsReply before = stats();
    uint32_t value = 0;
    Report served{};
    bool ok = read_through_p(CLIENT_EXTERNAL, &value, &served);
    check(p && pool == 0 && patterned && made == 0 && ok && value == 0xAAAA0000 &&
              served.value[0] == 1 && served.value[1] == 0 && served.value[2] == kPagerCookie &&
              served.value[3] == AXO_FPAGE_R && stats().forwards == before.forwards + 1,
          "stacking sigma0 -> mm -> P -> mm -> A: A's fault in its external region reaches the "
          "test pager P through mm and is served with P's own page");

    before = stats();
    bool changed = client_write(g_p, CLIENT_POOL, 0xBBBB0000);
    ok = client_read(g_a, CLIENT_EXTERNAL, &value);
    check(changed && ok && value == 0xBBBB0000 && stats().forwards == before.forwards,
          "stacking: what P writes, A sees at once and without a fault: the same frame");

    Report unmapped = command(g_p, CLIENT_UNMAP, {axo_fpage(CLIENT_POOL, 12, AXO_FPAGE_RWX), 0});
    before = stats();
    uint32_t a_faults = stats(g_a.id).faults;
    ok = read_through_p(CLIENT_EXTERNAL, &value, &served);
    check(unmapped.done() && unmapped.value[0] == AXO_OK && ok && value == 0xBBBB0000 &&
              stats().forwards == before.forwards + 1 && stats(g_a.id).faults > a_faults,
          "stacking: P's unmap of its page revokes A's mapping through mm: A faults again, and "
          "mm asks P again");

    ok = read_through_p(CLIENT_EXTERNAL + kPage, &value, &served);
    bool first = ok && value == 0xAAAA0001;
    const uint32_t unmap[] = {AXO_NIL_THREAD, CLIENT_POOL + kPage, kPage};
    uint32_t flushed = client_mm(g_p, mm::kMmUnmap, 3, unmap);
    uint32_t remade = anonymous_region(g_p, CLIENT_POOL + kPage, 1);
    before = stats();
    ok = read_through_p(CLIENT_EXTERNAL + kPage, &value, &served);
    StatisticsReply after = stats();
    check(first && flushed == 0 && remade == 0 && ok && value == 0 &&
              after.forwards == before.forwards + 1 && after.zero_fills == before.zero_fills + 1,
          "stacking: a flush at mm's level (mm unmaps P's page) revokes A's page through P; on the "
          "next fault P faults its new page in from mm while mm waits for its answer, and A gets "
          "that page");
}

// ---- Measurements
// ------------------------------------------------------------------------------------------

struct Cost {
    uint32_t cycles;
    uint32_t ipcs;
};

Cost measure(const Client& client, uint32_t address, uint32_t pages, uint32_t write) {
    axo_counters_t before{}, after{};
    axo_debug_counters(&before);
    Report report = command(client, CLIENT_TOUCH, {address, pages, write, 0x600D});
    axo_debug_counters(&after);
    if (!report.done()) diag("touch: %s", describe(report).text);
    return Cost{report.done() ? report.value[0] : 0, after.ipcs - before.ipcs};
}

void test_measurements() {
    constexpr uint32_t kPages = 64;
    Client m, n;
    bool ready =
        client_create(m, "M") && client_start(m) && anonymous_region(m, CLIENT_DATA, kPages) == 0;
    Cost zero_fill = measure(m, CLIENT_DATA, kPages, 1);
    Cost mapped = measure(m, CLIENT_DATA, kPages, 1);
    // The pages stay M's but leave its space (protect to nothing and back): each touch is a
    // fault mm answers with the frame it has — the fault path without zeroing or copying.
    ipc::Empty empty;
    bool remapped =
        mm_call(mm::ProtectRequest{m.id, CLIENT_DATA, kPages * kPage, 0}, empty) == Error::ok &&
        mm_call(mm::ProtectRequest{m.id, CLIENT_DATA, kPages * kPage, kRW}, empty) == Error::ok;
    Cost remap = measure(m, CLIENT_DATA, kPages, 1);
    mm::DuplicateReply duplicated{};
    bool copied = client_create(n, "N", mm::kNoQuota, CLIENT_HEAP, false) &&
                  mm_call(mm::DuplicateRequest{m.id, n.id}, duplicated) == Error::ok;
    Cost cow = measure(m, CLIENT_DATA, kPages, 1);
    // External: P serves kPages faults of M's external region from its pool.
    bool pool = anonymous_region(g_p, CLIENT_POOL + 0x100000, kPages) == 0 &&
                command(g_p, CLIENT_TOUCH, {CLIENT_POOL + 0x100000, kPages, 1, 0}).done();
    const uint32_t external[] = {
        AXO_NIL_THREAD, CLIENT_EXTERNAL, kPages * kPage, AXO_FPAGE_R, mm::kRegionExternal, 0, 0,
        g_p.id,         kPagerCookie};
    bool region = client_mm(m, mm::kMmRegionCreate, 9, external) == 0;
    bool serving = send_command(
        g_p, CLIENT_SERVE, {kPages, CLIENT_POOL + 0x100000, kReportTimeoutUs / 2, AXO_FPAGE_R});
    Cost forwarded = measure(m, CLIENT_EXTERNAL, kPages, 0);
    Report served = wait_report(g_p);
    bool ok = ready && remapped && copied && pool && region && serving && served.done() &&
              served.value[0] == kPages && zero_fill.cycles > mapped.cycles &&
              remap.cycles > mapped.cycles && cow.cycles > mapped.cycles && forwarded.cycles > 0;
    check(ok, "measured: zero-fill, remap, copy-on-write and forwarded faults over %u pages each",
          kPages);
    auto per_page = [&](const Cost& c) { return (c.cycles - mapped.cycles) / kPages; };
    diag("zero-fill fault: %u TSC cycles per page beyond the access itself (%u for a mapped "
         "page), %u IPCs for %u pages",
         per_page(zero_fill), mapped.cycles / kPages, zero_fill.ipcs, kPages);
    diag("remap fault (the frame is mm's already): %u TSC cycles per page, %u IPCs for %u pages",
         per_page(remap), remap.ipcs, kPages);
    diag("copy-on-write fault: %u TSC cycles per page, %u IPCs for %u pages", per_page(cow),
         cow.ipcs, kPages);
    diag("forwarded fault (mm -> P -> mm): %u TSC cycles per page, %u IPCs for %u pages",
         per_page(forwarded), forwarded.ipcs, kPages);
    client_destroy(n);
    client_destroy(m);
}

// ---- Small spaces
// ---------------------------------------------------------------------------------------

void test_small_space() {
    static const char kWhat[] = "small space: a client in a 4 MiB small space is paged by mm like "
                                "any other (code, stack, heap), and stays small";
    if ((rt_kip()->api_flags & AXO_KIP_SMALL_SPACES) == 0) {
        skip("small spaces are off on this CPU", "%s", kWhat);
        return;
    }
    Client s;
    bool created = client_create(s, "S");
    uint32_t blocks = 0, base = 0;
    uint32_t made = created ? axo_space_control(s.id, AXO_SPACE_SMALL, 1, &blocks, &base) : ~0u;
    bool started = made == AXO_OK && client_start(s);
    uint32_t old_break = 0;
    uint32_t grown = started ? sbrk(s, 2 * kPage, &old_break) : ~0u;
    Report written = command(s, CLIENT_TOUCH, {CLIENT_HEAP, 2, 1, 40});
    Report read = command(s, CLIENT_TOUCH, {CLIENT_HEAP, 2, 0});
    uint32_t now = axo_space_control(s.id, AXO_SPACE_QUERY, 0, &blocks, &base);
    check(made == AXO_OK && started && grown == 0 && written.done() && read.done() &&
              read.value[1] == 40 + 41 && now == AXO_OK && blocks == 1,
          "%s", kWhat);
    if (made != AXO_OK || blocks != 1) diag("space_control: error %u, %u block(s)", made, blocks);
    client_destroy(s);
}

// ---- Everything comes back
// -------------------------------------------------------------------------------

void test_detach() {
    client_destroy(g_c);
    client_destroy(g_d);
    client_destroy(g_b);
    client_destroy(g_a);
    client_destroy(g_p);
    StatisticsReply s = stats();
    check(s.clients == 0 && s.data_frames == 0 && s.table_frames == 0 && s.objects == 0,
          "detach: with every client gone, every frame is back (no data or table frames, no "
          "objects)");
    if (s.data_frames || s.table_frames || s.objects || s.clients)
        diag("clients %u, data frames %u, table frames %u, objects %u", s.clients, s.data_frames,
             s.table_frames, s.objects);

    constexpr uint32_t kRounds = 100;
    uint32_t held = s.free_frames;
    bool all = true;
    for (uint32_t round = 0; round < kRounds && all; ++round) {
        Client x;
        all = client_create(x, "X") && client_start(x) &&
              anonymous_region(x, CLIENT_DATA, 4) == 0 &&
              command(x, CLIENT_TOUCH, {CLIENT_DATA, 4, 1, round}).done();
        client_destroy(x);
        StatisticsReply now = stats();
        all &= now.data_frames == 0 && now.table_frames == 0;
    }
    StatisticsReply end = stats();
    check(all && end.free_frames == held,
          "detach: %u clients created, run and destroyed: their frames come back every time, and "
          "mm takes no new ones from sigma0",
          kRounds);
    if (end.free_frames != held) diag("mm held %u free frames, now %u", held, end.free_frames);
}

} // namespace
} // namespace mt

int main() {
    using namespace mt;
    tap_begin();
    if (test_start() && test_first_client()) {
        test_zero_fill();
        test_sbrk();
        test_protect();
        test_unmap();
        test_trust();
        test_bad_requests();
        test_shared();
        test_copy_on_write();
        test_quota();
        test_stacking();
        test_measurements();
        test_small_space();
        test_detach();
    }
    check(mm_crashes() == 0, "mm never faulted outside its image nor raised an exception");
    tap_finish();
}
