// fs as the pager of executables (README.md): which files have an mm object for exec, and which
// processes use each. Pure bookkeeping, tested on the host (tests/unit/fs_exec_objects_test.cc);
// server.cc makes and ends the objects in mm and follows proc's event stream into it.
//
// A process *asks* for a file's object (kFileExecObject) and then execs it at proc; proc's
// exec event says whether the new program is that object (the event's value, exec_event_value)
// or something else (a boot module, another file). So every process holds at most two uses:
// the file it runs and the file it asked for (pending until its next exec or its end). A fork
// gives the child the parent's running file (its image regions are the parent's, shared). An
// entry whose last use goes has ended: the server ends its mm object (mm frees it once no
// region maps it any more: the last process running it is gone already) and closes fs's own
// handle of the file, which kept the inode alive after an unlink.
#pragma once

#include <stdint.h>

#include "servers/fs/vfs/vfs.h"

namespace fs {

class ExecObjects {
public:
    static constexpr uint32_t kEntries = 32;    // files mapped for exec at once
    static constexpr uint32_t kProcesses = 320; // as many as proc's table
    static constexpr uint32_t kNone = 0xFFFFFFFFu;

    struct Entry {
        bool used = false;
        Node node;
        uint32_t object = 0;     // mm's id
        uint32_t size = 0;       // the file's size when the object was made (bytes)
        Handle handle = 0;       // fs's own read-only handle of the file (the pager's)
        uint32_t generation = 0; // in the cookie: a stale cookie never names a reused entry
        uint32_t users = 0;      // uses by processes (running or asked for)
    };

    // The cookie mm passes back with every fault of entry `index`, and its inverse (kNone if
    // the cookie names no live entry: the object of an entry that ended).
    uint32_t cookie(uint32_t index) const { return m_entries[index].generation << 8 | index; }
    uint32_t entry_of_cookie(uint32_t cookie) const;

    // The entry of a file, or kNone.
    uint32_t find(const Node& node) const;
    // Whether the file is mapped for exec: writes to it are text_busy.
    bool busy(const Node& node) const { return find(node) != kNone; }
    // A free entry for a new object (not yet used: add fills it), or kNone when all are taken.
    uint32_t free_entry() const;
    // Fills entry `index` (from free_entry) for `node`; no users yet.
    void add(uint32_t index, const Node& node, uint32_t object, uint32_t size, Handle handle);
    // The entry's object, once mm made it (add's cookie named the entry already).
    void add_object(uint32_t index, uint32_t object) { m_entries[index].object = object; }
    const Entry& at(uint32_t index) const { return m_entries[index]; }

    // `pid` asked for entry `index` (it replaces what it asked for before). The entries that
    // fell out of use are in `ended` (count returned): end them, then remove().
    // false: no room for another process (nothing changed).
    bool ask(uint32_t pid, uint32_t index, uint32_t* ended, uint32_t* count);
    // proc's events. `value` of an exec: exec_event_value() (interfaces/process) — which
    // object the new program maps, 0 for none (a boot module).
    void exec(uint32_t pid, uint32_t object, uint32_t* ended, uint32_t* count);
    void fork(uint32_t parent, uint32_t child, uint32_t* ended, uint32_t* count);
    void exit(uint32_t pid, uint32_t* ended, uint32_t* count);
    // The entry is free again (after its object was ended).
    void remove(uint32_t index);

    uint32_t entries_in_use() const;
    uint32_t running(uint32_t pid) const;
    uint32_t asked(uint32_t pid) const;

private:
    struct Process {
        uint32_t pid = 0; // 0: free
        uint32_t running = kNone;
        uint32_t asked = kNone;
    };
    Process* process(uint32_t pid, bool create);
    // Drops one use of entry `index` (kNone: nothing); adds it to ended if that was the last.
    void drop(uint32_t index, uint32_t* ended, uint32_t* count);
    void tidy(Process& p) {
        if (p.running == kNone && p.asked == kNone) p = Process{};
    }

    Entry m_entries[kEntries];
    Process m_processes[kProcesses];
};

} // namespace fs
