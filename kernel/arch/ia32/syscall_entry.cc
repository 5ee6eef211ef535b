// The system-call trap (int 0x30): decodes the registers as kernel/uapi/axolotl/syscalls.h
// documents them and calls the generic handlers.
#include "axolotl/kip.h"
#include "kernel/arch/ia32/trap.h"
#include "kernel/ipc.h"
#include "kernel/notification.h"
#include "kernel/space.h"
#include "kernel/syscalls.h"

namespace axo::ia32 {

void handle_syscall(TrapFrame& f) {
    Thread* self = g_current;
    kip::get()->counters.syscalls++;
    if (f.eax == AXO_SYS_IPC) {
        axo_utcb_t* utcb = self->m_utcb;
        utcb->mr[0] = f.esi;
        utcb->mr[1] = f.edi;
        utcb->mr[2] = f.ebp;
        ThreadId from = ipc::perform(self, ThreadId(f.ecx), ThreadId(f.edx), f.ebx);
        f.eax = from.raw();
        f.esi = utcb->mr[0];
        f.edi = utcb->mr[1];
        f.ebp = utcb->mr[2];
        return;
    }

    uint32_t error;
    switch (f.eax) {
    case AXO_SYS_THREAD_SWITCH:
        error = syscalls::thread_switch(self, ThreadId(f.ecx));
        break;
    case AXO_SYS_SCHEDULE: {
        uint32_t old_priority = 0, old_timeslice = 0;
        error =
            syscalls::schedule(self, ThreadId(f.ecx), f.edx, f.ebx, old_priority, old_timeslice);
        f.edx = old_priority;
        f.ebx = old_timeslice;
        break;
    }
    case AXO_SYS_EXCHANGE_REGISTERS: {
        syscalls::ExchangeRegisters io{f.edx, f.ebx, f.esi, f.edi, ThreadId(f.ebp)};
        error = syscalls::exchange_registers(self, ThreadId(f.ecx), io);
        if (error == AXO_OK) {
            f.edx = io.control;
            f.ebx = io.sp;
            f.esi = io.ip;
            f.edi = io.flags;
            f.ebp = io.pager.raw();
        }
        break;
    }
    case AXO_SYS_THREAD_CONTROL:
        error = syscalls::thread_control(self, ThreadId(f.ecx), ThreadId(f.edx), ThreadId(f.ebx),
                                         ThreadId(f.esi), f.edi, ThreadId(f.ebp));
        break;
    case AXO_SYS_KERNEL_INTERFACE:
        f.eax = self->m_space->kip_address();
        f.ecx = AXO_API_VERSION;
        f.edx = kip::get()->api_flags;
        return;
    case AXO_SYS_UNMAP:
        error = syscalls::unmap(self, f.ecx);
        break;
    case AXO_SYS_SPACE_CONTROL: {
        uint32_t blocks = 0, base = 0;
        error = syscalls::space_control(self, ThreadId(f.ecx), f.edx, f.ebx, blocks, base);
        f.edx = blocks;
        f.ebx = base;
        break;
    }
    case AXO_SYS_DEBUG:
        error = syscalls::debug(self, f.ecx, f.edx, f.ebx);
        break;
    case AXO_SYS_NOTIFY:
        error = notify::notify(self, ThreadId(f.ecx), f.edx);
        break;
    case AXO_SYS_NOTIFY_CONTROL:
        error = notify::control(self, ThreadId(f.ecx), ThreadId(f.edx), f.ebx);
        break;
    default:
        error = AXO_ERR_INVALID_SYSCALL;
        break;
    }
    f.eax = error;
    // The thread may have deleted itself; then it never gets here.
    self->m_utcb->error = error;
}

} // namespace axo::ia32
