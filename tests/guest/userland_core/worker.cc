// worker MODE ...: the parts of the userland-core test that need mm as the pager (README.md).
// One program with modes, not one per mode: boot modules are few (the KIP takes 24).
//
//   worker threads        31 more threads (proc's kProcThreadCreate, lib/rt's
//                         rt_process_thread_start) count in shared memory and touch pages of
//                         their own; a 32nd is refused (no_space). Exit 0, else the failed
//                         step's number.
//   worker threads-crash  a second thread writes through a null pointer while the first
//                         waits: the whole process ends (faulted, 14).
//   worker fork           kProcFork: copy-on-write copy of this process (16 written pages),
//                         the child checks it sees them, writes are private both ways, each
//                         write copies exactly one frame (mm's counters). Exit 0, else a step.
//   worker quota          anonymous regions from mm until no_space; still runs; gives back.
//   worker stack          recursion 7.5 MiB deep on its stack, which grows on demand to 8 MiB.
//   worker measure        prints what page faults cost (TSC cycles per fault, access included):
//                         zero fill (anonymous), image pages (read-only data: mm asks proc's
//                         image pager, copies), and a remap of a page mm has (after taking W away).
//   worker pager NAME [MS] a test pager: registers NAME and serves mm's forwarded faults
//                         (kMmPagerWait) with two pages of its own memory (from mm), each
//                         answer MS milliseconds late if given; kFlush revokes one (unmap)
//                         and changes its contents; kQuit ends it.
//   worker client NAME    the client of that pager: an external region backed by it, read,
//                         flushed by the pager, read again (refetched through a new fault).
//   worker steal N        names proc's image pager as the pager of external regions of its
//                         own (interfaces/process/protocol.h, kImagePagerThread): reads its own
//                         stack-top page (its arguments: must match) and spinner's image, then
//                         the stack-top page of the spinner process with thread number N —
//                         which the image pager refuses, so the read ends this process
//                         (faulted, 14). Exit 4 if it got the page.
//   worker restartable-pager NAME   as `pager NAME`, forever (what module `rpager` runs, which
//                         proc restarts when it ends); word 1 of its pages is its pid.
//   worker rebound NAME   the client of that pager: maps its pages (an object whose pager is
//                         its thread), kills it, and reads on: the object was rebound to the
//                         restarted instance, whose pid the pages now hold. Exit 0, else a step.
//   worker read NAME      reads page 0 of an external region of pager NAME: exit 0 with the
//                         pager's contents (faulted 14 if mm refuses the fault).
//   worker selfpager      names its own thread as the pager of a region and reads it: mm
//                         refuses the fault after its timeout (faulted, 14); nobody waits.
//   worker steady         a bystander: spins on one code page and checks, now and then, a
//                         checksum of its code and read-only data (mm's kept copies, shared
//                         with every worker) and a pattern in its data; runs until killed.
//                         Exit 2 (code changed) or 3 (data changed).
//   worker shake SEED     hostile to its own image and stack: 64 random (seeded) protects,
//                         writes, unmaps and anonymous remaps of its own image and stack
//                         pages (a quarter of them the page `worker steady` spins on), then exit 0
//                         — or an earlier end at vector 14 when it takes its own running code or
//                         stack away. Another worker must not notice.
//
//   worker arguments ...  checks that its arguments and environment are arguments.h's 128 KiB
//                         pattern, byte for byte: exit 0, else 10 + the first wrong string's
//                         number (1-based; 139: wrong counts).
//   worker exec-arguments exec of `worker arguments` with that pattern (kProcExecBlock): the
//                         new image checks it as above. Exit 50 + the error if exec returns.
//
//   worker identity | events | signals   proc's identity, event stream and signals: identity.cc.
//
// Every exit status names the step that failed (0: all good); the driver checks them.
#include "arguments.h"
#include "identity.h"
#include "lib/loader/loader.h"
#include "lib/names/names.h"
#include "program.h"

namespace {

using program::exit;

constexpr uint32_t kPage = 4096;
constexpr uint32_t kTimeoutUs = 2000000;

axo_timeout_t timeout() {
    return axo_timeout_us(kTimeoutUs);
}

bool equal(const char* a, const char* b) {
    return strcmp(a, b) == 0;
}

void sleep_ms(uint32_t ms) {
    axo_ipc_receive(rt_kip()->sigma0, axo_timeout_us(ms * 1000));
}

mm::StatisticsReply mm_stats() {
    return program::mm_statistics();
}

// ---- threads --------------------------------------------------------------------------------

constexpr uint32_t kThreads = 31; // with the first: 32, proc's limit (kExtraThreads + 1)
constexpr uint32_t kIncrements = 1000;
alignas(16) uint8_t g_stacks[kThreads][8192];
alignas(4096) volatile uint32_t g_own_pages[kThreads][kPage / 4]; // .bss: one page per thread
volatile uint32_t g_count;
volatile uint32_t g_done;

void counter(void* arg) {
    uint32_t index = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(arg));
    for (uint32_t i = 0; i < kIncrements; ++i)
        __atomic_fetch_add(&g_count, 1u, __ATOMIC_SEQ_CST);
    g_own_pages[index][0] = 0x7EAD0000u + index; // a fault of this thread, served by mm
    __atomic_fetch_add(&g_done, 1u, __ATOMIC_SEQ_CST);
}

