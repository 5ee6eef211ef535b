/* fuzz_canary_registers(rounds): loads a known pattern into every general register it may
 * use, spins `rounds` times (the timer preempts it, other threads and spaces run, the fuzzer
 * makes its calls), then checks that every register and every data segment register still
 * holds what it held. Returns 0 if all did, 1 if one changed. cdecl; preserves ebx esi edi ebp. */
    .text
    .globl fuzz_canary_registers
    .type fuzz_canary_registers, @function
fuzz_canary_registers:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl 20(%esp), %ecx
    subl $16, %esp
    movw %ds, 0(%esp)
    movw %es, 2(%esp)
    movw %fs, 4(%esp)
    movw %gs, 6(%esp)
    movw %ss, 8(%esp)
    movl $0xA5A50001, %eax
    movl $0x5A5A0002, %ebx
    movl $0xC3C30003, %edx
    movl $0x3C3C0004, %esi
    movl $0x96960005, %edi
    movl $0x69690006, %ebp
1:  decl %ecx
    jnz 1b
    cmpl $0xA5A50001, %eax
    jne 2f
    cmpl $0x5A5A0002, %ebx
    jne 2f
    cmpl $0xC3C30003, %edx
    jne 2f
    cmpl $0x3C3C0004, %esi
    jne 2f
    cmpl $0x96960005, %edi
    jne 2f
    cmpl $0x69690006, %ebp
    jne 2f
    movw %ds, %ax
    cmpw %ax, 0(%esp)
    jne 2f
    movw %es, %ax
    cmpw %ax, 2(%esp)
    jne 2f
    movw %fs, %ax
    cmpw %ax, 4(%esp)
    jne 2f
    movw %gs, %ax
    cmpw %ax, 6(%esp)
    jne 2f
    movw %ss, %ax
    cmpw %ax, 8(%esp)
    jne 2f
    xorl %eax, %eax
    jmp 3f
2:  movl $1, %eax
3:  addl $16, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret
    .size fuzz_canary_registers, . - fuzz_canary_registers
    .section .note.GNU-stack, "", @progbits
