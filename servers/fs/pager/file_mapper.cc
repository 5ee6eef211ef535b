// Shared file mappings: file_mapper.h; README.md says how.
#include "servers/fs/pager/file_mapper.h"

#include "rt/rt.h"

#include "interfaces/mm/protocol.h"
#include "lib/ipc/kernel.h"
#include "servers/fs/vfs/permissions.h"

namespace fs {

namespace {

constexpr uint32_t kPage = 4096;
// Above this a file is not mapped (too_big): the object is fs's memory, charged to its quota.
constexpr uint64_t kMaxMappedBytes = 64u << 20;
// Calls to mm are bounded: a broken mm fails a request, never hangs fs.
constexpr axo_timeout_t kCallTimeout = axo_timeout_us(2000000);

const Caller kMapperCaller{FileMapper::kMapperPid, Credentials{}};

axo_thread_id_t mm_thread() {
    return axo_my_utcb()->pager; // every thread of fs has mm as its pager when mm runs
}

uint8_t* bytes_at(uint32_t address) {
    return reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(address));
}

} // namespace

ipc::Error FileMapper::object_for(const Caller& caller, axo_thread_id_t from,
                                  const file::MapObjectRequest& request,
                                  file::MapObjectReply& reply) {
    if (request.writable > 1) return ipc::Error::invalid_argument;
    OpenDescription d;
    if (Error e = m_vfs.describe(caller, request.handle, &d); e != Error::ok) return e;
    if (d.kind == OpenKind::directory) return Error::is_directory;
    Attributes attributes;
    if (Error e = m_vfs.fstat(caller, request.handle, &attributes); e != Error::ok) return e;
    if (d.kind != OpenKind::file || !is_regular(attributes.mode)) return Error::unsupported;
    uint32_t access = d.flags & kOpenAccessMask;
    if (access == kOpenWriteOnly || (request.writable != 0 && access != kOpenReadWrite))
        return Error::access_denied;
    if (attributes.size > kMaxMappedBytes) return Error::too_big;
    axo_thread_id_t mm = mm_thread();
    if (mm == AXO_NIL_THREAD || mm == rt_kip()->root_task) return Error::unsupported;

    uint32_t index = m_maps.find(d.node);
    if (index == FileMaps::kNone) {
        index = m_maps.free_entry();
        if (index == FileMaps::kNone) return Error::no_space;
        uint32_t size = static_cast<uint32_t>((attributes.size + kPage - 1) & ~uint64_t{kPage - 1});
        if (size == 0) size = kPage;
        FileMaps::Entry entry;
        entry.node = d.node;
        entry.size = size;
        entry.writable = request.writable != 0;
        if (Error e = m_vfs.reopen(caller, request.handle, kMapperPid,
                                   entry.writable ? kOpenReadWrite : kOpenReadOnly, &entry.handle);
            e != Error::ok)
            return e;
        // The object is a shared region of fs's own: fs reads and writes its bytes directly,
        // and every client that maps it sees the same frames.
        mm::RegionCreateReply created{};
        ipc::Error e =
            ipc::call(mm,
                      mm::RegionCreateRequest{AXO_NIL_THREAD, 0, size, AXO_FPAGE_R | AXO_FPAGE_W,
                                              mm::kRegionShared, 0, 0, AXO_NIL_THREAD, 0},
                      created, kCallTimeout);
        if (e != ipc::Error::ok) {
            (void)m_vfs.close(kMapperCaller, entry.handle);
            return e == ipc::Error::no_space ? ipc::Error::no_memory : e;
        }
        entry.object = created.object;
        entry.address = created.address;
        uint32_t done = 0;
        for (uint32_t at = 0; at < size; at += done) {
            done = 0;
            Error read =
                m_vfs.pread(kMapperCaller, entry.handle, at,
                            std::span<uint8_t>(bytes_at(entry.address) + at, size - at), &done);
            if (read != Error::ok || done == 0) break; // the rest stays zero (mm's fill)
        }
        m_maps.add(index, entry);
        // An empty file's one page is beyond its end, as the pages past a file are.
        (void)set_limit(index, attributes.size);
    } else if (request.writable != 0 && !m_maps.at(index).writable) {
        // The first writer: fs's handle becomes read-write, for the write-back.
        Handle writer = 0;
        if (Error e = m_vfs.reopen(caller, request.handle, kMapperPid, kOpenReadWrite, &writer);
            e != Error::ok)
            return e;
        (void)m_vfs.close(kMapperCaller, m_maps.at(index).handle);
        m_maps.at(index).handle = writer;
        m_maps.at(index).writable = true;
    }
    const FileMaps::Entry& entry = m_maps.at(index);
    ipc::Empty empty;
    if (ipc::Error e =
            ipc::call(mm, mm::ObjectGrantRequest{entry.object, from}, empty, kCallTimeout);
        e != ipc::Error::ok) {
        if (m_maps.users(index) == 0) end(index);
        return e;
    }
    if (!m_maps.map(caller.pid, index)) {
        if (m_maps.users(index) == 0) end(index);
        return Error::no_space;
    }
    reply.object = entry.object;
    reply.size = entry.size;
    return ipc::Error::ok;
}