void crasher(void*) {
    *reinterpret_cast<volatile uint32_t*>(static_cast<uintptr_t>(0)) = 1;
}

[[noreturn]] void threads_mode(bool crash) {
    if (crash) {
        axo_thread_id_t id;
        if (rt_process_thread_start(&crasher, nullptr, g_stacks[0] + sizeof g_stacks[0], &id) != 0)
            exit(1);
        // The crash ends the whole process, this thread too.
        for (uint32_t i = 0; i < 200; ++i)
            sleep_ms(10);
        exit(2);
    }
    axo_thread_id_t ids[kThreads] = {};
    for (uint32_t i = 0; i < kThreads; ++i) {
        uint32_t error = rt_process_thread_start(&counter, reinterpret_cast<void*>(uintptr_t{i}),
                                                 g_stacks[i] + sizeof g_stacks[i], &ids[i]);
        if (error != 0) {
            rt_printf("worker: thread %u refused: %s\n", i,
                      ipc::error_name(static_cast<ipc::Error>(error)));
            exit(1);
        }
    }
    axo_thread_id_t extra;
    uint32_t refused = rt_process_thread_start(&counter, nullptr, g_stacks[0], &extra);
    if (refused != static_cast<uint32_t>(ipc::Error::no_space)) exit(2);
    for (uint32_t i = 0; i < 400 && g_done < kThreads; ++i)
        sleep_ms(5);
    if (g_done != kThreads) exit(3);
    if (g_count != kThreads * kIncrements) exit(4);
    for (uint32_t i = 0; i < kThreads; ++i)
        if (g_own_pages[i][0] != 0x7EAD0000u + i) exit(5);
    rt_printf("# worker: %u more threads of one process counted to %u (thread ids %u, %u, .., "
              "%u)\n",
              kThreads, g_count, axo_thread_number(ids[0]), axo_thread_number(ids[1]),
              axo_thread_number(ids[kThreads - 1]));
    exit(0);
}

// ---- fork -----------------------------------------------------------------------------------

constexpr uint32_t kForkPages = 16;
alignas(4096) volatile uint8_t g_buffer[kForkPages][kPage];
alignas(16) uint8_t g_child_stack[16384];
axo_thread_id_t g_parent;
constexpr uint32_t kReady = 0x7701, kWrote = 0x7702;

bool all(uint32_t page, uint8_t value) {
    for (uint32_t i = 0; i < kPage; i += 512)
        if (g_buffer[page][i] != value) return false;
    return true;
}

// Sends `label` with `word` to the parent and waits for its answer (label 0: go on).
bool tell_parent(uint32_t label, uint32_t word) {
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[0] = axo_msg_tag(label, 1, 0);
    utcb->mr[1] = word;
    axo_msg_tag_t tag = axo_ipc_call(g_parent, axo_timeouts(timeout(), timeout()));
    return !axo_tag_failed(tag) && axo_tag_label(tag) == 0;
}

// The child: starts here on its own copy of g_child_stack.
[[noreturn]] void child_main() {
    uint32_t sees = 1;
    for (uint32_t page = 0; page < kForkPages; ++page)
        sees &= all(page, 'P') ? 1 : 0;
    if (!tell_parent(kReady, sees)) exit(20);
    // The parent measured; now one write of ours: exactly one frame copied.
    mm::StatisticsReply before = mm_stats();
    g_buffer[3][0] = 'C';
    mm::StatisticsReply after = mm_stats();
    uint32_t one_copy =
        after.cow_copies == before.cow_copies + 1 && after.data_frames == before.data_frames + 1
            ? 1
            : 0;
    rt_printf("# worker (child): a write copied %u frame(s) (%u copy-on-write copies)\n",
              after.data_frames - before.data_frames, after.cow_copies - before.cow_copies);
    if (!tell_parent(kWrote, one_copy | (g_buffer[3][0] == 'C' ? 2 : 0))) exit(21);
    // The parent wrote page 5 meanwhile: not in our copy.
    exit(g_buffer[5][0] == 'P' ? 0 : 22);
}

// Receives the child's message `label`; its word in *word; false on timeout or a wrong label.
bool from_child(axo_thread_id_t child, uint32_t label, uint32_t* word) {
    axo_utcb_t* utcb = axo_my_utcb();
    axo_ipc_receive(child, timeout());
    axo_msg_tag_t tag = utcb->mr[0];
    if (axo_tag_failed(tag) || axo_tag_label(tag) != label || axo_tag_untyped(tag) != 1)
        return false;
    *word = utcb->mr[1];
    return true;
}

void answer_child(axo_thread_id_t child) {
    axo_my_utcb()->mr[0] = axo_msg_tag(0, 0, 0);
    axo_ipc_send(child, timeout());
}

