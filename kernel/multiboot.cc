#include "kernel/multiboot.h"

#include "kernel/lib/string.h"

// Error kinds: invalid_argument for a wrong magic, out_of_range for memory the reader cannot
// provide or for more entries than BootInfo holds, malformed for inconsistent contents,
// overlap for modules that share memory.

namespace axo::multiboot {

namespace {

constexpr uint64_t k4GiB = uint64_t{1} << 32;
constexpr uint64_t kMaxLowerKiB = 640; // conventional memory ends at the VGA hole

Error fail(const char** why, Error error, const char* reason) {
    if (why != nullptr) *why = reason;
    return error;
}

// A half-open range below 4 GiB in the raw (unnormalised) map.
struct Range {
    uint64_t base;
    uint64_t end;
    bool usable;
};

struct RawMap {
    Range ranges[kMaxRegions];
    size_t count = 0;

    // Clips at 4 GiB and drops empty ranges; false if the map is full.
    bool add(uint64_t base, uint64_t length, bool usable) {
        if (length == 0 || base >= k4GiB) return true;
        uint64_t end = length > k4GiB - base ? k4GiB : base + length;
        if (count == kMaxRegions) return false;
        ranges[count++] = {base, end, usable};
        return true;
    }
};

// Copies a NUL-terminated string of at most cap-1 characters. The reader is asked for one
// byte at a time because the string may end right before unreadable memory.
Error read_string(PhysReader read, void* ctx, uint32_t phys, char* dst, size_t cap) {
    for (size_t i = 0; i < cap; ++i) {
        uint64_t addr = uint64_t{phys} + i;
        if (addr >= k4GiB) return Error::out_of_range;
        auto* p = static_cast<const char*>(read(ctx, static_cast<uint32_t>(addr), 1));
        if (p == nullptr) return Error::out_of_range;
        dst[i] = *p;
        if (*p == '\0') return Error::none;
    }
    dst[cap - 1] = '\0';
    return Error::malformed;
}

// Splits the raw ranges at every boundary, classifies each piece (reserved beats usable,
// uncovered pieces are dropped) and merges neighbours of the same kind.
Result<void> normalise(const RawMap& raw, BootInfo& out, const char** why) {
    uint64_t points[2 * kMaxRegions];
    size_t n = 0;
    for (size_t i = 0; i < raw.count; ++i) {
        points[n++] = raw.ranges[i].base;
        points[n++] = raw.ranges[i].end;
    }
    for (size_t i = 1; i < n; ++i) { // insertion sort: at most 64 points
        uint64_t p = points[i];
        size_t j = i;
        for (; j > 0 && points[j - 1] > p; --j)
            points[j] = points[j - 1];
        points[j] = p;
    }

    out.region_count = 0;
    out.usable_bytes = 0;
    for (size_t i = 0; i + 1 < n; ++i) {
        uint64_t a = points[i];
        uint64_t b = points[i + 1];
        if (a == b) continue;
        bool covered = false;
        bool usable = true;
        for (size_t r = 0; r < raw.count; ++r) {
            const Range& range = raw.ranges[r];
            if (range.base <= a && range.end >= b) {
                covered = true;
                usable = usable && range.usable;
            }
        }
        if (!covered) continue;
        if (usable) out.usable_bytes += b - a;
        if (out.region_count > 0) {
            MemoryRegion& last = out.regions[out.region_count - 1];
            if (last.usable == usable && last.base + last.length == a) {
                last.length += b - a;
                continue;
            }
        }
        if (out.region_count == kMaxRegions)
            return fail(why, Error::out_of_range, "memory map normalises to more than 32 regions");
        out.regions[out.region_count++] = {a, b - a, usable};
    }
    return {};
}

Result<void> parse_mmap(const RawInfo& info, PhysReader read, void* ctx, RawMap& map,
                        const char** why) {
    if (info.mmap_length == 0) return fail(why, Error::malformed, "memory map is empty");
    if (uint64_t{info.mmap_addr} + info.mmap_length > k4GiB)
        return fail(why, Error::out_of_range, "memory map extends beyond 4 GiB");
    auto* bytes = static_cast<const unsigned char*>(read(ctx, info.mmap_addr, info.mmap_length));
    if (bytes == nullptr) return fail(why, Error::out_of_range, "memory map is not readable");

    uint32_t offset = 0;
    while (offset < info.mmap_length) {
        uint32_t left = info.mmap_length - offset;
        if (left < sizeof(uint32_t))
            return fail(why, Error::malformed,
                        "memory map entry size field extends beyond mmap_length");
        uint32_t size;
        memcpy(&size, bytes + offset, sizeof size);
        if (size < kMinMmapEntrySize)
            return fail(why, Error::malformed, "memory map entry has size < 20");
        if (size > left - sizeof(uint32_t))
            return fail(why, Error::malformed, "memory map entry extends beyond mmap_length");
        // Entries may be unaligned (size need not be a multiple of 4): copy, never cast.
        RawMmapEntry entry;
        memcpy(&entry, bytes + offset, sizeof entry);
        offset += sizeof(uint32_t) + size;

        uint64_t base = (uint64_t{entry.base_high} << 32) | entry.base_low;
        uint64_t length = (uint64_t{entry.length_high} << 32) | entry.length_low;
        if (!map.add(base, length, entry.type == kMmapTypeAvailable))
            return fail(why, Error::out_of_range, "memory map has more than 32 entries");
    }
    return {};
}

Result<void> parse_modules(const RawInfo& info, PhysReader read, void* ctx, BootInfo& out,
                           const char** why) {
    // Modules beyond the table are left out (and said so), not a reason to refuse the boot.
    uint32_t count = info.mods_count < kMaxModules ? info.mods_count : uint32_t{kMaxModules};
    out.modules_dropped = info.mods_count - count;
    if (count == 0) return {};
    uint32_t bytes = count * static_cast<uint32_t>(sizeof(RawModule));
    if (uint64_t{info.mods_addr} + bytes > k4GiB)
        return fail(why, Error::out_of_range, "module list extends beyond 4 GiB");
    auto* list = static_cast<const unsigned char*>(read(ctx, info.mods_addr, bytes));
    if (list == nullptr) return fail(why, Error::out_of_range, "module list is not readable");

    for (uint32_t i = 0; i < count; ++i) {
        RawModule raw;
        memcpy(&raw, list + i * sizeof(RawModule), sizeof raw);
        if (raw.mod_end <= raw.mod_start)
            return fail(why, Error::malformed, "module end is not above its start");
        Module& module = out.modules[i];
        module.start = raw.mod_start;
        module.end = raw.mod_end;
        module.page_aligned = (raw.mod_start & 0xFFF) == 0;
        module.cmdline[0] = '\0';
        if (raw.string != 0) {
            Error e = read_string(read, ctx, raw.string, module.cmdline, sizeof module.cmdline);
            if (e == Error::out_of_range)
                return fail(why, e, "module command line is not readable");
            if (e != Error::none)
                return fail(why, e, "module command line is not NUL-terminated within 128 bytes");
        }
        for (uint32_t j = 0; j < i; ++j) {
            const Module& other = out.modules[j];
            if (module.start < other.end && other.start < module.end)
                return fail(why, Error::overlap, "modules overlap");
        }
    }
    out.module_count = count;
    return {};
}

} // namespace

Result<void> parse(uint32_t magic, uint32_t info_phys, PhysReader read, void* ctx, BootInfo& out,
                   const char** why) {
    memset(&out, 0, sizeof out);
    if (magic != kBootloaderMagic)
        return fail(why, Error::invalid_argument, "boot loader magic is not 0x2BADB002");
    if (read == nullptr) return fail(why, Error::invalid_argument, "no physical memory reader");

    RawInfo info;
    memset(&info, 0, sizeof info);
    if (uint64_t{info_phys} + kRawInfoRequired > k4GiB)
        return fail(why, Error::out_of_range, "boot information extends beyond 4 GiB");
    const void* raw_info = read(ctx, info_phys, kRawInfoRequired);
    if (raw_info == nullptr)
        return fail(why, Error::out_of_range, "boot information is not readable");
    memcpy(&info, raw_info, kRawInfoRequired);

    if ((info.flags & kFlagAoutSyms) && (info.flags & kFlagElfSections))
        return fail(why, Error::malformed, "flags claim both a.out and ELF symbols");

    RawMap map;
    if (info.flags & kFlagMmap) {
        TRY(parse_mmap(info, read, ctx, map, why));
    } else if (info.flags & kFlagMemory) {
        if (info.mem_lower > kMaxLowerKiB)
            return fail(why, Error::malformed, "mem_lower exceeds 640 KiB");
        map.add(0, uint64_t{info.mem_lower} * 1024, true);
        map.add(uint64_t{1} << 20, uint64_t{info.mem_upper} * 1024, true);
    } else {
        return fail(why, Error::malformed, "no memory information (flags 0 and 6 clear)");
    }
    TRY(normalise(map, out, why));
    if (out.usable_bytes == 0) return fail(why, Error::malformed, "no usable memory");

    if (info.flags & kFlagCmdline) {
        Error e = read_string(read, ctx, info.cmdline, out.cmdline, sizeof out.cmdline);
        if (e == Error::out_of_range) return fail(why, e, "command line is not readable");
        if (e != Error::none)
            return fail(why, e, "command line is not NUL-terminated within 512 bytes");
    }

    if (info.flags & kFlagModules) TRY(parse_modules(info, read, ctx, out, why));
    return {};
}

} // namespace axo::multiboot
