// Test doubles of the file system's surroundings: a disk in memory that records what was done
// to it and fails on request, a clock that moves only when told, and ext2 images made by the
// real mke2fs (e2fsprogs) for the tests to mount.
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "servers/fs/cache/block_device.h"
#include "servers/fs/vfs/file_system.h"

namespace fs::testing {

class MemoryBlockDevice final : public BlockDevice {
public:
    struct Operation {
        char kind; // 'r', 'w', 'f'
        uint64_t sector;
        uint32_t count;
    };

    explicit MemoryBlockDevice(uint64_t bytes) : m_bytes(bytes, 0) {}
    explicit MemoryBlockDevice(std::vector<uint8_t> bytes) : m_bytes(std::move(bytes)) {}

    uint32_t sector_bytes() const override { return 512; }
    uint64_t sectors() const override { return m_bytes.size() / 512; }
    ipc::Error read(uint64_t sector, uint32_t count, std::span<uint8_t> buffer) override {
        if (sector + count > sectors() || buffer.size() != count * 512ull) {
            return ipc::Error::invalid_argument;
        }
        if (fails(sector, count, m_failing_reads)) {
            return ipc::Error::io_error;
        }
        log.push_back({'r', sector, count});
        memcpy(buffer.data(), m_bytes.data() + sector * 512, buffer.size());
        return ipc::Error::ok;
    }
    ipc::Error write(uint64_t sector, uint32_t count, std::span<const uint8_t> buffer) override {
        if (sector + count > sectors() || buffer.size() != count * 512ull) {
            return ipc::Error::invalid_argument;
        }
        if (fails(sector, count, m_failing_writes)) {
            return ipc::Error::io_error;
        }
        log.push_back({'w', sector, count});
        memcpy(m_bytes.data() + sector * 512, buffer.data(), buffer.size());
        return ipc::Error::ok;
    }
    ipc::Error flush() override {
        if (fail_flush) {
            return ipc::Error::io_error;
        }
        log.push_back({'f', 0, 0});
        return ipc::Error::ok;
    }

    void fail_reads(uint64_t sector) { m_failing_reads.insert(sector); }
    void fail_writes(uint64_t sector) { m_failing_writes.insert(sector); }
    void heal() {
        m_failing_reads.clear();
        m_failing_writes.clear();
        fail_flush = false;
    }
    std::vector<uint8_t>& bytes() { return m_bytes; }

    std::vector<Operation> log;
    bool fail_flush = false;

private:
    static bool fails(uint64_t sector, uint32_t count, const std::set<uint64_t>& failing) {
        auto it = failing.lower_bound(sector);
        return it != failing.end() && *it < sector + count;
    }

    std::vector<uint8_t> m_bytes;
    std::set<uint64_t> m_failing_reads;
    std::set<uint64_t> m_failing_writes;
};

class FakeClock final : public Clock {
public:
    Timestamp now() override { return time; }
    void advance(int64_t seconds, uint32_t nanoseconds = 0) {
        time.seconds += seconds;
        time.nanoseconds += nanoseconds;
        if (time.nanoseconds >= 1000000000u) {
            time.nanoseconds -= 1000000000u;
            ++time.seconds;
        }
    }
    Timestamp time{1600000000, 0};
};

// An ext2 file system made by mke2fs: `kibibytes` of disk, `block_size`, `inode_size`,
// `inodes` (0: mke2fs's choice), with `extra` mke2fs arguments.
inline std::vector<uint8_t> make_ext2_image(uint32_t kibibytes, uint32_t block_size,
                                            uint32_t inode_size, uint32_t inodes = 0,
                                            const std::string& extra = "") {
    std::string path = "/tmp/axo-ext2-" + std::to_string(getpid()) + ".img";
    std::string command = "PATH=$PATH:/usr/sbin:/sbin mke2fs -q -F -t ext2 -b " +
                          std::to_string(block_size) + " -I " + std::to_string(inode_size) +
                          (inodes != 0 ? " -N " + std::to_string(inodes) : std::string()) + " " +
                          extra + " " + path + " " + std::to_string(kibibytes) +
                          "k >/dev/null 2>&1";
    std::vector<uint8_t> bytes;
    if (system(command.c_str()) != 0) {
        return bytes;
    }
    FILE* file = fopen(path.c_str(), "rb");
    if (file != nullptr) {
        bytes.resize(uint64_t{kibibytes} * 1024);
        size_t got = fread(bytes.data(), 1, bytes.size(), file);
        bytes.resize(got);
        fclose(file);
    }
    unlink(path.c_str());
    return bytes;
}

} // namespace fs::testing
