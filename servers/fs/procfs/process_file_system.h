// procfs: the read-only file system mounted on /proc, in the format of Linux's proc(5) for the
// files busybox's ps, top, free and uptime and procps read. Nothing is stored here: proc owns
// every process's state (DESIGN.md §6), so each read asks it (ProcessSource, which the server
// carries out with kProcList and kProcInfo) and formats the answer at that moment.
//
//   /proc/uptime                 seconds since boot, and idle seconds (not counted: 0.00)
//   /proc/meminfo                MemTotal, MemFree, MemAvailable, … in kB
//   /proc/mounts                 the server's mount table, as fstab lines
//   /proc/<pid>/                 one directory per process (owner: its effective ids)
//   /proc/<pid>/stat             the 52 fields of proc(5), one line
//   /proc/<pid>/status           Name, State, Tgid, Pid, PPid, Uid, Gid, Threads, VmSize, VmRSS
//   /proc/<pid>/cmdline          its argv, each argument NUL-terminated
//
// Pure logic, no IPC: tested on the host against a fake source (tests/unit/fs_procfs_test.cc).
#pragma once

#include <stdint.h>

#include <span>
#include <string_view>

#include "servers/fs/vfs/file_system.h"

namespace fs {

// What procfs shows of one process: proc's list entry and its kProcInfo together.
struct ProcessRecord {
    uint32_t pid = 0, parent = 0, pgid = 0, sid = 0;
    uint32_t uid = 0, gid = 0; // effective
    uint32_t state = 0;        // kProcessRunning, kProcessStopped, kProcessEnded
    uint32_t threads = 0;
    uint32_t committed_pages = 0, resident_pages = 0;
    char name[16] = {}; // terminated
};
constexpr uint32_t kProcessRunning = 0;
constexpr uint32_t kProcessStopped = 1;
constexpr uint32_t kProcessEnded = 2; // a zombie: ended, its status not yet reaped

struct MemoryRecord {
    uint64_t total_bytes = 0;
    uint64_t free_bytes = 0;
};

// Where procfs reads the system's state (proc through IPC in the server, a fake in tests).
class ProcessSource {
public:
    // The processes with pid >= `from`, in pid order, into `out`; *count of them. *next: the
    // first pid not listed, 0 when the list is complete.
    virtual Error list(uint32_t from, std::span<ProcessRecord> out, uint32_t* count,
                       uint32_t* next) = 0;
    // One process. Errors: not_found.
    virtual Error find(uint32_t pid, ProcessRecord* out) = 0;
    // Its argv, each argument NUL-terminated, cut to `out`; *length: the bytes written.
    // Errors: not_found.
    virtual Error command_line(uint32_t pid, std::span<char> out, uint32_t* length) = 0;
    virtual uint64_t uptime_us() = 0;
    virtual Error memory(MemoryRecord* out) = 0;
    // /proc/mounts: one line per mount ("what where type options 0 0\n"), cut to `out`.
    virtual uint32_t mounts(std::span<char> out) = 0;

protected:
    ~ProcessSource() = default;
};

class ProcessFileSystem final : public FileSystem {
public:
    // The largest file procfs makes; a longer text is cut here.
    static constexpr uint32_t kTextBytes = 4096;

    ProcessFileSystem(ProcessSource& source, Clock& clock);

    // ---- FileSystem (vfs/file_system.h)
    InodeNumber root() const override { return InodeNumber{kRootInode}; }
    bool read_only() const override { return true; }
    Error statistics(FileSystemStatistics* out) override;
    Error get_attributes(InodeNumber inode, Attributes* out) override;
    Error set_attributes(InodeNumber inode, const AttributeChanges& changes,
                         Attributes* out) override;
    Error lookup(InodeNumber directory, std::string_view name, InodeNumber* out) override;
    Error create(InodeNumber directory, std::string_view name, const NewInode& inode,
                 InodeNumber* out) override;
    Error make_directory(InodeNumber directory, std::string_view name, const NewInode& inode,
                         InodeNumber* out) override;
    Error make_symlink(InodeNumber directory, std::string_view name, std::string_view target,
                       const NewInode& inode, InodeNumber* out) override;
    Error link(InodeNumber inode, InodeNumber directory, std::string_view name) override;
    Error unlink(InodeNumber directory, std::string_view name) override;
    Error remove_directory(InodeNumber directory, std::string_view name) override;
    Error rename(InodeNumber from_directory, std::string_view from, InodeNumber to_directory,
                 std::string_view to) override;
    Error read_link(InodeNumber inode, std::span<char> buffer, uint32_t* length) override;
    Error read(InodeNumber inode, uint64_t offset, std::span<uint8_t> buffer,
               uint32_t* done) override;
    Error write(InodeNumber inode, uint64_t offset, std::span<const uint8_t> data,
                uint32_t* done) override;
    Error read_directory(InodeNumber directory, uint64_t cookie, DirectorySink& sink) override;
    void retain(InodeNumber) override {}
    void release(InodeNumber) override {}
    Error sync_inode(InodeNumber) override { return Error::ok; }
    Error sync() override { return Error::ok; }

private:
    // Inodes: 1 the root, 2.. the system's files (File), then per process
    // kFirstProcessInode + pid * kPerProcess + its entry (Entry): a process's inodes are
    // computed from its pid, so nothing is kept per process.
    static constexpr uint32_t kRootInode = 1;
    enum class File : uint32_t { uptime = 2, meminfo, mounts, end };
    enum class Entry : uint32_t { directory = 0, stat, status, cmdline, end };
    static constexpr uint32_t kFirstProcessInode = 16;
    static constexpr uint32_t kPerProcess = 4;
    static constexpr uint32_t kMaxPid = (0xFFFFFFFFu - kFirstProcessInode) / kPerProcess;
    static_assert(static_cast<uint32_t>(File::end) <= kFirstProcessInode);
    static_assert(static_cast<uint32_t>(Entry::end) <= kPerProcess);

    static InodeNumber process_inode(uint32_t pid, Entry entry) {
        return InodeNumber{kFirstProcessInode + pid * kPerProcess + static_cast<uint32_t>(entry)};
    }
    // What an inode names: a system file (*pid 0) or a process's entry. False: no such inode.
    static bool decode(InodeNumber inode, uint32_t* pid, uint32_t* what);

    // The inode's text, made now, into m_text; *length its bytes.
    Error make_text(InodeNumber inode, uint32_t* length);

    ProcessSource& m_source;
    Clock& m_clock;
    char m_text[kTextBytes];
};

} // namespace fs
