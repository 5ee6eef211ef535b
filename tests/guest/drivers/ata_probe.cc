// ata_probe: the refusal check of driver-restart-ata (README.md). Its boot line grants the
// secondary IDE channel (port=0x170-0x177 port=0x376 irq=15); it claims them, maps them, and
// asks for the primary channel's ports and IRQ 14 — the ATA driver's — which proc must refuse
// with no_permission. It touches no device. Exit status: 0 ok; 1 something was given that
// was not granted, or what was granted was refused.
#include "rt/rt.h"

#include "lib/driver/driver.h"

namespace {

bool expect(const char* what, ipc::Error got, ipc::Error want) {
    if (got == want) return true;
    rt_printf("ata_probe: %s: %s, expected %s\n", what, ipc::error_name(got),
              ipc::error_name(want));
    return false;
}

} // namespace

int main() {
    driver::Grants grants{};
    bool ok = expect("claim", driver::claim(grants), ipc::Error::ok);
    ok = ok && grants.port_count == 2 && grants.irq_count == 1 && grants.irqs[0] == 15;
    ok = expect("own ports", driver::map_granted_ports(grants), ipc::Error::ok) && ok;
    ok = expect("own IRQ 15", driver::attach_irq(15), ipc::Error::ok) && ok;
    ok = expect("primary command block", driver::map_ports(0x1f0, 0x1f7),
                ipc::Error::no_permission) &&
         ok;
    ok = expect("primary data port", driver::map_ports(0x1f0, 0x1f0), ipc::Error::no_permission) &&
         ok;
    ok = expect("primary device control", driver::map_ports(0x3f6, 0x3f6),
                ipc::Error::no_permission) &&
         ok;
    ok = expect("IRQ 14", driver::attach_irq(14), ipc::Error::no_permission) && ok;
    ok = expect("secondary and primary at once", driver::map_ports(0x170, 0x1f7),
                ipc::Error::no_permission) &&
         ok;
    rt_printf("ata_probe: %s\n", ok ? "refused the ATA driver's ports and IRQ 14" : "FAILED");
    driver::exit(ok ? 0 : 1);
}
