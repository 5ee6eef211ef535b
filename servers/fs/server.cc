#include "servers/fs/server.h"

#include "rt/rt.h"

#include "interfaces/process/client.h"
#include "lib/ipc/dispatcher.h"
#include "lib/ipc/kernel.h"
#include "lib/ipc/session_kernel.h"
#include "lib/names/names.h"

namespace fs {

namespace {

// proc answers at once; bound the calls anyway so that fs never hangs on it.
constexpr axo_timeout_t kProcTimeout = axo_timeout_us(2000000);

ipc::KernelTransport g_transport;

// A request whose session is gone (or never was) gets this, so the client attaches again
// (names::Session's session_lost): not_found is a file error of its own here.
constexpr ipc::Error kNoSession = ipc::Error::bad_message;

file::Stat stat_of(uint32_t mount, const Attributes& a) {
    file::Stat s{};
    s.device = mount;
    s.inode = a.inode.value;
    s.mode = a.mode;
    s.links = a.links;
    s.uid = a.uid;
    s.gid = a.gid;
    s.rdev = a.device;
    s.size_low = file::low(a.size);
    s.size_high = file::high(a.size);
    s.blocks_low = file::low(a.blocks);
    s.blocks_high = file::high(a.blocks);
    s.block_size = a.block_size;
    s.access_seconds_low = file::low(static_cast<uint64_t>(a.access.seconds));
    s.access_seconds_high = file::high(static_cast<uint64_t>(a.access.seconds));
    s.access_nanoseconds = a.access.nanoseconds;
    s.modify_seconds_low = file::low(static_cast<uint64_t>(a.modify.seconds));
    s.modify_seconds_high = file::high(static_cast<uint64_t>(a.modify.seconds));
    s.modify_nanoseconds = a.modify.nanoseconds;
    s.change_seconds_low = file::low(static_cast<uint64_t>(a.change.seconds));
    s.change_seconds_high = file::high(static_cast<uint64_t>(a.change.seconds));
    s.change_nanoseconds = a.change.nanoseconds;
    return s;
}

file::StatfsReply statfs_of(const FileSystemStatistics& s) {
    file::StatfsReply r{};
    r.block_size = s.block_size;
    r.blocks_low = file::low(s.blocks);
    r.blocks_high = file::high(s.blocks);
    r.free_low = file::low(s.free_blocks);
    r.free_high = file::high(s.free_blocks);
    r.available_low = file::low(s.available_blocks);
    r.available_high = file::high(s.available_blocks);
    r.inodes_low = file::low(s.inodes);
    r.inodes_high = file::high(s.inodes);
    r.free_inodes_low = file::low(s.free_inodes);
    r.free_inodes_high = file::high(s.free_inodes);
    r.name_max = s.name_max;
    r.read_only = s.read_only ? 1 : 0;
    return r;
}

void times_of(const file::Times& t, Timestamp out[2]) {
    out[0] =
        Timestamp{static_cast<int64_t>(file::join(t.access_seconds_low, t.access_seconds_high)),
                  t.access_nanoseconds};
    out[1] =
        Timestamp{static_cast<int64_t>(file::join(t.modify_seconds_low, t.modify_seconds_high)),
                  t.modify_nanoseconds};
}

// Packs entries into the client's buffer as DirectoryRecords.
class RecordSink final : public DirectorySink {
public:
    RecordSink(uint8_t* buffer, uint32_t capacity) : m_buffer(buffer), m_capacity(capacity) {}
    bool take(const DirectoryEntry& entry) override {
        if (entry.name.size() > kNameMax) return true; // never from a sane file system
        uint32_t bytes = (sizeof(file::DirectoryRecord) + entry.name.size() + 1 + 3) & ~3u;
        if (m_used + bytes > m_capacity) return false;
        file::DirectoryRecord record{entry.inode.value, static_cast<uint16_t>(bytes),
                                     static_cast<uint8_t>(entry.type),
                                     static_cast<uint8_t>(entry.name.size())};
        __builtin_memcpy(m_buffer + m_used, &record, sizeof record);
        __builtin_memcpy(m_buffer + m_used + sizeof record, entry.name.data(), entry.name.size());
        for (uint32_t i = sizeof record + entry.name.size(); i < bytes; ++i)
            m_buffer[m_used + i] = 0;
        m_used += bytes;
        ++m_count;
        return true;
    }
    uint32_t used() const { return m_used; }
    uint32_t count() const { return m_count; }

private:
    uint8_t* m_buffer;
    uint32_t m_capacity;
    uint32_t m_used = 0;
    uint32_t m_count = 0;
};

constexpr ipc::Route<Server> kRoutes[] = {
    ipc::route<&Server::on_attach>(),      ipc::route<&Server::on_open>(),
    ipc::route<&Server::on_close>(),       ipc::route<&Server::on_dup>(),
    ipc::route<&Server::on_get_flags>(),   ipc::route<&Server::on_set_flags>(),
    ipc::route<&Server::on_read>(),        ipc::route<&Server::on_write>(),
    ipc::route<&Server::on_pread>(),       ipc::route<&Server::on_pwrite>(),
    ipc::route<&Server::on_seek>(),        ipc::route<&Server::on_readdir>(),
    ipc::route<&Server::on_fsync>(),       ipc::route<&Server::on_sync>(),
    ipc::route<&Server::on_stat>(),        ipc::route<&Server::on_fstat>(),
    ipc::route<&Server::on_access>(),      ipc::route<&Server::on_truncate>(),
    ipc::route<&Server::on_ftruncate>(),   ipc::route<&Server::on_chmod>(),
    ipc::route<&Server::on_fchmod>(),      ipc::route<&Server::on_chown>(),
    ipc::route<&Server::on_fchown>(),      ipc::route<&Server::on_utimes>(),
    ipc::route<&Server::on_futimes>(),     ipc::route<&Server::on_statfs>(),
    ipc::route<&Server::on_fstatfs>(),     ipc::route<&Server::on_mkdir>(),
    ipc::route<&Server::on_rmdir>(),       ipc::route<&Server::on_unlink>(),
    ipc::route<&Server::on_rename>(),      ipc::route<&Server::on_link>(),
    ipc::route<&Server::on_symlink>(),     ipc::route<&Server::on_readlink>(),
    ipc::route<&Server::on_mknod>(),       ipc::route<&Server::on_chdir>(),
    ipc::route<&Server::on_fchdir>(),      ipc::route<&Server::on_getcwd>(),
    ipc::route<&Server::on_pipe>(),        ipc::route<&Server::on_exec>(),
    ipc::route<&Server::on_pager>(),       ipc::route<&Server::on_poll>(),
    ipc::route<&Server::on_map_object>(),  ipc::route<&Server::on_map_sync>(),
    ipc::route<&Server::on_map_release>(), ipc::route<&Server::on_lock>(),
    ipc::route<&Server::on_flock>(),       ipc::route<&Server::on_shutdown>(),
    ipc::route<&Server::on_mount>(),       ipc::route<&Server::on_umount>(),
    ipc::route<&Server::on_statistics>(),
};
static_assert(ipc::labels_unique(kRoutes));

} // namespace

bool Server::start() {
    m_sessions.set_host(ipc::kernel_session_host());
    m_sessions.set_buffers(reinterpret_cast<uintptr_t>(m_buffers));
    ipc::Error error = proc::client::subscribe_notify(g_transport, names::proc_thread(),
                                                      kProcEventsBit, kProcTimeout);
    if (error != ipc::Error::ok) {
        rt_printf("fs: proc's event stream refused (%s): no fork or exit bookkeeping\n",
                  ipc::error_name(error));
        return false;
    }
    m_subscribed = true;
    m_exec.install();
    return true;
}

// ipc::serve, but while anything waits (a parked pipe request, a lock wait, a poll) the receive
// also ends on proc's notification of events: a parked reader whose writer's process ended
// must get its end of file without waiting for someone else's request. While nothing waits, the
// receive is a plain one (the IPC fast path's) and events are fetched by the next request that
// needs them (begin), when proc notified any.
void Server::run() {
    ipc::Dispatcher<Server> dispatcher(*this, kRoutes, nullptr, &Server::on_request);
    ipc::Message message(axo_my_utcb()->mr);
    axo_thread_id_t from = reply_and_receive(AXO_NIL_THREAD);
    for (;;) {
        if (from == AXO_NIL_THREAD && !message.failed()) { // notified: events followed
            from = reply_and_receive(AXO_NIL_THREAD);
            continue;
        }
        if (message.failed()) {
            if (!axo_ipc_error_in_receive(axo_my_utcb()->error)) dispatcher.note_failed_reply();
            from = reply_and_receive(AXO_NIL_THREAD);
            continue;
        }
        if (dispatcher.dispatch(from, message) == ipc::Outcome::reply)
            from = reply_and_receive(from);
        else
            from = reply_and_receive(AXO_NIL_THREAD);
    }
}

axo_thread_id_t Server::reply_and_receive(axo_thread_id_t reply_to) {
    if (!anyone_waits())
        return reply_to == AXO_NIL_THREAD ? axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER)
                                          : axo_ipc_reply_wait(reply_to, AXO_TIMEOUT_NEVER);
    ipc::Arrival arrival =
        reply_to == AXO_NIL_THREAD
            ? ipc::wait_for_message_or_notification(kProcEventsBit)
            : ipc::reply_and_wait_for_message_or_notification(reply_to, kProcEventsBit);
    axo_my_utcb()->notify_mask = 0;
    if (arrival.kind != ipc::Arrival::Kind::notification) return arrival.from;
    poll_events(); // the bit is taken: fetch what it announced
    settle_pipes();
    settle_locks();
    // A message whose label is not a failure and whose sender is nil: run() receives again.
    axo_my_utcb()->mr[0] = axo_msg_tag(0, 0, 0);
    return AXO_NIL_THREAD;
}

