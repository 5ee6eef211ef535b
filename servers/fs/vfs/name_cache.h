// What path resolution asks the file systems for most, kept in front of them (README.md, "Name
// cache"): (mount, directory, name) → the inode the name gives, or that it gives none (a
// negative entry); and a node's type, permissions, owner and device number — what the search
// permission of every directory walked, the symlink and directory checks of each component and
// open's permission check need. Plain C++, fixed direct-mapped tables, no allocation.
//
// It holds only while the Vfs sees every change: the Vfs clears it at every change of a name
// (create, mkdir, mknod, symlink, link, unlink, rmdir, rename), of a type, permission or owner
// (chmod, chown), and at mount and umount; file systems whose names change by themselves
// (procfs, devfs) are never cached (FileSystem::names_stable). An inode number can be reused
// only after its last name went and a create made a new one, both of which clear. clear() is
// O(1): every entry carries the generation it was made in and counts only while it matches.
#pragma once

#include <stdint.h>

#include <string_view>

#include "servers/fs/vfs/file_system.h"

namespace fs {

// The attributes permission checks and resolution need (no size or times: those change with
// every write and are always asked of the file system).
struct NodeAttributes {
    uint32_t mode = 0;
    uint32_t uid = 0;
    uint32_t gid = 0;
    uint32_t device = 0;
};

class NameCache {
public:
    static constexpr uint32_t kNames = 256;    // name entries (a power of two)
    static constexpr uint32_t kNodes = 128;    // attribute entries (a power of two)
    static constexpr uint32_t kNameBytes = 48; // longer names are looked up every time

    enum class Found : uint8_t {
        unknown, // not cached: ask the file system
        present, // the name gives *out
        absent,  // the name gives nothing (not_found)
    };

    Found find(uint32_t mount, InodeNumber directory, std::string_view name, InodeNumber* out);
    // `child` invalid: the name gives nothing.
    void remember(uint32_t mount, InodeNumber directory, std::string_view name, InodeNumber child);

    bool find_attributes(uint32_t mount, InodeNumber inode, NodeAttributes* out);
    void remember_attributes(uint32_t mount, InodeNumber inode, const NodeAttributes& attributes);

    // Forgets everything.
    void clear();

    // Lookups of either kind answered from the cache, and those that were not.
    uint32_t hits() const { return m_hits; }
    uint32_t misses() const { return m_misses; }

private:
    struct NameEntry {
        uint32_t generation = 0; // 0: never used
        uint32_t mount = 0;
        uint32_t directory = 0;
        uint32_t child = 0; // 0: absent
        uint32_t length = 0;
        char name[kNameBytes];
    };
    struct NodeEntry {
        uint32_t generation = 0;
        uint32_t mount = 0;
        uint32_t inode = 0;
        NodeAttributes attributes;
    };
    static uint32_t name_slot(uint32_t mount, InodeNumber directory, std::string_view name);
    static uint32_t node_slot(uint32_t mount, InodeNumber inode);

    uint32_t m_generation = 1;
    uint32_t m_hits = 0;
    uint32_t m_misses = 0;
    NameEntry m_names[kNames];
    NodeEntry m_nodes[kNodes];
};

} // namespace fs
