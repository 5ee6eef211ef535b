// mm's route table: every request mm serves, by label, to its MemoryManager handler. One list
// for the server (server.cc) and the host fuzz target of its dispatcher (tests/fuzz).
#pragma once

#include "lib/ipc/dispatcher.h"
#include "servers/memory/mm/memory_manager.h"

namespace mm {

constexpr ipc::Route<MemoryManager> kRoutes[] = {
    ipc::route<&MemoryManager::on_attach>(),        ipc::route<&MemoryManager::on_detach>(),
    ipc::route<&MemoryManager::on_region_create>(), ipc::route<&MemoryManager::on_sbrk>(),
    ipc::route<&MemoryManager::on_protect>(),       ipc::route<&MemoryManager::on_unmap>(),
    ipc::route<&MemoryManager::on_duplicate>(),     ipc::route<&MemoryManager::on_quota_set>(),
    ipc::route<&MemoryManager::on_statistics>(),    ipc::route<&MemoryManager::on_fault_state>(),
    ipc::route<&MemoryManager::on_fault_retry>(),   ipc::route<&MemoryManager::on_fault_wait>(),
    ipc::route<&MemoryManager::on_object_create>(), ipc::route<&MemoryManager::on_object_grant>(),
    ipc::route<&MemoryManager::on_object_rebind>(), ipc::route<&MemoryManager::on_object_end>(),
    ipc::route<&MemoryManager::on_pager_rebind>(),  ipc::route<&MemoryManager::on_object_limit>(),
};
static_assert(ipc::labels_unique(kRoutes));

} // namespace mm
