// devfs (servers/fs/devfs/device_file_system.h): every device's reads and writes, the
// directory as the VFS sees it (lookup, listing, attributes, refused changes), devices the
// server registers, and ChaCha20 against RFC 8439's vectors.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "servers/fs/devfs/chacha20.h"
#include "servers/fs/devfs/device_file_system.h"

namespace fs {
namespace {

using ipc::Error;

class FakeClock final : public Clock {
public:
    Timestamp now() override { return m_now; }
    Timestamp m_now{1700000000, 5};
};

std::vector<uint8_t> from_hex(const char* hex) {
    std::vector<uint8_t> out;
    for (size_t i = 0; hex[i] && hex[i + 1]; i += 2)
        out.push_back(static_cast<uint8_t>(std::stoul(std::string(hex + i, 2), nullptr, 16)));
    return out;
}

std::vector<uint8_t> block(const std::vector<uint8_t>& key_bytes, uint32_t counter,
                           const std::vector<uint8_t>& nonce_bytes) {
    uint32_t key[8], nonce[3];
    for (int i = 0; i < 8; ++i)
        key[i] = uint32_t{key_bytes[4 * i]} | uint32_t{key_bytes[4 * i + 1]} << 8 |
                 uint32_t{key_bytes[4 * i + 2]} << 16 | uint32_t{key_bytes[4 * i + 3]} << 24;
    for (int i = 0; i < 3; ++i)
        nonce[i] = uint32_t{nonce_bytes[4 * i]} | uint32_t{nonce_bytes[4 * i + 1]} << 8 |
                   uint32_t{nonce_bytes[4 * i + 2]} << 16 | uint32_t{nonce_bytes[4 * i + 3]} << 24;
    std::vector<uint8_t> out(64);
    chacha20_block(key, counter, nonce, out.data());
    return out;
}

// RFC 8439 §2.3.2: the block function's test vector.
TEST(FsChaCha20, block_function_matches_rfc8439_section_2_3_2) {
    std::vector<uint8_t> key(32);
    for (int i = 0; i < 32; ++i)
        key[i] = static_cast<uint8_t>(i);
    EXPECT_EQ(block(key, 1, from_hex("000000090000004a00000000")),
              from_hex("10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
                       "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e"));
}

// RFC 8439 Appendix A.1: ChaCha20 block function test vectors #1, #3, #4, #5.
TEST(FsChaCha20, block_function_matches_rfc8439_appendix_a1) {
    std::vector<uint8_t> zero_key(32), zero_nonce(12);
    EXPECT_EQ(block(zero_key, 0, zero_nonce),
              from_hex("76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
                       "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586"));
    std::vector<uint8_t> key_one(32);
    key_one[31] = 1;
    EXPECT_EQ(block(key_one, 1, zero_nonce),
              from_hex("3aeb5224ecf849929b9d828db1ced4dd832025e8018b8160b82284f3c949aa5a"
                       "8eca00bbb4a73bdad192b5c42f73f2fd4e273644c8b36125a64addeb006c13a0"));
    std::vector<uint8_t> key_ff(32);
    key_ff[1] = 0xff;
    EXPECT_EQ(block(key_ff, 2, zero_nonce),
              from_hex("72d54dfbf12ec44b362692df94137f328fea8da73990265ec1bbbea1ae9af0ca"
                       "13b25aa26cb4a648cb9b9d1be65b2c0924a66c54d545ec1b7374f4872e99f096"));
    std::vector<uint8_t> nonce_two(12);
    nonce_two[11] = 2;
    EXPECT_EQ(block(zero_key, 0, nonce_two),
              from_hex("c2c64d378cd536374ae204b9ef933fcd1a8b2288b3dfa49672ab765b54ee27c7"
                       "8a970e0e955c14f3a88e741b97c286f75f8fc299e8148362fa198a39531bed6d"));
}

std::vector<uint8_t> generate(RandomGenerator& g, size_t n) {
    std::vector<uint8_t> out(n);
    g.generate(out);
    return out;
}

TEST(FsRandomGenerator, output_depends_on_the_seed_and_never_repeats) {
    const uint8_t seed_a[] = {1, 2, 3, 4, 5, 6, 7, 8};
    const uint8_t seed_b[] = {1, 2, 3, 4, 5, 6, 7, 9};
    const uint8_t seed_a0[] = {1, 2, 3, 4, 5, 6, 7, 8, 0};
    RandomGenerator a(seed_a), a_again(seed_a), b(seed_b), a0(seed_a0);
    auto out_a = generate(a, 4096);
    EXPECT_EQ(out_a, generate(a_again, 4096)); // deterministic from its seed
    EXPECT_NE(out_a, generate(b, 4096));
    EXPECT_NE(out_a, generate(a0, 4096)); // the length counts: "…8" is not "…8\0"
    EXPECT_NE(out_a, generate(a, 4096));  // the next request gives new bytes

    // Mixing changes what follows.
    RandomGenerator c(seed_a), d(seed_a);
    const uint8_t extra[] = {42};
    d.mix(extra);
    EXPECT_NE(generate(c, 64), generate(d, 64));
}

TEST(FsRandomGenerator, request_sizes_do_not_repeat_keystream) {
    const uint8_t seed[] = {9};
    RandomGenerator g(seed);
    // Small requests straddling block edges: no 16-byte window may come out twice.
    std::vector<uint8_t> all;
    for (size_t n : {1, 31, 32, 33, 63, 64, 65, 127, 200, 1000}) {
        auto out = generate(g, n);
        all.insert(all.end(), out.begin(), out.end());
    }
    std::map<std::string, int> seen;
    for (size_t i = 0; i + 16 <= all.size(); ++i)
        EXPECT_EQ(seen[std::string(all.begin() + i, all.begin() + i + 16)]++, 0) << i;
}

TEST(FsRandomGenerator, output_is_not_constant_and_looks_uniform) {
    const uint8_t seed[] = {'a', 'x', 'o'};
    RandomGenerator g(seed);
    auto out = generate(g, 1 << 16);
    uint32_t counts[256] = {};
    for (uint8_t b : out)
        ++counts[b];
    // 256 expected per value: a chi-square over 255 degrees of freedom stays far below 400
    // for a good generator (p < 1e-8 beyond it).
    double chi = 0;
    for (uint32_t c : counts)
        chi += (c - 256.0) * (c - 256.0) / 256.0;
    EXPECT_LT(chi, 400.0);
    EXPECT_GT(*std::min_element(counts, counts + 256), 150u);
}

// ---- The file system ------------------------------------------------------------------------

class FsDevfs : public ::testing::Test {
protected:
    FakeClock m_clock;
    const uint8_t m_seed[8] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4};
    DeviceFileSystem m_fs{m_clock, m_seed};

