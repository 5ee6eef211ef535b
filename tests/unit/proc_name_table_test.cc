// proc's name table (servers/proc/name_table.h): bindings, owners, limits.
#include <string>

#include <gtest/gtest.h>

#include "servers/proc/name_table.h"

namespace proc {
namespace {

constexpr axo_thread_id_t kA = axo_thread_id(40, 1);
constexpr axo_thread_id_t kB = axo_thread_id(41, 1);
constexpr axo_thread_id_t kWorker = axo_thread_id(42, 1);

TEST(NameTable, AddFindRemove) {
    NameTable table;
    ASSERT_EQ(table.add("console", kA, kA), ipc::Error::ok);
    const NameTable::Entry* entry = table.find("console");
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(entry->owner, kA);
    EXPECT_EQ(entry->server, kA);
    EXPECT_EQ(table.size(), 1u);
    EXPECT_EQ(table.remove("console", kA), ipc::Error::ok);
    EXPECT_EQ(table.find("console"), nullptr);
    EXPECT_EQ(table.size(), 0u);
}

TEST(NameTable, NamesAreExact) {
    NameTable table;
    ASSERT_EQ(table.add("fs", kA, kA), ipc::Error::ok);
    EXPECT_EQ(table.find("f"), nullptr);
    EXPECT_EQ(table.find("fs2"), nullptr);
    EXPECT_EQ(table.find("FS"), nullptr);
    EXPECT_NE(table.find("fs"), nullptr);
}

TEST(NameTable, DuplicateIsExists) {
    NameTable table;
    ASSERT_EQ(table.add("net", kA, kA), ipc::Error::ok);
    EXPECT_EQ(table.add("net", kB, kB), ipc::Error::exists);
    EXPECT_EQ(table.add("net", kA, kA), ipc::Error::exists); // the service decides about retries
    EXPECT_EQ(table.find("net")->owner, kA);
}

TEST(NameTable, LookupMissing) {
    NameTable table;
    EXPECT_EQ(table.find("nothing"), nullptr);
    EXPECT_EQ(table.remove("nothing", kA), ipc::Error::no_such_name);
}

TEST(NameTable, OnlyTheOwnerRemoves) {
    NameTable table;
    ASSERT_EQ(table.add("ata", kA, kWorker), ipc::Error::ok);
    EXPECT_EQ(table.remove("ata", kB), ipc::Error::no_permission);
    // Serving a name is not owning it.
    EXPECT_EQ(table.remove("ata", kWorker), ipc::Error::no_permission);
    EXPECT_NE(table.find("ata"), nullptr);
    EXPECT_EQ(table.remove("ata", kA), ipc::Error::ok);
}

TEST(NameTable, ThreadDeathFreesWhatItOwnsAndServes) {
    NameTable table;
    ASSERT_EQ(table.add("a1", kA, kA), ipc::Error::ok);
    ASSERT_EQ(table.add("a2", kA, kWorker), ipc::Error::ok);
    ASSERT_EQ(table.add("b1", kB, kB), ipc::Error::ok);
    ASSERT_EQ(table.add("b2", kB, kWorker), ipc::Error::ok);
    EXPECT_EQ(table.remove_thread(kA), 2u);
    EXPECT_EQ(table.find("a1"), nullptr);
    EXPECT_EQ(table.find("a2"), nullptr);
    EXPECT_EQ(table.size(), 2u);
    // A name whose server died resolves to nothing useful: it goes too.
    EXPECT_EQ(table.remove_thread(kWorker), 1u);
    EXPECT_EQ(table.find("b2"), nullptr);
    EXPECT_NE(table.find("b1"), nullptr);
    EXPECT_EQ(table.remove_thread(kWorker), 0u);
    // Freed names can be taken.
    EXPECT_EQ(table.add("a1", kB, kB), ipc::Error::ok);
}

TEST(NameTable, PerOwnerQuota) {
    NameTable table;
    for (uint32_t i = 0; i < kNamesPerOwner; ++i)
        ASSERT_EQ(table.add(("n" + std::to_string(i)).c_str(), kA, kA), ipc::Error::ok) << i;
    EXPECT_EQ(table.owned_by(kA), kNamesPerOwner);
    EXPECT_EQ(table.add("one-more", kA, kA), ipc::Error::no_space);
    EXPECT_EQ(table.add("one-more", kB, kB), ipc::Error::ok); // others are not affected
    ASSERT_EQ(table.remove("n0", kA), ipc::Error::ok);
    EXPECT_EQ(table.add("one-more-again", kA, kA), ipc::Error::ok);
}

TEST(NameTable, FullTable) {
    NameTable table;
    uint32_t owners = kNameCapacity / kNamesPerOwner;
    for (uint32_t o = 0; o < owners; ++o)
        for (uint32_t i = 0; i < kNamesPerOwner; ++i) {
            std::string name = "o" + std::to_string(o) + "-" + std::to_string(i);
            ASSERT_EQ(table.add(name.c_str(), axo_thread_id(50 + o, 1), axo_thread_id(50 + o, 1)),
                      ipc::Error::ok)
                << name;
        }
    EXPECT_TRUE(table.full());
    EXPECT_EQ(table.size(), kNameCapacity);
    EXPECT_EQ(table.add("late", kA, kA), ipc::Error::no_space);
    EXPECT_EQ(table.remove_thread(axo_thread_id(50, 1)), kNamesPerOwner);
    EXPECT_EQ(table.add("late", kA, kA), ipc::Error::ok);
}

TEST(NameTable, LongestName) {
    NameTable table;
    std::string longest(Name::kCapacity, 'n');
    ASSERT_EQ(table.add(longest.c_str(), kA, kA), ipc::Error::ok);
    EXPECT_NE(table.find(longest.c_str()), nullptr);
    std::string too_long(Name::kCapacity + 1, 'n');
    EXPECT_EQ(table.add(too_long.c_str(), kA, kA), ipc::Error::invalid_argument);
    EXPECT_EQ(table.find(too_long.c_str()), nullptr);
    EXPECT_EQ(table.size(), 1u);
}

} // namespace
} // namespace proc
