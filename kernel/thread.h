// Threads: the kernel's unit of execution. Each thread control block (TCB) sits at the
// bottom of an 8 KiB block whose rest is the thread's kernel stack, so a blocked thread
// keeps its whole kernel context on that stack (the "process model" of L4 kernels).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "axolotl/abi.h"
#include "axolotl/utcb.h"
#include "kernel/lib/result.h"
#include "kernel/notification_word.h"
#include "kernel/ready_queue.h"
#include "kernel/timeout_queue.h"

namespace axo {

class Space;
struct Message;

// A thread id as the kernel handles it: the ABI's 18-bit number and 14-bit version.
class ThreadId {
public:
    constexpr ThreadId() = default;
    constexpr explicit ThreadId(uint32_t raw) : m_raw(raw) {}
    static constexpr ThreadId nil() { return ThreadId(AXO_NIL_THREAD); }
    static constexpr ThreadId any() { return ThreadId(AXO_ANY_THREAD); }
    static constexpr ThreadId make(uint32_t number, uint32_t version) {
        return ThreadId((number << AXO_THREAD_VERSION_BITS) |
                        (version & ((1u << AXO_THREAD_VERSION_BITS) - 1)));
    }

    constexpr uint32_t raw() const { return m_raw; }
    constexpr uint32_t number() const { return m_raw >> AXO_THREAD_VERSION_BITS; }
    constexpr uint32_t version() const { return m_raw & ((1u << AXO_THREAD_VERSION_BITS) - 1); }
    constexpr bool is_nil() const { return m_raw == AXO_NIL_THREAD; }
    constexpr bool is_any() const { return m_raw == AXO_ANY_THREAD; }
    constexpr bool operator==(const ThreadId&) const = default;

private:
    uint32_t m_raw = AXO_NIL_THREAD;
};
static_assert(ThreadId::make(33, 1).raw() == ((33u << 14) | 1));
static_assert(ThreadId::make(33, 1).number() == 33 && ThreadId::make(33, 1).version() == 1);

enum class ThreadState : uint8_t {
    inactive,  // created, never started
    ready,     // runnable (in the ready queues, see scheduler.h for the lazy exception), or running
    sending,   // blocked in the send phase of an IPC
    receiving, // blocked in the receive phase of an IPC (user threads only)
    halted,    // stopped by exchange_registers or an unhandled exception
    // blocked while its IPC partner (the running thread, or one preempted in the kernel)
    // carries out the message's map items; nothing but that partner or a deletion ends it
    transferring,
    dead, // deleted; waiting to be freed
};

// How an IPC ended for a thread that was blocked in it; set by whoever woke it.
struct IpcOutcome {
    uint32_t error = AXO_IPC_OK; // axo_ipc_error, or notify::kNotifiedOutcome
    bool receive_phase = false;
    bool retry_receive = false; // the send finished; a sender waits: run the receive phase
    ThreadId from;
};

class Thread {
public:
    static constexpr size_t kBlockSize = 8192; // TCB + kernel stack

    uint32_t kernel_stack_top() const { return reinterpret_cast<uint32_t>(this) + kBlockSize; }
    bool is_user() const { return m_space != nullptr; }
    bool blocked_in_ipc() const {
        return m_state == ThreadState::sending || m_state == ThreadState::receiving;
    }
    // The receive specification of a thread blocked in (or about to enter) receive.
    bool accepts_from(ThreadId sender) const {
        return m_receive_from.is_any() || m_receive_from == sender;
    }

    static Thread* from_sched_node(SchedNode* node);
    static Thread* from_timeout_node(TimeoutNode* node);

    // --- hot: the IPC path touches these first (the ia32 fast path reads them by offset:
    // kernel/arch/ia32/ipc_fastpath_layout.h) ---
    uint32_t m_kernel_sp = 0; // saved when switched out (arch)
    ThreadId m_id;
    // m_state and the next three bytes form one word that the ia32 fast path compares at
    // once: a partner it may hand a message to is receiving with all three false.
    ThreadState m_state = ThreadState::inactive;
    bool m_halt_requested = false;
    bool m_arch_fpu_owner = false; // owned by the architecture: the FPU holds its state
    bool m_timeout_armed = false;  // the scheduler's copy of m_timeout.armed
    uint8_t m_priority = AXO_PRIORITY_DEFAULT;
    bool m_accept_any_mapping = false; // waiting for the pager's reply to a page fault
    uint8_t m_arch_flags = 0;          // owned by the architecture (ia32: FPU state valid)
    Space* m_space = nullptr;
    axo_utcb_t* m_utcb = nullptr; // kernel address of the UTCB
    uint32_t m_utcb_user = 0;     // its user address
    // Owned by the architecture: what switching to the thread loads (ia32: its UTCB segment
    // descriptor), kept up to date by arch::prepare_user_thread and space_layout_changed.
    uint32_t m_arch_switch[2] = {};

