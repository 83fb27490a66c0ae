// Cross-check against the Apache Thrift C++ library: messages written by
// code generated from thrift/jaeger.thrift decode to the same spans as the
// test writer's, and the test writer produces the same bytes. Skipped where
// the library is not installed (see tests/CMakeLists.txt).
#include <gtest/gtest.h>

#include <string>

#include "formats/jaeger_thrift/jaeger_thrift_decode.h"
#include "thrift_writer.h"

#ifdef SPOOR_HAVE_LIBTHRIFT
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <memory>

#include "Agent.h"
#include "jaeger_types.h"
#endif

namespace spoor {
namespace {

#ifdef SPOOR_HAVE_LIBTHRIFT

namespace idl = spoor_jaeger_idl;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::protocol::TCompactProtocol;
using apache::thrift::protocol::TProtocol;
using apache::thrift::transport::TMemoryBuffer;

idl::Tag Tag(const thrift_test::JTag& in) {
  idl::Tag t;
  t.key = in.key;
  t.vType = static_cast<idl::TagType::type>(in.v_type);
  if (in.v_str) t.__set_vStr(*in.v_str);
  if (in.v_double) t.__set_vDouble(*in.v_double);
  if (in.v_bool) t.__set_vBool(*in.v_bool);
  if (in.v_long) t.__set_vLong(*in.v_long);
  if (in.v_binary) t.__set_vBinary(*in.v_binary);
  return t;
}

std::vector<idl::Tag> Tags(const std::vector<thrift_test::JTag>& in) {
  std::vector<idl::Tag> out;
  for (const auto& t : in) out.push_back(Tag(t));
  return out;
}

// The same Batch as a generated struct.
idl::Batch ToIdl(const thrift_test::JBatch& in) {
  idl::Batch b;
  b.process.serviceName = in.process.service_name;
  if (in.process.tags) b.process.__set_tags(Tags(*in.process.tags));
  for (const thrift_test::JSpan& s : in.spans) {
    idl::Span span;
    span.traceIdLow = s.trace_id_low;
    span.traceIdHigh = s.trace_id_high;
    span.spanId = s.span_id;
    span.parentSpanId = s.parent_span_id;
    span.operationName = s.operation_name;
    if (s.references) {
      std::vector<idl::SpanRef> refs;
      for (const thrift_test::JRef& r : *s.references) {
        idl::SpanRef ref;
        ref.refType = static_cast<idl::SpanRefType::type>(r.ref_type);
        ref.traceIdLow = r.trace_id_low;
        ref.traceIdHigh = r.trace_id_high;
        ref.spanId = r.span_id;
        refs.push_back(ref);
      }
      span.__set_references(refs);
    }
    span.flags = s.flags;
    span.startTime = s.start_time;
    span.duration = s.duration;
    if (s.tags) span.__set_tags(Tags(*s.tags));
    if (s.logs) {
      std::vector<idl::Log> logs;
      for (const thrift_test::JLog& l : *s.logs) {
        idl::Log log;
        log.timestamp = l.timestamp;
        log.fields = Tags(l.fields);
        logs.push_back(log);
      }
      span.__set_logs(logs);
    }
    b.spans.push_back(span);
  }
  if (in.seq_no) b.__set_seqNo(*in.seq_no);
  return b;
}

std::shared_ptr<TProtocol> MakeProtocol(ThriftProtocol p, std::shared_ptr<TMemoryBuffer> buf) {
  if (p == ThriftProtocol::kCompact) return std::make_shared<TCompactProtocol>(buf);
  return std::make_shared<TBinaryProtocol>(buf);
}

thrift_test::JBatch Sample() {
  using namespace thrift_test;  // NOLINT(google-build-using-namespace)
  JBatch b;
  b.process.service_name = "frontend";
  b.process.tags = {{StrTag("hostname", "node-1"), LongTag("pid", 4242)}};
  JSpan s;
  s.trace_id_low = -2;
  s.trace_id_high = 0x1234;
  s.span_id = 77;
  s.parent_span_id = 0;
  s.operation_name = "HTTP GET";
  s.references = {{JRef{0, -2, 0x1234, 5}, JRef{1, 9, 0, 6}, JRef{0, -2, 0x1234, 7}}};
  s.flags = 3;
  s.start_time = 1'700'000'000'123'456;
  s.duration = 789;
  // More than 14 tags: the compact protocol's long list header.
  s.tags = {{StrTag("span.kind", "server"), BoolTag("error", true), DoubleTag("d", -1.25),
             BoolTag("b", false), LongTag("l", INT64_MIN), BinaryTag("x", std::string("\0\1", 2)),
             StrTag("w3c.tracestate", "a=b")}};
  for (int i = 0; i < 10; ++i) s.tags->push_back(LongTag("n" + std::to_string(i), i * 1000));
  s.logs = {{{.timestamp = 1'700'000'000'123'500,
              .fields = {StrTag("event", "retry"), BoolTag("final", true)}}}};
  b.spans = {s, s};
  b.spans[1].span_id = 78;
  b.spans[1].parent_span_id = 77;
  b.seq_no = 42;
  return b;
}

class LibThrift : public testing::TestWithParam<ThriftProtocol> {};

TEST_P(LibThrift, GeneratedCodeAndTestWriterAgree) {
  const ThriftProtocol protocol = GetParam();
  const thrift_test::JBatch sample = Sample();
  const idl::Batch batch = ToIdl(sample);

  auto body = std::make_shared<TMemoryBuffer>();
  batch.write(MakeProtocol(protocol, body).get());
  const std::string body_bytes = body->getBufferAsString();

  auto packet = std::make_shared<TMemoryBuffer>();
  idl::AgentClient client(MakeProtocol(protocol, packet));
  client.emitBatch(batch);
  const std::string packet_bytes = packet->getBufferAsString();

  SpanBatch from_library;
  Status s = DecodeJaegerThriftBatch(body_bytes, protocol, &from_library, nullptr);
  ASSERT_TRUE(s.ok()) << s.message();
  SpanBatch from_packet;
  s = DecodeJaegerAgentPacket(packet_bytes, protocol, &from_packet, nullptr);
  ASSERT_TRUE(s.ok()) << s.message();
  SpanBatch from_writer;
  s = DecodeJaegerThriftBatch(thrift_test::EncodeBatch(sample, protocol), protocol, &from_writer,
                              nullptr);
  ASSERT_TRUE(s.ok()) << s.message();

  ASSERT_EQ(from_library.SpanCount(), 2u);
  ASSERT_EQ(from_packet.SpanCount(), 2u);
  ASSERT_EQ(from_writer.SpanCount(), 2u);
  const std::vector<Span>& spans = from_library.resource_spans[0].scope_spans[0].spans;
  EXPECT_EQ(spans, from_packet.resource_spans[0].scope_spans[0].spans);
  EXPECT_EQ(spans, from_writer.resource_spans[0].scope_spans[0].spans);
  EXPECT_EQ(*from_library.resource_spans[0].resource, *from_writer.resource_spans[0].resource);
  EXPECT_EQ(spans[0].trace_id, (TraceId{0x1234, UINT64_MAX - 1}));
  EXPECT_EQ(spans[0].parent_span_id.value, 5u);
  EXPECT_EQ(spans[0].links.size(), 2u);
  EXPECT_EQ(spans[0].kind, SpanKind::kServer);
  EXPECT_EQ(spans[0].status.code, SpanStatusCode::kError);
  EXPECT_EQ(spans[0].trace_state, "a=b");
  EXPECT_EQ(spans[0].attributes.size(), 14u);  // 17 tags, 3 of them span fields
  EXPECT_EQ(spans[0].events.at(0).name, "retry");

  // The test writer is byte-for-byte what the library writes.
  EXPECT_EQ(thrift_test::EncodeBatch(sample, protocol), body_bytes);
  EXPECT_EQ(thrift_test::EncodeEmitBatch(sample, protocol, true, thrift::kMessageOneway, 0),
            packet_bytes);
}

INSTANTIATE_TEST_SUITE_P(Protocols, LibThrift,
                         testing::Values(ThriftProtocol::kBinary, ThriftProtocol::kCompact),
                         [](const testing::TestParamInfo<ThriftProtocol>& p) {
                           return p.param == ThriftProtocol::kBinary ? "Binary" : "Compact";
                         });

#else

TEST(LibThrift, GeneratedCodeAndTestWriterAgree) {
  GTEST_SKIP() << "built without the Apache Thrift compiler and C++ library";
}

#endif

}  // namespace
}  // namespace spoor
