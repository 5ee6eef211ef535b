// The ATA driver's state and logic (README.md): the device (PIO commands driven by the
// interrupt, every wait bounded), the clients' buffers in the DMA block, and the protocol's
// handlers.
#pragma once

#include <stdint.h>

#include "interfaces/block/protocol.h"
#include "lib/driver/client_gate.h"
#include "lib/driver/driver.h"
#include "lib/ipc/session.h"

namespace ata {

// Command block registers, offsets from the base port (ATA/ATAPI-6, 7.x).
namespace reg {
constexpr uint16_t kData = 0;
constexpr uint16_t kError = 1; // read
constexpr uint16_t kSectorCount = 2;
constexpr uint16_t kLbaLow = 3;
constexpr uint16_t kLbaMid = 4;
constexpr uint16_t kLbaHigh = 5;
constexpr uint16_t kDevice = 6;
constexpr uint16_t kStatus = 7;  // read: clears the device's INTRQ
constexpr uint16_t kCommand = 7; // write
} // namespace reg

// Status bits.
constexpr uint8_t kBsy = 0x80, kDrdy = 0x40, kDf = 0x20, kDrq = 0x08, kErr = 0x01;
// Device control register (the control block's port; reading it is the alternate status).
constexpr uint8_t kControlNien = 0x02, kControlSrst = 0x04, kControlHob = 0x80;
// Device register: LBA addressing, master.
constexpr uint8_t kDeviceLba = 0x40, kDeviceObsolete = 0xA0;

namespace cmd {
constexpr uint8_t kReadSectors = 0x20;
constexpr uint8_t kReadSectorsExt = 0x24;
constexpr uint8_t kWriteSectors = 0x30;
constexpr uint8_t kWriteSectorsExt = 0x34;
constexpr uint8_t kReadMultiple = 0xC4;
constexpr uint8_t kReadMultipleExt = 0x29;
constexpr uint8_t kWriteMultiple = 0xC5;
constexpr uint8_t kWriteMultipleExt = 0x39;
constexpr uint8_t kSetMultipleMode = 0xC6;
constexpr uint8_t kFlushCache = 0xE7;
constexpr uint8_t kFlushCacheExt = 0xEA;
constexpr uint8_t kIdentify = 0xEC;
} // namespace cmd

class Ata {
public:
    // The channel at `port` (command block, 8 ports) and `control` (device control), IRQ
    // `irq` (attached already), buffers in the DMA block at `buffers` (kMaxBuffers *
    // kBufferBytes, nullptr: none). Resets the channel and identifies the master: what the
    // driver knows it learns from the device, so a restarted instance starts the same way.
    // False (with a message) if there is no ATA disk.
    bool start(const char* name, uint16_t port, uint16_t control, uint32_t irq, uint8_t* buffers,
               uint32_t restarts);

    // An interrupt message that came while no command waited for one.
    void spurious_interrupt(uint32_t line);

    ipc::Error buffer(axo_thread_id_t from);
    ipc::Error release(axo_thread_id_t from);
    ipc::Error transfer(axo_thread_id_t from, const TransferRequest& request, bool write);
    ipc::Error flush();
    void info(InfoReply& reply) const { reply = m_info; }
    uint32_t block_sectors() const { return m_block; }
    void statistics(StatisticsReply& reply) const;

    driver::Interrupts interrupts;

private:
    uint8_t in(uint16_t offset) const {
        return driver::inb(static_cast<uint16_t>(m_port + offset));
    }
    void out(uint16_t offset, uint8_t value) const {
        driver::outb(static_cast<uint16_t>(m_port + offset), value);
    }
    uint8_t alternate_status() const { return driver::inb(m_control); }
    void delay400ns() const;
    bool reset();
    // Polls the alternate status until BSY is clear (and `mask` bits equal `want`), bounded.
    bool poll(uint8_t mask, uint8_t want, uint8_t& status);
    // The next interrupt of the device: its status (reading it clears INTRQ), BSY clear, the
    // line acknowledged. False when kDeviceTimeoutMs passed without one.
    bool await(uint8_t& status);
    bool identify();
    // READ/WRITE MULTIPLE with the largest block the device offers (IDENTIFY word 47): one
    // interrupt, and under an emulator one request to its disk, per block of sectors instead
    // of per sector. m_block stays 1 (READ/WRITE SECTORS) if the device has none or refuses.
    void set_multiple_mode(uint32_t most);
    void select_and_address(uint64_t lba, uint32_t count, bool ext);
    ipc::Error fail(bool timeout);
    // ok if proc says the process of `from` may use the disk (m_clients: kProcDeviceClient,
    // the allowed threads remembered), else no_permission (counted in `refused`).
    ipc::Error client_check(axo_thread_id_t from);

    const char* m_name = "ata";
    uint16_t m_port = 0;
    uint16_t m_control = 0;
    uint32_t m_irq = 0;
    uint64_t m_sectors = 0;
    bool m_lba48 = false;
    bool m_flush_ext = false;
    uint32_t m_block = 1;      // sectors per DRQ block: >1 with READ/WRITE MULTIPLE
    uint32_t m_block_most = 0; // the device's largest block (IDENTIFY word 47)
    // The clients' buffers: a session per thread; when all are taken, the least recently used
    // one changes owner.
    ipc::Sessions<kMaxBuffers> m_sessions{kBufferLog2, ipc::WhenFull::take_least_recent};
    InfoReply m_info{};
    StatisticsReply m_stats{};
    driver::ClientGate m_clients;
};

} // namespace ata
