/*
 * One ipc syscall with every register given and every register recorded, for the fast path
 * equivalence check (fastpath_check.cc): the axo_ipc stub moves MR0..MR2 between the UTCB
 * and the registers, which would hide what the kernel itself left where.
 *
 * void raw_ipc(raw_ipc_t* io), io = {to, from, timeouts, mr0, mr1, mr2} in,
 *                                  {eax, esi, edi, ebp, ecx, edx, ebx} out.
 */
#define SYS_IPC 0

    .text
    .globl raw_ipc
    .type raw_ipc, @function
raw_ipc:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl 20(%esp), %eax
    pushl %eax              /* keep io across the int */
    movl 0(%eax), %ecx
    movl 4(%eax), %edx
    movl 8(%eax), %ebx
    movl 12(%eax), %esi
    movl 16(%eax), %edi
    movl 20(%eax), %ebp
    movl $SYS_IPC, %eax
    int $0x30
    xchgl %eax, (%esp)      /* eax = io; the result waits on the stack */
    movl %esi, 28(%eax)
    movl %edi, 32(%eax)
    movl %ebp, 36(%eax)
    movl %ecx, 40(%eax)
    movl %edx, 44(%eax)
    movl %ebx, 48(%eax)
    popl %ecx
    movl %ecx, 24(%eax)
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret
    .size raw_ipc, . - raw_ipc
