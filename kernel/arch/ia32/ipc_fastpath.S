/*
 * The system-call entry and the IPC fast path (STYLE.md rule 10).
 *
 * int $0x30 lands in ia32_syscall_entry. It saves the user registers as a TrapFrame (trap.h)
 * and, if the call is the common case of an IPC, hands the message over and returns
 * straight into the partner's user mode; anything else goes to the general path
 * (ia32_trap -> handle_syscall -> ipc::perform) with the frame untouched.
 *
 * The common case: a call (from = to) or a reply-and-wait (from = any) with untyped words
 * only — a tag without typed items and any number u of untyped words (0..63: MR0..MR2 come in
 * registers, MR3..MRu are copied from UTCB to UTCB), without AXO_TAG_FLAG_NOTIFY (notification
 * bits may end such an ipc: the same test, TAG_NOT_FAST) —, receive timeout never, send timeout
 * never or zero (with the partner waiting it is never armed), to a thread that waits in a
 * receive that accepts the caller, whose receive has no timeout armed, who has no halt
 * pending and does not own the FPU; the caller has no queued senders (its receive phase
 * would take one at once), and the partner may run at once: no queued thread outranks it.
 * A space switch must keep the I/O bitmap. One typed message is common too: a single map item
 * of one page and no untyped word (.Lmaybe_map_item below), which C maps before the commit.
 *
 * Its results are exactly the general path's (bench/guest/fastpath_check.cc compares them):
 * the caller's MR0..MR2 are stored in its UTCB, the message is copied into the partner's
 * UTCB (tag without flags, MR1..MRu), the caller waits in receive, the partner runs, and the
 * KIP counters count a syscall, an IPC, a context switch and the space switch (FAST_COUNT_*,
 * added to the KIP by arch::collect_counters: ipc_fastpath.h). What it leaves
 * out is work that has no observable result:
 *  - the ready queues: lazy scheduling (scheduler.h) — it only sets sched::g_lazy;
 *  - the partner's IpcOutcome and the caller's receive timeout, if the partner resumes here:
 *    they are only read by a thread that resumes in the general path, and written first;
 *  - the need-reschedule flag and zombie reaping: no reschedule is pending while user code
 *    runs, and the switch into the partner, like every switch, clears it;
 *  - %ds/%es: every kernel access below goes through %ss, the flat kernel data segment the
 *    int loads from the TSS; the sender's segment registers stay loaded until the
 *    partner's are popped (only a message longer than three words loads %es, for movs).
 *
 * The number of untyped words is read once, from the tag in %esi (the caller's register,
 * not its UTCB), and its six bits bound the copy by themselves: MR3..MR63 at most, which
 * ends at the UTCB's last word. Nothing user space does meanwhile can make it copy more.
 * (The jump on it reads the tag's low byte back from the partner's UTCB, one instruction
 * after storing it there from %esi: one CPU, interrupts off, no user code in between.)
 *
 * A thread that blocks here keeps its TrapFrame and, right under it, the return address
 * ia32_ipc_fast_blocked, the top of a switch frame (ia32_switch_context) whose four saved
 * registers are left as they are; its m_kernel_sp is not written. Finding that return address
 * there, the general path (arch::switch_to) switches to it like to any blocked thread, and a
 * partner's fast path returns straight to its user mode with iret. Every other way into the
 * kernel overwrites that word first (trap_common and the general path push %esp there).
 */
#include "kernel/arch/ia32/ipc_fastpath_layout.h"
#include "kernel/arch/ia32/user_return.h"

#define K %ss:

/* The checks of the common case after the tag's, shared by the map item's path below:
 * timeouts, call or reply-and-wait, the partner (eax) and its state, the caller (ebx), its
 * send queue, priorities. */
.macro PARTNER_CHECKS
    test $~TIMEOUTS_SEND_ZERO, %ebx
    jnz .Lgeneral
    cmp %ecx, %edx                  /* call */
    je 1f
    cmp $ANY_THREAD, %edx           /* reply-and-wait */
    jne .Lgeneral
