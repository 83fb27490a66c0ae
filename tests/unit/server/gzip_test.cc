// gzip compression and limited decompression.
#include "common/gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace spoor {
namespace {

std::string Sample() {
  std::string s;
  for (int i = 0; i < 5000; ++i) s += "span " + std::to_string(i) + " \x01\xff ";
  return s;
}

// zlib (RFC 1950) framing instead of gzip.
std::string ZlibCompress(const std::string& data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  compress(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(data.data()),
           static_cast<uLong>(data.size()));
  out.resize(size);
  return out;
}

TEST(Gzip, RoundTrip) {
  std::string data = Sample();
  std::string compressed = GzipCompress(data);
  EXPECT_LT(compressed.size(), data.size());
  // gzip magic bytes.
  ASSERT_GE(compressed.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(compressed[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(compressed[1]), 0x8b);
  std::string out;
  Status s = GunzipLimited(compressed, data.size(), &out);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(out, data);
}

TEST(Gzip, EmptyInputRoundTrips) {
  std::string out = "stale";
  ASSERT_TRUE(GunzipLimited(GzipCompress(""), 0, &out).ok());
  EXPECT_EQ(out, "");
}

TEST(Gzip, ZlibFramingIsAcceptedToo) {
  std::string data = Sample();
  std::string out;
  ASSERT_TRUE(GunzipLimited(ZlibCompress(data), data.size(), &out).ok());
  EXPECT_EQ(out, data);
}

TEST(Gzip, CorruptInputIsInvalidArgument) {
  std::string out;
  Status s = GunzipLimited("definitely not gzip", 1 << 20, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("gzip"), std::string::npos);

  std::string compressed = GzipCompress(Sample());
  compressed[compressed.size() / 2] ^= 0x55;
  compressed[compressed.size() / 2 + 1] ^= 0x55;
  EXPECT_EQ(GunzipLimited(compressed, 1 << 20, &out).code(), StatusCode::kInvalidArgument);
}

TEST(Gzip, TruncatedInputIsInvalidArgument) {
  std::string compressed = GzipCompress(Sample());
  std::string out;
  Status s = GunzipLimited(compressed.substr(0, compressed.size() / 2), 1 << 20, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  // Without the 8-byte trailer (CRC and length) the stream is incomplete.
  s = GunzipLimited(compressed.substr(0, compressed.size() - 4), 1 << 20, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

TEST(Gzip, EmptyCompressedInputIsInvalidArgument) {
  std::string out;
  EXPECT_EQ(GunzipLimited("", 100, &out).code(), StatusCode::kInvalidArgument);
}

TEST(Gzip, OutputAtTheLimitIsAccepted) {
  std::string data(1000, 'a');
  std::string out;
  EXPECT_TRUE(GunzipLimited(GzipCompress(data), 1000, &out).ok());
  EXPECT_EQ(out.size(), 1000u);
}

TEST(Gzip, OutputOverTheLimitIsTooLarge) {
  std::string data(1001, 'a');
  std::string out;
  Status s = GunzipLimited(GzipCompress(data), 1000, &out);
  EXPECT_EQ(s.code(), StatusCode::kTooLarge);
  EXPECT_NE(s.message().find("1000"), std::string::npos) << s.message();
}

TEST(Gzip, TinyBombIsStoppedAtTheLimit) {
  // 16 MiB of zeros compress to about 16 KiB; stop after 100 kB.
  std::string bomb = GzipCompress(std::string(16u << 20, '\0'));
  ASSERT_LT(bomb.size(), 100000u);
  std::string out;
  Status s = GunzipLimited(bomb, 100000, &out);
  EXPECT_EQ(s.code(), StatusCode::kTooLarge);
  EXPECT_LE(out.size(), 100000u);
}

TEST(Gzip, ConcatenatedMembersAreAllDecompressed) {
  // RFC 1952: a gzip stream may hold several members one after another (as
  // `cat a.gz b.gz` or a streaming compressor that flushes members makes),
  // and means their contents in order.
  const std::string a = Sample();
  const std::string b = "second member " + Sample();
  std::string out;
  Status s = GunzipLimited(GzipCompress(a) + GzipCompress(b) + GzipCompress(""), 1 << 20, &out);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(out, a + b);
}

TEST(Gzip, LimitAppliesToAllMembersTogether) {
  std::string out;
  Status s = GunzipLimited(
      GzipCompress(std::string(600, 'a')) + GzipCompress(std::string(600, 'b')), 1000, &out);
  EXPECT_EQ(s.code(), StatusCode::kTooLarge);
}

TEST(Gzip, BytesAfterTheLastMemberAreInvalidArgument) {
  std::string out;
  Status s = GunzipLimited(GzipCompress("spans") + "trailing", 1 << 20, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("after the end"), std::string::npos) << s.message();
  // A truncated second member is refused too, not taken for the first alone.
  std::string second = GzipCompress(Sample());
  s = GunzipLimited(GzipCompress("spans") + second.substr(0, second.size() / 2), 1 << 20, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace spoor
