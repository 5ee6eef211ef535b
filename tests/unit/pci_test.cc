// The PCI server's pure logic (servers/drivers/pci/pci.h): BAR decoding, enumeration over a
// fake configuration space (multi-function devices, a bridge, 64-bit BARs), look-ups, the
// pci= boot word and the grant ranges of BARs.
#include <gtest/gtest.h>

#include <map>

#include "servers/drivers/pci/pci.h"

namespace {

using pci::BarInfo;

TEST(PciBar, MemoryBarSizeFromTheProbe) {
    BarInfo bar;
    EXPECT_EQ(pci::decode_bar(0xFEB80000u, 0xFFFE0000u, 0, 0, bar), 1u);
    EXPECT_EQ(bar.base, 0xFEB80000u);
    EXPECT_EQ(bar.size, 0x20000u);
    EXPECT_EQ(bar.flags, pci::kBarPresent);
}

TEST(PciBar, PrefetchableMemory) {
    BarInfo bar;
    pci::decode_bar(0xFD000008u, 0xFF000008u, 0, 0, bar);
    EXPECT_EQ(bar.base, 0xFD000000u);
    EXPECT_EQ(bar.size, 0x1000000u);
    EXPECT_EQ(bar.flags, pci::kBarPresent | pci::kBarPrefetch);
}

TEST(PciBar, IoBarUpperBitsReadAsZero) {
    BarInfo bar;
    EXPECT_EQ(pci::decode_bar(0xC001u, 0x0000FFC1u, 0, 0, bar), 1u);
    EXPECT_EQ(bar.base, 0xC000u);
    EXPECT_EQ(bar.size, 0x40u);
    EXPECT_EQ(bar.flags, pci::kBarPresent | pci::kBarIo);
}

TEST(PciBar, UnimplementedBarIsAbsent) {
    BarInfo bar;
    EXPECT_EQ(pci::decode_bar(0, 0, 0, 0, bar), 1u);
    EXPECT_EQ(bar.flags, 0u);
    EXPECT_EQ(bar.size, 0u);
}

TEST(PciBar, SixtyFourBitBarTakesTwoSlots) {
    BarInfo bar;
    EXPECT_EQ(pci::decode_bar(0xFE000004u, 0xFFFFC004u, 0, 0xFFFFFFFFu, bar), 2u);
    EXPECT_EQ(bar.base, 0xFE000000u);
    EXPECT_EQ(bar.size, 0x4000u);
    EXPECT_EQ(bar.flags, pci::kBarPresent | pci::kBar64);
    // Placed above 4 GiB: marked unusable.
    EXPECT_EQ(pci::decode_bar(0x00000004u, 0xFFFFC004u, 0x1u, 0xFFFFFFFFu, bar), 2u);
    EXPECT_TRUE(bar.flags & pci::kBarAbove4G);
    pci::Range range;
    EXPECT_FALSE(pci::bar_range(bar, range));
}

// A fake bus: registers per (bus, slot, function); BARs answer the all-ones probe with their
// size mask; everything absent reads all ones.
struct FakeFunction {
    std::map<uint32_t, uint32_t> regs;
    uint32_t bar_mask[6] = {};
    uint32_t command_writes = 0;
    bool decoding_off_while_probing = true;
};

struct FakeBus {
    std::map<uint32_t, FakeFunction> functions; // key: config_address(b, s, f, 0)

    static uint32_t read(void* context, uint32_t address) {
        auto& bus = *static_cast<FakeBus*>(context);
        auto it = bus.functions.find(address & ~0xFFu);
        if (it == bus.functions.end()) return 0xFFFFFFFFu;
        auto reg = it->second.regs.find(address & 0xFC);
        return reg == it->second.regs.end() ? 0 : reg->second;
    }
    static void write(void* context, uint32_t address, uint32_t value) {
        auto& bus = *static_cast<FakeBus*>(context);
        auto it = bus.functions.find(address & ~0xFFu);
        if (it == bus.functions.end()) return;
        FakeFunction& f = it->second;
        uint32_t offset = address & 0xFC;
        if (offset >= 0x10 && offset < 0x28) {
            uint32_t i = (offset - 0x10) / 4;
            if (value == 0xFFFFFFFFu) {
                if (f.regs[4] & 3) f.decoding_off_while_probing = false;
                uint32_t low_bits = f.regs[offset] & (f.regs[offset] & 1 ? 0x3 : 0xF);
                f.regs[offset] = f.bar_mask[i] == 0 ? 0 : (f.bar_mask[i] | low_bits);
                return;
            }
        }
        if (offset == 4) ++f.command_writes;
        f.regs[offset] = value;
    }

