// Zipkin v2 JSON -> model: every span field, grouping by local endpoint,
// status and scope conventions, and rejected spans.
#include "formats/zipkin/zipkin_decode.h"

#include <gtest/gtest.h>

#include <string>

namespace spoor {
namespace {

SpanBatch Decode(std::string_view json, DecodeStats* stats = nullptr) {
  SpanBatch batch;
  Status status = DecodeZipkinV2Json(json, &batch, stats);
  EXPECT_TRUE(status.ok()) << status.message();
  return batch;
}

// The only span of a body that holds one.
Span OnlySpan(std::string_view json) {
  SpanBatch batch = Decode(json);
  EXPECT_EQ(batch.SpanCount(), 1u);
  if (batch.SpanCount() != 1) return {};
  return batch.resource_spans[0].scope_spans[0].spans[0];
}

std::string StringAttr(const Attributes& attrs, std::string_view key) {
  const AnyValue* v = FindAttribute(attrs, key);
  if (v == nullptr) return "<absent>";
  EXPECT_EQ(v->type, ValueType::kString) << key;
  return v->string_value;
}

constexpr std::string_view kFull = R"([{
  "traceId": "5B8EFFF798038103D269B633813FC60C",
  "id": "EEE19B7EC3C1B174",
  "parentId": "eee19b7ec3c1b173",
  "name": "get /api",
  "kind": "SERVER",
  "timestamp": 1472470996199000,
  "duration": 207000,
  "localEndpoint": {"serviceName": "backend", "ipv4": "192.168.99.1", "port": 3306},
  "remoteEndpoint": {"serviceName": "frontend", "ipv6": "2001:db8::c001", "port": 54321},
  "annotations": [{"timestamp": 1472470996238000, "value": "foo"},
                  {"timestamp": 1472470996403000, "value": "bar"}],
  "tags": {"http.path": "/api", "clnt/finagle.version": "6.45.0"},
  "debug": true,
  "shared": true
}])";

TEST(ZipkinDecode, ReadsEveryField) {
  SpanBatch batch = Decode(kFull);
  ASSERT_EQ(batch.resource_spans.size(), 1u);
  const Resource& resource = *batch.resource_spans[0].resource;
  EXPECT_EQ(resource.service_name, "backend");
  EXPECT_EQ(StringAttr(resource.attributes, "net.host.ip"), "192.168.99.1");
  const AnyValue* port = FindAttribute(resource.attributes, "net.host.port");
  ASSERT_NE(port, nullptr);
  EXPECT_EQ(*port, AnyValue::Int(3306));

  ASSERT_EQ(batch.resource_spans[0].scope_spans.size(), 1u);
  const Scope& scope = *batch.resource_spans[0].scope_spans[0].scope;
  EXPECT_EQ(scope.name, "");
  EXPECT_EQ(scope.version, "");

  const Span& span = batch.resource_spans[0].scope_spans[0].spans.at(0);
  EXPECT_EQ(span.trace_id, (TraceId{0x5b8efff798038103, 0xd269b633813fc60c}));
  EXPECT_EQ(span.span_id, SpanId{0xeee19b7ec3c1b174});
  EXPECT_EQ(span.parent_span_id, SpanId{0xeee19b7ec3c1b173});
  EXPECT_EQ(span.name, "get /api");
  EXPECT_EQ(span.kind, SpanKind::kServer);
  EXPECT_EQ(span.start_time_ns, 1472470996199000000u);
  EXPECT_EQ(span.end_time_ns, 1472470996406000000u);
  EXPECT_EQ(span.flags, 3u);  // sampled | debug
  ASSERT_EQ(span.events.size(), 2u);
  EXPECT_EQ(span.events[0].name, "foo");
  EXPECT_EQ(span.events[0].time_ns, 1472470996238000000u);
  EXPECT_EQ(span.events[1].name, "bar");
  EXPECT_EQ(span.events[1].time_ns, 1472470996403000000u);
  EXPECT_EQ(StringAttr(span.attributes, "http.path"), "/api");
  EXPECT_EQ(StringAttr(span.attributes, "clnt/finagle.version"), "6.45.0");
  EXPECT_EQ(StringAttr(span.attributes, "peer.service"), "frontend");
  EXPECT_EQ(StringAttr(span.attributes, "net.peer.ip"), "2001:db8::c001");
  const AnyValue* peer_port = FindAttribute(span.attributes, "net.peer.port");
  ASSERT_NE(peer_port, nullptr);
  EXPECT_EQ(*peer_port, AnyValue::Int(54321));
  EXPECT_EQ(span.attributes.size(), 5u);
  EXPECT_EQ(span.status.code, SpanStatusCode::kUnset);
}

