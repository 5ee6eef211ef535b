/* Inline system-call stubs for C and C++ user code. Each stub documents its registers: the
 * kernel entry is `int $0x30` with the syscall number in eax. */
#ifndef AXOLOTL_SYSCALLS_H
#define AXOLOTL_SYSCALLS_H

#include <stdint.h>

#include "axolotl/abi.h"
#include "axolotl/kip.h"
#include "axolotl/utcb.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The calling thread's UTCB. */
static inline axo_utcb_t* axo_my_utcb(void) {
    axo_utcb_t* utcb;
    __asm__("movl %%gs:0, %0" : "=r"(utcb));
    return utcb;
}

/* ipc: eax = AXO_SYS_IPC, ecx = to, edx = from specifier, ebx = timeouts,
 *      esi/edi/ebp = MR0/MR1/MR2 (the rest of the message is in the UTCB).
 * out: eax = the sender (receive phase) or nil, esi/edi/ebp = MR0..MR2.
 * to = nil skips the send phase; from = nil skips the receive phase; from = any receives
 * from any thread. The returned tag (MR0) has AXO_TAG_FLAG_ERROR set on failure, with the
 * error in utcb->error. The stub moves MR0..MR2 between the UTCB and the registers. */
static inline axo_thread_id_t axo_ipc(axo_thread_id_t to, axo_thread_id_t from_specifier,
                                      uint32_t timeouts) {
    axo_utcb_t* utcb = axo_my_utcb();
    uint32_t mr0 = utcb->mr[0], mr1 = utcb->mr[1], mr2 = utcb->mr[2];
    uint32_t from, ecx = to, edx = from_specifier, ebx = timeouts;
    /* ebp may be the frame pointer: MR2 goes in through the stack and comes out in ecx. */
    __asm__ volatile("pushl %[mr2]\n\t"
                     "pushl %%ebp\n\t"
                     "movl 4(%%esp), %%ebp\n\t"
                     "int $0x30\n\t"
                     "movl %%ebp, %%ecx\n\t"
                     "popl %%ebp\n\t"
                     "addl $4, %%esp"
                     : "=a"(from), "+c"(ecx), "+d"(edx), "+b"(ebx), "+S"(mr0), "+D"(mr1)
                     : "0"(AXO_SYS_IPC), [mr2] "m"(mr2)
                     : "memory", "cc");
    utcb->mr[0] = mr0;
    utcb->mr[1] = mr1;
    utcb->mr[2] = ecx;
    return from;
}

static inline axo_msg_tag_t axo_ipc_call(axo_thread_id_t to, uint32_t timeouts) {
    axo_ipc(to, to, timeouts);
    return axo_my_utcb()->mr[0];
}
static inline axo_msg_tag_t axo_ipc_send(axo_thread_id_t to, axo_timeout_t send_timeout) {
    axo_ipc(to, AXO_NIL_THREAD, axo_timeouts(send_timeout, AXO_TIMEOUT_NEVER));
    return axo_my_utcb()->mr[0];
}
/* Receives from `from` (a thread or AXO_ANY_THREAD); returns the sender. */
static inline axo_thread_id_t axo_ipc_receive(axo_thread_id_t from, axo_timeout_t receive_timeout) {
    return axo_ipc(AXO_NIL_THREAD, from, axo_timeouts(AXO_TIMEOUT_NEVER, receive_timeout));
}
/* Replies to `to` (zero send timeout) and waits for the next message from anyone. */
static inline axo_thread_id_t axo_ipc_reply_wait(axo_thread_id_t to,
                                                 axo_timeout_t receive_timeout) {
    return axo_ipc(to, AXO_ANY_THREAD, axo_timeouts(AXO_TIMEOUT_ZERO, receive_timeout));
}

/* The generic register block for the other calls. */
typedef struct axo_syscall_regs {
    uint32_t eax, ecx, edx, ebx, esi, edi, ebp;
} axo_syscall_regs_t;

