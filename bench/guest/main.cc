// The Axolotl benchmark: a root task (boot module 1, σ0 is module 0) that measures IPC,
// system calls, page mappings and page faults with rdtsc, prints one line per result
//
//     BENCH <name> <value> <unit>            a measurement
//     BENCH-SKIP <name> <reason>             not measurable on this kernel, and why
//
// plus TAP for the bench-smoke test, and ends the run with debug_shutdown. README.md says
// what each result times, and how a one-way IPC is timed across two threads.
//
// Values are rdtsc deltas: under `-icount shift=0,sleep=off` guest instructions. Module
// arguments: `mode=wall` only changes the unit printed, to `tsc-ticks` (in a plain TCG run
// rdtsc reads the host's TSC, which bench.py converts to nanoseconds at the host's rate);
// `rounds=N` (default and most 1000) and `warmup=N` (default 100) per measurement.
#include <initializer_list>

#include "interfaces/sigma0/protocol.h"
#include "rt/rt.h"
#include "rt/tap.h"

extern "C" {
extern volatile uint32_t bench_t0, bench_t1, bench_t2, bench_t3;
extern volatile uint32_t bench_result_tag;
uint32_t bench_calibrate();
void bench_null_syscall();
void bench_call(axo_thread_id_t server, axo_msg_tag_t tag);
void bench_server_timed(void*);
void bench_server_plain(void*);
uint32_t bench_touch(const volatile uint32_t* address);
void bench_notify(axo_thread_id_t target, uint32_t bits);
void bench_notify_waiter(void*);
}

namespace {

// Rounds per measurement (module argument rounds=N, at most kMaxRounds) after warmup=N
// untimed ones: the medians are over g_rounds samples.
constexpr uint32_t kMaxRounds = 1000;
uint32_t g_rounds = kMaxRounds;
uint32_t g_warmup = 100;
constexpr uint32_t kPageSize = 4096;
// Pages mapped to / faulted in by the other space, one per sample: each is a first mapping.
// The fault timings come back in one message, so at most AXO_MR_COUNT - 1 of them.
constexpr uint32_t kMapPages = 48;
static_assert(kMapPages <= AXO_MR_COUNT - 1);

constexpr uint32_t kLabelRequest = 0x42;
constexpr uint32_t kLabelReady = 0x44;
constexpr uint32_t kLabelTimedReply = 0x43; // probes.S: TIMED_REPLY_TAG
constexpr uint32_t kShortWords = 2;         // MR1, MR2: the whole message travels in registers
constexpr uint32_t kLongWords = 8;
constexpr uint32_t kFullWords = AXO_MR_COUNT - 1; // all 64 message registers: the tag and 63 words

// How long the root task waits for a thread of the second space to report.
constexpr uint32_t kProbeTimeoutUs = 200000;

// ---- output ---------------------------------------------------------------------------------

bool g_wall;            // mode=wall: rdtsc is the host's TSC, not an instruction count
uint32_t g_calibration; // what a timed entry's own instructions add (probes.S)

const char* unit() {
    return g_wall ? "tsc-ticks" : "instructions";
}

void report(const char* name, uint32_t value) {
    rt_printf("BENCH %s %u %s\n", name, value, unit());
    rt_tap_check(value > 0, "%s", name);
}

// A ratio with two decimals (counter deltas per round trip).
void report_ratio(const char* name, uint32_t count, uint32_t rounds, const char* what) {
    uint32_t hundredths = static_cast<uint32_t>(uint64_t{count} * 100 / rounds);
    rt_printf("BENCH %s %u.%02u %s\n", name, hundredths / 100, hundredths % 100, what);
    rt_tap_check(true, "%s", name);
}

void skip(const char* name, const char* reason) {
    rt_printf("BENCH-SKIP %s %s\n", name, reason);
    rt_tap_skip(reason, "%s", name);
}

void failed(const char* name, const char* why) {
    rt_printf("BENCH-SKIP %s failed: %s\n", name, why);
    rt_tap_check(false, "%s", name);
    rt_tap_diag("%s: %s", name, why);
}

// ---- samples --------------------------------------------------------------------------------

struct Samples {
    uint32_t count = 0;
    uint32_t values[kMaxRounds];

