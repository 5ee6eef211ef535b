#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "kernel/elf.h"

namespace axo::elf {
namespace {

constexpr uint32_t kUserLimit = 0xC0000000;
constexpr uint32_t PT_GNU_STACK = 0x6474E551;

// A static i386 executable as GNU ld lays it out: text (R X) at 0x1000 from offset 0 (with the
// headers), data (RW) at 0x3000 from offset 0x2000 with a bss tail, and a PT_GNU_STACK that
// the parser ignores.
class ElfBuilder {
public:
    ElfBuilder() {
        header = {};
        std::memcpy(header.e_ident, kMagic, sizeof(kMagic));
        header.e_ident[EI_CLASS] = ELFCLASS32;
        header.e_ident[EI_DATA] = ELFDATA2LSB;
        header.e_ident[EI_VERSION] = EV_CURRENT;
        header.e_type = ET_EXEC;
        header.e_machine = EM_386;
        header.e_version = EV_CURRENT;
        header.e_entry = 0x1080;
        header.e_phoff = sizeof(FileHeader);
        header.e_ehsize = sizeof(FileHeader);
        header.e_phentsize = sizeof(ProgramHeader);
        phdrs.push_back({PT_LOAD, 0, 0x1000, 0x1000, 0x200, 0x200, PF_R | PF_X, 0x1000});
        phdrs.push_back({PT_LOAD, 0x2000, 0x3000, 0x3000, 0x100, 0x1800, PF_R | PF_W, 0x1000});
        phdrs.push_back({PT_GNU_STACK, 0, 0, 0, 0, 0, PF_R | PF_W, 16});
        file_size = 0x2100;
    }

    std::vector<uint8_t> build() const {
        std::vector<uint8_t> data(file_size, 0xCC);
        FileHeader h = header;
        if (!keep_phnum) h.e_phnum = static_cast<uint16_t>(phdrs.size());
        std::memcpy(data.data(), &h, std::min(sizeof(h), data.size()));
        for (size_t i = 0; i < phdrs.size(); ++i) {
            size_t at = h.e_phoff + i * sizeof(ProgramHeader);
            if (at + sizeof(ProgramHeader) <= data.size())
                std::memcpy(data.data() + at, &phdrs[i], sizeof(ProgramHeader));
        }
        return data;
    }

