#include <gtest/gtest.h>

#include <string>

#include "kernel/lib/result.h"

namespace axo {
namespace {

Result<int> parse_digit(char c) {
    if (c < '0' || c > '9') return Error::invalid_argument;
    return c - '0';
}

Result<int> sum_digits(const char* s) {
    int total = 0;
    for (; *s != '\0'; ++s)
        total += TRY(parse_digit(*s));
    return total;
}

Result<void> check_positive(int v) {
    if (v <= 0) return Error::out_of_range;
    return {};
}

Result<int> doubled_if_positive(int v) {
    TRY(check_positive(v));
    return 2 * v;
}

TEST(Result, HoldsValue) {
    Result<int> r = 42;
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(static_cast<bool>(r));
    EXPECT_EQ(r.value(), 42);
    EXPECT_EQ(r.error(), Error::none);
    EXPECT_EQ(r.value_or(7), 42);
}

TEST(Result, HoldsError) {
    Result<int> r = Error::not_found;
    EXPECT_FALSE(r.ok());
    EXPECT_FALSE(static_cast<bool>(r));
    EXPECT_EQ(r.error(), Error::not_found);
    EXPECT_EQ(r.value_or(7), 7);
}

TEST(Result, ErrorNoneIsNotSuccessWithoutValue) {
    Result<int> r = Error::none;
    EXPECT_FALSE(r.ok());
}

TEST(Result, VoidSpecialisation) {
    Result<void> good;
    EXPECT_TRUE(good.ok());
    Result<void> bad = Error::busy;
    EXPECT_FALSE(bad.ok());
    EXPECT_EQ(bad.error(), Error::busy);
}

TEST(Result, TryPropagatesErrorsAndValues) {
    EXPECT_EQ(sum_digits("123").value(), 6);
    EXPECT_EQ(sum_digits("1x3").error(), Error::invalid_argument);
    EXPECT_EQ(doubled_if_positive(4).value(), 8);
    EXPECT_EQ(doubled_if_positive(-1).error(), Error::out_of_range);
}

TEST(Result, NonTrivialValueIsCopiedMovedAndDestroyed) {
    Result<std::string> a = std::string(100, 'x');
    Result<std::string> b = a;
    Result<std::string> c = static_cast<Result<std::string>&&>(a);
    EXPECT_EQ(b.value(), std::string(100, 'x'));
    EXPECT_EQ(c.value(), std::string(100, 'x'));
    b = Error::malformed;
    EXPECT_EQ(b.error(), Error::malformed);
    b = c;
    EXPECT_EQ(b.value().size(), 100u);
}

TEST(Result, ErrorNames) {
    EXPECT_STREQ(error_name(Error::none), "none");
    EXPECT_STREQ(error_name(Error::overlap), "overlap");
    EXPECT_STREQ(error_name(Error::unsupported), "unsupported");
    EXPECT_STREQ(error_name(static_cast<Error>(200)), "unknown");
}

} // namespace
} // namespace axo
