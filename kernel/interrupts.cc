#include "kernel/interrupts.h"

#include "axolotl/abi.h"
#include "kernel/arch.h"
#include "kernel/ipc.h"
#include "kernel/kmem.h"

namespace axo::interrupts {

namespace {
// Line 0 is the kernel's timer, line 2 the cascade to the second controller.
constexpr uint32_t kTimerLine = 0;
constexpr uint32_t kCascadeLine = 2;

Thread* g_irq[AXO_IRQ_LINES];

uint32_t line_of(ThreadId id) {
    return id.number() - 1;
}
} // namespace

Result<void> init() {
    for (uint32_t line = 0; line < AXO_IRQ_LINES; ++line) {
        if (line == kTimerLine || line == kCascadeLine) continue;
        Thread* thread = TRY(threads::create_kernel(line + 1));
        thread->m_state = ThreadState::inactive;
        // The IRQ thread's message is always the same empty one.
        thread->m_utcb = static_cast<axo_utcb_t*>(TRY(kmem::allocate(sizeof(axo_utcb_t))));
        thread->m_utcb->mr[0] = axo_msg_tag(AXO_LABEL_INTERRUPT, 0, 0);
        g_irq[line] = thread;
    }
    return {};
}

bool is_irq_id(ThreadId id) {
    return id.number() >= 1 && id.number() <= AXO_IRQ_LINES;
}

Thread* irq_thread(ThreadId id) {
    if (!is_irq_id(id) || id.version() != 1) return nullptr;
    return g_irq[line_of(id)];
}

uint32_t attach(ThreadId id, ThreadId handler_id) {
    Thread* irq = irq_thread(id);
    if (!irq) return AXO_ERR_INVALID_THREAD;
    uint32_t line = line_of(id);
    ipc::abort(irq, true, false); // an interrupt queued for the old handler is dropped
    if (handler_id.is_nil() || handler_id == id) {
        arch::mask_irq(line);
        irq->m_pager = ThreadId::nil();
        return AXO_OK;
    }
    Thread* handler = threads::lookup(handler_id);
    if (!handler || !handler->is_user()) return AXO_ERR_INVALID_THREAD;
    irq->m_pager = handler_id;
    arch::unmask_irq(line);
    return AXO_OK;
}

void raise(uint32_t line) {
    Thread* irq = line < AXO_IRQ_LINES ? g_irq[line] : nullptr;
    if (!irq) return;
    Thread* handler = threads::lookup(irq->m_pager);
    // Without a live handler the line stays masked until one attaches.
    if (!handler || irq->m_state != ThreadState::inactive) return;
    ipc::deliver_interrupt(irq, handler);
}

bool acknowledge(Thread* self, Thread* irq) {
    if (irq->m_pager != self->m_id) return false;
    arch::unmask_irq(line_of(irq->m_id));
    return true;
}

} // namespace axo::interrupts
