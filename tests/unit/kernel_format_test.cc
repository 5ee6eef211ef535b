#include <gtest/gtest.h>

#include <stdint.h>
#include <string>

#include "kernel/lib/format.h"

namespace axo {
namespace {

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
    char buf[256];
    va_list args;
    va_start(args, f);
    size_t n = vformat(buf, sizeof buf, f, args);
    va_end(args);
    EXPECT_EQ(n, strlen(buf));
    return buf;
}

// For formats the compiler's -Wformat rightly frowns upon but the kernel must still handle.
std::string fmt_unchecked(const char* f, ...) {
    char buf[256];
    va_list args;
    va_start(args, f);
    vformat(buf, sizeof buf, f, args);
    va_end(args);
    return buf;
}

TEST(Format, Strings) {
    EXPECT_EQ(fmt("hello"), "hello");
    EXPECT_EQ(fmt("%s-%s", "a", "bc"), "a-bc");
    EXPECT_EQ(fmt_unchecked("%s", static_cast<const char*>(nullptr)), "(null)");
    EXPECT_EQ(fmt("[%5s]", "ab"), "[   ab]");
    EXPECT_EQ(fmt("[%-5s]", "ab"), "[ab   ]");
    EXPECT_EQ(fmt_unchecked("[%05s]", "ab"), "[   ab]"); // zero padding is for numbers only
    EXPECT_EQ(fmt("[%1s]", "abc"), "[abc]");
    EXPECT_EQ(fmt("%c%c%c", 'x', 'y', 'z'), "xyz");
    EXPECT_EQ(fmt("[%3c]", 'x'), "[  x]");
    EXPECT_EQ(fmt("100%%"), "100%");
}

TEST(Format, Signed) {
    EXPECT_EQ(fmt("%d", 0), "0");
    EXPECT_EQ(fmt("%d %i", -42, 42), "-42 42");
    EXPECT_EQ(fmt("%d", INT32_MIN), "-2147483648");
    EXPECT_EQ(fmt("%d", INT32_MAX), "2147483647");
    EXPECT_EQ(fmt("%ld", -1234567L), "-1234567");
    EXPECT_EQ(fmt("%lld", static_cast<long long>(INT64_MIN)), "-9223372036854775808");
    EXPECT_EQ(fmt("%lld", 1234567890123LL), "1234567890123");
    EXPECT_EQ(fmt("[%5d]", -42), "[  -42]");
    EXPECT_EQ(fmt("[%05d]", -42), "[-0042]");
    EXPECT_EQ(fmt("[%-5d]", -42), "[-42  ]");
}

TEST(Format, Unsigned) {
    EXPECT_EQ(fmt("%u", 4294967295u), "4294967295");
    EXPECT_EQ(fmt("%lu", 77UL), "77");
    EXPECT_EQ(fmt("%llu", 18446744073709551615ULL), "18446744073709551615");
    EXPECT_EQ(fmt("%zu", static_cast<size_t>(4096)), "4096");
    EXPECT_EQ(fmt("%x", 0xdeadbeefu), "deadbeef");
    EXPECT_EQ(fmt("%X", 0xdeadbeefu), "DEADBEEF");
    EXPECT_EQ(fmt("%08x", 0x1234u), "00001234");
    EXPECT_EQ(fmt("%-8x|", 0x1234u), "1234    |");
    EXPECT_EQ(fmt("%llx", 0x123456789abcdefULL), "123456789abcdef");
    EXPECT_EQ(fmt("%zx", static_cast<size_t>(0xabc)), "abc");
    EXPECT_EQ(fmt("%x", 0u), "0");
}

TEST(Format, Pointer) {
    EXPECT_EQ(fmt("%p", reinterpret_cast<void*>(0x1000)), "0x1000");
    EXPECT_EQ(fmt("%p", static_cast<void*>(nullptr)), "0x0");
    EXPECT_EQ(fmt_unchecked("%010p", reinterpret_cast<void*>(0xbeef)), "0x0000beef");
}

TEST(Format, UnknownConversionIsPrintedVerbatim) {
    char buf[32];
    // Built at run time so the compiler's format check does not reject it.
    std::string f = "a%qb";
    format(buf, sizeof buf, f.c_str());
    EXPECT_STREQ(buf, "a%qb");
    f = "end%";
    format(buf, sizeof buf, f.c_str());
    EXPECT_STREQ(buf, "end%");
}

TEST(Format, TruncatesAndAlwaysTerminates) {
    char buf[8];
    memset(buf, 'z', sizeof buf);
    EXPECT_EQ(format(buf, sizeof buf, "%s", "0123456789"), 10u);
    EXPECT_STREQ(buf, "0123456");
    EXPECT_EQ(format(buf, 1, "abc"), 3u);
    EXPECT_EQ(buf[0], '\0');
    buf[0] = 'q';
    EXPECT_EQ(format(buf, 0, "abc"), 3u);
    EXPECT_EQ(buf[0], 'q'); // size 0 writes nothing
    EXPECT_EQ(format(buf, sizeof buf, "%08x", 0xffu), 8u);
    EXPECT_STREQ(buf, "000000f");
}

TEST(Format, ExactFit) {
    char buf[4];
    EXPECT_EQ(format(buf, sizeof buf, "abc"), 3u);
    EXPECT_STREQ(buf, "abc");
    std::string empty;
    EXPECT_EQ(format(buf, sizeof buf, empty.c_str()), 0u);
    EXPECT_STREQ(buf, "");
}

void append(void* ctx, const char* s, size_t n) {
    static_cast<std::string*>(ctx)->append(s, n);
}

TEST(Format, PrintToHasNoLengthLimit) {
    std::string out;
    std::string big(5000, 'k');
    print_to(append, &out, "<%s|%6d>", big.c_str(), 12);
    EXPECT_EQ(out, "<" + big + "|    12>");
}

TEST(Format, RegressionLargeWidthIsClampedNotOverflowed) {
    std::string out;
    std::string f = "%99999999999999999999d";
    print_to(append, &out, f.c_str(), 1);
    EXPECT_GE(out.size(), 4096u);
    EXPECT_LE(out.size(), 41000u);
}

} // namespace
} // namespace axo