    InodeNumber look(std::string_view name) {
        InodeNumber inode;
        EXPECT_EQ(m_fs.lookup(m_fs.root(), name, &inode), Error::ok) << name;
        return inode;
    }
    std::vector<uint8_t> read(std::string_view name, size_t size, uint32_t* done,
                              Error expected = Error::ok) {
        std::vector<uint8_t> out(size, 0x5A);
        EXPECT_EQ(m_fs.read_device(look(name), out, done), expected);
        return out;
    }
};

struct Collect final : DirectorySink {
    struct Item {
        std::string name;
        InodeNumber inode;
        FileType type;
        uint64_t next;
    };
    std::vector<Item> items;
    size_t limit = 1000;
    bool take(const DirectoryEntry& e) override {
        if (items.size() == limit) return false;
        items.push_back({std::string(e.name), e.inode, e.type, e.next});
        return true;
    }
};

TEST_F(FsDevfs, null_reads_end_of_file_and_takes_every_write) {
    uint32_t done = 99;
    read("null", 100, &done);
    EXPECT_EQ(done, 0u);
    std::vector<uint8_t> data(5000, 7);
    EXPECT_EQ(m_fs.write_device(look("null"), data, &done), Error::ok);
    EXPECT_EQ(done, 5000u);
}

TEST_F(FsDevfs, zero_reads_zeros_and_takes_every_write) {
    uint32_t done = 0;
    EXPECT_EQ(read("zero", 3000, &done), std::vector<uint8_t>(3000, 0));
    EXPECT_EQ(done, 3000u);
    std::vector<uint8_t> data(10, 1);
    EXPECT_EQ(m_fs.write_device(look("zero"), data, &done), Error::ok);
    EXPECT_EQ(done, 10u);
}

TEST_F(FsDevfs, full_reads_zeros_and_refuses_writes_with_no_space) {
    uint32_t done = 0;
    EXPECT_EQ(read("full", 100, &done), std::vector<uint8_t>(100, 0));
    EXPECT_EQ(done, 100u);
    std::vector<uint8_t> data(10, 1);
    EXPECT_EQ(m_fs.write_device(look("full"), data, &done), Error::no_space);
    EXPECT_EQ(done, 0u);
    EXPECT_EQ(m_fs.write_device(look("full"), {}, &done), Error::ok); // nothing to write
}

TEST_F(FsDevfs, random_and_urandom_read_fresh_bytes_and_mix_writes) {
    uint32_t done = 0;
    auto r1 = read("random", 512, &done);
    EXPECT_EQ(done, 512u);
    auto r2 = read("urandom", 512, &done);
    EXPECT_EQ(done, 512u);
    EXPECT_NE(r1, r2);
    EXPECT_NE(r1, std::vector<uint8_t>(512, 0x5A)); // written over
    EXPECT_GT(std::set<uint8_t>(r1.begin(), r1.end()).size(), 100u);

    // The same seed in another devfs gives other bytes once something was written in.
    DeviceFileSystem other(m_clock, m_seed);
    std::vector<uint8_t> o1(512);
    EXPECT_EQ(other.read_device(look("random"), o1, &done), Error::ok);
    EXPECT_EQ(o1, r1); // same seed, same first request
    const uint8_t written[] = {1, 2, 3};
    EXPECT_EQ(other.write_device(look("urandom"), written, &done), Error::ok);
    EXPECT_EQ(done, 3u);
    std::vector<uint8_t> o2(512);
    EXPECT_EQ(other.read_device(look("urandom"), o2, &done), Error::ok);
    EXPECT_NE(o2, r2);
}

TEST_F(FsDevfs, different_seeds_give_different_random_bytes) {
    const uint8_t seed[] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 5};
    DeviceFileSystem other(m_clock, seed);
    uint32_t done = 0;
    auto mine = read("random", 256, &done);
    std::vector<uint8_t> theirs(256);
    EXPECT_EQ(other.read_device(look("random"), theirs, &done), Error::ok);
    EXPECT_NE(mine, theirs);
}