1:  mov %ecx, %eax                  /* the partner: threads::g_table[number], same version */
    shr $THREAD_VERSION_BITS, %eax
    and $(MAX_THREADS - 1), %eax    /* a bigger number fails the id compare */
    mov K THREAD_TABLE(,%eax,4), %eax /* never null */
    cmp %ecx, K T_ID(%eax)
    jne .Lgeneral
    /* Receiving (user threads only) with no halt pending, not the FPU's owner (CR0.TS would
     * have to be cleared: the general path's), no timeout armed. */
    cmpl $STATE_RECEIVING, K T_STATE(%eax)
    jne .Lgeneral
    mov K CURRENT, %ebx             /* ebx: the caller */
    cmpl $ANY_THREAD, K T_RECEIVE_FROM(%eax)
    je 2f
    mov K T_ID(%ebx), %ecx
    cmp %ecx, K T_RECEIVE_FROM(%eax)
    jne .Lgeneral
2:  mov %edx, K T_RECEIVE_FROM(%ebx) /* what the general path would store first too */
    cmpl $0, K T_SENDQ_HEAD(%ebx)
    jne .Lgeneral
    mov K T_PRIORITY(%eax), %cl     /* no queued thread outranks the partner */
    cmp K READY_TOP, %cl
    jb .Lgeneral
.endm


/* The commit, written out three times (after the same space, after a switch into a large
 * space and into a small one: no jump between them): the caller's MR0..MR2 into its UTCB, states, the lazy flag, the caller's
 * switch frame, current thread, TSS esp0, UTCB descriptor; then the head of the message into
 * the partner's UTCB (without flags) and the jump
 * to its words. The KIP's counters were counted before, one word per kind of hand-over
 * (FAST_COUNT_*, folded into the KIP by arch::collect_counters). */
.macro COMMIT_AND_MESSAGE which
ia32_ipc_fast_commit_\which:
    mov K T_UTCB(%ebx), %ecx
    mov %esi, K UTCB_MR0(%ecx)
    mov %edi, K UTCB_MR1(%ecx)
    mov %ebp, K UTCB_MR2(%ecx)
    movb $STATE_RECEIVING, K T_STATE(%ebx)
    movb $STATE_READY, K T_STATE(%eax)
    movb $1, K SCHED_LAZY
    push $ia32_ipc_fast_blocked     /* the caller's switch frame: see the top of the file */
    mov %eax, K CURRENT
    lea THREAD_BLOCK_SIZE(%eax), %edx
    mov %edx, K TSS_ESP0
    mov K T_ARCH_SWITCH(%eax), %edx
    mov %edx, K GDT + GDT_UTCB
    mov K T_ARCH_SWITCH + 4(%eax), %edx
    mov %edx, K GDT + GDT_UTCB + 4

    /* The message into the partner's UTCB; edi/ebp become its MR1/MR2 as the general path
     * returns them (from the UTCB: a shorter message leaves older words there). */
ia32_ipc_fast_message_\which:
    mov K T_UTCB(%eax), %edx
    and $~TAG_FLAGS, %esi
    mov %esi, K UTCB_MR0(%edx)
    movzbl K UTCB_MR0(%edx), %ecx   /* the tag's low byte, as just stored: u, 0..63 if t = 0; */
    jmp *K .Lwords(,%ecx,4)         /* 0x80 for the map item (t = 2, u = 0) */
.endm

/* The labels ia32_ipc_fast_* and ia32_syscall_general name the parts of the path in the
 * kernel's symbol table, for bench/profile.py; no code refers to them. */

    .text
    .globl ia32_syscall_entry
    .align 16
ia32_syscall_entry:
    testb $EFLAGS_VM_BYTE2, 10(%esp) /* from virtual-8086 mode (QEMU only): see .Lfrom_v86 */
    jnz .Lfrom_v86
    sub $8, %esp                    /* vector and error code: the general path fills them in */
    pusha
    push %ds
    push %es
    push %fs
    push %gs

    /* ---- The common case? Up to .Lcommitted nothing is written that matters. ---- */
