#include "servers/fs/mount_sources.h"

#include <new>

#include "rt/rt.h"

#include "lib/names/names.h"

namespace fs {

namespace {

// fs's own memory for the instances (zero-fill pages of its pager, touched as they are used).
alignas(8) uint8_t g_tmp_arenas[MountSources::kTmpInstances][MountSources::kTmpArenaBytes];
alignas(4096) uint8_t g_disk_cache_memory[MountSources::kDiskCacheBlocks * 4096];
BlockCache::Slot g_disk_cache_slots[MountSources::kDiskCacheBlocks];
Ext2FileSystem::Reference g_disk_references[MountSources::kDiskReferences];
alignas(ata::kBufferBytes) uint8_t g_disk_window[2 * ata::kBufferBytes];

} // namespace

MountSources::MountSources(Clock& clock)
    : m_clock(clock), m_disk(names::proc_thread(), "ata1", g_disk_window),
      m_cache(m_disk, g_disk_cache_slots, g_disk_cache_memory),
      m_ext2(m_cache, clock, g_disk_references) {}

Error MountSources::take(uint32_t type, uint32_t device, bool read_only, FileSystem** out) {
    if (type == AXO_FILE_MOUNT_TMPFS) {
        for (uint32_t i = 0; i < kTmpInstances; ++i) {
            TmpSlot& slot = m_tmp[i];
            if (slot.file_system != nullptr) continue;
            // Built afresh: a tmpfs mounted again starts empty, as on Linux.
            slot.file_system = ::new (slot.storage) TmpFileSystem(
                g_tmp_arenas[i], kTmpArenaBytes, m_clock, 01777, 0, 0, 4096, read_only);
            if (!slot.file_system->valid()) {
                slot.file_system = nullptr;
                return Error::no_memory;
            }
            *out = slot.file_system;
            return Error::ok;
        }
        return Error::no_space;
    }
    if (type != AXO_FILE_MOUNT_EXT2) return Error::invalid_argument;
    if (device != kDeviceHdc) return Error::no_device;
    if (m_ext2.mounted()) return Error::busy;
    if (!m_disk_open) {
        // The driver registers "ata1" when it found a disk: no name, no disk.
        if (Error error = m_disk.open(); error != Error::ok) {
            rt_printf("fs: mount: the disk behind ata1 does not answer (%s)\n",
                      ipc::error_name(error));
            return Error::no_device;
        }
        m_disk_open = true;
    }
    Ext2MountOptions options;
    options.read_only = read_only;
    Error error = m_ext2.mount(options);
    if (error == Error::busy) {
        // Not cleanly unmounted (or errors recorded): read-only, never written without a check.
        options.read_only = true;
        options.allow_unclean = true;
        error = m_ext2.mount(options);
        if (error == Error::ok)
            rt_printf("fs: mount: the ext2 on hdc was not cleanly unmounted: mounted read-only "
                      "(check it with e2fsck)\n");
    }
    if (error != Error::ok) return error;
    *out = &m_ext2;
    return Error::ok;
}

Error MountSources::stop() {
    if (!m_ext2.mounted() || m_ext2.read_only()) return Error::ok;
    return m_ext2.remount_read_only();
}

bool MountSources::give_back(FileSystem* file_system, Error* error) {
    *error = Error::ok;
    if (file_system == &m_ext2) {
        *error = m_ext2.unmount();
        return true;
    }
    for (TmpSlot& slot : m_tmp) {
        if (slot.file_system != file_system || file_system == nullptr) continue;
        slot.file_system->~TmpFileSystem();
        slot.file_system = nullptr;
        return true;
    }
    return false;
}

} // namespace fs
