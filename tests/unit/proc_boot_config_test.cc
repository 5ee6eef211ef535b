// proc's boot configuration (servers/proc/boot_config.h): module command lines from the KIP,
// their grants, and every way a line can be malformed.
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "servers/proc/boot_config.h"

namespace proc {
namespace {

struct Parsed {
    bool ok;
    ModuleConfig module;
    std::string error;
};

Parsed parse(const std::string& line) {
    Parsed p{};
    ConfigError error{};
    p.ok = parse_module(line.c_str(), p.module, error);
    p.error = error.message;
    return p;
}

TEST(BootConfig, NameFromThePath) {
    Parsed p = parse("/boot/servers/serial");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_STREQ(p.module.name, "serial");
    EXPECT_EQ(p.module.argument_count, 0u);
    p = parse("serial");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_STREQ(p.module.name, "serial");
}

TEST(BootConfig, RoleInitMarksTheSystemsInit) {
    Parsed p = parse("/boot/apps/init/init role=init");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_TRUE(p.module.init);
    EXPECT_EQ(p.module.argument_count, 0u) << "role= is proc's word, not the program's";
    EXPECT_FALSE(parse("/boot/hello").module.init);
    p = parse("/boot/sh role=shell");
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("role"), std::string::npos) << p.error;
}

TEST(BootConfig, ClientWordsNameTheModulesADeviceServes) {
    Parsed p = parse("/boot/ata port=0x1f0-0x1f7 irq=14 client=fs client=backup");
    ASSERT_TRUE(p.ok) << p.error;
    ASSERT_EQ(p.module.client_count, 2u);
    EXPECT_STREQ(p.module.clients[0], "fs");
    EXPECT_STREQ(p.module.clients[1], "backup");
    EXPECT_EQ(p.module.argument_count, 0u) << "client= is proc's word, not the driver's";
    p = parse("/boot/ata client=a client=b client=c");
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("too many clients"), std::string::npos) << p.error;
    p = parse("/boot/ata client=");
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("client"), std::string::npos) << p.error;
}

TEST(BootConfig, NameWordOverridesThePath) {
    Parsed p = parse("/work/build/target/servers/drivers/serial/serial name=com1");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_STREQ(p.module.name, "com1");
}

TEST(BootConfig, GrantsAndArguments) {
    Parsed p = parse("/boot/serial port=0x3f8-0x3ff irq=4 mem=0xb8000-0xbffff -v  baud=9600");
    ASSERT_TRUE(p.ok) << p.error;
    const ModuleConfig& m = p.module;
    ASSERT_EQ(m.port_count, 1u);
    EXPECT_EQ(m.ports[0].first, 0x3f8u);
    EXPECT_EQ(m.ports[0].last, 0x3ffu);
    ASSERT_EQ(m.irq_count, 1u);
    EXPECT_EQ(m.irqs[0], 4u);
    ASSERT_EQ(m.memory_count, 1u);
    EXPECT_EQ(m.memory[0].first, 0xb8000u);
    EXPECT_EQ(m.memory[0].last, 0xbffffu);
    // Words proc does not know are the program's, in order; double spaces do not count.
    ASSERT_EQ(m.argument_count, 2u);
    EXPECT_STREQ(m.argument(0), "-v");
    EXPECT_STREQ(m.argument(1), "baud=9600");
    EXPECT_TRUE(m.has_argument("-v"));
    EXPECT_FALSE(m.has_argument("-"));
    EXPECT_FALSE(m.has_argument("baud"));
}

TEST(BootConfig, SinglePortsRepeatedGrantsDecimal) {
    Parsed p = parse("kbd port=0x60 port=100 port=0x64-0x64 irq=1 irq=12 mem=4096-8191");
    ASSERT_TRUE(p.ok) << p.error;
    ASSERT_EQ(p.module.port_count, 3u);
    EXPECT_EQ(p.module.ports[0].first, 0x60u);
    EXPECT_EQ(p.module.ports[0].last, 0x60u);
    EXPECT_EQ(p.module.ports[1].first, 100u);
    EXPECT_EQ(p.module.ports[2].last, 0x64u);
    EXPECT_EQ(p.module.irq_count, 2u);
    EXPECT_EQ(p.module.memory[0].first, 4096u);
    EXPECT_EQ(p.module.memory[0].last, 8191u);
}

TEST(BootConfig, HexDigitsInEitherCase) {
    Parsed p = parse("x port=0X3F8-0x3Ff mem=0xB8000-0XBFFFF");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.module.ports[0].first, 0x3f8u);
    EXPECT_EQ(p.module.memory[0].last, 0xbffffu);
}

