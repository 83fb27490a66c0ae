// Zipkin v2 protobuf -> model: the same spans as the equivalent v2 JSON
// (the mapping is shared), binary IDs and addresses, rejected spans, and
// bytes that are not a ListOfSpans.
#include <gtest/gtest.h>

#include <string>

#include "formats/zipkin/zipkin_decode.h"
#include "zipkin/zipkin.pb.h"
#include "zipkin_test_util.h"

namespace spoor {
namespace {

namespace pb = ::zipkin::proto3;
using zipkin_test::ExpectSameBatch;
using zipkin_test::Flatten;
using zipkin_test::StringAttr;

std::string Bytes(std::initializer_list<uint8_t> bytes) {
  return std::string(bytes.begin(), bytes.end());
}

SpanBatch DecodeProto(const pb::ListOfSpans& list, DecodeStats* stats = nullptr) {
  SpanBatch batch;
  Status status = DecodeZipkinV2Proto(list.SerializeAsString(), &batch, stats);
  EXPECT_TRUE(status.ok()) << status.message();
  return batch;
}

SpanBatch DecodeJson(std::string_view json) {
  SpanBatch batch;
  Status status = DecodeZipkinV2Json(json, &batch, nullptr);
  EXPECT_TRUE(status.ok()) << status.message();
  return batch;
}

// The span of ZipkinDecode.ReadsEveryField's JSON, in protobuf.
pb::Span FullSpan() {
  pb::Span s;
  s.set_trace_id(Bytes({0x5b, 0x8e, 0xff, 0xf7, 0x98, 0x03, 0x81, 0x03, 0xd2, 0x69, 0xb6, 0x33,
                        0x81, 0x3f, 0xc6, 0x0c}));
  s.set_id(Bytes({0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x74}));
  s.set_parent_id(Bytes({0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x73}));
  s.set_name("get /api");
  s.set_kind(pb::Span::SERVER);
  s.set_timestamp(1472470996199000);
  s.set_duration(207000);
  s.mutable_local_endpoint()->set_service_name("backend");
  s.mutable_local_endpoint()->set_ipv4(Bytes({192, 168, 99, 1}));
  s.mutable_local_endpoint()->set_port(3306);
  s.mutable_remote_endpoint()->set_service_name("frontend");
  s.mutable_remote_endpoint()->set_ipv6(
      Bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0x01}));
  s.mutable_remote_endpoint()->set_port(54321);
  pb::Annotation* a = s.add_annotations();
  a->set_timestamp(1472470996238000);
  a->set_value("foo");
  a = s.add_annotations();
  a->set_timestamp(1472470996403000);
  a->set_value("bar");
  (*s.mutable_tags())["clnt/finagle.version"] = "6.45.0";
  (*s.mutable_tags())["error"] = "timeout";
  (*s.mutable_tags())["http.path"] = "/api";
  (*s.mutable_tags())["otel.scope.name"] = "finagle";
  s.set_debug(true);
  s.set_shared(true);
  return s;
}

constexpr std::string_view kFullJson = R"([{
  "traceId": "5b8efff798038103d269b633813fc60c",
  "id": "eee19b7ec3c1b174",
  "parentId": "eee19b7ec3c1b173",
  "name": "get /api",
  "kind": "SERVER",
  "timestamp": 1472470996199000,
  "duration": 207000,
  "localEndpoint": {"serviceName": "backend", "ipv4": "192.168.99.1", "port": 3306},
  "remoteEndpoint": {"serviceName": "frontend", "ipv6": "2001:db8::c001", "port": 54321},
  "annotations": [{"timestamp": 1472470996238000, "value": "foo"},
                  {"timestamp": 1472470996403000, "value": "bar"}],
  "tags": {"clnt/finagle.version": "6.45.0", "error": "timeout", "http.path": "/api",
           "otel.scope.name": "finagle"},
  "debug": true,
  "shared": true
}])";

