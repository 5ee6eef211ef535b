// The VFS (servers/fs/vfs/vfs.h) over tmpfs: path resolution, mounts, open-file descriptions,
// permissions, and each error of the file interface.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "servers/fs/tmpfs/tmp_file_system.h"
#include "servers/fs/vfs/vfs.h"

namespace {

using fs::Error;

class FakeClock final : public fs::Clock {
public:
    fs::Timestamp now() override { return {1700000000, 0}; }
};

struct Tmpfs {
    explicit Tmpfs(fs::Clock& clock, uint32_t root_mode = 0755, size_t bytes = 2u << 20)
        : arena(new uint64_t[bytes / 8]), fs(arena.get(), bytes, clock, root_mode) {}
    std::unique_ptr<uint64_t[]> arena;
    fs::TmpFileSystem fs;
};

fs::Caller user(uint32_t pid, uint32_t uid, uint32_t gid) {
    fs::Caller caller;
    caller.pid = pid;
    caller.credentials.uid = caller.credentials.real_uid = uid;
    caller.credentials.gid = caller.credentials.real_gid = gid;
    return caller;
}

class Names final : public fs::DirectorySink {
public:
    bool take(const fs::DirectoryEntry& entry) override {
        names.emplace_back(entry.name);
        return true;
    }
    std::vector<std::string> names;
};

class VfsTest : public ::testing::Test {
protected:
    VfsTest() : root_fs(clock), vfs(new fs::Vfs(clock)) {
        EXPECT_EQ(vfs->mount_root(root_fs.fs, false), Error::ok);
    }

    fs::Handle open(const fs::Caller& caller, const char* path, uint32_t flags,
                    uint32_t mode = 0644, Error want = Error::ok) {
        fs::Handle handle = -1;
        EXPECT_EQ(vfs->open(caller, fs::kAtCwd, path, flags, mode, &handle), want) << path;
        return handle;
    }
    void put(const fs::Caller& caller, const char* path, const std::string& data) {
        fs::Handle h = open(caller, path, fs::kOpenWriteOnly | fs::kOpenCreate | fs::kOpenTruncate);
        uint32_t done = 0;
        ASSERT_EQ(vfs->write(caller, h, bytes(data), &done), Error::ok);
        ASSERT_EQ(done, data.size());
        ASSERT_EQ(vfs->close(caller, h), Error::ok);
    }
    std::string get(const fs::Caller& caller, fs::Handle h, size_t length) {
        std::string out(length, '\0');
        uint32_t done = 0;
        EXPECT_EQ(vfs->read(caller, h,
                            std::span<uint8_t>(reinterpret_cast<uint8_t*>(out.data()), length),
                            &done),
                  Error::ok);
        out.resize(done);
        return out;
    }
    static std::span<const uint8_t> bytes(const std::string& data) {
        return {reinterpret_cast<const uint8_t*>(data.data()), data.size()};
    }
    Error stat(const fs::Caller& caller, const char* path, fs::Attributes* out = nullptr,
               bool follow = true) {
        fs::Attributes a;
        return vfs->stat(caller, fs::kAtCwd, path, follow, out != nullptr ? out : &a);
    }

