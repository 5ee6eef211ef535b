// A mounted ext2 file system on an in-memory disk made by mke2fs, for the ext2 unit tests, and
// the check that the disk is consistent afterwards (e2fsck -fn on a copy).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "servers/fs/cache/block_cache.h"
#include "servers/fs/ext2/ext2_file_system.h"
#include "tests/unit/fs_memory_device.h"

namespace fs::testing {

struct Ext2Geometry {
    uint32_t block_size;
    uint32_t inode_size;
};

inline std::string geometry_name(const ::testing::TestParamInfo<Ext2Geometry>& info) {
    return "blocks" + std::to_string(info.param.block_size) + "_inodes" +
           std::to_string(info.param.inode_size);
}

// e2fsck -fn on the disk's bytes: its output when it found a problem, "" when clean.
inline std::string e2fsck_problems(const std::vector<uint8_t>& bytes) {
    std::string path = "/tmp/axo-ext2-fsck-" + std::to_string(getpid()) + ".img";
    FILE* file = fopen(path.c_str(), "wb");
    if (file == nullptr) {
        return "cannot write " + path;
    }
    fwrite(bytes.data(), 1, bytes.size(), file);
    fclose(file);
    std::string command = "PATH=$PATH:/usr/sbin:/sbin e2fsck -fn " + path + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    std::string output;
    char line[512];
    while (pipe != nullptr && fgets(line, sizeof line, pipe) != nullptr) {
        output += line;
    }
    int status = pipe != nullptr ? pclose(pipe) : -1;
    unlink(path.c_str());
    return status == 0 ? std::string() : output;
}

class Ext2Disk {
public:
    Ext2Disk(std::vector<uint8_t> image, uint32_t cache_blocks = 64)
        : device(std::move(image)), slots(cache_blocks), memory(cache_blocks * 4096),
          cache(device, slots, memory), references(32), fs(cache, clock, references) {}

    MemoryBlockDevice device;
    std::vector<BlockCache::Slot> slots;
    std::vector<uint8_t> memory;
    BlockCache cache;
    FakeClock clock;
    std::vector<Ext2FileSystem::Reference> references;
    Ext2FileSystem fs;
};

// Small helpers over the FileSystem interface.
inline NewInode regular(uint32_t permissions = 0644) {
    return NewInode{kModeRegular | permissions, 1000, 100, 0};
}
inline NewInode directory(uint32_t permissions = 0755) {
    return NewInode{kModeDirectory | permissions, 1000, 100, 0};
}

inline ipc::Error write_string(FileSystem& fs, InodeNumber inode, uint64_t offset,
                               const std::string& text) {
    uint32_t done = 0;
    ipc::Error error = fs.write(
        inode, offset, {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, &done);
    if (error == ipc::Error::ok && done != text.size()) {
        return ipc::Error::no_space;
    }
    return error;
}

inline std::string read_string(FileSystem& fs, InodeNumber inode, uint64_t offset = 0,
                               uint32_t length = 1 << 20) {
    std::vector<uint8_t> buffer(length);
    uint32_t done = 0;
    if (fs.read(inode, offset, buffer, &done) != ipc::Error::ok) {
        return "<error>";
    }
    return std::string(reinterpret_cast<const char*>(buffer.data()), done);
}

class CollectingSink final : public DirectorySink {
public:
    explicit CollectingSink(size_t limit = ~size_t{0}) : m_limit(limit) {}
    bool take(const DirectoryEntry& entry) override {
        if (names.size() >= m_limit) {
            return false;
        }
        names.emplace_back(entry.name);
        inodes.push_back(entry.inode);
        types.push_back(entry.type);
        next = entry.next;
        return true;
    }
    std::vector<std::string> names;
    std::vector<InodeNumber> inodes;
    std::vector<FileType> types;
    uint64_t next = 0;

private:
    size_t m_limit;
};

inline std::map<std::string, InodeNumber> list_directory(FileSystem& fs, InodeNumber directory) {
    CollectingSink sink;
    std::map<std::string, InodeNumber> out;
    if (fs.read_directory(directory, 0, sink) != ipc::Error::ok) {
        out["<error>"] = InodeNumber{};
        return out;
    }
    for (size_t i = 0; i < sink.names.size(); ++i) {
        out[sink.names[i]] = sink.inodes[i];
    }
    return out;
}

} // namespace fs::testing
