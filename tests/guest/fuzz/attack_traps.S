/* fuzz_int_table: 256 entries of 4 bytes, entry n is `int $n; ret; nop`: the attacker calls
 * entry n to raise software interrupt n (every n but 0x30, the system call, must be a #GP).
 * fuzz_iret(frame): loads esp with `frame` and executes iret: the attacker's crafted frame
 * (eip, cs, eflags, and esp, ss when the frame names another privilege level). */
    .text
    .globl fuzz_int_table
    .type fuzz_int_table, @function
    .p2align 4
fuzz_int_table:
    .set n, 0
    .rept 256
    .byte 0xCD, n
    ret
    nop
    .set n, n + 1
    .endr
    .size fuzz_int_table, . - fuzz_int_table

    .globl fuzz_iret
    .type fuzz_iret, @function
fuzz_iret:
    movl 4(%esp), %esp
    iret
    .size fuzz_iret, . - fuzz_iret
    .section .note.GNU-stack, "", @progbits
