// svc: the system's servers, drivers and programs as proc knows them, and a driver restarted on
// request (README.md).
//
//     svc                 every process: pid, parent, state, kind, restarts, memory, name
//     svc restart NAME    ends the supervised instance of boot module NAME (on-exit=restart);
//                         proc starts it again — waits until it did
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "interfaces/devices/protocol.h"
#include "interfaces/process/protocol.h"
#include "lib/ipc/kernel.h"
#include "lib/names/names.h"

namespace {

constexpr uint32_t kPageKiB = 4;
constexpr uint32_t kSignalKill = 9;
// How long `restart` waits for proc to start the new instance.
constexpr long kRestartWaitMs = 5000;
// How long it then waits for the new instance to register its name (a driver: it serves).
constexpr uint32_t kServeWaitMs = 5000;

axo_thread_id_t proc_thread() {
    return axo_kernel_interface()->root_task;
}

const char* state_name(uint32_t state) {
    switch (state) {
    case 0:
        return "running";
    case 1:
        return "stopped";
    default:
        return "ended";
    }
}

// A boot module's process is a server; one proc restarts is a driver (or a supervised server);
// the rest are programs.
const char* kind_name(uint32_t flags) {
    if (flags & proc::kInfoSupervised) return "supervised";
    if (flags & proc::kInfoBootModule) return "server";
    return "program";
}

int list() {
    printf("%5s %5s %-8s %-10s %8s %9s %3s  %s\n", "PID", "PPID", "STATE", "KIND", "RESTARTS",
           "MEM(KiB)", "THR", "NAME");
    proc::ProcessId from = 1;
    while (from != proc::kNoProcess) {
        proc::ListReply page{};
        if (ipc::Error error = ipc::call(proc_thread(), proc::ListRequest{from}, page);
            error != ipc::Error::ok) {
            fprintf(stderr, "svc: proc did not list the processes: %s\n", ipc::error_name(error));
            return 1;
        }
        for (uint32_t i = 0; i < page.count; ++i) {
            proc::InfoReply info{};
            // A process may end between the list and this question: it is left out then.
            if (ipc::call(proc_thread(), proc::InfoRequest{page.entries[i].pid}, info) !=
                ipc::Error::ok)
                continue;
            char restarts[12] = "-", memory[12] = "-";
            if (info.flags & proc::kInfoSupervised)
                snprintf(restarts, sizeof restarts, "%lu", (unsigned long)info.restarts);
            if (info.flags & proc::kInfoPagedByMm)
                snprintf(memory, sizeof memory, "%lu",
                         (unsigned long)info.resident_pages * kPageKiB);
            info.name[proc::kInfoNameBytes - 1] = '\0';
            printf("%5lu %5lu %-8s %-10s %8s %9s %3lu  %s\n", (unsigned long)info.pid,
                   (unsigned long)info.parent, state_name(info.state), kind_name(info.flags),
                   restarts, memory, (unsigned long)info.threads, info.name);
        }
        from = page.next;
    }
    return 0;
}

bool device_status(const char* name, proc::DeviceStatusReply& status) {
    proc::DeviceStatusRequest request{};
    if (!request.module.set(name)) return false;
    return ipc::call(proc_thread(), request, status) == ipc::Error::ok;
}

void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, nullptr);
}

int restart(const char* name) {
    proc::DeviceStatusReply before{};
    if (!device_status(name, before)) {
        fprintf(stderr, "svc: no boot module named %s\n", name);
        return 1;
    }
    if (before.restart_policy == 0) {
        fprintf(stderr, "svc: proc does not restart %s (its boot line has no on-exit=restart)\n",
                name);
        return 1;
    }
    if (before.instance == proc::kNoProcess) {
        fprintf(stderr, "svc: %s has no instance running\n", name);
        return 1;
    }
    ipc::Empty empty;
    ipc::Error error =
        ipc::call(proc_thread(),
                  proc::KillRequest{static_cast<int32_t>(before.instance), kSignalKill}, empty);
    if (error != ipc::Error::ok) {
        fprintf(stderr, "svc: proc refused to end process %lu (%s): %s\n",
                (unsigned long)before.instance, name, ipc::error_name(error));
        return 1;
    }
    for (long waited = 0; waited < kRestartWaitMs; waited += 50) {
        proc::DeviceStatusReply now{};
        if (device_status(name, now) && now.restarts > before.restarts &&
            now.instance != proc::kNoProcess && now.instance != before.instance) {
            // A driver registers its module name once it serves (and has said so on the
            // console): wait for that, so that the shell's next prompt comes after its lines.
            axo_thread_id_t server = AXO_NIL_THREAD;
            bool serves = names::wait_for(name, server, axo_timeout_us(kServeWaitMs * 1000)) ==
                          ipc::Error::ok;
            printf("svc: %s restarted: process %lu ended, process %lu runs (restart %lu)%s\n", name,
                   (unsigned long)before.instance, (unsigned long)now.instance,
                   (unsigned long)now.restarts,
                   serves ? " and serves" : ", its name not registered yet");
            return 0;
        }
        sleep_ms(50);
    }
    fprintf(stderr, "svc: %s was ended but not restarted within %ld ms\n", name, kRestartWaitMs);
    return 1;
}

} // namespace

int main(int argc, char** argv) {
    if (argc == 1 || (argc == 2 && strcmp(argv[1], "list") == 0)) return list();
    if (argc == 3 && strcmp(argv[1], "restart") == 0) return restart(argv[2]);
    fprintf(stderr, "usage: svc [list] | svc restart NAME\n");
    return 2;
}
