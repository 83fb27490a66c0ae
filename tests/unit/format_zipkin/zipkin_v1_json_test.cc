// Zipkin v1 JSON -> model: the v1 -> v2 conversion rules of Zipkin's
// V1SpanConverter (kind and times from core annotations, shared client and
// server spans, address annotations, binary annotations as tags) and
// malformed input.
#include <gtest/gtest.h>

#include <string>

#include "formats/zipkin/zipkin_decode.h"
#include "formats/zipkin/zipkin_v1.h"
#include "zipkin_test_util.h"

namespace spoor {
namespace {

using zipkin_test::ExpectSameBatch;
using zipkin_test::FlatSpan;
using zipkin_test::Flatten;
using zipkin_test::StringAttr;

std::vector<FlatSpan> DecodeV1(std::string_view json, DecodeStats* stats = nullptr) {
  SpanBatch batch;
  Status status = DecodeZipkinV1Json(json, &batch, stats);
  EXPECT_TRUE(status.ok()) << status.message();
  return Flatten(batch);
}

SpanBatch Batch(Status (*decode)(std::string_view, SpanBatch*, DecodeStats*),
                std::string_view json) {
  SpanBatch batch;
  Status status = decode(json, &batch, nullptr);
  EXPECT_TRUE(status.ok()) << status.message();
  return batch;
}

std::string ErrorOf(std::string_view json) {
  SpanBatch batch;
  DecodeStats stats;
  Status status = DecodeZipkinV1Json(json, &batch, &stats);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << json;
  EXPECT_TRUE(batch.resource_spans.empty());
  EXPECT_EQ(stats.rejected_spans, 0u);
  return status.message();
}

constexpr uint64_t kUs = 1000;  // ns per µs

TEST(ZipkinV1Json, ClientSpanTakesKindTimesAndRemoteFromItsAnnotations) {
  auto spans = DecodeV1(R"([{
    "traceId": "000000000000002a", "id": "0000000000000002", "parentId": "0000000000000001",
    "name": "get", "debug": true,
    "annotations": [
      {"timestamp": 100, "value": "cs", "endpoint": {"serviceName": "web", "ipv4": "10.0.0.1"}},
      {"timestamp": 130, "value": "retry", "endpoint": {"serviceName": "web", "ipv4": "10.0.0.1"}},
      {"timestamp": 150, "value": "cr", "endpoint": {"serviceName": "web", "ipv4": "10.0.0.1"}}],
    "binaryAnnotations": [
      {"key": "http.path", "value": "/a", "endpoint": {"serviceName": "web", "ipv4": "10.0.0.1"}},
      {"key": "sa", "value": true, "endpoint": {"serviceName": "db", "ipv4": "10.0.0.2", "port": 5432}}]
  }])");
  ASSERT_EQ(spans.size(), 1u);
  const Span& s = spans[0].span;
  EXPECT_EQ(spans[0].service, "web");
  EXPECT_EQ(s.trace_id, (TraceId{0, 42}));
  EXPECT_EQ(s.span_id, SpanId{2});
  EXPECT_EQ(s.parent_span_id, SpanId{1});
  EXPECT_EQ(s.name, "get");
  EXPECT_EQ(s.kind, SpanKind::kClient);
  EXPECT_EQ(s.flags, 3u);
  EXPECT_EQ(s.start_time_ns, 100 * kUs);
  EXPECT_EQ(s.end_time_ns, 150 * kUs);
  ASSERT_EQ(s.events.size(), 1u);  // core annotations are not events
  EXPECT_EQ(s.events[0].name, "retry");
  EXPECT_EQ(s.events[0].time_ns, 130 * kUs);
  EXPECT_EQ(StringAttr(s.attributes, "http.path"), "/a");
  EXPECT_EQ(StringAttr(s.attributes, "peer.service"), "db");
  EXPECT_EQ(StringAttr(s.attributes, "net.peer.ip"), "10.0.0.2");
  EXPECT_EQ(*FindAttribute(s.attributes, "net.peer.port"), AnyValue::Int(5432));
  EXPECT_EQ(FindAttribute(s.attributes, "sa"), nullptr);
}

