/* What the IPC fast path (ipc_fastpath.S) knows of the kernel's data: symbols, offsets and
 * constants, as plain #defines for the assembler. ipc_fastpath.cc checks every one of them
 * against the C++ definitions at compile time. */
#ifndef AXO_IA32_IPC_FASTPATH_LAYOUT_H
#define AXO_IA32_IPC_FASTPATH_LAYOUT_H

/* Symbols (C++ names in parentheses; they carry these names through __asm__ labels). */
#define CURRENT axo_current                /* axo::g_current */
#define THREAD_TABLE axo_fast_thread_table /* axo::threads::g_fast_table */
#define KIP axo_kip_page                   /* the KIP itself (space.cc) */
#define READY_TOP axo_sched_ready          /* axo::sched::g_ready, ReadyQueues::top() */
#define SCHED_LAZY axo_sched_lazy          /* axo::sched::g_lazy */
#define SEGMENT_SPACE ia32_segment_space   /* axo::arch::g_segment_space */
#define TASK_SWITCHED ia32_task_switched   /* axo::arch::g_task_switched, and in LOADED_STATE */
#define LOADED_STATE ia32_loaded_state     /* axo::ia32::g_loaded_state, added to a kind */
#define LOADED_SMALL_SEGMENTS 1
#define LOADED_IO_BITMAP 2
#define LOADED_TASK_SWITCHED 4
#define GDT ia32_gdt
/* The fast path's hand-overs, one word per kind (axo::ia32::g_fast_counts; each stands for
 * the KIP counters named, which collect_fast_counts adds): */
#define FAST_COUNT_SAME ia32_fast_counts       /* syscall, ipc, context switch */
#define FAST_COUNT_SPACE ia32_fast_counts + 4  /* and a space switch */
#define FAST_COUNT_CR3 ia32_fast_counts + 8    /* and a space switch with a CR3 write */
#define FAST_COUNT_SMALL ia32_fast_counts + 12 /* and a switch into a small space */

/* Thread (kernel/thread.h) */
#define THREAD_BLOCK_SIZE 8192
#define T_KERNEL_SP 0
#define T_ID 4
#define T_STATE 8 /* a word: state, halt requested, FPU owner, timeout armed */
#define T_PRIORITY 12
#define T_SPACE 16
#define T_UTCB 20
#define T_ARCH_SWITCH 28 /* the UTCB segment descriptor, two words */
#define T_RECEIVE_FROM 36
#define T_SENDQ_HEAD 48
#define T_OUTCOME_ERROR 60
#define T_OUTCOME_FLAGS 64 /* receive_phase, retry_receive: bytes */
#define T_OUTCOME_FROM 68
#define STATE_READY 1
#define STATE_RECEIVING 3

/* Space (kernel/space.h) */
#define S_PAGE_DIRECTORY 0
#define S_ARCH_SWITCH 36     /* a small space's LDT selector (ia32::small_space_ldt) */
#define S_FAST_KIND 44       /* the third arch word: how the fast path switches into the space */
#define FAST_KIND_LARGE 0    /* a large space without an I/O bitmap (a new space's zero) */
#define FAST_KIND_SMALL 8    /* a small space without an I/O bitmap */
#define FAST_KIND_GENERAL 16 /* a space with an I/O bitmap: the general path's */

/* TrapFrame (trap.h): a user thread's is at the top of its kernel stack. */
#define FRAME_SIZE 76
#define FRAME_EBX 32
#define FRAME_EDX 36
#define FRAME_ECX 40
#define FRAME_VECTOR 48
#define FRAME_ERROR 52
/* Right under it, a thread blocked in the fast path has the return address
 * ia32_ipc_fast_blocked (the top of a switch frame: thread_arch.cc, kernel_sp). */

/* UTCB (axolotl/utcb.h) */
#define UTCB_MR0 256
#define UTCB_MR1 260
#define UTCB_MR2 264
#define UTCB_MR3 268

/* The ABI (axolotl/abi.h, syscalls.h) */
#define SYS_IPC 0
#define ANY_THREAD 0xFFFFFFFF
#define THREAD_VERSION_BITS 14
#define MAX_THREADS 1024
#define TAG_FLAGS 0xF000
/* typed items, or AXO_TAG_FLAG_NOTIFY (the ipc may end by notification bits: the general
 * path's) */
#define TAG_NOT_FAST 0x1FC0
#define TAG_UNTYPED 0x3F              /* the number of untyped words, 0..63 */
#define TAG_ONE_MAP_ITEM 0x80         /* t = 2, u = 0: one map item and nothing else */
#define TAG_WORDS_INDEX 0xFF          /* the tag's bits that index the message's copy */
#define TIMEOUTS_SEND_ZERO 0x04000000 /* send timeout zero, receive timeout never */

/* Descriptors (descriptors.h) */
#define GDT_UTCB 0x30
#define FLAT_LDT 0x40       /* the LDT of every large space */
#define TSS_ESP0 0xFC100F9C /* ia32::kTssEsp0Address */
#define KERNEL_DATA 0x10
#define SYSCALL_VECTOR 0x30
#define CR0_TS 0x8

#endif
