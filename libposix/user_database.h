// The lines of /etc/passwd and /etc/group (users.cc reads them through stdio): split in place
// into their fields, the numbers checked. Pure: host-tested
// (tests/unit/posix_user_database_test.cc).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace posix {

// name:password:uid:gid:gecos:home:shell
struct PasswdLine {
    const char* name;
    const char* password;
    uint32_t uid;
    uint32_t gid;
    const char* gecos;
    const char* home;
    const char* shell;
};

// name:password:gid:member,member,...
struct GroupLine {
    const char* name;
    const char* password;
    uint32_t gid;
    char* members; // comma-separated; split_members() cuts it
};

namespace user_database {

// Cuts `line` at the next ':' (or its end, the trailing newline removed) and returns the field;
// `line` moves past it, nullptr once there is nothing left.
inline char* next_field(char*& line) {
    if (line == nullptr) return nullptr;
    char* field = line;
    char* p = line;
    while (*p != '\0' && *p != ':' && *p != '\n')
        ++p;
    if (*p == ':') {
        *p = '\0';
        line = p + 1;
    } else {
        *p = '\0';
        line = nullptr;
    }
    return field;
}

// A decimal id below 2^32, nothing else in the field.
inline bool parse_id(const char* text, uint32_t& out) {
    if (text == nullptr || *text == '\0') return false;
    uint64_t value = 0;
    for (const char* p = text; *p != '\0'; ++p) {
        if (*p < '0' || *p > '9') return false;
        value = value * 10 + static_cast<uint64_t>(*p - '0');
        if (value > UINT32_MAX) return false;
    }
    out = static_cast<uint32_t>(value);
    return true;
}

// The `Count` colon-separated fields of an entry line, the first (the name) not empty; false for
// a comment, a blank line or too few fields.
template <size_t Count> bool split_line(char* line, char* (&fields)[Count]) {
    if (line == nullptr || line[0] == '#' || line[0] == '\n' || line[0] == '\0') return false;
    for (char*& field : fields) {
        field = next_field(line);
        if (field == nullptr) return false;
    }
    return fields[0][0] != '\0';
}

} // namespace user_database

// A comment, a blank line, too few fields or a bad number: false (the line is skipped).
inline bool parse_passwd_line(char* line, PasswdLine& out) {
    char* fields[7];
    if (!user_database::split_line(line, fields)) return false;
    out.name = fields[0];
    out.password = fields[1];
    out.gecos = fields[4];
    out.home = fields[5];
    out.shell = fields[6];
    return user_database::parse_id(fields[2], out.uid) &&
           user_database::parse_id(fields[3], out.gid);
}

inline bool parse_group_line(char* line, GroupLine& out) {
    char* fields[4];
    if (!user_database::split_line(line, fields)) return false;
    out.name = fields[0];
    out.password = fields[1];
    out.members = fields[3];
    return user_database::parse_id(fields[2], out.gid);
}

// Cuts a member list in place into at most `capacity` names (empty names skipped); returns the
// count. The caller terminates its array.
inline uint32_t split_members(char* list, char** names, uint32_t capacity) {
    uint32_t count = 0;
    char* p = list;
    while (p != nullptr && *p != '\0' && count < capacity) {
        char* name = p;
        while (*p != '\0' && *p != ',')
            ++p;
        if (*p == ',') *p++ = '\0';
        if (*name != '\0') names[count++] = name;
    }
    return count;
}

// getgrouplist's list being gathered: each group once, in the order first seen, at most
// `capacity` stored; `count` also counts those that did not fit (what the caller must make room
// for), so a group seen twice after the list filled up is counted twice — an answer too large
// by some, never too small.
struct GroupList {
    uint32_t* groups;
    uint32_t capacity;
    uint32_t count;

    void add(uint32_t gid) {
        uint32_t stored = count < capacity ? count : capacity;
        for (uint32_t i = 0; i < stored; ++i)
            if (groups[i] == gid) return;
        if (count < capacity) groups[count] = gid;
        ++count;
    }
    bool fits() const { return count <= capacity; }
};

// Whether `name` is among the members of a group (split_members' names, `count` of them).
inline bool is_member(const char* name, char* const* members, uint32_t count) {
    for (uint32_t i = 0; i < count; ++i) {
        const char* a = members[i];
        const char* b = name;
        while (*a != '\0' && *a == *b) {
            ++a;
            ++b;
        }
        if (*a == '\0' && *b == '\0') return true;
    }
    return false;
}

} // namespace posix