    FakeClock clock;
    Tmpfs root_fs;
    std::unique_ptr<fs::Vfs> vfs;
    fs::Caller root = user(1, 0, 0);
    fs::Caller alice = user(2, 1000, 1000);
    fs::Caller bob = user(3, 1001, 1001);
};

// ---- Paths -----------------------------------------------------------------------------------

TEST_F(VfsTest, absolute_and_relative_paths_with_dots_reach_the_same_file) {
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/a", 0755), Error::ok);
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/a/b", 0755), Error::ok);
    put(root, "/a/b/f", "x");
    fs::Attributes one, two, three;
    ASSERT_EQ(stat(root, "/a/b/f", &one), Error::ok);
    ASSERT_EQ(stat(root, "//a/./b/../b//f", &two), Error::ok);
    ASSERT_EQ(vfs->chdir(root, fs::kAtCwd, "/a"), Error::ok);
    ASSERT_EQ(stat(root, "b/f", &three), Error::ok);
    EXPECT_EQ(one.inode, two.inode);
    EXPECT_EQ(one.inode, three.inode);
    EXPECT_EQ(stat(root, "/../../a/b/f"), Error::ok); // ".." at the root stays there
}

TEST_F(VfsTest, paths_relative_to_a_directory_handle) {
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/d", 0755), Error::ok);
    put(root, "/d/f", "data");
    fs::Handle d = open(root, "/d", fs::kOpenReadOnly | fs::kOpenDirectory);
    fs::Attributes a;
    ASSERT_EQ(vfs->stat(root, d, "f", true, &a), Error::ok);
    EXPECT_EQ(a.size, 4u);
    put(root, "/plain", "");
    fs::Handle f = open(root, "/plain", fs::kOpenReadOnly);
    EXPECT_EQ(vfs->stat(root, f, "f", true, &a), Error::not_directory);
    EXPECT_EQ(vfs->stat(root, 63, "f", true, &a), Error::bad_handle);
    // An absolute path ignores the handle.
    EXPECT_EQ(vfs->stat(root, 63, "/d/f", true, &a), Error::ok);
}

TEST_F(VfsTest, empty_path_is_not_found_and_long_names_and_paths_are_refused) {
    EXPECT_EQ(stat(root, ""), Error::not_found);
    std::string name(256, 'n');
    EXPECT_EQ(stat(root, ("/" + name).c_str()), Error::name_too_long);
    EXPECT_EQ(vfs->mkdir(root, fs::kAtCwd, "/" + name, 0755), Error::name_too_long);
    std::string fits(255, 'n');
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/" + fits, 0755), Error::ok);
    std::string long_path;
    while (long_path.size() < fs::kPathMax)
        long_path += "/.";
    EXPECT_EQ(stat(root, long_path.c_str()), Error::name_too_long);
}

TEST_F(VfsTest, trailing_slashes_need_a_directory) {
    put(root, "/file", "x");
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/dir", 0755), Error::ok);
    open(root, "/file/", fs::kOpenReadOnly, 0, Error::not_directory);
    EXPECT_EQ(stat(root, "/dir/"), Error::ok);
    EXPECT_EQ(stat(root, "/file/"), Error::not_directory);
    EXPECT_EQ(vfs->unlink(root, fs::kAtCwd, "/file/"), Error::not_directory);
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/made/", 0755), Error::ok);
    EXPECT_EQ(vfs->rmdir(root, fs::kAtCwd, "/made//"), Error::ok);
}

TEST_F(VfsTest, symlinks_are_followed_except_in_the_last_component_when_asked) {
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/real", 0755), Error::ok);
    put(root, "/real/f", "content");
    ASSERT_EQ(vfs->symlink(root, "/real", fs::kAtCwd, "/abs"), Error::ok);
    ASSERT_EQ(vfs->symlink(root, "real/f", fs::kAtCwd, "/rel"), Error::ok);
    fs::Attributes a;
    ASSERT_EQ(stat(root, "/abs/f", &a), Error::ok);
    EXPECT_EQ(a.size, 7u);
    ASSERT_EQ(stat(root, "/rel", &a), Error::ok);
    EXPECT_TRUE(fs::is_regular(a.mode));
    ASSERT_EQ(stat(root, "/rel", &a, false), Error::ok);
    EXPECT_TRUE(fs::is_symlink(a.mode));
    char target[16];
    uint32_t length = 0;
    ASSERT_EQ(vfs->readlink(root, fs::kAtCwd, "/rel", target, &length), Error::ok);
    EXPECT_EQ(std::string(target, length), "real/f");
    EXPECT_EQ(vfs->readlink(root, fs::kAtCwd, "/real/f", target, &length), Error::invalid_argument);
    open(root, "/rel", fs::kOpenReadOnly | fs::kOpenNoFollow, 0, Error::symlink_loop);
    fs::Handle h = open(root, "/rel", fs::kOpenReadOnly);
    EXPECT_EQ(get(root, h, 100), "content");
    // unlink removes the link, not its target.
    ASSERT_EQ(vfs->unlink(root, fs::kAtCwd, "/rel"), Error::ok);
    EXPECT_EQ(stat(root, "/real/f"), Error::ok);
    // A symlink to a directory with a trailing slash is the directory.
    ASSERT_EQ(stat(root, "/abs/", &a, false), Error::ok);
    EXPECT_TRUE(fs::is_directory(a.mode));
}

TEST_F(VfsTest, symlink_loops_and_chains_longer_than_forty_are_refused) {
    ASSERT_EQ(vfs->symlink(root, "/loop2", fs::kAtCwd, "/loop1"), Error::ok);
    ASSERT_EQ(vfs->symlink(root, "/loop1", fs::kAtCwd, "/loop2"), Error::ok);
    EXPECT_EQ(stat(root, "/loop1"), Error::symlink_loop);
    put(root, "/end", "x");
    ASSERT_EQ(vfs->symlink(root, "/end", fs::kAtCwd, "/l0"), Error::ok);
    for (int i = 1; i <= 40; ++i)
        ASSERT_EQ(
            vfs->symlink(root, "/l" + std::to_string(i - 1), fs::kAtCwd, "/l" + std::to_string(i)),
            Error::ok);
    EXPECT_EQ(stat(root, "/l39"), Error::ok); // 40 links
    EXPECT_EQ(stat(root, "/l40"), Error::symlink_loop);
    EXPECT_EQ(vfs->symlink(root, "", fs::kAtCwd, "/empty"), Error::not_found);
}

TEST_F(VfsTest, search_permission_is_needed_on_every_directory_walked) {
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/locked", 0700), Error::ok);
    put(root, "/locked/f", "x");
    EXPECT_EQ(stat(alice, "/locked/f"), Error::access_denied);
    EXPECT_EQ(stat(alice, "/locked"), Error::ok);
    ASSERT_EQ(vfs->chmod(root, fs::kAtCwd, "/locked", 0701, true), Error::ok);
    EXPECT_EQ(stat(alice, "/locked/f"), Error::ok);
}

// ---- Mounts ----------------------------------------------------------------------------------

TEST_F(VfsTest, a_mounted_file_system_covers_its_directory_and_dot_dot_leaves_it) {
    Tmpfs tmp(clock, 01777);
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/tmp", 0755), Error::ok);
    put(root, "/tmp/hidden", "x");
    ASSERT_EQ(vfs->mount(root, "/tmp", tmp.fs, false), Error::ok);
    EXPECT_EQ(stat(root, "/tmp/hidden"), Error::not_found);
    fs::Attributes a;
    ASSERT_EQ(stat(root, "/tmp", &a), Error::ok);
    EXPECT_EQ(a.mode & 07777, 01777u);
    put(root, "/tmp/new", "y");
    fs::Attributes up, top;
    ASSERT_EQ(stat(root, "/tmp/..", &up), Error::ok);
    ASSERT_EQ(stat(root, "/", &top), Error::ok);
    EXPECT_EQ(up.inode, top.inode);
    ASSERT_EQ(vfs->chdir(root, fs::kAtCwd, "/tmp"), Error::ok);
    char cwd[64];
    uint32_t length = 0;
    ASSERT_EQ(vfs->getcwd(root, cwd, &length), Error::ok);
    EXPECT_STREQ(cwd, "/tmp");
    EXPECT_EQ(vfs->umount(root, "/tmp"), Error::busy); // the working directory is on it
    ASSERT_EQ(vfs->chdir(root, fs::kAtCwd, "/"), Error::ok);
    fs::Handle h = open(root, "/tmp/new", fs::kOpenReadOnly);
    EXPECT_EQ(vfs->umount(root, "/tmp"), Error::busy);
    ASSERT_EQ(vfs->close(root, h), Error::ok);
    EXPECT_EQ(vfs->umount(alice, "/tmp"), Error::no_permission);
    ASSERT_EQ(vfs->umount(root, "/tmp"), Error::ok);
    EXPECT_EQ(stat(root, "/tmp/hidden"), Error::ok);
}

TEST_F(VfsTest, umount_names_the_file_system_it_took_off_and_the_counts_follow) {
    Tmpfs other(clock);
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/mnt", 0755), Error::ok);
    uint32_t mounts = vfs->mounts();
    ASSERT_EQ(vfs->mount(root, "/mnt", other.fs, false), Error::ok);
    EXPECT_EQ(vfs->mounts(), mounts + 1);
    put(root, "/mnt/f", "x");
    uint32_t files = vfs->open_files();
    fs::Handle h = open(root, "/mnt/f", fs::kOpenReadOnly);
    fs::Handle d = open(root, "/mnt", fs::kOpenReadOnly | fs::kOpenDirectory);
    EXPECT_EQ(vfs->open_files(), files + 1); // the directory is a description, not a file
    fs::FileSystem* unmounted = nullptr;
    EXPECT_EQ(vfs->umount(root, "/mnt", &unmounted), Error::busy);
    EXPECT_EQ(unmounted, nullptr);
    ASSERT_EQ(vfs->close(root, h), Error::ok);
    ASSERT_EQ(vfs->close(root, d), Error::ok);
    EXPECT_EQ(vfs->open_files(), files);
    ASSERT_EQ(vfs->umount(root, "/mnt", &unmounted), Error::ok);
    EXPECT_EQ(unmounted, &other.fs);
    EXPECT_EQ(vfs->mounts(), mounts);
    EXPECT_EQ(vfs->umount(root, "/mnt", &unmounted), Error::invalid_argument);
}

TEST_F(VfsTest, links_and_renames_across_mounts_are_cross_device) {
    Tmpfs other(clock);
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/mnt", 0755), Error::ok);
    ASSERT_EQ(vfs->mount(root, "/mnt", other.fs, false), Error::ok);
    put(root, "/f", "x");
    EXPECT_EQ(vfs->link(root, fs::kAtCwd, "/f", fs::kAtCwd, "/mnt/f", false), Error::cross_device);
    EXPECT_EQ(vfs->rename(root, fs::kAtCwd, "/f", fs::kAtCwd, "/mnt/f"), Error::cross_device);
    EXPECT_EQ(vfs->rmdir(root, fs::kAtCwd, "/mnt"), Error::busy);
}

TEST_F(VfsTest, stat_reports_the_mount_a_path_is_on_as_fstat_does) {
    Tmpfs other(clock);
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/mnt", 0755), Error::ok);
    ASSERT_EQ(vfs->mount(root, "/mnt", other.fs, false), Error::ok);
    put(root, "/f", "x");
    put(root, "/mnt/f", "y");
    fs::Attributes a;
    uint32_t on_root = 99, on_mnt = 99;
    ASSERT_EQ(vfs->stat(root, fs::kAtCwd, "/f", true, &a, &on_root), Error::ok);
    ASSERT_EQ(vfs->stat(root, fs::kAtCwd, "/mnt/f", true, &a, &on_mnt), Error::ok);
    EXPECT_NE(on_root, on_mnt) << "st_dev tells the two files apart";
    fs::Handle h = open(root, "/mnt/f", fs::kOpenReadOnly);
    fs::OpenDescription description;
    ASSERT_EQ(vfs->describe(root, h, &description), Error::ok);
    EXPECT_EQ(description.node.mount, on_mnt);
    ASSERT_EQ(vfs->close(root, h), Error::ok);
}

TEST_F(VfsTest, a_read_only_mount_refuses_every_change) {
    Tmpfs other(clock);
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/ro", 0755), Error::ok);
    ASSERT_EQ(vfs->mount(root, "/ro", other.fs, false), Error::ok);
    put(root, "/ro/f", "x");
    ASSERT_EQ(vfs->umount(root, "/ro"), Error::ok);
    ASSERT_EQ(vfs->mount(root, "/ro", other.fs, true), Error::ok);
    open(root, "/ro/f", fs::kOpenWriteOnly, 0, Error::read_only);
    open(root, "/ro/g", fs::kOpenWriteOnly | fs::kOpenCreate, 0644, Error::read_only);
    EXPECT_EQ(vfs->mkdir(root, fs::kAtCwd, "/ro/d", 0755), Error::read_only);
    EXPECT_EQ(vfs->unlink(root, fs::kAtCwd, "/ro/f"), Error::read_only);
    EXPECT_EQ(vfs->chmod(root, fs::kAtCwd, "/ro/f", 0600, true), Error::read_only);
    EXPECT_EQ(vfs->truncate(root, fs::kAtCwd, "/ro/f", 0), Error::read_only);
    EXPECT_EQ(vfs->access(root, fs::kAtCwd, "/ro/f", fs::kMayWrite, false), Error::read_only);
    fs::Handle h = open(root, "/ro/f", fs::kOpenReadOnly);
    EXPECT_EQ(get(root, h, 10), "x");
    fs::FileSystemStatistics statistics;
    ASSERT_EQ(vfs->fstatfs(root, h, &statistics), Error::ok);
    EXPECT_TRUE(statistics.read_only);
}

// ---- Open flags and descriptions -------------------------------------------------------------

TEST_F(VfsTest, open_flags_create_exclusive_truncate_directory) {
    open(root, "/f", fs::kOpenReadOnly, 0, Error::not_found);
    fs::Handle h =
        open(root, "/f", fs::kOpenReadWrite | fs::kOpenCreate | fs::kOpenExclusive, 0640);
    fs::Attributes a;
    ASSERT_EQ(vfs->fstat(root, h, &a), Error::ok);
    EXPECT_EQ(a.mode, fs::kModeRegular | 0640);
    open(root, "/f", fs::kOpenReadWrite | fs::kOpenCreate | fs::kOpenExclusive, 0640,
         Error::exists);
    uint32_t done = 0;
    ASSERT_EQ(vfs->write(root, h, bytes("abcdef"), &done), Error::ok);
    fs::Handle t = open(root, "/f", fs::kOpenWriteOnly | fs::kOpenTruncate);
    ASSERT_EQ(vfs->fstat(root, t, &a), Error::ok);
    EXPECT_EQ(a.size, 0u);
    open(root, "/f", fs::kOpenReadOnly | fs::kOpenDirectory, 0, Error::not_directory);
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/d", 0755), Error::ok);
    open(root, "/d", fs::kOpenWriteOnly, 0, Error::is_directory);
    open(root, "/d", fs::kOpenReadOnly | fs::kOpenDirectory);
    open(root, "/f", 3, 0, Error::invalid_argument);
    open(root, "/f", 0x80000000u, 0, Error::invalid_argument);
    open(root, "/new/", fs::kOpenWriteOnly | fs::kOpenCreate, 0644, Error::is_directory);
}

TEST_F(VfsTest, access_modes_limit_reads_and_writes) {
    put(root, "/f", "data");
    fs::Handle r = open(root, "/f", fs::kOpenReadOnly);
    fs::Handle w = open(root, "/f", fs::kOpenWriteOnly);
    uint32_t done = 0;
    EXPECT_EQ(vfs->write(root, r, bytes("x"), &done), Error::bad_handle);
    uint8_t buffer[4];
    EXPECT_EQ(vfs->read(root, w, buffer, &done), Error::bad_handle);
    EXPECT_EQ(vfs->read(root, 40, buffer, &done), Error::bad_handle);
    EXPECT_EQ(vfs->close(root, 40), Error::bad_handle);
    EXPECT_EQ(vfs->close(root, -1), Error::bad_handle);
    ASSERT_EQ(vfs->close(root, r), Error::ok);
    EXPECT_EQ(vfs->close(root, r), Error::bad_handle);
}

TEST_F(VfsTest, append_writes_at_the_end_and_seek_moves_the_offset) {
    put(root, "/f", "12345");
    fs::Handle h = open(root, "/f", fs::kOpenReadWrite | fs::kOpenAppend);
    uint64_t position = 0;
    ASSERT_EQ(vfs->seek(root, h, 0, fs::Whence::set, &position), Error::ok);
    uint32_t done = 0;
    ASSERT_EQ(vfs->write(root, h, bytes("67"), &done), Error::ok);
    ASSERT_EQ(vfs->seek(root, h, 0, fs::Whence::current, &position), Error::ok);
    EXPECT_EQ(position, 7u);
    ASSERT_EQ(vfs->seek(root, h, -3, fs::Whence::end, &position), Error::ok);
    EXPECT_EQ(get(root, h, 10), "567");
    EXPECT_EQ(vfs->seek(root, h, -100, fs::Whence::current, &position), Error::invalid_argument);
    ASSERT_EQ(vfs->seek(root, h, 100, fs::Whence::set, &position), Error::ok);
    EXPECT_EQ(get(root, h, 10), "");
    uint8_t buffer[3];
    ASSERT_EQ(vfs->pread(root, h, 1, buffer, &done), Error::ok);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(buffer), done), "234");
}

