/*
 * The agent (agent.h): a command server that runs in another address space. The root task
 * copies the bytes from agent_code_start to agent_code_end into a page from σ0 and maps that
 * page at AGENT_CODE in the agent's space, so everything here is position-independent:
 * relative jumps only, no data but the stack, the UTCB (%gs:0) and what the commands name.
 *
 * State lives on the stack, because a syscall may change every register but esp:
 *   0(%esp)  the client to answer (nil: receive only)
 *   4(%esp)  the receive window, written to BR0 before every receive
 * No command pushes anything before its one faulting instruction (agent_*_ip), so the
 * exception handler can resume at agent_faulted with the esp of the fault.
 */
#include "agent.h"

#define SYS_IPC 0
#define SYS_UNMAP 6
#define UTCB_ERROR 20
#define UTCB_BR0 80
#define MR(n) (256 + 4 * (n))
#define TAG(label, untyped, typed) (((label) << 16) | ((typed) << 6) | (untyped))
#define TAG_FLAG_ERROR 0x8000
#define ANY_THREAD 0xFFFFFFFF
/* Send timeout zero (a client that does not wait loses its answer), receive never. */
#define REPLY_WAIT_TIMEOUTS (0x0400 << 16)

    .text
    .balign 16
    .globl agent_code_start
    .type agent_code_start, @function
agent_code_start:
    subl $16, %esp
    movl $0, 0(%esp)
    movl $0, 4(%esp)

agent_loop:
    movl %gs:0, %eax
    movl 4(%esp), %ecx
    movl %ecx, UTCB_BR0(%eax)
    movl MR(0)(%eax), %esi
    movl MR(1)(%eax), %edi
    movl MR(2)(%eax), %ebp
    movl 0(%esp), %ecx
    movl $ANY_THREAD, %edx
    movl $REPLY_WAIT_TIMEOUTS, %ebx
    movl $SYS_IPC, %eax
    int $0x30
    movl %eax, 0(%esp)
    movl %gs:0, %ebx
    movl %esi, MR(0)(%ebx)
    movl %edi, MR(1)(%ebx)
    movl %ebp, MR(2)(%ebx)
    testl $TAG_FLAG_ERROR, %esi
    jz 1f
    /* The reply or the receive failed: nobody to answer, wait for the next command. */
    movl $0, 0(%esp)
    jmp agent_loop
1:
    movl %esi, %eax
    shrl $16, %eax
    cmpl $AGENT_PING, %eax
    je agent_ping
    cmpl $AGENT_READ, %eax
    je agent_read
    cmpl $AGENT_WRITE, %eax
    je agent_write
    cmpl $AGENT_WINDOW, %eax
    je agent_window
    cmpl $AGENT_SEND, %eax
    je agent_send
    cmpl $AGENT_UNMAP, %eax
    je agent_unmap
    cmpl $AGENT_INB, %eax
    je agent_inb
    cmpl $AGENT_OUTB, %eax
    je agent_outb
    cmpl $AGENT_SYSCALL, %eax
    je agent_syscall

/* Anything else, map items from another agent included: say what arrived. */
agent_received:
    movl MR(2)(%ebx), %eax
    movl %eax, MR(3)(%ebx)
    movl MR(1)(%ebx), %eax
    movl %eax, MR(2)(%ebx)
    movl %esi, MR(1)(%ebx)
    movl $TAG(AGENT_RECEIVED, 3, 0), MR(0)(%ebx)
    jmp agent_loop

agent_ping:
    movl $AGENT_MAGIC, MR(1)(%ebx)
    movl $TAG(AGENT_DONE, 1, 0), MR(0)(%ebx)
    jmp agent_loop

agent_read:
    movl MR(1)(%ebx), %ecx
    .globl agent_read_ip
agent_read_ip:
    movl (%ecx), %eax
    movl %eax, MR(1)(%ebx)
    movl $TAG(AGENT_DONE, 1, 0), MR(0)(%ebx)
    jmp agent_loop

