/* The agent: a small position-independent program (agent.S) that the tests copy into a page
 * from σ0 and run in address spaces of their own. It serves commands from any thread, so the
 * root task can make another space read, write, map onward, unmap, touch ports and make
 * syscalls, and watch what the kernel does about it. Shared by agent.S and the C++ side. */
#ifndef KERNEL_MEMORY_AGENT_H
#define KERNEL_MEMORY_AGENT_H

/* Where an agent's pages are in its own space. Its pager maps them on the first faults:
 * the code page (read-only, shared by all agents) and a stack page of its own. */
#define AGENT_CODE 0x00100000
#define AGENT_STACK 0x00200000
#define AGENT_UTCB 0xBFFFE000
/* An agent in a small space (space_control) keeps everything below its limit. */
#define AGENT_SMALL_UTCB 0x00300000

/* Commands (labels of messages to an agent); u words as listed. The reply comes from the
 * agent with label AGENT_DONE, or AGENT_FAULTED if the exception handler resumed it at
 * agent_faulted after an exception (the command did not complete). */
#define AGENT_PING 0xA0   /* -> MR1 = AGENT_MAGIC */
#define AGENT_READ 0xA1   /* MR1 address -> MR1 = the word there */
#define AGENT_WRITE 0xA2  /* MR1 address, MR2 value */
#define AGENT_WINDOW 0xA3 /* MR1 fpage: BR0 for every later receive */
/* MR1 destination, MR2/MR3 the item's two words, MR4 timeouts: an IPC call to the
 * destination with label AGENT_ITEM, u = 0 and the item ->
 * MR1 = the reply's tag, MR2 = the error word, MR3 = the reply's MR1. */
#define AGENT_SEND 0xA4
#define AGENT_UNMAP 0xA5   /* MR1 control, MR2.. the fpages -> MR1 = error (eax) */
#define AGENT_INB 0xA6     /* MR1 port -> MR1 = the byte */
#define AGENT_OUTB 0xA7    /* MR1 port, MR2 byte */
#define AGENT_SYSCALL 0xA8 /* MR1..MR7 = eax ecx edx ebx esi edi ebp in -> the same out */
#define AGENT_ITEM 0xA9    /* what AGENT_SEND sends */

#define AGENT_DONE 0xAD
#define AGENT_FAULTED 0xAE
/* Any other message: MR1 = the tag received, MR2/MR3 = the received MR1/MR2. */
#define AGENT_RECEIVED 0xAF

#define AGENT_MAGIC 0xA6E47

#endif
