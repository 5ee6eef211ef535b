#include "servers/fs/procfs/process_file_system.h"

#include <string.h>

namespace fs {

namespace {

constexpr uint32_t kPageBytes = 4096;

// Appends text and decimal numbers to a buffer, cutting what does not fit.
class TextWriter {
public:
    explicit TextWriter(std::span<char> out) : m_out(out) {}

    TextWriter& text(std::string_view s) {
        for (char c : s)
            character(c);
        return *this;
    }
    TextWriter& character(char c) {
        if (m_length < m_out.size()) m_out[m_length++] = c;
        return *this;
    }
    TextWriter& number(uint64_t value) {
        char digits[20];
        uint32_t n = 0;
        do {
            digits[n++] = static_cast<char>('0' + value % 10);
            value /= 10;
        } while (value != 0);
        while (n != 0)
            character(digits[--n]);
        return *this;
    }
    TextWriter& signed_number(int64_t value) {
        if (value < 0) {
            character('-');
            return number(static_cast<uint64_t>(-value));
        }
        return number(static_cast<uint64_t>(value));
    }
    // "Name:\t<value> kB\n", as meminfo and status align them.
    TextWriter& kilobytes(std::string_view name, uint64_t bytes) {
        text(name).text(":\t");
        return number(bytes / 1024).text(" kB\n");
    }
    uint32_t length() const { return static_cast<uint32_t>(m_length); }

private:
    std::span<char> m_out;
    size_t m_length = 0;
};

// proc knows whether a process's threads exist, not whether one of them is on the CPU or
// blocked in IPC: a living process is shown sleeping (S), as nearly every process is while
// another reads /proc.
char state_letter(uint32_t state) {
    switch (state) {
    case kProcessStopped:
        return 'T';
    case kProcessEnded:
        return 'Z';
    }
    return 'S';
}

const char* state_word(uint32_t state) {
    switch (state) {
    case kProcessStopped:
        return "stopped";
    case kProcessEnded:
        return "zombie";
    }
    return "sleeping";
}

// A pid as /proc names it: decimal without leading zeros or sign, 1 or more.
bool parse_pid(std::string_view name, uint32_t max, uint32_t* pid) {
    if (name.empty() || name.size() > 10 || name[0] == '0') return false;
    uint64_t value = 0;
    for (char c : name) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + static_cast<uint32_t>(c - '0');
    }
    if (value > max) return false;
    *pid = static_cast<uint32_t>(value);
    return true;
}

struct SystemFileName {
    const char* name;
    uint32_t inode;
};
struct ProcessEntryName {
    const char* name;
    uint32_t entry;
};
constexpr SystemFileName kSystemFiles[] = {{"uptime", 2}, {"meminfo", 3}, {"mounts", 4}};
constexpr ProcessEntryName kProcessEntries[] = {{"stat", 1}, {"status", 2}, {"cmdline", 3}};

} // namespace

ProcessFileSystem::ProcessFileSystem(ProcessSource& source, Clock& clock)
    : m_source(source), m_clock(clock) {}

bool ProcessFileSystem::decode(InodeNumber inode, uint32_t* pid, uint32_t* what) {
    if (inode.value == kRootInode) {
        *pid = 0;
        *what = kRootInode;
        return true;
    }
    if (inode.value < kFirstProcessInode) {
        *pid = 0;
        *what = inode.value;
        return inode.value >= static_cast<uint32_t>(File::uptime) &&
               inode.value < static_cast<uint32_t>(File::end);
    }
    uint32_t offset = inode.value - kFirstProcessInode;
    *pid = offset / kPerProcess;
    *what = offset % kPerProcess;
    return *pid != 0 && *what < static_cast<uint32_t>(Entry::end);
}

Error ProcessFileSystem::statistics(FileSystemStatistics* out) {
    *out = FileSystemStatistics{};
    out->block_size = kPageBytes;
    out->read_only = true;
    return Error::ok;
}

Error ProcessFileSystem::get_attributes(InodeNumber inode, Attributes* out) {
    uint32_t pid, what;
    if (!decode(inode, &pid, &what)) return Error::not_found;
    Attributes a;
    a.inode = inode;
    a.block_size = kPageBytes;
    a.access = a.modify = a.change = m_clock.now();
    bool directory = pid == 0 ? what == kRootInode : what == 0;
    a.mode = directory ? (kModeDirectory | 0555) : (kModeRegular | 0444);
    a.links = directory ? 2 : 1;
    if (pid != 0) {
        ProcessRecord record;
        if (Error e = m_source.find(pid, &record); e != Error::ok) return e;
        a.uid = record.uid; // ps shows the owner of /proc/<pid> as the process's user
        a.gid = record.gid;
    }
    *out = a;
    return Error::ok;
}

Error ProcessFileSystem::set_attributes(InodeNumber inode, const AttributeChanges&, Attributes*) {
    uint32_t pid, what;
    if (!decode(inode, &pid, &what)) return Error::not_found;
    return Error::read_only;
}

