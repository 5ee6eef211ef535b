#include "servers/fs/process_source.h"

#include <string.h>

#include "interfaces/process/client.h"
#include "lib/ipc/kernel.h"
#include "lib/names/names.h"
#include "rt/rt.h"

namespace fs {

namespace {

ipc::KernelTransport g_proc_transport;
constexpr axo_timeout_t kProcTimeout = axo_timeout_us(2000000);
constexpr uint64_t kPageBytes = 4096;

void copy_entry(const proc::ProcessListEntry& entry, ProcessRecord* out) {
    *out = ProcessRecord{};
    out->pid = entry.pid;
    out->parent = entry.parent;
    out->pgid = entry.pgid;
    out->sid = entry.sid;
    out->uid = entry.euid;
    out->gid = entry.egid;
    out->state = entry.state;
}

} // namespace

void ProcProcessSource::add_mount_line(const char* line) {
    size_t n = strlen(line);
    if (m_mount_length + n + 1 > kMountBytes) return;
    memcpy(m_mounts + m_mount_length, line, n);
    m_mount_length += static_cast<uint32_t>(n);
    m_mounts[m_mount_length++] = '\n';
}

Error ProcProcessSource::list(uint32_t from, std::span<ProcessRecord> out, uint32_t* count,
                              uint32_t* next) {
    *count = 0;
    *next = 0;
    proc::ListReply reply{};
    if (Error e =
            proc::client::list(g_proc_transport, names::proc_thread(), from, reply, kProcTimeout);
        e != Error::ok)
        return e;
    uint32_t n = reply.count < proc::kListEntries ? reply.count : proc::kListEntries;
    if (n > out.size()) {
        n = static_cast<uint32_t>(out.size());
        *next = reply.entries[n].pid; // the rest in the next call
    } else {
        *next = reply.next;
    }
    for (uint32_t i = 0; i < n; ++i)
        copy_entry(reply.entries[i], &out[i]);
    *count = n;
    return Error::ok;
}

Error ProcProcessSource::find(uint32_t pid, ProcessRecord* out) {
    // The list from `pid` on gives its effective ids; kProcInfo the rest.
    proc::ListReply list{};
    if (Error e =
            proc::client::list(g_proc_transport, names::proc_thread(), pid, list, kProcTimeout);
        e != Error::ok)
        return e;
    if (list.count == 0 || list.entries[0].pid != pid) return Error::not_found;
    copy_entry(list.entries[0], out);
    proc::InfoReply info{};
    if (Error e = ipc::call(g_proc_transport, names::proc_thread(), proc::InfoRequest{pid}, info,
                            kProcTimeout);
        e != Error::ok)
        return e;
    out->state = info.state;
    out->threads = info.threads;
    out->committed_pages = info.committed_pages;
    out->resident_pages = info.resident_pages;
    memcpy(out->name, info.name, sizeof out->name);
    out->name[sizeof out->name - 1] = '\0';
    return Error::ok;
}

Error ProcProcessSource::command_line(uint32_t pid, std::span<char> out, uint32_t* length) {
    *length = 0;
    proc::CommandLineReply reply{};
    if (Error e = ipc::call(g_proc_transport, names::proc_thread(), proc::CommandLineRequest{pid},
                            reply, kProcTimeout);
        e != Error::ok)
        return e;
    uint32_t n = reply.length < proc::kCommandLineBytes ? reply.length : proc::kCommandLineBytes;
    if (n > out.size()) n = static_cast<uint32_t>(out.size());
    memcpy(out.data(), reply.bytes, n);
    *length = n;
    return Error::ok;
}

uint64_t ProcProcessSource::uptime_us() {
    return rt_clock_us();
}

// As libposix's sysinfo(): σ0's memory is the total; free is what σ0 still holds and the pages
// of proc's pool no process has.
Error ProcProcessSource::memory(MemoryRecord* out) {
    proc::StatisticsReply s{};
    if (Error e = proc::client::statistics(g_proc_transport, names::proc_thread(), s, kProcTimeout);
        e != Error::ok)
        return e;
    uint64_t pool_free = s.pool_owned > s.pool_in_use ? s.pool_owned - s.pool_in_use : 0;
    out->total_bytes = s.sigma0_total;
    out->free_bytes = s.sigma0_free + pool_free * kPageBytes;
    if (out->free_bytes > out->total_bytes) out->free_bytes = out->total_bytes;
    return Error::ok;
}

uint32_t ProcProcessSource::mounts(std::span<char> out) {
    uint32_t n = m_mount_length < out.size() ? m_mount_length : static_cast<uint32_t>(out.size());
    memcpy(out.data(), m_mounts, n);
    return n;
}

} // namespace fs
