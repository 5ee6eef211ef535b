// fs's IPC edge for mounts at run time and for its counters (README.md, "Mounts"):
// kFileMount takes a file system from the MountSources (a fresh tmpfs, or the ext2 on a block
// device named by its node in /dev) and puts it on a directory through the Vfs; kFileUmount
// takes it off again once nothing inside is in use and gives it back (ext2: unmounted clean);
// kFileStatistics reports the block caches' and the tables' counts.
#include "servers/fs/server.h"

#include "rt/rt.h"

namespace fs {

ipc::Error Server::on_mount(axo_thread_id_t from, const file::MountRequest& request, ipc::Empty&) {
    Caller caller;
    uint8_t* buffer = nullptr;
    if (ipc::Error error = begin(from, &caller, &buffer); error != ipc::Error::ok) return error;
    if (ipc::Error error = take_path(buffer, 0, request.target_length, m_first);
        error != ipc::Error::ok)
        return error;
    if (ipc::Error error =
            take_path(buffer, request.target_length + 1, request.source_length, m_second);
        error != ipc::Error::ok)
        return error;
    // Root only, checked before anything is taken (the Vfs checks again).
    if (caller.credentials.uid != 0) return Error::no_permission;
    if ((request.flags & ~AXO_FILE_MOUNT_READ_ONLY) != 0) return Error::invalid_argument;
    if (request.type != AXO_FILE_MOUNT_TMPFS && request.type != AXO_FILE_MOUNT_EXT2)
        return Error::invalid_argument;
    if (m_stopped) return Error::read_only; // after shutdown nothing changes any more
    if (m_sources == nullptr) return Error::no_space;
    uint32_t device = 0;
    if (request.type == AXO_FILE_MOUNT_EXT2) {
        // The source is a block device node, looked up with the caller's rights.
        Attributes attributes;
        if (Error error =
                m_vfs.stat(caller, kAtCwd, {m_second, request.source_length}, true, &attributes);
            error != Error::ok)
            return error;
        if ((attributes.mode & kModeTypeMask) != kModeBlockDevice) return Error::no_device;
        device = attributes.device;
    }
    bool read_only = (request.flags & AXO_FILE_MOUNT_READ_ONLY) != 0;
    FileSystem* file_system = nullptr;
    if (Error error = m_sources->take(request.type, device, read_only, &file_system);
        error != Error::ok)
        return error;
    Error error = m_vfs.mount(caller, {m_first, request.target_length}, *file_system, read_only);
    if (error != Error::ok) {
        Error ignored;
        (void)m_sources->give_back(file_system, &ignored);
    }
    return error;
}

ipc::Error Server::on_umount(axo_thread_id_t from, const file::UmountRequest& request,
                             ipc::Empty&) {
    Caller caller;
    uint8_t* buffer = nullptr;
    if (ipc::Error error = begin(from, &caller, &buffer); error != ipc::Error::ok) return error;
    if (ipc::Error error = take_path(buffer, 0, request.path_length, m_first);
        error != ipc::Error::ok)
        return error;
    if (caller.credentials.uid != 0) return Error::no_permission;
    if (request.flags != 0) return Error::invalid_argument;
    // Mapped files of the mount are written back first; their objects hold descriptions, so a
    // file still mapped keeps the mount busy.
    FileSystem* unmounted = nullptr;
    if (Error error = m_vfs.umount(caller, {m_first, request.path_length}, &unmounted);
        error != Error::ok)
        return error;
    Error finished = Error::ok;
    if (m_sources != nullptr && m_sources->give_back(unmounted, &finished) && finished != Error::ok)
        rt_printf("fs: umount %s: the file system could not be written (%s)\n", m_first,
                  ipc::error_name(finished));
    return finished;
}

ipc::Error Server::on_statistics(axo_thread_id_t from, const file::StatisticsRequest&,
                                 file::StatisticsReply& reply) {
    Caller caller;
    uint8_t* buffer = nullptr;
    if (ipc::Error error = begin(from, &caller, &buffer); error != ipc::Error::ok) return error;
    BlockCacheStatistics total;
    const BlockCache* caches[] = {m_root_cache,
                                  m_sources != nullptr ? &m_sources->disk_cache() : nullptr};
    for (const BlockCache* cache : caches) {
        if (cache == nullptr) continue;
        BlockCacheStatistics s = cache->statistics();
        total.hits += s.hits;
        total.misses += s.misses;
        total.dirty += s.dirty;
        total.held += s.held;
    }
    reply = file::StatisticsReply{};
    reply.cache_hits_low = file::low(total.hits);
    reply.cache_hits_high = file::high(total.hits);
    reply.cache_misses_low = file::low(total.misses);
    reply.cache_misses_high = file::high(total.misses);
    reply.cache_blocks = total.held;
    reply.cache_dirty = total.dirty;
    reply.open_descriptions = m_vfs.open_descriptions();
    reply.open_files = m_vfs.open_files();
    reply.mounts = m_vfs.mounts();
    reply.processes = m_vfs.processes();
    return ipc::Error::ok;
}

} // namespace fs
