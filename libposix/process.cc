// Processes (libposix/README.md): identity, fork, wait, kill, exit, and the small calls a
// program asks about itself — each an RPC to proc (interfaces/process) or answered locally.
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/times.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

// newlib's <sys/resource.h> has no extern "C" of its own.
extern "C" {
#include <sys/resource.h>
}

#include "interfaces/process/protocol.h"
#include "libposix/posix.h"
#include "libposix/wait_status.h"

namespace posix {
namespace {

uint32_t g_pid; // 0: not asked yet

bool identify(proc::IdentifyReply& reply) {
    ipc::Error error = call_proc(proc::IdentifyRequest{AXO_NIL_THREAD}, reply);
    if (error != ipc::Error::ok) {
        (void)fail(error);
        return false;
    }
    return true;
}

// What proc's ExitReason/WaitReply encodes in newlib's wait status: wait_status.h.

} // namespace

uint32_t my_pid() {
    if (g_pid == 0) {
        proc::IdentifyReply reply{};
        if (identify(reply)) g_pid = reply.pid;
    }
    return g_pid;
}

void forget_after_fork() {
    // Every page the child writes is a copy-on-write fault (and one more in the parent when it
    // writes that page again): what is already right is left as it is.
    if (g_pid != 0) g_pid = 0;
    receive_signals_after_fork();
    forget_timer_after_fork();
    forget_files_after_fork();
}

} // namespace posix

using posix::call_proc;
using posix::fail;
using posix::fail_errno;

