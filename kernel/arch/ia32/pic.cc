#include "kernel/arch/ia32/pic.h"

#include "kernel/arch/ia32/io.h"

namespace axo::ia32::pic {

namespace {
constexpr uint16_t kMasterCommand = 0x20, kMasterData = 0x21;
constexpr uint16_t kSlaveCommand = 0xA0, kSlaveData = 0xA1;

constexpr uint8_t kIcw1Init = 0x10, kIcw1NeedIcw4 = 0x01;
constexpr uint8_t kIcw4Mode8086 = 0x01;
constexpr uint8_t kOcw2EndOfInterrupt = 0x20;
constexpr uint8_t kOcw3ReadIsr = 0x0B;

uint16_t g_mask = 0xFFFF;

void write_mask() {
    outb(kMasterData, g_mask & 0xFF);
    outb(kSlaveData, g_mask >> 8);
}
} // namespace

void init(uint8_t vector_base) {
    outb(kMasterCommand, kIcw1Init | kIcw1NeedIcw4);
    io_delay();
    outb(kSlaveCommand, kIcw1Init | kIcw1NeedIcw4);
    io_delay();
    outb(kMasterData, vector_base);
    io_delay();
    outb(kSlaveData, vector_base + 8);
    io_delay();
    outb(kMasterData, 1 << kCascadeLine); // slave on line 2
    io_delay();
    outb(kSlaveData, kCascadeLine); // slave identity
    io_delay();
    outb(kMasterData, kIcw4Mode8086);
    io_delay();
    outb(kSlaveData, kIcw4Mode8086);
    io_delay();
    g_mask = static_cast<uint16_t>(~(1u << kCascadeLine)); // everything masked but the cascade
    write_mask();
}

void mask(uint32_t irq) {
    g_mask |= static_cast<uint16_t>(1u << irq);
    write_mask();
}

void unmask(uint32_t irq) {
    g_mask &= static_cast<uint16_t>(~(1u << irq));
    write_mask();
}

void end_of_interrupt(uint32_t irq) {
    if (irq >= 8) outb(kSlaveCommand, kOcw2EndOfInterrupt);
    outb(kMasterCommand, kOcw2EndOfInterrupt);
}

bool is_spurious(uint32_t irq) {
    if (irq != 7 && irq != 15) return false;
    uint16_t port = irq == 7 ? kMasterCommand : kSlaveCommand;
    outb(port, kOcw3ReadIsr);
    bool in_service = inb(port) & 0x80;
    if (in_service) return false;
    // A spurious IRQ 15 still took the master's cascade line: acknowledge that one.
    if (irq == 15) outb(kMasterCommand, kOcw2EndOfInterrupt);
    return true;
}

} // namespace axo::ia32::pic
