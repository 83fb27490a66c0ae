// The seeds of fuzz/jaeger_thrift_fuzz.cc. They are checked here to decode;
// with SPOOR_WRITE_FUZZ_SEEDS=DIR set, they are also written to DIR
// (fuzz/corpus/jaeger_thrift_fuzz/; commit the output):
//
//   SPOOR_WRITE_FUZZ_SEEDS=fuzz/corpus/jaeger_thrift_fuzz
//   build/tests/unit_format_jaeger_thrift_tests --gtest_filter='JaegerThriftFuzzSeeds.*'
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "formats/jaeger_thrift/jaeger_thrift_decode.h"
#include "thrift_writer.h"

namespace spoor {
namespace {

using namespace thrift_test;  // NOLINT(google-build-using-namespace)

JBatch SeedBatch() {
  JBatch b;
  b.process.service_name = "frontend";
  b.process.tags = {{StrTag("hostname", "node-1")}};
  JSpan s;
  s.trace_id_low = 0x5b8efff798038103;
  s.trace_id_high = 0x1d269b633813fc60;
  s.span_id = 0x1ee19b7ec3c1b174;
  s.operation_name = "GET /dispatch";
  s.references = {{JRef{0, s.trace_id_low, s.trace_id_high, 0x0a}, JRef{1, 0x77, 0, 0x0b}}};
  s.flags = 1;
  s.start_time = 1'485'467'191'639'875;
  s.duration = 100'000;
  s.tags = {{StrTag("span.kind", "server"), BoolTag("error", true), DoubleTag("load", 0.5),
             LongTag("n", 7), BinaryTag("x", "ab")}};
  s.logs = {{{.timestamp = 1'485'467'191'639'900, .fields = {StrTag("event", "retry")}}}};
  b.spans = {s};
  b.seq_no = 1;
  return b;
}

// The fuzz target's first byte: bit 0 compact, bit 1 agent packet.
std::vector<std::pair<std::string, std::string>> Seeds() {
  const JBatch b = SeedBatch();
  return {
      {"batch_binary", '\x00' + EncodeBatch(b, ThriftProtocol::kBinary)},
      {"packet_compact", '\x03' + EncodeEmitBatch(b, ThriftProtocol::kCompact)},
      {"packet_binary", '\x02' + EncodeEmitBatch(b, ThriftProtocol::kBinary)},
  };
}

TEST(JaegerThriftFuzzSeeds, DecodeAndAreWrittenOnRequest) {
  const char* dir = std::getenv("SPOOR_WRITE_FUZZ_SEEDS");
  for (const auto& [name, bytes] : Seeds()) {
    const auto protocol = (bytes[0] & 1) != 0 ? ThriftProtocol::kCompact : ThriftProtocol::kBinary;
    const std::string_view input = std::string_view(bytes).substr(1);
    SpanBatch batch;
    Status s = (bytes[0] & 2) != 0 ? DecodeJaegerAgentPacket(input, protocol, &batch, nullptr)
                                   : DecodeJaegerThriftBatch(input, protocol, &batch, nullptr);
    ASSERT_TRUE(s.ok()) << name << ": " << s.message();
    EXPECT_EQ(batch.SpanCount(), 1u) << name;
    if (dir != nullptr) {
      std::ofstream out(std::string(dir) + "/" + name, std::ios::binary);
      out << bytes;
      ASSERT_TRUE(out.good()) << "cannot write " << dir << "/" << name;
    }
  }
}

}  // namespace
}  // namespace spoor
