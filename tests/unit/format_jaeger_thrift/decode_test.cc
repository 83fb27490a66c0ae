// jaeger.thrift Batch -> model, in both protocols.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "formats/jaeger_model/jaeger_model.h"
#include "formats/jaeger_thrift/jaeger_thrift_decode.h"
#include "thrift_writer.h"

namespace spoor {
namespace {

using thrift_test::BinaryTag;
using thrift_test::BoolTag;
using thrift_test::DoubleTag;
using thrift_test::EncodeBatch;
using thrift_test::EncodeEmitBatch;
using thrift_test::JBatch;
using thrift_test::JRef;
using thrift_test::JSpan;
using thrift_test::LongTag;
using thrift_test::StrTag;

JSpan MinimalSpan(int64_t span_id = 0x22) {
  JSpan s;
  s.trace_id_low = 0x11;
  s.span_id = span_id;
  s.operation_name = "op";
  s.start_time = 1'700'000'000'000'000;
  s.duration = 1500;
  return s;
}

class JaegerThriftDecode : public testing::TestWithParam<ThriftProtocol> {
 protected:
  // Decodes `b` both as a Batch and as an emitBatch packet; expects both
  // to succeed with the same spans and returns the Batch's.
  SpanBatch Decode(const JBatch& b, DecodeStats* stats = nullptr) {
    SpanBatch batch;
    Status s = DecodeJaegerThriftBatch(EncodeBatch(b, GetParam()), GetParam(), &batch, stats);
    EXPECT_TRUE(s.ok()) << s.message();
    SpanBatch packet;
    s = DecodeJaegerAgentPacket(EncodeEmitBatch(b, GetParam()), GetParam(), &packet, nullptr);
    EXPECT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(packet.SpanCount(), batch.SpanCount());
    if (packet.SpanCount() == batch.SpanCount() && batch.SpanCount() > 0) {
      EXPECT_EQ(packet.resource_spans[0].scope_spans[0].spans,
                batch.resource_spans[0].scope_spans[0].spans);
    }
    return batch;
  }