[[noreturn]] void fork_mode() {
    for (uint32_t page = 0; page < kForkPages; ++page)
        for (uint32_t i = 0; i < kPage; i += 512)
            g_buffer[page][i] = 'P';
    g_parent = rt_my_id();
    mm::StatisticsReply before = mm_stats();
    uint32_t sp = (reinterpret_cast<uintptr_t>(g_child_stack + sizeof g_child_stack) & ~15u) - 20;
    proc::SpawnReply child{};
    ipc::Error error = ipc::call(
        program::proc_thread(),
        proc::ForkRequest{static_cast<uint32_t>(reinterpret_cast<uintptr_t>(&child_main)), sp},
        child, timeout());
    if (error != ipc::Error::ok) {
        rt_printf("worker: fork failed: %s\n", ipc::error_name(error));
        exit(10);
    }
    uint32_t word = 0;
    if (!from_child(child.main_thread, kReady, &word)) exit(11);
    if (word != 1) exit(12); // the child did not see the 16 pages
    // The child has read all 16 pages and run a little; the pages are shared, not copied:
    // only stack and data pages either of us wrote since the fork are new frames.
    mm::StatisticsReply shared = mm_stats();
    uint32_t grown = shared.data_frames - before.data_frames;
    rt_printf("# worker: after fork and the child's reads of %u pages: %u data frames more "
              "(%u copy-on-write copies: stacks and variables), %u resident in the parent\n",
              kForkPages, grown, shared.cow_copies - before.cow_copies, shared.resident);
    if (grown >= kForkPages / 2) exit(13);
    answer_child(child.main_thread);
    if (!from_child(child.main_thread, kWrote, &word)) exit(14);
    if ((word & 1) == 0) exit(15);       // the child's write did not copy exactly one frame
    if ((word & 2) == 0) exit(16);       // the child did not see its own write
    if (g_buffer[3][0] != 'P') exit(17); // the child's write is visible here
    mm::StatisticsReply ours = mm_stats();
    g_buffer[5][0] = 'Q';
    mm::StatisticsReply after = mm_stats();
    rt_printf("# worker: the parent's write copied %u frame(s)\n",
              after.data_frames - ours.data_frames);
    if (after.cow_copies != ours.cow_copies + 1 || after.data_frames != ours.data_frames + 1)
        exit(18);
    answer_child(child.main_thread);
    proc::WaitReply ended{};
    error = ipc::call(program::proc_thread(), proc::WaitRequest{child.pid, 0}, ended, timeout());
    if (error != ipc::Error::ok || ended.reason != proc::kExitNormal) exit(19);
    exit(ended.status); // 0, or the child's step
}

// ---- quota ----------------------------------------------------------------------------------

[[noreturn]] void quota_mode() {
    // 4 MiB each: the quota is 64 MiB (servers/proc/paging.h), so it ends within 24.
    constexpr uint32_t kRegion = 4u << 20;
    constexpr uint32_t kMaxRegions = 24;
    uint32_t addresses[kMaxRegions] = {};
    uint32_t count = 0;
    ipc::Error last = ipc::Error::ok;
    while (count < kMaxRegions) {
        mm::RegionCreateReply reply{};
        last =
            ipc::call(program::pager_thread(),
                      mm::RegionCreateRequest{AXO_NIL_THREAD, 0, kRegion, AXO_FPAGE_R | AXO_FPAGE_W,
                                              mm::kRegionAnonymous, 0, 0, AXO_NIL_THREAD, 0},
                      reply, timeout());
        if (last != ipc::Error::ok) break;
        addresses[count++] = reply.address;
        *reinterpret_cast<volatile uint32_t*>(static_cast<uintptr_t>(reply.address)) = count;
    }
    mm::StatisticsReply s = mm_stats();
    rt_printf("# worker: %u regions of 4 MiB, then %s; %u of %u pages committed\n", count,
              ipc::error_name(last), s.committed, s.quota);
    if (last != ipc::Error::no_space) exit(1);
    if (s.committed > s.quota) exit(2);
    // It runs on, with what it has.
    for (uint32_t i = 0; i < count; ++i)
        if (*reinterpret_cast<volatile uint32_t*>(static_cast<uintptr_t>(addresses[i])) != i + 1)
            exit(3);
    ipc::Empty empty;
    for (uint32_t i = 0; i < count; ++i)
        if (ipc::call(program::pager_thread(),
                      mm::UnmapRequest{AXO_NIL_THREAD, addresses[i], kRegion}, empty,
                      timeout()) != ipc::Error::ok)
            exit(4);
    mm::RegionCreateReply again{};
    if (ipc::call(program::pager_thread(),
                  mm::RegionCreateRequest{AXO_NIL_THREAD, 0, kRegion, AXO_FPAGE_R | AXO_FPAGE_W,
                                          mm::kRegionAnonymous, 0, 0, AXO_NIL_THREAD, 0},
                  again, timeout()) != ipc::Error::ok)
        exit(5);
    exit(0);
}

// ---- stack ---------------------------------------------------------------------------------

// Each level keeps a page of its own on the stack and writes it, so every page is touched.
uint32_t deep(uint32_t levels) {
    volatile uint8_t page[kPage - 64];
    page[0] = static_cast<uint8_t>(levels);
    page[sizeof page - 1] = static_cast<uint8_t>(levels);
    if (levels == 0) return page[0];
    return deep(levels - 1) + page[sizeof page - 1] - static_cast<uint8_t>(levels) + 1;
}

[[noreturn]] void stack_mode() {
    constexpr uint32_t kLevels = (15u << 19) / kPage; // 7.5 MiB of pages
    uint32_t sp = 0;
    asm volatile("movl %%esp, %0" : "=r"(sp));
    mm::StatisticsReply before = mm_stats();
    uint32_t result = deep(kLevels);
    mm::StatisticsReply after = mm_stats();
    rt_printf("# worker: %u levels of recursion, one page each, from esp %08x down: %u pages "
              "resident more\n",
              kLevels, sp, after.resident - before.resident);
    exit(result == kLevels ? 0 : 1);
}

