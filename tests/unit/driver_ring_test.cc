// lib/driver/ring.h: the drivers' byte rings (the serial driver's receive and transmit
// buffers): capacity, order, partial puts, peek without consuming, and the wrap of the
// free-running counters.
#include <gtest/gtest.h>

#include "lib/driver/ring.h"

namespace driver {
namespace {

TEST(DriverRing, FillsToCapacityAndKeepsOrder) {
    Ring<8> ring;
    EXPECT_TRUE(ring.empty());
    for (uint8_t i = 0; i < 8; ++i)
        EXPECT_TRUE(ring.put(i));
    EXPECT_TRUE(ring.full());
    EXPECT_FALSE(ring.put(9));
    EXPECT_EQ(ring.room(), 0u);
    for (uint8_t i = 0; i < 8; ++i)
        EXPECT_EQ(ring.get(), i);
    EXPECT_TRUE(ring.empty());
}

TEST(DriverRing, PartialPutPeekAndDrop) {
    Ring<8> ring;
    const uint8_t bytes[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    EXPECT_EQ(ring.put(bytes, 5), 5u);
    EXPECT_EQ(ring.put(bytes + 5, 7), 3u); // only what fits
    uint8_t out[16] = {};
    EXPECT_EQ(ring.peek(out, 16), 8u);
    EXPECT_EQ(ring.size(), 8u); // peek consumes nothing
    for (uint8_t i = 0; i < 8; ++i)
        EXPECT_EQ(out[i], i + 1);
    ring.drop(3);
    EXPECT_EQ(ring.peek(0), 4);
    ring.drop(100); // never more than there is
    EXPECT_TRUE(ring.empty());
}

TEST(DriverRing, WrapsAroundManyTimes) {
    Ring<16> ring;
    uint32_t next_in = 0, next_out = 0;
    for (uint32_t step = 0; step < 10000; ++step) {
        for (uint32_t i = 0; i < step % 7 && !ring.full(); ++i)
            ring.put(static_cast<uint8_t>(next_in++));
        for (uint32_t i = 0; i < step % 5 && !ring.empty(); ++i)
            ASSERT_EQ(ring.get(), static_cast<uint8_t>(next_out++));
        ASSERT_EQ(ring.size(), next_in - next_out);
    }
}

} // namespace
} // namespace driver
