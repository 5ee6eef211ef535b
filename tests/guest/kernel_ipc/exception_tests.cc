// Exceptions as IPC: the kernel sends the faulting thread's state to its exception handler,
// whose reply resumes it at a new eip/esp; without a handler (or pager) the thread halts.
#include "harness.h"
#include "tests.h"

// faults.S
extern "C" {
extern const uint32_t fault_pattern[7]; // eax ecx edx ebx ebp esi edi at every fault
void fault_divide();
void fault_undefined();
void fault_cli();
void fault_int14();
void fault_unmapped();
void fault_below_stack();
void fault_write_kip();
void fault_write_text();
extern const char fault_divide_ip[], fault_undefined_ip[], fault_cli_ip[], fault_int14_ip[];
void exc_recovery_entry();
// Written by exc_recovery_entry: eax ecx edx ebx ebp esi edi eflags esp.
uint32_t exc_recovered_regs[9];
void exc_recovered();
}

namespace kt {
namespace {

constexpr uint32_t kEflagsCf = 1u << 0, kEflagsZf = 1u << 6, kEflagsTf = 1u << 8,
                   kEflagsIf = 1u << 9, kEflagsIopl = 3u << 12, kEflagsNt = 1u << 14,
                   kEflagsVm = 1u << 17, kEflagsAc = 1u << 18;
// A reply asking for far more than user space may have: only CF and ZF may take effect.
constexpr uint32_t kReplyFlags =
    kEflagsCf | kEflagsZf | kEflagsTf | kEflagsIopl | kEflagsNt | kEflagsVm | kEflagsAc;
constexpr uint32_t kReplyRegs[7] = {0x1000A, 0x1000C, 0x1000D, 0x1000B, 0x100EB, 0x10051, 0x100D1};
constexpr uint32_t kRecovered = 0x600D;

struct Case {
    const char* name;
    void (*fault)();
    const char* fault_ip;
    uint32_t vector;
    uint32_t error_code;
    bool reply_sets_registers; // reply with eflags and all registers, not just eip/esp
};

struct Handling {
    const Case* c;
    axo_thread_id_t victim;
    uint32_t new_esp;
    axo_thread_id_t from;
    axo_msg_tag_t tag;
    uint32_t words[AXO_EXC_WORDS + 1];
    axo_msg_tag_t reply_tag;
};

alignas(16) uint8_t g_recovery_stack[4096];

void victim(void* arg) {
    static_cast<const Case*>(arg)->fault();
}

void handler(void* arg) {
    auto* h = static_cast<Handling*>(arg);
    axo_utcb_t* u = utcb();
    h->from = axo_ipc_receive(h->victim, axo_timeout_us(2000000));
    h->tag = u->mr[0];
    for (uint32_t i = 1; i <= AXO_EXC_WORDS; ++i)
        h->words[i] = u->mr[i];
    if (axo_tag_failed(h->tag)) {
        send_done(0);
        return;
    }
    bool full = h->c->reply_sets_registers;
    u->mr[0] = axo_msg_tag(0, full ? AXO_EXC_REPLY_GPRS + 6 : AXO_EXC_REPLY_ESP, 0);
    u->mr[AXO_EXC_REPLY_EIP] = reinterpret_cast<uintptr_t>(&exc_recovery_entry);
    u->mr[AXO_EXC_REPLY_ESP] = h->new_esp;
    if (full) {
        u->mr[AXO_EXC_REPLY_EFLAGS] = kReplyFlags;
        for (uint32_t i = 0; i < 7; ++i)
            u->mr[AXO_EXC_REPLY_GPRS + i] = kReplyRegs[i];
    }
    h->reply_tag = axo_ipc_send(h->victim, axo_timeout_us(100000));
    send_done(1);
}

bool registers_equal(const uint32_t* a, const uint32_t* b) {
    for (uint32_t i = 0; i < 7; ++i)
        if (a[i] != b[i]) return false;
    return true;
}

void handled(const Case& c) {
    static Handling h;
    h = {};
    h.c = &c;
    for (uint32_t& r : exc_recovered_regs)
        r = 0xDEADBEEF;
    // Anywhere the victim could not reach by returning: a stack of its own.
    h.new_esp = reinterpret_cast<uintptr_t>(g_recovery_stack + sizeof g_recovery_stack) - 32;

    axo_thread_id_t handler_id = fresh_id();
    h.victim = fresh_id();
    bool started = create(handler_id, {.priority = 120}) == AXO_OK &&
                   create(h.victim, {.exception_handler = handler_id}) == AXO_OK &&
                   run(handler_id, handler, &h) == AXO_OK &&
                   run(h.victim, victim, const_cast<Case*>(&c)) == AXO_OK;
    uint32_t recovered = 0;
    bool handler_done = started && wait_done(handler_id);
    bool victim_done = handler_done && wait_done(h.victim, &recovered);

    const uint32_t* w = h.words;
    check(handler_done && h.from == h.victim && !axo_tag_failed(h.tag) &&
              axo_tag_label(h.tag) == AXO_LABEL_EXCEPTION &&
              axo_tag_untyped(h.tag) == AXO_EXC_WORDS && axo_tag_typed(h.tag) == 0,
          "%s: the handler gets an exception message (label %x, %u words) from the faulting "
          "thread itself",
          c.name, axo_tag_label(h.tag), axo_tag_untyped(h.tag));
    check(handler_done && w[AXO_EXC_VECTOR] == c.vector && w[AXO_EXC_ERROR] == c.error_code &&
              w[AXO_EXC_EIP] == reinterpret_cast<uintptr_t>(c.fault_ip) && w[AXO_EXC_ADDRESS] == 0,
          "%s: vector %u, error code %x, eip of the faulting instruction (got %u, %x, %x vs %p)",
          c.name, c.vector, c.error_code, w[AXO_EXC_VECTOR], w[AXO_EXC_ERROR], w[AXO_EXC_EIP],
          static_cast<const void*>(c.fault_ip));

    uintptr_t low = 0, high = 0;
    stack_of(h.victim, &low, &high);
    check(handler_done && registers_equal(&w[AXO_EXC_EAX], fault_pattern) && w[AXO_EXC_ESP] > low &&
              w[AXO_EXC_ESP] < high && (w[AXO_EXC_EFLAGS] & kEflagsIf) != 0,
          "%s: the message carries the thread's registers, esp and eflags at the fault", c.name);
    if (handler_done && !registers_equal(&w[AXO_EXC_EAX], fault_pattern))
        diag("eax %x ecx %x edx %x ebx %x ebp %x esi %x edi %x, esp %x eflags %x", w[AXO_EXC_EAX],
             w[AXO_EXC_ECX], w[AXO_EXC_EDX], w[AXO_EXC_EBX], w[AXO_EXC_EBP], w[AXO_EXC_ESI],
             w[AXO_EXC_EDI], w[AXO_EXC_ESP], w[AXO_EXC_EFLAGS]);

    const uint32_t* r = exc_recovered_regs;
    check(
        victim_done && recovered == kRecovered && !axo_tag_failed(h.reply_tag) && r[8] == h.new_esp,
        "%s: the reply resumes the thread at the new eip with the new esp (esp %x)", c.name, r[8]);
    if (c.reply_sets_registers) {
        uint32_t flags = r[7];
        check(victim_done && registers_equal(r, kReplyRegs) &&
                  (flags & AXO_USER_EFLAGS_MASK) == (kReplyFlags & AXO_USER_EFLAGS_MASK) &&
                  (flags & kEflagsIf) != 0 &&
                  (flags & (kEflagsTf | kEflagsIopl | kEflagsNt | kEflagsVm | kEflagsAc)) == 0,
              "%s: the reply sets the registers and only the arithmetic flags; IF stays on, "
              "TF IOPL NT VM AC stay off (eflags %x)",
              c.name, flags);
    } else {
        check(victim_done && registers_equal(r, fault_pattern),
              "%s: a reply of eip and esp only leaves the other registers as they were", c.name);
    }
    cleanup();
}

const Case kCases[] = {
    {"divide by zero", fault_divide, fault_divide_ip, 0, 0, false},
    {"undefined opcode", fault_undefined, fault_undefined_ip, 6, 0, true},
    {"cli in user mode", fault_cli, fault_cli_ip, 13, 0, false},
    // The gate of a kernel-only vector refuses user mode: #GP with the IDT error code.
    {"int 14 from user mode", fault_int14, fault_int14_ip, 13, (14u << 3) | 2u, false},
};

// ---- Nobody to handle it ---------------------------------------------------------------------

void unhandled(const char* what, void (*fault)(), bool restart) {
    static Case c;
    c = {what, fault, nullptr, 0, 0, false};
    axo_thread_id_t id = spawn(victim, &c);
    bool halted = id != AXO_NIL_THREAD && wait_state(id, AXO_STATE_HALTED);
    check(halted, "%s: the thread is halted and the kernel carries on", what);

    if (restart) {
        static volatile uint32_t flag;
        flag = 0;
        uintptr_t low = 0, high = 0;
        stack_of(id, &low, &high);
        uint32_t error = rt_thread_run(
            id, [](void* arg) { *static_cast<volatile uint32_t*>(arg) = 1; },
            const_cast<uint32_t*>(&flag), reinterpret_cast<void*>(high));
        bool ran = error == AXO_OK && wait_state(id, AXO_STATE_RECEIVING) && flag == 1;
        check(halted && ran,
              "%s: exchange_registers with a new eip and esp restarts the halted thread "
              "(error %u)",
              what, error);
    }
    cleanup();
}

} // namespace

void exception_tests() {
    for (const Case& c : kCases)
        handled(c);
    unhandled("undefined opcode without an exception handler", fault_undefined, true);
    unhandled("page fault at 0x10000000 with a nil pager", fault_unmapped, false);
    unhandled("page fault just below the 64 KiB initial stack", fault_below_stack, false);
    unhandled("write to the read-only KIP", fault_write_kip, false);
    check(rt_kip()->magic == AXO_KIP_MAGIC && rt_kip()->reserved != fault_pattern[0],
          "the KIP is unchanged after the write attempt");
    unhandled("write to the program's own read-only text", fault_write_text, false);
}

} // namespace kt

extern "C" void exc_recovered() {
    kt::send_done(kt::kRecovered);
    rt_park();
}