TEST(ZipkinDecode, MinimalSpanHasDefaults) {
  Span span = OnlySpan(R"([{"traceId":"1","id":"2"}])");
  EXPECT_EQ(span.trace_id, (TraceId{0, 1}));
  EXPECT_EQ(span.span_id, SpanId{2});
  EXPECT_FALSE(span.parent_span_id.valid());
  EXPECT_EQ(span.name, "");
  EXPECT_EQ(span.kind, SpanKind::kUnspecified);
  EXPECT_EQ(span.start_time_ns, 0u);
  EXPECT_EQ(span.end_time_ns, 0u);
  EXPECT_EQ(span.flags, 1u);  // sampled
  EXPECT_TRUE(span.attributes.empty());
  EXPECT_TRUE(span.events.empty());
}

TEST(ZipkinDecode, NullFieldsAreAbsent) {
  Span span = OnlySpan(
      R"([{"traceId":"1","id":"2","parentId":null,"name":null,"kind":null,"tags":null,
           "localEndpoint":null,"debug":null,"timestamp":null}])");
  EXPECT_FALSE(span.parent_span_id.valid());
  EXPECT_EQ(span.kind, SpanKind::kUnspecified);
}

TEST(ZipkinDecode, EmptyArrayGivesNoSpans) {
  DecodeStats stats;
  EXPECT_TRUE(Decode("[]", &stats).resource_spans.empty());
  EXPECT_EQ(stats.rejected_spans, 0u);
}

TEST(ZipkinDecode, MapsKinds) {
  const std::pair<std::string_view, SpanKind> cases[] = {
      {"CLIENT", SpanKind::kClient},     {"SERVER", SpanKind::kServer},
      {"PRODUCER", SpanKind::kProducer}, {"CONSUMER", SpanKind::kConsumer},
      {"client", SpanKind::kClient},
  };
  for (auto [name, kind] : cases) {
    Span span = OnlySpan(R"([{"traceId":"1","id":"2","kind":")" + std::string(name) + R"("}])");
    EXPECT_EQ(span.kind, kind) << name;
  }
}

TEST(ZipkinDecode, GroupsSpansByLocalEndpoint) {
  SpanBatch batch = Decode(R"([
    {"traceId":"1","id":"1","localEndpoint":{"serviceName":"a"}},
    {"traceId":"1","id":"2","localEndpoint":{"serviceName":"b"}},
    {"traceId":"1","id":"3","localEndpoint":{"serviceName":"a"}},
    {"traceId":"1","id":"4","localEndpoint":{"serviceName":"a","ipv4":"10.0.0.1"}},
    {"traceId":"1","id":"5"},
    {"traceId":"1","id":"6","localEndpoint":{"serviceName":""}}
  ])");
  ASSERT_EQ(batch.resource_spans.size(), 4u);
  EXPECT_EQ(batch.resource_spans[0].resource->service_name, "a");
  ASSERT_EQ(batch.resource_spans[0].scope_spans.size(), 1u);
  ASSERT_EQ(batch.resource_spans[0].scope_spans[0].spans.size(), 2u);
  EXPECT_EQ(batch.resource_spans[0].scope_spans[0].spans[0].span_id, SpanId{1});
  EXPECT_EQ(batch.resource_spans[0].scope_spans[0].spans[1].span_id, SpanId{3});
  EXPECT_EQ(batch.resource_spans[1].resource->service_name, "b");
  EXPECT_EQ(batch.resource_spans[2].resource->service_name, "a");
  EXPECT_EQ(StringAttr(batch.resource_spans[2].resource->attributes, "net.host.ip"), "10.0.0.1");
  // No service name, or an empty one: one resource without service.name.
  EXPECT_EQ(batch.resource_spans[3].resource->service_name, kNoServiceName);
  EXPECT_TRUE(batch.resource_spans[3].resource->attributes.empty());
  EXPECT_EQ(batch.resource_spans[3].scope_spans[0].spans.size(), 2u);
}

