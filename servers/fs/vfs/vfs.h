// The VFS (README.md): the file tree the fs server serves, over the mounted FileSystems —
// path resolution, the mount table, open-file descriptions shared across fork, per-process
// handle tables and working directories, and POSIX's permission rules. Plain C++ with no IPC
// and no allocation: the server calls it at its edge (servers/fs/server.cc), the unit tests
// directly (tests/unit/fs_vfs_test.cc).
//
// A caller is a process (Caller::pid) with the credentials proc reports for it; the server
// never takes a client's word for either. Handles are small integers per process: the index
// of an open-file description in that process's table. fork(parent, child) gives the child
// the parent's handles (the same descriptions: a shared offset) and working directory;
// exit(pid) closes everything the process held.
//
// FIFOs, character and block devices open into an open-file description of kind `object`
// (OpenKind): the Vfs checks the path and permissions and holds the inode, but reads, writes
// and seeks on it are not its business — the server routes them by `describe()` to the pipe
// code (FIFOs) or to devfs's device (the device number). The Vfs answers unsupported if asked
// to read or write one itself, not_seekable to seek.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <span>
#include <string_view>

#include "interfaces/file/wire.h"
#include "servers/fs/vfs/file_system.h"
#include "servers/fs/vfs/name_cache.h"
#include "servers/fs/vfs/permissions.h"

namespace fs {

using Handle = int32_t;
constexpr Handle kAtCwd = AXO_FILE_AT_CWD; // a path relative to the working directory

// Open flags: newlib's values (interfaces/file/wire.h).
constexpr uint32_t kOpenReadOnly = AXO_FILE_O_RDONLY;
constexpr uint32_t kOpenWriteOnly = AXO_FILE_O_WRONLY;
constexpr uint32_t kOpenReadWrite = AXO_FILE_O_RDWR;
constexpr uint32_t kOpenAccessMask = AXO_FILE_O_ACCMODE;
constexpr uint32_t kOpenAppend = AXO_FILE_O_APPEND;
constexpr uint32_t kOpenCreate = AXO_FILE_O_CREAT;
constexpr uint32_t kOpenTruncate = AXO_FILE_O_TRUNC;
constexpr uint32_t kOpenExclusive = AXO_FILE_O_EXCL;
constexpr uint32_t kOpenNonBlocking = AXO_FILE_O_NONBLOCK;
constexpr uint32_t kOpenNoFollow = AXO_FILE_O_NOFOLLOW;
constexpr uint32_t kOpenDirectory = AXO_FILE_O_DIRECTORY;
// What an open may carry; others are invalid_argument.
constexpr uint32_t kOpenKnown = kOpenAccessMask | kOpenAppend | kOpenCreate | kOpenTruncate |
                                kOpenExclusive | kOpenNonBlocking | kOpenNoFollow | kOpenDirectory;
// What fcntl(F_SETFL) may change.
constexpr uint32_t kOpenStatusFlags = kOpenAppend | kOpenNonBlocking;

enum class Whence : uint32_t {
    set = AXO_FILE_SEEK_SET,
    current = AXO_FILE_SEEK_CUR,
    end = AXO_FILE_SEEK_END
};

// Limits of the tables (fixed: no allocation).
constexpr uint32_t kMaxMounts = 8;
// A full table of processes or of descriptions is the whole system's limit: too_many_open_in_system
// (ENFILE); a process's own kMaxHandles used up is too_many_open (EMFILE). A process takes an
// entry at its first open, pipe or chdir (or at fork, from a parent that has one) and gives it
// back when proc's event stream says it ended.
constexpr uint32_t kMaxProcesses = 64;
constexpr uint32_t kMaxHandles = 64;    // per process (too_many_open)
constexpr uint32_t kMaxOpenFiles = 512; // descriptions in all (too_many_open_in_system)
constexpr uint32_t kMaxSymlinks = 40;   // followed in one resolution (symlink_loop)

// A node of the whole tree: an inode of one mount.
struct Node {
    uint32_t mount = 0;
    InodeNumber inode;
    constexpr bool operator==(const Node&) const = default;
};

enum class OpenKind : uint8_t {
    file,      // a regular file: the Vfs reads and writes it through its FileSystem
    directory, // readdir, fchdir, and a base for relative paths
    object,    // a FIFO or device file: the server routes its data (see above)
};

// What the server needs to route a handle.
struct OpenDescription {
    // A description made by open_pipe: no node (node is empty), `device` the server's pipe.
    bool anonymous = false;
    OpenKind kind = OpenKind::file;
    uint32_t flags = 0;  // open flags (access mode, append, non-blocking)
    uint32_t mode = 0;   // the inode's type and permissions when it was opened
    uint32_t device = 0; // a device file's device number
    Node node;
    uint32_t description = 0; // the description's index: equal for handles that share one
};

// Told when the last reference to a description goes (close, exit), so that the server
// closes what it keeps for it (a pipe's end). It must not call the Vfs back.
class DescriptionObserver {
public:
    virtual void released(const OpenDescription& description) = 0;

protected:
    ~DescriptionObserver() = default;
};

class Vfs {
public:
    explicit Vfs(Clock& clock) : m_clock(clock) {}
    Vfs(const Vfs&) = delete;
    Vfs& operator=(const Vfs&) = delete;

