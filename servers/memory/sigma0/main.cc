// σ0 for issue 3: says it is up, then answers every message with an empty reply, forever.
// Issue 4 makes it the owner of all memory and I/O ports (README.md).
#include "rt/rt.h"

namespace {

// Test hook, harmless: answers label 0x5A with the error codes of privileged calls that σ0,
// which is not privileged, is not allowed to make (tests/guest/kernel_ipc checks they are all
// AXO_ERR_NO_PRIVILEGE). Each attempt is chosen so that it would do no damage even if the
// kernel wrongly allowed it, except debug_shutdown, which would end the run — loudly, as a
// test failure should.
constexpr uint32_t kLabelPrivilegeProbe = 0x5A;

// Where σ0 would put a thread it is not allowed to create.
constexpr uint32_t kProbeThreadNumber = 1000;
constexpr uint32_t kProbeUtcb = 0xB0000000u;

void privilege_probe(axo_utcb_t* utcb) {
    axo_thread_id_t self = rt_my_id();
    axo_thread_id_t root = rt_kip()->root_task;

    uint32_t create = axo_thread_control(axo_thread_id(kProbeThreadNumber, 1), self, self,
                                         AXO_NIL_THREAD, kProbeUtcb, AXO_NIL_THREAD);
    // Keep the priority and the time slice: a no-op even if it were allowed.
    uint32_t schedule = axo_schedule(root, 0xFFFFFFFFu, 0, nullptr, nullptr);
    uint32_t shutdown = axo_debug_shutdown(1);
    // A thread of another space, with nothing to change: only reads state if allowed.
    axo_exreg_t regs = {};
    uint32_t exchange = axo_exchange_registers(root, &regs);

    utcb->mr[0] = axo_msg_tag(kLabelPrivilegeProbe, 4, 0);
    utcb->mr[1] = create;
    utcb->mr[2] = schedule;
    utcb->mr[3] = shutdown;
    utcb->mr[4] = exchange;
}

} // namespace

int main() {
    rt_printf("sigma0: up\n");
    axo_utcb_t* utcb = axo_my_utcb();
    axo_thread_id_t from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
    for (;;) {
        axo_msg_tag_t tag = utcb->mr[0];
        if (axo_tag_failed(tag)) {
            // The receive failed, or the reply did (the client went away): just wait again.
            from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
            continue;
        }
        if (axo_tag_label(tag) == kLabelPrivilegeProbe)
            privilege_probe(utcb);
        else
            utcb->mr[0] = axo_msg_tag(0, 0, 0);
        from = axo_ipc_reply_wait(from, AXO_TIMEOUT_NEVER);
    }
}
