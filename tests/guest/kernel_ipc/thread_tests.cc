// Thread ids unique in time, deletion of a thread in the middle of IPC, and
// exchange_registers cutting IPC short or halting a thread.
#include "harness.h"
#include "tests.h"

namespace kt {
namespace {

constexpr uint32_t kTenMs = 10000;

void busy_elsewhere(void*) {
    axo_ipc_receive(g_sigma0, AXO_TIMEOUT_NEVER);
}

// Answers calls from the root task with MR1 + 1, counting them.
void echo(void* arg) {
    auto* count = static_cast<volatile uint32_t*>(arg);
    axo_utcb_t* u = utcb();
    axo_ipc_receive(g_root, AXO_TIMEOUT_NEVER);
    for (;;) {
        if (axo_tag_failed(u->mr[0])) {
            axo_ipc_receive(g_root, AXO_TIMEOUT_NEVER);
            continue;
        }
        *count = *count + 1;
        u->mr[0] = axo_msg_tag(0xEC, 1, 0);
        u->mr[1] = u->mr[1] + 1;
        axo_ipc(g_root, g_root, (uint32_t{AXO_TIMEOUT_ZERO} << 16) | AXO_TIMEOUT_NEVER);
    }
}

// ---- Stale ids -------------------------------------------------------------------------------

void stale_ids() {
    axo_thread_id_t old_id = fresh_id();
    uint32_t number = axo_thread_number(old_id);
    axo_thread_id_t new_id = axo_thread_id(number, 2);

    bool parked = create(old_id) == AXO_OK &&
                  run(
                      old_id, [](void*) {}, nullptr) == AXO_OK &&
                  wait_state(old_id, AXO_STATE_RECEIVING);
    uint32_t error = rt_thread_delete(old_id);
    forget(old_id);
    check(parked && error == AXO_OK, "a parked thread %u.1 is deleted (error %u)", number, error);

    utcb()->mr[0] = axo_msg_tag(1, 0, 0);
    axo_msg_tag_t tag = axo_ipc_send(old_id, axo_timeout_us(kTenMs));
    check(ipc_failed_with(tag, AXO_IPC_NO_PARTNER, false),
          "send to the deleted thread's id fails: no partner, send phase (%s)",
          ipc_error_text(utcb()->error).text);
    utcb()->mr[0] = axo_msg_tag(1, 0, 0);
    tag = axo_ipc_call(old_id, axo_timeouts(axo_timeout_us(kTenMs), axo_timeout_us(kTenMs)));
    check(ipc_failed_with(tag, AXO_IPC_NO_PARTNER, false),
          "call to the deleted thread's id fails: no partner, send phase (%s)",
          ipc_error_text(utcb()->error).text);
    axo_ipc_receive(old_id, axo_timeout_us(kTenMs));
    check(ipc_failed_with(utcb()->mr[0], AXO_IPC_NO_PARTNER, true),
          "closed receive from the deleted thread's id fails: no partner, receive phase (%s)",
          ipc_error_text(utcb()->error).text);

    error = create(old_id);
    check(error == AXO_ERR_INVALID_THREAD,
          "creating thread %u.1 again is refused with AXO_ERR_INVALID_THREAD: its version is "
          "stale (error %u)",
          number, error);

    static volatile uint32_t echoed;
    echoed = 0;
    error = create(new_id);
    if (error == AXO_OK) error = run(new_id, echo, const_cast<uint32_t*>(&echoed));
    bool receiving = error == AXO_OK && wait_state(new_id, AXO_STATE_RECEIVING);
    check(receiving, "thread %u.2, a higher version of the same number, can be created (error %u)",
          number, error);

    utcb()->mr[0] = axo_msg_tag(1, 0, 0);
    tag = axo_ipc_send(old_id, axo_timeout_us(kTenMs));
    check(receiving && ipc_failed_with(tag, AXO_IPC_NO_PARTNER, false) && echoed == 0,
          "while %u.2 waits, a message to the stale id %u.1 fails and never reaches it (%s)",
          number, number, ipc_error_text(utcb()->error).text);

    uint32_t word = 41;
    set_message(1, 1, &word);
    tag = axo_ipc_call(new_id, axo_timeouts(axo_timeout_us(1000000), axo_timeout_us(1000000)));
    check(receiving && !axo_tag_failed(tag) && utcb()->mr[1] == 42 && echoed == 1,
          "thread %u.2 itself receives and replies normally", number);

    axo_exreg_t regs = {};
    uint32_t exchange = axo_exchange_registers(old_id, &regs);
    uint32_t switched = axo_thread_switch(old_id);
    uint32_t scheduled = axo_schedule(old_id, 0xFFFFFFFFu, 0, nullptr, nullptr);
    uint32_t deleted = rt_thread_delete(old_id);
    check(exchange == AXO_ERR_INVALID_THREAD && switched == AXO_ERR_INVALID_THREAD &&
              scheduled == AXO_ERR_INVALID_THREAD && deleted == AXO_ERR_INVALID_THREAD,
          "exchange_registers, thread_switch, schedule and thread_control reject the stale id "
          "with AXO_ERR_INVALID_THREAD (%u %u %u %u)",
          exchange, switched, scheduled, deleted);
    cleanup();
}

// ---- Deletion in the middle of IPC -----------------------------------------------------------

struct Outcome {
    axo_msg_tag_t tag;
    uint32_t error;
};

struct DeletionTest {
    axo_thread_id_t victim, sender, receiver, caller;
    Outcome sent, received, called;
};

// The victim accepts one call and never answers it, then waits for σ0: neither sending to
// anyone nor receiving from our sender.
void victim(void* arg) {
    auto* t = static_cast<DeletionTest*>(arg);
    axo_ipc_receive(t->caller, AXO_TIMEOUT_NEVER);
    axo_ipc_receive(g_sigma0, AXO_TIMEOUT_NEVER);
}

void record(Outcome* outcome) {
    outcome->tag = utcb()->mr[0];
    outcome->error = utcb()->error;
    send_done(0);
}

void blocked_sender(void* arg) {
    auto* t = static_cast<DeletionTest*>(arg);
    utcb()->mr[0] = axo_msg_tag(0x5E, 0, 0);
    axo_ipc_send(t->victim, AXO_TIMEOUT_NEVER);
    record(&t->sent);
}

void blocked_receiver(void* arg) {
    auto* t = static_cast<DeletionTest*>(arg);
    axo_ipc_receive(t->victim, AXO_TIMEOUT_NEVER);
    record(&t->received);
}

void blocked_caller(void* arg) {
    auto* t = static_cast<DeletionTest*>(arg);
    utcb()->mr[0] = axo_msg_tag(0xCA, 0, 0);
    axo_ipc_call(t->victim, (uint32_t{AXO_TIMEOUT_NEVER} << 16) | AXO_TIMEOUT_NEVER);
    record(&t->called);
}

bool woke_with(const Outcome& o, uint32_t code, bool receive_phase) {
    return axo_tag_failed(o.tag) && o.error == ipc_error_word(code, receive_phase);
}

void deletion_wakes_partners() {
    static DeletionTest t;
    t = {};
    t.victim = fresh_id();
    t.sender = fresh_id();
    t.receiver = fresh_id();
    t.caller = fresh_id();
    bool set_up = create(t.victim) == AXO_OK && create(t.sender) == AXO_OK &&
                  create(t.receiver) == AXO_OK && create(t.caller) == AXO_OK;
    // The caller counts as waiting for the reply once the victim has taken its message.
    set_up =
        set_up && run(t.victim, victim, &t) == AXO_OK &&
        run(t.caller, blocked_caller, &t) == AXO_OK && wait_state(t.caller, AXO_STATE_RECEIVING) &&
        wait_state(t.victim, AXO_STATE_RECEIVING) && run(t.sender, blocked_sender, &t) == AXO_OK &&
        wait_state(t.sender, AXO_STATE_SENDING) &&
        run(t.receiver, blocked_receiver, &t) == AXO_OK &&
        wait_state(t.receiver, AXO_STATE_RECEIVING);
    check(set_up, "set-up: one thread blocked sending to X, one receiving from X, one waiting "
                  "for X's reply");

    uint32_t error = rt_thread_delete(t.victim);
    forget(t.victim);
    check(set_up && error == AXO_OK, "X is deleted while they wait (error %u)", error);

    bool sent = wait_done(t.sender), received = wait_done(t.receiver), called = wait_done(t.caller);
    check(sent && woke_with(t.sent, AXO_IPC_NO_PARTNER, false),
          "the thread blocked sending to X wakes with no partner, send phase (%s)",
          ipc_error_text(t.sent.error).text);
    check(received && woke_with(t.received, AXO_IPC_NO_PARTNER, true),
          "the thread in a closed receive from X wakes with no partner, receive phase (%s)",
          ipc_error_text(t.received.error).text);
    check(called && woke_with(t.called, AXO_IPC_NO_PARTNER, true),
          "the caller waiting for X's reply wakes with no partner, receive phase (%s)",
          ipc_error_text(t.called.error).text);
    cleanup();
}

// ---- exchange_registers: abort and halt ------------------------------------------------------

void open_receiver(void* arg) {
    axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
    record(static_cast<Outcome*>(arg));
}

struct SendTo {
    axo_thread_id_t target;
    Outcome outcome;
};

void sender_to(void* arg) {
    auto* s = static_cast<SendTo*>(arg);
    utcb()->mr[0] = axo_msg_tag(1, 0, 0);
    axo_ipc_send(s->target, AXO_TIMEOUT_NEVER);
    record(&s->outcome);
}

void abort_ipc() {
    static Outcome received;
    static SendTo sent;
    received = {};
    sent = {};
    axo_thread_id_t receiver = spawn(open_receiver, &received);
    bool waiting = receiver != AXO_NIL_THREAD && wait_state(receiver, AXO_STATE_RECEIVING);
    axo_exreg_t regs = {};
    regs.control = AXO_EXREG_ABORT_RECEIVE;
    uint32_t error = axo_exchange_registers(receiver, &regs);
    bool reported = waiting && wait_done(receiver);
    check(reported && error == AXO_OK && (regs.control & AXO_STATE_RECEIVING) != 0 &&
              woke_with(received, AXO_IPC_CANCELLED, true),
          "exchange_registers aborts a receive: cancelled, receive phase (%s, old state %x)",
          ipc_error_text(received.error).text, regs.control);

    sent.target = spawn(busy_elsewhere, nullptr);
    axo_thread_id_t sender = spawn(sender_to, &sent);
    waiting = sent.target != AXO_NIL_THREAD && sender != AXO_NIL_THREAD &&
              wait_state(sender, AXO_STATE_SENDING);
    regs = {};
    regs.control = AXO_EXREG_ABORT_SEND;
    error = axo_exchange_registers(sender, &regs);
    reported = waiting && wait_done(sender);
    check(reported && error == AXO_OK && (regs.control & AXO_STATE_SENDING) != 0 &&
              woke_with(sent.outcome, AXO_IPC_CANCELLED, false),
          "exchange_registers aborts a send: cancelled, send phase (%s, old state %x)",
          ipc_error_text(sent.outcome.error).text, regs.control);
    cleanup();
}

void spin(void* arg) {
    auto* counter = static_cast<volatile uint32_t*>(arg);
    for (;;)
        *counter = *counter + 1;
}

void halt_and_resume() {
    static volatile uint32_t counter;
    counter = 0;
    // Below the root task: it runs only while the root task sleeps.
    axo_thread_id_t spinner = spawn(spin, const_cast<uint32_t*>(&counter), {.priority = 50});
    sleep_us(5000);
    uint32_t before_halt = counter;

    axo_exreg_t regs = {};
    regs.control = AXO_EXREG_HALT;
    uint32_t error = axo_exchange_registers(spinner, &regs);
    uint32_t state = thread_state(spinner);
    uint32_t at_halt = counter;
    sleep_us(5000);
    uint32_t after_sleep = counter;
    check(spinner != AXO_NIL_THREAD && before_halt > 0 && error == AXO_OK &&
              (state & AXO_STATE_HALTED) != 0 && after_sleep == at_halt,
          "exchange_registers halts a running thread: state halted, it runs no more (state %x, "
          "count %u then %u)",
          state, at_halt, after_sleep);

    regs = {};
    regs.control = AXO_EXREG_RESUME;
    error = axo_exchange_registers(spinner, &regs);
    sleep_us(5000);
    uint32_t after_resume = counter;
    check(error == AXO_OK && after_resume > after_sleep,
          "exchange_registers resumes it where it stopped (count %u)", after_resume);
    cleanup();
}

} // namespace

void thread_tests() {
    stale_ids();
    deletion_wakes_partners();
    abort_ipc();
    halt_and_resume();
}

} // namespace kt
