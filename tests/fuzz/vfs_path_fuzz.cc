// Path resolution of the VFS (servers/fs/vfs/vfs.h) over two tmpfs (one mounted on /mnt). A
// small tree is built first: directories of several modes, files, symlinks (a chain longer
// than kMaxSymlinks, loops, "..", absolute and dangling ones, one across the mount). The input
// is then a bounded program of open, close, stat, lstat, mkdir, unlink, rename, readlink,
// symlink, chdir, getcwd, fork and exit, by root or by an unprivileged caller, on paths built
// from fragments: "..", ".", "//", trailing slashes, names of 255 and 256 bytes, NUL bytes,
// paths longer than kPathMax, or raw bytes. Checked besides crashes and sanitizer reports:
//  - every answer is ok or an error a path operation may give (no transport errors);
//  - resolution never leaves "/": "/" + "../" * k + q is the same as "/" + q;
//  - after chdir, getcwd gives an absolute, canonical path that leads back to the same inode;
//  - nothing leaks: once every process exits and the mount is removed, no open-file
//    description is left and every retain of an inode was matched by one release (counted by
//    a FileSystem that forwards to tmpfs), and no release came without its retain.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "servers/fs/tmpfs/tmp_file_system.h"
#include "servers/fs/vfs/vfs.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using fs::Error;
using fs::InodeNumber;

class FixedClock final : public fs::Clock {
public:
    fs::Timestamp now() override { return {1700000000, 0}; }
};

// Forwards to tmpfs and counts the references the Vfs holds on each inode.
class Counted final : public fs::FileSystem {
public:
    explicit Counted(fs::FileSystem& inner) : m_inner(inner) {}
    InodeNumber root() const override { return m_inner.root(); }
    bool read_only() const override { return m_inner.read_only(); }
    Error statistics(fs::FileSystemStatistics* out) override { return m_inner.statistics(out); }
    Error get_attributes(InodeNumber inode, fs::Attributes* out) override {
        return m_inner.get_attributes(inode, out);
    }
    Error set_attributes(InodeNumber inode, const fs::AttributeChanges& changes,
                         fs::Attributes* out) override {
        return m_inner.set_attributes(inode, changes, out);
    }
    Error lookup(InodeNumber directory, std::string_view name, InodeNumber* out) override {
        FUZZ_CHECK(!name.empty() && name.size() <= fs::kNameMax);
        FUZZ_CHECK(name.find('/') == std::string_view::npos);
        FUZZ_CHECK(name.find('\0') == std::string_view::npos);
        return m_inner.lookup(directory, name, out);
    }
    Error create(InodeNumber directory, std::string_view name, const fs::NewInode& inode,
                 InodeNumber* out) override {
        check_new(name);
        return m_inner.create(directory, name, inode, out);
    }
    Error make_directory(InodeNumber directory, std::string_view name, const fs::NewInode& inode,
                         InodeNumber* out) override {
        check_new(name);
        return m_inner.make_directory(directory, name, inode, out);
    }
    Error make_symlink(InodeNumber directory, std::string_view name, std::string_view target,
                       const fs::NewInode& inode, InodeNumber* out) override {
        check_new(name);
        return m_inner.make_symlink(directory, name, target, inode, out);
    }
    Error link(InodeNumber inode, InodeNumber directory, std::string_view name) override {
        check_new(name);
        return m_inner.link(inode, directory, name);
    }
    Error unlink(InodeNumber directory, std::string_view name) override {
        check_new(name);
        return m_inner.unlink(directory, name);
    }
    Error remove_directory(InodeNumber directory, std::string_view name) override {
        check_new(name);
        return m_inner.remove_directory(directory, name);
    }
    Error rename(InodeNumber from_directory, std::string_view from, InodeNumber to_directory,
                 std::string_view to) override {
        check_new(from);
        check_new(to);
        return m_inner.rename(from_directory, from, to_directory, to);
    }
    Error read_link(InodeNumber inode, std::span<char> buffer, uint32_t* length) override {
        return m_inner.read_link(inode, buffer, length);
    }
    Error read(InodeNumber inode, uint64_t offset, std::span<uint8_t> buffer,
               uint32_t* done) override {
        return m_inner.read(inode, offset, buffer, done);
    }
    Error write(InodeNumber inode, uint64_t offset, std::span<const uint8_t> data,
                uint32_t* done) override {
        return m_inner.write(inode, offset, data, done);
    }
    Error read_directory(InodeNumber directory, uint64_t cookie, fs::DirectorySink& sink) override {
        return m_inner.read_directory(directory, cookie, sink);
    }
    void retain(InodeNumber inode) override {
        ++m_references[inode.value];
        m_inner.retain(inode);
    }
    void release(InodeNumber inode) override {
        FUZZ_CHECK(m_references[inode.value] > 0); // a release without its retain
        --m_references[inode.value];
        m_inner.release(inode);
    }
    Error sync_inode(InodeNumber inode) override { return m_inner.sync_inode(inode); }
    Error sync() override { return m_inner.sync(); }

