#include "servers/proc/process_service.h"

#include "servers/proc/name_service.h"

namespace proc {

namespace {

bool terminated(const char* text, uint32_t size) {
    for (uint32_t i = 0; i < size; ++i)
        if (text[i] == '\0') return true;
    return false;
}

} // namespace

// ---- Starting ----------------------------------------------------------------------------------

ipc::Error ProcessService::spawn(axo_thread_id_t from, const SpawnRequest& request,
                                 SpawnReply& reply) {
    if (!valid_name(request.image) || !terminated(request.arguments, kArgumentBytes))
        return ipc::Error::invalid_argument;
    if (m_config == nullptr) return ipc::Error::not_found;
    const ModuleConfig* module = m_config->find(request.image.c_str());
    if (module == nullptr) return ipc::Error::not_found;
    uint32_t index = static_cast<uint32_t>(module - m_config->modules);
    return start(caller(from), index, request.arguments, reply);
}

ipc::Error ProcessService::start(ProcessId parent, uint32_t module, const char* extra,
                                 SpawnReply& reply) {
    if (m_config == nullptr || module >= m_config->module_count) return ipc::Error::not_found;
    const ModuleConfig& config = m_config->modules[module];

    // argv: the name, the configured arguments, the caller's words (split in a copy).
    const char* argv[kMaxArguments];
    uint32_t argc = 0;
    argv[argc++] = config.name;
    for (uint32_t i = 0; i < config.argument_count; ++i) {
        if (argc == kMaxArguments) return ipc::Error::invalid_argument;
        argv[argc++] = config.argument(i);
    }
    char words[kArgumentBytes];
    uint32_t length = 0;
    if (extra != nullptr) {
        while (length < kArgumentBytes - 1 && extra[length] != '\0') {
            words[length] = extra[length];
            ++length;
        }
    }
    words[length] = '\0';
    for (uint32_t i = 0; i < length;) {
        while (i < length && words[i] == ' ')
            words[i++] = '\0';
        if (i == length) break;
        if (argc == kMaxArguments) return ipc::Error::invalid_argument;
        argv[argc++] = &words[i];
        while (i < length && words[i] != ' ')
            ++i;
    }

    ProcessEntry* entry = m_table.allocate(parent, module);
    if (entry == nullptr) return ipc::Error::no_space;
    ipc::Error error =
        m_host.start(m_host.context, m_table.slot_of(*entry), module, entry->thread, argv, argc);
    if (error != ipc::Error::ok) {
        m_table.release(*entry);
        return error;
    }
    ++m_counters.spawned;
    reply.pid = entry->pid;
    reply.main_thread = entry->thread;
    return ipc::Error::ok;
}

ipc::Error ProcessService::fork(axo_thread_id_t from, const ForkRequest& request,
                                SpawnReply& reply) {
    ProcessEntry* parent = m_table.find_running(from);
    if (parent == nullptr) return ipc::Error::not_found;
    if (m_host.fork == nullptr) return ipc::Error::unsupported;
    uint32_t parent_slot = m_table.slot_of(*parent);
    ProcessEntry* entry = m_table.allocate(parent->pid, parent->module);
    if (entry == nullptr) return ipc::Error::no_space;
    ipc::Error error = m_host.fork(m_host.context, m_table.slot_of(*entry), parent_slot,
                                   entry->thread, request.ip, request.sp);
    if (error != ipc::Error::ok) {
        m_table.release(*entry);
        return error;
    }
    ++m_counters.spawned;
    reply.pid = entry->pid;
    reply.main_thread = entry->thread;
    return ipc::Error::ok;
}

// ---- Ending ----------------------------------------------------------------------------------

ipc::Error ProcessService::exit(axo_thread_id_t from, const ExitRequest& request, ipc::Empty&) {
    ProcessEntry* entry = m_table.find_running(from);
    if (entry == nullptr) return ipc::Error::not_found;
    end(*entry, kExitNormal, request.status);
    // The caller's thread is gone: there is nobody to answer.
    return ipc::kNoReply;
}

ipc::Error ProcessService::kill(axo_thread_id_t from, const KillRequest& request, ipc::Empty&) {
    if (request.pid == kNoProcess || request.signal == 0 || request.signal > kMaxSignal)
        return ipc::Error::invalid_argument;
    ProcessEntry* entry = m_table.find(request.pid);
    if (entry == nullptr) return ipc::Error::not_found;
    ProcessId killer = caller(from);
    if (killer != kNoProcess && entry->parent != killer) return ipc::Error::no_permission;
    if (entry->state == ProcessState::running)
        end(*entry, kExitKilled, static_cast<int32_t>(request.signal));
    return ipc::Error::ok;
}

bool ProcessService::end_thread(axo_thread_id_t thread, ExitReason reason, int32_t status) {
    ProcessEntry* entry = m_table.find_running(thread);
    if (entry == nullptr) return false;
    end(*entry, reason, status);
    return true;
}

void ProcessService::end(ProcessEntry& entry, ExitReason reason, int32_t status) {
    m_host.destroy(m_host.context, m_table.slot_of(entry), entry.thread);
    entry.state = ProcessState::ended;
    entry.reason = reason;
    entry.status = status;
    ++m_counters.ended;
    m_host.ended(m_host.context, entry);

    // Its thread is gone, and with it any wait it had pending.
    m_waits.cancel_if([&entry](const auto& wait) { return wait.payload.parent == entry.pid; });
    // Its children go to proc, which reaps those that have ended already.
    for (uint32_t i = 0; i < ProcessTable::kSlots; ++i) {
        ProcessEntry& child = m_table.at(i);
        if (child.state == ProcessState::free || child.parent != entry.pid) continue;
        child.parent = kNoProcess;
        if (child.state == ProcessState::ended) deliver(child);
    }
    deliver(entry);
}

// ---- Waiting -----------------------------------------------------------------------------------

WaitReply ProcessService::wait_reply(const ProcessEntry& child) {
    return WaitReply{child.pid, child.reason, child.status};
}

ipc::Error ProcessService::wait(axo_thread_id_t from, const WaitRequest& request,
                                WaitReply& reply) {
    if ((request.options & ~kWaitNoHang) != 0) return ipc::Error::invalid_argument;
    ProcessId parent = caller(from);
    // A thread makes one call at a time: a wait it had pending was given up.
    (void)m_waits.cancel(from);

    ProcessEntry* ended = nullptr;
    if (request.pid != kWaitAnyChild) {
        ProcessEntry* child = m_table.find(request.pid);
        if (child == nullptr) return ipc::Error::not_found;
        if (child->parent != parent) return ipc::Error::no_permission;
        if (child->state == ProcessState::ended) ended = child;
    } else {
        if (!has_children(parent)) return ipc::Error::not_found;
        for (uint32_t i = 0; i < ProcessTable::kSlots && ended == nullptr; ++i) {
            ProcessEntry& child = m_table.at(i);
            if (child.state == ProcessState::ended && child.parent == parent) ended = &child;
        }
    }
    if (ended != nullptr) {
        reply = wait_reply(*ended);
        m_table.release(*ended);
        settle_waits(parent, reply.pid);
        return ipc::Error::ok;
    }
    if (request.options & kWaitNoHang) return ipc::Error::busy;
    if (request.pid != kWaitAnyChild &&
        m_waits.find_if([&request](const auto& wait) { return wait.payload.pid == request.pid; }))
        return ipc::Error::busy;
    if (m_waits.defer(from, Wait{parent, request.pid}) != ipc::Error::ok)
        return ipc::Error::no_space;
    return ipc::kNoReply;
}

void ProcessService::deliver(ProcessEntry& child) {
    ProcessId parent = child.parent;
    ProcessId pid = child.pid;
    auto waits_for_child = [parent, pid](const auto& wait) {
        return wait.payload.parent == parent &&
               (wait.payload.pid == kWaitAnyChild || wait.payload.pid == pid);
    };
    // A waiter whose call timed out, or that was deleted, is no longer receiving: the next
    // waiter (or a later wait) gets the child. It is reaped only by a reply that got through.
    while (const auto* wait = m_waits.find_if(waits_for_child)) {
        WaitReply reply = wait_reply(child);
        ipc::Delivery delivery = m_waits.answer(
            wait->ticket,
            [this, &reply](axo_thread_id_t waiter, const Wait&) {
                return m_host.answer(m_host.context, waiter, ipc::Error::ok, reply);
            },
            [this, &child, parent, pid](const Wait&) {
                m_table.release(child);
                settle_waits(parent, pid);
            });
        if (delivery == ipc::Delivery::delivered) return;
    }
    if (parent == kNoProcess) {
        m_table.release(child);
        settle_waits(parent, pid);
    }
}

void ProcessService::settle_waits(ProcessId parent, ProcessId reaped) {
    bool childless = !has_children(parent);
    auto hopeless = [parent, reaped, childless](const auto& wait) {
        return wait.payload.parent == parent &&
               (wait.payload.pid == reaped || (wait.payload.pid == kWaitAnyChild && childless));
    };
    while (const auto* wait = m_waits.find_if(hopeless))
        (void)m_waits.answer(wait->ticket, [this](axo_thread_id_t waiter, const Wait&) {
            return m_host.answer(m_host.context, waiter, ipc::Error::not_found, WaitReply{});
        });
}

bool ProcessService::has_children(ProcessId parent) {
    for (uint32_t i = 0; i < ProcessTable::kSlots; ++i) {
        const ProcessEntry& entry = m_table.at(i);
        if (entry.state != ProcessState::free && entry.parent == parent) return true;
    }
    return false;
}

} // namespace proc
