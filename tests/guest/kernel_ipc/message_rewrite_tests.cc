// What the kernel reads from a UTCB is read once: a sender waiting in the send queue while
// another thread of its space rewrites its message registers delivers the message as it was
// when the send began, never more than the receiver's registers hold (a bystander's UTCB
// next to the receiver's stays intact), never a malformed item. And work whose size the user
// chooses (map items of the whole address space, an unmap of every port 64 times) never
// keeps the timer from a higher-priority thread for long.
#include "harness.h"
#include "tests.h"

namespace kt {
namespace {

constexpr uint32_t kLabel = 0x77;
constexpr uint32_t kRewriteTimeoutUs = 1000000;

inline uint64_t rdtsc() {
    uint32_t low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return (uint64_t{high} << 32) | low;
}

// ---- A queued sender's UTCB rewritten ---------------------------------------------------------

struct Queued {
    axo_thread_id_t to;     // the receiver, for the sender
    axo_thread_id_t from;   // the sender, for the receiver's closed receive
    axo_msg_tag_t received; // what the receiver got
    uint32_t error;
    uint32_t words[6];
};

// The original message: u = 2, one map item of a page nobody holds (it maps nothing).
constexpr uint32_t kWord1 = 0x11111111, kWord2 = 0x22222222;
constexpr uint32_t kItemBase = 0x30000000;

void queued_sender(void* arg) {
    auto* q = static_cast<Queued*>(arg);
    axo_utcb_t* u = utcb();
    u->mr[0] = axo_msg_tag(kLabel, 2, 2);
    u->mr[1] = kWord1;
    u->mr[2] = kWord2;
    u->mr[3] = axo_map_item_word0(kItemBase, 0);
    u->mr[4] = axo_fpage(kItemBase, 12, AXO_FPAGE_R);
    // To the receiver, which is not receiving yet: the sender waits in its queue.
    axo_ipc_send(q->to, AXO_TIMEOUT_NEVER);
    send_done(0);
}

void receiver(void* arg) {
    auto* q = static_cast<Queued*>(arg);
    axo_utcb_t* u = utcb();
    u->br[0] = AXO_FPAGE_COMPLETE; // I/O and memory items both land
    axo_ipc_receive(q->from, axo_timeout_us(kRewriteTimeoutUs));
    q->received = u->mr[0];
    q->error = axo_tag_failed(q->received) ? u->error : 0;
    for (uint32_t i = 0; i < 4; ++i)
        q->words[i] = u->mr[1 + i];
    send_done(0);
}

struct Rewrite {
    const char* what;
    uint32_t index; // MR index rewritten
    uint32_t value;
};

void rewritten_while_queued() {
    const Rewrite rewrites[] = {
        {"the untyped count raised to 63 (u + t = 65)", 0, axo_msg_tag(kLabel, 63, 2)},
        {"both counts raised to 63 (u + t = 126)", 0, axo_msg_tag(kLabel, 63, 63)},
        {"the typed count made odd", 0, axo_msg_tag(kLabel, 2, 3)},
        {"the item's type made unknown", 3, kItemBase | 0xC},
        {"the item turned into a grant", 3, axo_map_item_word0(kItemBase, 1)},
        {"the fpage made misaligned (s = 13 at 4 KiB)", 4, (kItemBase + 0x1000) | (13u << 4) | 4},
        {"the fpage turned into the complete address space", 4, AXO_FPAGE_COMPLETE},
        // Last: a kernel that reads this one again maps ports for ever.
        {"the fpage turned into an I/O fpage of 2^63 ports", 4, axo_io_fpage(0, 63)},
    };
    for (const Rewrite& rw : rewrites) {
        Queued q = {};
        // The receiver's UTCB and, right after it in the same page, a bystander's that
        // nothing may touch.
        axo_thread_id_t recv_id = fresh_id(), bystander = fresh_id();
        bool made = create(recv_id) == AXO_OK;
        while (made && utcb_of(recv_id) % 4096 == 4096 - AXO_UTCB_SIZE) {
            recv_id = fresh_id();
            made = create(recv_id) == AXO_OK;
        }
        made = made && create(bystander) == AXO_OK &&
               utcb_of(bystander) == utcb_of(recv_id) + AXO_UTCB_SIZE;
        auto* by = reinterpret_cast<axo_utcb_t*>(utcb_of(bystander));
        uint32_t by_self = made ? by->self : 0, by_id = made ? by->my_id : 0;

        q.to = recv_id;
        axo_thread_id_t sender = spawn(queued_sender, &q);
        bool queued = sender != AXO_NIL_THREAD && wait_state(sender, AXO_STATE_SENDING);
        auto* su = reinterpret_cast<axo_utcb_t*>(utcb_of(sender));
        if (queued) su->mr[rw.index] = rw.value;
        q.from = sender;
        bool ran = made && run(recv_id, receiver, &q) == AXO_OK;
        bool received = ran && wait_done(recv_id);
        bool sent = queued && wait_done(sender);
        bool original = !axo_tag_failed(q.received) && q.received == axo_msg_tag(kLabel, 2, 2) &&
                        q.words[0] == kWord1 && q.words[1] == kWord2 &&
                        q.words[2] == axo_map_item_word0(kItemBase, 0) &&
                        q.words[3] == axo_fpage(kItemBase, 12, AXO_FPAGE_R);
        bool intact = by->self == by_self && by->my_id == by_id && by_id == bystander;
        check(made && queued && received && sent && original && intact,
              "a queued sender's UTCB rewritten (%s): the receiver gets the message as sent, "
              "the bystander's UTCB is intact (tag %x, %s, bystander self %x id %x)",
              rw.what, q.received, ipc_error_text(q.error).text, by->self, by->my_id);
        cleanup();
    }
}

// ---- Work the user sizes, against a thread that wakes every millisecond --------------------

struct Ticker {
    volatile bool stop;
    volatile uint32_t wakeups;
    volatile uint64_t max_gap; // TSC cycles between two wake-ups
};

void ticker(void* arg) {
    auto* t = static_cast<Ticker*>(arg);
    uint64_t last = rdtsc();
    while (!t->stop) {
        axo_ipc_receive(g_sigma0, axo_timeout_us(1000));
        uint64_t now = rdtsc();
        if (now - last > t->max_gap) t->max_gap = now - last;
        last = now;
        t->wakeups = t->wakeups + 1;
    }
    send_done(0);
}

// 31 map items of the upper 2 GiB (the largest fpage that does not cover the first 64 KiB,
// which nothing may map), to a thread of the same space whose window is the complete address
// space: each lands where it is, up to 3 GiB.
constexpr uint32_t kHalfBase = 0x80000000;
void whole_space_receiver(void*) {
    utcb()->br[0] = AXO_FPAGE_COMPLETE;
    axo_ipc_receive(AXO_ANY_THREAD, axo_timeout_us(5000000));
    send_done(axo_tag_failed(utcb()->mr[0]) ? utcb()->error : 0);
}

uint32_t tsc_per_ms() {
    uint64_t start = rdtsc();
    sleep_us(20000);
    return static_cast<uint32_t>((rdtsc() - start) / 20);
}

// The largest operations one call can ask for: the scheduler keeps running a 1 ms ticker
// above them.
void user_sized_work_is_preemptible() {
    uint32_t per_ms = tsc_per_ms();
    struct Work {
        const char* what;
        bool map; // else unmap
    };
    const Work works[] = {
        {"an IPC with 31 map items of 2 GiB each", true},
        {"an unmap of 64 fpages of all 65536 I/O ports", false},
    };
    for (const Work& w : works) {
        Ticker t = {};
        ThreadOptions high;
        high.priority = AXO_PRIORITY_DEFAULT + 10;
        axo_thread_id_t tick = spawn(ticker, &t, high);
        sleep_us(5000);
        uint32_t before = t.wakeups;
        t.max_gap = 0;
        bool ok = true;
        uint64_t start = rdtsc();
        if (w.map) {
            axo_thread_id_t r = spawn(whole_space_receiver, nullptr);
            ok = r != AXO_NIL_THREAD && wait_state(r, AXO_STATE_RECEIVING);
            axo_utcb_t* u = utcb();
            u->mr[0] = axo_msg_tag(kLabel, 1, 62);
            u->mr[1] = 0;
            for (uint32_t i = 0; i < 31; ++i) {
                u->mr[2 + 2 * i] = axo_map_item_word0(kHalfBase, 0);
                u->mr[3 + 2 * i] = axo_fpage(kHalfBase, 31, AXO_FPAGE_RWX);
            }
            axo_ipc_send(r, axo_timeout_us(5000000));
            axo_msg_tag_t tag = u->mr[0];
            uint32_t result = 1;
            ok = ok && !axo_tag_failed(tag) && wait_done(r, &result, 5000000) && result == 0;
        } else {
            axo_utcb_t* u = utcb();
            for (uint32_t i = 0; i < 64; ++i)
                u->mr[i] = axo_io_fpage(0, 16);
            ok = axo_unmap(AXO_UNMAP_COUNT_MASK) == AXO_OK;
        }
        uint64_t took = rdtsc() - start;
        sleep_us(5000);
        t.stop = true;
        bool stopped = wait_done(tick);
        uint32_t gap_ms = per_ms ? static_cast<uint32_t>(t.max_gap / per_ms) : 0;
        uint32_t took_ms = per_ms ? static_cast<uint32_t>(took / per_ms) : 0;
        // A kernel that does the work in one piece keeps the ticker waiting for all of it;
        // QEMU's clock follows the host's, so under host load the limit is also relative.
        bool bounded = gap_ms <= 20 || gap_ms * 2 <= took_ms;
        check(ok && stopped && t.wakeups > before && bounded,
              "%s: a higher-priority 1 ms ticker never waits more than 20 ms or half the "
              "work (longest gap %u ms, "
              "the work took %u ms, %u wake-ups)",
              w.what, gap_ms, took_ms, t.wakeups - before);
        cleanup();
    }
}

} // namespace

void message_rewrite_tests() {
    user_sized_work_is_preemptible();
    rewritten_while_queued();
}

} // namespace kt
