/* The Axolotl kernel ABI: thread ids, message tags, timeouts, error codes and syscall
 * numbers. Shared by the kernel and user space, usable from C and C++. This header (with
 * utcb.h, kip.h and syscalls.h) is the single source of docs/kernel-api.md.
 * Modelled on L4 X.2, simplified where noted. */
#ifndef AXOLOTL_ABI_H
#define AXOLOTL_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
/* The pure helpers below are constant expressions in C++ (tables of ids need no
 * constructors). */
#define AXO_PURE static constexpr inline
#else
#define AXO_PURE static inline
#endif

/* ---- Thread ids -------------------------------------------------------------------------
 * A thread id is global and unique in space and time: an 18-bit thread number and a 14-bit
 * version. Deleting a thread makes its version stale forever: the kernel refuses to create
 * the same number with a version not greater than any deleted one. */
typedef uint32_t axo_thread_id_t;

#define AXO_THREAD_NUMBER_BITS 18u
#define AXO_THREAD_VERSION_BITS 14u
#define AXO_NIL_THREAD ((axo_thread_id_t)0)
#define AXO_ANY_THREAD ((axo_thread_id_t)0xFFFFFFFFu)
/* Thread numbers below this are the kernel's: 1..16 are the interrupt lines (IRQ n is
 * number n + 1, version 1), the rest is reserved. */
#define AXO_FIRST_USER_THREAD 32u
/* The kernel supports thread numbers below this. */
#define AXO_MAX_THREADS 1024u

AXO_PURE axo_thread_id_t axo_thread_id(uint32_t number, uint32_t version) {
    return (number << AXO_THREAD_VERSION_BITS) | (version & ((1u << AXO_THREAD_VERSION_BITS) - 1));
}
AXO_PURE uint32_t axo_thread_number(axo_thread_id_t id) {
    return id >> AXO_THREAD_VERSION_BITS;
}
AXO_PURE uint32_t axo_thread_version(axo_thread_id_t id) {
    return id & ((1u << AXO_THREAD_VERSION_BITS) - 1);
}

/* ---- Message tag (MR0) ------------------------------------------------------------------
 *   31            16 15  12 11      6 5       0
 *  |     label      | flags |    t    |    u    |
 * u untyped words follow in MR1..MRu, then t typed words (map/grant items, below).
 * u + t <= AXO_MR_COUNT - 1. Flag E is set by the kernel when the IPC failed; the error
 * code is then in the UTCB. */
typedef uint32_t axo_msg_tag_t;

#define AXO_MR_COUNT 64u
#define AXO_TAG_FLAG_ERROR 0x8000u

AXO_PURE axo_msg_tag_t axo_msg_tag(uint32_t label, uint32_t untyped, uint32_t typed) {
    return (label << 16) | ((typed & 0x3Fu) << 6) | (untyped & 0x3Fu);
}
AXO_PURE uint32_t axo_tag_label(axo_msg_tag_t tag) {
    return tag >> 16;
}
AXO_PURE uint32_t axo_tag_untyped(axo_msg_tag_t tag) {
    return tag & 0x3Fu;
}
AXO_PURE uint32_t axo_tag_typed(axo_msg_tag_t tag) {
    return (tag >> 6) & 0x3Fu;
}
AXO_PURE int axo_tag_failed(axo_msg_tag_t tag) {
    return (tag & AXO_TAG_FLAG_ERROR) != 0;
}

/* Labels of messages the kernel sends on a thread's behalf. */
#define AXO_LABEL_EXCEPTION 0xFFD0u  /* to the exception handler; see below */
#define AXO_LABEL_PAGE_FAULT 0xFFE0u /* to the pager; low bits: the access, r = 4 or w = 2 */
#define AXO_LABEL_INTERRUPT 0xFFF0u  /* from an interrupt line's thread */
#define AXO_LABEL_NOTIFY 0xFFC0u     /* an IPC ended by notification bits; see below */

/* An exception message: label AXO_LABEL_EXCEPTION, 13 untyped words in this order. The
 * handler's reply (any label) resumes the thread: MR1 = new eip, MR2 = new esp (both
 * required, u >= 2), MR3 = eflags (arithmetic flags only, if u >= 3), MR4.. = eax ecx edx
 * ebx ebp esi edi (if u >= 10). Deleting the thread instead is also an answer. */
