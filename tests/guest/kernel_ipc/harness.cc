#include "harness.h"

#include "rt/tap.h"

namespace kt {

axo_thread_id_t g_root;
axo_thread_id_t g_sigma0;

namespace {

uint32_t g_cleanup_failures;

// Stacks and the live-thread table. A test uses at most kPoolThreads threads at once.
constexpr uint32_t kPoolThreads = 16;
alignas(16) uint8_t g_stacks[kPoolThreads][kStackSize];
struct Slot {
    axo_thread_id_t id;
    uint32_t utcb;
    bool used;
};
Slot g_slots[kPoolThreads];

uint32_t g_next_number = kFirstTestThread;
uint32_t g_next_utcb;

Slot* slot_of(axo_thread_id_t id) {
    for (Slot& slot : g_slots)
        if (slot.used && slot.id == id) return &slot;
    return nullptr;
}

} // namespace

void begin() {
    rt_tap_begin();
    g_root = rt_my_id();
    g_sigma0 = rt_kip()->sigma0;
}

void finish() {
    check(g_cleanup_failures == 0, "every test thread was deleted cleanly after its test");
    rt_tap_end();
    uint32_t error = axo_debug_shutdown(rt_tap_failures() ? 1 : 0);
    diag("debug_shutdown returned %u", error);
    rt_park();
}

void sleep_us(uint32_t us) {
    axo_ipc_receive(g_sigma0, axo_timeout_us(us));
    axo_msg_tag_t tag = utcb()->mr[0];
    if (!ipc_failed_with(tag, AXO_IPC_TIMEOUT, true))
        diag("sleep_us(%u): expected a receive timeout, got tag %x error %s", us, tag,
             ipc_error_text(utcb()->error).text);
}

axo_thread_id_t fresh_id() {
    return axo_thread_id(g_next_number++, 1);
}

uint32_t fresh_utcb() {
    return rt_utcb_slot(g_next_utcb++);
}

uint32_t create(axo_thread_id_t id, const ThreadOptions& options) {
    Slot* slot = nullptr;
    for (Slot& s : g_slots)
        if (!s.used) {
            slot = &s;
            break;
        }
    if (slot == nullptr) {
        diag("harness: more than %u threads in one test", kPoolThreads);
        return AXO_ERR_NO_MEMORY;
    }
    uint32_t utcb_address = fresh_utcb();
    uint32_t error = rt_thread_create(id, utcb_address, options.exception_handler);
    if (error != AXO_OK) return error;
    *slot = {id, utcb_address, true};
    if (options.priority != 0 || options.timeslice_us != 0) {
        uint32_t priority = options.priority != 0 ? options.priority : 0xFFFFFFFFu;
        error = axo_schedule(id, priority, options.timeslice_us, nullptr, nullptr);
    }
    return error;
}

uint32_t run(axo_thread_id_t id, void (*fn)(void*), void* arg) {
    Slot* slot = slot_of(id);
    if (slot == nullptr) return AXO_ERR_INVALID_THREAD;
    uint8_t* stack = g_stacks[slot - g_slots];
    // Fresh stacks show what a thread really used, in a debugger, across reuse.
    memset(stack, 0, kStackSize);
    return rt_thread_run(id, fn, arg, stack + kStackSize);
}

axo_thread_id_t spawn(void (*fn)(void*), void* arg, const ThreadOptions& options) {
    axo_thread_id_t id = fresh_id();
    uint32_t error = create(id, options);
    if (error == AXO_OK) error = run(id, fn, arg);
    if (error != AXO_OK) {
        diag("spawning thread %u.%u failed: error %u", axo_thread_number(id),
             axo_thread_version(id), error);
        return AXO_NIL_THREAD;
    }
    return id;
}

void stack_of(axo_thread_id_t id, uintptr_t* low, uintptr_t* high) {
    Slot* slot = slot_of(id);
    uintptr_t base = slot ? reinterpret_cast<uintptr_t>(g_stacks[slot - g_slots]) : 0;
    *low = base;
    *high = slot ? base + kStackSize : 0;
}

uint32_t utcb_of(axo_thread_id_t id) {
    Slot* slot = slot_of(id);
    return slot ? slot->utcb : 0;
}

void forget(axo_thread_id_t id) {
    if (Slot* slot = slot_of(id)) slot->used = false;
}

void cleanup() {
    for (Slot& slot : g_slots) {
        if (!slot.used) continue;
        uint32_t error = rt_thread_delete(slot.id);
        if (error != AXO_OK) {
            ++g_cleanup_failures;
            diag("cleanup: deleting thread %u.%u failed: error %u", axo_thread_number(slot.id),
                 axo_thread_version(slot.id), error);
        }
        slot.used = false;
    }
    uint32_t old_priority = 0;
    axo_schedule(g_root, AXO_PRIORITY_DEFAULT, 0, &old_priority, nullptr);
    if (old_priority != AXO_PRIORITY_DEFAULT) {
        ++g_cleanup_failures;
        diag("cleanup: the root task was left at priority %u", old_priority);
    }
}

uint32_t thread_state(axo_thread_id_t id) {
    axo_exreg_t regs = {};
    uint32_t error = axo_exchange_registers(id, &regs);
    return error == AXO_OK ? regs.control : 0xFFFFFFFFu;
}

bool wait_state(axo_thread_id_t id, uint32_t bits, uint32_t timeout_us) {
    uint64_t deadline = now_us() + timeout_us;
    for (;;) {
        uint32_t state = thread_state(id);
        if (state != 0xFFFFFFFFu && (state & bits) != 0) return true;
        if (now_us() > deadline) {
            diag("thread %u.%u: state %x after %u us, wanted one of %x", axo_thread_number(id),
                 axo_thread_version(id), state, timeout_us, bits);
            return false;
        }
        sleep_us(500);
    }
}

void send_done(uint32_t value) {
    utcb()->mr[0] = axo_msg_tag(kLabelDone, 1, 0);
    utcb()->mr[1] = value;
    axo_ipc_send(g_root, AXO_TIMEOUT_NEVER);
}

bool wait_done(axo_thread_id_t from, uint32_t* value, uint32_t timeout_us) {
    axo_ipc_receive(from, axo_timeout_us(timeout_us));
    axo_msg_tag_t tag = utcb()->mr[0];
    if (axo_tag_failed(tag)) {
        diag("no report from thread %u.%u within %u us: %s", axo_thread_number(from),
             axo_thread_version(from), timeout_us, ipc_error_text(utcb()->error).text);
        return false;
    }
    if (axo_tag_label(tag) != kLabelDone) {
        diag("thread %u.%u sent label %x instead of a report", axo_thread_number(from),
             axo_thread_version(from), axo_tag_label(tag));
        return false;
    }
    if (value) *value = utcb()->mr[1];
    return true;
}

ErrorText ipc_error_text(uint32_t word) {
    static const char* const names[] = {"ok",       "timeout", "no partner", "cancelled",
                                        "overflow", "aborted", "invalid"};
    ErrorText result;
    uint32_t code = axo_ipc_error_code(word);
    const char* name = code < sizeof names / sizeof names[0] ? names[code] : "unknown";
    rt_snprintf(result.text, sizeof result.text, "%s (%u) in %s phase", name, code,
                axo_ipc_error_in_receive(word) ? "receive" : "send");
    return result;
}

bool ipc_failed_with(axo_msg_tag_t tag, uint32_t code, bool receive_phase) {
    return axo_tag_failed(tag) && utcb()->error == ipc_error_word(code, receive_phase);
}

void set_message(uint32_t label, uint32_t count, const uint32_t* words) {
    axo_utcb_t* u = utcb();
    u->mr[0] = axo_msg_tag(label, count, 0);
    for (uint32_t i = 0; i < count; ++i)
        u->mr[1 + i] = words[i];
}

} // namespace kt
