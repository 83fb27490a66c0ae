// The OTLP protobuf encoder: what it writes decodes to the batch it was
// given, and is byte for byte what the protobuf library writes for the
// same request.
#include "formats/otlp/otlp_proto_encode.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "formats/otlp/otlp_decode.h"
#include "tests/unit/format_otlp/otlp_proto_test_request.h"
#include "tests/unit/format_otlp/otlp_test_util.h"
#include "tools/tracegen/workload.h"

namespace spoor {
namespace {

using testing::ExpectBatchEq;
using testing::FullBatch;
using testing::Kv;

SpanBatch RoundTrip(const SpanBatch& batch) {
  std::string bytes;
  EncodeOtlpProto(batch, &bytes);
  SpanBatch decoded;
  DecodeStats stats;
  Status s = DecodeOtlpProto(bytes, &decoded, &stats);
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(stats.rejected_spans, 0u);
  return decoded;
}

TEST(OtlpProtoEncode, FullBatchRoundTrips) {
  SpanBatch batch = FullBatch();
  ExpectBatchEq(RoundTrip(batch), batch);
}

TEST(OtlpProtoEncode, SameBytesAsTheProtobufLibrary) {
  // Fields in field-number order, lengths as short varints: canonical.
  for (uint64_t seed : {1, 7, 1000}) {
    std::string library_bytes = tracegen::MakeTracegenRequest(seed);
    SpanBatch batch;
    DecodeStats stats;
    ASSERT_TRUE(DecodeOtlpProto(library_bytes, &batch, &stats).ok());
    std::string ours;
    EncodeOtlpProto(batch, &ours);
    EXPECT_EQ(ours.size(), library_bytes.size());
    EXPECT_TRUE(ours == library_bytes) << "seed " << seed;
  }
}

// The model does not tell a KeyValue without a value from one with an
// empty value (both kEmpty); the encoder writes an empty value, which the
// library reads back as the same thing.
TEST(OtlpProtoEncode, TheLibraryReadsWhatTheReferenceRequestEncodesTo) {
  SpanBatch batch;
  DecodeStats stats;
  ASSERT_TRUE(DecodeOtlpProto(testing::FullRequest().SerializeAsString(), &batch, &stats).ok());
  std::string ours;
  EncodeOtlpProto(batch, &ours);
  testing::ExportTraceServiceRequest parsed;
  ASSERT_TRUE(parsed.ParseFromString(ours));
  SpanBatch again;
  ASSERT_TRUE(ConvertOtlpRequest(parsed, &again, &stats).ok());
  ExpectBatchEq(again, batch);
}

TEST(OtlpProtoEncode, TheLibraryParsesIt) {
  std::string bytes;
  EncodeOtlpProto(FullBatch(), &bytes);
  testing::ExportTraceServiceRequest request;
  ASSERT_TRUE(request.ParseFromString(bytes));
  ASSERT_EQ(request.resource_spans_size(), 1);
  const auto& span = request.resource_spans(0).scope_spans(0).spans(0);
  EXPECT_EQ(span.name(), FullBatch().resource_spans[0].scope_spans[0].spans[0].name);
  EXPECT_EQ(request.resource_spans(0).schema_url(), "https://opentelemetry.io/schemas/1.21.0");
}

// Values at their defaults are still values: a oneof keeps 0, false and "".
TEST(OtlpProtoEncode, AttributeValuesAtTheirDefaultsSurvive) {
  SpanBatch batch = FullBatch();
  Span& span = batch.resource_spans[0].scope_spans[0].spans[1];
  AnyValue nested_empty;
  span.attributes = {
      Kv("zero", AnyValue::Int(0)),
      Kv("false", AnyValue::Bool(false)),
      Kv("empty", AnyValue::String("")),
      Kv("no-bytes", AnyValue::Bytes("")),
      Kv("double-zero", AnyValue::Double(0.0)),
      Kv("negative", AnyValue::Int(std::numeric_limits<int64_t>::min())),
      Kv("huge", AnyValue::Double(std::numeric_limits<double>::max())),
      Kv("unset", AnyValue{}),
      Kv("array", testing::Array({AnyValue::Int(0), AnyValue{}, testing::Array({})})),
      Kv("map", testing::KvList({Kv("", AnyValue::String("")), Kv("inner", nested_empty)})),
  };
  ExpectBatchEq(RoundTrip(batch), batch);
}

TEST(OtlpProtoEncode, SpanFieldsAtTheirLimits) {
  SpanBatch batch = FullBatch();
  Span& span = batch.resource_spans[0].scope_spans[0].spans[0];
  span.start_time_ns = std::numeric_limits<uint64_t>::max();
  span.end_time_ns = 0;
  span.flags = 0xffffffff;
  span.dropped_attributes_count = 0xffffffff;
  span.status = {SpanStatusCode::kUnset, "a message without a code"};
  span.trace_state = std::string(300, 'x');  // a length of two varint bytes
  ExpectBatchEq(RoundTrip(batch), batch);
}

TEST(OtlpProtoEncode, AnEmptyBatchIsEmpty) {
  std::string bytes = "stale";
  EncodeOtlpProto(SpanBatch{}, &bytes);
  EXPECT_TRUE(bytes.empty());
}

TEST(OtlpProtoEncode, ReplacesWhatTheOutputHeld) {
  std::string first;
  EncodeOtlpProto(FullBatch(), &first);
  std::string reused(10000, 'z');
  EncodeOtlpProto(FullBatch(), &reused);
  EXPECT_EQ(reused, first);
}

}  // namespace
}  // namespace spoor
