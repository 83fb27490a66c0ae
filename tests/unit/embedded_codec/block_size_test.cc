// The encoded size on the tracegen-like workload, printed for the record.
// The bound asserted is loose on purpose: the figure to watch is printed.
#include <gtest/gtest.h>

#include <cstdio>

#include "codec_test_util.h"
#include "storage/embedded/block_codec.h"

namespace spoor {
namespace {

double BytesPerSpan(const std::vector<SpanRecord>& spans, const BlockEncodeOptions& options) {
  const std::string block = EncodeBlock(spans, options);
  std::vector<SpanRecord> decoded;
  EXPECT_TRUE(DecodeBlock(block, &decoded).ok());
  EXPECT_EQ(decoded.size(), spans.size());
  return static_cast<double>(block.size()) / static_cast<double>(spans.size());
}

TEST(BlockSize, TracegenWorkload) {
  const std::vector<SpanRecord> spans = testing::TracegenSpans(200);  // 20,000 spans
  BlockEncodeOptions options;
  const double size = BytesPerSpan(spans, options);
  std::printf("block codec: %zu tracegen-like spans, %.2f bytes/span (zstd level %d)\n",
              spans.size(), size, options.zstd_level);
  EXPECT_LT(size, 80);
  options.zstd_level = 0;
  const double raw = BytesPerSpan(spans, options);
  std::printf("block codec: uncompressed columns, %.2f bytes/span\n", raw);
  EXPECT_LT(size, raw);
}

TEST(BlockSize, SmallBlocksStayCompact) {
  const std::vector<SpanRecord> spans = testing::TracegenSpans(1);  // 100 spans
  const double size = BytesPerSpan(spans, {});
  std::printf("block codec: 100 spans, %.2f bytes/span\n", size);
  EXPECT_LT(size, 120);
}

}  // namespace
}  // namespace spoor