    FileHeader header;
    std::vector<ProgramHeader> phdrs;
    size_t file_size;
    bool keep_phnum = false; // use header.e_phnum as set instead of phdrs.size()
};

struct Parsed {
    Result<void> result;
    Image image;
    const char* why;
};

Parsed parse_bytes(const std::vector<uint8_t>& data, uint32_t limit = kUserLimit) {
    Parsed p{Result<void>(), Image{}, "unset"};
    p.result = parse(data.data(), data.size(), limit, p.image, &p.why);
    return p;
}

Parsed parse_built(const ElfBuilder& b, uint32_t limit = kUserLimit) {
    return parse_bytes(b.build(), limit);
}

void expect_refused(const ElfBuilder& b, Error error, const char* why_contains,
                    uint32_t limit = kUserLimit) {
    Parsed p = parse_built(b, limit);
    ASSERT_FALSE(p.result.ok());
    EXPECT_EQ(p.result.error(), error) << p.why;
    ASSERT_NE(p.why, nullptr);
    EXPECT_NE(std::strstr(p.why, why_contains), nullptr) << p.why;
}

TEST(Elf, ValidImage) {
    Parsed p = parse_built(ElfBuilder());
    ASSERT_TRUE(p.result.ok()) << p.why;
    EXPECT_EQ(p.why, nullptr);
    EXPECT_EQ(p.image.entry, 0x1080u);
    ASSERT_EQ(p.image.segment_count, 2u);
    const Segment& text = p.image.segments[0];
    EXPECT_EQ(text.vaddr, 0x1000u);
    EXPECT_EQ(text.memsz, 0x200u);
    EXPECT_EQ(text.offset, 0u);
    EXPECT_EQ(text.filesz, 0x200u);
    EXPECT_TRUE(text.readable);
    EXPECT_FALSE(text.writable);
    EXPECT_TRUE(text.executable);
    const Segment& data = p.image.segments[1];
    EXPECT_EQ(data.vaddr, 0x3000u);
    EXPECT_EQ(data.memsz, 0x1800u);
    EXPECT_EQ(data.offset, 0x2000u);
    EXPECT_EQ(data.filesz, 0x100u);
    EXPECT_TRUE(data.readable);
    EXPECT_TRUE(data.writable);
    EXPECT_FALSE(data.executable);
}

TEST(Elf, WhyMayBeNull) {
    std::vector<uint8_t> data = ElfBuilder().build();
    Image image;
    EXPECT_TRUE(parse(data.data(), data.size(), kUserLimit, image, nullptr).ok());
    data[0] = 0;
    EXPECT_EQ(parse(data.data(), data.size(), kUserLimit, image, nullptr).error(),
              Error::malformed);
}

TEST(Elf, UnalignedBuffer) {
    std::vector<uint8_t> data = ElfBuilder().build();
    std::vector<uint8_t> shifted(data.size() + 1);
    std::memcpy(shifted.data() + 1, data.data(), data.size());
    Image image;
    EXPECT_TRUE(parse(shifted.data() + 1, data.size(), kUserLimit, image, nullptr).ok());
}

TEST(Elf, TruncatedHeader) {
    std::vector<uint8_t> data = ElfBuilder().build();
    for (size_t size : {size_t{0}, size_t{4}, sizeof(FileHeader) - 1}) {
        Image image;
        const char* why = nullptr;
        Result<void> r = parse(data.data(), size, kUserLimit, image, &why);
        EXPECT_EQ(r.error(), Error::malformed) << size;
        EXPECT_NE(std::strstr(why, "header"), nullptr);
    }
    Image image;
    EXPECT_EQ(parse(nullptr, 0, kUserLimit, image, nullptr).error(), Error::malformed);
}

TEST(Elf, BadMagic) {
    for (int i = 0; i < 4; ++i) {
        ElfBuilder b;
        b.header.e_ident[i] ^= 0x20;
        expect_refused(b, Error::malformed, "magic");
    }
}

TEST(Elf, Class64) {
    ElfBuilder b;
    b.header.e_ident[EI_CLASS] = ELFCLASS64;
    expect_refused(b, Error::unsupported, "32-bit");
    b.header.e_ident[EI_CLASS] = 0;
    expect_refused(b, Error::unsupported, "32-bit");
}

TEST(Elf, BigEndian) {
    ElfBuilder b;
    b.header.e_ident[EI_DATA] = ELFDATA2MSB;
    expect_refused(b, Error::unsupported, "endian");
}

TEST(Elf, BadVersion) {
    ElfBuilder b;
    b.header.e_ident[EI_VERSION] = 2;
    expect_refused(b, Error::unsupported, "version");
    ElfBuilder c;
    c.header.e_version = 0;
    expect_refused(c, Error::unsupported, "version");
}

TEST(Elf, SharedObject) {
    ElfBuilder b;
    b.header.e_type = ET_DYN;
    expect_refused(b, Error::unsupported, "executable");
}

TEST(Elf, WrongMachine) {
    ElfBuilder b;
    b.header.e_machine = 62; // EM_X86_64
    expect_refused(b, Error::unsupported, "i386");
}

TEST(Elf, WrongPhentsize) {
    ElfBuilder b;
    b.header.e_phentsize = 56;
    expect_refused(b, Error::malformed, "program header size");
}

TEST(Elf, PhoffOutsideFile) {
    ElfBuilder b;
    b.header.e_phoff = 0x2100 - 2 * sizeof(ProgramHeader); // three headers, room for two
    expect_refused(b, Error::malformed, "program headers outside");
    b.header.e_phoff = 0xFFFFFFF0; // would wrap in 32-bit arithmetic
    expect_refused(b, Error::malformed, "program headers outside");
    b.header.e_phoff = 0x10000;
    expect_refused(b, Error::malformed, "program headers outside");
}

TEST(Elf, PhnumOverflow) {
    ElfBuilder b;
    b.keep_phnum = true;
    b.header.e_phnum = 0xFFFF;
    expect_refused(b, Error::malformed, "program headers outside");
    b.header.e_phoff = 0xFFFFFFFF; // phoff + phnum * 32 wraps 32 bits
    expect_refused(b, Error::malformed, "program headers outside");
}

TEST(Elf, FileszAboveMemsz) {
    ElfBuilder b;
    b.phdrs[1].p_memsz = b.phdrs[1].p_filesz - 1;
    expect_refused(b, Error::malformed, "filesz > memsz");
}

TEST(Elf, SegmentBeyondFile) {
    ElfBuilder b;
    b.phdrs[1].p_filesz = 0x101; // ends one byte past the file
    expect_refused(b, Error::malformed, "outside the file");
    ElfBuilder c;
    c.phdrs[1].p_offset = 0xFFFFF000; // offset + filesz wraps 32 bits
    c.phdrs[1].p_vaddr = 0x3000;
    expect_refused(c, Error::malformed, "outside the file");
}

TEST(Elf, SegmentEndingExactlyAtFileEndIsFine) {
    ElfBuilder b;
    b.phdrs[1].p_filesz = 0x100;
    EXPECT_TRUE(parse_built(b).result.ok());
}

TEST(Elf, VaddrNotCongruentToOffset) {
    ElfBuilder b;
    b.phdrs[1].p_vaddr = 0x3010;
    expect_refused(b, Error::malformed, "page-congruent");
}

TEST(Elf, VaddrPlusMemszOverflows) {
    ElfBuilder b;
    b.phdrs[1].p_vaddr = 0xFFFFF000;
    b.phdrs[1].p_memsz = 0x2000;
    expect_refused(b, Error::out_of_range, "wraps", 0xFFFFFFFF);
}

TEST(Elf, SegmentAboveUserLimit) {
    ElfBuilder b;
    b.phdrs[1].p_vaddr = kUserLimit - 0x1000;
    b.phdrs[1].p_offset = 0x2000;
    b.phdrs[1].p_memsz = 0x1001;
    expect_refused(b, Error::out_of_range, "above user space");
    b.phdrs[1].p_memsz = 0x1000; // ends exactly at the limit
    EXPECT_TRUE(parse_built(b).result.ok());
    expect_refused(ElfBuilder(), Error::out_of_range, "above user space", 0x4000);
}

TEST(Elf, SegmentInPageZero) {
    ElfBuilder b;
    b.phdrs[0].p_vaddr = 0;
    b.header.e_entry = 0x80;
    expect_refused(b, Error::out_of_range, "page zero");
}

TEST(Elf, OverlappingSegments) {
    ElfBuilder b;
    b.phdrs[1].p_vaddr = 0x1000; // same page, [0x1000, 0x2800) overlaps [0x1000, 0x1200)
    expect_refused(b, Error::overlap, "overlap");
    ElfBuilder c;
    c.phdrs[0].p_memsz = 0x2001; // text reaches one byte into data at 0x3000
    expect_refused(c, Error::overlap, "overlap");
    ElfBuilder d; // data inside text, other order
    d.phdrs[0].p_memsz = 0x10000;
    expect_refused(d, Error::overlap, "overlap");
}

TEST(Elf, SharedPageWithoutOverlapIsFine) {
    ElfBuilder b;
    b.phdrs[0].p_memsz = 0x2000; // text ends exactly where data begins
    EXPECT_TRUE(parse_built(b).result.ok());
    ElfBuilder c; // data in the same page as the end of text, bytes disjoint
    c.phdrs[1].p_vaddr = 0x1200;
    c.phdrs[1].p_offset = 0x200;
    EXPECT_TRUE(parse_built(c).result.ok());
}

TEST(Elf, EntryOutsideExecutableSegments) {
    ElfBuilder b;
    b.header.e_entry = 0x3000; // in data, which is not executable
    expect_refused(b, Error::malformed, "entry");
    b.header.e_entry = 0x1200; // one past the end of text
    expect_refused(b, Error::malformed, "entry");
    b.header.e_entry = 0;
    expect_refused(b, Error::malformed, "entry");
    b.header.e_entry = 0x11FF; // last byte of text
    EXPECT_TRUE(parse_built(b).result.ok());
    b.header.e_entry = 0x1000;
    EXPECT_TRUE(parse_built(b).result.ok());
}

TEST(Elf, Interpreter) {
    ElfBuilder b;
    b.phdrs.insert(b.phdrs.begin(), {PT_INTERP, 0x100, 0x1100, 0x1100, 0x13, 0x13, PF_R, 1});
    expect_refused(b, Error::unsupported, "dynamically linked");
    ElfBuilder c;
    c.phdrs.push_back({PT_DYNAMIC, 0x2000, 0x3000, 0x3000, 0x80, 0x80, PF_R | PF_W, 4});
    expect_refused(c, Error::unsupported, "dynamically linked");
}

TEST(Elf, NoLoadSegment) {
    ElfBuilder b;
    b.phdrs = {{PT_GNU_STACK, 0, 0, 0, 0, 0, PF_R | PF_W, 16}};
    expect_refused(b, Error::malformed, "no loadable");
    b.phdrs.clear();
    expect_refused(b, Error::malformed, "no loadable");
    b.phdrs = {{PT_LOAD, 0, 0x1000, 0x1000, 0, 0, PF_R | PF_X, 0x1000}}; // empty: ignored
    expect_refused(b, Error::malformed, "no loadable");
}

TEST(Elf, IgnoresOtherHeaders) {
    ElfBuilder b;
    b.phdrs.push_back({PT_NOTE, 0x100, 0x1100, 0x1100, 0x20, 0x20, PF_R, 4});
    b.phdrs.push_back({PT_NULL, 0, 0, 0, 0, 0, 0, 0});
    b.phdrs.push_back({PT_LOAD, 0, 0x9000, 0x9000, 0, 0, PF_R, 0x1000}); // memsz 0
    Parsed p = parse_built(b);
    ASSERT_TRUE(p.result.ok()) << p.why;
    EXPECT_EQ(p.image.segment_count, 2u);
}

TEST(Elf, SegmentLimit) {
    ElfBuilder b;
    b.phdrs.clear();
    b.header.e_entry = 0x1000;
    for (uint32_t i = 0; i < kMaxSegments; ++i)
        b.phdrs.push_back({PT_LOAD, 0, 0x1000 + i * 0x1000, 0, 0x10, 0x10, PF_R | PF_X, 0x1000});
    Parsed p = parse_built(b);
    ASSERT_TRUE(p.result.ok()) << p.why;
    EXPECT_EQ(p.image.segment_count, kMaxSegments);
    b.phdrs.push_back({PT_LOAD, 0, 0x100000, 0, 0x10, 0x10, PF_R, 0x1000});
    expect_refused(b, Error::unsupported, "too many");
}

// Random mutations of a valid image must never crash or read out of bounds (ASan watches),
// and whatever is accepted must satisfy the documented invariants.
TEST(Elf, RandomMutationsNeverCrash) {
    const std::vector<uint8_t> valid = ElfBuilder().build();
    std::mt19937 rng(0xA401071);
    size_t accepted = 0;
    for (int round = 0; round < 20000; ++round) {
        // Interesting bytes: the header and program headers, in one heap block of exact size
        // so that ASan catches any read past the end.
        size_t size = valid.size();
        if (rng() % 4 == 0) size = rng() % (valid.size() + 1);
        std::vector<uint8_t> data(valid.begin(), valid.begin() + size);
        int mutations = 1 + rng() % 8;
        for (int m = 0; m < mutations && size > 0; ++m) {
            size_t at = rng() % std::min<size_t>(size, 160);
            switch (rng() % 3) {
            case 0:
                data[at] ^= static_cast<uint8_t>(1u << (rng() % 8));
                break;
            case 1:
                data[at] = static_cast<uint8_t>(rng());
                break;
            case 2:
                data[at] = (rng() % 2) ? 0xFF : 0x00;
                break;
            }
        }
        uint8_t* block = new uint8_t[size ? size : 1];
        if (size) std::memcpy(block, data.data(), size);
        Image image;
        const char* why = "unset";
        uint32_t limit = (rng() % 2) ? kUserLimit : static_cast<uint32_t>(rng());
        Result<void> r = parse(block, size, limit, image, &why);
        delete[] block;
        if (!r.ok()) {
            ASSERT_NE(why, nullptr);
            continue;
        }
        ++accepted;
        ASSERT_EQ(why, nullptr);
        ASSERT_GE(image.segment_count, 1u);
        ASSERT_LE(image.segment_count, kMaxSegments);
        bool entry_ok = false;
        for (size_t i = 0; i < image.segment_count; ++i) {
            const Segment& s = image.segments[i];
            ASSERT_LE(s.filesz, s.memsz);
            ASSERT_LE(uint64_t{s.offset} + s.filesz, size);
            ASSERT_GE(s.vaddr, kMinVaddr);
            ASSERT_LE(uint64_t{s.vaddr} + s.memsz, limit);
            for (size_t j = 0; j < i; ++j) {
                const Segment& o = image.segments[j];
                ASSERT_TRUE(uint64_t{s.vaddr} + s.memsz <= o.vaddr ||
                            uint64_t{o.vaddr} + o.memsz <= s.vaddr);
            }
            if (s.executable && image.entry >= s.vaddr && image.entry - s.vaddr < s.memsz)
                entry_ok = true;
        }
        ASSERT_TRUE(entry_ok);
    }
    EXPECT_GT(accepted, 0u); // the mutator does not only produce garbage
}

} // namespace
} // namespace axo::elf
