#include "servers/proc/file_image.h"

namespace proc {

namespace {

constexpr uint32_t kPage = 4096;

constexpr uint32_t page_down(uint32_t value) {
    return value & ~(kPage - 1);
}
constexpr uint64_t page_up(uint64_t value) {
    return (value + kPage - 1) & ~uint64_t{kPage - 1};
}

uint16_t read16(const uint8_t* p) {
    return static_cast<uint16_t>(p[0] | p[1] << 8);
}
uint32_t read32(const uint8_t* p) {
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

ipc::Error refuse(const char* reason, const char** why) {
    if (why != nullptr) *why = reason;
    return ipc::Error::not_executable;
}

} // namespace

ipc::Error parse_file_image(const uint8_t* headers, uint32_t header_bytes, uint32_t file_size,
                            uint32_t limit, FileImage& out, const char** why) {
    using axo::elf::FileHeader;
    using axo::elf::ProgramHeader;
    if (header_bytes > file_size) return refuse("more header bytes than the file has", why);
    if (header_bytes < sizeof(FileHeader)) return refuse("smaller than an ELF header", why);
    // The parser reads the program header table from the bytes it is given, and checks the
    // segments' file ranges against the size it is given: the table must be inside the bytes
    // sent, the segments inside the file.
    uint64_t table_end = uint64_t{read32(headers + offsetof(FileHeader, e_phoff))} +
                         uint64_t{read16(headers + offsetof(FileHeader, e_phnum))} *
                             read16(headers + offsetof(FileHeader, e_phentsize));
    if (table_end > header_bytes) return refuse("program headers outside the bytes sent", why);
    if (!axo::elf::parse(headers, file_size, limit, out.elf, why).ok())
        return ipc::Error::not_executable;
    // A page of the file is one region: two segments may not share one.
    for (size_t i = 0; i < out.elf.segment_count; ++i) {
        const axo::elf::Segment& a = out.elf.segments[i];
        uint64_t a_end = page_up(uint64_t{a.vaddr} + a.memsz);
        for (size_t j = 0; j < out.elf.segment_count; ++j) {
            if (i == j) continue;
            const axo::elf::Segment& b = out.elf.segments[j];
            if (page_down(b.vaddr) < a_end &&
                page_down(a.vaddr) < page_up(uint64_t{b.vaddr} + b.memsz))
                return refuse("two segments share a page", why);
        }
    }
    out.file_size = file_size;
    // mm gives a client kMaxImageRegions regions for its image (32 in all, the stack and heap
    // take the rest): more would fail after the old program is gone.
    FileRegion regions[kMaxFileRegions];
    if (file_regions(out, regions) > kMaxImageRegions)
        return refuse("too many segments for mm's regions", why);
    if (why != nullptr) *why = nullptr;
    return ipc::Error::ok;
}

uint32_t file_regions(const FileImage& image, FileRegion (&out)[kMaxFileRegions]) {
    // Segments in address order (the parser keeps the file's order).
    uint32_t order[axo::elf::kMaxSegments];
    uint32_t n = static_cast<uint32_t>(image.elf.segment_count);
    for (uint32_t i = 0; i < n; ++i)
        order[i] = i;
    for (uint32_t i = 1; i < n; ++i)
        for (uint32_t j = i;
             j > 0 && image.elf.segments[order[j]].vaddr < image.elf.segments[order[j - 1]].vaddr;
             --j) {
            uint32_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    uint32_t count = 0;
    for (uint32_t k = 0; k < n; ++k) {
        const axo::elf::Segment& s = image.elf.segments[order[k]];
        uint32_t start = page_down(s.vaddr);
        uint32_t end = static_cast<uint32_t>(page_up(uint64_t{s.vaddr} + s.memsz));
        uint32_t file_end = start;
        if (s.filesz != 0) {
            file_end = static_cast<uint32_t>(page_up(uint64_t{s.vaddr} + s.filesz));
            out[count++] =
                FileRegion{start, file_end - start, page_down(s.offset), true, s.writable};
        }
        if (end > file_end)
            out[count++] = FileRegion{file_end, end - file_end, 0, false, s.writable};
    }
    return count;
}

} // namespace proc
