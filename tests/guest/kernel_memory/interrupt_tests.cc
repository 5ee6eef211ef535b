// Interrupts as IPC, with a real device: the RTC's periodic interrupt on IRQ 8. The root
// task gets the CMOS ports from σ0, attaches its main thread as the handler of IRQ 8 and
// checks that each interrupt is a message from axo_irq_thread(8) and that the line stays
// masked until the handler acknowledges it. Plus who may attach, and to which lines.
#include "memory_harness.h"
#include "tests.h"

namespace kt {
namespace {

// The MC146818 RTC behind the CMOS index/data ports.
constexpr uint32_t kCmosIndex = 0x70;
constexpr uint32_t kCmosData = 0x71;
constexpr uint32_t kCmosPortsLog2 = 1;
constexpr uint8_t kCmosNmiDisable = 0x80; // index bit 7, kept set while programming
constexpr uint8_t kRtcRegisterA = 0x0A;
constexpr uint8_t kRtcRegisterB = 0x0B;
constexpr uint8_t kRtcRegisterC = 0x0C;
constexpr uint8_t kRtcRegisterD = 0x0D;
constexpr uint8_t kRtcRateMask = 0x0F;       // register A: periodic rate, 32768 >> (rate - 1) Hz
constexpr uint8_t kRtcRate64Hz = 10;         // 15.6 ms
constexpr uint8_t kRtcPeriodicEnable = 0x40; // register B: PIE
constexpr uint8_t kRtcPeriodicFlag = 0x40;   // register C: PF, cleared by reading C

constexpr uint32_t kRtcLine = 8;
constexpr uint32_t kPeriodUs = 15625;
// Long enough for four periods: an unmasked line would have delivered again.
constexpr uint32_t kMaskedWaitUs = 4 * kPeriodUs;
constexpr uint32_t kInterruptWaitUs = 500000;

bool rtc_read(uint8_t reg, uint8_t* value) {
    return try_outb(kCmosIndex, kCmosNmiDisable | reg) && try_inb(kCmosData, value);
}
bool rtc_write(uint8_t reg, uint8_t value) {
    return try_outb(kCmosIndex, kCmosNmiDisable | reg) && try_outb(kCmosData, value);
}

uint32_t attach(uint32_t line, axo_thread_id_t handler) {
    return axo_thread_control(axo_irq_thread(line), AXO_NIL_THREAD, AXO_NIL_THREAD, handler, 0,
                              AXO_NIL_THREAD);
}

// Waits for an interrupt message (a closed receive, or an open one with `any`); true if one
// came from the line's thread.
bool wait_interrupt(uint32_t timeout_us, axo_thread_id_t* from, axo_msg_tag_t* tag,
                    bool any = false) {
    axo_thread_id_t spec = any ? AXO_ANY_THREAD : axo_irq_thread(kRtcLine);
    *from = axo_ipc_receive(spec, axo_timeout_us(timeout_us));
    *tag = utcb()->mr[0];
    return !axo_tag_failed(*tag) && *from == axo_irq_thread(kRtcLine);
}

bool acknowledge() {
    utcb()->mr[0] = axo_msg_tag(0, 0, 0);
    return !axo_tag_failed(axo_ipc_send(axo_irq_thread(kRtcLine), AXO_TIMEOUT_ZERO));
}

void attach_rules() {
    uint32_t timer = attach(0, g_root);
    uint32_t cascade = attach(2, g_root);
    check(timer != AXO_OK && cascade != AXO_OK,
          "attaching to IRQ 0 (the kernel's timer) or IRQ 2 (the cascade) is refused (%u, %u)",
          timer, cascade);
    uint32_t beyond = axo_thread_control(axo_thread_id(AXO_IRQ_LINES + 1, 1), AXO_NIL_THREAD,
                                         AXO_NIL_THREAD, g_root, 0, AXO_NIL_THREAD);
    check(beyond == AXO_ERR_INVALID_THREAD, "a line beyond 15 does not exist (%u)", beyond);
    uint32_t stale = axo_thread_control(axo_thread_id(kRtcLine + 1, 2), AXO_NIL_THREAD,
                                        AXO_NIL_THREAD, g_root, 0, AXO_NIL_THREAD);
    check(stale != AXO_OK, "an IRQ thread id with another version is refused (%u)", stale);

    Agent a;
    bool started = agent_start(a);
    uint32_t words[7] = {
        AXO_SYS_THREAD_CONTROL, axo_irq_thread(kRtcLine), AXO_NIL_THREAD, AXO_NIL_THREAD, a.id, 0,
        AXO_NIL_THREAD};
    AgentReply r = agent_call(a, AGENT_SYSCALL, 7, words);
    check(started && r.done() && r.mr[1] == AXO_ERR_NO_PRIVILEGE,
          "attaching from an unprivileged space: AXO_ERR_NO_PRIVILEGE (%u)", r.mr[1]);
    agent_stop(a);
}

struct Impostor {
    axo_msg_tag_t tag;
    uint32_t error;
};

void impostor(void* arg) {
    auto* result = static_cast<Impostor*>(arg);
    utcb()->mr[0] = axo_msg_tag(0, 0, 0);
    result->tag = axo_ipc_send(axo_irq_thread(kRtcLine), AXO_TIMEOUT_ZERO);
    result->error = utcb()->error;
    send_done(1);
}

void rtc_interrupts() {
    bool ports = sigma0_ports(kCmosIndex, kCmosPortsLog2);
    uint32_t error = attach(kRtcLine, g_root);
    axo_thread_id_t from = AXO_NIL_THREAD;
    axo_msg_tag_t tag = 0;
    bool early = wait_interrupt(0, &from, &tag);
    check(ports && error == AXO_OK && !early,
          "the root task attaches its main thread to IRQ 8 (error %u); no message before the "
          "device raises one",
          error);

    // Periodic interrupts at 64 Hz; reading register C first drops one already pending.
    uint8_t a = 0, b = 0, c = 0;
    bool programmed = rtc_read(kRtcRegisterA, &a) &&
                      rtc_write(kRtcRegisterA, (a & ~kRtcRateMask) | kRtcRate64Hz) &&
                      rtc_read(kRtcRegisterB, &b) && rtc_read(kRtcRegisterC, &c) &&
                      rtc_write(kRtcRegisterB, b | kRtcPeriodicEnable);
    uint64_t start = now_us();
    bool got = programmed && wait_interrupt(kInterruptWaitUs, &from, &tag);
    uint64_t waited = now_us() - start;
    check(got && from == axo_irq_thread(kRtcLine) && tag == axo_msg_tag(AXO_LABEL_INTERRUPT, 0, 0),
          "the RTC's periodic interrupt arrives as a message from axo_irq_thread(8): label "
          "0xFFF0, no words (tag %x, after %u us)",
          tag, static_cast<uint32_t>(waited));
    bool flagged = rtc_read(kRtcRegisterC, &c) && (c & kRtcPeriodicFlag) != 0;
    check(flagged, "it is the RTC's: register C has the periodic flag (%x)", c);

    static Impostor result;
    result = {};
    axo_thread_id_t id = spawn(impostor, &result);
    bool reported = id != AXO_NIL_THREAD && wait_done(id);
    check(reported && axo_tag_failed(result.tag) &&
              result.error == ipc_error_word(AXO_IPC_NO_PARTNER, false),
          "a thread that is not the handler cannot acknowledge: its send fails with no partner "
          "(%s)",
          ipc_error_text(result.error).text);

    bool second = wait_interrupt(kMaskedWaitUs, &from, &tag);
    check(!second && ipc_failed_with(tag, AXO_IPC_TIMEOUT, true),
          "until the handler acknowledges, the line stays masked: no message in %u us, four "
          "RTC periods",
          kMaskedWaitUs);

    bool acknowledged = acknowledge();
    got = acknowledged && wait_interrupt(kInterruptWaitUs, &from, &tag);
    check(got && from == axo_irq_thread(kRtcLine),
          "the handler acknowledges by sending to the IRQ thread; the next interrupt arrives "
          "(tag %x)",
          tag);

    uint32_t count = got ? 1 : 0;
    for (uint32_t i = 0; got && i < 4; ++i) {
        got = rtc_read(kRtcRegisterC, &c) && acknowledge() &&
              wait_interrupt(kInterruptWaitUs, &from, &tag, true);
        count += got ? 1 : 0;
    }
    check(count == 5,
          "five interrupts in a row, each acknowledged, each delivered, to an open receive too "
          "(%u)",
          count);

    // The handler is busy elsewhere when the interrupt comes: it waits for the handler.
    got = rtc_read(kRtcRegisterC, &c) && acknowledge();
    sleep_us(4 * kPeriodUs);
    bool waiting = got && wait_interrupt(0, &from, &tag);
    check(waiting, "an interrupt raised while the handler is busy waits for its next receive");

    // Acknowledge and wait in one call to the IRQ thread.
    rtc_read(kRtcRegisterC, &c);
    utcb()->mr[0] = axo_msg_tag(0, 0, 0);
    from = axo_ipc(axo_irq_thread(kRtcLine), axo_irq_thread(kRtcLine),
                   axo_timeouts(AXO_TIMEOUT_ZERO, axo_timeout_us(kInterruptWaitUs)));
    tag = utcb()->mr[0];
    check(!axo_tag_failed(tag) && from == axo_irq_thread(kRtcLine) &&
              axo_tag_label(tag) == AXO_LABEL_INTERRUPT,
          "a call to the IRQ thread acknowledges and receives the next interrupt (tag %x)", tag);

    bool quiet = rtc_write(kRtcRegisterB, b & ~kRtcPeriodicEnable) && rtc_read(kRtcRegisterC, &c) &&
                 try_outb(kCmosIndex, kRtcRegisterD);
    uint32_t detached = attach(kRtcLine, axo_irq_thread(kRtcLine));
    bool after = wait_interrupt(kMaskedWaitUs, &from, &tag);
    check(quiet && detached == AXO_OK && !after,
          "the RTC is quiet again and the handler detaches (pager = the IRQ thread): %u", detached);
    cleanup();
}

// The handler dies with an interrupt pending for it: another thread attaches and gets the
// line's interrupts.
void dead_handler() {
    axo_thread_id_t handler = fresh_id();
    uint32_t created = create(handler);
    uint32_t attached = created == AXO_OK ? attach(kRtcLine, handler) : created;
    uint8_t b = 0, c = 0;
    bool enabled = rtc_read(kRtcRegisterB, &b) && rtc_read(kRtcRegisterC, &c) &&
                   rtc_write(kRtcRegisterB, b | kRtcPeriodicEnable);
    // The handler never runs: the interrupt waits for it, the line stays masked.
    sleep_us(4 * kPeriodUs);
    uint32_t deleted = rt_thread_delete(handler);
    forget(handler);
    uint32_t reattached = attach(kRtcLine, g_root);
    rtc_read(kRtcRegisterC, &c);
    axo_thread_id_t from = AXO_NIL_THREAD;
    axo_msg_tag_t tag = 0;
    bool got = wait_interrupt(kInterruptWaitUs, &from, &tag);
    check(attached == AXO_OK && enabled && deleted == AXO_OK && reattached == AXO_OK && got,
          "the handler is deleted with an interrupt waiting for it; the root task attaches and "
          "the line's interrupts come to it (errors %u %u %u, tag %x)",
          attached, deleted, reattached, tag);
    rtc_write(kRtcRegisterB, b & ~kRtcPeriodicEnable);
    rtc_read(kRtcRegisterC, &c);
    try_outb(kCmosIndex, kRtcRegisterD);
    attach(kRtcLine, axo_irq_thread(kRtcLine));
    cleanup();
}

} // namespace

void interrupt_tests() {
    attach_rules();
    rtc_interrupts();
    dead_handler();
}

} // namespace kt
