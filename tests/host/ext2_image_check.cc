// The ext2 library against the real e2fsprogs, both ways, on image files in a work directory:
//
//   write: mke2fs makes an empty image; a seeded random workload (create, write at random
//          offsets, extend, truncate, rename, link, unlink, mkdir, rmdir, symlinks, chmod,
//          chown, utimes) runs on it through Ext2FileSystem and unmounts; then e2fsck -fn must
//          find nothing, and every file debugfs dumps (rdump) and describes (stat) must be what
//          the workload's model says: type, bytes, symlink target, mode, owner, links, mtime.
//   read:  a generated tree (thousands of files, deep directories, large and sparse files,
//          fast and slow symlinks, hard links) is put in an image by mke2fs -d; the library
//          mounts it read-only and every name, byte and attribute must match the tree.
//
//   ext2_image_check <work directory> <block size> <inode size> <seed> <operations>
//
// Exit status 0 when everything matched; otherwise every mismatch is printed.
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "servers/fs/cache/block_cache.h"
#include "servers/fs/ext2/ext2_file_system.h"

namespace {

using fs::Attributes;
using fs::InodeNumber;
using ipc::Error;

int g_failures = 0;

#define CHECK(condition, ...)                                                                      \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            ++g_failures;                                                                          \
            fprintf(stderr, "MISMATCH %s:%d: %s: ", __FILE__, __LINE__, #condition);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            if (g_failures > 50) {                                                                 \
                fprintf(stderr, "too many mismatches\n");                                          \
                exit(1);                                                                           \
            }                                                                                      \
        }                                                                                          \
    } while (0)

class FileBlockDevice final : public fs::BlockDevice {
public:
    explicit FileBlockDevice(const std::string& path) {
        m_fd = open(path.c_str(), O_RDWR);
        struct stat st {};
        if (m_fd >= 0 && fstat(m_fd, &st) == 0) {
            m_sectors = static_cast<uint64_t>(st.st_size) / 512;
        }
    }
    ~FileBlockDevice() {
        if (m_fd >= 0) {
            close(m_fd);
        }
    }
    bool ok() const { return m_fd >= 0; }
    uint32_t sector_bytes() const override { return 512; }
    uint64_t sectors() const override { return m_sectors; }
    Error read(uint64_t sector, uint32_t count, std::span<uint8_t> buffer) override {
        if (sector + count > m_sectors) {
            return Error::invalid_argument;
        }
        ssize_t got = pread(m_fd, buffer.data(), count * 512ull, static_cast<off_t>(sector * 512));
        return got == static_cast<ssize_t>(count * 512ull) ? Error::ok : Error::io_error;
    }
    Error write(uint64_t sector, uint32_t count, std::span<const uint8_t> buffer) override {
        if (sector + count > m_sectors) {
            return Error::invalid_argument;
        }
        ssize_t put = pwrite(m_fd, buffer.data(), count * 512ull, static_cast<off_t>(sector * 512));
        return put == static_cast<ssize_t>(count * 512ull) ? Error::ok : Error::io_error;
    }
    // e2fsprogs read the image through the same page cache: nothing needs to reach the disk.
    Error flush() override { return Error::ok; }

private:
    int m_fd = -1;
    uint64_t m_sectors = 0;
};

class StepClock final : public fs::Clock {
public:
    fs::Timestamp now() override { return time; }
    fs::Timestamp time{1600000000, 0};
};

struct Mounted {
    explicit Mounted(const std::string& image)
        : device(image), slots(256), memory(256 * 4096), cache(device, slots, memory),
          references(16), fs(cache, clock, references) {}
    FileBlockDevice device;
    std::vector<fs::BlockCache::Slot> slots;
    std::vector<uint8_t> memory;
    fs::BlockCache cache;
    StepClock clock;
    std::vector<fs::Ext2FileSystem::Reference> references;
    fs::Ext2FileSystem fs;
};

std::string run(const std::string& command, int* status) {
    std::string full = "PATH=$PATH:/usr/sbin:/sbin " + command + " 2>&1";
    FILE* pipe = popen(full.c_str(), "r");
    std::string output;
    char buffer[4096];
    size_t got;
    while (pipe != nullptr && (got = fread(buffer, 1, sizeof buffer, pipe)) > 0) {
        output.append(buffer, got);
    }
    *status = pipe != nullptr ? pclose(pipe) : -1;
    return output;
}