// ---- measure ------------------------------------------------------------------------------

constexpr uint32_t kMeasurePages = 32;
// Image pages nobody touched before (lib/rt's crt0 clears .bss, so .bss pages are all touched
// at the start): read-only data in the file.
alignas(4096) const uint8_t g_image_pages[kMeasurePages][kPage] = {{1}};

inline uint64_t tsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return uint64_t{hi} << 32 | lo;
}

[[noreturn]] void measure_mode() {
    mm::RegionCreateReply region{};
    if (ipc::call(program::pager_thread(),
                  mm::RegionCreateRequest{AXO_NIL_THREAD, 0, kMeasurePages * kPage,
                                          AXO_FPAGE_R | AXO_FPAGE_W, mm::kRegionAnonymous, 0, 0,
                                          AXO_NIL_THREAD, 0},
                  region, timeout()) != ipc::Error::ok)
        exit(1);
    auto at = [&](uint32_t page) {
        return reinterpret_cast<volatile uint8_t*>(
            static_cast<uintptr_t>(region.address + page * kPage));
    };
    mm::StatisticsReply s0 = mm_stats();
    uint64_t t0 = tsc();
    for (uint32_t page = 0; page < kMeasurePages; ++page)
        *at(page) = 1;
    uint64_t t1 = tsc();
    uint32_t sum = 0;
    for (uint32_t page = 0; page < kMeasurePages; ++page)
        sum += *static_cast<const volatile uint8_t*>(&g_image_pages[page][0]);
    uint64_t t2 = tsc();
    mm::StatisticsReply s1 = mm_stats();
    // Read-only, then writable again: each page's next write is a fault mm answers with the
    // frame it has (a remap).
    ipc::Empty empty;
    if (ipc::call(
            program::pager_thread(),
            mm::ProtectRequest{AXO_NIL_THREAD, region.address, kMeasurePages * kPage, AXO_FPAGE_R},
            empty, timeout()) != ipc::Error::ok ||
        ipc::call(program::pager_thread(),
                  mm::ProtectRequest{AXO_NIL_THREAD, region.address, kMeasurePages * kPage,
                                     AXO_FPAGE_R | AXO_FPAGE_W},
                  empty, timeout()) != ipc::Error::ok)
        exit(2);
    uint64_t t3 = tsc();
    for (uint32_t page = 0; page < kMeasurePages; ++page)
        *at(page) = 2;
    uint64_t t4 = tsc();
    uint64_t t5 = tsc();
    for (uint32_t page = 0; page < kMeasurePages; ++page)
        *at(page) = 3; // no fault: the access alone
    uint64_t t6 = tsc();
    rt_printf("# worker: page fault costs, TSC cycles per page over %u pages (access %u): zero "
              "fill %u, image page (mm -> proc's image pager -> mm, copied) %u, remap %u; "
              "%u zero fills, %u forwards\n",
              kMeasurePages, static_cast<uint32_t>((t6 - t5) / kMeasurePages),
              static_cast<uint32_t>((t1 - t0) / kMeasurePages),
              static_cast<uint32_t>((t2 - t1) / kMeasurePages),
              static_cast<uint32_t>((t4 - t3) / kMeasurePages), s1.zero_fills - s0.zero_fills,
              s1.forwards - s0.forwards);
    if (s1.zero_fills - s0.zero_fills < kMeasurePages || s1.forwards - s0.forwards < kMeasurePages)
        exit(3);
    if (sum != 1) exit(4);
    exit(0);
}

// ---- the pager stack: pager and client ----------------------------------------------------

constexpr uint32_t kFlush = 0x7710, kQuit = 0x7711;
constexpr uint32_t kPagerPages = 2;
alignas(4096) volatile uint32_t g_pager_pages[kPagerPages][kPage / 4];

constexpr uint32_t pattern(uint32_t generation, uint32_t page) {
    return 0x9A6E0000u | generation << 8 | page;
}

void fill(uint32_t page, uint32_t generation) {
    for (uint32_t i = 0; i < kPage / 4; i += 64)
        g_pager_pages[page][i] = pattern(generation, page);
}