/* Loads all seven registers from *r, traps, stores them back into *r. */
static inline void axo_syscall(axo_syscall_regs_t* r) {
    __asm__ volatile("pushl %%ebp\n\t"
                     "pushl %%eax\n\t"
                     "movl 4(%%eax), %%ecx\n\t"
                     "movl 8(%%eax), %%edx\n\t"
                     "movl 12(%%eax), %%ebx\n\t"
                     "movl 16(%%eax), %%esi\n\t"
                     "movl 20(%%eax), %%edi\n\t"
                     "movl 24(%%eax), %%ebp\n\t"
                     "movl 0(%%eax), %%eax\n\t"
                     "int $0x30\n\t"
                     "xchgl %%eax, (%%esp)\n\t"
                     "movl %%ecx, 4(%%eax)\n\t"
                     "movl %%edx, 8(%%eax)\n\t"
                     "movl %%ebx, 12(%%eax)\n\t"
                     "movl %%esi, 16(%%eax)\n\t"
                     "movl %%edi, 20(%%eax)\n\t"
                     "movl %%ebp, 24(%%eax)\n\t"
                     "popl %%ecx\n\t"
                     "movl %%ecx, 0(%%eax)\n\t"
                     "popl %%ebp"
                     : "+a"(r)
                     :
                     : "ecx", "edx", "ebx", "esi", "edi", "memory", "cc");
}

/* thread_switch: ecx = dest (nil: yield the rest of the time slice).
 * If dest is ready it runs next on the caller's remaining time slice (donation).
 * out: eax = error (AXO_ERR_INVALID_THREAD for a stale dest). */
static inline uint32_t axo_thread_switch(axo_thread_id_t dest) {
    axo_syscall_regs_t r = {AXO_SYS_THREAD_SWITCH, dest, 0, 0, 0, 0, 0};
    axo_syscall(&r);
    return r.eax;
}

/* schedule (privileged, or dest's scheduler): ecx = dest, edx = priority (0..255, or
 * 0xFFFFFFFF to keep), ebx = time slice in µs (0 to keep).
 * out: eax = error, edx = old priority, ebx = old time slice. */
static inline uint32_t axo_schedule(axo_thread_id_t dest, uint32_t priority, uint32_t timeslice_us,
                                    uint32_t* old_priority, uint32_t* old_timeslice_us) {
    axo_syscall_regs_t r = {AXO_SYS_SCHEDULE, dest, priority, timeslice_us, 0, 0, 0};
    axo_syscall(&r);
    if (old_priority) *old_priority = r.edx;
    if (old_timeslice_us) *old_timeslice_us = r.ebx;
    return r.eax;
}

/* exchange_registers (a thread in the caller's space, or any if privileged):
 * ecx = dest, edx = control (axo_exreg_control), ebx = sp, esi = ip, edi = eflags,
 * ebp = pager (or exception handler with AXO_EXREG_SET_EXCEPTION_HANDLER).
 * out: eax = error, edx = state (axo_exreg_state), ebx/esi/edi/ebp = old sp/ip/eflags/pager.
 * A created thread starts when it is given an ip and sp and resumed. */
typedef struct axo_exreg {
    uint32_t control, sp, ip, flags;
    axo_thread_id_t pager;
} axo_exreg_t;
static inline uint32_t axo_exchange_registers(axo_thread_id_t dest, axo_exreg_t* io) {
    axo_syscall_regs_t r = {
        AXO_SYS_EXCHANGE_REGISTERS, dest, io->control, io->sp, io->ip, io->flags, io->pager};
    axo_syscall(&r);
    io->control = r.edx;
    io->sp = r.ebx;
    io->ip = r.esi;
    io->flags = r.edi;
    io->pager = r.ebp;
    return r.eax;
}

/* thread_control (privileged): ecx = dest, edx = space specifier, ebx = scheduler,
 * esi = pager, edi = UTCB location, ebp = exception handler.
 *  - dest absent, space = an existing thread: create dest in that thread's space;
 *  - dest absent, space = dest: create dest in a new, empty space;
 *  - dest present, space = nil: delete dest (its id becomes stale forever);
 *  - dest present, space = its space: change scheduler/pager/exception handler (nil: keep).
 * A new thread is inactive until exchange_registers gives it ip/sp and resumes it.
 * out: eax = error. */
static inline uint32_t axo_thread_control(axo_thread_id_t dest, axo_thread_id_t space,
                                          axo_thread_id_t scheduler, axo_thread_id_t pager,
                                          uint32_t utcb_location,
                                          axo_thread_id_t exception_handler) {
    axo_syscall_regs_t r = {AXO_SYS_THREAD_CONTROL, dest, space, scheduler, pager, utcb_location,
                            exception_handler};
    axo_syscall(&r);
    return r.eax;
}

/* space_control (privileged): see abi.h. out: eax = error; *blocks = size in 4 MiB blocks
 * (0: large), *slot_base = the slot's linear base. */