std::string read_host_file(const std::string& path) {
    std::string out;
    FILE* file = fopen(path.c_str(), "rb");
    if (file == nullptr) {
        return "<missing>";
    }
    char buffer[65536];
    size_t got;
    while ((got = fread(buffer, 1, sizeof buffer, file)) > 0) {
        out.append(buffer, got);
    }
    fclose(file);
    return out;
}

std::string read_all(fs::FileSystem& fs, InodeNumber inode, uint64_t size) {
    std::string out(size, '\0');
    uint64_t at = 0;
    while (at < size) {
        uint32_t chunk = static_cast<uint32_t>(size - at < (1u << 20) ? size - at : (1u << 20));
        uint32_t done = 0;
        Error error =
            fs.read(inode, at, {reinterpret_cast<uint8_t*>(out.data() + at), chunk}, &done);
        if (error != Error::ok || done == 0) {
            return "<read error>";
        }
        at += done;
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// write: the library writes, e2fsprogs reads

struct ModelInode {
    uint32_t mode = 0;
    uint32_t uid = 0;
    uint32_t gid = 0;
    int64_t mtime = 0;
    std::string data;
    uint32_t links = 0;
    std::map<std::string, uint32_t> entries;
    uint32_t parent = 0;
};

struct Model {
    std::map<uint32_t, ModelInode> inodes;
    bool is_dir(uint32_t n) { return fs::is_directory(inodes.at(n).mode); }
    bool inside(uint32_t inode, uint32_t ancestor) {
        for (int depth = 0; depth < 10000; ++depth) {
            if (inode == ancestor) {
                return true;
            }
            uint32_t parent = inodes.at(inode).parent;
            if (parent == inode) {
                return false;
            }
            inode = parent;
        }
        return false;
    }
    std::vector<uint32_t> directories() {
        std::vector<uint32_t> out;
        for (auto& [n, inode] : inodes) {
            if (fs::is_directory(inode.mode)) {
                out.push_back(n);
            }
        }
        return out;
    }
    void drop_name(uint32_t dir, const std::string& name) {
        uint32_t n = inodes[dir].entries.at(name);
        inodes[dir].entries.erase(name);
        if (fs::is_directory(inodes[n].mode)) {
            --inodes[dir].links;
            inodes.erase(n);
        } else if (--inodes[n].links == 0) {
            inodes.erase(n);
        }
    }
    // Every path of the tree, with its inode.
    void paths(uint32_t dir, const std::string& prefix,
               std::vector<std::pair<std::string, uint32_t>>* out) {
        for (auto& [name, n] : inodes[dir].entries) {
            std::string path = prefix + "/" + name;
            out->push_back({path, n});
            if (is_dir(n)) {
                paths(n, path, out);
            }
        }
    }
};

void run_workload(fs::Ext2FileSystem& fs, StepClock& clock, Model& model, uint32_t seed,
                  int operations, uint32_t block_size, FILE* log) {
    std::mt19937 random(seed);
    auto pick = [&](uint32_t n) { return static_cast<uint32_t>(random() % n); };
    const uint32_t root = fs.root().value;
    auto now = [&] { return clock.time.seconds; };
    uint64_t sparse_files = 0;
    for (int step = 0; step < operations; ++step) {
        clock.time.seconds += 1;
        clock.time.nanoseconds = pick(1000000000);
        auto dirs = model.directories();
        uint32_t dir = dirs[pick(static_cast<uint32_t>(dirs.size()))];
        std::string name = "f" + std::to_string(pick(24));
        auto& entries = model.inodes[dir].entries;
        bool exists = entries.count(name) != 0;
        uint32_t op = pick(100);
        InodeNumber out;
        Error error = Error::ok;
        if (op < 14) {
            fs::NewInode attributes{fs::kModeRegular | (0400 + pick(0400)), pick(3000), pick(300),
                                    0};
            error = fs.create(InodeNumber{dir}, name, attributes, &out);
            if (error == Error::ok) {
                model.inodes[out.value] = ModelInode{
                    attributes.mode, attributes.uid, attributes.gid, now(), "", 1, {}, 0};
                entries[name] = out.value;
                model.inodes[dir].mtime = now();
            }
            fprintf(log, "%d create %u/%s -> %u: %s\n", step, dir, name.c_str(), out.value,
                    ipc::error_name(error));
            continue;
        }
        if (op < 40) {
            if (!exists || !fs::is_regular(model.inodes[entries[name]].mode)) {
                continue;
            }
            uint32_t n = entries[name];
            std::string& data = model.inodes[n].data;
            uint64_t offset = pick(3) == 0 ? data.size() : pick(256 * 1024);
            if (pick(200) == 0 && sparse_files < 3) {
                // Far into the block map: double indirect with 1 and 4 KiB blocks (the unit
                // tests go to triple indirect; debugfs's rdump writes holes out in full).
                offset = 5ull * 1024 * 1024 + pick(100000);
                ++sparse_files;
            }
            std::string bytes(pick(4) == 0 ? pick(5 * block_size) : pick(300), '\0');
            for (auto& c : bytes) {
                c = static_cast<char>(random());
            }
            uint32_t done = 0;
            error = fs.write(InodeNumber{n}, offset,
                             {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, &done);
            if (done > 0) {
                if (data.size() < offset + done) {
                    data.resize(offset + done, '\0');
                }
                data.replace(offset, done, bytes.substr(0, done));
                model.inodes[n].mtime = now();
            }
            fprintf(log, "%d write %u at %llu %zu -> %u: %s\n", step, n,
                    static_cast<unsigned long long>(offset), bytes.size(), done,
                    ipc::error_name(error));
            continue;
        }
        if (op < 48) {
            if (!exists || !fs::is_regular(model.inodes[entries[name]].mode)) {
                continue;
            }
            uint32_t n = entries[name];
            fs::AttributeChanges changes;
            changes.which = fs::AttributeChanges::kSize;
            changes.size = pick(3) == 0 ? 0 : pick(300 * 1024);
            error = fs.set_attributes(InodeNumber{n}, changes, nullptr);
            if (error == Error::ok) {
                model.inodes[n].data.resize(changes.size, '\0');
                model.inodes[n].mtime = now();
            }
            fprintf(log, "%d truncate %u to %llu: %s\n", step, n,
                    static_cast<unsigned long long>(changes.size), ipc::error_name(error));
            continue;
        }
        if (op < 53) {
            if (!exists) {
                continue;
            }
            uint32_t n = entries[name];
            fs::AttributeChanges changes;
            changes.which = fs::AttributeChanges::kMode | fs::AttributeChanges::kUid |
                            fs::AttributeChanges::kGid | fs::AttributeChanges::kModify;
            changes.mode = pick(07777);
            changes.uid = pick(70000);
            changes.gid = pick(70000);
            changes.modify = fs::Timestamp{1500000000 + pick(1000000), 0};
            error = fs.set_attributes(InodeNumber{n}, changes, nullptr);
            if (error == Error::ok) {
                ModelInode& inode = model.inodes[n];
                inode.mode = (inode.mode & fs::kModeTypeMask) | changes.mode;
                inode.uid = changes.uid;
                inode.gid = changes.gid;
                inode.mtime = changes.modify.seconds;
            }
            fprintf(log, "%d chattr %u: %s\n", step, n, ipc::error_name(error));
            continue;
        }
        if (op < 62) {
            uint32_t to_dir = dirs[pick(static_cast<uint32_t>(dirs.size()))];
            std::string to = "f" + std::to_string(pick(24));
            if (!exists) {
                continue;
            }
            uint32_t source = entries[name];
            bool source_dir = model.is_dir(source);
            if (source_dir && model.inside(to_dir, source)) {
                continue; // the VFS refuses this
            }
            auto& to_entries = model.inodes[to_dir].entries;
            bool replacing = to_entries.count(to) != 0;
            if (replacing) {
                uint32_t target = to_entries[to];
                if (target == source || model.is_dir(target) != source_dir ||
                    (model.is_dir(target) && !model.inodes[target].entries.empty())) {
                    continue;
                }
            }
            error = fs.rename(InodeNumber{dir}, name, InodeNumber{to_dir}, to);
            fprintf(log, "%d rename %u/%s -> %u/%s: %s\n", step, dir, name.c_str(), to_dir,
                    to.c_str(), ipc::error_name(error));
            if (error != Error::ok) {
                continue;
            }
            if (replacing) {
                model.drop_name(to_dir, to);
            }
            model.inodes[dir].entries.erase(name);
            model.inodes[to_dir].entries[to] = source;
            model.inodes[dir].mtime = now();
            model.inodes[to_dir].mtime = now();
            if (source_dir) {
                --model.inodes[dir].links;
                ++model.inodes[to_dir].links;
                model.inodes[source].parent = to_dir;
            }
            continue;
        }
        if (op < 68) {
            if (!exists || model.is_dir(entries[name])) {
                continue;
            }
            uint32_t source = entries[name];
            uint32_t to_dir = dirs[pick(static_cast<uint32_t>(dirs.size()))];
            std::string to = "f" + std::to_string(pick(24));
            if (model.inodes[to_dir].entries.count(to)) {
                continue;
            }
            error = fs.link(InodeNumber{source}, InodeNumber{to_dir}, to);
            fprintf(log, "%d link %u -> %u/%s: %s\n", step, source, to_dir, to.c_str(),
                    ipc::error_name(error));
            if (error == Error::ok) {
                model.inodes[to_dir].entries[to] = source;
                model.inodes[to_dir].mtime = now();
                ++model.inodes[source].links;
            }
            continue;
        }
        if (op < 78) {
            if (!exists || model.is_dir(entries[name])) {
                continue;
            }
            error = fs.unlink(InodeNumber{dir}, name);
            fprintf(log, "%d unlink %u/%s: %s\n", step, dir, name.c_str(), ipc::error_name(error));
            if (error == Error::ok) {
                model.drop_name(dir, name);
                model.inodes[dir].mtime = now();
            }
            continue;
        }
        if (op < 88) {
            if (exists) {
                continue;
            }
            error =
                fs.make_directory(InodeNumber{dir}, name,
                                  fs::NewInode{0700 + pick(077), pick(100), pick(100), 0}, &out);
            fprintf(log, "%d mkdir %u/%s -> %u: %s\n", step, dir, name.c_str(), out.value,
                    ipc::error_name(error));
            if (error == Error::ok) {
                Attributes a;
                (void)fs.get_attributes(out, &a);
                model.inodes[out.value] = ModelInode{a.mode, a.uid, a.gid, now(), "", 2, {}, dir};
                entries[name] = out.value;
                ++model.inodes[dir].links;
                model.inodes[dir].mtime = now();
            }
            continue;
        }
        if (op < 93) {
            if (!exists || !model.is_dir(entries[name]) ||
                !model.inodes[entries[name]].entries.empty() ||
                (dir == root && name == "lost+found")) {
                continue;
            }
            error = fs.remove_directory(InodeNumber{dir}, name);
            fprintf(log, "%d rmdir %u/%s: %s\n", step, dir, name.c_str(), ipc::error_name(error));
            if (error == Error::ok) {
                model.drop_name(dir, name);
                model.inodes[dir].mtime = now();
            }
            continue;
        }
        if (exists) {
            continue;
        }
        std::string target(1 + (pick(2) ? pick(59) : pick(block_size - 1)), 'x');
        for (auto& c : target) {
            c = static_cast<char>('a' + pick(26));
        }
        error = fs.make_symlink(InodeNumber{dir}, name, target,
                                fs::NewInode{0777, pick(100), pick(100), 0}, &out);
        fprintf(log, "%d symlink %u/%s (%zu bytes) -> %u: %s\n", step, dir, name.c_str(),
                target.size(), out.value, ipc::error_name(error));
        if (error == Error::ok) {
            Attributes a;
            (void)fs.get_attributes(out, &a);
            model.inodes[out.value] = ModelInode{a.mode, a.uid, a.gid, now(), target, 1, {}, 0};
            entries[name] = out.value;
            model.inodes[dir].mtime = now();
        }
    }
}

// debugfs's stat of many paths in one run: Type, Mode, User, Group, Size, Links per path.
struct DebugfsStat {
    std::string type;
    uint32_t mode = 0;
    uint32_t uid = 0;
    uint32_t gid = 0;
    uint64_t size = 0;
    uint32_t links = 0;
    uint32_t mtime = 0;
    bool found = false;
};

std::map<std::string, DebugfsStat> debugfs_stats(const std::string& image,
                                                 const std::vector<std::string>& paths,
                                                 const std::string& work) {
    std::string commands = work + "/debugfs-commands";
    FILE* file = fopen(commands.c_str(), "w");
    for (auto& path : paths) {
        fprintf(file, "stat \"%s\"\n", path.c_str());
    }
    fclose(file);
    int status;
    std::string output = run("debugfs -f " + commands + " " + image, &status);
    std::map<std::string, DebugfsStat> out;
    DebugfsStat* current = nullptr;
    size_t at = 0;
    while (at < output.size()) {
        size_t end = output.find('\n', at);
        if (end == std::string::npos) {
            end = output.size();
        }
        std::string line = output.substr(at, end - at);
        at = end + 1;
        if (line.rfind("debugfs: stat \"", 0) == 0) {
            std::string path = line.substr(15, line.size() - 16);
            current = &out[path];
            continue;
        }
        if (current == nullptr) {
            continue;
        }
        char type[32];
        unsigned mode, uid, gid, links, mtime;
        unsigned long long size;
        if (sscanf(line.c_str(), "Inode: %*u Type: %31s Mode: %o", type, &mode) == 2) {
            current->type = type;
            current->mode = mode;
            current->found = true;
        } else if (sscanf(line.c_str(), "User: %u Group: %u Project: %*u Size: %llu", &uid, &gid,
                          &size) == 3 ||
                   sscanf(line.c_str(), "User: %u Group: %u Size: %llu", &uid, &gid, &size) == 3) {
            current->uid = uid;
            current->gid = gid;
            current->size = size;
        } else if (sscanf(line.c_str(), "Links: %u", &links) == 1) {
            current->links = links;
        } else if (sscanf(line.c_str(), " mtime: 0x%x", &mtime) == 1) {
            current->mtime = mtime;
        }
    }
    return out;
}

void check_written_image(const std::string& image, const std::string& work, Model& model,
                         uint32_t root) {
    int status;
    std::string fsck = run("e2fsck -fn " + image, &status);
    CHECK(status == 0, "e2fsck -fn exit status %d:\n%s", status, fsck.c_str());

    std::vector<std::pair<std::string, uint32_t>> paths;
    model.paths(root, "", &paths);
    std::vector<std::string> names;
    for (auto& [path, n] : paths) {
        names.push_back(path);
    }
    auto stats = debugfs_stats(image, names, work);
    for (auto& [path, n] : paths) {
        const ModelInode& expected = model.inodes[n];
        const DebugfsStat& seen = stats[path];
        CHECK(seen.found, "%s: debugfs has no such path", path.c_str());
        if (!seen.found) {
            continue;
        }
        const char* type = fs::is_directory(expected.mode) ? "directory"
                           : fs::is_symlink(expected.mode) ? "symlink"
                                                           : "regular";
        CHECK(seen.type == type, "%s: type %s, expected %s", path.c_str(), seen.type.c_str(), type);
        CHECK(seen.mode == (expected.mode & 07777), "%s: mode %o, expected %o", path.c_str(),
              seen.mode, expected.mode & 07777);
        CHECK(seen.uid == expected.uid && seen.gid == expected.gid,
              "%s: owner %u:%u, expected %u:%u", path.c_str(), seen.uid, seen.gid, expected.uid,
              expected.gid);
        CHECK(seen.links == expected.links, "%s: links %u, expected %u", path.c_str(), seen.links,
              expected.links);
        CHECK(seen.mtime == static_cast<uint32_t>(expected.mtime), "%s: mtime %u, expected %lld",
              path.c_str(), seen.mtime, static_cast<long long>(expected.mtime));
        if (!fs::is_directory(expected.mode)) {
            CHECK(seen.size == expected.data.size(), "%s: size %llu, expected %zu", path.c_str(),
                  static_cast<unsigned long long>(seen.size), expected.data.size());
        }
    }
    // The bytes, through debugfs's rdump of the whole tree.
    std::string dump = work + "/dump";
    run("rm -rf " + dump, &status);
    mkdir(dump.c_str(), 0755);
    std::string output = run("debugfs -R 'rdump / " + dump + "' " + image, &status);
    for (auto& [path, n] : paths) {
        const ModelInode& expected = model.inodes[n];
        std::string host = dump + path;
        if (fs::is_regular(expected.mode)) {
            std::string bytes = read_host_file(host);
            CHECK(bytes == expected.data, "%s: dumped contents differ (%zu bytes, expected %zu)",
                  path.c_str(), bytes.size(), expected.data.size());
        } else if (fs::is_symlink(expected.mode)) {
            char target[8192];
            ssize_t length = readlink(host.c_str(), target, sizeof target);
            CHECK(length >= 0 && std::string(target, length) == expected.data,
                  "%s: dumped symlink differs", path.c_str());
        }
    }
    run("rm -rf " + dump, &status);
}

int write_direction(const std::string& work, uint32_t block_size, uint32_t inode_size,
                    uint32_t seed, int operations) {
    std::string image = work + "/written.img";
    int status;
    std::string output = run("mke2fs -q -F -t ext2 -b " + std::to_string(block_size) + " -I " +
                                 std::to_string(inode_size) + " -N 4096 " + image + " 48M",
                             &status);
    if (status != 0) {
        fprintf(stderr, "mke2fs failed: %s\n", output.c_str());
        return 1;
    }
    Model model;
    uint32_t root;
    {
        Mounted mounted(image);
        if (!mounted.device.ok() || mounted.fs.mount({}) != Error::ok) {
            fprintf(stderr, "cannot mount %s\n", image.c_str());
            return 1;
        }
        root = mounted.fs.root().value;
        Attributes a;
        (void)mounted.fs.get_attributes(mounted.fs.root(), &a);
        model.inodes[root] = ModelInode{a.mode, a.uid, a.gid, a.modify.seconds, "", 3, {}, root};
        InodeNumber lost;
        (void)mounted.fs.lookup(mounted.fs.root(), "lost+found", &lost);
        (void)mounted.fs.get_attributes(lost, &a);
        model.inodes[root].entries["lost+found"] = lost.value;
        model.inodes[lost.value] =
            ModelInode{a.mode, a.uid, a.gid, a.modify.seconds, "", 2, {}, root};
        std::string log_path = work + "/workload.log";
        FILE* log = fopen(log_path.c_str(), "w");
        run_workload(mounted.fs, mounted.clock, model, seed, operations, block_size, log);
        fclose(log);
        Error error = mounted.fs.unmount();
        CHECK(error == Error::ok, "unmount: %s", ipc::error_name(error));
        fs::BlockCacheStatistics stats = mounted.cache.statistics();
        printf("write: %d operations, %zu inodes at the end; cache: %llu hits, %llu misses, "
               "%llu reads, %llu writes\n",
               operations, model.inodes.size(), static_cast<unsigned long long>(stats.hits),
               static_cast<unsigned long long>(stats.misses),
               static_cast<unsigned long long>(stats.reads),
               static_cast<unsigned long long>(stats.writes));
    }
    check_written_image(image, work, model, root);
    return 0;
}

// ---------------------------------------------------------------------------------------------
// read: e2fsprogs writes (mke2fs -d), the library reads

void make_tree(const std::string& top, uint32_t seed, uint32_t block_size) {
    std::mt19937 random(seed);
    auto pick = [&](uint32_t n) { return static_cast<uint32_t>(random() % n); };
    std::vector<std::string> dirs = {top};
    mkdir(top.c_str(), 0755);
    // A deep chain, then a bushy tree.
    std::string deep = top;
    for (int i = 0; i < 40; ++i) {
        deep += "/deep" + std::to_string(i);
        mkdir(deep.c_str(), 0755);
        dirs.push_back(deep);
    }
    for (int i = 0; i < 120; ++i) {
        std::string dir = dirs[pick(static_cast<uint32_t>(dirs.size()))] + "/d" + std::to_string(i);
        if (mkdir(dir.c_str(), 0700 + pick(077)) == 0) {
            dirs.push_back(dir);
        }
    }
    std::vector<std::string> files;
    for (int i = 0; i < 3000; ++i) {
        std::string path =
            dirs[pick(static_cast<uint32_t>(dirs.size()))] + "/file" + std::to_string(i);
        FILE* file = fopen(path.c_str(), "wb");
        size_t size = pick(10) == 0 ? pick(64 * 1024) : pick(2000);
        std::string bytes(size, '\0');
        for (auto& c : bytes) {
            c = static_cast<char>(random());
        }
        fwrite(bytes.data(), 1, bytes.size(), file);
        fclose(file);
        chmod(path.c_str(), 0400 + pick(0400));
        struct timeval times[2] = {{1400000000 + static_cast<time_t>(pick(100000000)), 0},
                                   {1400000000 + static_cast<time_t>(pick(100000000)), 0}};
        utimes(path.c_str(), times);
        files.push_back(path);
    }
    // Large and sparse files.
    for (int i = 0; i < 4; ++i) {
        std::string path = top + "/large" + std::to_string(i);
        int fd = open(path.c_str(), O_CREAT | O_WRONLY, 0644);
        for (int k = 0; k < 6; ++k) {
            std::string bytes(5000 + pick(20000), static_cast<char>('A' + k));
            off_t offset = static_cast<off_t>(pick(i < 2 ? 3 * 1024 * 1024 : 300 * 1024));
            if (pwrite(fd, bytes.data(), bytes.size(), offset) < 0) {
                perror("pwrite");
            }
        }
        close(fd);
    }
    // Symlinks, fast (< 60 bytes) and slow (a block).
    for (int i = 0; i < 200; ++i) {
        std::string path =
            dirs[pick(static_cast<uint32_t>(dirs.size()))] + "/link" + std::to_string(i);
        std::string target(1 + (i % 2 ? pick(59) : 60 + pick(block_size - 61)), 'x');
        for (auto& c : target) {
            c = static_cast<char>('a' + pick(26));
        }
        if (symlink(target.c_str(), path.c_str()) != 0) {
            perror("symlink");
        }
    }
    // Hard links.
    for (int i = 0; i < 100; ++i) {
        std::string path =
            dirs[pick(static_cast<uint32_t>(dirs.size()))] + "/hard" + std::to_string(i);
        if (link(files[pick(static_cast<uint32_t>(files.size()))].c_str(), path.c_str()) != 0) {
            perror("link");
        }
    }
}

uint64_t g_compared_files = 0;
uint64_t g_compared_bytes = 0;

class NameSink final : public fs::DirectorySink {
public:
    bool take(const fs::DirectoryEntry& entry) override {
        entries[std::string(entry.name)] = entry.inode;
        types[std::string(entry.name)] = entry.type;
        return true;
    }
    std::map<std::string, InodeNumber> entries;
    std::map<std::string, fs::FileType> types;
};

// Compares the library's directory `dir` with the host directory `host`; returns the number of
// subdirectories.
void compare_tree(fs::Ext2FileSystem& fs, InodeNumber dir, const std::string& host, int depth) {
    CHECK(depth < 100, "%s: too deep", host.c_str());
    NameSink sink;
    Error error = fs.read_directory(dir, 0, sink);
    CHECK(error == Error::ok, "%s: read_directory: %s", host.c_str(), ipc::error_name(error));
    std::set<std::string> host_names;
    DIR* d = opendir(host.c_str());
    while (struct dirent* entry = readdir(d)) {
        host_names.insert(entry->d_name);
    }
    closedir(d);
    if (depth == 0) {
        host_names.insert("lost+found");
    }
    std::set<std::string> names;
    for (auto& [name, inode] : sink.entries) {
        names.insert(name);
    }
    CHECK(names == host_names, "%s: %zu names, the tree has %zu", host.c_str(), names.size(),
          host_names.size());
    uint32_t subdirectories = 0;
    for (auto& [name, inode] : sink.entries) {
        if (name == "." || name == ".." || (depth == 0 && name == "lost+found")) {
            continue;
        }
        std::string path = host + "/" + name;
        struct stat st {};
        if (lstat(path.c_str(), &st) != 0) {
            continue;
        }
        InodeNumber found;
        CHECK(fs.lookup(dir, name, &found) == Error::ok && found == inode, "%s: lookup",
              path.c_str());
        Attributes a;
        CHECK(fs.get_attributes(inode, &a) == Error::ok, "%s: get_attributes", path.c_str());
        CHECK(a.mode == st.st_mode, "%s: mode %o, the tree has %o", path.c_str(), a.mode,
              st.st_mode);
        CHECK(a.uid == st.st_uid && a.gid == st.st_gid, "%s: owner", path.c_str());
        CHECK(a.modify.seconds == st.st_mtim.tv_sec, "%s: mtime %lld, the tree has %lld",
              path.c_str(), static_cast<long long>(a.modify.seconds),
              static_cast<long long>(st.st_mtim.tv_sec));
        CHECK(sink.types[name] == fs::file_type_of(st.st_mode), "%s: entry type", path.c_str());
        if (S_ISDIR(st.st_mode)) {
            ++subdirectories;
            compare_tree(fs, inode, path, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            CHECK(a.size == static_cast<uint64_t>(st.st_size), "%s: size %llu, the tree has %lld",
                  path.c_str(), static_cast<unsigned long long>(a.size),
                  static_cast<long long>(st.st_size));
            CHECK(a.links == st.st_nlink, "%s: links %u, the tree has %lu", path.c_str(), a.links,
                  static_cast<unsigned long>(st.st_nlink));
            CHECK(read_all(fs, inode, a.size) == read_host_file(path), "%s: contents differ",
                  path.c_str());
            ++g_compared_files;
            g_compared_bytes += a.size;
        } else if (S_ISLNK(st.st_mode)) {
            char expected[8192];
            ssize_t length = readlink(path.c_str(), expected, sizeof expected);
            char target[8192];
            uint32_t got = 0;
            CHECK(fs.read_link(inode, target, &got) == Error::ok &&
                      std::string(target, got) == std::string(expected, length),
                  "%s: symlink target", path.c_str());
            CHECK(a.size == static_cast<uint64_t>(length), "%s: symlink size", path.c_str());
        }
    }
    Attributes self;
    CHECK(fs.get_attributes(dir, &self) == Error::ok, "%s", host.c_str());
    uint32_t expected_links = 2 + subdirectories + (depth == 0 ? 1 : 0); // lost+found
    CHECK(self.links == expected_links, "%s: links %u, expected %u", host.c_str(), self.links,
          expected_links);
}

int read_direction(const std::string& work, uint32_t block_size, uint32_t inode_size,
                   uint32_t seed) {
    std::string tree = work + "/tree";
    std::string image = work + "/from-tree.img";
    int status;
    run("rm -rf " + tree, &status);
    make_tree(tree, seed, block_size);
    std::string output =
        run("mke2fs -q -F -t ext2 -b " + std::to_string(block_size) + " -I " +
                std::to_string(inode_size) + " -N 8192 -d " + tree + " " + image + " 64M",
            &status);
    if (status != 0) {
        fprintf(stderr, "mke2fs -d failed: %s\n", output.c_str());
        return 1;
    }
    Mounted mounted(image);
    Error error = mounted.fs.mount({.read_only = true});
    if (error != Error::ok) {
        fprintf(stderr, "cannot mount %s: %s\n", image.c_str(), ipc::error_name(error));
        return 1;
    }
    compare_tree(mounted.fs, mounted.fs.root(), tree, 0);
    (void)mounted.fs.unmount();
    printf("read: %llu files, %llu bytes compared\n",
           static_cast<unsigned long long>(g_compared_files),
           static_cast<unsigned long long>(g_compared_bytes));
    run("rm -rf " + tree, &status);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        fprintf(stderr,
                "usage: %s <work directory> <block size> <inode size> <seed> <operations>\n",
                argv[0]);
        return 2;
    }
    std::string work = argv[1];
    uint32_t block_size = static_cast<uint32_t>(atoi(argv[2]));
    uint32_t inode_size = static_cast<uint32_t>(atoi(argv[3]));
    uint32_t seed = static_cast<uint32_t>(atoi(argv[4]));
    int operations = atoi(argv[5]);
    int status;
    run("mkdir -p " + work, &status);
    if (write_direction(work, block_size, inode_size, seed, operations) != 0) {
        return 1;
    }
    if (read_direction(work, block_size, inode_size, seed) != 0) {
        return 1;
    }
    if (g_failures != 0) {
        fprintf(stderr, "FAIL: %d mismatches (block size %u, inode size %u, seed %u)\n", g_failures,
                block_size, inode_size, seed);
        return 1;
    }
    printf("ok: block size %u, inode size %u, seed %u\n", block_size, inode_size, seed);
    return 0;
}
