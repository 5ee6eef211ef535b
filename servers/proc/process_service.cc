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

ipc::Error ProcessService::spawn(axo_thread_id_t from, const Name& image,
                                 const loader::StringBlock& strings, SpawnReply& reply) {
    if (!valid_name(image)) return ipc::Error::invalid_argument;
    if (m_config == nullptr) return ipc::Error::not_found;
    const ModuleConfig* module = m_config->find(image.c_str());
    if (module == nullptr) return ipc::Error::not_found;
    uint32_t index = static_cast<uint32_t>(module - m_config->modules);
    return start(caller(from), index, nullptr, strings, reply);
}

ipc::Error ProcessService::start(ProcessId parent, uint32_t module, const char* extra,
                                 const loader::StringBlock& more, SpawnReply& reply) {
    if (m_config == nullptr || module >= m_config->module_count) return ipc::Error::not_found;
    const char* argv[kMaxArguments];
    char words[kArgumentBytes];
    uint32_t argc = 0;
    if (ipc::Error e = arguments(module, extra, words, argv, argc); e != ipc::Error::ok) return e;

    // init is process 1 when proc starts it (role=init); a restart takes pid 1 again.
    const bool init = parent == kNoProcess && m_config->modules[module].init;
    ProcessEntry* entry = m_table.allocate(parent, module, init ? ProcessId{1} : kNoProcess);
    if (entry == nullptr) return ipc::Error::no_space;
    entry->system = parent == kNoProcess;
    record_command_line(*entry, argv, argc, more);
    ipc::Error error = m_host.start(m_host.context, m_table.slot_of(*entry), module, entry->thread,
                                    argv, argc, more);
    if (error != ipc::Error::ok) {
        m_table.release(*entry);
        return error;
    }
    ++m_counters.spawned;
    reply.pid = entry->pid;
    reply.main_thread = entry->thread;
    return launch(*entry, m_table.find(parent), true);
}

ipc::Error ProcessService::arguments(uint32_t module, const char* extra,
                                     char (&words)[kArgumentBytes],
                                     const char* (&argv)[kMaxArguments], uint32_t& argc) const {
    const ModuleConfig& config = m_config->modules[module];
    // argv: the name, the configured arguments, the caller's words (split in a copy).
    argc = 0;
    argv[argc++] = config.name;
    for (uint32_t i = 0; i < config.argument_count; ++i) {
        if (argc == kMaxArguments) return ipc::Error::invalid_argument;
        argv[argc++] = config.argument(i);
    }
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
    return ipc::Error::ok;
}

ipc::Error ProcessService::exec(axo_thread_id_t from, const ExecRequest& request,
                                ipc::Empty& reply) {
    if (!terminated(request.arguments, kArgumentBytes)) {
        if (m_table.find_running(from) == nullptr) return ipc::Error::not_found;
        return ipc::Error::invalid_argument;
    }
    return exec(from, request.image, request.arguments, loader::StringBlock{}, reply);
}

ipc::Error ProcessService::exec(axo_thread_id_t from, const Name& image, const char* words,
                                const loader::StringBlock& strings, ipc::Empty&) {
    ProcessEntry* entry = m_table.find_running(from);
    if (entry == nullptr) return ipc::Error::not_found;
    if (!valid_name(image)) return ipc::Error::invalid_argument;
    if (m_config == nullptr) return ipc::Error::not_found;
    const ModuleConfig* config = m_config->find(image.c_str());
    if (config == nullptr) return ipc::Error::not_found;
    uint32_t module = static_cast<uint32_t>(config - m_config->modules);
    if (m_host.startable != nullptr && !m_host.startable(m_host.context, module))
        return ipc::Error::unsupported;
    const char* argv[kMaxArguments];
    uint32_t argc = 0;
    char split[kArgumentBytes];
    if (ipc::Error e = arguments(module, words, split, argv, argc); e != ipc::Error::ok) return e;
    axo_thread_id_t thread = m_table.new_thread();
    if (thread == AXO_NIL_THREAD) return ipc::Error::no_space;

    retire_program(*entry, thread);
    entry->module = module;
    entry->name[0] = '\0';
    record_command_line(*entry, argv, argc, strings);
    uint32_t slot = m_table.slot_of(*entry);
    ipc::Error error = m_host.start(m_host.context, slot, module, thread, argv, argc, strings);
    return finish_exec(*entry, error, module);
}

