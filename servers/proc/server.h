// proc's state and its dispatch table: what main() builds and serves, and what the self-test
// inspects (it runs in proc's own space).
#pragma once

#include "interfaces/process/protocol.h"
#include "lib/ipc/dispatcher.h"
#include "lib/loader/loader.h"
#include "servers/proc/boot_config.h"
#include "servers/proc/devices.h"
#include "servers/proc/module_image.h"
#include "servers/proc/name_service.h"
#include "servers/proc/paging.h"
#include "servers/proc/process_service.h"

namespace proc {

// Asks the kernel: exchange_registers with no control bits changes nothing and fails only for
// an id that names no thread. proc, the root task, may ask about any thread.
bool kernel_thread_alive(void* context, axo_thread_id_t thread);
// A deferred kNameWait reply (zero send timeout): false if the waiter was not receiving.
bool send_name_answer(void* context, axo_thread_id_t waiter, axo_thread_id_t server);

struct Proc;
// The ProcessService's effects on the kernel and memory, for `proc` (processes.cc).
ProcessHost process_host(Proc* proc);

// Where the page pool's pages appear in proc's space: above the module window
// (module_image.h), below the UTCB area (lib/rt) and proc's stack.
constexpr uint32_t kPoolWindow = 0x80000000u;

struct Proc {
    NameService names{Liveness{&kernel_thread_alive, nullptr},
                      NameWaitAnswer{&send_name_answer, nullptr}};
    const BootConfig* config = nullptr;
    // images[i] is config->modules[i]'s contents.
    const ModuleImage* images = nullptr;

    ProcessService processes{process_host(this), nullptr};
    // Memory for processes, from σ0; pages come back when a process ends.
    loader::PagePool pool;
    // What lib/loader knows of the process in each slot of processes.table().
    loader::Process loaded[ProcessTable::kSlots];
    // The process each module was started as at boot (kNoProcess: none): its on-exit policy
    // applies to that one, not to copies spawned later.
    ProcessId boot_pid[AXO_KIP_MAX_MODULES] = {};
    // mm as the pager of processes (paging.h); mm nil: proc pages them itself.
    Paging paging;
    // How run() starts the process made in each slot (ProcessHost::run): at ip with sp.
    struct Launch {
        bool pending;
        uint32_t ip, sp;
    } launch[ProcessTable::kSlots] = {};
    uint32_t forks = 0; // for the log
    // For the log line of each end (processes.cc): how many processes ended, and the fault
    // that ended the last faulting one.
    uint32_t ends = 0;
    struct Fault {
        axo_thread_id_t thread;
        uint32_t eip, address;
    } last_fault{};
    // Grants to drivers and their restarts: the rules (device_table.h; devices.h is the edge).
    DeviceTable devices;
    // The date at which the KIP's clock read 0, µs since the epoch, from the RTC read at boot
    // (real_time_clock.cc); 0 if there was none.
    uint64_t boot_epoch_us = 0;
};

// Reads the RTC (CMOS ports from σ0) and sets proc.boot_epoch_us; logs the date or why not.
void read_real_time_clock(Proc& proc);

using Dispatcher = ipc::Dispatcher<Proc>;

// Every label of protocol.h, and the kernel's page faults and exceptions of processes.
Dispatcher make_dispatcher(Proc& proc);

// Page faults and exceptions (processes.cc): a running process's page fault is resolved
// (lib/loader) or ends it; an exception ends it. Kernel-protocol labels from any other thread
// are dropped, as the dispatcher would.
ipc::Outcome on_kernel_message(Proc& proc, axo_thread_id_t from, ipc::Message& message);

// Starts every module whose configuration says start=boot and that is a program; logs each.
void start_boot_processes(Proc& proc);

} // namespace proc