TEST_F(VfsTest, a_forked_child_shares_the_offset_and_exit_closes_its_handles) {
    put(root, "/f", "abcdef");
    fs::Handle h = open(root, "/f", fs::kOpenReadOnly);
    ASSERT_EQ(vfs->fork(root.pid, 10), Error::ok);
    fs::Caller child = user(10, 0, 0);
    EXPECT_EQ(get(child, h, 2), "ab");
    EXPECT_EQ(get(root, h, 2), "cd"); // the same description: the child's read moved it
    fs::OpenDescription one, two;
    ASSERT_EQ(vfs->describe(root, h, &one), Error::ok);
    ASSERT_EQ(vfs->describe(child, h, &two), Error::ok);
    EXPECT_EQ(one.description, two.description);
    uint32_t before = vfs->open_descriptions();
    ASSERT_EQ(vfs->close(root, h), Error::ok);
    EXPECT_EQ(vfs->open_descriptions(), before); // the child still holds it
    EXPECT_EQ(get(child, h, 10), "ef");
    vfs->exit(child.pid);
    EXPECT_EQ(vfs->open_descriptions(), before - 1);
    EXPECT_EQ(vfs->handles_of(child.pid), 0u);
}

TEST_F(VfsTest, a_child_of_a_process_that_holds_nothing_takes_no_slot) {
    put(root, "/f", "x");
    uint32_t before = vfs->processes();
    ASSERT_EQ(vfs->fork(77, 78), Error::ok); // a parent the Vfs never saw
    EXPECT_EQ(vfs->processes(), before);
    fs::Caller child = user(78, 0, 0);
    fs::Handle h = open(child, "/f", fs::kOpenReadOnly);
    EXPECT_EQ(h, 0); // its own table, from its first request on
    EXPECT_EQ(vfs->processes(), before + 1);
}