ipc::Error ProcessService::exec_file(axo_thread_id_t from, const FileImage& image,
                                     const loader::StringBlock& strings, ipc::Empty&) {
    ProcessEntry* entry = m_table.find_running(from);
    if (entry == nullptr) return ipc::Error::not_found;
    if (m_host.start_file == nullptr) return ipc::Error::unsupported;
    if (strings.argc == 0) return ipc::Error::invalid_argument; // argv[0] is the caller's
    axo_thread_id_t thread = m_table.new_thread();
    if (thread == AXO_NIL_THREAD) return ipc::Error::no_space;
    retire_program(*entry, thread);
    name_after(*entry, strings);
    record_command_line(*entry, nullptr, 0, strings);
    uint32_t slot = m_table.slot_of(*entry);
    ipc::Error error = m_host.start_file(m_host.context, slot, image, thread, strings);
    return finish_exec(*entry, error, exec_event_value(image.object));
}

// argv[0]'s last component, cut to the name's room: what the program calls itself, as ps shows
// it (the block was checked: argv[0] is a terminated string inside it).
void ProcessService::name_after(ProcessEntry& entry, const loader::StringBlock& strings) {
    const char* first = strings.bytes;
    const char* base = first;
    for (const char* c = first; *c != '\0'; ++c)
        if (*c == '/' && c[1] != '\0') base = c + 1;
    uint32_t length = 0;
    while (length < kInfoNameBytes - 1 && base[length] != '\0' && base[length] != '/') {
        entry.name[length] = base[length];
        ++length;
    }
    entry.name[length] = '\0';
    if (length == 0) { // argv[0] was empty or "/": keep a visible name
        entry.name[0] = '?';
        entry.name[1] = '\0';
    }
}

void ProcessService::record_command_line(ProcessEntry& entry, const char* const* argv,
                                         uint32_t argc, const loader::StringBlock& more) {
    uint32_t length = 0;
    auto append = [&](const char* s) {
        for (uint32_t i = 0;; ++i) {
            if (length == kCommandLineBytes) return;
            entry.command_line[length++] = s[i];
            if (s[i] == '\0') return;
        }
    };
    for (uint32_t i = 0; i < argc; ++i)
        append(argv[i]);
    // The block was checked: argc terminated strings, back to back.
    const char* s = more.bytes;
    for (uint32_t i = 0; i < more.argc && s != nullptr; ++i) {
        append(s);
        while (*s != '\0')
            ++s;
        ++s;
    }
    entry.command_line_length = length;
}

const char* ProcessService::name_of(const ProcessEntry& entry) const {
    if (entry.name[0] != '\0') return entry.name;
    if (m_config == nullptr || entry.module >= m_config->module_count) return "?";
    return m_config->modules[entry.module].name;
}

void ProcessService::retire_program(ProcessEntry& entry, axo_thread_id_t thread) {
    uint32_t slot = m_table.slot_of(entry);
    axo_thread_id_t old = entry.thread;
    for (axo_thread_id_t extra : entry.extra) {
        m_events.thread_died(extra);
        (void)m_waits.cancel(extra);
    }
    m_events.thread_died(old);
    (void)m_waits.cancel(old);
    m_host.destroy(m_host.context, slot, old);
    for (axo_thread_id_t& extra : entry.extra) {
        m_table.release_thread(extra);
        extra = AXO_NIL_THREAD;
    }
    m_table.release_thread(old);
    entry.thread = thread;
    entry.execed = true;
    entry.caught = 0; // caught signals go back to their default; ignored ones stay ignored
    entry.entry = 0;  // the new image has no signal entry until it reports one
    // The mask stays (POSIX exec): a blocked signal stays pending in the new program.
    entry.diverted = false;
    entry.fault_signal = 0;
}

