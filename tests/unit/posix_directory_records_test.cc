// readdir's walk over fs's records (libposix/directory_records.h): well-formed records in
// order, and every malformed one (too short, past the reply, a name without its NUL) ends the
// walk instead of being read past.
#include "libposix/directory_records.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace posix {
namespace {

// Appends a record as fs's RecordSink packs it.
void add(std::vector<uint8_t>& buffer, uint32_t inode, uint8_t type, const std::string& name,
         uint16_t record_bytes = 0) {
    uint32_t bytes = (sizeof(file::DirectoryRecord) + name.size() + 1 + 3) & ~3u;
    file::DirectoryRecord record{inode, static_cast<uint16_t>(record_bytes ? record_bytes : bytes),
                                 type, static_cast<uint8_t>(name.size())};
    size_t at = buffer.size();
    buffer.resize(at + bytes, 0);
    std::memcpy(buffer.data() + at, &record, sizeof record);
    std::memcpy(buffer.data() + at + sizeof record, name.data(), name.size());
}

TEST(PosixDirectoryRecords, GivesEachRecordInOrder) {
    std::vector<uint8_t> buffer;
    add(buffer, 2, 2, ".");
    add(buffer, 1, 2, "..");
    add(buffer, 17, 1, "a-longer-name");
    DirectoryRecords records(buffer.data(), static_cast<uint32_t>(buffer.size()), 3);
    DirectoryEntryView entry;
    ASSERT_TRUE(records.next(entry));
    EXPECT_EQ(entry.inode, 2u);
    EXPECT_EQ(std::string(entry.name, entry.name_length), ".");
    ASSERT_TRUE(records.next(entry));
    EXPECT_EQ(std::string(entry.name), "..");
    ASSERT_TRUE(records.next(entry));
    EXPECT_EQ(entry.inode, 17u);
    EXPECT_EQ(entry.type, 1);
    EXPECT_EQ(std::string(entry.name), "a-longer-name");
    EXPECT_FALSE(records.next(entry));
    EXPECT_TRUE(records.empty());
}

TEST(PosixDirectoryRecords, StopsAtTheCountTheReplyGave) {
    std::vector<uint8_t> buffer;
    add(buffer, 5, 1, "x");
    add(buffer, 6, 1, "y");
    DirectoryRecords records(buffer.data(), static_cast<uint32_t>(buffer.size()), 1);
    DirectoryEntryView entry;
    EXPECT_TRUE(records.next(entry));
    EXPECT_FALSE(records.next(entry));
}

TEST(PosixDirectoryRecords, ARecordPastTheReplyEndsTheWalk) {
    std::vector<uint8_t> buffer;
    add(buffer, 5, 1, "x");
    add(buffer, 6, 1, "y", 200); // claims 200 bytes
    DirectoryRecords records(buffer.data(), static_cast<uint32_t>(buffer.size()), 2);
    DirectoryEntryView entry;
    EXPECT_TRUE(records.next(entry));
    EXPECT_FALSE(records.next(entry));
    EXPECT_TRUE(records.empty());
}

TEST(PosixDirectoryRecords, ARecordShorterThanItsNameEndsTheWalk) {
    std::vector<uint8_t> buffer;
    add(buffer, 5, 1, "abcdefgh", 12); // 8 + 8 + 1 needed
    DirectoryRecords records(buffer.data(), static_cast<uint32_t>(buffer.size()), 1);
    DirectoryEntryView entry;
    EXPECT_FALSE(records.next(entry));
}

TEST(PosixDirectoryRecords, ANameWithoutItsNulEndsTheWalk) {
    std::vector<uint8_t> buffer;
    add(buffer, 5, 1, "abc");
    buffer[sizeof(file::DirectoryRecord) + 3] = 'z';
    DirectoryRecords records(buffer.data(), static_cast<uint32_t>(buffer.size()), 1);
    DirectoryEntryView entry;
    EXPECT_FALSE(records.next(entry));
}

TEST(PosixDirectoryRecords, FewerBytesThanAHeaderEndsTheWalk) {
    std::vector<uint8_t> buffer;
    add(buffer, 5, 1, "abc");
    DirectoryRecords records(buffer.data(), 4, 1);
    DirectoryEntryView entry;
    EXPECT_FALSE(records.next(entry));
    DirectoryRecords none;
    EXPECT_FALSE(none.next(entry));
}

} // namespace
} // namespace posix