    FakeFunction& add(uint32_t bus, uint32_t slot, uint32_t function, uint16_t vendor,
                      uint16_t device, uint32_t class_word, uint32_t header = 0) {
        FakeFunction& f = functions[pci::config_address(bus, slot, function, 0)];
        f.regs[0] = vendor | uint32_t{device} << 16;
        f.regs[8] = class_word;
        f.regs[0xC] = header << 16;
        f.regs[4] = 0x0003;
        return f;
    }
};

TEST(PciEnumerate, FindsFunctionsBarsBridgesAndRestoresRegisters) {
    FakeBus bus;
    bus.add(0, 0, 0, 0x8086, 0x1237, 0x06000000);
    bus.add(0, 1, 0, 0x8086, 0x7000, 0x06010000, 0x80); // multi-function
    FakeFunction& ide = bus.add(0, 1, 1, 0x8086, 0x7010, 0x01018000);
    ide.regs[0x20] = 0xC081;
    ide.bar_mask[4] = 0xFFFFFFF1u & ~0xF;
    FakeFunction& nic = bus.add(0, 3, 0, 0x8086, 0x100E, 0x02000003);
    nic.regs[0x10] = 0xFEB80000u;
    nic.bar_mask[0] = 0xFFFE0000u;
    nic.regs[0x14] = 0xC001u;
    nic.bar_mask[1] = 0xFFFFFFC0u;
    nic.regs[0x3C] = 0x010B;
    FakeFunction& bridge = bus.add(0, 5, 0, 0x1B36, 0x0001, 0x06040000, 1);
    bridge.regs[0x18] = 0x00020100; // primary 0, secondary 1, subordinate 2
    FakeFunction& nic2 = bus.add(1, 0, 0, 0x8086, 0x100E, 0x02000003);
    nic2.regs[0x3C] = 0x010A;

    pci::Table table;
    pci::ConfigAccess access{&FakeBus::read, &FakeBus::write, &bus};
    table.enumerate(access);
    ASSERT_EQ(table.count(), 6u);
    EXPECT_EQ(table.buses(), 2u);

    const pci::DeviceReply* d = table.find(0x8086, 0x100E, 0);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->slot, 3);
    EXPECT_EQ(d->class_code, 0x02);
    EXPECT_EQ(d->revision, 3);
    EXPECT_EQ(d->irq_line, 11);
    EXPECT_EQ(d->irq_pin, 1);
    EXPECT_EQ(d->bars[0].base, 0xFEB80000u);
    EXPECT_EQ(d->bars[0].size, 0x20000u);
    EXPECT_EQ(d->bars[1].flags, pci::kBarPresent | pci::kBarIo);
    EXPECT_EQ(d->bars[1].size, 0x40u);
    // Registers restored after the probe; decoding was off during it and is back on.
    EXPECT_EQ(FakeBus::read(&bus, pci::config_address(0, 3, 0, 0x10)), 0xFEB80000u);
    EXPECT_EQ(FakeBus::read(&bus, pci::config_address(0, 3, 0, 0x14)), 0xC001u);
    EXPECT_EQ(FakeBus::read(&bus, pci::config_address(0, 3, 0, 4)) & 3, 3u);
    EXPECT_TRUE(nic.decoding_off_while_probing);

