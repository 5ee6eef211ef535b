// getrlimit and setrlimit: the limits every process has, which nothing can change yet.
//
// Each limit is what the system enforces, from where it is enforced: the stack is mm's 8 MiB
// (servers/proc/paging.h, kProcessStackBytes), the address space and data the 64 MiB quota
// mm keeps per process (kProcessQuotaPages), descriptors the 64 entries of the descriptor
// table, processes proc's 256 children (sysconf's _SC_CHILD_MAX), no core files; CPU time and
// file size are not limited. setrlimit accepts the values in force (a shell's `ulimit -S -s
// 8192` is fine) and refuses any change with EPERM, since no server would apply it.
#include <errno.h>
#include <sys/resource.h>

#include "libposix/descriptor_table.h"

namespace {

// proc's values (servers/proc/paging.h: kProcessStackBytes, kProcessQuotaPages; sysconf's
// _SC_CHILD_MAX), repeated because a library may not include a server's header.
constexpr rlim_t kStackBytes = 8u << 20;
constexpr rlim_t kQuotaBytes = 16384u * 4096u;
constexpr rlim_t kChildren = 256;

bool limit_of(int resource, struct rlimit& out) {
    rlim_t value;
    switch (resource) {
    case RLIMIT_CPU:
    case RLIMIT_FSIZE:
        value = RLIM_INFINITY;
        break;
    case RLIMIT_DATA:
    case RLIMIT_AS:
        value = kQuotaBytes;
        break;
    case RLIMIT_STACK:
        value = kStackBytes;
        break;
    case RLIMIT_CORE:
        value = 0;
        break;
    case RLIMIT_NOFILE:
        value = posix::DescriptorTable::kSize;
        break;
    case RLIMIT_NPROC:
        value = kChildren;
        break;
    default:
        return false;
    }
    out.rlim_cur = value;
    out.rlim_max = value;
    return true;
}

} // namespace

extern "C" {

int getrlimit(int resource, struct rlimit* limit) {
    struct rlimit value;
    if (limit == nullptr || !limit_of(resource, value)) {
        errno = EINVAL;
        return -1;
    }
    *limit = value;
    return 0;
}

int setrlimit(int resource, const struct rlimit* limit) {
    struct rlimit value;
    if (limit == nullptr || !limit_of(resource, value) || limit->rlim_cur > limit->rlim_max) {
        errno = EINVAL;
        return -1;
    }
    if (limit->rlim_cur != value.rlim_cur || limit->rlim_max != value.rlim_max) {
        errno = EPERM;
        return -1;
    }
    return 0;
}

} // extern "C"