ia32_ipc_fast_check:
    test %eax, %eax                 /* ipc */
    jnz .Lgeneral
    test $TAG_NOT_FAST, %esi
    jnz .Lmaybe_map_item
    PARTNER_CHECKS
ia32_ipc_fast_space:
.Lspace_check:
    mov K T_SPACE(%eax), %ecx
    cmp %ecx, K SEGMENT_SPACE
    jne .Lother_space
    /* Lazy FPU: the partner does not own the FPU, so CR0.TS must be set; it is clear if the
     * caller owns it (CR0.TS stays consistent with LOADED_TASK_SWITCHED should the general
     * path take over below). Into another space the same test is a bit of the jump's index. */
    testl $LOADED_TASK_SWITCHED, K LOADED_STATE
    jz .Lfpu_set_ts
.Lfpu_done:
    incl K FAST_COUNT_SAME
    COMMIT_AND_MESSAGE same
ia32_ipc_fast_space_other:
.Lother_space:
    /* Another space (ecx), by its kind (S_FAST_KIND: large, small, or one with an I/O
     * bitmap) plus what is loaded (LOADED_STATE: a small space's segments, an I/O bitmap —
     * remapping the window is the general path's —, and whether CR0.TS is set, which the
     * partner needs: .Lother_fpu); then what thread_arch.cc's load_space does. */
    mov K S_FAST_KIND(%ecx), %edx
    add K LOADED_STATE, %edx
    jmp *K .Lkinds(,%edx,4)
.Lto_large:
    /* The flat LDT loaded and no I/O bitmap: the space we leave is large too (a small
     * one leaves its LDT loaded: .Lto_small) and its directory is the loaded one
     * (load_space keeps it so): another than ours, so CR3 is written without a compare. */
    mov %ecx, K SEGMENT_SPACE
    mov K S_PAGE_DIRECTORY(%ecx), %ecx
    mov %ecx, %cr3
    incl K FAST_COUNT_CR3
.Lcommitted:
    COMMIT_AND_MESSAGE other
.Lwords_3:
    mov K T_UTCB(%ebx), %ecx
    mov K UTCB_MR3(%ecx), %ecx
    mov %ecx, K UTCB_MR3(%edx)
.Lwords_2:
    mov %edi, K UTCB_MR1(%edx)
    mov %ebp, K UTCB_MR2(%edx)
.Lwords_done:
ia32_ipc_fast_return:
    cmpl $ia32_ipc_fast_blocked, K THREAD_BLOCK_SIZE - FRAME_SIZE - 4(%eax)
    jne .Lresume_general
    /* The partner blocked here too: straight back to its user mode. */
    lea THREAD_BLOCK_SIZE - FRAME_SIZE(%eax), %esp
    mov K T_ID(%ebx), %eax          /* from: the caller */
3:  pop %gs
4:  pop %fs
5:  pop %es
6:  pop %ds
    mov FRAME_EBX - 16(%esp), %ebx  /* ebx, ecx, edx: as the partner left them */
    mov FRAME_EDX - 16(%esp), %edx
    mov FRAME_ECX - 16(%esp), %ecx
    add $(FRAME_SIZE - 16 - 20), %esp /* past the pusha block, vector and error code */
7:  iret
    user_return 3b, USER_RETURN_UTCB_SELECTOR
    user_return 4b, USER_RETURN_DATA_SELECTOR
    user_return 5b, USER_RETURN_DATA_SELECTOR
    user_return 6b, USER_RETURN_DATA_SELECTOR
    user_return 7b, USER_RETURN_IRET

ia32_ipc_fast_message_short:
.Lwords_1:
    mov %edi, K UTCB_MR1(%edx)
.Lwords_0:
    mov K UTCB_MR1(%edx), %edi
    mov K UTCB_MR2(%edx), %ebp
    jmp .Lwords_done

/* Four words or more (ecx = u): MR1/MR2 from the registers, MR3..MRu from the caller's UTCB
 * with rep movsl (Pentium: no P6 instructions), which needs esi/edi; the tag and MR1 come
 * back from the partner's UTCB, where they were just stored. The source is read through
 * %ss, the destination through %es, loaded with the kernel data segment here (the partner's
 * own is popped before its iret, the general path's loaded before C runs); user mode may
 * have left the direction flag set. */
