// The contract of servers/fs/vfs/file_system.h, as a typed suite: every FileSystem is plugged
// in through a Subject — constructed from a Clock, with fs() and valid(): a fresh writable file
// system of a few MiB whose root is a directory (lost+found may be there) — and must pass the
// same expectations. tmpfs is plugged in here; ext2 joins with a Subject over a formatted
// memory disk, added to `Subjects`.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "servers/fs/tmpfs/tmp_file_system.h"
#include "servers/fs/vfs/file_system.h"

namespace {

using fs::Error;
using fs::InodeNumber;

class FakeClock final : public fs::Clock {
public:
    fs::Timestamp now() override { return m_now; }
    void advance(int64_t seconds) { m_now.seconds += seconds; }

private:
    fs::Timestamp m_now{1700000000, 0};
};

// tmpfs on a heap arena.
class TmpfsSubject {
public:
    static constexpr size_t kArenaBytes = 4u << 20;
    explicit TmpfsSubject(fs::Clock& clock, size_t bytes = kArenaBytes)
        : m_arena(new uint64_t[bytes / 8]), m_fs(m_arena.get(), bytes, clock) {}
    fs::FileSystem& fs() { return m_fs; }
    bool valid() const { return m_fs.valid(); }

private:
    std::unique_ptr<uint64_t[]> m_arena;
    fs::TmpFileSystem m_fs;
};

class Collect final : public fs::DirectorySink {
public:
    explicit Collect(size_t limit = 1000000) : m_limit(limit) {}
    bool take(const fs::DirectoryEntry& entry) override {
        if (names.size() >= m_limit) return false;
        names.emplace_back(entry.name);
        inodes.push_back(entry.inode);
        next = entry.next;
        return true;
    }
    std::vector<std::string> names;
    std::vector<InodeNumber> inodes;
    uint64_t next = 0;

private:
    size_t m_limit;
};

template <class Subject> class FileSystemContract : public ::testing::Test {
protected:
    FileSystemContract() : subject(clock) {}
    fs::FileSystem& fs() { return subject.fs(); }
    InodeNumber root() { return fs().root(); }

    fs::NewInode file_mode(uint32_t permissions = 0644) {
        fs::NewInode inode;
        inode.mode = fs::kModeRegular | permissions;
        inode.uid = 1000;
        inode.gid = 100;
        return inode;
    }
    fs::NewInode directory_mode(uint32_t permissions = 0755) {
        fs::NewInode inode;
        inode.mode = fs::kModeDirectory | permissions;
        inode.uid = 1000;
        inode.gid = 100;
        return inode;
    }
    InodeNumber make_file(InodeNumber directory, const char* name) {
        InodeNumber out;
        EXPECT_EQ(fs().create(directory, name, file_mode(), &out), Error::ok) << name;
        return out;
    }
    InodeNumber make_directory(InodeNumber directory, const char* name) {
        InodeNumber out;
        EXPECT_EQ(fs().make_directory(directory, name, directory_mode(), &out), Error::ok) << name;
        return out;
    }
    fs::Attributes attributes(InodeNumber inode) {
        fs::Attributes out;
        EXPECT_EQ(fs().get_attributes(inode, &out), Error::ok);
        return out;
    }
    Error write(InodeNumber inode, uint64_t offset, const std::string& data, uint32_t* done) {
        return fs().write(
            inode, offset,
            std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()),
            done);
    }
    std::string read(InodeNumber inode, uint64_t offset, size_t length) {
        std::string out(length, '\0');
        uint32_t done = 0;
        EXPECT_EQ(fs().read(inode, offset,
                            std::span<uint8_t>(reinterpret_cast<uint8_t*>(out.data()), length),
                            &done),
                  Error::ok);
        out.resize(done);
        return out;
    }
    std::vector<std::string> list(InodeNumber directory) {
        Collect collect;
        EXPECT_EQ(fs().read_directory(directory, 0, collect), Error::ok);
        return collect.names;
    }

    FakeClock clock;
    Subject subject;
};

using Subjects = ::testing::Types<TmpfsSubject>;
TYPED_TEST_SUITE(FileSystemContract, Subjects);

TYPED_TEST(FileSystemContract, root_is_a_directory_that_is_its_own_parent) {
    ASSERT_TRUE(this->subject.valid());
    fs::Attributes root = this->attributes(this->root());
    EXPECT_TRUE(fs::is_directory(root.mode));
    EXPECT_GE(root.links, 2u); // a formatted ext2 has lost+found beside
    InodeNumber up;
    ASSERT_EQ(this->fs().lookup(this->root(), "..", &up), Error::ok);
    EXPECT_EQ(up, this->root());
    ASSERT_EQ(this->fs().lookup(this->root(), ".", &up), Error::ok);
    EXPECT_EQ(up, this->root());
}