Error ProcessFileSystem::lookup(InodeNumber directory, std::string_view name, InodeNumber* out) {
    uint32_t pid, what;
    if (!decode(directory, &pid, &what)) return Error::not_found;
    if (pid == 0 && what != kRootInode) return Error::not_directory;
    if (pid != 0 && what != static_cast<uint32_t>(Entry::directory)) return Error::not_directory;
    if (name == "..") {
        *out = root();
        return Error::ok;
    }
    if (name == ".") {
        *out = directory;
        return Error::ok;
    }
    if (pid == 0) {
        for (const SystemFileName& f : kSystemFiles) {
            if (name == f.name) {
                *out = InodeNumber{f.inode};
                return Error::ok;
            }
        }
        uint32_t wanted;
        if (!parse_pid(name, kMaxPid, &wanted)) return Error::not_found;
        ProcessRecord record;
        if (Error e = m_source.find(wanted, &record); e != Error::ok) return e;
        *out = process_inode(wanted, Entry::directory);
        return Error::ok;
    }
    for (const ProcessEntryName& e : kProcessEntries) {
        if (name == e.name) {
            *out = process_inode(pid, static_cast<Entry>(e.entry));
            return Error::ok;
        }
    }
    return Error::not_found;
}

Error ProcessFileSystem::create(InodeNumber, std::string_view, const NewInode&, InodeNumber*) {
    return Error::read_only;
}

Error ProcessFileSystem::make_directory(InodeNumber, std::string_view, const NewInode&,
                                        InodeNumber*) {
    return Error::read_only;
}

Error ProcessFileSystem::make_symlink(InodeNumber, std::string_view, std::string_view,
                                      const NewInode&, InodeNumber*) {
    return Error::read_only;
}

Error ProcessFileSystem::link(InodeNumber, InodeNumber, std::string_view) {
    return Error::read_only;
}

Error ProcessFileSystem::unlink(InodeNumber, std::string_view) {
    return Error::read_only;
}

Error ProcessFileSystem::remove_directory(InodeNumber, std::string_view) {
    return Error::read_only;
}

Error ProcessFileSystem::rename(InodeNumber, std::string_view, InodeNumber, std::string_view) {
    return Error::read_only;
}

Error ProcessFileSystem::read_link(InodeNumber inode, std::span<char>, uint32_t*) {
    uint32_t pid, what;
    if (!decode(inode, &pid, &what)) return Error::not_found;
    return Error::invalid_argument;
}

Error ProcessFileSystem::make_text(InodeNumber inode, uint32_t* length) {
    uint32_t pid, what;
    if (!decode(inode, &pid, &what)) return Error::not_found;
    TextWriter w(std::span<char>(m_text, kTextBytes));
    if (pid == 0) {
        switch (static_cast<File>(what)) {
        case File::uptime: {
            uint64_t hundredths = m_source.uptime_us() / 10000;
            w.number(hundredths / 100).character('.');
            if (hundredths % 100 < 10) w.character('0');
            w.number(hundredths % 100).text(" 0.00\n"); // idle time is not counted
            break;
        }
        case File::meminfo: {
            MemoryRecord memory;
            if (Error e = m_source.memory(&memory); e != Error::ok) return e;
            w.kilobytes("MemTotal", memory.total_bytes)
                .kilobytes("MemFree", memory.free_bytes)
                .kilobytes("MemAvailable", memory.free_bytes)
                .kilobytes("Buffers", 0)
                .kilobytes("Cached", 0)
                .kilobytes("SwapCached", 0)
                .kilobytes("Shmem", 0)
                .kilobytes("SReclaimable", 0)
                .kilobytes("SwapTotal", 0)
                .kilobytes("SwapFree", 0);
            break;
        }
        case File::mounts:
            *length = m_source.mounts(std::span<char>(m_text, kTextBytes));
            return Error::ok;
        default:
            return Error::is_directory; // the root
        }
        *length = w.length();
        return Error::ok;
    }
    if (static_cast<Entry>(what) == Entry::directory) return Error::is_directory;
    if (static_cast<Entry>(what) == Entry::cmdline)
        return m_source.command_line(pid, std::span<char>(m_text, kTextBytes), length);
    ProcessRecord p;
    if (Error e = m_source.find(pid, &p); e != Error::ok) return e;
    p.name[sizeof p.name - 1] = '\0';
    const uint64_t vsize = uint64_t{p.committed_pages} * kPageBytes;
    if (static_cast<Entry>(what) == Entry::stat) {
        // proc(5)'s 52 fields; what proc does not count (faults, times, priorities, addresses)
        // is 0, the terminal 0 (none known), tpgid -1, exit_signal SIGCHLD.
        w.number(p.pid).text(" (").text(p.name).text(") ").character(state_letter(p.state));
        w.character(' ').number(p.parent).character(' ').number(p.pgid);
        w.character(' ').number(p.sid).text(" 0 -1 0 0 0 0 0 0 0 0 0 20 0 ");
        w.number(p.threads).text(" 0 0 ").number(vsize).character(' ').number(p.resident_pages);
        for (uint32_t field = 25; field <= 52; ++field)
            w.text(field == 38 ? " 17" : " 0");
        w.character('\n');
    } else {
        // Uid and Gid: proc's list gives the effective ids, shown in all four columns.
        w.text("Name:\t").text(p.name).text("\nState:\t").character(state_letter(p.state));
        w.text(" (").text(state_word(p.state)).text(")\nTgid:\t").number(p.pid);
        w.text("\nPid:\t").number(p.pid).text("\nPPid:\t").number(p.parent);
        w.text("\nUid:");
        for (int i = 0; i < 4; ++i)
            w.character('\t').number(p.uid);
        w.text("\nGid:");
        for (int i = 0; i < 4; ++i)
            w.character('\t').number(p.gid);
        w.character('\n').kilobytes("VmSize", vsize);
        w.kilobytes("VmRSS", uint64_t{p.resident_pages} * kPageBytes);
        w.text("Threads:\t").number(p.threads).character('\n');
    }
    *length = w.length();
    return Error::ok;
}

