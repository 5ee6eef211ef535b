#include <gtest/gtest.h>

#include <string>

#include "kernel/command_line.h"

namespace axo {
namespace {

CommandLine parse_ok(const char* text) {
    auto r = CommandLine::parse(text);
    EXPECT_TRUE(r.ok()) << error_name(r.error());
    return r.ok() ? r.value() : CommandLine();
}

TEST(CommandLine, KeyValuesAndFlags) {
    CommandLine line = parse_ok("console=serial  debug\tmem=64 smallspaces=off");
    EXPECT_EQ(line.count(), 4u);
    EXPECT_STREQ(line.get("console"), "serial");
    EXPECT_STREQ(line.get("debug"), "");
    EXPECT_TRUE(line.has("debug"));
    EXPECT_FALSE(line.has("deb"));
    EXPECT_EQ(line.get("absent"), nullptr);
    EXPECT_EQ(line.get_uint("mem", 0), 64u);
    EXPECT_FALSE(line.get_bool("smallspaces", true));
    EXPECT_TRUE(line.get_bool("debug", false));
    EXPECT_TRUE(line.get_bool("absent", true));
    EXPECT_STREQ(line.key_at(0), "console");
    EXPECT_STREQ(line.value_at(3), "off");
}

TEST(CommandLine, EmptyAndNull) {
    EXPECT_EQ(parse_ok("").count(), 0u);
    EXPECT_EQ(parse_ok("   \t ").count(), 0u);
    EXPECT_EQ(parse_ok(nullptr).count(), 0u);
}

TEST(CommandLine, EmptyValueAndEqualsInValue) {
    CommandLine line = parse_ok("a= b=c=d");
    EXPECT_STREQ(line.get("a"), "");
    EXPECT_STREQ(line.get("b"), "c=d");
}

TEST(CommandLine, LaterDuplicatesOverride) {
    CommandLine line = parse_ok("x=1 y x=2 y=3 x");
    EXPECT_EQ(line.count(), 2u);
    EXPECT_STREQ(line.get("x"), "");
    EXPECT_STREQ(line.get("y"), "3");
}

TEST(CommandLine, KernelPathAsFirstWordIsABareFlag) {
    CommandLine line = parse_ok("/boot/axolotl.elf debug");
    EXPECT_TRUE(line.has("/boot/axolotl.elf"));
    EXPECT_TRUE(line.has("debug"));
}

TEST(CommandLine, GetUint) {
    CommandLine line = parse_ok("a=0x1F b=4294967295 c=4294967296 d=12x e f=0x g=");
    EXPECT_EQ(line.get_uint("a", 9), 0x1Fu);
    EXPECT_EQ(line.get_uint("b", 9), 4294967295u);
    EXPECT_EQ(line.get_uint("c", 9), 9u);
    EXPECT_EQ(line.get_uint("d", 9), 9u);
    EXPECT_EQ(line.get_uint("e", 9), 9u);
    EXPECT_EQ(line.get_uint("f", 9), 9u);
    EXPECT_EQ(line.get_uint("g", 9), 9u);
    EXPECT_EQ(line.get_uint("zz", 9), 9u);
}

TEST(CommandLine, CopyIsSelfContained) {
    CommandLine copy;
    {
        std::string text = "root=ata0 init=/bin/sh";
        CommandLine line = parse_ok(text.c_str());
        text.assign(text.size(), '#');
        copy = line;
    }
    EXPECT_STREQ(copy.get("root"), "ata0");
    EXPECT_STREQ(copy.get("init"), "/bin/sh");
}

TEST(CommandLine, MaximumLengthIsAccepted) {
    std::string text(CommandLine::kMaxLength, 'a');
    CommandLine line = parse_ok(text.c_str());
    EXPECT_EQ(line.count(), 1u);
    EXPECT_EQ(std::string(line.key_at(0)).size(), CommandLine::kMaxLength);
}

TEST(CommandLine, TooLongIsOutOfRange) {
    std::string text(CommandLine::kMaxLength + 1, 'a');
    EXPECT_EQ(CommandLine::parse(text.c_str()).error(), Error::out_of_range);
}

TEST(CommandLine, TooManyOptionsIsOutOfRange) {
    std::string text;
    for (size_t i = 0; i < CommandLine::kMaxOptions; ++i)
        text += "k" + std::to_string(i) + " ";
    EXPECT_EQ(parse_ok(text.c_str()).count(), CommandLine::kMaxOptions);
    // Duplicates do not count against the limit.
    EXPECT_TRUE(CommandLine::parse((text + "k0=again").c_str()).ok());
    EXPECT_EQ(CommandLine::parse((text + "one_more").c_str()).error(), Error::out_of_range);
}

TEST(CommandLine, EmptyKeyIsMalformed) {
    EXPECT_EQ(CommandLine::parse("=x").error(), Error::malformed);
    EXPECT_EQ(CommandLine::parse("a=1 =").error(), Error::malformed);
}

} // namespace
} // namespace axo