// The v1 span is the v2 span's: its v2 JSON decodes to the same batch.
TEST(ZipkinV1Json, ServerSpanMatchesItsV2Form) {
  ExpectSameBatch(Batch(DecodeZipkinV1Json, R"([{
    "traceId": "1", "id": "2", "name": "post",
    "annotations": [
      {"timestamp": 200, "value": "sr", "endpoint": {"serviceName": "api", "port": 8080}},
      {"timestamp": 260, "value": "ss", "endpoint": {"serviceName": "api", "port": 8080}}],
    "binaryAnnotations": [
      {"key": "ca", "value": true, "endpoint": {"serviceName": "web", "ipv6": "::1"}},
      {"key": "error", "value": "boom", "endpoint": {"serviceName": "api", "port": 8080}}]
  }])"),
                  Batch(DecodeZipkinV2Json, R"([{
    "traceId": "1", "id": "2", "name": "post", "kind": "SERVER",
    "timestamp": 200, "duration": 60, "shared": true,
    "localEndpoint": {"serviceName": "api", "port": 8080},
    "remoteEndpoint": {"serviceName": "web", "ipv6": "::1"},
    "tags": {"error": "boom"}
  }])"));
}

TEST(ZipkinV1Json, SpanTimestampAndDurationWinOverAnnotations) {
  auto spans = DecodeV1(R"([{"traceId": "1", "id": "2", "timestamp": 90, "duration": 70,
    "annotations": [{"timestamp": 100, "value": "cs", "endpoint": {"serviceName": "web"}},
                    {"timestamp": 150, "value": "cr", "endpoint": {"serviceName": "web"}}]}])");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].span.start_time_ns, 90 * kUs);
  EXPECT_EQ(spans[0].span.end_time_ns, 160 * kUs);
}

TEST(ZipkinV1Json, SharedClientAndServerBecomeTwoSpans) {
  auto spans = DecodeV1(R"([{"traceId": "1", "id": "2", "parentId": "1", "name": "rpc",
    "timestamp": 100, "duration": 100,
    "annotations": [
      {"timestamp": 100, "value": "cs", "endpoint": {"serviceName": "client"}},
      {"timestamp": 120, "value": "sr", "endpoint": {"serviceName": "server"}},
      {"timestamp": 170, "value": "ss", "endpoint": {"serviceName": "server"}},
      {"timestamp": 200, "value": "cr", "endpoint": {"serviceName": "client"}}],
    "binaryAnnotations": [
      {"key": "sa", "value": true, "endpoint": {"serviceName": "server", "ipv4": "10.0.0.2"}},
      {"key": "ca", "value": true, "endpoint": {"serviceName": "client", "ipv4": "10.0.0.1"}}]}])");
  ASSERT_EQ(spans.size(), 2u);
  const FlatSpan& client = spans[0].service == "client" ? spans[0] : spans[1];
  const FlatSpan& server = spans[0].service == "client" ? spans[1] : spans[0];
  EXPECT_EQ(client.service, "client");
  EXPECT_EQ(server.service, "server");
  EXPECT_EQ(client.span.span_id, server.span.span_id);
  EXPECT_EQ(client.span.parent_span_id, SpanId{1});
  EXPECT_EQ(server.span.parent_span_id, SpanId{1});
  EXPECT_EQ(client.span.kind, SpanKind::kClient);
  EXPECT_EQ(server.span.kind, SpanKind::kServer);
  EXPECT_EQ(client.span.start_time_ns, 100 * kUs);
  EXPECT_EQ(client.span.end_time_ns, 200 * kUs);
  EXPECT_EQ(server.span.start_time_ns, 120 * kUs);
  EXPECT_EQ(server.span.end_time_ns, 170 * kUs);
  EXPECT_EQ(StringAttr(client.span.attributes, "net.peer.ip"), "10.0.0.2");
  EXPECT_EQ(StringAttr(server.span.attributes, "net.peer.ip"), "10.0.0.1");
  EXPECT_TRUE(client.span.events.empty());
  EXPECT_TRUE(server.span.events.empty());
}