TEST(ZipkinDecode, KeepsServiceNameAsSent) {
  SpanBatch batch =
      Decode(R"([{"traceId":"1","id":"1","localEndpoint":{"serviceName":"FrontEnd"}}])");
  ASSERT_EQ(batch.resource_spans.size(), 1u);
  EXPECT_EQ(batch.resource_spans[0].resource->service_name, "FrontEnd");
}

TEST(ZipkinDecode, Ipv4IsPreferredOverIpv6) {
  Span span =
      OnlySpan(R"([{"traceId":"1","id":"2","remoteEndpoint":{"ipv4":"1.2.3.4","ipv6":"::1"}}])");
  EXPECT_EQ(StringAttr(span.attributes, "net.peer.ip"), "1.2.3.4");
  EXPECT_EQ(FindAttribute(span.attributes, "peer.service"), nullptr);
  EXPECT_EQ(FindAttribute(span.attributes, "net.peer.port"), nullptr);
}

TEST(ZipkinDecode, TagsWinOverRemoteEndpoint) {
  Span span = OnlySpan(
      R"([{"traceId":"1","id":"2","tags":{"peer.service":"db"},
           "remoteEndpoint":{"serviceName":"mysql"}}])");
  EXPECT_EQ(StringAttr(span.attributes, "peer.service"), "db");
  EXPECT_EQ(span.attributes.size(), 1u);
}

TEST(ZipkinDecode, ScopeTagsNameTheScope) {
  SpanBatch batch = Decode(R"([
    {"traceId":"1","id":"1","tags":{"otel.scope.name":"lib","otel.scope.version":"1.0"}},
    {"traceId":"1","id":"2","tags":{"otel.library.name":"lib","otel.library.version":"1.0"}},
    {"traceId":"1","id":"3"}
  ])");
  ASSERT_EQ(batch.resource_spans.size(), 1u);
  const auto& scopes = batch.resource_spans[0].scope_spans;
  ASSERT_EQ(scopes.size(), 2u);
  EXPECT_EQ(scopes[0].scope->name, "lib");
  EXPECT_EQ(scopes[0].scope->version, "1.0");
  ASSERT_EQ(scopes[0].spans.size(), 2u);
  EXPECT_TRUE(scopes[0].spans[0].attributes.empty());
  EXPECT_TRUE(scopes[0].spans[1].attributes.empty());
  EXPECT_EQ(scopes[1].scope->name, "");
}

TEST(ZipkinDecode, ErrorTagSetsErrorStatus) {
  Span with_message = OnlySpan(R"([{"traceId":"1","id":"2","tags":{"error":"timeout","a":"b"}}])");
  EXPECT_EQ(with_message.status.code, SpanStatusCode::kError);
  EXPECT_EQ(with_message.status.message, "timeout");
  EXPECT_EQ(FindAttribute(with_message.attributes, "error"), nullptr);
  EXPECT_EQ(with_message.attributes.size(), 1u);

  for (std::string_view value : {"", "true"}) {
    Span span =
        OnlySpan(R"([{"traceId":"1","id":"2","tags":{"error":")" + std::string(value) + R"("}}])");
    EXPECT_EQ(span.status.code, SpanStatusCode::kError) << value;
    EXPECT_EQ(span.status.message, "") << value;
    EXPECT_TRUE(span.attributes.empty()) << value;
  }
}

