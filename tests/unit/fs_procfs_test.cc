// procfs (servers/fs/procfs/process_file_system.h) against a fake source of processes: the
// directory of pids, each process's stat, status and cmdline in the formats busybox's ps
// parses, the system's files, and a read-only tree.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "servers/fs/procfs/process_file_system.h"

namespace fs {
namespace {

using ipc::Error;

class FakeClock final : public Clock {
public:
    Timestamp now() override { return Timestamp{1700000000, 0}; }
};

class FakeSource final : public ProcessSource {
public:
    std::map<uint32_t, ProcessRecord> processes;
    std::map<uint32_t, std::string> command_lines;
    uint64_t uptime = 0;
    MemoryRecord memory_record;
    std::string mount_lines;
    uint32_t list_calls = 0;

    void add(uint32_t pid, uint32_t parent, const char* name, uint32_t uid = 0) {
        ProcessRecord r;
        r.pid = pid;
        r.parent = parent;
        r.pgid = pid;
        r.sid = parent == 0 ? pid : parent;
        r.uid = uid;
        r.gid = uid;
        r.threads = 1;
        r.committed_pages = 100;
        r.resident_pages = 7;
        snprintf(r.name, sizeof r.name, "%s", name);
        processes[pid] = r;
    }

    Error list(uint32_t from, std::span<ProcessRecord> out, uint32_t* count,
               uint32_t* next) override {
        ++list_calls;
        *count = 0;
        *next = 0;
        // Two at a time, so that a listing takes several calls.
        for (auto it = processes.lower_bound(from); it != processes.end(); ++it) {
            if (*count == 2 || *count == out.size()) {
                *next = it->first;
                break;
            }
            out[(*count)++] = it->second;
        }
        return Error::ok;
    }
    Error find(uint32_t pid, ProcessRecord* out) override {
        auto it = processes.find(pid);
        if (it == processes.end()) return Error::not_found;
        *out = it->second;
        return Error::ok;
    }
    Error command_line(uint32_t pid, std::span<char> out, uint32_t* length) override {
        if (!processes.count(pid)) return Error::not_found;
        const std::string& s = command_lines[pid];
        *length = static_cast<uint32_t>(std::min(s.size(), out.size()));
        memcpy(out.data(), s.data(), *length);
        return Error::ok;
    }
    uint64_t uptime_us() override { return uptime; }
    Error memory(MemoryRecord* out) override {
        *out = memory_record;
        return Error::ok;
    }
    uint32_t mounts(std::span<char> out) override {
        uint32_t n = static_cast<uint32_t>(std::min(mount_lines.size(), out.size()));
        memcpy(out.data(), mount_lines.data(), n);
        return n;
    }
};

struct Collect final : DirectorySink {
    std::vector<std::string> names;
    std::vector<uint64_t> cookies;
    size_t limit = 1000;
    bool take(const DirectoryEntry& e) override {
        if (names.size() == limit) return false;
        names.emplace_back(e.name);
        cookies.push_back(e.next);
        return true;
    }
};

class ProcfsTest : public ::testing::Test {
protected:
    FakeClock clock;
    FakeSource source;
    ProcessFileSystem procfs{source, clock};

