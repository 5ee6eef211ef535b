// The ATA driver (interfaces/block) as the block cache's device: sectors move through the
// 64 KiB buffer the driver shares with fs (names::Session), at most ata::kBufferSectors per
// request, copied between that buffer and the cache's memory. A driver that dies and is
// restarted by proc is looked up again and the buffer set up again; reads and writes are
// idempotent, so the interrupted request is simply sent again (names::Session's retries).
#pragma once

#include <stdint.h>

#include "interfaces/block/protocol.h"
#include "lib/ipc/kernel.h"
#include "lib/names/session.h"
#include "servers/fs/cache/block_device.h"

namespace fs {

class AtaDisk final : public BlockDevice {
public:
    // `window_area`: 2 * ata::kBufferBytes of fs's own memory (a static array); the buffer
    // lands in its aligned half. `name`: the driver's name ("ata") in proc's name service.
    AtaDisk(axo_thread_id_t proc, const char* name, uint8_t* window_area);

    // Attaches and learns the disk's size. Errors: the name service's and the driver's.
    ipc::Error open();

    uint32_t sector_bytes() const override { return ata::kSectorBytes; }
    uint64_t sectors() const override { return m_sectors; }
    ipc::Error read(uint64_t sector, uint32_t count, std::span<uint8_t> buffer) override;
    ipc::Error write(uint64_t sector, uint32_t count, std::span<const uint8_t> buffer) override;
    ipc::Error flush() override;

private:
    // Per request: the driver bounds each wait for the device by kDeviceTimeoutMs.
    static constexpr uint32_t kTimeoutMs = 2 * ata::kDeviceTimeoutMs;

    ipc::KernelTransport m_transport;
    uint8_t* m_window;
    names::Session<ipc::KernelTransport, ata::BufferRequest> m_session;
    uint64_t m_sectors = 0;
};

} // namespace fs
