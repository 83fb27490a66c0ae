// The C++ tracer's hand-written OTLP encoding, parsed by the protobuf
// library with the OTLP schema: every field where the schema puts it.
#include "client/cpp/src/otlp_encode.h"

#include <gtest/gtest.h>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace spoor {
namespace {

namespace pb = opentelemetry::proto;

TEST(OtlpEncode, TheProtobufLibraryReadsEveryField) {
  ProcessData process{"checkout", {{"hostname", TagValue::String("h1")}}};
  SpanData root;
  root.trace_id_high = 0x0102030405060708ULL;
  root.trace_id_low = 0x090a0b0c0d0e0f10ULL;
  root.span_id = 0x1112131415161718ULL;
  root.flags = 1;
  root.operation_name = "GET /cart";
  root.start_time_ns = 1800000000000000000ULL;
  root.duration_ns = 2500;
  root.tags = {{"span.kind", TagValue::String("server")},
               {"http.status_code", TagValue::Int64(503)},
               {"error", TagValue::Bool(true)},
               {"ratio", TagValue::Double(0.25)},
               {"cached", TagValue::Bool(false)}};
  root.logs = {{1800000000000001000ULL,
                {{"event", TagValue::String("retry")}, {"attempt", TagValue::Int64(2)}}}};
  SpanData child = root;
  child.span_id = 0x2122232425262728ULL;
  child.parent_span_id = root.span_id;
  child.tags = {{"span.kind", TagValue::String("client")}};
  child.logs.clear();
  child.references = {{ReferenceType::kFollowsFrom, 7, 8, 9}};
  SpanData follower = child;
  follower.span_id = 0x31;
  follower.references = {
      {ReferenceType::kFollowsFrom, root.trace_id_high, root.trace_id_low, root.span_id}};
  follower.parent_span_id = root.span_id;

  std::string bytes;
  internal::EncodeOtlpRequest(process, {root, child, follower}, &bytes);
  pb::collector::trace::v1::ExportTraceServiceRequest request;
  ASSERT_TRUE(request.ParseFromString(bytes));
  ASSERT_EQ(request.resource_spans_size(), 1);
  const auto& rs = request.resource_spans(0);
  ASSERT_EQ(rs.resource().attributes_size(), 2);
  EXPECT_EQ(rs.resource().attributes(0).key(), "service.name");
  EXPECT_EQ(rs.resource().attributes(0).value().string_value(), "checkout");
  EXPECT_EQ(rs.resource().attributes(1).key(), "hostname");
  ASSERT_EQ(rs.scope_spans_size(), 1);
  EXPECT_EQ(rs.scope_spans(0).scope().name(), "spoor-cpp");
  ASSERT_EQ(rs.scope_spans(0).spans_size(), 3);

  const pb::trace::v1::Span& s = rs.scope_spans(0).spans(0);
  EXPECT_EQ(s.trace_id(),
            std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10", 16));
  EXPECT_EQ(s.span_id(), std::string("\x11\x12\x13\x14\x15\x16\x17\x18", 8));
  EXPECT_TRUE(s.parent_span_id().empty());
  EXPECT_EQ(s.name(), "GET /cart");
  EXPECT_EQ(s.kind(), pb::trace::v1::Span::SPAN_KIND_SERVER);
  EXPECT_EQ(s.start_time_unix_nano(), 1800000000000000000ULL);
  EXPECT_EQ(s.end_time_unix_nano(), 1800000000000002500ULL);
  EXPECT_EQ(s.status().code(), pb::trace::v1::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(s.flags(), 1u);
  ASSERT_EQ(s.attributes_size(), 3);  // span.kind and error became fields
  EXPECT_EQ(s.attributes(0).key(), "http.status_code");
  EXPECT_EQ(s.attributes(0).value().int_value(), 503);
  EXPECT_DOUBLE_EQ(s.attributes(1).value().double_value(), 0.25);
  EXPECT_TRUE(s.attributes(2).value().has_bool_value());
  EXPECT_FALSE(s.attributes(2).value().bool_value());
  ASSERT_EQ(s.events_size(), 1);
  EXPECT_EQ(s.events(0).name(), "retry");
  EXPECT_EQ(s.events(0).time_unix_nano(), 1800000000000001000ULL);
  ASSERT_EQ(s.events(0).attributes_size(), 1);
  EXPECT_EQ(s.events(0).attributes(0).value().int_value(), 2);

  const pb::trace::v1::Span& c = rs.scope_spans(0).spans(1);
  EXPECT_EQ(c.parent_span_id(), s.span_id());
  EXPECT_EQ(c.kind(), pb::trace::v1::Span::SPAN_KIND_CLIENT);
  EXPECT_EQ(c.status().code(), pb::trace::v1::Status::STATUS_CODE_UNSET);
  ASSERT_EQ(c.links_size(), 1);
  EXPECT_EQ(c.links(0).span_id(), std::string("\0\0\0\0\0\0\0\x09", 8));
  EXPECT_EQ(c.links(0).attributes(0).key(), "opentracing.ref_type");
  EXPECT_EQ(c.links(0).attributes(0).value().string_value(), "follows_from");
  // A follows-from parent is a link, not a parent.
  const pb::trace::v1::Span& f = rs.scope_spans(0).spans(2);
  EXPECT_TRUE(f.parent_span_id().empty());
  ASSERT_EQ(f.links_size(), 1);
  EXPECT_EQ(f.links(0).span_id(), s.span_id());
}

}  // namespace
}  // namespace spoor