TEST_F(FsDevfs, the_builtin_devices_have_linux_numbers_and_are_world_writable) {
    struct {
        const char* name;
        uint32_t device;
        DeviceKind kind;
    } expected[] = {{"null", device_number(1, 3), DeviceKind::null},
                    {"zero", device_number(1, 5), DeviceKind::zero},
                    {"full", device_number(1, 7), DeviceKind::full},
                    {"random", device_number(1, 8), DeviceKind::random},
                    {"urandom", device_number(1, 9), DeviceKind::urandom}};
    for (const auto& e : expected) {
        Attributes a;
        InodeNumber inode = look(e.name);
        ASSERT_EQ(m_fs.get_attributes(inode, &a), Error::ok);
        EXPECT_EQ(a.inode, inode);
        EXPECT_EQ(a.mode, kModeCharacterDevice | 0666) << e.name;
        EXPECT_EQ(a.device, e.device) << e.name;
        EXPECT_EQ(a.links, 1u);
        EXPECT_EQ(a.size, 0u);
        EXPECT_EQ(a.modify, m_clock.m_now);
        DeviceInfo info;
        ASSERT_EQ(m_fs.device_of(inode, &info), Error::ok);
        EXPECT_EQ(info.kind, e.kind);
        EXPECT_EQ(info.device, e.device);
    }
    EXPECT_EQ(kDeviceTty, device_number(5, 0));
    EXPECT_EQ(kDeviceConsole, device_number(5, 1));
    EXPECT_EQ(kDeviceTtyS0, device_number(4, 64));
    EXPECT_EQ(kDeviceHda, device_number(3, 0));
    EXPECT_EQ(device_major(kDeviceTtyS0), 4u);
    EXPECT_EQ(device_minor(kDeviceTtyS0), 64u);
}