TYPED_TEST(FileSystemContract, create_makes_an_empty_file_with_the_given_owner_and_mode) {
    InodeNumber file = this->make_file(this->root(), "a");
    fs::Attributes a = this->attributes(file);
    EXPECT_EQ(a.mode, fs::kModeRegular | 0644);
    EXPECT_EQ(a.uid, 1000u);
    EXPECT_EQ(a.gid, 100u);
    EXPECT_EQ(a.links, 1u);
    EXPECT_EQ(a.size, 0u);
    InodeNumber found;
    ASSERT_EQ(this->fs().lookup(this->root(), "a", &found), Error::ok);
    EXPECT_EQ(found, file);
}

TYPED_TEST(FileSystemContract, create_refuses_existing_names_and_non_directories) {
    InodeNumber file = this->make_file(this->root(), "a");
    InodeNumber out;
    EXPECT_EQ(this->fs().create(this->root(), "a", this->file_mode(), &out), Error::exists);
    EXPECT_EQ(this->fs().create(file, "b", this->file_mode(), &out), Error::not_directory);
    EXPECT_EQ(this->fs().lookup(this->root(), "missing", &out), Error::not_found);
    EXPECT_EQ(this->fs().lookup(file, "x", &out), Error::not_directory);
    fs::NewInode directory = this->directory_mode();
    EXPECT_EQ(this->fs().create(this->root(), "d", directory, &out), Error::invalid_argument);
}

TYPED_TEST(FileSystemContract, names_of_255_bytes_work) {
    std::string name(fs::kNameMax, 'n');
    InodeNumber out;
    ASSERT_EQ(this->fs().create(this->root(), name, this->file_mode(), &out), Error::ok);
    InodeNumber found;
    ASSERT_EQ(this->fs().lookup(this->root(), name, &found), Error::ok);
    EXPECT_EQ(found, out);
}

TYPED_TEST(FileSystemContract, written_bytes_read_back_and_reads_stop_at_the_end) {
    InodeNumber file = this->make_file(this->root(), "f");
    uint32_t done = 0;
    ASSERT_EQ(this->write(file, 0, "hello, world", &done), Error::ok);
    EXPECT_EQ(done, 12u);
    EXPECT_EQ(this->attributes(file).size, 12u);
    EXPECT_EQ(this->read(file, 0, 100), "hello, world");
    EXPECT_EQ(this->read(file, 7, 5), "world");
    EXPECT_EQ(this->read(file, 12, 10), "");
    EXPECT_EQ(this->read(file, 1000, 10), "");
}

TYPED_TEST(FileSystemContract, holes_read_as_zeros_and_take_no_blocks) {
    InodeNumber file = this->make_file(this->root(), "sparse");
    uint32_t done = 0;
    ASSERT_EQ(this->write(file, 1 << 20, "end", &done), Error::ok);
    fs::Attributes a = this->attributes(file);
    EXPECT_EQ(a.size, (1u << 20) + 3);
    EXPECT_LT(a.blocks * 512, uint64_t{1} << 20);
    EXPECT_EQ(this->read(file, 4096, 8), std::string(8, '\0'));
    EXPECT_EQ(this->read(file, 1 << 20, 3), "end");
}

TYPED_TEST(FileSystemContract, a_file_across_indirect_blocks_reads_back) {
    InodeNumber file = this->make_file(this->root(), "big");
    std::string data(600 * 1024, '\0');
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<char>(i * 7 + i / 1024);
    uint32_t done = 0;
    ASSERT_EQ(this->write(file, 0, data, &done), Error::ok);
    ASSERT_EQ(done, data.size());
    EXPECT_EQ(this->read(file, 0, data.size()), data);
    EXPECT_EQ(this->read(file, 300000, 5000), data.substr(300000, 5000));
}

TYPED_TEST(FileSystemContract, truncate_then_extend_reads_zeros) {
    InodeNumber file = this->make_file(this->root(), "t");
    uint32_t done = 0;
    ASSERT_EQ(this->write(file, 0, std::string(5000, 'x'), &done), Error::ok);
    fs::AttributeChanges changes;
    changes.which = fs::AttributeChanges::kSize;
    changes.size = 10;
    ASSERT_EQ(this->fs().set_attributes(file, changes, nullptr), Error::ok);
    EXPECT_EQ(this->attributes(file).size, 10u);
    changes.size = 3000;
    ASSERT_EQ(this->fs().set_attributes(file, changes, nullptr), Error::ok);
    EXPECT_EQ(this->read(file, 0, 3000), std::string(10, 'x') + std::string(2990, '\0'));
}

