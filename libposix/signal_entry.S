/*
 * The signal entry (libposix/README.md, "Signal delivery"): where proc sends the process's first
 * thread when a caught signal is deliverable or a caught fault happened (interfaces/process,
 * kProcSignalAction's entry). The thread arrives with the registers it had — or, if it was in an
 * ipc, with the ipc's results (AXO_IPC_CANCELLED) — on the stack it had, at an ip that is not
 * its own: proc keeps its ip and flags for axo_signal_deliver to take. The frame below the
 * interrupted stack pointer:
 *
 *     sp - 4    the interrupted ip (filled in by axo_signal_deliver), for the final ret
 *     sp - 8    eflags (replaced by the interrupted flags)
 *     sp - 40   pushal: edi esi ebp esp ebx edx ecx eax
 *
 * i386 code keeps nothing below its stack pointer, so the frame cannot overwrite live data.
 */
    .text
    .globl axo_signal_entry
    .type axo_signal_entry, @function
axo_signal_entry:
    subl $4, %esp
    pushfl
    pushal
    cld
    movl %esp, %ebx        /* the frame; ebx survives the call */
    andl $-16, %esp
    subl $12, %esp
    pushl %ebx
    call axo_signal_deliver
    movl %ebx, %esp
    popal
    popfl
    ret
    .size axo_signal_entry, . - axo_signal_entry

/*
 * void axo_signal_call_on_stack(uint32_t top, void (*call)(void*), void* argument): runs a
 * handler on the alternate signal stack (SA_ONSTACK, signal_stack.cc). The caller's stack is
 * given back on return; a handler that leaves by siglongjmp restores its own stack pointer.
 */
    .globl axo_signal_call_on_stack
    .type axo_signal_call_on_stack, @function
axo_signal_call_on_stack:
    pushl %ebp
    movl %esp, %ebp
    movl 8(%ebp), %eax     /* top */
    movl 12(%ebp), %ecx    /* call */
    movl 16(%ebp), %edx    /* argument */
    andl $-16, %eax
    movl %eax, %esp
    subl $12, %esp
    pushl %edx
    call *%ecx
    movl %ebp, %esp
    popl %ebp
    ret
    .size axo_signal_call_on_stack, . - axo_signal_call_on_stack

    .section .note.GNU-stack, "", @progbits
