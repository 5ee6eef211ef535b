// The part of fs's IPC edge (server.h) that serves pipes, FIFOs and devfs's devices: pipe(),
// reads and writes routed by the description's kind, the FIFO open rendezvous, and the parked
// requests (lib/ipc's PendingRequests) that the pipe logic (pipe/pipe.h) answers later. README.md
// "Pipes, FIFOs and devices" has the rules.
#include "servers/fs/server.h"

#include "rt/rt.h"

#include "interfaces/process/client.h"
#include "lib/ipc/kernel.h"
#include "lib/names/names.h"

namespace fs {

namespace {

constexpr axo_timeout_t kProcTimeout = axo_timeout_us(2000000);
constexpr uint32_t kSignalPipe = 13; // SIGPIPE, newlib's number (interfaces/process: BSD's)
// A request whose session is gone: the client attaches again (server.cc's kNoSession).
constexpr ipc::Error kNoSession = ipc::Error::bad_message;

ipc::KernelTransport g_pipe_transport;

bool is_fifo(uint32_t mode) {
    return (mode & kModeTypeMask) == kModeFifo;
}
bool nonblocking(const OpenDescription& description) {
    return (description.flags & kOpenNonBlocking) != 0;
}
uint32_t access_of(const OpenDescription& description) {
    return description.flags & kOpenAccessMask;
}

} // namespace

void Server::serve_pipes(uint8_t* rings) {
    m_rings = rings;
    m_vfs.set_observer(this);
    m_pending.set_liveness(ipc::kernel_liveness());
    m_lock_waits.set_liveness(ipc::kernel_liveness());
}

bool Server::anyone_waits() const {
    // A parked request may wait for a process to end (a writer that exits without closing), and
    // so may a lock wait or a poll.
    return !m_pending.empty() || !m_lock_waits.empty() || m_readiness.anyone_registered();
}

int32_t Server::take_pipe_slot() {
    if (m_rings == nullptr) return -1;
    for (uint32_t i = 0; i < kPipes; ++i) {
        if (m_pipes[i].used) continue;
        m_pipes[i].pipe.reset({m_rings + i * kPipeCapacity, kPipeCapacity});
        m_pipes[i].used = true;
        ++m_pipes_used;
        m_pipes[i].fifo = false;
        m_pipes[i].node = Node{};
        m_pipes[i].pipe.watch(&m_readiness, pipe_object(i, PipeEnd::read),
                              pipe_object(i, PipeEnd::write));
        return static_cast<int32_t>(i);
    }
    return -1;
}

void Server::send_sigpipe(uint32_t pid) {
    if (pid == 0) return;
    ipc::Error error = proc::client::kill(g_pipe_transport, names::proc_thread(),
                                          static_cast<int32_t>(pid), kSignalPipe, kProcTimeout);
    if (error != ipc::Error::ok && error != ipc::Error::not_found)
        rt_printf("fs: SIGPIPE to %u refused (%s)\n", static_cast<unsigned>(pid),
                  ipc::error_name(error));
}

// ---- The description observer and the request hook ------------------------------------------

void Server::released(const OpenDescription& description) {
    if (description.description >= kMaxOpenFiles) return;
    // flock's lock goes with the description (its waiters are answered by the handler).
    (void)m_flocks.release_owner(kFlockOwner | description.description);
    PipeEnds& ends = m_ends[description.description];
    if (ends.pipe != 0) {
        Pipe& pipe = m_pipes[ends.pipe - 1].pipe;
        if (ends.read) pipe.close_end(PipeEnd::read);
        if (ends.write) pipe.close_end(PipeEnd::write);
    }
    ends = PipeEnds{};
    // The wakes this causes go out from the handler (settle_pipes): the Vfs is mid-call here.
}

void Server::abandon(ipc::PendingTicket ticket, const PipeWait& wait) {
    if (wait.pipe < kPipes) (void)m_pipes[wait.pipe].pipe.drop(ticket);
    if (wait.kind != PipeWait::Kind::open) return;
    // The dropped open closed its end in the pipe; the handle made for it goes too, without
    // closing that end a second time.
    if (wait.description < kMaxOpenFiles) m_ends[wait.description] = PipeEnds{};
    Caller owner;
    owner.pid = wait.pid;
    (void)m_vfs.close(owner, wait.handle);
}

void Server::on_request(Server& server, axo_thread_id_t from) {
    (void)server.m_lock_waits.cancel(from); // its F_SETLKW or flock wait, if any
    auto* entry = server.m_pending.find(from);
    if (entry == nullptr) return;
    const ipc::PendingTicket ticket = entry->ticket;
    const PipeWait wait = entry->payload;
    (void)server.m_pending.cancel(from);
    server.abandon(ticket, wait);
    // The others' wakes go out once the request was read (begin → settle_pipes).
}

void Server::abandon_process(uint32_t pid) {
    for (uint32_t i = 0; i < m_pending.count();) {
        const auto& entry = m_pending.at(i);
        if (entry.payload.pid != pid) {
            ++i;
            continue;
        }
        const ipc::PendingTicket ticket = entry.ticket;
        const PipeWait wait = entry.payload;
        (void)m_pending.cancel(entry.client);
        abandon(ticket, wait);
    }
}

// ---- Waking ---------------------------------------------------------------------------------

void Server::settle_pipes() {
    // Most requests touch no pipe: with none in use nothing can be woken or freed, and only
    // what a process's exit ended in the readiness table may be due.
    if (m_pipes_used == 0) {
        if (m_readiness.has_notifications()) send_readiness();
        return;
    }
    auto buffer = [&](axo_thread_id_t client) -> std::span<uint8_t> {
        uint32_t slot = 0;
        if (m_sessions.find(client, &slot) == nullptr) return {};
        return {m_sessions.buffer(slot), file::kBufferBytes};
    };
    auto send = [&](axo_thread_id_t client, const PipeWake& wake, const PipeWait& wait) {
        if (wake.error != Error::ok) return ipc::send_error(client, wake.error);
        if (wait.kind == PipeWait::Kind::open)
            return ipc::send_reply(
                client, file::OpenReply{wait.handle, file::kKindObject, wait.mode, wait.device});
        // The buffer went back meanwhile (all sessions in use): nothing was moved; the client
        // attaches again and asks again.
        if (m_sessions.find(client) == nullptr) return ipc::send_error(client, kNoSession);
        return ipc::send_reply(client, file::CountReply{wake.count});
    };
    auto sigpipe = [&](axo_thread_id_t client) {
        Caller caller;
        if (identify(client, &caller) == ipc::Error::ok) send_sigpipe(caller.pid);
    };
    auto dropped = [&](const PipeWait& wait) {
        if (wait.kind != PipeWait::Kind::open) return;
        if (wait.description < kMaxOpenFiles) m_ends[wait.description] = PipeEnds{};
        Caller owner;
        owner.pid = wait.pid;
        (void)m_vfs.close(owner, wait.handle);
    };
    for (PipeSlot& slot : m_pipes) {
        if (!slot.used) continue;
        (void)answer_wakes(slot.pipe, m_pending, buffer, send, sigpipe, dropped);
    }
    for (uint32_t i = 0; i < kPipes; ++i) {
        if (!m_pipes[i].used || !m_pipes[i].pipe.unused()) continue;
        m_pipes[i].used = false;
        --m_pipes_used;
        (void)m_readiness.object_gone(pipe_object(i, PipeEnd::read));
        (void)m_readiness.object_gone(pipe_object(i, PipeEnd::write));
    }
    send_readiness(); // every change of a pipe's state came through here
}

// ---- Requests -------------------------------------------------------------------------------

ipc::Error Server::park(axo_thread_id_t from, const PipeWait& wait, uint32_t count, PipeEnd end) {
    ipc::PendingTicket ticket = ipc::kNoTicket;
    if (m_pending.defer(from, wait, &ticket) != ipc::Error::ok) return ipc::Error::busy;
    Pipe& pipe = m_pipes[wait.pipe].pipe;
    Error error = Error::ok;
    switch (wait.kind) {
    case PipeWait::Kind::read:
        error = pipe.park_read(ticket, count);
        break;
    case PipeWait::Kind::write:
        error = pipe.park_write(ticket, count);
        break;
    case PipeWait::Kind::open:
        error = pipe.park_open(ticket, end);
        break;
    }
    if (error != Error::ok) {
        (void)m_pending.cancel(from);
        return error;
    }
    return ipc::kNoReply;
}

ipc::Error Server::on_pipe(axo_thread_id_t from, const file::PipeRequest& request,
                           file::PipeReply& reply) {
    Caller caller;
    uint8_t* buffer = nullptr;
    if (ipc::Error error = begin(from, &caller, &buffer); error != ipc::Error::ok) return error;
    if ((request.flags & ~kOpenNonBlocking) != 0) return ipc::Error::invalid_argument;
    int32_t slot = take_pipe_slot();
    if (slot < 0) return ipc::Error::no_space;
    Handle read_end = -1, write_end = -1;
    if (ipc::Error error = m_vfs.open_pipe(caller, request.flags, static_cast<uint32_t>(slot),
                                           &read_end, &write_end);
        error != ipc::Error::ok) {
        m_pipes[slot].used = false;
        --m_pipes_used;
        return error;
    }
    Pipe& pipe = m_pipes[slot].pipe;
    pipe.open_end(PipeEnd::read);
    pipe.open_end(PipeEnd::write);
    OpenDescription r, w;
    (void)m_vfs.describe(caller, read_end, &r);
    (void)m_vfs.describe(caller, write_end, &w);
    m_ends[r.description] = PipeEnds{static_cast<uint8_t>(slot + 1), true, false};
    m_ends[w.description] = PipeEnds{static_cast<uint8_t>(slot + 1), false, true};
    reply.read_handle = read_end;
    reply.write_handle = write_end;
    return ipc::Error::ok;
}

ipc::Error Server::open_fifo(axo_thread_id_t from, const Caller& caller, Handle handle,
                             const OpenDescription& description) {
    int32_t slot = -1;
    for (uint32_t i = 0; i < kPipes; ++i)
        if (m_pipes[i].used && m_pipes[i].fifo && m_pipes[i].node == description.node)
            slot = static_cast<int32_t>(i);
    if (slot < 0) {
        slot = take_pipe_slot();
        if (slot < 0) {
            (void)m_vfs.close(caller, handle);
            return ipc::Error::no_space;
        }
        m_pipes[slot].fifo = true;
        m_pipes[slot].node = description.node;
    }
    Pipe& pipe = m_pipes[slot].pipe;
    PipeEnds& ends = m_ends[description.description];
    const uint8_t id = static_cast<uint8_t>(slot + 1);
    if (access_of(description) == kOpenReadWrite) {
        pipe.open_end(PipeEnd::read);
        pipe.open_end(PipeEnd::write);
        ends = PipeEnds{id, true, true};
        return ipc::Error::ok;
    }
    const PipeEnd end = access_of(description) == kOpenReadOnly ? PipeEnd::read : PipeEnd::write;
    PipeAnswer answer = pipe.open_fifo(end, nonblocking(description));
    if (answer.wait) {
        PipeWait wait{PipeWait::Kind::open, static_cast<uint8_t>(slot), handle,
                      caller.pid,           description.description,    description.mode,
                      description.device};
        ipc::Error parked = park(from, wait, 0, end);
        if (parked == ipc::kNoReply) {
            ends = PipeEnds{id, end == PipeEnd::read, end == PipeEnd::write};
            return parked;
        }
        answer.error = parked;
    }
    if (answer.error != Error::ok) {
        (void)m_vfs.close(caller, handle);
        settle_pipes();
        return answer.error;
    }
    ends = PipeEnds{id, end == PipeEnd::read, end == PipeEnd::write};
    settle_pipes(); // a partner's open that waited goes on now
    return ipc::Error::ok;
}

// ok if the description is a device devfs serves itself (null, zero, full, random); unsupported
// for any other object (the consoles' nodes, whose data libposix routes; mknod's elsewhere).
ipc::Error Server::served_device(const OpenDescription& description) {
    if (m_devfs == nullptr || m_vfs.file_system_of(description.node.mount) != m_devfs)
        return ipc::Error::unsupported;
    DeviceInfo info;
    if (Error error = m_devfs->device_of(description.node.inode, &info); error != Error::ok)
        return error;
    return info.kind == DeviceKind::routed ? ipc::Error::unsupported : ipc::Error::ok;
}

ipc::Error Server::read_object(axo_thread_id_t from, const Caller& caller,
                               const OpenDescription& description, std::span<uint8_t> buffer,
                               file::CountReply& reply) {
    reply.count = 0;
    if (description.anonymous || is_fifo(description.mode)) {
        const PipeEnds ends = m_ends[description.description];
        if (ends.pipe == 0 || !ends.read) return ipc::Error::bad_handle;
        Pipe& pipe = m_pipes[ends.pipe - 1].pipe;
        PipeAnswer answer = pipe.read(buffer, nonblocking(description));
        if (answer.wait) {
            PipeWait wait{PipeWait::Kind::read, static_cast<uint8_t>(ends.pipe - 1), -1,
                          caller.pid};
            return park(from, wait, static_cast<uint32_t>(buffer.size()));
        }
        reply.count = answer.count;
        settle_pipes(); // room for parked writers
        return answer.error;
    }
    if (access_of(description) == kOpenWriteOnly) return ipc::Error::bad_handle;
    if (ipc::Error error = served_device(description); error != ipc::Error::ok) return error;
    return m_devfs->read_device(description.node.inode, buffer, &reply.count);
}

ipc::Error Server::write_object(axo_thread_id_t from, const Caller& caller,
                                const OpenDescription& description, std::span<const uint8_t> data,
                                file::CountReply& reply) {
    reply.count = 0;
    if (description.anonymous || is_fifo(description.mode)) {
        const PipeEnds ends = m_ends[description.description];
        if (ends.pipe == 0 || !ends.write) return ipc::Error::bad_handle;
        Pipe& pipe = m_pipes[ends.pipe - 1].pipe;
        PipeAnswer answer = pipe.write(data, nonblocking(description));
        if (answer.wait) {
            PipeWait wait{PipeWait::Kind::write, static_cast<uint8_t>(ends.pipe - 1), -1,
                          caller.pid};
            return park(from, wait, static_cast<uint32_t>(data.size()));
        }
        if (answer.sigpipe) send_sigpipe(caller.pid);
        reply.count = answer.count;
        settle_pipes(); // bytes for parked readers
        return answer.error;
    }
    if (access_of(description) == kOpenReadOnly) return ipc::Error::bad_handle;
    if (ipc::Error error = served_device(description); error != ipc::Error::ok) return error;
    return m_devfs->write_device(description.node.inode, data, &reply.count);
}

} // namespace fs
