// The C++ tracer's Jaeger Thrift, read by Spoor's own decoders: compact
// datagrams by the agent packet decoder (UDP 6831), binary Batch bodies by
// the collector's (HTTP 14268).
#include "client/cpp/src/thrift_encode.h"

#include <gtest/gtest.h>

#include "formats/jaeger_thrift/jaeger_thrift_decode.h"
#include "model/string_table.h"

namespace spoor {
namespace {

const AnyValue* Attr(const Attributes& attrs, std::string_view key) {
  return FindAttribute(attrs, key);
}

ProcessData Process() {
  return {"edge", {{"hostname", TagValue::String("h1")}, {"n", TagValue::Int64(7)}}};
}

SpanData Sample() {
  SpanData s;
  s.trace_id_high = 0x0102030405060708ULL;
  s.trace_id_low = 0x090a0b0c0d0e0f10ULL;
  s.span_id = 0x1112131415161718ULL;
  s.parent_span_id = 0x2122232425262728ULL;
  s.flags = 1;
  s.operation_name = "GET /";
  s.start_time_ns = 1800000000123456000ULL;
  s.duration_ns = 2500000;
  s.tags = {{"span.kind", TagValue::String("server")},
            {"http.status_code", TagValue::Int64(-3)},
            {"error", TagValue::Bool(true)},
            {"ratio", TagValue::Double(0.25)},
            {"cached", TagValue::Bool(false)}};
  s.logs = {{1800000000123457000ULL, {{"event", TagValue::String("retry")}}}};
  s.references = {{ReferenceType::kFollowsFrom, 1, 2, 3}};
  return s;
}

// 20 spans (more than 14: the compact protocol's long list header), the
// first one's every field as sent.
void ExpectEveryField(const SpanBatch& batch) {
  SpanData s = Sample();
  ASSERT_EQ(batch.SpanCount(), 20u);
  const ResourceSpans& rs = batch.resource_spans.at(0);
  EXPECT_EQ(rs.resource->service_name, "edge");
  ASSERT_NE(Attr(rs.resource->attributes, "n"), nullptr);
  EXPECT_EQ(Attr(rs.resource->attributes, "n")->int_value, 7);
  const Span& d = rs.scope_spans.at(0).spans.at(0);
  EXPECT_EQ(d.trace_id.high, s.trace_id_high);
  EXPECT_EQ(d.trace_id.low, s.trace_id_low);
  EXPECT_EQ(d.span_id.value, s.span_id);
  EXPECT_EQ(d.parent_span_id.value, s.parent_span_id);
  EXPECT_EQ(d.name, "GET /");
  EXPECT_EQ(d.kind, SpanKind::kServer);
  EXPECT_EQ(d.status.code, SpanStatusCode::kError);
  EXPECT_EQ(d.start_time_ns, 1800000000123456000ULL);
  EXPECT_EQ(d.end_time_ns, 1800000000123456000ULL + 2500000);
  ASSERT_NE(Attr(d.attributes, "http.status_code"), nullptr);
  EXPECT_EQ(Attr(d.attributes, "http.status_code")->int_value, -3);
  ASSERT_NE(Attr(d.attributes, "ratio"), nullptr);
  EXPECT_DOUBLE_EQ(Attr(d.attributes, "ratio")->double_value, 0.25);
  ASSERT_NE(Attr(d.attributes, "cached"), nullptr);
  EXPECT_EQ(Attr(d.attributes, "cached")->type, ValueType::kBool);
  EXPECT_FALSE(Attr(d.attributes, "cached")->bool_value);
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].time_ns, 1800000000123457000ULL);
  ASSERT_EQ(d.links.size(), 1u);
  EXPECT_EQ(d.links[0].span_id.value, 3u);
  EXPECT_EQ(rs.scope_spans.at(0).spans.at(19).span_id.value, s.span_id + 19);
}

std::vector<SpanData> Spans() {
  std::vector<SpanData> spans;
  for (int i = 0; i < 20; ++i) {
    spans.push_back(Sample());
    spans.back().span_id += static_cast<uint64_t>(i);
  }
  return spans;
}

TEST(ThriftEncode, SpoorsAgentDecoderReadsEveryField) {
  std::vector<std::string> spans;
  for (const SpanData& s : Spans()) spans.push_back(internal::EncodeThriftSpan(s));
  std::string packet = internal::EncodeEmitBatch(internal::EncodeThriftProcess(Process()), spans);
  SpanBatch batch;
  DecodeStats stats;
  Status st = DecodeJaegerAgentPacket(packet, ThriftProtocol::kCompact, &batch, &stats);
  ASSERT_TRUE(st.ok()) << st.message();
  ExpectEveryField(batch);
}

TEST(ThriftEncode, SpoorsCollectorDecoderReadsEveryFieldOfTheBinaryBatch) {
  std::string body = internal::EncodeBinaryBatch(Process(), Spans());
  SpanBatch batch;
  DecodeStats stats;
  Status st = DecodeJaegerThriftBatch(body, ThriftProtocol::kBinary, &batch, &stats);
  ASSERT_TRUE(st.ok()) << st.message();
  ExpectEveryField(batch);
  // Not compact by mistake: the compact decoder refuses it.
  SpanBatch other;
  EXPECT_FALSE(DecodeJaegerThriftBatch(body, ThriftProtocol::kCompact, &other, &stats).ok());
}

}  // namespace
}  // namespace spoor