    // ---- Mounts ----------------------------------------------------------------------------
    // The first mount is the root ("/"); it must come before anything else.
    Error mount_root(FileSystem& file_system, bool read_only);
    // Mounts `file_system` on the directory `path` (root only: no_permission otherwise).
    // Errors: not_directory; busy (something is mounted there already, or it is the root);
    // no_space (kMaxMounts).
    Error mount(const Caller& caller, std::string_view path, FileSystem& file_system,
                bool read_only);
    // Errors: invalid_argument (not a mount's root); busy (open files, working directories or
    // mounts on it). The file system is synced; `*unmounted` (if given) says which it was, so
    // that its owner can finish it (ext2's clean unmount) and reuse it.
    Error umount(const Caller& caller, std::string_view path, FileSystem** unmounted = nullptr);

    // ---- Processes (from proc's event stream) ------------------------------------------------
    // The child shares the parent's open-file descriptions and gets its working directory
    // (a child whose parent holds nothing gets its entry at its first request). A child pid
    // seen before starts afresh. Errors: too_many_open_in_system (kMaxProcesses); invalid_argument.
    Error fork(uint32_t parent, uint32_t child);
    // Closes everything `pid` held.
    void exit(uint32_t pid);

    // ---- Open files -------------------------------------------------------------------------
    void set_observer(DescriptionObserver* observer) { m_observer = observer; }
    // pipe(): two descriptions of kind object without a node (`anonymous`, mode FIFO | 0600,
    // owned by the caller), the read end's and the write end's, whose `device` is `pipe`, the
    // server's name for the pipe; `flags` 0 or kOpenNonBlocking. fstat gives those attributes;
    // fsync, fchmod, fchown, futimes and fstatfs answer invalid_argument. Errors: too_many_open;
    // invalid_argument (other flags).
    Error open_pipe(const Caller& caller, uint32_t flags, uint32_t pipe, Handle* read_end,
                    Handle* write_end);
    Error open(const Caller& caller, Handle at, std::string_view path, uint32_t flags,
               uint32_t mode, Handle* out);
    Error close(const Caller& caller, Handle handle);
    // A second handle on the same description (dup).
    Error duplicate(const Caller& caller, Handle handle, Handle* out);
    Error describe(const Caller& caller, Handle handle, OpenDescription* out);
    Error get_flags(const Caller& caller, Handle handle, uint32_t* flags);
    Error set_flags(const Caller& caller, Handle handle, uint32_t flags);

    Error read(const Caller& caller, Handle handle, std::span<uint8_t> buffer, uint32_t* done);
    Error write(const Caller& caller, Handle handle, std::span<const uint8_t> data, uint32_t* done);
    Error pread(const Caller& caller, Handle handle, uint64_t offset, std::span<uint8_t> buffer,
                uint32_t* done);
    Error pwrite(const Caller& caller, Handle handle, uint64_t offset,
                 std::span<const uint8_t> data, uint32_t* done);
    Error seek(const Caller& caller, Handle handle, int64_t offset, Whence whence,
               uint64_t* result);
    // The entries from the description's position on, given to `sink` until it refuses one;
    // the position moves past each entry taken.
    Error read_directory(const Caller& caller, Handle handle, DirectorySink& sink);
    Error fsync(const Caller& caller, Handle handle);
    Error sync();

