// proc's reading of the RTC's date (servers/proc/real_time_clock.h): BCD and binary values,
// 12- and 24-hour modes, the century byte, and readings that are no date.
#include <gtest/gtest.h>

#include "servers/proc/real_time_clock.h"

namespace {

using proc::rtc_epoch_seconds;
using proc::RtcRegisters;

constexpr uint8_t k24 = proc::kRtc24Hour;
constexpr uint8_t kBinary = proc::kRtcBinary;

TEST(ProcRealTimeClock, DaysFromCivilKnownDates) {
    EXPECT_EQ(proc::days_from_civil(1970, 1, 1), 0);
    EXPECT_EQ(proc::days_from_civil(2000, 3, 1), 11017);
    EXPECT_EQ(proc::days_from_civil(2026, 12, 7), 20794);
}

TEST(ProcRealTimeClock, BcdIn24HourModeIsUtcSeconds) {
    // 2026-12-07 19:40:05 UTC = 1796672405.
    RtcRegisters r{0x05, 0x40, 0x19, 0x07, 0x12, 0x26, 0x20, k24};
    EXPECT_EQ(rtc_epoch_seconds(r), 1796672405);
}

TEST(ProcRealTimeClock, BinaryValues) {
    RtcRegisters r{5, 40, 19, 7, 12, 26, 20, static_cast<uint8_t>(k24 | kBinary)};
    EXPECT_EQ(rtc_epoch_seconds(r), 1796672405);
}

TEST(ProcRealTimeClock, TwelveHourMode) {
    RtcRegisters pm{0x05, 0x40, static_cast<uint8_t>(0x07 | proc::kRtcPm), 0x07, 0x12, 0x26,
                    0x20, 0};
    EXPECT_EQ(rtc_epoch_seconds(pm), 1796672405);
    RtcRegisters midnight{0x00, 0x00, 0x12, 0x01, 0x01, 0x70, 0x19, 0};
    EXPECT_EQ(rtc_epoch_seconds(midnight), 0);
    RtcRegisters noon{0x00, 0x00, static_cast<uint8_t>(0x12 | proc::kRtcPm), 0x01, 0x01, 0x70,
                      0x19, 0};
    EXPECT_EQ(rtc_epoch_seconds(noon), 12 * 3600);
}

TEST(ProcRealTimeClock, NoCenturyByteMeansTwentyFirstCentury) {
    RtcRegisters r{0x05, 0x40, 0x19, 0x07, 0x12, 0x26, 0x00, k24};
    EXPECT_EQ(rtc_epoch_seconds(r), 1796672405);
}

TEST(ProcRealTimeClock, ReadingsThatAreNoDateAreRefused) {
    EXPECT_EQ(rtc_epoch_seconds(RtcRegisters{0x60, 0, 0, 1, 1, 0x26, 0x20, k24}), -1);
    EXPECT_EQ(rtc_epoch_seconds(RtcRegisters{0, 0, 0x24, 1, 1, 0x26, 0x20, k24}), -1);
    EXPECT_EQ(rtc_epoch_seconds(RtcRegisters{0, 0, 0, 0, 1, 0x26, 0x20, k24}), -1);
    EXPECT_EQ(rtc_epoch_seconds(RtcRegisters{0, 0, 0, 1, 0x13, 0x26, 0x20, k24}), -1);
    EXPECT_EQ(rtc_epoch_seconds(RtcRegisters{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}), -1);
}

} // namespace
