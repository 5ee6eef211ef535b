// The system-call fuzzer (README.md): random and mutated calls of every system call with
// hostile arguments, in batches; between batches it spawns isolation attackers (attack.cc)
// that must fault, asks its canaries (canary.cc) whether anything of theirs changed, and
// compares the kernel's live objects (AXO_DEBUG_OBJECTS), proc's and mm's counters with a
// baseline. Each call is checked against what the kernel must answer an unprivileged caller
// (an oracle per call); the first wrong answer is printed with the seed and the call's number.
//
// Arguments: seed=N (default 1) calls=N (default 1000000) attacks=N (default 200).
// What it never does, because it would legitimately destroy itself: IPC to proc or mm (the
// fuzz-rpc test's business: proc would end it on an exit request), halting itself, setting
// ip/sp/eflags/pager of its own threads, flushing its own image or stack (an attacker child
// does those).
#include "fuzz.h"

namespace fuzz {

namespace {

constexpr uint32_t kBatches = 20;
constexpr uint32_t kCanaries = 2;
constexpr uint32_t kPage = 4096;

uint32_t g_seed = 1;
uint32_t g_calls = 1000000;
uint32_t g_attacks = 200;
uint32_t g_trace_from = 0xFFFFFFFFu; // trace=N: print every call from the N-th on
Random g_random(1);

axo_thread_id_t g_self;
axo_thread_id_t g_helper;
axo_thread_id_t g_proc;
axo_thread_id_t g_pager;
axo_thread_id_t g_sigma0;
axo_thread_id_t g_canaries[kCanaries];
axo_thread_id_t g_dead[16]; // threads of reaped attackers: stale forever
uint32_t g_dead_count;

// What the fuzzer maps and what its helper's receive window covers: 64 KiB each, aligned.
alignas(65536) uint8_t g_scratch[65536];
alignas(65536) uint8_t g_window[65536];
alignas(16) uint8_t g_helper_stack[8192];

// The call being made, for the report of a failure.
uint64_t g_call_index;
uint32_t g_call_words[8];
bool g_failed;
char g_failure[200];

uint32_t g_counts[AXO_SYS_COUNT + 1]; // the last: invalid numbers
uint32_t g_ok_counts[AXO_SYS_COUNT + 1];

__attribute__((format(printf, 1, 2))) void fail(const char* fmt, ...) {
    if (g_failed) return;
    g_failed = true;
    va_list args;
    va_start(args, fmt);
    rt_vsnprintf(g_failure, sizeof g_failure, fmt, args);
    va_end(args);
    rt::tap::diag("FAILED at call %llu of seed %u: %s",
                  static_cast<unsigned long long>(g_call_index), g_seed, g_failure);
    rt::tap::diag("registers eax=%x ecx=%x edx=%x ebx=%x esi=%x edi=%x ebp=%x", g_call_words[0],
                  g_call_words[1], g_call_words[2], g_call_words[3], g_call_words[4],
                  g_call_words[5], g_call_words[6]);
}

// ---- Hostile arguments ----------------------------------------------------------------------

axo_thread_id_t stale_of(axo_thread_id_t id) {
    uint32_t version = axo_thread_version(id);
    return axo_thread_id(axo_thread_number(id), g_random.one_in(2) ? version + 1 : version - 1);
}

// Any thread id a hostile caller could name. `ipc_target`: leave out proc and mm.
axo_thread_id_t hostile_thread(bool ipc_target) {
    switch (g_random.below(16)) {
    case 0:
        return AXO_NIL_THREAD;
    case 1:
        return AXO_ANY_THREAD;
    case 2:
        return g_self;
    case 3:
        return g_helper;
    case 4:
        return stale_of(g_random.one_in(2) ? g_self : g_helper);
    case 5:
        return g_canaries[g_random.below(kCanaries)];
    case 6:
        return stale_of(g_canaries[g_random.below(kCanaries)]);
    case 7:
        return axo_irq_thread(g_random.below(AXO_IRQ_LINES));
    case 8:
        return axo_thread_id(g_random.below(AXO_FIRST_USER_THREAD), g_random.below(3)); // kernel
    case 9:
        return g_sigma0;
    case 10:
        if (!ipc_target) return g_random.one_in(2) ? g_proc : g_pager;
        return stale_of(g_random.one_in(2) ? g_proc : g_pager);
    case 11:
        return g_dead_count > 0 ? g_dead[g_random.below(g_dead_count)] : AXO_ANY_THREAD;
    case 12:
        return axo_thread_id(g_random.below(AXO_MAX_THREADS), 1);
    case 13:
        return axo_thread_id(AXO_MAX_THREADS + g_random.below(1u << 17), 1); // beyond the table
    case 14:
        return axo_thread_id(31, 1); // idle
    default: {
        axo_thread_id_t id = g_random.next();
        if (ipc_target && (axo_thread_number(id) == axo_thread_number(g_proc) ||
                           axo_thread_number(id) == axo_thread_number(g_pager)))
            return AXO_NIL_THREAD;
        return id;
    }
    }
}

bool is_own(axo_thread_id_t id) {
    return id == g_self || id == g_helper;
}
bool is_foreign_live(axo_thread_id_t id) {
    for (axo_thread_id_t canary : g_canaries)
        if (id == canary) return true;
    return id == g_proc || id == g_pager || id == g_sigma0;
}

uint32_t kip_address() {
    return reinterpret_cast<uint32_t>(rt_kip());
}
uint32_t utcb_page() {
    return reinterpret_cast<uint32_t>(axo_my_utcb()) & ~(kPage - 1);
}

// A memory address where the kernel, the KIP, a UTCB, page 0 or the small-space area is.
uint32_t hostile_address() {
    switch (g_random.below(8)) {
    case 0:
        return 0;
    case 1:
        return g_random.below(AXO_LOWEST_MAPPABLE);
    case 2:
        return 0xC0000000u + g_random.below(0x20000000u); // the small-space area
    case 3:
        return 0xE0000000u + g_random.below(0x20000000u); // the kernel
    case 4:
        return kip_address() + g_random.below(kPage);
    case 5:
        return utcb_page() + g_random.below(kPage);
    case 6:
        return 0xBFFFFFFFu - g_random.below(64); // the last user bytes, crossing into 3 GiB
    default:
        return g_random.next();
    }
}

// Fpages aimed at the weak points, well-formed and malformed. `own_ok`: may cover this
// program's image and stack (only where nothing is flushed from it or granted away: mm takes a
// page that faults again and again, with no flush mm made in between, for an answer that does
// not work, and ends the client — interfaces/mm/protocol.h).
axo_fpage_t hostile_fpage(bool own_ok) {
    uint32_t rights = g_random.below(8);
    switch (g_random.below(16)) {
    case 0:
        return AXO_FPAGE_NIL;
    case 1:
        return own_ok ? AXO_FPAGE_COMPLETE : axo_fpage(0xC0000000u, 30, rights);
    case 2:
        return axo_fpage(0, 12 + g_random.below(5), rights); // page 0 and below the lowest mappable
    case 3:
        return axo_fpage(0xC0000000u, 12 + g_random.below(18), rights & ~0u); // small-space area
    case 4:
        return axo_fpage(0xE0000000u + (g_random.below(512) << 12), 12, rights); // kernel
    case 5: // half of all (its own stack among it), or the small-space area's first half
        return own_ok ? axo_fpage(0x80000000u, 31, rights) : axo_fpage(0xC0000000u, 28, rights);
    case 6:
        return axo_fpage(kip_address(), 12, rights);
    case 7:
        return axo_fpage(utcb_page(), 12, rights);
    case 8:
        return axo_io_fpage(g_random.below(0x10000) & ~0u, 0); // one port
    case 9: {
        uint32_t log2 = g_random.below(17);
        return axo_io_fpage((g_random.below(0x10000) >> log2) << log2, log2);
    }
    case 10:
        return axo_io_fpage(0, 16); // every port
    case 11:
        return g_random.next(); // anything, mostly malformed
    case 12:
        return (g_random.next() & ~0xFu) | (g_random.below(2) << 3); // malformed low bits
    case 13:
        if (own_ok) return axo_fpage(0x00400000u + (g_random.below(16) << 12), 12, rights);
        return axo_fpage(0xFFFFF000u, 12, rights);
    default: {
        uint32_t log2 = 12 + g_random.below(5);
        uint32_t offset = (g_random.below(sizeof g_scratch) >> log2) << log2;
        return axo_fpage(reinterpret_cast<uint32_t>(g_scratch) + offset, log2, rights);
    }
    }
}

// A receive window: the helper's own window, the KIP, the UTCB page, page 0, nil, odd ones.
axo_fpage_t hostile_window() {
    switch (g_random.below(8)) {
    case 0:
        return AXO_FPAGE_NIL;
    case 1:
        return axo_fpage(kip_address(), 12, AXO_FPAGE_RWX);
    case 2:
        return axo_fpage(utcb_page(), 12, AXO_FPAGE_RWX);
    case 3:
        return axo_fpage(0, 16, AXO_FPAGE_RWX);
    case 4:
        return axo_io_fpage(0, 16);
    case 5:
        return g_random.next() | 0xC00u; // malformed: accepts nothing
    default:
        return axo_fpage(reinterpret_cast<uint32_t>(g_window), 12 + g_random.below(5),
                         AXO_FPAGE_RWX);
    }
}

// Mostly zero: a relative timeout ends at a timer tick (1 ms), which would make the run slow.
axo_timeout_t hostile_timeout(bool may_block) {
    uint32_t which = g_random.below(64);
    if (which < 4) return may_block ? AXO_TIMEOUT_NEVER : AXO_TIMEOUT_ZERO;
    // Malformed (kernel/ipc_timeout.h): m = 0 with e other than 1, or e beyond 40.
    if (which < 8) return static_cast<axo_timeout_t>((2 + g_random.below(62)) << 10);
    if (which < 12)
        return static_cast<axo_timeout_t>((41 + g_random.below(23)) << 10 |
                                          (1 + g_random.below(1023)));
    if (which == 12) return axo_timeout_us(1 + g_random.below(200));
    if (which == 13)
        return static_cast<axo_timeout_t>(g_random.below(2) << 10 | (1 + g_random.below(100)));
    return AXO_TIMEOUT_ZERO;
}

uint32_t hostile_label() {
    const uint32_t labels[] = {AXO_LABEL_EXCEPTION,
                               AXO_LABEL_PAGE_FAULT | 2,
                               AXO_LABEL_PAGE_FAULT | 4,
                               AXO_LABEL_INTERRUPT,
                               AXO_LABEL_NOTIFY,
                               AXO_LABEL_RAISE_FAULT,
                               kCanaryCheckLabel,
                               0x5100,
                               0x5101,
                               0x5102,
                               0x5103,
                               0xFFFF};
    return g_random.one_in(2) ? g_random.pick(labels) : g_random.below(0x10000);
}

// ---- The calls --------------------------------------------------------------------------------

void trace() {
    if (g_call_index < g_trace_from) return;
    rt_printf("call %llu: %x %x %x %x %x %x %x\n", static_cast<unsigned long long>(g_call_index),
              g_call_words[0], g_call_words[1], g_call_words[2], g_call_words[3], g_call_words[4],
              g_call_words[5], g_call_words[6]);
}

void raw_call(axo_syscall_regs_t& r) {
    g_call_words[0] = r.eax;
    g_call_words[1] = r.ecx;
    g_call_words[2] = r.edx;
    g_call_words[3] = r.ebx;
    g_call_words[4] = r.esi;
    g_call_words[5] = r.edi;
    g_call_words[6] = r.ebp;
    trace();
    axo_syscall(&r);
}

void fuzz_ipc(axo_utcb_t* utcb) {
    axo_thread_id_t to = hostile_thread(true);
    axo_thread_id_t from = g_random.one_in(3) ? AXO_NIL_THREAD : hostile_thread(true);
    if (from == g_pager || from == g_proc) from = AXO_ANY_THREAD;
    bool to_never_blocks =
        to == g_helper || to == AXO_NIL_THREAD || to == g_canaries[0] || to == g_canaries[1];
    axo_timeout_t send = hostile_timeout(to_never_blocks);
    axo_timeout_t receive = hostile_timeout(from == AXO_NIL_THREAD);
    uint32_t untyped = g_random.below(4) == 0 ? g_random.below(64) : g_random.below(8);
    uint32_t typed = g_random.below(3) == 0 ? g_random.below(64) : g_random.below(3) * 2;
    if (g_random.one_in(8)) typed |= 1; // odd: malformed
    uint32_t flags = g_random.one_in(4) ? g_random.below(16) << 12 : 0;
    utcb->mr[0] = axo_msg_tag(hostile_label(), untyped & 63, typed & 63) | flags;
    for (uint32_t i = 1; i < AXO_MR_COUNT; ++i)
        utcb->mr[i] = g_random.next();
    // Typed items after the untyped words: map and grant items of hostile fpages.
    for (uint32_t i = 1 + untyped; i + 1 < AXO_MR_COUNT && i < 1 + untyped + typed; i += 2) {
        bool grant = g_random.one_in(3);
        utcb->mr[i] = g_random.one_in(8) ? g_random.next()
                                         : axo_map_item_word0(g_random.next() & ~0xFFFu, grant);
        // A grant never moves this program's own pages away (that would end it).
        utcb->mr[i + 1] = hostile_fpage(!grant && !g_random.one_in(4));
    }
    utcb->br[0] = g_random.one_in(4) ? hostile_window() : AXO_FPAGE_NIL;
    utcb->notify_mask = g_random.one_in(4) ? g_random.next() : 0;
    g_call_words[0] = AXO_SYS_IPC;
    g_call_words[1] = to;
    g_call_words[2] = from;
    g_call_words[3] = axo_timeouts(send, receive);
    g_call_words[4] = utcb->mr[0];
    g_call_words[5] = utcb->mr[1];
    g_call_words[6] = utcb->mr[2];
    trace();
    axo_thread_id_t sender = axo_ipc(to, from, axo_timeouts(send, receive));
    axo_msg_tag_t tag = utcb->mr[0];
    ++g_counts[AXO_SYS_IPC];
    if (!axo_tag_failed(tag)) ++g_ok_counts[AXO_SYS_IPC];
    // Nobody in this system maps anything to a caller that did not ask in its protocol: a
    // reply with a typed item (σ0 answering a forged page fault, say) is a gain.
    if (!axo_tag_failed(tag) && sender != AXO_NIL_THREAD && axo_tag_typed(tag) != 0 &&
        sender != g_helper)
        fail("ipc: %x sent this unprivileged caller %u typed words", sender, axo_tag_typed(tag));
    utcb->br[0] = AXO_FPAGE_NIL;
    utcb->notify_mask = 0;
}

void fuzz_exchange_registers() {
    axo_thread_id_t dest = hostile_thread(false);
    uint32_t control = g_random.next() & 0x1FF;
    if (g_random.one_in(4)) control = g_random.next();
    axo_syscall_regs_t r = {AXO_SYS_EXCHANGE_REGISTERS,
                            dest,
                            control,
                            g_random.next(),
                            g_random.next(),
                            g_random.next(),
                            hostile_thread(false)};
    bool own = is_own(dest);
    if (own) {
        // Only what leaves its own threads running where they are: a query, aborts, and on the
        // helper a halt that the next call undoes.
        uint32_t safe = AXO_EXREG_ABORT_SEND | AXO_EXREG_ABORT_RECEIVE;
        if (dest == g_helper) safe |= AXO_EXREG_HALT | AXO_EXREG_RESUME;
        r.edx = control & safe;
    }
    raw_call(r);
    ++g_counts[AXO_SYS_EXCHANGE_REGISTERS];
    if (r.eax == AXO_OK) ++g_ok_counts[AXO_SYS_EXCHANGE_REGISTERS];
    if (own && dest == g_helper && (g_call_words[2] & AXO_EXREG_HALT)) {
        axo_exreg_t resume{};
        resume.control = AXO_EXREG_RESUME;
        axo_exchange_registers(g_helper, &resume);
    }
    if (!own && r.eax == AXO_OK) fail("exchange_registers on %x (not its own) succeeded", dest);
}

void fuzz_thread_control() {
    axo_syscall_regs_t r = {AXO_SYS_THREAD_CONTROL, hostile_thread(false), hostile_thread(false),
                            hostile_thread(false),  hostile_thread(false), hostile_address(),
                            hostile_thread(false)};
    if (g_random.one_in(4)) r.edx = AXO_NIL_THREAD; // delete
    if (g_random.one_in(4)) r.ecx = r.edx;          // a new space
    raw_call(r);
    ++g_counts[AXO_SYS_THREAD_CONTROL];
    if (r.eax != AXO_ERR_NO_PRIVILEGE) fail("thread_control answered %u, not no-privilege", r.eax);
}

void fuzz_space_control() {
    axo_syscall_regs_t r = {AXO_SYS_SPACE_CONTROL,
                            hostile_thread(false),
                            g_random.below(4),
                            g_random.one_in(2) ? g_random.below(130) : g_random.next(),
                            0,
                            0,
                            0};
    raw_call(r);
    ++g_counts[AXO_SYS_SPACE_CONTROL];
    if (r.eax != AXO_ERR_NO_PRIVILEGE) fail("space_control answered %u, not no-privilege", r.eax);
}

void fuzz_schedule() {
    axo_thread_id_t dest = hostile_thread(false);
    const uint32_t priorities[] = {0, 1, 100, 255, 256, 0xFFFFFFFFu, 0x80000000u};
    const uint32_t slices[] = {0, 1, 999, 1000, 10000, 0xFFFFFFFFu};
    axo_syscall_regs_t r = {AXO_SYS_SCHEDULE,
                            dest,
                            g_random.one_in(2) ? g_random.pick(priorities) : g_random.next(),
                            g_random.one_in(2) ? g_random.pick(slices) : g_random.next(),
                            0,
                            0,
                            0};
    raw_call(r);
    ++g_counts[AXO_SYS_SCHEDULE];
    if (r.eax == AXO_OK) {
        ++g_ok_counts[AXO_SYS_SCHEDULE];
        // A process is nobody's scheduler: proc schedules every thread of a process.
        fail("schedule of %x succeeded for an unprivileged caller", dest);
    }
}

// Whether flushing `fpage` from this program's own mappings leaves it running: not where its
// image, data or stacks are (mm would answer the refaults, but takes the same page faulting
// again and again for a broken answer: interfaces/mm/protocol.h); the KIP and UTCB pages,
// which the kernel mapped and unmap leaves alone, and its scratch memory are fair game.
bool safe_to_flush_own(axo_fpage_t fpage) {
    if (fpage == AXO_FPAGE_NIL || axo_fpage_is_io(fpage)) return true;
    uint32_t log2 = axo_fpage_log2(fpage);
    if ((fpage & 0xC00u) != 0 || log2 < 12 || log2 > 32) return true; // malformed: refused
    uint64_t base = axo_fpage_base(fpage);
    uint64_t end = base + (uint64_t{1} << log2);
    auto within = [&](uint32_t first, uint32_t size) {
        return base >= first && end <= uint64_t{first} + size;
    };
    if (within(reinterpret_cast<uint32_t>(g_scratch), sizeof g_scratch)) return true;
    if (within(kip_address(), kPage) || within(utcb_page(), kPage)) return true;
    return end <= 0x00400000u || base >= 0xC0000000u;
}

void fuzz_unmap(axo_utcb_t* utcb) {
    uint32_t count = g_random.one_in(4) ? g_random.below(64) : g_random.below(4);
    bool flush_own = g_random.one_in(3);
    for (uint32_t i = 0; i <= count; ++i) {
        utcb->mr[i] = hostile_fpage(!flush_own);
        if (flush_own && !safe_to_flush_own(utcb->mr[i])) utcb->mr[i] = AXO_FPAGE_NIL;
    }
    uint32_t control = count | (flush_own ? AXO_UNMAP_FLUSH_OWN : 0);
    bool bad_control = g_random.one_in(16);
    if (bad_control) control |= 0x80u << g_random.below(24);
    axo_syscall_regs_t r = {AXO_SYS_UNMAP, control, g_random.next(), g_random.next(), 0, 0, 0};
    raw_call(r);
    ++g_counts[AXO_SYS_UNMAP];
    if (r.eax == AXO_OK) ++g_ok_counts[AXO_SYS_UNMAP];
    if (bad_control && r.eax != AXO_ERR_INVALID_PARAM)
        fail("unmap with control %x answered %u, not invalid-param", control, r.eax);
}

void fuzz_debug() {
    uint32_t op = g_random.below(6);
    uint32_t address = hostile_address();
    bool kernel = address >= 0xC0000000u;
    uint32_t length = g_random.one_in(2) ? g_random.below(5000) : g_random.next();
    if (op == AXO_DEBUG_WRITE && !kernel) length = 0; // never print this program's own bytes
    if (op == AXO_DEBUG_WRITE && kernel && length == 0) length = 1;
    // Counters written into its UTCB page land where no thread of it has its UTCB (slots 4..7
    // of the eight): the kernel may write there, it is user memory, but its own threads'
    // UTCBs (the self pointer %gs:0 reads) must stay.
    if ((address & ~(kPage - 1)) == utcb_page()) address = utcb_page() + 2048 + address % 2048;
    axo_syscall_regs_t r = {AXO_SYS_DEBUG, op, address, length, 0, 0, 0};
    if (op == AXO_DEBUG_SHUTDOWN) r.edx = g_random.below(3);
    bool writes_kip = (op == AXO_DEBUG_COUNTERS || op == AXO_DEBUG_OBJECTS) &&
                      (address & ~(kPage - 1)) == kip_address();
    raw_call(r);
    ++g_counts[AXO_SYS_DEBUG];
    if (r.eax == AXO_OK) ++g_ok_counts[AXO_SYS_DEBUG];
    if (op == AXO_DEBUG_SHUTDOWN && r.eax != AXO_ERR_NO_PRIVILEGE)
        fail("debug shutdown answered %u, not no-privilege", r.eax);
    if (op > AXO_DEBUG_OBJECTS && r.eax != AXO_ERR_INVALID_PARAM)
        fail("debug op %u answered %u, not invalid-param", op, r.eax);
    if (op != AXO_DEBUG_SHUTDOWN && (kernel || writes_kip) && length != 0 &&
        r.eax != AXO_ERR_INVALID_PARAM)
        fail("debug op %u on %x (kernel or KIP) answered %u", op, address, r.eax);
}

void fuzz_notify() {
    axo_thread_id_t target = hostile_thread(false);
    uint32_t bits = g_random.one_in(8) ? 0 : g_random.next();
    axo_syscall_regs_t r = {AXO_SYS_NOTIFY, target, bits, 0, 0, 0, 0};
    raw_call(r);
    ++g_counts[AXO_SYS_NOTIFY];
    if (r.eax == AXO_OK) ++g_ok_counts[AXO_SYS_NOTIFY];
    bool canary = target == g_canaries[0] || target == g_canaries[1];
    if (canary && r.eax == AXO_OK) fail("notify of canary %x succeeded without a grant", target);
    if (bits == 0 && r.eax == AXO_OK) fail("notify with no bits succeeded");
}

void fuzz_notify_control() {
    axo_thread_id_t target = hostile_thread(false);
    axo_syscall_regs_t r = {AXO_SYS_NOTIFY_CONTROL,
                            target,
                            hostile_thread(false),
                            g_random.one_in(4) ? 0 : g_random.next(),
                            0,
                            0,
                            0};
    raw_call(r);
    ++g_counts[AXO_SYS_NOTIFY_CONTROL];
    if (r.eax == AXO_OK) ++g_ok_counts[AXO_SYS_NOTIFY_CONTROL];
    if (is_foreign_live(target) && r.eax == AXO_OK)
        fail("notify_control on %x (another space) succeeded", target);
}

void fuzz_other() {
    uint32_t which = g_random.below(4);
    if (which == 0) {
        axo_syscall_regs_t r = {AXO_SYS_THREAD_SWITCH, hostile_thread(false), 0, 0, 0, 0, 0};
        raw_call(r);
        ++g_counts[AXO_SYS_THREAD_SWITCH];
        if (r.eax == AXO_OK) ++g_ok_counts[AXO_SYS_THREAD_SWITCH];
    } else if (which == 1) {
        axo_syscall_regs_t r = {
            AXO_SYS_KERNEL_INTERFACE, g_random.next(), g_random.next(), g_random.next(), 0, 0, 0};
        raw_call(r);
        ++g_counts[AXO_SYS_KERNEL_INTERFACE];
        if (r.eax != kip_address()) fail("kernel_interface said the KIP is at %x", r.eax);
    } else {
        // A number past the last system call, with anything in the other registers.
        uint32_t number = g_random.one_in(2) ? AXO_SYS_COUNT + g_random.below(8) : g_random.next();
        if (number < AXO_SYS_COUNT) number += AXO_SYS_COUNT;
        axo_syscall_regs_t r = {number,          g_random.next(), g_random.next(), g_random.next(),
                                g_random.next(), g_random.next(), g_random.next()};
        raw_call(r);
        ++g_counts[AXO_SYS_COUNT];
        if (r.eax != AXO_ERR_INVALID_SYSCALL) fail("system call %x answered %u", number, r.eax);
    }
}

void one_call(axo_utcb_t* utcb) {
    switch (g_random.below(12)) {
    case 0:
    case 1:
    case 2:
        fuzz_ipc(utcb);
        break;
    case 3:
        fuzz_exchange_registers();
        break;
    case 4:
        fuzz_thread_control();
        break;
    case 5:
        fuzz_space_control();
        break;
    case 6:
        fuzz_schedule();
        break;
    case 7:
    case 8:
        fuzz_unmap(utcb);
        break;
    case 9:
        fuzz_debug();
        break;
    case 10:
        g_random.one_in(2) ? fuzz_notify() : fuzz_notify_control();
        break;
    default:
        fuzz_other();
        break;
    }
}

// ---- The helper thread: a partner in this space, with hostile receive windows ---------------

void helper(void*) {
    Random random(g_seed ^ 0x5EEDu);
    axo_utcb_t* utcb = axo_my_utcb();
    for (;;) {
        switch (random.below(4)) {
        case 0:
            utcb->br[0] = axo_fpage(kip_address(), 12, AXO_FPAGE_RWX);
            break;
        case 1:
            utcb->br[0] = axo_fpage(utcb_page(), 12, AXO_FPAGE_RWX);
            break;
        case 2:
            utcb->br[0] = axo_fpage(0, 16, AXO_FPAGE_RWX);
            break;
        default:
            utcb->br[0] = axo_fpage(reinterpret_cast<uint32_t>(g_window), 16, AXO_FPAGE_RWX);
            break;
        }
        axo_ipc(AXO_NIL_THREAD, AXO_ANY_THREAD,
                axo_timeouts(AXO_TIMEOUT_NEVER, axo_timeout_us(2000)));
    }
}

// ---- Between batches ----------------------------------------------------------------------------

ipc::KernelTransport g_transport;

struct Snapshot {
    axo_kernel_objects_t kernel;
    proc::StatisticsReply proc;
    mm::StatisticsReply mm;
};

Snapshot snapshot() {
    Snapshot s{};
    if (axo_debug_objects(&s.kernel) != AXO_OK) fail("debug objects refused");
    if (proc::client::statistics(g_transport, g_proc, s.proc, axo_timeout_us(2000000)) !=
        ipc::Error::ok)
        fail("proc's statistics did not answer");
    if (ipc::call(g_pager, mm::StatisticsRequest{AXO_NIL_THREAD}, s.mm, axo_timeout_us(2000000)) !=
        ipc::Error::ok)
        fail("mm's statistics did not answer");
    return s;
}

// Kernel objects, proc's processes and threads, mm's data: what must come back once the
// batch's children are gone and the fuzzer's own mappings derived to its helper are revoked.
// The kernel's and mm's are asked a few times: a reaped child's space goes as proc deletes
// its thread, mm's frames when mm hears of it.
bool same_as(const Snapshot& base, Snapshot& now) {
    for (uint32_t attempt = 0; attempt < 50; ++attempt) {
        now = snapshot();
        if (now.kernel.threads == base.kernel.threads &&
            now.kernel.map_nodes == base.kernel.map_nodes &&
            now.kernel.heap_objects == base.kernel.heap_objects &&
            now.proc.processes == base.proc.processes && now.proc.threads == base.proc.threads &&
            now.mm.data_frames == base.mm.data_frames && now.mm.clients == base.mm.clients)
            return true;
        sleep_ms(10);
    }
    return false;
}

void print_snapshot(const char* what, const Snapshot& s) {
    rt::tap::diag(
        "%s: kernel threads %u, map nodes %u, heap objects %u (%u pages), free frames %u; "
        "processes %u, threads %u; mm data frames %u, clients %u",
        what, s.kernel.threads, s.kernel.map_nodes, s.kernel.heap_objects, s.kernel.heap_pages,
        s.kernel.free_frames, s.proc.processes, s.proc.threads, s.mm.data_frames, s.mm.clients);
}

// Puts this program's own mappings back as they were after the first batch, so that the
// kernel's mapping nodes can be compared: revokes what it derived from its own (into the
// helper's window), flushes the window itself (it never touches it: empty from now on) and
// its scratch memory, and touches every scratch page again (mm maps each back, the same
// frame). The scratch pages fault in turn, two different pages one after the other, so mm
// never takes one for a fault that repeats (interfaces/mm/protocol.h).
void reset_own_mappings() {
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[0] = AXO_FPAGE_COMPLETE;
    axo_unmap(0);
    utcb->mr[0] = axo_fpage(reinterpret_cast<uint32_t>(g_window), 16, AXO_FPAGE_RWX);
    utcb->mr[1] = axo_fpage(reinterpret_cast<uint32_t>(g_scratch), 16, AXO_FPAGE_RWX);
    axo_unmap(1 | AXO_UNMAP_FLUSH_OWN);
    for (uint32_t offset = 0; offset < sizeof g_scratch; offset += kPage)
        reinterpret_cast<volatile uint8_t*>(g_scratch)[offset] = static_cast<uint8_t>(offset >> 12);
}

bool canaries_intact(uint32_t rounds_before[kCanaries], uint32_t rounds_after[kCanaries]) {
    axo_utcb_t* utcb = axo_my_utcb();
    bool intact = true;
    for (uint32_t i = 0; i < kCanaries; ++i) {
        utcb->br[0] = AXO_FPAGE_NIL;
        utcb->mr[0] = axo_msg_tag(kCanaryCheckLabel, 0, 0);
        axo_msg_tag_t tag = axo_ipc_call(
            g_canaries[i], axo_timeouts(axo_timeout_us(2000000), axo_timeout_us(2000000)));
        if (axo_tag_failed(tag)) {
            fail("canary %x did not answer (ipc error %x)", g_canaries[i], utcb->error);
            intact = false;
            continue;
        }
        rounds_after[i] = utcb->mr[2];
        if (utcb->mr[1] != kCanaryIntact) {
            fail("canary %x: check %u failed", g_canaries[i], utcb->mr[1]);
            intact = false;
        }
        (void)rounds_before;
    }
    return intact;
}

// Attackers: children that must end by an exception.
uint32_t g_attack_faulted;
uint32_t g_attack_completed;
uint32_t g_attack_killed;
uint32_t g_vectors[32];

bool run_attackers(uint32_t first, uint32_t count) {
    bool good = true;
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t seed = g_seed * 1000003u + first + i;
        char words[24];
        rt_snprintf(words, sizeof words, "attack %u", seed);
        proc::SpawnReply child{};
        ipc::Error error = proc::client::spawn(g_transport, g_proc, "fuzz_syscalls", words, child,
                                               axo_timeout_us(2000000));
        if (error != ipc::Error::ok) {
            fail("spawn of attacker %u refused: %s", seed, ipc::error_name(error));
            return false;
        }
        proc::WaitReply ended{};
        error =
            proc::client::wait(g_transport, g_proc, child.pid, 0, ended, axo_timeout_us(1000000));
        if (error != ipc::Error::ok) {
            // An attack that left it running (a jump into its own code, say): end it.
            (void)proc::client::kill(g_transport, g_proc, static_cast<int32_t>(child.pid),
                                     proc::kSignalKill, axo_timeout_us(2000000));
            error = proc::client::wait(g_transport, g_proc, child.pid, 0, ended,
                                       axo_timeout_us(2000000));
            ++g_attack_killed;
            if (error != ipc::Error::ok) {
                fail("attacker %u (pid %u) could not be reaped: %s", seed, child.pid,
                     ipc::error_name(error));
                return false;
            }
            continue;
        }
        if (g_dead_count < 16)
            g_dead[g_dead_count++] = child.main_thread;
        else
            g_dead[seed % 16] = child.main_thread;
        if (ended.reason == proc::kExitFaulted) {
            ++g_attack_faulted;
            if (ended.status >= 0 && ended.status < 32) ++g_vectors[ended.status];
        } else if (ended.reason == proc::kExitNormal && ended.status == 0) {
            ++g_attack_completed;
        } else if (ended.reason == proc::kExitKilled) {
            ++g_attack_killed;
        } else {
            rt::tap::diag(
                "attacker seed %u ended: reason %u, status %d (a status of 10 or more: the "
                "attack got through, attack.cc)",
                seed, ended.reason, ended.status);
            fail("attacker %u got through: status %d", seed, ended.status);
            good = false;
        }
    }
    return good;
}

} // namespace