// ---- Callers ---------------------------------------------------------------------------------

void Server::forget(uint32_t pid) {
    for (Known& known : m_known)
        if (known.caller.pid == pid) known = Known{};
}

bool Server::events_notified() {
    axo_utcb_t* utcb = axo_my_utcb();
    utcb->notify_mask = kProcEventsBit;
    utcb->mr[0] = axo_msg_tag(0, 0, 0) | AXO_TAG_FLAG_NOTIFY;
    // Nobody sends to a thread from itself: only the bit ends this at once, else the zero
    // timeout.
    axo_thread_id_t from =
        axo_ipc(AXO_NIL_THREAD, utcb->my_id, axo_timeouts(AXO_TIMEOUT_NEVER, AXO_TIMEOUT_ZERO));
    utcb->notify_mask = 0;
    return axo_ipc_notified(from, utcb->mr[0]);
}

void Server::follow_events() {
    if (m_subscribed && events_notified()) poll_events();
    settle_pipes();
    settle_locks(); // exits release locks
}

void Server::poll_events() {
    if (!m_subscribed) return;
    for (uint32_t round = 0; round < 64; ++round) {
        proc::EventNextReply reply{};
        if (proc::client::next_events(g_transport, names::proc_thread(), proc::kEventNoHang, reply,
                                      kProcTimeout) != ipc::Error::ok)
            return;
        if (reply.lost != 0) resync();
        uint32_t count = reply.count <= proc::kEventsPerReply ? reply.count : 0;
        for (uint32_t i = 0; i < count; ++i) {
            const proc::Event& event = reply.events[i];
            switch (event.kind) {
            case proc::kEventFork:
                (void)m_vfs.fork(event.parent, event.pid);
                m_exec.forked(event.parent, event.pid);
                m_mapper.forked(event.parent, event.pid);
                break;
            case proc::kEventExit:
                abandon_process(event.pid);
                (void)m_readiness.owner_gone(event.pid);
                release_locks(event.pid);
                forget(event.pid);
                m_vfs.exit(event.pid);
                m_exec.exited(event.pid);
                m_mapper.exited(event.pid);
                break;
            case proc::kEventCredentials:
                forget(event.pid);
                break;
            case proc::kEventExec:
                forget(event.pid);
                m_exec.execed(event.pid, event.value);
                m_mapper.exited(event.pid); // mappings do not survive an exec
                break;
            default:
                break;
            }
        }
        if (reply.pending == 0) return;
    }
}

