// Malformed input: truncation, wrong types, impossible lengths, deep
// nesting and garbage fail with InvalidArgument (saying where) and leave the
// outputs unchanged; unknown fields of every type are skipped.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include "formats/jaeger_thrift/jaeger_thrift_decode.h"
#include "thrift_writer.h"

namespace spoor {
namespace {

using namespace thrift_test;  // NOLINT(google-build-using-namespace)

JBatch SampleBatch() {
  JBatch b;
  b.process.service_name = "svc";
  b.process.tags = {{StrTag("host", "h1"), DoubleTag("load", 1.5)}};
  JSpan s;
  s.trace_id_low = 1;
  s.trace_id_high = 2;
  s.span_id = 3;
  s.parent_span_id = 4;
  s.operation_name = "op";
  s.references = {{JRef{1, 1, 2, 9}}};
  s.flags = 1;
  s.start_time = 1000;
  s.duration = 10;
  s.tags = {{StrTag("a", "b"), StrTag("marker", "MARKER-VALUE"), BoolTag("ok", true),
             LongTag("n", 300), BinaryTag("x", "yz")}};
  s.logs = {{{.timestamp = 1001, .fields = {StrTag("event", "e"), BoolTag("f", false)}}}};
  b.spans = {s, s};
  b.seq_no = 5;
  return b;
}

class JaegerThriftMalformed : public testing::TestWithParam<ThriftProtocol> {
 protected:
  ThriftProtocol protocol() const { return GetParam(); }

  // Expects `bytes` to fail as a Batch without touching the outputs, and
  // returns the message.
  std::string BatchError(const std::string& bytes) { return Error(bytes, false); }
  std::string PacketError(const std::string& bytes) { return Error(bytes, true); }

  std::string Error(const std::string& bytes, bool packet) {
    SpanBatch batch;
    batch.resource_spans.emplace_back();
    DecodeStats stats;
    stats.rejected_spans = 7;
    Status s = packet ? DecodeJaegerAgentPacket(bytes, protocol(), &batch, &stats)
                      : DecodeJaegerThriftBatch(bytes, protocol(), &batch, &stats);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.message();
    EXPECT_EQ(batch.resource_spans.size(), 1u);
    EXPECT_EQ(stats.rejected_spans, 7u);
    EXPECT_TRUE(stats.rejection_reason.empty());
    return s.message();
  }

