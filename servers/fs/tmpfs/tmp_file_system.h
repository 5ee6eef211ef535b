// tmpfs (README.md): a FileSystem (servers/fs/vfs/file_system.h) whose inodes and data live in
// a fixed arena of memory given at construction — pages of the server in the fs program, a
// heap buffer in the unit tests. The arena is its size limit: a write or create that finds no
// free block or inode answers no_space. Nothing is ever written anywhere else, so sync and
// sync_inode have nothing to do.
//
// Layout of the arena: the inode table (one TmpInode per inode, a share of the arena fixed at
// construction), the bitmap of blocks, then kBlockBytes blocks. A file's blocks are found
// through kDirectBlocks direct pointers, one indirect and one double-indirect block (as ext2);
// a hole is pointer 0 and reads as zeros. A directory is a file of fixed-size records (inode,
// type, name): a record's index is its readdir cookie, so cookies stay valid while the
// directory changes; a removed entry leaves a free record that a later create reuses.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "servers/fs/vfs/file_system.h"

namespace fs {

class TmpFileSystem final : public FileSystem {
public:
    static constexpr uint32_t kBlockBytes = 1024;
    static constexpr uint32_t kDirectBlocks = 10;
    static constexpr uint32_t kPointersPerBlock = kBlockBytes / 4;
    static constexpr uint64_t kMaxFileBlocks =
        kDirectBlocks + kPointersPerBlock + uint64_t{kPointersPerBlock} * kPointersPerBlock;
    static constexpr uint64_t kMaxFileBytes = kMaxFileBlocks * kBlockBytes;
    static constexpr uint32_t kMaxLinks = 65000;

    // `arena`: `bytes` of memory, 8-byte aligned, that the file system owns from now on.
    // `bytes_per_inode`: how much of the arena to count per inode when sizing the inode table.
    // The root directory belongs to `root_uid`/`root_gid` with `root_mode` (e.g. 01777 for
    // /tmp). valid() is false when the arena cannot hold the root.
    TmpFileSystem(void* arena, size_t bytes, Clock& clock, uint32_t root_mode = 0755,
                  uint32_t root_uid = 0, uint32_t root_gid = 0, uint32_t bytes_per_inode = 4096,
                  bool read_only = false);
    bool valid() const { return m_valid; }

    InodeNumber root() const override { return InodeNumber{1}; }
    bool read_only() const override { return m_read_only; }
    bool names_stable() const override { return true; }
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

    uint32_t free_blocks() const { return m_free_blocks; }
    uint32_t free_inodes() const { return m_free_inodes; }

private:
    struct TmpInode {
        uint32_t mode = 0; // 0: free
        uint32_t links;
        uint32_t references;
        uint32_t uid;
        uint32_t gid;
        uint32_t device;
        uint64_t size;
        uint32_t parent; // a directory's parent inode
        uint32_t blocks; // blocks allocated, indirect ones included
        uint32_t direct[kDirectBlocks];
        uint32_t indirect;
        uint32_t double_indirect;
        Timestamp access;
        Timestamp modify;
        Timestamp change;
    };
    struct Record {
        uint32_t inode; // 0: a free record
        uint8_t type;   // FileType
        uint8_t length;
        uint16_t reserved;
        char name[kNameMax + 1];
    };
    static_assert(sizeof(Record) == 264);

    TmpInode* node(InodeNumber inode);
    TmpInode* directory_node(InodeNumber directory, Error* error);
    uint8_t* block(uint32_t number) { return m_blocks + size_t{number} * kBlockBytes; }
    uint32_t allocate_block();
    void free_block(uint32_t number);
    // The pointer to the block of file block `index`, allocating what is missing when
    // `allocate` (nullptr if out of space, or missing and not allocating).
    uint32_t* block_slot(TmpInode& inode, uint64_t index, bool allocate);
    void free_blocks_from(TmpInode& inode, uint64_t first);
    uint32_t allocate_inode(uint32_t mode);
    void free_inode(TmpInode& inode);
    void maybe_free(TmpInode& inode);

    // Bytes of an inode's data, for directories and symlinks (no checks, no times).
    uint32_t read_bytes(TmpInode& inode, uint64_t offset, void* buffer, uint32_t length);
    uint32_t write_bytes(TmpInode& inode, uint64_t offset, const void* data, uint32_t length);

    uint32_t records(const TmpInode& directory) const {
        return static_cast<uint32_t>(directory.size / sizeof(Record));
    }
    bool find(TmpInode& directory, std::string_view name, uint32_t* record, uint32_t* inode);
    Error add_entry(TmpInode& directory, std::string_view name, uint32_t inode, FileType type);
    void set_entry(TmpInode& directory, uint32_t record, uint32_t inode, FileType type);
    bool is_empty(TmpInode& directory);
    Error check_new_name(InodeNumber directory, std::string_view name, TmpInode** parent);
    Error make(InodeNumber directory, std::string_view name, const NewInode& inode,
               InodeNumber* out, std::string_view target);
    void touch_directory(TmpInode& directory);
    uint32_t number_of(const TmpInode& inode) const {
        return static_cast<uint32_t>(&inode - m_inodes) + 1;
    }

    Clock& m_clock;
    bool m_valid = false;
    bool m_read_only = false;
    TmpInode* m_inodes = nullptr;
    uint32_t m_inode_count = 0;
    uint32_t* m_bitmap = nullptr;
    uint8_t* m_blocks = nullptr;
    uint32_t m_block_count = 0;
    uint32_t m_free_blocks = 0;
    uint32_t m_free_inodes = 0;
    uint32_t m_next_block = 1; // where the search for a free block starts
};

} // namespace fs
