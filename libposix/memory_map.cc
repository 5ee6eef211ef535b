// mmap, munmap, mprotect, msync, madvise (README.md "Memory mappings"): regions of the process's
// pager, mm (interfaces/mm/protocol.h), asked for by the process itself (client = nil).
//
//   MAP_PRIVATE | MAP_ANONYMOUS   an anonymous region: zero-filled, copied on write by fork
//   MAP_SHARED  | MAP_ANONYMOUS   a shared object of mm: a fork's child maps the same pages
//   MAP_PRIVATE of a file         an anonymous region filled from the file at mmap (pread): a
//                                 private copy, which POSIX allows (whether later changes of
//                                 the file show through a private mapping is unspecified)
//   MAP_SHARED of a file          fs's object of the file (a shared object of mm)
// Pages of a file mapping wholly beyond the end of the file are a kRegionBeyondEnd region: a
// touch there is SIGBUS (BUS_ADRERR), as POSIX says.
//
// A process that mm does not page (proc pages it: no mm in the system) has no regions to ask
// for: mmap fails with ENOMEM there.
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "interfaces/mm/protocol.h"
#include "lib/ipc/kernel.h"
#include "libposix/file_calls.h"
#include "libposix/posix.h"

namespace {

constexpr uint32_t kPageSize = 4096;
constexpr int kKnownProtections = PROT_READ | PROT_WRITE | PROT_EXEC;
constexpr int kKnownFlags = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS;
constexpr int kKnownSyncFlags = MS_ASYNC | MS_INVALIDATE | MS_SYNC;

uint32_t round_up(size_t length) {
    return static_cast<uint32_t>((length + kPageSize - 1) & ~size_t{kPageSize - 1});
}

bool page_aligned(uintptr_t value) {
    return (value & (kPageSize - 1)) == 0;
}

// PROT_* to mm's rights: W and X imply R on the Pentium, and mm normalises them so.
uint32_t rights_of(int protection) {
    uint32_t rights = 0;
    if (protection & PROT_READ) rights |= AXO_FPAGE_R;
    if (protection & PROT_WRITE) rights |= AXO_FPAGE_W;
    if (protection & PROT_EXEC) rights |= AXO_FPAGE_X;
    return rights;
}

// The process's mm, or nil when proc pages it (proc is no mm).
axo_thread_id_t memory_manager() {
    axo_thread_id_t pager = axo_my_utcb()->pager;
    if (pager == AXO_NIL_THREAD || pager == posix::proc_thread()) return AXO_NIL_THREAD;
    return pager;
}

// A range POSIX lets a caller name: page-aligned start, length > 0, below mm's limit.
bool valid_range(const void* address, size_t length) {
    uintptr_t start = reinterpret_cast<uintptr_t>(address);
    if (length == 0 || !page_aligned(start) || length > mm::kUserLimit) return false;
    return start <= mm::kUserLimit - round_up(length);
}

// mm's errors as mmap's: a full quota, a full region table and no free range are all ENOMEM.
int fail_map(ipc::Error error) {
    if (error == ipc::Error::no_space || error == ipc::Error::no_memory ||
        error == ipc::Error::exists || error == ipc::Error::invalid_argument)
        return posix::fail_errno(ENOMEM);
    return posix::fail(error);
}

ipc::Error unmap_range(axo_thread_id_t mm, uint32_t address, uint32_t size) {
    ipc::Empty none;
    return ipc::call(mm, mm::UnmapRequest{AXO_NIL_THREAD, address, size}, none);
}

ipc::Error protect_range(axo_thread_id_t mm, uint32_t address, uint32_t size, uint32_t rights) {
    ipc::Empty none;
    return ipc::call(mm, mm::ProtectRequest{AXO_NIL_THREAD, address, size, rights}, none);
}

// ---- Shared mappings of files ----------------------------------------------------------------
//
// Which ranges map which of fs's file objects: munmap and msync tell fs about them (write-back,
// release). In the process's memory, so a fork's child has the parent's table, as fs gives it
// the parent's uses.
struct FileMapping {
    uint32_t start = 0, end = 0; // end 0: a free slot
    uint32_t object = 0;
};
constexpr uint32_t kFileMappings = 32;
FileMapping g_file_mappings[kFileMappings];

bool overlaps(const FileMapping& m, uint32_t start, uint32_t end) {
    return m.end != 0 && m.start < end && start < m.end;
}

ipc::Error sync_object(uint32_t object) {
    return posix::file_call([&](file::Client& files) { return files.map_sync(object); });
}

ipc::Error release_object(uint32_t object) {
    return posix::file_call([&](file::Client& files) { return files.map_release(object); }, false);
}

// Before [start, end) is unmapped or replaced: mappings wholly inside it are released at fs
// (written back first), those it cuts at an edge shrink (written back), one it holes in the
// middle stays whole until the rest goes.
void forget_file_mappings(uint32_t start, uint32_t end) {
    for (FileMapping& m : g_file_mappings) {
        if (!overlaps(m, start, end)) continue;
        if (start <= m.start && m.end <= end) {
            (void)release_object(m.object);
            m = FileMapping{};
            continue;
        }
        (void)sync_object(m.object);
        if (start <= m.start)
            m.start = end;
        else if (m.end <= end)
            m.end = start;
    }
}

// A region of `kind` at `address` (0: mm's choice) — of `object` from `offset` for a shared
// one. A hint that is taken falls back to mm's choice; MAP_FIXED takes the range from whatever
// mapped it first, as POSIX says.
ipc::Error create_region(axo_thread_id_t mm, uint32_t address, uint32_t size, uint32_t rights,
                         uint32_t kind, bool fixed, uint32_t& where, uint32_t object = 0,
                         uint32_t offset = 0) {
    if (fixed) {
        forget_file_mappings(address, address + size);
        if (ipc::Error e = unmap_range(mm, address, size); e != ipc::Error::ok) return e;
    }
    mm::RegionCreateRequest request{AXO_NIL_THREAD, address, size,           rights, kind,
                                    object,         offset,  AXO_NIL_THREAD, 0};
    mm::RegionCreateReply reply{};
    ipc::Error error = ipc::call(mm, request, reply);
    if (error == ipc::Error::exists && !fixed && address != 0) {
        request.address = 0;
        error = ipc::call(mm, request, reply);
    }
    if (error == ipc::Error::ok) where = reply.address;
    return error;
}

// Reads [offset, offset + size) of `fd` into `to` (already mapped writable); the part past the
// file's end stays zero, as a mapping's last page is.
bool fill_from_file(int fd, char* to, uint32_t size, off_t offset) {
    uint32_t done = 0;
    while (done < size) {
        ssize_t got = pread(fd, to + done, size - done, offset + static_cast<off_t>(done));
        if (got < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (got == 0) break;
        done += static_cast<uint32_t>(got);
    }
    return true;
}

// The pages of a file mapping of `size` bytes from `offset` that hold some of a file of
// `file_size` bytes (the last one partly, zeros after the end); the rest lies beyond the end.
uint32_t backed_part(uint32_t size, uint64_t offset, uint64_t file_size) {
    uint64_t end = (file_size + kPageSize - 1) & ~uint64_t{kPageSize - 1};
    if (offset >= end) return 0;
    return end - offset < size ? static_cast<uint32_t>(end - offset) : size;
}

// The whole range as a region beyond the end of the file (mm refuses every touch there:
// SIGBUS), then its first `backed` bytes free again for the caller's region of the file.
ipc::Error reserve_beyond_end(axo_thread_id_t mm, uint32_t address, uint32_t size, uint32_t backed,
                              bool fixed, uint32_t& where) {
    ipc::Error e = create_region(mm, address, size, 0, mm::kRegionBeyondEnd, fixed, where);
    if (e == ipc::Error::ok && backed != 0) e = unmap_range(mm, where, backed);
    return e;
}

// fs's object of the file, mapped from `offset`; what lies past the object (past the file's
// end when fs made it) is beyond the end: a touch there is SIGBUS.
void* map_shared_file(axo_thread_id_t mm, uint32_t address, uint32_t size, int protection,
                      int flags, int fd, off_t offset) {
    int32_t handle = 0;
    if (!posix::file_handle(fd, handle, ENODEV)) return MAP_FAILED;
    FileMapping* slot = nullptr;
    for (FileMapping& m : g_file_mappings)
        if (m.end == 0 && slot == nullptr) slot = &m;
    if (slot == nullptr) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    file::MapObjectReply object{};
    if (ipc::Error e = posix::file_call([&](file::Client& files) {
            return files.map_object(handle, (protection & PROT_WRITE) != 0, object);
        });
        e != ipc::Error::ok) {
        if (e == ipc::Error::unsupported) return errno = ENODEV, MAP_FAILED;
        if (e == ipc::Error::too_big || e == ipc::Error::no_space || e == ipc::Error::no_memory)
            return errno = ENOMEM, MAP_FAILED;
        posix::fail(e);
        return MAP_FAILED;
    }
    uint32_t start = static_cast<uint32_t>(offset);
    uint32_t backed = backed_part(size, start, object.size);
    uint32_t where = 0;
    bool fixed = (flags & MAP_FIXED) != 0;
    // The whole range first (so that the object's part fits before the rest), then the object's.
    ipc::Error e = reserve_beyond_end(mm, address, size, backed, fixed, where);
    if (e == ipc::Error::ok && backed != 0)
        e = create_region(mm, where, backed, rights_of(protection), mm::kRegionShared, false, where,
                          object.object, start);
    if (e != ipc::Error::ok || backed == 0) {
        (void)release_object(object.object);
        if (e != ipc::Error::ok) {
            if (where != 0) (void)unmap_range(mm, where, size); // the reservation
            fail_map(e);
            return MAP_FAILED;
        }
    } else {
        *slot = FileMapping{where, where + backed, object.object};
    }
    return reinterpret_cast<void*>(static_cast<uintptr_t>(where));
}

void* map_file(axo_thread_id_t mm, uint32_t address, uint32_t size, int protection, int flags,
               int fd, off_t offset) {
    struct stat status;
    if (fstat(fd, &status) != 0) return MAP_FAILED; // EBADF
    if (!S_ISREG(status.st_mode)) {
        errno = ENODEV; // pipes, terminals, directories, devices: nothing to page
        return MAP_FAILED;
    }
    int access = fcntl(fd, F_GETFL);
    if (access < 0) return MAP_FAILED;
    access &= O_ACCMODE;
    // Every mapping reads the file; a shared writable one writes it too.
    if (access == O_WRONLY ||
        ((flags & MAP_SHARED) && (protection & PROT_WRITE) && access != O_RDWR)) {
        errno = EACCES;
        return MAP_FAILED;
    }
    if (flags & MAP_SHARED)
        return map_shared_file(mm, address, size, protection, flags, fd, offset);
    // The private copy: an anonymous region of the pages that hold the file, writable while it
    // is filled, then given the rights asked for; the pages after them are beyond the end.
    uint32_t backed = offset < 0 ? 0
                                 : backed_part(size, static_cast<uint64_t>(offset),
                                               static_cast<uint64_t>(status.st_size));
    uint32_t where = 0;
    ipc::Error e = reserve_beyond_end(mm, address, size, backed, (flags & MAP_FIXED) != 0, where);
    if (e == ipc::Error::ok && backed != 0)
        e = create_region(mm, where, backed, AXO_FPAGE_R | AXO_FPAGE_W, mm::kRegionAnonymous, false,
                          where);
    if (e != ipc::Error::ok) {
        if (where != 0) (void)unmap_range(mm, where, size); // the reservation
        fail_map(e);
        return MAP_FAILED;
    }
    char* to = reinterpret_cast<char*>(static_cast<uintptr_t>(where));
    if (!fill_from_file(fd, to, backed, offset)) {
        int saved = errno;
        (void)unmap_range(mm, where, size);
        errno = saved;
        return MAP_FAILED;
    }
    uint32_t rights = rights_of(protection);
    if (backed != 0 && rights != (AXO_FPAGE_R | AXO_FPAGE_W)) {
        if (ipc::Error e = protect_range(mm, where, backed, rights); e != ipc::Error::ok) {
            (void)unmap_range(mm, where, size);
            fail_map(e);
            return MAP_FAILED;
        }
    }
    return to;
}

} // namespace

extern "C" {

void* mmap(void* address, size_t length, int protection, int flags, int fd, off_t offset) {
    int sharing = flags & (MAP_SHARED | MAP_PRIVATE);
    uintptr_t hint = reinterpret_cast<uintptr_t>(address);
    if (length == 0 || (sharing != MAP_SHARED && sharing != MAP_PRIVATE) ||
        (flags & ~kKnownFlags) != 0 || (protection & ~kKnownProtections) != 0 || offset < 0 ||
        !page_aligned(static_cast<uintptr_t>(offset)) ||
        ((flags & MAP_FIXED) && (hint == 0 || !page_aligned(hint)))) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    if (length > mm::kUserLimit) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    uint32_t size = round_up(length);
    if ((flags & MAP_FIXED) && !valid_range(address, length)) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    // A hint is only a hint: one that is not page-aligned or leaves no room is dropped.
    if (!page_aligned(hint) || hint > mm::kUserLimit - size) hint = 0;
    axo_thread_id_t mm = memory_manager();
    if (mm == AXO_NIL_THREAD) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    if ((flags & MAP_ANONYMOUS) == 0)
        return map_file(mm, static_cast<uint32_t>(hint), size, protection, flags, fd, offset);

    uint32_t kind = sharing == MAP_SHARED ? mm::kRegionShared : mm::kRegionAnonymous;
    uint32_t where = 0;
    if (ipc::Error e = create_region(mm, static_cast<uint32_t>(hint), size, rights_of(protection),
                                     kind, (flags & MAP_FIXED) != 0, where);
        e != ipc::Error::ok) {
        fail_map(e);
        return MAP_FAILED;
    }
    return reinterpret_cast<void*>(static_cast<uintptr_t>(where));
}

int munmap(void* address, size_t length) {
    if (!valid_range(address, length)) return posix::fail_errno(EINVAL);
    axo_thread_id_t mm = memory_manager();
    if (mm == AXO_NIL_THREAD) return posix::fail_errno(EINVAL);
    uint32_t start = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(address));
    forget_file_mappings(start, start + round_up(length));
    if (ipc::Error e = unmap_range(mm, start, round_up(length)); e != ipc::Error::ok)
        return posix::fail(e);
    return 0;
}

int mprotect(void* address, size_t length, int protection) {
    if (!valid_range(address, length) || (protection & ~kKnownProtections) != 0)
        return posix::fail_errno(EINVAL);
    axo_thread_id_t mm = memory_manager();
    if (mm == AXO_NIL_THREAD) return posix::fail_errno(ENOMEM);
    uint32_t start = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(address));
    ipc::Error e = protect_range(mm, start, round_up(length), rights_of(protection));
    if (e == ipc::Error::no_space) return posix::fail_errno(ENOMEM);
    if (e != ipc::Error::ok) return posix::fail(e);
    return 0;
}