    bool references_left() const {
        for (const auto& [inode, count] : m_references)
            if (count != 0) return true;
        return false;
    }

private:
    // The Vfs never hands a file system ".", ".." or a malformed name to change.
    static void check_new(std::string_view name) {
        FUZZ_CHECK(!name.empty() && name.size() <= fs::kNameMax);
        FUZZ_CHECK(name != "." && name != "..");
        FUZZ_CHECK(name.find('/') == std::string_view::npos);
        FUZZ_CHECK(name.find('\0') == std::string_view::npos);
    }

    fs::FileSystem& m_inner;
    std::map<uint32_t, int64_t> m_references;
};

bool path_error(Error e) {
    switch (e) {
    case Error::ok:
    case Error::not_found:
    case Error::exists:
    case Error::no_permission:
    case Error::busy:
    case Error::invalid_argument:
    case Error::no_space:
    case Error::access_denied:
    case Error::not_directory:
    case Error::is_directory:
    case Error::not_empty:
    case Error::name_too_long:
    case Error::symlink_loop:
    case Error::bad_handle:
    case Error::cross_device:
    case Error::too_many_open:
    case Error::too_many_open_in_system:
    case Error::read_only:
    case Error::too_many_links:
        return true;
    default:
        return false;
    }
}

#define CHECK_ANSWER(expression)                                                                   \
    do {                                                                                           \
        Error answer_ = (expression);                                                              \
        FUZZ_CHECK(path_error(answer_));                                                           \
    } while (0)

fs::Caller make_caller(uint32_t pid, uint32_t uid) {
    fs::Caller caller;
    caller.pid = pid;
    caller.credentials.uid = caller.credentials.real_uid = uid;
    caller.credentials.gid = caller.credentials.real_gid = uid;
    return caller;
}

constexpr uint32_t kChain = fs::kMaxSymlinks + 5; // c0 -> c1 -> ... -> c44 -> a

const char* const kFragments[] = {
    "",    ".",    "..",  "a",    "b",    "f",  "l1",   "loop", "la",     "up",
    "abs", "dang", "mnt", "d",    "back", "c0", "c20",  "c44",  "secret", "x",
    "tmp", "new",  "ro",  "exec", "g",    "c3", "file", "mine",
};
constexpr uint32_t kFragmentCount = sizeof(kFragments) / sizeof(kFragments[0]);

