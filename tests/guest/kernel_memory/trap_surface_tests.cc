// Ring-3 attacks on the trap and descriptor-table surface (kernel/README.md, "What user space
// can influence in a trap frame"): the LDT, virtual-8086 mode, every `int n`, every selector
// in every data segment register, far transfers through every GDT selector, and a thread
// resumed at an eip it cannot execute. A fault must be the thread's exception IPC, never the
// kernel's: a panic ends the run, and every later test with it.
#include "memory_harness.h"
#include "tests.h"

#include "interfaces/sigma0/protocol.h"

// trap_surface.S
extern "C" {
void trap_landing();
extern uint32_t trap_probe_esp, trap_target_cs, trap_ring0_marker;
uint32_t trap_load_ds(uint32_t), trap_load_es(uint32_t), trap_load_fs(uint32_t),
    trap_load_gs(uint32_t), trap_load_ss(uint32_t);
extern const char trap_load_ds_ip[], trap_load_es_ip[], trap_load_fs_ip[], trap_load_gs_ip[],
    trap_load_ss_ip[];
uint32_t trap_int(uint32_t n);
extern const char trap_int_table[];
uint32_t trap_icebp();
extern const char trap_icebp_ip[];
uint32_t trap_int3();
extern const char trap_int3_ip[];
uint32_t trap_far_call(const uint32_t pointer[2]);
uint32_t trap_far_jump(const uint32_t pointer[2]);
extern const char trap_far_call_ip[], trap_far_jump_ip[];
void trap_far_call_target();
void trap_far_jump_target();
uint32_t trap_lar(uint32_t selector);
uint32_t trap_sldt();
uint32_t trap_inb(uint32_t port), trap_inw(uint32_t port), trap_inl(uint32_t port);
extern const char trap_inw_ip[], trap_inl_ip[];
uint32_t trap_lsl(uint32_t selector);
uint32_t trap_verr(uint32_t selector);
uint32_t trap_verw(uint32_t selector);
uint32_t trap_iret_v86(uint32_t eflags, uint32_t cs, uint32_t ip);
extern const char trap_iret_v86_ip[];
uint32_t trap_call(uint32_t address);
extern const char trap_call_ip[];
void trap_ring0_function();
extern const char trap_fp_code_start[], trap_fp_code_end[], trap_fp_r_entry[], trap_fp_v_resume[],
    trap_fp_r_id[], trap_fp_v_id[], trap_fp_m_id[];
}