// Shared file mappings in the range are written back (fs writes the whole file's object);
// anonymous and private mappings have nothing to write back: their memory is the process's.
int msync(void* address, size_t length, int flags) {
    uintptr_t start = reinterpret_cast<uintptr_t>(address);
    if (!page_aligned(start) || (flags & ~kKnownSyncFlags) != 0 ||
        ((flags & MS_ASYNC) && (flags & MS_SYNC)))
        return posix::fail_errno(EINVAL);
    if (length > mm::kUserLimit || start > mm::kUserLimit - length)
        return posix::fail_errno(ENOMEM);
    uint32_t end = static_cast<uint32_t>(start) + round_up(length);
    for (const FileMapping& m : g_file_mappings) {
        if (!overlaps(m, static_cast<uint32_t>(start), end)) continue;
        if (ipc::Error e = sync_object(m.object); e != ipc::Error::ok) return posix::fail(e);
    }
    return 0;
}

// Advice only: mm pages on demand whatever the advice.
int madvise(void* address, size_t, int advice) {
    if (!page_aligned(reinterpret_cast<uintptr_t>(address)) || advice < MADV_NORMAL ||
        advice > MADV_DONTNEED)
        return posix::fail_errno(EINVAL);
    return 0;
}

int posix_madvise(void* address, size_t length, int advice) {
    if (madvise(address, length, advice) != 0) return EINVAL;
    return 0;
}

} // extern "C"
