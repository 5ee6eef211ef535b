// ext2's on-disk structures (revision 0 and 1), as Linux's ext2_fs.h and e2fsprogs define them.
// Little-endian on disk, and x86 on both sides, so the structures are read with memcpy.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace fs::ext2 {

constexpr uint16_t kMagic = 0xEF53;
constexpr uint32_t kSuperblockOffset = 1024; // bytes from the start of the device
constexpr uint32_t kSuperblockSize = 1024;
constexpr uint32_t kRootInode = 2;
constexpr uint32_t kGoodOldFirstInode = 11; // revision 0: the first inode for files
constexpr uint16_t kGoodOldInodeSize = 128;
constexpr uint32_t kDirectBlocks = 12;
constexpr uint32_t kSingleIndirect = 12;
constexpr uint32_t kDoubleIndirect = 13;
constexpr uint32_t kTripleIndirect = 14;
constexpr uint32_t kBlockPointers = 15;
constexpr uint32_t kFastSymlinkMax = 59; // bytes of a target kept in i_block (60 with its NUL)
constexpr uint32_t kLinkMax = 32000;     // EXT2_LINK_MAX

// s_state
constexpr uint16_t kStateValid = 1; // cleanly unmounted
constexpr uint16_t kStateError = 2;

// s_rev_level
constexpr uint32_t kRevisionGoodOld = 0;
constexpr uint32_t kRevisionDynamic = 1;

// Features. compat: anyone may write; ro_compat: unknown ones forbid writing; incompat: unknown
// ones forbid mounting.
constexpr uint32_t kCompatDirPrealloc = 0x0001;
constexpr uint32_t kCompatImagicInodes = 0x0002;
constexpr uint32_t kCompatHasJournal = 0x0004;
constexpr uint32_t kCompatExtAttr = 0x0008;
constexpr uint32_t kCompatResizeInode = 0x0010;
constexpr uint32_t kCompatDirIndex = 0x0020;
constexpr uint32_t kIncompatCompression = 0x0001;
constexpr uint32_t kIncompatFiletype = 0x0002;
constexpr uint32_t kIncompatRecover = 0x0004;
constexpr uint32_t kIncompatMetaBg = 0x0010;
constexpr uint32_t kIncompatExtents = 0x0040;
constexpr uint32_t kRoCompatSparseSuper = 0x0001;
constexpr uint32_t kRoCompatLargeFile = 0x0002;
constexpr uint32_t kRoCompatBtreeDir = 0x0004;

constexpr uint32_t kSupportedIncompat = kIncompatFiletype;
constexpr uint32_t kSupportedRoCompat = kRoCompatSparseSuper | kRoCompatLargeFile;

// i_flags
constexpr uint32_t kIndexFlag = 0x00001000; // a hashed (htree) directory
constexpr uint32_t kExtentsFlag = 0x00080000;

// An extended-attribute block's header (i_file_acl points at one; shared by refcount).
constexpr uint32_t kXattrMagic = 0xEA020000;
constexpr uint32_t kXattrRefcountOffset = 4;

struct Superblock {
    uint32_t inodes_count;
    uint32_t blocks_count;
    uint32_t r_blocks_count;
    uint32_t free_blocks_count;
    uint32_t free_inodes_count;
    uint32_t first_data_block;
    uint32_t log_block_size;
    uint32_t log_frag_size;
    uint32_t blocks_per_group;
    uint32_t frags_per_group;
    uint32_t inodes_per_group;
    uint32_t mtime;
    uint32_t wtime;
    uint16_t mnt_count;
    int16_t max_mnt_count;
    uint16_t magic;
    uint16_t state;
    uint16_t errors;
    uint16_t minor_rev_level;
    uint32_t lastcheck;
    uint32_t checkinterval;
    uint32_t creator_os;
    uint32_t rev_level;
    uint16_t def_resuid;
    uint16_t def_resgid;
    // Revision 1 (dynamic) only.
    uint32_t first_ino;
    uint16_t inode_size;
    uint16_t block_group_nr;
    uint32_t feature_compat;
    uint32_t feature_incompat;
    uint32_t feature_ro_compat;
    uint8_t uuid[16];
    char volume_name[16];
    char last_mounted[64];
    uint32_t algorithm_usage_bitmap;
    uint8_t prealloc_blocks;
    uint8_t prealloc_dir_blocks;
    uint16_t reserved_gdt_blocks;
    uint8_t journal_uuid[16];
    uint32_t journal_inum;
    uint32_t journal_dev;
    uint32_t last_orphan;
    uint32_t hash_seed[4];
    uint8_t def_hash_version;
    uint8_t jnl_backup_type;
    uint16_t desc_size;
    uint32_t default_mount_opts;
    uint32_t first_meta_bg;
    uint8_t rest[kSuperblockSize - 264];
};
static_assert(sizeof(Superblock) == kSuperblockSize);
static_assert(offsetof(Superblock, free_blocks_count) == 12);
static_assert(offsetof(Superblock, log_block_size) == 24);
static_assert(offsetof(Superblock, inodes_per_group) == 40);
static_assert(offsetof(Superblock, mnt_count) == 52);
static_assert(offsetof(Superblock, magic) == 56);
static_assert(offsetof(Superblock, state) == 58);
static_assert(offsetof(Superblock, rev_level) == 76);
static_assert(offsetof(Superblock, first_ino) == 84);
static_assert(offsetof(Superblock, inode_size) == 88);
static_assert(offsetof(Superblock, feature_compat) == 92);
static_assert(offsetof(Superblock, feature_incompat) == 96);
static_assert(offsetof(Superblock, feature_ro_compat) == 100);
static_assert(offsetof(Superblock, uuid) == 104);
static_assert(offsetof(Superblock, reserved_gdt_blocks) == 206);
static_assert(offsetof(Superblock, last_orphan) == 232);
static_assert(offsetof(Superblock, desc_size) == 254);
static_assert(offsetof(Superblock, first_meta_bg) == 260);

