#include "servers/fs/tmpfs/tmp_file_system.h"

#include <string.h>

namespace fs {

namespace {

// Whether `byte` occurs in [data, data + size) (no memchr in the freestanding runtime).
bool has_byte(const char* data, size_t size, char byte) {
    for (size_t i = 0; i < size; ++i)
        if (data[i] == byte) return true;
    return false;
}

bool valid_name(std::string_view name) {
    return !name.empty() && name.size() <= kNameMax && name != "." && name != ".." &&
           !has_byte(name.data(), name.size(), '/') && !has_byte(name.data(), name.size(), '\0');
}

Error name_error(std::string_view name) {
    return name.size() > kNameMax ? Error::name_too_long : Error::invalid_argument;
}

} // namespace

TmpFileSystem::TmpFileSystem(void* arena, size_t bytes, Clock& clock, uint32_t root_mode,
                             uint32_t root_uid, uint32_t root_gid, uint32_t bytes_per_inode,
                             bool read_only)
    : m_clock(clock), m_read_only(read_only) {
    uintptr_t base = reinterpret_cast<uintptr_t>(arena);
    if (arena == nullptr || (base & 7) != 0 || bytes_per_inode < sizeof(TmpInode)) return;
    size_t inodes = bytes / bytes_per_inode;
    if (inodes < 2) return;
    if (inodes > 0x00FFFFFF) inodes = 0x00FFFFFF;
    size_t table = inodes * sizeof(TmpInode);
    if (table >= bytes) return;
    // Blocks and their bitmap share the rest: each block costs kBlockBytes + 1 bit.
    size_t rest = bytes - table;
    size_t blocks = rest * 8 / (size_t{kBlockBytes} * 8 + 1);
    size_t bitmap_words = (blocks + 31) / 32;
    while (blocks > 0 && table + bitmap_words * 4 + blocks * kBlockBytes > bytes) {
        --blocks;
        bitmap_words = (blocks + 31) / 32;
    }
    if (blocks < 2 || blocks > 0xFFFFFFFFu) return;
    m_inodes = reinterpret_cast<TmpInode*>(base);
    m_inode_count = static_cast<uint32_t>(inodes);
    m_bitmap = reinterpret_cast<uint32_t*>(base + table);
    m_blocks = reinterpret_cast<uint8_t*>(base + table + bitmap_words * 4);
    m_block_count = static_cast<uint32_t>(blocks);
    for (uint32_t i = 0; i < m_inode_count; ++i)
        m_inodes[i] = TmpInode{};
    memset(m_bitmap, 0, bitmap_words * 4);
    m_bitmap[0] = 1; // block 0 is "no block"
    m_free_blocks = m_block_count - 1;
    m_free_inodes = m_inode_count;

    uint32_t root_number = allocate_inode(kModeDirectory | (root_mode & kModePermissionMask));
    TmpInode& r = m_inodes[root_number - 1];
    r.links = 2;
    r.uid = root_uid;
    r.gid = root_gid;
    r.parent = root_number;
    m_valid = root_number == 1;
}

// ---- Allocation ------------------------------------------------------------------------------

uint32_t TmpFileSystem::allocate_block() {
    if (m_free_blocks == 0) return 0;
    for (uint32_t n = 0; n < m_block_count; ++n) {
        uint32_t candidate = m_next_block + n;
        if (candidate >= m_block_count) candidate -= m_block_count - 1; // wrap past block 0
        uint32_t& word = m_bitmap[candidate / 32];
        uint32_t bit = 1u << (candidate % 32);
        if ((word & bit) != 0) continue;
        word |= bit;
        --m_free_blocks;
        m_next_block = candidate + 1 < m_block_count ? candidate + 1 : 1;
        memset(block(candidate), 0, kBlockBytes);
        return candidate;
    }
    return 0;
}

void TmpFileSystem::free_block(uint32_t number) {
    if (number == 0 || number >= m_block_count) return;
    m_bitmap[number / 32] &= ~(1u << (number % 32));
    ++m_free_blocks;
}

uint32_t* TmpFileSystem::block_slot(TmpInode& inode, uint64_t index, bool allocate) {
    auto ensure = [&](uint32_t& pointer) -> bool {
        if (pointer != 0) return true;
        if (!allocate) return false;
        pointer = allocate_block();
        if (pointer == 0) return false;
        ++inode.blocks;
        return true;
    };
    if (index < kDirectBlocks) return &inode.direct[index];
    index -= kDirectBlocks;
    if (index < kPointersPerBlock) {
        if (!ensure(inode.indirect)) return nullptr;
        return reinterpret_cast<uint32_t*>(block(inode.indirect)) + index;
    }
    index -= kPointersPerBlock;
    if (index >= uint64_t{kPointersPerBlock} * kPointersPerBlock) return nullptr;
    if (!ensure(inode.double_indirect)) return nullptr;
    uint32_t* level1 = reinterpret_cast<uint32_t*>(block(inode.double_indirect));
    uint32_t& second = level1[index / kPointersPerBlock];
    if (!ensure(second)) return nullptr;
    return reinterpret_cast<uint32_t*>(block(second)) + index % kPointersPerBlock;
}

void TmpFileSystem::free_blocks_from(TmpInode& inode, uint64_t first) {
    auto drop = [&](uint32_t& pointer) {
        if (pointer == 0) return;
        free_block(pointer);
        pointer = 0;
        --inode.blocks;
    };
    for (uint64_t i = first; i < kDirectBlocks; ++i)
        drop(inode.direct[i]);
    if (inode.indirect != 0) {
        uint32_t* pointers = reinterpret_cast<uint32_t*>(block(inode.indirect));
        for (uint32_t j = 0; j < kPointersPerBlock; ++j)
            if (kDirectBlocks + j >= first) drop(pointers[j]);
        if (first <= kDirectBlocks) drop(inode.indirect);
    }
    if (inode.double_indirect != 0) {
        uint64_t start = kDirectBlocks + kPointersPerBlock;
        uint32_t* level1 = reinterpret_cast<uint32_t*>(block(inode.double_indirect));
        for (uint32_t k = 0; k < kPointersPerBlock; ++k) {
            if (level1[k] == 0) continue;
            uint64_t base = start + uint64_t{k} * kPointersPerBlock;
            if (base + kPointersPerBlock <= first) continue;
            uint32_t* level2 = reinterpret_cast<uint32_t*>(block(level1[k]));
            for (uint32_t j = 0; j < kPointersPerBlock; ++j)
                if (base + j >= first) drop(level2[j]);
            if (base >= first) drop(level1[k]);
        }
        if (first <= start) drop(inode.double_indirect);
    }
}

uint32_t TmpFileSystem::allocate_inode(uint32_t mode) {
    for (uint32_t i = 0; i < m_inode_count; ++i) {
        if (m_inodes[i].mode != 0) continue;
        TmpInode& inode = m_inodes[i];
        inode = TmpInode{};
        inode.mode = mode;
        inode.access = inode.modify = inode.change = m_clock.now();
        --m_free_inodes;
        return i + 1;
    }
    return 0;
}

void TmpFileSystem::free_inode(TmpInode& inode) {
    free_blocks_from(inode, 0);
    inode = TmpInode{};
    ++m_free_inodes;
}

void TmpFileSystem::maybe_free(TmpInode& inode) {
    if (inode.links == 0 && inode.references == 0) free_inode(inode);
}

TmpFileSystem::TmpInode* TmpFileSystem::node(InodeNumber inode) {
    if (!inode.valid() || inode.value > m_inode_count) return nullptr;
    TmpInode* n = &m_inodes[inode.value - 1];
    return n->mode == 0 ? nullptr : n;
}

TmpFileSystem::TmpInode* TmpFileSystem::directory_node(InodeNumber directory, Error* error) {
    TmpInode* d = node(directory);
    if (d == nullptr) {
        *error = Error::not_found;
        return nullptr;
    }
    if (!is_directory(d->mode)) {
        *error = Error::not_directory;
        return nullptr;
    }
    *error = Error::ok;
    return d;
}

// ---- Bytes -----------------------------------------------------------------------------------

uint32_t TmpFileSystem::read_bytes(TmpInode& inode, uint64_t offset, void* buffer,
                                   uint32_t length) {
    uint8_t* out = static_cast<uint8_t*>(buffer);
    uint32_t done = 0;
    while (done < length) {
        uint64_t at = offset + done;
        uint32_t within = static_cast<uint32_t>(at % kBlockBytes);
        uint32_t chunk = kBlockBytes - within;
        if (chunk > length - done) chunk = length - done;
        uint32_t* slot = block_slot(inode, at / kBlockBytes, false);
        if (slot == nullptr || *slot == 0)
            memset(out + done, 0, chunk);
        else
            memcpy(out + done, block(*slot) + within, chunk);
        done += chunk;
    }
    return done;
}

uint32_t TmpFileSystem::write_bytes(TmpInode& inode, uint64_t offset, const void* data,
                                    uint32_t length) {
    const uint8_t* in = static_cast<const uint8_t*>(data);
    uint32_t done = 0;
    while (done < length) {
        uint64_t at = offset + done;
        uint32_t within = static_cast<uint32_t>(at % kBlockBytes);
        uint32_t chunk = kBlockBytes - within;
        if (chunk > length - done) chunk = length - done;
        uint32_t* slot = block_slot(inode, at / kBlockBytes, true);
        if (slot == nullptr) break;
        if (*slot == 0) {
            *slot = allocate_block();
            if (*slot == 0) break;
            ++inode.blocks;
        }
        memcpy(block(*slot) + within, in + done, chunk);
        done += chunk;
    }
    if (offset + done > inode.size) inode.size = offset + done;
    return done;
}

// ---- Directories -----------------------------------------------------------------------------

bool TmpFileSystem::find(TmpInode& directory, std::string_view name, uint32_t* record,
                         uint32_t* inode) {
    uint32_t count = records(directory);
    Record r;
    for (uint32_t i = 0; i < count; ++i) {
        read_bytes(directory, uint64_t{i} * sizeof(Record), &r, sizeof r);
        if (r.inode == 0 || r.length != name.size() || memcmp(r.name, name.data(), r.length) != 0)
            continue;
        if (record != nullptr) *record = i;
        if (inode != nullptr) *inode = r.inode;
        return true;
    }
    return false;
}

void TmpFileSystem::set_entry(TmpInode& directory, uint32_t record, uint32_t inode, FileType type) {
    Record r;
    read_bytes(directory, uint64_t{record} * sizeof(Record), &r, sizeof r);
    r.inode = inode;
    r.type = static_cast<uint8_t>(type);
    write_bytes(directory, uint64_t{record} * sizeof(Record), &r, sizeof r);
}

Error TmpFileSystem::add_entry(TmpInode& directory, std::string_view name, uint32_t inode,
                               FileType type) {
    uint32_t count = records(directory);
    uint32_t slot = count;
    Record r;
    for (uint32_t i = 0; i < count; ++i) {
        read_bytes(directory, uint64_t{i} * sizeof(Record), &r, sizeof r);
        if (r.inode == 0) {
            slot = i;
            break;
        }
    }
    memset(&r, 0, sizeof r);
    r.inode = inode;
    r.type = static_cast<uint8_t>(type);
    r.length = static_cast<uint8_t>(name.size());
    memcpy(r.name, name.data(), name.size());
    uint64_t size = directory.size;
    uint32_t written = write_bytes(directory, uint64_t{slot} * sizeof(Record), &r, sizeof r);
    if (written != sizeof r) {
        // Out of space half-way: give back what the record took.
        directory.size = size;
        free_blocks_from(directory, (size + kBlockBytes - 1) / kBlockBytes);
        return Error::no_space;
    }
    touch_directory(directory);
    return Error::ok;
}

bool TmpFileSystem::is_empty(TmpInode& directory) {
    uint32_t count = records(directory);
    Record r;
    for (uint32_t i = 0; i < count; ++i) {
        read_bytes(directory, uint64_t{i} * sizeof(Record), &r, sizeof r);
        if (r.inode != 0) return false;
    }
    return true;
}

void TmpFileSystem::touch_directory(TmpInode& directory) {
    directory.modify = directory.change = m_clock.now();
}

Error TmpFileSystem::check_new_name(InodeNumber directory, std::string_view name,
                                    TmpInode** parent) {
    if (m_read_only) return Error::read_only;
    Error error;
    TmpInode* d = directory_node(directory, &error);
    if (d == nullptr) return error;
    if (!valid_name(name)) return name_error(name);
    if (d->links == 0) return Error::not_found; // removed while referenced
    if (find(*d, name, nullptr, nullptr)) return Error::exists;
    *parent = d;
    return Error::ok;
}

// ---- The contract ----------------------------------------------------------------------------

Error TmpFileSystem::statistics(FileSystemStatistics* out) {
    *out = FileSystemStatistics{};
    out->block_size = kBlockBytes;
    out->blocks = m_block_count - 1;
    out->free_blocks = m_free_blocks;
    out->available_blocks = m_free_blocks;
    out->inodes = m_inode_count;
    out->free_inodes = m_free_inodes;
    out->name_max = kNameMax;
    out->read_only = m_read_only;
    return Error::ok;
}

Error TmpFileSystem::get_attributes(InodeNumber inode, Attributes* out) {
    TmpInode* n = node(inode);
    if (n == nullptr) return Error::not_found;
    *out = Attributes{};
    out->inode = inode;
    out->mode = n->mode;
    out->links = n->links;
    out->uid = n->uid;
    out->gid = n->gid;
    out->size = n->size;
    out->blocks = uint64_t{n->blocks} * (kBlockBytes / 512);
    out->block_size = kBlockBytes;
    out->device = n->device;
    out->access = n->access;
    out->modify = n->modify;
    out->change = n->change;
    return Error::ok;
}

Error TmpFileSystem::set_attributes(InodeNumber inode, const AttributeChanges& changes,
                                    Attributes* out) {
    TmpInode* n = node(inode);
    if (n == nullptr) return Error::not_found;
    if (m_read_only) return Error::read_only;
    if ((changes.which & AttributeChanges::kSize) != 0) {
        if (is_directory(n->mode)) return Error::is_directory;
        if (!is_regular(n->mode)) return Error::invalid_argument;
        if (changes.size > kMaxFileBytes) return Error::too_big;
    }
    Timestamp now = m_clock.now();
    if ((changes.which & AttributeChanges::kSize) != 0) {
        if (changes.size < n->size) {
            free_blocks_from(*n, (changes.size + kBlockBytes - 1) / kBlockBytes);
            // The rest of the last block must read zeros if the file grows again.
            uint32_t within = static_cast<uint32_t>(changes.size % kBlockBytes);
            if (within != 0) {
                uint32_t* slot = block_slot(*n, changes.size / kBlockBytes, false);
                if (slot != nullptr && *slot != 0)
                    memset(block(*slot) + within, 0, kBlockBytes - within);
            }
        }
        n->size = changes.size;
        n->modify = now;
    }
    if ((changes.which & AttributeChanges::kMode) != 0)
        n->mode = (n->mode & kModeTypeMask) | (changes.mode & kModePermissionMask);
    if ((changes.which & AttributeChanges::kUid) != 0) n->uid = changes.uid;
    if ((changes.which & AttributeChanges::kGid) != 0) n->gid = changes.gid;
    if ((changes.which & AttributeChanges::kAccess) != 0) n->access = changes.access;
    if ((changes.which & AttributeChanges::kModify) != 0) n->modify = changes.modify;
    n->change = now;
    if (out != nullptr) return get_attributes(inode, out);
    return Error::ok;
}

Error TmpFileSystem::lookup(InodeNumber directory, std::string_view name, InodeNumber* out) {
    Error error;
    TmpInode* d = directory_node(directory, &error);
    if (d == nullptr) return error;
    if (d->links == 0) return Error::not_found;
    if (name == ".") {
        *out = directory;
        return Error::ok;
    }
    if (name == "..") {
        *out = InodeNumber{d->parent};
        return Error::ok;
    }
    if (name.empty() || name.size() > kNameMax) return Error::not_found;
    uint32_t number = 0;
    if (!find(*d, name, nullptr, &number)) return Error::not_found;
    *out = InodeNumber{number};
    return Error::ok;
}

Error TmpFileSystem::make(InodeNumber directory, std::string_view name, const NewInode& inode,
                          InodeNumber* out, std::string_view target) {
    TmpInode* parent = nullptr;
    if (Error error = check_new_name(directory, name, &parent); error != Error::ok) return error;
    bool directory_type = is_directory(inode.mode);
    if (directory_type && parent->links >= kMaxLinks) return Error::too_many_links;
    uint32_t number = allocate_inode(inode.mode);
    if (number == 0) return Error::no_space;
    TmpInode& n = m_inodes[number - 1];
    n.uid = inode.uid;
    n.gid = inode.gid;
    n.device = inode.device;
    n.links = directory_type ? 2 : 1;
    n.parent = directory.value;
    if (!target.empty() &&
        write_bytes(n, 0, target.data(), static_cast<uint32_t>(target.size())) != target.size()) {
        free_inode(n);
        return Error::no_space;
    }
    if (Error error = add_entry(*parent, name, number, file_type_of(inode.mode));
        error != Error::ok) {
        free_inode(n);
        return error;
    }
    if (directory_type) ++parent->links;
    *out = InodeNumber{number};
    return Error::ok;
}

Error TmpFileSystem::create(InodeNumber directory, std::string_view name, const NewInode& inode,
                            InodeNumber* out) {
    uint32_t type = inode.mode & kModeTypeMask;
    if (type != kModeRegular && type != kModeFifo && type != kModeSocket &&
        type != kModeCharacterDevice && type != kModeBlockDevice)
        return Error::invalid_argument;
    return make(directory, name, inode, out, {});
}

Error TmpFileSystem::make_directory(InodeNumber directory, std::string_view name,
                                    const NewInode& inode, InodeNumber* out) {
    NewInode directory_inode = inode;
    directory_inode.mode = kModeDirectory | (inode.mode & kModePermissionMask);
    directory_inode.device = 0;
    return make(directory, name, directory_inode, out, {});
}

Error TmpFileSystem::make_symlink(InodeNumber directory, std::string_view name,
                                  std::string_view target, const NewInode& inode,
                                  InodeNumber* out) {
    if (target.empty() || target.size() >= kPathMax) return Error::invalid_argument;
    NewInode link_inode = inode;
    link_inode.mode = kModeSymlink | (inode.mode & kModePermissionMask);
    link_inode.device = 0;
    return make(directory, name, link_inode, out, target);
}

Error TmpFileSystem::link(InodeNumber inode, InodeNumber directory, std::string_view name) {
    TmpInode* n = node(inode);
    if (n == nullptr) return Error::not_found;
    TmpInode* parent = nullptr;
    if (Error error = check_new_name(directory, name, &parent); error != Error::ok) return error;
    if (is_directory(n->mode)) return Error::is_directory;
    if (n->links == 0) return Error::not_found; // unlinked, still open: no new names
    if (n->links >= kMaxLinks) return Error::too_many_links;
    if (Error error = add_entry(*parent, name, inode.value, file_type_of(n->mode));
        error != Error::ok)
        return error;
    ++n->links;
    n->change = m_clock.now();
    return Error::ok;
}

Error TmpFileSystem::unlink(InodeNumber directory, std::string_view name) {
    Error error;
    TmpInode* d = directory_node(directory, &error);
    if (d == nullptr) return error;
    if (m_read_only) return Error::read_only;
    uint32_t record = 0, number = 0;
    if (!valid_name(name) || !find(*d, name, &record, &number)) return Error::not_found;
    TmpInode& victim = m_inodes[number - 1];
    if (is_directory(victim.mode)) return Error::is_directory;
    set_entry(*d, record, 0, FileType::unknown);
    touch_directory(*d);
    --victim.links;
    victim.change = m_clock.now();
    maybe_free(victim);
    return Error::ok;
}

Error TmpFileSystem::remove_directory(InodeNumber directory, std::string_view name) {
    Error error;
    TmpInode* d = directory_node(directory, &error);
    if (d == nullptr) return error;
    if (m_read_only) return Error::read_only;
    uint32_t record = 0, number = 0;
    if (!valid_name(name) || !find(*d, name, &record, &number)) return Error::not_found;
    TmpInode& victim = m_inodes[number - 1];
    if (!is_directory(victim.mode)) return Error::not_directory;
    if (number == root().value) return Error::busy;
    if (!is_empty(victim)) return Error::not_empty;
    set_entry(*d, record, 0, FileType::unknown);
    touch_directory(*d);
    --d->links;
    victim.links = 0;
    free_blocks_from(victim, 0);
    victim.size = 0;
    victim.change = m_clock.now();
    maybe_free(victim);
    return Error::ok;
}

Error TmpFileSystem::rename(InodeNumber from_directory, std::string_view from,
                            InodeNumber to_directory, std::string_view to) {
    Error error;
    TmpInode* source_parent = directory_node(from_directory, &error);
    if (source_parent == nullptr) return error;
    TmpInode* target_parent = directory_node(to_directory, &error);
    if (target_parent == nullptr) return error;
    if (m_read_only) return Error::read_only;
    uint32_t source_record = 0, source_number = 0;
    if (!valid_name(from) || !find(*source_parent, from, &source_record, &source_number))
        return Error::not_found;
    if (!valid_name(to)) return name_error(to);
    if (target_parent->links == 0) return Error::not_found;
    TmpInode& source = m_inodes[source_number - 1];
    bool moving_directory = is_directory(source.mode);
    uint32_t target_record = 0, target_number = 0;
    bool replacing = find(*target_parent, to, &target_record, &target_number);
    if (replacing && target_number == source_number) return Error::ok;
    TmpInode* target = replacing ? &m_inodes[target_number - 1] : nullptr;
    if (target != nullptr) {
        if (moving_directory && !is_directory(target->mode)) return Error::not_directory;
        if (!moving_directory && is_directory(target->mode)) return Error::is_directory;
        if (is_directory(target->mode) && !is_empty(*target)) return Error::not_empty;
    }
    bool other_parent = from_directory.value != to_directory.value;
    if (moving_directory && other_parent && target == nullptr && target_parent->links >= kMaxLinks)
        return Error::too_many_links;

    // The new name first: the only step that can fail (no space for a record).
    if (target != nullptr) {
        set_entry(*target_parent, target_record, source_number, file_type_of(source.mode));
        touch_directory(*target_parent);
    } else if (Error added =
                   add_entry(*target_parent, to, source_number, file_type_of(source.mode));
               added != Error::ok) {
        return added;
    }
    set_entry(*source_parent, source_record, 0, FileType::unknown);
    touch_directory(*source_parent);
    Timestamp now = m_clock.now();
    source.change = now;
    if (moving_directory && other_parent) {
        source.parent = to_directory.value;
        --source_parent->links;
        ++target_parent->links;
    }
    if (target != nullptr) {
        target->change = now;
        if (is_directory(target->mode)) {
            target->links = 0;
            --target_parent->links; // its ".."
            free_blocks_from(*target, 0);
            target->size = 0;
        } else {
            --target->links;
        }
        maybe_free(*target);
    }
    return Error::ok;
}

Error TmpFileSystem::read_link(InodeNumber inode, std::span<char> buffer, uint32_t* length) {
    TmpInode* n = node(inode);
    if (n == nullptr) return Error::not_found;
    if (!is_symlink(n->mode)) return Error::invalid_argument;
    uint32_t size = static_cast<uint32_t>(n->size);
    uint32_t copy = size < buffer.size() ? size : static_cast<uint32_t>(buffer.size());
    read_bytes(*n, 0, buffer.data(), copy);
    *length = size;
    return Error::ok;
}

Error TmpFileSystem::read(InodeNumber inode, uint64_t offset, std::span<uint8_t> buffer,
                          uint32_t* done) {
    *done = 0;
    TmpInode* n = node(inode);
    if (n == nullptr) return Error::not_found;
    if (is_directory(n->mode)) return Error::is_directory;
    if (!is_regular(n->mode)) return Error::invalid_argument;
    if (offset >= n->size) return Error::ok;
    uint64_t available = n->size - offset;
    uint32_t length = buffer.size() < available ? static_cast<uint32_t>(buffer.size())
                                                : static_cast<uint32_t>(available);
    *done = read_bytes(*n, offset, buffer.data(), length);
    if (!m_read_only) {
        // relatime: atime moves when it is older than the last change, or a day old.
        Timestamp now = m_clock.now();
        auto before = [](const Timestamp& a, const Timestamp& b) {
            return a.seconds < b.seconds ||
                   (a.seconds == b.seconds && a.nanoseconds < b.nanoseconds);
        };
        if (before(n->access, n->modify) || before(n->access, n->change) ||
            now.seconds - n->access.seconds >= 86400)
            n->access = now;
    }
    return Error::ok;
}

Error TmpFileSystem::write(InodeNumber inode, uint64_t offset, std::span<const uint8_t> data,
                           uint32_t* done) {
    *done = 0;
    TmpInode* n = node(inode);
    if (n == nullptr) return Error::not_found;
    if (is_directory(n->mode)) return Error::is_directory;
    if (!is_regular(n->mode)) return Error::invalid_argument;
    if (m_read_only) return Error::read_only;
    if (offset >= kMaxFileBytes) return Error::too_big;
    uint64_t length = data.size();
    if (length > kMaxFileBytes - offset) length = kMaxFileBytes - offset;
    *done = write_bytes(*n, offset, data.data(), static_cast<uint32_t>(length));
    if (*done == 0 && length != 0) return Error::no_space;
    n->modify = n->change = m_clock.now();
    return Error::ok;
}

Error TmpFileSystem::read_directory(InodeNumber directory, uint64_t cookie, DirectorySink& sink) {
    Error error;
    TmpInode* d = directory_node(directory, &error);
    if (d == nullptr) return error;
    if (d->links == 0) return Error::ok; // removed: no entries, not even "." and ".."
    if (cookie == 0) {
        if (!sink.take(DirectoryEntry{directory, FileType::directory, ".", 1})) return Error::ok;
        cookie = 1;
    }
    if (cookie == 1) {
        if (!sink.take(DirectoryEntry{InodeNumber{d->parent}, FileType::directory, "..", 2}))
            return Error::ok;
        cookie = 2;
    }
    uint32_t count = records(*d);
    Record r;
    for (uint64_t i = cookie - 2; i < count; ++i) {
        read_bytes(*d, i * sizeof(Record), &r, sizeof r);
        if (r.inode == 0) continue;
        DirectoryEntry entry{InodeNumber{r.inode}, static_cast<FileType>(r.type),
                             std::string_view(r.name, r.length), i + 3};
        if (!sink.take(entry)) return Error::ok;
    }
    return Error::ok;
}

void TmpFileSystem::retain(InodeNumber inode) {
    if (TmpInode* n = node(inode); n != nullptr) ++n->references;
}

void TmpFileSystem::release(InodeNumber inode) {
    TmpInode* n = node(inode);
    if (n == nullptr || n->references == 0) return;
    --n->references;
    maybe_free(*n);
}

Error TmpFileSystem::sync_inode(InodeNumber inode) {
    return node(inode) == nullptr ? Error::not_found : Error::ok;
}

Error TmpFileSystem::sync() {
    return Error::ok;
}

} // namespace fs