// Events were lost: whoever the Vfs knows but proc no longer lists has ended (a fork that was
// lost cannot be recovered: that child starts with nothing inherited).
void Server::resync() {
    uint32_t pids[kMaxProcesses];
    uint32_t count = m_vfs.process_ids(pids, kMaxProcesses);
    bool alive[kMaxProcesses] = {};
    proc::ProcessId from = 1;
    for (uint32_t round = 0; round < 1024 && from != proc::kNoProcess; ++round) {
        proc::ListReply list{};
        if (proc::client::list(g_transport, names::proc_thread(), from, list, kProcTimeout) !=
            ipc::Error::ok)
            return; // no verdict without the whole list
        for (uint32_t i = 0; i < list.count && i < proc::kListEntries; ++i)
            for (uint32_t j = 0; j < count; ++j)
                if (pids[j] == list.entries[i].pid && list.entries[i].state != 2) alive[j] = true;
        if (list.next != proc::kNoProcess && list.next <= from) return;
        from = list.next;
    }
    for (uint32_t j = 0; j < count; ++j) {
        if (alive[j] || pids[j] == ExecPager::kPagerPid || pids[j] == FileMapper::kMapperPid)
            continue;
        abandon_process(pids[j]);
        (void)m_readiness.owner_gone(pids[j]);
        release_locks(pids[j]);
        forget(pids[j]);
        m_vfs.exit(pids[j]);
        m_exec.exited(pids[j]);
        m_mapper.exited(pids[j]);
    }
    rt_printf("fs: events were lost; resynchronised with proc's process list\n");
}

