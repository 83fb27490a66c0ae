// Bugs found by the fuzzers (fuzz/), each kept as a test.
#include <gtest/gtest.h>

#include <string>

#include "common/json_writer.h"
#include "common/time_format.h"

namespace spoor {
namespace {

TEST(Rfc3339, RejectsDatesThatDoNotExist) {
  EXPECT_FALSE(ParseRfc3339("2017-02-30T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("2017-04-31T00:00:00Z"));
  EXPECT_TRUE(ParseRfc3339("2016-02-29T00:00:00Z"));
}

TEST(Rfc3339, RejectsTimesPastTheUint64NanosecondRange) {
  EXPECT_EQ(ParseRfc3339("2554-07-21T23:34:33.709551615Z"), UINT64_MAX);
  EXPECT_FALSE(ParseRfc3339("2554-07-21T23:34:33.709551616Z"));
  EXPECT_FALSE(ParseRfc3339("2970-01-01T00:00:00Z"));
}

TEST(JsonWriter, HugeDoublesKeepAnExponentSoThatJsonParsersReadThem) {
  std::string out;
  JsonWriter(out).Double(0x1p64);
  EXPECT_EQ(out, "1.8446744073709552e+19");
}

}  // namespace
}  // namespace spoor