struct GroupDescriptor {
    uint32_t block_bitmap;
    uint32_t inode_bitmap;
    uint32_t inode_table;
    uint16_t free_blocks_count;
    uint16_t free_inodes_count;
    uint16_t used_dirs_count;
    uint16_t flags;
    uint32_t reserved[3];
};
static_assert(sizeof(GroupDescriptor) == 32);
static_assert(offsetof(GroupDescriptor, free_blocks_count) == 12);
static_assert(offsetof(GroupDescriptor, used_dirs_count) == 16);

// The first 128 bytes of every inode (both revisions), with Linux's osd2 fields.
struct Inode {
    uint16_t mode;
    uint16_t uid;
    uint32_t size;
    uint32_t atime;
    uint32_t ctime;
    uint32_t mtime;
    uint32_t dtime;
    uint16_t gid;
    uint16_t links_count;
    uint32_t blocks; // 512-byte units, indirect blocks and the xattr block included
    uint32_t flags;
    uint32_t osd1;
    uint32_t block[kBlockPointers];
    uint32_t generation;
    uint32_t file_acl;
    uint32_t size_high; // i_dir_acl in revision 0; a regular file's size above 4 GiB in rev 1
    uint32_t faddr;
    uint16_t blocks_high;
    uint16_t file_acl_high;
    uint16_t uid_high;
    uint16_t gid_high;
    uint16_t checksum_lo;
    uint16_t reserved;
};
static_assert(sizeof(Inode) == 128);
static_assert(offsetof(Inode, links_count) == 26);
static_assert(offsetof(Inode, blocks) == 28);
static_assert(offsetof(Inode, flags) == 32);
static_assert(offsetof(Inode, block) == 40);
static_assert(offsetof(Inode, generation) == 100);
static_assert(offsetof(Inode, file_acl) == 104);
static_assert(offsetof(Inode, size_high) == 108);
static_assert(offsetof(Inode, uid_high) == 120);
static_assert(offsetof(Inode, gid_high) == 122);

// What follows in inodes larger than 128 bytes: i_extra_isize says how much of it is used.
struct InodeExtra {
    uint16_t extra_isize;
    uint16_t checksum_hi;
    uint32_t ctime_extra; // (nanoseconds << 2) | epoch bits
    uint32_t mtime_extra;
    uint32_t atime_extra;
    uint32_t crtime;
    uint32_t crtime_extra;
    uint32_t version_hi;
    uint32_t projid;
};
static_assert(sizeof(InodeExtra) == 32);
static_assert(offsetof(InodeExtra, ctime_extra) == 132 - 128);
static_assert(offsetof(InodeExtra, atime_extra) == 140 - 128);
static_assert(offsetof(InodeExtra, crtime) == 144 - 128);

// The extra size this implementation gives the inodes it creates (when inodes have the room).
constexpr uint16_t kExtraInodeSize = 32;

// A directory entry's fixed head; the name follows, and rec_len covers the padding to the next.
struct DirectoryEntryHead {
    uint32_t inode;
    uint16_t rec_len;
    uint8_t name_len;
    uint8_t file_type; // revision 0 without FILETYPE: the high byte of a 16-bit name_len
};
static_assert(sizeof(DirectoryEntryHead) == 8);

// The bytes an entry with a name of `name_length` bytes needs (EXT2_DIR_REC_LEN).
constexpr uint32_t entry_length(uint32_t name_length) {
    return (8 + name_length + 3) & ~3u;
}

} // namespace fs::ext2
