/*
 * crt0 of axo_rt: where a freestanding program starts.
 *
 * The kernel starts an initial thread at the ELF entry with esp = 0xBFFFD000, every other
 * register zero and %gs:0 reading its UTCB address (docs/kernel-api.md, "The initial
 * threads"). There is no argc/argv: boot-module arguments are in the KIP.
 */
    .section .data
    .balign 4
    .globl rt_entry_state
    .type rt_entry_state, @object
/* In .data, not .bss: it is written before .bss is cleared. Layout: rt_entry_state_t. */
rt_entry_state:
    .long 0, 0, 0, 0, 0, 0, 0, 0, 0
    .size rt_entry_state, . - rt_entry_state

    .section .text.startup, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    /* Record the registers first, so tests can check what the kernel promised. */
    movl %eax, rt_entry_state + 0
    movl %ebx, rt_entry_state + 4
    movl %ecx, rt_entry_state + 8
    movl %edx, rt_entry_state + 12
    movl %esi, rt_entry_state + 16
    movl %edi, rt_entry_state + 20
    movl %ebp, rt_entry_state + 24
    movl %esp, rt_entry_state + 28
    pushfl
    popl rt_entry_state + 32

    /* Outermost frame: backtraces stop at a zero frame pointer. */
    xorl %ebp, %ebp

    /* The loader zero-fills .bss already; clearing it again costs little and means no C
     * code depends on how a loader treats the tail of the last file-backed page. */
    cld
    movl $__bss_start, %edi
    movl $__bss_end, %ecx
    subl %edi, %ecx
    xorl %eax, %eax
    rep stosb

    /* gcc's i386 code assumes a 16-byte aligned stack at each call. */
    andl $-16, %esp
    call rt_start
    /* rt_start does not return; if it ever did, fault loudly rather than run on. */
    ud2
    .size _start, . - _start