TEST_F(VfsTest, a_pid_seen_before_starts_afresh_at_its_fork) {
    put(root, "/f", "x");
    fs::Caller old = user(90, 0, 0);
    open(old, "/f", fs::kOpenReadOnly);
    ASSERT_EQ(vfs->chdir(root, fs::kAtCwd, "/"), Error::ok); // the parent holds something
    ASSERT_EQ(vfs->fork(root.pid, 90), Error::ok);
    EXPECT_EQ(vfs->handles_of(90), 0u);
}

TEST_F(VfsTest, duplicate_shares_the_description_and_flags_change_for_both) {
    put(root, "/f", "abcdef");
    fs::Handle h = open(root, "/f", fs::kOpenReadOnly);
    fs::Handle d = -1;
    ASSERT_EQ(vfs->duplicate(root, h, &d), Error::ok);
    EXPECT_NE(d, h);
    EXPECT_EQ(get(root, h, 3), "abc");
    EXPECT_EQ(get(root, d, 3), "def");
    ASSERT_EQ(vfs->set_flags(root, d, fs::kOpenNonBlocking | fs::kOpenWriteOnly), Error::ok);
    uint32_t flags = 0;
    ASSERT_EQ(vfs->get_flags(root, h, &flags), Error::ok);
    EXPECT_EQ(flags, fs::kOpenReadOnly | fs::kOpenNonBlocking); // the access mode stays
}

TEST_F(VfsTest, an_unlinked_open_file_stays_readable_until_closed) {
    put(root, "/f", "survivor");
    fs::FileSystemStatistics before;
    ASSERT_EQ(vfs->statfs(root, fs::kAtCwd, "/", &before), Error::ok);
    fs::Handle h = open(root, "/f", fs::kOpenReadWrite);
    ASSERT_EQ(vfs->unlink(root, fs::kAtCwd, "/f"), Error::ok);
    EXPECT_EQ(stat(root, "/f"), Error::not_found);
    EXPECT_EQ(get(root, h, 100), "survivor");
    fs::Attributes a;
    ASSERT_EQ(vfs->fstat(root, h, &a), Error::ok);
    EXPECT_EQ(a.links, 0u);
    ASSERT_EQ(vfs->close(root, h), Error::ok);
    fs::FileSystemStatistics after;
    ASSERT_EQ(vfs->statfs(root, fs::kAtCwd, "/", &after), Error::ok);
    EXPECT_EQ(after.free_inodes, before.free_inodes + 1);
}