TEST(ZipkinV1Json, ConversionMarksTheServerSideShared) {
  zipkin::ZipkinEndpoint client, server;
  client.service_name = "client";
  server.service_name = "client";  // loopback: the same service on both sides
  zipkin::ZipkinV1Span v1;
  v1.trace_id = {0, 1};
  v1.id = {2};
  v1.annotations = {
      {100, "cs", client}, {120, "sr", server}, {170, "ss", server}, {200, "cr", client}};
  std::vector<zipkin::ZipkinSpanView> out;
  zipkin::ConvertV1Span(v1, &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].span.kind, SpanKind::kClient);
  EXPECT_FALSE(out[0].shared);
  EXPECT_EQ(out[0].timestamp_us, 100u);
  EXPECT_EQ(out[0].duration_us, 100u);
  EXPECT_EQ(out[1].span.kind, SpanKind::kServer);
  EXPECT_TRUE(out[1].shared);
  EXPECT_EQ(out[1].timestamp_us, 120u);
  EXPECT_EQ(out[1].duration_us, 50u);
}

TEST(ZipkinV1Json, ServerOnlySpanWithoutTimestampIsShared) {
  zipkin::ZipkinEndpoint server;
  server.service_name = "api";
  zipkin::ZipkinV1Span v1;
  v1.trace_id = {0, 1};
  v1.id = {2};
  v1.annotations = {{120, "sr", server}, {170, "ss", server}};
  std::vector<zipkin::ZipkinSpanView> out;
  zipkin::ConvertV1Span(v1, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].shared);
  EXPECT_EQ(out[0].timestamp_us, 120u);
  EXPECT_EQ(out[0].duration_us, 50u);

  v1.timestamp_us = 120;
  v1.duration_us = 50;
  out.clear();
  zipkin::ConvertV1Span(v1, &out);
  EXPECT_FALSE(out[0].shared);  // its own timestamp: the server started the span
}

TEST(ZipkinV1Json, IncompleteRpcKeepsTheStartAndAnnotatesTheEnd) {
  // Only "cr": no start, so the span keeps its own timestamp and "cr" is an
  // annotation.
  auto spans = DecodeV1(R"([{"traceId": "1", "id": "2", "timestamp": 100,
    "annotations": [{"timestamp": 150, "value": "cr", "endpoint": {"serviceName": "web"}}]}])");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].span.kind, SpanKind::kClient);
  EXPECT_EQ(spans[0].span.start_time_ns, 100 * kUs);
  EXPECT_EQ(spans[0].span.end_time_ns, 100 * kUs);
  ASSERT_EQ(spans[0].span.events.size(), 1u);
  EXPECT_EQ(spans[0].span.events[0].name, "cr");

  // Only "cs": a one-way client span starting at cs.
  spans = DecodeV1(R"([{"traceId": "1", "id": "2",
    "annotations": [{"timestamp": 100, "value": "cs", "endpoint": {"serviceName": "web"}}]}])");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].span.kind, SpanKind::kClient);
  EXPECT_EQ(spans[0].span.start_time_ns, 100 * kUs);
  EXPECT_TRUE(spans[0].span.events.empty());
}

TEST(ZipkinV1Json, MissingStartIsImpliedByTheSpanTimestamp) {
  // cr at timestamp + duration: cs was lost, the span's timestamp stands for it.
  auto spans = DecodeV1(R"([{"traceId": "1", "id": "2", "timestamp": 100, "duration": 50,
    "annotations": [{"timestamp": 150, "value": "cr", "endpoint": {"serviceName": "web"}}]}])");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].span.kind, SpanKind::kClient);
  EXPECT_EQ(spans[0].span.start_time_ns, 100 * kUs);
  EXPECT_EQ(spans[0].span.end_time_ns, 150 * kUs);
  EXPECT_TRUE(spans[0].span.events.empty());
}

