#include "servers/fs/ext2/ext2_file_system.h"

#include <string.h>

namespace fs {

using ext2::DirectoryEntryHead;
using ext2::GroupDescriptor;
using Handle = BlockCache::Handle;

namespace {

constexpr int kAccess = 0;
constexpr int kModify = 1;
constexpr int kChange = 2;

constexpr uint32_t kSecondsPerDay = 24 * 60 * 60;
// The largest directory (a million entries or so); larger is taken for corruption.
constexpr uint64_t kMaxDirectoryBytes = 64ull << 20;
// The deepest directory a walk up the ".." entries follows before calling the tree corrupt.
constexpr uint32_t kMaxDepth = 4096;

bool before(Timestamp a, Timestamp b) {
    return a.seconds < b.seconds || (a.seconds == b.seconds && a.nanoseconds < b.nanoseconds);
}

template <typename T> T load(const uint8_t* at) {
    T value;
    memcpy(&value, at, sizeof value);
    return value;
}

template <typename T> void store(uint8_t* at, const T& value) {
    memcpy(at, &value, sizeof value);
}

bool has_blocks(uint32_t mode) {
    return is_regular(mode) || is_directory(mode) || is_symlink(mode);
}

} // namespace

Ext2FileSystem::Ext2FileSystem(BlockCache& cache, Clock& clock, std::span<Reference> references)
    : m_cache(cache), m_clock(clock), m_references(references) {}

// ---------------------------------------------------------------------------------------------
// Mounting

Error Ext2FileSystem::mount(const Ext2MountOptions& options) {
    if (m_mounted) {
        return Error::busy;
    }
    // Read the superblock through the cache at the smallest block size that holds it whole.
    uint32_t probe = 1024;
    if (Error error = m_cache.set_block_size(probe); error != Error::ok) {
        probe = 4096;
        if (Error again = m_cache.set_block_size(probe); again != Error::ok) {
            return again;
        }
    }
    {
        Handle block;
        uint64_t number = ext2::kSuperblockOffset / probe;
        if (Error error = m_cache.get(number, &block); error != Error::ok) {
            return error == Error::invalid_argument ? Error::invalid_argument : error;
        }
        memcpy(&m_super, block.data() + ext2::kSuperblockOffset % probe, sizeof m_super);
    }
    const ext2::Superblock& s = m_super;
    if (s.magic != ext2::kMagic || s.rev_level > ext2::kRevisionDynamic || s.log_block_size > 2) {
        return Error::invalid_argument;
    }
    uint32_t block_size = 1024u << s.log_block_size;
    if (s.rev_level >= ext2::kRevisionDynamic) {
        if ((s.feature_incompat & ~ext2::kSupportedIncompat) != 0) {
            return Error::unsupported;
        }
        m_inode_size = s.inode_size;
        m_first_inode = s.first_ino;
    } else {
        m_inode_size = ext2::kGoodOldInodeSize;
        m_first_inode = ext2::kGoodOldFirstInode;
    }
    if (m_inode_size < 128 || m_inode_size > block_size || (m_inode_size & (m_inode_size - 1))) {
        return Error::invalid_argument;
    }
    if (s.blocks_per_group == 0 || s.blocks_per_group > 8 * block_size || s.inodes_per_group == 0 ||
        s.inodes_per_group > 8 * block_size ||
        s.first_data_block != (block_size == 1024 ? 1u : 0u) ||
        s.blocks_count <= s.first_data_block) {
        return Error::invalid_argument;
    }
    if (Error error = m_cache.set_block_size(block_size); error != Error::ok) {
        return error;
    }
    if (s.blocks_count > m_cache.blocks()) {
        return Error::invalid_argument;
    }
    uint64_t groups = (uint64_t{s.blocks_count} - s.first_data_block + s.blocks_per_group - 1) /
                      s.blocks_per_group;
    if (groups * s.inodes_per_group != s.inodes_count || m_first_inode <= ext2::kRootInode ||
        m_first_inode >= s.inodes_count || s.free_blocks_count > s.blocks_count ||
        s.free_inodes_count > s.inodes_count) {
        return Error::invalid_argument;
    }
    m_block_size = block_size;
    m_groups = static_cast<uint32_t>(groups);
    m_descriptor_block = s.first_data_block + 1;
    m_pointers = block_size / 4;
    uint64_t descriptor_blocks = (groups * sizeof(GroupDescriptor) + block_size - 1) / block_size;
    if (m_descriptor_block + descriptor_blocks > s.blocks_count) {
        return Error::invalid_argument;
    }
    uint64_t table_blocks =
        (uint64_t{s.inodes_per_group} * m_inode_size + block_size - 1) / block_size;
    for (uint32_t group = 0; group < m_groups; ++group) {
        GroupDescriptor descriptor;
        if (Error error = load_group(group, &descriptor); error != Error::ok) {
            return error;
        }
        if (!valid_data_block(descriptor.block_bitmap) ||
            !valid_data_block(descriptor.inode_bitmap) ||
            !valid_data_block(descriptor.inode_table) ||
            descriptor.inode_table + table_blocks > s.blocks_count) {
            return Error::invalid_argument;
        }
    }

    // The largest file: what the block map addresses, and what i_blocks (512-byte units, 32
    // bits, metadata included) can count.
    uint64_t p = m_pointers;
    uint64_t addressable = ext2::kDirectBlocks + p + p * p + p * p * p;
    uint64_t countable = (0xFFFFFFFFull / (block_size / 512)) - (3 + p + p * p);
    uint64_t data_blocks = addressable < countable ? addressable : countable;
    if (data_blocks > 0xFFFFFFFFull) {
        data_blocks = 0xFFFFFFFFull;
    }
    m_max_file_size = data_blocks * block_size;
    if (s.rev_level == ext2::kRevisionGoodOld && m_max_file_size > 0x7FFFFFFFull) {
        m_max_file_size = 0x7FFFFFFF;
    }

    m_was_clean = (s.state & ext2::kStateValid) != 0 && (s.state & ext2::kStateError) == 0;
    if (!m_was_clean && !options.allow_unclean) {
        return Error::busy;
    }
    m_read_only = options.read_only;
    if (s.rev_level >= ext2::kRevisionDynamic &&
        (s.feature_ro_compat & ~ext2::kSupportedRoCompat) != 0) {
        m_read_only = true;
    }
    m_mount_state = s.state;
    m_mounted = true;
    for (Reference& reference : m_references) {
        reference = Reference{};
    }
    m_reference_end = 0;
    if (!m_read_only) {
        m_super.state = static_cast<uint16_t>(m_super.state & ~ext2::kStateValid);
        m_super.mnt_count = static_cast<uint16_t>(m_super.mnt_count + 1);
        m_super.mtime = static_cast<uint32_t>(m_clock.now().seconds);
        if (Error error = sync(); error != Error::ok) {
            m_mounted = false;
            return error;
        }
    }
    return Error::ok;
}

Error Ext2FileSystem::release_unlinked_open_inodes() {
    Error first = Error::ok;
    for (Reference& reference : m_references) {
        if (reference.count == 0) {
            continue;
        }
        LoadedInode inode;
        if (load_inode(reference.inode, &inode) == Error::ok && inode.core.links_count == 0 &&
            inode.core.mode != 0) {
            reference = Reference{};
            Error error = release_inode_storage(inode);
            if (error != Error::ok && first == Error::ok) {
                first = error;
            }
        }
    }
    return first;
}

Error Ext2FileSystem::remount_read_only() {
    if (!m_mounted) {
        return Error::invalid_argument;
    }
    if (m_read_only) {
        return Error::ok;
    }
    // Unlinked inodes still open: their storage goes now, as at unmount (e2fsck would find
    // them deleted but still allocated otherwise).
    Error first = release_unlinked_open_inodes();
    const uint16_t state = m_super.state;
    m_super.state = m_mount_state;
    m_super.wtime = static_cast<uint32_t>(m_clock.now().seconds);
    m_super_dirty = true;
    Error error = sync();
    if (first == Error::ok) {
        first = error;
    }
    if (first != Error::ok) {
        m_super.state = state;
        m_super_dirty = true;
        return first;
    }
    m_read_only = true;
    return Error::ok;
}

Error Ext2FileSystem::unmount() {
    if (!m_mounted) {
        return Error::invalid_argument;
    }
    Error first = Error::ok;
    if (!m_read_only) {
        first = release_unlinked_open_inodes();
        for (Reference& reference : m_references) {
            reference = Reference{};
        }
        m_reference_end = 0;
        m_super.state = m_mount_state;
        m_super.wtime = static_cast<uint32_t>(m_clock.now().seconds);
        m_super_dirty = true;
    }
    Error error = sync();
    if (first == Error::ok) {
        first = error;
    }
    m_mounted = false;
    return first;
}

Error Ext2FileSystem::write_superblock() {
    uint64_t number = ext2::kSuperblockOffset / m_block_size;
    Handle block;
    if (Error error = m_cache.get(number, &block); error != Error::ok) {
        return error;
    }
    // The last write time, as Linux keeps it. With fs's clock, which starts at the epoch when
    // the system boots, it is also e2fsck's sign that the times are early: deletion times of
    // inodes freed in the first minutes are below the inode count, which e2fsck would otherwise
    // take for links of a corrupted orphan list.
    if (!m_read_only) {
        m_super.wtime = static_cast<uint32_t>(m_clock.now().seconds);
    }
    memcpy(block.data() + ext2::kSuperblockOffset % m_block_size, &m_super, sizeof m_super);
    block.mark_dirty();
    m_super_dirty = false;
    return Error::ok;
}

Error Ext2FileSystem::sync() {
    if (!m_mounted) {
        return Error::ok;
    }
    if (!m_read_only) {
        if (Error error = write_superblock(); error != Error::ok) {
            return error;
        }
    }
    return m_cache.sync();
}

// The inode's data and metadata live in blocks shared with others (bitmaps, descriptors, the
// inode table), so fsync writes everything: simple, and correct.
Error Ext2FileSystem::sync_inode(InodeNumber number) {
    LoadedInode inode;
    if (Error error = live_inode(number, &inode); error != Error::ok) {
        return error;
    }
    return sync();
}

Error Ext2FileSystem::check_writable() const {
    if (!m_mounted || m_read_only) {
        return Error::read_only;
    }
    return Error::ok;
}

Error Ext2FileSystem::statistics(FileSystemStatistics* out) {
    if (!m_mounted) {
        return Error::invalid_argument;
    }
    *out = FileSystemStatistics{};
    out->block_size = m_block_size;
    out->blocks = m_super.blocks_count;
    out->free_blocks = m_super.free_blocks_count;
    out->available_blocks = m_super.free_blocks_count > m_super.r_blocks_count
                                ? m_super.free_blocks_count - m_super.r_blocks_count
                                : 0;
    out->inodes = m_super.inodes_count;
    out->free_inodes = m_super.free_inodes_count;
    out->name_max = kNameMax;
    out->read_only = m_read_only;
    return Error::ok;
}

// ---------------------------------------------------------------------------------------------
// Groups, bitmaps, allocation

bool Ext2FileSystem::valid_data_block(uint32_t block) const {
    return block >= m_super.first_data_block && block < m_super.blocks_count && block != 0;
}

Error Ext2FileSystem::load_group(uint32_t group, GroupDescriptor* out) {
    uint64_t byte = uint64_t{group} * sizeof(GroupDescriptor);
    Handle block;
    if (Error error = m_cache.get(m_descriptor_block + byte / m_block_size, &block);
        error != Error::ok) {
        return error;
    }
    memcpy(out, block.data() + byte % m_block_size, sizeof *out);
    return Error::ok;
}

Error Ext2FileSystem::store_group(uint32_t group, const GroupDescriptor& descriptor) {
    uint64_t byte = uint64_t{group} * sizeof(GroupDescriptor);
    Handle block;
    if (Error error = m_cache.get(m_descriptor_block + byte / m_block_size, &block);
        error != Error::ok) {
        return error;
    }
    memcpy(block.data() + byte % m_block_size, &descriptor, sizeof descriptor);
    block.mark_dirty();
    return Error::ok;
}

uint32_t Ext2FileSystem::blocks_in_group(uint32_t group) const {
    uint64_t start =
        uint64_t{m_super.first_data_block} + uint64_t{group} * m_super.blocks_per_group;
    uint64_t left = m_super.blocks_count - start;
    return static_cast<uint32_t>(left < m_super.blocks_per_group ? left : m_super.blocks_per_group);
}

namespace {

// The first clear bit in [from, limit) of a bitmap, or limit.
uint32_t find_clear(const uint8_t* bits, uint32_t from, uint32_t limit) {
    uint32_t i = from;
    while (i < limit) {
        if ((i & 7) == 0 && bits[i >> 3] == 0xFF) {
            i += 8;
            continue;
        }
        if ((bits[i >> 3] & (1u << (i & 7))) == 0) {
            return i;
        }
        ++i;
    }
    return limit;
}

} // namespace

Error Ext2FileSystem::allocate_block(uint32_t goal, uint32_t* out) {
    if (!valid_data_block(goal)) {
        goal = m_super.first_data_block;
    }
    uint32_t goal_group = (goal - m_super.first_data_block) / m_super.blocks_per_group;
    uint32_t goal_bit = (goal - m_super.first_data_block) % m_super.blocks_per_group;
    for (uint32_t i = 0; i <= m_groups; ++i) {
        uint32_t group = (goal_group + i) % m_groups;
        GroupDescriptor descriptor;
        if (Error error = load_group(group, &descriptor); error != Error::ok) {
            return error;
        }
        if (descriptor.free_blocks_count == 0) {
            continue;
        }
        uint32_t limit = blocks_in_group(group);
        Handle bitmap;
        if (Error error = m_cache.get(descriptor.block_bitmap, &bitmap); error != Error::ok) {
            return error;
        }
        uint32_t start = (i == 0 && goal_bit < limit) ? goal_bit : 0;
        uint32_t bit = find_clear(bitmap.data(), start, limit);
        if (bit == limit && start != 0) {
            bit = find_clear(bitmap.data(), 0, start);
            if (bit == start) {
                bit = limit;
            }
        }
        if (bit == limit) {
            continue; // the count was wrong; look elsewhere
        }
        bitmap.data()[bit >> 3] = static_cast<uint8_t>(bitmap.data()[bit >> 3] | (1u << (bit & 7)));
        bitmap.mark_dirty();
        bitmap.reset();
        --descriptor.free_blocks_count;
        if (Error error = store_group(group, descriptor); error != Error::ok) {
            return error;
        }
        if (m_super.free_blocks_count > 0) {
            --m_super.free_blocks_count;
        }
        m_super_dirty = true;
        *out = m_super.first_data_block + group * m_super.blocks_per_group + bit;
        return Error::ok;
    }
    return Error::no_space;
}

Error Ext2FileSystem::free_block(uint32_t block) {
    if (!valid_data_block(block)) {
        return Error::io_error;
    }
    uint32_t group = (block - m_super.first_data_block) / m_super.blocks_per_group;
    uint32_t bit = (block - m_super.first_data_block) % m_super.blocks_per_group;
    GroupDescriptor descriptor;
    if (Error error = load_group(group, &descriptor); error != Error::ok) {
        return error;
    }
    {
        Handle bitmap;
        if (Error error = m_cache.get(descriptor.block_bitmap, &bitmap); error != Error::ok) {
            return error;
        }
        uint8_t& byte = bitmap.data()[bit >> 3];
        if ((byte & (1u << (bit & 7))) == 0) {
            return Error::io_error; // freed twice: the disk is inconsistent
        }
        byte = static_cast<uint8_t>(byte & ~(1u << (bit & 7)));
        bitmap.mark_dirty();
    }
    ++descriptor.free_blocks_count;
    if (Error error = store_group(group, descriptor); error != Error::ok) {
        return error;
    }
    ++m_super.free_blocks_count;
    m_super_dirty = true;
    m_cache.discard(block);
    return Error::ok;
}

Error Ext2FileSystem::allocate_inode(uint32_t parent, bool directory, uint32_t* out) {
    uint32_t start_group = parent >= 1 ? (parent - 1) / m_super.inodes_per_group : 0;
    if (start_group >= m_groups) {
        start_group = 0;
    }
    for (uint32_t i = 0; i < m_groups; ++i) {
        uint32_t group = (start_group + i) % m_groups;
        GroupDescriptor descriptor;
        if (Error error = load_group(group, &descriptor); error != Error::ok) {
            return error;
        }
        if (descriptor.free_inodes_count == 0) {
            continue;
        }
        Handle bitmap;
        if (Error error = m_cache.get(descriptor.inode_bitmap, &bitmap); error != Error::ok) {
            return error;
        }
        uint32_t first = group * m_super.inodes_per_group + 1; // the group's first inode
        uint32_t from = first >= m_first_inode ? 0 : m_first_inode - first;
        if (from >= m_super.inodes_per_group) {
            continue;
        }
        uint32_t bit = find_clear(bitmap.data(), from, m_super.inodes_per_group);
        if (bit == m_super.inodes_per_group) {
            continue;
        }
        bitmap.data()[bit >> 3] = static_cast<uint8_t>(bitmap.data()[bit >> 3] | (1u << (bit & 7)));
        bitmap.mark_dirty();
        bitmap.reset();
        --descriptor.free_inodes_count;
        if (directory) {
            ++descriptor.used_dirs_count;
        }
        if (Error error = store_group(group, descriptor); error != Error::ok) {
            return error;
        }
        if (m_super.free_inodes_count > 0) {
            --m_super.free_inodes_count;
        }
        m_super_dirty = true;
        *out = first + bit;
        return Error::ok;
    }
    return Error::no_space;
}

Error Ext2FileSystem::free_inode(uint32_t number, bool directory) {
    if (number == 0 || number > m_super.inodes_count) {
        return Error::io_error;
    }
    uint32_t group = (number - 1) / m_super.inodes_per_group;
    uint32_t bit = (number - 1) % m_super.inodes_per_group;
    GroupDescriptor descriptor;
    if (Error error = load_group(group, &descriptor); error != Error::ok) {
        return error;
    }
    {
        Handle bitmap;
        if (Error error = m_cache.get(descriptor.inode_bitmap, &bitmap); error != Error::ok) {
            return error;
        }
        uint8_t& byte = bitmap.data()[bit >> 3];
        if ((byte & (1u << (bit & 7))) == 0) {
            return Error::io_error;
        }
        byte = static_cast<uint8_t>(byte & ~(1u << (bit & 7)));
        bitmap.mark_dirty();
    }
    ++descriptor.free_inodes_count;
    if (directory && descriptor.used_dirs_count > 0) {
        --descriptor.used_dirs_count;
    }
    if (Error error = store_group(group, descriptor); error != Error::ok) {
        return error;
    }
    ++m_super.free_inodes_count;
    m_super_dirty = true;
    return Error::ok;
}

// ---------------------------------------------------------------------------------------------
// Inodes

Error Ext2FileSystem::inode_location(uint32_t number, uint64_t* block, uint32_t* offset) {
    if (number == 0 || number > m_super.inodes_count) {
        return Error::not_found;
    }
    uint32_t group = (number - 1) / m_super.inodes_per_group;
    uint64_t byte = uint64_t{(number - 1) % m_super.inodes_per_group} * m_inode_size;
    GroupDescriptor descriptor;
    if (Error error = load_group(group, &descriptor); error != Error::ok) {
        return error;
    }
    uint64_t table_blocks =
        (uint64_t{m_super.inodes_per_group} * m_inode_size + m_block_size - 1) / m_block_size;
    if (!valid_data_block(descriptor.inode_table) ||
        descriptor.inode_table + table_blocks > m_super.blocks_count) {
        return Error::io_error;
    }
    *block = descriptor.inode_table + byte / m_block_size;
    *offset = static_cast<uint32_t>(byte % m_block_size);
    return Error::ok;
}

Error Ext2FileSystem::load_inode(uint32_t number, LoadedInode* out) {
    uint64_t block_number;
    uint32_t offset;
    if (Error error = inode_location(number, &block_number, &offset); error != Error::ok) {
        return error;
    }
    Handle block;
    if (Error error = m_cache.get(block_number, &block); error != Error::ok) {
        return error;
    }
    *out = LoadedInode{};
    out->number = number;
    memcpy(&out->core, block.data() + offset, sizeof out->core);
    if (m_inode_size > sizeof(ext2::Inode)) {
        uint32_t extra = m_inode_size - sizeof(ext2::Inode);
        if (extra > sizeof out->extra) {
            extra = sizeof out->extra;
        }
        memcpy(&out->extra, block.data() + offset + sizeof(ext2::Inode), extra);
    }
    return Error::ok;
}

Error Ext2FileSystem::store_inode(const LoadedInode& inode) {
    uint64_t block_number;
    uint32_t offset;
    if (Error error = inode_location(inode.number, &block_number, &offset); error != Error::ok) {
        return error;
    }
    Handle block;
    if (Error error = m_cache.get(block_number, &block); error != Error::ok) {
        return error;
    }
    memcpy(block.data() + offset, &inode.core, sizeof inode.core);
    if (m_inode_size > sizeof(ext2::Inode)) {
        uint32_t extra = m_inode_size - sizeof(ext2::Inode);
        if (extra > sizeof inode.extra) {
            extra = sizeof inode.extra;
        }
        memcpy(block.data() + offset + sizeof(ext2::Inode), &inode.extra, extra);
    }
    block.mark_dirty();
    return Error::ok;
}

bool Ext2FileSystem::referenced(uint32_t inode) const {
    for (const Reference& reference : m_references.first(m_reference_end)) {
        if (reference.inode == inode && reference.count > 0) {
            return true;
        }
    }
    return false;
}

void Ext2FileSystem::mark_unlinked(uint32_t inode) {
    for (Reference& reference : m_references.first(m_reference_end)) {
        if (reference.inode == inode && reference.count > 0) {
            reference.unlinked = true;
        }
    }
}

Error Ext2FileSystem::live_inode(InodeNumber number, LoadedInode* out) {
    if (!m_mounted || number.value == 0 || number.value > m_super.inodes_count ||
        (number.value < m_first_inode && number.value != ext2::kRootInode)) {
        return Error::not_found;
    }
    if (Error error = load_inode(number.value, out); error != Error::ok) {
        return error;
    }
    if (out->core.mode == 0 || (out->core.links_count == 0 && !referenced(number.value))) {
        return Error::not_found;
    }
    return Error::ok;
}

Error Ext2FileSystem::live_directory(InodeNumber number, LoadedInode* out) {
    if (Error error = live_inode(number, out); error != Error::ok) {
        return error;
    }
    if (!is_directory(out->core.mode)) {
        return Error::not_directory;
    }
    if (out->core.links_count == 0) {
        return Error::not_found; // removed, still referenced
    }
    return Error::ok;
}

uint64_t Ext2FileSystem::inode_size(const LoadedInode& inode) const {
    uint64_t size = inode.core.size;
    if (is_regular(inode.core.mode) && m_super.rev_level >= ext2::kRevisionDynamic) {
        size |= uint64_t{inode.core.size_high} << 32;
    }
    return size;
}

void Ext2FileSystem::set_inode_size(LoadedInode& inode, uint64_t size) {
    inode.core.size = static_cast<uint32_t>(size);
    if (is_regular(inode.core.mode) && m_super.rev_level >= ext2::kRevisionDynamic) {
        inode.core.size_high = static_cast<uint32_t>(size >> 32);
        if (size > 0x7FFFFFFFull && (m_super.feature_ro_compat & ext2::kRoCompatLargeFile) == 0) {
            m_super.feature_ro_compat |= ext2::kRoCompatLargeFile;
            m_super_dirty = true;
        }
    }
}

namespace {

// Whether the inode's extra part holds the field that ends `end` bytes after its start.
bool extra_holds(uint32_t inode_size, const ext2::InodeExtra& extra, uint32_t end) {
    return inode_size > sizeof(ext2::Inode) && extra.extra_isize >= end &&
           sizeof(ext2::Inode) + extra.extra_isize <= inode_size;
}

uint32_t extra_end(int which) {
    switch (which) {
    case kAccess:
        return offsetof(ext2::InodeExtra, atime_extra) + 4;
    case kModify:
        return offsetof(ext2::InodeExtra, mtime_extra) + 4;
    default:
        return offsetof(ext2::InodeExtra, ctime_extra) + 4;
    }
}

} // namespace

Timestamp Ext2FileSystem::get_time(const LoadedInode& inode, int which) const {
    uint32_t seconds = which == kAccess   ? inode.core.atime
                       : which == kModify ? inode.core.mtime
                                          : inode.core.ctime;
    Timestamp out;
    out.seconds = static_cast<int32_t>(seconds);
    if (extra_holds(m_inode_size, inode.extra, extra_end(which))) {
        uint32_t extra = which == kAccess   ? inode.extra.atime_extra
                         : which == kModify ? inode.extra.mtime_extra
                                            : inode.extra.ctime_extra;
        out.seconds += int64_t{extra & 3} << 32;
        out.nanoseconds = extra >> 2;
        if (out.nanoseconds >= 1000000000u) {
            out.nanoseconds = 0;
        }
    }
    return out;
}

void Ext2FileSystem::set_time(LoadedInode& inode, int which, Timestamp time) {
    uint32_t seconds = static_cast<uint32_t>(time.seconds);
    (which == kAccess   ? inode.core.atime
     : which == kModify ? inode.core.mtime
                        : inode.core.ctime) = seconds;
    if (extra_holds(m_inode_size, inode.extra, extra_end(which))) {
        uint32_t epoch =
            static_cast<uint32_t>(((time.seconds - static_cast<int32_t>(seconds)) >> 32) & 3);
        uint32_t nanoseconds = time.nanoseconds < 1000000000u ? time.nanoseconds : 0;
        (which == kAccess   ? inode.extra.atime_extra
         : which == kModify ? inode.extra.mtime_extra
                            : inode.extra.ctime_extra) = (nanoseconds << 2) | epoch;
    }
}

void Ext2FileSystem::touch(LoadedInode& inode, bool modify, bool change) {
    Timestamp now = m_clock.now();
    if (modify) {
        set_time(inode, kModify, now);
    }
    if (change) {
        set_time(inode, kChange, now);
    }
}

void Ext2FileSystem::fill_attributes(const LoadedInode& inode, Attributes* out) const {
    *out = Attributes{};
    out->inode = InodeNumber{inode.number};
    out->mode = inode.core.mode;
    out->links = inode.core.links_count;
    out->uid = inode.core.uid | (uint32_t{inode.core.uid_high} << 16);
    out->gid = inode.core.gid | (uint32_t{inode.core.gid_high} << 16);
    out->size = inode_size(inode);
    out->blocks = inode.core.blocks;
    out->block_size = m_block_size;
    uint32_t type = inode.core.mode & kModeTypeMask;
    if (type == kModeCharacterDevice || type == kModeBlockDevice) {
        out->device = inode.core.block[0] != 0 ? inode.core.block[0] : inode.core.block[1];
    }
    out->access = get_time(inode, kAccess);
    out->modify = get_time(inode, kModify);
    out->change = get_time(inode, kChange);
}

Error Ext2FileSystem::get_attributes(InodeNumber number, Attributes* out) {
    LoadedInode inode;
    if (Error error = live_inode(number, &inode); error != Error::ok) {
        return error;
    }
    fill_attributes(inode, out);
    return Error::ok;
}

Error Ext2FileSystem::set_attributes(InodeNumber number, const AttributeChanges& changes,
                                     Attributes* out) {
    LoadedInode inode;
    if (Error error = live_inode(number, &inode); error != Error::ok) {
        return error;
    }
    if (Error error = check_writable(); error != Error::ok) {
        return error;
    }
    bool resize = (changes.which & AttributeChanges::kSize) != 0;
    if (resize) {
        if (is_directory(inode.core.mode)) {
            return Error::is_directory;
        }
        if (!is_regular(inode.core.mode)) {
            return Error::invalid_argument;
        }
        if (changes.size > m_max_file_size) {
            return Error::too_big;
        }
    }
    if (resize) {
        uint64_t old_size = inode_size(inode);
        if (changes.size < old_size) {
            if (Error error = zero_tail(inode, changes.size); error != Error::ok) {
                return error;
            }
            if (Error error = truncate_blocks(inode, changes.size); error != Error::ok) {
                (void)store_inode(inode);
                return error;
            }
        } else if (changes.size > old_size) {
            if (Error error = zero_tail(inode, old_size); error != Error::ok) {
                return error;
            }
        }
        set_inode_size(inode, changes.size);
        touch(inode, (changes.which & AttributeChanges::kModify) == 0, false);
    }
    if (changes.which & AttributeChanges::kMode) {
        inode.core.mode = static_cast<uint16_t>((inode.core.mode & kModeTypeMask) |
                                                (changes.mode & kModePermissionMask));
    }
    if (changes.which & AttributeChanges::kUid) {
        inode.core.uid = static_cast<uint16_t>(changes.uid);
        inode.core.uid_high = static_cast<uint16_t>(changes.uid >> 16);
    }
    if (changes.which & AttributeChanges::kGid) {
        inode.core.gid = static_cast<uint16_t>(changes.gid);
        inode.core.gid_high = static_cast<uint16_t>(changes.gid >> 16);
    }
    if (changes.which & AttributeChanges::kAccess) {
        set_time(inode, kAccess, changes.access);
    }
    if (changes.which & AttributeChanges::kModify) {
        set_time(inode, kModify, changes.modify);
    }
    touch(inode, false, true);
    if (Error error = store_inode(inode); error != Error::ok) {
        return error;
    }
    if (out != nullptr) {
        fill_attributes(inode, out);
    }
    return Error::ok;
}

Error Ext2FileSystem::new_inode(uint32_t parent, const NewInode& attributes, LoadedInode* out) {
    uint32_t number;
    if (Error error = allocate_inode(parent, is_directory(attributes.mode), &number);
        error != Error::ok) {
        return error;
    }
    *out = LoadedInode{};
    out->number = number;
    out->core.mode = static_cast<uint16_t>(attributes.mode);
    out->core.uid = static_cast<uint16_t>(attributes.uid);
    out->core.uid_high = static_cast<uint16_t>(attributes.uid >> 16);
    out->core.gid = static_cast<uint16_t>(attributes.gid);
    out->core.gid_high = static_cast<uint16_t>(attributes.gid >> 16);
    out->core.generation = ++m_generation;
    if (m_inode_size >= sizeof(ext2::Inode) + ext2::kExtraInodeSize) {
        out->extra.extra_isize = ext2::kExtraInodeSize;
    }
    Timestamp now = m_clock.now();
    set_time(*out, kAccess, now);
    set_time(*out, kModify, now);
    set_time(*out, kChange, now);
    if (out->extra.extra_isize >= offsetof(ext2::InodeExtra, crtime_extra) + 4) {
        out->extra.crtime = static_cast<uint32_t>(now.seconds);
        out->extra.crtime_extra = out->extra.ctime_extra;
    }
    uint32_t type = attributes.mode & kModeTypeMask;
    if (type == kModeCharacterDevice || type == kModeBlockDevice) {
        // Linux's encoding: the old 16-bit form in i_block[0] when it fits, else i_block[1].
        if (attributes.device < 0x10000) {
            out->core.block[0] = attributes.device;
        } else {
            out->core.block[1] = attributes.device;
        }
    }
    return Error::ok;
}

// Frees everything an inode without links and references holds, and the inode.
Error Ext2FileSystem::release_inode_storage(LoadedInode& inode) {
    bool directory = is_directory(inode.core.mode);
    Error first = Error::ok;
    if (has_blocks(inode.core.mode) && !fast_symlink(inode)) {
        first = truncate_blocks(inode, 0);
    }
    if (inode.core.file_acl != 0) {
        Error error = release_xattr_block(inode);
        if (first == Error::ok) {
            first = error;
        }
    }
    inode.core.links_count = 0;
    inode.core.dtime = static_cast<uint32_t>(m_clock.now().seconds);
    set_inode_size(inode, 0);
    if (Error error = store_inode(inode); error != Error::ok && first == Error::ok) {
        first = error;
    }
    if (Error error = free_inode(inode.number, directory);
        error != Error::ok && first == Error::ok) {
        first = error;
    }
    return first;
}

Error Ext2FileSystem::release_xattr_block(LoadedInode& inode) {
    uint32_t block_number = inode.core.file_acl;
    inode.core.file_acl = 0;
    uint32_t units = m_block_size / 512;
    inode.core.blocks = inode.core.blocks >= units ? inode.core.blocks - units : 0;
    if (!valid_data_block(block_number)) {
        return Error::io_error;
    }
    {
        Handle block;
        if (Error error = m_cache.get(block_number, &block); error != Error::ok) {
            return error;
        }
        if (load<uint32_t>(block.data()) != ext2::kXattrMagic) {
            return Error::io_error;
        }
        uint32_t count = load<uint32_t>(block.data() + ext2::kXattrRefcountOffset);
        if (count > 1) {
            store<uint32_t>(block.data() + ext2::kXattrRefcountOffset, count - 1);
            block.mark_dirty();
            return Error::ok;
        }
    }
    return free_block(block_number);
}

bool Ext2FileSystem::fast_symlink(const LoadedInode& inode) const {
    if (!is_symlink(inode.core.mode)) {
        return false;
    }
    uint32_t xattr = inode.core.file_acl != 0 ? m_block_size / 512 : 0;
    return inode.core.blocks <= xattr && inode.core.size <= ext2::kFastSymlinkMax;
}

Error Ext2FileSystem::drop_link(LoadedInode& inode) {
    if (inode.core.links_count > 0) {
        --inode.core.links_count;
    }
    touch(inode, false, true);
    if (inode.core.links_count == 0) {
        if (!referenced(inode.number)) {
            return release_inode_storage(inode);
        }
        mark_unlinked(inode.number);
    }
    return store_inode(inode);
}

void Ext2FileSystem::retain(InodeNumber number) {
    Reference* free_slot = nullptr;
    for (Reference& reference : m_references.first(m_reference_end)) {
        if (reference.count > 0 && reference.inode == number.value) {
            ++reference.count;
            return;
        }
        if (reference.count == 0 && free_slot == nullptr) {
            free_slot = &reference;
        }
    }
    if (free_slot == nullptr && m_reference_end < m_references.size()) {
        free_slot = &m_references[m_reference_end++];
    }
    if (free_slot != nullptr) {
        free_slot->inode = number.value;
        free_slot->count = 1;
        free_slot->unlinked = false;
    }
}

void Ext2FileSystem::release(InodeNumber number) {
    for (Reference& reference : m_references.first(m_reference_end)) {
        if (reference.count > 0 && reference.inode == number.value) {
            if (--reference.count > 0) {
                return;
            }
            // Only an inode that lost its last name while referenced has anything to free: a
            // close of a file with names reads nothing.
            bool unlinked = reference.unlinked;
            reference = Reference{};
            while (m_reference_end > 0 && m_references[m_reference_end - 1].count == 0) {
                --m_reference_end;
            }
            if (!unlinked || !m_mounted || m_read_only) {
                return;
            }
            LoadedInode inode;
            if (load_inode(number.value, &inode) == Error::ok && inode.core.links_count == 0 &&
                inode.core.mode != 0 && inode.core.dtime == 0) {
                (void)release_inode_storage(inode);
            }
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The block map

Error Ext2FileSystem::map_block(LoadedInode& inode, uint64_t logical, bool allocate,
                                uint32_t* physical) {
    *physical = 0;
    uint64_t p = m_pointers;
    uint32_t slot;
    uint32_t depth;
    uint32_t index[3] = {0, 0, 0};
    uint64_t l = logical;
    if (l < ext2::kDirectBlocks) {
        slot = static_cast<uint32_t>(l);
        depth = 0;
    } else if ((l -= ext2::kDirectBlocks) < p) {
        slot = ext2::kSingleIndirect;
        depth = 1;
        index[0] = static_cast<uint32_t>(l);
    } else if ((l -= p) < p * p) {
        slot = ext2::kDoubleIndirect;
        depth = 2;
        index[0] = static_cast<uint32_t>(l / p);
        index[1] = static_cast<uint32_t>(l % p);
    } else if ((l -= p * p) < p * p * p) {
        slot = ext2::kTripleIndirect;
        depth = 3;
        index[0] = static_cast<uint32_t>(l / (p * p));
        index[1] = static_cast<uint32_t>((l / p) % p);
        index[2] = static_cast<uint32_t>(l % p);
    } else {
        return Error::too_big;
    }
    // chain[k]: the block at level k (0: the pointer in the inode; depth: the data block).
    uint32_t chain[4] = {inode.core.block[slot], 0, 0, 0};
    uint32_t present = 0; // levels that exist
    while (present <= depth && chain[present] != 0) {
        if (!valid_data_block(chain[present])) {
            return Error::io_error;
        }
        if (present == depth) {
            *physical = chain[depth];
            return Error::ok;
        }
        Handle block;
        if (Error error = m_cache.get(chain[present], &block); error != Error::ok) {
            return error;
        }
        chain[present + 1] = load<uint32_t>(block.data() + 4 * index[present]);
        ++present;
    }
    if (!allocate) {
        return Error::ok; // a hole
    }
    // Allocate the missing levels all first, so a failure changes nothing.
    uint32_t fresh[4] = {0, 0, 0, 0};
    uint32_t goal =
        present > 0 ? chain[present - 1] + 1
        : (m_goal_inode == inode.number && m_goal != 0)
            ? m_goal
            : m_super.first_data_block +
                  ((inode.number - 1) / m_super.inodes_per_group) * m_super.blocks_per_group;
    for (uint32_t k = present; k <= depth; ++k) {
        Error error = allocate_block(goal, &fresh[k]);
        if (error != Error::ok) {
            for (uint32_t j = present; j < k; ++j) {
                (void)free_block(fresh[j]);
            }
            return error;
        }
        goal = fresh[k] + 1;
    }
    for (uint32_t k = present; k <= depth; ++k) {
        Handle block;
        if (Error error = m_cache.get_zeroed(fresh[k], &block); error != Error::ok) {
            for (uint32_t j = present; j <= depth; ++j) {
                (void)free_block(fresh[j]);
            }
            return error;
        }
        if (k < depth) {
            store<uint32_t>(block.data() + 4 * index[k], fresh[k + 1]);
        }
    }
    if (present == 0) {
        inode.core.block[slot] = fresh[0];
    } else {
        Handle parent;
        if (Error error = m_cache.get(chain[present - 1], &parent); error != Error::ok) {
            for (uint32_t j = present; j <= depth; ++j) {
                (void)free_block(fresh[j]);
            }
            return error;
        }
        store<uint32_t>(parent.data() + 4 * index[present - 1], fresh[present]);
        parent.mark_dirty();
    }
    inode.core.blocks += (depth + 1 - present) * (m_block_size / 512);
    m_goal_inode = inode.number;
    m_goal = fresh[depth] + 1;
    *physical = fresh[depth];
    return Error::ok;
}

// Frees the blocks of the subtree under `block` (an indirect block of `depth` levels whose
// first entry maps logical block `first`) that map logical blocks from `keep_from` on.
// *emptied: the subtree was freed whole (the caller clears its pointer).
Error Ext2FileSystem::free_tree(uint32_t block_number, uint32_t depth, uint64_t first,
                                uint64_t keep_from, LoadedInode& inode, bool* emptied) {
    *emptied = false;
    if (!valid_data_block(block_number)) {
        return Error::io_error;
    }
    uint64_t per_entry = 1;
    for (uint32_t i = 1; i < depth; ++i) {
        per_entry *= m_pointers;
    }
    uint32_t units = m_block_size / 512;
    Error first_error = Error::ok;
    bool all_gone = true;
    {
        Handle block;
        if (Error error = m_cache.get(block_number, &block); error != Error::ok) {
            return error;
        }
        for (uint32_t i = 0; i < m_pointers; ++i) {
            uint64_t child_first = first + i * per_entry;
            uint32_t child = load<uint32_t>(block.data() + 4 * i);
            if (child == 0) {
                continue;
            }
            if (child_first + per_entry <= keep_from) {
                all_gone = false; // wholly kept
                continue;
            }
            bool child_gone = true;
            Error error = Error::ok;
            if (depth == 1) {
                error = free_block(child);
                if (error == Error::ok) {
                    inode.core.blocks = inode.core.blocks >= units ? inode.core.blocks - units : 0;
                }
            } else {
                error = free_tree(child, depth - 1, child_first, keep_from, inode, &child_gone);
            }
            if (error != Error::ok) {
                if (first_error == Error::ok) {
                    first_error = error;
                }
                all_gone = false;
                break; // a corrupt tree: stop here rather than walk it further
            }
            if (child_gone) {
                store<uint32_t>(block.data() + 4 * i, 0);
                block.mark_dirty();
            } else {
                all_gone = false;
            }
        }
    }
    if (all_gone && first >= keep_from) {
        if (Error error = free_block(block_number); error != Error::ok) {
            return first_error != Error::ok ? first_error : error;
        }
        inode.core.blocks = inode.core.blocks >= units ? inode.core.blocks - units : 0;
        *emptied = true;
    } else if (all_gone) {
        // Everything below was freed, though the range started before keep_from (all of it
        // was holes there): the block maps nothing any more.
        if (Error error = free_block(block_number); error != Error::ok) {
            return first_error != Error::ok ? first_error : error;
        }
        inode.core.blocks = inode.core.blocks >= units ? inode.core.blocks - units : 0;
        *emptied = true;
    }
    return first_error;
}

Error Ext2FileSystem::truncate_blocks(LoadedInode& inode, uint64_t new_size) {
    uint64_t keep = (new_size + m_block_size - 1) / m_block_size;
    uint32_t units = m_block_size / 512;
    for (uint32_t i = 0; i < ext2::kDirectBlocks; ++i) {
        if (i >= keep && inode.core.block[i] != 0) {
            if (Error error = free_block(inode.core.block[i]); error != Error::ok) {
                return error;
            }
            inode.core.block[i] = 0;
            inode.core.blocks = inode.core.blocks >= units ? inode.core.blocks - units : 0;
        }
    }
    uint64_t p = m_pointers;
    uint64_t first = ext2::kDirectBlocks;
    uint64_t spans[3] = {p, p * p, p * p * p};
    for (uint32_t level = 0; level < 3; ++level) {
        uint32_t slot = ext2::kSingleIndirect + level;
        if (inode.core.block[slot] != 0 && first + spans[level] > keep) {
            bool emptied = false;
            Error error =
                free_tree(inode.core.block[slot], level + 1, first, keep, inode, &emptied);
            if (emptied) {
                inode.core.block[slot] = 0;
            }
            if (error != Error::ok) {
                return error;
            }
        }
        first += spans[level];
    }
    if (inode.number == m_goal_inode) {
        m_goal = 0;
    }
    return Error::ok;
}

Error Ext2FileSystem::zero_tail(LoadedInode& inode, uint64_t size) {
    uint32_t within = static_cast<uint32_t>(size % m_block_size);
    if (within == 0) {
        return Error::ok;
    }
    uint32_t physical;
    if (Error error = map_block(inode, size / m_block_size, false, &physical); error != Error::ok) {
        return error == Error::too_big ? Error::ok : error;
    }
    if (physical == 0) {
        return Error::ok;
    }
    Handle block;
    if (Error error = m_cache.get(physical, &block); error != Error::ok) {
        return error;
    }
    bool nonzero = false;
    for (uint32_t i = within; i < m_block_size && !nonzero; ++i) {
        nonzero = block.data()[i] != 0;
    }
    if (nonzero) {
        memset(block.data() + within, 0, m_block_size - within);
        block.mark_dirty();
    }
    return Error::ok;
}

Error Ext2FileSystem::read_bytes(LoadedInode& inode, uint64_t offset, std::span<uint8_t> buffer,
                                 uint32_t* done) {
    *done = 0;
    uint64_t size = inode_size(inode);
    if (offset >= size) {
        return Error::ok;
    }
    uint64_t want = buffer.size();
    if (want > size - offset) {
        want = size - offset;
    }
    while (*done < want) {
        uint64_t at = offset + *done;
        uint32_t within = static_cast<uint32_t>(at % m_block_size);
        uint32_t chunk = m_block_size - within;
        if (chunk > want - *done) {
            chunk = static_cast<uint32_t>(want - *done);
        }
        uint32_t physical;
        if (Error error = map_block(inode, at / m_block_size, false, &physical);
            error != Error::ok) {
            return error == Error::too_big ? Error::io_error : error;
        }
        if (physical == 0) {
            memset(buffer.data() + *done, 0, chunk);
        } else {
            Handle block;
            if (Error error = m_cache.get(physical, &block); error != Error::ok) {
                return error;
            }
            memcpy(buffer.data() + *done, block.data() + within, chunk);
        }
        *done += chunk;
    }
    return Error::ok;
}

Error Ext2FileSystem::write_bytes(LoadedInode& inode, uint64_t offset,
                                  std::span<const uint8_t> data, uint32_t* done) {
    *done = 0;
    if (data.empty()) {
        return Error::ok;
    }
    if (offset >= m_max_file_size) {
        return Error::too_big;
    }
    uint64_t want = data.size();
    if (want > m_max_file_size - offset) {
        want = m_max_file_size - offset;
    }
    uint64_t old_size = inode_size(inode);
    if (offset + want > old_size) {
        if (Error error = zero_tail(inode, old_size); error != Error::ok) {
            return error;
        }
    }
    Error stop = Error::ok;
    while (*done < want) {
        uint64_t at = offset + *done;
        uint32_t within = static_cast<uint32_t>(at % m_block_size);
        uint32_t chunk = m_block_size - within;
        if (chunk > want - *done) {
            chunk = static_cast<uint32_t>(want - *done);
        }
        uint32_t physical;
        if (Error error = map_block(inode, at / m_block_size, true, &physical);
            error != Error::ok) {
            stop = error;
            break;
        }
        Handle block;
        if (Error error = m_cache.get(physical, &block); error != Error::ok) {
            stop = error;
            break;
        }
        memcpy(block.data() + within, data.data() + *done, chunk);
        block.mark_dirty();
        *done += chunk;
    }
    // A write that wrote nothing (no block for its first byte) leaves the size alone, also when
    // it was aimed beyond the end.
    if (*done > 0 && offset + *done > old_size) {
        set_inode_size(inode, offset + *done);
    }
    if (*done > 0) {
        return Error::ok;
    }
    return stop;
}

Error Ext2FileSystem::read(InodeNumber number, uint64_t offset, std::span<uint8_t> buffer,
                           uint32_t* done) {
    *done = 0;
    LoadedInode inode;
    if (Error error = live_inode(number, &inode); error != Error::ok) {
        return error;
    }
    if (is_directory(inode.core.mode)) {
        return Error::is_directory;
    }
    if (!is_regular(inode.core.mode)) {
        return Error::invalid_argument;
    }
    if (Error error = read_bytes(inode, offset, buffer, done); error != Error::ok) {
        return error;
    }
    if (!m_read_only) {
        Timestamp now = m_clock.now();
        Timestamp access = get_time(inode, kAccess);
        if (before(access, get_time(inode, kModify)) || before(access, get_time(inode, kChange)) ||
            now.seconds - access.seconds >= kSecondsPerDay) {
            set_time(inode, kAccess, now);
            if (Error error = store_inode(inode); error != Error::ok) {
                return error;
            }
        }
    }
    return Error::ok;
}

Error Ext2FileSystem::write(InodeNumber number, uint64_t offset, std::span<const uint8_t> data,
                            uint32_t* done) {
    *done = 0;
    LoadedInode inode;
    if (Error error = live_inode(number, &inode); error != Error::ok) {
        return error;
    }
    if (is_directory(inode.core.mode)) {
        return Error::is_directory;
    }
    if (!is_regular(inode.core.mode)) {
        return Error::invalid_argument;
    }
    if (Error error = check_writable(); error != Error::ok) {
        return error;
    }
    if (data.size() > 0 && offset >= m_max_file_size) {
        return Error::too_big;
    }
    Error error = write_bytes(inode, offset, data, done);
    if (*done > 0) {
        touch(inode, true, true);
    }
    if (Error stored = store_inode(inode); stored != Error::ok) {
        return stored;
    }
    return error;
}

Error Ext2FileSystem::read_link(InodeNumber number, std::span<char> buffer, uint32_t* length) {
    *length = 0;
    LoadedInode inode;
    if (Error error = live_inode(number, &inode); error != Error::ok) {
        return error;
    }
    if (!is_symlink(inode.core.mode)) {
        return Error::invalid_argument;
    }
    uint64_t size = inode.core.size;
    if (size == 0 || size >= kPathMax) {
        return Error::io_error;
    }
    *length = static_cast<uint32_t>(size);
    uint32_t copy = static_cast<uint32_t>(size < buffer.size() ? size : buffer.size());
    if (fast_symlink(inode)) {
        memcpy(buffer.data(), inode.core.block, copy);
        return Error::ok;
    }
    uint32_t done;
    return read_bytes(inode, 0, {reinterpret_cast<uint8_t*>(buffer.data()), copy}, &done);
}

// ---------------------------------------------------------------------------------------------
// Directories

Error Ext2FileSystem::check_name(std::string_view name) const {
    if (name.empty()) {
        return Error::invalid_argument;
    }
    if (name.size() > kNameMax) {
        return Error::name_too_long;
    }
    for (char c : name) {
        if (c == '/' || c == '\0') {
            return Error::invalid_argument;
        }
    }
    return Error::ok;
}

bool Ext2FileSystem::has_filetype() const {
    return m_super.rev_level >= ext2::kRevisionDynamic &&
           (m_super.feature_incompat & ext2::kIncompatFiletype) != 0;
}

uint8_t Ext2FileSystem::entry_type(uint32_t mode) const {
    return has_filetype() ? static_cast<uint8_t>(file_type_of(mode)) : 0;
}

// Checks the entry at `offset` of a directory block; *rec_len gets its length.
Error Ext2FileSystem::check_entry(const uint8_t* block, uint32_t offset, uint32_t* rec_len) const {
    if (offset + sizeof(DirectoryEntryHead) > m_block_size) {
        return Error::io_error;
    }
    DirectoryEntryHead head = load<DirectoryEntryHead>(block + offset);
    if (head.rec_len < ext2::entry_length(1) || head.rec_len % 4 != 0 ||
        head.rec_len < ext2::entry_length(head.name_len) || offset + head.rec_len > m_block_size ||
        head.inode > m_super.inodes_count || (!has_filetype() && head.file_type != 0)) {
        return Error::io_error;
    }
    *rec_len = head.rec_len;
    return Error::ok;
}

// A directory's blocks; a size that is no whole number of blocks, or beyond what any directory
// here grows to, is corruption (and bounds every walk of it).
Error Ext2FileSystem::directory_blocks(const LoadedInode& directory, uint64_t* out) const {
    uint64_t size = inode_size(directory);
    if (size % m_block_size != 0 || size > kMaxDirectoryBytes) {
        return Error::io_error;
    }
    *out = size / m_block_size;
    return Error::ok;
}

Error Ext2FileSystem::directory_block(LoadedInode& directory, uint64_t index, Handle* out) {
    uint32_t physical;
    if (Error error = map_block(directory, index, false, &physical); error != Error::ok) {
        return error == Error::too_big ? Error::io_error : error;
    }
    if (physical == 0) {
        return Error::io_error; // directories have no holes
    }
    return m_cache.get(physical, out);
}

// Visits every record of `directory` from block `first_block` on, each checked (check_entry)
// before `visit(block, index, offset, rec_len, head)` sees it; `visit` returns true to stop.
// *blocks (may be nullptr): how many blocks the directory has.
template <class Visit>
Error Ext2FileSystem::walk_entries(LoadedInode& directory, uint64_t first_block, Visit&& visit,
                                   uint64_t* blocks_out) {
    uint64_t blocks;
    if (Error error = directory_blocks(directory, &blocks); error != Error::ok) {
        return error;
    }
    if (blocks_out != nullptr) {
        *blocks_out = blocks;
    }
    for (uint64_t index = first_block; index < blocks; ++index) {
        Handle block;
        if (Error error = directory_block(directory, index, &block); error != Error::ok) {
            return error;
        }
        uint32_t offset = 0;
        while (offset < m_block_size) {
            uint32_t rec_len;
            if (Error error = check_entry(block.data(), offset, &rec_len); error != Error::ok) {
                return error;
            }
            DirectoryEntryHead head = load<DirectoryEntryHead>(block.data() + offset);
            if (visit(block, index, offset, rec_len, head)) {
                return Error::ok;
            }
            offset += rec_len;
        }
    }
    return Error::ok;
}

Error Ext2FileSystem::find_entry(LoadedInode& directory, std::string_view name,
                                 EntryLocation* out) {
    bool found = false;
    uint64_t block_of_previous = 0;
    uint32_t previous = 0;
    bool has_previous = false;
    Error error = walk_entries(
        directory, 0,
        [&](Handle& block, uint64_t index, uint32_t offset, uint32_t, DirectoryEntryHead head) {
            if (index != block_of_previous) { // the first record of a block has no previous
                block_of_previous = index;
                has_previous = false;
            }
            if (head.inode != 0 && head.name_len == name.size() &&
                memcmp(block.data() + offset + sizeof head, name.data(), name.size()) == 0) {
                out->offset = index * m_block_size + offset;
                out->previous = index * m_block_size + previous;
                out->has_previous = has_previous;
                out->inode = head.inode;
                out->file_type = head.file_type;
                found = true;
                return true;
            }
            previous = offset;
            has_previous = true;
            return false;
        });
    if (error != Error::ok) {
        return error;
    }
    return found ? Error::ok : Error::not_found;
}

void Ext2FileSystem::directory_changed(LoadedInode& directory) {
    // Linux's ext2 does not keep hash indexes: a changed directory is a linear one again, which
    // is what e2fsck expects of an indexed directory whose index no longer matches.
    directory.core.flags &= ~ext2::kIndexFlag;
    touch(directory, true, true);
}

Error Ext2FileSystem::add_entry(LoadedInode& directory, std::string_view name, uint32_t inode,
                                uint32_t mode) {
    uint32_t needed = ext2::entry_length(static_cast<uint32_t>(name.size()));
    auto fill = [&](uint8_t* at, uint16_t rec_len) {
        DirectoryEntryHead head{inode, rec_len, static_cast<uint8_t>(name.size()),
                                entry_type(mode)};
        store(at, head);
        memcpy(at + sizeof head, name.data(), name.size());
    };
    bool added = false;
    uint64_t blocks = 0;
    Error error = walk_entries(
        directory, 0,
        [&](Handle& block, uint64_t, uint32_t offset, uint32_t rec_len, DirectoryEntryHead head) {
            if (head.inode == 0 && rec_len >= needed) {
                fill(block.data() + offset, static_cast<uint16_t>(rec_len));
            } else if (uint32_t used = ext2::entry_length(head.name_len);
                       head.inode != 0 && rec_len >= used + needed) {
                head.rec_len = static_cast<uint16_t>(used);
                store(block.data() + offset, head);
                fill(block.data() + offset + used, static_cast<uint16_t>(rec_len - used));
            } else {
                return false;
            }
            block.mark_dirty();
            added = true;
            return true;
        },
        &blocks);
    if (error != Error::ok || added) {
        return error;
    }
    // A new block at the end.
    uint64_t size = inode_size(directory);
    if (size + m_block_size > kMaxDirectoryBytes) {
        return Error::no_space;
    }
    uint32_t physical;
    if (Error error = map_block(directory, blocks, true, &physical); error != Error::ok) {
        return error == Error::too_big ? Error::no_space : error;
    }
    Handle block;
    if (Error error = m_cache.get(physical, &block); error != Error::ok) {
        return error;
    }
    fill(block.data(), static_cast<uint16_t>(m_block_size));
    block.mark_dirty();
    set_inode_size(directory, blocks * m_block_size + m_block_size);
    return Error::ok;
}

Error Ext2FileSystem::remove_entry(LoadedInode& directory, const EntryLocation& where) {
    Handle block;
    if (Error error = directory_block(directory, where.offset / m_block_size, &block);
        error != Error::ok) {
        return error;
    }
    uint32_t offset = static_cast<uint32_t>(where.offset % m_block_size);
    DirectoryEntryHead head = load<DirectoryEntryHead>(block.data() + offset);
    if (where.has_previous) {
        uint32_t previous = static_cast<uint32_t>(where.previous % m_block_size);
        DirectoryEntryHead before_head = load<DirectoryEntryHead>(block.data() + previous);
        before_head.rec_len = static_cast<uint16_t>(before_head.rec_len + head.rec_len);
        store(block.data() + previous, before_head);
    } else {
        head.inode = 0;
        store(block.data() + offset, head);
    }
    block.mark_dirty();
    return Error::ok;
}

Error Ext2FileSystem::set_entry_inode(LoadedInode& directory, const EntryLocation& where,
                                      uint32_t inode, uint32_t mode) {
    Handle block;
    if (Error error = directory_block(directory, where.offset / m_block_size, &block);
        error != Error::ok) {
        return error;
    }
    uint32_t offset = static_cast<uint32_t>(where.offset % m_block_size);
    DirectoryEntryHead head = load<DirectoryEntryHead>(block.data() + offset);
    head.inode = inode;
    head.file_type = entry_type(mode);
    store(block.data() + offset, head);
    block.mark_dirty();
    return Error::ok;
}

namespace {

bool dot_or_dotdot(const uint8_t* name, uint32_t length) {
    return (length == 1 && name[0] == '.') || (length == 2 && name[0] == '.' && name[1] == '.');
}

} // namespace

Error Ext2FileSystem::directory_is_empty(LoadedInode& directory, bool* empty) {
    *empty = true;
    return walk_entries(
        directory, 0,
        [&](Handle& block, uint64_t, uint32_t offset, uint32_t, DirectoryEntryHead head) {
            if (head.inode != 0 &&
                !dot_or_dotdot(block.data() + offset + sizeof head, head.name_len)) {
                *empty = false;
                return true;
            }
            return false;
        });
}

Error Ext2FileSystem::set_dotdot(LoadedInode& directory, uint32_t parent) {
    Handle block;
    if (Error error = directory_block(directory, 0, &block); error != Error::ok) {
        return error;
    }
    uint32_t rec_len;
    if (Error error = check_entry(block.data(), 0, &rec_len); error != Error::ok) {
        return error;
    }
    uint32_t second;
    if (Error error = check_entry(block.data(), rec_len, &second); error != Error::ok) {
        return error;
    }
    DirectoryEntryHead head = load<DirectoryEntryHead>(block.data() + rec_len);
    if (!(head.name_len == 2 && block.data()[rec_len + 8] == '.' &&
          block.data()[rec_len + 9] == '.')) {
        return Error::io_error;
    }
    head.inode = parent;
    store(block.data() + rec_len, head);
    block.mark_dirty();
    return Error::ok;
}

Error Ext2FileSystem::lookup(InodeNumber number, std::string_view name, InodeNumber* out) {
    LoadedInode directory;
    if (Error error = live_directory(number, &directory); error != Error::ok) {
        return error;
    }
    if (Error error = check_name(name); error != Error::ok) {
        return error == Error::name_too_long ? Error::name_too_long : Error::not_found;
    }
    EntryLocation where;
    if (Error error = find_entry(directory, name, &where); error != Error::ok) {
        return error;
    }
    if (where.inode == 0 || where.inode > m_super.inodes_count) {
        return Error::io_error;
    }
    *out = InodeNumber{where.inode};
    return Error::ok;
}

Error Ext2FileSystem::read_directory(InodeNumber number, uint64_t cookie, DirectorySink& sink) {
    LoadedInode directory;
    if (Error error = live_inode(number, &directory); error != Error::ok) {
        return error;
    }
    if (!is_directory(directory.core.mode)) {
        return Error::not_directory;
    }
    if (directory.core.links_count == 0) {
        return Error::ok; // removed while referenced: empty for good
    }
    return walk_entries(
        directory, cookie / m_block_size,
        [&](Handle& block, uint64_t index, uint32_t offset, uint32_t rec_len,
            DirectoryEntryHead head) {
            uint64_t position = index * m_block_size + offset;
            if (position < cookie || head.inode == 0) {
                return false;
            }
            DirectoryEntry entry;
            entry.inode = InodeNumber{head.inode};
            entry.name = std::string_view(
                reinterpret_cast<const char*>(block.data() + offset + sizeof head), head.name_len);
            entry.next = position + rec_len;
            if (has_filetype()) {
                entry.type = head.file_type <= static_cast<uint8_t>(FileType::symlink)
                                 ? static_cast<FileType>(head.file_type)
                                 : FileType::unknown;
            } else {
                // Revision 0: the type is in the inode. The block stays pinned meanwhile.
                LoadedInode child;
                if (load_inode(head.inode, &child) == Error::ok) {
                    entry.type = file_type_of(child.core.mode);
                }
            }
            return !sink.take(entry);
        });
}

// Common checks of the operations that add a name to `directory`.
Error Ext2FileSystem::prepare_new_name(InodeNumber number, std::string_view name,
                                       LoadedInode* directory) {
    if (Error error = live_directory(number, directory); error != Error::ok) {
        return error;
    }
    if (Error error = check_writable(); error != Error::ok) {
        return error;
    }
    if (Error error = check_name(name); error != Error::ok) {
        return error;
    }
    if (name == "." || name == "..") {
        return Error::exists;
    }
    EntryLocation where;
    Error error = find_entry(*directory, name, &where);
    if (error == Error::ok) {
        return Error::exists;
    }
    return error == Error::not_found ? Error::ok : error;
}

// Common checks of the operations that remove a name from `directory`: the directory, its
// entry `name` and the inode it names (an entry naming a missing inode is a corrupt disk).
// "." and ".." answer `dots`.
Error Ext2FileSystem::find_existing_name(InodeNumber number, std::string_view name, Error dots,
                                         LoadedInode* directory, EntryLocation* where,
                                         LoadedInode* inode) {
    if (Error error = live_directory(number, directory); error != Error::ok) {
        return error;
    }
    if (Error error = check_writable(); error != Error::ok) {
        return error;
    }
    if (Error error = check_name(name); error != Error::ok) {
        return error == Error::name_too_long ? error : Error::not_found;
    }
    if (name == "." || name == "..") {
        return dots;
    }
    if (Error error = find_entry(*directory, name, where); error != Error::ok) {
        return error;
    }
    if (Error error = load_inode(where->inode, inode); error != Error::ok) {
        return error == Error::not_found ? Error::io_error : error;
    }
    return Error::ok;
}

Error Ext2FileSystem::create(InodeNumber number, std::string_view name, const NewInode& attributes,
                             InodeNumber* out) {
    LoadedInode directory;
    if (Error error = prepare_new_name(number, name, &directory); error != Error::ok) {
        return error;
    }
    uint32_t type = attributes.mode & kModeTypeMask;
    if (type != kModeRegular && type != kModeFifo && type != kModeSocket &&
        type != kModeCharacterDevice && type != kModeBlockDevice) {
        return Error::invalid_argument;
    }
    LoadedInode inode;
    if (Error error = new_inode(directory.number, attributes, &inode); error != Error::ok) {
        return error;
    }
    inode.core.links_count = 1;
    if (Error error = add_entry(directory, name, inode.number, inode.core.mode);
        error != Error::ok) {
        (void)free_inode(inode.number, false);
        return error;
    }
    if (Error error = store_inode(inode); error != Error::ok) {
        return error;
    }
    directory_changed(directory);
    if (Error error = store_inode(directory); error != Error::ok) {
        return error;
    }
    *out = InodeNumber{inode.number};
    return Error::ok;
}

Error Ext2FileSystem::make_directory(InodeNumber number, std::string_view name,
                                     const NewInode& attributes, InodeNumber* out) {
    LoadedInode parent;
    if (Error error = prepare_new_name(number, name, &parent); error != Error::ok) {
        return error;
    }
    if (parent.core.links_count >= ext2::kLinkMax) {
        return Error::too_many_links;
    }
    NewInode directory_attributes = attributes;
    directory_attributes.mode = kModeDirectory | (attributes.mode & kModePermissionMask);
    LoadedInode inode;
    if (Error error = new_inode(parent.number, directory_attributes, &inode); error != Error::ok) {
        return error;
    }
    uint32_t physical;
    if (Error error = map_block(inode, 0, true, &physical); error != Error::ok) {
        (void)free_inode(inode.number, true);
        return error;
    }
    {
        Handle block;
        if (Error error = m_cache.get(physical, &block); error != Error::ok) {
            (void)free_block(physical);
            (void)free_inode(inode.number, true);
            return error;
        }
        DirectoryEntryHead dot{inode.number, 12, 1, entry_type(kModeDirectory)};
        store(block.data(), dot);
        block.data()[8] = '.';
        DirectoryEntryHead dotdot{parent.number, static_cast<uint16_t>(m_block_size - 12), 2,
                                  entry_type(kModeDirectory)};
        store(block.data() + 12, dotdot);
        block.data()[20] = '.';
        block.data()[21] = '.';
        block.mark_dirty();
    }
    set_inode_size(inode, m_block_size);
    inode.core.links_count = 2;
    if (Error error = add_entry(parent, name, inode.number, inode.core.mode); error != Error::ok) {
        (void)free_block(physical);
        (void)free_inode(inode.number, true);
        return error;
    }
    if (Error error = store_inode(inode); error != Error::ok) {
        return error;
    }
    ++parent.core.links_count;
    directory_changed(parent);
    if (Error error = store_inode(parent); error != Error::ok) {
        return error;
    }
    *out = InodeNumber{inode.number};
    return Error::ok;
}

Error Ext2FileSystem::make_symlink(InodeNumber number, std::string_view name,
                                   std::string_view target, const NewInode& attributes,
                                   InodeNumber* out) {
    LoadedInode directory;
    if (Error error = prepare_new_name(number, name, &directory); error != Error::ok) {
        return error;
    }
    if (target.empty() || target.size() >= kPathMax) {
        return Error::invalid_argument;
    }
    for (char c : target) {
        if (c == '\0') {
            return Error::invalid_argument;
        }
    }
    // e2fsck accepts a slow symlink of one block, NUL-terminated in it (Linux's limit too).
    if (target.size() >= m_block_size) {
        return Error::name_too_long;
    }
    NewInode link_attributes = attributes;
    link_attributes.mode = kModeSymlink | (attributes.mode & kModePermissionMask);
    LoadedInode inode;
    if (Error error = new_inode(directory.number, link_attributes, &inode); error != Error::ok) {
        return error;
    }
    uint32_t physical = 0;
    if (target.size() <= ext2::kFastSymlinkMax) {
        memcpy(inode.core.block, target.data(), target.size());
    } else {
        if (Error error = map_block(inode, 0, true, &physical); error != Error::ok) {
            (void)free_inode(inode.number, false);
            return error;
        }
        Handle block;
        if (Error error = m_cache.get(physical, &block); error != Error::ok) {
            (void)free_block(physical);
            (void)free_inode(inode.number, false);
            return error;
        }
        memcpy(block.data(), target.data(), target.size());
        block.mark_dirty();
    }
    inode.core.size = static_cast<uint32_t>(target.size());
    inode.core.links_count = 1;
    if (Error error = add_entry(directory, name, inode.number, inode.core.mode);
        error != Error::ok) {
        if (physical != 0) {
            (void)free_block(physical);
        }
        (void)free_inode(inode.number, false);
        return error;
    }
    if (Error error = store_inode(inode); error != Error::ok) {
        return error;
    }
    directory_changed(directory);
    if (Error error = store_inode(directory); error != Error::ok) {
        return error;
    }
    *out = InodeNumber{inode.number};
    return Error::ok;
}

Error Ext2FileSystem::link(InodeNumber number, InodeNumber directory_number,
                           std::string_view name) {
    LoadedInode inode;
    if (Error error = live_inode(number, &inode); error != Error::ok) {
        return error;
    }
    if (is_directory(inode.core.mode)) {
        return Error::is_directory;
    }
    if (inode.core.links_count == 0) {
        return Error::not_found;
    }
    LoadedInode directory;
    if (Error error = prepare_new_name(directory_number, name, &directory); error != Error::ok) {
        return error;
    }
    if (inode.core.links_count >= ext2::kLinkMax) {
        return Error::too_many_links;
    }
    if (Error error = add_entry(directory, name, inode.number, inode.core.mode);
        error != Error::ok) {
        return error;
    }
    ++inode.core.links_count;
    touch(inode, false, true);
    if (Error error = store_inode(inode); error != Error::ok) {
        return error;
    }
    directory_changed(directory);
    return store_inode(directory);
}

Error Ext2FileSystem::unlink(InodeNumber directory_number, std::string_view name) {
    LoadedInode directory;
    EntryLocation where;
    LoadedInode inode;
    if (Error error = find_existing_name(directory_number, name, Error::is_directory, &directory,
                                         &where, &inode);
        error != Error::ok) {
        return error;
    }
    if (is_directory(inode.core.mode)) {
        return Error::is_directory;
    }
    if (Error error = remove_entry(directory, where); error != Error::ok) {
        return error;
    }
    directory_changed(directory);
    if (Error error = store_inode(directory); error != Error::ok) {
        return error;
    }
    return drop_link(inode);
}

// A directory that lost its last name: its ".." goes, its blocks go now (it stays empty), the
// inode goes at its last release.
Error Ext2FileSystem::drop_directory(LoadedInode& inode) {
    inode.core.links_count = 0;
    touch(inode, false, true);
    if (!referenced(inode.number)) {
        return release_inode_storage(inode);
    }
    mark_unlinked(inode.number);
    Error error = truncate_blocks(inode, 0);
    set_inode_size(inode, 0);
    if (Error stored = store_inode(inode); stored != Error::ok) {
        return stored;
    }
    return error;
}

Error Ext2FileSystem::remove_directory(InodeNumber parent_number, std::string_view name) {
    LoadedInode parent;
    EntryLocation where;
    LoadedInode inode;
    if (Error error = find_existing_name(parent_number, name, Error::invalid_argument, &parent,
                                         &where, &inode);
        error != Error::ok) {
        return error;
    }
    if (!is_directory(inode.core.mode)) {
        return Error::not_directory;
    }
    if (inode.number == ext2::kRootInode) {
        return Error::busy;
    }
    bool empty;
    if (Error error = directory_is_empty(inode, &empty); error != Error::ok) {
        return error;
    }
    if (!empty) {
        return Error::not_empty;
    }
    if (Error error = remove_entry(parent, where); error != Error::ok) {
        return error;
    }
    if (parent.core.links_count > 0) {
        --parent.core.links_count;
    }
    directory_changed(parent);
    if (Error error = store_inode(parent); error != Error::ok) {
        return error;
    }
    return drop_directory(inode);
}

Error Ext2FileSystem::rename(InodeNumber from_number, std::string_view from, InodeNumber to_number,
                             std::string_view to) {
    LoadedInode from_directory;
    if (Error error = live_directory(from_number, &from_directory); error != Error::ok) {
        return error;
    }
    LoadedInode to_storage;
    bool same_directory = from_number == to_number;
    LoadedInode& to_directory = same_directory ? from_directory : to_storage;
    if (!same_directory) {
        if (Error error = live_directory(to_number, &to_directory); error != Error::ok) {
            return error;
        }
    }
    if (Error error = check_writable(); error != Error::ok) {
        return error;
    }
    if (Error error = check_name(from); error != Error::ok) {
        return error == Error::name_too_long ? error : Error::not_found;
    }
    if (Error error = check_name(to); error != Error::ok) {
        return error;
    }
    if (from == "." || from == ".." || to == "." || to == "..") {
        return Error::invalid_argument;
    }
    EntryLocation source_entry;
    if (Error error = find_entry(from_directory, from, &source_entry); error != Error::ok) {
        return error;
    }
    LoadedInode source;
    if (Error error = load_inode(source_entry.inode, &source); error != Error::ok) {
        return error == Error::not_found ? Error::io_error : error;
    }
    bool source_is_directory = is_directory(source.core.mode);
    if (source_is_directory && !same_directory) {
        // Into itself or below: the VFS checks this first; a walk up the ".." entries from
        // to_directory (bounded) keeps the tree connected whoever asks.
        uint32_t at = to_directory.number;
        for (uint32_t depth = 0; at != ext2::kRootInode; ++depth) {
            if (at == source.number) {
                return Error::invalid_argument;
            }
            if (depth >= kMaxDepth) {
                return Error::io_error;
            }
            LoadedInode walk;
            if (Error error = load_inode(at, &walk); error != Error::ok) {
                return error;
            }
            if (!is_directory(walk.core.mode)) {
                return Error::io_error;
            }
            EntryLocation dotdot;
            if (Error error = find_entry(walk, "..", &dotdot); error != Error::ok) {
                return error == Error::not_found ? Error::io_error : error;
            }
            at = dotdot.inode;
        }
    }
    EntryLocation target_entry;
    bool replacing = false;
    LoadedInode target;
    Error found = find_entry(to_directory, to, &target_entry);
    if (found == Error::ok) {
        replacing = true;
        if (target_entry.inode == source.number) {
            return Error::ok; // the same inode under both names
        }
        if (Error error = load_inode(target_entry.inode, &target); error != Error::ok) {
            return error == Error::not_found ? Error::io_error : error;
        }
        bool target_is_directory = is_directory(target.core.mode);
        if (source_is_directory && !target_is_directory) {
            return Error::not_directory;
        }
        if (!source_is_directory && target_is_directory) {
            return Error::is_directory;
        }
        if (target_is_directory) {
            if (target.number == ext2::kRootInode) {
                return Error::busy;
            }
            bool empty;
            if (Error error = directory_is_empty(target, &empty); error != Error::ok) {
                return error;
            }
            if (!empty) {
                return Error::not_empty;
            }
        }
    } else if (found != Error::not_found) {
        return found;
    }
    bool moves_directory = source_is_directory && !same_directory;
    if (moves_directory && !replacing && to_directory.core.links_count >= ext2::kLinkMax) {
        return Error::too_many_links;
    }

    // The new name first: the only step that can run out of space.
    if (replacing) {
        if (Error error =
                set_entry_inode(to_directory, target_entry, source.number, source.core.mode);
            error != Error::ok) {
            return error;
        }
    } else if (Error error = add_entry(to_directory, to, source.number, source.core.mode);
               error != Error::ok) {
        return error;
    }
    // Then the old name goes; adding may have split records of the same directory, so find it
    // again.
    EntryLocation old_entry;
    if (Error error = find_entry(from_directory, from, &old_entry); error != Error::ok) {
        return error == Error::not_found ? Error::io_error : error;
    }
    if (Error error = remove_entry(from_directory, old_entry); error != Error::ok) {
        return error;
    }
    if (moves_directory) {
        if (Error error = set_dotdot(source, to_directory.number); error != Error::ok) {
            return error;
        }
        if (from_directory.core.links_count > 0) {
            --from_directory.core.links_count;
        }
        if (!replacing) {
            ++to_directory.core.links_count;
        }
    } else if (source_is_directory && replacing) {
        // Same parent, a directory replaced by another: the parent loses the replaced one's "..".
        if (to_directory.core.links_count > 0) {
            --to_directory.core.links_count;
        }
    }
    touch(source, false, true);
    if (Error error = store_inode(source); error != Error::ok) {
        return error;
    }
    directory_changed(from_directory);
    if (Error error = store_inode(from_directory); error != Error::ok) {
        return error;
    }
    if (!same_directory) {
        directory_changed(to_directory);
        if (Error error = store_inode(to_directory); error != Error::ok) {
            return error;
        }
    }
    if (replacing) {
        if (is_directory(target.core.mode)) {
            return drop_directory(target);
        }
        return drop_link(target);
    }
    return Error::ok;
}

} // namespace fs
