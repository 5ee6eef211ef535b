// The IPC fast path's equivalence check (kernel/ipc_fastpath.h): every scenario runs twice,
// once shaped for the fast path and once, identical but for a send timeout (or a receive
// timeout) that is never armed or never fires, which the fast path leaves to the general path.
// Everything user space can observe must come out the same: the registers the kernel returns
// (all seven), the UTCB's message registers and error word on both sides, the KIP counters,
// who runs in which order. Run as the root task (boot module 1, σ0 module 0); prints TAP.
//
// It lives beside the benchmark because the benchmark's fast-path numbers rest on it; the
// kernel-ipc suite (tests/guest/kernel_ipc) covers IPC semantics as such.
#include <initializer_list>

#include "interfaces/sigma0/protocol.h"
#include "rt/rt.h"
#include "rt/tap.h"

extern "C" {
struct raw_ipc_t {
    uint32_t to, from, timeouts, mr0, mr1, mr2; // in
    uint32_t eax, esi, edi, ebp, ecx, edx, ebx; // out
};
void raw_ipc(raw_ipc_t* io); // raw_ipc.S
}

static raw_ipc_t make_ipc(uint32_t to, uint32_t from, uint32_t timeouts, uint32_t mr0, uint32_t mr1,
                          uint32_t mr2) {
    raw_ipc_t io = {};
    io.to = to;
    io.from = from;
    io.timeouts = timeouts;
    io.mr0 = mr0;
    io.mr1 = mr1;
    io.mr2 = mr2;
    return io;
}

