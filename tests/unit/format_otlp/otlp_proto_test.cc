#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "formats/otlp/otlp_decode.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp_test_util.h"

namespace spoor {
namespace {

namespace pb_common = opentelemetry::proto::common::v1;
namespace pb_trace = opentelemetry::proto::trace::v1;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using testing::FullBatch;

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

std::string Repeat(int byte, size_t n) {
  return std::string(n, static_cast<char>(byte));
}

void SetAllValueTypes(google::protobuf::RepeatedPtrField<pb_common::KeyValue>* attrs) {
  auto add = [&](const char* key) {
    pb_common::KeyValue* kv = attrs->Add();
    kv->set_key(key);
    return kv->mutable_value();
  };
  add("http.method")->set_string_value("GET");
  add("cache.hit")->set_bool_value(true);
  add("http.status_code")->set_int_value(200);
  add("big.negative")->set_int_value(std::numeric_limits<int64_t>::min());
  add("ratio")->set_double_value(0.25);
  add("payload")->set_bytes_value(Bytes({0x00, 0x01, 0xfe, 0xff}));
  pb_common::ArrayValue* tags = add("tags")->mutable_array_value();
  tags->add_values()->set_string_value("a");
  tags->add_values()->set_int_value(1);
  pb_common::ArrayValue* inner = tags->add_values()->mutable_array_value();
  inner->add_values()->set_bool_value(false);
  pb_common::KeyValue* x = inner->add_values()->mutable_kvlist_value()->add_values();
  x->set_key("x");
  x->mutable_value()->set_double_value(1.5);
  pb_common::KeyValueList* map = add("map")->mutable_kvlist_value();
  pb_common::KeyValue* inner_kv = map->add_values();
  inner_kv->set_key("inner");
  pb_common::KeyValue* deep = inner_kv->mutable_value()->mutable_kvlist_value()->add_values();
  deep->set_key("deep");
  deep->mutable_value()->set_string_value("v");
  map->add_values()->set_key("nothing");
  add("empty.array")->mutable_array_value();
  add("nothing");
}

// The request that testing::FullBatch() describes, built field by field.
ExportTraceServiceRequest FullRequest() {
  ExportTraceServiceRequest request;
  pb_trace::ResourceSpans* rs = request.add_resource_spans();
  rs->set_schema_url("https://opentelemetry.io/schemas/1.21.0");
  auto* res_attrs = rs->mutable_resource()->mutable_attributes();
  pb_common::KeyValue* service = res_attrs->Add();
  service->set_key("service.name");
  service->mutable_value()->set_string_value("checkout");
  pb_common::KeyValue* host = res_attrs->Add();
  host->set_key("host.id");
  host->mutable_value()->set_int_value(42);
  rs->mutable_resource()->set_dropped_attributes_count(3);

  pb_trace::ScopeSpans* ss = rs->add_scope_spans();
  ss->set_schema_url("https://example.com/scope-schema");
  pb_common::InstrumentationScope* scope = ss->mutable_scope();
  scope->set_name("io.spoor.test");
  scope->set_version("1.2.3");
  pb_common::KeyValue* scope_attr = scope->add_attributes();
  scope_attr->set_key("scope.attr");
  scope_attr->mutable_value()->set_bool_value(true);
  scope->set_dropped_attributes_count(1);

  pb_trace::Span* span = ss->add_spans();
  span->set_trace_id(Bytes({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}));
  span->set_span_id(Bytes({0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18}));
  span->set_parent_span_id(Bytes({0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28}));
  span->set_trace_state("vendor=abc,other=x");
  span->set_flags(0x301);
  span->set_name("GET /cart");
  span->set_kind(pb_trace::Span::SPAN_KIND_SERVER);
  span->set_start_time_unix_nano(1700000000123456789ULL);
  span->set_end_time_unix_nano(1700000000223456789ULL);
  SetAllValueTypes(span->mutable_attributes());
  span->set_dropped_attributes_count(4);
  pb_trace::Span::Event* event = span->add_events();
  event->set_time_unix_nano(1700000000150000000ULL);
  event->set_name("exception");
  pb_common::KeyValue* message = event->add_attributes();
  message->set_key("exception.message");
  message->mutable_value()->set_string_value("boom");
  event->set_dropped_attributes_count(2);
  span->add_events();
  span->set_dropped_events_count(5);
  pb_trace::Span::Link* link = span->add_links();
  link->set_trace_id(Bytes({0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab,
                            0xac, 0xad, 0xae, 0xaf}));
  link->set_span_id(Bytes({0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7}));
  link->set_trace_state("k=v");
  pb_common::KeyValue* link_attr = link->add_attributes();
  link_attr->set_key("link.kind");
  link_attr->mutable_value()->set_string_value("follows");
  link->set_dropped_attributes_count(6);
  link->set_flags(1);
  span->set_dropped_links_count(7);
  span->mutable_status()->set_code(pb_trace::Status::STATUS_CODE_ERROR);
  span->mutable_status()->set_message("it broke");

  pb_trace::Span* minimal = ss->add_spans();
  minimal->set_trace_id(span->trace_id());
  minimal->set_span_id(Bytes({0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38}));
  minimal->set_name("minimal");
  minimal->set_start_time_unix_nano(1);
  minimal->set_end_time_unix_nano(2);
  return request;
}

pb_trace::Span* AddSpan(pb_trace::ScopeSpans* ss, std::string trace_id, std::string span_id) {
  pb_trace::Span* span = ss->add_spans();
  span->set_trace_id(std::move(trace_id));
  span->set_span_id(std::move(span_id));
  span->set_name("op");
  return span;
}

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
