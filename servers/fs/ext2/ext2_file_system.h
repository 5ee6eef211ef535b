// ext2 (revision 1, and revision 0 read and written) on a block cache: servers/fs/ext2/README.md
// says which features it keeps and how it is tested. Implements fs::FileSystem
// (servers/fs/vfs/file_system.h); the disk is untrusted: every block number, inode number,
// record length and count read from it is range-checked, and every walk is bounded, so a
// corrupt image gives io_error, never a crash.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <span>
#include <string_view>

#include "servers/fs/cache/block_cache.h"
#include "servers/fs/ext2/layout.h"
#include "servers/fs/vfs/file_system.h"

namespace fs {

struct Ext2MountOptions {
    bool read_only = false;
    // A file system that was not cleanly unmounted (or has errors recorded): refused with
    // `busy` unless this is set (then it is mounted, read-only if read_only says so).
    bool allow_unclean = false;
};

class Ext2FileSystem final : public FileSystem {
public:
    // The references the VFS holds (retain/release) are counted in `references`, one entry per
    // inode with references; retain beyond its capacity is not counted (size it above the
    // server's open-file table).
    struct Reference {
        uint32_t inode = 0;
        uint32_t count = 0;
        bool unlinked = false; // its last name went while referenced: freed at the last release
    };

    Ext2FileSystem(BlockCache& cache, Clock& clock, std::span<Reference> references);

    // Reads and checks the superblock and group descriptors, sets the cache's block size, and
    // (read-write) marks the file system not clean on the disk. Errors: invalid_argument (not
    // ext2, or sizes and counts that do not fit the device), unsupported (an unknown incompat
    // feature), busy (not clean and not allowed), io_error.
    Error mount(const Ext2MountOptions& options);
    // Frees inodes still waiting for their last release, writes everything back, marks the
    // file system clean and flushes.
    Error unmount();
    // The system stops: as unmount (unlinked inodes freed, the state as found at mount written
    // back, every dirty block flushed), but it stays mounted, read-only: reads go on, changes
    // answer read_only. On an error the file system stays as it was (read-write, not clean).
    Error remount_read_only();
    bool mounted() const { return m_mounted; }
    // Whether the superblock said "cleanly unmounted, no errors" at mount.
    bool was_clean() const { return m_was_clean; }
    // Read-only because asked or because of an unknown ro_compat feature.
    bool read_only() const override { return m_read_only; }
    bool names_stable() const override { return true; }
    InodeNumber root() const override { return InodeNumber{ext2::kRootInode}; }
    const ext2::Superblock& superblock() const { return m_super; }

    Error statistics(FileSystemStatistics* out) override;
    Error get_attributes(InodeNumber inode, Attributes* out) override;
    Error set_attributes(InodeNumber inode, const AttributeChanges& changes,
                         Attributes* out) override;
    Error lookup(InodeNumber directory, std::string_view name, InodeNumber* out) override;
    Error create(InodeNumber directory, std::string_view name, const NewInode& inode,
                 InodeNumber* out) override;
    Error make_directory(InodeNumber directory, std::string_view name, const NewInode& inode,
                         InodeNumber* out) override;
    Error make_symlink(InodeNumber directory, std::string_view name, std::string_view target,
                       const NewInode& inode, InodeNumber* out) override;
    Error link(InodeNumber inode, InodeNumber directory, std::string_view name) override;
    Error unlink(InodeNumber directory, std::string_view name) override;
    Error remove_directory(InodeNumber directory, std::string_view name) override;
    Error rename(InodeNumber from_directory, std::string_view from, InodeNumber to_directory,
                 std::string_view to) override;
    Error read_link(InodeNumber inode, std::span<char> buffer, uint32_t* length) override;
    Error read(InodeNumber inode, uint64_t offset, std::span<uint8_t> buffer,
               uint32_t* done) override;
    Error write(InodeNumber inode, uint64_t offset, std::span<const uint8_t> data,
                uint32_t* done) override;
    Error read_directory(InodeNumber directory, uint64_t cookie, DirectorySink& sink) override;
    void retain(InodeNumber inode) override;
    void release(InodeNumber inode) override;
    Error sync_inode(InodeNumber inode) override;
    Error sync() override;

    // The largest file this file system can hold (block map and i_blocks limits).
    uint64_t max_file_size() const { return m_max_file_size; }

private:
    // An inode's first bytes as loaded: the 128-byte core and, in larger inodes, the extra part.
    struct LoadedInode {
        uint32_t number = 0;
        ext2::Inode core{};
        ext2::InodeExtra extra{};
    };
    // Where a directory entry was found: its byte offset in the directory, and the offset of
    // the record before it in the same block (has_previous: it is not the block's first).
    struct EntryLocation {
        uint64_t offset = 0;
        uint64_t previous = 0;
        bool has_previous = false;
        uint32_t inode = 0;
        uint8_t file_type = 0;
    };