    const pci::DeviceReply* behind = table.find(0x8086, 0x100E, 1);
    ASSERT_NE(behind, nullptr);
    EXPECT_EQ(behind->bus, 1);
    EXPECT_EQ(table.find(0x8086, 0x100E, 2), nullptr);
    EXPECT_EQ(table.find(0x8086, pci::kAnyId, 2)->device, 0x7010);
    EXPECT_EQ(table.find_class(0x01, 0x01, 0)->function, 1);
    EXPECT_EQ(table.find_class(0x06, 0xFF, 2)->vendor, 0x1B36);
    EXPECT_EQ(table.find_class(0x06, 0x04, 1), nullptr);
    EXPECT_NE(table.find_location(0, 1, 1), nullptr);
    EXPECT_EQ(table.find_location(0, 1, 2), nullptr);
    // The N of pci=VVVV:DDDD.N that the server reports to proc: which of the equal ids.
    EXPECT_EQ(table.index_of(*d), 0u);
    EXPECT_EQ(table.index_of(*behind), 1u);
    EXPECT_EQ(table.index_of(*table.find(0x8086, pci::kAnyId, 2)), 0u);
}

TEST(PciEnable, DecodingForTheBarsItHasAndBusMastering) {
    pci::DeviceReply d{};
    EXPECT_EQ(pci::enable_bits(d), pci::kCommandBusMaster);
    d.bars[0] = {0xFEB80000u, 0x20000u, pci::kBarPresent};
    EXPECT_EQ(pci::enable_bits(d), pci::kCommandBusMaster | pci::kCommandMemory);
    d.bars[1] = {0xC000u, 0x40u, pci::kBarPresent | pci::kBarIo};
    EXPECT_EQ(pci::enable_bits(d), pci::kCommandBusMaster | pci::kCommandMemory | pci::kCommandIo);
    d.bars[0] = {};
    EXPECT_EQ(pci::enable_bits(d), pci::kCommandBusMaster | pci::kCommandIo);
}

TEST(PciMatch, ParsesVendorDeviceAndIndex) {
    pci::Match m{};
    ASSERT_TRUE(pci::parse_match("8086:100e", m));
    EXPECT_EQ(m.vendor, 0x8086u);
    EXPECT_EQ(m.device, 0x100Eu);
    EXPECT_EQ(m.index, 0u);
    ASSERT_TRUE(pci::parse_match("8086:100E.12", m));
    EXPECT_EQ(m.index, 12u);
    for (const char* bad :
         {"", "8086", "8086:", "8086:100", "8086:100e.", "8086:100e.x", "8086:100e.1x", "808:6100e",
          "ffff:0000", "8086:100e.64", "8086-100e", "8086:100e1"})
        EXPECT_FALSE(pci::parse_match(bad, m)) << bad;
}

TEST(PciRange, MemoryBarsArePagesIoBarsPorts) {
    pci::Range r{};
    ASSERT_TRUE(pci::bar_range(BarInfo{0xFEB80000u, 0x20000u, pci::kBarPresent}, r));
    EXPECT_EQ(r.first, 0xFEB80000u);
    EXPECT_EQ(r.last, 0xFEB9FFFFu);
    EXPECT_FALSE(r.io);
    ASSERT_TRUE(pci::bar_range(BarInfo{0xFEBD1010u, 0x10u, pci::kBarPresent}, r));
    EXPECT_EQ(r.first, 0xFEBD1000u);
    EXPECT_EQ(r.last, 0xFEBD1FFFu);
    ASSERT_TRUE(pci::bar_range(BarInfo{0xC000u, 0x40u, pci::kBarPresent | pci::kBarIo}, r));
    EXPECT_EQ(r.first, 0xC000u);
    EXPECT_EQ(r.last, 0xC03Fu);
    EXPECT_TRUE(r.io);
    EXPECT_FALSE(pci::bar_range(BarInfo{0, 0, 0}, r));
    EXPECT_FALSE(pci::bar_range(BarInfo{0xFFF0u, 0x100u, pci::kBarPresent | pci::kBarIo}, r));
}

TEST(PciIrq, OnlyGrantableLines) {
    pci::DeviceReply d{};
    uint32_t line = 0;
    d.irq_pin = 1;
    d.irq_line = 11;
    EXPECT_TRUE(pci::irq_of(d, line));
    EXPECT_EQ(line, 11u);
    for (uint8_t bad : {0, 2, 16, 0xFF}) {
        d.irq_line = bad;
        EXPECT_FALSE(pci::irq_of(d, line)) << int{bad};
    }
    d.irq_line = 10;
    d.irq_pin = 0;
    EXPECT_FALSE(pci::irq_of(d, line));
}

} // namespace