TEST(ZipkinProto, MapsEveryFieldAsTheJsonDecoderDoes) {
  pb::ListOfSpans list;
  *list.add_spans() = FullSpan();
  ExpectSameBatch(DecodeProto(list), DecodeJson(kFullJson));
}

TEST(ZipkinProto, ReadsEveryField) {
  pb::ListOfSpans list;
  *list.add_spans() = FullSpan();
  SpanBatch batch = DecodeProto(list);
  ASSERT_EQ(batch.resource_spans.size(), 1u);
  const Resource& resource = *batch.resource_spans[0].resource;
  EXPECT_EQ(resource.service_name, "backend");
  EXPECT_EQ(StringAttr(resource.attributes, "net.host.ip"), "192.168.99.1");
  EXPECT_EQ(*FindAttribute(resource.attributes, "net.host.port"), AnyValue::Int(3306));
  EXPECT_EQ(batch.resource_spans[0].scope_spans[0].scope->name, "finagle");
  const Span& span = batch.resource_spans[0].scope_spans[0].spans[0];
  EXPECT_EQ(span.trace_id.Hex32(), "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(span.span_id.Hex(), "eee19b7ec3c1b174");
  EXPECT_EQ(span.parent_span_id.Hex(), "eee19b7ec3c1b173");
  EXPECT_EQ(span.name, "get /api");
  EXPECT_EQ(span.kind, SpanKind::kServer);
  EXPECT_EQ(span.flags, 3u);  // sampled + debug
  EXPECT_EQ(span.start_time_ns, 1472470996199000000u);
  EXPECT_EQ(span.end_time_ns, 1472470996406000000u);
  EXPECT_EQ(span.status.code, SpanStatusCode::kError);
  EXPECT_EQ(span.status.message, "timeout");
  ASSERT_EQ(span.events.size(), 2u);
  EXPECT_EQ(span.events[0].name, "foo");
  EXPECT_EQ(span.events[0].time_ns, 1472470996238000000u);
  EXPECT_EQ(StringAttr(span.attributes, "http.path"), "/api");
  EXPECT_EQ(StringAttr(span.attributes, "peer.service"), "frontend");
  EXPECT_EQ(StringAttr(span.attributes, "net.peer.ip"), "2001:db8::c001");
  EXPECT_EQ(*FindAttribute(span.attributes, "net.peer.port"), AnyValue::Int(54321));
}

TEST(ZipkinProto, EightByteTraceIdHasAZeroHighHalf) {
  pb::ListOfSpans list;
  pb::Span* s = list.add_spans();
  s->set_trace_id(Bytes({0, 0, 0, 0, 0, 0, 0, 0x2a}));
  s->set_id(Bytes({0, 0, 0, 0, 0, 0, 0, 1}));
  s->set_parent_id(Bytes({0, 0, 0, 0, 0, 0, 0, 0}));  // zeros: a root span
  std::vector<zipkin_test::FlatSpan> spans = Flatten(DecodeProto(list));
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].span.trace_id, (TraceId{0, 0x2a}));
  EXPECT_FALSE(spans[0].span.parent_span_id.valid());
  EXPECT_EQ(spans[0].span.kind, SpanKind::kUnspecified);
  EXPECT_EQ(spans[0].service, kNoServiceName);
  EXPECT_EQ(spans[0].span.flags, 1u);
}

