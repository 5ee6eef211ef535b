/*
 * Faulting instructions for the exception tests, with exactly known registers and eip.
 *
 * Each fault_* function loads the register pattern below, then executes one faulting
 * instruction at the global label fault_*_ip. None of them returns: the exception handler
 * resumes the thread at exc_recovery_entry (or nobody does, and the thread stays halted).
 * In assembler because C cannot promise what is in which register, nor where ebp goes.
 */
#define PATTERN_EAX 0xA0A0A0A0
#define PATTERN_ECX 0xC0C0C0C0
#define PATTERN_EDX 0xD0D0D0D0
#define PATTERN_EBX 0xB0B0B0B0
#define PATTERN_EBP 0xEBEBEBEB
#define PATTERN_ESI 0x51515151
#define PATTERN_EDI 0xD1D1D1D1

.macro load_pattern
    movl $PATTERN_EAX, %eax
    movl $PATTERN_ECX, %ecx
    movl $PATTERN_EDX, %edx
    movl $PATTERN_EBX, %ebx
    movl $PATTERN_EBP, %ebp
    movl $PATTERN_ESI, %esi
    movl $PATTERN_EDI, %edi
.endm

.macro fault name
    .globl fault_\name
    .type fault_\name, @function
fault_\name:
    load_pattern
    .globl fault_\name\()_ip
fault_\name\()_ip:
.endm

    .section .rodata
    .balign 4
    .globl fault_pattern
/* eax ecx edx ebx ebp esi edi: what the C++ side expects in the exception message. */
fault_pattern:
    .long PATTERN_EAX, PATTERN_ECX, PATTERN_EDX, PATTERN_EBX, PATTERN_EBP, PATTERN_ESI, PATTERN_EDI
zero_divisor:
    .long 0

    .text
/* #DE (vector 0): divide by a zero in memory, so ecx keeps its pattern. */
fault divide
    divl zero_divisor
    ud2

/* #UD (vector 6). */
fault undefined
    ud2

/* #GP(0) (vector 13): cli is privileged at CPL 3 with IOPL 0. */
fault cli
    cli
    ud2

/* `int $14` from user mode: the page-fault gate is not a user gate, so this is #GP with the
 * IDT error code (14 << 3) | 2, never a forged page fault. */
fault int14
    int $14
    ud2

/* #PF at an address nothing maps. */
fault unmapped
    movl 0x10000000, %eax
    ud2

/* #PF just below the 64 KiB initial stack. */
fault below_stack
    movl 0xBFFECFFC, %eax
    ud2

/* #PF writing the read-only KIP (a reserved word: harmless if the write went through). */
fault write_kip
    movl %eax, 0xBFFFF000 + 60
    ud2

/* #PF writing our own (read-only) text segment. */
fault write_text
    movl %eax, fault_write_text
    ud2

/*
 * Where the exception handler's reply resumes a thread: records every register as the
 * reply left it (eflags first, before any instruction can change the flags), then continues
 * in C++ on a clean, aligned stack.
 */
    .globl exc_recovery_entry
    .type exc_recovery_entry, @function
exc_recovery_entry:
    movl %esp, exc_recovered_regs + 32
    pushfl
    popl exc_recovered_regs + 28
    movl %eax, exc_recovered_regs + 0
    movl %ecx, exc_recovered_regs + 4
    movl %edx, exc_recovered_regs + 8
    movl %ebx, exc_recovered_regs + 12
    movl %ebp, exc_recovered_regs + 16
    movl %esi, exc_recovered_regs + 20
    movl %edi, exc_recovered_regs + 24
    cld
    xorl %ebp, %ebp
    andl $-16, %esp
    call exc_recovered
    ud2