agent_write:
    movl MR(1)(%ebx), %ecx
    movl MR(2)(%ebx), %edx
    .globl agent_write_ip
agent_write_ip:
    movl %edx, (%ecx)
    movl $TAG(AGENT_DONE, 0, 0), MR(0)(%ebx)
    jmp agent_loop

agent_window:
    movl MR(1)(%ebx), %eax
    movl %eax, 4(%esp)
    movl $TAG(AGENT_DONE, 0, 0), MR(0)(%ebx)
    jmp agent_loop

agent_send:
    movl MR(1)(%ebx), %ecx
    movl %ecx, %edx
    movl MR(2)(%ebx), %edi
    movl MR(3)(%ebx), %ebp
    movl $TAG(AGENT_ITEM, 0, 2), %esi
    movl %esi, MR(0)(%ebx)
    movl %edi, MR(1)(%ebx)
    movl %ebp, MR(2)(%ebx)
    movl MR(4)(%ebx), %ebx
    movl $SYS_IPC, %eax
    int $0x30
    movl %gs:0, %ebx
    movl UTCB_ERROR(%ebx), %eax
    movl %esi, MR(1)(%ebx)
    movl %eax, MR(2)(%ebx)
    movl %edi, MR(3)(%ebx)
    movl $TAG(AGENT_DONE, 3, 0), MR(0)(%ebx)
    jmp agent_loop

agent_unmap:
    /* The fpages move from MR2.. to MR0..; ecx = their number. */
    movl MR(1)(%ebx), %edx
    movl %esi, %ecx
    andl $0x3F, %ecx
    jz 2f
    decl %ecx
    leal MR(0)(%ebx), %edi
    leal MR(2)(%ebx), %esi
    cld
    rep movsl
2:
    movl %edx, %ecx
    movl $SYS_UNMAP, %eax
    int $0x30
    movl %gs:0, %ebx
    movl %eax, MR(1)(%ebx)
    movl $TAG(AGENT_DONE, 1, 0), MR(0)(%ebx)
    jmp agent_loop

agent_inb:
    movl MR(1)(%ebx), %edx
    xorl %eax, %eax
    .globl agent_inb_ip
agent_inb_ip:
    inb %dx, %al
    movl %eax, MR(1)(%ebx)
    movl $TAG(AGENT_DONE, 1, 0), MR(0)(%ebx)
    jmp agent_loop

agent_outb:
    movl MR(1)(%ebx), %edx
    movl MR(2)(%ebx), %eax
    .globl agent_outb_ip
agent_outb_ip:
    outb %al, %dx
    movl $TAG(AGENT_DONE, 0, 0), MR(0)(%ebx)
    jmp agent_loop

agent_syscall:
    movl MR(1)(%ebx), %eax
    movl MR(2)(%ebx), %ecx
    movl MR(3)(%ebx), %edx
    movl MR(5)(%ebx), %esi
    movl MR(6)(%ebx), %edi
    movl MR(7)(%ebx), %ebp
    movl MR(4)(%ebx), %ebx
    int $0x30
    pushl %ebx
    movl %gs:0, %ebx
    movl %eax, MR(1)(%ebx)
    movl %ecx, MR(2)(%ebx)
    movl %edx, MR(3)(%ebx)
    popl %eax
    movl %eax, MR(4)(%ebx)
    movl %esi, MR(5)(%ebx)
    movl %edi, MR(6)(%ebx)
    movl %ebp, MR(7)(%ebx)
    movl $TAG(AGENT_DONE, 7, 0), MR(0)(%ebx)
    jmp agent_loop

/* Where the exception handler resumes an agent whose command faulted. */
    .globl agent_faulted
agent_faulted:
    movl %gs:0, %ebx
    movl $TAG(AGENT_FAULTED, 0, 0), MR(0)(%ebx)
    jmp agent_loop

    .globl agent_code_end
agent_code_end:
    .size agent_code_start, . - agent_code_start
