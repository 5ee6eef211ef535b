// Entry points for all 256 interrupt vectors. Each pushes a dummy error code where the CPU
// does not push one, then its vector number, and joins the common path that saves the rest
// of a TrapFrame (trap.h) and calls ia32_trap(TrapFrame*). The system-call gate points at
// ia32_syscall_entry instead (ipc_fastpath.S: the IPC fast path); its stub here is unused.

#define KERNEL_DATA 0x10
#include "kernel/arch/ia32/user_return.h"

// The rest of the TrapFrame, and the kernel's data segments.
.macro save_frame
    pusha
    push %ds
    push %es
    push %fs
    push %gs
    mov $KERNEL_DATA, %eax
    mov %eax, %ds
    mov %eax, %es
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    cld
.endm

.macro stub vector
    .align 16
stub_\vector:
    .if (\vector == 8) || (\vector >= 10 && \vector <= 14) || (\vector == 17)
    .else
    push $0
    .endif
    push $\vector
    jmp trap_common
.endm

.macro table_entry vector
    .long stub_\vector
.endm

    .text
    .globl ia32_trap_stubs_begin
ia32_trap_stubs_begin:
.altmacro
.set v, 0
.rept 256
    stub %v
    .set v, v + 1
.endr

trap_common:
    testb $EFLAGS_VM_BYTE2, 18(%esp) /* from virtual-8086 mode? (vector error eip cs eflags) */
    jnz ia32_trap_from_v86
trap_frame_at_top:
    save_frame
    push %esp
    call ia32_trap
    add $4, %esp
    .globl ia32_trap_return
ia32_trap_return:
1:  pop %gs
2:  pop %fs
3:  pop %es
4:  pop %ds
    popa
    add $8, %esp
5:  iret
    user_return 1b, USER_RETURN_UTCB_SELECTOR
    user_return 2b, USER_RETURN_DATA_SELECTOR
    user_return 3b, USER_RETURN_DATA_SELECTOR
    user_return 4b, USER_RETURN_DATA_SELECTOR
    user_return 5b, USER_RETURN_IRET

// An entry from virtual-8086 mode (which a ring-3 iret with EFLAGS.VM reaches on QEMU, not on a
// Pentium or Bochs): the CPU pushed the v86 es, ds, fs, gs above ss and loaded null into the
// data segment registers. Moves vector .. ss up over them, so that the TrapFrame is at the top
// of the kernel stack as for every other entry from user mode; EFLAGS.VM stays set in the
// frame, and ia32_trap takes the thread out of v86 mode (trap.cc: leave_v86). The stack on
// arrival: vector error eip cs eflags esp ss es ds fs gs.
    .globl ia32_trap_from_v86
ia32_trap_from_v86:
    push %eax
    mov 28(%esp), %eax              /* ss */
    mov %eax, 44(%esp)
    mov 24(%esp), %eax              /* esp */
    mov %eax, 40(%esp)
    mov 20(%esp), %eax              /* eflags */
    mov %eax, 36(%esp)
    mov 16(%esp), %eax              /* cs */
    mov %eax, 32(%esp)
    mov 12(%esp), %eax              /* eip */
    mov %eax, 28(%esp)
    mov 8(%esp), %eax               /* error */
    mov %eax, 24(%esp)
    mov 4(%esp), %eax               /* vector */
    mov %eax, 20(%esp)
    pop %eax
    add $16, %esp
    jmp trap_frame_at_top

// A return to user mode that faulted, rebuilt as the thread's TrapFrame at the top of its
// kernel stack (trap.cc: recover_user_return): handled as a trap from user mode.
    .globl ia32_retrap_user
ia32_retrap_user:                   // [[noreturn]] void (TrapFrame*)
    mov 4(%esp), %esp
    push %esp
    call ia32_trap
    add $4, %esp
    jmp ia32_trap_return

    .section .rodata
    .align 4
    .globl ia32_trap_stubs
ia32_trap_stubs:
.set v, 0
.rept 256
    table_entry %v
    .set v, v + 1
.endr