ipc::Error Server::identify(axo_thread_id_t from, Caller* caller) {
    // The thread of the last request first: a client usually sends several in a row.
    if (const Known& last = m_known[m_last_known]; last.thread == from && last.caller.pid != 0) {
        *caller = last.caller;
        return ipc::Error::ok;
    }
    for (uint32_t i = 0; i < kKnown; ++i)
        if (m_known[i].thread == from && m_known[i].caller.pid != 0) {
            m_last_known = i;
            *caller = m_known[i].caller;
            return ipc::Error::ok;
        }
    proc::IdentifyReply reply{};
    ipc::Error error =
        proc::client::identify(g_transport, names::proc_thread(), from, reply, kProcTimeout);
    // Not a process (proc's own threads): no files of its own.
    if (error != ipc::Error::ok || reply.pid == proc::kNoProcess) return ipc::Error::no_permission;
    Caller c;
    c.pid = reply.pid;
    c.credentials.uid = reply.credentials.euid;
    c.credentials.gid = reply.credentials.egid;
    c.credentials.real_uid = reply.credentials.ruid;
    c.credentials.real_gid = reply.credentials.rgid;
    c.credentials.group_count =
        reply.credentials.group_count <= kMaxGroups ? reply.credentials.group_count : kMaxGroups;
    for (uint32_t i = 0; i < c.credentials.group_count; ++i)
        c.credentials.groups[i] = reply.credentials.groups[i];
    m_known[m_next_known] = Known{from, c};
    m_last_known = m_next_known;
    m_next_known = (m_next_known + 1) % kKnown;
    *caller = c;
    return ipc::Error::ok;
}

ipc::Error Server::begin(axo_thread_id_t from, Caller* caller, uint8_t** buffer) {
    uint32_t slot = 0;
    if (m_sessions.find(from, &slot) == nullptr) return kNoSession;
    *buffer = m_sessions.buffer(slot);
    follow_events();
    return identify(from, caller);
}

ipc::Error Server::take_path(const uint8_t* buffer, uint32_t offset, uint32_t length, char* out) {
    if (length >= kPathMax) return ipc::Error::name_too_long;
    if (offset >= file::kBufferBytes || length >= file::kBufferBytes - offset)
        return ipc::Error::bad_message;
    // Copied first: the client can change its buffer at any time.
    __builtin_memcpy(out, buffer + offset, length + 1);
    if (out[length] != '\0') return ipc::Error::bad_message;
    for (uint32_t i = 0; i < length; ++i)
        if (out[i] == '\0') return ipc::Error::bad_message;
    return ipc::Error::ok;
}

// ---- Handlers --------------------------------------------------------------------------------

#define FS_BEGIN()                                                                                 \
    Caller caller;                                                                                 \
    uint8_t* buffer = nullptr;                                                                     \
    if (ipc::Error error_ = begin(from, &caller, &buffer); error_ != ipc::Error::ok)               \
        return error_;                                                                             \
    (void)buffer
#define FS_PATH(offset, length, out)                                                               \
    if (ipc::Error error_ = take_path(buffer, offset, length, out); error_ != ipc::Error::ok)      \
    return error_

ipc::Error Server::on_attach(axo_thread_id_t from, const file::AttachRequest&, file::AttachReply&) {
    auto attached = m_sessions.attach(from);
    if (attached.error != ipc::Error::ok) return attached.error;
    file::AttachReply reply{file::kBufferBytes};
    (void)ipc::send_session_buffer(m_sessions, from, attached, reply, AXO_FPAGE_RWX);
    return ipc::kNoReply;
}

ipc::Error Server::on_open(axo_thread_id_t from, const file::OpenRequest& request,
                           file::OpenReply& reply) {
    FS_BEGIN();
    FS_PATH(0, request.path_length, m_first);
    Handle handle = -1;
    if (ipc::Error error = m_vfs.open(caller, request.at, {m_first, request.path_length},
                                      request.flags, request.mode, &handle);
        error != ipc::Error::ok)
        return error;
    OpenDescription description;
    (void)m_vfs.describe(caller, handle, &description);
    if (description.kind == OpenKind::object && (description.mode & kModeTypeMask) == kModeFifo)
        if (ipc::Error error = open_fifo(from, caller, handle, description);
            error != ipc::Error::ok)
            return error;
    reply.handle = handle;
    reply.kind = description.kind == OpenKind::file        ? file::kKindFile
                 : description.kind == OpenKind::directory ? file::kKindDirectory
                                                           : file::kKindObject;
    reply.mode = description.mode;
    reply.device = description.device;
    return ipc::Error::ok;
}

