// sysinfo(): what the system as a whole has, for free and uptime.
//
// The uptime is the KIP's clock (µs since boot). The memory is proc's statistics
// (kProcStatistics): σ0's conventional memory is the total; free is what σ0 still holds plus the
// pages of proc's pool not given to any process. mm's own free frames are not asked for
// (libposix talks to proc, not to mm), so free errs low by them. Load averages are not kept: 0.
#include <errno.h>
#include <string.h>
#include <sys/sysinfo.h>

#include "interfaces/process/protocol.h"
#include "libposix/posix.h"

namespace {

constexpr uint32_t kPageBytes = 4096;

} // namespace

extern "C" int sysinfo(struct sysinfo* info) {
    if (info == nullptr) return posix::fail_errno(EFAULT);
    proc::StatisticsReply statistics{};
    if (ipc::Error error = posix::call_proc(proc::StatisticsRequest{}, statistics);
        error != ipc::Error::ok)
        return posix::fail(error);
    memset(info, 0, sizeof *info);
    info->uptime = static_cast<long>(axo_kip_clock_us(axo_kernel_interface()) / 1000000u);
    uint32_t pool_free = statistics.pool_owned > statistics.pool_in_use
                             ? statistics.pool_owned - statistics.pool_in_use
                             : 0;
    info->mem_unit = 1;
    info->totalram = statistics.sigma0_total;
    info->freeram = statistics.sigma0_free + pool_free * kPageBytes;
    if (info->freeram > info->totalram) info->freeram = info->totalram;
    info->procs = static_cast<unsigned short>(statistics.processes);
    return 0;
}
