#include "model/ids.h"

#include <gtest/gtest.h>

#include <string>

namespace spoor {
namespace {

TEST(TraceId, JaegerHexDropsZeroHighHalf) {
  TraceId id{0, 0xabc};
  EXPECT_EQ(id.HexJaeger(), "0000000000000abc");
  EXPECT_EQ(id.Hex32(), "00000000000000000000000000000abc");
  TraceId wide{1, 2};
  EXPECT_EQ(wide.HexJaeger(), "00000000000000010000000000000002");
}

TEST(TraceId, ParseHexAcceptsShortAndLongForms) {
  EXPECT_EQ(TraceId::ParseHex("abc"), (TraceId{0, 0xabc}));
  EXPECT_EQ(TraceId::ParseHex("0000000000000001ffffffffffffffff"), (TraceId{1, ~0ULL}));
  EXPECT_EQ(TraceId::ParseHex("ABCDEF"), (TraceId{0, 0xabcdef}));
  EXPECT_FALSE(TraceId::ParseHex(""));
  EXPECT_FALSE(TraceId::ParseHex("xyz"));
  EXPECT_FALSE(TraceId::ParseHex(std::string(33, '1')));
}

TEST(TraceId, ParseHexRefusesEveryByteThatIsNotAHexDigit) {
  // Each byte in each position: the neighbours of the digit ranges
  // ('/', ':', '@', 'G', '`', 'g'), NUL and bytes above 0x7F included.
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const bool digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    for (size_t at : {size_t{0}, size_t{7}, size_t{15}, size_t{31}}) {
      std::string hex(32, '1');
      hex[at] = c;
      EXPECT_EQ(TraceId::ParseHex(hex).has_value(), digit) << "byte " << b << " at " << at;
    }
    std::string span(16, 'a');
    span[3] = c;
    EXPECT_EQ(SpanId::ParseHex(span).has_value(), digit) << "byte " << b;
  }
  EXPECT_EQ(TraceId::ParseHex("fFaA09"), (TraceId{0, 0xffaa09}));
}

TEST(TraceId, BytesRoundTripBigEndian) {
  TraceId id{0x0102030405060708ULL, 0x090a0b0c0d0e0f10ULL};
  char buf[16];
  id.ToBytes(buf);
  EXPECT_EQ(buf[0], 1);
  EXPECT_EQ(buf[15], 16);
  EXPECT_EQ(TraceId::FromBytes(std::string_view(buf, 16)), id);
  EXPECT_FALSE(TraceId::FromBytes(std::string_view(buf, 15)));
}

TEST(SpanId, HexAndBytes) {
  SpanId id{0xff};
  EXPECT_EQ(id.Hex(), "00000000000000ff");
  EXPECT_EQ(SpanId::ParseHex("ff"), id);
  EXPECT_FALSE(SpanId::ParseHex("0123456789abcdef0"));
  char buf[8];
  id.ToBytes(buf);
  EXPECT_EQ(SpanId::FromBytes(std::string_view(buf, 8)), id);
}

}  // namespace
}  // namespace spoor