TEST(ZipkinDecode, OtelStatusTagsSetStatus) {
  Span error = OnlySpan(
      R"([{"traceId":"1","id":"2","tags":{"otel.status_code":"ERROR",
           "otel.status_description":"boom","error":"boom too"}}])");
  EXPECT_EQ(error.status.code, SpanStatusCode::kError);
  EXPECT_EQ(error.status.message, "boom");
  EXPECT_TRUE(error.attributes.empty());

  Span ok = OnlySpan(R"([{"traceId":"1","id":"2","tags":{"otel.status_code":"OK"}}])");
  EXPECT_EQ(ok.status.code, SpanStatusCode::kOk);
  EXPECT_TRUE(ok.attributes.empty());

  // An unknown code stays a tag; the error tag still counts.
  Span odd =
      OnlySpan(R"([{"traceId":"1","id":"2","tags":{"otel.status_code":"BAD","error":"x"}}])");
  EXPECT_EQ(odd.status.code, SpanStatusCode::kError);
  EXPECT_EQ(odd.status.message, "x");
  EXPECT_EQ(StringAttr(odd.attributes, "otel.status_code"), "BAD");

  // A description without an error is kept as a tag.
  Span described =
      OnlySpan(R"([{"traceId":"1","id":"2","tags":{"otel.status_description":"fine"}}])");
  EXPECT_EQ(described.status.code, SpanStatusCode::kUnset);
  EXPECT_EQ(StringAttr(described.attributes, "otel.status_description"), "fine");
}

TEST(ZipkinDecode, NonStringTagValuesAreKeptAsText) {
  Span span = OnlySpan(R"([{"traceId":"1","id":"2","tags":{"n":42,"f":1.5,"b":false}}])");
  EXPECT_EQ(StringAttr(span.attributes, "n"), "42");
  EXPECT_EQ(StringAttr(span.attributes, "f"), "1.5");
  EXPECT_EQ(StringAttr(span.attributes, "b"), "false");
}

TEST(ZipkinDecode, RepeatedTagKeepsTheLastValue) {
  Span span = OnlySpan(R"([{"traceId":"1","id":"2","tags":{"k":"1","k":"2"}}])");
  ASSERT_EQ(span.attributes.size(), 1u);
  EXPECT_EQ(StringAttr(span.attributes, "k"), "2");
}

TEST(ZipkinDecode, ManyRepeatedTagsKeepOrderAndLastValues) {
  std::string json = R"([{"traceId":"1","id":"2","tags":{)";
  for (int round = 0; round < 3; ++round) {
    for (int k = 0; k < 40; ++k) {
      if (round + k > 0) json += ",";
      json += "\"k" + std::to_string(k) + "\":\"" + std::to_string(round) + "\"";
    }
  }
  json += "}}]";
  Span span = OnlySpan(json);
  ASSERT_EQ(span.attributes.size(), 40u);
  for (int k = 0; k < 40; ++k) {
    EXPECT_EQ(span.attributes[static_cast<size_t>(k)].key, "k" + std::to_string(k));
    EXPECT_EQ(span.attributes[static_cast<size_t>(k)].value, AnyValue::String("2"));
  }
}

TEST(ZipkinDecode, SharedServerSpanKeepsTheClientSpanId) {
  SpanBatch batch = Decode(R"([
    {"traceId":"a","id":"b","kind":"CLIENT","localEndpoint":{"serviceName":"fe"}},
    {"traceId":"a","id":"b","kind":"SERVER","shared":true,"localEndpoint":{"serviceName":"be"}}
  ])");
  ASSERT_EQ(batch.resource_spans.size(), 2u);
  const Span& client = batch.resource_spans[0].scope_spans[0].spans[0];
  const Span& server = batch.resource_spans[1].scope_spans[0].spans[0];
  EXPECT_EQ(client.span_id, server.span_id);
  EXPECT_EQ(client.kind, SpanKind::kClient);
  EXPECT_EQ(server.kind, SpanKind::kServer);
  EXPECT_EQ(server.flags, 1u);
}

