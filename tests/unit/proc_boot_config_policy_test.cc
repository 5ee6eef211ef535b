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

TEST(BootConfigPolicy, SimilarWordsStayArguments) {
    ModuleConfig module = parsed("/boot/x starter on-exit restart=boot");
    EXPECT_EQ(module.argument_count, 3u);
    EXPECT_EQ(module.startup, StartPolicy::boot);
}

} // namespace
} // namespace proc
