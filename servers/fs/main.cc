// fs, the file-system server (README.md): builds the tree — the root file system, /tmp, /dev —
// registers the name "fs" with proc and serves the file interface (interfaces/file) forever.
#include "rt/rt.h"

#include "interfaces/process/protocol.h"
#include "lib/names/names.h"
#include "servers/fs/ata_disk.h"
#include "servers/fs/cache/block_cache.h"
#include "servers/fs/devfs/device_file_system.h"
#include "servers/fs/ext2/ext2_file_system.h"
#include "servers/fs/mount_sources.h"
#include "servers/fs/process_source.h"
#include "servers/fs/procfs/process_file_system.h"
#include "servers/fs/server.h"
#include "servers/fs/tmpfs/tmp_file_system.h"
#include "servers/fs/vfs/vfs.h"

namespace {

// The realtime clock libposix's CLOCK_REALTIME is: the KIP's clock plus the boot's date, which
// proc read from the RTC at boot (interfaces/process kProcRealTime; 0 without one: times then
// start at the epoch when the system boots).
class KipClock final : public fs::Clock {
public:
    fs::Timestamp now() override {
        uint64_t us = m_boot_us + rt_clock_us();
        return fs::Timestamp{static_cast<int64_t>(us / 1000000),
                             static_cast<uint32_t>(us % 1000000) * 1000};
    }
    void ask_boot_date() {
        proc::RealTimeReply reply{};
        if (ipc::call(rt_kip()->root_task, proc::RealTimeRequest{}, reply) == ipc::Error::ok)
            m_boot_us = static_cast<uint64_t>(reply.boot_us_high) << 32 | reply.boot_us_low;
    }

private:
    uint64_t m_boot_us = 0;
};

// Memory of the server's own (zero-fill pages from its pager, touched as they are used): the
// clients' buffers, and the arenas of the tmpfs instances.
alignas(file::kBufferBytes) uint8_t g_buffers[fs::Server::kSessions * file::kBufferBytes];
constexpr size_t kRootArenaBytes = 4u << 20;
constexpr size_t kTmpArenaBytes = 2u << 20;
alignas(8) uint8_t g_root_arena[kRootArenaBytes];
alignas(8) uint8_t g_tmp_arena[kTmpArenaBytes];
// The pipes' rings (touched only as pipes use them).
alignas(4096) uint8_t g_pipe_rings[fs::Server::kPipes * fs::kPipeCapacity];

KipClock g_clock;
fs::Vfs g_vfs(g_clock);
fs::TmpFileSystem g_root_tmpfs(g_root_arena, kRootArenaBytes, g_clock, 0755);
fs::TmpFileSystem g_tmp(g_tmp_arena, kTmpArenaBytes, g_clock, 01777);
fs::Server g_server(g_vfs, g_buffers);

const fs::Caller kBoot{}; // the server itself, as root, for building the tree

// The root file system: ext2 on the ATA disk (the image the build makes, image/README.md),
// through a write-back block cache. A file system that was not cleanly unmounted is mounted
// read-only — never read-write without a check (there is no fsck in the system yet). No
// disk, or no ext2 on it: a tmpfs, so the system still has a tree.
constexpr uint32_t kCacheBlocks = 1024; // 4 MiB of 4 KiB blocks
constexpr uint32_t kExt2References = 512;
alignas(4096) uint8_t g_cache_memory[kCacheBlocks * 4096];
fs::BlockCache::Slot g_cache_slots[kCacheBlocks];
fs::Ext2FileSystem::Reference g_ext2_references[kExt2References];
alignas(ata::kBufferBytes) uint8_t g_disk_window[2 * ata::kBufferBytes];

fs::AtaDisk g_disk(names::proc_thread(), "ata", g_disk_window);
fs::BlockCache g_cache(g_disk, g_cache_slots, g_cache_memory);
fs::Ext2FileSystem g_ext2(g_cache, g_clock, g_ext2_references);
fs::MountSources g_mount_sources(g_clock); // what mount takes at run time

// The ATA driver starts before fs but may not have registered its name yet: wait for it (proc
// answers when the name comes, kNameWait), for a while.
constexpr uint32_t kDiskWaitUs = 2000000;

fs::Error open_disk() {
    axo_thread_id_t ata = AXO_NIL_THREAD;
    (void)names::wait_for("ata", ata, axo_timeout_us(kDiskWaitUs));
    return g_disk.open();
}

fs::FileSystem& pick_root(const char** description, bool* read_only) {
    *read_only = false;
    fs::Error error = open_disk();
    if (error == fs::Error::ok) {
        fs::Ext2MountOptions options;
        error = g_ext2.mount(options);
        if (error == fs::Error::busy) {
            options.read_only = true;
            options.allow_unclean = true;
            error = g_ext2.mount(options);
            if (error == fs::Error::ok)
                rt_printf("fs: the root file system was not cleanly unmounted: mounted read-only "
                          "(check it with e2fsck)\n");
        }
        if (error == fs::Error::ok) {
            *read_only = g_ext2.read_only();
            *description = *read_only ? "ext2 on ata (read-only)" : "ext2 on ata";
            return g_ext2;
        }
    }
    rt_printf("fs: no ext2 root on the disk (%s): / is a tmpfs\n", ipc::error_name(error));
    *description = "tmpfs";
    return g_root_tmpfs;
}

// kFileShutdown: the ext2 root (if it is one and writable) is made clean and read-only.
fs::Error stop_disk() {
    fs::Error mounted = g_mount_sources.stop(); // the second disk, if mounted
    if (!g_ext2.mounted() || g_ext2.read_only()) return mounted;
    fs::Error root = g_ext2.remount_read_only();
    return root != fs::Error::ok ? root : mounted;
}

// /dev: devfs (null, zero, full, random, urandom, served by fs), and the console devices,
// which devfs only names: libposix routes their data to the console itself (fs answers
// unsupported to it). The generator is seeded from the time stamp counter and the clock at
// boot.
uint64_t read_time_stamp() {
    uint32_t low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return (uint64_t{high} << 32) | low;
}

fs::DeviceFileSystem g_devfs(g_clock, {});

void mount_devices(const fs::Caller& boot) {
    uint64_t seed[2] = {read_time_stamp(), rt_clock_us()};
    g_devfs.mix_entropy(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(seed), sizeof seed));
    // The route values are fs's own; no driver is behind them yet.
    (void)g_devfs.add_device("console", fs::kModeCharacterDevice | 0600, fs::kDeviceConsole, 1);
    (void)g_devfs.add_device("tty", fs::kModeCharacterDevice | 0666, fs::kDeviceTty, 2);
    (void)g_devfs.add_device("ttyS0", fs::kModeCharacterDevice | 0660, fs::kDeviceTtyS0, 3);
    // The second disk, for mount (mount_sources.h); fs mounts it, nobody reads it raw.
    (void)g_devfs.add_device("hdc", fs::kModeBlockDevice | 0660, fs::kDeviceHdc, 4);
    (void)g_devfs.add_device("tty1", fs::kModeCharacterDevice | 0620, fs::kDeviceTty1, 4);
    g_server.serve_devices(g_devfs);
    if (fs::Error error = g_vfs.mount(boot, "/dev", g_devfs, false); error != fs::Error::ok)
        rt_printf("fs: /dev not mounted (%s)\n", ipc::error_name(error));
}