ia32_ipc_fast_copy:
.Lwords_long:
    mov %edi, K UTCB_MR1(%edx)
    mov %ebp, K UTCB_MR2(%edx)
    lea UTCB_MR3(%edx), %edi
    mov K T_UTCB(%ebx), %esi
    add $UTCB_MR3, %esi
    sub $2, %ecx                    /* MR3..MRu: 2..61 words, never past the UTCB */
    push %ss
    pop %es
    cld
    rep movsl %ss:(%esi), %es:(%edi)
    mov K UTCB_MR0(%edx), %esi
    mov K UTCB_MR1(%edx), %edi
    jmp .Lwords_done

/* The partner blocked in the general path: leave the outcome its wake-up would (ipc.cc:
 * wake) and switch to its kernel context like ia32_switch_context, with the kernel's data
 * segments and direction flag as C code expects them. */
ia32_ipc_fast_resume_general:
.Lresume_general:
    movl $0, K T_OUTCOME_ERROR(%eax)
    movl $1, K T_OUTCOME_FLAGS(%eax) /* receive_phase, not retry_receive */
    mov K T_ID(%ebx), %edx
    mov %edx, K T_OUTCOME_FROM(%eax)
    mov K T_KERNEL_SP(%eax), %esp
    mov $KERNEL_DATA, %eax
    mov %eax, %ds
    mov %eax, %es
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    cld
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret

/* A call or reply-and-wait whose message is one map item and nothing else (t = 2, u = 0,
 * no AXO_TAG_FLAG_NOTIFY): the common case's checks, the I/O bitmap check of its space
 * switch (nothing may send it to the general path once the page is mapped), then the map
 * itself in C (map_items::transfer_one_page through ia32_ipc_fast_map_one), with the kernel's
 * data segments and direction flag: it maps exactly as the general path would and returns
 * true, or does nothing and returns false — an item it does not handle (a grant, more than
 * a page, a page the receiver has already, a space to promote) is the general path's. Then
 * the common case goes on: the message is MR1 and MR2 in registers, as for u = 2. */
ia32_ipc_fast_map_item:
.Lmaybe_map_item:
    mov %esi, %eax
    and $(TAG_NOT_FAST | TAG_UNTYPED), %eax
    cmp $TAG_ONE_MAP_ITEM, %eax
    jne .Lgeneral
    PARTNER_CHECKS
    mov K T_SPACE(%eax), %ecx       /* the space switch's checks (.Lother_space, .Lto_*) */
    cmp %ecx, K SEGMENT_SPACE
    je 1f
    cmpl $FAST_KIND_GENERAL, K S_FAST_KIND(%ecx)
    je .Lgeneral
    testl $LOADED_IO_BITMAP, K LOADED_STATE
    jnz .Lgeneral
1:  mov $KERNEL_DATA, %ecx
    mov %ecx, %ds
    mov %ecx, %es
    cld
    push %eax
    push %ebp                       /* the fpage */
    push %edi                       /* the item's word 0 */
    push %eax                       /* the partner */
    push %ebx                       /* the caller */
    call ia32_ipc_fast_map_one
    add $16, %esp
    test %al, %al
    pop %eax
    jz .Lgeneral
    jmp .Lspace_check

ia32_ipc_fast_fpu:
.Lfpu_set_ts:
    mov %cr0, %ecx
    or $CR0_TS, %ecx
    mov %ecx, %cr0
    orl $LOADED_TASK_SWITCHED, K LOADED_STATE
    movb $1, K TASK_SWITCHED
    jmp .Lfpu_done
.Lother_fpu:                        /* the same into another space: then its kind's entry again */
    mov %cr0, %ecx
    or $CR0_TS, %ecx
    mov %ecx, %cr0
    orl $LOADED_TASK_SWITCHED, K LOADED_STATE
    movb $1, K TASK_SWITCHED
    mov K T_SPACE(%eax), %ecx
    add $LOADED_TASK_SWITCHED, %edx
    jmp *K .Lkinds(,%edx,4)