ipc::Error ProcessService::finish_exec(ProcessEntry& entry, ipc::Error error, uint32_t value) {
    if (error == ipc::Error::ok) {
        publish(kEventExec, entry, value);
        if (m_host.run != nullptr)
            error = m_host.run(m_host.context, m_table.slot_of(entry), entry.thread);
        if (error == ipc::Error::ok) return ipc::kNoReply; // the caller's thread is gone
    }
    // Nothing to return to: the process ends as killed (destroy finds no thread if start
    // failed: nothing of it remains then).
    end(entry, kExitKilled, static_cast<int32_t>(kSignalKill));
    return ipc::kNoReply;
}

ipc::Error ProcessService::launch(ProcessEntry& entry, const ProcessEntry* parent, bool execed) {
    if (parent != nullptr) {
        entry.pgid = parent->pgid;
        entry.sid = parent->sid;
        entry.credentials = parent->credentials;
        // fork keeps the dispositions; exec (spawn is fork and exec) resets caught ones to
        // their default and keeps ignored ones (POSIX exec).
        entry.ignored = parent->ignored;
        entry.caught = execed ? 0 : parent->caught;
        // fork keeps the mask and the signal entry (the copy has the parent's code); a new
        // image has no entry until it reports one, with its own mask.
        entry.blocked = execed ? 0 : parent->blocked;
        entry.entry = execed ? 0 : parent->entry;
    } else {
        // proc's own: root, the leader of a session and a group of its own.
        entry.pgid = entry.sid = entry.pid;
        entry.credentials = Credentials{};
    }
    entry.execed = execed;
    publish(kEventFork, entry, 0);
    if (execed) publish(kEventExec, entry, entry.module);
    // Every subscriber has the events queued: now the process may call them.
    if (m_host.run != nullptr) {
        ipc::Error error = m_host.run(m_host.context, m_table.slot_of(entry), entry.thread);
        if (error != ipc::Error::ok) {
            // It never ran: it ends as killed, and nobody waits for it.
            m_host.destroy(m_host.context, m_table.slot_of(entry), entry.thread);
            publish(kEventExit, entry, kExitKilled << 16 | kSignalKill);
            --m_counters.spawned;
            m_table.release(entry);
            return error;
        }
    }
    return ipc::Error::ok;
}

void ProcessService::publish(uint32_t kind, const ProcessEntry& entry, uint32_t value) {
    m_events.publish(Event{kind, entry.pid, entry.parent, value});
}

bool ProcessService::answer_events(void* context, axo_thread_id_t subscriber,
                                   const EventNextReply& reply) {
    auto* self = static_cast<ProcessService*>(context);
    if (self->m_host.answer_events == nullptr) return false;
    return self->m_host.answer_events(self->m_host.context, subscriber, reply);
}

void ProcessService::notify_events(void* context, axo_thread_id_t subscriber, uint32_t bits) {
    auto* self = static_cast<ProcessService*>(context);
    if (self->m_host.notify_events != nullptr)
        self->m_host.notify_events(self->m_host.context, subscriber, bits);
}

bool ProcessService::thread_alive(void* context, axo_thread_id_t thread) {
    auto* self = static_cast<ProcessService*>(context);
    if (self->m_host.alive == nullptr) return true;
    return self->m_host.alive(self->m_host.context, thread);
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
    for (uint32_t i = 0; i < kInfoNameBytes; ++i)
        entry->name[i] = m_table.at(parent_slot).name[i];
    for (uint32_t i = 0; i < kCommandLineBytes; ++i)
        entry->command_line[i] = m_table.at(parent_slot).command_line[i];
    entry->command_line_length = m_table.at(parent_slot).command_line_length;
    reply.pid = entry->pid;
    reply.main_thread = entry->thread;
    return launch(*entry, &m_table.at(parent_slot), false);
}

