// Who may do what to an inode: POSIX's owner/group/other bits against the caller's
// credentials as proc reports them (interfaces/process kProcIdentify), with root's bypass.
// Plain functions of attributes and credentials: the Vfs asks them before every change.
#pragma once

#include <stdint.h>

#include "servers/fs/vfs/file_system.h"

namespace fs {

constexpr uint32_t kMaxGroups = 16; // as proc's Credentials

struct Credentials {
    uint32_t uid = 0; // effective ids: what every check uses
    uint32_t gid = 0;
    uint32_t real_uid = 0; // access() checks with these
    uint32_t real_gid = 0;
    uint32_t group_count = 0;
    uint32_t groups[kMaxGroups] = {};
};

// The caller of a Vfs operation: its process (whose handles and working directory are meant)
// and its credentials.
struct Caller {
    uint32_t pid = 0;
    Credentials credentials;
};

// The bits of access(): what an operation needs.
constexpr uint32_t kMayExecute = 1;
constexpr uint32_t kMayWrite = 2;
constexpr uint32_t kMayRead = 4;

bool in_group(const Credentials& credentials, uint32_t gid);

// Whether `credentials` (their effective ids, or the real ones for access()) may `want`
// (kMay* bits) the inode of `attributes`. Root may everything but execute a file that is no
// directory and has no execute bit at all.
bool permitted(const Credentials& credentials, const Attributes& attributes, uint32_t want,
               bool real_ids = false);

// The sticky bit: in a directory with kModeSticky a name may be removed or replaced only by the
// file's owner, the directory's owner, or root.
bool may_delete_in(const Credentials& credentials, const Attributes& directory,
                   const Attributes& victim);

// chmod: only the owner or root (no_permission); a caller who is not root and not in the
// file's group loses the setgid bit of `mode` (POSIX), as Linux does silently.
Error check_chmod(const Credentials& credentials, const Attributes& attributes, uint32_t* mode);

// chown: root may set anything; the owner may only change the group to one it belongs to,
// keeping the owner (uid kNoChange or its own). kNoChange (-1) leaves an id as it is.
constexpr uint32_t kNoChange = 0xFFFFFFFFu;
Error check_chown(const Credentials& credentials, const Attributes& attributes, uint32_t uid,
                  uint32_t gid);

// utimes: to "now" the owner, root, or anyone with write permission; to given times only the
// owner or root.
Error check_utimes(const Credentials& credentials, const Attributes& attributes, bool now);

} // namespace fs
