// Shared file mappings (README.md, "Shared file mappings"): which files have a shared mm object
// for mmap, where fs keeps it in its own space, and how many mappings of it each process has.
// Pure bookkeeping, tested on the host (tests/unit/fs_file_maps_test.cc); file_mapper.cc makes
// and ends the objects in mm and keeps their bytes coherent with the file.
//
// Every mmap of a file with MAP_SHARED is one use by the process (kFileMapObject), every munmap
// of one gives it back (kFileMapRelease); a fork's child has the parent's uses (mm shares
// shared regions with it), an exec or an exit drops all of the process's. An entry whose last
// use goes has ended: the server writes its bytes back and lets the object go.
#pragma once

#include <stdint.h>

#include "servers/fs/vfs/vfs.h"

namespace fs {

class FileMaps {
public:
    static constexpr uint32_t kEntries = 16; // files mapped shared at once
    static constexpr uint32_t kUses = 128;   // (process, file) pairs
    static constexpr uint32_t kNone = 0xFFFFFFFFu;

    struct Entry {
        bool used = false;
        Node node;
        uint32_t object = 0;  // mm's id of the shared object
        uint32_t address = 0; // where fs maps it in its own space
        uint32_t size = 0;    // bytes, page-aligned
        // Where mm ends the object's pages (kMmObjectLimit): the file's size rounded up to a
        // page, at most `size`. fs touches nothing past it (mm would refuse fs's own fault).
        uint32_t limit = 0;
        Handle handle = 0; // fs's own handle of the file (read-write when `writable`)
        bool writable = false;
    };

    uint32_t find(const Node& node) const;
    uint32_t find_object(uint32_t object) const;
    uint32_t free_entry() const;
    void add(uint32_t index, const Entry& entry);
    Entry& at(uint32_t index) { return m_entries[index]; }
    const Entry& at(uint32_t index) const { return m_entries[index]; }
    void remove(uint32_t index) { m_entries[index] = Entry{}; }

    // One more mapping of entry `index` by `pid`; false: the table of uses is full.
    bool map(uint32_t pid, uint32_t index);
    // Whether `pid` maps entry `index`.
    bool maps(uint32_t pid, uint32_t index) const;
    // One mapping fewer; true when that was the entry's last use anywhere (it has ended).
    bool unmap(uint32_t pid, uint32_t index);
    // proc's events. The entries that fell out of use are in `ended` (kEntries room, count
    // returned).
    void fork(uint32_t parent, uint32_t child);
    void exit(uint32_t pid, uint32_t* ended, uint32_t* count);
    uint32_t users(uint32_t index) const;

    // The part of [offset, offset + length) of the file that entry `index` holds, up to its
    // limit: true and [*from, *to) if any.
    bool overlap(uint32_t index, uint64_t offset, uint32_t length, uint32_t* from,
                 uint32_t* to) const;

private:
    struct Use {
        uint32_t pid = 0; // 0: free
        uint32_t entry = 0;
        uint32_t count = 0;
    };
    Use* use(uint32_t pid, uint32_t index, bool create);

    Entry m_entries[kEntries];
    Use m_uses[kUses];
};

} // namespace fs
