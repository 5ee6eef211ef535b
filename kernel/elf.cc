#include "kernel/elf.h"

#include "kernel/lib/string.h"
#include "kernel/lib/types.h"

namespace axo::elf {

namespace {

// The image may sit at any byte address; copying avoids misaligned loads.
template <class T> T read_struct(const uint8_t* data, size_t offset) {
    T value;
    memcpy(&value, data + offset, sizeof(T));
    return value;
}

Result<void> refuse(Error error, const char* reason, const char** why) {
    if (why) *why = reason;
    return error;
}

bool is_dynamic(uint32_t type) {
    return type == PT_INTERP || type == PT_DYNAMIC;
}

} // namespace

Result<void> parse(const uint8_t* data, size_t size, uint32_t user_limit, Image& out,
                   const char** why) {
    if (!data || size < sizeof(FileHeader))
        return refuse(Error::malformed, "smaller than an ELF header", why);
    FileHeader header = read_struct<FileHeader>(data, 0);
    if (memcmp(header.e_ident, kMagic, sizeof(kMagic)) != 0)
        return refuse(Error::malformed, "bad ELF magic", why);
    if (header.e_ident[EI_CLASS] != ELFCLASS32)
        return refuse(Error::unsupported, "not a 32-bit ELF", why);
    if (header.e_ident[EI_DATA] != ELFDATA2LSB)
        return refuse(Error::unsupported, "not little endian", why);
    if (header.e_ident[EI_VERSION] != EV_CURRENT || header.e_version != EV_CURRENT)
        return refuse(Error::unsupported, "unknown ELF version", why);
    if (header.e_type != ET_EXEC) return refuse(Error::unsupported, "not an executable", why);
    if (header.e_machine != EM_386) return refuse(Error::unsupported, "not an i386 ELF", why);
    if (header.e_phentsize != sizeof(ProgramHeader))
        return refuse(Error::malformed, "bad program header size", why);
    // 64-bit sums: phoff + phnum * 32 cannot wrap (at most 2^32 + 2^21).
    uint64_t table_end =
        uint64_t{header.e_phoff} + uint64_t{header.e_phnum} * sizeof(ProgramHeader);
    if (table_end > size) return refuse(Error::malformed, "program headers outside the file", why);

    out.entry = header.e_entry;
    out.segment_count = 0;
    for (size_t i = 0; i < header.e_phnum; ++i) {
        ProgramHeader ph =
            read_struct<ProgramHeader>(data, header.e_phoff + i * sizeof(ProgramHeader));
        if (is_dynamic(ph.p_type)) return refuse(Error::unsupported, "dynamically linked", why);
        if (ph.p_type != PT_LOAD) continue;
        if (ph.p_filesz > ph.p_memsz) return refuse(Error::malformed, "filesz > memsz", why);
        if (uint64_t{ph.p_offset} + ph.p_filesz > size)
            return refuse(Error::malformed, "segment data outside the file", why);
        if (ph.p_memsz == 0) continue;
        if ((ph.p_vaddr - ph.p_offset) % kPageSize != 0)
            return refuse(Error::malformed, "segment vaddr and offset not page-congruent", why);
        uint64_t end = uint64_t{ph.p_vaddr} + ph.p_memsz;
        if (end > (uint64_t{1} << 32))
            return refuse(Error::out_of_range, "segment wraps the address space", why);
        if (ph.p_vaddr < kMinVaddr) return refuse(Error::out_of_range, "segment in page zero", why);
        if (end > user_limit) return refuse(Error::out_of_range, "segment above user space", why);
        if (out.segment_count == kMaxSegments)
            return refuse(Error::unsupported, "too many segments", why);
        for (size_t j = 0; j < out.segment_count; ++j) {
            const Segment& other = out.segments[j];
            if (ph.p_vaddr < uint64_t{other.vaddr} + other.memsz && other.vaddr < end)
                return refuse(Error::overlap, "segments overlap", why);
        }
        out.segments[out.segment_count++] = Segment{
            .vaddr = ph.p_vaddr,
            .memsz = ph.p_memsz,
            .offset = ph.p_offset,
            .filesz = ph.p_filesz,
            .readable = (ph.p_flags & PF_R) != 0,
            .writable = (ph.p_flags & PF_W) != 0,
            .executable = (ph.p_flags & PF_X) != 0,
        };
    }
    if (out.segment_count == 0) return refuse(Error::malformed, "no loadable segment", why);

    bool entry_ok = false;
    for (size_t i = 0; i < out.segment_count; ++i) {
        const Segment& segment = out.segments[i];
        if (segment.executable && header.e_entry >= segment.vaddr &&
            header.e_entry - segment.vaddr < segment.memsz)
            entry_ok = true;
    }
    if (!entry_ok) return refuse(Error::malformed, "entry point outside executable segments", why);
    if (why) *why = nullptr;
    return {};
}

} // namespace axo::elf
