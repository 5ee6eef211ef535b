// The VFS's name cache (servers/fs/vfs/name_cache.h): its tables alone, and through the Vfs
// over tmpfs — every change of a name, a permission, an owner or a mount is seen at once, and a
// file system whose names change by themselves is never cached.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "servers/fs/tmpfs/tmp_file_system.h"
#include "servers/fs/vfs/name_cache.h"
#include "servers/fs/vfs/vfs.h"

namespace {

using fs::Error;
using fs::InodeNumber;
using fs::NameCache;

// ---- The tables ------------------------------------------------------------------------------

TEST(NameCacheTest, remembers_names_and_their_absence_until_cleared) {
    auto cache = std::make_unique<NameCache>();
    InodeNumber out;
    EXPECT_EQ(cache->find(0, InodeNumber{2}, "etc", &out), NameCache::Found::unknown);
    cache->remember(0, InodeNumber{2}, "etc", InodeNumber{12});
    cache->remember(0, InodeNumber{2}, "missing", InodeNumber{});
    ASSERT_EQ(cache->find(0, InodeNumber{2}, "etc", &out), NameCache::Found::present);
    EXPECT_EQ(out, InodeNumber{12});
    EXPECT_EQ(cache->find(0, InodeNumber{2}, "missing", &out), NameCache::Found::absent);
    EXPECT_EQ(cache->hits(), 2u);
    EXPECT_EQ(cache->misses(), 1u);
    cache->clear();
    EXPECT_EQ(cache->find(0, InodeNumber{2}, "etc", &out), NameCache::Found::unknown);
    EXPECT_EQ(cache->find(0, InodeNumber{2}, "missing", &out), NameCache::Found::unknown);
}

TEST(NameCacheTest, a_name_is_its_directory_and_mount_and_every_byte) {
    auto cache = std::make_unique<NameCache>();
    cache->remember(0, InodeNumber{2}, "file", InodeNumber{20});
    InodeNumber out;
    EXPECT_EQ(cache->find(1, InodeNumber{2}, "file", &out), NameCache::Found::unknown);
    EXPECT_EQ(cache->find(0, InodeNumber{3}, "file", &out), NameCache::Found::unknown);
    EXPECT_EQ(cache->find(0, InodeNumber{2}, "fil", &out), NameCache::Found::unknown);
    EXPECT_EQ(cache->find(0, InodeNumber{2}, "filE", &out), NameCache::Found::unknown);
    EXPECT_EQ(cache->find(0, InodeNumber{2}, "file", &out), NameCache::Found::present);
}

TEST(NameCacheTest, names_longer_than_an_entry_are_never_cached) {
    auto cache = std::make_unique<NameCache>();
    std::string longest(NameCache::kNameBytes, 'a');
    std::string longer(NameCache::kNameBytes + 1, 'a');
    cache->remember(0, InodeNumber{2}, longest, InodeNumber{5});
    cache->remember(0, InodeNumber{2}, longer, InodeNumber{6});
    InodeNumber out;
    EXPECT_EQ(cache->find(0, InodeNumber{2}, longest, &out), NameCache::Found::present);
    EXPECT_EQ(out, InodeNumber{5});
    EXPECT_EQ(cache->find(0, InodeNumber{2}, longer, &out), NameCache::Found::unknown);
}

TEST(NameCacheTest, a_newer_entry_in_the_same_slot_replaces_the_older) {
    auto cache = std::make_unique<NameCache>();
    // More names than slots: every one found is the one remembered for it.
    for (uint32_t i = 0; i < 4 * NameCache::kNames; ++i)
        cache->remember(0, InodeNumber{2}, "n" + std::to_string(i), InodeNumber{100 + i});
    uint32_t present = 0;
    for (uint32_t i = 0; i < 4 * NameCache::kNames; ++i) {
        InodeNumber out;
        if (cache->find(0, InodeNumber{2}, "n" + std::to_string(i), &out) ==
            NameCache::Found::present) {
            EXPECT_EQ(out, InodeNumber{100 + i});
            ++present;
        }
    }
    EXPECT_GT(present, NameCache::kNames / 2); // the hash spreads them
    EXPECT_LE(present, NameCache::kNames);
}

TEST(NameCacheTest, attributes_are_kept_per_node_until_cleared) {
    auto cache = std::make_unique<NameCache>();
    fs::NodeAttributes out;
    EXPECT_FALSE(cache->find_attributes(0, InodeNumber{7}, &out));
    cache->remember_attributes(0, InodeNumber{7}, fs::NodeAttributes{0040755, 1000, 100, 0});
    ASSERT_TRUE(cache->find_attributes(0, InodeNumber{7}, &out));
    EXPECT_EQ(out.mode, 0040755u);
    EXPECT_EQ(out.uid, 1000u);
    EXPECT_EQ(out.gid, 100u);
    EXPECT_FALSE(cache->find_attributes(1, InodeNumber{7}, &out));
    cache->clear();
    EXPECT_FALSE(cache->find_attributes(0, InodeNumber{7}, &out));
}

// ---- Through the Vfs -------------------------------------------------------------------------

class FakeClock final : public fs::Clock {
public:
    fs::Timestamp now() override { return {1700000000, 0}; }
};

struct Tmpfs {
    explicit Tmpfs(fs::Clock& clock, size_t bytes = 1u << 20)
        : arena(new uint64_t[bytes / 8]), fs(arena.get(), bytes, clock, 0755) {}
    std::unique_ptr<uint64_t[]> arena;
    fs::TmpFileSystem fs;
};

// A tmpfs that says its names may change behind the Vfs's back (as procfs's do), and lets the
// test change them so.
class Unstable final : public fs::FileSystem {
public:
    explicit Unstable(fs::FileSystem& inner) : m(inner) {}
    InodeNumber root() const override { return m.root(); }
    bool read_only() const override { return m.read_only(); }
    Error statistics(fs::FileSystemStatistics* out) override { return m.statistics(out); }
    Error get_attributes(InodeNumber i, fs::Attributes* out) override {
        return m.get_attributes(i, out);
    }
    Error set_attributes(InodeNumber i, const fs::AttributeChanges& c,
                         fs::Attributes* out) override {
        return m.set_attributes(i, c, out);
    }
    Error lookup(InodeNumber d, std::string_view n, InodeNumber* out) override {
        ++lookups;
        return m.lookup(d, n, out);
    }
    Error create(InodeNumber d, std::string_view n, const fs::NewInode& i,
                 InodeNumber* out) override {
        return m.create(d, n, i, out);
    }
    Error make_directory(InodeNumber d, std::string_view n, const fs::NewInode& i,
                         InodeNumber* out) override {
        return m.make_directory(d, n, i, out);
    }
    Error make_symlink(InodeNumber d, std::string_view n, std::string_view t, const fs::NewInode& i,
                       InodeNumber* out) override {
        return m.make_symlink(d, n, t, i, out);
    }
    Error link(InodeNumber i, InodeNumber d, std::string_view n) override {
        return m.link(i, d, n);
    }
    Error unlink(InodeNumber d, std::string_view n) override { return m.unlink(d, n); }
    Error remove_directory(InodeNumber d, std::string_view n) override {
        return m.remove_directory(d, n);
    }
    Error rename(InodeNumber fd, std::string_view f, InodeNumber td, std::string_view t) override {
        return m.rename(fd, f, td, t);
    }
    Error read_link(InodeNumber i, std::span<char> b, uint32_t* l) override {
        return m.read_link(i, b, l);
    }
    Error read(InodeNumber i, uint64_t o, std::span<uint8_t> b, uint32_t* d) override {
        return m.read(i, o, b, d);
    }
    Error write(InodeNumber i, uint64_t o, std::span<const uint8_t> b, uint32_t* d) override {
        return m.write(i, o, b, d);
    }
    Error read_directory(InodeNumber d, uint64_t c, fs::DirectorySink& s) override {
        return m.read_directory(d, c, s);
    }
    void retain(InodeNumber i) override { m.retain(i); }
    void release(InodeNumber i) override { m.release(i); }
    Error sync_inode(InodeNumber i) override { return m.sync_inode(i); }
    Error sync() override { return m.sync(); }