namespace {

constexpr uint32_t kNever = AXO_TIMEOUT_NEVER;
constexpr uint32_t kZero = AXO_TIMEOUT_ZERO;
// Long enough never to fire while a scenario runs, even under Bochs.
constexpr uint32_t kLongUs = 10000000;
// Set by the sender; the receiver must see them cleared. Not AXO_TAG_FLAG_NOTIFY (0x1000): an
// ipc that notification bits may end is the general path's.
constexpr uint32_t kTagFlags = 0x6000;
constexpr uint32_t kLabelObservations = 0x0B5;
constexpr uint32_t kReportTimeoutUs = 2000000;

// ---- threads and their roles ---------------------------------------------------------------
//
// Thread ids differ between the two runs of a scenario; observations record roles instead.

constexpr uint32_t kMaxThreads = 6;
constexpr uint32_t kStackSize = 8192;
alignas(16) uint8_t g_stacks[kMaxThreads][kStackSize];
axo_thread_id_t g_root;
axo_thread_id_t g_threads[kMaxThreads]; // role i + 2 (role 1: the root task)
uint32_t g_thread_count;
uint32_t g_next_number = 40;
uint32_t g_next_utcb = 1;

uint32_t role(axo_thread_id_t id) {
    if (id == AXO_NIL_THREAD) return 0;
    if (id == g_root) return 1;
    for (uint32_t i = 0; i < g_thread_count; ++i)
        if (g_threads[i] == id) return i + 2;
    return 0xEEEE;
}

axo_thread_id_t start(void (*fn)(void*), uint32_t priority,
                      axo_thread_id_t pager = AXO_NIL_THREAD) {
    axo_thread_id_t id = axo_thread_id(g_next_number++, 1);
    uint32_t slot = g_thread_count;
    if (slot == kMaxThreads) return AXO_NIL_THREAD;
    g_threads[g_thread_count++] = id;
    uint32_t error = rt_thread_create(id, rt_utcb_slot(g_next_utcb++), AXO_NIL_THREAD);
    if (error == AXO_OK) error = axo_schedule(id, priority, 0, nullptr, nullptr);
    if (error == AXO_OK && pager != AXO_NIL_THREAD) {
        axo_exreg_t regs = {};
        regs.control = AXO_EXREG_SET_PAGER;
        regs.pager = pager;
        error = axo_exchange_registers(id, &regs);
    }
    if (error == AXO_OK) error = rt_thread_run(id, fn, nullptr, g_stacks[slot] + kStackSize);
    if (error != AXO_OK) rt_tap_diag("starting a thread failed: error %u", error);
    return id;
}

void cleanup() {
    for (uint32_t i = 0; i < g_thread_count; ++i)
        rt_thread_delete(g_threads[i]);
    g_thread_count = 0;
}

// Lets `id` run until it waits in a receive (it may have a lower priority than ours).
void until_receiving(axo_thread_id_t id) {
    for (uint32_t i = 0; i < 1000; ++i) {
        axo_exreg_t regs = {};
        if (axo_exchange_registers(id, &regs) == AXO_OK && (regs.control & AXO_STATE_RECEIVING))
            return;
        axo_thread_switch(id);
    }
    rt_tap_diag("thread %u never waited in a receive", axo_thread_number(id));
}

// A fresh time slice, so that no scenario is cut by its end.
void fresh_time_slice() {
    axo_thread_switch(AXO_NIL_THREAD);
}

// ---- observations ----------------------------------------------------------------------------

struct Record {
    static constexpr uint32_t kMax = 200; // a call: both sides' 64 message registers and more
    uint32_t values[kMax];
    uint32_t count = 0;
    void add(uint32_t v) {
        if (count < kMax) values[count++] = v;
    }
    void add_ipc(const raw_ipc_t& io) {
        add(role(io.eax));
        add(io.esi);
        add(io.edi);
        add(io.ebp);
        add(role(io.ecx));
        add(role(io.edx));
        add(io.ebx == io.timeouts); // the input that differs between the two runs
    }
    // The message registers the kernel may have written, and the error word.
    void add_utcb(uint32_t words) {
        axo_utcb_t* u = axo_my_utcb();
        for (uint32_t i = 0; i < words; ++i)
            add(u->mr[i]);
        add(u->error);
    }
    void add_counters(const axo_counters_t& before, const axo_counters_t& after) {
        add(after.syscalls - before.syscalls);
        add(after.ipcs - before.ipcs);
        add(after.context_switches - before.context_switches);
        add(after.space_switches - before.space_switches);
        add(after.cr3_writes - before.cr3_writes);
    }
};

// A thread's own observations travel to the root task as a message: its first 63 words
// (what the message shows is observed too: it is received by the IPC under test in
// reply_wait); the rest the root task reads from the record itself, in the same space, once
// the message told it that the thread is done.
Record g_thread_record; // written by one scenario thread at a time

void add_rest_of_thread_record(Record& r) {
    for (uint32_t i = AXO_MR_COUNT - 1; i < g_thread_record.count; ++i)
        r.add(g_thread_record.values[i]);
}

void send_observations(Record& r) {
    axo_utcb_t* u = axo_my_utcb();
    uint32_t n = r.count < AXO_MR_COUNT - 1 ? r.count : AXO_MR_COUNT - 1;
    u->mr[0] = axo_msg_tag(kLabelObservations, n, 0);
    for (uint32_t i = 0; i < n; ++i)
        u->mr[1 + i] = r.values[i];
    axo_ipc_send(g_root, AXO_TIMEOUT_NEVER);
}

void receive_observations(Record& r, axo_thread_id_t from) {
    axo_thread_id_t sender = axo_ipc_receive(from, axo_timeout_us(kReportTimeoutUs));
    axo_utcb_t* u = axo_my_utcb();
    r.add(role(sender));
    if (axo_tag_failed(u->mr[0]) || axo_tag_label(u->mr[0]) != kLabelObservations) {
        r.add(0xDEAD);
        return;
    }
    for (uint32_t i = 1; i <= axo_tag_untyped(u->mr[0]); ++i)
        r.add(u->mr[i]);
    add_rest_of_thread_record(r);
}

// Every message register and the error word: what the kernel does not write stays visible.
void fill_utcb(uint32_t pattern) {
    axo_utcb_t* u = axo_my_utcb();
    for (uint32_t i = 0; i < AXO_MR_COUNT; ++i)
        u->mr[i] = pattern + i;
    u->error = pattern + 0xEEE;
}

// ---- scenarios -------------------------------------------------------------------------------

struct Scenario {
    uint32_t words = 0;      // untyped words sent, 0..63 (MR3.. travel through the UTCBs)
    uint32_t priority = 100; // of the partner thread
    bool fast = true;        // shaped for the fast path, or for the general path
    bool fpu = false;        // both sides hold a value in the FPU across the IPC
    // The general path's shape is AXO_TAG_FLAG_NOTIFY with no bit pending (all accepted)
    // instead of a send timeout: waiting for bits costs the call nothing else.
    bool notify = false;
    // Map item scenarios: the receiver has the page already (the general path replaces or
    // keeps a mapping), or its receive window accepts nothing.
    bool premapped = false;
    bool window_closed = false;
};
Scenario g_now; // the scenario running: its threads read it (same address space)

// The rdtsc ticks of the IPC under test, from just before the sender's raw_ipc to just after
// the receiver's returned, outside the compared observations (they differ by design): under
// QEMU -icount (the ipc-fastpath test) and Bochs, rdtsc advances with the instructions
// executed, so a run the fast path took costs hundreds fewer than its general twin — the
// proof that the fast path, not the general path twice, was compared.
uint32_t g_sent_at, g_received_at;

uint32_t rdtsc_low() {
    uint32_t low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return low;
}

// The FPU: a value kept in st(0) across an IPC must come back, whoever used the FPU meanwhile
// (lazy switching: the kernel sets CR0.TS for a thread that does not own the FPU).
void fpu_push(uint32_t value) {
    asm volatile("fildl %0" ::"m"(value));
}
uint32_t fpu_pop() {
    uint32_t value;
    asm volatile("fistpl %0" : "=m"(value));
    return value;
}

// A server: one open receive, one send-only reply (u = 1), then it reports.
void call_server(void*) {
    Record& r = g_thread_record;
    r.count = 0;
    fill_utcb(0xA0A00000);
    raw_ipc_t io = make_ipc(AXO_NIL_THREAD, AXO_ANY_THREAD, kNever, 0x5EED, 0x5EED1, 0x5EED2);
    raw_ipc(&io);
    g_received_at = rdtsc_low();
    r.add_ipc(io);
    r.add_utcb(AXO_MR_COUNT); // what was copied, and that nothing beyond MRu was
    if (g_now.fpu) {
        fpu_push(0x5E5E); // the FPU moves to the server
        r.add(fpu_pop());
    }
    fill_utcb(0xA1A10000);
    raw_ipc_t reply = make_ipc(io.eax, AXO_NIL_THREAD, axo_timeouts(kZero, kNever),
                               axo_msg_tag(0x77, 1, 0), 0xCAFE, 0xBEEF);
    raw_ipc(&reply);
    r.add_ipc(reply);
    r.add_utcb(3);
    send_observations(r);
}

// The root task calls a waiting server.
void call(Record& r) {
    axo_thread_id_t server = start(call_server, g_now.priority);
    until_receiving(server);
    fresh_time_slice();
    fill_utcb(0xB0B00000);
    uint32_t timeouts = g_now.fast || g_now.notify ? axo_timeouts(kNever, kNever)
                                                   : axo_timeouts(axo_timeout_us(kLongUs), kNever);
    uint32_t notify_flag = !g_now.fast && g_now.notify ? AXO_TAG_FLAG_NOTIFY : 0;
    axo_my_utcb()->notify_mask = ~0u;
    raw_ipc_t io =
        make_ipc(server, server, timeouts,
                 axo_msg_tag(0x42, g_now.words, 0) | kTagFlags | notify_flag, 0x1111, 0x2222);
    axo_counters_t before, after;
    if (g_now.fpu) fpu_push(0xF00D); // we own the FPU (and CR0.TS is clear) when we call
    axo_debug_counters(&before);
    g_sent_at = rdtsc_low();
    raw_ipc(&io);
    axo_debug_counters(&after);
    if (g_now.fpu) r.add(fpu_pop());
    r.add_ipc(io);
    r.add_utcb(AXO_MR_COUNT);
    r.add_counters(before, after);
    receive_observations(r, server);
    cleanup();
}

// A client: one call to the root task, then it reports.
void reply_client(void*) {
    Record& r = g_thread_record;
    r.count = 0;
    fill_utcb(0xC0C00000);
    raw_ipc_t io = make_ipc(g_root, g_root, kNever, axo_msg_tag(0x55, 2, 0), 0x3333, 0x4444);
    raw_ipc(&io);
    g_received_at = rdtsc_low(); // the root task's reply-and-wait, under test
    r.add_ipc(io);
    r.add_utcb(AXO_MR_COUNT);
    send_observations(r);
}

// The root task receives a call and answers it with reply-and-wait; its wait ends with the
// client's report.
void reply_wait(Record& r) {
    axo_thread_id_t client = start(reply_client, g_now.priority);
    fresh_time_slice();
    fill_utcb(0xD0D00000);
    raw_ipc_t first = make_ipc(AXO_NIL_THREAD, AXO_ANY_THREAD, kNever, 0, 0, 0);
    raw_ipc(&first);
    r.add_ipc(first);
    r.add_utcb(4);
    fill_utcb(0xD1D10000);
    uint32_t timeouts =
        g_now.fast ? axo_timeouts(kZero, kNever) : axo_timeouts(kZero, axo_timeout_us(kLongUs));
    axo_my_utcb()->mr[3] = 0x3333; // MR3 of a three-word message
    raw_ipc_t io = make_ipc(client, AXO_ANY_THREAD, timeouts,
                            axo_msg_tag(0x66, g_now.words, 0) | kTagFlags, 0x5555, 0x6666);
    axo_counters_t before, after;
    axo_debug_counters(&before);
    g_sent_at = rdtsc_low();
    raw_ipc(&io);
    axo_debug_counters(&after);
    r.add_ipc(io);
    r.add_utcb(AXO_MR_COUNT); // the client's report, received by the IPC under test
    r.add_counters(before, after);
    add_rest_of_thread_record(r);
    cleanup();
}

// Abort and deletion: the root task's call is taken, then its receive phase ends by
// exchange_registers (abort) or by the deletion of the server.
bool g_delete; // else abort
axo_thread_id_t g_victim_server;

void silent_server(void*) {
    raw_ipc_t io = make_ipc(AXO_NIL_THREAD, AXO_ANY_THREAD, kNever, 0, 0, 0);
    raw_ipc(&io);
    axo_utcb_t* u = axo_my_utcb();
    u->mr[0] = axo_msg_tag(1, 0, 0);
    axo_ipc_send(g_threads[1], AXO_TIMEOUT_NEVER); // tells the interrupter; never replies
    rt_park();
}

void interrupter(void*) {
    Record& r = g_thread_record;
    r.count = 0;
    axo_ipc_receive(g_victim_server, AXO_TIMEOUT_NEVER);
    if (g_delete) {
        r.add(rt_thread_delete(g_victim_server));
    } else {
        axo_exreg_t regs = {};
        regs.control = AXO_EXREG_ABORT_RECEIVE;
        r.add(axo_exchange_registers(g_root, &regs));
        r.add(regs.control); // the root task's state before the abort
    }
    send_observations(r);
}

void interrupted_call(Record& r) {
    g_victim_server = start(silent_server, 120);
    axo_thread_id_t x = start(interrupter, 110);
    fresh_time_slice();
    fill_utcb(0xE0E00000);
    uint32_t timeouts =
        g_now.fast ? axo_timeouts(kNever, kNever) : axo_timeouts(axo_timeout_us(kLongUs), kNever);
    raw_ipc_t io = make_ipc(g_victim_server, g_victim_server, timeouts,
                            axo_msg_tag(0x42, g_now.words, 0), 0x7777, 0x8888);
    raw_ipc(&io);
    r.add_ipc(io);
    r.add_utcb(4);
    receive_observations(r, x);
    g_threads[0] = g_delete ? AXO_NIL_THREAD : g_threads[0]; // deleted already
    cleanup();
}

// Who runs first: a call to a lower-priority server while a thread of our own priority is
// ready must run that thread first, then the server.
uint32_t g_order[8];
uint32_t g_order_count;

void log_order(uint32_t who) {
    if (g_order_count < 8) g_order[g_order_count++] = who;
}

void order_server(void*) {
    raw_ipc_t io = make_ipc(AXO_NIL_THREAD, AXO_ANY_THREAD, kNever, 0, 0, 0);
    raw_ipc(&io);
    log_order(2);
    raw_ipc_t reply = make_ipc(io.eax, AXO_NIL_THREAD, axo_timeouts(kZero, kNever), 0, 0, 0);
    raw_ipc(&reply);
    rt_park();
}

void peer(void*) {
    log_order(3);
    rt_park();
}

void order(Record& r) {
    g_order_count = 0;
    axo_thread_id_t server = start(order_server, g_now.priority);
    until_receiving(server);
    start(peer, 100); // ready, behind us: we keep the CPU until we block
    uint32_t timeouts =
        g_now.fast ? axo_timeouts(kNever, kNever) : axo_timeouts(axo_timeout_us(kLongUs), kNever);
    raw_ipc_t io = make_ipc(server, server, timeouts, axo_msg_tag(0x42, g_now.words, 0), 0, 0);
    raw_ipc(&io);
    log_order(1);
    r.add_ipc(io);
    for (uint32_t i = 0; i < g_order_count; ++i)
        r.add(g_order[i]);
    r.add(g_order_count);
    cleanup();
}

// A server waiting with a receive timeout: the call must disarm it, so that it never fires
// later, into the server's next receive.
void timed_server(void*) {
    Record& r = g_thread_record;
    r.count = 0;
    raw_ipc_t io = make_ipc(AXO_NIL_THREAD, AXO_ANY_THREAD,
                            axo_timeouts(kNever, axo_timeout_us(200000)), 0, 0, 0);
    raw_ipc(&io);
    r.add_ipc(io);
    raw_ipc_t reply = make_ipc(io.eax, AXO_NIL_THREAD, axo_timeouts(kZero, kNever), 0, 0, 0);
    raw_ipc(&reply);
    raw_ipc_t next = make_ipc(AXO_NIL_THREAD, g_root, kNever, 0, 0, 0); // outlives the old timeout
    raw_ipc(&next);
    r.add_ipc(next);
    r.add_utcb(1);
    send_observations(r);
}

void disarm(Record& r) {
    axo_thread_id_t server = start(timed_server, 110);
    fresh_time_slice();
    uint32_t timeouts =
        g_now.fast ? axo_timeouts(kNever, kNever) : axo_timeouts(axo_timeout_us(kLongUs), kNever);
    raw_ipc_t io = make_ipc(server, server, timeouts, axo_msg_tag(0x42, 0, 0), 0, 0);
    raw_ipc(&io);
    r.add_ipc(io);
    // Sleep past the server's old deadline (a receive from σ0, which never sends unasked).
    axo_ipc_receive(rt_kip()->sigma0, axo_timeout_us(400000));
    axo_my_utcb()->mr[0] = axo_msg_tag(0x99, 0, 0);
    axo_ipc_send(server, axo_timeout_us(kReportTimeoutUs));
    receive_observations(r, server);
    cleanup();
}

// One map item of one page (t = 2, u = 0): the fast path maps it itself when the page lands
// in the receiver's window where nothing is mapped yet, and leaves every other case to the
// general path. Memory from σ0 (the root task's image is in no mapping database): a pool in
// the root task; the receiver is a thread of the same space with a receive window elsewhere,
// and each run ends by revoking what was mapped from the pool, so that both runs of a
// scenario start from the same mappings.
constexpr uint32_t kPoolBase = 0x30000000;
constexpr uint32_t kPoolLog2 = 14;
constexpr uint32_t kWindowBase = 0x34000000;
constexpr uint32_t kWindowLog2 = 22;
constexpr uint32_t kMapHotspot = kWindowBase + 0x5000; // where the page lands in the window
constexpr uint32_t kPageMagic = 0x9A6E0001;
bool g_have_pool;
uint32_t g_seen; // the word the receiver read through the new mapping

const char* get_pool() {
    axo_utcb_t* u = axo_my_utcb();
    u->br[0] = axo_fpage(kPoolBase, kPoolLog2, AXO_FPAGE_RWX);
    u->mr[0] = axo_msg_tag(sigma0::kSigma0AllocateAny, 1, 0);
    u->mr[1] = kPoolLog2;
    axo_msg_tag_t reply =
        axo_ipc_call(rt_kip()->sigma0, axo_timeouts(AXO_TIMEOUT_NEVER, axo_timeout_us(kLongUs)));
    u->br[0] = AXO_FPAGE_NIL;
    if (axo_tag_failed(reply) || axo_tag_label(reply) != sigma0::kSigma0Ok ||
        axo_tag_typed(reply) != 2) {
        return "sigma0 gave no memory";
    }
    *reinterpret_cast<volatile uint32_t*>(kPoolBase) = kPageMagic;
    g_have_pool = true;
    return nullptr;
}

uint32_t one_page_item_word0() {
    return axo_map_item_word0(kMapHotspot, 0);
}
uint32_t one_page_item_fpage() {
    return axo_fpage(kPoolBase, 12, AXO_FPAGE_R | AXO_FPAGE_W);
}

// Everything mapped from the pool's first page goes (the pool page itself stays).
void revoke_pool_page() {
    axo_my_utcb()->mr[0] = axo_fpage(kPoolBase, 12, AXO_FPAGE_RWX);
    axo_unmap(0);
}

void map_server(void*) {
    Record& r = g_thread_record;
    r.count = 0;
    axo_utcb_t* u = axo_my_utcb();
    u->br[0] =
        g_now.window_closed ? AXO_FPAGE_NIL : axo_fpage(kWindowBase, kWindowLog2, AXO_FPAGE_RWX);
    if (g_now.premapped) {
        raw_ipc_t first = make_ipc(AXO_NIL_THREAD, AXO_ANY_THREAD, kNever, 0, 0, 0);
        raw_ipc(&first);
        raw_ipc_t ack = make_ipc(first.eax, AXO_NIL_THREAD, axo_timeouts(kZero, kNever),
                                 axo_msg_tag(0x78, 0, 0), 0, 0);
        raw_ipc(&ack);
    }
    fill_utcb(0xA2A20000);
    raw_ipc_t io = make_ipc(AXO_NIL_THREAD, AXO_ANY_THREAD, kNever, 0x5EED, 0x5EED1, 0x5EED2);
    raw_ipc(&io);
    g_received_at = rdtsc_low();
    r.add_ipc(io);
    r.add_utcb(AXO_MR_COUNT);
    g_seen = g_now.window_closed ? 0 : *reinterpret_cast<volatile uint32_t*>(kMapHotspot);
    r.add(g_seen);
    fill_utcb(0xA3A30000);
    raw_ipc_t reply = make_ipc(io.eax, AXO_NIL_THREAD, axo_timeouts(kZero, kNever),
                               axo_msg_tag(0x77, 1, 0), 0xCAFE, 0xBEEF);
    raw_ipc(&reply);
    r.add_ipc(reply);
    r.add_utcb(3);
    send_observations(r);
}

// The root task calls a waiting server with one map item.
void map_call(Record& r) {
    g_seen = 0;
    axo_thread_id_t server = start(map_server, g_now.priority);
    until_receiving(server);
    if (g_now.premapped) {
        // The same item once before, in both runs alike: the page is there already.
        raw_ipc_t first = make_ipc(server, server, kNever, axo_msg_tag(0x41, 0, 2),
                                   one_page_item_word0(), one_page_item_fpage());
        raw_ipc(&first);
        until_receiving(server);
    }
    fresh_time_slice();
    fill_utcb(0xB1B10000);
    uint32_t timeouts =
        g_now.fast ? axo_timeouts(kNever, kNever) : axo_timeouts(axo_timeout_us(kLongUs), kNever);
    raw_ipc_t io = make_ipc(server, server, timeouts, axo_msg_tag(0x42, 0, 2) | kTagFlags,
                            one_page_item_word0(), one_page_item_fpage());
    axo_counters_t before, after;
    axo_debug_counters(&before);
    g_sent_at = rdtsc_low();
    raw_ipc(&io);
    axo_debug_counters(&after);
    r.add_ipc(io);
    r.add_utcb(AXO_MR_COUNT);
    r.add_counters(before, after);
    receive_observations(r, server);
    revoke_pool_page();
    cleanup();
}

// A page fault of a thread whose pager is the root task, and the pager's reply-and-wait with
// one map item, which is under test. The fault is no system call: a pager that waits for it
// without a timeout is handed the CPU directly (ipc::kernel_call), one whose receive timeout
// is armed (the general twin) through perform().
void faulter(void*) {
    Record& r = g_thread_record;
    r.count = 0;
    fill_utcb(0xC2C20000);
    g_seen = *reinterpret_cast<volatile uint32_t*>(kMapHotspot); // faults: the pager maps it
    g_received_at = rdtsc_low();
    r.add(g_seen);
    r.add_utcb(AXO_MR_COUNT); // the fault's IPC leaves the thread's own registers as they were
    send_observations(r);
}

void fault_reply(Record& r) {
    g_seen = 0;
    start(faulter, g_now.priority, g_root);
    fresh_time_slice();
    fill_utcb(0xD2D20000);
    raw_ipc_t fault =
        make_ipc(AXO_NIL_THREAD, AXO_ANY_THREAD,
                 g_now.fast ? kNever : axo_timeouts(kNever, axo_timeout_us(kLongUs)), 0, 0, 0);
    raw_ipc(&fault);
    r.add_ipc(fault);
    r.add_utcb(3); // the fault message: address and access, eip
    fill_utcb(0xD3D30000);
    uint32_t timeouts =
        g_now.fast ? axo_timeouts(kZero, kNever) : axo_timeouts(kZero, axo_timeout_us(kLongUs));
    raw_ipc_t io = make_ipc(fault.eax, AXO_ANY_THREAD, timeouts, axo_msg_tag(0, 0, 2) | kTagFlags,
                            axo_map_item_word0(kMapHotspot, 0), one_page_item_fpage());
    axo_counters_t before, after;
    axo_debug_counters(&before);
    g_sent_at = rdtsc_low();
    raw_ipc(&io);
    axo_debug_counters(&after);
    r.add_ipc(io);
    r.add_utcb(AXO_MR_COUNT); // the faulter's report, received by the IPC under test
    r.add_counters(before, after);
    add_rest_of_thread_record(r);
    revoke_pool_page();
    cleanup();
}

// ---- the comparison ----------------------------------------------------------------------------

Record g_fast, g_slow;
uint32_t g_fast_ticks, g_slow_ticks;

void compare(const char* name, void (*scenario)(Record&), Scenario s) {
    g_now = s;
    g_now.fast = true;
    g_fast.count = 0;
    g_sent_at = g_received_at = 0;
    scenario(g_fast);
    g_fast_ticks = g_received_at - g_sent_at;
    g_now.fast = false;
    g_slow.count = 0;
    g_sent_at = g_received_at = 0;
    scenario(g_slow);
    g_slow_ticks = g_received_at - g_sent_at;
    bool same = g_fast.count == g_slow.count;
    for (uint32_t i = 0; same && i < g_fast.count; ++i) {
        if (g_fast.values[i] != g_slow.values[i]) {
            rt_tap_diag("%s: observation %u: fast path %x, general path %x", name, i,
                        g_fast.values[i], g_slow.values[i]);
            same = false;
        }
    }
    if (g_fast.count != g_slow.count)
        rt_tap_diag("%s: %u observations vs %u", name, g_fast.count, g_slow.count);
    rt_tap_check(same, "%s (%u words, partner priority %u): fast path = general path", name,
                 s.words, s.priority);
}

} // namespace