void run_syscall_fuzzer() {
    if (const char* text = argument("seed")) parse_number(text, g_seed);
    if (const char* text = argument("calls")) parse_number(text, g_calls);
    if (const char* text = argument("attacks")) parse_number(text, g_attacks);
    if (const char* text = argument("trace")) parse_number(text, g_trace_from);
    g_random = Random(g_seed);
    g_self = rt_my_id();
    g_proc = proc_thread();
    g_pager = pager_thread();
    g_sigma0 = rt_kip()->sigma0;
    rt_tap_begin();
    rt::tap::diag("fuzz-syscalls: seed %u, %u calls in %u batches, %u attackers (reproduce: the "
                  "module's arguments seed=%u calls=%u attacks=%u)",
                  g_seed, g_calls, kBatches, g_attacks, g_seed, g_calls, g_attacks);
    // Touch what the fuzzer maps and what the helper's window covers: faulted in once, so that
    // mm's counters are steady from the first batch on.
    memset(g_scratch, 0x5A, sizeof g_scratch);
    bool setup = rt_process_thread_start(&helper, nullptr, g_helper_stack + sizeof g_helper_stack,
                                         &g_helper) == 0;
    for (uint32_t i = 0; setup && i < kCanaries; ++i) {
        proc::SpawnReply child{};
        setup = proc::client::spawn(g_transport, g_proc, "fuzz_syscalls", "canary", child,
                                    axo_timeout_us(2000000)) == ipc::Error::ok;
        g_canaries[i] = child.main_thread;
    }
    rt::tap::check(setup, "a helper thread and %u canaries started", kCanaries);
    if (!setup) {
        rt_tap_end();
        exit(1);
    }
    uint32_t code = code_checksum();
    uint32_t rounds[kCanaries] = {};
    Snapshot base{};
    axo_utcb_t* utcb = axo_my_utcb();
    uint64_t started = rt_clock_us();
    uint32_t per_batch = g_calls / kBatches;
    for (uint32_t batch = 0; batch < kBatches && !g_failed; ++batch) {
        rt::tap::diag("batch %u: calls %llu..%llu of seed %u", batch,
                      static_cast<unsigned long long>(g_call_index),
                      static_cast<unsigned long long>(g_call_index + per_batch - 1), g_seed);
        for (uint32_t i = 0; i < per_batch && !g_failed; ++i, ++g_call_index)
            one_call(utcb);
        if (g_failed) {
            // A wrong answer may have broken anything (another space's thread, a server): end
            // now, with the seed and the call printed, instead of waiting on what it broke.
            rt::tap::check(
                false, "batch %u: every answer as the kernel owes an unprivileged caller", batch);
            break;
        }
        uint32_t first_attacker = batch * (g_attacks / kBatches);
        bool attackers = run_attackers(first_attacker, g_attacks / kBatches);
        reset_own_mappings();
        uint32_t now_rounds[kCanaries] = {};
        bool canaries = canaries_intact(rounds, now_rounds);
        bool own = code_checksum() == code && rt_kip()->magic == AXO_KIP_MAGIC &&
                   utcb->my_id == g_self && utcb->self == reinterpret_cast<uint32_t>(utcb);
        if (!own) fail("the fuzzer's own code, KIP or UTCB changed");
        bool steady = true;
        if (batch == 0) {
            sleep_ms(20);
            base = snapshot();
            print_snapshot("baseline after the first batch", base);
        } else {
            Snapshot now{};
            steady = same_as(base, now);
            if (!steady) {
                print_snapshot("baseline", base);
                print_snapshot("now", now);
                fail("kernel objects or servers' counters differ from the baseline after batch %u",
                     batch);
            }
        }
        rt::tap::check(!g_failed && attackers && canaries && own && steady,
                       "batch %u: %u calls, %u attackers, canaries intact, nothing leaked", batch,
                       per_batch, g_attacks / kBatches);
        for (uint32_t i = 0; i < kCanaries; ++i)
            rounds[i] = now_rounds[i];
    }
    uint64_t elapsed_ms = (rt_clock_us() - started) / 1000;
    rt::tap::diag("%llu calls in %llu ms of guest time",
                  static_cast<unsigned long long>(g_call_index),
                  static_cast<unsigned long long>(elapsed_ms));
    const char* names[] = {"ipc",
                           "thread_switch",
                           "schedule",
                           "exchange_registers",
                           "thread_control",
                           "space_control",
                           "unmap",
                           "kernel_interface",
                           "debug",
                           "notify",
                           "notify_control",
                           "invalid numbers"};
    for (uint32_t i = 0; i <= AXO_SYS_COUNT; ++i)
        rt::tap::diag("  %-18s %8u calls, %8u succeeded", names[i], g_counts[i], g_ok_counts[i]);
    rt::tap::diag("attackers: %u faulted, %u ended without a fault they aimed at, %u killed after "
                  "running on",
                  g_attack_faulted, g_attack_completed, g_attack_killed);
    for (uint32_t v = 0; v < 32; ++v)
        if (g_vectors[v] != 0) rt::tap::diag("  vector %u: %u", v, g_vectors[v]);
    bool all_calls = true;
    for (uint32_t i = 0; i <= AXO_SYS_COUNT; ++i)
        all_calls = all_calls && g_counts[i] > 0;
    rt::tap::check(all_calls && g_call_index >= g_calls - g_calls % kBatches,
                   "every system call was made (%llu calls)",
                   static_cast<unsigned long long>(g_call_index));
    rt::tap::check(g_attack_faulted > 0 &&
                       g_attack_faulted + g_attack_completed + g_attack_killed >=
                           g_attacks - g_attacks % kBatches,
                   "every attacker ended, %u of them by the exception aimed at", g_attack_faulted);
    if (g_failed) rt::tap::diag("seed %u failed: %s", g_seed, g_failure);
    rt_tap_end();
    exit(g_failed ? 1 : 0);
}

} // namespace fuzz
