// A disk as the file system's block cache sees it: an array of sectors. The ATA driver's
// client (interfaces/block) at the server's edge, a memory image in host tests.
#pragma once

#include <stdint.h>

#include <span>

#include "lib/ipc/error.h"

namespace fs {

class BlockDevice {
public:
    virtual uint32_t sector_bytes() const = 0; // 512 for ATA
    virtual uint64_t sectors() const = 0;
    // `buffer` holds exactly count * sector_bytes() bytes. Errors: invalid_argument (beyond
    // the device), io_error.
    virtual ipc::Error read(uint64_t sector, uint32_t count, std::span<uint8_t> buffer) = 0;
    virtual ipc::Error write(uint64_t sector, uint32_t count, std::span<const uint8_t> buffer) = 0;
    // Everything written before is durable when it answers.
    virtual ipc::Error flush() = 0;

protected:
    ~BlockDevice() = default;
};

} // namespace fs
