// Shared file mappings (README.md, "Shared file mappings"): kFileMapObject, kFileMapSync and
// kFileMapRelease, the write-back of a mapped file's bytes, and the coherence of read, write
// and truncate with them. The bookkeeping is FileMaps' (file_maps.h, host-tested); this is the
// edge to mm and the Vfs. Main thread only, like the Vfs.
#pragma once

#include <stdint.h>

#include <span>

#include "axolotl/abi.h"
#include "interfaces/file/protocol.h"
#include "servers/fs/pager/file_maps.h"
#include "servers/fs/vfs/vfs.h"

namespace fs {

class FileMapper {
public:
    // fs's own "process" in the Vfs: the handles that keep mapped files open (never a pid).
    static constexpr uint32_t kMapperPid = 0xFFFFFFFDu;

    explicit FileMapper(Vfs& vfs) : m_vfs(vfs) {}

    // kFileMapObject for `caller`, whose thread `from` asked.
    ipc::Error object_for(const Caller& caller, axo_thread_id_t from,
                          const file::MapObjectRequest& request, file::MapObjectReply& reply);
    ipc::Error sync(const Caller& caller, uint32_t object);
    ipc::Error release(const Caller& caller, uint32_t object);

    // Coherence. The entry of the file `handle` names if it is mapped (FileMaps::kNone if not);
    // the bytes read from it at `offset` take the mapping's, bytes written go into it.
    uint32_t mapped(const Caller& caller, Handle handle);
    uint64_t position(const Caller& caller, Handle handle);
    void overlay(uint32_t index, uint64_t offset, std::span<uint8_t> bytes) const;
    void absorb(uint32_t index, uint64_t offset, std::span<const uint8_t> bytes);
    // After a truncation: every mapped file's bytes past its end are zero, and its object's
    // pages past the page of its end gone (mm's limit: a touch there is SIGBUS); a file that
    // grew gets them back, zero.
    void truncated();
    // Before fsync of `handle`: the mapping's bytes go to the file.
    void flush(const Caller& caller, Handle handle);

    // proc's events (server.cc's poll_events and resync).
    void forked(uint32_t parent, uint32_t child) { m_maps.fork(parent, child); }
    void exited(uint32_t pid);

    const FileMaps& maps() const { return m_maps; }

private:
    void write_back(uint32_t index);
    void end(uint32_t index);
    // mm's limit of the entry's object becomes `file_size` rounded up to a page (at most the
    // object's size); false if mm refused (the entry's limit stays).
    bool set_limit(uint32_t index, uint64_t file_size);

    Vfs& m_vfs;
    FileMaps m_maps;
};

} // namespace fs
