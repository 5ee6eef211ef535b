// Flexpage decoding and the placement rule of map items in receive windows.
#include <gtest/gtest.h>

#include "kernel/fpage.h"

namespace axo {
namespace {

TEST(Fpage, NilDecodesAsNil) {
    Fpage f;
    EXPECT_TRUE(decode_fpage(AXO_FPAGE_NIL, f));
    EXPECT_TRUE(f.nil);
}

TEST(Fpage, MemoryFpages) {
    Fpage f;
    ASSERT_TRUE(decode_fpage(axo_fpage(0x400000, 22, AXO_FPAGE_R | AXO_FPAGE_W), f));
    EXPECT_EQ(f.base, 0x400000u);
    EXPECT_EQ(f.size(), 0x400000u);
    EXPECT_EQ(f.rights, AXO_FPAGE_R | AXO_FPAGE_W);
    EXPECT_FALSE(f.io);
}

TEST(Fpage, MalformedMemoryFpagesAreRefused) {
    Fpage f;
    EXPECT_FALSE(decode_fpage(axo_fpage(0x1000, 13, 7), f)) << "base not aligned to the size";
    EXPECT_FALSE(decode_fpage(axo_fpage(0x0, 11, 7), f)) << "smaller than a page";
    EXPECT_FALSE(decode_fpage(axo_fpage(0x0, 33, 7), f)) << "larger than the address space";
    EXPECT_FALSE(decode_fpage(axo_fpage(0x1000, 32, 7), f)) << "complete fpage with a base";
    EXPECT_FALSE(decode_fpage(axo_fpage(0x1000, 12, 7) | 0x400, f)) << "reserved bits";
}

TEST(Fpage, CompleteFpage) {
    Fpage f;
    ASSERT_TRUE(decode_fpage(AXO_FPAGE_COMPLETE, f));
    EXPECT_TRUE(f.complete());
}

TEST(Fpage, IoFpages) {
    Fpage f;
    ASSERT_TRUE(decode_fpage(axo_io_fpage(0x3F8, 3), f));
    EXPECT_TRUE(f.io);
    EXPECT_EQ(f.base, 0x3F8u);
    EXPECT_EQ(f.size(), 8u);
    EXPECT_FALSE(decode_fpage(axo_io_fpage(0x3F9, 3), f)) << "misaligned ports";
    EXPECT_FALSE(decode_fpage(axo_io_fpage(0, 17), f)) << "more than 65536 ports";
    EXPECT_FALSE(decode_fpage(axo_io_fpage(0x3F8, 3) | 1, f)) << "rights bits in an I/O fpage";
}

TEST(Placement, LargerWindowUsesTheHotspot) {
    Fpage send, window;
    ASSERT_TRUE(decode_fpage(axo_fpage(0x7000000, 12, 7), send));
    ASSERT_TRUE(decode_fpage(axo_fpage(0x20000000, 22, 7), window));
    Placement p;
    ASSERT_TRUE(place(send, 0x00123456, window, p));
    EXPECT_EQ(p.source, 0x7000000u);
    EXPECT_EQ(p.destination, 0x20123000u);
    EXPECT_EQ(p.size, 0x1000u);
}

TEST(Placement, CompleteWindowPutsPagesAtTheHotspot) {
    Fpage send, window;
    ASSERT_TRUE(decode_fpage(axo_fpage(0x20000000, 12, 7), send));
    ASSERT_TRUE(decode_fpage(AXO_FPAGE_COMPLETE, window));
    Placement p;
    ASSERT_TRUE(place(send, 0x30000ABC, window, p));
    EXPECT_EQ(p.destination, 0x30000000u);
}

TEST(Placement, SmallerWindowTakesThePartWithTheHotspot) {
    Fpage send, window;
    ASSERT_TRUE(decode_fpage(axo_fpage(0x400000, 22, 7), send));
    ASSERT_TRUE(decode_fpage(axo_fpage(0x10000000, 12, 7), window));
    Placement p;
    ASSERT_TRUE(place(send, 0x00005000, window, p));
    EXPECT_EQ(p.source, 0x405000u);
    EXPECT_EQ(p.destination, 0x10000000u);
    EXPECT_EQ(p.size, 0x1000u);
}

TEST(Placement, NilWindowAcceptsNothing) {
    Fpage send, window;
    ASSERT_TRUE(decode_fpage(axo_fpage(0x1000, 12, 7), send));
    ASSERT_TRUE(decode_fpage(AXO_FPAGE_NIL, window));
    Placement p;
    EXPECT_FALSE(place(send, 0, window, p));
}

TEST(Placement, PortsKeepTheirNumbersAndAreClippedByIoWindows) {
    Fpage send, window;
    ASSERT_TRUE(decode_fpage(axo_io_fpage(0x3F0, 4), send)); // 0x3F0-0x3FF
    ASSERT_TRUE(decode_fpage(axo_io_fpage(0x3F8, 3), window));
    Placement p;
    ASSERT_TRUE(place(send, 0, window, p));
    EXPECT_EQ(p.source, 0x3F8u);
    EXPECT_EQ(p.destination, 0x3F8u);
    EXPECT_EQ(p.size, 8u);
    Fpage memory_window;
    ASSERT_TRUE(decode_fpage(axo_fpage(0x10000000, 12, 7), memory_window));
    EXPECT_FALSE(place(send, 0, memory_window, p)) << "ports never land in a memory window";
}

} // namespace
} // namespace axo
