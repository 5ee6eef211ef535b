// Identity (protocol.h, "Identity"): who a thread's process is, and POSIX's rules for changing
// process groups, sessions and credentials. Part of ProcessService (process_service.h).
#include "servers/proc/process_service.h"

namespace proc {

namespace {

bool is_root(const Credentials& credentials) {
    return credentials.euid == 0;
}

} // namespace

ipc::Error ProcessService::identify(axo_thread_id_t from, const IdentifyRequest& request,
                                    IdentifyReply& reply) {
    const ProcessEntry* entry =
        m_table.find_running(request.thread == AXO_NIL_THREAD ? from : request.thread);
    if (entry == nullptr) return ipc::Error::not_found;
    reply.pid = entry->pid;
    reply.parent = entry->parent;
    reply.pgid = entry->pgid;
    reply.sid = entry->sid;
    reply.credentials = entry->credentials;
    return ipc::Error::ok;
}

ipc::Error ProcessService::group_session(axo_thread_id_t, const GroupSessionRequest& request,
                                         GroupSessionReply& reply) {
    for (uint32_t i = 0; i < ProcessTable::kSlots; ++i) {
        const ProcessEntry& entry = m_table.at(i);
        if (entry.state == ProcessState::running && entry.pgid == request.pgid) {
            reply.sid = entry.sid;
            return ipc::Error::ok;
        }
    }
    return ipc::Error::not_found;
}

ipc::Error ProcessService::set_process_group(axo_thread_id_t from,
                                             const SetProcessGroupRequest& request, ipc::Empty&) {
    ProcessEntry* self = m_table.find_running(from);
    if (self == nullptr) return ipc::Error::not_found;
    if (request.pid < 0 || request.pgid < 0) return ipc::Error::invalid_argument;
    ProcessEntry* target =
        request.pid == 0 ? self : m_table.find(static_cast<ProcessId>(request.pid));
    if (target == nullptr || target->state != ProcessState::running) return ipc::Error::not_found;
    if (target != self) {
        if (target->parent != self->pid) return ipc::Error::not_found; // ESRCH
        if (target->execed) return ipc::Error::access_denied;          // EACCES
        if (target->sid != self->sid) return ipc::Error::no_permission;
    }
    if (target->sid == target->pid) return ipc::Error::no_permission; // a session leader
    ProcessId pgid = request.pgid == 0 ? target->pid : static_cast<ProcessId>(request.pgid);
    if (pgid != target->pid) {
        // The group must exist in the caller's session.
        bool exists = false;
        for (uint32_t i = 0; i < ProcessTable::kSlots && !exists; ++i) {
            const ProcessEntry& entry = m_table.at(i);
            exists = entry.state == ProcessState::running && entry.pgid == pgid &&
                     entry.sid == self->sid;
        }
        if (!exists) return ipc::Error::no_permission;
    }
    if (target->pgid != pgid) {
        target->pgid = pgid;
        publish(kEventGroup, *target, pgid);
    }
    return ipc::Error::ok;
}

ipc::Error ProcessService::set_session(axo_thread_id_t from, const SetSessionRequest&,
                                       SetSessionReply& reply) {
    ProcessEntry* self = m_table.find_running(from);
    if (self == nullptr) return ipc::Error::not_found;
    // A group leader may not: its group's other members would be left in the old session.
    for (uint32_t i = 0; i < ProcessTable::kSlots; ++i) {
        const ProcessEntry& entry = m_table.at(i);
        if (entry.state == ProcessState::running && entry.pgid == self->pid)
            return ipc::Error::no_permission;
    }
    self->sid = self->pgid = self->pid;
    publish(kEventGroup, *self, self->pgid);
    reply.sid = self->sid;
    return ipc::Error::ok;
}

ipc::Error ProcessService::set_credentials(axo_thread_id_t from,
                                           const SetCredentialsRequest& request, ipc::Empty&) {
    ProcessEntry* self = m_table.find_running(from);
    if (self == nullptr) return ipc::Error::not_found;
    if (request.id == kNoId || request.operation > kSetEffectiveGid)
        return ipc::Error::invalid_argument;
    Credentials& c = self->credentials;
    bool root = is_root(c);
    uint32_t id = request.id;
    switch (request.operation) {
    case kSetUid:
        if (root) {
            c.ruid = c.euid = c.suid = id;
        } else if (id == c.ruid || id == c.suid) {
            c.euid = id;
        } else {
            return ipc::Error::no_permission;
        }
        break;
    case kSetEffectiveUid:
        if (!root && id != c.ruid && id != c.suid) return ipc::Error::no_permission;
        c.euid = id;
        break;
    case kSetGid:
        if (root) {
            c.rgid = c.egid = c.sgid = id;
        } else if (id == c.rgid || id == c.sgid) {
            c.egid = id;
        } else {
            return ipc::Error::no_permission;
        }
        break;
    case kSetEffectiveGid:
        if (!root && id != c.rgid && id != c.sgid) return ipc::Error::no_permission;
        c.egid = id;
        break;
    }
    publish(kEventCredentials, *self, c.euid);
    return ipc::Error::ok;
}

ipc::Error ProcessService::set_groups(axo_thread_id_t from, const SetGroupsRequest& request,
                                      ipc::Empty&) {
    ProcessEntry* self = m_table.find_running(from);
    if (self == nullptr) return ipc::Error::not_found;
    if (request.count > kMaxGroups) return ipc::Error::invalid_argument;
    for (uint32_t i = 0; i < request.count; ++i)
        if (request.groups[i] == kNoId) return ipc::Error::invalid_argument;
    if (!is_root(self->credentials)) return ipc::Error::no_permission;
    Credentials& c = self->credentials;
    c.group_count = request.count;
    for (uint32_t i = 0; i < kMaxGroups; ++i)
        c.groups[i] = i < request.count ? request.groups[i] : 0;
    publish(kEventCredentials, *self, c.euid);
    return ipc::Error::ok;
}

ipc::Error ProcessService::list(axo_thread_id_t, const ListRequest& request, ListReply& reply) {
    reply = ListReply{};
    // Pids are not in slot order: take the kListEntries smallest at or above `from`, and the
    // next one after them.
    ProcessId floor = request.from == kNoProcess ? 1 : request.from;
    while (true) {
        ProcessId best = kNoProcess;
        const ProcessEntry* found = nullptr;
        for (uint32_t i = 0; i < ProcessTable::kSlots; ++i) {
            const ProcessEntry& entry = m_table.at(i);
            if (entry.state == ProcessState::free || entry.pid < floor) continue;
            if (best == kNoProcess || entry.pid < best) {
                best = entry.pid;
                found = &entry;
            }
        }
        if (found == nullptr) return ipc::Error::ok;
        if (reply.count == kListEntries) {
            reply.next = best;
            return ipc::Error::ok;
        }
        reply.entries[reply.count++] = ProcessListEntry{found->pid,
                                                        found->parent,
                                                        found->pgid,
                                                        found->sid,
                                                        found->credentials.euid,
                                                        found->credentials.egid,
                                                        found->state == ProcessState::ended ? 2u
                                                        : found->stopped                    ? 1u
                                                                                            : 0u};
        floor = best + 1;
    }
}

ipc::Error ProcessService::info(const InfoRequest& request, InfoReply& reply) const {
    reply = InfoReply{};
    const ProcessEntry* entry = nullptr;
    for (uint32_t i = 0; i < ProcessTable::kSlots && entry == nullptr; ++i) {
        const ProcessEntry& e = m_table.at(i);
        if (e.state != ProcessState::free && e.pid == request.pid) entry = &e;
    }
    if (entry == nullptr || request.pid == kNoProcess) return ipc::Error::not_found;
    reply.pid = entry->pid;
    reply.parent = entry->parent;
    reply.pgid = entry->pgid;
    reply.sid = entry->sid;
    reply.state = entry->state == ProcessState::ended ? 2u : entry->stopped ? 1u : 0u;
    reply.module = entry->name[0] != '\0' ? kInfoNoModule : entry->module;
    if (entry->state == ProcessState::running) {
        reply.threads = 1;
        for (axo_thread_id_t extra : entry->extra)
            reply.threads += extra != AXO_NIL_THREAD ? 1u : 0u;
    }
    const char* name = name_of(*entry);
    for (uint32_t i = 0; i < kInfoNameBytes - 1 && name[i] != '\0'; ++i)
        reply.name[i] = name[i];
    return ipc::Error::ok;
}

ipc::Error ProcessService::command_line(const CommandLineRequest& request,
                                        CommandLineReply& reply) const {
    reply = CommandLineReply{};
    if (request.pid == kNoProcess) return ipc::Error::not_found;
    const ProcessEntry* entry = nullptr;
    for (uint32_t i = 0; i < ProcessTable::kSlots && entry == nullptr; ++i) {
        const ProcessEntry& e = m_table.at(i);
        if (e.state != ProcessState::free && e.pid == request.pid) entry = &e;
    }
    if (entry == nullptr) return ipc::Error::not_found;
    reply.length = entry->command_line_length;
    for (uint32_t i = 0; i < reply.length; ++i)
        reply.bytes[i] = entry->command_line[i];
    return ipc::Error::ok;
}

} // namespace proc