// One thread serves both mm and its own clients' requests: it waits for mm's faults in
// kMmPagerWait calls (each answering the previous fault) of 10 ms, and for requests in
// receives of 10 ms between them. A fault mm offered while the thread was not waiting goes to
// its next wait.
[[noreturn]] void pager_mode(const char* name, uint32_t delay_ms, bool forever = false) {
    uint32_t generation[kPagerPages] = {1, 1};
    for (uint32_t page = 0; page < kPagerPages; ++page)
        fill(page, generation[page]);
    // Word 1 of each page names this instance (its pid): a client can tell a restarted pager.
    proc::IdentifyReply me{};
    ipc::KernelTransport transport;
    (void)proc::client::identify(transport, program::proc_thread(), AXO_NIL_THREAD, me, timeout());
    for (uint32_t page = 0; page < kPagerPages; ++page)
        g_pager_pages[page][1] = me.pid;
    if (names::register_name(name) != ipc::Error::ok) exit(1);
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->br[0] = AXO_FPAGE_NIL;
    axo_thread_id_t mm_thread = program::pager_thread();
    uint32_t served = 0, token = 0, error = 0, send_base = 0, page = 0;
    auto take_fault = [&]() {
        // An ExternalFault (protocol.h) in the UTCB.
        token = utcb->mr[1];
        page = utcb->mr[3] / kPage;
        send_base = utcb->mr[6];
        error = page < kPagerPages ? 0 : static_cast<uint32_t>(ipc::Error::invalid_argument);
        if (error == 0) ++served;
    };
    auto is_fault = [&](axo_msg_tag_t tag) {
        return !axo_tag_failed(tag) && axo_tag_label(tag) == 0 && axo_tag_untyped(tag) == 6;
    };
    for (uint32_t step = 0; forever || step < 2000; ++step) {
        bool item = token != 0 && error == 0;
        utcb->mr[0] = axo_msg_tag(mm::kMmPagerWait, 2, item ? 2 : 0);
        utcb->mr[1] = token;
        utcb->mr[2] = error;
        utcb->mr[3] = axo_map_item_word0(send_base, 0);
        utcb->mr[4] = axo_fpage(reinterpret_cast<uintptr_t>(g_pager_pages[page]), 12, AXO_FPAGE_R);
        axo_msg_tag_t tag = axo_ipc_call(mm_thread, axo_timeouts(timeout(), axo_timeout_us(10000)));
        token = 0;
        if (is_fault(tag)) {
            take_fault();
            if (delay_ms != 0) sleep_ms(delay_ms); // a slow pager: the answer goes later
            continue;
        }
        axo_thread_id_t from = axo_ipc_receive(AXO_ANY_THREAD, axo_timeout_us(10000));
        tag = utcb->mr[0];
        if (axo_tag_failed(tag)) continue;
        uint32_t label = axo_tag_label(tag);
        if (from == mm_thread && is_fault(tag)) {
            take_fault();
            if (delay_ms != 0) sleep_ms(delay_ms);
            continue;
        }
        if (label == kFlush && axo_tag_untyped(tag) == 1 && utcb->mr[1] < kPagerPages) {
            uint32_t flushed = utcb->mr[1];
            // The middle level's flush: everything derived from our page goes — mm's copy of
            // the mapping and the client's.
            utcb->mr[0] =
                axo_fpage(reinterpret_cast<uintptr_t>(g_pager_pages[flushed]), 12, AXO_FPAGE_RWX);
            (void)axo_unmap(0);
            fill(flushed, ++generation[flushed]);
            utcb->mr[0] = axo_msg_tag(0, 0, 0);
            axo_ipc_send(from, AXO_TIMEOUT_ZERO);
            continue;
        }
        if (label == kQuit) {
            utcb->mr[0] = axo_msg_tag(0, 1, 0);
            utcb->mr[1] = served;
            axo_ipc_send(from, AXO_TIMEOUT_ZERO);
            exit(0);
        }
    }
    exit(3);
}

uint32_t call_pager(axo_thread_id_t pager, uint32_t label, uint32_t word) {
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[0] = axo_msg_tag(label, 1, 0);
    utcb->mr[1] = word;
    axo_msg_tag_t tag = axo_ipc_call(pager, axo_timeouts(timeout(), timeout()));
    if (axo_tag_failed(tag) || axo_tag_label(tag) != 0) return 0xFFFFFFFFu;
    return axo_tag_untyped(tag) >= 1 ? utcb->mr[1] : 0;
}

[[noreturn]] void client_mode(const char* name) {
    axo_thread_id_t pager = AXO_NIL_THREAD;
    for (uint32_t i = 0; i < 200 && names::lookup(name, pager) != ipc::Error::ok; ++i)
        sleep_ms(10);
    if (pager == AXO_NIL_THREAD) exit(1);
    mm::RegionCreateReply region{};
    if (ipc::call(program::pager_thread(),
                  mm::RegionCreateRequest{AXO_NIL_THREAD, 0, kPagerPages * kPage, AXO_FPAGE_R,
                                          mm::kRegionExternal, 0, 0, pager, 7},
                  region, timeout()) != ipc::Error::ok)
        exit(2);
    auto word = [&](uint32_t page) {
        return *reinterpret_cast<volatile uint32_t*>(
            static_cast<uintptr_t>(region.address + page * kPage));
    };
    mm::StatisticsReply start = mm_stats();
    if (word(0) != pattern(1, 0)) exit(3);
    if (word(1) != pattern(1, 1)) exit(4);
    mm::StatisticsReply first = mm_stats();
    if (first.forwards != start.forwards + 2) exit(5);
    // The pager (the middle level) flushes page 0: our mapping of it is gone, and the next
    // read faults, goes to mm, mm asks the pager again, and we see the new contents.
    if (call_pager(pager, kFlush, 0) == 0xFFFFFFFFu) exit(6);
    if (word(0) != pattern(2, 0)) exit(7);
    if (word(1) != pattern(1, 1)) exit(8); // page 1 untouched by the flush
    mm::StatisticsReply second = mm_stats();
    rt_printf("# worker (client): external pages: 2 faults forwarded, then the pager's flush "
              "of one and %u forward(s) more\n",
              second.forwards - first.forwards);
    if (second.forwards != first.forwards + 1) exit(9);
    uint32_t served = call_pager(pager, kQuit, 0);
    if (served != 3) exit(10);
    exit(0);
}

