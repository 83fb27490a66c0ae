// DecodeBlockTraces: exactly the spans of the asked traces, whatever the
// order of the IDs and the grouping of the block.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "codec_test_util.h"
#include "storage/embedded/block_codec.h"

namespace spoor {
namespace {

using testing::ExpectSameSpans;
using testing::TracegenSpans;

std::vector<SpanRecord> SpansOf(const std::vector<SpanRecord>& all, const std::set<TraceId>& ids) {
  std::vector<SpanRecord> out;
  for (const SpanRecord& r : all) {
    if (ids.count(r.span.trace_id) != 0) out.push_back(r);
  }
  return out;
}

std::vector<TraceId> DistinctTraceIds(const std::vector<SpanRecord>& spans) {
  std::set<TraceId> ids;
  for (const SpanRecord& r : spans) ids.insert(r.span.trace_id);
  return {ids.begin(), ids.end()};
}

TEST(DecodeBlockTraces, ReturnsExactlyTheAskedTraces) {
  const std::vector<SpanRecord> spans = TracegenSpans(30);  // 300 traces
  const std::vector<TraceId> all_ids = DistinctTraceIds(spans);
  std::mt19937_64 rng(7);
  for (uint32_t group_spans : {1u, 50u, 2048u}) {
    BlockEncodeOptions options;
    options.group_spans = group_spans;
    const std::string block = EncodeBlock(spans, options);
    for (int round = 0; round < 20; ++round) {
      std::vector<TraceId> ask;
      std::set<TraceId> expected;
      const size_t n = rng() % 12;
      for (size_t i = 0; i < n; ++i) {
        const TraceId id = all_ids[rng() % all_ids.size()];
        ask.push_back(id);
        expected.insert(id);
      }
      ask.push_back(TraceId{rng(), rng()});  // not in the block
      if (n > 0) ask.push_back(ask[0]);      // asked twice
      std::shuffle(ask.begin(), ask.end(), rng);
      std::vector<SpanRecord> decoded;
      ASSERT_TRUE(DecodeBlockTraces(block, ask, &decoded).ok());
      ExpectSameSpans(SpansOf(spans, expected), decoded);
    }
  }
}

TEST(DecodeBlockTraces, EveryTraceOneByOne) {
  std::vector<SpanRecord> spans = TracegenSpans(3);
  // Traces of very different sizes, with parents, links and shared span IDs.
  for (size_t i = 0; i < spans.size(); ++i) {
    spans[i].span.parent_span_id = spans[i - i % 10].span.span_id;
    spans[i].span.links.push_back(
        Link{spans[i].span.trace_id, spans[0].span.span_id, "", {}, 0, 0});
  }
  for (size_t i = 0; i < 50; ++i) {
    SpanRecord r = spans[i % 7];
    r.span.start_time_ns -= i;
    spans.push_back(std::move(r));
  }
  BlockEncodeOptions options;
  options.group_spans = 25;
  const std::string block = EncodeBlock(spans, options);
  for (const TraceId& id : DistinctTraceIds(spans)) {
    std::vector<SpanRecord> decoded;
    ASSERT_TRUE(DecodeBlockTraces(block, {id}, &decoded).ok());
    ExpectSameSpans(SpansOf(spans, {id}), decoded);
  }
}

TEST(DecodeBlockTraces, AllIdsEqualsFullDecode) {
  const std::vector<SpanRecord> spans = TracegenSpans(10);
  const std::string block = EncodeBlock(spans);
  std::vector<TraceId> ids = DistinctTraceIds(spans);
  std::reverse(ids.begin(), ids.end());
  std::vector<SpanRecord> some, all;
  ASSERT_TRUE(DecodeBlockTraces(block, ids, &some).ok());
  ASSERT_TRUE(DecodeBlock(block, &all).ok());
  ExpectSameSpans(all, some);
}

TEST(DecodeBlockTraces, NoIdsOrUnknownIdsGiveNothing) {
  const std::string block = EncodeBlock(TracegenSpans(2));
  std::vector<SpanRecord> decoded;
  ASSERT_TRUE(DecodeBlockTraces(block, {}, &decoded).ok());
  ASSERT_TRUE(DecodeBlockTraces(block, {TraceId{1, 1}, TraceId{}}, &decoded).ok());
  EXPECT_TRUE(decoded.empty());
}

TEST(DecodeBlockTraces, OnlyDecodesTheGroupsHoldingTheTraces) {
  // A damaged group does not stop reading traces held by the other groups.
  const std::vector<SpanRecord> spans = TracegenSpans(10);
  const std::vector<TraceId> ids = DistinctTraceIds(spans);
  BlockEncodeOptions options;
  options.group_spans = 100;
  std::string block = EncodeBlock(spans, options);
  block[block.size() - 3] ^= 0x40;  // inside the last group
  std::vector<SpanRecord> decoded;
  EXPECT_FALSE(DecodeBlock(block, &decoded).ok());
  ASSERT_TRUE(DecodeBlockTraces(block, {ids.front()}, &decoded).ok());
  ExpectSameSpans(SpansOf(spans, {ids.front()}), decoded);
  EXPECT_FALSE(DecodeBlockTraces(block, {ids.back()}, &decoded).ok());
}

}  // namespace
}  // namespace spoor
