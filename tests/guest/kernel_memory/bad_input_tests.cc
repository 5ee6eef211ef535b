// Bad input never panics the kernel: malformed map items fail the IPC, items that cannot be
// carried out are skipped, windows decide what lands, unmap checks its fpages, and user
// access to kernel memory is an exception message.
#include "memory_harness.h"
#include "tests.h"

namespace kt {
namespace {

constexpr uint32_t kData = 0x10000000;
constexpr uint32_t kPayload = 0x9A410AD0; // in the page the items try to map
constexpr uint32_t kMarker = 0xFA11BAC4;  // in the pager's fallback page
constexpr uint32_t kKernelAddress = 0xC0100000;
constexpr uint32_t kLowLog2 = 12;

// An agent and two root pages: the payload the items send, and the fallback its pager maps
// at kData when the agent reads there and nothing landed.
struct Target {
    Agent agent;
    uint32_t page = 0;
    uint32_t fallback = 0;
};

bool prepare(Target& t) {
    t.page = sigma0_memory();
    t.fallback = sigma0_memory();
    return t.page && t.fallback && try_write(t.page, kPayload) && try_write(t.fallback, kMarker) &&
           agent_start(t.agent) && agent_window(t.agent, axo_fpage(kData, 12, AXO_FPAGE_RWX));
}

uint32_t unmap_one(axo_fpage_t fpage, uint32_t control = 0) {
    utcb()->mr[0] = fpage;
    return axo_unmap(control);
}

// Whether kData in the agent is still empty: its read there faults and gets the fallback.
// Both root pages are flushed from the agent afterwards, so every case starts empty.
bool nothing_landed(Target& t, uint32_t* seen) {
    pager_map(t.agent.id, kData, t.fallback, AXO_FPAGE_R, 0);
    uint32_t mark = fault_mark();
    bool read = agent_read(t.agent, kData, seen);
    bool faulted = faults_at(mark, t.agent.id, kData) == 1;
    unmap_one(axo_fpage(t.page, 12, AXO_FPAGE_RWX));
    unmap_one(axo_fpage(t.fallback, 12, AXO_FPAGE_RWX));
    return read && faulted && *seen == kMarker;
}

void malformed_items() {
    Target t;
    bool ready = prepare(t);
    uint32_t misaligned = (t.page & 0x1000) ? t.page : t.page + 0x1000;
    struct Case {
        const char* what;
        uint32_t word0, word1;
    };
    const uint32_t map = axo_map_item_word0(t.page, 0);
    const Case cases[] = {
        {"a misaligned fpage (s = 13, base only 4 KiB aligned)", map,
         (misaligned & ~0xFFFu) | (13u << 4) | AXO_FPAGE_RWX},
        {"an fpage of s = 11", map, axo_fpage(t.page, 11, AXO_FPAGE_RWX)},
        {"an fpage of s = 33", map, axo_fpage(t.page, 33, AXO_FPAGE_RWX)},
        {"an fpage of s = 32 with a base", map, axo_fpage(t.page, 32, AXO_FPAGE_RWX)},
        {"an fpage with reserved bits set", map, axo_fpage(t.page, 12, AXO_FPAGE_RWX) | 0x400},
        {"an item of unknown type (0xC)", (t.page & ~0x3FFu) | 0xC,
         axo_fpage(t.page, 12, AXO_FPAGE_RWX)},
        {"an I/O fpage of 2^17 ports", map, axo_io_fpage(0, 17)},
        {"a misaligned I/O fpage", map, axo_io_fpage(0x3F9, 3)},
    };
    for (const Case& c : cases) {
        AgentReply r = send_item(t.agent, c.word0, c.word1);
        check(ready && ipc_failed_with(r.tag, AXO_IPC_INVALID, false),
              "a map item with %s: the IPC fails with AXO_IPC_INVALID in the send phase, "
              "nothing delivered (%s)",
              c.what, reply_text(r).text);
    }
    // t = 1: half an item.
    utcb()->mr[0] = axo_msg_tag(0xB1, 0, 1);
    utcb()->mr[1] = map;
    axo_msg_tag_t tag = axo_ipc_call(
        t.agent.id, axo_timeouts(axo_timeout_us(kAgentTimeoutUs), axo_timeout_us(kAgentTimeoutUs)));
    check(ipc_failed_with(tag, AXO_IPC_INVALID, false),
          "a message with t = 1 (half an item): AXO_IPC_INVALID in the send phase (%s)",
          ipc_error_text(utcb()->error).text);
    uint32_t seen = 0;
    bool empty = nothing_landed(t, &seen);
    bool alive = agent_call(t.agent, AGENT_PING, 0, nullptr).done();
    check(empty && alive,
          "after all of them nothing is mapped at the receiver's window and it runs on (%x)", seen);
    agent_stop(t.agent);
}

void skipped_items() {
    Target t;
    bool ready = prepare(t);
    uint32_t never_mapped = window(12);
    struct Case {
        const char* what;
        axo_fpage_t window;
        uint32_t word0, word1;
    };
    const uint32_t map = axo_map_item_word0(t.page, 0);
    const axo_fpage_t normal = axo_fpage(kData, 12, AXO_FPAGE_RWX);
    const Case cases[] = {
        {"a nil fpage", normal, map, AXO_FPAGE_NIL},
        {"a page the sender does not have", normal, axo_map_item_word0(never_mapped, 0),
         axo_fpage(never_mapped, 12, AXO_FPAGE_RWX)},
        {"a grant of a page the sender does not have", normal, axo_map_item_word0(never_mapped, 1),
         axo_fpage(never_mapped, 12, AXO_FPAGE_RWX)},
        {"the sender's own program image (kernel-allocated)", normal,
         axo_map_item_word0(0x00400000, 0), axo_fpage(0x00400000, 12, AXO_FPAGE_R)},
        {"the sender's KIP", normal, axo_map_item_word0(AXO_KIP_ADDRESS, 0),
         axo_fpage(AXO_KIP_ADDRESS, 12, AXO_FPAGE_R)},
        {"no rights", normal, map, axo_fpage(t.page, 12, 0)},
        {"a nil receive window", AXO_FPAGE_NIL, map, axo_fpage(t.page, 12, AXO_FPAGE_RWX)},
        {"a malformed receive window (s = 5)", axo_fpage(kData, 5, AXO_FPAGE_RWX), map,
         axo_fpage(t.page, 12, AXO_FPAGE_RWX)},
        {"an I/O receive window", axo_io_fpage(0, 16), map, axo_fpage(t.page, 12, AXO_FPAGE_RWX)},
    };
    for (const Case& c : cases) {
        bool window_set = agent_window(t.agent, c.window);
        AgentReply r = send_item(t.agent, c.word0, c.word1);
        uint32_t seen = 0;
        bool empty = nothing_landed(t, &seen);
        check(ready && window_set && axo_tag_label(r.tag) == AGENT_RECEIVED &&
                  axo_tag_typed(r.mr[1]) == 2 && empty,
              "a map item with %s is delivered but skipped: nothing at the window (%s, read %x)",
              c.what, reply_text(r).text, seen);
    }
    agent_stop(t.agent);
}

void protected_pages() {
    // A window over the agent's UTCB (0xBFFFE000) and KIP (0xBFFFF000) pages.
    Agent a;
    bool started = agent_start(a) && agent_window(a, axo_fpage(AGENT_UTCB, 13, AXO_FPAGE_RWX));
    uint32_t block = sigma0_memory(13);
    bool filled = block && try_write(block, kPayload) && try_write(block + kPage, kPayload);
    AgentReply r = send_item(a, axo_map_item_word0(block, 0), axo_fpage(block, 13, AXO_FPAGE_RWX));
    uint32_t magic = 0;
    bool read = agent_read(a, AXO_KIP_ADDRESS, &magic);
    bool alive = agent_call(a, AGENT_PING, 0, nullptr).done();
    check(started && filled && axo_tag_label(r.tag) == AGENT_RECEIVED && read &&
              magic == AXO_KIP_MAGIC && alive,
          "a map item aimed at a space's UTCB and KIP pages replaces neither (KIP word %x)", magic);

    // A grant there fails the same way, and the granter keeps its pages.
    r = send_item(a, axo_map_item_word0(block, 1), axo_fpage(block, 13, AXO_FPAGE_RWX));
    uint32_t first = 0, second = 0;
    bool kept = try_read(block, &first) && try_read(block + kPage, &second);
    read = agent_read(a, AXO_KIP_ADDRESS, &magic);
    check(axo_tag_label(r.tag) == AGENT_RECEIVED && kept && first == kPayload &&
              second == kPayload && read && magic == AXO_KIP_MAGIC,
          "a grant aimed at them fails too, and the granter keeps both pages");

    // A window in the kernel's part of the address space accepts nothing.
    bool window_set = agent_window(a, axo_fpage(0xC0000000, 12, AXO_FPAGE_RWX));
    r = send_item(a, axo_map_item_word0(block, 0), axo_fpage(block, 12, AXO_FPAGE_RWX));
    alive = agent_call(a, AGENT_PING, 0, nullptr).done();
    check(window_set && axo_tag_label(r.tag) == AGENT_RECEIVED && alive,
          "a receive window at 3 GiB: the item is skipped, the kernel and the receiver go on");
    agent_stop(a);
}

void bad_unmaps() {
    uint32_t all_bits = unmap_one(AXO_FPAGE_NIL, 0xFFFFFFFFu);
    uint32_t bit7 = unmap_one(AXO_FPAGE_NIL, 0x80);
    check(all_bits == AXO_ERR_INVALID_PARAM && bit7 == AXO_ERR_INVALID_PARAM,
          "unmap with control bits beyond count and FLUSH_OWN: AXO_ERR_INVALID_PARAM (%u, %u)",
          all_bits, bit7);

    axo_utcb_t* u = utcb();
    for (uint32_t i = 0; i < AXO_MR_COUNT; ++i)
        u->mr[i] = AXO_FPAGE_NIL;
    uint32_t error = axo_unmap(AXO_UNMAP_COUNT_MASK | AXO_UNMAP_FLUSH_OWN);
    check(error == AXO_OK, "unmap of 64 nil fpages, the most one call takes: AXO_OK (%u)", error);

    // A malformed fpage among good ones: nothing is flushed.
    Target t;
    bool ready = prepare(t);
    AgentReply r =
        send_item(t.agent, axo_map_item_word0(t.page, 0), axo_fpage(t.page, 12, AXO_FPAGE_RWX));
    for (uint32_t i = 0; i < 8; ++i)
        u->mr[i] = axo_fpage(t.page, 12, AXO_FPAGE_RWX);
    u->mr[5] = axo_fpage(t.page, 11, AXO_FPAGE_RWX);
    error = axo_unmap(7);
    uint32_t mark = fault_mark();
    uint32_t seen = 0;
    bool read = agent_read(t.agent, kData, &seen);
    uint32_t faults = faults_of(mark, t.agent.id);
    check(ready && axo_tag_label(r.tag) == AGENT_RECEIVED && error == AXO_ERR_INVALID_PARAM &&
              read && seen == kPayload && faults == 0,
          "unmap of 8 fpages with a malformed sixth: AXO_ERR_INVALID_PARAM, and the good ones "
          "before it were not flushed (error %u, read %x)",
          error, seen);

    uint32_t kernel = unmap_one(axo_fpage(0xC0000000, 28, AXO_FPAGE_RWX), AXO_UNMAP_FLUSH_OWN);
    uint32_t kip = unmap_one(axo_fpage(AXO_KIP_ADDRESS, 12, AXO_FPAGE_RWX), AXO_UNMAP_FLUSH_OWN);
    uint32_t magic = 0;
    bool kip_read = try_read(AXO_KIP_ADDRESS, &magic);
    uint32_t own = 0;
    bool own_read = try_read(t.page, &own);
    check((kernel == AXO_OK || kernel == AXO_ERR_INVALID_PARAM) &&
              (kip == AXO_OK || kip == AXO_ERR_INVALID_PARAM) && kip_read &&
              magic == AXO_KIP_MAGIC && own_read && own == kPayload,
          "unmap of 256 MiB of kernel space and of the KIP, with FLUSH_OWN: no effect (errors "
          "%u, %u), the KIP and the root task's memory stay",
          kernel, kip);

    // The agent unmaps its whole space, its own mappings included.
    mark = fault_mark();
    axo_fpage_t complete = AXO_FPAGE_COMPLETE;
    error = agent_unmap(t.agent, AXO_UNMAP_FLUSH_OWN, 1, &complete);
    uint32_t code_faults = faults_at(mark, t.agent.id, AGENT_CODE);
    uint32_t stack_faults = faults_at(mark, t.agent.id, AGENT_STACK);
    read = agent_read(t.agent, AXO_KIP_ADDRESS, &magic);
    check(error == AXO_OK && code_faults == 1 && stack_faults == 1 && read &&
              magic == AXO_KIP_MAGIC,
          "an agent unmaps its whole space (complete fpage, FLUSH_OWN): its code and stack fault "
          "back in from its pager, its UTCB and the KIP stay (error %x, faults %u and %u)",
          error, code_faults, stack_faults);
    agent_stop(t.agent);
}

// The kernel touches user memory on a syscall's behalf only where it is mapped: a buffer
// the pager would map on a fault is an error, not a page fault to the pager.
void syscall_buffer_not_mapped() {
    Target t;
    bool ready = prepare(t);
    pager_map(t.agent.id, kData, t.fallback, AXO_FPAGE_R, 0);
    uint32_t mark = fault_mark();
    uint32_t words[7] = {AXO_SYS_DEBUG, AXO_DEBUG_WRITE, kData, 8, 0, 0, 0};
    AgentReply r = agent_call(t.agent, AGENT_SYSCALL, 7, words);
    uint32_t faults = faults_at(mark, t.agent.id, kData);
    check(ready && r.done() && r.mr[1] == AXO_ERR_INVALID_PARAM && faults == 0,
          "debug_write from a buffer the pager has not mapped yet: AXO_ERR_INVALID_PARAM, no page "
          "fault to the pager (error %u, %u faults)",
          r.mr[1], faults);
    agent_stop(t.agent);
}

void kernel_memory() {
    uint32_t value = 0;
    bool read = try_read(kKernelAddress, &value);
    ProbeFault read_fault = last_probe_fault();
    bool wrote = try_write(kKernelAddress, 0xBAD);
    ProbeFault write_fault = last_probe_fault();
    bool top = try_read(0xFFFFF000, &value);
    check(!read && !wrote && !top && (read_fault.vector == 13 || read_fault.vector == 14) &&
              (write_fault.vector == 13 || write_fault.vector == 14),
          "user access to kernel memory (read, write, the last page) is an exception message to "
          "the handler, not a crash (vectors %u, %u)",
          read_fault.vector, write_fault.vector);
    diag("kernel memory access: vector %u (13: segment limit, 14: page protection), address %x",
         read_fault.vector, read_fault.address);

    Agent a;
    bool started = agent_start(a);
    uint32_t fault_before = fault_mark(), exception_before = exception_mark();
    AgentReply r = agent_call(a, AGENT_READ, 1, &kKernelAddress, kHeldTimeoutUs);
    FaultRecord f = {};
    ExceptionRecord e = {};
    // #GP where segment limits are enforced (Bochs); #PF where they are not (QEMU) — either
    // way an exception message: no pager could map anything outside the space.
    bool as_exception = r.faulted() && exceptions_of(exception_before, a.id, &e) == 1 &&
                        (e.vector == 13 || e.vector == 14);
    bool as_page_fault = faults_at(fault_before, a.id, kKernelAddress, &f) != 0;
    check(started && as_exception && !as_page_fault,
          "an agent reading kernel memory: an exception message to its handler (vector %u), "
          "never a page fault to its pager",
          e.vector);
    agent_stop(a);
}

// Nothing is ever mapped below AXO_LOWEST_MAPPABLE (64 KiB), whoever asks: a map or grant
// item that would land there fails the IPC with AXO_IPC_INVALID and maps nothing.
void nothing_maps_below_64k() {
    Target t;
    bool ready = prepare(t);
    struct Case {
        const char* what;
        axo_fpage_t window;
        uint32_t hotspot;
        int grant;
    };
    const Case cases[] = {
        {"a map item into a window at page 0", axo_fpage(0, 12, AXO_FPAGE_RWX), 0, 0},
        {"a grant item into a window at page 0", axo_fpage(0, 12, AXO_FPAGE_RWX), 0, 1},
        {"a map item into a window at 0xF000", axo_fpage(0xF000, 12, AXO_FPAGE_RWX), 0, 0},
        {"a map item with hotspot 0 into the complete window", AXO_FPAGE_COMPLETE, 0, 0},
        {"a map item with hotspot 0x8000 into a 1 MiB window at 0", axo_fpage(0, 20, AXO_FPAGE_RWX),
         0x8000, 0},
    };
    for (const Case& c : cases) {
        bool window_set = agent_window(t.agent, c.window);
        AgentReply r = send_item(t.agent, axo_map_item_word0(c.hotspot, c.grant),
                                 axo_fpage(t.page, 12, AXO_FPAGE_RWX));
        bool alive = agent_call(t.agent, AGENT_PING, 0, nullptr).done();
        check(ready && window_set && ipc_failed_with(r.tag, AXO_IPC_INVALID, false) && alive,
              "%s: AXO_IPC_INVALID in the send phase, the receiver runs on (%s)", c.what,
              reply_text(r).text);
    }
    // The root task still holds its page (a refused grant took nothing).
    uint32_t value = 0;
    check(try_read(t.page, &value) && value == kPayload,
          "after the refused items the sender still has its page (%x)", value);
    // Above the line the same item lands.
    bool window_set = agent_window(t.agent, axo_fpage(0, 20, AXO_FPAGE_RWX));
    AgentReply r =
        send_item(t.agent, axo_map_item_word0(0x10000, 0), axo_fpage(t.page, 12, AXO_FPAGE_RWX));
    uint32_t seen = 0;
    bool read = agent_read(t.agent, 0x10000, &seen);
    check(window_set && r.mr[1] == axo_msg_tag(0xB1, 0, 2) && read && seen == kPayload,
          "the same item at 0x10000 (the lowest mappable page) lands (%s, %x)", reply_text(r).text,
          seen);
    unmap_one(axo_fpage(t.page, 12, AXO_FPAGE_RWX));

    // A pager's reply that would map page 1 (the fault address) is refused: the faulting
    // thread never gets the page (it is halted: its pager's reply failed).
    pager_map(t.agent.id, 0x1000, t.page, AXO_FPAGE_R, AXO_FPAGE_R);
    uint32_t mark = fault_mark();
    uint32_t low = 0x1000;
    AgentReply fault = agent_call(t.agent, AGENT_READ, 1, &low, kHeldTimeoutUs);
    bool faulted = faults_at(mark, t.agent.id, 0x1000) >= 1;
    check(faulted && !fault.done(),
          "a pager's reply mapping the faulting page at 0x1000 is refused: the read never "
          "completes (%s, word %x)",
          reply_text(fault).text, fault.mr[1]);
    agent_stop(t.agent);

    // σ0's reply into a window at page 0 is refused the same way: the call fails.
    Sigma0Reply s =
        sigma0_call(sigma0::kSigma0AllocateAny, 1, &kLowLog2, axo_fpage(0, 12, AXO_FPAGE_RWX));
    bool page0 = try_read(0, &value);
    check(s.status == 0xFFFFFFFF && s.error == ipc_error_word(AXO_IPC_INVALID, true) && !page0,
          "a sigma0 allocation into a window at page 0 fails with AXO_IPC_INVALID in the "
          "receive phase, page 0 stays empty (status %x, %s)",
          s.status, ipc_error_text(s.error).text);
}

} // namespace

void bad_input_tests() {
    nothing_maps_below_64k();
    malformed_items();
    skipped_items();
    protected_pages();
    bad_unmaps();
    syscall_buffer_not_mapped();
    kernel_memory();
}

} // namespace kt
