/*
 * The timed instruction sequences of the Axolotl benchmark, in assembler because what is
 * measured must be exactly known: C cannot promise which instructions sit between a rdtsc
 * and the int it times, nor keep ebp free for MR2.
 *
 * Under `qemu-system-i386 -icount shift=0,sleep=off` rdtsc counts guest instructions. Every
 * timed kernel entry has the same shape,
 *
 *     rdtsc; movl %eax, <where>; movl $<syscall>, %eax; movl <x>, %edx; int $0x30
 *
 * and the measurement ends with a rdtsc as the first instruction after the kernel returns
 * to user mode (in the same thread for a syscall, in the receiver for a one-way IPC).
 * bench_calibrate runs the same four instructions with a rdtsc where the int would be:
 * subtracting its result leaves exactly the int, the kernel's instructions and its iret.
 *
 * A server may run in another address space whose copy of this program's data is private
 * (main.cc): its timestamps travel back to the client in the reply's registers, and what it
 * needs to know comes in its thread argument.
 */
#define SYS_IPC 0              /* AXO_SYS_IPC */
#define SYS_KERNEL_INTERFACE 7 /* AXO_SYS_KERNEL_INTERFACE */
#define ANY_THREAD 0xFFFFFFFF  /* AXO_ANY_THREAD */
#define REPLY_WAIT_TIMEOUTS 0x04000000 /* axo_timeouts(AXO_TIMEOUT_ZERO, AXO_TIMEOUT_NEVER) */
#define TIMED_REPLY_TAG 0x00430002     /* axo_msg_tag(0x43, 2, 0): MR1 = t2, MR2 = t1 */
#define UTCB_MR1 260           /* offsetof(axo_utcb_t, mr[1]) */
#define UTCB_MR2 264
#define SYS_NOTIFY 9           /* AXO_SYS_NOTIFY */
#define NOTIFY_WAIT_TAG 0x1000 /* axo_msg_tag(0, 0, 0) | AXO_TAG_FLAG_NOTIFY */
#define UTCB_NOTIFY_MASK 24    /* offsetof(axo_utcb_t, notify_mask) */

    .data
    .balign 64
    .globl bench_t0, bench_t1, bench_t2, bench_t3, bench_result_tag
bench_t0:         .long 0 /* the sender's rdtsc before its int */
bench_t1:         .long 0 /* the timed server's rdtsc after its receive returned */
bench_t2:         .long 0 /* the timed server's rdtsc before its reply int */
bench_t3:         .long 0 /* the client's rdtsc after its call returned */
bench_result_tag: .long 0 /* the tag the last call returned */

    .text

/* The start of every timed kernel entry, up to (not including) its int. */
.macro timed_entry where, syscall, edx_source
    rdtsc
    movl %eax, \where
    movl $\syscall, %eax
    movl \edx_source, %edx
.endm

.macro save_callee_saved
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
.endm
.macro restore_callee_saved
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
.endm

/* uint32_t bench_calibrate(void): what timed_entry itself adds to a measurement. */
    .globl bench_calibrate
    .type bench_calibrate, @function
bench_calibrate:
    pushl %ebx
    timed_entry bench_t0, SYS_IPC, $0
    rdtsc
    subl bench_t0, %eax
    popl %ebx
    ret
    .size bench_calibrate, . - bench_calibrate

/* void bench_null_syscall(void): kernel_interface, the cheapest kernel entry and exit.
 * bench_t3 - bench_t0 - calibration = its instructions. */
    .globl bench_null_syscall
    .type bench_null_syscall, @function
bench_null_syscall:
    save_callee_saved
    timed_entry bench_t0, SYS_KERNEL_INTERFACE, $0
    int $0x30
    rdtsc
    movl %eax, bench_t3
    restore_callee_saved
    ret
    .size bench_null_syscall, . - bench_null_syscall

/* void bench_call(axo_thread_id_t server, axo_msg_tag_t tag): an IPC call with MR1/MR2
 * from the caller's UTCB (the rest of the message is there too), timeouts never.
 * bench_t0 = before the int, bench_t3 = after the reply arrived; bench_t1/bench_t2 = the
 * reply's MR2/MR1 (a timed server's timestamps). */
    .globl bench_call
    .type bench_call, @function