TYPED_TEST(FileSystemContract, size_changes_only_for_regular_files) {
    InodeNumber directory = this->make_directory(this->root(), "d");
    fs::AttributeChanges changes;
    changes.which = fs::AttributeChanges::kSize;
    EXPECT_EQ(this->fs().set_attributes(directory, changes, nullptr), Error::is_directory);
    InodeNumber link;
    ASSERT_EQ(this->fs().make_symlink(this->root(), "l", "d", this->file_mode(0777), &link),
              Error::ok);
    EXPECT_EQ(this->fs().set_attributes(link, changes, nullptr), Error::invalid_argument);
}

TYPED_TEST(FileSystemContract, attributes_change_as_asked_and_ctime_moves) {
    InodeNumber file = this->make_file(this->root(), "f");
    this->clock.advance(10);
    fs::AttributeChanges changes;
    changes.which = fs::AttributeChanges::kMode | fs::AttributeChanges::kUid |
                    fs::AttributeChanges::kGid | fs::AttributeChanges::kAccess |
                    fs::AttributeChanges::kModify;
    changes.mode = 04711;
    changes.uid = 7;
    changes.gid = 8;
    changes.access = fs::Timestamp{1000, 5};
    changes.modify = fs::Timestamp{2000, 6};
    fs::Attributes after;
    ASSERT_EQ(this->fs().set_attributes(file, changes, &after), Error::ok);
    EXPECT_EQ(after.mode, fs::kModeRegular | 04711);
    EXPECT_EQ(after.uid, 7u);
    EXPECT_EQ(after.gid, 8u);
    EXPECT_EQ(after.access, (fs::Timestamp{1000, 5}));
    EXPECT_EQ(after.modify, (fs::Timestamp{2000, 6}));
    EXPECT_EQ(after.change.seconds, 1700000010);
}

TYPED_TEST(FileSystemContract, a_write_sets_modify_and_change) {
    InodeNumber file = this->make_file(this->root(), "f");
    this->clock.advance(100);
    uint32_t done = 0;
    ASSERT_EQ(this->write(file, 0, "x", &done), Error::ok);
    fs::Attributes a = this->attributes(file);
    EXPECT_EQ(a.modify.seconds, 1700000100);
    EXPECT_EQ(a.change.seconds, 1700000100);
}

TYPED_TEST(FileSystemContract, directories_count_their_subdirectories_in_links) {
    uint32_t root_links = this->attributes(this->root()).links;
    InodeNumber d = this->make_directory(this->root(), "d");
    EXPECT_EQ(this->attributes(this->root()).links, root_links + 1);
    EXPECT_EQ(this->attributes(d).links, 2u);
    InodeNumber up;
    ASSERT_EQ(this->fs().lookup(d, "..", &up), Error::ok);
    EXPECT_EQ(up, this->root());
    this->make_file(d, "f");
    EXPECT_EQ(this->fs().remove_directory(this->root(), "d"), Error::not_empty);
    EXPECT_EQ(this->fs().unlink(this->root(), "d"), Error::is_directory);
    ASSERT_EQ(this->fs().unlink(d, "f"), Error::ok);
    ASSERT_EQ(this->fs().remove_directory(this->root(), "d"), Error::ok);
    EXPECT_EQ(this->attributes(this->root()).links, root_links);
    EXPECT_EQ(this->fs().lookup(this->root(), "d", &up), Error::not_found);
}

TYPED_TEST(FileSystemContract, remove_directory_refuses_files) {
    this->make_file(this->root(), "f");
    EXPECT_EQ(this->fs().remove_directory(this->root(), "f"), Error::not_directory);
    EXPECT_EQ(this->fs().remove_directory(this->root(), "none"), Error::not_found);
    EXPECT_EQ(this->fs().unlink(this->root(), "none"), Error::not_found);
}

TYPED_TEST(FileSystemContract, symlinks_keep_their_target_and_report_its_length) {
    InodeNumber link;
    ASSERT_EQ(
        this->fs().make_symlink(this->root(), "l", "some/where", this->file_mode(0777), &link),
        Error::ok);
    fs::Attributes a = this->attributes(link);
    EXPECT_TRUE(fs::is_symlink(a.mode));
    EXPECT_EQ(a.size, 10u);
    char buffer[4];
    uint32_t length = 0;
    ASSERT_EQ(this->fs().read_link(link, buffer, &length), Error::ok);
    EXPECT_EQ(length, 10u);
    EXPECT_EQ(std::string(buffer, 4), "some");
    InodeNumber file = this->make_file(this->root(), "f");
    EXPECT_EQ(this->fs().read_link(file, buffer, &length), Error::invalid_argument);
    EXPECT_EQ(this->fs().make_symlink(this->root(), "e", "", this->file_mode(0777), &link),
              Error::invalid_argument);
}