    Error check_writable() const;
    Error load_inode(uint32_t number, LoadedInode* out);
    Error store_inode(const LoadedInode& inode);
    Error inode_location(uint32_t number, uint64_t* block, uint32_t* offset);
    Error live_inode(InodeNumber number, LoadedInode* out);
    Error live_directory(InodeNumber number, LoadedInode* out);
    bool referenced(uint32_t inode) const;
    // Records that a referenced inode lost its last name (its storage goes at the last release).
    void mark_unlinked(uint32_t inode);
    uint64_t inode_size(const LoadedInode& inode) const;
    void set_inode_size(LoadedInode& inode, uint64_t size);
    void fill_attributes(const LoadedInode& inode, Attributes* out) const;
    Timestamp get_time(const LoadedInode& inode, int which) const;
    void set_time(LoadedInode& inode, int which, Timestamp time);
    void touch(LoadedInode& inode, bool modify, bool change);
    bool fast_symlink(const LoadedInode& inode) const;

    Error load_group(uint32_t group, ext2::GroupDescriptor* out);
    Error store_group(uint32_t group, const ext2::GroupDescriptor& descriptor);
    uint32_t blocks_in_group(uint32_t group) const;
    Error allocate_block(uint32_t goal, uint32_t* out);
    Error free_block(uint32_t block);
    Error allocate_inode(uint32_t parent, bool directory, uint32_t* out);
    Error free_inode(uint32_t number, bool directory);
    bool valid_data_block(uint32_t block) const;

    Error map_block(LoadedInode& inode, uint64_t logical, bool allocate, uint32_t* physical);
    Error truncate_blocks(LoadedInode& inode, uint64_t new_size);
    Error free_tree(uint32_t block, uint32_t depth, uint64_t first, uint64_t keep_from,
                    LoadedInode& inode, bool* emptied);
    Error zero_tail(LoadedInode& inode, uint64_t size);
    Error read_bytes(LoadedInode& inode, uint64_t offset, std::span<uint8_t> buffer,
                     uint32_t* done);
    Error write_bytes(LoadedInode& inode, uint64_t offset, std::span<const uint8_t> data,
                      uint32_t* done);
    Error new_inode(uint32_t parent, const NewInode& attributes, LoadedInode* out);
    Error release_inode_storage(LoadedInode& inode);
    // Frees the storage of every inode still open but no longer linked (at unmount and at a
    // remount read-only); the first error, after trying them all.
    Error release_unlinked_open_inodes();
    Error release_xattr_block(LoadedInode& inode);
    Error drop_link(LoadedInode& inode);
    Error drop_directory(LoadedInode& inode);

    Error check_name(std::string_view name) const;
    bool has_filetype() const;
    uint8_t entry_type(uint32_t mode) const;
    Error check_entry(const uint8_t* block, uint32_t offset, uint32_t* rec_len) const;
    Error directory_blocks(const LoadedInode& directory, uint64_t* out) const;
    Error directory_block(LoadedInode& directory, uint64_t index, BlockCache::Handle* out);
    template <class Visit>
    Error walk_entries(LoadedInode& directory, uint64_t first_block, Visit&& visit,
                       uint64_t* blocks = nullptr);
    Error find_entry(LoadedInode& directory, std::string_view name, EntryLocation* out);
    Error add_entry(LoadedInode& directory, std::string_view name, uint32_t inode, uint32_t mode);
    Error remove_entry(LoadedInode& directory, const EntryLocation& where);
    Error set_entry_inode(LoadedInode& directory, const EntryLocation& where, uint32_t inode,
                          uint32_t mode);
    Error directory_is_empty(LoadedInode& directory, bool* empty);
    Error set_dotdot(LoadedInode& directory, uint32_t parent);
    void directory_changed(LoadedInode& directory);
    Error prepare_new_name(InodeNumber directory, std::string_view name, LoadedInode* out);
    Error find_existing_name(InodeNumber directory, std::string_view name, Error dots,
                             LoadedInode* directory_out, EntryLocation* where, LoadedInode* inode);

    Error write_superblock();

    BlockCache& m_cache;
    Clock& m_clock;
    std::span<Reference> m_references;
    // Every entry from here on is free: retain, release and referenced look only below it (a
    // few inodes are referenced at a time; the table is sized for the worst case).
    size_t m_reference_end = 0;
    ext2::Superblock m_super{};
    bool m_mounted = false;
    bool m_read_only = false;
    bool m_was_clean = false;
    bool m_super_dirty = false;
    uint16_t m_mount_state = 0; // s_state as found, restored at unmount
    uint32_t m_generation = 0;
    uint32_t m_goal_inode = 0; // where the last block allocated for this inode went
    uint32_t m_goal = 0;
    uint32_t m_block_size = 0;
    uint32_t m_groups = 0;
    uint32_t m_inode_size = 0;
    uint32_t m_first_inode = 0;
    uint32_t m_descriptor_block = 0; // the first block of the group descriptor table
    uint32_t m_pointers = 0;         // block numbers per indirect block
    uint64_t m_max_file_size = 0;
};

} // namespace fs