Error ProcessFileSystem::read(InodeNumber inode, uint64_t offset, std::span<uint8_t> buffer,
                              uint32_t* done) {
    *done = 0;
    uint32_t length = 0;
    if (Error e = make_text(inode, &length); e != Error::ok) return e;
    if (offset >= length) return Error::ok;
    uint32_t n = length - static_cast<uint32_t>(offset);
    if (n > buffer.size()) n = static_cast<uint32_t>(buffer.size());
    memcpy(buffer.data(), m_text + offset, n);
    *done = n;
    return Error::ok;
}

Error ProcessFileSystem::write(InodeNumber inode, uint64_t, std::span<const uint8_t>,
                               uint32_t* done) {
    *done = 0;
    uint32_t pid, what;
    if (!decode(inode, &pid, &what)) return Error::not_found;
    return Error::read_only;
}

Error ProcessFileSystem::read_directory(InodeNumber directory, uint64_t cookie,
                                        DirectorySink& sink) {
    uint32_t pid, what;
    if (!decode(directory, &pid, &what)) return Error::not_found;
    const bool is_root = pid == 0 && what == kRootInode;
    if (!is_root && (pid == 0 || what != static_cast<uint32_t>(Entry::directory)))
        return Error::not_directory;
    if (!is_root) {
        ProcessRecord record;
        if (Error e = m_source.find(pid, &record); e != Error::ok) return e;
    }
    // Cookies: 1 after ".", 2 after "..", 3 + i after the i-th fixed name; in the root,
    // kProcessCookies + pid + 1 after a process, so a listing goes on in pid order from where
    // it stopped and a process that lives through it is given exactly once.
    constexpr uint64_t kProcessCookies = 16;
    if (cookie == 0 && !sink.take(DirectoryEntry{directory, FileType::directory, ".", 1}))
        return Error::ok;
    if (cookie <= 1 && !sink.take(DirectoryEntry{root(), FileType::directory, "..", 2}))
        return Error::ok;
    if (!is_root) {
        for (uint32_t i = 0; i < 3; ++i) {
            const ProcessEntryName& e = kProcessEntries[i];
            if (cookie > 2 + i) continue;
            if (!sink.take(DirectoryEntry{process_inode(pid, static_cast<Entry>(e.entry)),
                                          FileType::regular, e.name, 3 + i}))
                return Error::ok;
        }
        return Error::ok;
    }
    for (uint32_t i = 0; i < 3; ++i) {
        const SystemFileName& f = kSystemFiles[i];
        if (cookie > 2 + i) continue;
        if (!sink.take(DirectoryEntry{InodeNumber{f.inode}, FileType::regular, f.name, 3 + i}))
            return Error::ok;
    }
    uint32_t from = cookie > kProcessCookies ? static_cast<uint32_t>(cookie - kProcessCookies) : 1;
    while (from != 0 && from <= kMaxPid) {
        ProcessRecord batch[8];
        uint32_t count = 0, next = 0;
        if (Error e = m_source.list(from, batch, &count, &next); e != Error::ok) return e;
        for (uint32_t i = 0; i < count; ++i) {
            if (batch[i].pid == 0 || batch[i].pid > kMaxPid) continue;
            char name[12];
            TextWriter w(std::span<char>(name, sizeof name));
            w.number(batch[i].pid);
            if (!sink.take(DirectoryEntry{process_inode(batch[i].pid, Entry::directory),
                                          FileType::directory, std::string_view(name, w.length()),
                                          kProcessCookies + batch[i].pid + 1}))
                return Error::ok;
        }
        if (next <= from) break; // the source made no progress
        from = next;
    }
    return Error::ok;
}

} // namespace fs
