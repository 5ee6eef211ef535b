// proc's check of a program file's headers (servers/proc/file_image.h): what kProcExecFile's
// caller sends is refused with not_executable unless kernel/elf's parser and the file rules
// accept it, and the regions of an accepted image.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "servers/proc/file_image.h"

namespace proc {
namespace {

using axo::elf::FileHeader;
using axo::elf::ProgramHeader;

constexpr uint32_t kLimit = 0xB7FF0000u; // the stack's low end, as proc uses it

// A program as lib/user.ld lays it out: text (R X, with the headers) at 0x400000 from offset 0,
// data (R W) at 0x402000 from offset 0x2000 with .bss after its 0x100 file bytes.
struct Program {
    Program() {
        std::memcpy(header.e_ident, axo::elf::kMagic, 4);
        header.e_ident[axo::elf::EI_CLASS] = axo::elf::ELFCLASS32;
        header.e_ident[axo::elf::EI_DATA] = axo::elf::ELFDATA2LSB;
        header.e_ident[axo::elf::EI_VERSION] = axo::elf::EV_CURRENT;
        header.e_type = axo::elf::ET_EXEC;
        header.e_machine = axo::elf::EM_386;
        header.e_version = axo::elf::EV_CURRENT;
        header.e_entry = 0x400080;
        header.e_phoff = sizeof(FileHeader);
        header.e_ehsize = sizeof(FileHeader);
        header.e_phentsize = sizeof(ProgramHeader);
        phdrs.push_back({axo::elf::PT_LOAD, 0, 0x400000, 0x400000, 0x1800, 0x1800,
                         axo::elf::PF_R | axo::elf::PF_X, 0x1000});
        phdrs.push_back({axo::elf::PT_LOAD, 0x2000, 0x402000, 0x402000, 0x100, 0x5000,
                         axo::elf::PF_R | axo::elf::PF_W, 0x1000});
    }
    // The first `bytes` of the file (the headers at its start).
    std::vector<uint8_t> head(uint32_t bytes = 1024) const {
        std::vector<uint8_t> data(bytes, 0xCC);
        FileHeader h = header;
        h.e_phnum = static_cast<uint16_t>(phdrs.size());
        std::memcpy(data.data(), &h, std::min<size_t>(sizeof h, bytes));
        for (size_t i = 0; i < phdrs.size(); ++i) {
            size_t at = h.e_phoff + i * sizeof(ProgramHeader);
            if (at + sizeof(ProgramHeader) <= bytes)
                std::memcpy(data.data() + at, &phdrs[i], sizeof(ProgramHeader));
        }
        return data;
    }
    FileHeader header{};
    std::vector<ProgramHeader> phdrs;
    uint32_t file_size = 0x2100;
};

ipc::Error check(const Program& p, uint32_t head_bytes, FileImage& image,
                 const char** why = nullptr) {
    std::vector<uint8_t> head = p.head(head_bytes);
    const char* reason = nullptr;
    ipc::Error e = parse_file_image(head.data(), head_bytes, p.file_size, kLimit, image, &reason);
    if (why != nullptr) *why = reason;
    return e;
}

TEST(ProcFileImage, AProgramAsTheLinkerLaysItOutIsAccepted) {
    Program p;
    FileImage image;
    ASSERT_EQ(check(p, 1024, image), ipc::Error::ok);
    EXPECT_EQ(image.elf.segment_count, 2u);
    EXPECT_EQ(image.elf.entry, 0x400080u);
    EXPECT_EQ(image.file_size, 0x2100u);
}

TEST(ProcFileImage, ItsRegionsAreTheFilesPagesThenAnonymousMemory) {
    Program p;
    FileImage image;
    ASSERT_EQ(check(p, 1024, image), ipc::Error::ok);
    FileRegion regions[kMaxFileRegions];
    ASSERT_EQ(file_regions(image, regions), 3u);
    // Text: two pages of the file from offset 0, read-only.
    EXPECT_EQ(regions[0].address, 0x400000u);
    EXPECT_EQ(regions[0].size, 0x2000u);
    EXPECT_EQ(regions[0].offset, 0u);
    EXPECT_TRUE(regions[0].file);
    EXPECT_FALSE(regions[0].writable);
    // Data: its one file page from offset 0x2000, writable; .bss after it anonymous.
    EXPECT_EQ(regions[1].address, 0x402000u);
    EXPECT_EQ(regions[1].size, 0x1000u);
    EXPECT_EQ(regions[1].offset, 0x2000u);
    EXPECT_TRUE(regions[1].file);
    EXPECT_TRUE(regions[1].writable);
    EXPECT_EQ(regions[2].address, 0x403000u);
    EXPECT_EQ(regions[2].size, 0x4000u);
    EXPECT_FALSE(regions[2].file);
    EXPECT_TRUE(regions[2].writable);
}

TEST(ProcFileImage, ProgramHeadersBeyondTheBytesSentAreRefused) {
    Program p;
    FileImage image;
    const char* why = nullptr;
    EXPECT_EQ(check(p, sizeof(FileHeader) + sizeof(ProgramHeader), image, &why),
              ipc::Error::not_executable);
    ASSERT_NE(why, nullptr);
    EXPECT_NE(std::strstr(why, "outside the bytes sent"), nullptr) << why;
}

TEST(ProcFileImage, MoreHeaderBytesThanTheFileHasAreRefused) {
    Program p;
    p.file_size = 512;
    FileImage image;
    EXPECT_EQ(check(p, 1024, image), ipc::Error::not_executable);
}

TEST(ProcFileImage, ATruncatedFileIsRefused) {
    Program p;
    p.file_size = 0x2080; // the data segment's file bytes end at 0x2100
    FileImage image;
    const char* why = nullptr;
    EXPECT_EQ(check(p, 1024, image, &why), ipc::Error::not_executable);
    EXPECT_NE(std::strstr(why, "outside the file"), nullptr) << why;
}

TEST(ProcFileImage, TextWithoutTheElfMagicIsRefused) {
    std::vector<uint8_t> text(100, 'a');
    FileImage image;
    EXPECT_EQ(parse_file_image(text.data(), 100, 100, kLimit, image, nullptr),
              ipc::Error::not_executable);
    EXPECT_EQ(parse_file_image(text.data(), 10, 100, kLimit, image, nullptr),
              ipc::Error::not_executable);
}

TEST(ProcFileImage, TwoSegmentsOnOnePageAreRefused) {
    Program p;
    // Text ends at 0x401900, data starts at 0x401A00: no byte is shared, page 0x401000 is.
    p.phdrs[0].p_memsz = p.phdrs[0].p_filesz = 0x1900;
    p.phdrs[1].p_vaddr = 0x401A00;
    p.phdrs[1].p_offset = 0x1A00;
    p.phdrs[1].p_memsz = 0x100;
    p.phdrs[1].p_filesz = 0x100;
    p.file_size = 0x2100;
    FileImage image;
    const char* why = nullptr;
    EXPECT_EQ(check(p, 1024, image, &why), ipc::Error::not_executable);
    ASSERT_NE(why, nullptr);
    EXPECT_NE(std::strstr(why, "share a page"), nullptr) << why;
}

TEST(ProcFileImage, SegmentsReachingTheStackAreRefused) {
    Program p;
    p.phdrs[1].p_vaddr = kLimit - 0x1000;
    p.phdrs[1].p_offset = 0x2000;
    p.phdrs[1].p_memsz = 0x2000;
    FileImage image;
    EXPECT_EQ(check(p, 1024, image), ipc::Error::not_executable);
}

TEST(ProcFileImage, MoreSegmentsThanMmHasRegionsForAreRefused) {
    Program p;
    p.phdrs.clear();
    // 13 segments of a file page and some .bss each: 26 regions.
    for (uint32_t i = 0; i < 13; ++i)
        p.phdrs.push_back(
            {axo::elf::PT_LOAD, 0x1000 * i, 0x400000 + 0x2000 * i, 0x400000 + 0x2000 * i, 0x100,
             0x1800, axo::elf::PF_R | axo::elf::PF_W | (i == 0 ? axo::elf::PF_X : 0u), 0x1000});
    p.header.e_entry = 0x400010;
    p.file_size = 0xD000;
    FileImage image;
    const char* why = nullptr;
    EXPECT_EQ(check(p, 1024, image, &why), ipc::Error::not_executable);
    ASSERT_NE(why, nullptr);
    EXPECT_NE(std::strstr(why, "too many segments"), nullptr) << why;
}

TEST(ProcFileImage, DynamicProgramsAreRefused) {
    Program p;
    p.phdrs.push_back({axo::elf::PT_INTERP, 0x200, 0, 0, 0x10, 0x10, axo::elf::PF_R, 1});
    FileImage image;
    EXPECT_EQ(check(p, 1024, image), ipc::Error::not_executable);
}

// Random headers never crash the check, and whatever it accepts has regions inside the limit
// that never overlap and file pages inside the file.
TEST(ProcFileImage, RandomHeadersAreRefusedOrSane) {
    std::mt19937 random(20261207);
    Program p;
    std::vector<uint8_t> base = p.head(1024);
    for (int round = 0; round < 20000; ++round) {
        std::vector<uint8_t> head = base;
        int flips = 1 + static_cast<int>(random() % 8);
        for (int i = 0; i < flips; ++i)
            head[random() % 200] = static_cast<uint8_t>(random());
        uint32_t bytes = 52 + random() % 973;
        uint32_t file_size = bytes + random() % 0x10000;
        FileImage image;
        if (parse_file_image(head.data(), bytes, file_size, kLimit, image, nullptr) !=
            ipc::Error::ok)
            continue;
        FileRegion regions[kMaxFileRegions];
        uint32_t count = file_regions(image, regions);
        for (uint32_t i = 0; i < count; ++i) {
            EXPECT_EQ(regions[i].address % 4096, 0u);
            EXPECT_LE(uint64_t{regions[i].address} + regions[i].size, kLimit);
            if (regions[i].file) {
                EXPECT_LE(uint64_t{regions[i].offset} + regions[i].size,
                          (uint64_t{file_size} + 4095) & ~uint64_t{4095});
            }
            if (i > 0) {
                EXPECT_LE(regions[i - 1].address + regions[i - 1].size, regions[i].address);
            }
        }
    }
}

} // namespace
} // namespace proc