ia32_ipc_fast_space_segments:
.Lto_large_slow:                    /* from a small space: the flat LDT, the directory compared */
    mov %ecx, K SEGMENT_SPACE
    movl $LOADED_TASK_SWITCHED, K LOADED_STATE /* no I/O bitmap, CR0.TS set: .Lkinds */
    mov $FLAT_LDT, %edx
    lldt %dx
    mov K S_PAGE_DIRECTORY(%ecx), %ecx
    mov %cr3, %edx                  /* the small space ran on the directory loaded before */
    cmp %ecx, %edx
    je 1f
    mov %ecx, %cr3
    incl K FAST_COUNT_CR3
    jmp .Lcommitted
1:  incl K FAST_COUNT_SPACE
    jmp .Lcommitted
/* Into a small space: its LDT only (the small-space area is in every directory). From a
 * large space the loaded state changes; from another small one it stays what .Lkinds picked
 * this entry by. The commit is written out a third time: no jump to it. */
.Lto_small:
    movl $(LOADED_SMALL_SEGMENTS | LOADED_TASK_SWITCHED), K LOADED_STATE /* .Lkinds */
.Lto_small_from_small:
    mov %ecx, K SEGMENT_SPACE
    lldt K S_ARCH_SWITCH(%ecx)
    incl K FAST_COUNT_SMALL
    COMMIT_AND_MESSAGE small

/* int $0x30 from virtual-8086 mode, which only QEMU lets a ring-3 iret enter (with IOPL 3,
 * so that int reaches this DPL-3 gate): the frame is four words longer. It is no system call:
 * trap_entry.S moves the frame into place and trap.cc takes the thread out of v86 mode. */
.Lfrom_v86:
    sub $8, %esp
    movl $SYSCALL_VECTOR, (%esp)
    movl $0, 4(%esp)
    jmp ia32_trap_from_v86

/* Not the common case: the general path, as for every other trap (trap_entry.S). */
ia32_syscall_general:
.Lgeneral:
    movl $SYSCALL_VECTOR, FRAME_VECTOR(%esp)
    movl $0, FRAME_ERROR(%esp)
    mov $KERNEL_DATA, %eax
    mov %eax, %ds
    mov %eax, %es
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    cld
    push %esp
    call ia32_trap
    add $4, %esp
    jmp ia32_trap_return

/* A thread that blocked in the fast path, switched to by the general path (its switch
 * frame's return address); esp points at its TrapFrame. */
    .globl ia32_ipc_fast_blocked
ia32_ipc_fast_blocked:
    push %esp
    call ia32_ipc_fast_resumed
    add $4, %esp
    jmp ia32_trap_return

/* An index of the words table that no checked tag gives. */
ia32_ipc_fast_unreachable:
.Lwords_none:
    ud2

    .section .rodata
    .align 4
.Lkinds:          /* by S_FAST_KIND + LOADED_STATE: CR0.TS clear, then set (the last four) */
    .long .Lother_fpu, .Lother_fpu, .Lgeneral, .Lgeneral        /* large */
    .long .Lto_large, .Lto_large_slow, .Lgeneral, .Lgeneral
    .long .Lother_fpu, .Lother_fpu, .Lgeneral, .Lgeneral        /* small */
    .long .Lto_small, .Lto_small_from_small, .Lgeneral, .Lgeneral
    .rept 8                                                     /* with an I/O bitmap */
    .long .Lgeneral
    .endr
.Lwords:                            /* by the tag's low byte: u, 0..63 (t = 0); t = 2, u = 0 */
    .long .Lwords_0, .Lwords_1, .Lwords_2, .Lwords_3
    .rept 60
    .long .Lwords_long
    .endr
    .rept TAG_ONE_MAP_ITEM - 64
    .long .Lwords_none
    .endr
    .long .Lwords_2                 /* the map item's two words, MR1 and MR2 */
    .rept TAG_WORDS_INDEX - TAG_ONE_MAP_ITEM
    .long .Lwords_none
    .endr
