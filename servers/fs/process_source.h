// procfs's source of processes (procfs/process_file_system.h) on proc's interface: kProcList
// for the pids and the effective ids, kProcInfo for name, state, threads and memory,
// kProcCommandLine for argv, kProcStatistics for the memory of the system; the KIP's clock for
// the uptime. Called by fs's main thread while it serves a read of /proc (fs → proc is a call
// down the hierarchy, DESIGN.md §5).
#pragma once

#include <stdint.h>

#include "servers/fs/procfs/process_file_system.h"

namespace fs {

class ProcProcessSource final : public ProcessSource {
public:
    // /proc/mounts: fs's mounts, one fstab line each, as main.cc makes them.
    void add_mount_line(const char* line);

    Error list(uint32_t from, std::span<ProcessRecord> out, uint32_t* count,
               uint32_t* next) override;
    Error find(uint32_t pid, ProcessRecord* out) override;
    Error command_line(uint32_t pid, std::span<char> out, uint32_t* length) override;
    uint64_t uptime_us() override;
    Error memory(MemoryRecord* out) override;
    uint32_t mounts(std::span<char> out) override;

private:
    static constexpr uint32_t kMountBytes = 512;
    char m_mounts[kMountBytes] = {};
    uint32_t m_mount_length = 0;
};

} // namespace fs
