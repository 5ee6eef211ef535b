#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "kernel/multiboot.h"

namespace axo::multiboot {
namespace {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * kKiB;
constexpr uint64_t kGiB = 1024 * kMiB;

constexpr uint32_t kInfoAt = 0x1000;
constexpr uint32_t kMmapAt = 0x2000;
constexpr uint32_t kCmdlineAt = 0x3000;
constexpr uint32_t kModsAt = 0x4000;
constexpr uint32_t kStringsAt = 0x5000;

// A synthetic physical memory: physical address N is byte N of a host buffer.
class FakeMachine {
public:
    FakeMachine() : m_memory(0x10000, 0) { info() = RawInfo{}; }

    static const void* read(void* ctx, uint32_t phys, uint32_t length) {
        auto* self = static_cast<FakeMachine*>(ctx);
        if (uint64_t{phys} + length > self->m_memory.size()) return nullptr;
        return self->m_memory.data() + phys;
    }

    RawInfo& info() { return *reinterpret_cast<RawInfo*>(&m_memory[kInfoAt]); }

    void add_mmap(uint64_t base, uint64_t length, uint32_t type, uint32_t size = 20) {
        RawMmapEntry e{size,
                       static_cast<uint32_t>(base),
                       static_cast<uint32_t>(base >> 32),
                       static_cast<uint32_t>(length),
                       static_cast<uint32_t>(length >> 32),
                       type};
        uint32_t at = kMmapAt + m_mmap_bytes;
        std::memcpy(&m_memory[at], &e, sizeof e < size + 4 ? sizeof e : size + 4);
        m_mmap_bytes += size + 4;
        info().flags |= kFlagMmap;
        info().mmap_addr = kMmapAt;
        info().mmap_length = m_mmap_bytes;
    }

    void set_cmdline(const char* s) {
        std::strcpy(reinterpret_cast<char*>(&m_memory[kCmdlineAt]), s);
        info().flags |= kFlagCmdline;
        info().cmdline = kCmdlineAt;
    }

    void add_module(uint32_t start, uint32_t end, const char* cmdline = nullptr) {
        uint32_t string = 0;
        if (cmdline != nullptr) {
            string = kStringsAt + m_strings_bytes;
            std::strcpy(reinterpret_cast<char*>(&m_memory[string]), cmdline);
            m_strings_bytes += static_cast<uint32_t>(std::strlen(cmdline)) + 1;
        }
        RawModule m{start, end, string, 0};
        std::memcpy(&m_memory[kModsAt + info().mods_count * sizeof m], &m, sizeof m);
        info().flags |= kFlagModules;
        info().mods_addr = kModsAt;
        ++info().mods_count;
    }

    Result<void> parse(BootInfo& out, uint32_t magic = kBootloaderMagic, uint32_t at = kInfoAt) {
        m_why = nullptr;
        return multiboot::parse(magic, at, read, this, out, &m_why);
    }