TEST_F(FsDevfs, the_root_is_a_directory_whose_parent_is_itself) {
    Attributes a;
    ASSERT_EQ(m_fs.get_attributes(m_fs.root(), &a), Error::ok);
    EXPECT_TRUE(is_directory(a.mode));
    EXPECT_EQ(a.mode & kModePermissionMask, 0755u);
    EXPECT_EQ(look(".."), m_fs.root());
    EXPECT_EQ(look("."), m_fs.root());
    InodeNumber inode;
    EXPECT_EQ(m_fs.lookup(m_fs.root(), "nothing", &inode), Error::not_found);
    EXPECT_EQ(m_fs.lookup(look("null"), "x", &inode), Error::not_directory);
    EXPECT_EQ(m_fs.lookup(InodeNumber{999}, "x", &inode), Error::not_found);
    EXPECT_EQ(m_fs.get_attributes(InodeNumber{999}, &a), Error::not_found);
    EXPECT_EQ(m_fs.get_attributes(InodeNumber{0}, &a), Error::not_found);
}

TEST_F(FsDevfs, registered_devices_are_named_here_and_routed_by_the_server) {
    InodeNumber tty, hda;
    ASSERT_EQ(m_fs.add_device("ttyS0", kModeCharacterDevice | 0660, kDeviceTtyS0, 7, &tty),
              Error::ok);
    ASSERT_EQ(m_fs.add_device("hda", kModeBlockDevice | 0660, kDeviceHda, 9, &hda), Error::ok);
    EXPECT_EQ(look("ttyS0"), tty);
    DeviceInfo info;
    ASSERT_EQ(m_fs.device_of(hda, &info), Error::ok);
    EXPECT_EQ(info.kind, DeviceKind::routed);
    EXPECT_EQ(info.route, 9u);
    EXPECT_EQ(info.device, kDeviceHda);
    EXPECT_EQ(info.mode, kModeBlockDevice | 0660);
    Attributes a;
    ASSERT_EQ(m_fs.get_attributes(hda, &a), Error::ok);
    EXPECT_EQ(file_type_of(a.mode), FileType::block_device);

    // Their I/O is not devfs's.
    uint32_t done = 1;
    std::vector<uint8_t> buffer(10);
    EXPECT_EQ(m_fs.read_device(tty, buffer, &done), Error::invalid_argument);
    EXPECT_EQ(done, 0u);
    EXPECT_EQ(m_fs.write_device(tty, buffer, &done), Error::invalid_argument);

    EXPECT_EQ(m_fs.add_device("ttyS0", kModeCharacterDevice | 0600, kDeviceTtyS0, 1),
              Error::exists);
    EXPECT_EQ(m_fs.add_device("null", kModeCharacterDevice | 0600, kDeviceNull, 1), Error::exists);
}

TEST_F(FsDevfs, the_devices_devfs_serves_are_always_ready_for_poll) {
    for (const char* name : {"null", "zero", "full", "random", "urandom"})
        EXPECT_EQ(m_fs.poll_device(look(name)), kPollIn | kPollOut) << name;
    InodeNumber tty;
    ASSERT_EQ(m_fs.add_device("ttyS0", kModeCharacterDevice | 0660, kDeviceTtyS0, 7, &tty),
              Error::ok);
    EXPECT_EQ(m_fs.poll_device(tty), 0u); // its driver knows
    EXPECT_EQ(m_fs.poll_device(InodeNumber{40}), kPollNval);
}

TEST_F(FsDevfs, bad_registrations_are_refused) {
    const uint32_t kChar = kModeCharacterDevice | 0600;
    EXPECT_EQ(m_fs.add_device("", kChar, 1, 0), Error::invalid_argument);
    EXPECT_EQ(m_fs.add_device(".", kChar, 1, 0), Error::invalid_argument);
    EXPECT_EQ(m_fs.add_device("..", kChar, 1, 0), Error::invalid_argument);
    EXPECT_EQ(m_fs.add_device("a/b", kChar, 1, 0), Error::invalid_argument);
    EXPECT_EQ(m_fs.add_device(std::string_view("a\0b", 3), kChar, 1, 0), Error::invalid_argument);
    EXPECT_EQ(m_fs.add_device(std::string(32, 'x'), kChar, 1, 0), Error::invalid_argument);
    EXPECT_EQ(m_fs.add_device(std::string(31, 'x'), kChar, 1, 0), Error::ok);
    EXPECT_EQ(m_fs.add_device("file", kModeRegular | 0600, 1, 0), Error::invalid_argument);
    EXPECT_EQ(m_fs.add_device("dir", kModeDirectory | 0700, 1, 0), Error::invalid_argument);
}

