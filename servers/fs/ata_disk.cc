#include "servers/fs/ata_disk.h"

#include <string.h>

#include "interfaces/block/client.h"

namespace fs {

namespace {

axo_timeout_t request_timeout(uint32_t milliseconds) {
    return axo_timeout_us(milliseconds * 1000u);
}

} // namespace

AtaDisk::AtaDisk(axo_thread_id_t proc, const char* name, uint8_t* window_area)
    : m_window(ata::client::aligned_window(window_area)),
      m_session(m_transport, proc, name,
                axo_fpage(reinterpret_cast<uintptr_t>(m_window), ata::kBufferLog2, AXO_FPAGE_RWX)) {
}

ipc::Error AtaDisk::open() {
    if (ipc::Error error = m_session.attach(request_timeout(kTimeoutMs)); error != ipc::Error::ok)
        return error;
    const ata::BufferReply& reply = m_session.attach_reply();
    m_sectors = (uint64_t{reply.sectors_high} << 32) | reply.sectors_low;
    return ipc::Error::ok;
}

ipc::Error AtaDisk::read(uint64_t sector, uint32_t count, std::span<uint8_t> buffer) {
    if (buffer.size() != size_t{count} * ata::kSectorBytes || sector > m_sectors ||
        count > m_sectors - sector)
        return ipc::Error::invalid_argument;
    while (count > 0) {
        uint32_t chunk = count < ata::kBufferSectors ? count : ata::kBufferSectors;
        ata::ReadRequest request;
        request.lba_low = static_cast<uint32_t>(sector);
        request.lba_high = static_cast<uint32_t>(sector >> 32);
        request.count = chunk;
        request.offset = 0;
        ipc::Empty reply;
        if (ipc::Error error =
                m_session.call_idempotent(request, reply, request_timeout(kTimeoutMs));
            error != ipc::Error::ok)
            return error;
        memcpy(buffer.data(), m_window, size_t{chunk} * ata::kSectorBytes);
        buffer = buffer.subspan(size_t{chunk} * ata::kSectorBytes);
        sector += chunk;
        count -= chunk;
    }
    return ipc::Error::ok;
}

ipc::Error AtaDisk::write(uint64_t sector, uint32_t count, std::span<const uint8_t> buffer) {
    if (buffer.size() != size_t{count} * ata::kSectorBytes || sector > m_sectors ||
        count > m_sectors - sector)
        return ipc::Error::invalid_argument;
    while (count > 0) {
        uint32_t chunk = count < ata::kBufferSectors ? count : ata::kBufferSectors;
        size_t bytes = size_t{chunk} * ata::kSectorBytes;
        ata::WriteRequest request;
        request.lba_low = static_cast<uint32_t>(sector);
        request.lba_high = static_cast<uint32_t>(sector >> 32);
        request.count = chunk;
        request.offset = 0;
        ipc::Empty reply;
        // The data goes into the buffer now, and again into a new buffer after a re-attach.
        auto fill = [&] { memcpy(m_window, buffer.data(), bytes); };
        fill();
        if (ipc::Error error =
                m_session.call_idempotent(request, reply, request_timeout(kTimeoutMs), fill);
            error != ipc::Error::ok)
            return error;
        buffer = buffer.subspan(bytes);
        sector += chunk;
        count -= chunk;
    }
    return ipc::Error::ok;
}

ipc::Error AtaDisk::flush() {
    ipc::Empty reply;
    return m_session.call_idempotent(ata::FlushRequest{}, reply, request_timeout(kTimeoutMs));
}

} // namespace fs
