// devfs: the file system mounted on /dev. One directory of device files: null, zero, full,
// random and urandom, served here (read_device, write_device), and the devices the server
// registers at run time (the consoles, the serial line, the disk), which devfs only names —
// lookup, attributes, listing — while the server routes their I/O to their drivers
// (device_of says which device an inode is). Nobody creates, links or removes names through
// the VFS (no_permission); owners, permissions and times can be changed.
//
// Device numbers are Linux's (Documentation/admin-guide/devices.txt), major << 8 | minor as in
// Attributes::device. Pure logic, no IPC: tested on the host (tests/unit/fs_devfs_test.cc).
#pragma once

#include <stdint.h>

#include <span>
#include <string_view>

#include "lib/readiness/readiness_table.h"
#include "servers/fs/devfs/chacha20.h"
#include "servers/fs/vfs/file_system.h"

namespace fs {

using readiness::kPollIn;
using readiness::kPollNval;
using readiness::kPollOut;

constexpr uint32_t device_number(uint32_t major, uint32_t minor) {
    return major << 8 | minor;
}
constexpr uint32_t device_major(uint32_t device) {
    return device >> 8;
}
constexpr uint32_t device_minor(uint32_t device) {
    return device & 0xFF;
}

// The numbers of the devices Axolotl has.
constexpr uint32_t kDeviceNull = device_number(1, 3);
constexpr uint32_t kDeviceZero = device_number(1, 5);
constexpr uint32_t kDeviceFull = device_number(1, 7);
constexpr uint32_t kDeviceRandom = device_number(1, 8);
constexpr uint32_t kDeviceUrandom = device_number(1, 9);
constexpr uint32_t kDeviceTty = device_number(5, 0);     // the caller's controlling terminal
constexpr uint32_t kDeviceConsole = device_number(5, 1); // the system console
constexpr uint32_t kDeviceTtyS0 = device_number(4, 64);  // COM1
constexpr uint32_t kDeviceTty1 = device_number(4, 1);    // the VGA console's terminal
constexpr uint32_t kDeviceHda = device_number(3, 0);     // the first ATA disk, whole

// Who serves an inode's reads and writes.
enum class DeviceKind : uint8_t {
    directory, // the root: no device
    null,      // reads: end of file; writes: all taken
    zero,      // reads: zeros; writes: all taken
    full,      // reads: zeros; writes: no_space
    random,    // reads: the generator's output; writes: mixed into it
    urandom,   // as random (it never blocks: the generator is seeded at construction)
    routed,    // registered by the server: its driver serves it (`route` says which)
};

struct DeviceInfo {
    DeviceKind kind = DeviceKind::directory;
    uint32_t mode = 0;   // kModeCharacterDevice or kModeBlockDevice, and permissions
    uint32_t device = 0; // major << 8 | minor
    uint32_t route = 0;  // routed: the server's value from add_device
};

class DeviceFileSystem final : public FileSystem {
public:
    static constexpr uint32_t kMaxDevices = 32;
    static constexpr uint32_t kDeviceNameMax = 31;
    static constexpr uint32_t kBlockSize = 4096;

    // `seed`: material for the random generator (the RTC's time, rdtsc, anything the server
    // has that differs between boots); `clock` gives the inodes' times.
    DeviceFileSystem(Clock& clock, std::span<const uint8_t> seed);

    // A device the server serves through a driver, named `name` (mode: kModeCharacterDevice or
    // kModeBlockDevice | permissions; owner root). `route` comes back in device_of.
    // Errors: invalid_argument (a name that is empty, ".", "..", has '/' or NUL or is above
    // kDeviceNameMax; another type); exists; no_space (kMaxDevices names).
    Error add_device(std::string_view name, uint32_t mode, uint32_t device, uint32_t route,
                     InodeNumber* out = nullptr);
    // The device went (its driver ended for good). Its name goes now; an inode still open
    // lives unnamed until its last release. Errors: not_found; no_permission (a device devfs
    // serves itself).
    Error remove_device(std::string_view name);
    // What an inode is. Errors: not_found.
    Error device_of(InodeNumber inode, DeviceInfo* out) const;

    // read(2) and write(2) of the devices devfs serves (null, zero, full, random, urandom);
    // there is no offset (they ignore it). *done: bytes moved.
    // Errors: not_found; is_directory; invalid_argument (a routed device: the server sends it
    // to its driver); no_space (full).
    Error read_device(InodeNumber inode, std::span<uint8_t> buffer, uint32_t* done);
    Error write_device(InodeNumber inode, std::span<const uint8_t> data, uint32_t* done);
    // poll's events of an inode: the devices devfs serves never block (kPollIn | kPollOut, as
    // the directory); kPollNval for no such inode; 0 for a routed device, whose driver knows.
    uint32_t poll_device(InodeNumber inode) const;
    // More seed material (interrupt times, rdtsc at requests): mixed into the generator.
    void mix_entropy(std::span<const uint8_t> material) { m_random.mix(material); }

    // ---- FileSystem (vfs/file_system.h)
    InodeNumber root() const override { return InodeNumber{kRootInode}; }
    bool read_only() const override { return false; }
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
    Error sync() override { return Error::ok; }

private:
    static constexpr uint32_t kRootInode = 1;
    // Slot i is inode i + 2; a slot is reused only once its inode is free (unnamed, released).
    struct Entry {
        enum class State : uint8_t { free, named, unnamed };
        State state = State::free;
        DeviceKind kind = DeviceKind::null;
        char name[kDeviceNameMax + 1] = {};
        uint8_t name_length = 0;
        uint32_t mode = 0, uid = 0, gid = 0, device = 0, route = 0;
        uint32_t references = 0;
        Timestamp access, modify, change;
        std::string_view name_view() const { return {name, name_length}; }
    };

    Entry* entry_of(InodeNumber inode);
    const Entry* entry_of(InodeNumber inode) const;
    static InodeNumber inode_of(uint32_t slot) { return InodeNumber{slot + 2}; }
    int32_t find(std::string_view name) const;
    Error add(std::string_view name, DeviceKind kind, uint32_t mode, uint32_t device,
              uint32_t route, InodeNumber* out);
    // The checks every name-changing operation makes before it refuses.
    Error refuse_change(InodeNumber directory) const;

    Clock& m_clock;
    RandomGenerator m_random;
    Entry m_entries[kMaxDevices];
    uint32_t m_root_mode = kModeDirectory | 0755;
    uint32_t m_root_uid = 0, m_root_gid = 0;
    Timestamp m_root_access, m_root_modify, m_root_change;
};

} // namespace fs
