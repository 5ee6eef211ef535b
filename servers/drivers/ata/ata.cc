#include "servers/drivers/ata/ata.h"

#include "rt/rt.h"

#include "lib/ipc/kernel.h"
#include "lib/ipc/session_kernel.h"

namespace ata {
namespace {

constexpr uint32_t kTimeoutUs = kDeviceTimeoutMs * 1000u;
constexpr uint32_t kPollLimit = 10000000; // status reads per poll, besides the clock

uint64_t combine(uint32_t low, uint32_t high) {
    return (uint64_t{high} << 32) | low;
}

} // namespace

void Ata::delay400ns() const {
    // Four reads of the alternate status take at least 400 ns on any ISA-speed bus: the time
    // a device may take to show a valid status after a command or a drive selection.
    for (int i = 0; i < 4; ++i)
        (void)alternate_status();
}

bool Ata::poll(uint8_t mask, uint8_t want, uint8_t& status) {
    uint64_t deadline = rt_clock_us() + kTimeoutUs;
    for (uint32_t i = 0; i < kPollLimit; ++i) {
        status = alternate_status();
        if ((status & kBsy) == 0 && (status & mask) == want) return true;
        if ((status & kBsy) == 0 && (status & (kErr | kDf)) != 0) return false;
        if ((i & 0xFF) == 0xFF && rt_clock_us() >= deadline) break;
    }
    ++m_stats.timeouts;
    return false;
}

bool Ata::await(uint8_t& status) {
    uint64_t deadline = rt_clock_us() + kTimeoutUs;
    axo_thread_id_t irq = axo_irq_thread(m_irq);
    for (;;) {
        uint64_t now = rt_clock_us();
        if (now >= deadline) break;
        uint32_t left = static_cast<uint32_t>(deadline - now);
        // A closed receive: clients wait in their send phase meanwhile.
        axo_thread_id_t from = axo_ipc_receive(irq, axo_timeout_us(left));
        ipc::Message message(axo_my_utcb()->mr);
        uint32_t line = 0;
        if (message.failed() || !driver::interrupt_line(from, message, line)) continue;
        interrupts.note(line);
        ++m_stats.interrupts;
        status = in(reg::kStatus); // clears INTRQ before the line is unmasked again
        driver::acknowledge_line(m_irq);
        if ((status & kBsy) == 0) return true;
        // Not ours (a late interrupt of an earlier command): wait for the next one.
    }
    ++m_stats.timeouts;
    return false;
}

bool Ata::reset() {
    driver::outb(m_control, kControlSrst | kControlNien);
    for (int i = 0; i < 10; ++i) // >= 5 us
        (void)alternate_status();
    driver::outb(m_control, 0); // nIEN clear: the device interrupts
    delay400ns();
    // The reset is over when the master is ready: BSY clear and DRDY set. The master is
    // selected again on every look: a reset may leave the other device selected (QEMU ends
    // its reset, asynchronously, with device 1 selected, whose status then reads 0), and a
    // device ignores the selection while it is busy.
    uint8_t status = 0;
    uint64_t deadline = rt_clock_us() + kTimeoutUs;
    for (uint32_t i = 0; i < kPollLimit; ++i) {
        out(reg::kDevice, kDeviceObsolete);
        delay400ns();
        status = alternate_status();
        if ((status & (kBsy | kDrdy)) == kDrdy) return true;
        if ((i & 0xFF) == 0xFF && rt_clock_us() >= deadline) break;
    }
    return false;
}

bool Ata::identify() {
    out(reg::kDevice, kDeviceObsolete);
    delay400ns();
    uint8_t status = alternate_status();
    if (status == 0xFF) {
        rt_printf("%s: no controller at port %x (status reads 0xff)\n", m_name, m_port);
        return false;
    }
    // The signature after a reset tells ATA (0, 0) from ATAPI (0x14, 0xeb) and nothing.
    uint8_t mid = in(reg::kLbaMid), high = in(reg::kLbaHigh);
    if (mid != 0 || high != 0) {
        rt_printf("%s: the primary master is no ATA disk (signature %x %x)\n", m_name, mid, high);
        return false;
    }
    out(reg::kCommand, cmd::kIdentify);
    delay400ns();
    if (alternate_status() == 0) {
        rt_printf("%s: no device on the primary master\n", m_name);
        return false;
    }
    if (!await(status) || (status & (kErr | kDf)) != 0 || (status & kDrq) == 0) {
        rt_printf("%s: IDENTIFY DEVICE failed (status %x)\n", m_name, status);
        return false;
    }
    uint16_t id[256];
    driver::insw(static_cast<uint16_t>(m_port + reg::kData), id, 256);

    m_lba48 = (id[83] & (1u << 10)) != 0;
    uint64_t lba28 = combine(id[60] | (uint32_t{id[61]} << 16), 0);
    uint64_t lba48 =
        combine(id[100] | (uint32_t{id[101]} << 16), id[102] | (uint32_t{id[103]} << 16));
    m_sectors = m_lba48 && lba48 != 0 ? lba48 : lba28;
    if ((id[49] & (1u << 9)) == 0 || m_sectors == 0) {
        rt_printf("%s: the disk does not do LBA\n", m_name);
        return false;
    }
    m_flush_ext = m_lba48 && (id[83] & (1u << 13)) != 0;
    set_multiple_mode(id[47] & 0xFF);
    m_info.sectors_low = static_cast<uint32_t>(m_sectors);
    m_info.sectors_high = static_cast<uint32_t>(m_sectors >> 32);
    m_info.sector_bytes = kSectorBytes;
    m_info.features =
        (m_lba48 ? kFeatureLba48 : 0) | ((id[83] & (1u << 12)) != 0 ? kFeatureFlushCache : 0);
    // The model: 40 ASCII characters, two per word, the first in the high byte.
    for (uint32_t i = 0; i < 20; ++i) {
        m_info.model[2 * i] = static_cast<char>(id[27 + i] >> 8);
        m_info.model[2 * i + 1] = static_cast<char>(id[27 + i] & 0xFF);
    }
    for (int i = 39; i >= 0 && (m_info.model[i] == ' ' || m_info.model[i] == '\0'); --i)
        m_info.model[i] = '\0';
    for (uint32_t i = 0; i < 40; ++i)
        if (m_info.model[i] != '\0' && (m_info.model[i] < 0x20 || m_info.model[i] > 0x7E))
            m_info.model[i] = '?';
    return true;
}

void Ata::set_multiple_mode(uint32_t most) {
    m_block = 1;
    m_block_most = most;
    // A power of two (ATA-6 allows only those for SET MULTIPLE MODE), at most a buffer.
    uint32_t block = 1;
    while (block * 2 <= most && block * 2 <= kBufferSectors)
        block *= 2;
    if (block == 1) return;
    uint8_t status = 0;
    if (!poll(0, 0, status)) return;
    out(reg::kDevice, kDeviceObsolete);
    delay400ns();
    out(reg::kSectorCount, static_cast<uint8_t>(block));
    out(reg::kCommand, cmd::kSetMultipleMode);
    if (!await(status) || (status & (kErr | kDf)) != 0) return;
    m_block = block;
}

bool Ata::start(const char* name, uint16_t port, uint16_t control, uint32_t irq, uint8_t* buffers,
                uint32_t restarts) {
    m_name = name;
    m_port = port;
    m_control = control;
    m_irq = irq;
    m_sessions.set_host(ipc::kernel_session_host());
    m_sessions.set_buffers(reinterpret_cast<uintptr_t>(buffers));
    m_stats.port = port;
    m_stats.irq = irq;
    m_stats.restarts = restarts;
    if (!reset()) {
        rt_printf("%s: no ready disk on the primary channel after a reset (status %x)\n", m_name,
                  alternate_status());
        return false;
    }
    return identify();
}

void Ata::spurious_interrupt(uint32_t line) {
    interrupts.note(line);
    ++m_stats.interrupts;
    ++m_stats.spurious_interrupts;
    (void)in(reg::kStatus); // whatever it was, the device's INTRQ is cleared
}

// ---- Buffers ----------------------------------------------------------------------------------

ipc::Error Ata::client_check(axo_thread_id_t from) {
    ipc::Error error = m_clients.check(from, m_name);
    if (error != ipc::Error::ok) ++m_stats.refused;
    return error;
}

ipc::Error Ata::buffer(axo_thread_id_t from) {
    if (ipc::Error error = client_check(from); error != ipc::Error::ok) return error;
    ipc::Sessions<kMaxBuffers>::Attached attached = m_sessions.attach(from);
    if (attached.error != ipc::Error::ok) return attached.error;
    BufferReply reply{kBufferBytes, attached.slot, m_info.sectors_low, m_info.sectors_high};
    (void)ipc::send_session_buffer(m_sessions, from, attached, reply, AXO_FPAGE_R | AXO_FPAGE_W);
    return ipc::kNoReply;
}

ipc::Error Ata::release(axo_thread_id_t from) {
    return m_sessions.release(from);
}

// ---- Commands ---------------------------------------------------------------------------------

ipc::Error Ata::fail(bool timeout) {
    ++m_stats.io_errors;
    if (timeout) {
        rt_printf("%s: the device did not answer in %u ms; resetting the channel\n", m_name,
                  kDeviceTimeoutMs);
        // A reset may take the device out of multiple mode: set it again (or go without).
        if (reset()) set_multiple_mode(m_block_most);
    }
    return ipc::Error::io_error;
}

void Ata::select_and_address(uint64_t lba, uint32_t count, bool ext) {
    if (ext) {
        out(reg::kDevice, kDeviceObsolete | kDeviceLba);
        delay400ns();
        // The high-order bytes first, then the low-order ones (each register is a FIFO of 2).
        out(reg::kSectorCount, static_cast<uint8_t>(count >> 8));
        out(reg::kLbaLow, static_cast<uint8_t>(lba >> 24));
        out(reg::kLbaMid, static_cast<uint8_t>(lba >> 32));
        out(reg::kLbaHigh, static_cast<uint8_t>(lba >> 40));
    } else {
        out(reg::kDevice,
            static_cast<uint8_t>(kDeviceObsolete | kDeviceLba | ((lba >> 24) & 0x0F)));
        delay400ns();
    }
    out(reg::kSectorCount, static_cast<uint8_t>(count)); // 256 would be 0: above kBufferSectors
    out(reg::kLbaLow, static_cast<uint8_t>(lba));
    out(reg::kLbaMid, static_cast<uint8_t>(lba >> 8));
    out(reg::kLbaHigh, static_cast<uint8_t>(lba >> 16));
}

ipc::Error Ata::transfer(axo_thread_id_t from, const TransferRequest& request, bool write) {
    uint64_t lba = combine(request.lba_low, request.lba_high);
    uint32_t count = request.count, offset = request.offset;
    uint32_t slot = 0;
    if (m_sessions.find(from, &slot) == nullptr) {
        // A stranger hears that it may not, a client that it must ask for a buffer first.
        if (ipc::Error error = client_check(from); error != ipc::Error::ok) return error;
        ++m_stats.refused;
        return ipc::Error::not_found;
    }
    if (count == 0 || count > kBufferSectors || offset % kSectorBytes != 0 ||
        offset >= kBufferBytes || count * kSectorBytes > kBufferBytes - offset ||
        lba >= m_sectors || count > m_sectors - lba) {
        ++m_stats.refused;
        return ipc::Error::invalid_argument;
    }
    uint8_t* data = m_sessions.buffer(slot) + offset;

    uint8_t status = 0;
    if (!poll(0, 0, status)) return fail(true);
    bool ext = lba + count > (1u << 28);
    if (ext && !m_lba48) {
        ++m_stats.refused;
        return ipc::Error::invalid_argument; // cannot happen: the capacity came from LBA28
    }
    select_and_address(lba, count, ext);
    uint16_t data_port = static_cast<uint16_t>(m_port + reg::kData);
    // Data moves in DRQ blocks: m_block sectors each with READ/WRITE MULTIPLE (the last one
    // may be shorter), one sector each with READ/WRITE SECTORS.
    bool multiple = m_block > 1;
    auto block_at = [&](uint32_t i) { return count - i < m_block ? count - i : m_block; };
    if (write) {
        out(reg::kCommand, multiple ? (ext ? cmd::kWriteMultipleExt : cmd::kWriteMultiple)
                                    : (ext ? cmd::kWriteSectorsExt : cmd::kWriteSectors));
        delay400ns();
        // The first block goes when the device asks (DRQ) — no interrupt for it; each later
        // one after the interrupt of the one before; the last interrupt says it is done.
        if (!poll(kDrq, kDrq, status)) return fail((status & (kErr | kDf)) == 0);
        for (uint32_t i = 0; i < count;) {
            uint32_t n = block_at(i);
            driver::outsw(data_port, data + i * kSectorBytes, n * kSectorBytes / 2);
            i += n;
            if (!await(status)) return fail(true);
            if ((status & (kErr | kDf)) != 0) return fail(false);
            if (i < count && (status & kDrq) == 0) return fail(false);
        }
        ++m_stats.writes;
        m_stats.sectors_written += count;
    } else {
        out(reg::kCommand, multiple ? (ext ? cmd::kReadMultipleExt : cmd::kReadMultiple)
                                    : (ext ? cmd::kReadSectorsExt : cmd::kReadSectors));
        for (uint32_t i = 0; i < count;) {
            uint32_t n = block_at(i);
            if (!await(status)) return fail(true);
            if ((status & (kErr | kDf)) != 0 || (status & kDrq) == 0) return fail(false);
            driver::insw(data_port, data + i * kSectorBytes, n * kSectorBytes / 2);
            i += n;
        }
        ++m_stats.reads;
        m_stats.sectors_read += count;
    }
    return ipc::Error::ok;
}

ipc::Error Ata::flush() {
    uint8_t status = 0;
    if (!poll(0, 0, status)) return fail(true);
    out(reg::kDevice, kDeviceObsolete | kDeviceLba);
    delay400ns();
    out(reg::kCommand, m_flush_ext ? cmd::kFlushCacheExt : cmd::kFlushCache);
    if (!await(status)) return fail(true);
    if ((status & (kErr | kDf)) != 0) return fail(false);
    ++m_stats.flushes;
    return ipc::Error::ok;
}

void Ata::statistics(StatisticsReply& reply) const {
    reply = m_stats;
    reply.buffers = m_sessions.count();
    reply.block_sectors = m_block;
}

} // namespace ata