  // A Batch whose only span is written by `span_fields` (inside the Span
  // struct), after the IDs.
  template <typename F>
  std::string BatchWithSpan(F&& span_fields) {
    Writer w(protocol());
    w.StructBegin();
    w.FieldBegin(TType::kList, 2);
    w.ListBegin(TType::kStruct, 1);
    w.StructBegin();
    w.FieldBegin(TType::kI64, 1);
    w.I64(1);
    w.FieldBegin(TType::kI64, 3);
    w.I64(2);
    span_fields(w);
    w.StructEnd();
    w.StructEnd();
    return w.bytes();
  }
};

TEST_P(JaegerThriftMalformed, EveryTruncationFails) {
  const JBatch b = SampleBatch();
  const std::string batch = EncodeBatch(b, protocol());
  for (size_t n = 0; n < batch.size(); ++n) {
    SCOPED_TRACE("batch cut at " + std::to_string(n));
    BatchError(batch.substr(0, n));
  }
  const std::string packet = EncodeEmitBatch(b, protocol());
  for (size_t n = 0; n < packet.size(); ++n) {
    SCOPED_TRACE("packet cut at " + std::to_string(n));
    PacketError(packet.substr(0, n));
  }
}

TEST_P(JaegerThriftMalformed, ErrorSaysWhere) {
  const std::string batch = EncodeBatch(SampleBatch(), protocol());
  // Cut inside the second span's second tag value.
  const size_t at = batch.rfind("MARKER-VALUE");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(BatchError(batch.substr(0, at + 3)),
            "jaeger thrift: Batch.spans[1].tags[1].vStr: truncated string");
  const std::string packet = EncodeEmitBatch(SampleBatch(), protocol());
  EXPECT_EQ(PacketError(packet.substr(0, packet.rfind("MARKER-VALUE") + 3)),
            "jaeger thrift: Batch.spans[1].tags[1].vStr: truncated string");
  EXPECT_EQ(PacketError(packet.substr(0, 1)), protocol() == ThriftProtocol::kBinary
                                                  ? "jaeger thrift: message header: truncated i32"
                                                  : "jaeger thrift: message header: truncated "
                                                    "message header");
}

TEST_P(JaegerThriftMalformed, WrongTypes) {
  Writer spans_i32(protocol());
  spans_i32.StructBegin();
  spans_i32.FieldBegin(TType::kI32, 2);
  spans_i32.I32(5);
  spans_i32.StructEnd();
  EXPECT_EQ(BatchError(spans_i32.bytes()), "jaeger thrift: Batch.spans: expected list, got i32");

  Writer spans_of_i64(protocol());
  spans_of_i64.StructBegin();
  spans_of_i64.FieldBegin(TType::kList, 2);
  spans_of_i64.ListBegin(TType::kI64, 1);
  spans_of_i64.I64(1);
  spans_of_i64.StructEnd();
  EXPECT_EQ(BatchError(spans_of_i64.bytes()),
            "jaeger thrift: Batch.spans: expected struct, got i64");

  EXPECT_EQ(BatchError(BatchWithSpan([](Writer& w) {
              w.FieldBegin(TType::kI64, 7);
              w.I64(1);
            })),
            "jaeger thrift: Batch.spans[0].flags: expected i32, got i64");
  EXPECT_EQ(BatchError(BatchWithSpan([](Writer& w) {
              w.FieldBegin(TType::kString, 8);
              w.String("now");
            })),
            "jaeger thrift: Batch.spans[0].startTime: expected i64, got string");
  EXPECT_EQ(BatchError(BatchWithSpan([](Writer& w) {
              w.FieldBegin(TType::kList, 10);
              w.ListBegin(TType::kStruct, 1);
              w.StructBegin();
              w.FieldBool(5, true);  // vBool as bool is fine
              w.FieldBegin(TType::kI64, 4);
              w.I64(1);
              w.StructEnd();
            })),
            "jaeger thrift: Batch.spans[0].tags[0].vDouble: expected double, got i64");

  Writer process_string(protocol());
  process_string.StructBegin();
  process_string.FieldBegin(TType::kString, 1);
  process_string.String("svc");
  process_string.StructEnd();
  EXPECT_EQ(BatchError(process_string.bytes()),
            "jaeger thrift: Batch.process: expected struct, got string");
}

TEST_P(JaegerThriftMalformed, ImpossibleLengths) {
  // A string claiming 2 GiB / 4 GiB: rejected before anything is allocated.
  std::string huge_string = BatchWithSpan([&](Writer& w) {
    w.FieldBegin(TType::kString, 5);
    if (w.compact()) {
      w.Varint(0xffffffffu);
    } else {
      w.I32(INT32_MAX);
    }
    w.Raw('x');
  });
  EXPECT_EQ(BatchError(huge_string),
            "jaeger thrift: Batch.spans[0].operationName: truncated string");

  if (protocol() == ThriftProtocol::kBinary) {
    std::string negative_string = BatchWithSpan([&](Writer& w) {
      w.FieldBegin(TType::kString, 5);
      w.I32(-1);
    });
    EXPECT_EQ(BatchError(negative_string),
              "jaeger thrift: Batch.spans[0].operationName: negative string length");
  }

  Writer huge_list(protocol());
  huge_list.StructBegin();
  huge_list.FieldBegin(TType::kList, 2);
  huge_list.ListBegin(TType::kStruct, 0x7fffffff);
  huge_list.StructEnd();
  EXPECT_EQ(BatchError(huge_list.bytes()),
            "jaeger thrift: Batch.spans: list of 2147483647 elements exceeds the remaining 1 "
            "bytes");

  Writer huge_map(protocol());
  huge_map.StructBegin();
  huge_map.FieldBegin(TType::kMap, 40);
  huge_map.MapBegin(TType::kString, TType::kStruct, 1'000'000);
  huge_map.StructEnd();
  EXPECT_NE(BatchError(huge_map.bytes()).find("map of 1000000 elements"), std::string::npos);

  if (protocol() == ThriftProtocol::kBinary) {
    Writer negative_list(protocol());
    negative_list.StructBegin();
    negative_list.FieldBegin(TType::kList, 2);
    negative_list.Raw(12);
    negative_list.I32(-5);
    EXPECT_EQ(BatchError(negative_list.bytes()), "jaeger thrift: Batch.spans: negative list size");
  } else {
    Writer long_varint(protocol());
    long_varint.StructBegin();
    long_varint.FieldBegin(TType::kI64, 3);
    for (int i = 0; i < 11; ++i) long_varint.Raw(0xff);
    long_varint.Raw(0);
    EXPECT_EQ(BatchError(long_varint.bytes()), "jaeger thrift: Batch: invalid varint in i64");
  }
}

// Nesting as an unknown field: `depth` lists inside each other.
std::string Nested(ThriftProtocol protocol, int depth) {
  Writer w(protocol);
  w.StructBegin();
  w.FieldBegin(TType::kList, 99);
  for (int i = 0; i < depth - 1; ++i) w.ListBegin(TType::kList, 1);
  w.ListBegin(TType::kI32, 0);
  w.StructEnd();
  return w.bytes();
}

TEST_P(JaegerThriftMalformed, DeepNesting) {
  SpanBatch batch;
  EXPECT_TRUE(DecodeJaegerThriftBatch(Nested(protocol(), 60), protocol(), &batch, nullptr).ok());
  EXPECT_EQ(BatchError(Nested(protocol(), 100'000)),
            "jaeger thrift: Batch: nesting deeper than 64");

  Writer structs(protocol());
  structs.StructBegin();
  for (int i = 0; i < 100'000; ++i) {
    structs.FieldBegin(TType::kStruct, 50);
    structs.StructBegin();
  }
  EXPECT_EQ(BatchError(structs.bytes()), "jaeger thrift: Batch: nesting deeper than 64");
}

TEST_P(JaegerThriftMalformed, UnknownFieldsOfEveryTypeAreSkipped) {
  auto unknown = [](Writer& w) {
    w.FieldBool(20, true);
    w.FieldBegin(TType::kByte, 21);
    w.Byte(-1);
    w.FieldBegin(TType::kI16, 22);
    w.I16(-300);
    w.FieldBegin(TType::kI32, 23);
    w.I32(70000);
    w.FieldBegin(TType::kI64, 24);
    w.I64(INT64_MIN);
    w.FieldBegin(TType::kDouble, 25);
    w.Double(-0.5);
    w.FieldBegin(TType::kString, 26);
    w.String("skip me");
    w.FieldBegin(TType::kStruct, 27);
    w.StructBegin();
    w.FieldBool(1, false);
    w.FieldBegin(TType::kString, 300);
    w.String("far");
    w.StructEnd();
    w.FieldBegin(TType::kMap, 28);
    w.MapBegin(TType::kString, TType::kList, 1);
    w.String("k");
    w.ListBegin(TType::kBool, 2);
    w.Bool(true);
    w.Bool(false);
    w.FieldBegin(TType::kMap, 29);
    w.MapBegin(TType::kI32, TType::kI32, 0);
    w.FieldBegin(TType::kSet, 30);
    w.ListBegin(TType::kDouble, 1);
    w.Double(1);
    w.FieldBegin(TType::kList, 31);
    w.ListBegin(TType::kStruct, 20);
    for (int i = 0; i < 20; ++i) {
      w.StructBegin();
      w.StructEnd();
    }
    w.FieldBool(12, true);  // Span.incomplete in some IDL versions
    w.FieldBegin(TType::kString, 5);
    w.String("op");
  };
  SpanBatch batch;
  Status s = DecodeJaegerThriftBatch(BatchWithSpan(unknown), protocol(), &batch, nullptr);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(batch.SpanCount(), 1u);
  const Span& span = batch.resource_spans[0].scope_spans[0].spans[0];
  EXPECT_EQ(span.name, "op");
  EXPECT_EQ(span.span_id.value, 2u);
}

TEST_P(JaegerThriftMalformed, TrailingBytesAndBadHeaders) {
  std::string batch = EncodeBatch(SampleBatch(), protocol());
  EXPECT_EQ(BatchError(batch + "xy"), "jaeger thrift: 2 bytes after the end of the message");
  std::string packet = EncodeEmitBatch(SampleBatch(), protocol());
  EXPECT_EQ(PacketError(packet + "z"), "jaeger thrift: 1 bytes after the end of the message");

  // The other protocol's packet.
  const ThriftProtocol other =
      protocol() == ThriftProtocol::kBinary ? ThriftProtocol::kCompact : ThriftProtocol::kBinary;
  PacketError(EncodeEmitBatch(SampleBatch(), other));
  if (protocol() == ThriftProtocol::kCompact) {
    std::string bad_version = packet;
    bad_version[1] = static_cast<char>((4 << 5) | 2);
    EXPECT_EQ(PacketError(bad_version),
              "jaeger thrift: message header: unsupported compact protocol version 2");
  } else {
    std::string bad_version = packet;
    bad_version[1] = 2;
    EXPECT_EQ(PacketError(bad_version),
              "jaeger thrift: message header: unsupported binary protocol version");
  }

  Writer no_batch(protocol());
  no_batch.MessageBegin("emitBatch", 4, 0);
  no_batch.StructBegin();
  no_batch.FieldBegin(TType::kI32, 2);
  no_batch.I32(1);
  no_batch.StructEnd();
  EXPECT_EQ(PacketError(no_batch.bytes()), "jaeger thrift: emitBatch without a batch");

  Writer bad_type(protocol());
  bad_type.StructBegin();
  bad_type.Raw(protocol() == ThriftProtocol::kCompact ? 0x1d : 0x07);
  EXPECT_EQ(BatchError(bad_type.bytes()), protocol() == ThriftProtocol::kCompact
                                              ? "jaeger thrift: Batch: unknown compact type 13"
                                              : "jaeger thrift: Batch: unknown field type 7");
}

TEST_P(JaegerThriftMalformed, GarbageAndMutationsNeverCrash) {
  std::mt19937 rng(12345);
  const std::string valid[] = {EncodeBatch(SampleBatch(), protocol()),
                               EncodeEmitBatch(SampleBatch(), protocol())};
  for (int i = 0; i < 20'000; ++i) {
    std::string input;
    if (i % 2 == 0) {
      input.resize(rng() % 64);
      for (char& c : input) c = static_cast<char>(rng());
    } else {
      input = valid[rng() % 2];
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) input[rng() % input.size()] = static_cast<char>(rng());
    }
    for (bool packet : {false, true}) {
      SpanBatch batch;
      DecodeStats stats;
      Status s = packet ? DecodeJaegerAgentPacket(input, protocol(), &batch, &stats)
                        : DecodeJaegerThriftBatch(input, protocol(), &batch, &stats);
      if (s.ok()) {
        for (const ResourceSpans& rs : batch.resource_spans) {
          for (const ScopeSpans& ss : rs.scope_spans) {
            for (const Span& span : ss.spans) {
              ASSERT_TRUE(span.trace_id.valid() && span.span_id.valid());
            }
          }
        }
      } else {
        ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
        ASSERT_EQ(s.message().rfind("jaeger thrift: ", 0), 0u) << s.message();
        ASSERT_TRUE(batch.resource_spans.empty());
        ASSERT_EQ(stats.rejected_spans, 0u);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Protocols, JaegerThriftMalformed,
                         testing::Values(ThriftProtocol::kBinary, ThriftProtocol::kCompact),
                         [](const testing::TestParamInfo<ThriftProtocol>& p) {
                           return p.param == ThriftProtocol::kBinary ? "Binary" : "Compact";
                         });

}  // namespace
}  // namespace spoor