    // IPC
    ThreadId m_receive_from;        // receive specification (nil: no receive phase)
    uint16_t m_receive_timeout = 0; // raw, applied when the receive phase starts
    uint16_t m_reserved1 = 0;
    Thread* m_send_target = nullptr; // while sending: the thread whose queue we are in
    Thread* m_sendq_head = nullptr;  // threads waiting to send to us, FIFO
    Thread* m_sendq_next = nullptr;
    Thread* m_sendq_prev = nullptr;
    IpcOutcome m_outcome;

    // Scheduling
    SchedNode m_sched;
    TimeoutNode m_timeout;
    uint32_t m_timeslice_us = AXO_TIMESLICE_DEFAULT_US;
    int32_t m_remaining_us = AXO_TIMESLICE_DEFAULT_US;

    // Handlers
    ThreadId m_pager;
    ThreadId m_exception_handler;
    ThreadId m_scheduler;

    // Notifications (notification.h)
    NotificationWord m_notify;
    uint32_t m_notify_accept = 0; // in an ipc with AXO_TAG_FLAG_NOTIFY: the bits that end it
    bool m_in_kernel_ipc = false; // in a page-fault or exception IPC made on its behalf
    // Its user eip, or its space's limit, may have changed since it last ran in user mode
    // (exchange_registers, an exception reply, its space made small; and a new thread's first
    // return): the architecture checks the eip before the thread's next return to user mode
    // (arch::user_ip_valid).
    bool m_check_ip = true;
    // IPC, off the fast path's layout.
    // While blocked in a send: the message as it was read and checked when the send began
    // (on this thread's kernel stack); delivery uses it, never the UTCB again.
    const Message* m_send_message = nullptr;
    // During a transfer of map items: the thread on the other end (both point at each
    // other). Deleting one clears the other's link: the walk stops, or the waiter wakes.
    Thread* m_transfer_partner = nullptr;
};
// The TCB takes the first kTcbSize bytes of its block; the architecture may keep per-thread
// state right after it (ia32: the FPU save area), the kernel stack grows down from the end.
constexpr size_t kTcbSize = 512;
static_assert(sizeof(Thread) <= kTcbSize, "the TCB must leave room for the kernel stack");
static_assert(__builtin_offsetof(Thread, m_kernel_sp) == 0, "context switch code relies on it");

// The thread table: thread number -> TCB. Ids are checked against it on every use, so a
// stale id never reaches a new thread.
namespace threads {

constexpr uint32_t kIdleNumber = 31;

// Fills the tables' empty slots (before the first create).
void init();
// The thread with exactly this id (number and version), or nullptr. Inline (below): every
// IPC of the general path looks up its partner, and a page fault its pager, several times.
inline Thread* lookup(ThreadId id);
// Allocates a TCB for `id`; Error::exists if the number is taken, Error::invalid_argument for
// a number outside the user range or a version not above every deleted one.
Result<Thread*> create(ThreadId id, Space* space);
// A kernel-only thread (idle).
Result<Thread*> create_kernel(uint32_t number);
// Frees the TCB of a dead thread (never the running one) and retires its version; frees
// its space with its last thread.
void destroy(Thread* thread);
// Calls fn for every live thread.
template <class Fn> void for_each(Fn fn);

extern Thread* g_table[AXO_MAX_THREADS];
// The same for the IPC fast path, with a placeholder thread (never receiving) instead of
// nullptr in empty slots: one lookup without a null test.
extern Thread* g_fast_table[AXO_MAX_THREADS] __asm__("axo_fast_thread_table");

inline Thread* lookup(ThreadId id) {
    uint32_t number = id.number();
    if (number >= AXO_MAX_THREADS) return nullptr;
    Thread* thread = g_table[number];
    if (!thread || thread->m_id != id || thread->m_state == ThreadState::dead) return nullptr;
    return thread;
}

template <class Fn> void for_each(Fn fn) {
    for (Thread* t : g_table) {
        if (t && t->m_state != ThreadState::dead) fn(t);
    }
}

} // namespace threads

// The thread on the CPU.
extern Thread* g_current __asm__("axo_current");

} // namespace axo