enum axo_exception_mr {
    AXO_EXC_EIP = 1,
    AXO_EXC_ESP = 2,
    AXO_EXC_EFLAGS = 3,
    AXO_EXC_VECTOR = 4,
    AXO_EXC_ERROR = 5,
    AXO_EXC_ADDRESS = 6, /* cr2 for page faults, else 0 */
    AXO_EXC_EAX = 7,
    AXO_EXC_ECX = 8,
    AXO_EXC_EDX = 9,
    AXO_EXC_EBX = 10,
    AXO_EXC_EBP = 11,
    AXO_EXC_ESI = 12,
    AXO_EXC_EDI = 13,
    AXO_EXC_WORDS = 13
};
/* In a reply: which words resume which registers. */
#define AXO_EXC_REPLY_EIP 1u
#define AXO_EXC_REPLY_ESP 2u
#define AXO_EXC_REPLY_EFLAGS 3u
#define AXO_EXC_REPLY_GPRS 4u /* MR4..MR10: eax ecx edx ebx ebp esi edi */

/* ---- Flexpages ---------------------------------------------------------------------------
 * A flexpage names 2^s bytes of memory (s >= 12, base aligned to 2^s) or 2^s I/O ports:
 *   memory:  | base (31..12) | 0 (11..10) | s (9..4) | 0 | r w x |     (bit 3 clear)
 *   I/O:     | port (31..16) | 0 (15..10) | s (9..4) | 1 | 0 0 0 |     (bit 3 set, s <= 16)
 * Rights: r = 4, w = 2, x = 1 (x is implied by r on the Pentium). The nil fpage is 0; the
 * complete fpage (s = 32, base 0) covers the whole user address space (as a receive window:
 * mappings may land anywhere, and I/O ports are accepted too). */
typedef uint32_t axo_fpage_t;
#define AXO_FPAGE_NIL ((axo_fpage_t)0)
#define AXO_FPAGE_R 4u
#define AXO_FPAGE_W 2u
#define AXO_FPAGE_X 1u
#define AXO_FPAGE_RWX 7u
#define AXO_FPAGE_IO_BIT 8u
/* Nothing is ever mapped below this address (page 0 and the first 64 KiB): a map or grant
 * item that would land there fails the IPC with AXO_IPC_INVALID. */
#define AXO_LOWEST_MAPPABLE 0x10000u
#define AXO_FPAGE_COMPLETE ((axo_fpage_t)((32u << 4) | AXO_FPAGE_RWX))

AXO_PURE axo_fpage_t axo_fpage(uint32_t base, uint32_t log2_size, uint32_t rights) {
    return (base & ~0xFFFu) | ((log2_size & 0x3Fu) << 4) | (rights & 7u);
}
AXO_PURE axo_fpage_t axo_io_fpage(uint32_t port, uint32_t log2_size) {
    return (port << 16) | ((log2_size & 0x3Fu) << 4) | AXO_FPAGE_IO_BIT;
}
AXO_PURE uint32_t axo_fpage_log2(axo_fpage_t f) {
    return (f >> 4) & 0x3Fu;
}
AXO_PURE uint32_t axo_fpage_rights(axo_fpage_t f) {
    return f & 7u;
}
AXO_PURE int axo_fpage_is_io(axo_fpage_t f) {
    return (f & AXO_FPAGE_IO_BIT) != 0;
}
AXO_PURE uint32_t axo_fpage_base(axo_fpage_t f) {
    return axo_fpage_is_io(f) ? (f >> 16) : (f & ~0xFFFu);
}

/* ---- Typed items: map and grant ---------------------------------------------------------
 * After the u untyped words, each item takes two typed words:
 *   word 0: send base (bits 31..10; the "hotspot" for windows larger than the fpage) | type
 *   word 1: the fpage to send, with the rights to give (never more than the sender has).
 * Map shares the pages (the receiver's mapping is derived from the sender's: flushing the
 * sender's revokes it); grant moves them (the sender loses them). The receiver accepts
 * mappings only inside its receive window, buffer register BR0 (an fpage; nil accepts none).
 * Where the window is larger than the fpage, the pages land at window base + (send base mod
 * window size), rounded down to the fpage size; where it is smaller, only the window-sized
 * part of the fpage that contains the send base is sent. A page the sender does not have is
 * skipped. σ0's fpages name physical memory (σ0 owns all of it). */
#define AXO_ITEM_MAP 0x8u
#define AXO_ITEM_GRANT 0xAu
#define AXO_ITEM_TYPE_MASK 0xFu
AXO_PURE uint32_t axo_map_item_word0(uint32_t send_base, int grant) {
    return (send_base & ~0x3FFu) | (grant ? AXO_ITEM_GRANT : AXO_ITEM_MAP);
}