// /proc: procfs, read-only, asking proc at every read (procfs/process_file_system.h).
fs::ProcProcessSource g_process_source;
fs::ProcessFileSystem g_procfs(g_process_source, g_clock);

void mount_processes(const fs::Caller& boot, const char* root_line) {
    g_process_source.add_mount_line(root_line);
    g_process_source.add_mount_line("tmpfs /tmp tmpfs rw 0 0");
    g_process_source.add_mount_line("devfs /dev devfs rw 0 0");
    g_process_source.add_mount_line("proc /proc proc ro 0 0");
    (void)g_vfs.mkdir(boot, fs::kAtCwd, "/proc", 0555);
    if (fs::Error error = g_vfs.mount(boot, "/proc", g_procfs, true); error != fs::Error::ok)
        rt_printf("fs: /proc not mounted (%s)\n", ipc::error_name(error));
}

fs::Caller boot_caller() {
    fs::Caller caller = kBoot;
    caller.pid = 0xFFFFFFFFu; // never a process's pid: its cwd and handles are its own
    return caller;
}

} // namespace

int main() {
    g_clock.ask_boot_date(); // before anything is mounted or made: its times are dates
    const char* root_description = nullptr;
    bool root_read_only = false;
    fs::FileSystem& root = pick_root(&root_description, &root_read_only);
    if (!g_root_tmpfs.valid() || !g_tmp.valid() ||
        g_vfs.mount_root(root, root_read_only) != fs::Error::ok) {
        rt_printf("fs: no root file system\n");
        return 1;
    }
    fs::Caller boot = boot_caller();
    (void)g_vfs.mkdir(boot, fs::kAtCwd, "/tmp", 0755);
    if (fs::Error error = g_vfs.mount(boot, "/tmp", g_tmp, false); error != fs::Error::ok)
        rt_printf("fs: /tmp not mounted (%s)\n", ipc::error_name(error));
    (void)g_vfs.mkdir(boot, fs::kAtCwd, "/dev", 0755);
    mount_devices(boot);
    mount_processes(boot, &root == &g_ext2 ? (root_read_only ? "/dev/hda / ext2 ro 0 0"
                                                             : "/dev/hda / ext2 rw 0 0")
                                           : "rootfs / tmpfs rw 0 0");
    g_vfs.exit(boot.pid);
    g_server.serve_pipes(g_pipe_rings);
    g_server.on_shutdown_call(&stop_disk);
    g_server.serve_mounts(g_mount_sources);
    g_server.count_cache(g_cache);
    bool events = g_server.start();
    // Said before the name is registered: a client waiting for the name may run (and a test
    // may end the machine) before fs runs again, and the line must already be in the log.
    rt_printf("fs: / is %s, /tmp is tmpfs (%u KiB), %s; serving\n", root_description,
              static_cast<unsigned>(kTmpArenaBytes / 1024),
              events ? "following proc's events" : "without proc's events");
    if (ipc::Error error = names::register_name("fs"); error != ipc::Error::ok) {
        rt_printf("fs: registering the name failed (%s)\n", ipc::error_name(error));
        return 1;
    }
    g_server.run();
}
