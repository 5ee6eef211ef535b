#include "servers/fs/vfs/permissions.h"

namespace fs {

bool in_group(const Credentials& credentials, uint32_t gid) {
    if (credentials.gid == gid) return true;
    uint32_t count = credentials.group_count < kMaxGroups ? credentials.group_count : kMaxGroups;
    for (uint32_t i = 0; i < count; ++i)
        if (credentials.groups[i] == gid) return true;
    return false;
}

bool permitted(const Credentials& credentials, const Attributes& attributes, uint32_t want,
               bool real_ids) {
    uint32_t uid = real_ids ? credentials.real_uid : credentials.uid;
    uint32_t gid = real_ids ? credentials.real_gid : credentials.gid;
    if (uid == 0) {
        // Root reads and writes anything and searches every directory, but runs only what
        // someone marked executable.
        if ((want & kMayExecute) != 0 && !is_directory(attributes.mode) &&
            (attributes.mode & 0111) == 0)
            return false;
        return true;
    }
    uint32_t bits = 0;
    if (uid == attributes.uid)
        bits = (attributes.mode >> 6) & 7;
    else if (gid == attributes.gid || in_group(credentials, attributes.gid))
        bits = (attributes.mode >> 3) & 7;
    else
        bits = attributes.mode & 7;
    return (bits & want) == want;
}

bool may_delete_in(const Credentials& credentials, const Attributes& directory,
                   const Attributes& victim) {
    if ((directory.mode & kModeSticky) == 0) return true;
    return credentials.uid == 0 || credentials.uid == victim.uid ||
           credentials.uid == directory.uid;
}

Error check_chmod(const Credentials& credentials, const Attributes& attributes, uint32_t* mode) {
    if (credentials.uid != 0 && credentials.uid != attributes.uid) return Error::no_permission;
    if (credentials.uid != 0 && !in_group(credentials, attributes.gid)) *mode &= ~kModeSetGid;
    return Error::ok;
}

Error check_chown(const Credentials& credentials, const Attributes& attributes, uint32_t uid,
                  uint32_t gid) {
    if (credentials.uid == 0) return Error::ok;
    if (credentials.uid != attributes.uid) return Error::no_permission;
    if (uid != kNoChange && uid != attributes.uid) return Error::no_permission;
    if (gid != kNoChange && gid != attributes.gid && !in_group(credentials, gid))
        return Error::no_permission;
    return Error::ok;
}

Error check_utimes(const Credentials& credentials, const Attributes& attributes, bool now) {
    if (credentials.uid == 0 || credentials.uid == attributes.uid) return Error::ok;
    if (now && permitted(credentials, attributes, kMayWrite)) return Error::ok;
    return now ? Error::access_denied : Error::no_permission;
}

} // namespace fs
