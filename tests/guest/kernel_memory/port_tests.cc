// I/O ports as flexpages: without a mapping an access is #GP (an exception message); σ0 maps a
// range into a space's I/O permission bitmap; a holder maps it on; unmap revokes it,
// recursively, and with AXO_UNMAP_FLUSH_OWN from the holder too.
#include "memory_harness.h"
#include "tests.h"

namespace kt {
namespace {

// The 16550's scratch register (no effect on the UART, which the kernel's console uses):
// what is written there reads back.
constexpr uint32_t kCom1 = 0x3F8;
constexpr uint32_t kCom1Log2 = 3;
constexpr uint32_t kCom1Scratch = kCom1 + 7;
constexpr uint32_t kCom2Scratch = 0x2FF;
constexpr uint32_t kVectorGp = 13;

uint32_t unmap_ports(uint32_t control) {
    utcb()->mr[0] = axo_io_fpage(kCom1, kCom1Log2);
    return axo_unmap(control);
}

// An agent's inb: the byte, or a fault (the supervisor resumed it at agent_faulted).
struct AgentIn {
    bool done, faulted;
    uint8_t value;
    ExceptionRecord exception;
};
AgentIn agent_inb(const Agent& agent, uint32_t port) {
    uint32_t mark = exception_mark();
    AgentReply r = agent_call(agent, AGENT_INB, 1, &port);
    AgentIn in = {r.done(), r.faulted(), static_cast<uint8_t>(r.mr[1]), {}};
    exceptions_of(mark, agent.id, &in.exception);
    return in;
}

void root_ports() {
    uint8_t value = 0;
    bool read = try_inb(kCom1Scratch, &value);
    ProbeFault pf = last_probe_fault();
    check(!read && pf.vector == kVectorGp && pf.error == 0,
          "without a mapping, inb from the COM1 scratch register is a #GP, delivered as an "
          "exception message (vector %u, error %x)",
          pf.vector, pf.error);

    bool mapped = sigma0_ports(kCom1, kCom1Log2);
    check(mapped, "sigma0 maps the COM1 ports 0x3F8-0x3FF into the root task's space");
    bool wrote = try_outb(kCom1Scratch, 0x5A);
    read = try_inb(kCom1Scratch, &value);
    check(wrote && read && value == 0x5A,
          "with the mapping the root task writes the scratch register and reads it back (%x)",
          value);
    // The kernel's own devices' ports are not σ0's to give.
    axo_fpage_t pic = axo_io_fpage(0x20, 1), pit = axo_io_fpage(0x40, 2);
    Sigma0Reply pic_reply = sigma0_call(sigma0::kSigma0MapPorts, 1, &pic, AXO_FPAGE_COMPLETE);
    Sigma0Reply pit_reply = sigma0_call(sigma0::kSigma0MapPorts, 1, &pit, AXO_FPAGE_COMPLETE);
    bool pic_read = try_inb(0x21, &value);
    check(pic_reply.status == sigma0::kSigma0ErrorNoPermission &&
              pit_reply.status == sigma0::kSigma0ErrorNoPermission && !pic_read,
          "the interrupt controllers' and the timer's ports: sigma0 refuses them with "
          "kSigma0ErrorNoPermission, nothing mapped (%x, %x)",
          pic_reply.status, pit_reply.status);

    // The mapping is exactly the range asked for.
    read = try_inb(kCom1 - 1, &value);
    check(!read && last_probe_fault().vector == kVectorGp,
          "a port just below the mapped range still faults");
}

void ports_onward() {
    Agent a;
    bool started = agent_start(a);
    AgentIn in = agent_inb(a, kCom1Scratch);
    check(started && in.faulted && in.exception.vector == kVectorGp &&
              in.exception.eip == agent_address(agent_inb_ip),
          "an agent without ports: its inb is a #GP at the inb instruction (vector %u, eip %x)",
          in.exception.vector, in.exception.eip);

    bool window = agent_window(a, axo_io_fpage(0, 16));
    axo_fpage_t ports = axo_io_fpage(kCom1, kCom1Log2);
    AgentReply r = send_item(a, axo_map_item_word0(ports, 0), ports);
    uint32_t words[2] = {kCom1Scratch, 0xA5};
    bool wrote = agent_call(a, AGENT_OUTB, 2, words).done();
    in = agent_inb(a, kCom1Scratch);
    check(window && axo_tag_label(r.tag) == AGENT_RECEIVED && wrote && in.done && in.value == 0xA5,
          "the root task maps the range on to the agent (I/O window): it writes and reads the "
          "scratch register (%s, value %x)",
          reply_text(r).text, in.value);
    in = agent_inb(a, kCom2Scratch);
    check(in.faulted && in.exception.vector == kVectorGp,
          "ports the root task did not map on still fault in the agent");

    uint32_t error = unmap_ports(0);
    in = agent_inb(a, kCom1Scratch);
    uint8_t value = 0;
    bool own = try_inb(kCom1Scratch, &value);
    check(error == AXO_OK && in.faulted && in.exception.vector == kVectorGp && own,
          "the root task's unmap of the I/O fpage revokes the agent's ports (#GP again); its "
          "own stay (error %u)",
          error);

    error = unmap_ports(AXO_UNMAP_FLUSH_OWN);
    own = try_inb(kCom1Scratch, &value);
    check(error == AXO_OK && !own && last_probe_fault().vector == kVectorGp,
          "with AXO_UNMAP_FLUSH_OWN the root task loses them too (error %u)", error);

    bool again = sigma0_ports(kCom1, kCom1Log2);
    own = try_outb(kCom1Scratch, 0x3C) && try_inb(kCom1Scratch, &value) && value == 0x3C;
    check(again && own, "sigma0 gives the same client the same ports again: they work (%x)", value);
    agent_stop(a);
}

void ports_and_space_deletion() {
    // B gets the ports from A and passes them on to C; deleting B takes them from C.
    Agent b, c;
    bool started = agent_start(b) && agent_start(c);
    axo_fpage_t ports = axo_io_fpage(kCom1, kCom1Log2);
    bool windows = started && agent_window(b, AXO_FPAGE_COMPLETE) &&
                   agent_window(c, axo_io_fpage(kCom1, kCom1Log2));
    AgentReply to_b = send_item(b, axo_map_item_word0(ports, 0), ports);
    AgentReply to_c = agent_send(b, c.id, axo_map_item_word0(ports, 0), ports);
    AgentIn in = agent_inb(c, kCom1Scratch);
    check(windows && axo_tag_label(to_b.tag) == AGENT_RECEIVED && to_c.done() && in.done,
          "ports go on from space to space like pages: A to B (complete window) to C "
          "(%s, %s, C's inb %s)",
          reply_text(to_b).text, reply_text(to_c).text, in.done ? "works" : "fails");
    agent_stop(b);
    in = agent_inb(c, kCom1Scratch);
    check(in.faulted && in.exception.vector == kVectorGp,
          "deleting B's space revokes the ports B gave C");
    agent_stop(c);
}

void port_window() {
    // The window takes the upper half of the range only: 0x3FC-0x3FF.
    Agent a;
    bool started = agent_start(a) && agent_window(a, axo_io_fpage(kCom1 + 4, 2));
    axo_fpage_t ports = axo_io_fpage(kCom1, kCom1Log2);
    AgentReply r = send_item(a, axo_map_item_word0(ports, 0), ports);
    AgentIn inside = agent_inb(a, kCom1Scratch);
    AgentIn outside = agent_inb(a, kCom1 + 3);
    check(started && axo_tag_label(r.tag) == AGENT_RECEIVED && inside.done && outside.faulted,
          "an I/O window smaller than the fpage takes only its own ports: 0x3FF works, 0x3FB "
          "faults");
    agent_stop(a);
}

} // namespace

void port_tests() {
    root_ports();
    ports_onward();
    ports_and_space_deletion();
    port_window();
}

} // namespace kt