// The client of a pager that proc restarts (module `rpager`, on-exit=restart): maps its pages,
// kills it, and reads on: proc rebinds the object to the new instance (mm's kMmPagerRebind),
// whose pages name it. Without the rebind the read would wait for the dead pager, and mm
// would refuse it (faulted, 14).
[[noreturn]] void rebound_mode(const char* name) {
    ipc::KernelTransport transport;
    auto find = [&](axo_thread_id_t not_this, proc::IdentifyReply& who) {
        axo_thread_id_t pager = AXO_NIL_THREAD;
        for (uint32_t i = 0; i < 300; ++i) {
            if (names::lookup(name, pager) == ipc::Error::ok && pager != not_this &&
                proc::client::identify(transport, program::proc_thread(), pager, who, timeout()) ==
                    ipc::Error::ok)
                return pager;
            sleep_ms(10);
        }
        return static_cast<axo_thread_id_t>(AXO_NIL_THREAD);
    };
    proc::IdentifyReply first{}, second{};
    axo_thread_id_t old_pager = find(AXO_NIL_THREAD, first);
    if (old_pager == AXO_NIL_THREAD) exit(1);
    mm::RegionCreateReply region{};
    if (ipc::call(program::pager_thread(),
                  mm::RegionCreateRequest{AXO_NIL_THREAD, 0, kPagerPages * kPage, AXO_FPAGE_R,
                                          mm::kRegionExternal, 0, 0, old_pager, 7},
                  region, timeout()) != ipc::Error::ok)
        exit(2);
    auto word = [&](uint32_t page, uint32_t index) {
        return reinterpret_cast<volatile uint32_t*>(
            static_cast<uintptr_t>(region.address + page * kPage))[index];
    };
    if (word(0, 0) != pattern(1, 0) || word(0, 1) != first.pid) exit(3);
    if (proc::client::kill(transport, program::proc_thread(), static_cast<int32_t>(first.pid),
                           proc::kSignalKill, timeout()) != ipc::Error::ok)
        exit(4);
    axo_thread_id_t new_pager = find(old_pager, second);
    if (new_pager == AXO_NIL_THREAD || second.pid == first.pid) exit(5);
    // The old instance's pages went with it: these reads fault, and mm asks the new one.
    if (word(0, 0) != pattern(1, 0) || word(0, 1) != second.pid) exit(6);
    if (word(1, 0) != pattern(1, 1) || word(1, 1) != second.pid) exit(7);
    rt_printf("# worker (rebound): pager %s restarted, process %u -> %u; its object's faults "
              "went to the new instance\n",
              name, first.pid, second.pid);
    exit(0);
}

// An external region of the pager registered as `name` (looked up for up to 2 s), 2 pages.
uint32_t external_region(axo_thread_id_t pager) {
    mm::RegionCreateReply region{};
    if (ipc::call(program::pager_thread(),
                  mm::RegionCreateRequest{AXO_NIL_THREAD, 0, kPagerPages * kPage, AXO_FPAGE_R,
                                          mm::kRegionExternal, 0, 0, pager, 7},
                  region, timeout()) != ipc::Error::ok)
        exit(2);
    return region.address;
}

// Reads page 0 of an external region of the pager registered as `name`: exit 0 with the
// pager's contents, 3 with others; a refused fault ends it (faulted, 14).
[[noreturn]] void read_mode(const char* name) {
    axo_thread_id_t pager = AXO_NIL_THREAD;
    for (uint32_t i = 0; i < 200 && names::lookup(name, pager) != ipc::Error::ok; ++i)
        sleep_ms(10);
    if (pager == AXO_NIL_THREAD) exit(1);
    uint32_t address = external_region(pager);
    uint32_t word = *reinterpret_cast<volatile uint32_t*>(static_cast<uintptr_t>(address));
    exit(word == pattern(1, 0) ? 0 : 3);
}

// Names its own thread as the pager of a region of its own and reads it: the fault is
// forwarded to a thread that is blocked in that very fault and never answers. mm serves
// everybody else meanwhile, and refuses this fault when its time is up (faulted, 14).
[[noreturn]] void self_pager_mode() {
    uint32_t address = external_region(rt_my_id());
    uint32_t word = *reinterpret_cast<volatile uint32_t*>(static_cast<uintptr_t>(address));
    rt_printf("worker (selfpager): read %08x from a region nobody serves\n", word);
    exit(4);
}

// ---- another process's arguments through the image pager -------------------------------------

// proc's configuration index of the boot module whose file is `name` (the basename of the
// first word of its command line), if proc accepted every module line (protocol.h).
uint32_t config_index_of(const char* name) {
    const axo_kip_t* kip = rt_kip();
    const axo_kip_module_t* modules = kip->modules;
    for (uint32_t i = 2; i < kip->module_count && i < AXO_KIP_MAX_MODULES; ++i) {
        const char* line = modules[i].cmdline;
        const char* base = line;
        for (const char* c = line; *c != '\0' && *c != ' '; ++c)
            if (*c == '/') base = c + 1;
        uint32_t n = 0;
        while (name[n] != '\0' && base[n] == name[n])
            ++n;
        if (name[n] == '\0' && (base[n] == '\0' || base[n] == ' ')) return i - 2;
    }
    return 0xFFFFu;
}