ipc::Error Server::on_close(axo_thread_id_t from, const file::CloseRequest& request, ipc::Empty&) {
    FS_BEGIN();
    OpenDescription description;
    const bool open = m_vfs.describe(caller, request.handle, &description) == ipc::Error::ok;
    ipc::Error error = m_vfs.close(caller, request.handle);
    settle_pipes(); // a pipe's last reader or writer may have gone
    // POSIX: closing any descriptor of a file releases the process's record locks on it.
    if (open && error == ipc::Error::ok)
        release_locks(caller.pid, description);
    else
        settle_locks();
    return error;
}

ipc::Error Server::on_dup(axo_thread_id_t from, const file::DupRequest& request,
                          file::HandleReply& reply) {
    FS_BEGIN();
    return m_vfs.duplicate(caller, request.handle, &reply.handle);
}

ipc::Error Server::on_get_flags(axo_thread_id_t from, const file::GetFlagsRequest& request,
                                file::FlagsReply& reply) {
    FS_BEGIN();
    return m_vfs.get_flags(caller, request.handle, &reply.flags);
}

ipc::Error Server::on_set_flags(axo_thread_id_t from, const file::SetFlagsRequest& request,
                                ipc::Empty&) {
    FS_BEGIN();
    return m_vfs.set_flags(caller, request.handle, request.flags);
}

ipc::Error Server::on_read(axo_thread_id_t from, const file::ReadRequest& request,
                           file::CountReply& reply) {
    FS_BEGIN();
    if (request.count > file::kBufferBytes) return ipc::Error::bad_message;
    OpenDescription description;
    if (m_vfs.describe(caller, request.handle, &description) == ipc::Error::ok &&
        description.kind == OpenKind::object)
        return read_object(from, caller, description, {buffer, request.count}, reply);
    // A file mapped shared reads the mapping's bytes (servers/fs/pager/README.md).
    uint32_t mapped = m_mapper.mapped(caller, request.handle);
    uint64_t at = mapped == FileMaps::kNone ? 0 : m_mapper.position(caller, request.handle);
    ipc::Error error = m_vfs.read(caller, request.handle, {buffer, request.count}, &reply.count);
    if (error == ipc::Error::ok && mapped != FileMaps::kNone)
        m_mapper.overlay(mapped, at, {buffer, reply.count});
    return error;
}

ipc::Error Server::on_write(axo_thread_id_t from, const file::WriteRequest& request,
                            file::CountReply& reply) {
    FS_BEGIN();
    if (request.count > file::kBufferBytes) return ipc::Error::bad_message;
    // The file system copies from the buffer; what the client changes meanwhile is its loss.
    OpenDescription description;
    if (m_vfs.describe(caller, request.handle, &description) == ipc::Error::ok &&
        description.kind == OpenKind::object)
        return write_object(from, caller, description, {buffer, request.count}, reply);
    ipc::Error error = m_vfs.write(caller, request.handle, {buffer, request.count}, &reply.count);
    if (uint32_t mapped = m_mapper.mapped(caller, request.handle);
        error == ipc::Error::ok && mapped != FileMaps::kNone)
        m_mapper.absorb(mapped, m_mapper.position(caller, request.handle) - reply.count,
                        {buffer, reply.count});
    return error;
}

ipc::Error Server::on_pread(axo_thread_id_t from, const file::PreadRequest& request,
                            file::CountReply& reply) {
    FS_BEGIN();
    if (request.count > file::kBufferBytes) return ipc::Error::bad_message;
    uint64_t at = file::join(request.offset_low, request.offset_high);
    ipc::Error error =
        m_vfs.pread(caller, request.handle, at, {buffer, request.count}, &reply.count);
    if (uint32_t mapped = m_mapper.mapped(caller, request.handle);
        error == ipc::Error::ok && mapped != FileMaps::kNone)
        m_mapper.overlay(mapped, at, {buffer, reply.count});
    return error;
}

