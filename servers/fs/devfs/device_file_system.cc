#include "servers/fs/devfs/device_file_system.h"

#include <string.h>

namespace fs {

namespace {

bool valid_name(std::string_view name, uint32_t max) {
    if (name.empty() || name.size() > max || name == "." || name == "..") return false;
    for (char c : name)
        if (c == '/' || c == '\0') return false;
    return true;
}

// Fills an inode's times from one reading of the clock.
void stamp(Timestamp now, Timestamp* access, Timestamp* modify, Timestamp* change) {
    *access = now;
    *modify = now;
    *change = now;
}

} // namespace

DeviceFileSystem::DeviceFileSystem(Clock& clock, std::span<const uint8_t> seed)
    : m_clock(clock), m_random(seed) {
    stamp(m_clock.now(), &m_root_access, &m_root_modify, &m_root_change);
    struct Builtin {
        const char* name;
        DeviceKind kind;
        uint32_t device;
    };
    static constexpr Builtin kBuiltins[] = {
        {"null", DeviceKind::null, kDeviceNull},
        {"zero", DeviceKind::zero, kDeviceZero},
        {"full", DeviceKind::full, kDeviceFull},
        {"random", DeviceKind::random, kDeviceRandom},
        {"urandom", DeviceKind::urandom, kDeviceUrandom},
    };
    for (const Builtin& b : kBuiltins)
        (void)add(b.name, b.kind, kModeCharacterDevice | 0666, b.device, 0, nullptr);
}

// ---- Devices ------------------------------------------------------------------------------------

DeviceFileSystem::Entry* DeviceFileSystem::entry_of(InodeNumber inode) {
    return const_cast<Entry*>(static_cast<const DeviceFileSystem*>(this)->entry_of(inode));
}

const DeviceFileSystem::Entry* DeviceFileSystem::entry_of(InodeNumber inode) const {
    if (inode.value < 2 || inode.value - 2 >= kMaxDevices) return nullptr;
    const Entry& e = m_entries[inode.value - 2];
    return e.state == Entry::State::free ? nullptr : &e;
}

int32_t DeviceFileSystem::find(std::string_view name) const {
    for (uint32_t i = 0; i < kMaxDevices; ++i)
        if (m_entries[i].state == Entry::State::named && m_entries[i].name_view() == name)
            return static_cast<int32_t>(i);
    return -1;
}

Error DeviceFileSystem::add(std::string_view name, DeviceKind kind, uint32_t mode, uint32_t device,
                            uint32_t route, InodeNumber* out) {
    if (!valid_name(name, kDeviceNameMax)) return Error::invalid_argument;
    uint32_t type = mode & kModeTypeMask;
    if (type != kModeCharacterDevice && type != kModeBlockDevice) return Error::invalid_argument;
    if (find(name) >= 0) return Error::exists;
    for (uint32_t i = 0; i < kMaxDevices; ++i) {
        Entry& e = m_entries[i];
        if (e.state != Entry::State::free) continue;
        e = Entry{};
        e.state = Entry::State::named;
        e.kind = kind;
        memcpy(e.name, name.data(), name.size());
        e.name_length = static_cast<uint8_t>(name.size());
        e.mode = type | (mode & kModePermissionMask);
        e.device = device;
        e.route = route;
        Timestamp now = m_clock.now();
        stamp(now, &e.access, &e.modify, &e.change);
        m_root_modify = now; // a new entry changes the directory
        m_root_change = now;
        if (out != nullptr) *out = inode_of(i);
        return Error::ok;
    }
    return Error::no_space;
}

Error DeviceFileSystem::add_device(std::string_view name, uint32_t mode, uint32_t device,
                                   uint32_t route, InodeNumber* out) {
    return add(name, DeviceKind::routed, mode, device, route, out);
}

Error DeviceFileSystem::remove_device(std::string_view name) {
    int32_t index = find(name);
    if (index < 0) return Error::not_found;
    Entry& e = m_entries[index];
    if (e.kind != DeviceKind::routed) return Error::no_permission;
    Timestamp now = m_clock.now();
    m_root_modify = now;
    m_root_change = now;
    if (e.references > 0) {
        e.state = Entry::State::unnamed;
        e.change = now;
    } else {
        e = Entry{};
    }
    return Error::ok;
}

Error DeviceFileSystem::device_of(InodeNumber inode, DeviceInfo* out) const {
    if (inode.value == kRootInode) {
        *out = DeviceInfo{DeviceKind::directory, m_root_mode, 0, 0};
        return Error::ok;
    }
    const Entry* e = entry_of(inode);
    if (e == nullptr) return Error::not_found;
    *out = DeviceInfo{e->kind, e->mode, e->device, e->route};
    return Error::ok;
}

Error DeviceFileSystem::read_device(InodeNumber inode, std::span<uint8_t> buffer, uint32_t* done) {
    *done = 0;
    if (inode.value == kRootInode) return Error::is_directory;
    const Entry* e = entry_of(inode);
    if (e == nullptr) return Error::not_found;
    uint32_t n = buffer.size() < 0xFFFFFFFFu ? static_cast<uint32_t>(buffer.size()) : 0xFFFFFFFFu;
    switch (e->kind) {
    case DeviceKind::null:
        return Error::ok; // end of file
    case DeviceKind::zero:
    case DeviceKind::full:
        if (n > 0) memset(buffer.data(), 0, n);
        *done = n;
        return Error::ok;
    case DeviceKind::random:
    case DeviceKind::urandom:
        m_random.generate(buffer.first(n));
        *done = n;
        return Error::ok;
    case DeviceKind::routed:
    case DeviceKind::directory:
        break;
    }
    return Error::invalid_argument;
}

Error DeviceFileSystem::write_device(InodeNumber inode, std::span<const uint8_t> data,
                                     uint32_t* done) {
    *done = 0;
    if (inode.value == kRootInode) return Error::is_directory;
    const Entry* e = entry_of(inode);
    if (e == nullptr) return Error::not_found;
    uint32_t n = data.size() < 0xFFFFFFFFu ? static_cast<uint32_t>(data.size()) : 0xFFFFFFFFu;
    switch (e->kind) {
    case DeviceKind::null:
    case DeviceKind::zero:
        *done = n;
        return Error::ok;
    case DeviceKind::full:
        return n == 0 ? Error::ok : Error::no_space;
    case DeviceKind::random:
    case DeviceKind::urandom:
        // Linux mixes what is written without crediting it: it can only add unpredictability.
        m_random.mix(data.first(n));
        *done = n;
        return Error::ok;
    case DeviceKind::routed:
    case DeviceKind::directory:
        break;
    }
    return Error::invalid_argument;
}

uint32_t DeviceFileSystem::poll_device(InodeNumber inode) const {
    DeviceInfo info;
    if (device_of(inode, &info) != Error::ok) return kPollNval;
    return info.kind == DeviceKind::routed ? 0 : kPollIn | kPollOut;
}

// ---- Attributes ---------------------------------------------------------------------------------

Error DeviceFileSystem::statistics(FileSystemStatistics* out) {
    uint32_t used = 0;
    for (const Entry& e : m_entries)
        if (e.state != Entry::State::free) ++used;
    *out = FileSystemStatistics{};
    out->block_size = kBlockSize;
    out->inodes = kMaxDevices + 1;
    out->free_inodes = kMaxDevices - used;
    out->name_max = kDeviceNameMax;
    return Error::ok;
}

Error DeviceFileSystem::get_attributes(InodeNumber inode, Attributes* out) {
    Attributes a;
    a.inode = inode;
    a.block_size = kBlockSize;
    if (inode.value == kRootInode) {
        a.mode = m_root_mode;
        a.links = 2;
        a.uid = m_root_uid;
        a.gid = m_root_gid;
        a.access = m_root_access;
        a.modify = m_root_modify;
        a.change = m_root_change;
    } else {
        const Entry* e = entry_of(inode);
        if (e == nullptr) return Error::not_found;
        a.mode = e->mode;
        a.links = e->state == Entry::State::named ? 1 : 0;
        a.uid = e->uid;
        a.gid = e->gid;
        a.device = e->device;
        a.access = e->access;
        a.modify = e->modify;
        a.change = e->change;
    }
    *out = a;
    return Error::ok;
}

Error DeviceFileSystem::set_attributes(InodeNumber inode, const AttributeChanges& changes,
                                       Attributes* out) {
    bool root = inode.value == kRootInode;
    Entry* e = entry_of(inode);
    if (!root && e == nullptr) return Error::not_found;
    if (changes.which & AttributeChanges::kSize)
        return root ? Error::is_directory : Error::invalid_argument;
    uint32_t& mode = root ? m_root_mode : e->mode;
    Timestamp& access = root ? m_root_access : e->access;
    Timestamp& modify = root ? m_root_modify : e->modify;
    Timestamp& change = root ? m_root_change : e->change;
    if (changes.which & AttributeChanges::kMode)
        mode = (mode & kModeTypeMask) | (changes.mode & kModePermissionMask);
    if (changes.which & AttributeChanges::kUid) (root ? m_root_uid : e->uid) = changes.uid;
    if (changes.which & AttributeChanges::kGid) (root ? m_root_gid : e->gid) = changes.gid;
    if (changes.which & AttributeChanges::kAccess) access = changes.access;
    if (changes.which & AttributeChanges::kModify) modify = changes.modify;
    if (changes.which != 0) change = m_clock.now();
    return out != nullptr ? get_attributes(inode, out) : Error::ok;
}

// ---- The directory ------------------------------------------------------------------------------

Error DeviceFileSystem::lookup(InodeNumber directory, std::string_view name, InodeNumber* out) {
    if (directory.value != kRootInode)
        return entry_of(directory) != nullptr ? Error::not_directory : Error::not_found;
    if (name == "." || name == "..") {
        *out = root();
        return Error::ok;
    }
    int32_t index = find(name);
    if (index < 0) return Error::not_found;
    *out = inode_of(static_cast<uint32_t>(index));
    return Error::ok;
}

Error DeviceFileSystem::refuse_change(InodeNumber directory) const {
    if (directory.value != kRootInode)
        return entry_of(directory) != nullptr ? Error::not_directory : Error::not_found;
    return Error::no_permission;
}

Error DeviceFileSystem::create(InodeNumber directory, std::string_view, const NewInode&,
                               InodeNumber*) {
    return refuse_change(directory);
}

Error DeviceFileSystem::make_directory(InodeNumber directory, std::string_view, const NewInode&,
                                       InodeNumber*) {
    return refuse_change(directory);
}

Error DeviceFileSystem::make_symlink(InodeNumber directory, std::string_view, std::string_view,
                                     const NewInode&, InodeNumber*) {
    return refuse_change(directory);
}

Error DeviceFileSystem::link(InodeNumber inode, InodeNumber directory, std::string_view) {
    if (inode.value == kRootInode) return Error::is_directory;
    if (entry_of(inode) == nullptr) return Error::not_found;
    return refuse_change(directory);
}

Error DeviceFileSystem::unlink(InodeNumber directory, std::string_view name) {
    Error error = refuse_change(directory);
    if (error != Error::no_permission) return error;
    return find(name) < 0 ? Error::not_found : Error::no_permission;
}

Error DeviceFileSystem::remove_directory(InodeNumber directory, std::string_view name) {
    Error error = refuse_change(directory);
    if (error != Error::no_permission) return error;
    return find(name) < 0 ? Error::not_found : Error::not_directory;
}

Error DeviceFileSystem::rename(InodeNumber from_directory, std::string_view from,
                               InodeNumber to_directory, std::string_view) {
    Error error = refuse_change(from_directory);
    if (error != Error::no_permission) return error;
    error = refuse_change(to_directory);
    if (error != Error::no_permission) return error;
    return find(from) < 0 ? Error::not_found : Error::no_permission;
}

Error DeviceFileSystem::read_link(InodeNumber inode, std::span<char>, uint32_t* length) {
    *length = 0;
    if (inode.value != kRootInode && entry_of(inode) == nullptr) return Error::not_found;
    return Error::invalid_argument;
}

Error DeviceFileSystem::read(InodeNumber inode, uint64_t, std::span<uint8_t>, uint32_t* done) {
    *done = 0;
    if (inode.value == kRootInode) return Error::is_directory;
    return entry_of(inode) != nullptr ? Error::invalid_argument : Error::not_found;
}

Error DeviceFileSystem::write(InodeNumber inode, uint64_t, std::span<const uint8_t>,
                              uint32_t* done) {
    *done = 0;
    if (inode.value == kRootInode) return Error::is_directory;
    return entry_of(inode) != nullptr ? Error::invalid_argument : Error::not_found;
}

Error DeviceFileSystem::read_directory(InodeNumber directory, uint64_t cookie,
                                       DirectorySink& sink) {
    if (directory.value != kRootInode)
        return entry_of(directory) != nullptr ? Error::not_directory : Error::not_found;
    // Cookies: 1 after ".", 2 after "..", slot + 3 after a device: slots never move, so an entry
    // present during the whole listing is given exactly once.
    if (cookie == 0 && !sink.take(DirectoryEntry{root(), FileType::directory, ".", 1}))
        return Error::ok;
    if (cookie <= 1 && !sink.take(DirectoryEntry{root(), FileType::directory, "..", 2}))
        return Error::ok;
    for (uint64_t i = cookie > 2 ? cookie - 2 : 0; i < kMaxDevices; ++i) {
        const Entry& e = m_entries[i];
        if (e.state != Entry::State::named) continue;
        uint32_t slot = static_cast<uint32_t>(i);
        if (!sink.take(DirectoryEntry{inode_of(slot), file_type_of(e.mode), e.name_view(),
                                      uint64_t{slot} + 3}))
            return Error::ok;
    }
    return Error::ok;
}

// ---- References ---------------------------------------------------------------------------------

void DeviceFileSystem::retain(InodeNumber inode) {
    if (Entry* e = entry_of(inode)) ++e->references;
}

void DeviceFileSystem::release(InodeNumber inode) {
    Entry* e = entry_of(inode);
    if (e == nullptr || e->references == 0) return;
    if (--e->references == 0 && e->state == Entry::State::unnamed) *e = Entry{};
}

Error DeviceFileSystem::sync_inode(InodeNumber inode) {
    if (inode.value != kRootInode && entry_of(inode) == nullptr) return Error::not_found;
    return Error::ok;
}

} // namespace fs
