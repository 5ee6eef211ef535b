// lib/loader's pure part (lib/loader/layout.h): which pages a process may have and with what
// rights, what each page holds before the process runs, and its arguments at the top of the
// stack as the System V i386 ABI lays them out.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "lib/loader/layout.h"

namespace loader {
namespace {

constexpr StackArea kStack{0xBFFE0000u, 0xBFFF0000u};

axo::elf::Segment segment(uint32_t vaddr, uint32_t memsz, uint32_t offset, uint32_t filesz,
                          bool writable) {
    return axo::elf::Segment{vaddr, memsz, offset, filesz, true, writable, !writable};
}

// text at 0x400000 (0x1800 bytes from offset 0x1000), data at 0x402000 (0x100 file bytes,
// 0x2100 in memory: a bss that spans into a third page), as lib/rt/program.ld lays it out.
axo::elf::Image two_segments() {
    axo::elf::Image image{};
    image.entry = 0x400000;
    image.segments[0] = segment(0x400000, 0x1800, 0x1000, 0x1800, false);
    image.segments[1] = segment(0x402000, 0x2100, 0x3000, 0x100, true);
    image.segment_count = 2;
    return image;
}

std::vector<uint8_t> file_of(size_t size) {
    std::vector<uint8_t> file(size);
    for (size_t i = 0; i < size; ++i)
        file[i] = static_cast<uint8_t>(i * 7 + 1); // never 0: zero-fill shows
    return file;
}

TEST(LoaderLayout, PlanFollowsSegmentsAndStack) {
    axo::elf::Image image = two_segments();
    PagePlan text = plan_page(image, kStack, 0x401000);
    EXPECT_TRUE(text.known);
    EXPECT_FALSE(text.writable);
    PagePlan bss_tail = plan_page(image, kStack, 0x404000);
    EXPECT_TRUE(bss_tail.known);
    EXPECT_TRUE(bss_tail.writable);
    EXPECT_FALSE(plan_page(image, kStack, 0x405000).known); // just past the bss
    EXPECT_FALSE(plan_page(image, kStack, 0x3FF000).known); // just before the text
    EXPECT_FALSE(plan_page(image, kStack, 0).known);        // null
    EXPECT_TRUE(plan_page(image, kStack, kStack.low).writable);
    EXPECT_TRUE(plan_page(image, kStack, kStack.top - kPageSize).known);
    EXPECT_FALSE(plan_page(image, kStack, kStack.low - kPageSize).known); // stack overflow
    EXPECT_FALSE(plan_page(image, kStack, kStack.top).known);
    EXPECT_FALSE(plan_page(image, kStack, 0xC0000000u).known);
}

TEST(LoaderLayout, PageSharedByTwoSegmentsGetsBothRights) {
    // A linker script that packs read-only and writable data into one page.
    axo::elf::Image image{};
    image.segments[0] = segment(0x400000, 0x800, 0, 0x800, false);
    image.segments[1] = segment(0x400800, 0x100, 0x800, 0x100, true);
    image.segment_count = 2;
    PagePlan plan = plan_page(image, kStack, 0x400000);
    EXPECT_TRUE(plan.known);
    EXPECT_TRUE(plan.writable);
}

TEST(LoaderLayout, FillCopiesFileBytesAndZeroesTheRest) {
    axo::elf::Image image = two_segments();
    std::vector<uint8_t> file = file_of(0x3100);
    StartBlock none;
    uint8_t page[kPageSize];

    fill_page(image, file.data(), none, 0x400000, page);
    EXPECT_EQ(std::memcmp(page, file.data() + 0x1000, kPageSize), 0);

    // The second text page holds 0x800 file bytes, then zeroes.
    fill_page(image, file.data(), none, 0x401000, page);
    EXPECT_EQ(std::memcmp(page, file.data() + 0x2000, 0x800), 0);
    for (uint32_t i = 0x800; i < kPageSize; ++i)
        ASSERT_EQ(page[i], 0) << i;

    // Data: 0x100 file bytes, then bss.
    fill_page(image, file.data(), none, 0x402000, page);
    EXPECT_EQ(std::memcmp(page, file.data() + 0x3000, 0x100), 0);
    for (uint32_t i = 0x100; i < kPageSize; ++i)
        ASSERT_EQ(page[i], 0) << i;

    std::memset(page, 0xEE, sizeof page);
    fill_page(image, file.data(), none, 0x404000, page);
    for (uint32_t i = 0; i < kPageSize; ++i)
        ASSERT_EQ(page[i], 0) << i; // all bss: stale bytes of a reused pool page must go
}

TEST(LoaderLayout, FillOfSharedPageTakesEachSegmentsBytes) {
    axo::elf::Image image{};
    image.segments[0] = segment(0x400000, 0x800, 0x100, 0x800, false);
    image.segments[1] = segment(0x400800, 0x400, 0x900, 0x200, true);
    image.segment_count = 2;
    std::vector<uint8_t> file = file_of(0x1000);
    StartBlock none;
    uint8_t page[kPageSize];
    fill_page(image, file.data(), none, 0x400000, page);
    EXPECT_EQ(std::memcmp(page, file.data() + 0x100, 0x800), 0);
    EXPECT_EQ(std::memcmp(page + 0x800, file.data() + 0x900, 0x200), 0);
    for (uint32_t i = 0xA00; i < kPageSize; ++i)
        ASSERT_EQ(page[i], 0) << i;
}

// Reads the block as the process will: 32-bit words and pointers at their addresses.
struct Decoded {
    uint32_t argc = 0;
    std::vector<std::string> argv, envp;
    uint32_t argv_end = 1, envp_end = 1, auxv_type = 1, auxv_value = 1;
};

Decoded decode(const StartBlock& block, const uint8_t* top_page, uint32_t stack_top) {
    uint32_t page_base = stack_top - kPageSize;
    auto word = [&](uint32_t address) {
        uint32_t value;
        std::memcpy(&value, top_page + (address - page_base), 4);
        return value;
    };
    Decoded d;
    uint32_t sp = block.stack_pointer();
    d.argc = word(sp);
    for (uint32_t i = 0; i < d.argc; ++i) {
        uint32_t at = word(sp + 4 + 4 * i);
        EXPECT_GE(at, sp);
        EXPECT_LT(at, stack_top);
        d.argv.emplace_back(reinterpret_cast<const char*>(top_page + (at - page_base)));
    }
    d.argv_end = word(sp + 4 + 4 * d.argc);
    uint32_t envp = sp + 8 + 4 * d.argc;
    for (; word(envp) != 0; envp += 4)
        d.envp.emplace_back(reinterpret_cast<const char*>(top_page + (word(envp) - page_base)));
    d.envp_end = word(envp);
    d.auxv_type = word(envp + 4);
    d.auxv_value = word(envp + 8);
    return d;
}

TEST(LoaderLayout, StartBlockAsTheSystemVAbiLaysItOut) {
    const char* argv[] = {"exit42", "--verbose", "7", ""};
    StartBlock block;
    ASSERT_TRUE(block.build(argv, 4, kStack.top));
    EXPECT_EQ(block.stack_pointer() % 16, 0u);
    EXPECT_EQ(block.stack_pointer() + block.size(), kStack.top);

    // The block reaches the process through the top stack page.
    axo::elf::Image image = two_segments();
    uint8_t page[kPageSize];
    fill_page(image, nullptr, block, kStack.top - kPageSize, page);
    Decoded d = decode(block, page, kStack.top);
    EXPECT_EQ(d.argc, 4u);
    ASSERT_EQ(d.argv.size(), 4u);
    EXPECT_EQ(d.argv[0], "exit42");
    EXPECT_EQ(d.argv[1], "--verbose");
    EXPECT_EQ(d.argv[2], "7");
    EXPECT_EQ(d.argv[3], "");
    EXPECT_EQ(d.argv_end, 0u);
    EXPECT_EQ(d.envp_end, 0u);

    // Other stack pages do not get it.
    fill_page(image, nullptr, block, kStack.top - 2 * kPageSize, page);
    for (uint32_t i = 0; i < kPageSize; ++i)
        ASSERT_EQ(page[i], 0) << i;
}

TEST(LoaderLayout, EnvironmentFollowsArgvThenAnEmptyAuxiliaryVector) {
    const char* argv[] = {"hello", "x"};
    const char* envp[] = {"PATH=/bin", "HOME=/", "EMPTY="};
    StartBlock block;
    ASSERT_TRUE(block.build(argv, 2, kStack.top, envp, 3));
    EXPECT_EQ(block.stack_pointer() % 16, 0u);
    uint8_t page[kPageSize];
    fill_page(two_segments(), nullptr, block, kStack.top - kPageSize, page);
    Decoded d = decode(block, page, kStack.top);
    EXPECT_EQ(d.argv, (std::vector<std::string>{"hello", "x"}));
    EXPECT_EQ(d.argv_end, 0u);
    EXPECT_EQ(d.envp, (std::vector<std::string>{"PATH=/bin", "HOME=/", "EMPTY="}));
    EXPECT_EQ(d.envp_end, 0u);
    EXPECT_EQ(d.auxv_type, 0u);
    EXPECT_EQ(d.auxv_value, 0u);
    std::vector<const char*> many(StartBlock::kMaxArguments + 1, "A=1");
    EXPECT_FALSE(block.build(argv, 2, kStack.top, many.data(), static_cast<uint32_t>(many.size())));
}

TEST(LoaderLayout, NoArgumentsIsArgcZero) {
    StartBlock block;
    ASSERT_TRUE(block.build(nullptr, 0, kStack.top));
    EXPECT_EQ(block.size(), 32u); // argc, two terminators, AT_NULL's pair: 20 bytes, aligned
    uint8_t page[kPageSize];
    fill_page(two_segments(), nullptr, block, kStack.top - kPageSize, page);
    Decoded d = decode(block, page, kStack.top);
    EXPECT_EQ(d.argc, 0u);
    EXPECT_EQ(d.argv_end, 0u);
}

TEST(LoaderLayout, StartBlockRefusesWhatDoesNotFit) {
    std::string long_word(StartBlock::kBytes, 'x');
    const char* one[] = {long_word.c_str()};
    StartBlock block;
    EXPECT_FALSE(block.build(one, 1, kStack.top));
    EXPECT_EQ(block.size(), 0u);

    std::vector<const char*> many(StartBlock::kMaxArguments + 1, "a");
    EXPECT_FALSE(block.build(many.data(), static_cast<uint32_t>(many.size()), kStack.top));
    EXPECT_TRUE(block.build(many.data(), StartBlock::kMaxArguments, kStack.top));

    // Exactly full: words and strings together at kBytes.
    // argc, argv[0], two terminators, AT_NULL's two words.
    std::string fits(StartBlock::kBytes - 6 * 4 - 1, 'y');
    const char* exact[] = {fits.c_str()};
    EXPECT_TRUE(block.build(exact, 1, kStack.top));
    EXPECT_EQ(block.size(), StartBlock::kBytes);
    std::string over(fits.size() + 1, 'y');
    const char* too_long[] = {over.c_str()};
    EXPECT_FALSE(block.build(too_long, 1, kStack.top));
}

// ---- Argument blocks: many pages of arguments and environment in external storage ----------

std::string block_of(const std::vector<std::string>& strings) {
    std::string block;
    for (const std::string& s : strings) {
        block += s;
        block += '\0';
    }
    return block;
}

TEST(LoaderLayout, ValidStringsCountsEveryTerminatorAndWantsNothingAfterTheLast) {
    std::string block = block_of({"one", "", "X=1"});
    EXPECT_TRUE(valid_strings({block.data(), uint32_t(block.size()), 2, 1}));
    EXPECT_TRUE(valid_strings({block.data(), uint32_t(block.size()), 0, 3}));
    EXPECT_FALSE(valid_strings({block.data(), uint32_t(block.size()), 2, 2})); // one too many
    EXPECT_FALSE(valid_strings({block.data(), uint32_t(block.size()), 1, 1})); // one too few
    // The last string not terminated inside the block.
    EXPECT_FALSE(valid_strings({block.data(), uint32_t(block.size() - 1), 2, 0}));
    EXPECT_TRUE(valid_strings({nullptr, 0, 0, 0}));
    EXPECT_FALSE(valid_strings({nullptr, 0, 1, 0}));
    EXPECT_FALSE(valid_strings({nullptr, 4, 1, 0}));
}

// Reads a block that spans pages, from the pages fill_page makes, as the process would.
Decoded decode_pages(const StartBlock& block, const axo::elf::Image& image, uint32_t stack_top) {
    uint32_t first = page_of(block.stack_pointer());
    std::vector<uint8_t> memory(stack_top - first);
    for (uint32_t page = first; page < stack_top; page += kPageSize)
        fill_page(image, nullptr, block, page, memory.data() + (page - first));
    auto word = [&](uint32_t address) {
        uint32_t value;
        std::memcpy(&value, memory.data() + (address - first), 4);
        return value;
    };
    auto text = [&](uint32_t address) {
        EXPECT_GE(address, block.stack_pointer());
        EXPECT_LT(address, stack_top);
        return std::string(reinterpret_cast<const char*>(memory.data() + (address - first)));
    };
    Decoded d;
    uint32_t sp = block.stack_pointer();
    d.argc = word(sp);
    for (uint32_t i = 0; i < d.argc; ++i)
        d.argv.push_back(text(word(sp + 4 + 4 * i)));
    d.argv_end = word(sp + 4 + 4 * d.argc);
    uint32_t envp = sp + 8 + 4 * d.argc;
    for (; word(envp) != 0; envp += 4)
        d.envp.push_back(text(word(envp)));
    d.envp_end = word(envp);
    d.auxv_type = word(envp + 4);
    d.auxv_value = word(envp + 8);
    return d;
}

TEST(LoaderLayout, A128KiBBlockArrivesWholeAcrossPagesAfterTheFixedArguments) {
    // 64 arguments and 64 environment strings, 128 KiB in all with their terminators.
    std::vector<std::string> strings;
    for (int i = 0; i < 128; ++i) {
        std::string s = i < 64 ? "arg" + std::to_string(i) + ":" : "E" + std::to_string(i) + "=";
        s.resize(i == 127 ? 131072 - 127 * 1024 - 1 : 1023, char('a' + i % 26));
        strings.push_back(s);
    }
    std::string block = block_of(strings);
    ASSERT_EQ(block.size(), 131072u);
    StringBlock more{block.data(), uint32_t(block.size()), 64, 64};

    std::vector<uint8_t> storage(40 * kPageSize);
    StartBlock start;
    start.set_storage(storage.data(), uint32_t(storage.size()));
    const char* fixed[] = {"worker", "configured"};
    ASSERT_TRUE(start.build(fixed, 2, kStack.top, more));
    EXPECT_EQ(start.stack_pointer() % 16, 0u);
    EXPECT_GT(start.size(), 131072u + 4 * 130);
    Decoded d = decode_pages(start, two_segments(), kStack.top);
    ASSERT_EQ(d.argc, 66u);
    EXPECT_EQ(d.argv[0], "worker");
    EXPECT_EQ(d.argv[1], "configured");
    for (int i = 0; i < 64; ++i)
        ASSERT_EQ(d.argv[2 + i], strings[i]) << i;
    ASSERT_EQ(d.envp.size(), 64u);
    for (int i = 0; i < 64; ++i)
        ASSERT_EQ(d.envp[i], strings[64 + i]) << i;
    EXPECT_EQ(d.argv_end, 0u);
    EXPECT_EQ(d.envp_end, 0u);
    EXPECT_EQ(d.auxv_type, 0u);

    // One page less than it needs: refused, and empty.
    StartBlock small;
    uint32_t pages = (start.size() + kPageSize - 1) / kPageSize;
    small.set_storage(storage.data(), (pages - 1) * kPageSize);
    EXPECT_FALSE(small.build(fixed, 2, kStack.top, more));
    EXPECT_EQ(small.size(), 0u);
}

TEST(LoaderLayout, AMalformedBlockIsRefused) {
    std::string block = block_of({"a", "b"});
    std::vector<uint8_t> storage(kPageSize);
    StartBlock start;
    start.set_storage(storage.data(), uint32_t(storage.size()));
    const char* fixed[] = {"x"};
    EXPECT_FALSE(start.build(fixed, 1, kStack.top, {block.data(), uint32_t(block.size()), 3, 0}));
    EXPECT_FALSE(
        start.build(fixed, 1, kStack.top, {block.data(), uint32_t(block.size() - 1), 2, 0}));
    EXPECT_TRUE(start.build(fixed, 1, kStack.top, {block.data(), uint32_t(block.size()), 1, 1}));
    Decoded d = decode_pages(start, two_segments(), kStack.top);
    EXPECT_EQ(d.argv, (std::vector<std::string>{"x", "a"}));
    EXPECT_EQ(d.envp, (std::vector<std::string>{"b"}));
}

} // namespace
} // namespace loader