    void clear() { count = 0; }
    void add(uint32_t delta) {
        if (count < kMaxRounds) values[count++] = delta - g_calibration;
    }
    // The median: a timer interrupt that lands inside a few samples moves the mean, not this.
    uint32_t median() {
        for (uint32_t i = 1; i < count; ++i) {
            uint32_t v = values[i], j = i;
            for (; j > 0 && values[j - 1] > v; --j)
                values[j] = values[j - 1];
            values[j] = v;
        }
        return count ? values[count / 2] : 0;
    }
};
Samples g_a, g_b;

void calibrate() {
    Samples& s = g_a;
    s.clear();
    g_calibration = 0;
    for (uint32_t i = 0; i < g_warmup + g_rounds; ++i) {
        uint32_t d = bench_calibrate();
        if (i >= g_warmup) s.add(d);
    }
    g_calibration = s.median();
    rt_tap_diag("timed entry overhead: %u", g_calibration);
}

// The value of `key=` among this program's module arguments (the root task is module 1),
// or nullptr.
const char* module_option(const char* key) {
    const axo_kip_t* kip = rt_kip();
    if (kip->module_count < 2) return nullptr;
    const char* line = kip->modules[1].cmdline;
    size_t length = strlen(key);
    for (const char* p = line; *p; ++p) {
        if ((p == line || p[-1] == ' ') && strncmp(p, key, length) == 0 && p[length] == '=')
            return p + length + 1;
    }
    return nullptr;
}

uint32_t number_option(const char* key, uint32_t fallback, uint32_t max) {
    const char* p = module_option(key);
    if (!p || *p < '0' || *p > '9') return fallback;
    uint32_t n = 0;
    for (; *p >= '0' && *p <= '9'; ++p)
        n = n * 10 + static_cast<uint32_t>(*p - '0');
    return n == 0 ? fallback : n < max ? n : max;
}

void read_options() {
    const char* mode = module_option("mode");
    g_wall = mode && strncmp(mode, "wall", 4) == 0;
    g_rounds = number_option("rounds", kMaxRounds, kMaxRounds);
    g_warmup = number_option("warmup", g_warmup, 100000);
}

// ---- threads --------------------------------------------------------------------------------

constexpr uint32_t kStackSize = 8192;
constexpr uint32_t kStacks = 16;
// Page-aligned and never reused: a thread of another space sees a private copy of its stack
// pages taken at its first touch (see "other address spaces"), so a stack must not have been
// touched there before its thread's start frame was written.
alignas(4096) uint8_t g_stacks[kStacks][kStackSize];
uint32_t g_next_stack;
uint32_t g_next_number = 40;
uint32_t g_next_utcb = 1;

axo_thread_id_t g_root;

axo_thread_id_t next_id() {
    return axo_thread_id(g_next_number++, 1);
}

void* as_arg(axo_thread_id_t id) {
    return reinterpret_cast<void*>(static_cast<uintptr_t>(id));
}
axo_thread_id_t id_arg(void* arg) {
    return static_cast<axo_thread_id_t>(reinterpret_cast<uintptr_t>(arg));
}

// Creates `id` (inactive) in `space` (a thread of that space, or `id` itself: a new space).
uint32_t create_thread(axo_thread_id_t id, axo_thread_id_t space, axo_thread_id_t pager,
                       uint32_t utcb) {
    if (utcb == 0) utcb = rt_utcb_slot(g_next_utcb++);
    return axo_thread_control(id, space, g_root, pager, utcb, pager);
}

uint32_t run_thread(axo_thread_id_t id, void (*fn)(void*), void* arg) {
    if (g_next_stack == kStacks) return AXO_ERR_NO_MEMORY;
    return rt_thread_run(id, fn, arg, g_stacks[g_next_stack++] + kStackSize);
}

// create_thread + run_thread with a fresh id. Returns nil on failure, after saying why.
axo_thread_id_t start_thread(axo_thread_id_t space, axo_thread_id_t pager, void (*fn)(void*),
                             void* arg, uint32_t utcb = 0) {
    axo_thread_id_t id = next_id();
    uint32_t error = create_thread(id, space == AXO_NIL_THREAD ? id : space, pager, utcb);
    if (error == AXO_OK) error = run_thread(id, fn, arg);
    if (error != AXO_OK) {
        rt_tap_diag("starting thread %u failed: error %u", axo_thread_number(id), error);
        return AXO_NIL_THREAD;
    }
    return id;
}

// ---- IPC between a client and two servers -------------------------------------------------------
//
// Runs in the root task, or in a client thread of another space that sends the results back.

void set_words(uint32_t count) {
    axo_utcb_t* utcb = axo_my_utcb();
    for (uint32_t i = 1; i <= count; ++i)
        utcb->mr[i] = 0x1000 * i + i;
}

// One call and its check: the reply must come back without an error, with `reply_label`.
bool call(axo_thread_id_t server, axo_msg_tag_t tag, uint32_t reply_label) {
    bench_call(server, tag);
    axo_msg_tag_t reply = bench_result_tag;
    return !axo_tag_failed(reply) && axo_tag_label(reply) == reply_label;
}

struct PairJob {
    axo_thread_id_t timed_server; // bench_server_timed, replying to the client
    axo_thread_id_t plain_server; // bench_server_plain
};

// Medians in rdtsc ticks, calibration subtracted; counter deltas over g_rounds round trips.
struct PairResult {
    uint32_t failed_at; // 0: all went well; else which measurement failed (1..3)
    uint32_t oneway, oneway_reply, roundtrip, words8, words64;
    uint32_t cr3_writes, segment_reloads;
};
constexpr uint32_t kPairWords = sizeof(PairResult) / sizeof(uint32_t);
constexpr uint32_t kClientSilent = 5; // failed_at: the client never reported

PairResult failure(uint32_t step) {
    PairResult r{};
    r.failed_at = step;
    return r;
}
static_assert(kPairWords <= AXO_MR_COUNT - 1);

PairResult measure_pair(const PairJob& job) {
    PairResult r{};
    axo_msg_tag_t short_tag = axo_msg_tag(kLabelRequest, kShortWords, 0);
    set_words(kShortWords);

    // One-way: bench_t0 (client, before its int) -> t1 (server, after its receive returned);
    // t2 (server, before its reply-and-wait int) -> bench_t3 (client, after its call).
    g_a.clear();
    g_b.clear();
    bool ok = true;
    for (uint32_t i = 0; i < g_warmup + g_rounds && ok; ++i) {
        ok = call(job.timed_server, short_tag, kLabelTimedReply);
        if (i >= g_warmup) {
            g_a.add(bench_t1 - bench_t0);
            g_b.add(bench_t3 - bench_t2);
        }
    }
    if (!ok) return failure(1);
    r.oneway = g_a.median();
    r.oneway_reply = g_b.median();

    // Round trip, against the smallest server loop (it echoes the request).
    g_a.clear();
    axo_counters_t before{}, after{};
    for (uint32_t i = 0; i < g_warmup + g_rounds && ok; ++i) {
        if (i == g_warmup) axo_debug_counters(&before);
        ok = call(job.plain_server, short_tag, kLabelRequest);
        if (i >= g_warmup) g_a.add(bench_t3 - bench_t0);
    }
    axo_debug_counters(&after);
    if (!ok) return failure(2);
    r.roundtrip = g_a.median();
    r.cr3_writes = after.cr3_writes - before.cr3_writes;
    r.segment_reloads = after.segment_reloads - before.segment_reloads;

    // Round trip with 8 untyped words each way: MR3..MR8 go through the UTCBs.
    axo_msg_tag_t long_tag = axo_msg_tag(kLabelRequest, kLongWords, 0);
    set_words(kLongWords);
    g_a.clear();
    for (uint32_t i = 0; i < g_warmup + g_rounds && ok; ++i) {
        ok = call(job.plain_server, long_tag, kLabelRequest);
        if (i >= g_warmup) g_a.add(bench_t3 - bench_t0);
    }
    if (!ok) return failure(3);
    r.words8 = g_a.median();

    // Round trip with every message register each way: MR3..MR63 go through the UTCBs.
    axo_msg_tag_t full_tag = axo_msg_tag(kLabelRequest, kFullWords, 0);
    set_words(kFullWords);
    g_a.clear();
    for (uint32_t i = 0; i < g_warmup + g_rounds && ok; ++i) {
        ok = call(job.plain_server, full_tag, kLabelRequest);
        if (i >= g_warmup) g_a.add(bench_t3 - bench_t0);
    }
    if (!ok) return failure(4);
    r.words64 = g_a.median();
    return r;
}

struct PairNames {
    const char* oneway;
    const char* oneway_reply;
    const char* roundtrip;
    const char* words8;
    const char* words64;
    const char* cr3;
};

void report_pair(const PairNames& names, const PairResult& r) {
    const char* steps[] = {"", "a call to the timed server failed",
                           "a call to the echo server failed", "an 8-word call failed",
                           "a 63-word call failed"};
    if (r.failed_at != 0) {
        const char* why =
            r.failed_at < kClientSilent ? steps[r.failed_at] : "the client did not report";
        for (const char* name : {names.oneway, names.oneway_reply, names.roundtrip, names.words8,
                                 names.words64, names.cr3})
            failed(name, why);
        return;
    }
    report(names.oneway, r.oneway);
    report(names.oneway_reply, r.oneway_reply);
    report(names.roundtrip, r.roundtrip);
    report(names.words8, r.words8);
    report(names.words64, r.words64);
    report_ratio(names.cr3, r.cr3_writes, g_rounds, "writes");
    rt_tap_diag("%s: %u segment reloads in %u round trips", names.roundtrip, r.segment_reloads,
                g_rounds);
}

// The root task as the client of two servers started in `space` (a thread of that space).
void root_pair(const PairNames& names, axo_thread_id_t space, axo_thread_id_t pager) {
    PairJob job{start_thread(space, pager, bench_server_timed, as_arg(g_root)),
                start_thread(space, pager, bench_server_plain, nullptr)};
    PairResult r = failure(kClientSilent);
    if (job.timed_server != AXO_NIL_THREAD && job.plain_server != AXO_NIL_THREAD)
        r = measure_pair(job);
    if (job.timed_server != AXO_NIL_THREAD) rt_thread_delete(job.timed_server);
    if (job.plain_server != AXO_NIL_THREAD) rt_thread_delete(job.plain_server);
    report_pair(names, r);
}

void null_syscall() {
    g_a.clear();
    for (uint32_t i = 0; i < g_warmup + g_rounds; ++i) {
        bench_null_syscall();
        if (i >= g_warmup) g_a.add(bench_t3 - bench_t0);
    }
    report("syscall.null", g_a.median());
}

// ---- notifications ------------------------------------------------------------------------------

// notify.wake: from the notify syscall's int to the first instruction of the thread it wakes,
// which waits for bits in a receive (bench_notify_waiter) at a priority above the root task's:
// made ready by the notify, it preempts the notifier on its way out of the kernel.
void notify_wake() {
    constexpr uint32_t kWaiterPriority = AXO_PRIORITY_DEFAULT + 10;
    axo_thread_id_t waiter = start_thread(g_root, AXO_NIL_THREAD, bench_notify_waiter, nullptr);
    uint32_t error = waiter == AXO_NIL_THREAD
                         ? uint32_t{AXO_ERR_INVALID_THREAD}
                         : axo_schedule(waiter, kWaiterPriority, 0, nullptr, nullptr);
    // Above us, it runs at once and waits in its receive before we go on.
    axo_thread_switch(waiter);
    bool ok = error == AXO_OK;
    g_a.clear();
    for (uint32_t i = 0; i < g_warmup + g_rounds && ok; ++i) {
        bench_t1 = 0;
        bench_notify(waiter, 1u << (i % 32));
        ok = bench_result_tag == AXO_OK && bench_t1 != 0;
        if (i >= g_warmup) g_a.add(bench_t1 - bench_t0);
    }
    if (waiter != AXO_NIL_THREAD) rt_thread_delete(waiter);
    if (!ok) {
        failed("notify.wake", "the waiter did not run right after the notify");
        return;
    }
    report("notify.wake", g_a.median());
}

// ---- other address spaces -----------------------------------------------------------------------
//
// Their threads run this program's code. Only memory from σ0 can be mapped (the kernel made
// the root task's image pages itself; they are in no mapping database), so the root task
// first asks σ0 for a pool of pages. The pager then answers a fault of another space
//   - inside the pool: with the pool page itself (the same physical page, at the same address);
//   - inside this program's image: with a pool page holding a copy of the root task's page at
//     that moment, mapped at the faulting address.
// So the other spaces run the same code on private copies of the data; what the sides must
// tell each other travels in messages (probes.S) and thread arguments. Every switch between
// them is a real address-space switch.

constexpr uint32_t kPoolBase = 0x20000000;
constexpr uint32_t kPoolLog2 = 20; // 256 pages
constexpr uint32_t kPoolPages = (1u << kPoolLog2) / kPageSize;
constexpr uint32_t kCopyPages = 96; // pool pages 0..95: image copies
constexpr uint32_t kMapBase = kPoolBase + kCopyPages * kPageSize;
constexpr uint32_t kFaultBase = kMapBase + kMapPages * kPageSize;
static_assert(kCopyPages + 2 * kMapPages <= kPoolPages);

extern "C" char _end[];                     // lib/rt/program.ld: the end of the image (.bss too)
constexpr uint32_t kImageBase = 0x00400000; // lib/rt/program.ld's RT_BASE

const char* g_pager_trouble; // why the pager left a fault unanswered, if it did
uint32_t g_copies;
axo_thread_id_t g_pager;

constexpr bool is_page_fault(axo_msg_tag_t tag) {
    return (axo_tag_label(tag) & ~uint32_t{AXO_FPAGE_RWX}) == AXO_LABEL_PAGE_FAULT;
}

// The pool page that resolves a fault at `page` of another space, or 0.
uint32_t resolve(uint32_t page) {
    if (page >= kPoolBase && page - kPoolBase < kPoolPages * kPageSize) return page;
    uint32_t image_end = reinterpret_cast<uint32_t>(_end);
    if (page < kImageBase || page >= image_end) return 0;
    if (g_copies == kCopyPages) return 0;
    uint32_t copy = kPoolBase + g_copies++ * kPageSize;
    memcpy(reinterpret_cast<void*>(copy), reinterpret_cast<void*>(page), kPageSize);
    return copy;
}

void pager(void*) {
    axo_utcb_t* utcb = axo_my_utcb();
    axo_thread_id_t from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
    for (;;) {
        axo_msg_tag_t tag = utcb->mr[0];
        if (axo_tag_failed(tag)) {
            // A reply that found its thread gone, or a failed receive: just wait again.
            from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
            continue;
        }
        uint32_t page = utcb->mr[1] & ~(kPageSize - 1);
        uint32_t source = is_page_fault(tag) ? resolve(page) : 0;
        if (source == 0) {
            g_pager_trouble = is_page_fault(tag) ? "another space faulted outside the program"
                                                 : "a thread of another space raised an exception";
            // No answer: the thread stays blocked until the root task deletes it.
            from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
            continue;
        }
        utcb->mr[0] = axo_msg_tag(0, 0, 2);
        utcb->mr[1] = axo_map_item_word0(page, 0);
        utcb->mr[2] = axo_fpage(source, 12, AXO_FPAGE_RWX);
        from = axo_ipc_reply_wait(from, AXO_TIMEOUT_NEVER);
    }
}

// Asks σ0 for the pool (at kPoolBase in the root task) and starts the pager. Returns why
// not, or nullptr.
const char* start_pager() {
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->br[0] = axo_fpage(kPoolBase, kPoolLog2, AXO_FPAGE_RWX);
    utcb->mr[0] = axo_msg_tag(sigma0::kSigma0AllocateAny, 1, 0);
    utcb->mr[1] = kPoolLog2;
    axo_msg_tag_t reply = axo_ipc_call(
        rt_kip()->sigma0, axo_timeouts(AXO_TIMEOUT_NEVER, axo_timeout_us(kProbeTimeoutUs)));
    utcb->br[0] = AXO_FPAGE_NIL;
    // The answer of a σ0 that serves memory: status OK, MR1 = physical base, one map item.
    if (axo_tag_failed(reply) || axo_tag_label(reply) != sigma0::kSigma0Ok ||
        axo_tag_untyped(reply) != 1 || axo_tag_typed(reply) != 2) {
        return "sigma0 hands out no memory yet, and only memory from sigma0 can be mapped "
               "into another space";
    }
    g_pager = start_thread(g_root, AXO_NIL_THREAD, pager, nullptr);
    return g_pager == AXO_NIL_THREAD ? "could not start the pager" : nullptr;
}

// The first thread of a space: proves that the space runs code, then stays as its anchor
// while servers come and go.
void anchor(void* root) {
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[0] = axo_msg_tag(kLabelReady, 0, 0);
    axo_ipc_send(id_arg(root), AXO_TIMEOUT_NEVER);
    rt_park();
}

// A new space with a running anchor thread (returned), small with `small_blocks` × 4 MiB if
// that is not 0; nil after setting *why.
axo_thread_id_t start_space(uint32_t small_blocks, uint32_t utcb, const char** why) {
    axo_thread_id_t a = next_id();
    uint32_t error = create_thread(a, a, g_pager, utcb);
    if (error != AXO_OK) {
        *why = "could not create a space";
        return AXO_NIL_THREAD;
    }
    if (small_blocks != 0) {
        error = axo_space_control(a, AXO_SPACE_SMALL, small_blocks, nullptr, nullptr);
        if (error != AXO_OK) {
            rt_thread_delete(a);
            *why = error == AXO_ERR_UNSUPPORTED
                       ? "small spaces are off (this CPU ignores segment limits): boot the kernel "
                         "with smallspaces=force to measure them"
                       : "space_control refused to make the space small";
            return AXO_NIL_THREAD;
        }
    }
    error = run_thread(a, anchor, as_arg(g_root));
    axo_thread_id_t from = AXO_NIL_THREAD;
    if (error == AXO_OK) from = axo_ipc_receive(a, axo_timeout_us(kProbeTimeoutUs));
    axo_msg_tag_t tag = axo_my_utcb()->mr[0];
    if (from == a && !axo_tag_failed(tag) && axo_tag_label(tag) == kLabelReady) return a;
    *why = g_pager_trouble ? g_pager_trouble : "the space's first thread never ran";
    rt_thread_delete(a);
    return AXO_NIL_THREAD;
}

// A timed server that accepts mappings anywhere (receive window BR0 = the whole space).
void map_server(void* client) {
    axo_my_utcb()->br[0] = AXO_FPAGE_COMPLETE;
    bench_server_timed(client);
}

// Touches each fault page once (each touch a page fault the pager resolves) and sends the
// timings to the root task.
void fault_thread(void* root) {
    uint32_t warm = 0;
    for (uint32_t i = 0; i < g_warmup; ++i)
        bench_touch(&warm); // every page the timed path touches is present before timing
    uint32_t samples[kMapPages];
    for (uint32_t i = 0; i < kMapPages; ++i) {
        bench_touch(reinterpret_cast<volatile uint32_t*>(kFaultBase + i * kPageSize));
        samples[i] = bench_t3 - bench_t0;
    }
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[0] = axo_msg_tag(kLabelReady, kMapPages, 0);
    memcpy(&utcb->mr[1], samples, sizeof samples);
    axo_ipc_send(id_arg(root), AXO_TIMEOUT_NEVER);
    rt_park();
}

void map_page_bench(axo_thread_id_t space) {
    const char* name = "ipc.map.page";
    axo_thread_id_t server = start_thread(space, g_pager, map_server, as_arg(g_root));
    if (server == AXO_NIL_THREAD) {
        failed(name, "could not start the server thread");
        return;
    }
    // Warm the path with untyped messages, then send one page mapping per call, each a page
    // the server's space does not have yet.
    bool ok = true;
    for (uint32_t i = 0; i < g_warmup && ok; ++i)
        ok = call(server, axo_msg_tag(kLabelRequest, 0, 0), kLabelTimedReply);
    g_a.clear();
    axo_utcb_t* utcb = axo_my_utcb();
    for (uint32_t i = 0; i < kMapPages && ok; ++i) {
        uint32_t page = kMapBase + i * kPageSize;
        utcb->mr[1] = axo_map_item_word0(page, 0);
        utcb->mr[2] = axo_fpage(page, 12, AXO_FPAGE_R | AXO_FPAGE_W);
        ok = call(server, axo_msg_tag(kLabelRequest, 0, 2), kLabelTimedReply);
        g_a.add(bench_t1 - bench_t0);
    }
    rt_thread_delete(server);
    if (!ok) {
        failed(name, "a call with a map item failed");
        return;
    }
    report(name, g_a.median());
}

void page_fault_bench(axo_thread_id_t space) {
    const char* name = "pagefault.roundtrip";
    axo_thread_id_t t = start_thread(space, g_pager, fault_thread, as_arg(g_root));
    if (t == AXO_NIL_THREAD) {
        failed(name, "could not start the faulting thread");
        return;
    }
    axo_thread_id_t from = axo_ipc_receive(t, axo_timeout_us(kProbeTimeoutUs));
    axo_msg_tag_t tag = axo_my_utcb()->mr[0];
    rt_thread_delete(t);
    if (from != t || axo_tag_failed(tag) || axo_tag_untyped(tag) != kMapPages) {
        failed(name, "the faulting thread did not finish");
        return;
    }
    g_a.clear();
    for (uint32_t i = 0; i < kMapPages; ++i)
        g_a.add(axo_my_utcb()->mr[1 + i]);
    report(name, g_a.median());
}

const PairNames kLarge = {
    "ipc.oneway.large",           "ipc.oneway.large.reply",      "ipc.roundtrip.large",
    "ipc.roundtrip.large.words8", "ipc.roundtrip.large.words64", "cr3.per_roundtrip.large"};
const PairNames kSmall = {
    "ipc.oneway.small",           "ipc.oneway.small.reply",      "ipc.roundtrip.small",
    "ipc.roundtrip.small.words8", "ipc.roundtrip.small.words64", "cr3.per_roundtrip.small"};

void skip_pair(const PairNames& names, const char* why) {
    for (const char* name : {names.oneway, names.oneway_reply, names.roundtrip, names.words8,
                             names.words64, names.cr3})
        skip(name, why);
}

// Two large spaces: the root task calls servers in a second one.
void large_suite(const char* pager_trouble) {
    const char* why = pager_trouble;
    axo_thread_id_t space = why ? AXO_NIL_THREAD : start_space(0, 0, &why);
    if (space == AXO_NIL_THREAD) {
        skip_pair(kLarge, why);
        skip("ipc.map.page", why);
        skip("pagefault.roundtrip", why);
        return;
    }
    root_pair(kLarge, space, g_pager);
    map_page_bench(space);
    page_fault_bench(space);
    rt_thread_delete(space);
}

// Two small spaces: a client in one calls servers in the other. A small space's addresses
// must all lie below its size: this program (at 4 MiB) and UTCBs at 7 MiB fit in 8 MiB.
constexpr uint32_t kSmallBlocks = 2;
constexpr uint32_t kSmallUtcbs = 0x00700000;
static_assert(kSmallUtcbs > kImageBase && kSmallUtcbs < kSmallBlocks * AXO_SMALL_BLOCK_SIZE);

PairJob g_small_job; // read by the client in its own copy, taken after it was written

void small_client(void* root) {
    PairResult r = measure_pair(g_small_job);
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[0] = axo_msg_tag(kLabelReady, kPairWords, 0);
    memcpy(&utcb->mr[1], &r, sizeof r);
    axo_ipc_send(id_arg(root), AXO_TIMEOUT_NEVER);
    rt_park();
}

void small_suite(const char* pager_trouble) {
    const char* why = pager_trouble;
    if (static_cast<uint32_t>(reinterpret_cast<uintptr_t>(_end)) > kSmallUtcbs)
        why = "the benchmark program is too large for its small spaces";
    uint32_t utcb = kSmallUtcbs;
    axo_thread_id_t client_space = why ? AXO_NIL_THREAD : start_space(kSmallBlocks, utcb, &why);
    utcb += AXO_UTCB_SIZE;
    axo_thread_id_t server_space =
        client_space == AXO_NIL_THREAD ? AXO_NIL_THREAD : start_space(kSmallBlocks, utcb, &why);
    utcb += AXO_UTCB_SIZE;
    if (server_space == AXO_NIL_THREAD) {
        if (client_space != AXO_NIL_THREAD) rt_thread_delete(client_space);
        skip_pair(kSmall, why);
        return;
    }

    axo_thread_id_t client = next_id();
    g_small_job = {
        start_thread(server_space, g_pager, bench_server_timed, as_arg(client), utcb),
        start_thread(server_space, g_pager, bench_server_plain, nullptr, utcb + AXO_UTCB_SIZE)};
    PairResult r = failure(kClientSilent);
    if (g_small_job.timed_server != AXO_NIL_THREAD && g_small_job.plain_server != AXO_NIL_THREAD &&
        create_thread(client, client_space, g_pager, utcb + 2 * AXO_UTCB_SIZE) == AXO_OK &&
        run_thread(client, small_client, as_arg(g_root)) == AXO_OK) {
        // Four times 1100 round trips: far less than a second, even under Bochs.
        axo_thread_id_t from = axo_ipc_receive(client, axo_timeout_us(10 * kProbeTimeoutUs));
        axo_msg_tag_t tag = axo_my_utcb()->mr[0];
        if (from == client && !axo_tag_failed(tag) && axo_tag_untyped(tag) == kPairWords)
            memcpy(&r, &axo_my_utcb()->mr[1], sizeof r);
        rt_thread_delete(client);
    }
    for (axo_thread_id_t t :
         {g_small_job.timed_server, g_small_job.plain_server, server_space, client_space})
        if (t != AXO_NIL_THREAD) rt_thread_delete(t);
    report_pair(kSmall, r);
}

} // namespace

int main() {
    g_root = rt_my_id();
    read_options();
    rt_tap_begin();
    rt_tap_diag("Axolotl benchmark (%s)",
                g_wall ? "wall: host TSC ticks" : "rdtsc deltas: instructions under -icount");
    calibrate();

    null_syscall();
    root_pair({"ipc.oneway.intra", "ipc.oneway.intra.reply", "ipc.roundtrip.intra",
               "ipc.roundtrip.intra.words8", "ipc.roundtrip.intra.words64",
               "cr3.per_roundtrip.intra"},
              g_root, AXO_NIL_THREAD);
    notify_wake();
    const char* pager_trouble = start_pager();
    large_suite(pager_trouble);
    small_suite(pager_trouble);

    rt_tap_end();
    axo_debug_shutdown(rt_tap_failures() ? 1 : 0);
    rt_park();
}
