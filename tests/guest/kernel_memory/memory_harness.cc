#include "memory_harness.h"

// probes.S and agent.S
extern "C" {
uint32_t probe_read(uint32_t address, uint32_t* value);
uint32_t probe_write(uint32_t address, uint32_t value);
uint32_t probe_inb(uint32_t port, uint8_t* value);
uint32_t probe_outb(uint32_t port, uint32_t value);
extern const char probe_read_ip[], probe_read_resume[], probe_write_ip[], probe_write_resume[],
    probe_inb_ip[], probe_inb_resume[], probe_outb_ip[], probe_outb_resume[];
extern const char agent_code_end[], agent_faulted[];
}

namespace kt {

namespace {

using namespace sigma0;

// Above every test thread, so a fault is answered before its thread's test goes on.
constexpr uint32_t kSupervisorPriority = 150;
// The root task's receive windows: far from its image (0x00400000), its UTCBs (0xB0000000)
// and its stack, and below what the tests probe as never mapped.
constexpr uint32_t kWindowBase = 0x20000000;
constexpr uint32_t kWindowEnd = 0x80000000;
constexpr uint32_t kLabelItem = 0xB1;
constexpr uint32_t kSigma0TimeoutUs = 1000000;
// An entry answering more often than this is in a fault loop (the kernel does not install
// what the pager maps): the fault is held instead, so the run goes on.
constexpr uint32_t kMaxAnswers = 8;

struct PagerEntry {
    axo_thread_id_t thread;
    uint32_t page;
    uint32_t root_page;
    uint32_t read_rights, write_rights;
    uint32_t answers;
    bool used;
};
constexpr uint32_t kPagerEntries = 128;
PagerEntry g_entries[kPagerEntries];

// Written by the supervisor only, read by the main thread after an IPC (a compiler barrier).
constexpr uint32_t kRecords = 64;
FaultRecord g_faults[kRecords];
uint32_t g_fault_count;
ExceptionRecord g_exceptions[kRecords];
uint32_t g_exception_count;
ProbeFault g_probe_fault;

axo_thread_id_t g_supervisor;
alignas(16) uint8_t g_supervisor_stack[8192];
uint32_t g_agent_code; // the page with the agents' code, in the root task's space
uint32_t g_next_window = kWindowBase;

struct ProbeSite {
    const char* ip;
    const char* resume;
};
const ProbeSite g_probe_sites[] = {{probe_read_ip, probe_read_resume},
                                   {probe_write_ip, probe_write_resume},
                                   {probe_inb_ip, probe_inb_resume},
                                   {probe_outb_ip, probe_outb_resume}};

uint32_t address_of(const void* p) {
    return reinterpret_cast<uintptr_t>(p);
}
uint32_t agent_size() {
    return address_of(agent_code_end) - address_of(agent_code_start);
}

PagerEntry* find_entry(axo_thread_id_t thread, uint32_t page) {
    for (PagerEntry& e : g_entries)
        if (e.used && e.thread == thread && e.page == page) return &e;
    return nullptr;
}

// Builds the answer to a page fault in the UTCB; false to hold the fault.
bool page_fault(axo_thread_id_t from, axo_utcb_t* u) {
    axo_msg_tag_t tag = u->mr[0];
    uint32_t address = u->mr[1];
    bool write = (axo_tag_label(tag) & AXO_FPAGE_W) != 0;
    PagerEntry* e = find_entry(from, address & ~(kPage - 1));
    uint32_t rights = e ? (write ? e->write_rights : e->read_rights) : 0;
    bool answer = rights != 0 && e->answers < kMaxAnswers;
    if (rights != 0 && !answer)
        diag("supervisor: thread %u.%u faults at %x again and again: held", axo_thread_number(from),
             axo_thread_version(from), address);
    g_faults[g_fault_count % kRecords] = {from, tag, address, u->mr[2], answer};
    ++g_fault_count;
    if (!answer) return false;
    ++e->answers;
    u->mr[0] = axo_msg_tag(0, 0, 2);
    u->mr[1] = axo_map_item_word0(address, 0);
    u->mr[2] = axo_fpage(e->root_page, 12, rights);
    return true;
}

// Builds the answer to an exception in the UTCB; false to hold it.
bool exception(axo_thread_id_t from, axo_utcb_t* u) {
    uint32_t words[AXO_EXC_WORDS + 1];
    for (uint32_t i = 1; i <= AXO_EXC_WORDS; ++i)
        words[i] = u->mr[i];
    uint32_t eip = words[AXO_EXC_EIP];
    if (from == g_root) {
        for (const ProbeSite& site : g_probe_sites) {
            if (eip != address_of(site.ip)) continue;
            g_probe_fault = {words[AXO_EXC_VECTOR], words[AXO_EXC_ERROR], words[AXO_EXC_ADDRESS]};
            // Resume at the probe's return with eax = 1, every other register as it was.
            u->mr[0] = axo_msg_tag(0, AXO_EXC_REPLY_GPRS + 6, 0);
            u->mr[AXO_EXC_REPLY_EIP] = address_of(site.resume);
            u->mr[AXO_EXC_REPLY_ESP] = words[AXO_EXC_ESP];
            u->mr[AXO_EXC_REPLY_EFLAGS] = words[AXO_EXC_EFLAGS];
            u->mr[AXO_EXC_REPLY_GPRS + 0] = 1;
            for (uint32_t i = 1; i < 7; ++i)
                u->mr[AXO_EXC_REPLY_GPRS + i] = words[AXO_EXC_EAX + i];
            return true;
        }
        // The main thread cannot go on: end the run with the reason instead of a timeout.
        rt_printf("Bail out! the root task faulted outside a probe: vector %u, error %x, "
                  "eip %x, address %x\n",
                  words[AXO_EXC_VECTOR], words[AXO_EXC_ERROR], eip, words[AXO_EXC_ADDRESS]);
        axo_debug_shutdown(1);
        return false;
    }
    if (eip >= AGENT_CODE && eip < AGENT_CODE + agent_size()) {
        g_exceptions[g_exception_count % kRecords] = {
            from, words[AXO_EXC_VECTOR], words[AXO_EXC_ERROR], eip, words[AXO_EXC_ADDRESS]};
        ++g_exception_count;
        u->mr[0] = axo_msg_tag(0, 2, 0);
        u->mr[AXO_EXC_REPLY_EIP] =
            AGENT_CODE + (address_of(agent_faulted) - address_of(agent_code_start));
        u->mr[AXO_EXC_REPLY_ESP] = words[AXO_EXC_ESP];
        return true;
    }
    diag("supervisor: exception %u of thread %u.%u at eip %x (address %x): held",
         words[AXO_EXC_VECTOR], axo_thread_number(from), axo_thread_version(from), eip,
         words[AXO_EXC_ADDRESS]);
    return false;
}

void supervise(void*) {
    axo_utcb_t* u = utcb();
    u->br[0] = AXO_FPAGE_NIL;
    axo_thread_id_t from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
    for (;;) {
        bool reply = false;
        axo_msg_tag_t tag = u->mr[0];
        if (!axo_tag_failed(tag)) {
            uint32_t label = axo_tag_label(tag);
            if ((label & ~AXO_FPAGE_RWX) == AXO_LABEL_PAGE_FAULT && axo_tag_untyped(tag) == 2 &&
                axo_tag_typed(tag) == 0)
                reply = page_fault(from, u);
            else if (label == AXO_LABEL_EXCEPTION && axo_tag_untyped(tag) == AXO_EXC_WORDS)
                reply = exception(from, u);
            else
                diag("supervisor: ignored a message (tag %x) from %u.%u", tag,
                     axo_thread_number(from), axo_thread_version(from));
        }
        from = reply ? axo_ipc_reply_wait(from, AXO_TIMEOUT_NEVER)
                     : axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
    }
}

} // namespace

// ---- Setup -------------------------------------------------------------------------------------

bool memory_harness_start() {
    g_supervisor = fresh_id();
    uint32_t error = rt_thread_create(g_supervisor, fresh_utcb(), AXO_NIL_THREAD);
    if (error == AXO_OK)
        error = axo_schedule(g_supervisor, kSupervisorPriority, 0, nullptr, nullptr);
    if (error == AXO_OK)
        error = rt_thread_run(g_supervisor, supervise, nullptr,
                              g_supervisor_stack + sizeof g_supervisor_stack);
    if (error == AXO_OK)
        error = axo_thread_control(g_root, g_root, AXO_NIL_THREAD, AXO_NIL_THREAD, 0, g_supervisor);
    if (error != AXO_OK) {
        diag("the supervisor thread could not be started: error %u", error);
        return false;
    }
    g_agent_code = sigma0_memory();
    if (g_agent_code == 0) return false;
    if (agent_size() > kPage) {
        diag("the agent is %u bytes, more than a page", agent_size());
        return false;
    }
    memcpy(reinterpret_cast<void*>(g_agent_code), agent_code_start, agent_size());
    return true;
}

// ---- Probes ------------------------------------------------------------------------------------

bool try_read(uint32_t address, uint32_t* value) {
    uint32_t v = 0;
    bool worked = probe_read(address, &v) == 0;
    if (value) *value = worked ? v : 0;
    return worked;
}
bool try_write(uint32_t address, uint32_t value) {
    return probe_write(address, value) == 0;
}
bool try_inb(uint32_t port, uint8_t* value) {
    uint8_t v = 0;
    bool worked = probe_inb(port, &v) == 0;
    if (value) *value = v;
    return worked;
}
bool try_outb(uint32_t port, uint8_t value) {
    return probe_outb(port, value) == 0;
}
ProbeFault last_probe_fault() {
    return g_probe_fault;
}

// ---- Supervisor ----------------------------------------------------------------------------

axo_thread_id_t supervisor() {
    return g_supervisor;
}

void pager_map(axo_thread_id_t thread, uint32_t address, uint32_t root_page, uint32_t read_rights,
               uint32_t write_rights) {
    uint32_t page = address & ~(kPage - 1);
    PagerEntry* e = find_entry(thread, page);
    for (uint32_t i = 0; !e && i < kPagerEntries; ++i)
        if (!g_entries[i].used) e = &g_entries[i];
    if (!e) {
        diag("harness: more than %u pager entries", kPagerEntries);
        return;
    }
    *e = {thread, page, root_page, read_rights, write_rights, 0, true};
}

void pager_forget(axo_thread_id_t thread) {
    for (PagerEntry& e : g_entries)
        if (e.thread == thread) e.used = false;
}

uint32_t fault_mark() {
    return g_fault_count;
}

uint32_t faults_of(uint32_t mark, axo_thread_id_t thread, FaultRecord* last) {
    uint32_t count = 0, end = g_fault_count;
    if (end - mark > kRecords) mark = end - kRecords;
    for (uint32_t i = mark; i < end; ++i) {
        const FaultRecord& r = g_faults[i % kRecords];
        if (r.thread != thread) continue;
        ++count;
        if (last) *last = r;
    }
    return count;
}

uint32_t faults_at(uint32_t mark, axo_thread_id_t thread, uint32_t address, FaultRecord* last) {
    uint32_t count = 0, end = g_fault_count, page = address & ~(kPage - 1);
    if (end - mark > kRecords) mark = end - kRecords;
    for (uint32_t i = mark; i < end; ++i) {
        const FaultRecord& r = g_faults[i % kRecords];
        if (r.thread != thread || (r.address & ~(kPage - 1)) != page) continue;
        ++count;
        if (last) *last = r;
    }
    return count;
}

uint32_t exception_mark() {
    return g_exception_count;
}

uint32_t exceptions_of(uint32_t mark, axo_thread_id_t thread, ExceptionRecord* last) {
    uint32_t count = 0, end = g_exception_count;
    if (end - mark > kRecords) mark = end - kRecords;
    for (uint32_t i = mark; i < end; ++i) {
        const ExceptionRecord& r = g_exceptions[i % kRecords];
        if (r.thread != thread) continue;
        ++count;
        if (last) *last = r;
    }
    return count;
}

// ---- σ0 ----------------------------------------------------------------------------------------

uint32_t window(uint32_t log2) {
    uint32_t size = 1u << log2;
    uint32_t base = (g_next_window + size - 1) & ~(size - 1);
    if (base >= kWindowEnd || size > kWindowEnd - base) {
        diag("harness: out of receive windows");
        return 0;
    }
    g_next_window = base + size;
    return base;
}

Sigma0Reply sigma0_call(uint32_t label, uint32_t count, const uint32_t* words,
                        axo_fpage_t receive_window) {
    axo_utcb_t* u = utcb();
    u->br[0] = receive_window;
    set_message(label, count, words);
    Sigma0Reply r = {};
    r.tag = axo_ipc_call(
        g_sigma0, axo_timeouts(axo_timeout_us(kSigma0TimeoutUs), axo_timeout_us(kSigma0TimeoutUs)));
    r.error = axo_tag_failed(r.tag) ? u->error : 0;
    r.status = axo_tag_failed(r.tag) ? 0xFFFFFFFFu : axo_tag_label(r.tag);
    for (uint32_t i = 1; i <= 4; ++i)
        r.mr[i] = u->mr[i];
    // Mappings are accepted only while asked for.
    u->br[0] = AXO_FPAGE_NIL;
    return r;
}

uint32_t sigma0_memory(uint32_t log2, uint32_t* physical) {
    uint32_t where = window(log2);
    if (where == 0) return 0;
    Sigma0Reply r =
        sigma0_call(kSigma0AllocateAny, 1, &log2, axo_fpage(where, log2, AXO_FPAGE_RWX));
    if (r.status != kSigma0Ok || axo_tag_typed(r.tag) != 2) {
        diag("sigma0 gave no memory (2^%u bytes): status %x, tag %x, %s", log2, r.status, r.tag,
             ipc_error_text(r.error).text);
        return 0;
    }
    if (physical) *physical = r.mr[1];
    return where;
}

bool sigma0_ports(uint32_t port, uint32_t log2) {
    axo_fpage_t ports = axo_io_fpage(port, log2);
    Sigma0Reply r = sigma0_call(kSigma0MapPorts, 1, &ports, ports);
    if (r.status != kSigma0Ok) {
        diag("sigma0 gave no ports %x (2^%u): status %x, %s", port, log2, r.status,
             ipc_error_text(r.error).text);
        return false;
    }
    return true;
}

// ---- Agents ------------------------------------------------------------------------------------

bool small_spaces_on() {
    return (rt_kip()->api_flags & AXO_KIP_SMALL_SPACES) != 0;
}

bool agent_start(Agent& agent, uint32_t small_blocks) {
    agent = {};
    uint32_t stack = sigma0_memory();
    if (stack == 0 || g_agent_code == 0) return false;
    axo_thread_id_t id = fresh_id();
    pager_map(id, AGENT_CODE, g_agent_code, AXO_FPAGE_R | AXO_FPAGE_X, 0);
    pager_map(id, AGENT_STACK, stack, AXO_FPAGE_RWX, AXO_FPAGE_RWX);
    uint32_t utcb_address = small_blocks ? AGENT_SMALL_UTCB : AGENT_UTCB;
    uint32_t error = axo_thread_control(id, id, g_root, g_supervisor, utcb_address, g_supervisor);
    if (error != AXO_OK) {
        diag("agent %u.%u: thread_control in a new space failed: error %u", axo_thread_number(id),
             axo_thread_version(id), error);
        pager_forget(id);
        return false;
    }
    agent.id = id;
    agent.stack = stack;
    if (small_blocks != 0) {
        uint32_t blocks = 0;
        error = axo_space_control(id, AXO_SPACE_SMALL, small_blocks, &blocks, nullptr);
        if (error != AXO_OK || blocks != small_blocks) {
            diag("agent %u.%u: space_control SMALL %u failed: error %u, %u blocks",
                 axo_thread_number(id), axo_thread_version(id), small_blocks, error, blocks);
            return false;
        }
    }
    axo_exreg_t regs = {};
    regs.control = AXO_EXREG_SET_SP | AXO_EXREG_SET_IP | AXO_EXREG_RESUME;
    regs.sp = AGENT_STACK + kPage;
    regs.ip = AGENT_CODE;
    error = axo_exchange_registers(id, &regs);
    AgentReply r =
        error == AXO_OK ? agent_call(agent, AGENT_PING, 0, nullptr, 1000000) : AgentReply{};
    if (error != AXO_OK || !r.done() || r.mr[1] != AGENT_MAGIC) {
        diag("agent %u.%u did not start: exchange_registers %u, ping %s", axo_thread_number(id),
             axo_thread_version(id), error, reply_text(r).text);
        return false;
    }
    return true;
}

void agent_stop(Agent& agent) {
    if (agent.id == AXO_NIL_THREAD) return;
    uint32_t error = rt_thread_delete(agent.id);
    if (error != AXO_OK)
        diag("agent %u.%u: delete failed: error %u", axo_thread_number(agent.id),
             axo_thread_version(agent.id), error);
    pager_forget(agent.id);
    agent.id = AXO_NIL_THREAD;
}

AgentReply agent_call(const Agent& agent, uint32_t label, uint32_t count, const uint32_t* words,
                      uint32_t timeout_us) {
    set_message(label, count, words);
    AgentReply r = {};
    axo_timeout_t timeout = axo_timeout_us(timeout_us);
    r.tag = axo_ipc_call(agent.id, axo_timeouts(timeout, timeout));
    r.error = axo_tag_failed(r.tag) ? utcb()->error : 0;
    for (uint32_t i = 1; i < 8; ++i)
        r.mr[i] = utcb()->mr[i];
    return r;
}

bool agent_read(const Agent& agent, uint32_t address, uint32_t* value, uint32_t timeout_us) {
    AgentReply r = agent_call(agent, AGENT_READ, 1, &address, timeout_us);
    if (value) *value = r.done() ? r.mr[1] : 0;
    return r.done();
}

bool agent_write(const Agent& agent, uint32_t address, uint32_t value, uint32_t timeout_us) {
    uint32_t words[2] = {address, value};
    return agent_call(agent, AGENT_WRITE, 2, words, timeout_us).done();
}

bool agent_window(const Agent& agent, axo_fpage_t window) {
    return agent_call(agent, AGENT_WINDOW, 1, &window).done();
}

AgentReply agent_send(const Agent& agent, axo_thread_id_t to, uint32_t word0, axo_fpage_t fpage) {
    axo_timeout_t timeout = axo_timeout_us(kAgentTimeoutUs / 2);
    uint32_t words[4] = {to, word0, fpage, axo_timeouts(timeout, timeout)};
    return agent_call(agent, AGENT_SEND, 4, words);
}

uint32_t agent_unmap(const Agent& agent, uint32_t control, uint32_t count,
                     const axo_fpage_t* fpages) {
    uint32_t words[AXO_MR_COUNT - 1];
    if (count > AXO_MR_COUNT - 2) count = AXO_MR_COUNT - 2;
    words[0] = control;
    for (uint32_t i = 0; i < count; ++i)
        words[1 + i] = fpages[i];
    AgentReply r = agent_call(agent, AGENT_UNMAP, 1 + count, words);
    return r.done() ? r.mr[1] : 0xFFFFFFFFu;
}

AgentReply send_item(const Agent& agent, uint32_t word0, axo_fpage_t fpage, uint32_t timeout_us) {
    axo_utcb_t* u = utcb();
    u->mr[0] = axo_msg_tag(kLabelItem, 0, 2);
    u->mr[1] = word0;
    u->mr[2] = fpage;
    AgentReply r = {};
    axo_timeout_t timeout = axo_timeout_us(timeout_us);
    r.tag = axo_ipc_call(agent.id, axo_timeouts(timeout, timeout));
    r.error = axo_tag_failed(r.tag) ? u->error : 0;
    for (uint32_t i = 1; i < 8; ++i)
        r.mr[i] = u->mr[i];
    return r;
}

ErrorText reply_text(const AgentReply& reply) {
    if (axo_tag_failed(reply.tag)) return ipc_error_text(reply.error);
    ErrorText text;
    rt_snprintf(text.text, sizeof text.text, "label %x, %u words", axo_tag_label(reply.tag),
                axo_tag_untyped(reply.tag));
    return text;
}

} // namespace kt