bench_call:
    save_callee_saved
    movl 20(%esp), %ecx         /* to = server */
    movl 24(%esp), %esi         /* MR0 */
    movl %gs:0, %eax
    movl UTCB_MR1(%eax), %edi   /* MR1 */
    movl UTCB_MR2(%eax), %ebp   /* MR2 */
    xorl %ebx, %ebx             /* timeouts: never, never */
    timed_entry bench_t0, SYS_IPC, %ecx  /* from = server: a call */
    int $0x30
    rdtsc
    movl %eax, bench_t3
    movl %esi, bench_result_tag
    movl %edi, bench_t2
    movl %ebp, bench_t1
    restore_callee_saved
    ret
    .size bench_call, . - bench_call

/* The first receive of a server thread: open, never times out. */
.macro server_first_receive
    xorl %ecx, %ecx             /* to = nil: no send phase */
    movl $ANY_THREAD, %edx
    xorl %ebx, %ebx
    xorl %esi, %esi
    movl $SYS_IPC, %eax
    int $0x30
.endm

/* void bench_server_timed(axo_thread_id_t client): a server thread that replies to `client`
 * with TIMED_REPLY_TAG, MR1 = its rdtsc right before the reply-and-wait int (t2) and MR2 =
 * its rdtsc the moment its receive returned (t1). Never returns; the stack stays put, so
 * the argument stays at 4(%esp). */
    .globl bench_server_timed
    .type bench_server_timed, @function
bench_server_timed:
    server_first_receive
1:  rdtsc
    movl %eax, %ebp
    movl 4(%esp), %ecx
    movl $TIMED_REPLY_TAG, %esi
    movl $REPLY_WAIT_TIMEOUTS, %ebx
    timed_entry %edi, SYS_IPC, $ANY_THREAD
    int $0x30
    jmp 1b
    .size bench_server_timed, . - bench_server_timed

/* void bench_server_plain(void*): the smallest reply-and-wait server: echoes every message
 * (tag, MR1/MR2 in registers, the UTCB's MRs) to whoever sent it. Its own user-mode work
 * per round trip is three instructions (jmp, movl, xorl). Never returns. */
    .globl bench_server_plain
    .type bench_server_plain, @function
bench_server_plain:
    server_first_receive
    movl $REPLY_WAIT_TIMEOUTS, %ebx /* edx stays ANY_THREAD: the kernel keeps ecx, edx, ebx */
1:  movl %eax, %ecx
    xorl %eax, %eax
    int $0x30
    jmp 1b
    .size bench_server_plain, . - bench_server_plain

/* uint32_t bench_touch(const volatile uint32_t* address): reads one word, timed with the
 * same shape as a syscall (the load stands where the int would be): bench_t3 - bench_t0 -
 * calibration is 1 for a present page, else what the page fault costs, pager included.
 * Returns the word. */
    .globl bench_touch
    .type bench_touch, @function
bench_touch:
    pushl %ebx
    movl 8(%esp), %ecx
    timed_entry bench_t0, 0, %eax
    movl (%ecx), %ebx
    rdtsc
    movl %eax, bench_t3
    movl %ebx, %eax
    popl %ebx
    ret
    .size bench_touch, . - bench_touch

/* void bench_notify(axo_thread_id_t target, uint32_t bits): the notify syscall, timed from
 * bench_t0 (before its int); the thread it wakes (bench_notify_waiter) takes bench_t1 as its
 * first instruction. bench_result_tag = the error notify returned. */
    .globl bench_notify
    .type bench_notify, @function
bench_notify:
    save_callee_saved
    movl 20(%esp), %ecx         /* target */
    timed_entry bench_t0, SYS_NOTIFY, 24(%esp)
    int $0x30
    movl %eax, bench_result_tag
    restore_callee_saved
    ret
    .size bench_notify, . - bench_notify

/* void bench_notify_waiter(void*): waits for any notification bit, forever: an open receive
 * that nobody sends to, with AXO_TAG_FLAG_NOTIFY and every bit in its notify_mask. Its first
 * instruction after each wake-up is the rdtsc that ends notify.wake (bench_t1). */
    .globl bench_notify_waiter
    .type bench_notify_waiter, @function
bench_notify_waiter:
    movl %gs:0, %eax
    movl $0xFFFFFFFF, UTCB_NOTIFY_MASK(%eax)
1:  xorl %ecx, %ecx             /* to = nil: no send phase */
    movl $ANY_THREAD, %edx
    xorl %ebx, %ebx             /* timeouts never */
    movl $NOTIFY_WAIT_TAG, %esi
    movl $SYS_IPC, %eax
    int $0x30
    rdtsc
    movl %eax, bench_t1
    jmp 1b
    .size bench_notify_waiter, . - bench_notify_waiter