TEST(ZipkinV1Json, MessagingAnnotationsAndBroker) {
  auto spans = DecodeV1(R"([{"traceId": "1", "id": "2",
    "annotations": [{"timestamp": 100, "value": "ms", "endpoint": {"serviceName": "producer"}},
                    {"timestamp": 105, "value": "ws", "endpoint": {"serviceName": "producer"}}],
    "binaryAnnotations": [{"key": "ma", "value": true, "endpoint": {"serviceName": "kafka"}}]}])");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].span.kind, SpanKind::kProducer);
  EXPECT_EQ(spans[0].span.start_time_ns, 100 * kUs);
  EXPECT_EQ(spans[0].span.end_time_ns, 105 * kUs);
  EXPECT_EQ(StringAttr(spans[0].span.attributes, "peer.service"), "kafka");

  spans = DecodeV1(R"([{"traceId": "1", "id": "2",
    "annotations": [{"timestamp": 200, "value": "mr", "endpoint": {"serviceName": "consumer"}}]}])");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].span.kind, SpanKind::kConsumer);
  EXPECT_EQ(spans[0].span.start_time_ns, 200 * kUs);
}

TEST(ZipkinV1Json, LocalSpanWithAddressesButNoCoreAnnotations) {
  // "lc" marks a local span (the empty tag is dropped); ca + sa without core
  // annotations: the span is the client's, with sa as its remote endpoint.
  auto spans = DecodeV1(R"([{"traceId": "1", "id": "2", "timestamp": 10, "duration": 5,
    "binaryAnnotations": [
      {"key": "lc", "value": "", "endpoint": {"serviceName": "worker"}},
      {"key": "ca", "value": true, "endpoint": {"serviceName": "worker", "ipv4": "1.1.1.1"}},
      {"key": "sa", "value": true, "endpoint": {"serviceName": "db", "ipv4": "2.2.2.2"}}]}])");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].service, "worker");
  EXPECT_EQ(spans[0].span.kind, SpanKind::kUnspecified);
  EXPECT_EQ(spans[0].span.start_time_ns, 10 * kUs);
  EXPECT_EQ(spans[0].span.end_time_ns, 15 * kUs);
  EXPECT_EQ(FindAttribute(spans[0].span.attributes, "lc"), nullptr);
  EXPECT_EQ(StringAttr(spans[0].span.attributes, "peer.service"), "db");

  // "ca" alone: a server span.
  spans = DecodeV1(R"([{"traceId": "1", "id": "2",
    "binaryAnnotations": [{"key": "ca", "value": true, "endpoint": {"ipv4": "1.1.1.1"}}]}])");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].span.kind, SpanKind::kServer);
  EXPECT_EQ(StringAttr(spans[0].span.attributes, "net.peer.ip"), "1.1.1.1");
}

TEST(ZipkinV1Json, BinaryAnnotationValuesBecomeStringTags) {
  auto spans = DecodeV1(R"([{"traceId": "1", "id": "2", "binaryAnnotations": [
      {"key": "s", "value": "text"}, {"key": "n", "value": 42}, {"key": "d", "value": 1.5},
      {"key": "b", "value": false}, {"key": "sa", "value": true},
      {"key": "none", "value": null}, {"key": "s", "value": "last"}]}])");
  ASSERT_EQ(spans.size(), 1u);
  const Attributes& a = spans[0].span.attributes;
  EXPECT_EQ(StringAttr(a, "s"), "last");  // a repeated key keeps its last value
  EXPECT_EQ(StringAttr(a, "n"), "42");
  EXPECT_EQ(StringAttr(a, "d"), "1.5");
  EXPECT_EQ(StringAttr(a, "b"), "false");
  EXPECT_EQ(StringAttr(a, "sa"), "true");  // without an endpoint it is no address
  EXPECT_EQ(FindAttribute(a, "none"), nullptr);
  EXPECT_EQ(a.size(), 5u);
}

