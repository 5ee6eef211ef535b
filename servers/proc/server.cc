#include "servers/proc/server.h"

#include "axolotl/syscalls.h"

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
ipc::Error on_name_unregister(Proc& proc, axo_thread_id_t from,
                              const NameUnregisterRequest& request, ipc::Empty& reply) {
    return proc.names.unregister(from, request, reply);
}

constexpr ipc::Route<Proc> kRoutes[] = {
    ipc::route<&on_name_register>(),
    ipc::route<&on_name_lookup>(),
    ipc::route<&on_name_unregister>(),
    // Need map items and mm: ELF images must be mapped into new spaces (README.md).
    ipc::unsupported<Proc, SpawnRequest>(),
    ipc::unsupported<Proc, ExitRequest>(),
    ipc::unsupported<Proc, WaitRequest>(),
    ipc::unsupported<Proc, KillRequest>(),
};
static_assert(ipc::labels_unique(kRoutes));

} // namespace

bool kernel_thread_alive(void*, axo_thread_id_t thread) {
    axo_exreg_t regs = {};
    return axo_exchange_registers(thread, &regs) == AXO_OK;
}

Dispatcher make_dispatcher(Proc& proc) {
    return Dispatcher(proc, kRoutes);
}

} // namespace proc
