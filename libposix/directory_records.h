// The entries fs's readdir packs into the session buffer (interfaces/file/protocol.h,
// DirectoryRecord), taken one at a time by readdir(). The buffer is fs's memory: every record
// is checked against what the reply said it filled, so a malformed answer ends the walk instead
// of reading past it. Pure: host-tested (tests/unit/posix_directory_records_test.cc).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "interfaces/file/protocol.h"

namespace posix {

struct DirectoryEntryView {
    uint32_t inode = 0;
    uint8_t type = 0; // fs's (ext2's order): file_modes.h directory_type() makes it a d_type
    const char* name = nullptr;
    uint32_t name_length = 0;
};

class DirectoryRecords {
public:
    DirectoryRecords() = default;
    // `bytes` of records at `data`, `count` of them (ReaddirReply).
    DirectoryRecords(const uint8_t* data, uint32_t bytes, uint32_t count)
        : m_data(data), m_bytes(bytes), m_left(count) {}

    // The next entry; false at the end or at the first record that does not fit its bounds.
    bool next(DirectoryEntryView& out) {
        if (m_left == 0) return false;
        if (m_bytes - m_offset < sizeof(file::DirectoryRecord)) return stop();
        file::DirectoryRecord record;
        __builtin_memcpy(&record, m_data + m_offset, sizeof record);
        uint32_t need = sizeof record + uint32_t{record.name_length} + 1;
        if (record.record_bytes < need || record.record_bytes > m_bytes - m_offset) return stop();
        const char* name = reinterpret_cast<const char*>(m_data + m_offset + sizeof record);
        if (name[record.name_length] != '\0' || record.name_length == 0) return stop();
        out = DirectoryEntryView{record.inode, record.type, name, record.name_length};
        m_offset += record.record_bytes;
        --m_left;
        return true;
    }

    bool empty() const { return m_left == 0; }

private:
    bool stop() {
        m_left = 0;
        return false;
    }

    const uint8_t* m_data = nullptr;
    uint32_t m_bytes = 0;
    uint32_t m_offset = 0;
    uint32_t m_left = 0;
};

} // namespace posix
