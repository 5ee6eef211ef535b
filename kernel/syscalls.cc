#include "kernel/syscalls.h"

#include "axolotl/kip.h"
#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/interrupts.h"
#include "kernel/ipc.h"
#include "kernel/kmem.h"
#include "kernel/map_items.h"
#include "kernel/mapping_database.h"
#include "kernel/panic.h"
#include "kernel/scheduler.h"
#include "kernel/space.h"

namespace axo::syscalls {

namespace {

uint32_t error_from(Error e) {
    switch (e) {
    case Error::out_of_memory:
        return AXO_ERR_NO_MEMORY;
    case Error::exists:
        return AXO_ERR_EXISTS;
    default:
        return AXO_ERR_INVALID_PARAM;
    }
}

bool is_user_number(ThreadId id) {
    return id.number() >= AXO_FIRST_USER_THREAD && id.number() < AXO_MAX_THREADS &&
           id.version() != 0 && !id.is_any();
}

void delete_thread(Thread* thread) {
    ipc::thread_deleted(thread);
    sched::block(thread, ThreadState::dead);
    if (thread == g_current) {
        // Running on its own stack: freed by the next switch.
        sched::retire(thread);
        return;
    }
    threads::destroy(thread);
}

uint32_t create_thread(Thread* self, ThreadId dest, ThreadId space_spec, ThreadId scheduler,
                       ThreadId pager, uint32_t utcb_location, ThreadId exception_handler) {
    Space* space;
    bool new_space = space_spec == dest;
    if (new_space) {
        auto created = Space::create(false);
        if (!created.ok()) return error_from(created.error());
        space = created.value();
    } else {
        Thread* sibling = threads::lookup(space_spec);
        if (!sibling || !sibling->is_user()) return AXO_ERR_INVALID_SPACE;
        space = sibling->m_space;
    }
    auto cleanup = [&](uint32_t error) {
        if (new_space) space->destroy();
        return error;
    };

    // Two threads must not share a UTCB.
    bool utcb_taken = false;
    threads::for_each(
        [&](Thread* t) { utcb_taken |= t->m_space == space && t->m_utcb_user == utcb_location; });
    if (utcb_taken) return cleanup(AXO_ERR_UTCB_AREA);
    auto utcb = space->prepare_utcb(utcb_location);
    if (!utcb.ok()) {
        return cleanup(utcb.error() == Error::out_of_memory ? AXO_ERR_NO_MEMORY
                                                            : AXO_ERR_UTCB_AREA);
    }

    auto created = threads::create(dest, space);
    if (!created.ok()) {
        return cleanup(created.error() == Error::invalid_argument ? uint32_t{AXO_ERR_INVALID_THREAD}
                                                                  : error_from(created.error()));
    }
    Thread* thread = created.value();
    space->thread_added();
    thread->m_utcb = utcb.value();
    thread->m_utcb_user = utcb_location;
    thread->m_scheduler = scheduler.is_nil() ? self->m_id : scheduler;
    thread->m_pager = pager;
    thread->m_exception_handler = exception_handler;
    thread->m_priority =
        self->m_priority < AXO_PRIORITY_DEFAULT ? self->m_priority : AXO_PRIORITY_DEFAULT;
    __builtin_memset(thread->m_utcb, 0, sizeof(axo_utcb_t));
    thread->m_utcb->self = utcb_location;
    thread->m_utcb->my_id = dest.raw();
    thread->m_utcb->pager = pager.raw();
    thread->m_utcb->exception_handler = exception_handler.raw();
    return AXO_OK;
}

} // namespace

uint32_t thread_control(Thread* self, ThreadId dest, ThreadId space_spec, ThreadId scheduler,
                        ThreadId pager, uint32_t utcb_location, ThreadId exception_handler) {
    if (!self->m_space->privileged()) return AXO_ERR_NO_PRIVILEGE;
    if (interrupts::is_irq_id(dest)) return interrupts::attach(dest, pager);
    if (!is_user_number(dest)) return AXO_ERR_INVALID_THREAD;
    // A new thread's scheduler may be the thread itself (or nil: the creator).
    if (!scheduler.is_nil() && scheduler != dest && !threads::lookup(scheduler)) {
        return AXO_ERR_INVALID_SCHEDULER;
    }
    Thread* existing = threads::g_table[dest.number()];
    if (existing && existing->m_state == ThreadState::dead) existing = nullptr;

    if (space_spec.is_nil()) {
        if (!existing || existing->m_id != dest) return AXO_ERR_INVALID_THREAD;
        delete_thread(existing);
        if (existing == self) {
            sched::schedule();
            panic("a deleted thread ran again");
        }
        return AXO_OK;
    }
    if (existing) {
        if (existing->m_id != dest) return AXO_ERR_EXISTS;
        Thread* sibling = threads::lookup(space_spec);
        if (!sibling || sibling->m_space != existing->m_space) return AXO_ERR_INVALID_SPACE;
        if (!scheduler.is_nil()) existing->m_scheduler = scheduler;
        if (!pager.is_nil()) existing->m_pager = pager;
        if (!exception_handler.is_nil()) existing->m_exception_handler = exception_handler;
        existing->m_utcb->pager = existing->m_pager.raw();
        existing->m_utcb->exception_handler = existing->m_exception_handler.raw();
        return AXO_OK;
    }
    return create_thread(self, dest, space_spec, scheduler, pager, utcb_location,
                         exception_handler);
}

uint32_t exchange_registers(Thread* self, ThreadId dest_id, ExchangeRegisters& io) {
    Thread* dest = threads::lookup(dest_id);
    if (!dest || !dest->is_user()) return AXO_ERR_INVALID_THREAD;
    if (dest->m_space != self->m_space && !self->m_space->privileged()) {
        return AXO_ERR_NO_PRIVILEGE;
    }
    uint32_t control = io.control;
    if ((control & AXO_EXREG_SET_IP) && !arch::user_ip_valid(*dest, io.ip)) {
        return AXO_ERR_INVALID_PARAM;
    }
    bool inactive = dest->m_state == ThreadState::inactive;
    // Whatever it sets or resumes, the eip dest returns to is checked once more.
    dest->m_check_ip = true;

    UserRegisters regs{};
    if (!inactive) regs = arch::read_user_registers(*dest);
    uint32_t state = 0;
    if (dest->m_halt_requested || dest->m_state == ThreadState::halted) state |= AXO_STATE_HALTED;
    if (dest->m_state == ThreadState::sending) state |= AXO_STATE_SENDING;
    if (dest->m_state == ThreadState::receiving) state |= AXO_STATE_RECEIVING;
    if (inactive) state |= AXO_STATE_INACTIVE;
    if (dest->m_in_kernel_ipc && dest->blocked_in_ipc()) state |= AXO_STATE_IN_FAULT;
    ExchangeRegisters old{state, regs.esp, regs.eip, regs.eflags, dest->m_pager};

    if (control & AXO_EXREG_SET_PAGER) dest->m_pager = io.pager;
    if (control & AXO_EXREG_SET_EXCEPTION_HANDLER) dest->m_exception_handler = io.pager;
    dest->m_utcb->pager = dest->m_pager.raw();
    dest->m_utcb->exception_handler = dest->m_exception_handler.raw();

    if (inactive) {
        // A new thread starts once it has both an ip and a stack.
        constexpr uint32_t kStart = AXO_EXREG_SET_IP | AXO_EXREG_SET_SP;
        if ((control & kStart) == kStart) {
            arch::prepare_user_thread(*dest, io.ip, io.sp);
            if (control & AXO_EXREG_SET_FLAGS) {
                UserRegisters r = arch::read_user_registers(*dest);
                r.eflags = io.flags;
                arch::write_user_registers(*dest, r);
            }
            if (control & AXO_EXREG_HALT) {
                dest->m_halt_requested = true;
                dest->m_state = ThreadState::halted;
            } else {
                sched::make_ready(dest);
            }
        }
    } else {
        if (control & (AXO_EXREG_SET_SP | AXO_EXREG_SET_IP | AXO_EXREG_SET_FLAGS)) {
            if (control & AXO_EXREG_SET_SP) regs.esp = io.sp;
            if (control & AXO_EXREG_SET_IP) regs.eip = io.ip;
            if (control & AXO_EXREG_SET_FLAGS) regs.eflags = io.flags;
            arch::write_user_registers(*dest, regs);
        }
        if (control & (AXO_EXREG_ABORT_SEND | AXO_EXREG_ABORT_RECEIVE)) {
            ipc::abort(dest, control & AXO_EXREG_ABORT_SEND, control & AXO_EXREG_ABORT_RECEIVE);
        }
        if (control & AXO_EXREG_HALT) dest->m_halt_requested = true;
        if (control & AXO_EXREG_RESUME) {
            dest->m_halt_requested = false;
            if (dest->m_state == ThreadState::halted) sched::make_ready(dest);
        }
    }
    io = old;
    return AXO_OK;
}

uint32_t schedule(Thread* self, ThreadId dest_id, uint32_t priority, uint32_t timeslice_us,
                  uint32_t& old_priority, uint32_t& old_timeslice_us) {
    Thread* dest = threads::lookup(dest_id);
    if (!dest || !dest->is_user()) return AXO_ERR_INVALID_THREAD;
    bool privileged = self->m_space->privileged();
    if (!privileged && dest->m_scheduler != self->m_id) return AXO_ERR_NO_PRIVILEGE;
    constexpr uint32_t kKeep = 0xFFFFFFFF;
    constexpr uint32_t kMinTimesliceUs = 1000;
    if (priority != kKeep && priority > AXO_PRIORITY_MAX) return AXO_ERR_INVALID_PARAM;
    // A scheduler cannot hand out more than it has itself.
    if (priority != kKeep && !privileged && priority > self->m_priority)
        return AXO_ERR_NO_PRIVILEGE;
    if (timeslice_us != 0 && timeslice_us < kMinTimesliceUs) return AXO_ERR_INVALID_PARAM;
    old_priority = dest->m_priority;
    old_timeslice_us = dest->m_timeslice_us;
    if (timeslice_us != 0) dest->m_timeslice_us = timeslice_us;
    if (priority != kKeep) sched::set_priority(dest, static_cast<uint8_t>(priority));
    return AXO_OK;
}

uint32_t thread_switch(Thread*, ThreadId dest_id) {
    if (dest_id.is_nil()) {
        sched::yield();
        return AXO_OK;
    }
    Thread* dest = threads::lookup(dest_id);
    if (!dest || !dest->is_user()) return AXO_ERR_INVALID_THREAD;
    sched::donate(dest);
    return AXO_OK;
}

uint32_t space_control(Thread* self, ThreadId space_id, uint32_t control, uint32_t argument,
                       uint32_t& blocks, uint32_t& base) {
    if (!self->m_space->privileged()) return AXO_ERR_NO_PRIVILEGE;
    Thread* member = threads::lookup(space_id);
    if (!member || !member->is_user()) return AXO_ERR_INVALID_SPACE;
    Space* space = member->m_space;
    uint32_t error = AXO_OK;
    switch (control) {
    case AXO_SPACE_QUERY:
        break;
    case AXO_SPACE_SMALL:
        if (space->privileged() || space->is_sigma0()) {
            error = AXO_ERR_INVALID_SPACE; // the initial tasks' images sit near 3 GiB
            break;
        }
        if (auto made = space->make_small(argument); !made.ok()) {
            error = made.error() == Error::unsupported     ? AXO_ERR_UNSUPPORTED
                    : made.error() == Error::out_of_memory ? AXO_ERR_NO_MEMORY
                                                           : AXO_ERR_INVALID_PARAM;
        } else {
            // Its threads' eips may now lie beyond the new limit.
            threads::for_each([space](Thread* t) {
                if (t->m_space == space) t->m_check_ip = true;
            });
        }
        break;
    case AXO_SPACE_LARGE:
        space->promote();
        break;
    default:
        error = AXO_ERR_INVALID_PARAM;
        break;
    }
    blocks = space->small_blocks();
    base = space->small_base();
    return error;
}

uint32_t unmap(Thread* self, uint32_t control) {
    if (control & ~(AXO_UNMAP_COUNT_MASK | AXO_UNMAP_FLUSH_OWN)) return AXO_ERR_INVALID_PARAM;
    uint32_t count = (control & AXO_UNMAP_COUNT_MASK) + 1;
    // All fpages are checked before anything is flushed.
    Fpage fpages[AXO_UNMAP_COUNT_MASK + 1];
    for (uint32_t i = 0; i < count; ++i) {
        if (!decode_fpage(self->m_utcb->mr[i], fpages[i])) return AXO_ERR_INVALID_PARAM;
    }
    for (uint32_t i = 0; i < count; ++i) {
        if (!fpages[i].nil)
            map_items::flush(self->m_space, fpages[i], control & AXO_UNMAP_FLUSH_OWN);
    }
    return AXO_OK;
}

static_assert(sizeof(axo_kernel_objects_t) == 20, "axo_kernel_objects_t is ABI");

uint32_t debug(Thread* self, uint32_t op, uint32_t arg0, uint32_t arg1) {
    switch (op) {
    case AXO_DEBUG_WRITE: {
        constexpr uint32_t kMaxLength = 4096;
        if (arg1 > kMaxLength) return AXO_ERR_INVALID_PARAM;
        // Checked whole before anything is printed: a bad buffer prints nothing.
        char chunk[128];
        for (int pass = 0; pass < 2; ++pass) {
            for (uint32_t done = 0; done < arg1;) {
                uint32_t n = arg1 - done < sizeof(chunk) ? arg1 - done : sizeof(chunk);
                if (!arch::copy_from_user(chunk, arg0 + done, n).ok()) return AXO_ERR_INVALID_PARAM;
                if (pass == 1) console_write(chunk, n);
                done += n;
            }
        }
        return AXO_OK;
    }
    case AXO_DEBUG_SHUTDOWN:
        if (!self->m_space->privileged()) return AXO_ERR_NO_PRIVILEGE;
        platform_exit(arg0 == 0 ? ExitReason::tests_done : ExitReason::tests_failed);
    case AXO_DEBUG_COUNTERS: {
        arch::collect_counters();
        axo_counters_t& counters = kip::get()->counters;
        counters.kernel_free_frames = static_cast<uint32_t>(kmem::frames().free_frames());
        if (!arch::copy_to_user(arg0, &counters, sizeof(counters)).ok()) {
            return AXO_ERR_INVALID_PARAM;
        }
        return AXO_OK;
    }
    case AXO_DEBUG_OBJECTS: {
        axo_kernel_objects_t objects{};
        threads::for_each([&objects](Thread*) { ++objects.threads; });
        objects.map_nodes = mapdb::node_count();
        objects.heap_objects = static_cast<uint32_t>(kmem::objects_in_use());
        objects.heap_pages = static_cast<uint32_t>(kmem::pages_in_use());
        objects.free_frames = static_cast<uint32_t>(kmem::frames().free_frames());
        if (!arch::copy_to_user(arg0, &objects, sizeof(objects)).ok()) {
            return AXO_ERR_INVALID_PARAM;
        }
        return AXO_OK;
    }
    default:
        return AXO_ERR_INVALID_PARAM;
    }
}

namespace {

// Halts the thread until exchange_registers resumes it; then `regs` are what the resumer
// left (it may have set a new ip and sp).
void halt(Thread* self, UserRegisters& regs) {
    self->m_halt_requested = true;
    before_user_return(self);
    UserRegisters now = arch::read_user_registers(*self);
    now.vector = regs.vector;
    now.error = regs.error;
    now.fault_address = regs.fault_address;
    regs = now;
}

} // namespace

namespace {

// After exchange_registers aborted a kernel-made IPC: the thread goes back to user mode where
// it now stands — the faulting instruction, unless the aborter moved it — and retries.
void resume_after_abort(Thread* self, UserRegisters& regs) {
    UserRegisters now = arch::read_user_registers(*self);
    now.vector = regs.vector;
    now.error = regs.error;
    now.fault_address = regs.fault_address;
    regs = now;
}

bool aborted(uint32_t ipc_error_word) {
    return axo_ipc_error_code(ipc_error_word) == AXO_IPC_CANCELLED;
}

} // namespace

bool page_fault_to_pager(Thread* self, uint32_t address, uint32_t eip, uint32_t error) {
    // A fault outside the space (the kernel's memory, under a CPU that ignores the segment
    // limit) is no pager's business: no map item could resolve it.
    if (address >= self->m_space->user_limit() || !threads::lookup(self->m_pager)) return false;
    constexpr uint32_t kPageFaultWrite = 1u << 1; // error code bit (SDM vol. 3, 4.7)
    constexpr uint32_t kSaved = 3;
    axo_utcb_t* utcb = self->m_utcb;
    uint32_t saved[kSaved];
    __builtin_memcpy(saved, utcb->mr, sizeof(saved));
    uint32_t saved_error = utcb->error;

    uint32_t access = (error & kPageFaultWrite) ? AXO_FPAGE_W : AXO_FPAGE_R;
    utcb->mr[0] = axo_msg_tag(AXO_LABEL_PAGE_FAULT | access, 2, 0);
    utcb->mr[1] = address;
    utcb->mr[2] = eip;
    self->m_accept_any_mapping = true;
    self->m_in_kernel_ipc = true;
    ipc::kernel_call(self, self->m_pager);
    self->m_in_kernel_ipc = false;
    self->m_accept_any_mapping = false;
    bool failed = axo_tag_failed(utcb->mr[0]);
    bool cancelled = failed && aborted(utcb->error);
    bool raise = !failed && axo_tag_label(utcb->mr[0]) == AXO_LABEL_RAISE_FAULT;
    __builtin_memcpy(utcb->mr, saved, sizeof(saved));
    utcb->error = saved_error;
    // Aborted: the thread goes back to user mode where it now stands (the faulting
    // instruction, unless the aborter moved it) and retries.
    if (cancelled) return true;
    if (failed) {
        kprintf("thread %u.%u: pager %u.%u unreachable at page fault %08x (eip %08x); halted\n",
                self->m_id.number(), self->m_id.version(), self->m_pager.number(),
                self->m_pager.version(), address, eip);
        UserRegisters ignored{}; // the resumer writes the saved registers itself
        halt(self, ignored);
        return true;
    }
    return !raise;
}

bool deliver_exception(Thread* self, UserRegisters& regs, bool page_fault) {
    ThreadId handler = self->m_exception_handler;
    if (handler.is_nil() || !threads::lookup(handler)) {
        kprintf("thread %u.%u: unhandled %s %u at eip %08x (address %08x); halted\n",
                self->m_id.number(), self->m_id.version(), page_fault ? "page fault" : "exception",
                regs.vector, regs.eip, regs.fault_address);
        halt(self, regs);
        return true;
    }

    // The thread's own message registers are preserved across the exception IPC.
    constexpr uint32_t kSaved = AXO_EXC_WORDS + 1;
    uint32_t saved[kSaved];
    axo_utcb_t* utcb = self->m_utcb;
    __builtin_memcpy(saved, utcb->mr, sizeof(saved));
    uint32_t saved_error = utcb->error;

    utcb->mr[0] = axo_msg_tag(AXO_LABEL_EXCEPTION, AXO_EXC_WORDS, 0);
    utcb->mr[AXO_EXC_EIP] = regs.eip;
    utcb->mr[AXO_EXC_ESP] = regs.esp;
    utcb->mr[AXO_EXC_EFLAGS] = regs.eflags;
    utcb->mr[AXO_EXC_VECTOR] = regs.vector;
    utcb->mr[AXO_EXC_ERROR] = regs.error;
    utcb->mr[AXO_EXC_ADDRESS] = regs.fault_address;
    utcb->mr[AXO_EXC_EAX] = regs.eax;
    utcb->mr[AXO_EXC_ECX] = regs.ecx;
    utcb->mr[AXO_EXC_EDX] = regs.edx;
    utcb->mr[AXO_EXC_EBX] = regs.ebx;
    utcb->mr[AXO_EXC_EBP] = regs.ebp;
    utcb->mr[AXO_EXC_ESI] = regs.esi;
    utcb->mr[AXO_EXC_EDI] = regs.edi;

    self->m_in_kernel_ipc = true;
    ipc::perform(self, handler, handler, axo_timeouts(AXO_TIMEOUT_NEVER, AXO_TIMEOUT_NEVER));
    self->m_in_kernel_ipc = false;
    axo_msg_tag_t reply = utcb->mr[0];
    bool failed = axo_tag_failed(reply);
    if (failed && aborted(utcb->error)) {
        __builtin_memcpy(utcb->mr, saved, sizeof(saved));
        utcb->error = saved_error;
        resume_after_abort(self, regs);
        return true;
    }
    if (!failed) {
        uint32_t words = axo_tag_untyped(reply);
        if (words >= AXO_EXC_REPLY_ESP &&
            !arch::user_ip_valid(*self, utcb->mr[AXO_EXC_REPLY_EIP])) {
            kprintf("thread %u.%u: exception reply with invalid eip %08x\n", self->m_id.number(),
                    self->m_id.version(), utcb->mr[AXO_EXC_REPLY_EIP]);
            failed = true;
        } else if (words >= AXO_EXC_REPLY_ESP) {
            regs.eip = utcb->mr[AXO_EXC_REPLY_EIP];
            regs.esp = utcb->mr[AXO_EXC_REPLY_ESP];
        }
        if (!failed && words >= AXO_EXC_REPLY_EFLAGS) regs.eflags = utcb->mr[AXO_EXC_REPLY_EFLAGS];
        if (!failed && words >= AXO_EXC_REPLY_GPRS + 6) {
            uint32_t* gprs[] = {&regs.eax, &regs.ecx, &regs.edx, &regs.ebx,
                                &regs.ebp, &regs.esi, &regs.edi};
            for (uint32_t i = 0; i < 7; ++i)
                *gprs[i] = utcb->mr[AXO_EXC_REPLY_GPRS + i];
        }
    }
    __builtin_memcpy(utcb->mr, saved, sizeof(saved));
    utcb->error = saved_error;
    if (failed) {
        kprintf("thread %u.%u: exception handler unreachable; halted\n", self->m_id.number(),
                self->m_id.version());
        halt(self, regs);
    }
    return true;
}

void before_user_return_slow(Thread* self) {
    // A halt requested while the thread waited for the CPU takes effect before it runs.
    sched::preempt_if_needed();
    while (self->m_halt_requested) {
        sched::block(self, ThreadState::halted);
        sched::schedule();
    }
}

} // namespace axo::syscalls