TEST_F(VfsTest, a_process_has_at_most_its_limit_of_handles) {
    put(root, "/f", "x");
    std::vector<fs::Handle> handles;
    for (uint32_t i = 0; i < fs::kMaxHandles; ++i)
        handles.push_back(open(root, "/f", fs::kOpenReadOnly));
    open(root, "/f", fs::kOpenReadOnly, 0, Error::too_many_open);
    fs::Handle d = -1;
    EXPECT_EQ(vfs->duplicate(root, handles[0], &d), Error::too_many_open);
    ASSERT_EQ(vfs->close(root, handles[5]), Error::ok);
    EXPECT_EQ(open(root, "/f", fs::kOpenReadOnly), handles[5]); // the lowest free handle
}

TEST_F(VfsTest, a_full_table_of_descriptions_is_enfile_not_emfile) {
    put(root, "/f", "x");
    // Processes of their own handles each until fs's table of descriptions is full.
    uint32_t opened = 0;
    fs::Handle h = -1;
    for (uint32_t pid = 100; opened < fs::kMaxOpenFiles; ++pid)
        for (uint32_t i = 0; i < fs::kMaxHandles / 2 && opened < fs::kMaxOpenFiles; ++i, ++opened)
            ASSERT_EQ(vfs->open(user(pid, 0, 0), fs::kAtCwd, "/f", fs::kOpenReadOnly, 0, &h),
                      Error::ok);
    fs::Caller fresh = user(99, 0, 0); // an entry of its own, no handle yet
    ASSERT_EQ(vfs->chdir(fresh, fs::kAtCwd, "/"), Error::ok);
    EXPECT_EQ(vfs->open(fresh, fs::kAtCwd, "/f", fs::kOpenReadOnly, 0, &h),
              Error::too_many_open_in_system);
    fs::Handle r = -1, w = -1;
    EXPECT_EQ(vfs->open_pipe(fresh, 0, 1, &r, &w), Error::too_many_open_in_system);
    vfs->exit(100);
    EXPECT_EQ(vfs->open(fresh, fs::kAtCwd, "/f", fs::kOpenReadOnly, 0, &h), Error::ok)
        << "an ended process's descriptions are free again";
}

TEST_F(VfsTest, a_full_table_of_processes_is_enfile_and_an_exit_frees_a_slot) {
    put(root, "/f", "x");
    fs::Handle h = -1;
    // The fixture's root caller may hold an entry already: fill whatever is left.
    uint32_t pid = 1000;
    for (;; ++pid) {
        Error e = vfs->open(user(pid, 0, 0), fs::kAtCwd, "/f", fs::kOpenReadOnly, 0, &h);
        if (e != Error::ok) {
            EXPECT_EQ(e, Error::too_many_open_in_system);
            break;
        }
        ASSERT_LT(pid, 1000u + fs::kMaxProcesses) << "more processes than the table holds";
    }
    EXPECT_GE(pid - 1000, fs::kMaxProcesses - 2);
    EXPECT_EQ(vfs->chdir(user(pid, 0, 0), fs::kAtCwd, "/"), Error::too_many_open_in_system);
    fs::Handle r = -1, w = -1;
    EXPECT_EQ(vfs->open_pipe(user(pid, 0, 0), 0, 1, &r, &w), Error::too_many_open_in_system);
    EXPECT_EQ(vfs->fork(1000, pid), Error::too_many_open_in_system);
    vfs->exit(1000);
    EXPECT_EQ(vfs->open(user(pid, 0, 0), fs::kAtCwd, "/f", fs::kOpenReadOnly, 0, &h), Error::ok)
        << "the ended process's slot is free again";
    EXPECT_EQ(vfs->open(user(pid + 1, 0, 0), fs::kAtCwd, "/f", fs::kOpenReadOnly, 0, &h),
              Error::too_many_open_in_system);
}

TEST_F(VfsTest, readdir_through_a_handle_continues_where_it_stopped) {
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/d", 0755), Error::ok);
    put(root, "/d/a", "");
    put(root, "/d/b", "");
    fs::Handle h = open(root, "/d", fs::kOpenReadOnly | fs::kOpenDirectory);
    class Two final : public fs::DirectorySink {
    public:
        bool take(const fs::DirectoryEntry& entry) override {
            if (names.size() == 2) return false;
            names.emplace_back(entry.name);
            return true;
        }
        std::vector<std::string> names;
    } first;
    ASSERT_EQ(vfs->read_directory(root, h, first), Error::ok);
    EXPECT_EQ(first.names, (std::vector<std::string>{".", ".."}));
    Names rest;
    ASSERT_EQ(vfs->read_directory(root, h, rest), Error::ok);
    EXPECT_EQ(rest.names, (std::vector<std::string>{"a", "b"}));
    Names none;
    ASSERT_EQ(vfs->read_directory(root, h, none), Error::ok);
    EXPECT_TRUE(none.names.empty());
    uint64_t position = 0;
    ASSERT_EQ(vfs->seek(root, h, 0, fs::Whence::set, &position), Error::ok);
    Names again;
    ASSERT_EQ(vfs->read_directory(root, h, again), Error::ok);
    EXPECT_EQ(again.names.size(), 4u);
    fs::Handle f = open(root, "/d/a", fs::kOpenReadOnly);
    EXPECT_EQ(vfs->read_directory(root, f, again), Error::not_directory);
}

// ---- Names -----------------------------------------------------------------------------------

TEST_F(VfsTest, mkdir_rmdir_unlink_errors) {
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/d", 0755), Error::ok);
    EXPECT_EQ(vfs->mkdir(root, fs::kAtCwd, "/d", 0755), Error::exists);
    EXPECT_EQ(vfs->mkdir(root, fs::kAtCwd, "/", 0755), Error::exists);
    EXPECT_EQ(vfs->mkdir(root, fs::kAtCwd, "/none/d", 0755), Error::not_found);
    put(root, "/d/f", "");
    EXPECT_EQ(vfs->mkdir(root, fs::kAtCwd, "/d/f/x", 0755), Error::not_directory);
    EXPECT_EQ(vfs->rmdir(root, fs::kAtCwd, "/d"), Error::not_empty);
    EXPECT_EQ(vfs->rmdir(root, fs::kAtCwd, "/d/f"), Error::not_directory);
    EXPECT_EQ(vfs->rmdir(root, fs::kAtCwd, "/d/."), Error::invalid_argument);
    EXPECT_EQ(vfs->rmdir(root, fs::kAtCwd, "/"), Error::busy);
    EXPECT_EQ(vfs->unlink(root, fs::kAtCwd, "/d"), Error::is_directory);
    EXPECT_EQ(vfs->unlink(root, fs::kAtCwd, "/d/none"), Error::not_found);
    ASSERT_EQ(vfs->unlink(root, fs::kAtCwd, "/d/f"), Error::ok);
    ASSERT_EQ(vfs->rmdir(root, fs::kAtCwd, "/d"), Error::ok);
}

