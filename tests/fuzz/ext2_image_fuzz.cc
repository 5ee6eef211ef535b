// ext2 on a mutated image: the input is the start of a 64 KiB disk (the rest reads zeros). The
// image is mounted, walked (every directory, file and symlink, bounded), and changed by a fixed
// sequence of operations; a corrupt image may give errors, never a crash, a sanitizer report or
// a hang, and the free counts never pass the totals.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <span>

#include "servers/fs/cache/block_cache.h"
#include "servers/fs/ext2/ext2_file_system.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using ipc::Error;

constexpr size_t kDiskBytes = 64 * 1024;

class FuzzDevice final : public fs::BlockDevice {
public:
    FuzzDevice(const uint8_t* data, size_t size) {
        memset(m_bytes, 0, sizeof m_bytes);
        memcpy(m_bytes, data, size < kDiskBytes ? size : kDiskBytes);
    }
    uint32_t sector_bytes() const override { return 512; }
    uint64_t sectors() const override { return kDiskBytes / 512; }
    Error read(uint64_t sector, uint32_t count, std::span<uint8_t> buffer) override {
        FUZZ_CHECK(buffer.size() == count * 512ull);
        if (sector + count > sectors()) {
            return Error::invalid_argument;
        }
        memcpy(buffer.data(), m_bytes + sector * 512, buffer.size());
        return Error::ok;
    }
    Error write(uint64_t sector, uint32_t count, std::span<const uint8_t> buffer) override {
        FUZZ_CHECK(buffer.size() == count * 512ull);
        if (sector + count > sectors()) {
            return Error::invalid_argument;
        }
        memcpy(m_bytes + sector * 512, buffer.data(), buffer.size());
        return Error::ok;
    }
    Error flush() override { return Error::ok; }

private:
    uint8_t m_bytes[kDiskBytes];
};

class FixedClock final : public fs::Clock {
public:
    fs::Timestamp now() override { return {1600000000, 0}; }
};

class Walk final : public fs::DirectorySink {
public:
    bool take(const fs::DirectoryEntry& entry) override {
        FUZZ_CHECK(entry.name.size() <= fs::kNameMax);
        if (count < 64) {
            inodes[count++] = entry.inode;
        }
        return count < 64;
    }
    fs::InodeNumber inodes[64];
    uint32_t count = 0;
};

uint8_t g_buffer[8192];

void visit(fs::Ext2FileSystem& fs, fs::InodeNumber inode, int depth, int* budget) {
    if (depth > 8 || --*budget < 0) {
        return;
    }
    fs::Attributes attributes;
    if (fs.get_attributes(inode, &attributes) != Error::ok) {
        return;
    }
    if (fs::is_directory(attributes.mode)) {
        Walk walk;
        (void)fs.read_directory(inode, 0, walk);
        for (uint32_t i = 0; i < walk.count; ++i) {
            if (!(walk.inodes[i] == inode)) {
                visit(fs, walk.inodes[i], depth + 1, budget);
            }
        }
    } else if (fs::is_regular(attributes.mode)) {
        uint32_t done = 0;
        if (fs.read(inode, 0, g_buffer, &done) == Error::ok) {
            FUZZ_CHECK(done <= sizeof g_buffer);
        }
        (void)fs.read(inode, attributes.size > 100 ? attributes.size - 100 : 0, g_buffer, &done);
    } else if (fs::is_symlink(attributes.mode)) {
        uint32_t length = 0;
        (void)fs.read_link(inode, {reinterpret_cast<char*>(g_buffer), sizeof g_buffer}, &length);
    }
}

void check_counts(fs::Ext2FileSystem& fs) {
    fs::FileSystemStatistics statistics;
    if (fs.statistics(&statistics) == Error::ok) {
        FUZZ_CHECK(statistics.free_blocks <= statistics.blocks);
        FUZZ_CHECK(statistics.free_inodes <= statistics.inodes);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzDevice* device = new FuzzDevice(data, size); // 64 KiB: not on the stack
    static fs::BlockCache::Slot slots[16];
    static uint8_t memory[16 * 4096];
    fs::BlockCache cache(*device, slots, memory);
    FixedClock clock;
    fs::Ext2FileSystem::Reference references[4];
    fs::Ext2FileSystem fs(cache, clock, references);
    if (fs.mount({.read_only = false, .allow_unclean = true}) == Error::ok) {
        int budget = 200;
        visit(fs, fs.root(), 0, &budget);
        check_counts(fs);
        fs::InodeNumber file;
        fs::InodeNumber directory;
        fs::InodeNumber link;
        fs::NewInode regular{fs::kModeRegular | 0644, 0, 0, 0};
        fs::NewInode folder{fs::kModeDirectory | 0755, 0, 0, 0};
        if (fs.create(fs.root(), "new", regular, &file) == Error::ok) {
            uint32_t done;
            memset(g_buffer, 0x5A, sizeof g_buffer);
            (void)fs.write(file, 0, {g_buffer, 3000}, &done);
            (void)fs.write(file, 20000, {g_buffer, 100}, &done);
            fs.retain(file);
            (void)fs.link(file, fs.root(), "again");
            (void)fs.unlink(fs.root(), "new");
            fs::AttributeChanges changes;
            changes.which = fs::AttributeChanges::kSize;
            changes.size = 1000;
            (void)fs.set_attributes(file, changes, nullptr);
            fs.release(file);
        }
        if (fs.make_directory(fs.root(), "d", folder, &directory) == Error::ok) {
            (void)fs.make_symlink(directory, "s", "target", regular, &link);
            (void)fs.rename(fs.root(), "again", directory, "moved");
            (void)fs.rename(fs.root(), "d", fs.root(), "e");
        }
        // Change what the image already held: the root's first entries.
        Walk walk;
        (void)fs.read_directory(fs.root(), 0, walk);
        for (uint32_t i = 0; i < walk.count && i < 8; ++i) {
            fs::Attributes attributes;
            if (fs.get_attributes(walk.inodes[i], &attributes) == Error::ok &&
                fs::is_regular(attributes.mode)) {
                fs::AttributeChanges changes;
                changes.which = fs::AttributeChanges::kSize;
                changes.size = attributes.size / 2;
                (void)fs.set_attributes(walk.inodes[i], changes, nullptr);
            }
        }
        (void)fs.unlink(fs.root(), "small");
        (void)fs.remove_directory(fs.root(), "dir");
        (void)fs.rename(fs.root(), "dir", fs.root(), "lost+found");
        check_counts(fs);
        (void)fs.unmount();
    }
    delete device;
    return 0;
}
