// Argument blocks: argument_blocks.h says how.
#include "servers/proc/argument_blocks.h"

#include "rt/rt.h"

#include "interfaces/sigma0/client.h"
#include "lib/ipc/kernel.h"
#include "servers/proc/server.h"

namespace proc {

namespace {

constexpr uint32_t kPage = loader::kPageSize;
constexpr uint32_t kPageBits = 12;
constexpr axo_fpage_t kWindow = axo_fpage(kArgumentWindow, kArgumentWindowLog2, AXO_FPAGE_RWX);

// The reader: a thread number and UTCB nothing else of proc uses (paging.cc takes 80, 81 and
// UTCB slots 16, 17; the self-test 63..71).
constexpr uint32_t kReaderThread = 82;
constexpr uint32_t kReaderUtcbSlot = 18;
constexpr uint32_t kReaderStackBytes = 4096;
constexpr uint32_t kCopyLabel = 1;

alignas(16) uint8_t g_reader_stack[kReaderStackBytes];
// The staged copy of the last block: the main thread's alone once the reader has answered.
alignas(16) char g_stage[kArgumentWindowBytes];
axo_thread_id_t g_reader = AXO_NIL_THREAD;
uint32_t g_reader_version = 0;
axo_thread_id_t g_main = AXO_NIL_THREAD;

// Copies MR1 bytes from the window into the stage for the main thread, and answers with an
// empty message; forever. A page it cannot read raises an exception instead (no pager).
void reader(void*) {
    axo_utcb_t* utcb = axo_my_utcb();
    axo_ipc_receive(g_main, AXO_TIMEOUT_NEVER);
    for (;;) {
        uint32_t bytes = utcb->mr[1];
        if (axo_tag_label(utcb->mr[0]) == kCopyLabel && bytes <= sizeof g_stage)
            __builtin_memcpy(g_stage, reinterpret_cast<const void*>(uintptr_t{kArgumentWindow}),
                             bytes);
        utcb->mr[0] = axo_msg_tag(0, 0, 0);
        // The answer, then the next request (only the main thread sends to it).
        axo_ipc(g_main, g_main, axo_timeouts(AXO_TIMEOUT_NEVER, AXO_TIMEOUT_NEVER));
    }
}

bool start_reader() {
    g_reader = axo_thread_id(kReaderThread, ++g_reader_version);
    // The stack is in proc's image, mapped by the kernel: the reader never faults on it.
    uint32_t error = rt_thread_start(g_reader, &reader, nullptr, g_reader_stack + kReaderStackBytes,
                                     rt_utcb_slot(kReaderUtcbSlot), g_main);
    if (error == AXO_OK) return true;
    rt_printf("proc: the argument reader did not start: error %u\n", error);
    g_reader = AXO_NIL_THREAD;
    return false;
}

// Copies `bytes` of the window into the stage through the reader; false if a page was not
// there (the reader raised an exception: it is replaced by a fresh one).
bool copy_from_window(uint32_t bytes) {
    if (g_reader == AXO_NIL_THREAD && !start_reader()) return false;
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[0] = axo_msg_tag(kCopyLabel, 1, 0);
    utcb->mr[1] = bytes;
    axo_fpage_t window = utcb->br[0];
    utcb->br[0] = AXO_FPAGE_NIL; // the reader's answer maps nothing
    axo_msg_tag_t tag = axo_ipc_call(g_reader, axo_timeouts(AXO_TIMEOUT_NEVER, AXO_TIMEOUT_NEVER));
    utcb->br[0] = window;
    if (!axo_tag_failed(tag) && axo_tag_label(tag) == 0) return true;
    // An exception (a hole in the window) or a reader gone: a fresh one for the next block.
    rt_printf("proc: an argument block had a page its sender did not map; refused\n");
    (void)rt_thread_delete(g_reader);
    g_reader = AXO_NIL_THREAD;
    (void)start_reader();
    return false;
}

void flush_window() {
    axo_my_utcb()->mr[0] = kWindow;
    (void)axo_unmap(AXO_UNMAP_FLUSH_OWN);
}

// ---- Start storage ------------------------------------------------------------------------

struct Run {
    uint32_t first, pages; // pages of the area; pages 0: none
};
Run g_runs[ProcessTable::kSlots];
uint32_t g_owned[kStartAreaPages / 32];
uint32_t g_used[kStartAreaPages / 32];
uint32_t g_used_pages = 0;

bool test(const uint32_t* bits, uint32_t i) {
    return (bits[i / 32] >> (i % 32)) & 1;
}
void set(uint32_t* bits, uint32_t i, bool on) {
    if (on)
        bits[i / 32] |= 1u << (i % 32);
    else
        bits[i / 32] &= ~(1u << (i % 32));
}

uint32_t page_address(uint32_t page) {
    return kStartArea + page * kPage;
}

// The first run of `pages` free pages, owned from σ0 (asked for the ones not owned yet);
// kStartAreaPages if there is none.
uint32_t allocate_run(uint32_t pages) {
    for (uint32_t first = 0; first + pages <= kStartAreaPages; ++first) {
        uint32_t n = 0;
        while (n < pages && !test(g_used, first + n))
            ++n;
        if (n < pages) {
            first += n; // past the used page
            continue;
        }
        for (uint32_t i = first; i < first + pages; ++i) {
            if (test(g_owned, i)) continue;
            uint32_t physical = 0;
            if (sigma0::client::allocate_any(kPageBits,
                                             axo_fpage(page_address(i), kPageBits, AXO_FPAGE_RWX),
                                             physical) != ipc::Error::ok)
                return kStartAreaPages;
            set(g_owned, i, true);
        }
        for (uint32_t i = first; i < first + pages; ++i)
            set(g_used, i, true);
        g_used_pages += pages;
        return first;
    }
    return kStartAreaPages;
}

uint32_t string_bytes(const char* text) {
    uint32_t n = 0;
    while (text[n] != '\0')
        ++n;
    return n + 1;
}

} // namespace

void argument_blocks_init(Proc&) {
    g_main = rt_my_id();
    (void)start_reader();
    axo_my_utcb()->br[0] = kWindow;
}

namespace {

// The window holds `prefix` bytes (a program file's headers), then the argument block.
ipc::Error take_block(uint32_t prefix, uint32_t argc, uint32_t envc, uint32_t bytes,
                      const ipc::MapItem& item, loader::StringBlock& strings) {
    struct Flush {
        ~Flush() { flush_window(); }
    } flush;
    if (bytes > kMaxArgumentBytes || uint64_t{argc} + envc > kMaxArgumentStrings ||
        uint64_t{prefix} + bytes > kArgumentWindowBytes)
        return ipc::Error::arguments_too_long;
    if (prefix + bytes == 0) {
        if (argc + envc != 0 || item.fpage != AXO_FPAGE_NIL) return ipc::Error::invalid_argument;
        strings = {g_stage, 0, 0, 0};
        return ipc::Error::ok;
    }
    // The item must put the whole block at the window's start (placement: kernel-api.md §10.2).
    axo_fpage_t fpage = item.fpage;
    uint32_t log2 = axo_fpage_log2(fpage);
    if (item.grant || axo_fpage_is_io(fpage) || (axo_fpage_rights(fpage) & AXO_FPAGE_R) == 0 ||
        log2 < kPageBits || log2 > kArgumentWindowLog2 || (uint64_t{1} << log2) < prefix + bytes ||
        item.send_base % kArgumentWindowBytes != 0)
        return ipc::Error::invalid_argument;
    if (!copy_from_window(prefix + bytes)) return ipc::Error::invalid_argument;
    strings = {g_stage + prefix, bytes, argc, envc};
    return loader::valid_strings(strings) ? ipc::Error::ok : ipc::Error::invalid_argument;
}

} // namespace

ipc::Error take_argument_block(uint32_t argc, uint32_t envc, uint32_t bytes,
                               const ipc::MapItem& item, loader::StringBlock& strings) {
    return take_block(0, argc, envc, bytes, item, strings);
}

ipc::Error take_exec_file_block(uint32_t header_bytes, uint32_t argc, uint32_t envc, uint32_t bytes,
                                const ipc::MapItem& item, const uint8_t*& headers,
                                loader::StringBlock& strings) {
    if (header_bytes > kExecHeaderBytes) {
        flush_window();
        return ipc::Error::invalid_argument;
    }
    headers = reinterpret_cast<const uint8_t*>(g_stage);
    return take_block(header_bytes, argc, envc, bytes, item, strings);
}

void flush_stray_items(uint32_t tag) {
    if (axo_tag_typed(tag) == 0) return;
    uint32_t label = axo_tag_label(tag);
    // A block request of the right shape reaches its handler, which flushes; of any other
    // shape it is refused before (bad_message), so its items go here.
    static_assert(ipc::wire_words<SpawnBlockRequest> == ipc::wire_words<ExecBlockRequest>);
    if ((label == kProcSpawnBlock || label == kProcExecBlock) &&
        axo_tag_untyped(tag) == ipc::wire_words<SpawnBlockRequest> &&
        axo_tag_typed(tag) == ipc::kItemWords)
        return;
    if (label == kProcExecFile && axo_tag_untyped(tag) == ipc::wire_words<ExecFileRequest> &&
        axo_tag_typed(tag) == ipc::kItemWords)
        return;
    flush_window();
}

bool attach_start_storage(Proc& proc, uint32_t slot, const char* const* argv, uint32_t argc,
                          const loader::StringBlock& more) {
    release_start_storage(proc, slot);
    loader::StartBlock& start = proc.loaded[slot].start;
    // What build needs: the words (argc, the pointers, two terminators, AT_NULL's pair) and
    // the strings, aligned (layout.cc).
    uint64_t need = 4 * (uint64_t{argc} + more.argc + more.envc + 5) + more.size + 15;
    for (uint32_t i = 0; i < argc; ++i)
        need += string_bytes(argv[i]);
    if (need <= loader::StartBlock::kBytes) {
        start.set_storage(nullptr, 0);
        return true;
    }
    uint32_t pages = static_cast<uint32_t>((need + kPage - 1) / kPage);
    uint32_t first = pages <= kStartAreaPages ? allocate_run(pages) : kStartAreaPages;
    if (first == kStartAreaPages) {
        start.set_storage(nullptr, 0);
        return false;
    }
    g_runs[slot] = {first, pages};
    start.set_storage(reinterpret_cast<uint8_t*>(uintptr_t{page_address(first)}), pages * kPage);
    return true;
}

void release_start_storage(Proc& proc, uint32_t slot) {
    Run& run = g_runs[slot];
    if (run.pages != 0) {
        for (uint32_t i = run.first; i < run.first + run.pages; ++i)
            set(g_used, i, false);
        g_used_pages -= run.pages;
        run = {};
    }
    proc.loaded[slot].start.set_storage(nullptr, 0);
}

uint32_t start_storage_pages() {
    return g_used_pages;
}

} // namespace proc
