// What the memory tests add to the kernel_ipc harness (TAP, test threads, done messages):
// memory from σ0, probes for accesses that may fault, the supervisor thread that pages and
// handles exceptions for everyone else, and agents — command servers in spaces of their own.
//
// Rules, on top of the harness's:
//   - the root task's main thread touches memory the kernel may have got wrong only through
//     the probes (try_read, ...): a fault fails one check instead of the run;
//   - every space a test makes is an agent, stopped by the test (agent_stop) before it ends;
//   - a fault the supervisor's pager table does not answer is held: the thread stays blocked
//     until the test deletes it, and the fault is on record (faults_at).
#pragma once

#include "agent.h"
#include "harness.h"
#include "interfaces/sigma0/protocol.h"

// agent.S: the instructions of the commands that touch memory or ports.
extern "C" {
extern const char agent_code_start[], agent_read_ip[], agent_write_ip[], agent_inb_ip[],
    agent_outb_ip[];
}

namespace kt {

constexpr uint32_t kPage = 4096;
// How long a command to an agent may take before the test gives up on it.
constexpr uint32_t kAgentTimeoutUs = 200000;
// ... when it is expected to hang in a fault nobody answers.
constexpr uint32_t kHeldTimeoutUs = 50000;

// ---- Setup ---------------------------------------------------------------------------------

// Starts the supervisor, makes it the main thread's exception handler, and prepares the
// agents' code page. False (after diagnostics) if the memory tests cannot run at all.
bool memory_harness_start();

// ---- Probes: the main thread's accesses that may fault ---------------------------------------

struct ProbeFault {
    uint32_t vector;  // 13 (#GP) or 14 (#PF)
    uint32_t error;   // the CPU's error code
    uint32_t address; // cr2 for a page fault
};
// True if the access worked; false if it faulted (last_probe_fault() says how).
bool try_read(uint32_t address, uint32_t* value);
bool try_write(uint32_t address, uint32_t value);
bool try_inb(uint32_t port, uint8_t* value);
bool try_outb(uint32_t port, uint8_t value);
ProbeFault last_probe_fault();

// ---- The supervisor: pager and exception handler ---------------------------------------------

// The supervisor's thread: pager and exception handler of every agent.
axo_thread_id_t supervisor();

// Rights for pager_map: the fault is answered with AXO_LABEL_RAISE_FAULT (no map item), which
// makes the kernel raise it at the thread's exception handler.
constexpr uint32_t kRaiseFault = 0x100;

// A fault of `thread` at the page of `address` is answered with `root_page` (an address in
// the root task's space) mapped there: with `read_rights` for a read fault, `write_rights`
// for a write fault; rights 0: not answered (held). A later call for the same page replaces
// the entry.
void pager_map(axo_thread_id_t thread, uint32_t address, uint32_t root_page, uint32_t read_rights,
               uint32_t write_rights);
// Forgets every entry of `thread`.
void pager_forget(axo_thread_id_t thread);

// A page fault message the supervisor received.
struct FaultRecord {
    axo_thread_id_t thread;
    axo_msg_tag_t tag;
    uint32_t address;
    uint32_t ip;
    bool answered;
};
// Whether a fault's message is exactly the kernel's page-fault message for `access`.
inline bool fault_is(const FaultRecord& fault, uint32_t access) {
    return fault.tag == axo_msg_tag(AXO_LABEL_PAGE_FAULT | access, 2, 0);
}
// Page faults received so far: a mark for faults_at.
uint32_t fault_mark();
// The page faults of `thread` at the page of `address` since `mark`; the last one in *last.
uint32_t faults_at(uint32_t mark, axo_thread_id_t thread, uint32_t address,
                   FaultRecord* last = nullptr);
// Every page fault of `thread` since `mark`.
uint32_t faults_of(uint32_t mark, axo_thread_id_t thread, FaultRecord* last = nullptr);

// An exception message from an agent (the supervisor resumed it at agent_faulted).
struct ExceptionRecord {
    axo_thread_id_t thread;
    uint32_t vector, error, eip, address;
};
uint32_t exception_mark();
// The exceptions of `thread` since `mark`; the last one in *last.
uint32_t exceptions_of(uint32_t mark, axo_thread_id_t thread, ExceptionRecord* last = nullptr);

// ---- Memory from σ0 --------------------------------------------------------------------------

// An unused, 2^log2-aligned range of the root task's address space, for receive windows.
uint32_t window(uint32_t log2);

struct Sigma0Reply {
    axo_msg_tag_t tag; // the reply's tag, or the failed IPC's
    uint32_t error;    // the UTCB error word after a failed IPC
    uint32_t status;   // the reply's label (sigma0::Status), or 0xFFFFFFFF if the IPC failed
    uint32_t mr[5];    // MR1..MR4 of the reply
};
// One request to σ0 from the calling thread, with `receive_window` in BR0 for its reply.
Sigma0Reply sigma0_call(uint32_t label, uint32_t count, const uint32_t* words,
                        axo_fpage_t receive_window);
// 2^log2 bytes of conventional memory from σ0 at a fresh window; the window address, or 0
// (with a diagnostic). *physical = the physical address σ0 gave.
uint32_t sigma0_memory(uint32_t log2 = 12, uint32_t* physical = nullptr);
// An I/O port range from σ0 into the caller's space (I/O fpage window). True if σ0 said ok.
bool sigma0_ports(uint32_t port, uint32_t log2);

// ---- Agents ------------------------------------------------------------------------------------

struct Agent {
    axo_thread_id_t id = AXO_NIL_THREAD;
    uint32_t stack = 0; // its stack page, in the root task's space
};

// Starts an agent in a new space: a fresh thread number; the supervisor as pager (code and
// stack pages as in agent.h) and exception handler. With `small_blocks`, the space is made
// small (space_control) before the agent runs. True once it answered a ping.
bool agent_start(Agent& agent, uint32_t small_blocks = 0);
// Whether the kernel runs small spaces (KIP api_flags).
bool small_spaces_on();
// Deletes the agent's thread and with it its space. Safe on a stopped agent.
void agent_stop(Agent& agent);
// Where a label of agent.S is in an agent's space.
inline uint32_t agent_address(const char* label) {
    return AGENT_CODE + static_cast<uint32_t>(label - agent_code_start);
}

struct AgentReply {
    axo_msg_tag_t tag;
    uint32_t error; // UTCB error word if the IPC failed
    uint32_t mr[8]; // MR1..MR7
    bool done() const { return !axo_tag_failed(tag) && axo_tag_label(tag) == AGENT_DONE; }
    bool faulted() const { return !axo_tag_failed(tag) && axo_tag_label(tag) == AGENT_FAULTED; }
};
// A command (agent.h) and its reply, bounded by `timeout_us` each way.
AgentReply agent_call(const Agent& agent, uint32_t label, uint32_t count, const uint32_t* words,
                      uint32_t timeout_us = kAgentTimeoutUs);
// Convenience forms: true if the agent completed the command.
bool agent_read(const Agent& agent, uint32_t address, uint32_t* value,
                uint32_t timeout_us = kAgentTimeoutUs);
bool agent_write(const Agent& agent, uint32_t address, uint32_t value,
                 uint32_t timeout_us = kAgentTimeoutUs);
bool agent_window(const Agent& agent, axo_fpage_t window);
// The agent sends one item (word0, fpage) to `to` and reports what came back.
AgentReply agent_send(const Agent& agent, axo_thread_id_t to, uint32_t word0, axo_fpage_t fpage);
// The agent unmaps `count` fpages; the syscall's error, or 0xFFFFFFFF if it did not answer.
uint32_t agent_unmap(const Agent& agent, uint32_t control, uint32_t count,
                     const axo_fpage_t* fpages);

// The main thread sends an item to an agent (label 0xB1, u = 0, t = 2), which answers what it
// received: AGENT_RECEIVED with MR1 = the tag it got.
AgentReply send_item(const Agent& agent, uint32_t word0, axo_fpage_t fpage,
                     uint32_t timeout_us = kAgentTimeoutUs);

// What an agent's reply was, for diagnostics: "label ad", "timeout (1) in send phase", ...
ErrorText reply_text(const AgentReply& reply);

} // namespace kt
