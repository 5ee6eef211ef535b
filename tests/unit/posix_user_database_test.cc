// libposix's reading of /etc/passwd and /etc/group lines (libposix/user_database.h), which
// users.cc's getpwnam, getpwuid, getgrnam and getgrgid rest on.
#include "libposix/user_database.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace posix {
namespace {

TEST(PosixUserDatabase, passwd_line_gives_every_field) {
    char line[] = "user:x:1000:100:A User,,,:/home/user:/bin/sh\n";
    PasswdLine entry{};
    ASSERT_TRUE(parse_passwd_line(line, entry));
    EXPECT_STREQ(entry.name, "user");
    EXPECT_STREQ(entry.password, "x");
    EXPECT_EQ(entry.uid, 1000u);
    EXPECT_EQ(entry.gid, 100u);
    EXPECT_STREQ(entry.gecos, "A User,,,");
    EXPECT_STREQ(entry.home, "/home/user");
    EXPECT_STREQ(entry.shell, "/bin/sh") << "the newline is not part of the shell";
}

TEST(PosixUserDatabase, passwd_line_keeps_empty_fields) {
    char line[] = "nobody::65534:65534:::";
    PasswdLine entry{};
    ASSERT_TRUE(parse_passwd_line(line, entry));
    EXPECT_STREQ(entry.password, "");
    EXPECT_EQ(entry.uid, 65534u);
    EXPECT_STREQ(entry.gecos, "");
    EXPECT_STREQ(entry.home, "");
    EXPECT_STREQ(entry.shell, "");
}

TEST(PosixUserDatabase, malformed_passwd_lines_are_skipped) {
    for (const char* text : {"", "\n", "# root:x:0:0:root:/root:/bin/sh",
                             "root:x:0:0:root:/root",            // six fields
                             "root:x:zero:0:root:/root:/bin/sh", // uid not a number
                             "root:x:-1:0:root:/root:/bin/sh",
                             "root:x:4294967296:0:r:/root:/bin/sh", // beyond 32 bits
                             "root:x::0:root:/root:/bin/sh", ":x:0:0:root:/root:/bin/sh"}) {
        std::string copy = text;
        PasswdLine entry{};
        EXPECT_FALSE(parse_passwd_line(copy.data(), entry)) << text;
    }
    PasswdLine none{};
    EXPECT_FALSE(parse_passwd_line(nullptr, none));
}

TEST(PosixUserDatabase, largest_id_is_accepted) {
    char line[] = "max:x:4294967295:0:::";
    PasswdLine entry{};
    ASSERT_TRUE(parse_passwd_line(line, entry));
    EXPECT_EQ(entry.uid, 4294967295u);
}

TEST(PosixUserDatabase, group_line_and_its_members) {
    char line[] = "tty:x:5:user,,root\n";
    GroupLine entry{};
    ASSERT_TRUE(parse_group_line(line, entry));
    EXPECT_STREQ(entry.name, "tty");
    EXPECT_EQ(entry.gid, 5u);
    char* names[4] = {};
    ASSERT_EQ(split_members(entry.members, names, 4), 2u) << "the empty name is skipped";
    EXPECT_STREQ(names[0], "user");
    EXPECT_STREQ(names[1], "root");
}

TEST(PosixUserDatabase, group_without_members) {
    char line[] = "root:x:0:";
    GroupLine entry{};
    ASSERT_TRUE(parse_group_line(line, entry));
    char* names[2] = {};
    EXPECT_EQ(split_members(entry.members, names, 2), 0u);
}

TEST(PosixUserDatabase, member_list_is_cut_at_capacity) {
    char list[] = "a,b,c,d";
    char* names[2] = {};
    EXPECT_EQ(split_members(list, names, 2), 2u);
    EXPECT_STREQ(names[0], "a");
    EXPECT_STREQ(names[1], "b");
}

TEST(PosixUserDatabase, malformed_group_lines_are_skipped) {
    for (const char* text : {"", "# tty:x:5:", "tty:x:5", "tty:x:five:", ":x:5:"}) {
        std::string copy = text;
        GroupLine entry{};
        EXPECT_FALSE(parse_group_line(copy.data(), entry)) << text;
    }
}

TEST(PosixUserDatabase, group_list_keeps_each_group_once_in_order) {
    uint32_t groups[4] = {};
    GroupList list{groups, 4, 0};
    list.add(100);
    list.add(5);
    list.add(100);
    list.add(20);
    EXPECT_TRUE(list.fits());
    ASSERT_EQ(list.count, 3u);
    EXPECT_EQ(groups[0], 100u);
    EXPECT_EQ(groups[1], 5u);
    EXPECT_EQ(groups[2], 20u);
}

TEST(PosixUserDatabase, group_list_counts_what_does_not_fit) {
    uint32_t groups[2] = {};
    GroupList list{groups, 2, 0};
    for (uint32_t gid : {1u, 2u, 3u, 4u})
        list.add(gid);
    EXPECT_FALSE(list.fits());
    EXPECT_EQ(list.count, 4u) << "getgrouplist's answer: room for 4";
    EXPECT_EQ(groups[0], 1u);
    EXPECT_EQ(groups[1], 2u);
    GroupList none{nullptr, 0, 0};
    none.add(7);
    EXPECT_EQ(none.count, 1u);
}

TEST(PosixUserDatabase, membership_is_by_whole_name) {
    char list[] = "alice,bob";
    char* names[4] = {};
    uint32_t count = split_members(list, names, 4);
    EXPECT_TRUE(is_member("bob", names, count));
    EXPECT_FALSE(is_member("bo", names, count));
    EXPECT_FALSE(is_member("bobby", names, count));
    EXPECT_FALSE(is_member("carol", names, count));
}

} // namespace
} // namespace posix
