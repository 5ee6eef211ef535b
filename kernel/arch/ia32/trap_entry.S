// Entry points for all 256 interrupt vectors. Each pushes a dummy error code where the CPU
// does not push one, then its vector number, and joins the common path that saves the rest
// of a TrapFrame (trap.h) and calls ia32_trap(TrapFrame*). The system-call vector has a path
// of its own that first offers an ipc to the IPC fast path (kernel/ipc_fastpath.h).

#define KERNEL_DATA 0x10
#define SYSCALL_VECTOR 0x30  /* ia32::kVectorSyscall */
#define SYS_IPC 0            /* AXO_SYS_IPC */
#define FRAME_ESI 20         /* offsetof(TrapFrame, esi): MR0, the tag */
#define FRAME_EBX 32         /* offsetof(TrapFrame, ebx): the timeouts */
#define FRAME_EAX 44         /* offsetof(TrapFrame, eax): the syscall number */
#define TAG_ITEM_COUNTS 0xFFF /* t and u of a message tag */
#define RECEIVE_TIMEOUT 0xFFFF

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
    .if \vector == SYSCALL_VECTOR
    jmp syscall_common
    .else
    jmp trap_common
    .endif
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
    jmp ia32_trap_return

// int 0x30. An ipc that may be the IPC fast path's common case goes to ia32_ipc_fastpath
// (syscall_entry.cc) first: it answers it (true) or leaves the frame untouched for the
// general dispatch (false). The tests here only spare other syscalls and IPCs the call, by
// a cheap part of what ipc::fast_path() checks again: receive timeout never, no typed words,
// at most three untyped ones.
syscall_common:
    save_frame
    push %esp
    cmpl $SYS_IPC, FRAME_EAX + 4(%esp)
    jne 1f
    testl $RECEIVE_TIMEOUT, FRAME_EBX + 4(%esp)
    jnz 1f
    testl $TAG_ITEM_COUNTS & ~3, FRAME_ESI + 4(%esp)
    jnz 1f
    call ia32_ipc_fastpath
    test %al, %al
    jnz 2f
1:  call ia32_trap
2:  add $4, %esp
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