  Span DecodeOne(const JSpan& span) {
    JBatch b;
    b.process.service_name = "svc";
    b.spans.push_back(span);
    SpanBatch batch = Decode(b);
    if (batch.SpanCount() != 1) {
      ADD_FAILURE() << "expected one span";
      return {};
    }
    return batch.resource_spans[0].scope_spans[0].spans[0];
  }
};

TEST_P(JaegerThriftDecode, MapsIdsTimesAndName) {
  JSpan in = MinimalSpan();
  in.trace_id_high = -1;  // i64 on the wire, unsigned in the model
  in.flags = 3;
  Span span = DecodeOne(in);
  EXPECT_EQ(span.trace_id, (TraceId{UINT64_MAX, 0x11}));
  EXPECT_EQ(span.span_id.value, 0x22u);
  EXPECT_FALSE(span.parent_span_id.valid());
  EXPECT_EQ(span.name, "op");
  EXPECT_EQ(span.flags, 3u);
  EXPECT_EQ(span.start_time_ns, 1'700'000'000'000'000'000u);
  EXPECT_EQ(span.end_time_ns, 1'700'000'000'001'500'000u);
  EXPECT_EQ(span.kind, SpanKind::kUnspecified);
}

TEST_P(JaegerThriftDecode, ProcessBecomesResource) {
  JBatch b;
  b.process.service_name = "frontend";
  b.process.tags = {
      {StrTag("hostname", "node-1"), LongTag("pid", 42), StrTag("service.name", "ignored")}};
  b.spans = {MinimalSpan(1), MinimalSpan(2)};
  b.seq_no = 9;
  SpanBatch batch = Decode(b);
  ASSERT_EQ(batch.resource_spans.size(), 1u);
  const ResourceSpans& rs = batch.resource_spans[0];
  EXPECT_EQ(rs.resource->service_name, "frontend");
  EXPECT_EQ(rs.resource->attributes, (Attributes{{"service.name", AnyValue::String("frontend")},
                                                 {"hostname", AnyValue::String("node-1")},
                                                 {"pid", AnyValue::Int(42)}}));
  ASSERT_EQ(rs.scope_spans.size(), 1u);
  EXPECT_TRUE(rs.scope_spans[0].scope->name.empty());
  EXPECT_EQ(rs.scope_spans[0].spans.size(), 2u);
}

TEST_P(JaegerThriftDecode, EmptyServiceNameGivesNoServiceName) {
  JBatch b;
  b.spans = {MinimalSpan()};
  SpanBatch batch = Decode(b);
  ASSERT_EQ(batch.resource_spans.size(), 1u);
  EXPECT_EQ(batch.resource_spans[0].resource->service_name, kNoServiceName);
}

TEST_P(JaegerThriftDecode, TagTypes) {
  JSpan in = MinimalSpan();
  in.tags = {{StrTag("s", "v"), DoubleTag("d", 2.5), BoolTag("b", true), LongTag("l", -7),
              BinaryTag("x", std::string("\0\xff", 2)),
              thrift_test::JTag{.key = "future", .v_type = 9}}};
  Span span = DecodeOne(in);
  EXPECT_EQ(span.attributes, (Attributes{{"s", AnyValue::String("v")},
                                         {"d", AnyValue::Double(2.5)},
                                         {"b", AnyValue::Bool(true)},
                                         {"l", AnyValue::Int(-7)},
                                         {"x", AnyValue::Bytes(std::string("\0\xff", 2))},
                                         {"future", AnyValue::String("")}}));
}

TEST_P(JaegerThriftDecode, InvalidUtf8IsReplacedInStringsNotInBinary) {
  JSpan in = MinimalSpan();
  in.operation_name = "op\xff";
  in.tags = {{StrTag("k\xc3", "caf\xc3\xa9 \xed\xa0\x80"), BinaryTag("raw", "\xff")}};
  Span span = DecodeOne(in);
  EXPECT_EQ(span.name, "op\xEF\xBF\xBD");
  EXPECT_EQ(span.attributes,
            (Attributes{{"k\xEF\xBF\xBD",
                         AnyValue::String("caf\xc3\xa9 \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD")},
                        {"raw", AnyValue::Bytes("\xff")}}));
}

TEST_P(JaegerThriftDecode, SpecialTagsBecomeSpanFields) {
  JSpan in = MinimalSpan();
  in.tags = {{StrTag("span.kind", "client"), BoolTag("error", true),
              StrTag("otel.status_description", "boom"), StrTag("w3c.tracestate", "k=v"),
              StrTag("http.method", "GET")}};
  Span span = DecodeOne(in);
  EXPECT_EQ(span.kind, SpanKind::kClient);
  EXPECT_EQ(span.status, (SpanStatus{SpanStatusCode::kError, "boom"}));
  EXPECT_EQ(span.trace_state, "k=v");
  EXPECT_EQ(span.attributes, (Attributes{{"http.method", AnyValue::String("GET")}}));
}

TEST_P(JaegerThriftDecode, OtelStatusCode) {
  JSpan in = MinimalSpan();
  in.tags = {{StrTag("otel.status_code", "OK")}};
  Span ok = DecodeOne(in);
  EXPECT_EQ(ok.status.code, SpanStatusCode::kOk);
  EXPECT_TRUE(ok.attributes.empty());

  in.tags = {{StrTag("otel.status_code", "error"), StrTag("otel.status_description", "bad")}};
  Span error = DecodeOne(in);
  EXPECT_EQ(error.status, (SpanStatus{SpanStatusCode::kError, "bad"}));
  EXPECT_TRUE(error.attributes.empty());
}

TEST_P(JaegerThriftDecode, TagsThatAreNotSpanFieldsStay) {
  JSpan in = MinimalSpan();
  in.tags = {{StrTag("span.kind", "sideways"), BoolTag("error", false), LongTag("span.kind", 1),
              StrTag("otel.status_description", "no status")}};
  Span span = DecodeOne(in);
  EXPECT_EQ(span.kind, SpanKind::kUnspecified);
  EXPECT_EQ(span.status.code, SpanStatusCode::kUnset);
  EXPECT_EQ(span.attributes.size(), 4u);
}

TEST_P(JaegerThriftDecode, ParentFromParentSpanIdOrFirstChildOf) {
  JSpan in = MinimalSpan();
  in.parent_span_id = 0x33;
  // The CHILD_OF reference that repeats parentSpanId is not a link.
  in.references = {{JRef{0, 0x11, 0, 0x33}, JRef{1, 0x11, 0, 0x44}}};
  Span span = DecodeOne(in);
  EXPECT_EQ(span.parent_span_id.value, 0x33u);
  ASSERT_EQ(span.links.size(), 1u);
  EXPECT_EQ(span.links[0].span_id.value, 0x44u);
  EXPECT_TRUE(span.links[0].attributes.empty());

  in.parent_span_id = 0;
  // A CHILD_OF into another trace is not the parent; the second CHILD_OF
  // within the trace is a link marked child_of.
  in.references = {{JRef{1, 0x11, 0, 0x44}, JRef{0, 0x99, 0, 0x55}, JRef{0, 0x11, 0, 0x66},
                    JRef{0, 0x11, 0, 0x77}}};
  span = DecodeOne(in);
  EXPECT_EQ(span.parent_span_id.value, 0x66u);
  ASSERT_EQ(span.links.size(), 3u);
  EXPECT_EQ(span.links[0].span_id.value, 0x44u);
  EXPECT_TRUE(span.links[0].attributes.empty());
  EXPECT_EQ(span.links[1].trace_id, (TraceId{0, 0x99}));
  EXPECT_EQ(span.links[1].attributes,
            (Attributes{{"opentracing.ref_type", AnyValue::String("child_of")}}));
  EXPECT_EQ(span.links[2].span_id.value, 0x77u);
}

TEST_P(JaegerThriftDecode, LogsBecomeEvents) {
  JSpan in = MinimalSpan();
  in.logs = {{{.timestamp = 1'700'000'000'000'100,
               .fields = {StrTag("event", "retry"), LongTag("attempt", 2)}},
              {.timestamp = 5, .fields = {StrTag("message", "no name")}}}};
  Span span = DecodeOne(in);
  ASSERT_EQ(span.events.size(), 2u);
  EXPECT_EQ(span.events[0].time_ns, 1'700'000'000'000'100'000u);
  EXPECT_EQ(span.events[0].name, "retry");
  EXPECT_EQ(span.events[0].attributes, (Attributes{{"attempt", AnyValue::Int(2)}}));
  EXPECT_EQ(span.events[1].name, "");
  EXPECT_EQ(span.events[1].attributes, (Attributes{{"message", AnyValue::String("no name")}}));
}

TEST_P(JaegerThriftDecode, OutOfRangeTimesAreClamped) {
  JSpan in = MinimalSpan();
  in.start_time = -5;
  in.duration = -1;
  Span span = DecodeOne(in);
  EXPECT_EQ(span.start_time_ns, 0u);
  EXPECT_EQ(span.end_time_ns, 0u);
  in.start_time = INT64_MAX;
  in.duration = INT64_MAX;
  span = DecodeOne(in);
  EXPECT_EQ(span.start_time_ns, UINT64_MAX);
  EXPECT_EQ(span.end_time_ns, UINT64_MAX);
}

TEST_P(JaegerThriftDecode, ZeroIdsAreRejectedAndCounted) {
  JBatch b;
  b.process.service_name = "svc";
  JSpan no_trace = MinimalSpan();
  no_trace.trace_id_low = 0;
  b.spans = {MinimalSpan(1), no_trace, MinimalSpan(0)};
  DecodeStats stats;
  stats.rejected_spans = 1;  // added to, not replaced
  stats.rejection_reason = "earlier";
  SpanBatch batch = Decode(b, &stats);
  EXPECT_EQ(batch.SpanCount(), 1u);
  EXPECT_EQ(stats.rejected_spans, 3u);
  EXPECT_EQ(stats.rejection_reason, "earlier");

  DecodeStats fresh;
  SpanBatch again;
  ASSERT_TRUE(DecodeJaegerThriftBatch(EncodeBatch(b, GetParam()), GetParam(), &again, &fresh).ok());
  EXPECT_EQ(fresh.rejection_reason, "span 1: trace ID is zero");

  b.spans = {no_trace};
  SpanBatch none = Decode(b);
  EXPECT_TRUE(none.resource_spans.empty());
}

TEST_P(JaegerThriftDecode, AppendsToBatch) {
  JBatch b;
  b.spans = {MinimalSpan()};
  SpanBatch batch;
  const std::string bytes = EncodeBatch(b, GetParam());
  ASSERT_TRUE(DecodeJaegerThriftBatch(bytes, GetParam(), &batch, nullptr).ok());
  ASSERT_TRUE(DecodeJaegerThriftBatch(bytes, GetParam(), &batch, nullptr).ok());
  EXPECT_EQ(batch.resource_spans.size(), 2u);
}

TEST_P(JaegerThriftDecode, AgentPacketForms) {
  JBatch b;
  b.spans = {MinimalSpan()};
  SpanBatch batch;
  // CALL as well as ONEWAY; the old non-strict binary header too.
  ASSERT_TRUE(
      DecodeJaegerAgentPacket(EncodeEmitBatch(b, GetParam(), true, 1), GetParam(), &batch, nullptr)
          .ok());
  if (GetParam() == ThriftProtocol::kBinary) {
    Status s =
        DecodeJaegerAgentPacket(EncodeEmitBatch(b, GetParam(), false), GetParam(), &batch, nullptr);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  EXPECT_GE(batch.SpanCount(), 1u);

  Status reply =
      DecodeJaegerAgentPacket(EncodeEmitBatch(b, GetParam(), true, 2), GetParam(), &batch, nullptr);
  EXPECT_EQ(reply.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reply.message(), "jaeger thrift: unexpected message type 2");

  thrift_test::Writer w(GetParam());
  w.MessageBegin("emitZipkinBatch", 4, 1);
  w.StructBegin();
  w.StructEnd();
  Status other = DecodeJaegerAgentPacket(w.bytes(), GetParam(), &batch, nullptr);
  EXPECT_EQ(other.message(), "jaeger thrift: unexpected method 'emitZipkinBatch'");
}

INSTANTIATE_TEST_SUITE_P(Protocols, JaegerThriftDecode,
                         testing::Values(ThriftProtocol::kBinary, ThriftProtocol::kCompact),
                         [](const testing::TestParamInfo<ThriftProtocol>& p) {
                           return p.param == ThriftProtocol::kBinary ? "Binary" : "Compact";
                         });

TEST(JaegerModelReferences, AFollowsFromParentIsALinkAlone) {
  // As jaeger-client-go sends a span started with FollowsFrom only:
  // parentSpanId = the referenced span, references = [FOLLOWS_FROM].
  Span span;
  span.trace_id = TraceId{1, 2};
  jaeger_model::MapReferences(
      {{static_cast<int32_t>(jaeger_model::RefType::kFollowsFrom), TraceId{1, 2}, SpanId{7}}}, 7,
      &span);
  EXPECT_EQ(span.parent_span_id.value, 0u);
  ASSERT_EQ(span.links.size(), 1u);
  EXPECT_EQ(span.links[0].span_id.value, 7u);
  EXPECT_TRUE(span.links[0].attributes.empty());  // follows-from
  // A child-of parent stays the parent, the follows-from a link.
  Span both;
  both.trace_id = TraceId{1, 2};
  jaeger_model::MapReferences(
      {{static_cast<int32_t>(jaeger_model::RefType::kFollowsFrom), TraceId{1, 2}, SpanId{7}},
       {static_cast<int32_t>(jaeger_model::RefType::kChildOf), TraceId{1, 2}, SpanId{8}}},
      8, &both);
  EXPECT_EQ(both.parent_span_id.value, 8u);
  ASSERT_EQ(both.links.size(), 1u);
  EXPECT_EQ(both.links[0].span_id.value, 7u);
  // A parent no reference names stays the parent.
  Span plain;
  plain.trace_id = TraceId{1, 2};
  jaeger_model::MapReferences({}, 9, &plain);
  EXPECT_EQ(plain.parent_span_id.value, 9u);
}

}  // namespace
}  // namespace spoor
