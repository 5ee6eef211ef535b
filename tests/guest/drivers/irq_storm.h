// The requests irq_storm (irq_storm.cc) answers: private to the drivers test, two untyped words
// back (MR1: the interrupts taken so far;
// MR2: 1 if the storm was already pending when the driver started).
#pragma once

#include <stdint.h>

namespace storm {

constexpr uint32_t kStormCount = 0x5701;
constexpr uint32_t kStormStop = 0x5702;

} // namespace storm