extern "C" {

pid_t getpid(void) {
    return static_cast<pid_t>(posix::my_pid());
}

pid_t getppid(void) {
    proc::IdentifyReply reply{};
    return posix::identify(reply) ? static_cast<pid_t>(reply.parent) : -1;
}

pid_t getpgrp(void) {
    proc::IdentifyReply reply{};
    return posix::identify(reply) ? static_cast<pid_t>(reply.pgid) : -1;
}

// Only the caller's own (proc identifies threads, not pids, for others): ESRCH otherwise.
pid_t getpgid(pid_t pid) {
    if (pid != 0 && static_cast<uint32_t>(pid) != posix::my_pid()) return fail_errno(ESRCH);
    return getpgrp();
}

pid_t getsid(pid_t pid) {
    if (pid != 0 && static_cast<uint32_t>(pid) != posix::my_pid()) return fail_errno(ESRCH);
    proc::IdentifyReply reply{};
    return posix::identify(reply) ? static_cast<pid_t>(reply.sid) : -1;
}

uid_t getuid(void) {
    proc::IdentifyReply reply{};
    return posix::identify(reply) ? static_cast<uid_t>(reply.credentials.ruid) : 0;
}
uid_t geteuid(void) {
    proc::IdentifyReply reply{};
    return posix::identify(reply) ? static_cast<uid_t>(reply.credentials.euid) : 0;
}
gid_t getgid(void) {
    proc::IdentifyReply reply{};
    return posix::identify(reply) ? static_cast<gid_t>(reply.credentials.rgid) : 0;
}
gid_t getegid(void) {
    proc::IdentifyReply reply{};
    return posix::identify(reply) ? static_cast<gid_t>(reply.credentials.egid) : 0;
}

int getgroups(int size, gid_t list[]) {
    proc::IdentifyReply reply{};
    if (!posix::identify(reply)) return -1;
    int count = static_cast<int>(reply.credentials.group_count);
    if (size == 0) return count;
    if (size < count) return fail_errno(EINVAL);
    for (int i = 0; i < count; ++i)
        list[i] = static_cast<gid_t>(reply.credentials.groups[i]);
    return count;
}

int setgroups(int size, const gid_t* list) {
    if (size < 0 || static_cast<uint32_t>(size) > proc::kMaxGroups) return fail_errno(EINVAL);
    if (size > 0 && list == nullptr) return fail_errno(EFAULT);
    proc::SetGroupsRequest request{};
    request.count = static_cast<uint32_t>(size);
    for (int i = 0; i < size; ++i)
        request.groups[i] = static_cast<proc::GroupId>(list[i]);
    ipc::Empty reply;
    ipc::Error error = call_proc(request, reply);
    if (error == ipc::Error::no_permission) return fail_errno(EPERM);
    if (error == ipc::Error::invalid_argument) return fail_errno(EINVAL);
    return error == ipc::Error::ok ? 0 : fail(error);
}

int setpgid(pid_t pid, pid_t pgid) {
    ipc::Empty reply;
    ipc::Error error = call_proc(proc::SetProcessGroupRequest{pid, pgid}, reply);
    if (error == ipc::Error::not_found) return fail_errno(ESRCH);
    if (error == ipc::Error::invalid_argument) return fail_errno(EINVAL);
    return error == ipc::Error::ok ? 0 : fail(error);
}

pid_t setsid(void) {
    proc::SetSessionReply reply{};
    ipc::Error error = call_proc(proc::SetSessionRequest{}, reply);
    return error == ipc::Error::ok ? static_cast<pid_t>(reply.sid) : fail(error);
}

static int set_credential(proc::CredentialOperation operation, uint32_t id) {
    ipc::Empty reply;
    ipc::Error error = call_proc(proc::SetCredentialsRequest{operation, id}, reply);
    return error == ipc::Error::ok ? 0 : fail(error);
}
int setuid(uid_t uid) {
    return set_credential(proc::kSetUid, uid);
}
int seteuid(uid_t uid) {
    return set_credential(proc::kSetEffectiveUid, uid);
}
int setgid(gid_t gid) {
    return set_credential(proc::kSetGid, gid);
}
int setegid(gid_t gid) {
    return set_credential(proc::kSetEffectiveGid, gid);
}

// proc starts the child's one thread at an ip and sp the parent names (interfaces/process,
// kProcFork): here, longjmp back into this frame — in the child's copy of the parent's stack —
// through the jmp_buf the parent filled before asking, so fork returns a second time, with 0.
// The child enters longjmp as if called: at sp, what a call would have pushed (a return address
// it never uses, then its two arguments), built in this frame too, so that neither the child
// nor the parent writes a page for it alone (each such page is a copy-on-write fault).
pid_t fork(void) {
    jmp_buf resume;
    if (setjmp(resume) != 0) {
        posix::forget_after_fork();
        return 0;
    }
    const uint32_t call_frame[3] = {0, reinterpret_cast<uint32_t>(&resume[0]), 1};
    void (*resume_child)(jmp_buf, int) = &longjmp;
    proc::SpawnReply reply{};
    ipc::Error error = call_proc(proc::ForkRequest{reinterpret_cast<uint32_t>(resume_child),
                                                   reinterpret_cast<uint32_t>(call_frame)},
                                 reply, false);
    if (error == ipc::Error::no_space) return fail_errno(EAGAIN);
    if (error == ipc::Error::unsupported) return fail_errno(ENOSYS);
    if (error != ipc::Error::ok) return fail(error);
    return static_cast<pid_t>(reply.pid);
}

// pid > 0 that child; -1 any child. proc waits for one child or for any: a process group
// (0, < -1) is waited for as any child.
pid_t waitpid(pid_t pid, int* status, int options) {
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED)) return fail_errno(EINVAL);
    uint32_t flags = 0;
    if (options & WNOHANG) flags |= proc::kWaitNoHang;
    if (options & WUNTRACED) flags |= proc::kWaitUntraced;
    if (options & WCONTINUED) flags |= proc::kWaitContinued;
    uint32_t target = pid > 0 ? static_cast<uint32_t>(pid) : proc::kWaitAnyChild;
    proc::WaitReply reply{};
    ipc::Error error = call_proc(proc::WaitRequest{target, flags}, reply);
    if (error == ipc::Error::busy && (options & WNOHANG)) return 0;
    if (error == ipc::Error::not_found || error == ipc::Error::no_permission)
        return fail_errno(ECHILD);
    if (error != ipc::Error::ok) return fail(error);
    if (status != nullptr) *status = posix::wait_status(reply.reason, reply.status);
    return static_cast<pid_t>(reply.pid);
}

pid_t wait(int* status) {
    return waitpid(-1, status, 0);
}

