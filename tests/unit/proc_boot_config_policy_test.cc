// The boot configuration's start= and on-exit= words (servers/proc/boot_config.h): which
// modules proc starts at boot, and which end the run when they end.
#include <gtest/gtest.h>

#include <string>

#include "servers/proc/boot_config.h"

namespace proc {
namespace {

ModuleConfig parsed(const char* cmdline) {
    ModuleConfig module{};
    ConfigError error{};
    EXPECT_TRUE(parse_module(cmdline, module, error)) << cmdline << ": " << error.message;
    return module;
}

std::string refusal(const char* cmdline) {
    ModuleConfig module{};
    ConfigError error{};
    EXPECT_FALSE(parse_module(cmdline, module, error)) << cmdline;
    return error.message;
}

TEST(BootConfigPolicy, DefaultsStartAtBootAndDoNothingOnExit) {
    ModuleConfig module = parsed("/boot/serial port=0x3f8 --baud=9600");
    EXPECT_EQ(module.startup, StartPolicy::boot);
    EXPECT_EQ(module.on_exit, ExitPolicy::nothing);
    EXPECT_EQ(module.argument_count, 1u);
}

TEST(BootConfigPolicy, StartAndOnExitAreNotArguments) {
    ModuleConfig module = parsed("/boot/driver on-exit=shutdown 1000 start=boot");
    EXPECT_EQ(module.startup, StartPolicy::boot);
    EXPECT_EQ(module.on_exit, ExitPolicy::shutdown);
    ASSERT_EQ(module.argument_count, 1u);
    EXPECT_STREQ(module.argument(0), "1000");

    module = parsed("/boot/exit42 start=spawn on-exit=nothing");
    EXPECT_EQ(module.startup, StartPolicy::spawn);
    EXPECT_EQ(module.on_exit, ExitPolicy::nothing);
    EXPECT_EQ(module.argument_count, 0u);
}

TEST(BootConfigPolicy, UnknownValuesAreRefusedWithTheWord) {
    EXPECT_NE(refusal("/boot/x start=later").find("\"start=later\": start is boot or spawn"),
              std::string::npos);
    EXPECT_NE(refusal("/boot/x start=").find("start is boot or spawn"), std::string::npos);
    EXPECT_NE(refusal("/boot/x start=bootx").find("start is boot or spawn"), std::string::npos);
    EXPECT_NE(refusal("/boot/x on-exit=restarts").find("on-exit is shutdown, nothing or restart"),
              std::string::npos);
    EXPECT_NE(refusal("/boot/x on-exit=shutdow").find("on-exit is shutdown, nothing or restart"),
              std::string::npos);
}

TEST(BootConfigPolicy, RestartIsADriversPolicy) {
    ModuleConfig module = parsed("/boot/serial port=0x2f8-0x2ff irq=3 on-exit=restart start=spawn");
    EXPECT_EQ(module.on_exit, ExitPolicy::restart);
    EXPECT_EQ(module.startup, StartPolicy::spawn);
    EXPECT_EQ(module.argument_count, 0u);
}

TEST(BootConfigPolicy, PciDevicesByVendorAndDevice) {
    ModuleConfig module = parsed("/boot/e1000 pci=8086:100e pci=1234:1111 on-exit=restart");
    ASSERT_EQ(module.pci_count, 2u);
    EXPECT_EQ(module.pci[0].vendor, 0x8086);
    EXPECT_EQ(module.pci[0].device, 0x100e);
    EXPECT_EQ(module.pci[1].vendor, 0x1234);
    EXPECT_EQ(module.argument_count, 0u);
    EXPECT_NE(refusal("/boot/x pci=8086").find("pci= is VVVV:DDDD[.N]"), std::string::npos);
    EXPECT_NE(refusal("/boot/x pci=8086:").find("pci= is VVVV:DDDD[.N]"), std::string::npos);
    EXPECT_NE(refusal("/boot/x pci=18086:100e").find("pci= is VVVV:DDDD[.N]"), std::string::npos);
    EXPECT_NE(refusal("/boot/x pci=80g6:100e").find("pci= is VVVV:DDDD[.N]"), std::string::npos);
    EXPECT_NE(refusal("/boot/x pci=ffff:100e").find("pci= is VVVV:DDDD[.N]"), std::string::npos);
    EXPECT_NE(refusal("/boot/x pci=8086:100").find("pci= is VVVV:DDDD[.N]"), std::string::npos);
    EXPECT_NE(refusal("/boot/x pci=8086:100e.").find("pci= is VVVV:DDDD[.N]"), std::string::npos);
    EXPECT_NE(refusal("/boot/x pci=8086:100e.x").find("pci= is VVVV:DDDD[.N]"), std::string::npos);
    EXPECT_NE(refusal("/boot/x pci=8086:100e.1.2").find("pci= is VVVV:DDDD[.N]"),
              std::string::npos);
    EXPECT_NE(refusal("/boot/x pci=8086:100e.0123456789").find("pci= is VVVV:DDDD[.N]"),
              std::string::npos);
    EXPECT_NE(refusal("/boot/x pci=8086:100e pci=8086:100E").find("the same PCI device twice"),
              std::string::npos);
    EXPECT_NE(refusal("/boot/x pci=8086:100e pci=8086:100e.0").find("the same PCI device twice"),
              std::string::npos);
    EXPECT_NE(
        refusal("/boot/x pci=0001:0001 pci=0001:0002 pci=0001:0003").find("too many PCI devices"),
        std::string::npos);

    // The N-th device with those ids: eth0 and eth1 of two equal NICs.
    ModuleConfig second = parsed("/boot/eth1 pci=8086:100e.1");
    ASSERT_EQ(second.pci_count, 1u);
    EXPECT_EQ(second.pci[0].index, 1u);
    EXPECT_EQ(module.pci[0].index, 0u);
    ModuleConfig first = parsed("/boot/eth0 pci=8086:100e.0");
    ConfigError none{};
    EXPECT_FALSE(conflicts(first, second, none));

    ModuleConfig a = parsed("/boot/a pci=8086:100e");
    a.index = 2;
    ModuleConfig b = parsed("/boot/b pci=8086:100e");
    ConfigError error{};
    EXPECT_TRUE(conflicts(b, a, error));
    EXPECT_NE(std::string(error.message).find("PCI device 0x8086:0x100e is granted to module 2"),
              std::string::npos);
    ModuleConfig c = parsed("/boot/c pci=8086:100e.1"), d = parsed("/boot/d pci=8086:100e.1");
    c.index = 3;
    EXPECT_TRUE(conflicts(d, c, error));
    EXPECT_NE(std::string(error.message).find("PCI device 0x8086:0x100e.1 is granted to module 3"),
              std::string::npos);
}

TEST(BootConfigPolicy, SimilarWordsStayArguments) {
    ModuleConfig module = parsed("/boot/x starter on-exit restart=boot");
    EXPECT_EQ(module.argument_count, 3u);
    EXPECT_EQ(module.startup, StartPolicy::boot);
}

TEST(BootConfigPolicy, ServersAreSmallByDefaultOtherProgramsLarge) {
    EXPECT_TRUE(wants_small_space(parsed("/boot/pci port=0xcf8-0xcff")));
    EXPECT_TRUE(wants_small_space(parsed("/boot/e1000 pci=8086:100e")));
    EXPECT_TRUE(wants_small_space(parsed("/boot/vga mem=0xb8000-0xb8fff")));
    EXPECT_TRUE(wants_small_space(parsed("/boot/tty line=com1 on-exit=restart")));
    EXPECT_TRUE(wants_small_space(parsed("/boot/fs")));
    EXPECT_FALSE(wants_small_space(parsed("/boot/mm")));
    EXPECT_FALSE(wants_small_space(parsed("/boot/hello")));
    EXPECT_FALSE(wants_small_space(parsed("/boot/init role=init")));
    EXPECT_FALSE(wants_small_space(parsed("/boot/test on-exit=shutdown")));
}

TEST(BootConfigPolicy, SpaceWordOverridesTheDefaultButNeverMakesMmSmall) {
    ModuleConfig module = parsed("/boot/fs space=large");
    EXPECT_EQ(module.space, SpacePolicy::large);
    EXPECT_EQ(module.argument_count, 0u);
    EXPECT_FALSE(wants_small_space(module));
    EXPECT_FALSE(wants_small_space(parsed("/boot/pci port=0xcf8-0xcff space=large")));
    EXPECT_TRUE(wants_small_space(parsed("/boot/hello space=small")));
    EXPECT_FALSE(wants_small_space(parsed("/boot/mm space=small")));
    EXPECT_NE(refusal("/boot/x space=tiny").find("\"space=tiny\": space is small or large"),
              std::string::npos);
}

} // namespace
} // namespace proc