// A path from the input: components from the fragments, long names, NULs, raw bytes, and
// long repetitions.
std::string make_path(fuzz::Input& in) {
    std::string path;
    uint8_t shape = in.u8();
    if (shape & 1) path += '/';
    uint32_t count = 1 + (shape >> 1) % 8;
    for (uint32_t i = 0; i < count; ++i) {
        if (i != 0) path += (in.u8() & 7) == 0 ? "//" : "/";
        uint8_t kind = in.u8();
        switch (kind % 16) {
        case 12:
            path += std::string(255, 'n');
            break;
        case 13:
            path += std::string(256, 'n');
            break;
        case 14: {
            // A repetition that makes the path long (up to ~ 6000 bytes).
            uint32_t times = 1 + in.u8() * 4u;
            const char* unit = (kind >> 4) & 1 ? "../" : ((kind >> 5) & 1 ? "a/../" : "./");
            for (uint32_t t = 0; t < times; ++t)
                path += unit;
            break;
        }
        case 15: {
            uint32_t n = in.pick(8);
            for (uint32_t t = 0; t < n; ++t)
                path += static_cast<char>(in.u8());
            break;
        }
        default:
            path += kFragments[in.u8() % kFragmentCount];
            if ((kind >> 4) == 1) path += '\0';
            break;
        }
    }
    if (shape & 0x80) path += '/';
    return path;
}

struct World {
    FixedClock clock;
    std::unique_ptr<uint64_t[]> root_arena{new uint64_t[(256u << 10) / 8]};
    std::unique_ptr<uint64_t[]> mnt_arena{new uint64_t[(64u << 10) / 8]};
    fs::TmpFileSystem root_tmp{root_arena.get(), 256u << 10, clock, 0755, 0, 0, 1024};
    fs::TmpFileSystem mnt_tmp{mnt_arena.get(), 64u << 10, clock, 0777, 1000, 1000, 1024};
    Counted root_fs{root_tmp};
    Counted mnt_fs{mnt_tmp};
    fs::Vfs vfs{clock};
};

void put(fs::Vfs& vfs, const fs::Caller& caller, const char* path, uint32_t mode) {
    fs::Handle h = -1;
    FUZZ_CHECK(vfs.open(caller, fs::kAtCwd, path, fs::kOpenWriteOnly | fs::kOpenCreate, mode, &h) ==
               Error::ok);
    FUZZ_CHECK(vfs.close(caller, h) == Error::ok);
}

void build_tree(World& w, const fs::Caller& root) {
    fs::Vfs& vfs = w.vfs;
    FUZZ_CHECK(w.root_tmp.valid() && w.mnt_tmp.valid());
    FUZZ_CHECK(vfs.mount_root(w.root_fs, false) == Error::ok);
    const char* directories[][2] = {{"/a", "0755"},    {"/a/b", "0755"}, {"/secret", "0700"},
                                    {"/exec", "0711"}, {"/tmp", "1777"}, {"/mnt", "0755"},
                                    {"/a/b/g", "0555"}};
    for (auto& d : directories)
        FUZZ_CHECK(vfs.mkdir(root, fs::kAtCwd, d[0], std::stoul(d[1], nullptr, 8)) == Error::ok);
    put(vfs, root, "/a/b/f", 0644);
    put(vfs, root, "/secret/x", 0600);
    put(vfs, root, "/ro", 0444);
    put(vfs, root, "/exec/file", 0755);
    const char* links[][2] = {{"a/b", "/l1"},       {"loop", "/loop"},      {"lb", "/la"},
                              {"la", "/lb"},        {"..", "/up"},          {"/a/b/f", "/abs"},
                              {"nowhere", "/dang"}, {"../../a", "/a/b/up2"}};
    for (auto& l : links)
        FUZZ_CHECK(vfs.symlink(root, l[0], fs::kAtCwd, l[1]) == Error::ok);
    for (uint32_t i = 0; i < kChain; ++i) {
        std::string name = "/c" + std::to_string(i);
        std::string target = i + 1 == kChain ? "a" : "c" + std::to_string(i + 1);
        FUZZ_CHECK(vfs.symlink(root, target, fs::kAtCwd, name) == Error::ok);
    }
    FUZZ_CHECK(vfs.mount(root, "/mnt", w.mnt_fs, false) == Error::ok);
    FUZZ_CHECK(vfs.mkdir(root, fs::kAtCwd, "/mnt/d", 0755) == Error::ok);
    FUZZ_CHECK(vfs.symlink(root, "../a", fs::kAtCwd, "/mnt/back") == Error::ok);
    put(vfs, root, "/mnt/d/f", 0600);
}

