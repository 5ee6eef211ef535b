// fs-full (README.md): ext2 on a small disk written until it is full, through
// interfaces/file/client.h. Files written first keep their bytes when the disk fills; the
// write that finds no block answers no_space (ENOSPC) and what the filler wrote before it reads
// back; new names fail the same way once no inode is left; deleting gives every block and inode
// back (statfs) and writing works again. The program leaves the files tests/system/fs_full_disk.py
// checks on the host (e2fsck -fn, debugfs) and syncs before it ends.
#include "rt/rt.h"
#include "rt/tap.h"

#include "interfaces/file/client.h"
#include "interfaces/process/client.h"
#include "lib/ipc/kernel.h"
#include "lib/names/names.h"

namespace {

using ipc::Error;
using rt::tap::check;
using rt::tap::diag;

constexpr axo_timeout_t kTimeout = axo_timeout_us(10000000);

alignas(file::kBufferBytes) uint8_t g_window[file::kBufferBytes];
ipc::KernelTransport g_transport;

// The bytes of the file with `seed` at `offset`: fs_full_disk.py's pattern_byte computes the
// same, so that the host can check the kept files through debugfs.
uint8_t pattern_byte(uint32_t seed, uint32_t offset) {
    uint32_t x = offset * 2654435761u + seed * 40503u + (offset >> 10);
    return static_cast<uint8_t>(x ^ (x >> 13) ^ (x >> 24));
}

void fill_pattern(uint8_t* data, uint32_t length, uint32_t seed, uint32_t offset) {
    for (uint32_t i = 0; i < length; ++i)
        data[i] = pattern_byte(seed, offset + i);
}

[[noreturn]] void exit_process(int32_t status) {
    (void)proc::client::exit(g_transport, names::proc_thread(), status);
    rt_park();
}

bool expect(Error got, Error want, const char* what) {
    if (got == want) return check(true, "%s: %s", what, ipc::error_name(want));
    return check(false, "%s: got %s, expected %s", what, ipc::error_name(got),
                 ipc::error_name(want));
}

struct Space {
    uint32_t free_blocks, available_blocks, free_inodes, blocks, inodes, block_size;
};

Space space(file::Client& files) {
    file::StatfsReply reply{};
    Error error = files.statfs(file::kAtCwd, "/", reply);
    if (error != Error::ok) diag("statfs: %s", ipc::error_name(error));
    return {reply.free_low,   reply.available_low, reply.free_inodes_low,
            reply.blocks_low, reply.inodes_low,    reply.block_size};
}

uint8_t g_chunk[file::kBufferBytes];
uint8_t g_back[file::kBufferBytes];

// Writes the pattern `seed` to `path` (created) in buffer-sized writes until `length` bytes or
// an error; `written` says how many bytes the file holds. The error that ended it, ok if none.
Error write_pattern(file::Client& files, const char* path, uint32_t seed, uint32_t length,
                    uint32_t& written) {
    written = 0;
    int32_t handle = -1;
    Error error = files.open(file::kAtCwd, path,
                             AXO_FILE_O_CREAT | AXO_FILE_O_TRUNC | AXO_FILE_O_WRONLY, 0644, handle);
    if (error != Error::ok) return error;
    while (written < length) {
        uint32_t n = length - written < sizeof g_chunk ? length - written : sizeof g_chunk;
        fill_pattern(g_chunk, n, seed, written);
        size_t done = 0;
        error = files.write(handle, g_chunk, n, done);
        written += static_cast<uint32_t>(done);
        if (error != Error::ok) break;
        // A short write is the disk filling up: the next one must say why. One that moved
        // nothing and said nothing would loop forever.
        if (done == 0) {
            diag("%s: a write of %u bytes at %u moved nothing and answered ok", path, n, written);
            error = Error::io_error;
            break;
        }
    }
    (void)files.close(handle);
    return written == length ? Error::ok : error;
}

// Whether `path` holds exactly `length` bytes of the pattern `seed`.
bool reads_back(file::Client& files, const char* path, uint32_t seed, uint32_t length) {
    int32_t handle = -1;
    Error error = files.open(file::kAtCwd, path, AXO_FILE_O_RDONLY, 0, handle);
    if (error != Error::ok) {
        diag("open %s: %s", path, ipc::error_name(error));
        return false;
    }
    file::Stat st{};
    bool good = files.fstat(handle, st) == Error::ok && st.size_low == length && st.size_high == 0;
    if (!good) diag("%s: size %u, expected %u", path, st.size_low, length);
    for (uint32_t offset = 0; good && offset < length; offset += sizeof g_back) {
        uint32_t n = length - offset < sizeof g_back ? length - offset : sizeof g_back;
        size_t done = 0;
        error = files.pread(handle, g_back, n, offset, done);
        fill_pattern(g_chunk, n, seed, offset);
        if (error != Error::ok || done != n || memcmp(g_back, g_chunk, n) != 0) {
            diag("%s differs in the %u bytes at %u (%s, %u read)", path, n, offset,
                 ipc::error_name(error), static_cast<uint32_t>(done));
            good = false;
        }
    }
    (void)files.close(handle);
    return good;
}

// The files written before the disk fills, and kept to the end (fs_full_disk.py's KEPT).
struct Kept {
    const char* path;
    uint32_t seed;
    uint32_t length;
};
constexpr Kept kKept[] = {
    {"/kept-small", 1, 1000},          // in direct blocks
    {"/kept-indirect", 2, 300 * 1024}, // through the indirect and double-indirect blocks
    {"/dir/kept-deep", 3, 70000},
};

constexpr uint32_t kFillerBytes = 512 * 1024; // each filler file; the disk holds a few of them
constexpr uint32_t kMaxFillers = 64;

void wait_for_fs(file::Client& files) {
    for (int i = 0; i < 500; ++i) {
        if (files.attach() == Error::ok) return;
        axo_ipc_receive(rt_kip()->sigma0, axo_timeout_us(10000)); // sleep 10 ms: σ0 never sends
    }
}

} // namespace