TEST_F(VfsTest, rename_refuses_to_move_a_directory_into_itself) {
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/a", 0755), Error::ok);
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/a/b", 0755), Error::ok);
    EXPECT_EQ(vfs->rename(root, fs::kAtCwd, "/a", fs::kAtCwd, "/a/b/c"), Error::invalid_argument);
    EXPECT_EQ(vfs->rename(root, fs::kAtCwd, "/a", fs::kAtCwd, "/a/c"), Error::invalid_argument);
    ASSERT_EQ(vfs->rename(root, fs::kAtCwd, "/a/b", fs::kAtCwd, "/b"), Error::ok);
    EXPECT_EQ(stat(root, "/b"), Error::ok);
    put(root, "/f", "");
    EXPECT_EQ(vfs->rename(root, fs::kAtCwd, "/f", fs::kAtCwd, "/a"), Error::is_directory);
    EXPECT_EQ(vfs->rename(root, fs::kAtCwd, "/a", fs::kAtCwd, "/f"), Error::not_directory);
    put(root, "/a/x", "");
    EXPECT_EQ(vfs->rename(root, fs::kAtCwd, "/b", fs::kAtCwd, "/a"), Error::not_empty);
    EXPECT_EQ(vfs->rename(root, fs::kAtCwd, "/none", fs::kAtCwd, "/z"), Error::not_found);
    EXPECT_EQ(vfs->rename(root, fs::kAtCwd, "/f", fs::kAtCwd, "/f"), Error::ok);
}

TEST_F(VfsTest, hard_links_and_their_errors) {
    put(root, "/f", "x");
    ASSERT_EQ(vfs->link(root, fs::kAtCwd, "/f", fs::kAtCwd, "/g", false), Error::ok);
    fs::Attributes a;
    ASSERT_EQ(stat(root, "/g", &a), Error::ok);
    EXPECT_EQ(a.links, 2u);
    EXPECT_EQ(vfs->link(root, fs::kAtCwd, "/f", fs::kAtCwd, "/g", false), Error::exists);
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/d", 0755), Error::ok);
    EXPECT_EQ(vfs->link(root, fs::kAtCwd, "/d", fs::kAtCwd, "/e", false), Error::no_permission);
}

TEST_F(VfsTest, getcwd_walks_up_through_dot_dot_and_fails_once_removed) {
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/a", 0755), Error::ok);
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/a/bc", 0755), Error::ok);
    char cwd[64];
    uint32_t length = 0;
    ASSERT_EQ(vfs->getcwd(root, cwd, &length), Error::ok);
    EXPECT_STREQ(cwd, "/");
    ASSERT_EQ(vfs->chdir(root, fs::kAtCwd, "a/bc"), Error::ok);
    ASSERT_EQ(vfs->getcwd(root, cwd, &length), Error::ok);
    EXPECT_STREQ(cwd, "/a/bc");
    EXPECT_EQ(length, 5u);
    char small[4];
    EXPECT_EQ(vfs->getcwd(root, small, &length), Error::invalid_argument);
    ASSERT_EQ(vfs->rmdir(root, fs::kAtCwd, "/a/bc"), Error::ok);
    EXPECT_EQ(vfs->getcwd(root, cwd, &length), Error::not_found);
    EXPECT_EQ(vfs->chdir(root, fs::kAtCwd, "/a/none"), Error::not_found);
    put(root, "/a/f", "");
    EXPECT_EQ(vfs->chdir(root, fs::kAtCwd, "/a/f"), Error::not_directory);
}

TEST_F(VfsTest, fchdir_takes_a_directory_handle) {
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/d", 0755), Error::ok);
    fs::Handle d = open(root, "/d", fs::kOpenReadOnly);
    ASSERT_EQ(vfs->fchdir(root, d), Error::ok);
    put(root, "inside", "x");
    EXPECT_EQ(stat(root, "/d/inside"), Error::ok);
    fs::Handle f = open(root, "/d/inside", fs::kOpenReadOnly);
    EXPECT_EQ(vfs->fchdir(root, f), Error::not_directory);
}

TEST_F(VfsTest, fifos_open_as_objects_the_server_routes) {
    ASSERT_EQ(vfs->mknod(alice, fs::kAtCwd, "/fifo", fs::kModeFifo | 0666, 0),
              Error::access_denied);
    ASSERT_EQ(vfs->mknod(root, fs::kAtCwd, "/fifo", fs::kModeFifo | 0666, 0), Error::ok);
    EXPECT_EQ(vfs->mknod(root, fs::kAtCwd, "/fifo", fs::kModeFifo | 0666, 0), Error::exists);
    EXPECT_EQ(vfs->mknod(alice, fs::kAtCwd, "/dev0", fs::kModeCharacterDevice | 0666, 0x0101),
              Error::no_permission);
    EXPECT_EQ(vfs->mknod(root, fs::kAtCwd, "/dir", fs::kModeDirectory | 0755, 0),
              Error::invalid_argument);
    fs::Handle h = open(root, "/fifo", fs::kOpenReadOnly | fs::kOpenNonBlocking);
    fs::OpenDescription description;
    ASSERT_EQ(vfs->describe(root, h, &description), Error::ok);
    EXPECT_EQ(description.kind, fs::OpenKind::object);
    EXPECT_EQ(description.mode & fs::kModeTypeMask, fs::kModeFifo);
    uint64_t position = 0;
    EXPECT_EQ(vfs->seek(root, h, 0, fs::Whence::set, &position), Error::not_seekable);
    uint8_t buffer[4];
    uint32_t done = 0;
    EXPECT_EQ(vfs->pread(root, h, 0, buffer, &done), Error::not_seekable);
}

// ---- Permissions -----------------------------------------------------------------------------

