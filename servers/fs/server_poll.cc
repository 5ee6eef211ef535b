// The part of fs's IPC edge (server.h) that answers select and poll (interfaces/file
// kFilePoll): each handle's events now, and when none is ready a registration in the readiness
// table (lib/readiness) whose notification goes out once a pipe end it names changes. The
// protocol is lib/readiness/README.md's; README.md "Readiness" has fs's side.
#include "servers/fs/server.h"

#include "lib/ipc/kernel.h"

namespace fs {

namespace {

bool is_fifo(uint32_t mode) {
    return (mode & kModeTypeMask) == kModeFifo;
}

} // namespace

ReadinessObject Server::pipe_object(uint32_t slot, PipeEnd end) {
    return ReadinessObject{slot * 2 + (end == PipeEnd::read ? 1u : 2u)};
}

uint32_t Server::readiness_of(const Caller& caller, Handle handle, Interest* interests,
                              uint32_t wanted, uint32_t* added) {
    *added = 0;
    OpenDescription description;
    if (m_vfs.describe(caller, handle, &description) != ipc::Error::ok) return kPollNval;
    // Regular files and directories never block (POSIX: select on them is always true).
    if (description.kind != OpenKind::object) return kPollIn | kPollOut;
    if (description.anonymous || is_fifo(description.mode)) {
        const PipeEnds ends = m_ends[description.description];
        // A FIFO whose open still waits has no end yet: it cannot be polled by anyone.
        if (ends.pipe == 0) return kPollErr;
        const uint32_t slot = ends.pipe - 1u;
        const Pipe& pipe = m_pipes[slot].pipe;
        uint32_t events = 0;
        if (ends.read) {
            events |= pipe.poll(PipeEnd::read);
            interests[(*added)++] = Interest{pipe_object(slot, PipeEnd::read), wanted};
        }
        if (ends.write) {
            events |= pipe.poll(PipeEnd::write);
            interests[(*added)++] = Interest{pipe_object(slot, PipeEnd::write), wanted};
        }
        // An O_RDWR FIFO holds both ends: neither its hang-up nor its error can happen.
        if (ends.read && ends.write) events &= ~(kPollHup | kPollErr);
        return events;
    }
    // devfs's own devices never block; a routed device's data is not fs's (libposix routes it):
    // fs cannot tell, and says ready rather than leave a poller waiting for nobody.
    if (served_device(description) == ipc::Error::ok)
        return m_devfs->poll_device(description.node.inode);
    return kPollIn | kPollOut;
}

ipc::Error Server::on_poll(axo_thread_id_t from, const file::PollRequest& request,
                           file::PollReply& reply) {
    Caller caller;
    uint8_t* buffer = nullptr;
    if (ipc::Error error = begin(from, &caller, &buffer); error != ipc::Error::ok) return error;
    reply.ready = 0;
    if (request.bit > 31 || (request.flags & ~file::kPollWait) != 0 ||
        request.count > file::kPollMaxItems)
        return ipc::Error::invalid_argument;
    if (request.count == 0) {
        // Nothing to ask: the thread's registration ends (poll timed out or was interrupted).
        if (request.flags != 0) return ipc::Error::invalid_argument;
        (void)m_readiness.cancel(from);
        return ipc::Error::ok;
    }
    // Copied first: the client can change its buffer at any time.
    file::PollItem items[file::kPollMaxItems];
    __builtin_memcpy(items, buffer, request.count * sizeof(file::PollItem));
    // Filled up to interest_count only: raw storage, since an array of Interest would be
    // zeroed whole (1 KiB) on every request, most of which name one or a few handles.
    // Interest is an aggregate, so the assignments in readiness_of create its objects.
    alignas(Interest) unsigned char interest_storage[sizeof(Interest) * file::kPollMaxItems * 2];
    Interest* interests = reinterpret_cast<Interest*>(interest_storage);
    uint32_t interest_count = 0;
    for (uint32_t i = 0; i < request.count; ++i) {
        uint32_t added = 0;
        const uint32_t wanted = items[i].events;
        const uint32_t events =
            readiness_of(caller, items[i].handle, interests + interest_count, wanted, &added);
        interest_count += added;
        items[i].revents = static_cast<uint16_t>(poll_revents(wanted, events));
        if (items[i].revents != 0) ++reply.ready;
    }
    for (uint32_t i = 0; i < request.count; ++i)
        __builtin_memcpy(buffer + i * sizeof(file::PollItem) +
                             __builtin_offsetof(file::PollItem, revents),
                         &items[i].revents, sizeof items[i].revents);
    if (reply.ready != 0 || (request.flags & file::kPollWait) == 0 || interest_count == 0) {
        (void)m_readiness.cancel(from);
        return ipc::Error::ok;
    }
    // State and registration in one step of this single-threaded server: no change falls
    // between them, and one after the reply sets the bit, which waits in the thread's word.
    return m_readiness.arm(from, caller.pid, request.bit, {interests, interest_count});
}

void Server::send_readiness() {
    ReadinessNotification notification;
    while (m_readiness.take_notification(&notification))
        (void)axo_notify(notification.thread, notification.bits); // a thread gone: nothing to do
}

} // namespace fs
