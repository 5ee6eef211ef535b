// σ0 → A → B → C: the root task (A) maps a page from σ0 to agent B by IPC, B maps it on to
// agent C. Flushing at A reaches both; rights reduction leaves both readable only; deleting
// B's space revokes what B gave C; rights never grow along the way.
#include "memory_harness.h"
#include "tests.h"

namespace kt {
namespace {

// Where the page lands in B's and in C's space: different, so placement is checked too.
constexpr uint32_t kLargeB = 0x10000000;
constexpr uint32_t kLargeC = 0x18000000;
// ... when B and C are small spaces of kSmallBlocks: below their limit.
constexpr uint32_t kSmallBlocks = 4;
constexpr uint32_t kSmallB = 0x00800000;
constexpr uint32_t kSmallC = 0x00C00000;

uint32_t kDataB = kLargeB;
uint32_t kDataC = kLargeC;
uint32_t g_small_blocks = 0; // B and C are small spaces of this size (0: large)
const char* g_mode = "";     // what the descriptions say about it

struct Chain {
    Agent b, c;
    uint32_t page = 0; // A's page, in the root task's space
};

// Builds the chain with `value` in the page: A → B with `rights_b`, B → C with `rights_c`
// (a grant if `grant_c`).
bool build(Chain& chain, uint32_t value, uint32_t rights_b = AXO_FPAGE_RWX,
           uint32_t rights_c = AXO_FPAGE_RWX, bool grant_c = false) {
    chain.page = sigma0_memory();
    if (chain.page == 0 || !try_write(chain.page, value)) return false;
    if (!agent_start(chain.b, g_small_blocks) || !agent_start(chain.c, g_small_blocks))
        return false;
    if (!agent_window(chain.b, axo_fpage(kDataB, 12, AXO_FPAGE_RWX)) ||
        !agent_window(chain.c, axo_fpage(kDataC, 12, AXO_FPAGE_RWX)))
        return false;
    AgentReply to_b =
        send_item(chain.b, axo_map_item_word0(chain.page, 0), axo_fpage(chain.page, 12, rights_b));
    AgentReply to_c = agent_send(chain.b, chain.c.id, axo_map_item_word0(kDataB, grant_c),
                                 axo_fpage(kDataB, 12, rights_c));
    // B reports C's answer: C's tag in MR1, what C received in MR3.
    bool c_received = to_c.done() && axo_tag_label(to_c.mr[1]) == AGENT_RECEIVED &&
                      axo_tag_typed(to_c.mr[3]) == 2;
    if (axo_tag_label(to_b.tag) != AGENT_RECEIVED || !c_received) {
        diag("chain: A to B %s; B to C %s, C answered %x (received %x)", reply_text(to_b).text,
             reply_text(to_c).text, to_c.mr[1], to_c.mr[3]);
        return false;
    }
    return true;
}

void stop(Chain& chain) {
    agent_stop(chain.b);
    agent_stop(chain.c);
}

uint32_t unmap_one(axo_fpage_t fpage, uint32_t control = 0) {
    utcb()->mr[0] = fpage;
    return axo_unmap(control);
}

void flush() {
    Chain chain;
    bool built = build(chain, 0xC4A10001);
    uint32_t in_b = 0, in_c = 0;
    uint32_t mark = fault_mark();
    bool read = built && agent_read(chain.b, kDataB, &in_b) && agent_read(chain.c, kDataC, &in_c);
    uint32_t faults = faults_of(mark, chain.b.id) + faults_of(mark, chain.c.id);
    check(read && in_b == 0xC4A10001 && in_c == 0xC4A10001 && faults == 0,
          "%ssigma0 to A to B to C: A maps its page to B by IPC, B maps it on to C; both read A's "
          "data without a fault (%x, %x)",
          g_mode, in_b, in_c);
    uint32_t in_a = 0;
    bool wrote = agent_write(chain.c, kDataC + 4, 0xC4A10002);
    read = try_read(chain.page + 4, &in_a) && agent_read(chain.b, kDataB + 4, &in_b);
    check(wrote && read && in_a == 0xC4A10002 && in_b == 0xC4A10002,
          "%sC's write is seen by A and B: one frame, three mappings (%x, %x)", g_mode, in_a, in_b);

    mark = fault_mark();
    uint32_t error = unmap_one(axo_fpage(chain.page, 12, AXO_FPAGE_RWX));
    read = try_read(chain.page, &in_a);
    check(error == AXO_OK && read && in_a == 0xC4A10001,
          "%sA's unmap (without its own mapping) returns AXO_OK and leaves A's page in place "
          "(error %u)",
          g_mode, error);
    FaultRecord f = {};
    read = agent_read(chain.b, kDataB, &in_b, kHeldTimeoutUs);
    faults = faults_at(mark, chain.b.id, kDataB, &f);
    check(!read && faults == 1 && fault_is(f, AXO_FPAGE_R),
          "%safter A's flush, B faults again at the page it had (tag %x at %x)", g_mode, f.tag,
          f.address);
    f = {};
    read = agent_read(chain.c, kDataC, &in_c, kHeldTimeoutUs);
    faults = faults_at(mark, chain.c.id, kDataC, &f);
    check(!read && faults == 1 && fault_is(f, AXO_FPAGE_R),
          "%sand so does C, whose mapping came from B: the flush is recursive (tag %x at %x)",
          g_mode, f.tag, f.address);
    stop(chain);
}

void rights_reduction() {
    Chain chain;
    bool built = build(chain, 0x4ED00001);
    uint32_t mark = fault_mark();
    uint32_t error = unmap_one(axo_fpage(chain.page, 12, AXO_FPAGE_W));
    uint32_t in_b = 0, in_c = 0;
    bool read = built && agent_read(chain.b, kDataB, &in_b) && agent_read(chain.c, kDataC, &in_c);
    uint32_t faults = faults_of(mark, chain.b.id) + faults_of(mark, chain.c.id);
    check(error == AXO_OK && read && in_b == 0x4ED00001 && in_c == 0x4ED00001 && faults == 0,
          "%sA takes the write right from its page (rw to r): B and C still read it without a "
          "fault (error %u)",
          g_mode, error);
    FaultRecord f = {};
    bool wrote = agent_write(chain.b, kDataB, 0xBAD, kHeldTimeoutUs);
    faults = faults_at(mark, chain.b.id, kDataB, &f);
    check(!wrote && faults == 1 && (axo_tag_label(f.tag) & AXO_FPAGE_W) != 0,
          "%sa write in B now faults with the write bit (tag %x)", g_mode, f.tag);
    f = {};
    wrote = agent_write(chain.c, kDataC, 0xBAD, kHeldTimeoutUs);
    faults = faults_at(mark, chain.c.id, kDataC, &f);
    check(!wrote && faults == 1 && (axo_tag_label(f.tag) & AXO_FPAGE_W) != 0,
          "%sand in C, two spaces down (tag %x)", g_mode, f.tag);
    uint32_t in_a = 0;
    bool own = try_write(chain.page, 0x4ED00002) && try_read(chain.page, &in_a);
    check(own && in_a == 0x4ED00002, "%sA keeps its own write access", g_mode);
    stop(chain);
}

void space_deletion() {
    Chain chain;
    bool built = build(chain, 0xDE1E0001);
    uint32_t mark = fault_mark();
    agent_stop(chain.b);
    uint32_t in_c = 0;
    FaultRecord f = {};
    bool read = agent_read(chain.c, kDataC, &in_c, kHeldTimeoutUs);
    uint32_t faults = faults_at(mark, chain.c.id, kDataC, &f);
    check(built && !read && faults == 1,
          "%sdeleting B's space (its only thread) revokes what B mapped on to C: C faults again "
          "(tag %x)",
          g_mode, f.tag);
    uint32_t in_a = 0;
    read = try_read(chain.page, &in_a);
    check(read && in_a == 0xDE1E0001,
          "%sA's own mapping survives the deletion of the space it mapped to", g_mode);
    stop(chain);
}

void rights_never_grow() {
    Chain chain;
    // A gives B read-only access; B passes the page on asking for rw.
    bool built = build(chain, 0x60A40001, AXO_FPAGE_R, AXO_FPAGE_R | AXO_FPAGE_W);
    uint32_t mark = fault_mark();
    uint32_t in_c = 0;
    bool read = built && agent_read(chain.c, kDataC, &in_c);
    FaultRecord f = {};
    bool wrote = agent_write(chain.c, kDataC, 0xBAD, kHeldTimeoutUs);
    uint32_t faults = faults_at(mark, chain.c.id, kDataC, &f);
    check(read && in_c == 0x60A40001 && !wrote && faults == 1 &&
              (axo_tag_label(f.tag) & AXO_FPAGE_W) != 0,
          "%srights never grow: B holds the page read-only and maps it on as rw; C reads it, but "
          "its write faults (tag %x)",
          g_mode, f.tag);
    f = {};
    wrote = agent_write(chain.b, kDataB, 0xBAD, kHeldTimeoutUs);
    uint32_t in_a = 0;
    faults = faults_at(mark, chain.b.id, kDataB, &f);
    read = try_read(chain.page, &in_a);
    check(!wrote && faults == 1 && read && in_a == 0x60A40001,
          "%sB's own write faults too, and A's data is unchanged (tag %x)", g_mode, f.tag);
    stop(chain);
}

void grant_along() {
    Chain chain;
    bool built = build(chain, 0x96A47001, AXO_FPAGE_RWX, AXO_FPAGE_RWX, true);
    uint32_t mark = fault_mark();
    uint32_t in_c = 0, in_b = 0;
    bool c_read = built && agent_read(chain.c, kDataC, &in_c);
    bool b_read = agent_read(chain.b, kDataB, &in_b, kHeldTimeoutUs);
    uint32_t b_faults = faults_at(mark, chain.b.id, kDataB);
    check(c_read && in_c == 0x96A47001 && !b_read && b_faults == 1,
          "%sB grants its mapping on to C: C reads the data, B faults at the address it gave away "
          "(%x)",
          g_mode, in_c);
    mark = fault_mark();
    utcb()->mr[0] = axo_fpage(chain.page, 12, AXO_FPAGE_RWX);
    uint32_t error = axo_unmap(0);
    c_read = agent_read(chain.c, kDataC, &in_c, kHeldTimeoutUs);
    uint32_t c_faults = faults_at(mark, chain.c.id, kDataC);
    check(error == AXO_OK && !c_read && c_faults == 1,
          "%sthe granted mapping is still derived from A's: A's flush reaches C", g_mode);
    stop(chain);
}

// A maps the page to B again, read-only: whatever that does to B, C (which has it from B)
// never keeps more rights than B.
void remap_fewer_rights() {
    Chain chain;
    bool built = build(chain, 0x4E3A0001);
    AgentReply again = send_item(chain.b, axo_map_item_word0(chain.page, 0),
                                 axo_fpage(chain.page, 12, AXO_FPAGE_R));
    bool c_wrote = agent_write(chain.c, kDataC + 8, 0x4E3A0002, kHeldTimeoutUs);
    bool b_wrote = agent_write(chain.b, kDataB + 12, 0x4E3A0003, kHeldTimeoutUs);
    check(built && axo_tag_label(again.tag) == AGENT_RECEIVED && (b_wrote || !c_wrote),
          "%sA maps the page to B again read-only: C keeps no write right that B lost (B %s, C "
          "%s)",
          g_mode, b_wrote ? "writes" : "cannot write", c_wrote ? "writes" : "cannot write");
    stop(chain);
}

// Two small spaces, switched between without a CR3 write: each runs with its own I/O
// bitmap; a mapping beyond a small space's limit promotes it, and it goes on running.
void small_space_switching() {
    constexpr uint32_t kScratch = 0x3FF; // COM1's scratch register (port_tests.cc)
    Agent b, c;
    bool started = agent_start(b, kSmallBlocks) && agent_start(c, kSmallBlocks) &&
                   agent_window(c, axo_io_fpage(kScratch, 0));
    axo_fpage_t port = axo_io_fpage(kScratch, 0);
    bool root_port = sigma0_ports(kScratch & ~7u, 3);
    AgentReply r = send_item(c, axo_map_item_word0(port, 0), port);
    uint32_t words[2] = {kScratch, 0x77};
    bool c_out = agent_call(c, AGENT_OUTB, 2, words).done();
    AgentReply b_in = agent_call(b, AGENT_INB, 1, words);
    AgentReply c_in = agent_call(c, AGENT_INB, 1, words);
    check(started && root_port && axo_tag_label(r.tag) == AGENT_RECEIVED && c_out &&
              b_in.faulted() && c_in.done() && c_in.mr[1] == 0x77,
          "small spaces: switching between two of them switches the I/O bitmap too (B faults, "
          "C reads %x)",
          c_in.mr[1]);

    uint32_t page = sigma0_memory();
    bool filled = page && try_write(page, 0x960E0001);
    agent_window(b, axo_fpage(kLargeB, 12, AXO_FPAGE_RWX));
    r = send_item(b, axo_map_item_word0(page, 0), axo_fpage(page, 12, AXO_FPAGE_RWX));
    uint32_t blocks = 0xFFFFFFFFu, value = 0;
    uint32_t error = axo_space_control(b.id, AXO_SPACE_QUERY, 0, &blocks, nullptr);
    bool read = agent_read(b, kLargeB, &value);
    bool alive = agent_call(b, AGENT_PING, 0, nullptr).done();
    check(filled && axo_tag_label(r.tag) == AGENT_RECEIVED && error == AXO_OK && blocks == 0 &&
              read && value == 0x960E0001 && alive,
          "small spaces: a mapping beyond the limit (at %x) promotes the space to a large one; "
          "its thread goes on and reads the page (%u blocks, %x)",
          kLargeB, blocks, value);
    agent_stop(b);
    agent_stop(c);
    // The port tests start with a root task that has no ports.
    utcb()->mr[0] = axo_io_fpage(kScratch & ~7u, 3);
    axo_unmap(AXO_UNMAP_FLUSH_OWN);
}

void small_spaces() {
    if (!small_spaces_on()) {
        check(true, "the chain in small spaces # SKIP small spaces are off");
        return;
    }
    small_space_switching();
    g_small_blocks = kSmallBlocks;
    kDataB = kSmallB;
    kDataC = kSmallC;
    g_mode = "small spaces: ";
    flush();
    rights_reduction();
    space_deletion();
    grant_along();
    g_small_blocks = 0;
    g_mode = "";
    kDataB = kLargeB;
    kDataC = kLargeC;
}

} // namespace

void chain_tests() {
    flush();
    rights_reduction();
    space_deletion();
    rights_never_grow();
    grant_along();
    remap_fewer_rights();
    small_spaces();
}

} // namespace kt