int main() {
    rt_tap_begin();
    file::Client files(g_window, "fs", kTimeout);
    wait_for_fs(files);
    if (!expect(files.attach(), Error::ok, "attach to fs")) {
        rt_tap_end();
        exit_process(1);
    }
    Space empty = space(files);
    diag("the disk: %u blocks of %u bytes, %u free (%u available), %u inodes, %u free",
         empty.blocks, empty.block_size, empty.free_blocks, empty.available_blocks, empty.inodes,
         empty.free_inodes);
    check(empty.blocks > 0 && empty.blocks * empty.block_size <= 16u * 1024 * 1024,
          "/ is the small test disk");

    // ---- Files written before the disk fills -------------------------------------------------
    expect(files.mkdir(file::kAtCwd, "/dir", 0755), Error::ok, "mkdir /dir");
    for (const Kept& kept : kKept) {
        uint32_t written = 0;
        Error error = write_pattern(files, kept.path, kept.seed, kept.length, written);
        check(error == Error::ok && written == kept.length, "write %s (%u bytes): %s", kept.path,
              kept.length, ipc::error_name(error));
    }
    expect(files.sync(), Error::ok, "sync");
    Space before = space(files);

    // ---- Fill the disk -----------------------------------------------------------------------
    uint32_t filled[kMaxFillers] = {};
    uint32_t fillers = 0;
    uint32_t total = 0;
    Error full = Error::ok;
    char path[32];
    while (fillers < kMaxFillers && full == Error::ok) {
        rt_snprintf(path, sizeof path, "/fill-%u", fillers);
        full = write_pattern(files, path, 100 + fillers, kFillerBytes, filled[fillers]);
        total += filled[fillers];
        ++fillers;
    }
    Space at_full = space(files);
    diag("%u filler files, %u bytes written until %s; free blocks %u, available %u", fillers, total,
         ipc::error_name(full), at_full.free_blocks, at_full.available_blocks);
    expect(full, Error::no_space, "writing until the disk is full ends in ENOSPC");
    // Root may use the reserved blocks: every block is taken, and the filler's bytes (besides
    // its indirect blocks) took at least nine tenths of the room there was.
    check(at_full.free_blocks == 0, "no block is left (%u free)", at_full.free_blocks);
    check(uint64_t{total} * 10 >= uint64_t{before.free_blocks} * before.block_size * 9,
          "the fillers hold %u bytes of the %u free before", total,
          before.free_blocks * before.block_size);

    // ---- Full: refused cleanly ---------------------------------------------------------------
    uint32_t written = 0;
    int32_t handle = -1;
    Error error =
        files.open(file::kAtCwd, "/one-more", AXO_FILE_O_CREAT | AXO_FILE_O_WRONLY, 0644, handle);
    expect(error, Error::ok, "a new empty file still opens (inodes are left)");
    size_t done = 0;
    if (error == Error::ok) {
        expect(files.write(handle, "x", 1, done), Error::no_space, "its first byte: ENOSPC");
        expect(files.pwrite(handle, "y", 1, 5000000, done), Error::no_space,
               "a byte far into it (a sparse file needs blocks for its map too): ENOSPC");
        file::Stat st{};
        Error stat_error = files.fstat(handle, st);
        check(stat_error == Error::ok && st.size_low == 0 && st.size_high == 0 &&
                  st.blocks_low == 0,
              "it stays empty (fstat %s: size %u:%u, %u blocks)", ipc::error_name(stat_error),
              st.size_high, st.size_low, st.blocks_low);
        (void)files.close(handle);
    }
    expect(files.mkdir(file::kAtCwd, "/no-room", 0755), Error::no_space,
           "mkdir needs a block: ENOSPC");
    file::Stat none{};
    expect(files.stat(file::kAtCwd, "/no-room", none), Error::not_found,
           "and leaves no name behind");
    for (const Kept& kept : kKept)
        check(reads_back(files, kept.path, kept.seed, kept.length),
              "%s reads back as written before the disk filled", kept.path);
    bool fillers_intact = true;
    for (uint32_t i = 0; i < fillers; ++i) {
        rt_snprintf(path, sizeof path, "/fill-%u", i);
        fillers_intact = reads_back(files, path, 100 + i, filled[i]) && fillers_intact;
    }
    check(fillers_intact, "every filler reads back what was written, the last one up to ENOSPC");

    // ---- Deleting frees the space ------------------------------------------------------------
    bool unlinked = files.unlink(file::kAtCwd, "/one-more") == Error::ok;
    for (uint32_t i = 0; i < fillers; ++i) {
        rt_snprintf(path, sizeof path, "/fill-%u", i);
        unlinked = files.unlink(file::kAtCwd, path) == Error::ok && unlinked;
    }
    check(unlinked, "every filler unlinked");
    Space freed = space(files);
    check(freed.free_blocks == before.free_blocks && freed.free_inodes == before.free_inodes,
          "deleting gives every block and inode back: %u free blocks (%u before), %u free inodes "
          "(%u before)",
          freed.free_blocks, before.free_blocks, freed.free_inodes, before.free_inodes);
    uint32_t again = (freed.free_blocks / 2) * freed.block_size;
    error = write_pattern(files, "/after", 7, again, written);
    check(error == Error::ok && written == again && reads_back(files, "/after", 7, again),
          "writing works again: %u bytes in /after read back", again);

    // ---- Inodes ------------------------------------------------------------------------------
    // Empty files until no inode is left: the name that finds none is refused with ENOSPC.
    uint32_t made = 0;
    error = Error::ok;
    while (error == Error::ok && made < 100000) {
        rt_snprintf(path, sizeof path, "/dir/i%u", made);
        error = files.open(file::kAtCwd, path,
                           AXO_FILE_O_CREAT | AXO_FILE_O_EXCL | AXO_FILE_O_WRONLY, 0600, handle);
        if (error == Error::ok) {
            (void)files.close(handle);
            ++made;
        }
    }
    Space no_inodes = space(files);
    expect(error, Error::no_space, "creating files until no inode is left ends in ENOSPC");
    check(no_inodes.free_inodes == 0 && made + 1 >= freed.free_inodes - 1,
          "%u files made, %u inodes free then", made, no_inodes.free_inodes);
    bool removed = true;
    for (uint32_t i = 0; i < made; ++i) {
        rt_snprintf(path, sizeof path, "/dir/i%u", i);
        removed = files.unlink(file::kAtCwd, path) == Error::ok && removed;
    }
    Space end = space(files);
    check(removed && end.free_inodes == freed.free_inodes - 1,
          "unlinked, every inode is back (%u free, %u with /after)", end.free_inodes,
          freed.free_inodes - 1);
    for (const Kept& kept : kKept)
        check(reads_back(files, kept.path, kept.seed, kept.length), "%s is still intact",
              kept.path);

    // What fs_full_disk.py checks on the host: the kept files and /after, nothing else.
    expect(files.sync(), Error::ok, "sync: everything is on the disk for e2fsck");
    rt::tap::diag("fs-full: after %u bytes", again);
    rt_tap_end();
    exit_process(rt_tap_failures() == 0 ? 0 : 1);
}
