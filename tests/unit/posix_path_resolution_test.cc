// realpath's walk (libposix/path_resolution.h) over a fake tree: ".", "..", relative and
// absolute symbolic links, the working directory, and its errors.
#include "libposix/path_resolution.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>

namespace posix {
namespace {

struct FakeTree {
    std::map<std::string, std::string> links; // path -> target
    std::map<std::string, bool> nodes;        // path -> is a directory
    int asked = 0;

    int kind(const char* path, bool& is_link, bool& is_directory) {
        ++asked;
        std::string p(path);
        if (auto link = links.find(p); link != links.end()) {
            is_link = true;
            is_directory = false;
            return 0;
        }
        auto node = nodes.find(p);
        if (node == nodes.end()) return ENOENT;
        is_link = false;
        is_directory = node->second;
        return 0;
    }
    int read_link(const char* path, char* target, size_t size) {
        const std::string& t = links.at(path);
        if (t.size() >= size) return -ENAMETOOLONG;
        std::memcpy(target, t.c_str(), t.size() + 1);
        return static_cast<int>(t.size());
    }
};

FakeTree tree() {
    FakeTree t;
    t.nodes = {{"/", true},          {"/a", true},   {"/a/b", true},
               {"/a/b/file", false}, {"/etc", true}, {"/etc/conf", false}};
    t.links = {{"/a/rel", "b/file"}, {"/a/abs", "/etc"},  {"/a/up", "../etc/conf"},
               {"/loop1", "/loop2"}, {"/loop2", "loop1"}, {"/a/chain", "rel"}};
    return t;
}

std::string resolve(FakeTree& t, const char* path, const char* cwd = "/", int* error = nullptr) {
    char out[PathResolution::kPathMax];
    int e = PathResolution::resolve(path, cwd, out, t);
    if (error != nullptr) *error = e;
    return e == 0 ? std::string(out) : std::string("errno ") + std::to_string(e);
}

TEST(PosixPathResolution, DotsAndSlashesAreRemoved) {
    FakeTree t = tree();
    EXPECT_EQ(resolve(t, "/"), "/");
    EXPECT_EQ(resolve(t, "//a//b/./"), "/a/b");
    EXPECT_EQ(resolve(t, "/a/b/../b/file"), "/a/b/file");
    EXPECT_EQ(resolve(t, "/.."), "/") << ".. of the root is the root";
    EXPECT_EQ(resolve(t, "/a/../../etc"), "/etc");
}

TEST(PosixPathResolution, RelativePathsStartAtTheWorkingDirectory) {
    FakeTree t = tree();
    EXPECT_EQ(resolve(t, "b/file", "/a"), "/a/b/file");
    EXPECT_EQ(resolve(t, "..", "/a/b"), "/a");
    EXPECT_EQ(resolve(t, ".", "/a/"), "/a");
}

TEST(PosixPathResolution, SymbolicLinksAreFollowed) {
    FakeTree t = tree();
    EXPECT_EQ(resolve(t, "/a/rel"), "/a/b/file") << "relative to the link's directory";
    EXPECT_EQ(resolve(t, "/a/abs/conf"), "/etc/conf") << "absolute";
    EXPECT_EQ(resolve(t, "/a/up"), "/etc/conf") << ".. inside a target";
    EXPECT_EQ(resolve(t, "/a/chain"), "/a/b/file") << "a link to a link";
    EXPECT_EQ(resolve(t, "/a/abs/.."), "/") << ".. after a followed link is the target's parent";
}

TEST(PosixPathResolution, Errors) {
    FakeTree t = tree();
    int error = 0;
    resolve(t, "/a/none", "/", &error);
    EXPECT_EQ(error, ENOENT);
    resolve(t, "", "/", &error);
    EXPECT_EQ(error, ENOENT);
    resolve(t, "/a/b/file/x", "/", &error);
    EXPECT_EQ(error, ENOTDIR);
    resolve(t, "/a/b/file/", "/", &error);
    EXPECT_EQ(error, ENOTDIR) << "a trailing slash asks for a directory";
    resolve(t, "/loop1", "/", &error);
    EXPECT_EQ(error, ELOOP);
    std::string long_name(PathResolution::kPathMax, 'x');
    resolve(t, ("/" + long_name).c_str(), "/", &error);
    EXPECT_EQ(error, ENAMETOOLONG);
}

TEST(PosixPathResolution, LinksCountAcrossTheWholeWalk) {
    FakeTree t;
    t.nodes = {{"/", true}, {"/end", false}};
    // /l0 -> /l1 -> ... -> /l40 -> /end: 41 links, one more than allowed.
    for (int i = 0; i <= 40; ++i)
        t.links["/l" + std::to_string(i)] = i == 40 ? "/end" : "/l" + std::to_string(i + 1);
    int error = 0;
    resolve(t, "/l0", "/", &error);
    EXPECT_EQ(error, ELOOP);
    EXPECT_EQ(resolve(t, "/l1"), "/end") << "40 links are allowed";
}

} // namespace
} // namespace posix