// An external region of one page backed by proc's image pager with `cookie`.
uint32_t image_pager_region(uint32_t cookie) {
    mm::RegionCreateReply region{};
    if (ipc::call(program::pager_thread(),
                  mm::RegionCreateRequest{AXO_NIL_THREAD, 0, kPage, AXO_FPAGE_R,
                                          mm::kRegionExternal, 0, 0,
                                          axo_thread_id(proc::kImagePagerThread, 1), cookie},
                  region, timeout()) != ipc::Error::ok)
        exit(2);
    return region.address;
}

[[noreturn]] void steal_mode(const char* victim_number) {
    int32_t number = 0;
    if (!program::parse_int(victim_number, number) || number < 256) exit(1);
    uint32_t worker = config_index_of("worker"), spinner = config_index_of("spinner");
    uint32_t own_slot = axo_thread_number(rt_my_id()) - 256;
    // Our own arguments: the image pager composes our stack-top page again, and the string
    // argv[2] is where it is in our own stack-top page.
    loader::StartArguments args = program::arguments();
    uint32_t own = image_pager_region(proc::image_cookie(worker, own_slot));
    uint32_t at = reinterpret_cast<uintptr_t>(args.argv[2]) & (kPage - 1);
    if (strcmp(reinterpret_cast<const char*>(own + at), args.argv[2]) != 0) exit(3);
    // spinner's image, any page: boot modules are no secret.
    uint32_t image = image_pager_region(proc::image_cookie(spinner, proc::kImageCookieSlot));
    volatile uint32_t first = *reinterpret_cast<volatile uint32_t*>(static_cast<uintptr_t>(image));
    (void)first;
    rt_printf("# worker (steal): own arguments and spinner's image through proc's image pager; "
              "now spinner %d's arguments\n",
              number);
    uint32_t other =
        image_pager_region(proc::image_cookie(spinner, static_cast<uint32_t>(number) - 256));
    volatile uint32_t word = *reinterpret_cast<volatile uint32_t*>(static_cast<uintptr_t>(other));
    rt_printf("worker (steal): read another process's arguments (%08x)\n", word);
    exit(4);
}

// ---- a bystander and a hostile process of one program ------------------------------------------

extern "C" const uint8_t __init_array_end[], _end[];
constexpr uint32_t kImageBase = 0x00400000u;
constexpr uint32_t kSteadyPages = 2;
alignas(4096) volatile uint32_t g_steady[kSteadyPages][kPage / 4];

uint32_t checksum(uint32_t from, uint32_t to) {
    uint32_t sum = 0x5EED;
    for (uint32_t at = from; at < to; at += 4)
        sum = (sum << 5 | sum >> 27) ^
              *reinterpret_cast<const volatile uint32_t*>(static_cast<uintptr_t>(at));
    return sum;
}

uint32_t steady_pattern(uint32_t page, uint32_t i) {
    return 0x57EA0000u ^ page << 12 ^ i;
}

// The spin stays on one code page and touches no data: every page fault it takes is its
// code page, taken away by someone else.
__attribute__((noinline)) void spin(uint32_t rounds) {
    for (uint32_t i = 0; i < rounds; ++i)
        asm volatile("" ::: "memory");
}

[[noreturn]] void steady_mode() {
    uint32_t end = reinterpret_cast<uintptr_t>(__init_array_end) & ~3u;
    uint32_t code = checksum(kImageBase, end);
    for (uint32_t page = 0; page < kSteadyPages; ++page)
        for (uint32_t i = 0; i < kPage / 4; ++i)
            g_steady[page][i] = steady_pattern(page, i);
    for (;;) {
        spin(1u << 28);
        if (checksum(kImageBase, end) != code) exit(2);
        for (uint32_t page = 0; page < kSteadyPages; ++page)
            for (uint32_t i = 0; i < kPage / 4; i += 97)
                if (g_steady[page][i] != steady_pattern(page, i)) exit(3);
    }
}