/* ---- Notifications ------------------------------------------------------------------------
 * Each thread has a word of 32 notification bits. notify(target, bits) sets bits in the
 * target's word and never blocks; it is allowed from a thread of the target's own space,
 * from the root task's space, and from a thread the target granted those bits
 * (notify_control: up to AXO_NOTIFY_GRANTS notifiers per thread, each an exact thread id
 * with a mask). Anyone else gets AXO_ERR_NO_PRIVILEGE and sets nothing.
 *
 * An ipc whose tag (MR0, as passed in) carries AXO_TAG_FLAG_NOTIFY may be ended by the
 * pending bits of the caller's UTCB notify_mask word instead of a message: whenever the
 * thread would wait — its send phase cannot deliver at once, or its receive phase finds no
 * bit and no waiting sender — and for as long as it waits, pending bits of that mask end
 * the IPC. The receive phase looks at the bits before queued senders. Then the ipc returns
 * from = nil and the message: label AXO_LABEL_NOTIFY, u = 2, MR1 = the bits (taken from the
 * word atomically: each bit set by notify is returned exactly once), MR2 = the phase it
 * ended in (AXO_NOTIFY_IN_SEND: nothing was sent; AXO_NOTIFY_IN_RECEIVE: the message was
 * sent, and a reply that comes later is not received by this IPC). A message with this
 * label from a thread (from != nil) is an ordinary message. A send that can deliver at once
 * is never stopped by bits, so a reply-and-wait's reply always goes out. */
#define AXO_TAG_FLAG_NOTIFY 0x1000u
#define AXO_NOTIFY_GRANTS 8u
enum axo_notify_mr { AXO_NOTIFY_BITS = 1, AXO_NOTIFY_PHASE = 2, AXO_NOTIFY_WORDS = 2 };
#define AXO_NOTIFY_IN_SEND 0u
#define AXO_NOTIFY_IN_RECEIVE 1u
/* Whether an ipc returned a notification instead of a message. */
AXO_PURE int axo_ipc_notified(axo_thread_id_t from, axo_msg_tag_t tag) {
    return from == AXO_NIL_THREAD && !axo_tag_failed(tag) && axo_tag_label(tag) == AXO_LABEL_NOTIFY;
}

/* ---- Page faults --------------------------------------------------------------------------
 * A user page fault is an IPC call from the faulting thread to its pager: label
 * AXO_LABEL_PAGE_FAULT | access (r = 4, w = 2, x = 1), u = 2: MR1 = fault address, MR2 = fault
 * ip. The receive window for the reply is the whole address space; the reply's map items
 * resolve the fault and the thread retries the access. A thread without a pager gets the
 * fault as an exception message (vector 14) at its exception handler, or is halted.
 * A reply with label AXO_LABEL_RAISE_FAULT (its map items are still carried out) raises
 * the fault instead: the thread's exception handler gets it as an exception message
 * (vector 14, the CPU's error code with the access, AXO_EXC_ADDRESS = the fault address),
 * exactly as if the thread had no pager — SIGSEGV and SIGBUS.
 * exchange_registers aborting the page-fault IPC (AXO_EXREG_ABORT_SEND/RECEIVE) does not
 * halt the thread: it returns to user mode at the faulting instruction (or where
 * exchange_registers put it) and retries; the state word says AXO_STATE_IN_FAULT. The same
 * holds for an exception IPC. */
#define AXO_LABEL_RAISE_FAULT 0xFFE8u

/* ---- Interrupts ---------------------------------------------------------------------------
 * IRQ line n (0..15, except 0: the kernel's timer, and 2: the cascade) is the thread
 * axo_irq_thread(n). thread_control(irq thread, nil space, pager = handler) from the root
 * task attaches a handler (pager = the irq thread itself detaches). Each interrupt arrives at
 * the handler as a message from the irq thread: label AXO_LABEL_INTERRUPT, no words. The line
 * stays masked until the handler acknowledges it by sending any message to the irq thread. */
#define AXO_IRQ_LINES 16u
AXO_PURE axo_thread_id_t axo_irq_thread(uint32_t line) {
    return axo_thread_id(line + 1u, 1u);
}

/* ---- Timeouts -----------------------------------------------------------------------------
 * 16 bits: never = 0; zero = 0x0400; otherwise relative m * 2^e microseconds with
 * e = bits 15..10 and m = bits 9..0 (m != 0). As in L4 X.2. An IPC takes a word
 * (send timeout << 16) | receive timeout. */