    const char* why() const { return m_why ? m_why : "(none)"; }
    std::vector<uint8_t>& memory() { return m_memory; }

private:
    std::vector<uint8_t> m_memory;
    uint32_t m_mmap_bytes = 0;
    uint32_t m_strings_bytes = 0;
    const char* m_why = nullptr;
};

// QEMU's map for -m 128.
void add_qemu_map(FakeMachine& m) {
    m.add_mmap(0, 0x9FC00, 1);
    m.add_mmap(0x9FC00, 0x400, 2);
    m.add_mmap(0xF0000, 0x10000, 2);
    m.add_mmap(0x100000, 0x7EE0000, 1);
    m.add_mmap(0x7FE0000, 0x20000, 2);
    m.add_mmap(0xFFFC0000, 0x40000, 2);
}

TEST(Multiboot, ValidMemoryMapCmdlineAndModules) {
    FakeMachine m;
    add_qemu_map(m);
    m.set_cmdline("console=serial debug");
    m.add_module(0x200000, 0x200800, "sigma0");
    m.add_module(0x201000, 0x280000, "proc init=/bin/sh");
    BootInfo info;
    ASSERT_TRUE(m.parse(info).ok()) << m.why();
    EXPECT_STREQ(info.cmdline, "console=serial debug");
    ASSERT_EQ(info.region_count, 6u);
    EXPECT_EQ(info.regions[0].base, 0u);
    EXPECT_EQ(info.regions[0].length, 0x9FC00u);
    EXPECT_TRUE(info.regions[0].usable);
    EXPECT_FALSE(info.regions[1].usable);
    EXPECT_EQ(info.regions[3].base, 0x100000u);
    EXPECT_TRUE(info.regions[3].usable);
    EXPECT_EQ(info.usable_bytes, 0x9FC00u + 0x7EE0000u);
    ASSERT_EQ(info.module_count, 2u);
    EXPECT_EQ(info.modules[0].start, 0x200000u);
    EXPECT_EQ(info.modules[0].end, 0x200800u);
    EXPECT_STREQ(info.modules[0].cmdline, "sigma0");
    EXPECT_TRUE(info.modules[0].page_aligned);
    EXPECT_STREQ(info.modules[1].cmdline, "proc init=/bin/sh");
}

TEST(Multiboot, MemLowerUpperOnly) {
    FakeMachine m;
    m.info().flags = kFlagMemory;
    m.info().mem_lower = 639;
    m.info().mem_upper = 130048; // 127 MiB
    BootInfo info;
    ASSERT_TRUE(m.parse(info).ok()) << m.why();
    ASSERT_EQ(info.region_count, 2u);
    EXPECT_EQ(info.regions[0].base, 0u);
    EXPECT_EQ(info.regions[0].length, 639 * kKiB);
    EXPECT_EQ(info.regions[1].base, kMiB);
    EXPECT_EQ(info.regions[1].length, 127 * kMiB);
    EXPECT_EQ(info.usable_bytes, 639 * kKiB + 127 * kMiB);
    EXPECT_STREQ(info.cmdline, "");
    EXPECT_EQ(info.module_count, 0u);
}

TEST(Multiboot, MemoryMapWinsOverMemLowerUpper) {
    FakeMachine m;
    m.info().flags = kFlagMemory;
    m.info().mem_lower = 639;
    m.info().mem_upper = 1;
    m.add_mmap(0x100000, 4 * kMiB, 1);
    BootInfo info;
    ASSERT_TRUE(m.parse(info).ok()) << m.why();
    ASSERT_EQ(info.region_count, 1u);
    EXPECT_EQ(info.usable_bytes, 4 * kMiB);
}

TEST(Multiboot, MemLowerAbove640KiBIsMalformed) {
    FakeMachine m;
    m.info().flags = kFlagMemory;
    m.info().mem_lower = 641;
    BootInfo info;
    EXPECT_EQ(m.parse(info).error(), Error::malformed);
}

TEST(Multiboot, NoMemoryInformationIsAnError) {
    FakeMachine m;
    m.set_cmdline("x");
    BootInfo info;
    auto r = m.parse(info);
    EXPECT_EQ(r.error(), Error::malformed);
    EXPECT_NE(std::strstr(m.why(), "memory"), nullptr);
}

TEST(Multiboot, NoUsableMemoryIsAnError) {
    FakeMachine m;
    m.add_mmap(0, 0x1000, 2);
    BootInfo info;
    EXPECT_EQ(m.parse(info).error(), Error::malformed);
}

TEST(Multiboot, BadMagic) {
    FakeMachine m;
    add_qemu_map(m);
    BootInfo info;
    EXPECT_EQ(m.parse(info, 0x1BADB002).error(), Error::invalid_argument);
    EXPECT_NE(std::strstr(m.why(), "magic"), nullptr);
}

TEST(Multiboot, UnreadableInfoPointer) {
    FakeMachine m;
    add_qemu_map(m);
    BootInfo info;
    EXPECT_EQ(m.parse(info, kBootloaderMagic, 0x00FFFFF0).error(), Error::out_of_range);
    // Straddling the end of readable memory.
    EXPECT_EQ(m.parse(info, kBootloaderMagic, 0x10000 - 8).error(), Error::out_of_range);
    EXPECT_EQ(m.parse(info, kBootloaderMagic, 0xFFFFFFF0).error(), Error::out_of_range);
}

TEST(Multiboot, MmapEntrySizeBelow20) {
    FakeMachine m;
    m.add_mmap(0x100000, kMiB, 1);
    m.add_mmap(0x200000, kMiB, 1, 16);
    BootInfo info;
    EXPECT_EQ(m.parse(info).error(), Error::malformed);
    EXPECT_NE(std::strstr(m.why(), "size"), nullptr);
}

TEST(Multiboot, LargerMmapEntriesAreSteppedBySize) {
    FakeMachine m;
    m.add_mmap(0x100000, kMiB, 1, 24); // ACPI 3.0 extended attributes
    m.add_mmap(0x200000, kMiB, 2, 21); // odd size: the next entry is unaligned
    m.add_mmap(0x300000, kMiB, 1);
    BootInfo info;
    ASSERT_TRUE(m.parse(info).ok()) << m.why();
    ASSERT_EQ(info.region_count, 3u);
    EXPECT_EQ(info.regions[2].base, 0x300000u);
    EXPECT_EQ(info.usable_bytes, 2 * kMiB);
}

TEST(Multiboot, MmapEntryBeyondMmapLength) {
    FakeMachine m;
    m.add_mmap(0x100000, kMiB, 1);
    m.add_mmap(0x200000, kMiB, 1);
    m.info().mmap_length -= 4; // the last entry no longer fits
    BootInfo info;
    EXPECT_EQ(m.parse(info).error(), Error::malformed);
    EXPECT_NE(std::strstr(m.why(), "mmap_length"), nullptr);
    m.info().mmap_length = 24 + 2; // a torn size field
    EXPECT_EQ(m.parse(info).error(), Error::malformed);
}

TEST(Multiboot, MmapNotReadable) {
    FakeMachine m;
    m.add_mmap(0x100000, kMiB, 1);
    m.info().mmap_addr = 0xFFF0;
    BootInfo info;
    EXPECT_EQ(m.parse(info).error(), Error::out_of_range);
    m.info().mmap_addr = 0xFFFFFFF0; // wraps past 4 GiB
    EXPECT_EQ(m.parse(info).error(), Error::out_of_range);
}

TEST(Multiboot, OverlappingUsableAndReservedAreNormalised) {
    FakeMachine m;
    m.add_mmap(0x300000, 0x100000, 1); // unsorted on purpose
    m.add_mmap(0x100000, 0x300000, 1); // [1M, 4M) overlaps the previous one
    m.add_mmap(0x180000, 0x80000, 2);  // reserved hole inside usable memory
    m.add_mmap(0x380000, 0x100000, 3); // reserved (ACPI) crossing the usable end
    m.add_mmap(0x500000, 0, 1);        // zero length: skipped
    BootInfo info;
    ASSERT_TRUE(m.parse(info).ok()) << m.why();
    ASSERT_EQ(info.region_count, 4u);
    EXPECT_EQ(info.regions[0].base, 0x100000u);
    EXPECT_EQ(info.regions[0].length, 0x80000u);
    EXPECT_TRUE(info.regions[0].usable);
    EXPECT_EQ(info.regions[1].base, 0x180000u);
    EXPECT_EQ(info.regions[1].length, 0x80000u);
    EXPECT_FALSE(info.regions[1].usable);
    EXPECT_EQ(info.regions[2].base, 0x200000u);
    EXPECT_EQ(info.regions[2].length, 0x180000u);
    EXPECT_TRUE(info.regions[2].usable);
    EXPECT_EQ(info.regions[3].base, 0x380000u);
    EXPECT_EQ(info.regions[3].length, 0x100000u);
    EXPECT_FALSE(info.regions[3].usable);
    EXPECT_EQ(info.usable_bytes, 0x80000u + 0x180000u);
    for (size_t i = 1; i < info.region_count; ++i)
        EXPECT_LE(info.regions[i - 1].base + info.regions[i - 1].length, info.regions[i].base);
}

TEST(Multiboot, ClippedAt4GiB) {
    FakeMachine m;
    m.add_mmap(0x100000, kMiB, 1);
    m.add_mmap(3 * kGiB, 2 * kGiB, 1);     // crosses 4 GiB
    m.add_mmap(5 * kGiB, kGiB, 1);         // above 4 GiB: dropped
    m.add_mmap(kMiB * 2, ~uint64_t{0}, 2); // absurd length must not wrap
    BootInfo info;
    ASSERT_TRUE(m.parse(info).ok()) << m.why();
    ASSERT_EQ(info.region_count, 2u);
    EXPECT_EQ(info.regions[1].base, 2 * kMiB);
    EXPECT_EQ(info.regions[1].base + info.regions[1].length, 4 * kGiB);
    EXPECT_FALSE(info.regions[1].usable);
    EXPECT_EQ(info.usable_bytes, kMiB);
}

TEST(Multiboot, AdjacentRegionsOfOneKindAreMerged) {
    FakeMachine m;
    m.add_mmap(0x100000, kMiB, 1);
    m.add_mmap(0x200000, kMiB, 1);
    BootInfo info;
    ASSERT_TRUE(m.parse(info).ok()) << m.why();
    ASSERT_EQ(info.region_count, 1u);
    EXPECT_EQ(info.regions[0].length, 2 * kMiB);
}

TEST(Multiboot, ThirtyTwoEntriesFitThirtyThreeDoNot) {
    FakeMachine m;
    for (uint64_t i = 0; i < kMaxRegions; ++i)
        m.add_mmap(i * 2 * kMiB, kMiB, 1);
    BootInfo info;
    ASSERT_TRUE(m.parse(info).ok()) << m.why();
    EXPECT_EQ(info.region_count, kMaxRegions);
    m.add_mmap(100 * kMiB, kMiB, 1);
    EXPECT_EQ(m.parse(info).error(), Error::out_of_range);
}

TEST(Multiboot, CmdlineNotTerminated) {
    FakeMachine m;
    add_qemu_map(m);
    m.set_cmdline("");
    std::memset(&m.memory()[kCmdlineAt], 'a', kMaxCmdline);
    BootInfo info;
    EXPECT_EQ(m.parse(info).error(), Error::malformed);
    EXPECT_NE(std::strstr(m.why(), "command line"), nullptr);
    m.memory()[kCmdlineAt + kMaxCmdline - 1] = '\0'; // 511 characters fit
    ASSERT_TRUE(m.parse(info).ok()) << m.why();
    EXPECT_EQ(std::strlen(info.cmdline), kMaxCmdline - 1);
}

TEST(Multiboot, CmdlineRunningOffReadableMemory) {
    FakeMachine m;
    add_qemu_map(m);
    m.set_cmdline("");
    m.info().cmdline = 0xFFFE;
    m.memory()[0xFFFE] = 'a';
    m.memory()[0xFFFF] = 'b';
    BootInfo info;
    EXPECT_EQ(m.parse(info).error(), Error::out_of_range);
    m.memory()[0xFFFF] = '\0'; // ends right at the last readable byte
    ASSERT_TRUE(m.parse(info).ok()) << m.why();
    EXPECT_STREQ(info.cmdline, "a");
}

TEST(Multiboot, OverlappingModules) {
    FakeMachine m;
    add_qemu_map(m);
    m.add_module(0x200000, 0x201000);
    m.add_module(0x300000, 0x301000);
    m.add_module(0x200FFF, 0x202000);
    BootInfo info;
    EXPECT_EQ(m.parse(info).error(), Error::overlap);
    EXPECT_NE(std::strstr(m.why(), "overlap"), nullptr);
}

TEST(Multiboot, TouchingModulesDoNotOverlap) {
    FakeMachine m;
    add_qemu_map(m);
    m.add_module(0x200000, 0x200123);
    m.add_module(0x200123, 0x200200);
    BootInfo info;
    ASSERT_TRUE(m.parse(info).ok()) << m.why();
    EXPECT_FALSE(info.modules[1].page_aligned);
    EXPECT_STREQ(info.modules[1].cmdline, "");
}

TEST(Multiboot, ModuleEndNotAboveStart) {
    FakeMachine m;
    add_qemu_map(m);
    m.add_module(0x200000, 0x200000);
    BootInfo info;
    EXPECT_EQ(m.parse(info).error(), Error::malformed);
    FakeMachine n;
    add_qemu_map(n);
    n.add_module(0x200000, 0x100000);
    EXPECT_EQ(n.parse(info).error(), Error::malformed);
}

TEST(Multiboot, TooManyModules) {
    FakeMachine m;
    add_qemu_map(m);
    for (uint32_t i = 0; i < kMaxModules; ++i)
        m.add_module(0x200000 + i * 0x1000, 0x200800 + i * 0x1000);
    BootInfo info;
    ASSERT_TRUE(m.parse(info).ok()) << m.why();
    EXPECT_EQ(info.module_count, kMaxModules);
    // One module more is left out and counted, not a reason to refuse the boot (it was a
    // panic once: the userland-core boot hit it).
    m.add_module(0x400000, 0x401000);
    ASSERT_TRUE(m.parse(info).ok()) << m.why();
    EXPECT_EQ(info.module_count, kMaxModules);
    EXPECT_EQ(info.modules_dropped, 1u);
}

TEST(Multiboot, ModuleListNotReadable) {
    FakeMachine m;
    add_qemu_map(m);
    m.add_module(0x200000, 0x201000);
    m.info().mods_addr = 0xFFF8;
    BootInfo info;
    EXPECT_EQ(m.parse(info).error(), Error::out_of_range);
}

TEST(Multiboot, ModuleCmdlineNotTerminated) {
    FakeMachine m;
    add_qemu_map(m);
    m.add_module(0x200000, 0x201000, "x");
    std::memset(&m.memory()[kStringsAt], 'm', kMaxModuleCmdline);
    BootInfo info;
    EXPECT_EQ(m.parse(info).error(), Error::malformed);
}

TEST(Multiboot, AoutAndElfSymbolsTogetherAreMalformed) {
    FakeMachine m;
    add_qemu_map(m);
    m.info().flags |= kFlagAoutSyms | kFlagElfSections;
    BootInfo info;
    EXPECT_EQ(m.parse(info).error(), Error::malformed);
}

TEST(Multiboot, NullWhyIsAllowed) {
    FakeMachine m;
    BootInfo info;
    EXPECT_EQ(parse(0, kInfoAt, FakeMachine::read, &m, info, nullptr).error(),
              Error::invalid_argument);
    EXPECT_EQ(parse(kBootloaderMagic, kInfoAt, FakeMachine::read, &m, info, nullptr).error(),
              Error::malformed);
}

} // namespace
} // namespace axo::multiboot
