#include <gtest/gtest.h>

#include <set>

#include "tests/unit/fs_ext2_fixture.h"

namespace fs {
namespace {

using ipc::Error;
using namespace fs::testing;

class Ext2Test : public ::testing::TestWithParam<Ext2Geometry> {
protected:
    void SetUp() override {
        std::vector<uint8_t> image =
            make_ext2_image(8192, GetParam().block_size, GetParam().inode_size, 512);
        ASSERT_FALSE(image.empty()) << "mke2fs failed (e2fsprogs installed?)";
        disk = std::make_unique<Ext2Disk>(std::move(image));
        ASSERT_EQ(disk->fs.mount({}), Error::ok);
        ASSERT_EQ(disk->fs.statistics(&start), Error::ok);
    }
    void TearDown() override {
        if (disk && disk->fs.mounted()) {
            ASSERT_EQ(disk->fs.unmount(), Error::ok);
        }
        if (disk && check_consistency) {
            EXPECT_EQ(e2fsck_problems(disk->device.bytes()), "");
        }
    }
    void remount(Ext2MountOptions options = {}) {
        ASSERT_EQ(fs().unmount(), Error::ok);
        ASSERT_EQ(fs().mount(options), Error::ok);
    }
    Ext2FileSystem& fs() { return disk->fs; }
    InodeNumber root() { return fs().root(); }
    InodeNumber make_file(InodeNumber dir, const std::string& name, const std::string& data = "") {
        InodeNumber out;
        EXPECT_EQ(fs().create(dir, name, regular(), &out), Error::ok) << name;
        if (!data.empty()) {
            EXPECT_EQ(write_string(fs(), out, 0, data), Error::ok);
        }
        return out;
    }
    InodeNumber make_dir(InodeNumber dir, const std::string& name) {
        InodeNumber out;
        EXPECT_EQ(fs().make_directory(dir, name, directory(), &out), Error::ok) << name;
        return out;
    }
    Attributes attributes(InodeNumber inode) {
        Attributes out;
        EXPECT_EQ(fs().get_attributes(inode, &out), Error::ok);
        return out;
    }
    uint64_t free_blocks() {
        FileSystemStatistics stats;
        EXPECT_EQ(fs().statistics(&stats), Error::ok);
        return stats.free_blocks;
    }
    uint64_t free_inodes() {
        FileSystemStatistics stats;
        EXPECT_EQ(fs().statistics(&stats), Error::ok);
        return stats.free_inodes;
    }
    uint32_t units() { return GetParam().block_size / 512; }