static inline uint32_t axo_space_control(axo_thread_id_t space, uint32_t control, uint32_t arg,
                                         uint32_t* blocks, uint32_t* slot_base) {
    axo_syscall_regs_t r = {AXO_SYS_SPACE_CONTROL, space, control, arg, 0, 0, 0};
    axo_syscall(&r);
    if (blocks) *blocks = r.edx;
    if (slot_base) *slot_base = r.ebx;
    return r.eax;
}

/* unmap: ecx = control (count - 1, AXO_UNMAP_FLUSH_OWN); the fpages are in MR0..MRcount-1
 * of the UTCB. out: eax = error. */
static inline uint32_t axo_unmap(uint32_t control) {
    axo_syscall_regs_t r = {AXO_SYS_UNMAP, control, 0, 0, 0, 0, 0};
    axo_syscall(&r);
    return r.eax;
}

/* notify: ecx = target, edx = bits (nonzero). Sets the bits in the target's notification
 * word and wakes it if it waits in an ipc that accepts them (abi.h, Notifications); never
 * blocks. out: eax = error: AXO_ERR_INVALID_THREAD (target not a live user thread: a stale
 * id among others), AXO_ERR_NO_PRIVILEGE (neither the target's space, nor the root task's,
 * nor granted all of these bits: nothing is set), AXO_ERR_INVALID_PARAM (bits 0). */
static inline uint32_t axo_notify(axo_thread_id_t target, uint32_t bits) {
    axo_syscall_regs_t r = {AXO_SYS_NOTIFY, target, bits, 0, 0, 0, 0};
    axo_syscall(&r);
    return r.eax;
}

/* notify_control: ecx = target (a thread of the caller's space; any thread if privileged),
 * edx = notifier (an exact thread id), ebx = bits the notifier may set in the target's word,
 * replacing what it was granted before (0 revokes). out: eax = error:
 * AXO_ERR_INVALID_THREAD (target not a live user thread, or notifier nil or any),
 * AXO_ERR_NO_PRIVILEGE (target in another space, caller not privileged),
 * AXO_ERR_NO_MEMORY (all AXO_NOTIFY_GRANTS entries hold other notifiers). */
static inline uint32_t axo_notify_control(axo_thread_id_t target, axo_thread_id_t notifier,
                                          uint32_t bits) {
    axo_syscall_regs_t r = {AXO_SYS_NOTIFY_CONTROL, target, notifier, bits, 0, 0, 0};
    axo_syscall(&r);
    return r.eax;
}

/* kernel_interface: out eax = KIP address, ecx = API version, edx = API flags. */
static inline axo_kip_t* axo_kernel_interface(void) {
    axo_syscall_regs_t r = {AXO_SYS_KERNEL_INTERFACE, 0, 0, 0, 0, 0, 0};
    axo_syscall(&r);
    return (axo_kip_t*)(uintptr_t)r.eax;
}

/* debug: ecx = op (axo_debug_op), edx = argument 0, ebx = argument 1. out: eax = error. */
static inline uint32_t axo_debug_write(const char* text, uint32_t length) {
    axo_syscall_regs_t r = {
        AXO_SYS_DEBUG, AXO_DEBUG_WRITE, (uint32_t)(uintptr_t)text, length, 0, 0, 0};
    axo_syscall(&r);
    return r.eax;
}
static inline uint32_t axo_debug_shutdown(uint32_t failed) {
    axo_syscall_regs_t r = {AXO_SYS_DEBUG, AXO_DEBUG_SHUTDOWN, failed, 0, 0, 0, 0};
    axo_syscall(&r);
    return r.eax;
}
static inline uint32_t axo_debug_counters(axo_counters_t* out) {
    axo_syscall_regs_t r = {
        AXO_SYS_DEBUG, AXO_DEBUG_COUNTERS, (uint32_t)(uintptr_t)out, 0, 0, 0, 0};
    axo_syscall(&r);
    return r.eax;
}

static inline uint32_t axo_debug_objects(axo_kernel_objects_t* out) {
    axo_syscall_regs_t r = {AXO_SYS_DEBUG, AXO_DEBUG_OBJECTS, (uint32_t)(uintptr_t)out, 0, 0, 0, 0};
    axo_syscall(&r);
    return r.eax;
}

#ifdef __cplusplus
}
#endif

#endif /* AXOLOTL_SYSCALLS_H */
