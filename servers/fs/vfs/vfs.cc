#include "servers/fs/vfs/vfs.h"

#include <string.h>

// Returns the error of `expression` unless it is ok.
#define VFS_TRY(expression)                                                                        \
    do {                                                                                           \
        if (::fs::Error error_ = (expression); error_ != ::fs::Error::ok) return error_;           \
    } while (0)

namespace fs {

namespace {

// Whether `byte` occurs in [data, data + size) (no memchr in the freestanding runtime).
bool has_byte(const char* data, size_t size, char byte) {
    for (size_t i = 0; i < size; ++i)
        if (data[i] == byte) return true;
    return false;
}

bool is_dot(std::string_view name) {
    return name == ".";
}
bool is_dot_dot(std::string_view name) {
    return name == "..";
}
bool is_dots(std::string_view name) {
    return is_dot(name) || is_dot_dot(name);
}

uint32_t type_of(uint32_t mode) {
    return mode & kModeTypeMask;
}

OpenKind kind_of(uint32_t mode) {
    if (is_directory(mode)) return OpenKind::directory;
    if (is_regular(mode)) return OpenKind::file;
    return OpenKind::object;
}

// Passes entries on and keeps the position after the last one taken.
class PositionSink final : public DirectorySink {
public:
    PositionSink(DirectorySink& inner, uint64_t* position) : m_inner(inner), m_position(position) {}
    bool take(const DirectoryEntry& entry) override {
        if (!m_inner.take(entry)) return false;
        *m_position = entry.next;
        return true;
    }

private:
    DirectorySink& m_inner;
    uint64_t* m_position;
};

// Finds the name of `inode` in a directory (getcwd).
class NameFinder final : public DirectorySink {
public:
    explicit NameFinder(InodeNumber inode) : m_inode(inode) {}
    bool take(const DirectoryEntry& entry) override {
        if (entry.inode == m_inode && !is_dots(entry.name) && entry.name.size() <= kNameMax) {
            memcpy(m_name, entry.name.data(), entry.name.size());
            m_length = static_cast<uint32_t>(entry.name.size());
            m_found = true;
            return false;
        }
        return true;
    }
    bool found() const { return m_found; }
    std::string_view name() const { return {m_name, m_length}; }

private:
    InodeNumber m_inode;
    char m_name[kNameMax + 1] = {};
    uint32_t m_length = 0;
    bool m_found = false;
};

Attributes permission_view(const NodeAttributes& node) {
    Attributes attributes;
    attributes.mode = node.mode;
    attributes.uid = node.uid;
    attributes.gid = node.gid;
    attributes.device = node.device;
    return attributes;
}

} // namespace

// ---- Mounts ---------------------------------------------------------------------------------

bool Vfs::is_mount_root(const Node& node) const {
    return node.inode == m_mounts[node.mount].file_system->root();
}

bool Vfs::is_mount_point(const Node& node) const {
    for (uint32_t i = 1; i < kMaxMounts; ++i)
        if (m_mounts[i].file_system != nullptr && m_mounts[i].parent == node.mount &&
            m_mounts[i].on == node.inode)
            return true;
    return false;
}

Error Vfs::mount_root(FileSystem& file_system, bool read_only) {
    if (m_mounts[0].file_system != nullptr) return Error::busy;
    names_changed();
    m_mounts[0] = Mount{&file_system,
                        read_only || file_system.read_only(),
                        0,
                        InodeNumber{},
                        0,
                        file_system.names_stable()};
    return Error::ok;
}

Error Vfs::mount(const Caller& caller, std::string_view path, FileSystem& file_system,
                 bool read_only) {
    if (caller.credentials.uid != 0) return Error::no_permission;
    Node node;
    VFS_TRY(resolve(caller, kAtCwd, path, true, &node));
    Attributes attributes;
    VFS_TRY(this->attributes(node, &attributes));
    if (!is_directory(attributes.mode)) return Error::not_directory;
    if (is_mount_root(node) || is_mount_point(node)) return Error::busy;
    for (uint32_t i = 1; i < kMaxMounts; ++i) {
        if (m_mounts[i].file_system != nullptr) continue;
        names_changed();
        m_mounts[i] = Mount{&file_system,
                            read_only || file_system.read_only(),
                            node.mount,
                            node.inode,
                            0,
                            file_system.names_stable()};
        retain(node); // the covered directory stays while the mount sits on it
        return Error::ok;
    }
    return Error::no_space;
}

Error Vfs::umount(const Caller& caller, std::string_view path, FileSystem** unmounted) {
    if (caller.credentials.uid != 0) return Error::no_permission;
    Node node;
    VFS_TRY(resolve(caller, kAtCwd, path, true, &node));
    if (node.mount == 0 || !is_mount_root(node)) return Error::invalid_argument;
    Mount& mount = m_mounts[node.mount];
    if (mount.users != 0) return Error::busy;
    (void)mount.file_system->sync();
    if (unmounted != nullptr) *unmounted = mount.file_system;
    Node covered{mount.parent, mount.on};
    names_changed();
    mount = Mount{};
    release(covered);
    return Error::ok;
}

// ---- Processes -------------------------------------------------------------------------------

Vfs::Process* Vfs::process(uint32_t pid, bool create) {
    if (pid == 0) return nullptr;
    Process* free = nullptr;
    for (Process& p : m_processes) {
        if (p.pid == pid) return &p;
        if (p.pid == 0 && free == nullptr) free = &p;
    }
    if (!create || free == nullptr) return nullptr;
    free->pid = pid;
    free->has_cwd = false;
    for (uint16_t& handle : free->handles)
        handle = kNoDescription;
    return free;
}

Error Vfs::no_entry(uint32_t pid) {
    // The table of processes is the whole system's, as the descriptions' is: ENFILE.
    return pid == 0 ? Error::no_space : Error::too_many_open_in_system;
}

Error Vfs::fork(uint32_t parent, uint32_t child) {
    if (child == 0 || child == parent) return Error::invalid_argument;
    exit(child); // a pid the Vfs saw before (an earlier process) starts afresh
    // A parent with nothing open and no working directory of its own passes nothing on: the
    // child gets its entry at its first request, so processes that never use files (most
    // spawned ones) take no slot.
    Process* from = process(parent, false);
    if (from == nullptr || (!from->has_cwd && handles_of(parent) == 0)) return Error::ok;
    Process* to = process(child, true);
    if (to == nullptr) return no_entry(child);
    for (uint32_t i = 0; i < kMaxHandles; ++i) {
        to->handles[i] = from->handles[i];
        if (from->handles[i] != kNoDescription) ++m_descriptions[from->handles[i]].references;
    }
    if (from->has_cwd) {
        to->has_cwd = true;
        to->cwd = from->cwd;
        retain(to->cwd);
    }
    return Error::ok;
}

void Vfs::exit(uint32_t pid) {
    Process* p = process(pid, false);
    if (p == nullptr) return;
    for (uint16_t& handle : p->handles) {
        if (handle != kNoDescription) drop_description(handle);
        handle = kNoDescription;
    }
    if (p->has_cwd) release(p->cwd);
    p->has_cwd = false;
    p->pid = 0;
}

uint32_t Vfs::open_descriptions() const {
    uint32_t n = 0;
    for (const Description& d : m_descriptions)
        n += d.references != 0;
    return n;
}

uint32_t Vfs::open_files() const {
    uint32_t n = 0;
    for (const Description& d : m_descriptions)
        n += d.references != 0 && d.kind == OpenKind::file;
    return n;
}

uint32_t Vfs::mounts() const {
    uint32_t n = 0;
    for (const Mount& m : m_mounts)
        n += m.file_system != nullptr;
    return n;
}

uint32_t Vfs::processes() const {
    uint32_t n = 0;
    for (const Process& p : m_processes)
        n += p.pid != 0;
    return n;
}

uint32_t Vfs::process_ids(uint32_t* out, uint32_t max) const {
    uint32_t n = 0;
    for (const Process& p : m_processes)
        if (p.pid != 0 && n < max) out[n++] = p.pid;
    return n;
}

uint32_t Vfs::handles_of(uint32_t pid) const {
    for (const Process& p : m_processes) {
        if (p.pid != pid || pid == 0) continue;
        uint32_t n = 0;
        for (uint16_t handle : p.handles)
            n += handle != kNoDescription;
        return n;
    }
    return 0;
}

// ---- References ------------------------------------------------------------------------------

void Vfs::retain(const Node& node) {
    fs_of(node).retain(node.inode);
    ++m_mounts[node.mount].users;
}

void Vfs::release(const Node& node) {
    --m_mounts[node.mount].users;
    fs_of(node).release(node.inode);
}

Vfs::Description* Vfs::description_of(const Caller& caller, Handle handle) {
    if (handle < 0 || static_cast<uint32_t>(handle) >= kMaxHandles) return nullptr;
    Process* p = process(caller.pid, false);
    if (p == nullptr || p->handles[handle] == kNoDescription) return nullptr;
    return &m_descriptions[p->handles[handle]];
}

Error Vfs::install(Process& owner, const Description& description, Handle* out) {
    uint32_t handle = kMaxHandles;
    for (uint32_t i = 0; i < kMaxHandles; ++i)
        if (owner.handles[i] == kNoDescription) {
            handle = i;
            break;
        }
    if (handle == kMaxHandles) return Error::too_many_open;
    for (uint32_t i = 0; i < kMaxOpenFiles; ++i) {
        if (m_descriptions[i].references != 0) continue;
        m_descriptions[i] = description;
        m_descriptions[i].references = 1;
        if (!description.anonymous) retain(description.node);
        owner.handles[handle] = static_cast<uint16_t>(i);
        *out = static_cast<Handle>(handle);
        return Error::ok;
    }
    // The table of descriptions is the whole system's: ENFILE, not the process's EMFILE.
    return Error::too_many_open_in_system;
}

void Vfs::drop_description(uint16_t index) {
    Description& d = m_descriptions[index];
    if (--d.references != 0) return;
    if (m_observer != nullptr)
        m_observer->released(
            OpenDescription{d.anonymous, d.kind, d.flags, d.mode, d.device, d.node, index});
    if (!d.anonymous) release(d.node);
}

// ---- Resolution ------------------------------------------------------------------------------

Error Vfs::start_of(const Caller& caller, Handle at, std::string_view path, Node* start) {
    if (!path.empty() && path[0] == '/') {
        *start = root();
        return Error::ok;
    }
    if (at == kAtCwd) {
        Process* p = process(caller.pid, false);
        *start = p != nullptr && p->has_cwd ? p->cwd : root();
        return Error::ok;
    }
    Description* d = description_of(caller, at);
    if (d == nullptr) return Error::bad_handle;
    if (d->kind != OpenKind::directory) return Error::not_directory;
    *start = d->node;
    return Error::ok;
}

Error Vfs::step(const Node& directory, std::string_view name, Node* out) {
    if (is_dot(name)) {
        *out = directory;
        return Error::ok;
    }
    if (is_dot_dot(name)) {
        // Above a mount's root lies the directory it covers, and that one's parent.
        Node node = directory;
        while (node.mount != 0 && is_mount_root(node))
            node = Node{m_mounts[node.mount].parent, m_mounts[node.mount].on};
        if (node == root()) {
            *out = node;
            return Error::ok;
        }
        InodeNumber up;
        VFS_TRY(fs_of(node).lookup(node.inode, "..", &up));
        *out = Node{node.mount, up};
        return Error::ok;
    }
    InodeNumber child;
    const bool cached = m_mounts[directory.mount].cached;
    NameCache::Found found = cached ? m_names.find(directory.mount, directory.inode, name, &child)
                                    : NameCache::Found::unknown;
    if (found == NameCache::Found::absent) return Error::not_found;
    if (found == NameCache::Found::unknown) {
        Error error = fs_of(directory).lookup(directory.inode, name, &child);
        if (cached && (error == Error::ok || error == Error::not_found))
            m_names.remember(directory.mount, directory.inode, name,
                             error == Error::ok ? child : InodeNumber{});
        VFS_TRY(error);
    }
    Node node{directory.mount, child};
    for (bool crossed = true; crossed;) {
        crossed = false;
        for (uint32_t i = 1; i < kMaxMounts; ++i)
            if (m_mounts[i].file_system != nullptr && m_mounts[i].parent == node.mount &&
                m_mounts[i].on == node.inode) {
                node = Node{i, m_mounts[i].file_system->root()};
                crossed = true;
                break;
            }
    }
    *out = node;
    return Error::ok;
}

Error Vfs::walk(const Caller& caller, Node start, std::string_view path, bool follow,
                bool stop_before_last, Node* out, Parent* parent) {
    if (path.empty()) return Error::not_found;
    if (path.size() >= kPathMax) return Error::name_too_long;
    if (has_byte(path.data(), path.size(), '\0')) return Error::invalid_argument;
    memcpy(m_path, path.data(), path.size());
    size_t length = path.size();
    Node current = m_path[0] == '/' ? root() : start;
    uint32_t links = 0;
    size_t position = 0;
    for (;;) {
        while (position < length && m_path[position] == '/')
            ++position;
        if (position == length) {
            // Nothing (more) to look up: "/" itself, or a directory reached with trailing
            // slashes (checked when its component was taken).
            if (stop_before_last) {
                parent->directory = current;
                parent->name = {};
                parent->trailing_slash = false;
            } else {
                *out = current;
            }
            return Error::ok;
        }
        size_t end = position;
        while (end < length && m_path[end] != '/')
            ++end;
        std::string_view name(m_path + position, end - position);
        if (name.size() > kNameMax) return Error::name_too_long;
        size_t rest = end;
        while (rest < length && m_path[rest] == '/')
            ++rest;
        bool last = rest == length;
        bool trailing = last && end < length;

        NodeAttributes directory;
        VFS_TRY(node_attributes(current, &directory));
        if (!is_directory(directory.mode)) return Error::not_directory;
        if (!permitted(caller.credentials, permission_view(directory), kMayExecute))
            return Error::access_denied;
        if (last && stop_before_last) {
            parent->directory = current;
            parent->name = name;
            parent->trailing_slash = trailing;
            return Error::ok;
        }
        Node next;
        VFS_TRY(step(current, name, &next));
        NodeAttributes attributes_of_next;
        VFS_TRY(node_attributes(next, &attributes_of_next));
        if (is_symlink(attributes_of_next.mode) && (!last || follow || trailing)) {
            if (++links > kMaxSymlinks) return Error::symlink_loop;
            uint32_t target = 0;
            VFS_TRY(
                fs_of(next).read_link(next.inode, std::span<char>(m_scratch, kPathMax), &target));
            if (target == 0) return Error::not_found;
            size_t remaining = length - end; // from the slash after the link's name on
            if (target + remaining >= kPathMax) return Error::name_too_long;
            memcpy(m_scratch + target, m_path + end, remaining);
            length = target + remaining;
            memcpy(m_path, m_scratch, length);
            if (m_path[0] == '/') current = root(); // else from the link's own directory
            position = 0;
            continue;
        }
        if (trailing && !is_directory(attributes_of_next.mode)) return Error::not_directory;
        current = next;
        position = end;
    }
}

Error Vfs::node_attributes(const Node& node, NodeAttributes* out) {
    const bool cached = m_mounts[node.mount].cached;
    if (cached && m_names.find_attributes(node.mount, node.inode, out)) return Error::ok;
    Attributes attributes;
    VFS_TRY(this->attributes(node, &attributes));
    *out = NodeAttributes{attributes.mode, attributes.uid, attributes.gid, attributes.device};
    if (cached) m_names.remember_attributes(node.mount, node.inode, *out);
    return Error::ok;
}

Error Vfs::resolve(const Caller& caller, Handle at, std::string_view path, bool follow, Node* out) {
    Node start;
    VFS_TRY(start_of(caller, at, path, &start));
    return walk(caller, start, path, follow, false, out, nullptr);
}

Error Vfs::resolve_parent(const Caller& caller, Handle at, std::string_view path, Parent* out) {
    Node start;
    VFS_TRY(start_of(caller, at, path, &start));
    return walk(caller, start, path, false, true, nullptr, out);
}

Error Vfs::may_change_in(const Caller& caller, const Node& directory, Attributes* attributes) {
    VFS_TRY(this->attributes(directory, attributes));
    if (!is_directory(attributes->mode)) return Error::not_directory;
    VFS_TRY(writable_mount(directory));
    if (!permitted(caller.credentials, *attributes, kMayWrite | kMayExecute))
        return Error::access_denied;
    return Error::ok;
}

NewInode Vfs::new_inode(const Caller& caller, const Attributes& directory, uint32_t mode) const {
    NewInode inode;
    inode.mode = mode;
    inode.uid = caller.credentials.uid;
    inode.gid = caller.credentials.gid;
    if ((directory.mode & kModeSetGid) != 0) {
        // BSD semantics in a setgid directory: the group of the directory, and subdirectories
        // keep the bit.
        inode.gid = directory.gid;
        if (is_directory(mode)) inode.mode |= kModeSetGid;
    }
    if ((inode.mode & kModeSetGid) != 0 && !is_directory(mode) && caller.credentials.uid != 0 &&
        !in_group(caller.credentials, inode.gid))
        inode.mode &= ~kModeSetGid;
    return inode;
}

// ---- Open files ------------------------------------------------------------------------------

Error Vfs::open(const Caller& caller, Handle at, std::string_view path, uint32_t flags,
                uint32_t mode, Handle* out) {
    if ((flags & ~kOpenKnown) != 0 || (flags & kOpenAccessMask) == kOpenAccessMask)
        return Error::invalid_argument;
    Process* owner = process(caller.pid, true);
    if (owner == nullptr) return no_entry(caller.pid);
    Node node;
    bool created = false;
    if ((flags & kOpenCreate) != 0) {
        Parent parent;
        VFS_TRY(resolve_parent(caller, at, path, &parent));
        if (parent.name.empty() || is_dots(parent.name)) return Error::is_directory;
        Node existing;
        Error found = step(parent.directory, parent.name, &existing);
        if (found == Error::not_found) {
            if (parent.trailing_slash) return Error::is_directory;
            Attributes directory;
            VFS_TRY(may_change_in(caller, parent.directory, &directory));
            NewInode inode =
                new_inode(caller, directory, kModeRegular | (mode & kModePermissionMask));
            InodeNumber number;
            names_changed();
            VFS_TRY(fs_of(parent.directory)
                        .create(parent.directory.inode, parent.name, inode, &number));
            node = Node{parent.directory.mount, number};
            created = true;
        } else if (found != Error::ok) {
            return found;
        } else {
            if ((flags & kOpenExclusive) != 0) return Error::exists;
            Attributes attributes;
            VFS_TRY(this->attributes(existing, &attributes));
            if (is_symlink(attributes.mode) && (flags & kOpenNoFollow) == 0)
                VFS_TRY(resolve(caller, at, path, true, &existing));
            node = existing;
        }
    } else {
        VFS_TRY(resolve(caller, at, path, (flags & kOpenNoFollow) == 0, &node));
    }
    // Only O_TRUNC needs the size: everything else is the name cache's.
    Attributes attributes;
    if ((flags & kOpenTruncate) != 0) {
        VFS_TRY(this->attributes(node, &attributes));
    } else {
        NodeAttributes cached;
        VFS_TRY(node_attributes(node, &cached));
        attributes = permission_view(cached);
    }
    if (is_symlink(attributes.mode)) return Error::symlink_loop; // O_NOFOLLOW on a symlink
    if ((flags & kOpenDirectory) != 0 && !is_directory(attributes.mode))
        return Error::not_directory;
    uint32_t access = flags & kOpenAccessMask;
    bool writes = access != kOpenReadOnly || (flags & kOpenTruncate) != 0;
    if (is_directory(attributes.mode) && writes) return Error::is_directory;
    if (!created) {
        uint32_t want = 0;
        if (access != kOpenWriteOnly) want |= kMayRead;
        if (writes) want |= kMayWrite;
        if (!permitted(caller.credentials, attributes, want)) return Error::access_denied;
        if (writes && is_regular(attributes.mode)) VFS_TRY(writable_mount(node));
        if (writes && is_regular(attributes.mode) && text_busy(node)) return Error::text_busy;
        if ((flags & kOpenTruncate) != 0 && is_regular(attributes.mode) && attributes.size != 0)
            VFS_TRY(do_truncate(node, 0));
    }
    Description description;
    description.kind = kind_of(attributes.mode);
    description.flags = flags & (kOpenAccessMask | kOpenStatusFlags);
    description.mode = attributes.mode;
    description.device = attributes.device;
    description.node = node;
    return install(*owner, description, out);
}

Error Vfs::open_pipe(const Caller& caller, uint32_t flags, uint32_t pipe, Handle* read_end,
                     Handle* write_end) {
    if ((flags & ~kOpenNonBlocking) != 0) return Error::invalid_argument;
    Process* owner = process(caller.pid, true);
    if (owner == nullptr) return no_entry(caller.pid);
    Description description;
    description.kind = OpenKind::object;
    description.mode = kModeFifo | 0600;
    description.device = pipe;
    description.anonymous = true;
    description.uid = caller.credentials.uid;
    description.gid = caller.credentials.gid;
    description.made = m_clock.now();
    description.flags = kOpenReadOnly | flags;
    VFS_TRY(install(*owner, description, read_end));
    description.flags = kOpenWriteOnly | flags;
    if (Error error = install(*owner, description, write_end); error != Error::ok) {
        // Not seen by anyone yet: gone without telling the observer.
        uint16_t index = owner->handles[*read_end];
        m_descriptions[index].references = 0;
        owner->handles[*read_end] = kNoDescription;
        return error;
    }
    return Error::ok;
}

bool Vfs::open_for_writing(const Node& node) const {
    for (const Description& d : m_descriptions)
        if (d.references != 0 && d.kind == OpenKind::file && d.node == node &&
            (d.flags & kOpenAccessMask) != kOpenReadOnly)
            return true;
    return false;
}

Error Vfs::reopen_for_reading(const Caller& caller, Handle handle, uint32_t pid, Handle* out) {
    return reopen(caller, handle, pid, kOpenReadOnly, out);
}

Error Vfs::reopen(const Caller& caller, Handle handle, uint32_t pid, uint32_t access, Handle* out) {
    Description* d = description_of(caller, handle);
    if (d == nullptr) return Error::bad_handle;
    Process* owner = process(pid, true);
    if (owner == nullptr) return no_entry(pid);
    Description copy = *d;
    copy.references = 0;
    copy.flags = access & kOpenAccessMask;
    copy.offset = 0;
    return install(*owner, copy, out);
}

Error Vfs::close(const Caller& caller, Handle handle) {
    if (description_of(caller, handle) == nullptr) return Error::bad_handle;
    Process* p = process(caller.pid, false);
    drop_description(p->handles[handle]);
    p->handles[handle] = kNoDescription;
    return Error::ok;
}

Error Vfs::duplicate(const Caller& caller, Handle handle, Handle* out) {
    if (description_of(caller, handle) == nullptr) return Error::bad_handle;
    Process* p = process(caller.pid, false);
    for (uint32_t i = 0; i < kMaxHandles; ++i) {
        if (p->handles[i] != kNoDescription) continue;
        p->handles[i] = p->handles[handle];
        ++m_descriptions[p->handles[i]].references;
        *out = static_cast<Handle>(i);
        return Error::ok;
    }
    return Error::too_many_open;
}

Error Vfs::describe(const Caller& caller, Handle handle, OpenDescription* out) {
    Description* d = description_of(caller, handle);
    if (d == nullptr) return Error::bad_handle;
    *out = OpenDescription{d->anonymous,
                           d->kind,
                           d->flags,
                           d->mode,
                           d->device,
                           d->node,
                           static_cast<uint32_t>(d - m_descriptions)};
    return Error::ok;
}

Error Vfs::get_flags(const Caller& caller, Handle handle, uint32_t* flags) {
    Description* d = description_of(caller, handle);
    if (d == nullptr) return Error::bad_handle;
    *flags = d->flags;
    return Error::ok;
}

Error Vfs::set_flags(const Caller& caller, Handle handle, uint32_t flags) {
    Description* d = description_of(caller, handle);
    if (d == nullptr) return Error::bad_handle;
    d->flags = (d->flags & ~kOpenStatusFlags) | (flags & kOpenStatusFlags);
    return Error::ok;
}

Error Vfs::read_at(Description& d, uint64_t offset, std::span<uint8_t> buffer, uint32_t* done) {
    *done = 0;
    if (d.kind == OpenKind::directory) return Error::is_directory;
    if (d.kind == OpenKind::object) return Error::unsupported;
    if ((d.flags & kOpenAccessMask) == kOpenWriteOnly) return Error::bad_handle;
    if (buffer.empty()) return Error::ok;
    return fs_of(d.node).read(d.node.inode, offset, buffer, done);
}

Error Vfs::write_at(Description& d, uint64_t offset, std::span<const uint8_t> data, uint32_t* done,
                    uint64_t* end) {
    *done = 0;
    if (d.kind == OpenKind::directory) return Error::is_directory;
    if (d.kind == OpenKind::object) return Error::unsupported;
    if ((d.flags & kOpenAccessMask) == kOpenReadOnly) return Error::bad_handle;
    VFS_TRY(writable_mount(d.node));
    if (end != nullptr && (d.flags & kOpenAppend) != 0) {
        Attributes attributes;
        VFS_TRY(this->attributes(d.node, &attributes));
        offset = attributes.size;
    }
    if (end != nullptr) *end = offset;
    if (data.empty()) return Error::ok;
    Error error = fs_of(d.node).write(d.node.inode, offset, data, done);
    if (end != nullptr) *end = offset + *done;
    return error;
}

Error Vfs::read(const Caller& caller, Handle handle, std::span<uint8_t> buffer, uint32_t* done) {
    *done = 0;
    Description* d = description_of(caller, handle);
    if (d == nullptr) return Error::bad_handle;
    VFS_TRY(read_at(*d, d->offset, buffer, done));
    d->offset += *done;
    return Error::ok;
}

Error Vfs::write(const Caller& caller, Handle handle, std::span<const uint8_t> data,
                 uint32_t* done) {
    *done = 0;
    Description* d = description_of(caller, handle);
    if (d == nullptr) return Error::bad_handle;
    uint64_t end = d->offset;
    Error error = write_at(*d, d->offset, data, done, &end);
    if (*done != 0 || error == Error::ok) d->offset = end;
    return *done != 0 ? Error::ok : error;
}

Error Vfs::pread(const Caller& caller, Handle handle, uint64_t offset, std::span<uint8_t> buffer,
                 uint32_t* done) {
    *done = 0;
    Description* d = description_of(caller, handle);
    if (d == nullptr) return Error::bad_handle;
    if (d->kind == OpenKind::object) return Error::not_seekable;
    if (offset >= (uint64_t{1} << 63)) return Error::invalid_argument;
    return read_at(*d, offset, buffer, done);
}

Error Vfs::pwrite(const Caller& caller, Handle handle, uint64_t offset,
                  std::span<const uint8_t> data, uint32_t* done) {
    *done = 0;
    Description* d = description_of(caller, handle);
    if (d == nullptr) return Error::bad_handle;
    if (d->kind == OpenKind::object) return Error::not_seekable;
    if (offset >= (uint64_t{1} << 63)) return Error::invalid_argument;
    Error error = write_at(*d, offset, data, done, nullptr);
    return *done != 0 ? Error::ok : error;
}

Error Vfs::seek(const Caller& caller, Handle handle, int64_t offset, Whence whence,
                uint64_t* result) {
    Description* d = description_of(caller, handle);
    if (d == nullptr) return Error::bad_handle;
    if (d->kind == OpenKind::object) return Error::not_seekable;
    int64_t base = 0;
    switch (whence) {
    case Whence::set:
        break;
    case Whence::current:
        base = static_cast<int64_t>(d->offset);
        break;
    case Whence::end: {
        Attributes attributes;
        VFS_TRY(this->attributes(d->node, &attributes));
        base = static_cast<int64_t>(attributes.size);
        break;
    }
    default:
        return Error::invalid_argument;
    }
    if ((offset > 0 && base > INT64_MAX - offset)) return Error::invalid_argument;
    int64_t position = base + offset;
    if (position < 0) return Error::invalid_argument;
    d->offset = static_cast<uint64_t>(position);
    *result = d->offset;
    return Error::ok;
}

Error Vfs::read_directory(const Caller& caller, Handle handle, DirectorySink& sink) {
    Description* d = description_of(caller, handle);
    if (d == nullptr) return Error::bad_handle;
    if (d->kind != OpenKind::directory) return Error::not_directory;
    PositionSink position(sink, &d->offset);
    return fs_of(d->node).read_directory(d->node.inode, d->offset, position);
}

Error Vfs::fsync(const Caller& caller, Handle handle) {
    Description* d = description_of(caller, handle);
    if (d == nullptr) return Error::bad_handle;
    if (d->anonymous) return Error::invalid_argument;
    return fs_of(d->node).sync_inode(d->node.inode);
}

Error Vfs::sync() {
    Error result = Error::ok;
    for (Mount& mount : m_mounts)
        if (mount.file_system != nullptr)
            if (Error error = mount.file_system->sync(); error != Error::ok) result = error;
    return result;
}

// ---- Attributes ------------------------------------------------------------------------------

Error Vfs::stat(const Caller& caller, Handle at, std::string_view path, bool follow,
                Attributes* out, uint32_t* mount) {
    Node node;
    VFS_TRY(resolve(caller, at, path, follow, &node));
    if (mount != nullptr) *mount = node.mount;
    return attributes(node, out);
}

Error Vfs::fstat(const Caller& caller, Handle handle, Attributes* out) {
    Description* d = description_of(caller, handle);
    if (d == nullptr) return Error::bad_handle;
    if (d->anonymous) {
        *out = Attributes{};
        out->inode = InodeNumber{d->device + 1};
        out->mode = d->mode;
        out->links = 1;
        out->uid = d->uid;
        out->gid = d->gid;
        out->block_size = 4096;
        out->access = out->modify = out->change = d->made;
        return Error::ok;
    }
    return attributes(d->node, out);
}

Error Vfs::access(const Caller& caller, Handle at, std::string_view path, uint32_t want,
                  bool effective) {
    if ((want & ~(kMayRead | kMayWrite | kMayExecute)) != 0) return Error::invalid_argument;
    // access() walks the path with the ids it checks with.
    Caller as = caller;
    if (!effective) {
        as.credentials.uid = caller.credentials.real_uid;
        as.credentials.gid = caller.credentials.real_gid;
    }
    Node node;
    VFS_TRY(resolve(as, at, path, true, &node));
    if (want == 0) return Error::ok;
    Attributes attributes;
    VFS_TRY(this->attributes(node, &attributes));
    if ((want & kMayWrite) != 0 && (is_regular(attributes.mode) || is_directory(attributes.mode) ||
                                    is_symlink(attributes.mode)))
        VFS_TRY(writable_mount(node));
    return permitted(as.credentials, attributes, want) ? Error::ok : Error::access_denied;
}

Error Vfs::do_truncate(const Node& node, uint64_t size) {
    AttributeChanges changes;
    changes.which = AttributeChanges::kSize;
    changes.size = size;
    return fs_of(node).set_attributes(node.inode, changes, nullptr);
}

Error Vfs::truncate(const Caller& caller, Handle at, std::string_view path, uint64_t size) {
    if (size >= (uint64_t{1} << 63)) return Error::invalid_argument;
    Node node;
    VFS_TRY(resolve(caller, at, path, true, &node));
    Attributes attributes;
    VFS_TRY(this->attributes(node, &attributes));
    if (is_directory(attributes.mode)) return Error::is_directory;
    if (!is_regular(attributes.mode)) return Error::invalid_argument;
    VFS_TRY(writable_mount(node));
    if (text_busy(node)) return Error::text_busy;
    if (!permitted(caller.credentials, attributes, kMayWrite)) return Error::access_denied;
    return do_truncate(node, size);
}

Error Vfs::ftruncate(const Caller& caller, Handle handle, uint64_t size) {
    Description* d = description_of(caller, handle);
    if (d == nullptr) return Error::bad_handle;
    if (size >= (uint64_t{1} << 63)) return Error::invalid_argument;
    if (d->kind != OpenKind::file || (d->flags & kOpenAccessMask) == kOpenReadOnly)
        return Error::invalid_argument;
    VFS_TRY(writable_mount(d->node));
    if (text_busy(d->node)) return Error::text_busy;
    return do_truncate(d->node, size);
}

Error Vfs::do_chmod(const Caller& caller, const Node& node, uint32_t mode) {
    Attributes attributes;
    VFS_TRY(this->attributes(node, &attributes));
    VFS_TRY(writable_mount(node));
    mode &= kModePermissionMask;
    VFS_TRY(check_chmod(caller.credentials, attributes, &mode));
    AttributeChanges changes;
    changes.which = AttributeChanges::kMode;
    changes.mode = mode;
    names_changed();
    return fs_of(node).set_attributes(node.inode, changes, nullptr);
}

Error Vfs::do_chown(const Caller& caller, const Node& node, uint32_t uid, uint32_t gid) {
    Attributes attributes;
    VFS_TRY(this->attributes(node, &attributes));
    VFS_TRY(writable_mount(node));
    VFS_TRY(check_chown(caller.credentials, attributes, uid, gid));
    AttributeChanges changes;
    if (uid != kNoChange) {
        changes.which |= AttributeChanges::kUid;
        changes.uid = uid;
    }
    if (gid != kNoChange) {
        changes.which |= AttributeChanges::kGid;
        changes.gid = gid;
    }
    // A file that changes hands loses set-user-ID and set-group-ID (POSIX leaves it to the
    // implementation for root; Linux clears them for everyone).
    if (!is_directory(attributes.mode) && (attributes.mode & (kModeSetUid | kModeSetGid)) != 0 &&
        changes.which != 0) {
        changes.which |= AttributeChanges::kMode;
        changes.mode = attributes.mode & kModePermissionMask & ~(kModeSetUid | kModeSetGid);
    }
    if (changes.which == 0) return Error::ok;
    names_changed();
    return fs_of(node).set_attributes(node.inode, changes, nullptr);
}

Error Vfs::do_utimes(const Caller& caller, const Node& node, const Timestamp* times) {
    Attributes attributes;
    VFS_TRY(this->attributes(node, &attributes));
    VFS_TRY(writable_mount(node));
    VFS_TRY(check_utimes(caller.credentials, attributes, times == nullptr));
    AttributeChanges changes;
    changes.which = AttributeChanges::kAccess | AttributeChanges::kModify;
    if (times == nullptr) {
        changes.access = changes.modify = m_clock.now();
    } else {
        if (times[0].nanoseconds >= 1000000000u || times[1].nanoseconds >= 1000000000u)
            return Error::invalid_argument;
        changes.access = times[0];
        changes.modify = times[1];
    }
    return fs_of(node).set_attributes(node.inode, changes, nullptr);
}

Error Vfs::chmod(const Caller& caller, Handle at, std::string_view path, uint32_t mode,
                 bool follow) {
    Node node;
    VFS_TRY(resolve(caller, at, path, follow, &node));
    return do_chmod(caller, node, mode);
}

Error Vfs::fchmod(const Caller& caller, Handle handle, uint32_t mode) {
    Description* d = description_of(caller, handle);
    if (d == nullptr) return Error::bad_handle;
    if (d->anonymous) return Error::invalid_argument;
    return do_chmod(caller, d->node, mode);
}

Error Vfs::chown(const Caller& caller, Handle at, std::string_view path, uint32_t uid, uint32_t gid,
                 bool follow) {
    Node node;
    VFS_TRY(resolve(caller, at, path, follow, &node));
    return do_chown(caller, node, uid, gid);
}

Error Vfs::fchown(const Caller& caller, Handle handle, uint32_t uid, uint32_t gid) {
    Description* d = description_of(caller, handle);
    if (d == nullptr) return Error::bad_handle;
    if (d->anonymous) return Error::invalid_argument;
    return do_chown(caller, d->node, uid, gid);
}

Error Vfs::utimes(const Caller& caller, Handle at, std::string_view path, const Timestamp* times,
                  bool follow) {
    Node node;
    VFS_TRY(resolve(caller, at, path, follow, &node));
    return do_utimes(caller, node, times);
}

Error Vfs::futimes(const Caller& caller, Handle handle, const Timestamp* times) {
    Description* d = description_of(caller, handle);
    if (d == nullptr) return Error::bad_handle;
    if (d->anonymous) return Error::invalid_argument;
    return do_utimes(caller, d->node, times);
}

Error Vfs::statfs(const Caller& caller, Handle at, std::string_view path,
                  FileSystemStatistics* out) {
    Node node;
    VFS_TRY(resolve(caller, at, path, true, &node));
    VFS_TRY(fs_of(node).statistics(out));
    out->read_only = out->read_only || m_mounts[node.mount].read_only;
    return Error::ok;
}

Error Vfs::fstatfs(const Caller& caller, Handle handle, FileSystemStatistics* out) {
    Description* d = description_of(caller, handle);
    if (d == nullptr) return Error::bad_handle;
    if (d->anonymous) return Error::invalid_argument;
    VFS_TRY(fs_of(d->node).statistics(out));
    out->read_only = out->read_only || m_mounts[d->node.mount].read_only;
    return Error::ok;
}

// ---- Names -----------------------------------------------------------------------------------

Error Vfs::mkdir(const Caller& caller, Handle at, std::string_view path, uint32_t mode) {
    Parent parent;
    VFS_TRY(resolve_parent(caller, at, path, &parent));
    if (parent.name.empty() || is_dots(parent.name)) return Error::exists;
    Node existing;
    Error found = step(parent.directory, parent.name, &existing);
    if (found == Error::ok) return Error::exists;
    if (found != Error::not_found) return found;
    Attributes directory;
    VFS_TRY(may_change_in(caller, parent.directory, &directory));
    NewInode inode = new_inode(caller, directory, kModeDirectory | (mode & kModePermissionMask));
    InodeNumber number;
    names_changed();
    return fs_of(parent.directory)
        .make_directory(parent.directory.inode, parent.name, inode, &number);
}

Error Vfs::rmdir(const Caller& caller, Handle at, std::string_view path) {
    Parent parent;
    VFS_TRY(resolve_parent(caller, at, path, &parent));
    if (parent.name.empty()) return Error::busy;
    if (is_dot(parent.name)) return Error::invalid_argument;
    if (is_dot_dot(parent.name)) return Error::not_empty;
    Node victim;
    VFS_TRY(step(parent.directory, parent.name, &victim));
    Attributes attributes;
    VFS_TRY(this->attributes(victim, &attributes));
    if (!is_directory(attributes.mode)) return Error::not_directory;
    if (victim.mount != parent.directory.mount) return Error::busy; // a mount point
    Attributes directory;
    VFS_TRY(may_change_in(caller, parent.directory, &directory));
    if (!may_delete_in(caller.credentials, directory, attributes)) return Error::no_permission;
    names_changed();
    return fs_of(parent.directory).remove_directory(parent.directory.inode, parent.name);
}

Error Vfs::unlink(const Caller& caller, Handle at, std::string_view path) {
    Parent parent;
    VFS_TRY(resolve_parent(caller, at, path, &parent));
    if (parent.name.empty() || is_dots(parent.name)) return Error::is_directory;
    Node victim;
    VFS_TRY(step(parent.directory, parent.name, &victim));
    Attributes attributes;
    VFS_TRY(this->attributes(victim, &attributes));
    if (is_directory(attributes.mode)) return Error::is_directory;
    if (parent.trailing_slash) return Error::not_directory;
    Attributes directory;
    VFS_TRY(may_change_in(caller, parent.directory, &directory));
    if (!may_delete_in(caller.credentials, directory, attributes)) return Error::no_permission;
    names_changed();
    return fs_of(parent.directory).unlink(parent.directory.inode, parent.name);
}

Error Vfs::is_inside(const Node& directory, const Node& ancestor, bool* inside) {
    *inside = false;
    Node node = directory;
    for (uint32_t depth = 0; depth < kPathMax; ++depth) {
        if (node == ancestor) {
            *inside = true;
            return Error::ok;
        }
        if (node.mount != ancestor.mount || is_mount_root(node)) return Error::ok;
        InodeNumber up;
        VFS_TRY(fs_of(node).lookup(node.inode, "..", &up));
        node.inode = up;
    }
    return Error::symlink_loop; // a cycle of ".." cannot be: the file system is damaged
}

Error Vfs::rename(const Caller& caller, Handle from_at, std::string_view from, Handle to_at,
                  std::string_view to) {
    Parent source_parent;
    VFS_TRY(resolve_parent(caller, from_at, from, &source_parent));
    if (source_parent.name.empty()) return Error::busy;
    if (is_dots(source_parent.name)) return Error::invalid_argument;
    // The second resolution reuses m_path: keep the first name.
    memcpy(m_second, source_parent.name.data(), source_parent.name.size());
    std::string_view source_name(m_second, source_parent.name.size());
    Parent target_parent;
    VFS_TRY(resolve_parent(caller, to_at, to, &target_parent));
    if (target_parent.name.empty()) return Error::busy;
    if (is_dots(target_parent.name)) return Error::invalid_argument;

    Node source;
    VFS_TRY(step(source_parent.directory, source_name, &source));
    Attributes source_attributes;
    VFS_TRY(attributes(source, &source_attributes));
    bool directory = is_directory(source_attributes.mode);
    if ((source_parent.trailing_slash || target_parent.trailing_slash) && !directory)
        return Error::not_directory;
    if (source_parent.directory.mount != target_parent.directory.mount) return Error::cross_device;
    if (source.mount != source_parent.directory.mount) return Error::busy;
    Node target;
    Error found = step(target_parent.directory, target_parent.name, &target);
    if (found != Error::ok && found != Error::not_found) return found;
    Attributes target_attributes;
    if (found == Error::ok) {
        if (target.mount != target_parent.directory.mount) return Error::busy;
        VFS_TRY(attributes(target, &target_attributes));
    }

    Attributes from_directory, to_directory;
    VFS_TRY(may_change_in(caller, source_parent.directory, &from_directory));
    VFS_TRY(may_change_in(caller, target_parent.directory, &to_directory));
    if (!may_delete_in(caller.credentials, from_directory, source_attributes))
        return Error::no_permission;
    if (found == Error::ok && !may_delete_in(caller.credentials, to_directory, target_attributes))
        return Error::no_permission;
    if (found == Error::ok && target == source) return Error::ok;
    if (directory) {
        if (found == Error::ok && !is_directory(target_attributes.mode))
            return Error::not_directory;
        bool inside = false;
        VFS_TRY(is_inside(target_parent.directory, source, &inside));
        if (inside) return Error::invalid_argument;
        // A directory that moves to another parent gets its ".." rewritten.
        if (!(source_parent.directory == target_parent.directory) &&
            !permitted(caller.credentials, source_attributes, kMayWrite))
            return Error::access_denied;
    } else if (found == Error::ok && is_directory(target_attributes.mode)) {
        return Error::is_directory;
    }
    names_changed();
    return fs_of(source_parent.directory)
        .rename(source_parent.directory.inode, source_name, target_parent.directory.inode,
                target_parent.name);
}

Error Vfs::link(const Caller& caller, Handle from_at, std::string_view from, Handle to_at,
                std::string_view to, bool follow) {
    Node source;
    VFS_TRY(resolve(caller, from_at, from, follow, &source));
    Attributes attributes;
    VFS_TRY(this->attributes(source, &attributes));
    if (is_directory(attributes.mode)) return Error::no_permission;
    Parent parent;
    VFS_TRY(resolve_parent(caller, to_at, to, &parent));
    if (parent.name.empty() || is_dots(parent.name)) return Error::exists;
    Node existing;
    Error found = step(parent.directory, parent.name, &existing);
    if (found == Error::ok) return Error::exists;
    if (found != Error::not_found) return found;
    if (parent.trailing_slash) return Error::not_found;
    if (parent.directory.mount != source.mount) return Error::cross_device;
    Attributes directory;
    VFS_TRY(may_change_in(caller, parent.directory, &directory));
    names_changed();
    return fs_of(source).link(source.inode, parent.directory.inode, parent.name);
}

Error Vfs::symlink(const Caller& caller, std::string_view target, Handle at,
                   std::string_view path) {
    if (target.empty()) return Error::not_found;
    if (target.size() >= kPathMax) return Error::name_too_long;
    if (has_byte(target.data(), target.size(), '\0')) return Error::invalid_argument;
    Parent parent;
    VFS_TRY(resolve_parent(caller, at, path, &parent));
    if (parent.name.empty() || is_dots(parent.name)) return Error::exists;
    Node existing;
    Error found = step(parent.directory, parent.name, &existing);
    if (found == Error::ok) return Error::exists;
    if (found != Error::not_found) return found;
    if (parent.trailing_slash) return Error::not_found;
    Attributes directory;
    VFS_TRY(may_change_in(caller, parent.directory, &directory));
    NewInode inode = new_inode(caller, directory, kModeSymlink | 0777);
    inode.mode = kModeSymlink | 0777;
    InodeNumber number;
    names_changed();
    return fs_of(parent.directory)
        .make_symlink(parent.directory.inode, parent.name, target, inode, &number);
}

Error Vfs::readlink(const Caller& caller, Handle at, std::string_view path, std::span<char> buffer,
                    uint32_t* length) {
    Node node;
    VFS_TRY(resolve(caller, at, path, false, &node));
    Attributes attributes;
    VFS_TRY(this->attributes(node, &attributes));
    if (!is_symlink(attributes.mode)) return Error::invalid_argument;
    return fs_of(node).read_link(node.inode, buffer, length);
}

Error Vfs::mknod(const Caller& caller, Handle at, std::string_view path, uint32_t mode,
                 uint32_t device) {
    uint32_t type = type_of(mode);
    if (type == 0) type = kModeRegular;
    switch (type) {
    case kModeFifo:
    case kModeRegular:
        device = 0;
        break;
    case kModeCharacterDevice:
    case kModeBlockDevice:
        if (caller.credentials.uid != 0) return Error::no_permission;
        break;
    default:
        return Error::invalid_argument;
    }
    Parent parent;
    VFS_TRY(resolve_parent(caller, at, path, &parent));
    if (parent.name.empty() || is_dots(parent.name)) return Error::exists;
    Node existing;
    Error found = step(parent.directory, parent.name, &existing);
    if (found == Error::ok) return Error::exists;
    if (found != Error::not_found) return found;
    if (parent.trailing_slash) return Error::not_found;
    Attributes directory;
    VFS_TRY(may_change_in(caller, parent.directory, &directory));
    NewInode inode = new_inode(caller, directory, type | (mode & kModePermissionMask));
    inode.device = device;
    InodeNumber number;
    names_changed();
    return fs_of(parent.directory).create(parent.directory.inode, parent.name, inode, &number);
}

// ---- Working directory -----------------------------------------------------------------------

Error Vfs::chdir(const Caller& caller, Handle at, std::string_view path) {
    Process* p = process(caller.pid, true);
    if (p == nullptr) return no_entry(caller.pid);
    Node node;
    VFS_TRY(resolve(caller, at, path, true, &node));
    Attributes attributes;
    VFS_TRY(this->attributes(node, &attributes));
    if (!is_directory(attributes.mode)) return Error::not_directory;
    if (!permitted(caller.credentials, attributes, kMayExecute)) return Error::access_denied;
    retain(node);
    if (p->has_cwd) release(p->cwd);
    p->cwd = node;
    p->has_cwd = true;
    return Error::ok;
}

Error Vfs::fchdir(const Caller& caller, Handle handle) {
    Description* d = description_of(caller, handle);
    if (d == nullptr) return Error::bad_handle;
    if (d->kind != OpenKind::directory) return Error::not_directory;
    Attributes attributes;
    VFS_TRY(this->attributes(d->node, &attributes));
    if (!permitted(caller.credentials, attributes, kMayExecute)) return Error::access_denied;
    Process* p = process(caller.pid, false);
    Node node = d->node;
    retain(node);
    if (p->has_cwd) release(p->cwd);
    p->cwd = node;
    p->has_cwd = true;
    return Error::ok;
}

Error Vfs::getcwd(const Caller& caller, std::span<char> buffer, uint32_t* length) {
    Process* p = process(caller.pid, false);
    Node node = p != nullptr && p->has_cwd ? p->cwd : root();
    Attributes attributes;
    VFS_TRY(this->attributes(node, &attributes));
    if (attributes.links == 0) return Error::not_found;
    // Built backwards from the end of m_scratch: "/name" for each level up.
    size_t start = kPathMax;
    for (uint32_t depth = 0; !(node == root()); ++depth) {
        if (depth >= kPathMax / 2) return Error::name_too_long;
        while (node.mount != 0 && is_mount_root(node))
            node = Node{m_mounts[node.mount].parent, m_mounts[node.mount].on};
        if (node == root()) break;
        InodeNumber up;
        VFS_TRY(fs_of(node).lookup(node.inode, "..", &up));
        NameFinder finder(node.inode);
        VFS_TRY(fs_of(node).read_directory(up, 0, finder));
        if (!finder.found()) return Error::not_found;
        std::string_view name = finder.name();
        if (name.size() + 1 > start) return Error::name_too_long;
        start -= name.size();
        memcpy(m_scratch + start, name.data(), name.size());
        m_scratch[--start] = '/';
        node = Node{node.mount, up};
    }
    if (start == kPathMax) m_scratch[--start] = '/';
    size_t size = kPathMax - start;
    if (buffer.size() < size + 1) return Error::invalid_argument;
    memcpy(buffer.data(), m_scratch + start, size);
    buffer[size] = '\0';
    *length = static_cast<uint32_t>(size);
    return Error::ok;
}

} // namespace fs