// ---- Ending ----------------------------------------------------------------------------------

ipc::Error ProcessService::exit(axo_thread_id_t from, const ExitRequest& request, ipc::Empty&) {
    ProcessEntry* entry = m_table.find_running(from);
    if (entry == nullptr) return ipc::Error::not_found;
    end(*entry, kExitNormal, request.status);
    // The caller's thread is gone: there is nobody to answer.
    return ipc::kNoReply;
}

bool ProcessService::end_thread(axo_thread_id_t thread, ExitReason reason, int32_t status) {
    ProcessEntry* entry = m_table.find_running(thread);
    if (entry == nullptr) return false;
    end(*entry, reason, status);
    return true;
}

void ProcessService::end(ProcessEntry& entry, ExitReason reason, int32_t status) {
    // Its threads' subscriptions go with them.
    for (axo_thread_id_t extra : entry.extra)
        m_events.thread_died(extra);
    m_events.thread_died(entry.thread);
    m_host.destroy(m_host.context, m_table.slot_of(entry), entry.thread);
    entry.state = ProcessState::ended;
    entry.reason = reason;
    entry.status = status;
    entry.stopped = false;
    entry.report = 0;
    ++m_counters.ended;
    m_host.ended(m_host.context, entry);
    publish(kEventExit, entry,
            static_cast<uint32_t>(reason) << 16 | (static_cast<uint32_t>(status) & 0xFFFFu));
    // SIGCHLD: ignored by default, so it matters only to a parent that catches it.
    if (ProcessEntry* parent = m_table.find(entry.parent);
        parent != nullptr && parent->state == ProcessState::running)
        signal(*parent, kSignalChild);

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
    if ((request.options & ~(kWaitNoHang | kWaitUntraced | kWaitContinued)) != 0)
        return ipc::Error::invalid_argument;
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
    // A stop or continue not yet reported, if the caller asked for those.
    for (uint32_t i = 0; i < ProcessTable::kSlots; ++i) {
        ProcessEntry& child = m_table.at(i);
        if (child.state != ProcessState::running || child.parent != parent ||
            (request.pid != kWaitAnyChild && child.pid != request.pid) ||
            !wants_report(request.options, child.report))
            continue;
        reply = WaitReply{child.pid, child.report, child.report_status};
        child.report = 0;
        return ipc::Error::ok;
    }
    if (request.options & kWaitNoHang) return ipc::Error::busy;
    if (request.pid != kWaitAnyChild &&
        m_waits.find_if([&request](const auto& wait) { return wait.payload.pid == request.pid; }))
        return ipc::Error::busy;
    if (m_waits.defer(from, Wait{parent, request.pid, request.options}) != ipc::Error::ok)
        return ipc::Error::no_space;
    return ipc::kNoReply;
}

bool ProcessService::wants_report(uint32_t options, uint32_t report) {
    return (report == kExitStopped && (options & kWaitUntraced) != 0) ||
           (report == kExitContinued && (options & kWaitContinued) != 0);
}

void ProcessService::deliver_report(ProcessEntry& child) {
    auto wants_child = [&child](const auto& wait) {
        return wait.payload.parent == child.parent &&
               (wait.payload.pid == kWaitAnyChild || wait.payload.pid == child.pid) &&
               wants_report(wait.payload.options, child.report);
    };
    // A waiter no longer receiving is dropped; the report is consumed only by a delivered reply.
    while (const auto* wait = m_waits.find_if(wants_child)) {
        WaitReply reply{child.pid, child.report, child.report_status};
        ipc::Delivery delivery = m_waits.answer(
            wait->ticket,
            [this, &reply](axo_thread_id_t waiter, const Wait&) {
                return m_host.answer(m_host.context, waiter, ipc::Error::ok, reply);
            },
            [&child](const Wait&) { child.report = 0; });
        if (delivery == ipc::Delivery::delivered) return;
    }
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
