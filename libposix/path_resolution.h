// realpath's walk: an absolute path without ".", ".." or symbolic links, built one component at
// a time from the working directory (or "/"), asking the file system about each prefix —
// `Lookup` is fs in files.cc and a fake tree in the host test
// (tests/unit/posix_path_resolution_test.cc):
//
//   int kind(const char* absolute, bool& is_link, bool& is_directory)   0 or an errno
//   int read_link(const char* absolute, char* target, size_t size)       the target's length
//                                                                        (NUL-terminated), or
//                                                                        -errno
//
// Errors as realpath's: ENOENT (a missing component, an empty path), ENOTDIR (a component that
// is no directory before others), ELOOP (more than kMaxLinks links), ENAMETOOLONG (past
// kPathMax). Pure.
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

namespace posix {

class PathResolution {
public:
    static constexpr size_t kPathMax = 4096;  // PATH_MAX, the NUL included
    static constexpr uint32_t kMaxLinks = 40; // SYMLOOP_MAX as Linux counts

    // `cwd`: the working directory (absolute). The result goes to `out` (kPathMax bytes).
    template <class Lookup>
    static int resolve(const char* path, const char* cwd, char* out, Lookup& lookup) {
        if (path == nullptr) return EINVAL;
        if (path[0] == '\0') return ENOENT;
        // What is left to walk: `path`, later a link's target followed by what came after the
        // link. Kept at the end of `rest` so that a target can go in front of it.
        char rest[kPathMax];
        size_t rest_length = length(path);
        if (rest_length >= kPathMax) return ENAMETOOLONG;
        size_t start = kPathMax - 1 - rest_length;
        copy(rest + start, path, rest_length + 1);

        size_t out_length = 0;
        if (path[0] != '/') {
            out_length = length(cwd);
            if (out_length == 0 || cwd[0] != '/' || out_length >= kPathMax) return ENOENT;
            copy(out, cwd, out_length + 1);
            while (out_length > 1 && out[out_length - 1] == '/')
                out[--out_length] = '\0';
        } else {
            out[0] = '/';
            out[1] = '\0';
            out_length = 1;
        }

        uint32_t links = 0;
        while (rest[start] != '\0') {
            while (rest[start] == '/')
                ++start;
            size_t end = start;
            while (rest[end] != '\0' && rest[end] != '/')
                ++end;
            size_t component = end - start;
            if (component == 0) break;
            bool more = rest[end] != '\0';
            if (component == 1 && rest[start] == '.') {
                start = end;
                continue;
            }
            if (component == 2 && rest[start] == '.' && rest[start + 1] == '.') {
                while (out_length > 1 && out[out_length - 1] != '/')
                    --out_length;
                if (out_length > 1) --out_length; // the slash before the removed name
                out[out_length] = '\0';
                start = end;
                continue;
            }
            size_t before = out_length;
            size_t needed = out_length + (out_length > 1 ? 1 : 0) + component;
            if (needed >= kPathMax) return ENAMETOOLONG;
            if (out_length > 1) out[out_length++] = '/';
            copy(out + out_length, rest + start, component);
            out_length += component;
            out[out_length] = '\0';
            start = end;

            bool is_link = false;
            bool is_directory = false;
            if (int error = lookup.kind(out, is_link, is_directory); error != 0) return error;
            if (is_link) {
                if (++links > kMaxLinks) return ELOOP;
                char target[kPathMax];
                int target_length = lookup.read_link(out, target, sizeof target);
                if (target_length < 0) return -target_length;
                if (target_length == 0) return ENOENT;
                size_t left = length(rest + start);
                size_t total = static_cast<size_t>(target_length) + left;
                if (total >= kPathMax) return ENAMETOOLONG;
                // rest becomes target + what was left (which starts with '/' or is empty).
                char* new_rest = rest + (kPathMax - 1 - total);
                move(new_rest + target_length, rest + start, left + 1);
                copy(new_rest, target, static_cast<size_t>(target_length));
                start = static_cast<size_t>(new_rest - rest);
                // A relative target replaces the link's name; an absolute one everything.
                out_length = before;
                if (target[0] == '/') out_length = 1;
                out[out_length] = '\0';
                continue;
            }
            if (more && !is_directory) return ENOTDIR;
        }
        return 0;
    }

private:
    static size_t length(const char* s) {
        size_t n = 0;
        while (s[n] != '\0')
            ++n;
        return n;
    }
    static void copy(char* to, const char* from, size_t n) {
        for (size_t i = 0; i < n; ++i)
            to[i] = from[i];
    }
    // Overlapping copy (rest moves within itself).
    static void move(char* to, const char* from, size_t n) {
        if (to < from) {
            for (size_t i = 0; i < n; ++i)
                to[i] = from[i];
        } else {
            for (size_t i = n; i > 0; --i)
                to[i - 1] = from[i - 1];
        }
    }
};

} // namespace posix
