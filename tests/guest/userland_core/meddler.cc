// meddler PID: tries what a process may not do to PID, a process that is not its child and
// belongs to root, after giving up root itself, and a few requests that are wrong for any
// process. Exits with 0 if proc refused each as
// protocol.h says, else with the number of the first check that went wrong (and prints it).
#include "program.h"

namespace {

uint32_t g_check;

void expect(ipc::Error got, ipc::Error want, const char* what) {
    ++g_check;
    if (got == want) return;
    rt_printf("meddler: check %u, %s: got %s, expected %s\n", g_check, what, ipc::error_name(got),
              ipc::error_name(want));
    program::exit(static_cast<int32_t>(g_check));
}

} // namespace

int main() {
    loader::StartArguments args = program::arguments();
    int32_t pid = 0;
    if (args.argc < 2 || !program::parse_int(args.argv[1], pid)) program::exit(100);
    ipc::KernelTransport transport;
    axo_thread_id_t proc_id = program::proc_thread();
    proc::WaitReply reply{};
    auto target = static_cast<proc::ProcessId>(pid);
    expect(proc::client::wait(transport, proc_id, target, 0, reply), ipc::Error::no_permission,
           "wait for a process that is not my child");
    expect(proc::client::wait(transport, proc_id, target, proc::kWaitNoHang, reply),
           ipc::Error::no_permission, "wait (no hang) for it");
    // Every process here is root, and root may signal anybody: as an ordinary user it may
    // not signal root's processes (POSIX kill permissions), not even with signal 0.
    expect(proc::client::set_credentials(transport, proc_id, proc::kSetUid, 1000), ipc::Error::ok,
           "setuid(1000) as root");
    expect(proc::client::set_credentials(transport, proc_id, proc::kSetUid, 0),
           ipc::Error::no_permission, "setuid(0) back: no longer root");
    expect(proc::client::kill(transport, proc_id, pid, proc::kSignalKill),
           ipc::Error::no_permission, "kill of root's process as uid 1000");
    expect(proc::client::kill(transport, proc_id, pid, 0), ipc::Error::no_permission,
           "signal 0 to it (the check alone)");
    expect(proc::client::wait(transport, proc_id, proc::kWaitAnyChild, 0, reply),
           ipc::Error::not_found, "wait for any child, having none");
    program::exit(0);
}
