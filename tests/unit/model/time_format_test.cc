#include "common/time_format.h"

#include <gtest/gtest.h>

#include <limits>

namespace spoor {
namespace {

TEST(FormatGoDuration, MatchesGoTimeDurationString) {
  EXPECT_EQ(FormatGoDuration(0), "0s");
  EXPECT_EQ(FormatGoDuration(1), "1ns");
  EXPECT_EQ(FormatGoDuration(999), "999ns");
  EXPECT_EQ(FormatGoDuration(1'000), "1µs");
  EXPECT_EQ(FormatGoDuration(1'500), "1.5µs");
  EXPECT_EQ(FormatGoDuration(-3'000), "-3µs");
  EXPECT_EQ(FormatGoDuration(250'000'000), "250ms");
  EXPECT_EQ(FormatGoDuration(1'000'001), "1.000001ms");
  EXPECT_EQ(FormatGoDuration(1'500'000'000), "1.5s");
  EXPECT_EQ(FormatGoDuration(1'000'000'000), "1s");
  EXPECT_EQ(FormatGoDuration(90'000'000'000), "1m30s");
  EXPECT_EQ(FormatGoDuration(3'600'000'000'000), "1h0m0s");
  EXPECT_EQ(FormatGoDuration(3'723'004'000'000), "1h2m3.004s");
  EXPECT_EQ(FormatGoDuration(-1'000'000'001), "-1.000000001s");
  EXPECT_EQ(FormatGoDuration(std::numeric_limits<int64_t>::min()), "-2562047h47m16.854775808s");
  EXPECT_EQ(FormatGoDuration(std::numeric_limits<int64_t>::max()), "2562047h47m16.854775807s");
}

TEST(ParseGoDuration, AcceptsGoUnitsAndFractions) {
  EXPECT_EQ(ParseGoDuration("500us"), 500'000);
  EXPECT_EQ(ParseGoDuration("500\xC2\xB5s"), 500'000);
  EXPECT_EQ(ParseGoDuration("1.2s"), 1'200'000'000);
  EXPECT_EQ(ParseGoDuration("3m"), 180'000'000'000);
  EXPECT_EQ(ParseGoDuration("1h30m"), 5'400'000'000'000);
  EXPECT_EQ(ParseGoDuration("4500ns"), 4'500);
  EXPECT_EQ(ParseGoDuration("15ms"), 15'000'000);
  EXPECT_EQ(ParseGoDuration("0"), 0);
  EXPECT_EQ(ParseGoDuration("-2s"), -2'000'000'000);
}

TEST(ParseGoDuration, RejectsMalformedText) {
  EXPECT_FALSE(ParseGoDuration(""));
  EXPECT_FALSE(ParseGoDuration("10"));
  EXPECT_FALSE(ParseGoDuration("abc"));
  EXPECT_FALSE(ParseGoDuration("1x"));
  EXPECT_FALSE(ParseGoDuration("s"));
  EXPECT_FALSE(ParseGoDuration("1.s5"));
}

TEST(Rfc3339, ParsesFractionsAndZones) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), 0u);
  EXPECT_EQ(ParseRfc3339("2017-01-26T15:46:31.639875Z"), 1485445591639875000u);
  EXPECT_EQ(ParseRfc3339("2017-01-26T16:46:31.639875+01:00"), 1485445591639875000u);
  EXPECT_FALSE(ParseRfc3339("2017-01-26"));
  EXPECT_FALSE(ParseRfc3339("2017-13-26T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("2017-01-26T00:00:00"));
}

TEST(Rfc3339, FormatRoundTrips) {
  uint64_t ns = 1485445591639875000u;
  EXPECT_EQ(FormatRfc3339(ns, false), "2017-01-26T15:46:31Z");
  EXPECT_EQ(FormatRfc3339(ns, true), "2017-01-26T15:46:31.639875000Z");
  EXPECT_EQ(ParseRfc3339(FormatRfc3339(ns, true)), ns);
}

}  // namespace
}  // namespace spoor
