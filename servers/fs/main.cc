// fs, the file-system server (README.md): builds the tree — the root file system, /tmp, /dev —
// registers the name "fs" with proc and serves the file interface (interfaces/file) forever.
#include "rt/rt.h"

#include "lib/names/names.h"
#include "servers/fs/server.h"
#include "servers/fs/tmpfs/tmp_file_system.h"
#include "servers/fs/vfs/vfs.h"

namespace {

// Seconds since boot from the KIP's clock: there is no RTC reader yet, so times start at the
// epoch when the system boots.
class KipClock final : public fs::Clock {
public:
    fs::Timestamp now() override {
        uint64_t us = rt_clock_us();
        return fs::Timestamp{static_cast<int64_t>(us / 1000000),
                             static_cast<uint32_t>(us % 1000000) * 1000};
    }
};

// Memory of the server's own (zero-fill pages from its pager, touched as they are used): the
// clients' buffers, and the arenas of the tmpfs instances.
alignas(file::kBufferBytes) uint8_t g_buffers[fs::Server::kSessions * file::kBufferBytes];
constexpr size_t kRootArenaBytes = 4u << 20;
constexpr size_t kTmpArenaBytes = 2u << 20;
alignas(8) uint8_t g_root_arena[kRootArenaBytes];
alignas(8) uint8_t g_tmp_arena[kTmpArenaBytes];

KipClock g_clock;
fs::Vfs g_vfs(g_clock);
fs::TmpFileSystem g_root_tmpfs(g_root_arena, kRootArenaBytes, g_clock, 0755);
fs::TmpFileSystem g_tmp(g_tmp_arena, kTmpArenaBytes, g_clock, 01777);
fs::Server g_server(g_vfs, g_buffers);

const fs::Caller kBoot{}; // the server itself, as root, for building the tree

// The file system mounted at "/". Today a tmpfs; the ext2 root on the ATA disk replaces it
// here (servers/fs/README.md "Root").
fs::FileSystem& pick_root(const char** description) {
    *description = "tmpfs";
    return g_root_tmpfs;
}

// /dev: devfs mounts here once it exists (servers/fs/README.md "Devices"); until then the
// directory is empty.
void mount_devices() {}

fs::Caller boot_caller() {
    fs::Caller caller = kBoot;
    caller.pid = 0xFFFFFFFFu; // never a process's pid: its cwd and handles are its own
    return caller;
}

} // namespace

int main() {
    const char* root_description = nullptr;
    fs::FileSystem& root = pick_root(&root_description);
    if (!g_root_tmpfs.valid() || !g_tmp.valid() || g_vfs.mount_root(root, false) != fs::Error::ok) {
        rt_printf("fs: no root file system\n");
        return 1;
    }
    fs::Caller boot = boot_caller();
    (void)g_vfs.mkdir(boot, fs::kAtCwd, "/tmp", 0755);
    if (fs::Error error = g_vfs.mount(boot, "/tmp", g_tmp, false); error != fs::Error::ok)
        rt_printf("fs: /tmp not mounted (%s)\n", ipc::error_name(error));
    (void)g_vfs.mkdir(boot, fs::kAtCwd, "/dev", 0755);
    mount_devices();
    g_vfs.exit(boot.pid);
    bool events = g_server.start();
    if (ipc::Error error = names::register_name("fs"); error != ipc::Error::ok) {
        rt_printf("fs: registering the name failed (%s)\n", ipc::error_name(error));
        return 1;
    }
    rt_printf("fs: / is %s, /tmp is tmpfs (%u KiB), %s; serving\n", root_description,
              static_cast<unsigned>(kTmpArenaBytes / 1024),
              events ? "following proc's events" : "without proc's events");
    g_server.run();
}