TEST(BootConfig, MalformedLinesAreRejectedWithAReason) {
    struct Case {
        const char* line;
        const char* reason; // a part of the message
    };
    const Case cases[] = {
        {"", "empty"},
        {"   ", "empty"},
        {"x port=", "not a port range"},
        {"x port=0x3f8-", "not a port range"},
        {"x port=-0x3ff", "not a port range"},
        {"x port=0x3ff-0x3f8", "first <= last"},
        {"x port=0x10000", "0..0xffff"},
        {"x port=0xfff0-0x10000", "0..0xffff"},
        {"x port=0x", "not a port range"},
        {"x port=0xg", "not a port range"},
        {"x port=12a", "not a port range"},
        {"x port=99999999999", "not a port range"}, // beyond 32 bits
        {"x irq=", "not a number"},
        {"x irq=99", "1..15 except 2"},
        {"x irq=16", "1..15 except 2"},
        {"x irq=0", "1..15 except 2"}, // the kernel's timer
        {"x irq=2", "1..15 except 2"}, // the cascade
        {"x irq=-1", "not a number"},
        {"x irq=4 irq=4", "the same IRQ line twice"},
        {"x irq=1 irq=3 irq=4 irq=5 irq=6", "too many IRQ lines"},
        {"x mem=0xb8001-0xbffff", "whole pages"},
        {"x mem=0xb8000-0xbfffe", "whole pages"},
        {"x mem=0xb8000-0xb7fff", "whole pages"},
        {"x mem=0xb8000", "whole pages"}, // one byte
        {"x name=", "1..31 printable"},
        {"x name=a-name-that-is-longer-than-31-chars", "1..31 printable"},
        {"x name=a name=b", "a second name"},
        {"/boot/a-file-name-that-is-longer-than-31-chars", "give name="},
    };
    for (const Case& c : cases) {
        Parsed p = parse(c.line);
        EXPECT_FALSE(p.ok) << "accepted: " << c.line;
        EXPECT_NE(p.error.find(c.reason), std::string::npos)
            << c.line << " -> \"" << p.error << "\", expected \"" << c.reason << "\"";
    }
}

TEST(BootConfig, TheTopPageIsARange) {
    // last + 1 wraps to 0, which is page-aligned: accepted on purpose.
    Parsed p = parse("x mem=0xfffff000-0xffffffff");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.module.memory[0].last, 0xffffffffu);
}

TEST(BootConfig, TheMessageQuotesTheWord) {
    Parsed p = parse("/boot/serial irq=99");
    ASSERT_FALSE(p.ok);
    EXPECT_EQ(p.error.rfind("\"irq=99\": ", 0), 0u) << p.error;
}

TEST(BootConfig, TooManyRanges) {
    std::string line = "x";
    for (uint32_t i = 0; i <= kMaxPortRanges; ++i)
        line += " port=" + std::to_string(i);
    Parsed p = parse(line);
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("too many port ranges"), std::string::npos) << p.error;
    line = "x";
    for (uint32_t i = 0; i <= kMaxMemoryRanges; ++i)
        line += " mem=" + std::to_string(i * 4096) + "-" + std::to_string(i * 4096 + 4095);
    p = parse(line);
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("too many memory ranges"), std::string::npos) << p.error;
}

TEST(BootConfig, ALineThatFillsTheKipFieldMayBeCutOff) {
    // The kernel copies at most 119 bytes: a line of 119 may have lost its end.
    std::string line = "/boot/x irq=4 " + std::string(kCmdlineBytes - 1 - 14, 'a');
    ASSERT_EQ(line.size(), kCmdlineBytes - 1);
    Parsed p = parse(line);
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("cut off"), std::string::npos) << p.error;
    line.pop_back();
    EXPECT_TRUE(parse(line).ok);
    // Longer than the field (a caller without the KIP's limit): the same.
    EXPECT_FALSE(parse(std::string(500, 'a')).ok);
}

TEST(BootConfig, ArgumentsFillingTheLineFit) {
    std::string line = "x";
    while (line.size() + 2 < kCmdlineBytes - 1)
        line += " a";
    Parsed p = parse(line);
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.module.argument_count, (line.size() - 1) / 2);
    EXPECT_STREQ(p.module.argument(p.module.argument_count - 1), "a");
}

// ---- The whole configuration from the KIP's module list ------------------------------------

struct Rejection {
    uint32_t index;
    std::string cmdline, message;
};

class KipModules : public ::testing::Test {
protected:
    void add(const char* cmdline, uint32_t start = 0x100000, uint32_t size = 4096) {
        axo_kip_module_t module{};
        module.start = start;
        module.size = size;
        std::strncpy(module.cmdline, cmdline, sizeof module.cmdline - 1);
        modules.push_back(module);
    }
    void parse_all() {
        parse_boot_config(modules.data(), static_cast<uint32_t>(modules.size()), config, &record,
                          this);
    }
    static void record(void* context, uint32_t index, const char* cmdline, const char* message) {
        static_cast<KipModules*>(context)->rejections.push_back({index, cmdline, message});
    }

    std::vector<axo_kip_module_t> modules;
    BootConfig config{};
    std::vector<Rejection> rejections;
};