    // ---- Attributes -----------------------------------------------------------------------------
    // `follow`: false for lstat and the AT_SYMLINK_NOFOLLOW forms. `mount`: the mount the node
    // is on (st_dev), as fstat's description says.
    Error stat(const Caller& caller, Handle at, std::string_view path, bool follow, Attributes* out,
               uint32_t* mount = nullptr);
    Error fstat(const Caller& caller, Handle handle, Attributes* out);
    // access(): kMay* bits (0: existence), with the real ids unless `effective`.
    Error access(const Caller& caller, Handle at, std::string_view path, uint32_t want,
                 bool effective);
    Error truncate(const Caller& caller, Handle at, std::string_view path, uint64_t size);
    Error ftruncate(const Caller& caller, Handle handle, uint64_t size);
    Error chmod(const Caller& caller, Handle at, std::string_view path, uint32_t mode, bool follow);
    Error fchmod(const Caller& caller, Handle handle, uint32_t mode);
    Error chown(const Caller& caller, Handle at, std::string_view path, uint32_t uid, uint32_t gid,
                bool follow);
    Error fchown(const Caller& caller, Handle handle, uint32_t uid, uint32_t gid);
    // `times` nullptr: both to now; else [access, modify].
    Error utimes(const Caller& caller, Handle at, std::string_view path, const Timestamp* times,
                 bool follow);
    Error futimes(const Caller& caller, Handle handle, const Timestamp* times);
    Error statfs(const Caller& caller, Handle at, std::string_view path, FileSystemStatistics* out);
    Error fstatfs(const Caller& caller, Handle handle, FileSystemStatistics* out);

    // ---- Names --------------------------------------------------------------------------------
    Error mkdir(const Caller& caller, Handle at, std::string_view path, uint32_t mode);
    Error rmdir(const Caller& caller, Handle at, std::string_view path);
    Error unlink(const Caller& caller, Handle at, std::string_view path);
    Error rename(const Caller& caller, Handle from_at, std::string_view from, Handle to_at,
                 std::string_view to);
    // `follow`: whether a symlink `from` is followed (linkat's AT_SYMLINK_FOLLOW).
    Error link(const Caller& caller, Handle from_at, std::string_view from, Handle to_at,
               std::string_view to, bool follow);
    Error symlink(const Caller& caller, std::string_view target, Handle at, std::string_view path);
    // The target, truncated to `buffer`; *length its whole length.
    Error readlink(const Caller& caller, Handle at, std::string_view path, std::span<char> buffer,
                   uint32_t* length);
    // FIFOs (any caller) and device files (root only); `mode` carries the type.
    Error mknod(const Caller& caller, Handle at, std::string_view path, uint32_t mode,
                uint32_t device);

    // ---- Working directory --------------------------------------------------------------------
    Error chdir(const Caller& caller, Handle at, std::string_view path);
    Error fchdir(const Caller& caller, Handle handle);
    // The absolute path of the working directory, NUL-terminated in `buffer`; *length without
    // the NUL. Errors: not_found (it was removed); invalid_argument (the buffer is too small:
    // POSIX's ERANGE).
    Error getcwd(const Caller& caller, std::span<char> buffer, uint32_t* length);

    // ---- Exec (servers/fs/pager)
    // ----------------------------------------------------------------- Files mapped for exec are
    // text_busy to writers: open for writing, O_TRUNC, truncate and ftruncate of a file for which
    // `busy` says so fail with text_busy (ETXTBSY).
    void set_text_busy(bool (*busy)(void* context, const Node& node), void* context) {
        m_text_busy = busy;
        m_text_busy_context = context;
    }
    // Whether any open description of `node` may write (ETXTBSY for exec).
    bool open_for_writing(const Node& node) const;
    // A new read-only description of the file `handle` of `caller` names, as a handle of
    // process `pid` (fs's own, for the pager: it keeps the inode after an unlink).
    Error reopen_for_reading(const Caller& caller, Handle handle, uint32_t pid, Handle* out);
    // The same with the access mode `access` (kOpenReadOnly or kOpenReadWrite: shared file
    // mappings write their bytes back through it).
    Error reopen(const Caller& caller, Handle handle, uint32_t pid, uint32_t access, Handle* out);

    // ---- For tests and statistics -------------------------------------------------------------
    // The file system mounted as `mount` (OpenDescription::node.mount), or nullptr.
    const FileSystem* file_system_of(uint32_t mount) const {
        return mount < kMaxMounts ? m_mounts[mount].file_system : nullptr;
    }
    uint32_t open_descriptions() const;
    uint32_t open_files() const; // descriptions of regular files
    uint32_t mounts() const;     // the root included
    uint32_t processes() const;
    uint32_t handles_of(uint32_t pid) const;
    // The name cache's lookups answered without asking a file system, and the others.
    uint32_t name_cache_hits() const { return m_names.hits(); }
    uint32_t name_cache_misses() const { return m_names.misses(); }
    // The pids with state here (up to `max`), for a resync with proc's process list.
    uint32_t process_ids(uint32_t* out, uint32_t max) const;

private:
    struct Mount {
        FileSystem* file_system = nullptr; // nullptr: a free slot
        bool read_only = false;
        uint32_t parent = 0; // the mount it sits on (the root: itself)
        InodeNumber on;      // the directory of `parent` it covers
        uint32_t users = 0;  // descriptions, working directories and mounts on it
        bool cached = false; // its names go through m_names (FileSystem::names_stable)
    };
    struct Description {
        uint32_t references = 0; // handles in every process: 0 is a free slot
        OpenKind kind = OpenKind::file;
        uint32_t flags = 0;
        uint32_t mode = 0;
        uint32_t device = 0;
        Node node;
        uint64_t offset = 0;
        bool anonymous = false;    // open_pipe's: node is not used
        uint32_t uid = 0, gid = 0; // an anonymous one's owner
        Timestamp made;            // an anonymous one's times
    };
    static constexpr uint16_t kNoDescription = 0xFFFF;
    struct Process {
        uint32_t pid = 0; // 0: a free slot
        bool has_cwd = false;
        Node cwd;
        uint16_t handles[kMaxHandles];
    };
    // The result of a resolution that stops before the last component.
    struct Parent {
        Node directory;
        std::string_view name; // the last component (in m_path); empty: the path was "/"
        bool trailing_slash = false;
    };

