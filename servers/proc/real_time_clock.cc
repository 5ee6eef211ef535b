// The RTC read once at boot (real_time_clock.h; protocol.h, kProcRealTime). proc reads it rather
// than a driver: it is needed before any driver runs, once, and proc already takes ports from σ0
// for the drivers it grants them to. The CMOS index and data ports stay mapped in proc; a driver
// granted them later gets them from σ0 as any port.
#include "rt/rt.h"

#include "axolotl/abi.h"
#include "interfaces/sigma0/client.h"
#include "servers/proc/real_time_clock.h"
#include "servers/proc/server.h"

namespace proc {
namespace {

constexpr uint16_t kCmosIndex = 0x70;
constexpr uint16_t kCmosData = 0x71;
constexpr uint32_t kCmosPortsLog2 = 1;    // 0x70..0x71
constexpr uint8_t kCmosNmiDisable = 0x80; // index bit 7: keeps NMIs off while we read, as BIOSes do
// An update takes < 2 ms once a second; 1000 tries of a port read are far more than that.
constexpr uint32_t kUpdateWaitTries = 100000;

uint8_t cmos_read(uint8_t index) {
    uint8_t value;
    asm volatile("outb %0, %1"
                 :
                 : "a"(static_cast<uint8_t>(index | kCmosNmiDisable)), "Nd"(kCmosIndex));
    asm volatile("inb %1, %0" : "=a"(value) : "Nd"(kCmosData));
    return value;
}

bool wait_for_no_update() {
    for (uint32_t i = 0; i < kUpdateWaitTries; ++i)
        if (!(cmos_read(kRtcStatusA) & kRtcUpdateInProgress)) return true;
    return false;
}

RtcRegisters read_registers() {
    return RtcRegisters{cmos_read(kRtcSeconds),    cmos_read(kRtcMinutes), cmos_read(kRtcHours),
                        cmos_read(kRtcDayOfMonth), cmos_read(kRtcMonth),   cmos_read(kRtcYear),
                        cmos_read(kRtcCentury),    cmos_read(kRtcStatusB)};
}

} // namespace

void read_real_time_clock(Proc& proc) {
    axo_fpage_t ports = axo_io_fpage(kCmosIndex, kCmosPortsLog2);
    if (sigma0::client::map_ports(ports, ports) != ipc::Error::ok) {
        rt_printf("proc: no RTC (σ0 refused the CMOS ports): realtime starts at the epoch\n");
        return;
    }
    // Two equal readings between updates: the registers did not change under us.
    RtcRegisters reading{}, again{};
    bool stable = false;
    for (int attempt = 0; attempt < 5 && !stable; ++attempt) {
        if (!wait_for_no_update()) break;
        reading = read_registers();
        if (!wait_for_no_update()) break;
        again = read_registers();
        stable = reading == again;
    }
    uint64_t clock_us = rt_clock_us();
    int64_t seconds = stable ? rtc_epoch_seconds(reading) : -1;
    if (seconds < 0 || static_cast<uint64_t>(seconds) * 1000000u < clock_us) {
        rt_printf("proc: the RTC gave no date: realtime starts at the epoch\n");
        return;
    }
    proc.boot_epoch_us = static_cast<uint64_t>(seconds) * 1000000u - clock_us;
    rt_printf("proc: RTC: %u s since the epoch\n", static_cast<unsigned>(seconds));
}

} // namespace proc