TEST_F(KipModules, SigmaZeroAndProcAreNotStartedByProc) {
    add("/boot/sigma0 port=0x3f8"); // never parsed: the kernel starts σ0
    add("/boot/proc selftest verbose");
    parse_all();
    EXPECT_EQ(config.module_count, 0u);
    EXPECT_EQ(config.rejected_count, 0u);
    ASSERT_TRUE(config.self_valid);
    EXPECT_TRUE(config.self.has_argument("selftest"));
    EXPECT_TRUE(config.self.has_argument("verbose"));
    EXPECT_EQ(config.self.index, 1u);
}

TEST_F(KipModules, ServersInBootOrder) {
    add("/boot/sigma0");
    add("/boot/proc");
    add("/boot/serial port=0x3f8-0x3ff irq=4", 0x200000, 12345);
    add("/boot/ata port=0x1f0-0x1f7 port=0x3f6 irq=14");
    add("/boot/fs root=ata0");
    parse_all();
    EXPECT_TRUE(rejections.empty());
    ASSERT_EQ(config.module_count, 3u);
    EXPECT_STREQ(config.modules[0].name, "serial");
    EXPECT_EQ(config.modules[0].index, 2u);
    EXPECT_EQ(config.modules[0].start, 0x200000u);
    EXPECT_EQ(config.modules[0].size, 12345u);
    EXPECT_STREQ(config.modules[2].name, "fs");
    EXPECT_EQ(config.modules[2].index, 4u);
    ASSERT_NE(config.find("ata"), nullptr);
    EXPECT_EQ(config.find("ata")->port_count, 2u);
    EXPECT_EQ(config.find("nothing"), nullptr);
}

TEST_F(KipModules, ConflictsRejectTheLaterModuleOnly) {
    add("/boot/sigma0");
    add("/boot/proc");
    add("/boot/serial port=0x3f8-0x3ff irq=4 mem=0xb8000-0xb8fff");
    add("/boot/twin irq=4");
    add("/boot/overlap port=0x3fc-0x400");
    add("/boot/vga mem=0xb8000-0xbffff");
    add("/boot/serial"); // the same name
    add("/boot/bad irq=99");
    add("/boot/fine port=0x400 irq=5 mem=0xb9000-0xb9fff");
    parse_all();
    ASSERT_EQ(config.module_count, 2u);
    EXPECT_STREQ(config.modules[0].name, "serial");
    EXPECT_STREQ(config.modules[1].name, "fine");
    EXPECT_EQ(config.modules[1].index, 8u);
    EXPECT_EQ(config.rejected_count, 5u);
    ASSERT_EQ(rejections.size(), 5u);
    EXPECT_EQ(rejections[0].index, 3u);
    EXPECT_NE(rejections[0].message.find("IRQ 4 is granted to module 2 (serial)"),
              std::string::npos)
        << rejections[0].message;
    EXPECT_NE(rejections[1].message.find("ports 0x3fc-0x400 overlap"), std::string::npos)
        << rejections[1].message;
    EXPECT_NE(rejections[2].message.find("memory 0xb8000-0xbffff overlaps"), std::string::npos)
        << rejections[2].message;
    EXPECT_NE(rejections[3].message.find("name serial is taken"), std::string::npos)
        << rejections[3].message;
    EXPECT_EQ(rejections[4].cmdline, "/boot/bad irq=99");
    // A rejected module leaves no trace in the accepted ones.
    EXPECT_EQ(config.find("twin"), nullptr);
    EXPECT_EQ(config.modules[1].irq_count, 1u);
}

TEST_F(KipModules, UnterminatedKipFieldIsSafe) {
    add("/boot/sigma0");
    add("/boot/proc");
    axo_kip_module_t module{};
    std::memset(module.cmdline, 'a', sizeof module.cmdline); // no NUL at all
    modules.push_back(module);
    parse_all();
    EXPECT_EQ(config.module_count, 0u);
    ASSERT_EQ(rejections.size(), 1u);
    EXPECT_NE(rejections[0].message.find("cut off"), std::string::npos);
}

TEST_F(KipModules, CountIsClamped) {
    for (uint32_t i = 0; i < AXO_KIP_MAX_MODULES; ++i)
        add(("/boot/m" + std::to_string(i)).c_str());
    parse_boot_config(modules.data(), 1000, config, &record, this); // a lying count
    EXPECT_EQ(config.module_count, AXO_KIP_MAX_MODULES - 2);
}

TEST_F(KipModules, FewerThanTwoModules) {
    add("/boot/sigma0");
    parse_all();
    EXPECT_FALSE(config.self_valid);
    EXPECT_EQ(config.module_count, 0u);
    parse_boot_config(nullptr, 0, config, nullptr, nullptr);
    EXPECT_EQ(config.module_count, 0u);
}

} // namespace
} // namespace proc
