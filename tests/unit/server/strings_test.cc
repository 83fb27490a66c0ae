// The string helpers: case, trimming, strict number parsing, byte sizes.
#include "common/strings.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace spoor {
namespace {

TEST(ToLower, LowersAsciiOnly) {
  EXPECT_EQ(ToLower("Hello WORLD 123"), "hello world 123");
  EXPECT_EQ(ToLower("\xC3\x89t\xC3\xA9"), "\xC3\x89t\xC3\xA9");  // UTF-8 bytes unchanged
  EXPECT_EQ(ToLower(""), "");
}

TEST(Trim, RemovesSpacesAndTabsAtBothEnds) {
  EXPECT_EQ(Trim("  a b\t "), "a b");
  EXPECT_EQ(Trim("\t\t"), "");
  EXPECT_EQ(Trim("x"), "x");
  EXPECT_EQ(Trim("\nx\n"), "\nx\n");  // only spaces and tabs
}

TEST(StartsWith, ComparesThePrefix) {
  EXPECT_TRUE(StartsWith("/api/v3/traces", "/api/v3/"));
  EXPECT_TRUE(StartsWith("abc", ""));
  EXPECT_TRUE(StartsWith("abc", "abc"));
  EXPECT_FALSE(StartsWith("ab", "abc"));
  EXPECT_FALSE(StartsWith("/API", "/api"));
}

TEST(ParseInt64, AcceptsOnlyAWholeDecimalNumber) {
  EXPECT_EQ(ParseInt64("0"), 0);
  EXPECT_EQ(ParseInt64("-42"), -42);
  EXPECT_EQ(ParseInt64("9223372036854775807"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ParseInt64("-9223372036854775808"), std::numeric_limits<int64_t>::min());
  for (const char* bad : {"", " 1", "1 ", "1.0", "0x10", "+1", "12a", "9223372036854775808", "-"}) {
    EXPECT_EQ(ParseInt64(bad), std::nullopt) << bad;
  }
}

TEST(ParseUint64, AcceptsOnlyAWholeUnsignedNumber) {
  EXPECT_EQ(ParseUint64("18446744073709551615"), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(ParseUint64("007"), 7u);
  for (const char* bad : {"", "-1", "18446744073709551616", "1e3", "1_000"}) {
    EXPECT_EQ(ParseUint64(bad), std::nullopt) << bad;
  }
}

TEST(ParseDouble, AcceptsDecimalAndExponentForms) {
  EXPECT_EQ(ParseDouble("72.5"), 72.5);
  EXPECT_EQ(ParseDouble("-0.25"), -0.25);
  EXPECT_EQ(ParseDouble("1e3"), 1000.0);
  for (const char* bad : {"", "1.5x", " 1", "abc"}) {
    EXPECT_EQ(ParseDouble(bad), std::nullopt) << bad;
  }
}

TEST(ParseByteSize, PlainNumbersAreBytes) {
  EXPECT_EQ(ParseByteSize("1000"), 1000u);
  EXPECT_EQ(ParseByteSize("0"), 0u);
  EXPECT_EQ(ParseByteSize("12b"), 12u);
}

TEST(ParseByteSize, DecimalAndBinarySuffixes) {
  EXPECT_EQ(ParseByteSize("10KB"), 10'000u);
  EXPECT_EQ(ParseByteSize("10KiB"), 10u * 1024);
  EXPECT_EQ(ParseByteSize("10k"), 10u * 1024);
  EXPECT_EQ(ParseByteSize("3MB"), 3'000'000u);
  EXPECT_EQ(ParseByteSize("64MiB"), 64u << 20);
  EXPECT_EQ(ParseByteSize("64m"), 64u << 20);
  EXPECT_EQ(ParseByteSize("2GB"), 2'000'000'000u);
  EXPECT_EQ(ParseByteSize("2GiB"), 2ULL << 30);
  EXPECT_EQ(ParseByteSize("2g"), 2ULL << 30);
}

TEST(ParseByteSize, SuffixIsCaseInsensitiveAndMayBeSpaced) {
  EXPECT_EQ(ParseByteSize("512kib"), 512u * 1024);
  EXPECT_EQ(ParseByteSize("512 KiB"), 512u * 1024);
  EXPECT_EQ(ParseByteSize(" 1mib "), 1u << 20);
}

TEST(ParseByteSize, MalformedIsRejected) {
  for (const char* bad : {"", "MiB", "1.5MiB", "10 parsecs", "-1", "10KiBs", "1TiB"}) {
    EXPECT_EQ(ParseByteSize(bad), std::nullopt) << bad;
  }
}

TEST(ParseByteSize, ProductThatOverflowsIsRejected) {
  // 2^34 GiB is 2^64 bytes: not representable.
  EXPECT_EQ(ParseByteSize("17179869184GiB"), std::nullopt);
  EXPECT_EQ(ParseByteSize("17179869185GiB"), std::nullopt);  // would wrap to 1 GiB
  EXPECT_EQ(ParseByteSize("17179869183GiB"), 17179869183ULL << 30);
  EXPECT_EQ(ParseByteSize("18446744073709551615"), std::numeric_limits<uint64_t>::max());
}

}  // namespace
}  // namespace spoor
