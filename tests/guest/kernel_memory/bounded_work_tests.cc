// Work whose size the user chooses is preemptible: 31 map items of 4 MiB of real memory each
// (31 744 mappings made in one IPC), and the unmap that revokes them all, while a
// higher-priority thread wakes every millisecond. The result is exactly that of an
// uninterrupted walk; deleting the receiver in the middle of the transfer ends the sender's
// IPC cleanly.
#include "memory_harness.h"
#include "tests.h"

namespace kt {
namespace {

constexpr uint32_t kWindow = 0x40000000; // the agent's 1 GiB window
constexpr uint32_t kItems = 31;
constexpr uint32_t kBlockLog2 = 22;
constexpr uint32_t kBlock = 1u << kBlockLog2;
constexpr uint32_t kGapLimitMs = 20;

inline uint64_t rdtsc() {
    uint32_t low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return (uint64_t{high} << 32) | low;
}

struct Ticker {
    volatile bool stop;
    volatile uint32_t wakeups;
    volatile uint64_t max_gap; // TSC cycles between two wake-ups
};

void ticker(void* arg) {
    auto* t = static_cast<Ticker*>(arg);
    uint64_t last = rdtsc();
    while (!t->stop) {
        sleep_us(1000);
        uint64_t now = rdtsc();
        if (now - last > t->max_gap) t->max_gap = now - last;
        last = now;
        t->wakeups = t->wakeups + 1;
    }
    send_done(0);
}

uint32_t tsc_per_ms() {
    uint64_t start = rdtsc();
    sleep_us(20000);
    return static_cast<uint32_t>((rdtsc() - start) / 20);
}

// The 31 items: the whole block each time, item i landing at kWindow + i × 4 MiB.
axo_msg_tag_t send_items(const Agent& agent, uint32_t block) {
    axo_utcb_t* u = utcb();
    u->mr[0] = axo_msg_tag(0xB1, 0, 2 * kItems);
    for (uint32_t i = 0; i < kItems; ++i) {
        u->mr[1 + 2 * i] = axo_map_item_word0(kWindow + i * kBlock, 0);
        u->mr[2 + 2 * i] = axo_fpage(block, kBlockLog2, AXO_FPAGE_RWX);
    }
    axo_timeout_t timeout = axo_timeout_us(5000000);
    return axo_ipc_call(agent.id, axo_timeouts(timeout, timeout));
}

struct Measured {
    uint32_t gap_ms, took_ms, wakeups;
    // A kernel that does the work in one piece keeps the ticker waiting for all of it;
    // QEMU's clock follows the host's, so under host load the limit is also relative.
    bool bounded() const { return gap_ms <= kGapLimitMs || gap_ms * 2 <= took_ms; }
};

template <class Work> Measured measure(uint32_t per_ms, Work work) {
    Ticker t = {};
    ThreadOptions high;
    high.priority = AXO_PRIORITY_DEFAULT + 20;
    axo_thread_id_t tick = spawn(ticker, &t, high);
    sleep_us(5000);
    uint32_t before = t.wakeups;
    t.max_gap = 0;
    uint64_t start = rdtsc();
    work();
    uint64_t took = rdtsc() - start;
    sleep_us(3000);
    t.stop = true;
    wait_done(tick);
    cleanup();
    return {static_cast<uint32_t>(t.max_gap / per_ms), static_cast<uint32_t>(took / per_ms),
            t.wakeups - before};
}

void large_map_and_unmap() {
    uint32_t per_ms = tsc_per_ms();
    uint32_t block = sigma0_memory(kBlockLog2);
    Agent a;
    bool ready =
        block && per_ms && agent_start(a) && agent_window(a, axo_fpage(kWindow, 30, AXO_FPAGE_RWX));
    // A mark in the first and last page of the block.
    bool marked =
        ready && try_write(block, 0x5EED0001) && try_write(block + kBlock - kPage, 0x5EED0002);
    axo_msg_tag_t reply = 0;
    Measured m = measure(per_ms, [&] { reply = marked ? send_items(a, block) : 0; });
    bool delivered = marked && !axo_tag_failed(reply) && axo_tag_label(reply) == AGENT_RECEIVED;
    check(delivered && m.bounded() && m.wakeups > 0,
          "31 map items of 4 MiB each (31744 mappings in one IPC): a higher-priority 1 ms ticker "
          "never waits more than %u ms or half the IPC (longest gap %u ms, the IPC took %u ms, %u "
          "wake-ups)",
          kGapLimitMs, m.gap_ms, m.took_ms, m.wakeups);
    uint32_t first = 0, last = 0;
    bool read_first = agent_read(a, kWindow, &first);
    bool read_last = agent_read(a, kWindow + (kItems - 1) * kBlock + kBlock - kPage, &last);
    check(read_first && read_last && first == 0x5EED0001 && last == 0x5EED0002,
          "every item landed where it belongs: the first page of the first, the last page of the "
          "last (%x, %x)",
          first, last);

    Measured u = measure(per_ms, [&] {
        utcb()->mr[0] = axo_fpage(block, kBlockLog2, AXO_FPAGE_RWX);
        (void)axo_unmap(0);
    });
    pager_map(a.id, kWindow, block, 0, 0); // a fault there is held, not answered
    uint32_t seen = 0;
    bool still = agent_read(a, kWindow + 7 * kBlock, &seen, kHeldTimeoutUs);
    check(u.bounded() && !still,
          "unmapping the block revokes all 31744 mappings, and the 1 ms ticker never waits more "
          "than %u ms or half the unmap (longest gap %u ms, the unmap took %u ms)",
          kGapLimitMs, u.gap_ms, u.took_ms);
    agent_stop(a);
}

struct Killer {
    axo_thread_id_t victim;
    uint32_t delay_us;
};

void killer(void* arg) {
    auto* k = static_cast<Killer*>(arg);
    sleep_us(k->delay_us);
    rt_thread_delete(k->victim);
    send_done(0);
}

// The receiver deleted while the 31 items are being carried out: the sender's IPC ends
// (AXO_IPC_ABORTED if the walk was preempted, else whatever came first), the kernel goes on.
void receiver_deleted_mid_transfer() {
    uint32_t block = sigma0_memory(kBlockLog2);
    Agent a;
    bool ready = block && agent_start(a) && agent_window(a, axo_fpage(kWindow, 30, AXO_FPAGE_RWX));
    Killer k = {a.id, 2000};
    ThreadOptions high;
    high.priority = AXO_PRIORITY_DEFAULT + 20;
    axo_thread_id_t kill = ready ? spawn(killer, &k, high) : AXO_NIL_THREAD;
    axo_msg_tag_t reply = ready ? send_items(a, block) : 0;
    uint32_t error = axo_tag_failed(reply) ? utcb()->error : 0;
    bool killed = kill != AXO_NIL_THREAD && wait_done(kill);
    a.id = AXO_NIL_THREAD; // deleted by the killer
    pager_forget(k.victim);
    // Also fine, if slower than the killer: delivered before the deletion (error 0).
    bool clean = error == 0 || error == ipc_error_word(AXO_IPC_ABORTED, false) ||
                 error == ipc_error_word(AXO_IPC_NO_PARTNER, true) ||
                 error == ipc_error_word(AXO_IPC_NO_PARTNER, false);
    Agent b;
    bool alive = agent_start(b);
    check(ready && killed && clean && alive,
          "the receiver deleted 2 ms into a transfer of 31 x 4 MiB: the sender's IPC fails "
          "cleanly (%s) and new spaces still work",
          ipc_error_text(error).text);
    agent_stop(b);
    utcb()->mr[0] = axo_fpage(block, kBlockLog2, AXO_FPAGE_RWX);
    (void)axo_unmap(0);
    cleanup();
}

} // namespace

void bounded_work_tests() {
    large_map_and_unmap();
    receiver_deleted_mid_transfer();
}

} // namespace kt