    fs::FileSystem& m;
    uint32_t lookups = 0;
};

fs::Caller user(uint32_t pid, uint32_t uid, uint32_t gid) {
    fs::Caller caller;
    caller.pid = pid;
    caller.credentials.uid = caller.credentials.real_uid = uid;
    caller.credentials.gid = caller.credentials.real_gid = gid;
    return caller;
}

class VfsNameCacheTest : public ::testing::Test {
protected:
    VfsNameCacheTest() : root_fs(clock), vfs(new fs::Vfs(clock)) {
        EXPECT_EQ(vfs->mount_root(root_fs.fs, false), Error::ok);
        EXPECT_EQ(vfs->mkdir(root, fs::kAtCwd, "/d", 0755), Error::ok);
    }
    Error stat(const fs::Caller& caller, const char* path, fs::Attributes* out = nullptr,
               bool follow = true) {
        fs::Attributes a;
        return vfs->stat(caller, fs::kAtCwd, path, follow, out != nullptr ? out : &a);
    }
    void make(const char* path, uint32_t mode = 0644) {
        fs::Handle h = -1;
        ASSERT_EQ(vfs->open(root, fs::kAtCwd, path, fs::kOpenWriteOnly | fs::kOpenCreate, mode, &h),
                  Error::ok)
            << path;
        ASSERT_EQ(vfs->close(root, h), Error::ok);
    }