namespace kt {
namespace {

using sigma0::kSigma0AllocateAny;
using sigma0::kSigma0Ok;

constexpr uint32_t kGeneralProtection = 13, kPageFault = 14, kDebug = 1, kInvalidOpcode = 6;
constexpr uint32_t kUserCodeSelector = 0x07; // LDT entry 0
constexpr uint32_t kFlatLdtSelector = 0x40;  // the LDT of every large space
constexpr uint32_t kEflagsVm = 1u << 17, kEflagsIf = 1u << 9, kEflagsIopl3 = 3u << 12;

// The last exception the handler thread answered, and how many.
struct Record {
    uint32_t vector, error, eip, esp;
};
volatile uint32_t g_exceptions;
Record g_last;
// How many exceptions the handler answers without new registers (the thread resumes where
// it faulted) before it resumes the probe at trap_landing again.
volatile uint32_t g_bounces;
Record g_bounced[8];
axo_thread_id_t g_victim;

// The victim's exception handler: records each exception and resumes the probe at
// trap_landing with the esp the probe had at entry. Ends when a receive times out.
void exception_handler(void*) {
    axo_utcb_t* u = utcb();
    for (;;) {
        axo_ipc_receive(g_victim, axo_timeout_us(3000000));
        if (axo_tag_failed(u->mr[0]) || axo_tag_label(u->mr[0]) != AXO_LABEL_EXCEPTION) return;
        Record r{u->mr[AXO_EXC_VECTOR], u->mr[AXO_EXC_ERROR], u->mr[AXO_EXC_EIP],
                 u->mr[AXO_EXC_ESP]};
        uint32_t n = g_exceptions;
        if (g_bounces > 0) {
            if (n < 8) g_bounced[n] = r;
            g_bounces = g_bounces - 1;
            g_last = r;
            g_exceptions = n + 1;
            u->mr[0] = axo_msg_tag(0, 0, 0); // no registers: resume where it faulted
        } else {
            g_last = r;
            g_exceptions = n + 1;
            u->mr[0] = axo_msg_tag(0, 2, 0);
            u->mr[AXO_EXC_REPLY_EIP] = reinterpret_cast<uintptr_t>(&trap_landing);
            u->mr[AXO_EXC_REPLY_ESP] = trap_probe_esp;
        }
        axo_ipc_send(g_victim, axo_timeout_us(1000000));
    }
}

// Runs fn(arg) in a thread whose exception handler is exception_handler; true once it sent
// its done message.
bool run_probes(void (*fn)(void*), void* arg, uint32_t timeout_us = 20000000) {
    g_exceptions = 0;
    g_last = {};
    axo_thread_id_t handler = fresh_id();
    g_victim = fresh_id();
    bool started = create(handler, {.priority = 120}) == AXO_OK &&
                   create(g_victim, {.exception_handler = handler}) == AXO_OK &&
                   run(handler, exception_handler, nullptr) == AXO_OK &&
                   run(g_victim, fn, arg) == AXO_OK;
    bool done = started && wait_done(g_victim, nullptr, timeout_us);
    cleanup();
    return done;
}

bool faulted_with(uint32_t vector, uint32_t error, const char* ip) {
    return g_last.vector == vector && g_last.error == error &&
           g_last.eip == reinterpret_cast<uintptr_t>(ip);
}

// ---- The LDT ---------------------------------------------------------------------------------

struct LdtResult {
    bool page0_mapped;
    uint32_t sldt, lar, call, marker;
    bool fs_faulted, call_faulted;
    Record fs_fault, call_fault;
};

void ldt_probes(void* arg) {
    auto* r = static_cast<LdtResult*>(arg);
    r->sldt = trap_sldt();
    r->lar = trap_lar(0x17);
    r->fs_faulted = trap_load_fs(0x17) == 0;
    r->fs_fault = g_last;
    uint32_t pointer[2] = {0, 0x17};
    r->call = trap_far_call(pointer);
    r->call_faulted = r->call == 0;
    r->call_fault = g_last;
    r->marker = trap_ring0_marker;
    send_done(1);
}

// The LDT is the kernel's (kernel/arch/ia32/README.md): LDTR holds the flat LDT of large
// spaces, in kernel memory, with the user code and data segments and nothing beyond them.
// Nothing a process writes (here a DPL-3 call gate at linear 0, where the firmware's LDTR
// pointed) becomes a descriptor: the third LDT entry, selector 0x17, is past the table's limit.
void ldt_call_gate_is_refused() {
    static LdtResult r;
    r = {};
    trap_ring0_marker = 0;
    uint32_t log2 = 12;
    Sigma0Reply m = sigma0_call(kSigma0AllocateAny, 1, &log2, axo_fpage(0, 12, AXO_FPAGE_RWX));
    r.page0_mapped = m.status == kSigma0Ok && axo_tag_typed(m.tag) == 2;
    if (r.page0_mapped) {
        uint32_t target = reinterpret_cast<uintptr_t>(&trap_ring0_function);
        uint32_t gate[2] = {(0x08u << 16) | (target & 0xFFFF), (target & 0xFFFF0000u) | 0xEC00u};
        for (uint32_t entry = 0; entry < 3; ++entry) {
            try_write(entry * 8, gate[0]);
            try_write(entry * 8 + 4, gate[1]);
        }
    }
    diag("page 0 %s for the call gate", r.page0_mapped ? "mapped" : "not mapped (refused)");
    bool ran = run_probes(ldt_probes, &r);
    check(ran && r.sldt == kFlatLdtSelector, "ldt: LDTR holds the kernel's flat LDT (sldt %x)",
          r.sldt);
    check(ran && r.lar == 0xFFFFFFFFu, "ldt: lar 0x17 finds no descriptor (got %x)", r.lar);
    check(ran && r.fs_faulted && r.fs_fault.vector == kGeneralProtection &&
              r.fs_fault.error == 0x14,
          "ldt: loading selector 0x17 into fs is a #GP with error 0x14 for the thread (vector "
          "%u, error %x)",
          r.fs_fault.vector, r.fs_fault.error);
    check(ran && r.call_faulted && r.call_fault.vector == kGeneralProtection &&
              r.call_fault.error == 0x14 &&
              r.call_fault.eip == reinterpret_cast<uintptr_t>(trap_far_call_ip) && r.marker == 0,
          "ldt_call_gate_is_refused: a far call through 0x17 is a #GP of the thread and no "
          "ring-0 code runs (cs %x, vector %u, error %x, marker %x)",
          r.call, r.call_fault.vector, r.call_fault.error, r.marker);
    if (r.page0_mapped) {
        for (uint32_t word = 0; word < 6; ++word)
            try_write(word * 4, 0);
    }
}

// ---- What lar, lsl, verr and verw reveal ------------------------------------------------------

// From ring 3 they see exactly the three DPL-3 segments: user code (LDT entry 0, readable,
// not writable), user data (LDT entry 1) and the UTCB segment (GDT entry 6, both), with the
// documented limits; nothing of the kernel's descriptors, the TSS or the LDT descriptors of
// the GDT (entries 8 on, one per small-space block, then the end of the GDT).
void descriptor_queries_see_only_user_segments() {
    constexpr uint32_t kPastGdt = (9 + 128 + 2) * 8;
    uint32_t wrong = 0, first = 0;
    for (uint32_t selector = 0; selector < kPastGdt; ++selector) {
        uint32_t index = selector >> 3;
        bool ldt = (selector & 4) != 0;
        bool user = ldt ? index == 0 || index == 1 : index == 6;
        bool code = ldt && index == 0;
        uint32_t lar = trap_lar(selector), lsl = trap_lsl(selector);
        bool readable = trap_verr(selector) == 1, writable = trap_verw(selector) == 1;
        uint32_t limit = ldt ? 0xBFFFFFFFu : 511u;
        bool right = user ? ((lar >> 13) & 3) == 3 && lsl == limit && readable && writable == !code
                          : lar == 0xFFFFFFFFu && lsl == 0xFFFFFFFFu && !readable && !writable;
        if (!right && wrong++ == 0) first = selector;
    }
    check(wrong == 0,
          "lar, lsl, verr, verw from ring 3 see only the user code, user data and UTCB segments "
          "(%u wrong, first %x: lar %x lsl %x)",
          wrong, first, trap_lar(first), trap_lsl(first));
}

// ---- The end of the I/O permission bitmap ------------------------------------------------------

struct PortEnd {
    bool inb, inw, inl;
    Record inw_fault, inl_fault;
};

void port_end_probes(void* arg) {
    auto* r = static_cast<PortEnd*>(arg);
    r->inb = trap_inb(0xFFFF) == 1;
    r->inw = trap_inw(0xFFFF) == 1;
    r->inw_fault = g_last;
    r->inl = trap_inl(0xFFFD) == 1;
    r->inl_fault = g_last;
    send_done(1);
}

// With the last ports mapped, an access that reaches past port 0xFFFF reads the byte after
// the bitmap, which must be 0xFF: inb 0xFFFF works, inw 0xFFFF and inl 0xFFFD are a #GP.
void io_bitmap_ends_with_a_deny_byte() {
    if (!sigma0_ports(0xFFF8, 3)) {
        check(false, "io bitmap end: sigma0 gave no ports 0xFFF8..0xFFFF");
        return;
    }
    static PortEnd r;
    r = {};
    bool ran = run_probes(port_end_probes, &r);
    check(ran && r.inb && !r.inw && !r.inl && r.inw_fault.vector == kGeneralProtection &&
              r.inw_fault.eip == reinterpret_cast<uintptr_t>(trap_inw_ip) &&
              r.inl_fault.vector == kGeneralProtection &&
              r.inl_fault.eip == reinterpret_cast<uintptr_t>(trap_inl_ip),
          "with ports 0xFFF8..0xFFFF mapped, inb 0xFFFF works and inw 0xFFFF, inl 0xFFFD (past "
          "the last port) are a #GP (inb %d inw %d inl %d)",
          r.inb, r.inw, r.inl);
    utcb()->mr[0] = axo_io_fpage(0xFFF8, 3);
    axo_unmap(AXO_UNMAP_FLUSH_OWN);
}

// ---- Every selector in every data segment register -----------------------------------------

struct SelectorResult {
    uint32_t wrong[5];     // per register: selectors that did not behave as documented
    uint32_t first_bad[5]; // the first of them
    Record first_fault[5];
};

using LoadProbe = uint32_t (*)(uint32_t);
const LoadProbe kLoads[5] = {trap_load_ds, trap_load_es, trap_load_fs, trap_load_gs, trap_load_ss};
const char* const kLoadIps[5] = {trap_load_ds_ip, trap_load_es_ip, trap_load_fs_ip, trap_load_gs_ip,
                                 trap_load_ss_ip};
const char* const kRegisterNames[5] = {"ds", "es", "fs", "gs", "ss"};

// The documented descriptors (kernel/arch/ia32/README.md): user code 0x07 and user data 0x0F
// (the LDT's two entries), the UTCB segment 0x33 (GDT) are the only DPL-3 descriptors.
// ds/es/fs/gs take null and those three at any RPL; ss takes only the writable ones, at RPL 3.
bool load_works(uint32_t reg, uint32_t selector) {
    uint32_t index = selector >> 3;
    bool ldt = (selector & 4) != 0;
    bool data = ldt ? index == 1 : index == 6;
    bool code = ldt && index == 0;
    if (reg == 4) return (selector & 3) == 3 && data;
    return (!ldt && index == 0) || data || code;
}

void selector_probes(void* arg) {
    auto* r = static_cast<SelectorResult*>(arg);
    for (uint32_t reg = 0; reg < 5; ++reg) {
        for (uint32_t selector = 0; selector <= 0xFFFF; ++selector) {
            uint32_t before = g_exceptions;
            bool worked = kLoads[reg](selector) == 1;
            bool expected = load_works(reg, selector);
            bool right =
                worked == expected &&
                (worked ? g_exceptions == before
                        : g_exceptions == before + 1 &&
                              faulted_with(kGeneralProtection, selector & 0xFFFC, kLoadIps[reg]));
            if (!right && r->wrong[reg]++ == 0) {
                r->first_bad[reg] = selector;
                r->first_fault[reg] = g_last;
            }
        }
    }
    send_done(1);
}

void every_selector_loads_or_faults() {
    static SelectorResult r;
    r = {};
    bool ran = run_probes(selector_probes, &r, 120000000);
    for (uint32_t reg = 0; reg < 5; ++reg) {
        check(ran && r.wrong[reg] == 0,
              "every selector 0..0xFFFF in %s loads as documented or is a #GP of the thread "
              "(%u wrong, first %x: vector %u error %x eip %x)",
              kRegisterNames[reg], r.wrong[reg], r.first_bad[reg], r.first_fault[reg].vector,
              r.first_fault[reg].error, r.first_fault[reg].eip);
    }
}

// ---- int n, int3, icebp ------------------------------------------------------------------------

struct IntResult {
    uint32_t wrong, first_bad;
    Record first_fault;
    bool int3_right, icebp_right;
    Record int3, icebp;
};

void int_probes(void* arg) {
    auto* r = static_cast<IntResult*>(arg);
    for (uint32_t n = 0; n < 256; ++n) {
        if (n == AXO_SYSCALL_VECTOR) continue; // the system call itself
        uint32_t before = g_exceptions;
        bool worked = trap_int(n) == 1;
        // Only the system-call gate has DPL 3: any other `int n` is a #GP with the IDT
        // error code (n << 3 | 2), at the int itself.
        bool right = !worked && g_exceptions == before + 1 &&
                     faulted_with(kGeneralProtection, (n << 3) | 2, trap_int_table + 8 * n);
        if (!right && r->wrong++ == 0) {
            r->first_bad = n;
            r->first_fault = g_last;
        }
    }
    r->int3_right =
        trap_int3() == 0 && faulted_with(kGeneralProtection, (3u << 3) | 2, trap_int3_ip);
    r->int3 = g_last;
    // INT1 is delivered through vector 1's gate whatever its DPL (a #DB trap after it); a CPU
    // model without it (QEMU's default) raises #UD at it instead.
    uintptr_t icebp = reinterpret_cast<uintptr_t>(trap_icebp_ip);
    r->icebp_right =
        trap_icebp() == 0 &&
        ((g_last.vector == kDebug && (g_last.eip == icebp + 1 || g_last.eip == icebp)) ||
         (g_last.vector == kInvalidOpcode && g_last.eip == icebp));
    r->icebp = g_last;
    send_done(1);
}

void every_int_vector_is_the_syscall_or_faults() {
    static IntResult r;
    r = {};
    bool ran = run_probes(int_probes, &r);
    check(ran && r.wrong == 0,
          "every int n from ring 3 but the system call is a #GP(n*8+2) of the thread (%u wrong, "
          "first int %u: vector %u error %x)",
          r.wrong, r.first_bad, r.first_fault.vector, r.first_fault.error);
    check(ran && r.int3_right, "int3 from ring 3 is a #GP of the thread (vector %u error %x)",
          r.int3.vector, r.int3.error);
    check(ran && r.icebp_right,
          "icebp from ring 3 is a #DB (or #UD) of the thread (vector %u eip %x)", r.icebp.vector,
          r.icebp.eip);
}

// ---- Far calls and jumps through every GDT selector
// ----------------------------------------------

struct FarResult {
    uint32_t wrong, first_bad, first_cs;
    Record first_fault;
};

void far_probes(void* arg) {
    auto* r = static_cast<FarResult*>(arg);
    for (uint32_t selector = 0; selector < 0x50; ++selector) {
        for (uint32_t jump = 0; jump < 2; ++jump) {
            trap_target_cs = 0;
            uint32_t before = g_exceptions;
            uint32_t pointer[2] = {
                reinterpret_cast<uintptr_t>(jump ? &trap_far_jump_target : &trap_far_call_target),
                selector};
            uint32_t cs = jump ? trap_far_jump(pointer) : trap_far_call(pointer);
            // Only the user code segment (LDT entry 0) takes a far transfer, and at ring 3;
            // anything else (kernel code, data, the TSS, null, the LDT descriptors, the LDT's
            // data segment and beyond) is a #GP.
            bool right = (selector >> 3) == 0 && (selector & 4) != 0
                             ? cs == kUserCodeSelector && trap_target_cs == kUserCodeSelector
                             : cs == 0 && trap_target_cs == 0 && g_exceptions == before + 1 &&
                                   g_last.vector == kGeneralProtection &&
                                   g_last.eip == reinterpret_cast<uintptr_t>(
                                                     jump ? trap_far_jump_ip : trap_far_call_ip);
            if (!right && r->wrong++ == 0) {
                r->first_bad = selector | (jump << 16);
                r->first_cs = cs;
                r->first_fault = g_last;
            }
        }
    }
    send_done(1);
}

void far_transfers_stay_at_ring3() {
    static FarResult r;
    r = {};
    bool ran = run_probes(far_probes, &r);
    check(ran && r.wrong == 0,
          "far calls and jumps through every GDT and LDT selector fail with #GP or land in the "
          "user code segment at ring 3 (%u wrong, first %x: cs %x vector %u error %x)",
          r.wrong, r.first_bad, r.first_cs, r.first_fault.vector, r.first_fault.error);
}

// ---- Virtual-8086 mode
// -------------------------------------------------------------------------------

struct V86Result {
    uint32_t returned;
    Record fault;
    uint32_t exceptions;
};

struct V86Case {
    const char* name;
    uint32_t eflags, cs, ip;
    uint32_t v86_ip; // where QEMU's v86 mode faults (Bochs faults at the iret)
};

struct V86Probe {
    V86Case c;
    V86Result r;
};

void v86_probe(void* arg) {
    auto* p = static_cast<V86Probe*>(arg);
    p->r.returned = trap_iret_v86(p->c.eflags, p->c.cs, p->c.ip);
    p->r.fault = g_last;
    p->r.exceptions = g_exceptions;
    send_done(1);
}

void iret_to_v86_is_an_exception() {
    // A page at 0x8000 with `int $0x30` for the second case: with IOPL 3 in the image, QEMU's
    // v86 mode reaches the system-call gate.
    uint32_t log2 = 12;
    Sigma0Reply m = sigma0_call(kSigma0AllocateAny, 1, &log2, axo_fpage(0x8000, 12, AXO_FPAGE_RWX));
    bool page = m.status == kSigma0Ok && axo_tag_typed(m.tag) == 2;
    if (page) try_write(0x8000, 0x000030CDu);
    static V86Probe cases[2];
    cases[0] = {{"iret with VM set", kEflagsVm | kEflagsIf | 2, 0, 0x07, 0x07}, {}};
    cases[1] = {{"iret with VM and IOPL 3 into int $0x30", kEflagsVm | kEflagsIopl3 | kEflagsIf | 2,
                 0x800, 0, 2},
                {}};
    for (auto& k : cases) {
        if (&k == &cases[1] && !page) {
            diag("no page at 0x8000: %s skipped", k.c.name);
            continue;
        }
        bool ran = run_probes(v86_probe, &k);
        const Record& f = k.r.fault;
        bool at_iret = f.eip == reinterpret_cast<uintptr_t>(trap_iret_v86_ip);
        check(ran && k.r.returned == 0 && k.r.exceptions == 1 && f.vector == kGeneralProtection &&
                  (at_iret || f.eip == k.c.v86_ip),
              "%s: the kernel carries on and the thread gets one #GP exception IPC, at the iret "
              "or in v86 mode (%u exceptions, vector %u error %x eip %x)",
              k.c.name, k.r.exceptions, f.vector, f.error, f.eip);
    }
}

// ---- Resuming at an eip the thread cannot execute
// -------------------------------------------------

constexpr uint32_t kBeyondLargeSpace = 0xC0000000u;
constexpr uint32_t kBounces = 3;

struct EndResult {
    uint32_t returned;
};

// Jumps to the first address beyond a large space: QEMU ignores the code segment's limit and
// page-faults at 0xC0000000, Bochs (and the Pentium) #GP at the call.
void call_beyond_the_space(void* arg) {
    static_cast<EndResult*>(arg)->returned = trap_call(kBeyondLargeSpace);
    send_done(1);
}

bool unexecutable(const Record& r) {
    return (r.vector == kGeneralProtection || r.vector == kPageFault) &&
           (r.eip == kBeyondLargeSpace || r.eip == reinterpret_cast<uintptr_t>(trap_call_ip));
}

void exception_reply_at_unexecutable_eip() {
    static EndResult r;
    r = {};
    for (auto& b : g_bounced)
        b = {};
    g_bounces = kBounces;
    bool ran = run_probes(call_beyond_the_space, &r);
    bool every = true;
    for (uint32_t i = 0; i < kBounces; ++i)
        every = every && unexecutable(g_bounced[i]);
    check(ran && every && g_exceptions == kBounces + 1 && r.returned == 0,
          "a thread at eip 0xC0000000 resumed there by exception replies without registers "
          "gets an exception IPC each time (%u exceptions; vector %u %u %u, eip %x)",
          g_exceptions, g_bounced[0].vector, g_bounced[1].vector, g_bounced[2].vector,
          g_bounced[1].eip);
}

// Resumes a halted thread with RESUME alone `kBounces` times; true if it halted again each
// time at `eip` (as exchange_registers reports it).
bool resumed_halts_again(axo_thread_id_t id, uint32_t eip, uint32_t* seen) {
    bool every = wait_state(id, AXO_STATE_HALTED);
    for (uint32_t i = 0; every && i < kBounces; ++i) {
        axo_exreg_t io = {};
        io.control = AXO_EXREG_RESUME;
        every = axo_exchange_registers(id, &io) == AXO_OK;
        *seen = io.ip;
        every = every && io.ip == eip;
        sleep_us(20000);
        every = every && wait_state(id, AXO_STATE_HALTED);
    }
    return every;
}

void exchange_registers_resume_at_unexecutable_eip() {
    static EndResult r;
    r = {};
    // No exception handler: the thread halts at each fault; RESUME alone sends it back there.
    axo_thread_id_t id = spawn(call_beyond_the_space, &r);
    uint32_t eip = 0;
    bool every = id != AXO_NIL_THREAD && wait_state(id, AXO_STATE_HALTED);
    axo_exreg_t first = {};
    axo_exchange_registers(id, &first);
    every = every && resumed_halts_again(id, first.ip, &eip) &&
            (eip == kBeyondLargeSpace || eip == reinterpret_cast<uintptr_t>(trap_call_ip));
    axo_exreg_t io = {};
    io.control = AXO_EXREG_SET_IP | AXO_EXREG_SET_SP | AXO_EXREG_RESUME;
    io.ip = reinterpret_cast<uintptr_t>(&trap_landing);
    io.sp = trap_probe_esp;
    bool restarted = every && axo_exchange_registers(id, &io) == AXO_OK && wait_done(id);
    check(every && restarted && r.returned == 0,
          "a halted thread at eip 0xC0000000 resumed by exchange_registers faults again each "
          "time, the kernel carries on, and a valid eip restarts it (eip %x)",
          eip);
    cleanup();
}

// A thread of a new space held at a fault at eip 0x30000000 while its space becomes small
// (4 MiB): resuming it there is an eip beyond its code segment's limit, which the kernel's
// iret would fault on under Bochs and the Pentium.
constexpr uint32_t kFarEip = 0x30000000u;
constexpr uint32_t kSmallUtcb = 0x00300000u;
volatile bool g_space_small;

void small_space_handler(void*) {
    axo_utcb_t* u = utcb();
    for (uint32_t n = 0; n <= kBounces; ++n) {
        axo_ipc_receive(g_victim, axo_timeout_us(3000000));
        if (axo_tag_failed(u->mr[0]) || axo_tag_label(u->mr[0]) != AXO_LABEL_EXCEPTION) break;
        g_bounced[n] = {u->mr[AXO_EXC_VECTOR], u->mr[AXO_EXC_ERROR], u->mr[AXO_EXC_EIP],
                        u->mr[AXO_EXC_ESP]};
        g_exceptions = n + 1;
        if (n == kBounces) break; // the last one stays unanswered: the test deletes the thread
        while (!g_space_small)
            sleep_us(1000);
        u->mr[0] = axo_msg_tag(0, 0, 0); // no registers: resume where it faulted
        axo_ipc_send(g_victim, axo_timeout_us(1000000));
    }
    send_done(1);
}

void resume_beyond_small_space_limit(bool by_reply) {
    const char* how = by_reply ? "an exception reply" : "exchange_registers";
    if (!small_spaces_on()) {
        diag("small spaces are off: resume beyond a small space's limit by %s skipped", how);
        return;
    }
    g_space_small = false;
    g_exceptions = 0;
    for (auto& b : g_bounced)
        b = {};
    axo_thread_id_t handler = AXO_NIL_THREAD;
    if (by_reply) {
        handler = fresh_id();
        if (create(handler, {.priority = 120}) != AXO_OK) handler = AXO_NIL_THREAD;
    }
    g_victim = fresh_id();
    uint32_t error =
        axo_thread_control(g_victim, g_victim, g_root, AXO_NIL_THREAD, kSmallUtcb, handler);
    if (by_reply && error == AXO_OK) run(handler, small_space_handler, nullptr);
    axo_exreg_t io = {};
    io.control = AXO_EXREG_SET_IP | AXO_EXREG_SET_SP | AXO_EXREG_RESUME;
    io.ip = kFarEip;
    io.sp = kSmallUtcb;
    bool started = error == AXO_OK && axo_exchange_registers(g_victim, &io) == AXO_OK;
    // Held at its first fault (a page fault at 0x30000000 with no pager), it is made small.
    bool held = started && (by_reply ? [] {
        for (uint32_t i = 0; i < 200 && g_exceptions == 0; ++i) sleep_us(5000);
        return g_exceptions == 1;
    }()
                                     : wait_state(g_victim, AXO_STATE_HALTED));
    uint32_t blocks = 0;
    bool small = held &&
                 axo_space_control(g_victim, AXO_SPACE_SMALL, 1, &blocks, nullptr) == AXO_OK &&
                 blocks == 1;
    g_space_small = small;
    bool every = small;
    uint32_t eip = 0;
    if (by_reply) {
        every = every && wait_done(handler, nullptr, 3000000) && g_exceptions == kBounces + 1;
        for (uint32_t i = 1; i <= kBounces; ++i)
            every =
                every && g_bounced[i].vector == kGeneralProtection && g_bounced[i].eip == kFarEip;
        eip = g_bounced[1].eip;
    } else {
        every = every && resumed_halts_again(g_victim, kFarEip, &eip);
    }
    check(every,
          "a thread of a small space resumed by %s at an eip beyond its segment limit gets a "
          "#GP each time and the kernel carries on (held %d, small %d, %u exceptions, vector %u, "
          "eip %x)",
          how, held, small, g_exceptions, g_bounced[1].vector, eip);
    if (error == AXO_OK) rt_thread_delete(g_victim);
    cleanup();
}

// A thread blocked in the IPC fast path whose eip became invalid (its space made small under
// it), then resumed: by an abort (the general path switches to it: ia32_ipc_fast_resumed) or
// by its partner's reply through the fast path, which irets straight into its user mode —
// the iret faults on Bochs and is recovered as the thread's exception (recover_user_return).
constexpr uint32_t kCodeAddress = 0x30000000u;

void fast_path_handler(void*) {
    axo_utcb_t* u = utcb();
    for (uint32_t n = 0; n < 2; ++n) {
        axo_ipc_receive(g_victim, axo_timeout_us(3000000));
        if (axo_tag_failed(u->mr[0]) || axo_tag_label(u->mr[0]) != AXO_LABEL_EXCEPTION) break;
        g_bounced[n] = {u->mr[AXO_EXC_VECTOR], u->mr[AXO_EXC_ERROR], u->mr[AXO_EXC_EIP],
                        u->mr[AXO_EXC_ESP]};
        g_exceptions = n + 1;
        if (n == 1) break; // the second stays unanswered: the test deletes the thread
        u->mr[0] = axo_msg_tag(0, 0, 0);
        axo_ipc_send(g_victim, axo_timeout_us(1000000));
    }
    send_done(1);
}

void fast_path_resume_beyond_small_space_limit(bool by_partner) {
    const char* how = by_partner ? "its partner's fast-path reply" : "an abort";
    if (!small_spaces_on()) {
        diag("small spaces are off: a fast-path thread resumed by %s skipped", how);
        return;
    }
    if (by_partner && (rt_kip()->api_flags & AXO_KIP_SMALL_SPACES_FORCED)) {
        // The fast path's iret is the CPU's check; QEMU makes none (small spaces are no
        // isolation there).
        diag("segment limits not enforced: a fast-path thread resumed by %s skipped", how);
        return;
    }
    uint32_t v_code = sigma0_memory(), r_code = sigma0_memory();
    if (v_code == 0 || r_code == 0) return;
    uint32_t size = static_cast<uint32_t>(trap_fp_code_end - trap_fp_code_start);
    auto offset = [](const char* label) {
        return static_cast<uint32_t>(label - trap_fp_code_start);
    };
    g_exceptions = 0;
    for (auto& b : g_bounced)
        b = {};
    axo_thread_id_t handler = fresh_id();
    axo_thread_id_t r = fresh_id();
    g_victim = fresh_id();
    const uint32_t pages[2] = {v_code, r_code};
    for (uint32_t page : pages) {
        auto* bytes = reinterpret_cast<uint8_t*>(page);
        for (uint32_t i = 0; i < size; ++i)
            bytes[i] = static_cast<uint8_t>(trap_fp_code_start[i]);
        __builtin_memcpy(bytes + offset(trap_fp_r_id), &r, 4);
        __builtin_memcpy(bytes + offset(trap_fp_v_id), &g_victim, 4);
        __builtin_memcpy(bytes + offset(trap_fp_m_id), &g_root, 4);
    }
    pager_map(g_victim, kCodeAddress, v_code, AXO_FPAGE_R | AXO_FPAGE_X, 0);
    pager_map(r, kCodeAddress, r_code, AXO_FPAGE_R | AXO_FPAGE_X, 0);

    bool made =
        create(handler, {.priority = 120}) == AXO_OK &&
        axo_thread_control(g_victim, g_victim, g_root, supervisor(), kSmallUtcb, handler) == AXO_OK;
    bool r_made =
        made && axo_thread_control(r, r, g_root, supervisor(), kSmallUtcb, handler) == AXO_OK;
    auto start = [](axo_thread_id_t id, uint32_t ip) {
        axo_exreg_t io = {};
        io.control = AXO_EXREG_SET_IP | AXO_EXREG_SET_SP | AXO_EXREG_RESUME;
        io.ip = ip;
        io.sp = kSmallUtcb;
        return axo_exchange_registers(id, &io) == AXO_OK;
    };
    bool blocked = r_made && run(handler, fast_path_handler, nullptr) == AXO_OK &&
                   start(r, kCodeAddress + offset(trap_fp_r_entry)) &&
                   wait_state(r, AXO_STATE_RECEIVING) && start(g_victim, kCodeAddress) &&
                   wait_state(g_victim, AXO_STATE_RECEIVING);
    sleep_us(10000);
    // V's code page goes (flushed from the root page it was mapped from), its space becomes
    // small, and V is resumed at its eip after the int, now beyond 4 MiB.
    utcb()->mr[0] = axo_fpage(v_code, 12, AXO_FPAGE_RWX);
    bool flushed = blocked && axo_unmap(0) == AXO_OK;
    uint32_t blocks = 0;
    bool small = flushed &&
                 axo_space_control(g_victim, AXO_SPACE_SMALL, 1, &blocks, nullptr) == AXO_OK &&
                 blocks == 1;
    bool resumed = false;
    if (small && by_partner) {
        utcb()->mr[0] = axo_msg_tag(0, 0, 0);
        resumed = !axo_tag_failed(axo_ipc_send(r, axo_timeout_us(1000000)));
    } else if (small) {
        axo_exreg_t io = {};
        io.control = AXO_EXREG_ABORT_RECEIVE;
        resumed = axo_exchange_registers(g_victim, &io) == AXO_OK;
    }
    bool handled = resumed && wait_done(handler, nullptr, 3000000);
    uint32_t resume = kCodeAddress + offset(trap_fp_v_resume);
    bool every = handled && g_exceptions == 2;
    for (uint32_t i = 0; i < 2; ++i)
        every = every && g_bounced[i].eip == resume && g_bounced[i].vector == kGeneralProtection;
    check(every,
          "a thread blocked in the IPC fast path and resumed by %s at an eip beyond its small "
          "space's limit gets a #GP each time, never a kernel fault (blocked %d, small %d, %u "
          "exceptions: vector %u eip %x, vector %u)",
          how, blocked, small, g_exceptions, g_bounced[0].vector, g_bounced[0].eip,
          g_bounced[1].vector);
    if (r_made) rt_thread_delete(r);
    if (made) rt_thread_delete(g_victim);
    pager_forget(r);
    pager_forget(g_victim);
    cleanup();
}

} // namespace

void trap_surface_tests() {
    ldt_call_gate_is_refused();
    descriptor_queries_see_only_user_segments();
    io_bitmap_ends_with_a_deny_byte();
    every_int_vector_is_the_syscall_or_faults();
    far_transfers_stay_at_ring3();
    every_selector_loads_or_faults();
    exchange_registers_resume_at_unexecutable_eip();
    exception_reply_at_unexecutable_eip();
    resume_beyond_small_space_limit(true);
    resume_beyond_small_space_limit(false);
    fast_path_resume_beyond_small_space_limit(false);
    fast_path_resume_beyond_small_space_limit(true);
    iret_to_v86_is_an_exception();
}

} // namespace kt