ipc::Error FileMapper::sync(const Caller& caller, uint32_t object) {
    uint32_t index = m_maps.find_object(object);
    if (index == FileMaps::kNone || !m_maps.maps(caller.pid, index)) return Error::not_found;
    write_back(index);
    return ipc::Error::ok;
}

ipc::Error FileMapper::release(const Caller& caller, uint32_t object) {
    uint32_t index = m_maps.find_object(object);
    if (index == FileMaps::kNone || !m_maps.maps(caller.pid, index)) return Error::not_found;
    write_back(index);
    if (m_maps.unmap(caller.pid, index)) end(index);
    return ipc::Error::ok;
}

uint32_t FileMapper::mapped(const Caller& caller, Handle handle) {
    OpenDescription d;
    if (m_vfs.describe(caller, handle, &d) != Error::ok || d.kind != OpenKind::file)
        return FileMaps::kNone;
    return m_maps.find(d.node);
}

uint64_t FileMapper::position(const Caller& caller, Handle handle) {
    uint64_t at = 0;
    (void)m_vfs.seek(caller, handle, 0, Whence::current, &at);
    return at;
}

void FileMapper::overlay(uint32_t index, uint64_t offset, std::span<uint8_t> bytes) const {
    uint32_t from = 0, to = 0;
    if (!m_maps.overlap(index, offset, static_cast<uint32_t>(bytes.size()), &from, &to)) return;
    memcpy(bytes.data(), bytes_at(m_maps.at(index).address) + from, to - from);
}

void FileMapper::absorb(uint32_t index, uint64_t offset, std::span<const uint8_t> bytes) {
    // The write grew the file: its pages come back first (if mm refuses, overlap stops short).
    if (offset + bytes.size() > m_maps.at(index).limit)
        (void)set_limit(index, offset + bytes.size());
    uint32_t from = 0, to = 0;
    if (!m_maps.overlap(index, offset, static_cast<uint32_t>(bytes.size()), &from, &to)) return;
    memcpy(bytes_at(m_maps.at(index).address) + from, bytes.data(), to - from);
}

void FileMapper::truncated() {
    for (uint32_t i = 0; i < FileMaps::kEntries; ++i) {
        const FileMaps::Entry& entry = m_maps.at(i);
        if (!entry.used) continue;
        Attributes attributes;
        if (m_vfs.fstat(kMapperCaller, entry.handle, &attributes) != Error::ok) continue;
        if (attributes.size < entry.limit) {
            // The rest of the end's page reads zero; the pages after it go (set_limit).
            uint32_t end = static_cast<uint32_t>(attributes.size);
            uint32_t page_end = (end + kPage - 1) & ~(kPage - 1);
            memset(bytes_at(entry.address) + end, 0, page_end - end);
        }
        (void)set_limit(i, attributes.size);
    }
}

bool FileMapper::set_limit(uint32_t index, uint64_t file_size) {
    FileMaps::Entry& entry = m_maps.at(index);
    uint64_t rounded = (file_size + kPage - 1) & ~uint64_t{kPage - 1};
    uint32_t limit = rounded < entry.size ? static_cast<uint32_t>(rounded) : entry.size;
    if (limit == entry.limit) return true;
    ipc::Empty empty;
    if (ipc::call(mm_thread(), mm::ObjectLimitRequest{entry.object, limit}, empty, kCallTimeout) !=
        ipc::Error::ok)
        return false;
    entry.limit = limit;
    return true;
}

void FileMapper::flush(const Caller& caller, Handle handle) {
    uint32_t index = mapped(caller, handle);
    if (index != FileMaps::kNone) write_back(index);
}

void FileMapper::exited(uint32_t pid) {
    uint32_t ended[FileMaps::kEntries], count = 0;
    m_maps.exit(pid, ended, &count);
    for (uint32_t i = 0; i < count; ++i) {
        write_back(ended[i]);
        end(ended[i]);
    }
}

// The object's bytes up to the file's size (a truncated file is not extended again), never past
// the limit (pages fs may not touch). Only a
// writable entry: nobody mapped a read-only one for writing.
void FileMapper::write_back(uint32_t index) {
    const FileMaps::Entry& entry = m_maps.at(index);
    if (!entry.used || !entry.writable) return;
    Attributes attributes;
    if (m_vfs.fstat(kMapperCaller, entry.handle, &attributes) != Error::ok) return;
    uint32_t size =
        attributes.size < entry.limit ? static_cast<uint32_t>(attributes.size) : entry.limit;
    uint32_t done = 0;
    for (uint32_t at = 0; at < size; at += done) {
        done = 0;
        if (m_vfs.pwrite(kMapperCaller, entry.handle, at,
                         std::span<const uint8_t>(bytes_at(entry.address) + at, size - at),
                         &done) != Error::ok ||
            done == 0) {
            rt_printf("fs: a mapped file's bytes were not all written back\n");
            return;
        }
    }
}

// fs's region goes (mm frees the object once no client maps it either), and its handle.
void FileMapper::end(uint32_t index) {
    const FileMaps::Entry& entry = m_maps.at(index);
    if (!entry.used) return;
    ipc::Empty empty;
    (void)ipc::call(mm_thread(), mm::UnmapRequest{AXO_NIL_THREAD, entry.address, entry.size}, empty,
                    kCallTimeout);
    (void)m_vfs.close(kMapperCaller, entry.handle);
    m_maps.remove(index);
}

} // namespace fs
