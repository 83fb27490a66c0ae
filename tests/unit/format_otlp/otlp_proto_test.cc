#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "formats/otlp/otlp_decode.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp_proto_test_request.h"
#include "otlp_test_util.h"

namespace spoor {
namespace {

namespace pb_common = opentelemetry::proto::common::v1;
namespace pb_trace = opentelemetry::proto::trace::v1;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using testing::FullBatch;

using testing::AddSpan;
using testing::Bytes;
using testing::FullRequest;
using testing::Repeat;

Status Decode(const ExportTraceServiceRequest& request, SpanBatch* batch, DecodeStats* stats) {
  return DecodeOtlpProto(request.SerializeAsString(), batch, stats);
}

TEST(OtlpProto, FullSpan_EveryFieldMapped) {
  SpanBatch batch;
  DecodeStats stats;
  ASSERT_TRUE(Decode(FullRequest(), &batch, &stats).ok());
  EXPECT_EQ(stats.rejected_spans, 0u);
  EXPECT_EQ(stats.rejection_reason, "");
  testing::ExpectBatchEq(batch, FullBatch());
  EXPECT_EQ(batch.resource_spans[0].resource->service_name, "checkout");
}

TEST(OtlpProto, ConvertOtlpRequest_MapsAnAlreadyParsedMessage) {
  SpanBatch batch;
  DecodeStats stats;
  ASSERT_TRUE(ConvertOtlpRequest(FullRequest(), &batch, &stats).ok());
  testing::ExpectBatchEq(batch, FullBatch());
}

TEST(OtlpProto, IdsAreBigEndian) {
  SpanBatch batch;
  ASSERT_TRUE(Decode(FullRequest(), &batch, nullptr).ok());
  const Span& span = batch.resource_spans[0].scope_spans[0].spans[0];
  EXPECT_EQ(span.trace_id.Hex32(), "0102030405060708090a0b0c0d0e0f10");
  EXPECT_EQ(span.span_id.Hex(), "1112131415161718");
  EXPECT_EQ(span.parent_span_id.Hex(), "2122232425262728");
}

TEST(OtlpProto, EmptyOrZeroParentMeansRoot) {
  ExportTraceServiceRequest request;
  pb_trace::ScopeSpans* ss = request.add_resource_spans()->add_scope_spans();
  AddSpan(ss, Repeat(1, 16), Repeat(2, 8));
  AddSpan(ss, Repeat(1, 16), Repeat(3, 8))->set_parent_span_id(Repeat(0, 8));
  SpanBatch batch;
  DecodeStats stats;
  ASSERT_TRUE(Decode(request, &batch, &stats).ok());
  ASSERT_EQ(batch.SpanCount(), 2u);
  for (const Span& span : batch.resource_spans[0].scope_spans[0].spans) {
    EXPECT_FALSE(span.parent_span_id.valid());
  }
  EXPECT_EQ(stats.rejected_spans, 0u);
}

TEST(OtlpProto, InvalidIds_RejectedAndCounted_ValidSpansKept) {
  ExportTraceServiceRequest request;
  pb_trace::ResourceSpans* rs = request.add_resource_spans();
  pb_trace::ScopeSpans* first = rs->add_scope_spans();
  AddSpan(first, "", Repeat(2, 8));             // span 0: no trace ID
  AddSpan(first, Repeat(1, 16), Repeat(2, 8));  // span 1: valid
  AddSpan(first, Repeat(1, 15), Repeat(2, 8));  // span 2: short trace ID
  AddSpan(first, Repeat(0, 16), Repeat(2, 8));  // span 3: zero trace ID
  pb_trace::ScopeSpans* second = rs->add_scope_spans();
  AddSpan(second, Repeat(1, 16), Repeat(2, 7));  // span 4: short span ID
  AddSpan(second, Repeat(1, 16), Repeat(0, 8));  // span 5: zero span ID
  AddSpan(second, Repeat(1, 16), Repeat(2, 8))   // span 6: bad parent
      ->set_parent_span_id(Repeat(3, 5));
  AddSpan(second, Repeat(1, 16), Repeat(4, 8));  // span 7: valid
  AddSpan(request.add_resource_spans()->add_scope_spans(), Repeat(1, 17), Repeat(2, 8));

  SpanBatch batch;
  DecodeStats stats;
  ASSERT_TRUE(Decode(request, &batch, &stats).ok());
  EXPECT_EQ(stats.rejected_spans, 7u);
  EXPECT_EQ(stats.rejection_reason, "span 0: trace_id must be 16 bytes, got 0");
  // The resource whose only span was rejected is dropped.
  ASSERT_EQ(batch.resource_spans.size(), 1u);
  ASSERT_EQ(batch.resource_spans[0].scope_spans.size(), 2u);
  ASSERT_EQ(batch.resource_spans[0].scope_spans[0].spans.size(), 1u);
  ASSERT_EQ(batch.resource_spans[0].scope_spans[1].spans.size(), 1u);
  EXPECT_EQ(batch.resource_spans[0].scope_spans[1].spans[0].span_id.Hex(), "0404040404040404");
}

TEST(OtlpProto, RejectionReasons) {
  auto reason = [](std::string trace_id, std::string span_id, std::string parent) {
    ExportTraceServiceRequest request;
    pb_trace::ScopeSpans* ss = request.add_resource_spans()->add_scope_spans();
    AddSpan(ss, Repeat(1, 16), Repeat(1, 8));
    AddSpan(ss, std::move(trace_id), std::move(span_id))->set_parent_span_id(std::move(parent));
    SpanBatch batch;
    DecodeStats stats;
    EXPECT_TRUE(Decode(request, &batch, &stats).ok());
    EXPECT_EQ(batch.SpanCount(), 1u);
    return stats.rejection_reason;
  };
  EXPECT_EQ(reason(Repeat(0, 16), Repeat(1, 8), ""), "span 1: trace_id is all zeros");
  EXPECT_EQ(reason(Repeat(1, 16), Repeat(1, 9), ""), "span 1: span_id must be 8 bytes, got 9");
  EXPECT_EQ(reason(Repeat(1, 16), Repeat(0, 8), ""), "span 1: span_id is all zeros");
  EXPECT_EQ(reason(Repeat(1, 16), Repeat(1, 8), "x"),
            "span 1: parent_span_id must be 8 bytes or empty, got 1");
}

TEST(OtlpProto, StatsAccumulateAndKeepFirstReason) {
  ExportTraceServiceRequest request;
  AddSpan(request.add_resource_spans()->add_scope_spans(), "", Repeat(1, 8));
  SpanBatch batch;
  DecodeStats stats;
  stats.rejected_spans = 2;
  stats.rejection_reason = "earlier";
  ASSERT_TRUE(Decode(request, &batch, &stats).ok());
  EXPECT_EQ(stats.rejected_spans, 3u);
  EXPECT_EQ(stats.rejection_reason, "earlier");
}

TEST(OtlpProto, ResourceAndScopeSharedBySpansAndAppendedToBatch) {
  ExportTraceServiceRequest request;
  pb_trace::ResourceSpans* rs = request.add_resource_spans();
  pb_trace::ScopeSpans* a = rs->add_scope_spans();
  a->mutable_scope()->set_name("a");
  AddSpan(a, Repeat(1, 16), Repeat(1, 8));
  AddSpan(a, Repeat(1, 16), Repeat(2, 8));
  pb_trace::ScopeSpans* b = rs->add_scope_spans();
  b->mutable_scope()->set_name("b");
  AddSpan(b, Repeat(1, 16), Repeat(3, 8));
  rs->add_scope_spans();  // empty: dropped

  SpanBatch batch = FullBatch();
  ASSERT_TRUE(Decode(request, &batch, nullptr).ok());
  ASSERT_EQ(batch.resource_spans.size(), 2u);  // appended after what was there
  const ResourceSpans& got = batch.resource_spans[1];
  ASSERT_EQ(got.scope_spans.size(), 2u);
  EXPECT_EQ(got.scope_spans[0].scope->name, "a");
  EXPECT_EQ(got.scope_spans[0].spans.size(), 2u);
  EXPECT_EQ(got.scope_spans[1].scope->name, "b");
  EXPECT_NE(got.scope_spans[0].scope, got.scope_spans[1].scope);
  // No service.name: the placeholder Jaeger shows.
  EXPECT_EQ(got.resource->service_name, kNoServiceName);
}

TEST(OtlpProto, LinksWithImpossibleIdsDroppedAndCounted) {
  ExportTraceServiceRequest request;
  pb_trace::Span* span =
      AddSpan(request.add_resource_spans()->add_scope_spans(), Repeat(1, 16), Repeat(1, 8));
  span->set_dropped_links_count(1);
  span->add_links()->set_trace_state("no context");  // empty IDs: kept
  pb_trace::Span::Link* bad = span->add_links();
  bad->set_trace_id(Repeat(1, 3));
  bad->set_span_id(Repeat(1, 8));
  pb_trace::Span::Link* bad_span = span->add_links();
  bad_span->set_trace_id(Repeat(1, 16));
  bad_span->set_span_id(Repeat(1, 4));

  SpanBatch batch;
  DecodeStats stats;
  ASSERT_TRUE(Decode(request, &batch, &stats).ok());
  const Span& got = batch.resource_spans[0].scope_spans[0].spans[0];
  ASSERT_EQ(got.links.size(), 1u);
  EXPECT_EQ(got.links[0].trace_state, "no context");
  EXPECT_FALSE(got.links[0].trace_id.valid());
  EXPECT_EQ(got.dropped_links_count, 3u);
  EXPECT_EQ(stats.rejected_spans, 0u);
}

TEST(OtlpProto, UnknownEnumValuesBecomeUnspecified) {
  ExportTraceServiceRequest request;
  pb_trace::Span* span =
      AddSpan(request.add_resource_spans()->add_scope_spans(), Repeat(1, 16), Repeat(1, 8));
  span->set_kind(static_cast<pb_trace::Span::SpanKind>(9));
  span->mutable_status()->set_code(static_cast<pb_trace::Status::StatusCode>(7));
  SpanBatch batch;
  ASSERT_TRUE(Decode(request, &batch, nullptr).ok());
  const Span& got = batch.resource_spans[0].scope_spans[0].spans[0];
  EXPECT_EQ(got.kind, SpanKind::kUnspecified);
  EXPECT_EQ(got.status.code, SpanStatusCode::kUnset);
}

TEST(OtlpProto, EveryKindAndStatusCode) {
  ExportTraceServiceRequest request;
  pb_trace::ScopeSpans* ss = request.add_resource_spans()->add_scope_spans();
  for (int k = 0; k <= 5; ++k) {
    pb_trace::Span* span = AddSpan(ss, Repeat(1, 16), Repeat(k + 1, 8));
    span->set_kind(static_cast<pb_trace::Span::SpanKind>(k));
    span->mutable_status()->set_code(static_cast<pb_trace::Status::StatusCode>(k % 3));
  }
  SpanBatch batch;
  ASSERT_TRUE(Decode(request, &batch, nullptr).ok());
  const auto& spans = batch.resource_spans[0].scope_spans[0].spans;
  ASSERT_EQ(spans.size(), 6u);
  for (int k = 0; k <= 5; ++k) {
    EXPECT_EQ(static_cast<int>(spans[static_cast<size_t>(k)].kind), k);
    EXPECT_EQ(static_cast<int>(spans[static_cast<size_t>(k)].status.code), k % 3);
  }
}

TEST(OtlpProto, EmptyRequest_EmptyBatch) {
  SpanBatch batch;
  DecodeStats stats;
  ASSERT_TRUE(DecodeOtlpProto("", &batch, &stats).ok());
  EXPECT_TRUE(batch.resource_spans.empty());
  EXPECT_EQ(stats.rejected_spans, 0u);

  ExportTraceServiceRequest only_empty;
  only_empty.add_resource_spans()->add_scope_spans();
  ASSERT_TRUE(Decode(only_empty, &batch, &stats).ok());
  EXPECT_TRUE(batch.resource_spans.empty());
}

TEST(OtlpProto, Malformed_InvalidArgumentAndBatchUntouched) {
  const std::string full = FullRequest().SerializeAsString();
  const std::string cases[] = {
      "\xff\xff\xff\xff",                  // invalid tag
      full.substr(0, full.size() / 2),     // truncated
      std::string("\x0a\x05\x12\x03", 4),  // length past the end
  };
  for (const std::string& bytes : cases) {
    SpanBatch batch;
    DecodeStats stats;
    Status st = DecodeOtlpProto(bytes, &batch, &stats);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(st.message().rfind("malformed OTLP protobuf: ", 0), 0u) << st.message();
    EXPECT_TRUE(batch.resource_spans.empty());
    EXPECT_EQ(stats.rejected_spans, 0u);
  }
}

TEST(OtlpProto, NestingBeyondParserLimit_Rejected) {
  ExportTraceServiceRequest request;
  pb_trace::Span* span =
      AddSpan(request.add_resource_spans()->add_scope_spans(), Repeat(1, 16), Repeat(1, 8));
  pb_common::KeyValue* kv = span->add_attributes();
  kv->set_key("deep");
  pb_common::AnyValue* v = kv->mutable_value();
  for (int i = 0; i < 200; ++i) v = v->mutable_array_value()->add_values();
  v->set_string_value("bottom");
  SpanBatch batch;
  Status st = Decode(request, &batch, nullptr);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace spoor