    InodeNumber walk(std::initializer_list<const char*> path) {
        InodeNumber at = procfs.root();
        for (const char* name : path) {
            InodeNumber next;
            EXPECT_EQ(procfs.lookup(at, name, &next), Error::ok) << name;
            at = next;
        }
        return at;
    }
    std::string read_all(InodeNumber inode, uint32_t chunk = 7) {
        std::string text;
        std::vector<uint8_t> buffer(chunk);
        for (;;) {
            uint32_t done = 0;
            EXPECT_EQ(procfs.read(inode, text.size(), buffer, &done), Error::ok);
            if (done == 0) return text;
            text.append(reinterpret_cast<const char*>(buffer.data()), done);
        }
    }
};

TEST_F(ProcfsTest, root_lists_the_system_files_then_every_pid_in_order) {
    source.add(1, 0, "init");
    source.add(5, 1, "sh");
    source.add(7, 5, "ps");
    source.add(12, 1, "fs");
    source.add(300, 5, "sleep");
    Collect c;
    ASSERT_EQ(procfs.read_directory(procfs.root(), 0, c), Error::ok);
    std::vector<std::string> expected = {".", "..", "uptime", "meminfo", "mounts",
                                         "1", "5",  "7",      "12",      "300"};
    EXPECT_EQ(c.names, expected);
    EXPECT_GE(source.list_calls, 3u); // the source answered two at a time
}

TEST_F(ProcfsTest, a_listing_continues_from_its_cookie_and_sees_new_processes_once) {
    source.add(1, 0, "init");
    source.add(5, 1, "sh");
    source.add(9, 1, "x");
    Collect first;
    first.limit = 6; // ., .., three files, pid 1
    ASSERT_EQ(procfs.read_directory(procfs.root(), 0, first), Error::ok);
    ASSERT_EQ(first.names.back(), "1");
    source.processes.erase(5); // ended meanwhile
    source.add(7, 1, "new");
    Collect rest;
    ASSERT_EQ(procfs.read_directory(procfs.root(), first.cookies.back(), rest), Error::ok);
    EXPECT_EQ(rest.names, (std::vector<std::string>{"7", "9"}));
}

TEST_F(ProcfsTest, stat_has_the_fields_busybox_ps_scans) {
    source.add(42, 5, "sleep", 1000);
    source.processes[42].pgid = 42;
    source.processes[42].sid = 5;
    source.processes[42].threads = 2;
    std::string stat = read_all(walk({"42", "stat"}));
    // busybox libbb/procps.c: "%c %u %u %u %d %*s %*s %*s %*s %*s %*s %lu %lu %*s %*s %*s %ld
    // %*s %*s %lu %lu %lu" after "pid (comm) ".
    char state = 0, comm[32] = {};
    unsigned pid = 0, ppid = 0, pgid = 0, sid = 0;
    int tty = -5;
    unsigned long utime = 9, stime = 9, start = 9, vsize = 0, rss = 0;
    long nice = 9;
    int n = sscanf(stat.c_str(),
                   "%u (%31[^)]) %c %u %u %u %d %*s %*s %*s %*s %*s %*s %lu %lu %*s %*s %*s %ld "
                   "%*s %*s %lu %lu %lu",
                   &pid, comm, &state, &ppid, &pgid, &sid, &tty, &utime, &stime, &nice, &start,
                   &vsize, &rss);
    ASSERT_EQ(n, 13) << stat;
    EXPECT_EQ(pid, 42u);
    EXPECT_STREQ(comm, "sleep");
    EXPECT_EQ(state, 'S');
    EXPECT_EQ(ppid, 5u);
    EXPECT_EQ(pgid, 42u);
    EXPECT_EQ(sid, 5u);
    EXPECT_EQ(tty, 0);
    EXPECT_EQ(nice, 0);
    EXPECT_EQ(vsize, 100ul * 4096);
    EXPECT_EQ(rss, 7ul);
    // 52 fields on one line: pid, (comm), and a space before each of the other 50.
    size_t fields = 2;
    for (char ch : stat.substr(stat.find(')') + 1))
        fields += ch == ' ';
    EXPECT_EQ(fields, 52u) << stat;
    EXPECT_EQ(stat.back(), '\n');
}

TEST_F(ProcfsTest, states_are_letters_of_proc5) {
    source.add(2, 1, "stopped");
    source.processes[2].state = kProcessStopped;
    source.add(3, 1, "zombie");
    source.processes[3].state = kProcessEnded;
    EXPECT_NE(read_all(walk({"2", "stat"})).find(") T "), std::string::npos);
    EXPECT_NE(read_all(walk({"3", "stat"})).find(") Z "), std::string::npos);
    EXPECT_NE(read_all(walk({"3", "status"})).find("State:\tZ (zombie)\n"), std::string::npos);
}

TEST_F(ProcfsTest, status_names_the_process_and_its_ids) {
    source.add(8, 1, "dash", 1000);
    std::string status = read_all(walk({"8", "status"}));
    EXPECT_NE(status.find("Name:\tdash\n"), std::string::npos) << status;
    EXPECT_NE(status.find("Pid:\t8\n"), std::string::npos);
    EXPECT_NE(status.find("PPid:\t1\n"), std::string::npos);
    EXPECT_NE(status.find("Uid:\t1000\t1000\t1000\t1000\n"), std::string::npos);
    EXPECT_NE(status.find("VmSize:\t400 kB\n"), std::string::npos);
    EXPECT_NE(status.find("VmRSS:\t28 kB\n"), std::string::npos);
    EXPECT_NE(status.find("Threads:\t1\n"), std::string::npos);
}

TEST_F(ProcfsTest, cmdline_is_the_argv_with_its_terminators) {
    source.add(4, 1, "sleep");
    source.command_lines[4] = std::string("sleep\0"
                                          "100\0",
                                          10);
    EXPECT_EQ(read_all(walk({"4", "cmdline"}), 3), std::string("sleep\0"
                                                               "100\0",
                                                               10));
}

TEST_F(ProcfsTest, a_process_directory_is_owned_by_its_user) {
    source.add(6, 1, "x", 1000);
    Attributes a;
    ASSERT_EQ(procfs.get_attributes(walk({"6"}), &a), Error::ok);
    EXPECT_EQ(a.mode, kModeDirectory | 0555);
    EXPECT_EQ(a.uid, 1000u);
    ASSERT_EQ(procfs.get_attributes(walk({"6", "stat"}), &a), Error::ok);
    EXPECT_EQ(a.mode, kModeRegular | 0444);
    Collect c;
    ASSERT_EQ(procfs.read_directory(walk({"6"}), 0, c), Error::ok);
    EXPECT_EQ(c.names, (std::vector<std::string>{".", "..", "stat", "status", "cmdline"}));
}

TEST_F(ProcfsTest, a_process_that_ended_and_was_reaped_is_gone) {
    source.add(6, 1, "x");
    InodeNumber stat = walk({"6", "stat"});
    InodeNumber directory = walk({"6"});
    source.processes.erase(6);
    uint8_t buffer[64];
    uint32_t done = 1;
    EXPECT_EQ(procfs.read(stat, 0, buffer, &done), Error::not_found);
    EXPECT_EQ(done, 0u);
    Attributes a;
    EXPECT_EQ(procfs.get_attributes(directory, &a), Error::not_found);
    InodeNumber out;
    EXPECT_EQ(procfs.lookup(procfs.root(), "6", &out), Error::not_found);
}

TEST_F(ProcfsTest, names_that_are_no_pid_are_not_found) {
    source.add(1, 0, "init");
    InodeNumber out;
    for (const char* name : {"01", "-1", "0", "1x", "99999999999", "self", ""})
        EXPECT_EQ(procfs.lookup(procfs.root(), name, &out), Error::not_found) << name;
    EXPECT_EQ(procfs.lookup(walk({"1"}), "environ", &out), Error::not_found);
    EXPECT_EQ(procfs.lookup(walk({"1", "stat"}), "x", &out), Error::not_directory);
    EXPECT_EQ(procfs.lookup(walk({"1"}), "..", &out), Error::ok);
    EXPECT_EQ(out, procfs.root());
    Attributes a;
    EXPECT_EQ(procfs.get_attributes(InodeNumber{9}, &a), Error::not_found);
    EXPECT_EQ(procfs.get_attributes(InodeNumber{16 + 4 * 1 + 3 + 1}, &a), Error::not_found);
}

TEST_F(ProcfsTest, uptime_meminfo_and_mounts) {
    source.uptime = 12'345'678; // 12.34 s
    EXPECT_EQ(read_all(walk({"uptime"})), "12.34 0.00\n");
    source.uptime = 3'050'000;
    EXPECT_EQ(read_all(walk({"uptime"})), "3.05 0.00\n");
    source.memory_record.total_bytes = 256u << 20;
    source.memory_record.free_bytes = 200u << 20;
    std::string meminfo = read_all(walk({"meminfo"}));
    EXPECT_EQ(meminfo.rfind("MemTotal:\t262144 kB\nMemFree:\t204800 kB\n", 0), 0u) << meminfo;
    EXPECT_NE(meminfo.find("SwapTotal:\t0 kB\n"), std::string::npos);
    source.mount_lines = "/dev/hda / ext2 rw 0 0\nproc /proc proc ro 0 0\n";
    EXPECT_EQ(read_all(walk({"mounts"})), source.mount_lines);
}

TEST_F(ProcfsTest, nothing_can_be_changed) {
    source.add(1, 0, "init");
    InodeNumber out;
    EXPECT_EQ(procfs.create(procfs.root(), "f", NewInode{kModeRegular | 0644}, &out),
              Error::read_only);
    EXPECT_EQ(procfs.make_directory(procfs.root(), "d", NewInode{kModeDirectory | 0755}, &out),
              Error::read_only);
    EXPECT_EQ(procfs.unlink(walk({"1"}), "stat"), Error::read_only);
    uint32_t done = 5;
    const uint8_t data[1] = {'x'};
    EXPECT_EQ(procfs.write(walk({"1", "stat"}), 0, data, &done), Error::read_only);
    EXPECT_EQ(done, 0u);
    AttributeChanges chmod;
    chmod.which = AttributeChanges::kMode;
    chmod.mode = 0777;
    EXPECT_EQ(procfs.set_attributes(walk({"1"}), chmod, nullptr), Error::read_only);
    EXPECT_TRUE(procfs.read_only());
    uint8_t buffer[8];
    EXPECT_EQ(procfs.read(procfs.root(), 0, buffer, &done), Error::is_directory);
}

} // namespace
} // namespace fs
