// A span sent as Jaeger Thrift and read back as Jaeger JSON (what the query
// API returns) keeps every field.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "common/json_writer.h"
#include "formats/jaeger_json/jaeger_json.h"
#include "formats/jaeger_thrift/jaeger_thrift_decode.h"
#include "thrift_writer.h"

namespace spoor {
namespace {

using namespace thrift_test;  // NOLINT(google-build-using-namespace)

// Decodes `b` and renders each decoded span as a one-span Jaeger trace.
std::vector<std::string> ToJaegerJson(const JBatch& b, ThriftProtocol protocol) {
  SpanBatch batch;
  Status s = DecodeJaegerAgentPacket(EncodeEmitBatch(b, protocol), protocol, &batch, nullptr);
  EXPECT_TRUE(s.ok()) << s.message();
  std::vector<std::string> out;
  for (const ResourceSpans& rs : batch.resource_spans) {
    for (const ScopeSpans& ss : rs.scope_spans) {
      for (const Span& span : ss.spans) {
        Trace trace;
        trace.trace_id = span.trace_id;
        trace.spans.push_back({rs.resource, ss.scope, span, {}});
        JsonWriter w(out.emplace_back());
        AppendJaegerTrace(trace, w);
      }
    }
  }
  return out;
}

JBatch FullBatch() {
  JBatch b;
  b.process.service_name = "frontend";
  b.process.tags = {{StrTag("hostname", "node-1"), LongTag("pid", 4242)}};

  // 128-bit trace ID; the parent given only as a CHILD_OF reference.
  JSpan a;
  a.trace_id_high = 0x5b8efff798038103;
  a.trace_id_low = static_cast<int64_t>(0xd269b633813fc60cULL);
  a.span_id = static_cast<int64_t>(0xeee19b7ec3c1b174ULL);
  a.operation_name = "GET /dispatch";
  a.references = {{JRef{0, a.trace_id_low, a.trace_id_high, 0x0a}, JRef{1, 0x77, 0, 0x0b},
                   JRef{0, a.trace_id_low, a.trace_id_high, 0x0c}}};
  a.flags = 3;  // sampled | debug
  a.start_time = 1'485'467'191'639'875;
  a.duration = 100'000;
  a.tags = {{StrTag("http.method", "GET"), DoubleTag("load", 0.25), BoolTag("cached", false),
             LongTag("big", INT64_MAX), LongTag("small", -3), BinaryTag("blob", "\x01\x02\xff"),
             StrTag("span.kind", "server"), BoolTag("error", true)}};
  a.logs = {{{.timestamp = 1'485'467'191'639'900,
              .fields = {StrTag("event", "cache miss"), LongTag("attempt", 2)}},
             {.timestamp = 1'485'467'191'739'000, .fields = {StrTag("message", "done")}}}};

  // 64-bit trace ID, parentSpanId, a client span.
  JSpan c;
  c.trace_id_low = 0x42;
  c.span_id = 0x43;
  c.parent_span_id = 0x41;
  c.operation_name = "redis GET";
  c.flags = 1;
  c.start_time = 1'485'467'191'700'000;
  c.duration = 250;
  c.tags = {{StrTag("span.kind", "client")}};
  b.spans = {a, c};
  return b;
}

class JaegerThriftRoundTrip : public testing::TestWithParam<ThriftProtocol> {};

TEST_P(JaegerThriftRoundTrip, EveryFieldReachesJaegerJson) {
  std::vector<std::string> json = ToJaegerJson(FullBatch(), GetParam());
  ASSERT_EQ(json.size(), 2u);
  const std::string process = R"("processes":{"p1":{"serviceName":"frontend","tags":[)"
                              R"({"key":"hostname","type":"string","value":"node-1"},)"
                              R"({"key":"pid","type":"int64","value":4242}]}},"warnings":null})";
  // The CHILD_OF parent comes first, then the other references in order.
  // error=true comes back next to the otel.status_code tag that every
  // ERROR span gets in Jaeger's view of OTLP.
  EXPECT_EQ(
      json[0],
      R"({"traceID":"5b8efff798038103d269b633813fc60c","spans":[{)"
      R"("traceID":"5b8efff798038103d269b633813fc60c","spanID":"eee19b7ec3c1b174",)"
      R"("flags":3,"operationName":"GET /dispatch","references":[)"
      R"({"refType":"CHILD_OF","traceID":"5b8efff798038103d269b633813fc60c",)"
      R"("spanID":"000000000000000a"},)"
      R"({"refType":"FOLLOWS_FROM","traceID":"0000000000000077","spanID":"000000000000000b"},)"
      R"({"refType":"CHILD_OF","traceID":"5b8efff798038103d269b633813fc60c",)"
      R"("spanID":"000000000000000c"}],)"
      R"("startTime":1485467191639875,"duration":100000,"tags":[)"
      R"({"key":"http.method","type":"string","value":"GET"},)"
      R"({"key":"load","type":"float64","value":0.25},)"
      R"({"key":"cached","type":"bool","value":false},)"
      R"({"key":"big","type":"int64","value":"9223372036854775807"},)"
      R"({"key":"small","type":"int64","value":-3},)"
      R"({"key":"blob","type":"binary","value":"AQL/"},)"
      R"({"key":"span.kind","type":"string","value":"server"},)"
      R"({"key":"otel.status_code","type":"string","value":"ERROR"},)"
      R"({"key":"error","type":"bool","value":true}],)"
      R"("logs":[{"timestamp":1485467191639900,"fields":[)"
      R"({"key":"event","type":"string","value":"cache miss"},)"
      R"({"key":"attempt","type":"int64","value":2}]},)"
      R"({"timestamp":1485467191739000,"fields":[)"
      R"({"key":"message","type":"string","value":"done"}]}],)"
      R"("processID":"p1","warnings":null}],)" +
          process);
  EXPECT_EQ(json[1],
            R"({"traceID":"0000000000000042","spans":[{)"
            R"("traceID":"0000000000000042","spanID":"0000000000000043","flags":1,)"
            R"("operationName":"redis GET","references":[)"
            R"({"refType":"CHILD_OF","traceID":"0000000000000042","spanID":"0000000000000041"}],)"
            R"("startTime":1485467191700000,"duration":250,"tags":[)"
            R"({"key":"span.kind","type":"string","value":"client"}],"logs":[],)"
            R"("processID":"p1","warnings":null}],)" +
                process);
}

INSTANTIATE_TEST_SUITE_P(Protocols, JaegerThriftRoundTrip,
                         testing::Values(ThriftProtocol::kBinary, ThriftProtocol::kCompact),
                         [](const testing::TestParamInfo<ThriftProtocol>& p) {
                           return p.param == ThriftProtocol::kBinary ? "Binary" : "Compact";
                         });

}  // namespace
}  // namespace spoor
