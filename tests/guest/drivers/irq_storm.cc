// irq_storm: a driver whose device never stops interrupting (the interrupt flood of the
// drivers test's `storm` mode). Its line grants QEMU's edu device (pci=1234:11e8: BAR0, 1 MiB
// of registers, and its INTx line). It raises the device's interrupt (register 0x60) and, for
// every interrupt, acknowledges the line to the kernel without clearing the device's status
// (register 0x64): the device holds the line asserted, so the kernel takes the interrupt again
// the moment it unmasks it — a storm as fast as this driver can take it. Once the first
// interrupt arrived it registers "storm". Requests (a thread of another process):
//   kStormCount  answers the interrupts taken so far (MR1) and whether the storm was already
//                pending when it started (MR2: the device's status was set, by a predecessor)
//   kStormStop   clears the device's status, answers the same, and exits 0
// Being killed in the storm is the other way out: the kernel then keeps the line masked until
// a new handler attaches (kernel/interrupts.cc).
#include "irq_storm.h"
#include "common.h"

namespace {

constexpr uint32_t kBarLog2 = 20; // edu's BAR0: 1 MiB
constexpr uint32_t kIdentification = 0x00 / 4;
constexpr uint32_t kInterruptStatus = 0x24 / 4;
constexpr uint32_t kInterruptRaise = 0x60 / 4;
constexpr uint32_t kInterruptAcknowledge = 0x64 / 4;
constexpr uint32_t kStormBit = 1;

void answer(axo_thread_id_t to, uint32_t count, bool inherited) {
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->mr[0] = axo_msg_tag(0, 2, 0);
    utcb->mr[1] = count;
    utcb->mr[2] = inherited ? 1 : 0;
    (void)axo_ipc_send(to, AXO_TIMEOUT_ZERO);
}

} // namespace

int main() {
    driver::Grants grants{};
    const char* name = driver::start(grants);
    if (grants.memory_count == 0 || grants.irq_count == 0) {
        rt_printf("%s: the grants must hold edu's BAR0 and its IRQ line (pci=1234:11e8)\n", name);
        driver::exit(2);
    }
    uint32_t line = grants.irqs[0];
    driver::check(name, "mapping BAR0",
                  driver::map_device_memory(grants.memory[0].first, kBarLog2, driver::kDeviceArea));
    volatile uint32_t* edu = reinterpret_cast<volatile uint32_t*>(driver::kDeviceArea);
    if ((edu[kIdentification] & 0xFFu) != 0xEDu) {
        rt_printf("%s: BAR0 is not an edu device (identification %08x)\n", name,
                  edu[kIdentification]);
        driver::exit(2);
    }
    driver::check(name, "attaching the IRQ", driver::attach_irq(line));
    // A storm left by a killed predecessor is still pending (the line masked, the device's
    // status set): it arrives at once, without raising it again.
    bool inherited = edu[kInterruptStatus] != 0;
    if (!inherited) edu[kInterruptRaise] = kStormBit;
    uint32_t count = 0;
    bool registered = false;
    axo_thread_id_t irq = axo_irq_thread(line);
    for (;;) {
        axo_thread_id_t from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
        axo_msg_tag_t tag = axo_my_utcb()->mr[0];
        if (axo_tag_failed(tag)) continue;
        if (from == irq) {
            ++count;
            if (!registered) {
                rt_printf("%s: the first interrupt on IRQ %u (%s), the device status stays set\n",
                          name, line, inherited ? "left pending by a predecessor" : "raised");
                driver::check(name, "registering the name", names::register_name("storm"));
                registered = true;
            }
            // The device's status stays set: the line is asserted again when this unmasks it.
            (void)driver::acknowledge_line(line);
            continue;
        }
        uint32_t label = axo_tag_label(tag);
        if (label == storm::kStormCount) {
            answer(from, count, inherited);
        } else if (label == storm::kStormStop) {
            edu[kInterruptAcknowledge] = edu[kInterruptStatus];
            rt_printf("%s: stopped after %u interrupts, the device status now %x\n", name, count,
                      edu[kInterruptStatus]);
            answer(from, count, inherited);
            driver::exit(0);
        }
    }
}