    std::unique_ptr<Ext2Disk> disk;
    FileSystemStatistics start;
    bool check_consistency = true;
};

TEST_P(Ext2Test, mounts_a_fresh_image) {
    EXPECT_TRUE(fs().was_clean());
    EXPECT_FALSE(fs().read_only());
    Attributes root_attributes = attributes(root());
    EXPECT_TRUE(is_directory(root_attributes.mode));
    EXPECT_EQ(root_attributes.links, 3u); // ".", its own "..", lost+found's ".."
    EXPECT_EQ(root_attributes.block_size, GetParam().block_size);
    InodeNumber lost;
    EXPECT_EQ(fs().lookup(root(), "lost+found", &lost), Error::ok);
    InodeNumber parent;
    EXPECT_EQ(fs().lookup(root(), "..", &parent), Error::ok);
    EXPECT_EQ(parent, root());
    EXPECT_EQ(fs().lookup(lost, "..", &parent), Error::ok);
    EXPECT_EQ(parent, root());
    EXPECT_EQ(start.block_size, GetParam().block_size);
    EXPECT_EQ(start.blocks, 8192u * 1024 / GetParam().block_size);
    EXPECT_EQ(start.inodes, fs().superblock().inodes_count);
    EXPECT_LT(start.available_blocks, start.free_blocks); // 5% reserved
    auto names = list_directory(fs(), root());
    EXPECT_EQ(names.size(), 3u);
    EXPECT_TRUE(names.count(".") && names.count("..") && names.count("lost+found"));
}

TEST_P(Ext2Test, marks_the_disk_not_clean_while_mounted_and_clean_after_unmount) {
    auto state = [&] {
        uint16_t value;
        memcpy(&value, disk->device.bytes().data() + 1024 + 58, 2);
        return value;
    };
    EXPECT_EQ(state() & ext2::kStateValid, 0);
    ASSERT_EQ(fs().unmount(), Error::ok);
    EXPECT_EQ(state() & ext2::kStateValid, ext2::kStateValid);
    // An unclean disk: refused unless allowed, and then it stays unclean.
    uint16_t unclean = 0;
    memcpy(disk->device.bytes().data() + 1024 + 58, &unclean, 2);
    EXPECT_EQ(fs().mount({}), Error::busy);
    ASSERT_EQ(fs().mount({.read_only = false, .allow_unclean = true}), Error::ok);
    EXPECT_FALSE(fs().was_clean());
    ASSERT_EQ(fs().unmount(), Error::ok);
    EXPECT_EQ(state() & ext2::kStateValid, 0);
    check_consistency = false; // e2fsck -n reports an unclean file system as not clean
}

// fs's clock starts at the epoch when the system boots (no RTC yet): an inode freed in the
// first minutes gets a deletion time below the inode count, which e2fsck takes for a link of a
// corrupted orphan list — unless the superblock's write time is as early, e2fsck's sign of a
// clock that is wrong. A sync (fs has no unmount at shutdown) must leave a disk e2fsck accepts.
TEST_P(Ext2Test, files_deleted_soon_after_boot_leave_the_disk_clean_for_e2fsck_after_sync) {
    ASSERT_EQ(fs().unmount(), Error::ok);
    disk->clock.time = Timestamp{0, 0}; // the mount, in the first second after boot
    ASSERT_EQ(fs().mount({}), Error::ok);
    make_file(root(), "at-once", "data"); // deleted in that second: its deletion time is 0
    ASSERT_EQ(fs().unlink(root(), "at-once"), Error::ok);
    disk->clock.advance(3);
    for (int i = 0; i < 5; ++i) {
        make_file(root(), "f" + std::to_string(i), "data");
    }
    disk->clock.advance(2);
    for (int i = 0; i < 5; ++i) {
        ASSERT_EQ(fs().unlink(root(), "f" + std::to_string(i)), Error::ok);
    }
    ASSERT_EQ(fs().sync(), Error::ok);
    EXPECT_EQ(e2fsck_problems(disk->device.bytes()), "");
}

// A write that found no block for its first byte wrote nothing: the file keeps its size, even
// when the write was aimed beyond the end.
TEST_P(Ext2Test, a_write_refused_for_want_of_space_leaves_the_size_alone) {
    InodeNumber filler = make_file(root(), "filler");
    std::vector<uint8_t> chunk(64 * 1024, 0xAB);
    uint64_t at = 0;
    uint32_t done = 0;
    while (fs().write(filler, at, chunk, &done) == Error::ok && done > 0) {
        at += done;
    }
    EXPECT_EQ(free_blocks(), 0u);
    InodeNumber late = make_file(root(), "late");
    const uint8_t byte = 1;
    EXPECT_EQ(fs().write(late, 5000000, {&byte, 1}, &done), Error::no_space);
    EXPECT_EQ(done, 0u);
    EXPECT_EQ(fs().write(late, 0, {&byte, 1}, &done), Error::no_space);
    EXPECT_EQ(attributes(late).size, 0u);
    EXPECT_EQ(attributes(late).blocks, 0u);
}

TEST_P(Ext2Test, remount_read_only_leaves_the_disk_clean_and_still_reads) {
    auto state = [&] {
        uint16_t value;
        memcpy(&value, disk->device.bytes().data() + 1024 + 58, 2);
        return value;
    };
    InodeNumber file = make_file(root(), "kept", "written before the stop");
    InodeNumber orphan = make_file(root(), "orphan", std::string(3000, 'o'));
    fs().retain(orphan); // still open, no longer linked
    ASSERT_EQ(fs().unlink(root(), "orphan"), Error::ok);
    EXPECT_EQ(state() & ext2::kStateValid, 0);
    ASSERT_EQ(fs().remount_read_only(), Error::ok);
    EXPECT_EQ(state() & ext2::kStateValid, ext2::kStateValid);
    EXPECT_TRUE(fs().read_only());
    EXPECT_TRUE(fs().mounted());
    EXPECT_EQ(read_string(fs(), file), "written before the stop");
    EXPECT_EQ(write_string(fs(), file, 0, "x"), Error::read_only);
    InodeNumber out;
    EXPECT_EQ(fs().create(root(), "late", regular(), &out), Error::read_only);
    EXPECT_EQ(fs().remount_read_only(), Error::ok); // again: nothing to do
    // What the disk holds is what e2fsck accepts as clean, the orphan's storage freed.
    EXPECT_EQ(e2fsck_problems(disk->device.bytes()), "");
    EXPECT_EQ(free_inodes(), start.free_inodes - 1);
}

TEST_P(Ext2Test, refuses_what_is_not_ext2_or_has_unknown_features) {
    ASSERT_EQ(fs().unmount(), Error::ok);
    std::vector<uint8_t>& bytes = disk->device.bytes();
    std::vector<uint8_t> saved = bytes;
    bytes[1024 + 56] = 0; // magic
    EXPECT_EQ(fs().mount({}), Error::invalid_argument);
    bytes = saved;
    bytes[1024 + 96] |= 0x40; // incompat: extents
    EXPECT_EQ(fs().mount({}), Error::unsupported);
    bytes = saved;
    bytes[1024 + 24] = 7; // log block size
    EXPECT_EQ(fs().mount({}), Error::invalid_argument);
    bytes = saved;
    bytes[1024 + 0] ^= 1; // inodes count no longer groups × inodes per group
    EXPECT_EQ(fs().mount({}), Error::invalid_argument);
    bytes = saved;
    bytes[1024 + 4] = 0xFF; // more blocks than the device
    bytes[1024 + 5] = 0xFF;
    bytes[1024 + 6] = 0xFF;
    EXPECT_EQ(fs().mount({}), Error::invalid_argument);
    bytes = saved;
    bytes[1024 + 101] |= 0x80; // an unknown ro_compat feature: read-only
    ASSERT_EQ(fs().mount({}), Error::ok);
    EXPECT_TRUE(fs().read_only());
    InodeNumber out;
    EXPECT_EQ(fs().create(root(), "f", regular(), &out), Error::read_only);
    ASSERT_EQ(fs().unmount(), Error::ok);
    bytes = saved;
    ASSERT_EQ(fs().mount({}), Error::ok);
}

TEST_P(Ext2Test, creates_files_and_looks_them_up) {
    disk->clock.advance(10);
    InodeNumber file;
    ASSERT_EQ(
        fs().create(root(), "hello.txt", NewInode{kModeRegular | 0640, 1234567, 7654321, 0}, &file),
        Error::ok);
    InodeNumber found;
    ASSERT_EQ(fs().lookup(root(), "hello.txt", &found), Error::ok);
    EXPECT_EQ(found, file);
    Attributes a = attributes(file);
    EXPECT_EQ(a.mode, kModeRegular | 0640);
    EXPECT_EQ(a.links, 1u);
    EXPECT_EQ(a.uid, 1234567u);
    EXPECT_EQ(a.gid, 7654321u);
    EXPECT_EQ(a.size, 0u);
    EXPECT_EQ(a.blocks, 0u);
    EXPECT_EQ(a.modify, disk->clock.time);
    EXPECT_EQ(attributes(root()).modify, disk->clock.time);
    EXPECT_EQ(free_inodes(), start.free_inodes - 1);
    EXPECT_EQ(fs().lookup(root(), "nothing", &found), Error::not_found);
    EXPECT_EQ(fs().lookup(file, "x", &found), Error::not_directory);
    // Special files keep their device number.
    InodeNumber device;
    ASSERT_EQ(fs().create(root(), "tty", NewInode{kModeCharacterDevice | 0600, 0, 0, (4 << 8) | 64},
                          &device),
              Error::ok);
    EXPECT_EQ(attributes(device).device, (4u << 8) | 64);
    InodeNumber fifo;
    ASSERT_EQ(fs().create(root(), "fifo", NewInode{kModeFifo | 0600, 0, 0, 0}, &fifo), Error::ok);
    remount();
    EXPECT_EQ(attributes(device).device, (4u << 8) | 64);
    auto names = list_directory(fs(), root());
    EXPECT_EQ(names.at("hello.txt"), file);
    EXPECT_EQ(names.at("fifo"), fifo);
}

TEST_P(Ext2Test, create_reports_every_error_of_the_contract) {
    InodeNumber file = make_file(root(), "f");
    InodeNumber out;
    EXPECT_EQ(fs().create(root(), "f", regular(), &out), Error::exists);
    EXPECT_EQ(fs().create(file, "g", regular(), &out), Error::not_directory);
    EXPECT_EQ(fs().create(InodeNumber{400}, "g", regular(), &out), Error::not_found);
    EXPECT_EQ(fs().create(root(), "d", directory(), &out), Error::invalid_argument);
    EXPECT_EQ(fs().create(root(), "s", NewInode{kModeSymlink | 0777, 0, 0, 0}, &out),
              Error::invalid_argument);
    EXPECT_EQ(fs().create(root(), std::string(256, 'n'), regular(), &out), Error::name_too_long);
    ASSERT_EQ(fs().create(root(), std::string(255, 'n'), regular(), &out), Error::ok);
    EXPECT_EQ(fs().create(root(), "a/b", regular(), &out), Error::invalid_argument);
    EXPECT_EQ(fs().create(root(), "", regular(), &out), Error::invalid_argument);
    remount({.read_only = true});
    EXPECT_EQ(fs().create(root(), "g", regular(), &out), Error::read_only);
}

TEST_P(Ext2Test, writes_and_reads_across_blocks_and_levels_of_indirection) {
    InodeNumber file = make_file(root(), "big");
    uint32_t bs = GetParam().block_size;
    uint64_t p = bs / 4;
    // Offsets in each part of the map: direct, single, double and triple indirect.
    std::vector<uint64_t> offsets = {0, 11 * uint64_t{bs} + 100, (12 + p / 2) * bs - 3,
                                     (12 + p + p * p / 2) * bs + 17};
    if (bs == 1024) {
        offsets.push_back((12 + p + p * p + 5) * bs + 1000); // triple (≈ 64 MiB)
    }
    for (size_t i = 0; i < offsets.size(); ++i) {
        std::string text = "chunk " + std::to_string(i) + std::string(bs, char('a' + i));
        ASSERT_EQ(write_string(fs(), file, offsets[i], text), Error::ok);
    }
    remount();
    for (size_t i = 0; i < offsets.size(); ++i) {
        std::string text = "chunk " + std::to_string(i) + std::string(bs, char('a' + i));
        EXPECT_EQ(read_string(fs(), file, offsets[i], text.size()), text) << i;
    }
    // A hole reads as zeros.
    EXPECT_EQ(read_string(fs(), file, offsets[1] - 50, 10), std::string(10, '\0'));
    Attributes a = attributes(file);
    EXPECT_EQ(a.size, offsets.back() + 6 + 1 + bs);
    EXPECT_LT(a.blocks * 512, a.size); // sparse
    // Everything goes back when the file is truncated to nothing.
    AttributeChanges changes;
    changes.which = AttributeChanges::kSize;
    changes.size = 0;
    ASSERT_EQ(fs().set_attributes(file, changes, &a), Error::ok);
    EXPECT_EQ(a.blocks, 0u);
    EXPECT_EQ(free_blocks(), start.free_blocks);
}

TEST_P(Ext2Test, truncation_frees_blocks_and_zeroes_the_tail) {
    uint32_t bs = GetParam().block_size;
    std::string data(40 * bs + 123, 'x');
    for (size_t i = 0; i < data.size(); ++i) {
        data[i] = static_cast<char>('a' + i % 26);
    }
    InodeNumber file = make_file(root(), "t", data);
    Attributes a = attributes(file);
    EXPECT_EQ(a.size, data.size());
    EXPECT_EQ(a.blocks, (41 + 1) * units()); // 41 data blocks and one indirect
    AttributeChanges changes;
    changes.which = AttributeChanges::kSize;
    changes.size = 5 * bs + 10;
    disk->clock.advance(5);
    ASSERT_EQ(fs().set_attributes(file, changes, &a), Error::ok);
    EXPECT_EQ(a.size, 5 * bs + 10);
    EXPECT_EQ(a.blocks, 6 * units());
    EXPECT_EQ(a.modify, disk->clock.time);
    EXPECT_EQ(a.change, disk->clock.time);
    EXPECT_EQ(free_blocks(), start.free_blocks - 6);
    changes.size = 20 * bs;
    ASSERT_EQ(fs().set_attributes(file, changes, &a), Error::ok);
    EXPECT_EQ(a.blocks, 6 * units()); // extending allocates nothing
    std::string back = read_string(fs(), file);
    ASSERT_EQ(back.size(), 20 * bs);
    EXPECT_EQ(back.substr(0, 5 * bs + 10), data.substr(0, 5 * bs + 10));
    EXPECT_EQ(back.substr(5 * bs + 10), std::string(15 * bs - 10, '\0'));
    // Errors: a directory, a special file, beyond the largest file, read-only.
    EXPECT_EQ(fs().set_attributes(root(), changes, nullptr), Error::is_directory);
    InodeNumber fifo;
    ASSERT_EQ(fs().create(root(), "p", NewInode{kModeFifo | 0600, 0, 0, 0}, &fifo), Error::ok);
    EXPECT_EQ(fs().set_attributes(fifo, changes, nullptr), Error::invalid_argument);
    changes.size = fs().max_file_size() + 1;
    EXPECT_EQ(fs().set_attributes(file, changes, nullptr), Error::too_big);
    EXPECT_EQ(fs().set_attributes(InodeNumber{300}, changes, nullptr), Error::not_found);
}

TEST_P(Ext2Test, writes_beyond_the_end_leave_a_hole_and_keep_old_tail_bytes_zero) {
    uint32_t bs = GetParam().block_size;
    InodeNumber file = make_file(root(), "h", "abc");
    ASSERT_EQ(write_string(fs(), file, 3 * bs, "end"), Error::ok);
    std::string back = read_string(fs(), file);
    ASSERT_EQ(back.size(), 3 * bs + 3);
    EXPECT_EQ(back.substr(0, 3), "abc");
    EXPECT_EQ(back.substr(3, 3 * bs - 3), std::string(3 * bs - 3, '\0'));
    EXPECT_EQ(attributes(file).blocks, 2 * units());
    EXPECT_EQ(read_string(fs(), file, 10 * bs, 10), "");
    uint32_t done = 7;
    uint8_t byte;
    EXPECT_EQ(fs().write(file, fs().max_file_size(), {&byte, 1}, &done), Error::too_big);
    EXPECT_EQ(done, 0u);
    EXPECT_EQ(fs().read(root(), 0, {&byte, 1}, &done), Error::is_directory);
    EXPECT_EQ(fs().write(root(), 0, {&byte, 1}, &done), Error::is_directory);
    InodeNumber fifo;
    ASSERT_EQ(fs().create(root(), "p", NewInode{kModeFifo | 0600, 0, 0, 0}, &fifo), Error::ok);
    EXPECT_EQ(fs().read(fifo, 0, {&byte, 1}, &done), Error::invalid_argument);
    EXPECT_EQ(fs().write(fifo, 0, {&byte, 1}, &done), Error::invalid_argument);
    remount({.read_only = true});
    EXPECT_EQ(fs().write(file, 0, {&byte, 1}, &done), Error::read_only);
    EXPECT_EQ(read_string(fs(), file, 0, 3), "abc");
}

TEST_P(Ext2Test, a_full_disk_writes_what_fits_then_says_no_space) {
    InodeNumber file = make_file(root(), "fill");
    std::vector<uint8_t> chunk(64 * 1024, 0x5A);
    uint64_t offset = 0;
    Error error = Error::ok;
    uint32_t done = 0;
    uint32_t partial = 0;
    for (int i = 0; i < 1000 && error == Error::ok; ++i) {
        error = fs().write(file, offset, chunk, &done);
        if (error == Error::ok && done < chunk.size()) {
            ++partial;
        }
        offset += done;
    }
    EXPECT_EQ(error, Error::no_space);
    EXPECT_EQ(done, 0u);
    EXPECT_EQ(partial, 1u);
    EXPECT_EQ(free_blocks(), 0u);
    EXPECT_EQ(attributes(file).size, offset);
    InodeNumber other;
    ASSERT_EQ(fs().create(root(), "other", regular(), &other), Error::ok); // no block needed
    EXPECT_EQ(write_string(fs(), other, 0, "x"), Error::no_space);
    InodeNumber dir;
    EXPECT_EQ(fs().make_directory(root(), "d", directory(), &dir), Error::no_space);
    EXPECT_EQ(fs().lookup(root(), "d", &dir), Error::not_found);
    EXPECT_EQ(fs().make_symlink(root(), "s", std::string(100, 'l'), regular(), &dir),
              Error::no_space);
    remount();
    EXPECT_EQ(read_string(fs(), file, offset - 3, 10), "ZZZ");
    ASSERT_EQ(fs().unlink(root(), "fill"), Error::ok);
    ASSERT_EQ(fs().unlink(root(), "other"), Error::ok);
    EXPECT_EQ(free_blocks(), start.free_blocks);
    EXPECT_EQ(free_inodes(), start.free_inodes);
}

TEST_P(Ext2Test, running_out_of_inodes_is_no_space) {
    InodeNumber out;
    uint64_t created = 0;
    Error error = Error::ok;
    while (error == Error::ok) {
        error = fs().create(root(), "f" + std::to_string(created), regular(), &out);
        created += error == Error::ok;
    }
    EXPECT_EQ(error, Error::no_space);
    EXPECT_EQ(created, start.free_inodes);
    EXPECT_EQ(fs().lookup(root(), "f" + std::to_string(created), &out), Error::not_found);
    for (uint64_t i = 0; i < created; ++i) {
        ASSERT_EQ(fs().unlink(root(), "f" + std::to_string(i)), Error::ok);
    }
    EXPECT_EQ(free_inodes(), start.free_inodes);
}

TEST_P(Ext2Test, unlink_removes_names_and_frees_at_the_last_link) {
    InodeNumber file = make_file(root(), "a", std::string(5000, 'q'));
    ASSERT_EQ(fs().link(file, root(), "b"), Error::ok);
    EXPECT_EQ(attributes(file).links, 2u);
    ASSERT_EQ(fs().unlink(root(), "a"), Error::ok);
    EXPECT_EQ(attributes(file).links, 1u);
    EXPECT_EQ(read_string(fs(), file).size(), 5000u);
    ASSERT_EQ(fs().unlink(root(), "b"), Error::ok);
    Attributes gone;
    EXPECT_EQ(fs().get_attributes(file, &gone), Error::not_found);
    EXPECT_EQ(free_blocks(), start.free_blocks);
    EXPECT_EQ(free_inodes(), start.free_inodes);
    InodeNumber dir = make_dir(root(), "d");
    EXPECT_EQ(fs().unlink(root(), "d"), Error::is_directory);
    EXPECT_EQ(fs().unlink(root(), "nothing"), Error::not_found);
    EXPECT_EQ(fs().unlink(dir, "nothing"), Error::not_found);
    remount({.read_only = true});
    EXPECT_EQ(fs().unlink(root(), "d"), Error::read_only);
}

TEST_P(Ext2Test, unlink_while_referenced_frees_at_the_last_release) {
    InodeNumber file = make_file(root(), "open", std::string(3000, 'o'));
    fs().retain(file);
    fs().retain(file);
    ASSERT_EQ(fs().unlink(root(), "open"), Error::ok);
    InodeNumber out;
    EXPECT_EQ(fs().lookup(root(), "open", &out), Error::not_found);
    EXPECT_EQ(attributes(file).links, 0u);
    EXPECT_EQ(read_string(fs(), file), std::string(3000, 'o'));
    ASSERT_EQ(write_string(fs(), file, 3000, "more"), Error::ok);
    EXPECT_LT(free_blocks(), start.free_blocks);
    EXPECT_EQ(fs().link(file, root(), "again"), Error::not_found);
    fs().release(file);
    EXPECT_EQ(attributes(file).size, 3004u);
    fs().release(file);
    Attributes gone;
    EXPECT_EQ(fs().get_attributes(file, &gone), Error::not_found);
    EXPECT_EQ(free_blocks(), start.free_blocks);
    EXPECT_EQ(free_inodes(), start.free_inodes);
}

TEST_P(Ext2Test, unmount_frees_what_is_still_referenced_without_links) {
    InodeNumber file = make_file(root(), "orphan", std::string(3000, 'o'));
    fs().retain(file);
    ASSERT_EQ(fs().unlink(root(), "orphan"), Error::ok);
    remount();
    EXPECT_EQ(free_blocks(), start.free_blocks);
    EXPECT_EQ(free_inodes(), start.free_inodes);
}

TEST_P(Ext2Test, directories_count_their_links) {
    InodeNumber a = make_dir(root(), "a");
    InodeNumber b = make_dir(a, "b");
    Attributes aa = attributes(a);
    EXPECT_EQ(aa.links, 3u);
    EXPECT_EQ(aa.size, GetParam().block_size);
    EXPECT_EQ(attributes(b).links, 2u);
    EXPECT_EQ(attributes(root()).links, 4u);
    InodeNumber parent;
    ASSERT_EQ(fs().lookup(b, "..", &parent), Error::ok);
    EXPECT_EQ(parent, a);
    ASSERT_EQ(fs().lookup(b, ".", &parent), Error::ok);
    EXPECT_EQ(parent, b);
    InodeNumber out;
    EXPECT_EQ(fs().make_directory(root(), "a", directory(), &out), Error::exists);
    InodeNumber file = make_file(a, "f");
    EXPECT_EQ(fs().make_directory(file, "x", directory(), &out), Error::not_directory);
    EXPECT_EQ(fs().remove_directory(root(), "a"), Error::not_empty);
    EXPECT_EQ(fs().remove_directory(a, "f"), Error::not_directory);
    EXPECT_EQ(fs().remove_directory(a, "zz"), Error::not_found);
    ASSERT_EQ(fs().remove_directory(a, "b"), Error::ok);
    EXPECT_EQ(attributes(a).links, 2u);
    ASSERT_EQ(fs().unlink(a, "f"), Error::ok);
    ASSERT_EQ(fs().remove_directory(root(), "a"), Error::ok);
    EXPECT_EQ(attributes(root()).links, 3u);
    EXPECT_EQ(free_blocks(), start.free_blocks);
    EXPECT_EQ(free_inodes(), start.free_inodes);
    remount({.read_only = true});
    EXPECT_EQ(fs().make_directory(root(), "n", directory(), &out), Error::read_only);
    EXPECT_EQ(fs().remove_directory(root(), "lost+found"), Error::read_only);
}

TEST_P(Ext2Test, a_removed_directory_that_is_still_referenced_stays_empty) {
    InodeNumber dir = make_dir(root(), "cwd");
    fs().retain(dir);
    ASSERT_EQ(fs().remove_directory(root(), "cwd"), Error::ok);
    InodeNumber out;
    EXPECT_EQ(fs().create(dir, "f", regular(), &out), Error::not_found);
    EXPECT_EQ(fs().make_directory(dir, "d", directory(), &out), Error::not_found);
    EXPECT_EQ(fs().lookup(dir, "..", &out), Error::not_found);
    CollectingSink sink;
    EXPECT_EQ(fs().read_directory(dir, 0, sink), Error::ok);
    EXPECT_TRUE(sink.names.empty());
    EXPECT_EQ(attributes(dir).links, 0u);
    EXPECT_EQ(free_blocks(), start.free_blocks);
    fs().release(dir);
    EXPECT_EQ(free_inodes(), start.free_inodes);
}

TEST_P(Ext2Test, a_growing_directory_takes_new_blocks_and_keeps_every_entry) {
    InodeNumber dir = make_dir(root(), "many");
    std::set<std::string> names;
    for (int i = 0; i < 300; ++i) {
        std::string name = "entry-with-a-longish-name-" + std::to_string(i);
        make_file(dir, name);
        names.insert(name);
    }
    EXPECT_GT(attributes(dir).size, GetParam().block_size);
    for (int i = 0; i < 300; i += 3) {
        ASSERT_EQ(fs().unlink(dir, "entry-with-a-longish-name-" + std::to_string(i)), Error::ok);
        names.erase("entry-with-a-longish-name-" + std::to_string(i));
    }
    remount();
    auto listed = list_directory(fs(), dir);
    listed.erase(".");
    listed.erase("..");
    std::set<std::string> listed_names;
    for (auto& [name, inode] : listed) {
        listed_names.insert(name);
    }
    EXPECT_EQ(listed_names, names);
}

TEST_P(Ext2Test, readdir_cookies_stay_valid_while_entries_come_and_go) {
    InodeNumber dir = make_dir(root(), "listing");
    for (int i = 0; i < 200; ++i) {
        make_file(dir, "n" + std::to_string(i));
    }
    // Entries that exist during the whole listing: every third one stays.
    std::set<std::string> stable;
    for (int i = 0; i < 200; i += 3) {
        stable.insert("n" + std::to_string(i));
    }
    std::multiset<std::string> seen;
    uint64_t cookie = 0;
    int round = 0;
    int added = 0;
    for (;;) {
        CollectingSink sink(7);
        ASSERT_EQ(fs().read_directory(dir, cookie, sink), Error::ok);
        if (sink.names.empty()) {
            break;
        }
        for (auto& name : sink.names) {
            seen.insert(name);
        }
        cookie = sink.next;
        // Change the directory between batches: remove unstable ones, add new ones.
        for (int k = 0; k < 5; ++k) {
            int victim = (round * 37 + k * 11) % 200;
            if (victim % 3 != 0) {
                (void)fs().unlink(dir, "n" + std::to_string(victim));
            }
        }
        for (int k = 0; k < 3; ++k) {
            make_file(dir, "added-" + std::to_string(added++));
        }
        ++round;
        ASSERT_LT(round, 1000);
    }
    for (auto& name : stable) {
        EXPECT_EQ(seen.count(name), 1u) << name;
    }
    for (auto& name : seen) {
        EXPECT_EQ(seen.count(name), 1u) << name;
    }
    EXPECT_EQ(seen.count("."), 1u);
    EXPECT_EQ(seen.count(".."), 1u);
}

TEST_P(Ext2Test, readdir_gives_dot_entries_first_with_types) {
    InodeNumber dir = make_dir(root(), "typed");
    make_file(dir, "file");
    InodeNumber sub = make_dir(dir, "sub");
    InodeNumber link;
    ASSERT_EQ(fs().make_symlink(dir, "link", "file", regular(0777), &link), Error::ok);
    CollectingSink sink;
    ASSERT_EQ(fs().read_directory(dir, 0, sink), Error::ok);
    ASSERT_EQ(sink.names.size(), 5u);
    EXPECT_EQ(sink.names[0], ".");
    EXPECT_EQ(sink.inodes[0], dir);
    EXPECT_EQ(sink.names[1], "..");
    EXPECT_EQ(sink.inodes[1], root());
    EXPECT_EQ(sink.types[2], FileType::regular);
    EXPECT_EQ(sink.types[3], FileType::directory);
    EXPECT_EQ(sink.inodes[3], sub);
    EXPECT_EQ(sink.types[4], FileType::symlink);
    CollectingSink rest;
    ASSERT_EQ(fs().read_directory(dir, sink.next, rest), Error::ok);
    EXPECT_TRUE(rest.names.empty());
    InodeNumber file;
    ASSERT_EQ(fs().lookup(dir, "file", &file), Error::ok);
    EXPECT_EQ(fs().read_directory(file, 0, rest), Error::not_directory);
    EXPECT_EQ(fs().read_directory(InodeNumber{999}, 0, rest), Error::not_found);
}

TEST_P(Ext2Test, rename_within_and_across_directories) {
    InodeNumber a = make_dir(root(), "a");
    InodeNumber b = make_dir(root(), "b");
    InodeNumber file = make_file(a, "f", "content");
    disk->clock.advance(3);
    ASSERT_EQ(fs().rename(a, "f", a, "g"), Error::ok);
    InodeNumber out;
    EXPECT_EQ(fs().lookup(a, "f", &out), Error::not_found);
    ASSERT_EQ(fs().lookup(a, "g", &out), Error::ok);
    EXPECT_EQ(out, file);
    EXPECT_EQ(attributes(file).change, disk->clock.time);
    ASSERT_EQ(fs().rename(a, "g", b, "h"), Error::ok);
    ASSERT_EQ(fs().lookup(b, "h", &out), Error::ok);
    EXPECT_EQ(read_string(fs(), out), "content");
    EXPECT_EQ(attributes(file).links, 1u);
    EXPECT_EQ(fs().rename(a, "g", b, "x"), Error::not_found);
    // A directory moved to another parent: "..", and both parents' link counts.
    InodeNumber sub = make_dir(a, "sub");
    EXPECT_EQ(attributes(a).links, 3u);
    ASSERT_EQ(fs().rename(a, "sub", b, "moved"), Error::ok);
    EXPECT_EQ(attributes(a).links, 2u);
    EXPECT_EQ(attributes(b).links, 3u);
    ASSERT_EQ(fs().lookup(sub, "..", &out), Error::ok);
    EXPECT_EQ(out, b);
    EXPECT_EQ(attributes(sub).links, 2u);
    remount();
    ASSERT_EQ(fs().lookup(sub, "..", &out), Error::ok);
    EXPECT_EQ(out, b);
}

TEST_P(Ext2Test, rename_replaces_files_and_empty_directories) {
    InodeNumber one = make_file(root(), "one", "1");
    InodeNumber two = make_file(root(), "two", "22");
    ASSERT_EQ(fs().rename(root(), "one", root(), "two"), Error::ok);
    InodeNumber out;
    ASSERT_EQ(fs().lookup(root(), "two", &out), Error::ok);
    EXPECT_EQ(out, one);
    Attributes gone;
    EXPECT_EQ(fs().get_attributes(two, &gone), Error::not_found);
    // The replaced file lives on while referenced.
    InodeNumber three = make_file(root(), "three", "333");
    fs().retain(three);
    ASSERT_EQ(fs().rename(root(), "two", root(), "three"), Error::ok);
    EXPECT_EQ(read_string(fs(), three), "333");
    fs().release(three);
    EXPECT_EQ(fs().get_attributes(three, &gone), Error::not_found);
    // Directories: over an empty one (same parent and across parents), never over a full one.
    InodeNumber d1 = make_dir(root(), "d1");
    InodeNumber d2 = make_dir(root(), "d2");
    InodeNumber p = make_dir(root(), "p");
    InodeNumber d3 = make_dir(p, "d3");
    uint32_t root_links = attributes(root()).links;
    ASSERT_EQ(fs().rename(root(), "d1", root(), "d2"), Error::ok);
    EXPECT_EQ(attributes(root()).links, root_links - 1);
    EXPECT_EQ(fs().get_attributes(d2, &gone), Error::not_found);
    ASSERT_EQ(fs().rename(root(), "d2", p, "d3"), Error::ok);
    EXPECT_EQ(attributes(root()).links, root_links - 2);
    EXPECT_EQ(attributes(p).links, 3u);
    EXPECT_EQ(fs().get_attributes(d3, &gone), Error::not_found);
    ASSERT_EQ(fs().lookup(d1, "..", &out), Error::ok);
    EXPECT_EQ(out, p);
    make_file(d1, "inside");
    InodeNumber e = make_dir(root(), "e");
    EXPECT_EQ(fs().rename(root(), "e", p, "d3"), Error::not_empty);
    EXPECT_EQ(fs().rename(root(), "three", root(), "e"), Error::is_directory);
    EXPECT_EQ(fs().rename(root(), "e", root(), "three"), Error::not_directory);
    ASSERT_EQ(fs().lookup(root(), "e", &out), Error::ok);
    EXPECT_EQ(out, e);
    remount({.read_only = true});
    EXPECT_EQ(fs().rename(root(), "e", root(), "f"), Error::read_only);
}

TEST_P(Ext2Test, rename_of_two_names_of_one_inode_changes_nothing) {
    InodeNumber file = make_file(root(), "x", "data");
    ASSERT_EQ(fs().link(file, root(), "y"), Error::ok);
    ASSERT_EQ(fs().rename(root(), "x", root(), "y"), Error::ok);
    InodeNumber out;
    EXPECT_EQ(fs().lookup(root(), "x", &out), Error::ok);
    EXPECT_EQ(fs().lookup(root(), "y", &out), Error::ok);
    EXPECT_EQ(attributes(file).links, 2u);
    ASSERT_EQ(fs().rename(root(), "x", root(), "x"), Error::ok);
    EXPECT_EQ(attributes(file).links, 2u);
}

TEST_P(Ext2Test, link_reports_every_error_of_the_contract) {
    InodeNumber file = make_file(root(), "f");
    InodeNumber dir = make_dir(root(), "d");
    EXPECT_EQ(fs().link(file, root(), "d"), Error::exists);
    EXPECT_EQ(fs().link(dir, root(), "d2"), Error::is_directory);
    EXPECT_EQ(fs().link(file, file, "x"), Error::not_directory);
    EXPECT_EQ(fs().link(InodeNumber{500}, root(), "x"), Error::not_found);
    disk->clock.advance(9);
    ASSERT_EQ(fs().link(file, dir, "f2"), Error::ok);
    Attributes a = attributes(file);
    EXPECT_EQ(a.links, 2u);
    EXPECT_EQ(a.change, disk->clock.time);
    remount({.read_only = true});
    EXPECT_EQ(fs().link(file, dir, "f3"), Error::read_only);
}

TEST_P(Ext2Test, symlinks_fast_and_slow) {
    InodeNumber fast;
    ASSERT_EQ(
        fs().make_symlink(root(), "fast", "a/b/c", NewInode{kModeSymlink | 0777, 5, 6, 0}, &fast),
        Error::ok);
    std::string long_target(GetParam().block_size - 1, 'p');
    InodeNumber slow;
    ASSERT_EQ(fs().make_symlink(root(), "slow", long_target, NewInode{0777, 5, 6, 0}, &slow),
              Error::ok);
    std::string exactly(59, 'e');
    InodeNumber edge;
    ASSERT_EQ(fs().make_symlink(root(), "edge", exactly, NewInode{0777, 0, 0, 0}, &edge),
              Error::ok);
    InodeNumber sixty;
    ASSERT_EQ(
        fs().make_symlink(root(), "sixty", std::string(60, 's'), NewInode{0777, 0, 0, 0}, &sixty),
        Error::ok);
    remount();
    char buffer[4096];
    uint32_t length = 0;
    ASSERT_EQ(fs().read_link(fast, buffer, &length), Error::ok);
    EXPECT_EQ(std::string(buffer, length), "a/b/c");
    ASSERT_EQ(fs().read_link(slow, buffer, &length), Error::ok);
    EXPECT_EQ(std::string(buffer, length), long_target);
    ASSERT_EQ(fs().read_link(edge, buffer, &length), Error::ok);
    EXPECT_EQ(std::string(buffer, length), exactly);
    ASSERT_EQ(fs().read_link(sixty, buffer, &length), Error::ok);
    EXPECT_EQ(std::string(buffer, length), std::string(60, 's'));
    EXPECT_EQ(attributes(fast).blocks, 0u);
    EXPECT_EQ(attributes(edge).blocks, 0u);
    EXPECT_EQ(attributes(sixty).blocks, units());
    Attributes a = attributes(slow);
    EXPECT_TRUE(is_symlink(a.mode));
    EXPECT_EQ(a.size, long_target.size());
    EXPECT_EQ(a.uid, 5u);
    // Truncated to the buffer, the whole length told.
    ASSERT_EQ(fs().read_link(slow, std::span<char>(buffer, 10), &length), Error::ok);
    EXPECT_EQ(length, long_target.size());
    EXPECT_EQ(std::string(buffer, 10), long_target.substr(0, 10));
    InodeNumber out;
    EXPECT_EQ(fs().make_symlink(root(), "empty", "", regular(), &out), Error::invalid_argument);
    EXPECT_EQ(fs().make_symlink(root(), "fast", "x", regular(), &out), Error::exists);
    // ext2 keeps a slow symlink in one block (e2fsck's and Linux's limit).
    EXPECT_EQ(
        fs().make_symlink(root(), "huge", std::string(GetParam().block_size, 'h'), regular(), &out),
        GetParam().block_size < kPathMax ? Error::name_too_long : Error::invalid_argument);
    EXPECT_EQ(fs().make_symlink(root(), "huge", std::string(kPathMax, 'h'), regular(), &out),
              Error::invalid_argument);
    InodeNumber file = make_file(root(), "file");
    EXPECT_EQ(fs().read_link(file, buffer, &length), Error::invalid_argument);
    EXPECT_EQ(fs().read_link(InodeNumber{600}, buffer, &length), Error::not_found);
    uint8_t byte;
    uint32_t done;
    EXPECT_EQ(fs().read(fast, 0, {&byte, 1}, &done), Error::invalid_argument);
    ASSERT_EQ(fs().unlink(root(), "slow"), Error::ok);
    ASSERT_EQ(fs().unlink(root(), "sixty"), Error::ok);
    ASSERT_EQ(fs().unlink(root(), "fast"), Error::ok);
    ASSERT_EQ(fs().unlink(root(), "edge"), Error::ok);
    ASSERT_EQ(fs().unlink(root(), "file"), Error::ok);
    EXPECT_EQ(free_blocks(), start.free_blocks);
    EXPECT_EQ(free_inodes(), start.free_inodes);
}

TEST_P(Ext2Test, attributes_change_as_asked_and_ctime_follows) {
    InodeNumber file = make_file(root(), "attr", "x");
    disk->clock.advance(100, 5000);
    AttributeChanges changes;
    changes.which = AttributeChanges::kMode | AttributeChanges::kUid | AttributeChanges::kGid;
    changes.mode = kModeDirectory | 04711; // the type never changes
    changes.uid = 70000;
    changes.gid = 80000;
    Attributes a;
    ASSERT_EQ(fs().set_attributes(file, changes, &a), Error::ok);
    EXPECT_EQ(a.mode, kModeRegular | 04711);
    EXPECT_EQ(a.uid, 70000u);
    EXPECT_EQ(a.gid, 80000u);
    EXPECT_EQ(a.change.seconds, disk->clock.time.seconds);
    EXPECT_NE(a.modify.seconds, disk->clock.time.seconds);
    changes.which = AttributeChanges::kAccess | AttributeChanges::kModify;
    changes.access = Timestamp{1000000, 123456789};
    changes.modify = Timestamp{2000000, 987654321};
    ASSERT_EQ(fs().set_attributes(file, changes, &a), Error::ok);
    remount();
    a = attributes(file);
    bool nanoseconds = GetParam().inode_size > 128;
    EXPECT_EQ(a.access, (Timestamp{1000000, nanoseconds ? 123456789u : 0u}));
    EXPECT_EQ(a.modify, (Timestamp{2000000, nanoseconds ? 987654321u : 0u}));
    EXPECT_EQ(a.change.seconds, disk->clock.time.seconds);
    EXPECT_EQ(a.change.nanoseconds, nanoseconds ? 5000u : 0u);
    remount({.read_only = true});
    EXPECT_EQ(fs().set_attributes(file, changes, &a), Error::read_only);
}

TEST_P(Ext2Test, reads_update_atime_like_relatime) {
    InodeNumber file = make_file(root(), "r", "data");
    AttributeChanges changes;
    changes.which = AttributeChanges::kAccess;
    changes.access = Timestamp{1600000000, 0};
    changes.which |= AttributeChanges::kModify;
    changes.modify = Timestamp{1500000000, 0};
    disk->clock.advance(1);
    ASSERT_EQ(fs().set_attributes(file, changes, nullptr), Error::ok);
    // ctime is now (newer than atime): the first read updates atime.
    disk->clock.advance(10);
    (void)read_string(fs(), file);
    EXPECT_EQ(attributes(file).access.seconds, disk->clock.time.seconds);
    Timestamp first = attributes(file).access;
    disk->clock.advance(10);
    (void)read_string(fs(), file); // atime newer than mtime and ctime, less than a day old
    EXPECT_EQ(attributes(file).access, first);
    disk->clock.advance(24 * 60 * 60);
    (void)read_string(fs(), file);
    EXPECT_EQ(attributes(file).access.seconds, disk->clock.time.seconds);
    disk->clock.advance(5);
    ASSERT_EQ(write_string(fs(), file, 0, "D"), Error::ok);
    Attributes a = attributes(file);
    EXPECT_EQ(a.modify, disk->clock.time);
    EXPECT_EQ(a.change, disk->clock.time);
}

TEST_P(Ext2Test, survives_a_small_cache) {
    // A cache of 8 blocks: everything is evicted and read back constantly.
    ASSERT_EQ(fs().unmount(), Error::ok);
    std::vector<uint8_t> image = disk->device.bytes();
    disk = std::make_unique<Ext2Disk>(std::move(image), 8);
    ASSERT_EQ(fs().mount({}), Error::ok);
    InodeNumber dir = make_dir(root(), "d");
    std::string data(70 * GetParam().block_size, 'z');
    for (int i = 0; i < 20; ++i) {
        make_file(dir, "f" + std::to_string(i), data.substr(0, i * 1000 + 1));
    }
    InodeNumber big = make_file(dir, "big", data);
    remount();
    EXPECT_EQ(read_string(fs(), big), data);
    InodeNumber f7;
    ASSERT_EQ(fs().lookup(dir, "f7", &f7), Error::ok);
    EXPECT_EQ(read_string(fs(), f7).size(), 7001u);
}

TEST_P(Ext2Test, a_corrupt_directory_is_an_io_error_not_a_crash) {
    InodeNumber dir = make_dir(root(), "bad");
    make_file(dir, "victim");
    ASSERT_EQ(fs().unmount(), Error::ok);
    // Find the directory's block: the one holding ".", "..", "victim"; break its record lengths.
    std::vector<uint8_t>& bytes = disk->device.bytes();
    uint32_t bs = GetParam().block_size;
    bool broken = false;
    for (size_t block = 0; block * bs < bytes.size() && !broken; ++block) {
        uint8_t* at = bytes.data() + block * bs;
        if (memcmp(at + 24 + 8, "victim", 6) == 0 && at[8] == '.' && at[20] == '.') {
            at[24 + 4] = 3; // rec_len of "victim": unaligned
            at[24 + 5] = 0;
            broken = true;
        }
    }
    ASSERT_TRUE(broken);
    ASSERT_EQ(fs().mount({}), Error::ok);
    InodeNumber out;
    EXPECT_EQ(fs().lookup(dir, "victim", &out), Error::io_error);
    CollectingSink sink;
    EXPECT_EQ(fs().read_directory(dir, 0, sink), Error::io_error);
    EXPECT_EQ(fs().create(dir, "new", regular(), &out), Error::io_error);
    ASSERT_EQ(fs().unmount(), Error::ok);
    check_consistency = false;
}

TEST_P(Ext2Test, a_block_pointer_beyond_the_disk_is_an_io_error) {
    InodeNumber file = make_file(root(), "pointer", "abc");
    ASSERT_EQ(fs().unmount(), Error::ok);
    // The inode's i_block[0]: find it through the inode table of group 0.
    std::vector<uint8_t>& bytes = disk->device.bytes();
    uint32_t bs = GetParam().block_size;
    uint32_t table;
    memcpy(&table, bytes.data() + (bs == 1024 ? 2048 : bs) + 8, 4); // the descriptor table
    uint8_t* inode =
        bytes.data() + uint64_t{table} * bs + uint64_t{file.value - 1} * GetParam().inode_size;
    uint32_t far = 0x7FFFFFF0;
    memcpy(inode + 40, &far, 4);
    ASSERT_EQ(fs().mount({}), Error::ok);
    EXPECT_EQ(read_string(fs(), file), "<error>");
    uint32_t done;
    uint8_t byte = 1;
    EXPECT_EQ(fs().write(file, 0, {&byte, 1}, &done), Error::io_error);
    ASSERT_EQ(fs().unmount(), Error::ok);
    check_consistency = false;
}

TEST_P(Ext2Test, statistics_follow_allocation) {
    InodeNumber file = make_file(root(), "s", std::string(3 * GetParam().block_size, 's'));
    FileSystemStatistics stats;
    ASSERT_EQ(fs().statistics(&stats), Error::ok);
    EXPECT_EQ(stats.free_blocks, start.free_blocks - 3);
    EXPECT_EQ(stats.free_inodes, start.free_inodes - 1);
    EXPECT_EQ(stats.name_max, kNameMax);
    EXPECT_FALSE(stats.read_only);
    EXPECT_EQ(fs().sync_inode(file), Error::ok);
    EXPECT_EQ(disk->cache.statistics().dirty, 0u);
    EXPECT_EQ(fs().sync(), Error::ok);
}

INSTANTIATE_TEST_SUITE_P(Geometries, Ext2Test,
                         ::testing::Values(Ext2Geometry{1024, 128}, Ext2Geometry{4096, 256},
                                           Ext2Geometry{2048, 128}),
                         geometry_name);

} // namespace
} // namespace fs

