#include "kernel/notification.h"

#include "kernel/ipc.h"
#include "kernel/space.h"

namespace axo::notify {

uint32_t notify(Thread* self, ThreadId target_id, uint32_t bits) {
    Thread* target = threads::lookup(target_id);
    if (!target || !target->is_user()) return AXO_ERR_INVALID_THREAD;
    if (bits == 0) return AXO_ERR_INVALID_PARAM;
    // Who may: a thread of the same space, the root task (proc signals any process), or a
    // thread the target granted these bits (a server its clients). Nobody else can make a
    // thread spend its time on bits it did not ask for.
    bool permitted = target->m_space == self->m_space || self->m_space->privileged() ||
                     target->m_notify.grant_covers(self->m_id.raw(), bits);
    if (!permitted) return AXO_ERR_NO_PRIVILEGE;
    target->m_notify.post(bits);
    if (target->blocked_in_ipc() && pending(target)) ipc::end_by_notification(target);
    return AXO_OK;
}

uint32_t control(Thread* self, ThreadId target_id, ThreadId notifier, uint32_t bits) {
    Thread* target = threads::lookup(target_id);
    if (!target || !target->is_user()) return AXO_ERR_INVALID_THREAD;
    if (target->m_space != self->m_space && !self->m_space->privileged()) {
        return AXO_ERR_NO_PRIVILEGE;
    }
    if (notifier.is_nil() || notifier.is_any()) return AXO_ERR_INVALID_THREAD;
    if (target->m_notify.grant(notifier.raw(), bits) == NotificationWord::GrantResult::full) {
        return AXO_ERR_NO_MEMORY;
    }
    return AXO_OK;
}

ThreadId deliver(Thread* self, bool receive_phase) {
    uint32_t bits = self->m_notify.take(self->m_notify_accept);
    axo_utcb_t* utcb = self->m_utcb;
    utcb->mr[0] = axo_msg_tag(AXO_LABEL_NOTIFY, AXO_NOTIFY_WORDS, 0);
    utcb->mr[AXO_NOTIFY_BITS] = bits;
    utcb->mr[AXO_NOTIFY_PHASE] = receive_phase ? AXO_NOTIFY_IN_RECEIVE : AXO_NOTIFY_IN_SEND;
    return ThreadId::nil();
}

} // namespace axo::notify