TYPED_TEST(FileSystemContract, hard_links_share_the_inode_and_count) {
    InodeNumber file = this->make_file(this->root(), "a");
    ASSERT_EQ(this->fs().link(file, this->root(), "b"), Error::ok);
    EXPECT_EQ(this->attributes(file).links, 2u);
    EXPECT_EQ(this->fs().link(file, this->root(), "b"), Error::exists);
    InodeNumber d = this->make_directory(this->root(), "d");
    EXPECT_EQ(this->fs().link(d, this->root(), "d2"), Error::is_directory);
    ASSERT_EQ(this->fs().unlink(this->root(), "a"), Error::ok);
    EXPECT_EQ(this->attributes(file).links, 1u);
    InodeNumber found;
    ASSERT_EQ(this->fs().lookup(this->root(), "b", &found), Error::ok);
    EXPECT_EQ(found, file);
}

TYPED_TEST(FileSystemContract, rename_moves_and_replaces_compatible_kinds) {
    InodeNumber a = this->make_file(this->root(), "a");
    InodeNumber b = this->make_file(this->root(), "b");
    ASSERT_EQ(this->fs().rename(this->root(), "a", this->root(), "b"), Error::ok);
    InodeNumber found;
    ASSERT_EQ(this->fs().lookup(this->root(), "b", &found), Error::ok);
    EXPECT_EQ(found, a);
    EXPECT_EQ(this->fs().lookup(this->root(), "a", &found), Error::not_found);
    fs::Attributes replaced;
    EXPECT_EQ(this->fs().get_attributes(b, &replaced), Error::not_found); // its last link went
    InodeNumber d = this->make_directory(this->root(), "d");
    InodeNumber e = this->make_directory(this->root(), "e");
    EXPECT_EQ(this->fs().rename(this->root(), "d", this->root(), "b"), Error::not_directory);
    EXPECT_EQ(this->fs().rename(this->root(), "b", this->root(), "d"), Error::is_directory);
    this->make_file(e, "inside");
    EXPECT_EQ(this->fs().rename(this->root(), "d", this->root(), "e"), Error::not_empty);
    ASSERT_EQ(this->fs().rename(this->root(), "e", this->root(), "d"), Error::ok);
    ASSERT_EQ(this->fs().lookup(this->root(), "d", &found), Error::ok);
    EXPECT_EQ(found, e);
    EXPECT_EQ(this->fs().rename(this->root(), "none", this->root(), "x"), Error::not_found);
    (void)d;
}

TYPED_TEST(FileSystemContract, rename_of_a_directory_to_another_parent_moves_its_parent_link) {
    InodeNumber p = this->make_directory(this->root(), "p");
    InodeNumber q = this->make_directory(this->root(), "q");
    InodeNumber child = this->make_directory(p, "child");
    EXPECT_EQ(this->attributes(p).links, 3u);
    ASSERT_EQ(this->fs().rename(p, "child", q, "moved"), Error::ok);
    EXPECT_EQ(this->attributes(p).links, 2u);
    EXPECT_EQ(this->attributes(q).links, 3u);
    InodeNumber up;
    ASSERT_EQ(this->fs().lookup(child, "..", &up), Error::ok);
    EXPECT_EQ(up, q);
}

TYPED_TEST(FileSystemContract, rename_onto_itself_changes_nothing) {
    InodeNumber a = this->make_file(this->root(), "a");
    ASSERT_EQ(this->fs().link(a, this->root(), "b"), Error::ok);
    ASSERT_EQ(this->fs().rename(this->root(), "a", this->root(), "b"), Error::ok);
    InodeNumber found;
    EXPECT_EQ(this->fs().lookup(this->root(), "a", &found), Error::ok);
    EXPECT_EQ(this->attributes(a).links, 2u);
}

TYPED_TEST(FileSystemContract, read_directory_lists_dots_then_every_name_once) {
    for (int i = 0; i < 40; ++i)
        this->make_file(this->root(), ("file" + std::to_string(i)).c_str());
    std::vector<std::string> names = this->list(this->root());
    names.erase(std::remove(names.begin(), names.end(), "lost+found"), names.end());
    ASSERT_EQ(names.size(), 42u);
    EXPECT_EQ(names[0], ".");
    EXPECT_EQ(names[1], "..");
    std::sort(names.begin(), names.end());
    EXPECT_EQ(std::unique(names.begin(), names.end()), names.end());
}

