// dirname (<libgen.h>): newlib declares it but builds it only for some targets. POSIX's
// rules: trailing slashes do not count, "/" stays "/", a name without a slash is in ".".
#include <libgen.h>

extern "C" char* dirname(char* path) {
    static char dot[] = ".";
    if (path == nullptr || path[0] == '\0') return dot;
    int end = 0;
    while (path[end] != '\0')
        ++end;
    --end;
    while (end > 0 && path[end] == '/') // trailing slashes
        --end;
    while (end >= 0 && path[end] != '/') // the last name
        --end;
    if (end < 0) return dot;
    while (end > 0 && path[end] == '/') // the slashes before it
        --end;
    path[end + 1] = '\0';
    return path;
}