bool canonical(std::string_view path) {
    if (path.empty() || path[0] != '/') return false;
    if (path == "/") return true;
    if (path.back() == '/') return false;
    size_t position = 1;
    while (position <= path.size()) {
        size_t end = path.find('/', position);
        if (end == std::string_view::npos) end = path.size();
        std::string_view name = path.substr(position, end - position);
        if (name.empty() || name == "." || name == "..") return false;
        position = end + 1;
    }
    return true;
}

bool same_file(const fs::Attributes& x, const fs::Attributes& y) {
    return x.inode == y.inode && x.mode == y.mode && x.uid == y.uid && x.links == y.links;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::Input in(data, size);
    World w;
    const fs::Caller callers[] = {make_caller(1, 0), make_caller(2, 1000), make_caller(3, 1000),
                                  make_caller(4, 0)};
    constexpr uint32_t kCallers = sizeof(callers) / sizeof(callers[0]);
    fs::Vfs& vfs = w.vfs;
    build_tree(w, callers[0]);
    std::vector<char> buffer(fs::kPathMax + 16);

    for (uint32_t step = 0; step < 48 && !in.empty(); ++step) {
        uint8_t op = in.u8();
        const fs::Caller& caller = callers[(op >> 5) % kCallers];
        Error e = Error::ok;
        switch (op % 16) {
        case 0: { // open
            static const uint32_t kFlags[] = {
                fs::kOpenReadOnly,
                fs::kOpenReadWrite | fs::kOpenCreate,
                fs::kOpenWriteOnly | fs::kOpenCreate | fs::kOpenExclusive,
                fs::kOpenReadOnly | fs::kOpenDirectory,
                fs::kOpenReadOnly | fs::kOpenNoFollow,
                fs::kOpenWriteOnly | fs::kOpenTruncate,
                fs::kOpenReadWrite | fs::kOpenCreate | fs::kOpenNoFollow | fs::kOpenDirectory,
            };
            uint32_t flags = kFlags[in.pick(7)];
            fs::Handle h = -1;
            std::string path = make_path(in);
            e = vfs.open(caller, fs::kAtCwd, path, flags, 0644, &h);
            if (e == Error::ok) FUZZ_CHECK(h >= 0 && static_cast<uint32_t>(h) < fs::kMaxHandles);
            break;
        }
        case 1: // close
            e = vfs.close(caller, static_cast<fs::Handle>(in.pick(8)));
            FUZZ_CHECK(e == Error::ok || e == Error::bad_handle);
            break;
        case 2:
        case 3: { // stat, lstat
            fs::Attributes a;
            std::string path = make_path(in);
            e = vfs.stat(caller, fs::kAtCwd, path, op % 16 == 2, &a);
            break;
        }
        case 4: {
            std::string path = make_path(in);
            e = vfs.mkdir(caller, fs::kAtCwd, path, 0755);
            break;
        }
        case 5: {
            std::string path = make_path(in);
            e = vfs.unlink(caller, fs::kAtCwd, path);
            break;
        }
        case 6: {
            std::string from = make_path(in);
            std::string to = make_path(in);
            e = vfs.rename(caller, fs::kAtCwd, from, fs::kAtCwd, to);
            break;
        }
        case 7: { // readlink, into a buffer that may be too small
            uint32_t length = 0;
            uint32_t room = in.u8() & 1 ? 4 : fs::kPathMax;
            std::string path = make_path(in);
            e = vfs.readlink(caller, fs::kAtCwd, path, std::span<char>(buffer.data(), room),
                             &length);
            if (e == Error::ok) FUZZ_CHECK(length > 0 && length < fs::kPathMax);
            break;
        }
        case 8: {
            std::string target = make_path(in);
            std::string path = make_path(in);
            e = vfs.symlink(caller, target, fs::kAtCwd, path);
            break;
        }
        case 9:
        case 10: { // chdir, then getcwd must lead back
            std::string path = make_path(in);
            e = vfs.chdir(caller, fs::kAtCwd, path);
            if (e != Error::ok) break;
            fs::Attributes here;
            FUZZ_CHECK(vfs.stat(caller, fs::kAtCwd, ".", true, &here) == Error::ok);
            uint32_t length = 0;
            Error got = vfs.getcwd(caller, std::span<char>(buffer.data(), buffer.size()), &length);
            FUZZ_CHECK(got == Error::ok || got == Error::name_too_long);
            if (got != Error::ok) break;
            std::string_view cwd(buffer.data(), length);
            FUZZ_CHECK(buffer[length] == '\0');
            FUZZ_CHECK(canonical(cwd));
            fs::Attributes there;
            FUZZ_CHECK(vfs.stat(callers[0], fs::kAtCwd, cwd, true, &there) == Error::ok);
            FUZZ_CHECK(same_file(here, there));
            break;
        }
        case 11: { // getcwd alone (the directory may have been removed or moved since)
            uint32_t length = 0;
            uint32_t room = in.u8() & 1 ? 3 : static_cast<uint32_t>(buffer.size());
            e = vfs.getcwd(caller, std::span<char>(buffer.data(), room), &length);
            if (e == Error::ok) {
                FUZZ_CHECK(canonical(std::string_view(buffer.data(), length)));
                fs::Attributes here, there;
                FUZZ_CHECK(vfs.stat(caller, fs::kAtCwd, ".", true, &here) == Error::ok);
                FUZZ_CHECK(vfs.stat(callers[0], fs::kAtCwd, std::string_view(buffer.data(), length),
                                    true, &there) == Error::ok);
                FUZZ_CHECK(same_file(here, there));
            }
            break;
        }
        case 12: { // "/.." is "/": any number of ".." at the root changes nothing
            std::string rest = make_path(in);
            while (!rest.empty() && rest[0] == '/')
                rest.erase(0, 1);
            std::string up = "/";
            for (uint32_t k = 1 + in.pick(6); k > 0; --k)
                up += in.u8() & 1 ? "../" : "..//";
            fs::Attributes x, y;
            bool follow = in.u8() & 1;
            Error direct = vfs.stat(caller, fs::kAtCwd, "/" + rest, follow, &x);
            Error above = vfs.stat(caller, fs::kAtCwd, up + rest, follow, &y);
            CHECK_ANSWER(direct);
            if (up.size() + rest.size() < fs::kPathMax && direct != Error::name_too_long) {
                FUZZ_CHECK(direct == above);
                if (direct == Error::ok) FUZZ_CHECK(same_file(x, y));
            }
            break;
        }
        case 13: { // fork from a caller to another, or exit
            uint32_t child = callers[in.pick(kCallers)].pid;
            if (in.u8() & 1)
                e = vfs.fork(caller.pid, child);
            else
                vfs.exit(caller.pid);
            break;
        }
        case 14: { // rmdir
            std::string path = make_path(in);
            e = vfs.rmdir(caller, fs::kAtCwd, path);
            break;
        }
        default: { // ".." from the root by a relative path also stays at the root
            std::string path = make_path(in);
            fs::Attributes a;
            e = vfs.stat(caller, fs::kAtCwd, path, true, &a);
            break;
        }
        }
        CHECK_ANSWER(e);
    }

    // Nothing leaks: every process gone, the mount removed, every reference given back.
    for (const fs::Caller& caller : callers)
        vfs.exit(caller.pid);
    FUZZ_CHECK(vfs.open_descriptions() == 0);
    FUZZ_CHECK(vfs.processes() == 0);
    Error unmounted = vfs.umount(callers[0], "/mnt");
    // /mnt itself may have been renamed away or replaced only if the mount allowed it: it
    // must not have (busy), so the mount is still there.
    FUZZ_CHECK(unmounted == Error::ok);
    FUZZ_CHECK(!w.root_fs.references_left());
    FUZZ_CHECK(!w.mnt_fs.references_left());
    return 0;
}