TEST(ZipkinProto, SpansWithUnusableIdsAreRejectedOneByOne) {
  const std::string id = Bytes({0, 0, 0, 0, 0, 0, 0, 1});
  const std::string trace = Bytes({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
  struct Case {
    std::string trace_id, id, parent_id, why;
  };
  const Case cases[] = {
      {"", id, "", "span 0: trace_id is missing"},
      {Bytes({1, 2, 3}), id, "", "span 0: trace_id must be 8 or 16 bytes, got 3"},
      {std::string(16, '\0'), id, "", "span 0: trace_id is all zeros"},
      {trace, "", "", "span 0: id is missing"},
      {trace, Bytes({1}), "", "span 0: id must be 8 bytes, got 1"},
      {trace, std::string(8, '\0'), "", "span 0: id is all zeros"},
      {trace, id, Bytes({1, 2}), "span 0: parent_id must be 8 bytes, got 2"},
  };
  for (const Case& c : cases) {
    pb::ListOfSpans list;
    pb::Span* bad = list.add_spans();
    bad->set_trace_id(c.trace_id);
    bad->set_id(c.id);
    bad->set_parent_id(c.parent_id);
    pb::Span* good = list.add_spans();
    good->set_trace_id(trace);
    good->set_id(id);
    DecodeStats stats;
    SpanBatch batch = DecodeProto(list, &stats);
    EXPECT_EQ(batch.SpanCount(), 1u) << c.why;
    EXPECT_EQ(stats.rejected_spans, 1u) << c.why;
    EXPECT_EQ(stats.rejection_reason, c.why);
  }
}

TEST(ZipkinProto, OddAddressesAndPortsReadAsAbsent) {
  pb::ListOfSpans list;
  pb::Span* s = list.add_spans();
  s->set_trace_id(Bytes({0, 0, 0, 0, 0, 0, 0, 1}));
  s->set_id(Bytes({0, 0, 0, 0, 0, 0, 0, 1}));
  s->mutable_local_endpoint()->set_service_name("svc");
  s->mutable_local_endpoint()->set_ipv4(Bytes({10, 0, 0}));
  s->mutable_local_endpoint()->set_port(-1);
  s->mutable_remote_endpoint()->set_ipv6(Bytes({1, 2, 3, 4}));
  s->mutable_remote_endpoint()->set_port(70000);
  s->set_kind(static_cast<pb::Span::Kind>(9));  // newer than this decoder
  SpanBatch batch = DecodeProto(list);
  ASSERT_EQ(batch.resource_spans.size(), 1u);
  EXPECT_EQ(batch.resource_spans[0].resource->attributes.size(), 1u);  // service.name only
  const Span& span = batch.resource_spans[0].scope_spans[0].spans[0];
  EXPECT_TRUE(span.attributes.empty());
  EXPECT_EQ(span.kind, SpanKind::kUnspecified);
}

TEST(ZipkinProto, SpansOfOneEndpointShareAResource) {
  pb::ListOfSpans list;
  for (uint8_t i = 1; i <= 3; ++i) {
    pb::Span* s = list.add_spans();
    s->set_trace_id(Bytes({0, 0, 0, 0, 0, 0, 0, 1}));
    s->set_id(Bytes({0, 0, 0, 0, 0, 0, 0, i}));
    s->mutable_local_endpoint()->set_service_name(i == 2 ? "b" : "a");
  }
  SpanBatch batch = DecodeProto(list);
  ASSERT_EQ(batch.resource_spans.size(), 2u);
  EXPECT_EQ(batch.resource_spans[0].resource->service_name, "a");
  EXPECT_EQ(batch.resource_spans[0].scope_spans[0].spans.size(), 2u);
  EXPECT_EQ(batch.resource_spans[1].resource->service_name, "b");
}

TEST(ZipkinProto, EmptyBodyIsAnEmptyList) {
  SpanBatch batch;
  DecodeStats stats;
  EXPECT_TRUE(DecodeZipkinV2Proto("", &batch, &stats).ok());
  EXPECT_EQ(batch.SpanCount(), 0u);
}

TEST(ZipkinProto, BytesThatAreNotAListOfSpansFail) {
  for (std::string_view body :
       {std::string_view("\x0a\x05\x0a\x01", 4),  // truncated span
        std::string_view("[{\"traceId\":\"1\"}]"), std::string_view("\xff\xff\xff", 3)}) {
    SpanBatch batch;
    DecodeStats stats;
    Status status = DecodeZipkinV2Proto(body, &batch, &stats);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(), "zipkin proto: not a valid zipkin.proto3.ListOfSpans");
    EXPECT_TRUE(batch.resource_spans.empty());
    EXPECT_EQ(stats.rejected_spans, 0u);
  }
}

}  // namespace
}  // namespace spoor
