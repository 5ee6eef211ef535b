// A validating ELF32 parser for static i386 executables: boot modules now, the process server
// later. The input is untrusted; every field is checked with overflow-safe arithmetic before
// it is used, and the image is read byte-wise (it need not be aligned). The parser only
// describes the segments; the loader maps page-wise and ORs permissions of shared pages.
//
// Refused (Error in parentheses, reason string in *why):
//   smaller than the ELF header; bad magic; not ELFCLASS32, not little endian, version not
//   EV_CURRENT, not ET_EXEC, not EM_386 (unsupported); e_phentsize != 32; program headers
//   outside the file (malformed); PT_INTERP or PT_DYNAMIC (unsupported, "dynamically linked");
//   no PT_LOAD or more than kMaxSegments (malformed / unsupported); filesz > memsz;
//   offset + filesz outside the file; vaddr and offset not congruent modulo the page size
//   (malformed); vaddr + memsz wrapping 2^32, ending above user_limit, or vaddr below
//   kMinVaddr (out_of_range); two segments overlapping byte-wise (overlap); entry outside
//   every executable segment (malformed).
// PT_LOAD entries with memsz == 0 are ignored (not recorded); other program header types
// (PT_NOTE, PT_GNU_STACK, PT_PHDR, ...) are ignored.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/lib/result.h"

namespace axo::elf {

constexpr size_t kMaxSegments = 16;
// Page zero stays unmapped so that null pointers fault.
constexpr uint32_t kMinVaddr = 0x1000;

struct Segment {
    uint32_t vaddr, memsz, offset, filesz;
    bool readable, writable, executable;
};

struct Image {
    uint32_t entry;
    Segment segments[kMaxSegments];
    size_t segment_count;
};

// user_limit is the exclusive end of user space: every segment ends at or below it. On
// success *why is set to nullptr; `why` itself may be nullptr. `out` is only meaningful on
// success.
Result<void> parse(const uint8_t* data, size_t size, uint32_t user_limit, Image& out,
                   const char** why);

// ---- Raw format (System V ABI, ELF32) ------------------------------------------------------

constexpr size_t kIdentSize = 16;
constexpr uint8_t kMagic[4] = {0x7F, 'E', 'L', 'F'};
enum IdentIndex : size_t { EI_CLASS = 4, EI_DATA = 5, EI_VERSION = 6 };
constexpr uint8_t ELFCLASS32 = 1;
constexpr uint8_t ELFCLASS64 = 2;
constexpr uint8_t ELFDATA2LSB = 1;
constexpr uint8_t ELFDATA2MSB = 2;
constexpr uint8_t EV_CURRENT = 1;
constexpr uint16_t ET_EXEC = 2;
constexpr uint16_t ET_DYN = 3;
constexpr uint16_t EM_386 = 3;
constexpr uint32_t PT_NULL = 0;
constexpr uint32_t PT_LOAD = 1;
constexpr uint32_t PT_DYNAMIC = 2;
constexpr uint32_t PT_INTERP = 3;
constexpr uint32_t PT_NOTE = 4;
constexpr uint32_t PF_X = 1;
constexpr uint32_t PF_W = 2;
constexpr uint32_t PF_R = 4;

// Elf32_Ehdr.
struct FileHeader {
    uint8_t e_ident[kIdentSize];
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint32_t e_entry;
    uint32_t e_phoff;
    uint32_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
};

// Elf32_Phdr.
struct ProgramHeader {
    uint32_t p_type;
    uint32_t p_offset;
    uint32_t p_vaddr;
    uint32_t p_paddr;
    uint32_t p_filesz;
    uint32_t p_memsz;
    uint32_t p_flags;
    uint32_t p_align;
};

static_assert(sizeof(FileHeader) == 52);
static_assert(offsetof(FileHeader, e_type) == 16);
static_assert(offsetof(FileHeader, e_entry) == 24);
static_assert(offsetof(FileHeader, e_phoff) == 28);
static_assert(offsetof(FileHeader, e_phentsize) == 42);
static_assert(offsetof(FileHeader, e_phnum) == 44);
static_assert(offsetof(FileHeader, e_shstrndx) == 50);
static_assert(sizeof(ProgramHeader) == 32);
static_assert(offsetof(ProgramHeader, p_offset) == 4);
static_assert(offsetof(ProgramHeader, p_vaddr) == 8);
static_assert(offsetof(ProgramHeader, p_filesz) == 16);
static_assert(offsetof(ProgramHeader, p_memsz) == 20);
static_assert(offsetof(ProgramHeader, p_flags) == 24);
static_assert(offsetof(ProgramHeader, p_align) == 28);

} // namespace axo::elf
