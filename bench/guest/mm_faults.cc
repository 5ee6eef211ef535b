// axo_bench_mm: page faults through mm, measured in an ordinary process (proc starts it, mm is
// its pager, as for every program; bench.py boots σ0, proc, mm and this). It prints
//
//     BENCH pagefault.mm.anon <median> <unit>      first touch of an anonymous page: the
//                                                  store, the fault to mm, mm's zero fill
//                                                  and map reply, the retried store
//     BENCH pagefault.mm.external <median> <unit>  first touch of a page of an external
//                                                  object: mm forwards the fault to the
//                                                  object's pager (a second thread of this
//                                                  process, waiting in kMmPagerWait), which
//                                                  answers with a map item of a page of its
//                                                  own; mm maps it on; the store is retried
//     BENCH cr3.per_fault.mm.anon <n.nn> writes    CR3 writes per anonymous fault (mm in a
//                                                  large space: two, into mm and back)
//
// timed by bench/common/first_touch.h (Linux's baseline uses the same), less the same timing
// of a page already present. Arguments: `wall` (plain TCG: the unit is tsc-ticks),
// `rounds=N` (at most 1000), `warmup=N`. It ends the run through proc (on-exit=shutdown).
#include "rt/rt.h"

#include "bench/common/first_touch.h"
#include "interfaces/mm/protocol.h"
#include "interfaces/process/client.h"
#include "lib/ipc/kernel.h"
#include "lib/loader/layout.h"