TEST_F(VfsTest, owner_group_and_other_bits_decide) {
    put(root, "/f", "secret");
    ASSERT_EQ(vfs->chown(root, fs::kAtCwd, "/f", 1000, 50, true), Error::ok);
    ASSERT_EQ(vfs->chmod(root, fs::kAtCwd, "/f", 0640, true), Error::ok);
    open(alice, "/f", fs::kOpenReadWrite);
    fs::Caller member = user(4, 1002, 1002);
    member.credentials.group_count = 1;
    member.credentials.groups[0] = 50;
    open(member, "/f", fs::kOpenReadOnly);
    open(member, "/f", fs::kOpenWriteOnly, 0, Error::access_denied);
    open(bob, "/f", fs::kOpenReadOnly, 0, Error::access_denied);
    EXPECT_EQ(vfs->access(bob, fs::kAtCwd, "/f", fs::kMayRead, false), Error::access_denied);
    EXPECT_EQ(vfs->access(alice, fs::kAtCwd, "/f", fs::kMayRead | fs::kMayWrite, false), Error::ok);
    EXPECT_EQ(vfs->access(bob, fs::kAtCwd, "/f", 0, false), Error::ok);
    EXPECT_EQ(vfs->truncate(bob, fs::kAtCwd, "/f", 0), Error::access_denied);
    // Root reads and writes anything but executes only what has an x bit.
    EXPECT_EQ(vfs->access(root, fs::kAtCwd, "/f", fs::kMayRead | fs::kMayWrite, false), Error::ok);
    EXPECT_EQ(vfs->access(root, fs::kAtCwd, "/f", fs::kMayExecute, false), Error::access_denied);
    ASSERT_EQ(vfs->chmod(root, fs::kAtCwd, "/f", 0100, true), Error::ok);
    EXPECT_EQ(vfs->access(root, fs::kAtCwd, "/f", fs::kMayExecute, false), Error::ok);
}

TEST_F(VfsTest, access_checks_the_real_ids_unless_asked_for_the_effective_ones) {
    put(root, "/f", "x");
    ASSERT_EQ(vfs->chmod(root, fs::kAtCwd, "/f", 0600, true), Error::ok);
    fs::Caller setuid_root = user(5, 0, 0);
    setuid_root.credentials.real_uid = 1000;
    setuid_root.credentials.real_gid = 1000;
    EXPECT_EQ(vfs->access(setuid_root, fs::kAtCwd, "/f", fs::kMayRead, false),
              Error::access_denied);
    EXPECT_EQ(vfs->access(setuid_root, fs::kAtCwd, "/f", fs::kMayRead, true), Error::ok);
}

TEST_F(VfsTest, creating_and_removing_need_write_permission_on_the_directory) {
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/shared", 0755), Error::ok);
    open(alice, "/shared/f", fs::kOpenWriteOnly | fs::kOpenCreate, 0644, Error::access_denied);
    EXPECT_EQ(vfs->mkdir(alice, fs::kAtCwd, "/shared/d", 0755), Error::access_denied);
    put(root, "/shared/g", "");
    EXPECT_EQ(vfs->unlink(alice, fs::kAtCwd, "/shared/g"), Error::access_denied);
    EXPECT_EQ(vfs->symlink(alice, "x", fs::kAtCwd, "/shared/l"), Error::access_denied);
}

TEST_F(VfsTest, new_files_belong_to_the_caller) {
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/home", 0777), Error::ok);
    fs::Handle h = open(alice, "/home/mine", fs::kOpenWriteOnly | fs::kOpenCreate, 0600);
    fs::Attributes a;
    ASSERT_EQ(vfs->fstat(alice, h, &a), Error::ok);
    EXPECT_EQ(a.uid, 1000u);
    EXPECT_EQ(a.gid, 1000u);
    EXPECT_EQ(a.mode, fs::kModeRegular | 0600);
    open(bob, "/home/mine", fs::kOpenReadOnly, 0, Error::access_denied);
}

TEST_F(VfsTest, the_sticky_bit_protects_other_users_files) {
    Tmpfs tmp(clock, 01777);
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/tmp", 0755), Error::ok);
    ASSERT_EQ(vfs->mount(root, "/tmp", tmp.fs, false), Error::ok);
    fs::Handle h = open(alice, "/tmp/alices", fs::kOpenWriteOnly | fs::kOpenCreate, 0666);
    ASSERT_GE(h, 0);
    EXPECT_EQ(vfs->unlink(bob, fs::kAtCwd, "/tmp/alices"), Error::no_permission);
    EXPECT_EQ(vfs->rename(bob, fs::kAtCwd, "/tmp/alices", fs::kAtCwd, "/tmp/bobs"),
              Error::no_permission);
    open(bob, "/tmp/bobs", fs::kOpenWriteOnly | fs::kOpenCreate, 0666);
    EXPECT_EQ(vfs->rename(bob, fs::kAtCwd, "/tmp/bobs", fs::kAtCwd, "/tmp/alices"),
              Error::no_permission); // replacing is removing
    ASSERT_EQ(vfs->mkdir(alice, fs::kAtCwd, "/tmp/alicedir", 0777), Error::ok);
    EXPECT_EQ(vfs->rmdir(bob, fs::kAtCwd, "/tmp/alicedir"), Error::no_permission);
    // Writing is still allowed by the file's bits.
    open(bob, "/tmp/alices", fs::kOpenWriteOnly);
    EXPECT_EQ(vfs->unlink(alice, fs::kAtCwd, "/tmp/alices"), Error::ok);
    EXPECT_EQ(vfs->unlink(root, fs::kAtCwd, "/tmp/bobs"), Error::ok);
}

TEST_F(VfsTest, chmod_and_chown_rules) {
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/home", 0777), Error::ok);
    open(alice, "/home/f", fs::kOpenWriteOnly | fs::kOpenCreate, 0644);
    EXPECT_EQ(vfs->chmod(bob, fs::kAtCwd, "/home/f", 0777, true), Error::no_permission);
    ASSERT_EQ(vfs->chmod(alice, fs::kAtCwd, "/home/f", 0600, true), Error::ok);
    EXPECT_EQ(vfs->chown(alice, fs::kAtCwd, "/home/f", 1001, fs::kNoChange, true),
              Error::no_permission);
    EXPECT_EQ(vfs->chown(alice, fs::kAtCwd, "/home/f", fs::kNoChange, 77, true),
              Error::no_permission); // not a group of hers
    alice.credentials.group_count = 1;
    alice.credentials.groups[0] = 77;
    ASSERT_EQ(vfs->chown(alice, fs::kAtCwd, "/home/f", fs::kNoChange, 77, true), Error::ok);
    // setgid for a group she is not in is dropped.
    ASSERT_EQ(vfs->chown(root, fs::kAtCwd, "/home/f", fs::kNoChange, 88, true), Error::ok);
    ASSERT_EQ(vfs->chmod(alice, fs::kAtCwd, "/home/f", 02755, true), Error::ok);
    fs::Attributes a;
    ASSERT_EQ(stat(root, "/home/f", &a), Error::ok);
    EXPECT_EQ(a.mode & 07777, 0755u);
    // chown of a setuid file clears the bit.
    ASSERT_EQ(vfs->chmod(root, fs::kAtCwd, "/home/f", 04755, true), Error::ok);
    ASSERT_EQ(vfs->chown(root, fs::kAtCwd, "/home/f", 1001, 1001, true), Error::ok);
    ASSERT_EQ(stat(root, "/home/f", &a), Error::ok);
    EXPECT_EQ(a.mode & 07777, 0755u);
    EXPECT_EQ(a.uid, 1001u);
}

