// Entry points for all 256 interrupt vectors. Each pushes a dummy error code where the CPU
// does not push one, then its vector number, and joins the common path that saves the rest
// of a TrapFrame (trap.h) and calls ia32_trap(TrapFrame*). The system-call gate points at
// ia32_syscall_entry instead (ipc_fastpath.S: the IPC fast path); its stub here is unused.

#define KERNEL_DATA 0x10

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
    save_frame
    push %esp
    call ia32_trap
    add $4, %esp
    .globl ia32_trap_return
ia32_trap_return:
    pop %gs
    pop %fs
    pop %es
    pop %ds
    popa
    add $8, %esp
    iret

    .section .rodata
    .align 4
    .globl ia32_trap_stubs
ia32_trap_stubs:
.set v, 0
.rept 256
    table_entry %v
    .set v, v + 1
.endr
