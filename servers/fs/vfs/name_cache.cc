#include "servers/fs/vfs/name_cache.h"

#include <string.h>

namespace fs {

namespace {

// FNV-1a, then the directory and mount mixed in: names differ mostly in their bytes.
uint32_t mix(uint32_t hash, uint32_t value) {
    for (int i = 0; i < 4; ++i) {
        hash ^= value & 0xFF;
        hash *= 16777619u;
        value >>= 8;
    }
    return hash;
}

} // namespace

uint32_t NameCache::name_slot(uint32_t mount, InodeNumber directory, std::string_view name) {
    uint32_t hash = 2166136261u;
    for (char c : name) {
        hash ^= static_cast<uint8_t>(c);
        hash *= 16777619u;
    }
    hash = mix(mix(hash, directory.value), mount);
    return (hash ^ (hash >> 16)) & (kNames - 1);
}

uint32_t NameCache::node_slot(uint32_t mount, InodeNumber inode) {
    uint32_t hash = inode.value * 2654435761u + mount * 40503u;
    return (hash >> 16) & (kNodes - 1);
}

NameCache::Found NameCache::find(uint32_t mount, InodeNumber directory, std::string_view name,
                                 InodeNumber* out) {
    if (name.size() <= kNameBytes) {
        const NameEntry& e = m_names[name_slot(mount, directory, name)];
        if (e.generation == m_generation && e.mount == mount && e.directory == directory.value &&
            e.length == name.size() && memcmp(e.name, name.data(), name.size()) == 0) {
            ++m_hits;
            if (e.child == 0) return Found::absent;
            *out = InodeNumber{e.child};
            return Found::present;
        }
    }
    ++m_misses;
    return Found::unknown;
}

void NameCache::remember(uint32_t mount, InodeNumber directory, std::string_view name,
                         InodeNumber child) {
    if (name.size() > kNameBytes) return;
    NameEntry& e = m_names[name_slot(mount, directory, name)];
    e.generation = m_generation;
    e.mount = mount;
    e.directory = directory.value;
    e.child = child.value;
    e.length = static_cast<uint32_t>(name.size());
    memcpy(e.name, name.data(), name.size());
}

bool NameCache::find_attributes(uint32_t mount, InodeNumber inode, NodeAttributes* out) {
    const NodeEntry& e = m_nodes[node_slot(mount, inode)];
    if (e.generation == m_generation && e.mount == mount && e.inode == inode.value) {
        ++m_hits;
        *out = e.attributes;
        return true;
    }
    ++m_misses;
    return false;
}

void NameCache::remember_attributes(uint32_t mount, InodeNumber inode,
                                    const NodeAttributes& attributes) {
    NodeEntry& e = m_nodes[node_slot(mount, inode)];
    e.generation = m_generation;
    e.mount = mount;
    e.inode = inode.value;
    e.attributes = attributes;
}

void NameCache::clear() {
    if (++m_generation != 0) return;
    // The counter wrapped: entries of an old generation 1, 2, … would count again.
    for (NameEntry& e : m_names)
        e.generation = 0;
    for (NodeEntry& e : m_nodes)
        e.generation = 0;
    m_generation = 1;
}

} // namespace fs