ipc::Error Server::on_pwrite(axo_thread_id_t from, const file::PwriteRequest& request,
                             file::CountReply& reply) {
    FS_BEGIN();
    if (request.count > file::kBufferBytes) return ipc::Error::bad_message;
    uint64_t at = file::join(request.offset_low, request.offset_high);
    ipc::Error error =
        m_vfs.pwrite(caller, request.handle, at, {buffer, request.count}, &reply.count);
    if (uint32_t mapped = m_mapper.mapped(caller, request.handle);
        error == ipc::Error::ok && mapped != FileMaps::kNone)
        m_mapper.absorb(mapped, at, {buffer, reply.count});
    return error;
}

ipc::Error Server::on_seek(axo_thread_id_t from, const file::SeekRequest& request,
                           file::SeekReply& reply) {
    FS_BEGIN();
    if (request.whence > AXO_FILE_SEEK_END) return ipc::Error::invalid_argument;
    uint64_t position = 0;
    if (ipc::Error error =
            m_vfs.seek(caller, request.handle,
                       static_cast<int64_t>(file::join(request.offset_low, request.offset_high)),
                       static_cast<Whence>(request.whence), &position);
        error != ipc::Error::ok)
        return error;
    reply.offset_low = file::low(position);
    reply.offset_high = file::high(position);
    return ipc::Error::ok;
}

ipc::Error Server::on_readdir(axo_thread_id_t from, const file::ReaddirRequest& request,
                              file::ReaddirReply& reply) {
    FS_BEGIN();
    if (request.max_bytes > file::kBufferBytes) return ipc::Error::bad_message;
    if (request.max_bytes < file::kReaddirMinBytes) return ipc::Error::invalid_argument;
    RecordSink sink(buffer, request.max_bytes);
    if (ipc::Error error = m_vfs.read_directory(caller, request.handle, sink);
        error != ipc::Error::ok)
        return error;
    reply.count = sink.count();
    reply.bytes = sink.used();
    return ipc::Error::ok;
}

ipc::Error Server::on_fsync(axo_thread_id_t from, const file::FsyncRequest& request, ipc::Empty&) {
    FS_BEGIN();
    m_mapper.flush(caller, request.handle);
    return m_vfs.fsync(caller, request.handle);
}

ipc::Error Server::on_sync(axo_thread_id_t from, const file::SyncRequest&, ipc::Empty&) {
    FS_BEGIN();
    return m_vfs.sync();
}

ipc::Error Server::on_shutdown(axo_thread_id_t from, const file::ShutdownRequest&, ipc::Empty&) {
    FS_BEGIN();
    if (caller.credentials.uid != 0) return ipc::Error::no_permission;
    ipc::Error error = m_vfs.sync();
    if (m_stop != nullptr)
        if (Error stopped = m_stop(); stopped != Error::ok) error = stopped;
    if (error != ipc::Error::ok) {
        rt_printf("fs: shutdown: the disk could not be written (%s): it stays not clean\n",
                  ipc::error_name(error));
        return error;
    }
    if (!m_stopped)
        rt_printf("fs: shutdown: everything written, the disk is clean; read-only from now on\n");
    m_stopped = true;
    return ipc::Error::ok;
}

ipc::Error Server::on_stat(axo_thread_id_t from, const file::StatRequest& request,
                           file::Stat& reply) {
    FS_BEGIN();
    FS_PATH(0, request.path_length, m_first);
    Attributes attributes;
    uint32_t mount = 0;
    if (ipc::Error error =
            m_vfs.stat(caller, request.at, {m_first, request.path_length},
                       (request.flags & AXO_FILE_NOFOLLOW) == 0, &attributes, &mount);
        error != ipc::Error::ok)
        return error;
    reply = stat_of(mount, attributes);
    return ipc::Error::ok;
}

ipc::Error Server::on_fstat(axo_thread_id_t from, const file::FstatRequest& request,
                            file::Stat& reply) {
    FS_BEGIN();
    Attributes attributes;
    if (ipc::Error error = m_vfs.fstat(caller, request.handle, &attributes);
        error != ipc::Error::ok)
        return error;
    OpenDescription description;
    (void)m_vfs.describe(caller, request.handle, &description);
    reply = stat_of(description.node.mount, attributes);
    return ipc::Error::ok;
}

ipc::Error Server::on_access(axo_thread_id_t from, const file::AccessRequest& request,
                             ipc::Empty&) {
    FS_BEGIN();
    FS_PATH(0, request.path_length, m_first);
    return m_vfs.access(caller, request.at, {m_first, request.path_length}, request.mode,
                        (request.flags & AXO_FILE_EFFECTIVE_IDS) != 0);
}