TEST_F(VfsTest, utimes_rules) {
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/home", 0777), Error::ok);
    open(alice, "/home/f", fs::kOpenWriteOnly | fs::kOpenCreate, 0666);
    fs::Timestamp times[2] = {{100, 0}, {200, 0}};
    EXPECT_EQ(vfs->utimes(bob, fs::kAtCwd, "/home/f", times, true), Error::no_permission);
    EXPECT_EQ(vfs->utimes(bob, fs::kAtCwd, "/home/f", nullptr, true), Error::ok); // may write
    ASSERT_EQ(vfs->utimes(alice, fs::kAtCwd, "/home/f", times, true), Error::ok);
    fs::Attributes a;
    ASSERT_EQ(stat(root, "/home/f", &a), Error::ok);
    EXPECT_EQ(a.access.seconds, 100);
    EXPECT_EQ(a.modify.seconds, 200);
    ASSERT_EQ(vfs->chmod(alice, fs::kAtCwd, "/home/f", 0644, true), Error::ok);
    EXPECT_EQ(vfs->utimes(bob, fs::kAtCwd, "/home/f", nullptr, true), Error::access_denied);
}

TEST_F(VfsTest, only_root_mounts) {
    Tmpfs other(clock);
    ASSERT_EQ(vfs->mkdir(root, fs::kAtCwd, "/m", 0777), Error::ok);
    EXPECT_EQ(vfs->mount(alice, "/m", other.fs, false), Error::no_permission);
    put(root, "/f", "");
    EXPECT_EQ(vfs->mount(root, "/f", other.fs, false), Error::not_directory);
    EXPECT_EQ(vfs->mount(root, "/", other.fs, false), Error::busy);
}

// pipe(): two descriptions without a node, told to the observer when their last reference goes.
class Released final : public fs::DescriptionObserver {
public:
    void released(const fs::OpenDescription& description) override { seen.push_back(description); }
    std::vector<fs::OpenDescription> seen;
};

TEST_F(VfsTest, open_pipe_makes_two_anonymous_ends_released_at_their_last_close) {
    Released observer;
    vfs->set_observer(&observer);
    fs::Caller caller = user(10, 1000, 100);
    fs::Handle r = -1, w = -1;
    ASSERT_EQ(vfs->open_pipe(caller, fs::kOpenNonBlocking, 7, &r, &w), Error::ok);
    fs::OpenDescription dr, dw;
    ASSERT_EQ(vfs->describe(caller, r, &dr), Error::ok);
    ASSERT_EQ(vfs->describe(caller, w, &dw), Error::ok);
    EXPECT_TRUE(dr.anonymous && dw.anonymous);
    EXPECT_EQ(dr.kind, fs::OpenKind::object);
    EXPECT_EQ(dr.flags, fs::kOpenReadOnly | fs::kOpenNonBlocking);
    EXPECT_EQ(dw.flags, fs::kOpenWriteOnly | fs::kOpenNonBlocking);
    EXPECT_EQ(dr.device, 7u);
    EXPECT_NE(dr.description, dw.description);

    fs::Attributes a;
    ASSERT_EQ(vfs->fstat(caller, r, &a), Error::ok);
    EXPECT_EQ(a.mode, fs::kModeFifo | 0600);
    EXPECT_EQ(a.uid, 1000u);
    uint32_t done = 0;
    uint8_t byte = 0;
    EXPECT_EQ(vfs->read(caller, r, {&byte, 1}, &done), Error::unsupported); // the server's
    uint64_t position = 0;
    EXPECT_EQ(vfs->seek(caller, r, 0, fs::Whence::set, &position), Error::not_seekable);
    EXPECT_EQ(vfs->fchmod(caller, r, 0644), Error::invalid_argument);
    EXPECT_EQ(vfs->fsync(caller, w), Error::invalid_argument);
    fs::FileSystemStatistics statistics;
    EXPECT_EQ(vfs->fstatfs(caller, w, &statistics), Error::invalid_argument);

    // fork shares the descriptions: released only when the child's references go too.
    ASSERT_EQ(vfs->fork(10, 11), Error::ok);
    EXPECT_EQ(vfs->close(caller, r), Error::ok);
    EXPECT_TRUE(observer.seen.empty());
    vfs->exit(11);
    ASSERT_EQ(observer.seen.size(), 1u);
    EXPECT_EQ(observer.seen[0].description, dr.description);
    EXPECT_TRUE(observer.seen[0].anonymous);
    vfs->exit(10);
    ASSERT_EQ(observer.seen.size(), 2u);
    EXPECT_EQ(observer.seen[1].description, dw.description);
    EXPECT_EQ(vfs->open_descriptions(), 0u);
    EXPECT_EQ(vfs->open_pipe(caller, 0x8, 7, &r, &w), Error::invalid_argument);
}

TEST_F(VfsTest, open_pipe_without_room_for_both_ends_leaves_nothing) {
    Released observer;
    vfs->set_observer(&observer);
    fs::Caller caller = user(10, 0, 0);
    fs::Handle h = -1;
    for (uint32_t i = 0; i + 1 < fs::kMaxHandles; ++i)
        ASSERT_EQ(vfs->open(caller, fs::kAtCwd, "/", fs::kOpenReadOnly, 0, &h), Error::ok);
    uint32_t before = vfs->open_descriptions();
    fs::Handle r = -1, w = -1;
    EXPECT_EQ(vfs->open_pipe(caller, 0, 1, &r, &w), Error::too_many_open);
    EXPECT_EQ(vfs->open_descriptions(), before);
    EXPECT_EQ(vfs->handles_of(10), fs::kMaxHandles - 1);
    EXPECT_TRUE(observer.seen.empty());
}

} // namespace