namespace fs {
namespace {

using ipc::Error;
using namespace fs::testing;

// Revision 0: 128-byte inodes, no file types in directory entries (readdir asks the inodes).
TEST(Ext2Revision0, reads_and_writes_the_original_format) {
    std::vector<uint8_t> image = make_ext2_image(4096, 1024, 128, 0, "-r 0");
    ASSERT_FALSE(image.empty());
    Ext2Disk disk(std::move(image));
    ASSERT_EQ(disk.fs.mount({}), Error::ok);
    EXPECT_EQ(disk.fs.superblock().rev_level, 0u);
    InodeNumber dir;
    ASSERT_EQ(disk.fs.make_directory(disk.fs.root(), "dir", directory(), &dir), Error::ok);
    InodeNumber file;
    ASSERT_EQ(disk.fs.create(dir, "file", regular(), &file), Error::ok);
    ASSERT_EQ(write_string(disk.fs, file, 0, std::string(20000, 'r')), Error::ok);
    InodeNumber link;
    ASSERT_EQ(disk.fs.make_symlink(dir, "link", "file", regular(0777), &link), Error::ok);
    // The largest file of revision 0 is 2 GiB - 1.
    EXPECT_EQ(disk.fs.max_file_size(), 0x7FFFFFFFu);
    ASSERT_EQ(disk.fs.unmount(), Error::ok);
    ASSERT_EQ(disk.fs.mount({}), Error::ok);
    CollectingSink sink;
    ASSERT_EQ(disk.fs.read_directory(dir, 0, sink), Error::ok);
    ASSERT_EQ(sink.names.size(), 4u);
    EXPECT_EQ(sink.types[0], FileType::directory);
    EXPECT_EQ(sink.types[2], FileType::regular);
    EXPECT_EQ(sink.types[3], FileType::symlink);
    EXPECT_EQ(read_string(disk.fs, file), std::string(20000, 'r'));
    ASSERT_EQ(disk.fs.unmount(), Error::ok);
    EXPECT_EQ(e2fsck_problems(disk.device.bytes()), "");
}

} // namespace
} // namespace fs