    FileSystem& fs_of(const Node& node) { return *m_mounts[node.mount].file_system; }
    Node root() const { return Node{0, m_mounts[0].file_system->root()}; }
    bool is_mount_root(const Node& node) const;
    bool is_mount_point(const Node& node) const;

    Process* process(uint32_t pid, bool create);
    // Why process(pid, true) gave nothing: the table is full (too_many_open_in_system), or pid
    // 0 (no process: no_space).
    static Error no_entry(uint32_t pid);
    Description* description_of(const Caller& caller, Handle handle);
    Error start_of(const Caller& caller, Handle at, std::string_view path, Node* start);

    // One component from `directory` (".", ".." and mounts crossed); search permission is
    // the caller's business.
    Error step(const Node& directory, std::string_view name, Node* out);
    // The node of `path`; `follow` for a last component that is a symlink.
    Error resolve(const Caller& caller, Handle at, std::string_view path, bool follow, Node* out);
    // Everything but the last component.
    Error resolve_parent(const Caller& caller, Handle at, std::string_view path, Parent* out);
    // The walk both share: `stop_before_last` gives the parent.
    Error walk(const Caller& caller, Node start, std::string_view path, bool follow,
               bool stop_before_last, Node* out, Parent* parent);

    Error attributes(const Node& node, Attributes* out) {
        return fs_of(node).get_attributes(node.inode, out);
    }
    // Type, permissions, owner and device: from the name cache when it has them.
    Error node_attributes(const Node& node, NodeAttributes* out);
    // Every change of a name, a type, a permission or an owner, and every mount and umount,
    // calls this first (name_cache.h).
    void names_changed() { m_names.clear(); }
    Error writable_mount(const Node& node) const {
        return m_mounts[node.mount].read_only ? Error::read_only : Error::ok;
    }
    Error may_change_in(const Caller& caller, const Node& directory, Attributes* attributes);
    NewInode new_inode(const Caller& caller, const Attributes& directory, uint32_t mode) const;

    void retain(const Node& node);
    void release(const Node& node);
    Error install(Process& owner, const Description& description, Handle* out);
    void drop_description(uint16_t index);

    Error read_at(Description& description, uint64_t offset, std::span<uint8_t> buffer,
                  uint32_t* done);
    Error write_at(Description& description, uint64_t offset, std::span<const uint8_t> data,
                   uint32_t* done, uint64_t* end);
    Error set_attributes_checked(const Caller& caller, const Node& node, AttributeChanges& changes);
    Error do_chmod(const Caller& caller, const Node& node, uint32_t mode);
    Error do_chown(const Caller& caller, const Node& node, uint32_t uid, uint32_t gid);
    Error do_utimes(const Caller& caller, const Node& node, const Timestamp* times);
    Error do_truncate(const Node& node, uint64_t size);
    Error is_inside(const Node& directory, const Node& ancestor, bool* inside);

    bool text_busy(const Node& node) const {
        return m_text_busy != nullptr && m_text_busy(m_text_busy_context, node);
    }

    Clock& m_clock;
    DescriptionObserver* m_observer = nullptr;
    bool (*m_text_busy)(void*, const Node&) = nullptr;
    void* m_text_busy_context = nullptr;
    Mount m_mounts[kMaxMounts];
    Description m_descriptions[kMaxOpenFiles];
    Process m_processes[kMaxProcesses];
    char m_path[kPathMax]; // the path being resolved (symlinks spliced in)
    char m_scratch[kPathMax];
    char m_second[kPathMax]; // a second resolved name (rename, link)
    NameCache m_names;
};

} // namespace fs
