// Every encoding tracegen sends decodes, with Spoor's own decoders, into the
// spans of the OTLP request it came from.
#include "tools/tracegen/encodings.h"

#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "formats/jaeger_thrift/jaeger_thrift_decode.h"
#include "formats/otlp/otlp_decode.h"
#include "formats/zipkin/zipkin_decode.h"

namespace spoor::tracegen {
namespace {

// What every format carries of a span, by span ID.
using SpanFacts = std::tuple<std::string, std::string, uint64_t, uint64_t, std::string, size_t>;

std::map<std::string, SpanFacts> Facts(const SpanBatch& batch) {
  std::map<std::string, SpanFacts> out;
  for (const auto& rs : batch.resource_spans) {
    for (const auto& ss : rs.scope_spans) {
      for (const auto& span : ss.spans) {
        out[span.span_id.Hex()] = {span.trace_id.Hex32(),
                                   std::string(span.name),
                                   span.start_time_ns,
                                   span.end_time_ns,
                                   std::string(rs.resource->service_name),
                                   span.events.size()};
      }
    }
  }
  return out;
}

std::map<std::string, SpanFacts> Expected(const ExportRequest& request) {
  SpanBatch batch;
  DecodeStats stats;
  EXPECT_TRUE(DecodeOtlpProto(request.SerializeAsString(), &batch, &stats).ok());
  return Facts(batch);
}

TEST(TracegenEncodings, OtlpJsonDecodesToTheSameSpans) {
  const ExportRequest request = BuildTracegenRequest(3);
  SpanBatch batch;
  DecodeStats stats;
  ASSERT_TRUE(DecodeOtlpJson(OtlpJson(request), &batch, &stats).ok());
  EXPECT_EQ(Facts(batch), Expected(request));
  EXPECT_EQ(batch.SpanCount(), static_cast<size_t>(kSpansPerRequest));
}

TEST(TracegenEncodings, ZipkinJsonDecodesToTheSameSpans) {
  const ExportRequest request = BuildTracegenRequest(3);
  SpanBatch batch;
  DecodeStats stats;
  ASSERT_TRUE(DecodeZipkinV2Json(ZipkinV2Json(request), &batch, &stats).ok());
  EXPECT_EQ(Facts(batch), Expected(request));
}

TEST(TracegenEncodings, JaegerBatchesAreOnePerServiceAndDecodeToTheSameSpans) {
  const ExportRequest request = BuildTracegenRequest(3);
  const std::vector<WireMessage> batches = JaegerThriftBatches(request);
  ASSERT_EQ(batches.size(), static_cast<size_t>(kServices));
  SpanBatch batch;
  DecodeStats stats;
  int spans = 0;
  for (const WireMessage& m : batches) {
    ASSERT_TRUE(DecodeJaegerThriftBatch(m.bytes, ThriftProtocol::kBinary, &batch, &stats).ok());
    spans += m.spans;
  }
  EXPECT_EQ(spans, kSpansPerRequest);
  EXPECT_EQ(Facts(batch), Expected(request));
}

TEST(TracegenEncodings, EmitBatchDatagramsDecodeToTheSameSpans) {
  const ExportRequest request = BuildTracegenRequest(3);
  const std::vector<WireMessage> datagrams = JaegerEmitBatchDatagrams(request);
  ASSERT_EQ(datagrams.size(), static_cast<size_t>(kServices));
  SpanBatch batch;
  DecodeStats stats;
  for (const WireMessage& d : datagrams) {
    EXPECT_LE(d.bytes.size(), kMaxDatagramBytes);
    ASSERT_TRUE(DecodeJaegerAgentPacket(d.bytes, ThriftProtocol::kCompact, &batch, &stats).ok());
  }
  EXPECT_EQ(Facts(batch), Expected(request));
}

TEST(TracegenEncodings, EmitBatchSplitsServicesIntoDatagramsUnderTheLimit) {
  const ExportRequest request = BuildTracegenRequest(3, kDefaultRequestStartNs, kSpansPerTrace,
                                                     3000);  // ~1000 spans per service
  const std::vector<WireMessage> datagrams = JaegerEmitBatchDatagrams(request);
  EXPECT_GT(datagrams.size(), static_cast<size_t>(kServices));
  SpanBatch batch;
  DecodeStats stats;
  int spans = 0;
  for (const WireMessage& d : datagrams) {
    EXPECT_LE(d.bytes.size(), kMaxDatagramBytes);
    ASSERT_TRUE(DecodeJaegerAgentPacket(d.bytes, ThriftProtocol::kCompact, &batch, &stats).ok());
    spans += d.spans;
  }
  EXPECT_EQ(spans, 3000);
  EXPECT_EQ(Facts(batch), Expected(request));

  // A small limit: still every span, each datagram within it.
  for (const WireMessage& d : JaegerEmitBatchDatagrams(BuildTracegenRequest(3), 2000)) {
    EXPECT_LE(d.bytes.size(), 2000u);
  }
}

}  // namespace
}  // namespace spoor::tracegen