// Message lengths: all in registers (0..2), the shortest through the UTCBs (3), the first
// copied by rep movsl (4), around powers of two, and every message register (63 words).
constexpr uint32_t kLengths[] = {0, 1, 2, 3, 4, 8, 15, 16, 31, 32, 63};

// The general path costs several hundred instructions more than the fast path for one IPC
// (bench/RESULTS.md: 1475 against 225 for an 8-word round trip); this is less than half of
// that, and the timed stretch is too short for a timer tick to land in it but rarely.
constexpr uint32_t kGeneralPathExtra = 200;

// A partner of the caller's priority or higher is taken by the fast path at every length
// (a lower one is not: the caller, still queued, outranks it).
void check_fast_path_taken(const char* name, uint32_t words) {
    rt_tap_check(g_fast_ticks + kGeneralPathExtra < g_slow_ticks,
                 "%s (%u words): the fast path took it (%u ticks, general path %u)", name, words,
                 g_fast_ticks, g_slow_ticks);
}

int main() {
    g_root = rt_my_id();
    rt_tap_begin();
    for (uint32_t words : kLengths) {
        for (uint32_t priority : {90u, 100u, 110u})
            compare("call", call, {words, priority, true});
        check_fast_path_taken("call to a partner of higher priority", words);
    }
    for (uint32_t words : kLengths) {
        for (uint32_t priority : {90u, 100u, 110u})
            compare("reply-and-wait", reply_wait, {words, priority, true});
        check_fast_path_taken("reply-and-wait to a partner of higher priority", words);
    }
    for (uint32_t priority : {100u, 110u})
        compare("call, both sides using the FPU", call, {2, priority, true, true});
    compare("call, both sides using the FPU", call, {AXO_MR_COUNT - 1, 110, true, true});
    rt_tap_check(g_fast.count > 2 && g_fast.values[0] == 0xF00D,
                 "the caller's FPU value survived the server's use of the FPU");
    for (uint32_t priority : {90u, 110u})
        compare("call accepting notification bits, none pending", call,
                {2, priority, true, false, true});
    g_delete = false;
    compare("call, receive aborted", interrupted_call, {1, 120, true});
    rt_tap_check(g_fast.count > 0 && g_fast.values[0] == 0 && axo_tag_failed(g_fast.values[1]) &&
                     g_fast.values[7 + 4] == ((AXO_IPC_CANCELLED << 1) | AXO_IPC_PHASE_RECEIVE),
                 "the aborted call failed with cancelled in the receive phase");
    g_delete = true;
    compare("call, server deleted", interrupted_call, {2, 120, true});
    rt_tap_check(g_fast.count > 0 &&
                     g_fast.values[7 + 4] == ((AXO_IPC_NO_PARTNER << 1) | AXO_IPC_PHASE_RECEIVE),
                 "the call to a deleted server failed with no partner in the receive phase");
    compare("call with a ready peer", order, {0, 90, true});
    rt_tap_check(g_fast.count >= 11 && g_fast.values[7] == 3 && g_fast.values[8] == 2 &&
                     g_fast.values[9] == 1,
                 "the ready peer of our priority ran before the lower-priority server");
    compare("call with a ready peer", order, {0, 110, true});
    compare("call with a ready peer", order, {AXO_MR_COUNT - 1, 90, true});
    compare("call with a ready peer", order, {AXO_MR_COUNT - 1, 110, true});
    const char* no_pool = get_pool();
    for (uint32_t priority : {90u, 100u, 110u}) {
        if (no_pool) break;
        compare("call with one map item", map_call, {0, priority, true});
        rt_tap_check(g_seen == kPageMagic,
                     "call with one map item (partner priority %u): the "
                     "receiver reads the page through the new mapping",
                     priority);
    }
    if (!no_pool) {
        check_fast_path_taken("call with one map item to a partner of higher priority", 0);
        Scenario premapped{0, 110, true};
        premapped.premapped = true;
        compare("call with one map item the receiver has already", map_call, premapped);
        Scenario closed{0, 110, true};
        closed.window_closed = true;
        compare("call with one map item outside the receiver's window", map_call, closed);
        for (uint32_t priority : {90u, 100u, 110u}) {
            compare("page-fault reply with one map item", fault_reply, {0, priority, true});
            rt_tap_check(g_seen == kPageMagic,
                         "page-fault reply (faulter priority %u): the "
                         "faulting load read the mapped page",
                         priority);
        }
        check_fast_path_taken("page-fault reply to a faulter of higher priority", 0);
    }
    rt_tap_check(!no_pool, "a pool page from sigma0 for the map item scenarios%s%s",
                 no_pool ? ": " : "", no_pool ? no_pool : "");
    compare("call to a server with a receive timeout", disarm, {0, 110, true});
    rt_tap_check(g_fast.count >= 16 && g_fast.values[7 + 1 + 0] == 1 &&
                     !axo_tag_failed(g_fast.values[7 + 1 + 1 + 7]),
                 "the server's old receive timeout never fired");
    rt_tap_end();
    axo_debug_shutdown(rt_tap_failures() ? 1 : 0);
    rt_park();
}
