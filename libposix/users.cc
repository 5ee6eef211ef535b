// The user and group database (libposix/README.md): getpwnam, getpwuid, getpwent, getgrnam,
// getgrgid, getgrent, getgrouplist, initgroups, reading /etc/passwd and /etc/group through stdio
// line by line — no cache, so an edit of the files is seen at the next call. The answer lives in
// static storage that the next call overwrites, as POSIX allows.
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libposix/user_database.h"

namespace {

constexpr size_t kLineBytes = 512;
constexpr uint32_t kMaxMembers = 32;

char g_passwd_line[kLineBytes];
struct passwd g_passwd;
FILE* g_passwd_file;

char g_group_line[kLineBytes];
char* g_group_members[kMaxMembers + 1];
struct group g_group;
FILE* g_group_file;

char* writable(const char* text) {
    return const_cast<char*>(text);
}

// The next well-formed entry of an open /etc/passwd, or nullptr at its end.
struct passwd* next_passwd(FILE* file) {
    posix::PasswdLine line{};
    while (fgets(g_passwd_line, sizeof g_passwd_line, file) != nullptr) {
        if (!posix::parse_passwd_line(g_passwd_line, line)) continue;
        g_passwd = {};
        g_passwd.pw_name = writable(line.name);
        g_passwd.pw_passwd = writable(line.password);
        g_passwd.pw_uid = static_cast<uid_t>(line.uid);
        g_passwd.pw_gid = static_cast<gid_t>(line.gid);
        g_passwd.pw_gecos = writable(line.gecos);
        g_passwd.pw_comment = writable(line.gecos);
        g_passwd.pw_dir = writable(line.home);
        g_passwd.pw_shell = writable(line.shell);
        return &g_passwd;
    }
    return nullptr;
}

struct group* next_group(FILE* file) {
    posix::GroupLine line{};
    while (fgets(g_group_line, sizeof g_group_line, file) != nullptr) {
        if (!posix::parse_group_line(g_group_line, line)) continue;
        uint32_t count = posix::split_members(line.members, g_group_members, kMaxMembers);
        g_group_members[count] = nullptr;
        g_group = {};
        g_group.gr_name = writable(line.name);
        g_group.gr_passwd = writable(line.password);
        g_group.gr_gid = static_cast<gid_t>(line.gid);
        g_group.gr_mem = g_group_members;
        return &g_group;
    }
    return nullptr;
}

// The first entry `matches` accepts, from a fresh open of the file (errno from fopen if it
// cannot be read; a missing entry leaves errno alone, as POSIX says).
template <typename Entry, typename Next, typename Match>
Entry* find(const char* path, Next next, Match matches) {
    FILE* file = fopen(path, "r");
    if (file == nullptr) return nullptr;
    Entry* found = nullptr;
    while (Entry* entry = next(file)) {
        if (matches(*entry)) {
            found = entry;
            break;
        }
    }
    fclose(file);
    return found;
}

} // namespace

extern "C" {

struct passwd* getpwnam(const char* name) {
    if (name == nullptr) return nullptr;
    return find<struct passwd>("/etc/passwd", next_passwd,
                               [name](const passwd& p) { return strcmp(p.pw_name, name) == 0; });
}

struct passwd* getpwuid(uid_t uid) {
    return find<struct passwd>("/etc/passwd", next_passwd,
                               [uid](const passwd& p) { return p.pw_uid == uid; });
}

void setpwent(void) {
    if (g_passwd_file != nullptr) rewind(g_passwd_file);
}

struct passwd* getpwent(void) {
    if (g_passwd_file == nullptr) g_passwd_file = fopen("/etc/passwd", "r");
    return g_passwd_file != nullptr ? next_passwd(g_passwd_file) : nullptr;
}

void endpwent(void) {
    if (g_passwd_file != nullptr) fclose(g_passwd_file);
    g_passwd_file = nullptr;
}

struct group* getgrnam(const char* name) {
    if (name == nullptr) return nullptr;
    return find<struct group>("/etc/group", next_group,
                              [name](const group& g) { return strcmp(g.gr_name, name) == 0; });
}

struct group* getgrgid(gid_t gid) {
    return find<struct group>("/etc/group", next_group,
                              [gid](const group& g) { return g.gr_gid == gid; });
}

void setgrent(void) {
    if (g_group_file != nullptr) rewind(g_group_file);
}

struct group* getgrent(void) {
    if (g_group_file == nullptr) g_group_file = fopen("/etc/group", "r");
    return g_group_file != nullptr ? next_group(g_group_file) : nullptr;
}

void endgrent(void) {
    if (g_group_file != nullptr) fclose(g_group_file);
    g_group_file = nullptr;
}

int getgrouplist(const char* user, gid_t group, gid_t* groups, int* ngroups) {
    if (user == nullptr || ngroups == nullptr || *ngroups < 0) {
        errno = EINVAL;
        return -1;
    }
    uint32_t found[kMaxMembers];
    uint32_t capacity = static_cast<uint32_t>(*ngroups);
    posix::GroupList list{found, capacity < kMaxMembers ? capacity : kMaxMembers, 0};
    list.add(group);
    if (FILE* file = fopen("/etc/group", "r"); file != nullptr) {
        while (struct group* entry = next_group(file)) {
            uint32_t members = 0;
            while (entry->gr_mem[members] != nullptr)
                ++members;
            if (posix::is_member(user, entry->gr_mem, members)) list.add(entry->gr_gid);
        }
        fclose(file);
    }
    uint32_t stored = list.count < list.capacity ? list.count : list.capacity;
    for (uint32_t i = 0; i < stored; ++i)
        groups[i] = static_cast<gid_t>(found[i]);
    // At most kMaxMembers groups are gathered: a user in more is told there is never room.
    *ngroups = static_cast<int>(list.count);
    return list.fits() ? static_cast<int>(list.count) : -1;
}

// The supplementary groups of `user` and `group` become the caller's (setgroups: root only).
int initgroups(const char* user, gid_t group) {
    gid_t groups[NGROUPS_MAX];
    int count = NGROUPS_MAX;
    if (getgrouplist(user, group, groups, &count) < 0) count = NGROUPS_MAX; // the first ones
    return setgroups(count, groups);
}

} // extern "C"
