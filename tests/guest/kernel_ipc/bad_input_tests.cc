// Bad input gets an error code, never a panic (DESIGN.md §3): unknown syscalls, garbage thread
// ids, bad UTCB locations, bad buffers, malformed timeouts and tags, and privileged calls from
// an unprivileged space (σ0's privilege probe).
#include "harness.h"
#include "tests.h"

extern "C" void fault_undefined(); // faults.S

namespace kt {
namespace {

constexpr uint32_t kKeep = 0xFFFFFFFFu;
constexpr uint32_t kShort = 10000; // µs: long enough to tell "no partner" from "timeout"

// axo_thread_id() as a constant expression, so the tables below need no constructor.
constexpr axo_thread_id_t id_of(uint32_t number, uint32_t version) {
    return (number << AXO_THREAD_VERSION_BITS) | version;
}

struct Garbage {
    axo_thread_id_t id;
    const char* what;
};

// Ids that name no user thread. Interrupt threads (1..16) are left out of IPC: sending to
// them will mean something once address spaces exist.
constexpr Garbage kNoThread[] = {
    {id_of(20, 1), "reserved kernel number 20"},
    {id_of(31, 1), "the idle thread's number 31"},
    {id_of(0, 5), "number 0 with version 5"},
    {id_of(AXO_MAX_THREADS, 1), "number AXO_MAX_THREADS"},
    {id_of(0x3FFFF, 1), "the largest number"},
};
// A user number nobody created: no thread, but a valid id to create.
constexpr Garbage kUnused = {id_of(999, 1), "an unused user number"};
constexpr Garbage kNotUserThread[] = {
    {id_of(1, 1), "interrupt thread 1.1"},
    {AXO_ANY_THREAD, "any"},
};

uint32_t raw_syscall(uint32_t number) {
    axo_syscall_regs_t r = {number, 0, 0, 0, 0, 0, 0};
    axo_syscall(&r);
    return r.eax;
}

void unknown_syscalls() {
    static const uint32_t numbers[] = {AXO_SYS_COUNT, 200, 0xFFFFFFFFu};
    for (uint32_t number : numbers) {
        utcb()->error = 0xFFFF;
        uint32_t error = raw_syscall(number);
        check(error == AXO_ERR_INVALID_SYSCALL && utcb()->error == AXO_ERR_INVALID_SYSCALL,
              "syscall number %x gets AXO_ERR_INVALID_SYSCALL in eax and the UTCB (%u, %u)", number,
              error, utcb()->error);
    }
}

void garbage_ids_in_ipc() {
    bool sends = true, receives = true;
    auto try_ipc = [&](const Garbage& g) {
        utcb()->mr[0] = axo_msg_tag(1, 0, 0);
        axo_msg_tag_t tag = axo_ipc_send(g.id, axo_timeout_us(kShort));
        if (!ipc_failed_with(tag, AXO_IPC_NO_PARTNER, false)) {
            diag("send to %s: tag %x, %s", g.what, tag, ipc_error_text(utcb()->error).text);
            sends = false;
        }
        axo_ipc_receive(g.id, axo_timeout_us(kShort));
        if (!ipc_failed_with(utcb()->mr[0], AXO_IPC_NO_PARTNER, true)) {
            diag("receive from %s: %s", g.what, ipc_error_text(utcb()->error).text);
            receives = false;
        }
    };
    for (const Garbage& g : kNoThread)
        try_ipc(g);
    try_ipc(kUnused);
    check(sends, "send to kernel, out-of-range and unused thread ids fails with no partner, "
                 "send phase");
    check(receives, "closed receive from kernel, out-of-range and unused thread ids fails with "
                    "no partner, receive phase");

    utcb()->mr[0] = axo_msg_tag(1, 0, 0);
    axo_msg_tag_t tag = axo_ipc_send(AXO_ANY_THREAD, axo_timeout_us(kShort));
    uint32_t code = axo_ipc_error_code(utcb()->error);
    check(axo_tag_failed(tag) && (code == AXO_IPC_NO_PARTNER || code == AXO_IPC_INVALID),
          "send to the wildcard 'any' fails with no partner or invalid (%s)",
          ipc_error_text(utcb()->error).text);
}

// True if `call` gives AXO_ERR_INVALID_THREAD for every id of no user thread, and also for
// nil and for an unused user number where those are not valid arguments.
template <class Call>
bool all_invalid(const char* call_name, Call call, bool with_nil, bool with_unused) {
    bool all = true;
    auto one = [&](axo_thread_id_t id, const char* what) {
        uint32_t error = call(id);
        if (error != AXO_ERR_INVALID_THREAD) {
            diag("%s(%s): error %u", call_name, what, error);
            all = false;
        }
    };
    for (const Garbage& g : kNoThread)
        one(g.id, g.what);
    for (const Garbage& g : kNotUserThread)
        one(g.id, g.what);
    if (with_nil) one(AXO_NIL_THREAD, "nil");
    if (with_unused) one(kUnused.id, kUnused.what);
    return all;
}

void garbage_ids_elsewhere() {
    check(
        all_invalid(
            "thread_switch", [](axo_thread_id_t id) { return axo_thread_switch(id); }, false, true),
        "thread_switch to kernel, out-of-range, wildcard and unused ids: "
        "AXO_ERR_INVALID_THREAD");
    check(all_invalid(
              "exchange_registers",
              [](axo_thread_id_t id) {
                  axo_exreg_t regs = {};
                  return axo_exchange_registers(id, &regs);
              },
              true, true),
          "exchange_registers on them and on nil: AXO_ERR_INVALID_THREAD");
    check(all_invalid(
              "schedule",
              [](axo_thread_id_t id) { return axo_schedule(id, kKeep, 0, nullptr, nullptr); }, true,
              true),
          "schedule of them and of nil: AXO_ERR_INVALID_THREAD");
    check(all_invalid(
              "thread_control create",
              [](axo_thread_id_t id) {
                  return axo_thread_control(id, g_root, g_root, AXO_NIL_THREAD, fresh_utcb(),
                                            AXO_NIL_THREAD);
              },
              true, false),
          "thread_control creating them or nil: AXO_ERR_INVALID_THREAD");
    // Deleting unused ids, the idle thread and an interrupt thread: refused, nothing breaks.
    check(all_invalid(
              "thread_control delete", [](axo_thread_id_t id) { return rt_thread_delete(id); },
              true, true),
          "thread_control deleting them (the idle thread, an interrupt thread) or nil: "
          "AXO_ERR_INVALID_THREAD");

    axo_thread_id_t id = fresh_id();
    uint32_t space = axo_thread_control(id, axo_thread_id(998, 1), g_root, AXO_NIL_THREAD,
                                        fresh_utcb(), AXO_NIL_THREAD);
    check(space == AXO_ERR_INVALID_SPACE,
          "thread_control with a space specifier naming no thread: AXO_ERR_INVALID_SPACE (%u)",
          space);
    axo_thread_id_t other = fresh_id();
    uint32_t scheduler = axo_thread_control(other, g_root, axo_thread_id(998, 1), AXO_NIL_THREAD,
                                            fresh_utcb(), AXO_NIL_THREAD);
    check(scheduler == AXO_ERR_INVALID_SCHEDULER,
          "thread_control with a scheduler naming no thread: AXO_ERR_INVALID_SCHEDULER (%u)",
          scheduler);
    if (scheduler == AXO_OK) rt_thread_delete(other);

    // What the refused creations must not have left: a thread, or a retired version.
    bool absent = thread_state(id) == 0xFFFFFFFFu && thread_state(kUnused.id) == 0xFFFFFFFFu;
    bool free = space != AXO_OK && create(id) == AXO_OK;
    check(absent && free,
          "the refused calls left nothing behind: no thread %u.1 or 999.1, and the id is free",
          axo_thread_number(id));
    cleanup();
}

void bad_priorities() {
    uint32_t e1 = axo_schedule(g_root, AXO_PRIORITY_MAX + 1, 0, nullptr, nullptr);
    uint32_t e2 = axo_schedule(g_root, 0x80000000u, 0, nullptr, nullptr);
    uint32_t priority = 0;
    axo_schedule(g_root, kKeep, 0, &priority, nullptr);
    check(e1 == AXO_ERR_INVALID_PARAM && e2 == AXO_ERR_INVALID_PARAM &&
              priority == AXO_PRIORITY_DEFAULT,
          "schedule with priority 256 or 0x80000000: AXO_ERR_INVALID_PARAM, priority kept "
          "(%u, %u, %u)",
          e1, e2, priority);
}

void bad_utcb_locations() {
    struct Location {
        uint32_t address;
        const char* what;
    };
    axo_thread_id_t holder = spawn([](void*) {}, nullptr);
    const Location locations[] = {
        {0xC0000000u, "0xC0000000, the first non-user address"},
        {0xE0000000u, "0xE0000000, the kernel"},
        {0xFFFFFE00u, "0xFFFFFE00, the top of the kernel"},
        {0xB0100004u, "0xB0100004, misaligned"},
        {0xB0100100u, "0xB0100100, 256 but not 512-byte aligned"},
        {0x00400000u, "0x00400000, the program's text"},
        {AXO_KIP_ADDRESS, "the KIP"},
        {0xBFFF0000u, "0xBFFF0000, the initial stack"},
        {AXO_INITIAL_UTCB_ADDRESS, "the root task's own UTCB"},
        {utcb_of(holder), "the UTCB of a live thread"},
    };
    axo_thread_id_t id = fresh_id();
    for (const Location& l : locations) {
        uint32_t error =
            axo_thread_control(id, g_root, g_root, AXO_NIL_THREAD, l.address, AXO_NIL_THREAD);
        check(holder != AXO_NIL_THREAD && error == AXO_ERR_UTCB_AREA,
              "UTCB location %s: AXO_ERR_UTCB_AREA (%u)", l.what, error);
        if (error == AXO_OK) rt_thread_delete(id); // so the next location is tried afresh
    }
    cleanup();
}

// Long enough to be refused by length alone; newlines, so that a kernel wrongly printing it
// adds only blank lines to the log.
char g_long_text[AXO_UTCB_SIZE * 8 + 1];

void bad_buffers() {
    const char ok_text[] = "# debug_write of a good buffer\n";
    uint32_t good = axo_debug_write(ok_text, sizeof ok_text - 1);
    check(good == AXO_OK, "debug_write of a good buffer succeeds (%u)", good);

    struct Buffer {
        uint32_t address, length;
        const char* what;
    };
    const Buffer buffers[] = {
        {0xE0100000u, 16, "a kernel address"},
        {0xC0000000u, 16, "the first non-user address"},
        {0x10000000u, 16, "an unmapped user address"},
        {0xBFFFFFF8u, 16, "a buffer running from the KIP into the kernel"},
        {0xFFFFFFF0u, 32, "a buffer wrapping around 4 GiB"},
    };
    for (const Buffer& b : buffers) {
        uint32_t error = axo_debug_write(reinterpret_cast<const char*>(b.address), b.length);
        check(error != AXO_OK, "debug_write from %s fails with an error (%u)", b.what, error);
    }
    memset(g_long_text, '\n', sizeof g_long_text);
    uint32_t error = axo_debug_write(g_long_text, 4097);
    check(error == AXO_ERR_INVALID_PARAM, "debug_write of 4097 bytes: AXO_ERR_INVALID_PARAM (%u)",
          error);

    axo_syscall_regs_t r = {AXO_SYS_DEBUG, 77, 0, 0, 0, 0, 0};
    axo_syscall(&r);
    check(r.eax != AXO_OK, "an unknown debug operation fails with an error (%u)", r.eax);

    uint32_t kernel = axo_debug_counters(reinterpret_cast<axo_counters_t*>(0xE0100000u));
    uint32_t kip = axo_debug_counters(
        reinterpret_cast<axo_counters_t*>(static_cast<uintptr_t>(AXO_KIP_ADDRESS)));
    check(kernel != AXO_OK && kip != AXO_OK && rt_kip()->magic == AXO_KIP_MAGIC,
          "debug_counters into kernel memory or the read-only KIP fails, the KIP unchanged "
          "(%u, %u)",
          kernel, kip);

    axo_kernel_objects_t objects{};
    uint32_t good_objects = axo_debug_objects(&objects);
    uint32_t kernel_objects =
        axo_debug_objects(reinterpret_cast<axo_kernel_objects_t*>(0xE0100000u));
    uint32_t kip_objects = axo_debug_objects(
        reinterpret_cast<axo_kernel_objects_t*>(static_cast<uintptr_t>(AXO_KIP_ADDRESS)));
    check(good_objects == AXO_OK && objects.threads >= 3 && objects.heap_objects > 0 &&
              objects.heap_pages > 0 && objects.free_frames > 0,
          "debug_objects reports live threads (%u), mapping nodes (%u), heap objects (%u in %u "
          "pages) and free frames (%u)",
          objects.threads, objects.map_nodes, objects.heap_objects, objects.heap_pages,
          objects.free_frames);
    check(kernel_objects == AXO_ERR_INVALID_PARAM && kip_objects == AXO_ERR_INVALID_PARAM &&
              rt_kip()->magic == AXO_KIP_MAGIC,
          "debug_objects into kernel memory or the read-only KIP: AXO_ERR_INVALID_PARAM (%u, %u)",
          kernel_objects, kip_objects);
}

void echo(void* arg) {
    auto* count = static_cast<volatile uint32_t*>(arg);
    axo_utcb_t* u = utcb();
    axo_ipc_receive(g_root, AXO_TIMEOUT_NEVER);
    for (;;) {
        if (!axo_tag_failed(u->mr[0])) *count = *count + 1;
        u->mr[0] = axo_msg_tag(0xEC, 0, 0);
        axo_ipc(g_root, g_root, (uint32_t{AXO_TIMEOUT_ZERO} << 16) | AXO_TIMEOUT_NEVER);
    }
}

void bad_messages() {
    static volatile uint32_t count;
    count = 0;
    axo_thread_id_t echoer = spawn(echo, const_cast<uint32_t*>(&count));
    bool waiting = echoer != AXO_NIL_THREAD && wait_state(echoer, AXO_STATE_RECEIVING);

    // (m = 0, e = 2): not "zero", which is spelled only 0x0400; e = 41: beyond 64-bit µs.
    const axo_timeout_t bad_timeouts[] = {0x0800, (41u << 10) | 1};
    for (axo_timeout_t bad : bad_timeouts) {
        utcb()->mr[0] = axo_msg_tag(1, 0, 0);
        axo_ipc(echoer, AXO_NIL_THREAD, axo_timeouts(bad, AXO_TIMEOUT_NEVER));
        uint32_t send_word = utcb()->error;
        bool send_refused =
            axo_tag_failed(utcb()->mr[0]) && axo_ipc_error_code(send_word) == AXO_IPC_INVALID;
        axo_ipc(AXO_NIL_THREAD, AXO_ANY_THREAD, axo_timeouts(AXO_TIMEOUT_NEVER, bad));
        uint32_t receive_word = utcb()->error;
        bool receive_refused =
            axo_tag_failed(utcb()->mr[0]) && axo_ipc_error_code(receive_word) == AXO_IPC_INVALID;
        check(waiting && send_refused && receive_refused && count == 0,
              "malformed timeout %x as send or receive timeout: invalid, nothing delivered "
              "(%s; %s)",
              bad, ipc_error_text(send_word).text, ipc_error_text(receive_word).text);
    }

    struct Tag {
        uint32_t untyped, typed;
    };
    const Tag too_long[] = {{63, 1}, {40, 40}, {63, 63}};
    for (const Tag& t : too_long) {
        utcb()->mr[0] = axo_msg_tag(1, t.untyped, t.typed);
        axo_msg_tag_t tag = axo_ipc_send(echoer, axo_timeout_us(kShort));
        check(waiting && ipc_failed_with(tag, AXO_IPC_OVERFLOW, false) && count == 0,
              "a message of %u untyped + %u typed words: overflow in the send phase, nothing "
              "delivered (%s)",
              t.untyped, t.typed, ipc_error_text(utcb()->error).text);
    }

    utcb()->mr[0] = axo_msg_tag(1, AXO_MR_COUNT - 1, 0);
    axo_msg_tag_t tag =
        axo_ipc_call(echoer, axo_timeouts(axo_timeout_us(1000000), axo_timeout_us(1000000)));
    check(waiting && !axo_tag_failed(tag) && count == 1,
          "the receiver is undisturbed: a 63-word call then gets through (%s)",
          axo_tag_failed(tag) ? ipc_error_text(utcb()->error).text : "ok");
    cleanup();
}

void bad_start_registers() {
    // A kernel address as ip, then as sp: either refused, or the thread faults and halts.
    const uint32_t kernel = 0xE0001000u;
    static const char* const what[] = {"ip", "sp"};
    for (uint32_t i = 0; i < 2; ++i) {
        axo_thread_id_t id = fresh_id();
        uint32_t error = create(id);
        uintptr_t low = 0, high = 0;
        stack_of(id, &low, &high);
        axo_exreg_t regs = {};
        regs.control = AXO_EXREG_SET_SP | AXO_EXREG_SET_IP | AXO_EXREG_RESUME;
        regs.ip = i == 0 ? kernel : reinterpret_cast<uintptr_t>(&rt_park);
        regs.sp = i == 0 ? high - 16 : kernel;
        uint32_t started = error == AXO_OK ? axo_exchange_registers(id, &regs) : error;
        bool contained = error == AXO_OK && (started != AXO_OK || wait_state(id, AXO_STATE_HALTED));
        check(contained,
              "a thread started with a kernel address as %s is refused or halted (error %u)",
              what[i], started);
        cleanup();
    }
}

// The same for the eip of an exception reply.
struct BadReply {
    axo_thread_id_t victim;
    bool reply_failed;
    uint32_t reply_error;
    axo_msg_tag_t second_tag; // a second exception message: the new eip faulted in user mode
    uint32_t second_vector;
};

alignas(16) uint8_t g_bad_reply_stack[1024];

void bad_reply_handler(void* arg) {
    auto* b = static_cast<BadReply*>(arg);
    axo_utcb_t* u = utcb();
    axo_ipc_receive(b->victim, axo_timeout_us(2000000));
    if (axo_tag_failed(u->mr[0])) {
        send_done(0);
        return;
    }
    u->mr[0] = axo_msg_tag(0, 2, 0);
    u->mr[AXO_EXC_REPLY_EIP] = 0xE0001000u;
    u->mr[AXO_EXC_REPLY_ESP] =
        reinterpret_cast<uintptr_t>(g_bad_reply_stack + sizeof g_bad_reply_stack);
    b->reply_failed = axo_tag_failed(axo_ipc_send(b->victim, axo_timeout_us(100000)));
    b->reply_error = u->error;
    axo_ipc_receive(b->victim, axo_timeout_us(200000));
    b->second_tag = u->mr[0];
    b->second_vector = u->mr[AXO_EXC_VECTOR];
    send_done(1);
}

void bad_exception_reply() {
    static BadReply b;
    b = {};
    b.second_tag = AXO_TAG_FLAG_ERROR;
    axo_thread_id_t handler = fresh_id();
    b.victim = fresh_id();
    bool started = create(handler, {.priority = 120}) == AXO_OK &&
                   create(b.victim, {.exception_handler = handler}) == AXO_OK &&
                   run(handler, bad_reply_handler, &b) == AXO_OK &&
                   run(
                       b.victim, [](void*) { fault_undefined(); }, nullptr) == AXO_OK;
    bool reported = started && wait_done(handler);
    uint32_t state = thread_state(b.victim);
    bool faulted_in_user = !axo_tag_failed(b.second_tag) &&
                           axo_tag_label(b.second_tag) == AXO_LABEL_EXCEPTION &&
                           (b.second_vector == 13 || b.second_vector == 14);
    bool halted = state != 0xFFFFFFFFu && (state & AXO_STATE_HALTED) != 0;
    check(reported && (b.reply_failed || halted || faulted_in_user),
          "an exception reply with a kernel eip is refused or faults in user mode, never in the "
          "kernel (reply %s, state %x, second exception vector %u)",
          b.reply_failed ? "refused" : "accepted", state,
          axo_tag_failed(b.second_tag) ? 0xFFFFFFFFu : b.second_vector);
    cleanup();
}

void privilege() {
    static volatile uint32_t result;
    result = 0xFFFFFFFFu;
    axo_thread_id_t second = spawn(
        [](void* arg) {
            // Privilege belongs to the root task's space, not only to its first thread.
            axo_thread_id_t id = axo_thread_id(997, 1);
            uint32_t created = rt_thread_create(id, rt_utcb_slot(4000), AXO_NIL_THREAD);
            uint32_t deleted = created == AXO_OK ? rt_thread_delete(id) : created;
            *static_cast<volatile uint32_t*>(arg) = created | deleted;
            send_done(0);
        },
        const_cast<uint32_t*>(&result));
    bool reported = second != AXO_NIL_THREAD && wait_done(second);
    check(reported && result == AXO_OK,
          "a second thread of the root task's space may use thread_control (error %u)", result);
    cleanup();

    utcb()->mr[0] = axo_msg_tag(0x77, 0, 0);
    const uint32_t one_second = axo_timeouts(axo_timeout_us(1000000), axo_timeout_us(1000000));
    axo_thread_id_t from = axo_ipc(g_sigma0, g_sigma0, one_second);
    axo_msg_tag_t tag = utcb()->mr[0];
    check(!axo_tag_failed(tag) && from == g_sigma0 && axo_tag_untyped(tag) == 0,
          "sigma0 answers a message with an empty reply (tag %x)", tag);

    constexpr uint32_t kLabelPrivilegeProbe = 0x5A;
    utcb()->mr[0] = axo_msg_tag(kLabelPrivilegeProbe, 0, 0);
    from = axo_ipc(g_sigma0, g_sigma0, one_second);
    tag = utcb()->mr[0];
    bool answered = !axo_tag_failed(tag) && from == g_sigma0 &&
                    axo_tag_label(tag) == kLabelPrivilegeProbe && axo_tag_untyped(tag) == 4;
    const uint32_t* mr = utcb()->mr;
    check(answered && mr[1] == AXO_ERR_NO_PRIVILEGE && mr[2] == AXO_ERR_NO_PRIVILEGE &&
              mr[3] == AXO_ERR_NO_PRIVILEGE,
          "unprivileged sigma0 gets AXO_ERR_NO_PRIVILEGE from thread_control, schedule of "
          "another space's thread and debug_shutdown (%u %u %u)",
          mr[1], mr[2], mr[3]);
    check(answered && mr[4] == AXO_ERR_NO_PRIVILEGE,
          "unprivileged sigma0 gets AXO_ERR_NO_PRIVILEGE from exchange_registers on the root "
          "task (%u)",
          mr[4]);
}

} // namespace

void bad_input_tests() {
    unknown_syscalls();
    garbage_ids_in_ipc();
    garbage_ids_elsewhere();
    bad_priorities();
    bad_utcb_locations();
    bad_buffers();
    bad_messages();
    privilege();
    // Last: where the kernel fails these, it fails by a panic on a CPU that checks segment
    // limits on iret (Bochs), which would take every later test with it.
    bad_start_registers();
    bad_exception_reply();
}

} // namespace kt
