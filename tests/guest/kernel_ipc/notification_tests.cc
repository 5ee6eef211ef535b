// Notifications (abi.h): bits set without blocking, while the target runs, waits in a receive
// or in a call to someone else; many senders under a seeded random interleaving; a stale
// target and bad arguments. The refusal of a sender of another space is a kernel-memory test
// (it needs a second space).
#include "harness.h"
#include "tests.h"

namespace kt {
namespace {

constexpr uint32_t kNever = axo_timeouts(AXO_TIMEOUT_NEVER, AXO_TIMEOUT_NEVER);

struct Result {
    axo_thread_id_t from;
    axo_msg_tag_t tag;
    uint32_t error, bits, phase;
};

// An ipc that pending bits of `mask` may end, with `tag` as the message's tag.
Result notify_ipc(axo_thread_id_t to, axo_thread_id_t from, uint32_t timeouts, uint32_t mask,
                  axo_msg_tag_t tag) {
    axo_utcb_t* u = utcb();
    u->notify_mask = mask;
    u->mr[0] = tag | AXO_TAG_FLAG_NOTIFY;
    Result r = {};
    r.from = axo_ipc(to, from, timeouts);
    r.tag = u->mr[0];
    r.error = axo_tag_failed(r.tag) ? u->error : 0;
    r.bits = u->mr[AXO_NOTIFY_BITS];
    r.phase = u->mr[AXO_NOTIFY_PHASE];
    return r;
}

// Waits for bits only: a closed receive from σ0, which never sends unasked.
Result wait_bits(uint32_t mask, axo_timeout_t timeout) {
    return notify_ipc(AXO_NIL_THREAD, g_sigma0, axo_timeouts(AXO_TIMEOUT_NEVER, timeout), mask,
                      axo_msg_tag(0, 0, 0));
}

bool notified(const Result& r, uint32_t bits, uint32_t phase) {
    return axo_ipc_notified(r.from, r.tag) && r.tag == axo_msg_tag(AXO_LABEL_NOTIFY, 2, 0) &&
           r.bits == bits && r.phase == phase;
}

// ipc_failed_with for a result another thread recorded.
bool failed_with(axo_msg_tag_t tag, uint32_t error, uint32_t code, bool receive_phase) {
    return axo_tag_failed(tag) && error == ipc_error_word(code, receive_phase);
}

struct ResultText {
    char text[96];
};
ResultText text(const Result& r) {
    ResultText t;
    if (axo_tag_failed(r.tag)) {
        rt_snprintf(t.text, sizeof t.text, "failed: %s", ipc_error_text(r.error).text);
    } else {
        rt_snprintf(t.text, sizeof t.text, "from %x, tag %x, MR1 %x, MR2 %x", r.from, r.tag, r.bits,
                    r.phase);
    }
    return t;
}

void park() {
    axo_ipc_receive(g_sigma0, AXO_TIMEOUT_NEVER);
}

// ---- A target that runs -------------------------------------------------------------------------

struct RunningTarget {
    volatile uint32_t running, go;
    Result r;
};

void spin_then_wait(void* arg) {
    auto* t = static_cast<RunningTarget*>(arg);
    t->running = 1;
    while (!t->go)
        axo_thread_switch(AXO_NIL_THREAD);
    t->r = wait_bits(0xFF, axo_timeout_us(1000000));
    send_done(0);
    park();
}

void while_running() {
    static RunningTarget t;
    t = {};
    axo_thread_id_t id = spawn(spin_then_wait, &t);
    for (uint32_t i = 0; id != AXO_NIL_THREAD && !t.running && i < 1000; ++i)
        axo_thread_switch(id);
    uint32_t state = thread_state(id);
    uint32_t error = axo_notify(id, 0x5);
    t.go = 1;
    bool done = wait_done(id);
    check(id != AXO_NIL_THREAD && (state & (AXO_STATE_SENDING | AXO_STATE_RECEIVING)) == 0 &&
              error == AXO_OK && done && notified(t.r, 0x5, AXO_NOTIFY_IN_RECEIVE),
          "bits sent to a running thread wait for it: its next ipc that accepts them returns "
          "them at once (state %x, error %u, %s)",
          state, error, text(t.r).text);
    cleanup();
}

// ---- A target in a receive ----------------------------------------------------------------------

struct ReceivingTarget {
    Result first, second, third;
};

void wait_masked(void* arg) {
    auto* t = static_cast<ReceivingTarget*>(arg);
    t->first = wait_bits(0x0F, AXO_TIMEOUT_NEVER);
    t->second = wait_bits(0x100, AXO_TIMEOUT_ZERO);
    t->third = wait_bits(~0u, AXO_TIMEOUT_ZERO);
    send_done(0);
    park();
}

void wakes_receiver() {
    static ReceivingTarget t;
    t = {};
    axo_thread_id_t id = spawn(wait_masked, &t);
    bool waiting = wait_state(id, AXO_STATE_RECEIVING);
    uint32_t outside = axo_notify(id, 0x100);
    sleep_us(3000);
    bool still = (thread_state(id) & AXO_STATE_RECEIVING) != 0;
    check(waiting && outside == AXO_OK && still,
          "a bit outside the receiver's notify_mask is set but does not end its receive "
          "(error %u)",
          outside);
    uint32_t inside = axo_notify(id, 0x3);
    bool done = wait_done(id);
    check(done && inside == AXO_OK && notified(t.first, 0x3, AXO_NOTIFY_IN_RECEIVE),
          "bits of the mask end a receive that waits for them: from nil, label "
          "AXO_LABEL_NOTIFY, MR1 = the bits, MR2 = receive phase (%s)",
          text(t.first).text);
    check(done && notified(t.second, 0x100, AXO_NOTIFY_IN_RECEIVE),
          "the bit outside the mask stayed pending and a later receive for it takes it (%s)",
          text(t.second).text);
    check(done && failed_with(t.third.tag, t.third.error, AXO_IPC_TIMEOUT, true),
          "taken bits are gone: a third receive for any bit times out (%s)", text(t.third).text);
    cleanup();
}

struct PlainTarget {
    Result plain, after;
};

void plain_receive(void* arg) {
    auto* t = static_cast<PlainTarget*>(arg);
    axo_ipc_receive(g_sigma0, axo_timeout_us(20000));
    t->plain = {AXO_NIL_THREAD, utcb()->mr[0], utcb()->error, 0, 0};
    t->after = wait_bits(0x1, AXO_TIMEOUT_ZERO);
    send_done(0);
    park();
}

void plain_receive_not_woken() {
    static PlainTarget t;
    t = {};
    axo_thread_id_t id = spawn(plain_receive, &t);
    bool waiting = wait_state(id, AXO_STATE_RECEIVING);
    uint32_t error = axo_notify(id, 0x1);
    bool done = wait_done(id);
    check(waiting && error == AXO_OK && done &&
              failed_with(t.plain.tag, t.plain.error, AXO_IPC_TIMEOUT, true) &&
              notified(t.after, 0x1, AXO_NOTIFY_IN_RECEIVE),
          "an ipc without AXO_TAG_FLAG_NOTIFY is not ended by bits (it times out); they wait for "
          "the next one that asks (%s)",
          text(t.after).text);
    cleanup();
}

struct MessageOrBits {
    Result message, bits;
};

void message_or_bits_target(void* arg) {
    auto* t = static_cast<MessageOrBits*>(arg);
    t->message = notify_ipc(AXO_NIL_THREAD, AXO_ANY_THREAD, kNever, 0xFF, axo_msg_tag(0, 0, 0));
    t->bits = notify_ipc(AXO_NIL_THREAD, AXO_ANY_THREAD, kNever, 0xFF, axo_msg_tag(0, 0, 0));
    send_done(0);
    park();
}

void message_or_bits() {
    static MessageOrBits t;
    t = {};
    axo_thread_id_t id = spawn(message_or_bits_target, &t);
    bool waiting = wait_state(id, AXO_STATE_RECEIVING);
    uint32_t word = 0x1234;
    set_message(0x77, 1, &word);
    axo_msg_tag_t sent = axo_ipc_send(id, axo_timeout_us(100000));
    bool again = wait_state(id, AXO_STATE_RECEIVING);
    uint32_t error = axo_notify(id, 0x80);
    bool done = wait_done(id);
    check(waiting && !axo_tag_failed(sent) && t.message.from == g_root &&
              axo_tag_label(t.message.tag) == 0x77 && t.message.bits == 0x1234,
          "a thread waiting for a message or bits gets a message as usual (%s)",
          text(t.message).text);
    check(again && error == AXO_OK && done && notified(t.bits, 0x80, AXO_NOTIFY_IN_RECEIVE),
          "... and then bits, told apart by from = nil and AXO_LABEL_NOTIFY (%s)",
          text(t.bits).text);
    cleanup();
}

// ---- A target in a call to someone else ---------------------------------------------------------

struct CallTest {
    axo_thread_id_t client, server;
    Result call;
    axo_msg_tag_t request;
    axo_msg_tag_t late_reply;
    uint32_t late_reply_error;
};

// Takes the client's request and answers only when the root task says so.
void slow_server(void* arg) {
    auto* t = static_cast<CallTest*>(arg);
    axo_ipc_receive(t->client, AXO_TIMEOUT_NEVER);
    t->request = utcb()->mr[0];
    axo_ipc_receive(g_root, AXO_TIMEOUT_NEVER);
    utcb()->mr[0] = axo_msg_tag(0x5E, 0, 0);
    t->late_reply = axo_ipc_send(t->client, AXO_TIMEOUT_ZERO);
    t->late_reply_error = utcb()->error;
    send_done(0);
    park();
}

void interruptible_client(void* arg) {
    auto* t = static_cast<CallTest*>(arg);
    t->call = notify_ipc(t->server, t->server, kNever, 0x4, axo_msg_tag(0x99, 0, 0));
    send_done(0);
    park();
}

void call_ended_in_receive() {
    static CallTest t;
    t = {};
    t.client = fresh_id();
    t.server = fresh_id();
    bool started = create(t.client) == AXO_OK && create(t.server) == AXO_OK &&
                   run(t.server, slow_server, &t) == AXO_OK &&
                   run(t.client, interruptible_client, &t) == AXO_OK;
    bool waiting = started && wait_state(t.client, AXO_STATE_RECEIVING);
    sleep_us(2000);
    uint32_t error = axo_notify(t.client, 0x4);
    bool done = wait_done(t.client);
    check(waiting && axo_tag_label(t.request) == 0x99 && error == AXO_OK && done &&
              notified(t.call, 0x4, AXO_NOTIFY_IN_RECEIVE),
          "bits end a call waiting for another thread's reply: the request was delivered, "
          "MR2 = receive phase (%s)",
          text(t.call).text);
    set_message(1, 0, nullptr);
    axo_msg_tag_t go = axo_ipc_send(t.server, axo_timeout_us(100000));
    bool server_done = !axo_tag_failed(go) && wait_done(t.server);
    check(server_done && axo_tag_failed(t.late_reply) &&
              t.late_reply_error == ipc_error_word(AXO_IPC_TIMEOUT, false),
          "the server's later reply (zero send timeout) fails cleanly with a send-phase timeout: "
          "the client no longer waits for it (%s)",
          ipc_error_text(t.late_reply_error).text);
    cleanup();
}

struct SendTest {
    axo_thread_id_t client, server;
    Result call;
    axo_msg_tag_t aborted, after;
    uint32_t after_error;
};

// Busy elsewhere until aborted; then looks whether a message is waiting for it.
void busy_server(void* arg) {
    auto* t = static_cast<SendTest*>(arg);
    axo_ipc_receive(g_sigma0, AXO_TIMEOUT_NEVER);
    t->aborted = utcb()->mr[0];
    axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_ZERO);
    t->after = utcb()->mr[0];
    t->after_error = utcb()->error;
    send_done(0);
    park();
}

void client_of_busy(void* arg) {
    auto* t = static_cast<SendTest*>(arg);
    t->call = notify_ipc(t->server, t->server, kNever, 0x8, axo_msg_tag(0x98, 0, 0));
    send_done(0);
    park();
}

void call_ended_in_send() {
    static SendTest t;
    t = {};
    t.client = fresh_id();
    t.server = fresh_id();
    bool started = create(t.client) == AXO_OK && create(t.server) == AXO_OK &&
                   run(t.server, busy_server, &t) == AXO_OK &&
                   run(t.client, client_of_busy, &t) == AXO_OK;
    bool sending = started && wait_state(t.client, AXO_STATE_SENDING);
    uint32_t error = axo_notify(t.client, 0x8);
    bool done = wait_done(t.client);
    check(sending && error == AXO_OK && done && notified(t.call, 0x8, AXO_NOTIFY_IN_SEND),
          "bits end a call still waiting to send: MR2 = send phase (%s)", text(t.call).text);
    axo_exreg_t regs = {};
    regs.control = AXO_EXREG_ABORT_RECEIVE;
    axo_exchange_registers(t.server, &regs);
    bool server_done = wait_done(t.server);
    check(server_done && failed_with(t.after, t.after_error, AXO_IPC_TIMEOUT, true),
          "... and nothing was sent: the server finds no message waiting (error %s)",
          ipc_error_text(t.after_error).text);
    cleanup();
}

// A reply that can go out at once is never held back by pending bits: reply-and-wait with
// bits pending delivers the reply, then returns the bits.
struct ReplyTest {
    axo_thread_id_t client, server;
    Result server_ipc;
    axo_msg_tag_t reply;
};

void replying_server(void* arg) {
    auto* t = static_cast<ReplyTest*>(arg);
    axo_thread_id_t from = axo_ipc_receive(t->client, AXO_TIMEOUT_NEVER);
    // Bits arrive while it works on the request.
    axo_notify(rt_my_id(), 0x10);
    t->server_ipc =
        notify_ipc(from, AXO_ANY_THREAD, axo_timeouts(AXO_TIMEOUT_ZERO, AXO_TIMEOUT_NEVER), 0x10,
                   axo_msg_tag(0x66, 0, 0));
    send_done(0);
    park();
}

void calling_client(void* arg) {
    auto* t = static_cast<ReplyTest*>(arg);
    utcb()->mr[0] = axo_msg_tag(0x65, 0, 0);
    t->reply = axo_ipc_call(t->server, kNever);
    send_done(0);
    park();
}

void reply_wait_with_bits_pending() {
    static ReplyTest t;
    t = {};
    t.client = fresh_id();
    t.server = fresh_id();
    bool started = create(t.client) == AXO_OK && create(t.server) == AXO_OK &&
                   run(t.server, replying_server, &t) == AXO_OK &&
                   run(t.client, calling_client, &t) == AXO_OK;
    bool client_done = started && wait_done(t.client);
    bool server_done = started && wait_done(t.server);
    check(client_done && server_done && !axo_tag_failed(t.reply) &&
              axo_tag_label(t.reply) == 0x66 && notified(t.server_ipc, 0x10, AXO_NOTIFY_IN_RECEIVE),
          "reply-and-wait with bits pending delivers the reply, then returns the bits (reply "
          "%x, server %s)",
          t.reply, text(t.server_ipc).text);
    cleanup();
}

// ---- Many senders -----------------------------------------------------------------------------

// kSenders threads own kBitsEach bits each and set every one of them kRounds times, in a
// seeded random order with random yields; a bit is set again only after the receiver took it
// (a word cannot count). The receiver counts what it takes: each bit exactly kRounds times.
constexpr uint32_t kSenders = 4;
constexpr uint32_t kBitsEach = 8;
constexpr uint32_t kRounds = 16;

struct ManySenders {
    axo_thread_id_t receiver;
    volatile uint32_t taken[kSenders * kBitsEach];
    uint32_t sent[kSenders];
    uint32_t send_errors[kSenders];
    uint32_t duplicates;
    uint32_t receive_failures;
    uint32_t total;
    uint32_t wakeups;
};
ManySenders g_many;

struct Random {
    uint32_t state;
    uint32_t next() {
        state = state * 1103515245u + 12345u;
        return state >> 16;
    }
};

void many_receiver(void*) {
    ManySenders& m = g_many;
    const uint32_t expected = kSenders * kBitsEach * kRounds;
    while (m.total < expected) {
        Result r = wait_bits(~0u, axo_timeout_us(2000000));
        if (!notified(r, r.bits, AXO_NOTIFY_IN_RECEIVE) || r.bits == 0) {
            ++m.receive_failures;
            break;
        }
        ++m.wakeups;
        for (uint32_t b = 0; b < kSenders * kBitsEach; ++b) {
            if (!(r.bits & (1u << b))) continue;
            ++m.total;
            if (m.taken[b] >= kRounds) ++m.duplicates;
            m.taken[b] = m.taken[b] + 1;
        }
    }
    send_done(0);
    park();
}

void many_sender(void* arg) {
    uint32_t index = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(arg));
    ManySenders& m = g_many;
    Random random{0x5EED0000u + index};
    for (uint32_t round = 0; round < kRounds; ++round) {
        uint32_t order[kBitsEach];
        for (uint32_t i = 0; i < kBitsEach; ++i)
            order[i] = i;
        for (uint32_t i = kBitsEach - 1; i > 0; --i) {
            uint32_t j = random.next() % (i + 1);
            uint32_t swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        for (uint32_t i = 0; i < kBitsEach; ++i) {
            uint32_t bit = index * kBitsEach + order[i];
            // Its previous setting must have been taken; more would be a duplicate.
            for (uint32_t spins = 0; m.taken[bit] < round && spins < 100000; ++spins)
                axo_thread_switch(AXO_NIL_THREAD);
            if (m.taken[bit] != round) {
                ++m.send_errors[index];
                continue;
            }
            if (axo_notify(m.receiver, 1u << bit) == AXO_OK)
                ++m.sent[index];
            else
                ++m.send_errors[index];
            if (random.next() % 3 == 0) axo_thread_switch(AXO_NIL_THREAD);
        }
    }
    send_done(0);
    park();
}

void many_senders() {
    ManySenders& m = g_many;
    for (uint32_t b = 0; b < kSenders * kBitsEach; ++b)
        m.taken[b] = 0;
    m.duplicates = m.receive_failures = m.total = m.wakeups = 0;
    for (uint32_t i = 0; i < kSenders; ++i)
        m.sent[i] = m.send_errors[i] = 0;
    m.receiver = spawn(many_receiver, nullptr);
    axo_thread_id_t senders[kSenders];
    for (uint32_t i = 0; i < kSenders; ++i)
        senders[i] = spawn(many_sender, reinterpret_cast<void*>(static_cast<uintptr_t>(i)));
    bool all_done = true;
    for (uint32_t i = 0; i < kSenders; ++i)
        all_done &= wait_done(senders[i], nullptr, 10000000);
    all_done &= wait_done(m.receiver, nullptr, 10000000);
    uint32_t sent = 0, errors = 0, exact = 0;
    for (uint32_t i = 0; i < kSenders; ++i) {
        sent += m.sent[i];
        errors += m.send_errors[i];
    }
    for (uint32_t b = 0; b < kSenders * kBitsEach; ++b)
        exact += m.taken[b] == kRounds;
    diag("many senders: %u bits sent, %u taken in %u wake-ups", sent, m.total, m.wakeups);
    check(all_done && errors == 0 && m.receive_failures == 0 && m.duplicates == 0 &&
              sent == kSenders * kBitsEach * kRounds && m.total == sent &&
              exact == kSenders * kBitsEach,
          "%u senders x %u bits x %u rounds in a seeded random interleaving: every bit set is "
          "taken exactly once (errors %u, failed receives %u, duplicates %u, %u of %u bits exact)",
          kSenders, kBitsEach, kRounds, errors, m.receive_failures, m.duplicates, exact,
          kSenders * kBitsEach);
    cleanup();
}

// ---- Refusals
// -------------------------------------------------------------------------------------

void bad_targets() {
    axo_thread_id_t stale = fresh_id();
    bool made = create(stale) == AXO_OK && rt_thread_delete(stale) == AXO_OK;
    forget(stale);
    uint32_t to_stale = axo_notify(stale, 1);
    uint32_t to_nil = axo_notify(AXO_NIL_THREAD, 1);
    uint32_t to_any = axo_notify(AXO_ANY_THREAD, 1);
    uint32_t to_irq = axo_notify(axo_irq_thread(1), 1);
    uint32_t to_idle = axo_notify(axo_thread_id(31, 1), 1);
    check(made && to_stale == AXO_ERR_INVALID_THREAD && to_nil == AXO_ERR_INVALID_THREAD &&
              to_any == AXO_ERR_INVALID_THREAD && to_irq == AXO_ERR_INVALID_THREAD &&
              to_idle == AXO_ERR_INVALID_THREAD,
          "notify to a deleted thread's stale id, nil, any, an interrupt thread and the idle "
          "thread: AXO_ERR_INVALID_THREAD (%u %u %u %u %u)",
          to_stale, to_nil, to_any, to_irq, to_idle);
    uint32_t zero = axo_notify(g_root, 0);
    check(zero == AXO_ERR_INVALID_PARAM, "notify with no bits: AXO_ERR_INVALID_PARAM (%u)", zero);

    uint32_t control_stale = axo_notify_control(stale, g_root, 1);
    uint32_t control_nil = axo_notify_control(g_root, AXO_NIL_THREAD, 1);
    uint32_t control_any = axo_notify_control(g_root, AXO_ANY_THREAD, 1);
    check(control_stale == AXO_ERR_INVALID_THREAD && control_nil == AXO_ERR_INVALID_THREAD &&
              control_any == AXO_ERR_INVALID_THREAD,
          "notify_control on a stale target, or granting nil or any: AXO_ERR_INVALID_THREAD "
          "(%u %u %u)",
          control_stale, control_nil, control_any);

    axo_thread_id_t target = fresh_id();
    bool created = create(target) == AXO_OK;
    uint32_t granted = 0;
    for (uint32_t i = 0; i < AXO_NOTIFY_GRANTS; ++i)
        granted += axo_notify_control(target, axo_thread_id(900 + i, 1), 1u << i) == AXO_OK;
    uint32_t full = axo_notify_control(target, axo_thread_id(950, 1), 1);
    uint32_t revoke = axo_notify_control(target, axo_thread_id(900, 1), 0);
    uint32_t reuse = axo_notify_control(target, axo_thread_id(950, 1), 1);
    check(created && granted == AXO_NOTIFY_GRANTS && full == AXO_ERR_NO_MEMORY &&
              revoke == AXO_OK && reuse == AXO_OK,
          "a thread holds %u grants; one more is AXO_ERR_NO_MEMORY until one is revoked "
          "(%u ok, then %u %u %u)",
          AXO_NOTIFY_GRANTS, granted, full, revoke, reuse);
    cleanup();
}

} // namespace

void notification_tests() {
    while_running();
    wakes_receiver();
    plain_receive_not_woken();
    message_or_bits();
    call_ended_in_receive();
    call_ended_in_send();
    reply_wait_with_bits_pending();
    many_senders();
    bad_targets();
}

} // namespace kt
