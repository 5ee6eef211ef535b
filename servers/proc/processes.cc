// Processes on the real kernel: the ProcessHost of proc's ProcessService (lib/loader for
// images and pages, thread_control for deletion, zero-timeout sends for deferred replies), and
// proc as the pager and exception handler of every process it starts.
//
// One thread does all of it — the protocol, page faults, exceptions — so the process table and
// the page pool have a single owner and need no lock. A page fault costs proc a page copy (and
// on a pool miss one call to σ0), and nothing proc does while serving blocks on a process.
#include "rt/rt.h"

#include "interfaces/mm/protocol.h"
#include "lib/ipc/kernel.h"
#include "servers/proc/argument_blocks.h"
#include "servers/proc/server.h"
#include "servers/proc/small_spaces.h"
#include "servers/proc/threads.h"

namespace proc {

namespace {

// The log keeps every end of a process up to here, then every kLogEvery-th: a test that
// crashes a program a thousand times still has a readable log (and a faster run).
constexpr uint32_t kLogFirst = 16;
constexpr uint32_t kLogEvery = 100;

// The CPU's page-fault vector (#PF, Intel SDM vol. 3, 6.15): the status of a process whose
// page fault proc refused, as if the kernel had sent the exception.
constexpr int32_t kPageFaultVector = 14;

// The CPU's exception vectors are 0..31 (Intel SDM vol. 3, 6.3.1); the kernel reports no other.
constexpr uint32_t kCpuVectors = 32;

Proc& proc_of(void* context) {
    return *static_cast<Proc*>(context);
}

// Free frames of the kernel's pool that proc leaves for the processes already running (their
// page tables and mapping nodes as they fault pages in) and for proc's own mappings: a new
// process is refused (no_memory) below it, instead of the kernel failing a mapping later.
constexpr uint32_t kKernelReserveFrames = 64;

bool kernel_has_room() {
    axo_counters_t counters{};
    return axo_debug_counters(&counters) != AXO_OK ||
           counters.kernel_free_frames >= kKernelReserveFrames;
}

// The new process of `slot` starts at its ELF entry with its arguments on the stack.
void launch_at_entry(Proc& proc, uint32_t slot) {
    const loader::Process& process = proc.loaded[slot];
    proc.launch[slot] = {true, process.elf.entry, process.start.stack_pointer()};
}

ipc::Error start_process(Proc& proc, uint32_t slot, uint32_t module, axo_thread_id_t thread,
                         const char* const* argv, uint32_t argc, const loader::StringBlock& more) {
    const ModuleImage& image = proc.images[module];
    if (!image.program) return ipc::Error::unsupported;
    if (!kernel_has_room()) return ipc::Error::no_memory;
    proc.launch[slot] = {};
    // Room for the start block beyond the block's own (argument_blocks.h).
    if (!attach_start_storage(proc, slot, argv, argc, more)) return ipc::Error::no_memory;
    // mm pages it (paging.cc), or it is mm (started at once: nobody can subscribe before it).
    if (paged_by_mm(proc, module)) {
        ipc::Error error = mm_start_process(proc, slot, module, thread, argv, argc, more);
        if (error == ipc::Error::ok) launch_at_entry(proc, slot);
        return error;
    }
    if (module == proc.paging.mm_module)
        return start_mm_module(proc, slot, module, thread, argv, argc);
    // Made, not started: run() starts it once its events are queued (process_service.h).
    const char* why = nullptr;
    loader::Process& process = proc.loaded[slot];
    ipc::Error error = prepare_module(proc, process, module, argv, argc, &why, more);
    if (error == ipc::Error::ok)
        error = loader::create_thread(process, thread, rt_my_id(), rt_my_id(), &why);
    if (error == ipc::Error::ok && process.end != loader::Process::kLargeEnd)
        (void)make_space_small(thread, argv[0]);
    if (error == ipc::Error::ok) {
        launch_at_entry(proc, slot);
        return ipc::Error::ok;
    }
    if (error != ipc::Error::unsupported)
        rt_printf("proc: starting %s failed: %s\n", argv[0], why != nullptr ? why : "?");
    return error;
}

ipc::Error host_start(void* context, uint32_t slot, uint32_t module, axo_thread_id_t thread,
                      const char* const* argv, uint32_t argc, const loader::StringBlock& more) {
    Proc& proc = proc_of(context);
    ipc::Error error = start_process(proc, slot, module, thread, argv, argc, more);
    if (error != ipc::Error::ok) release_start_storage(proc, slot); // nothing remains
    return error;
}

// kProcExecFile (paging.h, mm_start_file): only with mm, which maps the file's object.
ipc::Error host_start_file(void* context, uint32_t slot, const FileImage& image,
                           axo_thread_id_t thread, const loader::StringBlock& strings) {
    Proc& proc = proc_of(context);
    proc.launch[slot] = {};
    ipc::Error error = ipc::Error::no_memory;
    if (kernel_has_room() && attach_start_storage(proc, slot, nullptr, 0, strings)) {
        error = mm_start_file(proc, slot, image, thread, strings);
        if (error == ipc::Error::ok) launch_at_entry(proc, slot);
    }
    if (error != ipc::Error::ok) release_start_storage(proc, slot); // nothing remains
    return error;
}

void host_destroy(void* context, uint32_t slot, axo_thread_id_t thread) {
    Proc& proc = proc_of(context);
    proc.paging.file_process[slot] = false;
    delete_extra_threads(proc, slot);
    // Deleting the space's only thread deletes the space: every page mapped into it is
    // revoked, so the pool's pages are proc's alone again and can go to the next process.
    uint32_t error = axo_thread_control(thread, AXO_NIL_THREAD, AXO_NIL_THREAD, AXO_NIL_THREAD, 0,
                                        AXO_NIL_THREAD);
    if (error != AXO_OK)
        rt_printf("proc: deleting thread %u.%u failed: error %u\n", axo_thread_number(thread),
                  axo_thread_version(thread), error);
    if (proc.paging.mm != AXO_NIL_THREAD && thread != proc.paging.mm)
        mm_release_process(proc, thread);
    loader::release(proc.loaded[slot], proc.pool);
    proc.loaded[slot].thread = AXO_NIL_THREAD;
    release_start_storage(proc, slot);
    (void)proc.names.thread_died(thread);
}

ipc::Error host_fork(void* context, uint32_t slot, uint32_t parent_slot, axo_thread_id_t thread,
                     uint32_t ip, uint32_t sp) {
    Proc& proc = proc_of(context);
    proc.launch[slot] = {};
    if (!kernel_has_room()) return ipc::Error::no_memory;
    ipc::Error error = mm_fork_process(proc, slot, parent_slot, thread, ip, sp);
    if (error == ipc::Error::ok) proc.launch[slot] = {true, ip, sp};
    return error;
}

ipc::Error host_run(void* context, uint32_t slot, axo_thread_id_t thread) {
    Proc& proc = proc_of(context);
    Proc::Launch launch = proc.launch[slot];
    proc.launch[slot] = {};
    if (!launch.pending) return ipc::Error::ok; // mm: running already
    axo_exreg_t regs = {};
    regs.control = AXO_EXREG_SET_IP | AXO_EXREG_SET_SP;
    regs.ip = launch.ip;
    regs.sp = launch.sp;
    return axo_exchange_registers(thread, &regs) == AXO_OK ? ipc::Error::ok
                                                           : ipc::Error::invalid_argument;
}

void host_halt(void* context, uint32_t slot, bool stop) {
    Proc& proc = proc_of(context);
    const ProcessEntry& entry = proc.processes.table().at(slot);
    auto control = [stop](axo_thread_id_t thread) {
        if (thread == AXO_NIL_THREAD) return;
        axo_exreg_t regs = {};
        regs.control = stop ? AXO_EXREG_HALT : AXO_EXREG_RESUME;
        (void)axo_exchange_registers(thread, &regs);
    };
    control(entry.thread);
    for (axo_thread_id_t extra : entry.extra)
        control(extra);
}

// A signal's delivery (protocol.h, "Signal delivery"): the thread goes to the process's signal
// entry, out of any ipc it waits in; what it was doing comes back in regs for the take.
bool host_divert(void*, axo_thread_id_t thread, uint32_t entry, uint32_t& ip, uint32_t& sp,
                 uint32_t& flags) {
    axo_exreg_t regs = {};
    regs.control = AXO_EXREG_SET_IP | AXO_EXREG_ABORT_SEND | AXO_EXREG_ABORT_RECEIVE;
    regs.ip = entry;
    if (axo_exchange_registers(thread, &regs) != AXO_OK) return false;
    ip = regs.ip;
    sp = regs.sp;
    flags = regs.flags;
    return true;
}

bool host_startable(void* context, uint32_t module) {
    Proc& proc = proc_of(context);
    return proc.images[module].program && module != proc.paging.mm_module;
}

bool host_answer_events(void*, axo_thread_id_t subscriber, const EventNextReply& reply) {
    return ipc::send_reply(subscriber, reply);
}

void host_notify_events(void*, axo_thread_id_t subscriber, uint32_t bits) {
    (void)axo_notify(subscriber, bits); // a subscriber gone: its place goes at the next subscribe
}

bool host_answer(void*, axo_thread_id_t waiter, ipc::Error error, const WaitReply& reply) {
    return error == ipc::Error::ok ? ipc::send_reply(waiter, reply)
                                   : ipc::send_error(waiter, error);
}

void host_ended(void* context, const ProcessEntry& entry) {
    Proc& proc = proc_of(context);
    const ModuleConfig& module = proc.config->modules[entry.module];
    bool shutdown =
        module.on_exit == ExitPolicy::shutdown && proc.boot_pid[entry.module] == entry.pid;
    uint32_t ends = ++proc.ends;
    // A program from the disk (it exec'd a file: a shell's command) that exited or was killed
    // ended as its user saw; a line about it on the console would only clutter the shell's
    // screen. Its faults are still logged, and every end of a boot module's program.
    bool from_disk = entry.name[0] != '\0';
    bool quiet = from_disk && (entry.reason == kExitNormal || entry.reason == kExitKilled);
    if (shutdown || (!quiet && (ends <= kLogFirst || ends % kLogEvery == 0))) {
        char how[96];
        if (entry.reason == kExitNormal) {
            rt_snprintf(how, sizeof how, "exited with status %d", entry.status);
        } else if (entry.reason == kExitKilled) {
            rt_snprintf(how, sizeof how, "killed (signal %d)", entry.status);
        } else if (proc.last_fault.thread == entry.thread) {
            rt_snprintf(how, sizeof how, "faulted: vector %d at eip %08x, address %08x",
                        entry.status, proc.last_fault.eip, proc.last_fault.address);
        } else {
            rt_snprintf(how, sizeof how, "faulted: vector %d", entry.status);
        }
        rt_printf("proc: process %u (%s) %s [end %u]\n", entry.pid, proc.processes.name_of(entry),
                  how, ends);
        if (ends == kLogFirst)
            rt_printf("proc: from now on every %uth end of a process is logged\n", kLogEvery);
    }
    devices_process_ended(proc, entry); // releases its grants; restarts a driver (devices.h)
    if (shutdown) {
        bool success = entry.reason == kExitNormal && entry.status == 0;
        rt_printf("proc: %s ended, and its configuration says on-exit=shutdown: %s\n", module.name,
                  success ? "success" : "failure");
        (void)axo_debug_shutdown(success ? 0 : 1);
    }
}

} // namespace

ProcessHost process_host(Proc* proc) {
    ProcessHost host{proc, &host_start, &host_destroy, &host_answer, &host_ended, &host_fork};
    host.run = &host_run;
    host.halt = &host_halt;
    host.answer_events = &host_answer_events;
    host.notify_events = &host_notify_events;
    host.alive = &kernel_thread_alive;
    host.startable = &host_startable;
    host.divert = &host_divert;
    host.start_file = &host_start_file;
    return host;
}

// A process can send these labels itself; the sender is still its own thread, so it gets
// nothing it could not get by faulting: a page of its own, or its end.
ipc::Outcome on_kernel_message(Proc& proc, axo_thread_id_t from, ipc::Message& message) {
    // The kernel's own messages carry no items: any a process sent with a kernel label went
    // to the argument window, and go at once (argument_blocks.h).
    flush_stray_items(axo_my_utcb()->mr[0]);
    const ProcessEntry* entry = proc.processes.running(from);
    if (entry == nullptr) return ipc::Outcome::no_reply;
    uint32_t slot = proc.processes.table().slot_of(*entry);
    uint32_t label = message.label();

    constexpr uint32_t kAccessBits = AXO_FPAGE_R | AXO_FPAGE_W | AXO_FPAGE_X;
    if ((label & ~kAccessBits) == AXO_LABEL_PAGE_FAULT && message.untyped() == 2 &&
        message.typed() == 0) {
        uint32_t address = message.word(0), eip = message.word(1);
        bool write = (label & AXO_FPAGE_W) != 0;
        switch (loader::handle_fault(proc.loaded[slot], proc.pool, address, write)) {
        case loader::Fault::mapped:
            return ipc::Outcome::reply;
        case loader::Fault::violation:
            proc.last_fault = {from, eip, address};
            (void)proc.processes.end_thread(from, kExitFaulted, kPageFaultVector);
            return ipc::Outcome::no_reply;
        case loader::Fault::no_memory:
            rt_printf("proc: no memory for page %08x of process %u\n", address, entry->pid);
            (void)proc.processes.end_thread(from, kExitKilled, kSignalKill);
            return ipc::Outcome::no_reply;
        }
    }
    if (label == AXO_LABEL_EXCEPTION && message.untyped() == AXO_EXC_WORDS &&
        message.typed() == 0) {
        // The kernel sends only the CPU's vectors (0..31); a process can send this label
        // itself (docs/kernel-api.md §3), and a vector outside them is its own invention:
        // dropped like any message not of the kernel's shape, never reported or logged.
        if (message.word(AXO_EXC_VECTOR - 1) >= kCpuVectors) return ipc::Outcome::no_reply;
        proc.last_fault = {from, message.word(AXO_EXC_EIP - 1), message.word(AXO_EXC_ADDRESS - 1)};
        int32_t vector = static_cast<int32_t>(message.word(AXO_EXC_VECTOR - 1));
        // A server beyond its small slot: large now, it retries the instruction (the reply's
        // eip and esp are the words the exception brought: AXO_EXC_EIP, AXO_EXC_ESP).
        const char* name = entry->module < proc.config->module_count
                               ? proc.config->modules[entry->module].name
                               : "a program file";
        if (promote_outgrown(from, static_cast<uint32_t>(vector), name)) {
            static_assert(AXO_EXC_REPLY_EIP == AXO_EXC_EIP && AXO_EXC_REPLY_ESP == AXO_EXC_ESP);
            message.set_tag(0, 2);
            return ipc::Outcome::reply;
        }
        uint32_t refusal = vector == kPageFaultVector ? take_refusal(proc, from) : 0;
        if (refusal == mm::kRefusedNoMemory) {
            rt_printf("proc: mm has no memory for page %08x of process %u\n",
                      proc.last_fault.address, entry->pid);
            (void)proc.processes.end_thread(from, kExitKilled, kSignalKill);
            return ipc::Outcome::no_reply;
        }
        bool beyond_end = refusal == mm::kRefusedBeyondEnd;
        // A fault the process catches: the reply sends the thread to its signal entry, on the
        // stack it faulted with. mm's reflector took its pager away to make the fault an
        // exception; the handler's own faults (its stack, its heap) need mm again.
        uint32_t entry = 0;
        if (proc.processes.fault(from, static_cast<uint32_t>(vector),
                                 message.word(AXO_EXC_ERROR - 1), message.word(AXO_EXC_ADDRESS - 1),
                                 message.word(AXO_EXC_EIP - 1), message.word(AXO_EXC_ESP - 1),
                                 message.word(AXO_EXC_EFLAGS - 1), entry, beyond_end)) {
            if (proc.paging.mm != AXO_NIL_THREAD) {
                axo_exreg_t regs = {};
                regs.control = AXO_EXREG_SET_PAGER;
                regs.pager = proc.paging.mm;
                (void)axo_exchange_registers(from, &regs);
            }
            uint32_t esp = message.word(AXO_EXC_ESP - 1);
            message.set_word(AXO_EXC_REPLY_EIP - 1, entry);
            message.set_word(AXO_EXC_REPLY_ESP - 1, esp);
            message.set_tag(0, 2);
            return ipc::Outcome::reply;
        }
        // An uncaught SIGBUS ends the process by that signal (its vector would say SIGSEGV).
        if (beyond_end)
            (void)proc.processes.end_thread(from, kExitKilled, object_end_signal().signal);
        else
            (void)proc.processes.end_thread(from, kExitFaulted, vector);
        return ipc::Outcome::no_reply;
    }
    // Not the shape the kernel sends: a process imitating it. Dropped like any kernel label
    // nobody serves; the process waits for a reply that never comes.
    return ipc::Outcome::no_reply;
}

void start_boot_processes(Proc& proc) {
    for (uint32_t i = 0; i < proc.config->module_count; ++i) {
        const ModuleConfig& module = proc.config->modules[i];
        if (module.startup != StartPolicy::boot) continue;
        if (i == proc.paging.mm_module) continue; // started first (start_paging)
        if (!proc.images[i].program) {
            rt_printf("proc: module %u \"%s\" not started: not a program\n", module.index,
                      module.name);
            continue;
        }
        SpawnReply reply{};
        ipc::Error error = proc.processes.start(kNoProcess, i, nullptr, reply);
        if (error != ipc::Error::ok) {
            rt_printf("proc: starting module %u \"%s\" failed: %s\n", module.index, module.name,
                      ipc::error_name(error));
            continue;
        }
        proc.boot_pid[i] = reply.pid;
        devices_started_at_boot(proc, i, reply.pid);
        rt_printf("proc: started module %u \"%s\": process %u, thread %u.%u\n", module.index,
                  module.name, reply.pid, axo_thread_number(reply.main_thread),
                  axo_thread_version(reply.main_thread));
    }
}

} // namespace proc