TEST(ZipkinDecode, Reads64And128BitIds) {
  Span narrow = OnlySpan(R"([{"traceId":"463ac35c9f6413ad","id":"72485a3953bb6124"}])");
  EXPECT_EQ(narrow.trace_id, (TraceId{0, 0x463ac35c9f6413ad}));
  EXPECT_EQ(narrow.span_id, SpanId{0x72485a3953bb6124});

  Span wide = OnlySpan(R"([{"traceId":"48485a3953bb6124463ac35c9f6413ad","id":"1"}])");
  EXPECT_EQ(wide.trace_id, (TraceId{0x48485a3953bb6124, 0x463ac35c9f6413ad}));

  // Shorter IDs are left-padded; an all-zero parent means none.
  Span padded = OnlySpan(R"([{"traceId":"abc","id":"de","parentId":"0000000000000000"}])");
  EXPECT_EQ(padded.trace_id, (TraceId{0, 0xabc}));
  EXPECT_EQ(padded.span_id, SpanId{0xde});
  EXPECT_FALSE(padded.parent_span_id.valid());
}

TEST(ZipkinDecode, RejectsSpansWithUnusableIds) {
  DecodeStats stats;
  SpanBatch batch = Decode(R"([
    {"traceId":"1","id":"1"},
    {"id":"2"},
    {"traceId":"xyz","id":"3"},
    {"traceId":"000000000000000000000000000000000","id":"4"},
    {"traceId":"0000000000000000","id":"5"},
    {"traceId":"1"},
    {"traceId":"1","id":"12345678901234567"},
    {"traceId":"1","id":"0"},
    {"traceId":"1","id":"9","parentId":"g"},
    {"traceId":"1","id":"10"}
  ])",
                           &stats);
  EXPECT_EQ(batch.SpanCount(), 2u);
  EXPECT_EQ(stats.rejected_spans, 8u);
  EXPECT_EQ(stats.rejection_reason, "span 1: traceId is missing");
}

TEST(ZipkinDecode, RejectionReasonsNameTheProblem) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {R"([{"traceId":"xyz","id":"3"}])", "span 0: traceId is not hex"},
      {R"([{"traceId":"0","id":"3"}])", "span 0: traceId is all zeros"},
      {R"([{"traceId":"1","id":"12345678901234567"}])",
       "span 0: id must be at most 16 hex characters, got 17"},
      {R"([{"traceId":"1","id":"2","parentId":"-1"}])", "span 0: parentId is not hex"},
  };
  for (auto [json, reason] : cases) {
    DecodeStats stats;
    EXPECT_EQ(Decode(json, &stats).SpanCount(), 0u) << json;
    EXPECT_EQ(stats.rejection_reason, reason) << json;
  }
}

TEST(ZipkinDecode, AppendsToBatchAndStats) {
  SpanBatch batch = Decode(R"([{"traceId":"1","id":"1"}])");
  DecodeStats stats;
  stats.rejected_spans = 1;
  stats.rejection_reason = "earlier";
  ASSERT_TRUE(DecodeZipkinV2Json(R"([{"traceId":"1","id":"2"},{"id":"3"}])", &batch, &stats).ok());
  EXPECT_EQ(batch.resource_spans.size(), 2u);
  EXPECT_EQ(stats.rejected_spans, 2u);
  EXPECT_EQ(stats.rejection_reason, "earlier");
  ASSERT_TRUE(DecodeZipkinV2Json("[]", &batch, nullptr).ok());
}

TEST(ZipkinDecode, AcceptsIntegralDoubleTimes) {
  Span span = OnlySpan(R"([{"traceId":"1","id":"2","timestamp":1.5e15,"duration":10}])");
  EXPECT_EQ(span.start_time_ns, 1'500'000'000'000'000'000u);
  EXPECT_EQ(span.end_time_ns, 1'500'000'000'000'010'000u);
}

}  // namespace
}  // namespace spoor