typedef uint16_t axo_timeout_t;
#define AXO_TIMEOUT_NEVER ((axo_timeout_t)0)
#define AXO_TIMEOUT_ZERO ((axo_timeout_t)0x0400)

AXO_PURE axo_timeout_t axo_timeout_us(uint32_t microseconds) {
    uint32_t e = 0;
    if (microseconds == 0) return AXO_TIMEOUT_ZERO;
    while (microseconds > 0x3FFu) {
        microseconds = (microseconds >> 1) + (microseconds & 1); /* round up: never early */
        ++e;
    }
    return (axo_timeout_t)((e << 10) | microseconds);
}
AXO_PURE uint32_t axo_timeouts(axo_timeout_t send, axo_timeout_t receive) {
    return ((uint32_t)send << 16) | receive;
}

/* ---- Errors -------------------------------------------------------------------------------
 * Every syscall but ipc returns one of these in eax and also stores it in the UTCB's
 * error word. */
enum axo_error {
    AXO_OK = 0,
    AXO_ERR_NO_PRIVILEGE = 1,   /* caller is not privileged (not the root task) */
    AXO_ERR_INVALID_THREAD = 2, /* no such thread, stale id, or a kernel thread */
    AXO_ERR_INVALID_SPACE = 3,  /* no such address space */
    AXO_ERR_INVALID_SCHEDULER = 4,
    AXO_ERR_INVALID_PARAM = 5,   /* an argument out of range */
    AXO_ERR_UTCB_AREA = 6,       /* UTCB location not a user address, misaligned or taken */
    AXO_ERR_NO_MEMORY = 8,       /* the kernel is out of memory */
    AXO_ERR_INVALID_SYSCALL = 9, /* unknown syscall number */
    AXO_ERR_EXISTS = 10,         /* thread number already in use */
    AXO_ERR_UNSUPPORTED = 11     /* the kernel cannot do this here (e.g. small spaces off) */
};

/* IPC errors: the UTCB error word holds (code << 1) | phase, phase 0 = send, 1 = receive.
 * The tag returned has AXO_TAG_FLAG_ERROR set. */
enum axo_ipc_error {
    AXO_IPC_OK = 0,
    AXO_IPC_TIMEOUT = 1,    /* the timeout expired before a partner was ready */
    AXO_IPC_NO_PARTNER = 2, /* partner does not exist (stale id) or was deleted meanwhile */
    AXO_IPC_CANCELLED = 3,  /* aborted by exchange_registers */
    AXO_IPC_OVERFLOW = 4,   /* message too long (u + t > 63) */
    AXO_IPC_ABORTED = 5,    /* the partner was halted or aborted mid-transfer */
    AXO_IPC_INVALID = 6,    /* a malformed argument (bad timeout, bad typed item) */
    AXO_IPC_NO_MEMORY = 7   /* the kernel had no memory for a map or grant item's mapping */
};
#define AXO_IPC_PHASE_RECEIVE 1u
AXO_PURE uint32_t axo_ipc_error_code(uint32_t error_word) {
    return error_word >> 1;
}
AXO_PURE int axo_ipc_error_in_receive(uint32_t error_word) {
    return error_word & 1u;
}

/* ---- Syscalls -----------------------------------------------------------------------------
 * One trap vector, `int $0x30`; eax holds the number. Register use per call is documented
 * at each stub in syscalls.h. */
#define AXO_SYSCALL_VECTOR 0x30
enum axo_syscall {
    AXO_SYS_IPC = 0,
    AXO_SYS_THREAD_SWITCH = 1,
    AXO_SYS_SCHEDULE = 2,
    AXO_SYS_EXCHANGE_REGISTERS = 3,
    AXO_SYS_THREAD_CONTROL = 4,
    AXO_SYS_SPACE_CONTROL = 5,
    AXO_SYS_UNMAP = 6,
    AXO_SYS_KERNEL_INTERFACE = 7,
    AXO_SYS_DEBUG = 8,
    AXO_SYS_NOTIFY = 9,
    AXO_SYS_NOTIFY_CONTROL = 10,
    AXO_SYS_COUNT = 11
};

