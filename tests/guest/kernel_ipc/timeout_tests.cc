// IPC timeouts: zero timeouts fail at once in the right phase, relative ones fire no earlier
// than asked (by the KIP clock) and in deadline order.
#include "harness.h"
#include "tests.h"

namespace kt {
namespace {

// Blocks in a closed receive from σ0: alive, but never receiving from anyone else.
void busy_elsewhere(void*) {
    axo_ipc_receive(g_sigma0, AXO_TIMEOUT_NEVER);
}

// Waits for one message from the root task and reports what it got.
void waits_for_root(void* arg) {
    auto* got = static_cast<uint32_t*>(arg);
    axo_ipc_receive(g_root, AXO_TIMEOUT_NEVER);
    axo_msg_tag_t tag = utcb()->mr[0];
    *got = axo_tag_failed(tag) ? 0 : utcb()->mr[1];
    send_done(0);
}

uint32_t elapsed_since(uint64_t t0) {
    return static_cast<uint32_t>(now_us() - t0);
}

void send_timeouts() {
    axo_thread_id_t busy = spawn(busy_elsewhere, nullptr);
    bool ready = busy != AXO_NIL_THREAD && wait_state(busy, AXO_STATE_RECEIVING);

    utcb()->mr[0] = axo_msg_tag(1, 0, 0);
    uint64_t t0 = now_us();
    axo_msg_tag_t tag = axo_ipc_send(busy, AXO_TIMEOUT_ZERO);
    uint32_t took = elapsed_since(t0);
    check(ready && ipc_failed_with(tag, AXO_IPC_TIMEOUT, false),
          "send with a zero timeout to a thread not receiving from us fails at once: timeout "
          "in the send phase (%s, %u us)",
          ipc_error_text(utcb()->error).text, took);

    utcb()->mr[0] = axo_msg_tag(1, 0, 0);
    t0 = now_us();
    tag = axo_ipc_send(busy, axo_timeout_us(3000));
    took = elapsed_since(t0);
    check(ready && ipc_failed_with(tag, AXO_IPC_TIMEOUT, false) && took >= 3000 && took < 1000000,
          "send with a 3 ms timeout to a thread not receiving from us times out after at least "
          "3 ms (%s, %u us)",
          ipc_error_text(utcb()->error).text, took);

    static uint32_t got;
    got = 0;
    axo_thread_id_t waiter = spawn(waits_for_root, &got);
    ready = waiter != AXO_NIL_THREAD && wait_state(waiter, AXO_STATE_RECEIVING);
    uint32_t word = 0x7E57;
    set_message(1, 1, &word);
    tag = axo_ipc_send(waiter, AXO_TIMEOUT_ZERO);
    bool delivered = !axo_tag_failed(tag) && wait_done(waiter) && got == word;
    check(ready && delivered,
          "send with a zero timeout to a thread waiting for us is delivered (error %x)",
          axo_tag_failed(tag) ? utcb()->error : 0);
    cleanup();
}

void receive_timeouts() {
    // Nobody is left to send to the root task.
    uint64_t t0 = now_us();
    axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_ZERO);
    uint32_t took = elapsed_since(t0);
    check(ipc_failed_with(utcb()->mr[0], AXO_IPC_TIMEOUT, true),
          "receive with a zero timeout and nobody sending fails at once: timeout in the "
          "receive phase (%s, %u us)",
          ipc_error_text(utcb()->error).text, took);

    static const uint32_t relative_us[] = {2000, 5000};
    for (uint32_t wanted : relative_us) {
        t0 = now_us();
        axo_ipc_receive(AXO_ANY_THREAD, axo_timeout_us(wanted));
        took = elapsed_since(t0);
        check(ipc_failed_with(utcb()->mr[0], AXO_IPC_TIMEOUT, true) && took >= wanted &&
                  took < wanted + 1000000,
              "an open receive with a %u ms timeout times out after at least %u ms by the KIP "
              "clock (%u us)",
              wanted / 1000, wanted / 1000, took);
    }

    axo_thread_id_t busy = spawn(busy_elsewhere, nullptr);
    bool ready = busy != AXO_NIL_THREAD && wait_state(busy, AXO_STATE_RECEIVING);
    t0 = now_us();
    axo_ipc_receive(busy, axo_timeout_us(2000));
    took = elapsed_since(t0);
    check(ready && ipc_failed_with(utcb()->mr[0], AXO_IPC_TIMEOUT, true) && took >= 2000,
          "a closed receive from a live thread that does not send times out (%s, %u us)",
          ipc_error_text(utcb()->error).text, took);
    cleanup();
}

// ---- Wake-up order ---------------------------------------------------------------------------

constexpr uint32_t kSleepers = 3;

struct Sleepers {
    uint32_t unit_us;
    uint64_t start_us;
    uint32_t order[kSleepers]; // multiples of unit_us, in the order the sleepers woke
    uint32_t woke_after_us[kSleepers];
    uint32_t count;
    uint32_t errors;
};

struct Sleeper {
    Sleepers* shared;
    uint32_t units;
};

void sleeper(void* arg) {
    auto* s = static_cast<Sleeper*>(arg);
    Sleepers* shared = s->shared;
    axo_ipc_receive(AXO_ANY_THREAD, axo_timeout_us(s->units * shared->unit_us));
    if (!ipc_failed_with(utcb()->mr[0], AXO_IPC_TIMEOUT, true)) ++shared->errors;
    uint32_t slot = __atomic_fetch_add(&shared->count, 1, __ATOMIC_SEQ_CST);
    if (slot < kSleepers) {
        shared->order[slot] = s->units;
        shared->woke_after_us[slot] = static_cast<uint32_t>(now_us() - shared->start_us);
    }
    send_done(0);
}

void wakeup_order() {
    static Sleepers shared;
    static Sleeper sleepers[kSleepers];
    shared = {};
    // 1 ms steps, or whole ticks if a tick is longer, so every deadline is on its own tick.
    uint32_t tick = rt_kip()->tick_us;
    shared.unit_us = tick > 1000 ? tick : 1000;
    shared.start_us = now_us();
    // Started in the order 6, 2, 4; at priority 120 each runs (and blocks) at once.
    const uint32_t units[kSleepers] = {6, 2, 4};
    axo_thread_id_t ids[kSleepers] = {};
    bool started = true;
    for (uint32_t i = 0; i < kSleepers; ++i) {
        sleepers[i] = {&shared, units[i]};
        ids[i] = spawn(sleeper, &sleepers[i], {.priority = 120});
        started = started && ids[i] != AXO_NIL_THREAD;
    }
    bool reported = started;
    for (uint32_t i = 0; i < kSleepers; ++i)
        reported = reported && wait_done(ids[i]);
    check(reported && shared.count == kSleepers && shared.errors == 0 && shared.order[0] == 2 &&
              shared.order[1] == 4 && shared.order[2] == 6,
          "threads with receive timeouts of 6, 2 and 4 units (1 unit = %u us) wake in the order "
          "2, 4, 6 (got %u, %u, %u)",
          shared.unit_us, shared.order[0], shared.order[1], shared.order[2]);
    bool none_early = reported;
    for (uint32_t i = 0; i < kSleepers; ++i)
        none_early = none_early && shared.woke_after_us[i] >= shared.order[i] * shared.unit_us;
    check(none_early, "no sleeper woke before its timeout (woke after %u, %u, %u us)",
          shared.woke_after_us[0], shared.woke_after_us[1], shared.woke_after_us[2]);
    cleanup();
}

} // namespace

void timeout_tests() {
    send_timeouts();
    receive_timeouts();
    wakeup_order();
}

} // namespace kt