ipc::Error Server::on_truncate(axo_thread_id_t from, const file::TruncateRequest& request,
                               ipc::Empty&) {
    FS_BEGIN();
    FS_PATH(0, request.path_length, m_first);
    ipc::Error error = m_vfs.truncate(caller, request.at, {m_first, request.path_length},
                                      file::join(request.size_low, request.size_high));
    if (error == ipc::Error::ok) m_mapper.truncated();
    return error;
}

ipc::Error Server::on_ftruncate(axo_thread_id_t from, const file::FtruncateRequest& request,
                                ipc::Empty&) {
    FS_BEGIN();
    ipc::Error error =
        m_vfs.ftruncate(caller, request.handle, file::join(request.size_low, request.size_high));
    if (error == ipc::Error::ok) m_mapper.truncated();
    return error;
}

ipc::Error Server::on_chmod(axo_thread_id_t from, const file::ChmodRequest& request, ipc::Empty&) {
    FS_BEGIN();
    FS_PATH(0, request.path_length, m_first);
    return m_vfs.chmod(caller, request.at, {m_first, request.path_length}, request.mode,
                       (request.flags & AXO_FILE_NOFOLLOW) == 0);
}

ipc::Error Server::on_fchmod(axo_thread_id_t from, const file::FchmodRequest& request,
                             ipc::Empty&) {
    FS_BEGIN();
    return m_vfs.fchmod(caller, request.handle, request.mode);
}

ipc::Error Server::on_chown(axo_thread_id_t from, const file::ChownRequest& request, ipc::Empty&) {
    FS_BEGIN();
    FS_PATH(0, request.path_length, m_first);
    return m_vfs.chown(caller, request.at, {m_first, request.path_length}, request.uid, request.gid,
                       (request.flags & AXO_FILE_NOFOLLOW) == 0);
}

ipc::Error Server::on_fchown(axo_thread_id_t from, const file::FchownRequest& request,
                             ipc::Empty&) {
    FS_BEGIN();
    return m_vfs.fchown(caller, request.handle, request.uid, request.gid);
}

ipc::Error Server::on_utimes(axo_thread_id_t from, const file::UtimesRequest& request,
                             ipc::Empty&) {
    FS_BEGIN();
    FS_PATH(0, request.path_length, m_first);
    Timestamp times[2];
    times_of(request.times, times);
    return m_vfs.utimes(caller, request.at, {m_first, request.path_length},
                        (request.flags & AXO_FILE_TIMES_NOW) != 0 ? nullptr : times,
                        (request.flags & AXO_FILE_NOFOLLOW) == 0);
}

ipc::Error Server::on_futimes(axo_thread_id_t from, const file::FutimesRequest& request,
                              ipc::Empty&) {
    FS_BEGIN();
    Timestamp times[2];
    times_of(request.times, times);
    return m_vfs.futimes(caller, request.handle,
                         (request.flags & AXO_FILE_TIMES_NOW) != 0 ? nullptr : times);
}

ipc::Error Server::on_statfs(axo_thread_id_t from, const file::StatfsRequest& request,
                             file::StatfsReply& reply) {
    FS_BEGIN();
    FS_PATH(0, request.path_length, m_first);
    FileSystemStatistics statistics;
    if (ipc::Error error =
            m_vfs.statfs(caller, request.at, {m_first, request.path_length}, &statistics);
        error != ipc::Error::ok)
        return error;
    reply = statfs_of(statistics);
    return ipc::Error::ok;
}

// ---- Exec (servers/fs/pager/README.md) ---------------------------------------------------------

ipc::Error Server::on_exec(axo_thread_id_t from, const file::ExecObjectRequest& request,
                           file::ExecObjectReply& reply) {
    FS_BEGIN();
    if (request.client != AXO_NIL_THREAD) return ipc::Error::invalid_argument;
    return m_exec.object_for(caller, request.handle, reply);
}

ipc::Error Server::on_pager(axo_thread_id_t from, const file::PagerReadRequest& request,
                            ipc::Empty&) {
    return m_exec.read_page(from, request);
}

// ---- Shared file mappings (servers/fs/pager/README.md) -----------------------------------------

ipc::Error Server::on_map_object(axo_thread_id_t from, const file::MapObjectRequest& request,
                                 file::MapObjectReply& reply) {
    FS_BEGIN();
    return m_mapper.object_for(caller, from, request, reply);
}

ipc::Error Server::on_map_sync(axo_thread_id_t from, const file::MapSyncRequest& request,
                               ipc::Empty&) {
    FS_BEGIN();
    return m_mapper.sync(caller, request.object);
}