TEST_F(FsDevfs, a_full_table_of_devices_says_no_space) {
    uint32_t added = 5 + 1; // the five builtins, then one below fails
    for (uint32_t i = 0; added <= DeviceFileSystem::kMaxDevices; ++i, ++added)
        ASSERT_EQ(m_fs.add_device("d" + std::to_string(i), kModeCharacterDevice | 0600, i, i),
                  Error::ok);
    EXPECT_EQ(m_fs.add_device("more", kModeCharacterDevice | 0600, 1, 1), Error::no_space);
    FileSystemStatistics s;
    ASSERT_EQ(m_fs.statistics(&s), Error::ok);
    EXPECT_EQ(s.free_inodes, 0u);
    EXPECT_FALSE(s.read_only);
}

TEST_F(FsDevfs, readdir_lists_dot_dotdot_and_every_device_once) {
    ASSERT_EQ(m_fs.add_device("console", kModeCharacterDevice | 0600, kDeviceConsole, 1),
              Error::ok);
    Collect all;
    ASSERT_EQ(m_fs.read_directory(m_fs.root(), 0, all), Error::ok);
    std::vector<std::string> names;
    for (auto& i : all.items)
        names.push_back(i.name);
    EXPECT_EQ(names, (std::vector<std::string>{".", "..", "null", "zero", "full", "random",
                                               "urandom", "console"}));
    EXPECT_EQ(all.items[0].type, FileType::directory);
    EXPECT_EQ(all.items[2].type, FileType::character_device);
    EXPECT_EQ(all.items[2].inode, look("null"));

    // Page by page, two entries at a time, with a device added and one removed on the way.
    std::vector<std::string> paged;
    uint64_t cookie = 0;
    for (int page = 0; page < 20; ++page) {
        Collect part;
        part.limit = 2;
        ASSERT_EQ(m_fs.read_directory(m_fs.root(), cookie, part), Error::ok);
        if (part.items.empty()) break;
        for (auto& i : part.items)
            paged.push_back(i.name);
        cookie = part.items.back().next;
        if (page == 1) {
            ASSERT_EQ(m_fs.remove_device("console"), Error::ok);
            ASSERT_EQ(m_fs.add_device("ttyS0", kModeCharacterDevice | 0600, kDeviceTtyS0, 2),
                      Error::ok);
        }
    }
    std::vector<std::string> stable = {".", "..", "null", "zero", "full", "random", "urandom"};
    for (const std::string& name : stable)
        EXPECT_EQ(std::count(paged.begin(), paged.end(), name), 1) << name;
    EXPECT_EQ(std::count(paged.begin(), paged.end(), "console"), 0);

    Collect none;
    EXPECT_EQ(m_fs.read_directory(look("null"), 0, none), Error::not_directory);
    EXPECT_EQ(m_fs.read_directory(InodeNumber{77}, 0, none), Error::not_found);
}

TEST_F(FsDevfs, nobody_changes_names_through_the_vfs) {
    InodeNumber out;
    NewInode node{kModeCharacterDevice | 0600, 0, 0, kDeviceNull};
    EXPECT_EQ(m_fs.create(m_fs.root(), "x", node, &out), Error::no_permission);
    EXPECT_EQ(m_fs.make_directory(m_fs.root(), "d", NewInode{kModeDirectory | 0755}, &out),
              Error::no_permission);
    EXPECT_EQ(m_fs.make_symlink(m_fs.root(), "s", "null", NewInode{kModeSymlink | 0777}, &out),
              Error::no_permission);
    EXPECT_EQ(m_fs.link(look("null"), m_fs.root(), "null2"), Error::no_permission);
    EXPECT_EQ(m_fs.unlink(m_fs.root(), "null"), Error::no_permission);
    EXPECT_EQ(m_fs.unlink(m_fs.root(), "nothing"), Error::not_found);
    EXPECT_EQ(m_fs.remove_directory(m_fs.root(), "null"), Error::not_directory);
    EXPECT_EQ(m_fs.rename(m_fs.root(), "null", m_fs.root(), "nul"), Error::no_permission);
    EXPECT_EQ(m_fs.create(look("null"), "x", node, &out), Error::not_directory);
    EXPECT_EQ(m_fs.remove_device("null"), Error::no_permission); // devfs's own stay
    EXPECT_EQ(look("null").valid(), true);
}

