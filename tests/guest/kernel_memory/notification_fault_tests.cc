// What needs a second space: who may notify a thread of another space (abi.h, Notifications),
// exchange_registers interrupting a thread that waits for its pager (it retries instead of
// halting), and a pager's answer that raises the fault at the exception handler.
#include "memory_harness.h"
#include "tests.h"

extern "C" const char agent_faulted[];

namespace kt {
namespace {

constexpr uint32_t kHeldAddress = 0x31000000;
constexpr uint32_t kRaisedAddress = 0x32000000;

// The agent makes notify or notify_control; eax after it, or 0xFFFFFFFF if it did not answer.
uint32_t agent_syscall(const Agent& a, uint32_t number, uint32_t ecx, uint32_t edx, uint32_t ebx) {
    uint32_t words[7] = {number, ecx, edx, ebx, 0, 0, 0};
    AgentReply r = agent_call(a, AGENT_SYSCALL, 7, words);
    return r.done() ? r.mr[1] : 0xFFFFFFFFu;
}

// The bits pending for the calling thread, taken at once (0 if none).
uint32_t take_my_bits() {
    axo_utcb_t* u = utcb();
    u->notify_mask = ~0u;
    u->mr[0] = axo_msg_tag(0, 0, 0) | AXO_TAG_FLAG_NOTIFY;
    axo_thread_id_t from =
        axo_ipc(AXO_NIL_THREAD, g_sigma0, axo_timeouts(AXO_TIMEOUT_NEVER, AXO_TIMEOUT_ZERO));
    return axo_ipc_notified(from, u->mr[0]) ? u->mr[AXO_NOTIFY_BITS] : 0;
}

void notify_across_spaces() {
    Agent a;
    bool started = agent_start(a);
    take_my_bits();
    uint32_t refused = agent_syscall(a, AXO_SYS_NOTIFY, g_root, 0x2, 0);
    uint32_t after_refusal = take_my_bits();
    check(started && refused == AXO_ERR_NO_PRIVILEGE && after_refusal == 0,
          "a thread of another, unprivileged space may not notify a thread that granted it "
          "nothing: AXO_ERR_NO_PRIVILEGE and no bit set (%u, bits %x)",
          refused, after_refusal);

    uint32_t granted = axo_notify_control(g_root, a.id, 0x6);
    uint32_t inside = agent_syscall(a, AXO_SYS_NOTIFY, g_root, 0x2, 0);
    uint32_t beyond = agent_syscall(a, AXO_SYS_NOTIFY, g_root, 0x9, 0);
    uint32_t bits = take_my_bits();
    check(granted == AXO_OK && inside == AXO_OK && beyond == AXO_ERR_NO_PRIVILEGE && bits == 0x2,
          "granted bits 0x6, it may set 0x2 but not 0x9: exactly 0x2 arrives (%u %u %u, bits %x)",
          granted, inside, beyond, bits);

    uint32_t self_grant = agent_syscall(a, AXO_SYS_NOTIFY_CONTROL, g_root, a.id, ~0u);
    check(self_grant == AXO_ERR_NO_PRIVILEGE,
          "it cannot grant itself bits of a thread of another space (%u)", self_grant);

    uint32_t revoked = axo_notify_control(g_root, a.id, 0);
    uint32_t after_revoke = agent_syscall(a, AXO_SYS_NOTIFY, g_root, 0x2, 0);
    check(revoked == AXO_OK && after_revoke == AXO_ERR_NO_PRIVILEGE && take_my_bits() == 0,
          "after the grant is revoked it is refused again (%u)", after_revoke);

    uint32_t from_root = axo_notify(a.id, 0x1);
    check(started && from_root == AXO_OK,
          "the root task may notify a thread of any space without a grant (%u)", from_root);
    agent_stop(a);
}

// The agent's command that faults is held by the pager; exchange_registers aborts the fault's
// IPC. `new_ip`: where the agent goes on (0: at the faulting instruction).
struct AbortOutcome {
    bool held;
    uint32_t state_before, abort_error, abort_state;
    AgentReply reply;
    uint32_t faults;
    uint32_t state_after;
};

AbortOutcome abort_held_fault(Agent& a, uint32_t address, uint32_t data_page, uint32_t new_ip) {
    AbortOutcome o = {};
    uint32_t mark = fault_mark();
    uint32_t value = 0;
    o.held = !agent_read(a, address, &value, kHeldTimeoutUs);
    o.state_before = thread_state(a.id);
    // From now on the pager answers this page.
    pager_map(a.id, address, data_page, AXO_FPAGE_R, AXO_FPAGE_R | AXO_FPAGE_W);
    axo_exreg_t regs = {};
    regs.control = AXO_EXREG_ABORT_SEND | AXO_EXREG_ABORT_RECEIVE;
    if (new_ip != 0) {
        regs.control |= AXO_EXREG_SET_IP;
        regs.ip = new_ip;
    }
    o.abort_error = axo_exchange_registers(a.id, &regs);
    o.abort_state = regs.control;
    // Its answer to the command that faulted comes to us, now waiting for it.
    axo_thread_id_t from = axo_ipc_receive(a.id, axo_timeout_us(kAgentTimeoutUs));
    o.reply.tag = utcb()->mr[0];
    o.reply.error = axo_tag_failed(o.reply.tag) ? utcb()->error : 0;
    for (uint32_t i = 1; i < 8; ++i)
        o.reply.mr[i] = utcb()->mr[i];
    if (from != a.id && !axo_tag_failed(o.reply.tag)) o.reply.tag = AXO_TAG_FLAG_ERROR;
    o.faults = faults_at(mark, a.id, address);
    o.state_after = thread_state(a.id);
    pager_map(a.id, address, data_page, 0, 0);
    return o;
}

void abort_in_page_fault() {
    Agent a;
    bool started = agent_start(a);
    uint32_t data = sigma0_memory();
    try_write(data, 0xAB0127ED);
    AbortOutcome o = abort_held_fault(a, kHeldAddress, data, 0);
    check(started && o.held && (o.state_before & AXO_STATE_RECEIVING) &&
              (o.state_before & AXO_STATE_IN_FAULT),
          "a thread whose page fault the pager holds reports receiving and AXO_STATE_IN_FAULT "
          "(state %x)",
          o.state_before);
    check(o.abort_error == AXO_OK && (o.abort_state & AXO_STATE_IN_FAULT) &&
              (o.abort_state & AXO_STATE_HALTED) == 0,
          "exchange_registers aborting it reports that it was in a fault (error %u, state %x)",
          o.abort_error, o.abort_state);
    check(o.reply.done() && o.reply.mr[1] == 0xAB0127ED && o.faults == 2 &&
              (o.state_after & AXO_STATE_HALTED) == 0,
          "it is not halted: it retries the instruction, faults again, the pager answers now and "
          "the read completes (%s, MR1 %x, %u faults, state %x)",
          reply_text(o.reply).text, o.reply.mr[1], o.faults, o.state_after);

    // Aborting with a new ip: it goes on there (a signal handler's entry).
    AbortOutcome moved =
        abort_held_fault(a, kHeldAddress + kPage, data, agent_address(agent_faulted));
    check(moved.held && moved.abort_error == AXO_OK && moved.reply.faulted() && moved.faults == 1,
          "aborted with SET_IP, it goes on at the new ip instead of retrying (%s)",
          reply_text(moved.reply).text);
    agent_stop(a);
}

void raised_fault() {
    Agent a;
    bool started = agent_start(a);
    pager_map(a.id, kRaisedAddress, 0, kRaiseFault, kRaiseFault);
    uint32_t faults_mark = fault_mark();
    uint32_t exceptions_mark = exception_mark();
    uint32_t words[2] = {kRaisedAddress + 0x10, 0x5E6F};
    AgentReply r = agent_call(a, AGENT_WRITE, 2, words);
    FaultRecord f = {};
    ExceptionRecord e = {};
    uint32_t faults = faults_at(faults_mark, a.id, kRaisedAddress, &f);
    uint32_t exceptions = exceptions_of(exceptions_mark, a.id, &e);
    check(started && faults == 1 && fault_is(f, AXO_FPAGE_W),
          "the pager gets the write fault once and answers AXO_LABEL_RAISE_FAULT (%u faults)",
          faults);
    check(r.faulted() && exceptions == 1 && e.vector == 14 && e.address == kRaisedAddress + 0x10 &&
              (e.error & 2) != 0 && e.eip == agent_address(agent_write_ip),
          "the exception handler gets it as vector 14 with the fault address, the write bit in "
          "the error code and the faulting eip (%s; %u exceptions: vector %u, address %x, error "
          "%x, eip %x)",
          reply_text(r).text, exceptions, e.vector, e.address, e.error, e.eip);
    agent_stop(a);
}

} // namespace

void notification_fault_tests() {
    notify_across_spaces();
    abort_in_page_fault();
    raised_fault();
}

} // namespace kt
