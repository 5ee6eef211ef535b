// Notifications (docs/kernel-api.md §17): the notify and notify_control system calls, and what
// the general IPC path asks of them. A sender sets bits in a thread's word and never blocks;
// an ipc whose tag carries AXO_TAG_FLAG_NOTIFY is ended by pending bits of the UTCB's
// notify_mask whenever it would wait. The IPC fast path never sees such an ipc (its tag test
// sends it to the general path), and never blocks a thread that bits could wake.
#pragma once

#include <stdint.h>

#include "kernel/thread.h"

namespace axo::notify {

// notify: sets `bits` in the target's word if the caller may (same space, the root task's
// space, or granted), and ends the target's IPC if it waits in one those bits end.
uint32_t notify(Thread* self, ThreadId target, uint32_t bits);
// notify_control: grants `notifier` the right to set `bits` in the target's word.
uint32_t control(Thread* self, ThreadId target, ThreadId notifier, uint32_t bits);

// For the duration of one ipc: which bits may end it (the UTCB's notify_mask if the tag
// passed in carries AXO_TAG_FLAG_NOTIFY, else none). Outside an ipc the thread accepts none,
// so a thread that later blocks in the fast path cannot be woken by bits.
class IpcScope {
public:
    explicit IpcScope(Thread* self) : m_self(self) {
        const axo_utcb_t* utcb = self->m_utcb;
        self->m_notify_accept = (utcb->mr[0] & AXO_TAG_FLAG_NOTIFY) ? utcb->notify_mask : 0;
    }
    ~IpcScope() { m_self->m_notify_accept = 0; }
    IpcScope(const IpcScope&) = delete;
    IpcScope& operator=(const IpcScope&) = delete;

private:
    Thread* m_self;
};

// The IpcOutcome error of an ipc ended by bits (ipc::end_by_notification): no ABI code, so the
// outcome's common case (AXO_IPC_OK) costs nothing more to test.
constexpr uint32_t kNotifiedOutcome = 0x100;
static_assert(kNotifiedOutcome > AXO_IPC_INVALID);

// Whether bits that end `self`'s current ipc are pending.
inline bool pending(const Thread* self) {
    return (self->m_notify.pending() & self->m_notify_accept) != 0;
}
// Ends `self`'s ipc with the notification message (abi.h): takes the accepted bits and
// writes MR0..MR2. Returns nil, the ipc's `from`.
ThreadId deliver(Thread* self, bool receive_phase);

} // namespace axo::notify