int kill(pid_t pid, int signal) {
    if (signal < 0 || signal > static_cast<int>(proc::kMaxSignal)) return fail_errno(EINVAL);
    // A caught signal to itself need not go to proc and come back as a diversion.
    if (pid > 0 && signal != 0 && static_cast<uint32_t>(pid) == posix::my_pid() &&
        posix::deliver_here(signal))
        return 0;
    ipc::Empty reply;
    ipc::Error error = call_proc(
        proc::KillRequest{static_cast<int32_t>(pid), static_cast<uint32_t>(signal)}, reply, false);
    if (error == ipc::Error::not_found) return fail_errno(ESRCH);
    if (error == ipc::Error::no_permission) return fail_errno(EPERM);
    if (error != ipc::Error::ok) return fail(error);
    // proc does not divert the thread that asked (it would abort this very call): a signal
    // of its own, or of its group, is taken here.
    posix::deliver_pending();
    return 0;
}

int killpg(pid_t group, int signal) {
    if (group <= 1) return fail_errno(EINVAL);
    return kill(-group, signal);
}

// proc's exit: on success proc deletes the threads and never answers.
void _exit(int status) {
    ipc::Empty reply;
    (void)ipc::call(posix::proc_thread(), proc::ExitRequest{status}, reply);
    static const char text[] = "libposix: proc refused exit; parking the thread\n";
    axo_debug_write(text, sizeof text - 1);
    axo_thread_id_t self = axo_my_utcb()->my_id;
    for (;;) {
        axo_ipc_receive(self, AXO_TIMEOUT_NEVER);
        axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
    }
}

int sched_yield(void) {
    (void)axo_thread_switch(AXO_NIL_THREAD);
    return 0;
}

long sysconf(int name) {
    switch (name) {
    case _SC_ARG_MAX:
        return 128 * 1024;
    case _SC_CHILD_MAX:
        return 256;
    case _SC_CLK_TCK:
        return CLOCKS_PER_SEC;
    case _SC_NGROUPS_MAX:
        return static_cast<long>(proc::kMaxGroups);
    case _SC_OPEN_MAX:
        return posix::DescriptorTable::kSize;
    case _SC_PAGESIZE:
        return 4096;
    case _SC_NPROCESSORS_CONF:
    case _SC_NPROCESSORS_ONLN:
        return 1;
    // The options <unistd.h> announces (include/sys/features.h), as POSIX asks.
    case _SC_MEMORY_PROTECTION:
        return _POSIX_MEMORY_PROTECTION;
    case _SC_TIMERS:
        return _POSIX_TIMERS;
    case _SC_MONOTONIC_CLOCK:
        return _POSIX_MONOTONIC_CLOCK;
    default:
        return fail_errno(EINVAL);
    }
}

int getpagesize(void) {
    return 4096;
}

int uname(struct utsname* name) {
    if (name == nullptr) return fail_errno(EFAULT);
    *name = (struct utsname){};
    strncpy(name->sysname, "Axolotl", sizeof name->sysname - 1);
    strncpy(name->nodename, "axolotl", sizeof name->nodename - 1);
    strncpy(name->release, "0.1", sizeof name->release - 1);
    strncpy(name->version, "libposix " __DATE__, sizeof name->version - 1);
    strncpy(name->machine, "i586", sizeof name->machine - 1);
    return 0;
}

int gethostname(char* name, size_t length) {
    static const char host[] = "axolotl";
    if (length < sizeof host) return fail_errno(ENAMETOOLONG);
    memcpy(name, host, sizeof host);
    return 0;
}

// What exists: the process's time since it started as user time (times()); nothing else is
// counted yet, so the rest is zero.
int getrusage(int who, struct rusage* usage) {
    if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN) return fail_errno(EINVAL);
    *usage = (struct rusage){};
    if (who == RUSAGE_SELF) {
        struct tms t;
        (void)times(&t);
        uint64_t us = static_cast<uint64_t>(t.tms_utime) * (1000000u / CLOCKS_PER_SEC);
        usage->ru_utime.tv_sec = static_cast<time_t>(us / 1000000u);
        usage->ru_utime.tv_usec = static_cast<suseconds_t>(us % 1000000u);
    }
    return 0;
}

} // extern "C"