    FakeClock clock;
    Tmpfs root_fs;
    std::unique_ptr<fs::Vfs> vfs;
    fs::Caller root = user(1, 0, 0);
    fs::Caller alice = user(2, 1000, 1000);
};

TEST_F(VfsNameCacheTest, a_second_resolution_asks_no_file_system) {
    make("/d/f");
    ASSERT_EQ(stat(alice, "/d/f"), Error::ok);
    ASSERT_EQ(stat(alice, "/d/missing"), Error::not_found);
    uint32_t misses = vfs->name_cache_misses();
    uint32_t hits = vfs->name_cache_hits();
    ASSERT_EQ(stat(alice, "/d/f"), Error::ok);
    ASSERT_EQ(stat(alice, "/d/missing"), Error::not_found);
    EXPECT_EQ(vfs->name_cache_misses(), misses);
    EXPECT_GT(vfs->name_cache_hits(), hits);
}

TEST_F(VfsNameCacheTest, a_name_made_after_its_absence_was_cached_is_found) {
    const char* missing[] = {"/d/file", "/d/dir", "/d/link", "/d/fifo", "/d/hard", "/d/moved"};
    for (const char* path : missing)
        ASSERT_EQ(stat(root, path), Error::not_found) << path;
    make("/d/file");
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/d/dir", 0755), Error::ok);
    ASSERT_EQ(vfs->symlink(root, "file", fs::kAtCwd, "/d/link"), Error::ok);
    ASSERT_EQ(vfs->mknod(root, fs::kAtCwd, "/d/fifo", fs::kModeFifo | 0644, 0), Error::ok);
    ASSERT_EQ(vfs->link(root, fs::kAtCwd, "/d/file", fs::kAtCwd, "/d/hard", false), Error::ok);
    make("/d/source");
    ASSERT_EQ(stat(root, "/d/source"), Error::ok);
    ASSERT_EQ(vfs->rename(root, fs::kAtCwd, "/d/source", fs::kAtCwd, "/d/moved"), Error::ok);
    for (const char* path : missing)
        EXPECT_EQ(stat(root, path), Error::ok) << path;
    EXPECT_EQ(stat(root, "/d/source"), Error::not_found); // renamed away
}

TEST_F(VfsNameCacheTest, a_name_removed_after_it_was_cached_is_gone) {
    make("/d/file");
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/d/dir", 0755), Error::ok);
    ASSERT_EQ(stat(root, "/d/file"), Error::ok);
    ASSERT_EQ(stat(root, "/d/dir"), Error::ok);
    ASSERT_EQ(vfs->unlink(root, fs::kAtCwd, "/d/file"), Error::ok);
    ASSERT_EQ(vfs->rmdir(root, fs::kAtCwd, "/d/dir"), Error::ok);
    EXPECT_EQ(stat(root, "/d/file"), Error::not_found);
    EXPECT_EQ(stat(root, "/d/dir"), Error::not_found);
}

TEST_F(VfsNameCacheTest, a_reused_name_gives_the_new_file_and_its_type) {
    make("/d/x");
    fs::Attributes before;
    ASSERT_EQ(stat(root, "/d/x", &before), Error::ok);
    ASSERT_EQ(vfs->unlink(root, fs::kAtCwd, "/d/x"), Error::ok);
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/d/x", 0700), Error::ok);
    fs::Attributes after;
    ASSERT_EQ(stat(root, "/d/x", &after), Error::ok);
    EXPECT_TRUE(fs::is_directory(after.mode));
    // Resolution through it sees a directory now (was not_directory through the file).
    EXPECT_EQ(stat(root, "/d/x/."), Error::ok);
    // And its permissions: alice may not search a 0700 directory of root's.
    EXPECT_EQ(stat(alice, "/d/x/anything"), Error::access_denied);
}

TEST_F(VfsNameCacheTest, chmod_of_a_directory_walked_before_reaches_search_permission) {
    make("/d/f");
    ASSERT_EQ(stat(alice, "/d/f"), Error::ok);
    ASSERT_EQ(vfs->chmod(root, fs::kAtCwd, "/d", 0700, true), Error::ok);
    EXPECT_EQ(stat(alice, "/d/f"), Error::access_denied);
    ASSERT_EQ(vfs->chmod(root, fs::kAtCwd, "/d", 0711, true), Error::ok);
    EXPECT_EQ(stat(alice, "/d/f"), Error::ok);
}

TEST_F(VfsNameCacheTest, chown_of_a_directory_walked_before_reaches_search_permission) {
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/d/own", 0700), Error::ok);
    ASSERT_EQ(vfs->chown(root, fs::kAtCwd, "/d/own", 1000, 1000, true), Error::ok);
    EXPECT_EQ(stat(alice, "/d/own/missing"), Error::not_found); // alice's: searchable
    ASSERT_EQ(vfs->chown(root, fs::kAtCwd, "/d/own", 0, 0, true), Error::ok);
    EXPECT_EQ(stat(alice, "/d/own/missing"), Error::access_denied);
}

TEST_F(VfsNameCacheTest, open_checks_the_permissions_a_chmod_changed) {
    make("/d/f", 0644);
    fs::Handle h = -1;
    ASSERT_EQ(vfs->open(alice, fs::kAtCwd, "/d/f", fs::kOpenReadOnly, 0, &h), Error::ok);
    ASSERT_EQ(vfs->close(alice, h), Error::ok);
    ASSERT_EQ(vfs->chmod(root, fs::kAtCwd, "/d/f", 0600, true), Error::ok);
    EXPECT_EQ(vfs->open(alice, fs::kAtCwd, "/d/f", fs::kOpenReadOnly, 0, &h), Error::access_denied);
}

TEST_F(VfsNameCacheTest, mount_and_umount_change_what_a_cached_path_reaches) {
    make("/d/under");
    ASSERT_EQ(stat(root, "/d/under"), Error::ok);
    Tmpfs other(clock);
    ASSERT_EQ(vfs->mount(root, "/d", other.fs, false), Error::ok);
    EXPECT_EQ(stat(root, "/d/under"), Error::not_found);
    ASSERT_EQ(vfs->umount(root, "/d"), Error::ok);
    EXPECT_EQ(stat(root, "/d/under"), Error::ok);
}

TEST_F(VfsNameCacheTest, a_file_system_whose_names_change_by_themselves_is_never_cached) {
    Tmpfs inner(clock);
    Unstable unstable(inner.fs);
    ASSERT_EQ(vfs->mount(root, "/d", unstable, false), Error::ok);
    EXPECT_EQ(stat(root, "/d/late"), Error::not_found);
    // A name appears behind the Vfs's back (as a process appears in /proc).
    InodeNumber made;
    fs::NewInode inode{fs::kModeRegular | 0644, 0, 0, 0};
    ASSERT_EQ(inner.fs.create(inner.fs.root(), "late", inode, &made), Error::ok);
    EXPECT_EQ(stat(root, "/d/late"), Error::ok);
    uint32_t lookups = unstable.lookups;
    EXPECT_EQ(stat(root, "/d/late"), Error::ok);
    EXPECT_EQ(unstable.lookups, lookups + 1);
    ASSERT_EQ(inner.fs.unlink(inner.fs.root(), "late"), Error::ok);
    EXPECT_EQ(stat(root, "/d/late"), Error::not_found);
    ASSERT_EQ(vfs->umount(root, "/d"), Error::ok);
}

} // namespace