namespace fs {
namespace {

using ipc::Error;
using namespace fs::testing;

// A hashed (dir_index) directory, made by e2fsck -D: read linearly, and once changed here it
// loses its index flag, so e2fsck still finds the file system consistent.
TEST(Ext2HashedDirectory, is_read_and_changed_as_a_linear_one) {
    std::string tree = "/tmp/axo-ext2-tree-" + std::to_string(getpid());
    std::string image = tree + ".img";
    ASSERT_EQ(system(("rm -rf " + tree + " && mkdir -p " + tree + "/big").c_str()), 0);
    for (int i = 0; i < 400; ++i) {
        std::string path = tree + "/big/a-rather-long-file-name-" + std::to_string(i);
        FILE* file = fopen(path.c_str(), "w");
        ASSERT_NE(file, nullptr);
        fclose(file);
    }
    std::string command = "PATH=$PATH:/usr/sbin:/sbin; mke2fs -q -F -t ext2 -b 1024 -d " + tree +
                          " " + image + " 4M >/dev/null 2>&1 && e2fsck -fyD " + image +
                          " >/dev/null 2>&1; debugfs -R 'stat /big' " + image +
                          " 2>/dev/null | grep -q 'Flags: 0x1000'";
    ASSERT_EQ(system(command.c_str()), 0) << "e2fsck -D did not index the directory";
    FILE* file = fopen(image.c_str(), "rb");
    std::vector<uint8_t> bytes(4 << 20);
    ASSERT_EQ(fread(bytes.data(), 1, bytes.size(), file), bytes.size());
    fclose(file);
    ASSERT_EQ(system(("rm -rf " + tree + " " + image).c_str()), 0);

    Ext2Disk disk(std::move(bytes));
    ASSERT_EQ(disk.fs.mount({}), Error::ok);
    InodeNumber big;
    ASSERT_EQ(disk.fs.lookup(disk.fs.root(), "big", &big), Error::ok);
    auto names = list_directory(disk.fs, big);
    EXPECT_EQ(names.size(), 402u);
    InodeNumber found;
    EXPECT_EQ(disk.fs.lookup(big, "a-rather-long-file-name-377", &found), Error::ok);
    ASSERT_EQ(disk.fs.unlink(big, "a-rather-long-file-name-10"), Error::ok);
    InodeNumber created;
    ASSERT_EQ(disk.fs.create(big, "new", regular(), &created), Error::ok);
    ASSERT_EQ(disk.fs.unmount(), Error::ok);
    EXPECT_EQ(e2fsck_problems(disk.device.bytes()), "");
    ASSERT_EQ(disk.fs.mount({}), Error::ok);
    names = list_directory(disk.fs, big);
    EXPECT_EQ(names.size(), 402u);
    EXPECT_EQ(names.count("a-rather-long-file-name-10"), 0u);
    EXPECT_EQ(names.count("new"), 1u);
    ASSERT_EQ(disk.fs.unmount(), Error::ok);
}

} // namespace
} // namespace fs
