// What the kernel promises the initial task (docs/kernel-api.md, "The initial threads"), the
// KIP, and the life of one thread: create, start, query, delete.
#include "harness.h"
#include "tests.h"

namespace kt {
namespace {

constexpr axo_thread_id_t kSigma0Id = (32u << AXO_THREAD_VERSION_BITS) | 1u;
constexpr axo_thread_id_t kRootId = (33u << AXO_THREAD_VERSION_BITS) | 1u;
constexpr uint32_t kInitialEsp = 0xBFFFD000u;
constexpr uint32_t kStackBottom = 0xBFFED000u;
constexpr uint32_t kEflagsIf = 1u << 9;

bool contains(const char* text, size_t max, const char* word) {
    size_t length = strnlen(text, max);
    size_t word_length = strlen(word);
    for (size_t i = 0; i + word_length <= length; ++i)
        if (memcmp(text + i, word, word_length) == 0) return true;
    return false;
}

void initial_registers() {
    const rt_entry_state_t& s = rt_entry_state;
    check(s.esp == kInitialEsp, "the initial thread starts with esp = 0xBFFFD000 (got %x)", s.esp);
    bool zero = (s.eax | s.ebx | s.ecx | s.edx | s.esi | s.edi | s.ebp) == 0;
    if (!zero)
        diag("eax %x ebx %x ecx %x edx %x esi %x edi %x ebp %x", s.eax, s.ebx, s.ecx, s.edx, s.esi,
             s.edi, s.ebp);
    check(zero, "all other general registers are zero at the entry point");
    check((s.eflags & kEflagsIf) != 0 && ((s.eflags >> 12) & 3) == 0,
          "user mode runs with interrupts enabled and IOPL 0 (eflags %x)", s.eflags);
}

void initial_utcb_and_ids() {
    axo_utcb_t* u = utcb();
    check(reinterpret_cast<uintptr_t>(u) == AXO_INITIAL_UTCB_ADDRESS &&
              u->self == AXO_INITIAL_UTCB_ADDRESS,
          "%%gs:0 and utcb->self hold the initial UTCB address 0xBFFFE000 (got %p, %x)",
          static_cast<void*>(u), u->self);
    check(u->my_id == kRootId, "the root task is thread 33, version 1 (got %u.%u)",
          axo_thread_number(u->my_id), axo_thread_version(u->my_id));
}

void initial_stack() {
    // Probed by a thread: if the stack were not mapped, the probe would fault and halt, and
    // the root task would only see a missing report.
    static uint32_t ored;
    ored = 0xFFFFFFFFu;
    axo_thread_id_t probe = spawn(
        [](void* out) {
            const volatile uint32_t* bottom =
                reinterpret_cast<const volatile uint32_t*>(kStackBottom);
            uint32_t bits = 0;
            for (uint32_t i = 0; i < 4096 / 4; ++i)
                bits |= bottom[i];
            *static_cast<uint32_t*>(out) = bits;
            send_done(0);
        },
        &ored);
    bool reported = probe != AXO_NIL_THREAD && wait_done(probe);
    check(reported && ored == 0,
          "the lowest page of the 64 KiB initial stack (0xBFFED000) is mapped and zeroed");
    cleanup();
}

void kip_fields() {
    const axo_kip_t* kip = rt_kip();
    check(kip->magic == AXO_KIP_MAGIC && kip->api_version == AXO_API_VERSION,
          "the KIP at 0xBFFFF000 has the magic \"AXO1\" and API version %u (got %x, %u)",
          AXO_API_VERSION, kip->magic, kip->api_version);

    axo_syscall_regs_t r = {AXO_SYS_KERNEL_INTERFACE, 0, 0, 0, 0, 0, 0};
    axo_syscall(&r);
    check(r.eax == AXO_KIP_ADDRESS && r.ecx == AXO_API_VERSION && r.edx == kip->api_flags,
          "kernel_interface returns the KIP address, API version and API flags (%x %u %x)", r.eax,
          r.ecx, r.edx);

    check(kip->sigma0 == kSigma0Id && kip->root_task == kRootId && kip->root_task == g_root,
          "the KIP names sigma0 32.1 and the root task 33.1 (got %u.%u, %u.%u)",
          axo_thread_number(kip->sigma0), axo_thread_version(kip->sigma0),
          axo_thread_number(kip->root_task), axo_thread_version(kip->root_task));
    check(kip->max_threads == AXO_MAX_THREADS && kip->first_user_thread == AXO_FIRST_USER_THREAD,
          "the KIP's thread limits match abi.h (max %u, first user %u)", kip->max_threads,
          kip->first_user_thread);
    diag("KIP: kernel version %u.%u, api flags %x, tick %u us", kip->kernel_version >> 16,
         kip->kernel_version & 0xFFFF, kip->api_flags, kip->tick_us);
    check(kip->tick_us > 0 && kip->tick_us <= 100000, "the KIP states a tick length (%u us)",
          kip->tick_us);

    uint64_t conventional = 0;
    bool types_known = kip->memory_count <= AXO_KIP_MAX_MEMORY;
    for (uint32_t i = 0; types_known && i < kip->memory_count; ++i) {
        const axo_kip_memory_t& m = kip->memory[i];
        if (m.type < AXO_MEMORY_CONVENTIONAL || m.type > AXO_MEMORY_BOOT_MODULE)
            types_known = false;
        if (m.type == AXO_MEMORY_CONVENTIONAL) conventional += m.size;
    }
    check(kip->memory_count > 0 && types_known && conventional > 0,
          "the KIP describes memory: %u regions of known types, %u KiB conventional",
          kip->memory_count, static_cast<uint32_t>(conventional >> 10));

    bool modules = kip->module_count >= 2 && kip->module_count <= AXO_KIP_MAX_MODULES &&
                   contains(kip->modules[0].cmdline, sizeof kip->modules[0].cmdline, "sigma0") &&
                   contains(kip->modules[1].cmdline, sizeof kip->modules[1].cmdline, "kernel_ipc");
    check(modules, "the KIP lists the boot modules: 0 is sigma0, 1 is kernel_ipc (%u modules)",
          kip->module_count);

    uint64_t t0 = now_us();
    sleep_us(3000);
    uint64_t t1 = now_us();
    check(t1 > t0, "the KIP clock advances (%u us across a 3 ms sleep)",
          static_cast<uint32_t>(t1 - t0));
}

void root_scheduling_and_counters() {
    uint32_t priority = 0, timeslice = 0;
    uint32_t error = axo_schedule(g_root, 0xFFFFFFFFu, 0, &priority, &timeslice);
    check(error == AXO_OK && priority == AXO_PRIORITY_DEFAULT &&
              timeslice == AXO_TIMESLICE_DEFAULT_US,
          "the root task runs at the default priority %u and time slice %u us (got %u, %u, %u)",
          AXO_PRIORITY_DEFAULT, AXO_TIMESLICE_DEFAULT_US, error, priority, timeslice);

    axo_counters_t before = {}, after = {};
    uint32_t e1 = axo_debug_counters(&before);
    uint32_t e2 = axo_debug_counters(&after);
    check(e1 == AXO_OK && e2 == AXO_OK && after.syscalls > before.syscalls &&
              before.timer_ticks > 0,
          "debug counters: syscalls counted (%u then %u), timer ticking (%u ticks)",
          before.syscalls, after.syscalls, before.timer_ticks);
    diag("counters: %u ipcs, %u context switches, %u space switches, %u cr3 writes", after.ipcs,
         after.context_switches, after.space_switches, after.cr3_writes);
}

struct BasicsReport {
    axo_thread_id_t my_id;
    uint32_t self;
    uint32_t gs_utcb;
};

void thread_life() {
    axo_thread_id_t id = fresh_id();
    uint32_t utcb_address = fresh_utcb();
    uint32_t error = rt_thread_create(id, utcb_address, AXO_NIL_THREAD);
    check(error == AXO_OK, "thread_control creates a thread in the root task's space (error %u)",
          error);
    if (error != AXO_OK) return;

    uint32_t state = thread_state(id);
    check(state != 0xFFFFFFFFu && (state & AXO_STATE_INACTIVE) != 0,
          "a created thread is inactive until started (state %x)", state);

    // (The same id again with the same space would be a modification, not a creation.)
    axo_thread_id_t next_version = axo_thread_id(axo_thread_number(id), 2);
    error = rt_thread_create(next_version, fresh_utcb(), AXO_NIL_THREAD);
    check(error == AXO_ERR_EXISTS,
          "creating version 2 of a live thread's number fails with AXO_ERR_EXISTS (%u)", error);
    if (error == AXO_OK) rt_thread_delete(next_version);

    static BasicsReport report;
    alignas(16) static uint8_t stack[kStackSize];
    report = {};
    error = rt_thread_run(
        id,
        [](void* out) {
            auto* r = static_cast<BasicsReport*>(out);
            r->my_id = utcb()->my_id;
            r->self = utcb()->self;
            r->gs_utcb = reinterpret_cast<uintptr_t>(axo_my_utcb());
            send_done(0);
        },
        &report, stack + sizeof stack);
    bool reported = error == AXO_OK && wait_done(id);
    check(reported && report.my_id == id && report.self == utcb_address &&
              report.gs_utcb == utcb_address,
          "a started thread runs and sees its id and UTCB (%%gs:0 = %x, self %x, id %u.%u)",
          report.gs_utcb, report.self, axo_thread_number(report.my_id),
          axo_thread_version(report.my_id));
    auto* seen = reinterpret_cast<const axo_utcb_t*>(utcb_address);
    check(reported && seen->my_id == id,
          "the new thread's UTCB is mapped in the space, readable by the other threads");

    check(wait_state(id, AXO_STATE_RECEIVING),
          "exchange_registers reports a parked thread as receiving");

    error = rt_thread_delete(id);
    check(error == AXO_OK, "thread_control deletes the thread (error %u)", error);
    error = rt_thread_delete(id);
    uint32_t query = thread_state(id);
    check(error == AXO_ERR_INVALID_THREAD && query == 0xFFFFFFFFu,
          "a deleted thread is gone: deleting it again gives AXO_ERR_INVALID_THREAD (%u)", error);
}

void new_space() {
    // Privileged: a thread in a new, empty space. It has no memory, so it is never started.
    axo_thread_id_t id = fresh_id();
    uint32_t error =
        axo_thread_control(id, id, g_root, AXO_NIL_THREAD, rt_utcb_slot(0), AXO_NIL_THREAD);
    uint32_t state = error == AXO_OK ? thread_state(id) : 0xFFFFFFFFu;
    uint32_t deleted = error == AXO_OK ? rt_thread_delete(id) : 0xFFFFFFFFu;
    check(error == AXO_OK && state != 0xFFFFFFFFu && (state & AXO_STATE_INACTIVE) != 0 &&
              deleted == AXO_OK,
          "thread_control creates a thread in a new space, which the root task can query "
          "and delete (errors %u, %u, state %x)",
          error, deleted, state);
}

} // namespace

void environment_tests() {
    initial_registers();
    initial_utcb_and_ids();
    initial_stack();
    kip_fields();
    root_scheduling_and_counters();
    thread_life();
    new_space();
}

} // namespace kt