[[noreturn]] void shake_mode(const char* seed_text) {
    int32_t seed = 0;
    if (!program::parse_int(seed_text, seed)) exit(1);
    uint32_t state = static_cast<uint32_t>(seed) * 2654435761u | 1;
    auto next = [&]() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return state;
    };
    uint32_t image_pages = (reinterpret_cast<uintptr_t>(_end) + kPage - 1 - kImageBase) / kPage;
    uint32_t read_only_pages =
        (reinterpret_cast<uintptr_t>(__init_array_end) + kPage - 1 - kImageBase) / kPage;
    // Where a `worker steady` spins: the same page in every process of the program.
    uint32_t spin_page = reinterpret_cast<uintptr_t>(&spin) & ~(kPage - 1);
    // The stack below the pages this function and its calls use.
    uint32_t here = reinterpret_cast<uintptr_t>(&seed) & ~(kPage - 1);
    uint32_t stack_low = loader::Process::kStack.low;
    uint32_t stack_pages = (here - 2 * kPage - stack_low) / kPage;
    axo_thread_id_t mm_thread = program::pager_thread();
    ipc::Empty empty;
    auto protect = [&](uint32_t address, uint32_t size, uint32_t rights) {
        return ipc::call(mm_thread, mm::ProtectRequest{AXO_NIL_THREAD, address, size, rights},
                         empty, timeout());
    };
    auto unmap = [&](uint32_t address, uint32_t size) {
        (void)ipc::call(mm_thread, mm::UnmapRequest{AXO_NIL_THREAD, address, size}, empty,
                        timeout());
    };
    for (uint32_t step = 0; step < 64; ++step) {
        uint32_t roll = next();
        uint32_t target = roll & 3; // the spin page, code and read-only data, the image, stack
        uint32_t count = 1 + (roll >> 2) % 3;
        uint32_t address = spin_page;
        if (target == 1) address = kImageBase + next() % read_only_pages * kPage;
        if (target == 2) address = kImageBase + next() % image_pages * kPage;
        if (target == 3) address = stack_low + next() % stack_pages * kPage;
        uint32_t size = target == 0 ? kPage : count * kPage;
        uint32_t op = next() % 16;
        if (op < 3) {
            (void)protect(address, size, AXO_FPAGE_R | AXO_FPAGE_X);
        } else if (op < 6) {
            // Writable, and written (the same byte back): a private copy of a kept page.
            if (protect(address, size, AXO_FPAGE_RWX) == ipc::Error::ok) {
                auto* byte = reinterpret_cast<volatile uint8_t*>(static_cast<uintptr_t>(address));
                *byte = *byte;
            }
        } else if (op < 7) {
            (void)protect(address, size, AXO_FPAGE_R);
        } else if (op < 11) {
            // No rights, and back: every mapping of the pages goes.
            (void)protect(address, size, 0);
            (void)protect(address, size,
                          target == 3 ? AXO_FPAGE_R | AXO_FPAGE_W : AXO_FPAGE_R | AXO_FPAGE_X);
        } else if (op < 14 || target == 3) {
            // Unmapped, and mapped again as anonymous memory (zeros where code was).
            unmap(address, size);
            mm::RegionCreateReply reply{};
            (void)ipc::call(mm_thread,
                            mm::RegionCreateRequest{AXO_NIL_THREAD, address, size, AXO_FPAGE_RWX,
                                                    mm::kRegionAnonymous, 0, 0, AXO_NIL_THREAD, 0},
                            reply, timeout());
        } else {
            unmap(address, size);
        }
    }
    exit(0);
}

// ---- arguments and environment ---------------------------------------------------------------

[[noreturn]] void arguments_mode(const loader::StartArguments& args) {
    const char* const* envp = args.argv + args.argc + 1;
    uint32_t wrong = arguments::check(args.argc, args.argv, envp);
    if (wrong != 0) exit(static_cast<int32_t>(10 + wrong));
    uint32_t environment = 0;
    while (envp[environment] != nullptr)
        ++environment;
    rt_printf("# worker: %u arguments and %u environment strings of the 128 KiB pattern, intact\n",
              args.argc, environment);
    exit(0);
}

proc::client::ArgumentBlock g_block;

[[noreturn]] void exec_arguments_mode() {
    if (!arguments::fill(g_block)) exit(49);
    ipc::KernelTransport transport;
    ipc::Error error =
        proc::client::exec(transport, program::proc_thread(), "worker", g_block, timeout());
    exit(50 + static_cast<int32_t>(error));
}

} // namespace

int main() {
    loader::StartArguments args = program::arguments();
    if (!program::paged_by_mm()) {
        rt_printf("worker: not paged by mm\n");
        exit(99);
    }
    const char* mode = args.argc > 1 ? args.argv[1] : "";
    if (equal(mode, "threads")) threads_mode(false);
    if (equal(mode, "threads-crash")) threads_mode(true);
    if (equal(mode, "fork")) fork_mode();
    if (equal(mode, "quota")) quota_mode();
    if (equal(mode, "stack")) stack_mode();
    if (equal(mode, "measure")) measure_mode();
    if (equal(mode, "pager") && args.argc > 2) {
        int32_t delay = 0;
        if (args.argc > 3 && (!program::parse_int(args.argv[3], delay) || delay < 0)) exit(97);
        pager_mode(args.argv[2], static_cast<uint32_t>(delay));
    }
    if (equal(mode, "read") && args.argc > 2) read_mode(args.argv[2]);
    if (equal(mode, "rebound") && args.argc > 2) rebound_mode(args.argv[2]);
    if (equal(mode, "restartable-pager") && args.argc > 2) pager_mode(args.argv[2], 0, true);
    if (equal(mode, "selfpager")) self_pager_mode();
    if (equal(mode, "client") && args.argc > 2) client_mode(args.argv[2]);
    if (equal(mode, "steal") && args.argc > 2) steal_mode(args.argv[2]);
    if (equal(mode, "steady")) steady_mode();
    if (equal(mode, "shake") && args.argc > 2) shake_mode(args.argv[2]);
    if (equal(mode, arguments::kMode)) arguments_mode(args);
    if (equal(mode, "exec-arguments")) exec_arguments_mode();
    // identity, events, signals, exec: identity.cc
    (void)identity::run(mode, args.argc > 2 ? args.argv[2] : nullptr);
    rt_printf("worker: unknown mode \"%s\"\n", mode);
    exit(98);
}