TEST_F(FsDevfs, regular_file_io_is_refused) {
    uint32_t done = 1;
    std::vector<uint8_t> buffer(4);
    EXPECT_EQ(m_fs.read(look("zero"), 0, buffer, &done), Error::invalid_argument);
    EXPECT_EQ(m_fs.write(look("null"), 0, buffer, &done), Error::invalid_argument);
    EXPECT_EQ(m_fs.read(m_fs.root(), 0, buffer, &done), Error::is_directory);
    EXPECT_EQ(m_fs.read_device(m_fs.root(), buffer, &done), Error::is_directory);
    EXPECT_EQ(m_fs.read_device(InodeNumber{50}, buffer, &done), Error::not_found);
    char target[8];
    uint32_t length = 1;
    EXPECT_EQ(m_fs.read_link(look("null"), target, &length), Error::invalid_argument);
    EXPECT_EQ(length, 0u);
}

TEST_F(FsDevfs, owners_permissions_and_times_can_change) {
    InodeNumber tty = look("zero");
    m_clock.m_now = Timestamp{1800000000, 0};
    AttributeChanges c;
    c.which = AttributeChanges::kMode | AttributeChanges::kUid | AttributeChanges::kGid |
              AttributeChanges::kModify;
    c.mode = kModeRegular | 0620; // the type never changes
    c.uid = 1000;
    c.gid = 5;
    c.modify = Timestamp{42, 0};
    Attributes a;
    ASSERT_EQ(m_fs.set_attributes(tty, c, &a), Error::ok);
    EXPECT_EQ(a.mode, kModeCharacterDevice | 0620);
    EXPECT_EQ(a.uid, 1000u);
    EXPECT_EQ(a.gid, 5u);
    EXPECT_EQ(a.modify, (Timestamp{42, 0}));
    EXPECT_EQ(a.change, m_clock.m_now);

    AttributeChanges size;
    size.which = AttributeChanges::kSize;
    EXPECT_EQ(m_fs.set_attributes(tty, size, nullptr), Error::invalid_argument);
    EXPECT_EQ(m_fs.set_attributes(m_fs.root(), size, nullptr), Error::is_directory);
    EXPECT_EQ(m_fs.set_attributes(InodeNumber{60}, c, nullptr), Error::not_found);
}

TEST_F(FsDevfs, a_removed_device_lives_unnamed_while_referenced) {
    InodeNumber disk;
    ASSERT_EQ(m_fs.add_device("hda", kModeBlockDevice | 0600, kDeviceHda, 3, &disk), Error::ok);
    m_fs.retain(disk);
    ASSERT_EQ(m_fs.remove_device("hda"), Error::ok);
    InodeNumber found;
    EXPECT_EQ(m_fs.lookup(m_fs.root(), "hda", &found), Error::not_found);
    Attributes a;
    ASSERT_EQ(m_fs.get_attributes(disk, &a), Error::ok);
    EXPECT_EQ(a.links, 0u);
    // Its slot is not reused while the old inode is open.
    InodeNumber again;
    ASSERT_EQ(m_fs.add_device("hda", kModeBlockDevice | 0600, kDeviceHda, 4, &again), Error::ok);
    EXPECT_NE(again, disk);
    m_fs.release(disk);
    EXPECT_EQ(m_fs.get_attributes(disk, &a), Error::not_found);
    EXPECT_EQ(m_fs.remove_device("nothing"), Error::not_found);
}

} // namespace
} // namespace fs