namespace {

constexpr uint32_t kPage = 4096;
constexpr uint32_t kMaxRounds = 1000;
uint32_t g_rounds = kMaxRounds;
uint32_t g_warmup = 100;
const char* g_unit = "instructions";

uint32_t g_samples[kMaxRounds];

uint32_t median(uint32_t count) {
    for (uint32_t i = 1; i < count; ++i) {
        uint32_t v = g_samples[i], j = i;
        for (; j > 0 && g_samples[j - 1] > v; --j)
            g_samples[j] = g_samples[j - 1];
        g_samples[j] = v;
    }
    return count != 0 ? g_samples[count / 2] : 0;
}

uint32_t number(const char* text) {
    uint32_t n = 0;
    for (; *text >= '0' && *text <= '9'; ++text)
        n = n * 10 + static_cast<uint32_t>(*text - '0');
    return n;
}

void read_arguments() {
    loader::StartArguments args = loader::start_arguments(rt_entry_state.esp);
    for (uint32_t i = 1; i < args.argc; ++i) {
        const char* a = args.argv[i];
        if (strcmp(a, "wall") == 0) g_unit = "tsc-ticks";
        if (strncmp(a, "rounds=", 7) == 0 && number(a + 7) != 0)
            g_rounds = number(a + 7) < kMaxRounds ? number(a + 7) : kMaxRounds;
        if (strncmp(a, "warmup=", 7) == 0) g_warmup = number(a + 7);
    }
}

axo_thread_id_t mm_thread() {
    return axo_my_utcb()->pager;
}

axo_timeout_t timeout() {
    return axo_timeout_us(2000000);
}

[[noreturn]] void finish(int32_t status) {
    ipc::KernelTransport transport;
    (void)proc::client::exit(transport, rt_kip()->root_task, status);
    rt_park();
}

void fail(const char* name, const char* why) {
    rt_printf("BENCH-SKIP %s failed: %s\n", name, why);
}

// What a timed touch of a present page costs: the store and the rdtsc pair.
alignas(4096) volatile uint32_t g_present[kPage / 4];
uint32_t g_overhead;

void calibrate() {
    g_present[0] = 0;
    for (uint32_t i = 0; i < g_warmup + g_rounds; ++i) {
        uint32_t d = bench_first_touch(g_present);
        if (i >= g_warmup) g_samples[i - g_warmup] = d;
    }
    g_overhead = median(g_rounds);
    rt_printf("# timed touch of a present page: %u\n", g_overhead);
}

// Times the first touch of `pages` consecutive pages from `base` (warm-up first); with
// `cr3_name`, also reports the CR3 writes per timed fault (KIP counters around the timed
// rounds: the fault's switches into mm and back, and whatever else runs meanwhile).
void time_first_touches(const char* name, uint32_t base, const char* cr3_name = nullptr) {
    axo_counters_t before{}, after{};
    for (uint32_t i = 0; i < g_warmup + g_rounds; ++i) {
        if (i == g_warmup) axo_debug_counters(&before);
        auto* page = reinterpret_cast<volatile uint32_t*>(static_cast<uintptr_t>(base + i * kPage));
        uint32_t d = bench_first_touch(page);
        if (i >= g_warmup) g_samples[i - g_warmup] = d;
    }
    axo_debug_counters(&after);
    uint32_t m = median(g_rounds);
    rt_printf("BENCH %s %u %s\n", name, m > g_overhead ? m - g_overhead : 0, g_unit);
    if (cr3_name == nullptr) return;
    uint32_t hundredths =
        static_cast<uint32_t>(uint64_t{after.cr3_writes - before.cr3_writes} * 100 / g_rounds);
    rt_printf("BENCH %s %u.%02u writes\n", cr3_name, hundredths / 100, hundredths % 100);
}

uint32_t region(uint32_t pages, uint32_t kind, uint32_t object) {
    mm::RegionCreateReply reply{};
    ipc::Error error = ipc::call(mm_thread(),
                                 mm::RegionCreateRequest{AXO_NIL_THREAD, 0, pages * kPage,
                                                         AXO_FPAGE_R | AXO_FPAGE_W, kind, object, 0,
                                                         AXO_NIL_THREAD, 0},
                                 reply, timeout());
    return error == ipc::Error::ok ? reply.address : 0;
}

void anonymous() {
    uint32_t base = region(g_warmup + g_rounds, mm::kRegionAnonymous, 0);
    if (base == 0) return fail("pagefault.mm.anon", "no anonymous region");
    time_first_touches("pagefault.mm.anon", base, "cr3.per_fault.mm.anon");
}

// ---- the external pager: a second thread of this process ----------------------------------

alignas(4096) volatile uint32_t g_pager_page[kPage / 4];
alignas(16) uint8_t g_pager_stack[8192];
volatile uint32_t g_object; // the pager's object id once made; 0xFFFFFFFF: it failed
volatile axo_thread_id_t g_main;

// Makes an object, lets this process map it, then answers every forwarded fault with its one
// page (mapped writable: the client's store needs W), one kMmPagerWait per fault.
void pager(void*) {
    g_pager_page[0] = 0; // present before mm's first forward
    mm::ObjectCreateReply made{};
    ipc::Empty empty;
    if (ipc::call(mm_thread(), mm::ObjectCreateRequest{(g_warmup + g_rounds) * kPage, 1}, made,
                  timeout()) != ipc::Error::ok ||
        ipc::call(mm_thread(), mm::ObjectGrantRequest{made.object, g_main}, empty, timeout()) !=
            ipc::Error::ok) {
        g_object = 0xFFFFFFFFu;
        return;
    }
    g_object = made.object;
    axo_utcb_t* utcb = axo_my_utcb();
    uint32_t token = 0, send_base = 0;
    for (;;) {
        utcb->mr[0] = axo_msg_tag(mm::kMmPagerWait, 2, token != 0 ? 2 : 0);
        utcb->mr[1] = token;
        utcb->mr[2] = 0;
        utcb->mr[3] = axo_map_item_word0(send_base, 0);
        utcb->mr[4] = axo_fpage(static_cast<uint32_t>(reinterpret_cast<uintptr_t>(g_pager_page)),
                                12, AXO_FPAGE_R | AXO_FPAGE_W);
        axo_msg_tag_t tag =
            axo_ipc_call(mm_thread(), axo_timeouts(AXO_TIMEOUT_NEVER, AXO_TIMEOUT_NEVER));
        if (axo_tag_failed(tag) || axo_tag_label(tag) != 0 ||
            axo_tag_untyped(tag) != ipc::wire_words<mm::ExternalFault>) {
            token = 0;
            continue;
        }
        token = utcb->mr[1];
        send_base = utcb->mr[6];
    }
}

void external() {
    g_main = rt_my_id();
    axo_thread_id_t thread = AXO_NIL_THREAD;
    if (rt_process_thread_start(&pager, nullptr, g_pager_stack + sizeof g_pager_stack, &thread) !=
        0)
        return fail("pagefault.mm.external", "no pager thread");
    while (g_object == 0)
        axo_ipc_receive(rt_kip()->sigma0, axo_timeout_us(1000));
    if (g_object == 0xFFFFFFFFu) return fail("pagefault.mm.external", "no object");
    uint32_t base = region(g_warmup + g_rounds, mm::kRegionExternal, g_object);
    if (base == 0) return fail("pagefault.mm.external", "no external region");
    time_first_touches("pagefault.mm.external", base);
}

} // namespace

int main() {
    read_arguments();
    rt_printf("# axo_bench_mm: page faults through mm (%s)\n", g_unit);
    calibrate();
    anonymous();
    external();
    rt_printf("AXOLOTL: END OF TESTS\n");
    finish(0);
}