ipc::Error Server::on_map_release(axo_thread_id_t from, const file::MapReleaseRequest& request,
                                  ipc::Empty&) {
    FS_BEGIN();
    return m_mapper.release(caller, request.object);
}

ipc::Error Server::on_fstatfs(axo_thread_id_t from, const file::FstatfsRequest& request,
                              file::StatfsReply& reply) {
    FS_BEGIN();
    FileSystemStatistics statistics;
    if (ipc::Error error = m_vfs.fstatfs(caller, request.handle, &statistics);
        error != ipc::Error::ok)
        return error;
    reply = statfs_of(statistics);
    return ipc::Error::ok;
}

ipc::Error Server::on_mkdir(axo_thread_id_t from, const file::MkdirRequest& request, ipc::Empty&) {
    FS_BEGIN();
    FS_PATH(0, request.path_length, m_first);
    return m_vfs.mkdir(caller, request.at, {m_first, request.path_length}, request.mode);
}

ipc::Error Server::on_rmdir(axo_thread_id_t from, const file::RmdirRequest& request, ipc::Empty&) {
    FS_BEGIN();
    FS_PATH(0, request.path_length, m_first);
    return m_vfs.rmdir(caller, request.at, {m_first, request.path_length});
}

ipc::Error Server::on_unlink(axo_thread_id_t from, const file::UnlinkRequest& request,
                             ipc::Empty&) {
    FS_BEGIN();
    FS_PATH(0, request.path_length, m_first);
    return m_vfs.unlink(caller, request.at, {m_first, request.path_length});
}

ipc::Error Server::on_rename(axo_thread_id_t from, const file::RenameRequest& request,
                             ipc::Empty&) {
    FS_BEGIN();
    FS_PATH(0, request.from_length, m_first);
    FS_PATH(request.from_length + 1, request.to_length, m_second);
    return m_vfs.rename(caller, request.from_at, {m_first, request.from_length}, request.to_at,
                        {m_second, request.to_length});
}

ipc::Error Server::on_link(axo_thread_id_t from, const file::LinkRequest& request, ipc::Empty&) {
    FS_BEGIN();
    FS_PATH(0, request.from_length, m_first);
    FS_PATH(request.from_length + 1, request.to_length, m_second);
    return m_vfs.link(caller, request.from_at, {m_first, request.from_length}, request.to_at,
                      {m_second, request.to_length}, (request.flags & AXO_FILE_FOLLOW_LINK) != 0);
}

ipc::Error Server::on_symlink(axo_thread_id_t from, const file::SymlinkRequest& request,
                              ipc::Empty&) {
    FS_BEGIN();
    FS_PATH(0, request.target_length, m_first);
    FS_PATH(request.target_length + 1, request.path_length, m_second);
    return m_vfs.symlink(caller, {m_first, request.target_length}, request.at,
                         {m_second, request.path_length});
}

ipc::Error Server::on_readlink(axo_thread_id_t from, const file::ReadlinkRequest& request,
                               file::CountReply& reply) {
    FS_BEGIN();
    FS_PATH(0, request.path_length, m_first);
    return m_vfs.readlink(caller, request.at, {m_first, request.path_length},
                          {reinterpret_cast<char*>(buffer), file::kBufferBytes}, &reply.count);
}

ipc::Error Server::on_mknod(axo_thread_id_t from, const file::MknodRequest& request, ipc::Empty&) {
    FS_BEGIN();
    FS_PATH(0, request.path_length, m_first);
    return m_vfs.mknod(caller, request.at, {m_first, request.path_length}, request.mode,
                       request.device);
}

ipc::Error Server::on_chdir(axo_thread_id_t from, const file::ChdirRequest& request, ipc::Empty&) {
    FS_BEGIN();
    FS_PATH(0, request.path_length, m_first);
    return m_vfs.chdir(caller, request.at, {m_first, request.path_length});
}

ipc::Error Server::on_fchdir(axo_thread_id_t from, const file::FchdirRequest& request,
                             ipc::Empty&) {
    FS_BEGIN();
    return m_vfs.fchdir(caller, request.handle);
}

ipc::Error Server::on_getcwd(axo_thread_id_t from, const file::GetcwdRequest&,
                             file::CountReply& reply) {
    FS_BEGIN();
    if (ipc::Error error = m_vfs.getcwd(caller, {m_first, kPathMax}, &reply.count);
        error != ipc::Error::ok)
        return error;
    __builtin_memcpy(buffer, m_first, reply.count + 1);
    return ipc::Error::ok;
}

} // namespace fs
