// The date of the MC146818 real-time clock behind the CMOS ports (0x70 index, 0x71 data), as
// seconds since the epoch: what proc reads once at boot to give the system its realtime clock
// (kProcRealTime; real_time_clock.cc reads the ports). Pure: host-tested
// (tests/unit/proc_real_time_clock_test.cc).
#pragma once

#include <stdint.h>

namespace proc {

// The RTC's registers (MC146818 data sheet; the century byte is the PC's, CMOS 0x32).
constexpr uint8_t kRtcSeconds = 0x00;
constexpr uint8_t kRtcMinutes = 0x02;
constexpr uint8_t kRtcHours = 0x04;
constexpr uint8_t kRtcDayOfMonth = 0x07;
constexpr uint8_t kRtcMonth = 0x08;
constexpr uint8_t kRtcYear = 0x09;
constexpr uint8_t kRtcStatusA = 0x0A;
constexpr uint8_t kRtcStatusB = 0x0B;
constexpr uint8_t kRtcCentury = 0x32;
constexpr uint8_t kRtcUpdateInProgress = 0x80; // status A: the registers are changing
constexpr uint8_t kRtcBinary = 0x04;           // status B: DM, binary (not BCD) values
constexpr uint8_t kRtc24Hour = 0x02;           // status B: 24-hour mode
constexpr uint8_t kRtcPm = 0x80;               // hours in 12-hour mode: PM

struct RtcRegisters {
    uint8_t seconds, minutes, hours, day, month, year, century, status_b;

    constexpr bool operator==(const RtcRegisters&) const = default;
};

constexpr uint32_t rtc_value(uint8_t raw, bool binary) {
    return binary ? raw : (raw >> 4) * 10u + (raw & 0x0Fu);
}

// Days from 1970-01-01 to year-month-day of the proleptic Gregorian calendar (H. Hinnant's
// days_from_civil).
constexpr int64_t days_from_civil(int64_t year, uint32_t month, uint32_t day) {
    year -= month <= 2;
    const int64_t era = (year >= 0 ? year : year - 399) / 400;
    const uint32_t year_of_era = static_cast<uint32_t>(year - era * 400);
    const uint32_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const uint32_t day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;
}

// Seconds since the epoch (the RTC keeps UTC, as QEMU's does by default), or -1 for a reading
// that is no date (a field out of range: a CMOS that was never set).
constexpr int64_t rtc_epoch_seconds(const RtcRegisters& r) {
    const bool binary = (r.status_b & kRtcBinary) != 0;
    uint32_t seconds = rtc_value(r.seconds, binary);
    uint32_t minutes = rtc_value(r.minutes, binary);
    uint32_t hours = rtc_value(r.hours & static_cast<uint8_t>(~kRtcPm), binary);
    if (!(r.status_b & kRtc24Hour)) {
        // 12-hour mode: 12 AM is 0, 12 PM is 12.
        if (hours == 12) hours = 0;
        if (r.hours & kRtcPm) hours += 12;
    }
    uint32_t day = rtc_value(r.day, binary);
    uint32_t month = rtc_value(r.month, binary);
    uint32_t year = rtc_value(r.year, binary);
    uint32_t century = r.century != 0 ? rtc_value(r.century, binary) : 20;
    if (seconds > 59 || minutes > 59 || hours > 23 || day < 1 || day > 31 || month < 1 ||
        month > 12 || year > 99 || century < 19 || century > 99)
        return -1;
    int64_t days = days_from_civil(century * 100 + year, month, day);
    return days * 86400 + hours * 3600 + minutes * 60 + seconds;
}

} // namespace proc
