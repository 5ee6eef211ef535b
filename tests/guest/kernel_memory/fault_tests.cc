// Page faults as IPC to the pager, answered by map items; read-only mappings and the write
// bit; map shares and grant moves.
#include "memory_harness.h"
#include "tests.h"

namespace kt {
namespace {

// Where the tests put data in an agent's space.
constexpr uint32_t kData = 0x10000000;

void fault_to_pager() {
    uint32_t mark = fault_mark();
    Agent a;
    bool started = agent_start(a);
    check(started,
          "a thread in a new space runs: its first instruction and first stack access fault to "
          "its pager, whose map items resolve them, and it answers a ping");
    FaultRecord code = {}, stack = {};
    uint32_t code_faults = faults_at(mark, a.id, AGENT_CODE, &code);
    uint32_t stack_faults = faults_at(mark, a.id, AGENT_STACK, &stack);
    check(code_faults == 1 && fault_is(code, AXO_FPAGE_R) && code.address == AGENT_CODE &&
              code.ip == AGENT_CODE,
          "the code fault: one message from the thread, label 0xFFE4 (read), u = 2, the address "
          "and the ip both %x (%u faults, tag %x, %x, %x)",
          AGENT_CODE, code_faults, code.tag, code.address, code.ip);
    check(stack_faults == 1 && fault_is(stack, AXO_FPAGE_W) && stack.address >= AGENT_STACK &&
              stack.address < AGENT_STACK + kPage && stack.ip > AGENT_CODE &&
              stack.ip < AGENT_CODE + 16,
          "the stack fault: label 0xFFE2 (write), the stack address, the ip of the storing "
          "instruction (%u faults, tag %x, %x, %x)",
          stack_faults, stack.tag, stack.address, stack.ip);

    // Read-only first; a write fault gets the page writable.
    uint32_t data = sigma0_memory();
    try_write(data + 12, 0xDA7A0001);
    pager_map(a.id, kData, data, AXO_FPAGE_R, AXO_FPAGE_R | AXO_FPAGE_W);
    mark = fault_mark();
    uint32_t value = 0;
    FaultRecord f = {};
    bool read = agent_read(a, kData + 12, &value);
    uint32_t faults = faults_at(mark, a.id, kData, &f);
    check(read && value == 0xDA7A0001 && faults == 1 && fault_is(f, AXO_FPAGE_R) &&
              f.address == kData + 12 && f.ip == agent_address(agent_read_ip),
          "a read fault at an unmapped address: the pager maps a page read-only, the read "
          "completes with the pager's data (fault tag %x at %x, ip %x)",
          f.tag, f.address, f.ip);

    mark = fault_mark();
    bool wrote = agent_write(a, kData, 0xDA7A0002);
    faults = faults_at(mark, a.id, kData, &f);
    check(wrote && faults == 1 && fault_is(f, AXO_FPAGE_W) && f.address == kData &&
              f.ip == agent_address(agent_write_ip),
          "writing the read-only page faults again, with the write bit, at the writing "
          "instruction; mapped writable, the write completes (tag %x, ip %x)",
          f.tag, f.ip);
    read = try_read(data, &value);
    check(read && value == 0xDA7A0002,
          "the pager sees the write in its own page: map shares the frame (%x)", value);
    mark = fault_mark();
    try_write(data + 8, 0xDA7A0003);
    read = agent_read(a, kData + 8, &value);
    faults = faults_of(mark, a.id);
    check(read && value == 0xDA7A0003 && faults == 0,
          "and the thread sees the pager's later writes without faulting again (%x)", value);

    // A fault the pager leaves unanswered.
    mark = fault_mark();
    bool answered = agent_read(a, 0x30000000, &value, kHeldTimeoutUs);
    uint32_t state = thread_state(a.id);
    faults = faults_at(mark, a.id, 0x30000000, &f);
    check(!answered && faults == 1 && !f.answered && state != 0xFFFFFFFFu &&
              (state & AXO_STATE_RECEIVING) != 0,
          "a fault the pager does not answer keeps the thread waiting for the answer (state %x)",
          state);
    agent_stop(a);
}

// The pager goes away while a thread waits for it: the thread must not wait forever.
void pager_deleted() {
    Agent a;
    bool started = agent_start(a);
    // A pager that never receives: the fault's send to it blocks.
    axo_thread_id_t pager = fresh_id();
    uint32_t error = create(pager);
    axo_exreg_t regs = {};
    regs.control = AXO_EXREG_SET_PAGER;
    regs.pager = pager;
    if (error == AXO_OK) error = axo_exchange_registers(a.id, &regs);
    bool read = agent_read(a, 0x30000000, nullptr, kHeldTimeoutUs);
    uint32_t before = thread_state(a.id);
    uint32_t deleted = rt_thread_delete(pager);
    forget(pager);
    bool halted = wait_state(a.id, AXO_STATE_HALTED, 200000);
    check(started && error == AXO_OK && !read && (before & AXO_STATE_SENDING) != 0 &&
              deleted == AXO_OK && halted,
          "a thread whose fault waits for a pager that is then deleted is halted, not left "
          "waiting (states %x, %x)",
          before, thread_state(a.id));
    agent_stop(a);
    cleanup();
}

void map_and_grant() {
    Agent a;
    bool started = agent_start(a) && agent_window(a, axo_fpage(kData, 12, AXO_FPAGE_RWX));
    uint32_t page = sigma0_memory();
    try_write(page, 0x5AA4E001);

    AgentReply r = send_item(a, axo_map_item_word0(page, 0), axo_fpage(page, 12, AXO_FPAGE_RWX));
    uint32_t received = r.mr[1];
    check(started && !axo_tag_failed(r.tag) && axo_tag_label(r.tag) == AGENT_RECEIVED &&
              axo_tag_label(received) == 0xB1 && axo_tag_untyped(received) == 0 &&
              axo_tag_typed(received) == 2,
          "a map item reaches a thread in its receive window: it gets the tag with t = 2 (%s, "
          "tag %x)",
          reply_text(r).text, received);
    check(r.mr[2] == axo_map_item_word0(page, 0) && r.mr[3] == axo_fpage(page, 12, AXO_FPAGE_RWX),
          "the receiver sees the item's two words as sent (%x %x)", r.mr[2], r.mr[3]);
    uint32_t mark = fault_mark();
    uint32_t value = 0;
    bool read = agent_read(a, kData, &value);
    bool wrote = agent_write(a, kData + 4, 0x5AA4E002);
    uint32_t seen = 0;
    bool seen_read = try_read(page + 4, &seen);
    uint32_t faults = faults_of(mark, a.id);
    check(read && value == 0x5AA4E001 && wrote && seen_read && seen == 0x5AA4E002 && faults == 0,
          "map shares: the receiver reads the sender's data and the sender its writes, without "
          "a fault (%x, %x)",
          value, seen);

    // Items after untyped words, and two items in one message, each landing by its hotspot
    // in an 8 KiB window.
    uint32_t two = sigma0_memory(), three = sigma0_memory();
    try_write(two, 0x7770002);
    try_write(three, 0x7770003);
    agent_window(a, axo_fpage(kData + 2 * kPage, 13, AXO_FPAGE_RWX));
    axo_utcb_t* u = utcb();
    u->mr[0] = axo_msg_tag(0xB2, 3, 4);
    u->mr[1] = 0x11;
    u->mr[2] = 0x22;
    u->mr[3] = 0x33;
    u->mr[4] = axo_map_item_word0(0x1000, 0); // hotspot: the window's second page
    u->mr[5] = axo_fpage(three, 12, AXO_FPAGE_RWX);
    u->mr[6] = axo_map_item_word0(0, 0); // ... and its first
    u->mr[7] = axo_fpage(two, 12, AXO_FPAGE_RWX);
    axo_timeout_t timeout = axo_timeout_us(kAgentTimeoutUs);
    axo_msg_tag_t answer = axo_ipc_call(a.id, axo_timeouts(timeout, timeout));
    uint32_t got_tag = u->mr[1], got_word = u->mr[2];
    uint32_t in_two = 0, in_three = 0;
    mark = fault_mark();
    read = agent_read(a, kData + 2 * kPage, &in_two) && agent_read(a, kData + 3 * kPage, &in_three);
    faults = faults_of(mark, a.id);
    check(!axo_tag_failed(answer) && got_tag == axo_msg_tag(0xB2, 3, 4) && got_word == 0x11 &&
              read && in_two == 0x7770002 && in_three == 0x7770003 && faults == 0,
          "two items after three untyped words: the words arrive, each page lands by its "
          "hotspot (tag %x, %x %x)",
          got_tag, in_two, in_three);

    // Grant: the granter's page moves to the receiver.
    uint32_t granted = sigma0_memory();
    try_write(granted, 0x6EA47001);
    agent_window(a, axo_fpage(kData + kPage, 12, AXO_FPAGE_RWX));
    r = send_item(a, axo_map_item_word0(granted, 1), axo_fpage(granted, 12, AXO_FPAGE_RWX));
    mark = fault_mark();
    read = agent_read(a, kData + kPage, &value);
    faults = faults_of(mark, a.id);
    check(!axo_tag_failed(r.tag) && read && value == 0x6EA47001 && faults == 0,
          "a grant item moves the page to the receiver: it reads the data without a fault (%x)",
          value);
    bool still = try_read(granted, nullptr);
    ProbeFault pf = last_probe_fault();
    check(!still && pf.vector == 14 && pf.address == granted,
          "the granter has lost it: its own read faults (vector %u at %x)", pf.vector, pf.address);
    axo_fpage_t fpage = axo_fpage(granted, 12, AXO_FPAGE_RWX);
    utcb()->mr[0] = fpage;
    uint32_t error = axo_unmap(0);
    read = agent_read(a, kData + kPage, &value);
    check(error == AXO_OK && read && value == 0x6EA47001,
          "the granter's unmap of the address no longer reaches the granted page (error %u)",
          error);
    agent_stop(a);
}

// What is at `address` in the agent: its read there, or `fallback`'s marker if nothing was
// (the pager maps the fallback page on the fault).
uint32_t agent_sees(const Agent& a, uint32_t address, uint32_t fallback) {
    pager_map(a.id, address, fallback, AXO_FPAGE_R, 0);
    uint32_t value = 0;
    agent_read(a, address, &value);
    return value;
}

constexpr uint32_t kMarker = 0xE3E3E3E3;   // in the fallback page
constexpr uint32_t kPageMark = 0x9A6E0000; // + the page's index, in each page of a block

// The hotspot rule of abi.h: which part of an fpage lands where in a window.
void placement() {
    Agent a;
    bool started = agent_start(a);
    uint32_t fallback = sigma0_memory();
    uint32_t block = sigma0_memory(16);
    bool filled = started && fallback && block && try_write(fallback, kMarker);
    for (uint32_t i = 0; filled && i < 16; ++i)
        filled = try_write(block + i * kPage, kPageMark + i);

    // A 4 KiB window takes the page of the 64 KiB fpage that holds the hotspot.
    agent_window(a, axo_fpage(kData, 12, AXO_FPAGE_RWX));
    AgentReply r =
        send_item(a, axo_map_item_word0(block + 5 * kPage, 0), axo_fpage(block, 16, AXO_FPAGE_RWX));
    uint32_t seen = agent_sees(a, kData, fallback);
    check(filled && axo_tag_label(r.tag) == AGENT_RECEIVED && seen == kPageMark + 5,
          "a window smaller than the fpage takes the window-sized part that holds the hotspot "
          "(page 5 of 16: %x)",
          seen);

    // A 1 MiB window takes the whole fpage at window base + (hotspot mod 1 MiB), rounded down
    // to 64 KiB: 0x12345000 puts it at +0x40000.
    constexpr uint32_t kWindow = 0x20000000, kHotspot = 0x12345000, kLanding = 0x40000;
    agent_window(a, axo_fpage(kWindow, 20, AXO_FPAGE_RWX));
    r = send_item(a, axo_map_item_word0(kHotspot, 0), axo_fpage(block, 16, AXO_FPAGE_RWX));
    uint32_t first = agent_sees(a, kWindow + kLanding, fallback);
    uint32_t last = agent_sees(a, kWindow + kLanding + 15 * kPage, fallback);
    uint32_t before = agent_sees(a, kWindow + kLanding - kPage, fallback);
    uint32_t after = agent_sees(a, kWindow + kLanding + 16 * kPage, fallback);
    check(axo_tag_label(r.tag) == AGENT_RECEIVED && first == kPageMark && last == kPageMark + 15 &&
              before == kMarker && after == kMarker,
          "a window larger than the fpage takes all of it at base + (hotspot mod window size), "
          "aligned to the fpage: pages 0 and 15 at +%x and +%x, nothing around (%x %x %x %x)",
          kLanding, kLanding + 15 * kPage, first, last, before, after);
    agent_stop(a);
}

// A mapping at an address that already has one replaces it: the old page's flush no longer
// reaches the address, the new one's does.
void replacement() {
    Agent a;
    bool started = agent_start(a) && agent_window(a, axo_fpage(kData, 12, AXO_FPAGE_RWX));
    uint32_t first = sigma0_memory(), second = sigma0_memory(), fallback = sigma0_memory();
    bool filled = started && try_write(first, 0x01D) && try_write(second, 0x2E3) &&
                  try_write(fallback, kMarker);
    send_item(a, axo_map_item_word0(first, 0), axo_fpage(first, 12, AXO_FPAGE_RWX));
    uint32_t old_value = 0, new_value = 0, after_old_flush = 0;
    agent_read(a, kData, &old_value);
    send_item(a, axo_map_item_word0(second, 0), axo_fpage(second, 12, AXO_FPAGE_RWX));
    agent_read(a, kData, &new_value);
    utcb()->mr[0] = axo_fpage(first, 12, AXO_FPAGE_RWX);
    axo_unmap(0);
    uint32_t mark = fault_mark();
    agent_read(a, kData, &after_old_flush);
    uint32_t faults = faults_of(mark, a.id);
    check(filled && old_value == 0x01D && new_value == 0x2E3 && after_old_flush == 0x2E3 &&
              faults == 0,
          "mapping another page over a mapping replaces it; flushing the old page no longer "
          "reaches the address (%x, %x, %x)",
          old_value, new_value, after_old_flush);
    utcb()->mr[0] = axo_fpage(second, 12, AXO_FPAGE_RWX);
    axo_unmap(0);
    uint32_t seen = agent_sees(a, kData, fallback);
    check(seen == kMarker, "flushing the new page does (%x)", seen);
    agent_stop(a);
}

// A → B → A: a page comes back to its own space at another address; A's flush of the
// original reaches the alias too, through B.
void back_to_the_source() {
    Agent b;
    bool started = agent_start(b) && agent_window(b, axo_fpage(kData, 12, AXO_FPAGE_RWX));
    uint32_t page = sigma0_memory();
    uint32_t alias = window(12);
    bool filled = started && try_write(page, 0xA11A5);
    send_item(b, axo_map_item_word0(page, 0), axo_fpage(page, 12, AXO_FPAGE_RWX));

    // B maps it to the main thread, which waits for B's answer with a window open: B's item
    // arrives as that answer; B then waits for ours, and reports.
    axo_utcb_t* u = utcb();
    axo_timeout_t timeout = axo_timeout_us(kAgentTimeoutUs);
    uint32_t words[4] = {g_root, axo_map_item_word0(kData, 0), axo_fpage(kData, 12, AXO_FPAGE_RWX),
                         axo_timeouts(timeout, timeout)};
    set_message(AGENT_SEND, 4, words);
    u->br[0] = axo_fpage(alias, 12, AXO_FPAGE_RWX);
    axo_msg_tag_t item = axo_ipc_call(b.id, axo_timeouts(timeout, timeout));
    u->br[0] = AXO_FPAGE_NIL;
    u->mr[0] = axo_msg_tag(0x77, 0, 0);
    axo_msg_tag_t report = axo_ipc_call(b.id, axo_timeouts(timeout, timeout));
    uint32_t seen = 0;
    bool read = try_read(alias, &seen);
    check(filled && !axo_tag_failed(item) && axo_tag_label(item) == AGENT_ITEM &&
              axo_tag_typed(item) == 2 && !axo_tag_failed(report) && read && seen == 0xA11A5,
          "B maps the page back to A at another address: A sees its own data there (tags %x %x, "
          "%x)",
          item, report, seen);
    utcb()->mr[0] = axo_fpage(page, 12, AXO_FPAGE_RWX);
    uint32_t error = axo_unmap(0);
    bool alias_gone = !try_read(alias, nullptr);
    bool original = try_read(page, &seen);
    check(error == AXO_OK && alias_gone && original,
          "A's flush of the original takes the alias away (it was derived through B) and "
          "keeps the original");
    agent_stop(b);
}

// Within one space: the main thread maps its page to a thread of its own space, at another
// address (an alias) and at the same address (no change).
struct AliasReceiver {
    axo_fpage_t window;
    axo_msg_tag_t tag;
};

void alias_receiver(void* arg) {
    auto* r = static_cast<AliasReceiver*>(arg);
    utcb()->br[0] = r->window;
    axo_ipc_receive(g_root, axo_timeout_us(1000000));
    r->tag = utcb()->mr[0];
    utcb()->br[0] = AXO_FPAGE_NIL;
    send_done(1);
}

bool map_within(uint32_t page, axo_fpage_t receive_window, axo_msg_tag_t* tag) {
    static AliasReceiver r;
    r = {receive_window, 0};
    axo_thread_id_t id = spawn(alias_receiver, &r);
    if (id == AXO_NIL_THREAD) return false;
    wait_state(id, AXO_STATE_RECEIVING);
    utcb()->mr[0] = axo_msg_tag(0xB3, 0, 2);
    utcb()->mr[1] = axo_map_item_word0(page, 0);
    utcb()->mr[2] = axo_fpage(page, 12, AXO_FPAGE_RWX);
    axo_msg_tag_t sent = axo_ipc_send(id, axo_timeout_us(1000000));
    bool done = wait_done(id);
    *tag = r.tag;
    cleanup();
    return !axo_tag_failed(sent) && done;
}

void within_one_space() {
    uint32_t page = sigma0_memory();
    uint32_t alias = window(12);
    bool filled = page && try_write(page, 0xA1A50001);
    axo_msg_tag_t tag = 0;
    bool sent = map_within(page, axo_fpage(alias, 12, AXO_FPAGE_RWX), &tag);
    uint32_t seen = 0;
    bool read = try_read(alias, &seen);
    bool shared =
        try_write(alias + 4, 0xA1A50002) && try_read(page + 4, &seen) && seen == 0xA1A50002;
    check(filled && sent && axo_tag_typed(tag) == 2 && read && shared,
          "a map item to a thread of the same space makes an alias of the page at another "
          "address (tag %x)",
          tag);
    utcb()->mr[0] = axo_fpage(page, 12, AXO_FPAGE_RWX);
    uint32_t error = axo_unmap(0);
    bool alias_gone = !try_read(alias, nullptr);
    bool original = try_read(page, &seen);
    check(error == AXO_OK && alias_gone && original && seen == 0xA1A50001,
          "flushing the page removes the alias and keeps the page");

    sent = map_within(page, axo_fpage(page, 12, AXO_FPAGE_RWX), &tag);
    original = try_read(page, &seen) && try_write(page, 0xA1A50003);
    check(sent && original && seen == 0xA1A50001,
          "mapping a page onto itself changes nothing (tag %x)", tag);
}

} // namespace

void fault_tests() {
    fault_to_pager();
    pager_deleted();
    map_and_grant();
    placement();
    replacement();
    back_to_the_source();
    within_one_space();
}

} // namespace kt
