// Damaged blocks must give an error, never a crash, an out-of-bounds read or
// a huge allocation. Besides plain damage (caught by the checksums), the
// checksums are recomputed after damaging a block so that the decoder's own
// validation is exercised as well.
#include <gtest/gtest.h>

#include <random>

#include "codec_test_util.h"
#include "storage/embedded/block_codec.h"
#include "storage/embedded/block_columns.h"

namespace spoor {
namespace {

using block_internal::ByteReader;
using testing::TracegenSpans;

// Recomputes the CRC of every section whose framing is still readable.
void Reseal(std::string& block) {
  if (block.empty()) return;
  ByteReader in(std::string_view(block).substr(1));
  std::string_view payload;
  uint32_t crc = 0;
  while (block_internal::ReadSection(in, &payload, &crc)) {
    const uint32_t fixed = block_internal::Crc32(payload);
    const size_t crc_at = static_cast<size_t>(payload.data() - block.data()) - 4;
    for (int i = 0; i < 4; ++i) block[crc_at + i] = static_cast<char>(fixed >> (8 * i));
  }
}

// Decodes with every entry point; reports whether all succeeded. The tag
// filter runs for its own checks only: it may skip groups that hold no
// candidate (and so succeed where a full decode fails).
bool DecodesOk(std::string_view block, const std::vector<TraceId>& ids) {
  std::vector<SpanRecord> out;
  const bool all = DecodeBlock(block, &out).ok();
  if (!all && !out.empty()) ADD_FAILURE() << "output changed on failure";
  std::vector<SpanRecord> some;
  const bool traces = DecodeBlockTraces(block, ids, &some).ok();
  std::vector<SpanRecord> tagged;
  if (!DecodeBlockWithTags(block, {{"attribute-key-3", "value-7"}}, &tagged).ok() &&
      !tagged.empty()) {
    ADD_FAILURE() << "output changed on failure (tags)";
  }
  return all && traces;
}

std::vector<SpanRecord> RichSpans() {
  std::vector<SpanRecord> spans = TracegenSpans(3);
  for (size_t i = 0; i < spans.size(); i += 4) {
    Span& s = spans[i].span;
    s.parent_span_id = spans[i - i % 10].span.span_id;
    s.links.push_back(Link{TraceId{9, 9}, SpanId{3}, "a=b", s.attributes, 1, 1});
    AnyValue list;
    list.type = ValueType::kArray;
    list.array = {AnyValue::Bytes("xy"), AnyValue::Double(2.5), AnyValue::Bool(true)};
    AnyValue map;
    map.type = ValueType::kKvList;
    map.kvlist = {KeyValue{s.attributes[0].key, list}};
    s.attributes.push_back(KeyValue{s.attributes[1].key, map});
    s.events.push_back(Event{s.start_time_ns, s.name, {KeyValue{s.name, list}}, 2});
  }
  return spans;
}

class BlockCorruption : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    spans_ = RichSpans();
    BlockEncodeOptions options;
    options.zstd_level = GetParam();
    options.group_spans = 64;
    block_ = EncodeBlock(spans_, options);
    for (size_t i = 0; i < spans_.size(); i += 37) ids_.push_back(spans_[i].span.trace_id);
    ASSERT_TRUE(DecodesOk(block_, ids_));
  }

  std::vector<SpanRecord> spans_;
  std::string block_;
  std::vector<TraceId> ids_;
};

TEST_P(BlockCorruption, EveryTruncationFails) {
  for (size_t n = 0; n < block_.size(); ++n) {
    // A copy, so that reading past the end is caught by sanitizers.
    const std::string prefix = block_.substr(0, n);
    EXPECT_FALSE(DecodesOk(prefix, ids_)) << "length " << n;
  }
  EXPECT_FALSE(DecodesOk(block_ + '\0', ids_));
}