TEST(ZipkinV1Json, AnnotationsFromAnotherServiceStartAnotherSpan) {
  auto spans = DecodeV1(R"([{"traceId": "1", "id": "2", "timestamp": 1, "duration": 2,
    "annotations": [{"timestamp": 1, "value": "a", "endpoint": {"serviceName": "one"}},
                    {"timestamp": 2, "value": "b", "endpoint": {"serviceName": "two"}},
                    {"timestamp": 3, "value": "c"}]}])");
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].service, "one");
  ASSERT_EQ(spans[0].span.events.size(), 2u);  // "c" has no endpoint: the first span's
  EXPECT_EQ(spans[0].span.events[1].name, "c");
  EXPECT_EQ(spans[1].service, "two");
  EXPECT_EQ(spans[1].span.span_id, SpanId{2});
}

TEST(ZipkinV1Json, CoreAnnotationWithoutEndpointIsAPlainAnnotation) {
  auto spans = DecodeV1(R"([{"traceId": "1", "id": "2",
    "annotations": [{"timestamp": 1, "value": "cs"}, {"timestamp": 2, "value": "cr"}]}])");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].span.kind, SpanKind::kUnspecified);
  ASSERT_EQ(spans[0].span.events.size(), 2u);
  EXPECT_EQ(spans[0].service, kNoServiceName);
}

TEST(ZipkinV1Json, HundredTwentyEightBitTraceIds) {
  auto spans = DecodeV1(R"([{"traceId": "463ac35c9f6413ad48485a3953bb6124", "id": "a"}])");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].span.trace_id, (TraceId{0x463ac35c9f6413adULL, 0x48485a3953bb6124ULL}));
}

TEST(ZipkinV1Json, SpansWithUnusableIdsAreRejectedOneByOne) {
  DecodeStats stats;
  auto spans = DecodeV1(R"([{"id": "1"}, {"traceId": "1", "id": "0"},
    {"traceId": "xyz", "id": "1"}, {"traceId": "1", "id": "1", "parentId": "12345678901234567"},
    {"traceId": "1", "id": "1"}])",
                        &stats);
  EXPECT_EQ(spans.size(), 1u);
  EXPECT_EQ(stats.rejected_spans, 4u);
  EXPECT_EQ(stats.rejection_reason, "span 0: traceId is missing");
}

TEST(ZipkinV1Json, MalformedInputNamesThePath) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {R"({})", "zipkin v1 json: expected array of spans"},
      {R"([1])", "zipkin v1 json: [0]: expected object"},
      {R"([{"timestamp":"1"}])", "zipkin v1 json: [0].timestamp: expected integer"},
      {R"([{"debug":1}])", "zipkin v1 json: [0].debug: expected boolean"},
      {R"([{"annotations":{}}])", "zipkin v1 json: [0].annotations: expected array"},
      {R"([{"annotations":[{"value":"cs"}]}])",
       "zipkin v1 json: [0].annotations[0]: annotation without a timestamp"},
      {R"([{"annotations":[{"timestamp":1}]}])",
       "zipkin v1 json: [0].annotations[0]: annotation without a value"},
      {R"([{"annotations":[{"timestamp":1,"value":"cs","endpoint":{"port":-1}}]}])",
       "zipkin v1 json: [0].annotations[0].endpoint.port: integer out of range"},
      {R"([{"binaryAnnotations":[{"value":"x"}]}])",
       "zipkin v1 json: [0].binaryAnnotations[0]: binary annotation without a key"},
      {R"([{"binaryAnnotations":[{"key":"k","value":{}}]}])",
       "zipkin v1 json: [0].binaryAnnotations[0].value: expected string"},
      {R"([{"timestamp":18446744073709551,"duration":1}])",
       "zipkin v1 json: [0].duration: integer out of range"},
      {R"([{)",
       "zipkin v1 json: The JSON document has an improper structure: "
       "missing or superfluous commas, braces, missing keys, etc."},
  };
  for (const auto& [json, message] : cases) EXPECT_EQ(ErrorOf(json), message) << json;
}

}  // namespace
}  // namespace spoor
