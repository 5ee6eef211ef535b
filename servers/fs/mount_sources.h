// The file systems fs mounts at run time (kFileMount, server_mounts.cc): tmpfs instances, each
// in an arena of fs's own memory, and ext2 on the second disk — the master of the secondary
// IDE channel, served by a second ATA driver registered as "ata1", named /dev/hdc (Linux's
// name and number for that disk, 22:0). An instance is taken for a mount and given back at its
// umount: a tmpfs is emptied (built afresh in its arena at its next mount), an ext2 unmounted
// cleanly (its blocks written, the superblock marked clean).
#pragma once

#include <stdint.h>

#include "interfaces/file/wire.h"
#include "servers/fs/ata_disk.h"
#include "servers/fs/cache/block_cache.h"
#include "servers/fs/ext2/ext2_file_system.h"
#include "servers/fs/tmpfs/tmp_file_system.h"
#include "servers/fs/vfs/file_system.h"

namespace fs {

constexpr uint32_t kDeviceHdc = 22u << 8 | 0u; // the secondary channel's master, whole

class MountSources {
public:
    static constexpr uint32_t kTmpInstances = 2;
    static constexpr uint32_t kTmpArenaBytes = 1u << 20; // each
    static constexpr uint32_t kDiskCacheBlocks = 256;    // 1 MiB of 4 KiB blocks
    static constexpr uint32_t kDiskReferences = 256;

    explicit MountSources(Clock& clock);
    MountSources(const MountSources&) = delete;
    MountSources& operator=(const MountSources&) = delete;

    // A file system for a new mount: a fresh tmpfs (`device` unused), or the ext2 on the disk
    // numbered `device` (kDeviceHdc), mounted read-only if `read_only` or if it was not
    // cleanly unmounted (never read-write without a check). Errors: no_space (every tmpfs
    // taken), busy (the disk is mounted already), no_device (no such disk, or its driver does
    // not answer), invalid_argument (an unknown type; no ext2 on the disk), unsupported.
    Error take(uint32_t type, uint32_t device, bool read_only, FileSystem** out);
    // After Vfs::umount gave `file_system` up: finished and free again. false: it is not one
    // of these (the boot's mounts). *error: the ext2's unmount (io_error: not clean).
    bool give_back(FileSystem* file_system, Error* error);
    // The system stops (kFileShutdown): a mounted ext2 is made clean and read-only, as the root.
    Error stop();
    // The disk's block cache (statistics).
    const BlockCache& disk_cache() const { return m_cache; }

private:
    struct TmpSlot {
        alignas(TmpFileSystem) uint8_t storage[sizeof(TmpFileSystem)];
        TmpFileSystem* file_system = nullptr; // in storage while mounted
    };

    Clock& m_clock;
    TmpSlot m_tmp[kTmpInstances];
    AtaDisk m_disk;
    BlockCache m_cache;
    Ext2FileSystem m_ext2;
    bool m_disk_open = false;
};

} // namespace fs