TYPED_TEST(FileSystemContract, read_directory_continues_from_a_cookie_across_changes) {
    for (int i = 0; i < 20; ++i)
        this->make_file(this->root(), ("f" + std::to_string(i)).c_str());
    Collect first(8);
    ASSERT_EQ(this->fs().read_directory(this->root(), 0, first), Error::ok);
    ASSERT_EQ(first.names.size(), 8u);
    // Remove one already listed and one not yet listed; add one.
    ASSERT_EQ(this->fs().unlink(this->root(), first.names[3]), Error::ok);
    ASSERT_EQ(this->fs().unlink(this->root(), "f19"), Error::ok);
    this->make_file(this->root(), "new");
    Collect rest;
    ASSERT_EQ(this->fs().read_directory(this->root(), first.next, rest), Error::ok);
    std::vector<std::string> all = first.names;
    all.insert(all.end(), rest.names.begin(), rest.names.end());
    for (int i = 0; i < 19; ++i) {
        std::string name = "f" + std::to_string(i);
        EXPECT_EQ(std::count(all.begin(), all.end(), name), 1) << name;
    }
    EXPECT_EQ(std::count(all.begin(), all.end(), "f19"), 0);
}

TYPED_TEST(FileSystemContract, an_unlinked_file_lives_while_referenced) {
    InodeNumber file = this->make_file(this->root(), "f");
    uint32_t done = 0;
    ASSERT_EQ(this->write(file, 0, "still here", &done), Error::ok);
    this->fs().retain(file);
    ASSERT_EQ(this->fs().unlink(this->root(), "f"), Error::ok);
    EXPECT_EQ(this->attributes(file).links, 0u);
    EXPECT_EQ(this->read(file, 0, 100), "still here");
    this->fs().release(file);
    fs::Attributes gone;
    EXPECT_EQ(this->fs().get_attributes(file, &gone), Error::not_found);
}

TYPED_TEST(FileSystemContract, a_removed_directory_stays_empty_while_referenced) {
    InodeNumber d = this->make_directory(this->root(), "d");
    this->fs().retain(d);
    ASSERT_EQ(this->fs().remove_directory(this->root(), "d"), Error::ok);
    InodeNumber out;
    EXPECT_EQ(this->fs().create(d, "x", this->file_mode(), &out), Error::not_found);
    EXPECT_EQ(this->fs().make_directory(d, "y", this->directory_mode(), &out), Error::not_found);
    this->fs().release(d);
}

TYPED_TEST(FileSystemContract, running_out_of_space_writes_what_fits_and_frees_on_unlink) {
    InodeNumber file = this->make_file(this->root(), "fill");
    // After the create: the directory keeps the space its entry took.
    fs::FileSystemStatistics before;
    ASSERT_EQ(this->fs().statistics(&before), Error::ok);
    std::string chunk(64 * 1024, 'z');
    uint64_t written = 0;
    Error error = Error::ok;
    for (int i = 0; i < 10000 && error == Error::ok; ++i) {
        uint32_t done = 0;
        error = this->write(file, written, chunk, &done);
        written += done;
        if (done < chunk.size() && error == Error::ok) {
            uint32_t more = 0;
            error = this->write(file, written, chunk, &more);
            written += more;
        }
    }
    EXPECT_EQ(error, Error::no_space);
    EXPECT_GT(written, 0u);
    EXPECT_EQ(this->attributes(file).size, written);
    ASSERT_EQ(this->fs().unlink(this->root(), "fill"), Error::ok);
    fs::FileSystemStatistics after;
    ASSERT_EQ(this->fs().statistics(&after), Error::ok);
    EXPECT_EQ(after.free_blocks, before.free_blocks);
}

TYPED_TEST(FileSystemContract, reads_and_writes_refuse_what_is_not_a_regular_file) {
    InodeNumber d = this->make_directory(this->root(), "d");
    uint32_t done = 0;
    EXPECT_EQ(this->write(d, 0, "x", &done), Error::is_directory);
    fs::NewInode fifo;
    fifo.mode = fs::kModeFifo | 0600;
    InodeNumber f;
    ASSERT_EQ(this->fs().create(this->root(), "fifo", fifo, &f), Error::ok);
    EXPECT_EQ(this->write(f, 0, "x", &done), Error::invalid_argument);
    EXPECT_TRUE((this->attributes(f).mode & fs::kModeTypeMask) == fs::kModeFifo);
}

} // namespace
