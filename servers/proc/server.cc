#include "servers/proc/server.h"

#include "rt/rt.h"

#include "axolotl/syscalls.h"
#include "interfaces/sigma0/client.h"
#include "servers/proc/argument_blocks.h"
#include "servers/proc/paging.h"
#include "servers/proc/threads.h"

namespace proc {
namespace {

ipc::Error on_name_register(Proc& proc, axo_thread_id_t from, const NameRegisterRequest& request,
                            ipc::Empty& reply) {
    return proc.names.register_name(from, request, reply);
}
ipc::Error on_name_lookup(Proc& proc, axo_thread_id_t from, const NameLookupRequest& request,
                          NameLookupReply& reply) {
    return proc.names.lookup(from, request, reply);
}
ipc::Error on_name_wait(Proc& proc, axo_thread_id_t from, const NameWaitRequest& request,
                        NameLookupReply& reply) {
    return proc.names.wait(from, request, reply);
}
ipc::Error on_name_unregister(Proc& proc, axo_thread_id_t from,
                              const NameUnregisterRequest& request, ipc::Empty& reply) {
    return proc.names.unregister(from, request, reply);
}

ipc::Error on_spawn(Proc& proc, axo_thread_id_t from, const SpawnRequest& request,
                    SpawnReply& reply) {
    return proc.processes.spawn(from, request, reply);
}
ipc::Error on_exit(Proc& proc, axo_thread_id_t from, const ExitRequest& request,
                   ipc::Empty& reply) {
    return proc.processes.exit(from, request, reply);
}
ipc::Error on_wait(Proc& proc, axo_thread_id_t from, const WaitRequest& request, WaitReply& reply) {
    return proc.processes.wait(from, request, reply);
}
ipc::Error on_kill(Proc& proc, axo_thread_id_t from, const KillRequest& request,
                   ipc::Empty& reply) {
    return proc.processes.kill(from, request, reply);
}
ipc::Error on_statistics(Proc& proc, axo_thread_id_t, const StatisticsRequest&,
                         StatisticsReply& reply) {
    reply.processes = proc.processes.table().count();
    reply.spawned = proc.processes.counters().spawned;
    reply.ended = proc.processes.counters().ended;
    reply.pending_waits = proc.processes.pending_waits();
    reply.pool_in_use = proc.pool.in_use();
    reply.pool_owned = proc.pool.owned();
    reply.threads = extra_threads_alive(proc);
    sigma0::StatisticsReply sigma0_memory{};
    if (sigma0::client::statistics(sigma0_memory) == ipc::Error::ok) {
        reply.sigma0_free = sigma0_memory.free_bytes;
        reply.sigma0_total = sigma0_memory.total_bytes;
    } else {
        reply.sigma0_free = reply.sigma0_total = 0;
    }
    return ipc::Error::ok;
}

ipc::Error on_thread_create(Proc& proc, axo_thread_id_t from, const ThreadCreateRequest& request,
                            ThreadCreateReply& reply) {
    return create_thread(proc, from, request, reply);
}
ipc::Error on_fork(Proc& proc, axo_thread_id_t from, const ForkRequest& request,
                   SpawnReply& reply) {
    return proc.processes.fork(from, request, reply);
}

ipc::Error on_exec(Proc& proc, axo_thread_id_t from, const ExecRequest& request,
                   ipc::Empty& reply) {
    return proc.processes.exec(from, request, reply);
}
ipc::Error on_spawn_block(Proc& proc, axo_thread_id_t from, const SpawnBlockRequest& request,
                          const ipc::MapItem& item, SpawnReply& reply) {
    loader::StringBlock strings;
    if (ipc::Error e =
            take_argument_block(request.argc, request.envc, request.bytes, item, strings);
        e != ipc::Error::ok)
        return e;
    return proc.processes.spawn(from, request.image, strings, reply);
}
ipc::Error on_exec_block(Proc& proc, axo_thread_id_t from, const ExecBlockRequest& request,
                         const ipc::MapItem& item, ipc::Empty& reply) {
    loader::StringBlock strings;
    if (ipc::Error e =
            take_argument_block(request.argc, request.envc, request.bytes, item, strings);
        e != ipc::Error::ok)
        return e;
    return proc.processes.exec(from, request.image, nullptr, strings, reply);
}
// kProcExecFile: the headers and the block out of the caller's memory, the headers checked
// (file_image.h) before anything of the caller's program goes.
ipc::Error on_exec_file(Proc& proc, axo_thread_id_t from, const ExecFileRequest& request,
                        const ipc::MapItem& item, ipc::Empty& reply) {
    const uint8_t* headers = nullptr;
    loader::StringBlock strings;
    if (ipc::Error e = take_exec_file_block(request.header_bytes, request.argc, request.envc,
                                            request.bytes, item, headers, strings);
        e != ipc::Error::ok)
        return e;
    FileImage image{};
    image.object = request.object;
    const char* why = nullptr;
    if (ipc::Error e = parse_file_image(headers, request.header_bytes, request.file_size,
                                        kFileProgramLimit, image, &why);
        e != ipc::Error::ok)
        return e;
    return proc.processes.exec_file(from, image, strings, reply);
}

ipc::Error on_group_session(Proc& proc, axo_thread_id_t from, const GroupSessionRequest& request,
                            GroupSessionReply& reply) {
    return proc.processes.group_session(from, request, reply);
}
ipc::Error on_identify(Proc& proc, axo_thread_id_t from, const IdentifyRequest& request,
                       IdentifyReply& reply) {
    return proc.processes.identify(from, request, reply);
}
ipc::Error on_set_process_group(Proc& proc, axo_thread_id_t from,
                                const SetProcessGroupRequest& request, ipc::Empty& reply) {
    return proc.processes.set_process_group(from, request, reply);
}
ipc::Error on_set_session(Proc& proc, axo_thread_id_t from, const SetSessionRequest& request,
                          SetSessionReply& reply) {
    return proc.processes.set_session(from, request, reply);
}
ipc::Error on_set_credentials(Proc& proc, axo_thread_id_t from,
                              const SetCredentialsRequest& request, ipc::Empty& reply) {
    return proc.processes.set_credentials(from, request, reply);
}
ipc::Error on_set_groups(Proc& proc, axo_thread_id_t from, const SetGroupsRequest& request,
                         ipc::Empty& reply) {
    return proc.processes.set_groups(from, request, reply);
}
ipc::Error on_event_subscribe(Proc& proc, axo_thread_id_t from,
                              const EventSubscribeRequest& request, ipc::Empty& reply) {
    return proc.processes.subscribe(from, request, reply);
}
ipc::Error on_event_subscribe_notify(Proc& proc, axo_thread_id_t from,
                                     const EventSubscribeNotifyRequest& request,
                                     ipc::Empty& reply) {
    return proc.processes.subscribe(from, request, reply);
}
ipc::Error on_event_next(Proc& proc, axo_thread_id_t from, const EventNextRequest& request,
                         EventNextReply& reply) {
    return proc.processes.next_events(from, request, reply);
}
ipc::Error on_list(Proc& proc, axo_thread_id_t from, const ListRequest& request, ListReply& reply) {
    return proc.processes.list(from, request, reply);
}
// kProcInfo: the table's part, the supervision of its module (devices.h), mm's memory count.
ipc::Error on_info(Proc& proc, axo_thread_id_t, const InfoRequest& request, InfoReply& reply) {
    if (ipc::Error error = proc.processes.info(request, reply); error != ipc::Error::ok)
        return error;
    if (reply.module != kInfoNoModule && proc.config != nullptr &&
        reply.module < proc.config->module_count) {
        if (proc.boot_pid[reply.module] == reply.pid) reply.flags |= kInfoBootModule;
        const DeviceModule& module = proc.devices.module(reply.module);
        if (module.instance == reply.pid) {
            reply.flags |= kInfoSupervised | kInfoBootModule;
            reply.restarts = module.restarts;
        }
    }
    const ProcessEntry* entry = proc.processes.table().find(reply.pid);
    if (entry != nullptr && entry->state == ProcessState::running &&
        mm_memory_of(proc, entry->thread, reply.committed_pages, reply.resident_pages))
        reply.flags |= kInfoPagedByMm;
    return ipc::Error::ok;
}
ipc::Error on_command_line(Proc& proc, axo_thread_id_t, const CommandLineRequest& request,
                           CommandLineReply& reply) {
    return proc.processes.command_line(request, reply);
}
ipc::Error on_signal_state(Proc& proc, axo_thread_id_t from, const SignalStateRequest& request,
                           SignalStateReply& reply) {
    return proc.processes.signal_state(from, request, reply);
}

ipc::Error on_signal_action(Proc& proc, axo_thread_id_t from, const SignalActionRequest& request,
                            SignalActionReply& reply) {
    return proc.processes.signal_action(from, request, reply);
}

ipc::Error on_signal_take(Proc& proc, axo_thread_id_t from, const SignalTakeRequest& request,
                          SignalTakeReply& reply) {
    return proc.processes.signal_take(from, request, reply);
}

ipc::Error on_signal_suspend(Proc& proc, axo_thread_id_t from, const SignalSuspendRequest& request,
                             SignalSuspendReply& reply) {
    return proc.processes.signal_suspend(from, request, reply);
}

// The machine stops (protocol.h, kProcPower): root only; the caller synced the disks.
ipc::Error on_power(Proc& proc, axo_thread_id_t from, const PowerRequest& request, ipc::Empty&) {
    const ProcessEntry* caller = proc.processes.running(from);
    if (caller == nullptr || caller->credentials.euid != 0) return ipc::Error::no_permission;
    if (request.action == kReset) return ipc::Error::unsupported; // no reset in the kernel yet
    if (request.action != kPowerOff) return ipc::Error::invalid_argument;
    rt_printf("proc: power off, asked by process %u\n", static_cast<unsigned>(caller->pid));
    (void)axo_debug_shutdown(0);
    return ipc::Error::unsupported; // the kernel refused: not a privileged space
}

// The boot's date (protocol.h, kProcRealTime), for anybody.
ipc::Error on_real_time(Proc& proc, axo_thread_id_t, const RealTimeRequest&, RealTimeReply& reply) {
    reply.boot_us_low = static_cast<uint32_t>(proc.boot_epoch_us);
    reply.boot_us_high = static_cast<uint32_t>(proc.boot_epoch_us >> 32);
    return ipc::Error::ok;
}

constexpr ipc::Route<Proc> kRoutes[] = {
    ipc::route<&on_name_register>(),
    ipc::route<&on_name_lookup>(),
    ipc::route<&on_name_unregister>(),
    ipc::route<&on_name_wait>(),
    ipc::route<&on_spawn>(),
    ipc::route<&on_exit>(),
    ipc::route<&on_wait>(),
    ipc::route<&on_kill>(),
    ipc::route<&on_statistics>(),
    // Devices (devices.h)
    ipc::route<&on_device_claim>(),
    ipc::route<&on_device_ports>(),
    ipc::route<&on_device_irq>(),
    ipc::route<&on_device_memory>(),
    ipc::route<&on_dma_allocate>(),
    ipc::route<&on_device_status>(),
    ipc::route<&on_pci_report>(),
    ipc::route<&on_device_client>(),
    ipc::route<&on_thread_create>(),
    ipc::route<&on_fork>(),
    ipc::route<&on_identify>(),
    ipc::route<&on_group_session>(),
    ipc::route<&on_set_process_group>(),
    ipc::route<&on_set_session>(),
    ipc::route<&on_set_credentials>(),
    ipc::route<&on_set_groups>(),
    ipc::route<&on_event_subscribe>(),
    ipc::route<&on_event_subscribe_notify>(),
    ipc::route<&on_event_next>(),
    ipc::route<&on_list>(),
    ipc::route<&on_info>(),
    ipc::route<&on_command_line>(),
    ipc::route<&on_signal_state>(),
    ipc::route<&on_signal_action>(),
    ipc::route<&on_signal_take>(),
    ipc::route<&on_signal_suspend>(),
    ipc::route<&on_exec>(),
    ipc::route<&on_power>(),
    ipc::route<&on_real_time>(),
    ipc::route_with_item<&on_spawn_block>(),
    ipc::route_with_item<&on_exec_block>(),
    ipc::route_with_item<&on_exec_file>(),
};
static_assert(ipc::labels_unique(kRoutes));

} // namespace

bool kernel_thread_alive(void*, axo_thread_id_t thread) {
    axo_exreg_t regs = {};
    return axo_exchange_registers(thread, &regs) == AXO_OK;
}

bool send_name_answer(void*, axo_thread_id_t waiter, axo_thread_id_t server) {
    return ipc::send_reply(waiter, NameLookupReply{server});
}

Dispatcher make_dispatcher(Proc& proc) {
    // A request from a thread ends any wait it left pending (lib/ipc/pending_requests.h).
    // Pages a request other than the block requests mapped into the argument window go at
    // once (argument_blocks.h).
    return Dispatcher(proc, kRoutes, &on_kernel_message, [](Proc& p, axo_thread_id_t from) {
        flush_stray_items(axo_my_utcb()->mr[0]);
        p.processes.cancel_requests_of(from);
        p.names.cancel_wait(from);
    });
}

} // namespace proc