/* exchange_registers control word (in) and state word (out). */
enum axo_exreg_control {
    AXO_EXREG_SET_SP = 1u << 0,
    AXO_EXREG_SET_IP = 1u << 1,
    AXO_EXREG_SET_FLAGS = 1u << 2,
    AXO_EXREG_SET_PAGER = 1u << 3,
    AXO_EXREG_SET_EXCEPTION_HANDLER = 1u << 4, /* the pager argument names it instead */
    AXO_EXREG_HALT = 1u << 5,
    AXO_EXREG_RESUME = 1u << 6,
    AXO_EXREG_ABORT_SEND = 1u << 7,
    AXO_EXREG_ABORT_RECEIVE = 1u << 8
};
enum axo_exreg_state {
    AXO_STATE_HALTED = 1u << 0,
    AXO_STATE_SENDING = 1u << 1,
    AXO_STATE_RECEIVING = 1u << 2,
    AXO_STATE_INACTIVE = 1u << 3, /* created, never started */
    /* sending or receiving in an IPC the kernel makes on its behalf: a page fault to its
     * pager, an exception to its exception handler */
    AXO_STATE_IN_FAULT = 1u << 4
};
/* eflags bits user space may set through exchange_registers or an exception reply:
 * CF PF AF ZF SF DF OF. IF is always on, IOPL always 0. */
#define AXO_USER_EFLAGS_MASK 0x00000CD5u

/* debug syscall operations. */
enum axo_debug_op {
    AXO_DEBUG_WRITE = 0,    /* edx = user buffer, ebx = length (<= 4096): to the kernel console */
    AXO_DEBUG_SHUTDOWN = 1, /* privileged: edx = 0 tests done, 1 failure: ends the emulator */
    AXO_DEBUG_COUNTERS = 2, /* edx = user buffer for an axo_counters_t */
    AXO_DEBUG_OBJECTS = 3   /* edx = user buffer for an axo_kernel_objects_t */
};

/* What AXO_DEBUG_OBJECTS reports: the kernel's live objects at the moment of the call, read
 * only, for tests that check that nothing leaks (a fuzzer compares them before and after a
 * batch whose processes are gone). Anyone may ask. */
typedef struct axo_kernel_objects {
    uint32_t threads;      /* live threads, kernel and interrupt threads included */
    uint32_t map_nodes;    /* mapping-database nodes */
    uint32_t heap_objects; /* objects of the kernel heap: spaces, mapping nodes, UTCBs, ... */
    uint32_t heap_pages;   /* pages the kernel heap holds */
    uint32_t free_frames;  /* free frames of the kernel's memory pool */
} axo_kernel_objects_t;

/* space_control (privileged): ecx = a thread of the space, edx = control, ebx = argument.
 *  AXO_SPACE_SMALL: make the space small, ebx = its size in 4 MiB blocks (1..128). It then
 *    lives in a slot of the small-space area: its user segments have the slot as base and
 *    ebx * 4 MiB as limit, so switching to it needs no CR3 write. Its KIP moves to the last
 *    page below the limit (kernel_interface tells where; it stays there if the space is
 *    promoted later). Errors: AXO_ERR_UNSUPPORTED where small spaces are off (KIP
 *    api_flags); AXO_ERR_INVALID_SPACE for the root task's and σ0's spaces;
 *    AXO_ERR_INVALID_PARAM if the space is small already, the size is out of range, or
 *    anything (mappings, UTCBs) lies at or above size - 4 KiB; AXO_ERR_NO_MEMORY if no slot
 *    of that size is free.
 *  AXO_SPACE_LARGE: promote a small space to a large one (its threads keep running). The
 *    kernel also promotes a space itself when it needs more than its slot (a mapping
 *    beyond the limit).
 *  AXO_SPACE_QUERY: change nothing.
 * out: eax = error, edx = the size in 4 MiB blocks (0: large), ebx = the slot's linear base. */
#define AXO_SPACE_QUERY 0u
#define AXO_SPACE_SMALL 1u
#define AXO_SPACE_LARGE 2u
#define AXO_SMALL_BLOCK_SIZE 0x400000u
#define AXO_SMALL_AREA_BLOCKS 128u

/* unmap: ecx = control: bits 5..0 = number of fpages - 1 (the fpages are in MR0..MRn),
 * AXO_UNMAP_FLUSH_OWN = also the caller's own mappings. Each fpage's rights bits are the
 * rights to take away; taking r takes everything. Revocation is recursive: every mapping
 * derived from the caller's (directly or through other spaces) loses those rights too. */
#define AXO_UNMAP_FLUSH_OWN 0x40u
#define AXO_UNMAP_COUNT_MASK 0x3Fu

#define AXO_PRIORITY_MAX 255u
#define AXO_PRIORITY_DEFAULT 100u
#define AXO_TIMESLICE_DEFAULT_US 10000u

#ifdef __cplusplus
}
#endif

#endif /* AXOLOTL_ABI_H */