TEST_P(BlockCorruption, BitFlipsAreCaughtByChecksums) {
  std::mt19937_64 rng(1);
  for (int round = 0; round < 2000; ++round) {
    std::string damaged = block_;
    const size_t at = rng() % damaged.size();
    damaged[at] = static_cast<char>(damaged[at] ^ (1 << (rng() % 8)));
    std::vector<SpanRecord> out;
    EXPECT_FALSE(DecodeBlock(damaged, &out).ok()) << "byte " << at;
  }
}

TEST_P(BlockCorruption, ResealedDamageNeverCrashes) {
  std::mt19937_64 rng(GetParam() + 2);
  int decoded = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string damaged = block_;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % damaged.size();
      switch (rng() % 3) {
        case 0: damaged[at] = static_cast<char>(damaged[at] ^ (1 << (rng() % 8))); break;
        case 1: damaged[at] = static_cast<char>(rng()); break;
        case 2: damaged[at] = static_cast<char>(rng() % 2 == 0 ? 0 : 0xff); break;
      }
    }
    Reseal(damaged);
    // Success is possible (a changed value); what matters is not crashing.
    decoded += DecodesOk(damaged, ids_) ? 1 : 0;
  }
  EXPECT_LT(decoded, 3000);
}

TEST_P(BlockCorruption, ResealedTruncatedSectionsFail) {
  // Cut bytes out of the middle of the block and fix the framing checksums.
  std::mt19937_64 rng(5);
  for (int round = 0; round < 500; ++round) {
    std::string damaged = block_;
    const size_t at = 1 + rng() % (damaged.size() - 1);
    damaged.erase(at, 1 + rng() % 16);
    Reseal(damaged);
    std::vector<SpanRecord> out;
    (void)DecodeBlock(damaged, &out);  // must not crash; usually an error
    (void)DecodeBlockWithTags(damaged, {{"attribute-key-1", "value-1"}, {"attribute-key-2", "5"}},
                              &out);
  }
}

INSTANTIATE_TEST_SUITE_P(Levels, BlockCorruption, ::testing::Values(0, 3));

TEST(BlockCorruptionInput, GarbageIsRejected) {
  std::mt19937_64 rng(3);
  std::vector<SpanRecord> out;
  EXPECT_FALSE(DecodeBlock("", &out).ok());
  EXPECT_FALSE(DecodeBlock(std::string(1, '\x01'), &out).ok());
  EXPECT_FALSE(DecodeBlock(std::string(1, '\x02'), &out).ok());  // unknown version
  for (int round = 0; round < 2000; ++round) {
    std::string junk(rng() % 200, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    if (!junk.empty()) junk[0] = 1;
    Reseal(junk);
    EXPECT_FALSE(DecodeBlock(junk, &out).ok());
    EXPECT_FALSE(DecodeBlockTraces(junk, {TraceId{1, 2}}, &out).ok());
  }
  EXPECT_TRUE(out.empty());
}

TEST(BlockCorruptionInput, HugeCountsAreRejectedWithoutAllocating) {
  // A header section claiming 2^62 spans and traces: the column lengths do
  // not back the counts.
  std::string payload;
  for (int i = 0; i < 4; ++i) block_internal::PutVarint(payload, uint64_t{1} << 62);
  payload.append(40, '\x00');
  std::string block(1, '\x01');
  block_internal::PutSection(block, payload);
  std::vector<SpanRecord> out;
  EXPECT_FALSE(DecodeBlock(block, &out).ok());

  // A column claiming 2^40 values with a zstd plane of a few bytes.
  std::string column;
  block_internal::PutVarint(column, uint64_t{1} << 40);
  block_internal::PutVarint(column, 0);
  column.push_back(1);  // one plane
  column.push_back(1);  // zstd
  block_internal::PutVarint(column, uint64_t{1} << 40);
  block_internal::PutVarint(column, 4);
  column.append("abcd");
  block_internal::ColumnReader reader;
  ByteReader in(column);
  std::vector<uint64_t> values;
  EXPECT_FALSE(reader.Read(in, block_internal::ColumnReader::kAnyCount, &values).ok());
  EXPECT_TRUE(values.empty());
}

}  // namespace
}  // namespace spoor
