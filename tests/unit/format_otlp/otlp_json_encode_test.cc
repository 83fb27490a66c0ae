#include "formats/otlp/otlp_json_encode.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "formats/otlp/otlp_decode.h"
#include "otlp_test_util.h"

namespace spoor {
namespace {

using testing::FullBatch;
using testing::Kv;

std::string Encode(const std::vector<Trace>& traces) {
  std::string out;
  JsonWriter w(out);
  AppendOtlpJsonTraces(traces, w);
  return out;
}

// The batch as storage would return it: one Trace per trace ID, records
// keeping the batch's shared resources and scopes.
std::vector<Trace> ToTraces(const SpanBatch& batch) {
  std::vector<Trace> traces;
  for (const ResourceSpans& rs : batch.resource_spans) {
    for (const ScopeSpans& ss : rs.scope_spans) {
      for (const Span& span : ss.spans) {
        auto it = std::find_if(traces.begin(), traces.end(),
                               [&](const Trace& t) { return t.trace_id == span.trace_id; });
        if (it == traces.end()) it = traces.insert(traces.end(), Trace{span.trace_id, {}});
        it->spans.push_back(SpanRecord{rs.resource, ss.scope, span, {}});
      }
    }
  }
  return traces;
}

Span SimpleSpan(uint64_t span_id) {
  Span s;
  s.trace_id = TraceId{0, 0xabc};
  s.span_id = SpanId{span_id};
  s.name = Intern("op");
  s.start_time_ns = 1000;
  s.end_time_ns = 2000;
  return s;
}

std::shared_ptr<const Resource> ResourceFor(std::string_view service) {
  auto r = std::make_shared<Resource>();
  r->attributes = {Kv("service.name", AnyValue::String(service))};
  r->ResolveServiceName();
  return r;
}

std::shared_ptr<const Scope> ScopeNamed(std::string_view name) {
  auto s = std::make_shared<Scope>();
  s->name = Intern(name);
  return s;
}

TEST(OtlpJsonEncode, MinimalSpan_ExactOutput) {
  Trace trace{TraceId{0, 0xabc}, {}};
  trace.spans.push_back(SpanRecord{ResourceFor("svc"), ScopeNamed(""), SimpleSpan(0x1f), {}});
  EXPECT_EQ(Encode({trace}),
            R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name",)"
            R"("value":{"stringValue":"svc"}}]},"scopeSpans":[{"scope":{},"spans":[{)"
            R"("traceId":"00000000000000000000000000000abc","spanId":"000000000000001f",)"
            R"("name":"op","kind":0,"startTimeUnixNano":"1000","endTimeUnixNano":"2000"}]}]}]})");
}

TEST(OtlpJsonEncode, NoTraces_EmptyList) {
  EXPECT_EQ(Encode({}), R"({"resourceSpans":[]})");
}

TEST(OtlpJsonEncode, FullSpan_ExactOutput) {
  SpanBatch batch = FullBatch();
  batch.resource_spans[0].scope_spans[0].spans.pop_back();
  const std::string json = Encode(ToTraces(batch));
  EXPECT_EQ(
      json,
      R"({"resourceSpans":[{"resource":{"attributes":[)"
      R"({"key":"service.name","value":{"stringValue":"checkout"}},)"
      R"({"key":"host.id","value":{"intValue":"42"}}],"droppedAttributesCount":3},)"
      R"("scopeSpans":[{"scope":{"name":"io.spoor.test","version":"1.2.3","attributes":[)"
      R"({"key":"scope.attr","value":{"boolValue":true}}],"droppedAttributesCount":1},)"
      R"("spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1112131415161718",)"
      R"("traceState":"vendor=abc,other=x","parentSpanId":"2122232425262728","flags":769,)"
      R"("name":"GET /cart","kind":2,"startTimeUnixNano":"1700000000123456789",)"
      R"("endTimeUnixNano":"1700000000223456789","attributes":[)"
      R"({"key":"http.method","value":{"stringValue":"GET"}},)"
      R"({"key":"cache.hit","value":{"boolValue":true}},)"
      R"({"key":"http.status_code","value":{"intValue":"200"}},)"
      R"({"key":"big.negative","value":{"intValue":"-9223372036854775808"}},)"
      R"({"key":"ratio","value":{"doubleValue":0.25}},)"
      R"({"key":"payload","value":{"bytesValue":"AAH+/w=="}},)"
      R"({"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":"1"},)"
      R"({"arrayValue":{"values":[{"boolValue":false},{"kvlistValue":{"values":[)"
      R"({"key":"x","value":{"doubleValue":1.5}}]}}]}}]}}},)"
      R"({"key":"map","value":{"kvlistValue":{"values":[{"key":"inner","value":{"kvlistValue":)"
      R"({"values":[{"key":"deep","value":{"stringValue":"v"}}]}}},)"
      R"({"key":"nothing","value":{}}]}}},)"
      R"({"key":"empty.array","value":{"arrayValue":{}}},{"key":"nothing","value":{}}],)"
      R"("droppedAttributesCount":4,"events":[{"timeUnixNano":"1700000000150000000",)"
      R"("name":"exception","attributes":[{"key":"exception.message",)"
      R"("value":{"stringValue":"boom"}}],"droppedAttributesCount":2},{}],)"
      R"("droppedEventsCount":5,"links":[{"traceId":"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",)"
      R"("spanId":"b0b1b2b3b4b5b6b7","traceState":"k=v","attributes":[{"key":"link.kind",)"
      R"("value":{"stringValue":"follows"}}],"droppedAttributesCount":6,"flags":1}],)"
      R"("droppedLinksCount":7,"status":{"message":"it broke","code":2}}],)"
      R"("schemaUrl":"https://example.com/scope-schema"}],)"
      R"("schemaUrl":"https://opentelemetry.io/schemas/1.21.0"}]})");
}

TEST(OtlpJsonEncode, NonFiniteDoublesAsStrings) {
  Span span = SimpleSpan(1);
  span.attributes = {Kv("nan", AnyValue::Double(std::numeric_limits<double>::quiet_NaN())),
                     Kv("inf", AnyValue::Double(std::numeric_limits<double>::infinity())),
                     Kv("-inf", AnyValue::Double(-std::numeric_limits<double>::infinity()))};
  Trace trace{span.trace_id, {SpanRecord{ResourceFor("svc"), ScopeNamed("s"), span, {}}}};
  const std::string json = Encode({trace});
  EXPECT_NE(json.find(R"({"doubleValue":"NaN"})"), std::string::npos) << json;
  EXPECT_NE(json.find(R"({"doubleValue":"Infinity"})"), std::string::npos) << json;
  EXPECT_NE(json.find(R"({"doubleValue":"-Infinity"})"), std::string::npos) << json;
}

TEST(OtlpJsonEncode, GroupsByResourceAndScope_PointerThenValue) {
  auto svc_a = ResourceFor("a");
  auto svc_a_copy = ResourceFor("a");  // equal value, other pointer
  auto svc_b = ResourceFor("b");
  auto scope_x = ScopeNamed("x");
  auto scope_x_copy = ScopeNamed("x");
  auto scope_y = ScopeNamed("y");
  Trace t1{TraceId{0, 1}, {}};
  t1.spans.push_back(SpanRecord{svc_a, scope_x, SimpleSpan(1), {}});
  t1.spans.push_back(SpanRecord{svc_b, scope_x, SimpleSpan(2), {}});
  t1.spans.push_back(SpanRecord{svc_a, scope_y, SimpleSpan(3), {}});
  Trace t2{TraceId{0, 2}, {}};
  t2.spans.push_back(SpanRecord{svc_a_copy, scope_x_copy, SimpleSpan(4), {}});
  t2.spans.push_back(SpanRecord{svc_b, scope_x_copy, SimpleSpan(5), {}});

  SpanBatch decoded;
  Status st = DecodeOtlpJson(Encode({t1, t2}), &decoded, nullptr);
  ASSERT_TRUE(st.ok()) << st.message();
  // In order of first appearance: a{x: 1, 4; y: 3}, b{x: 2, 5}.
  ASSERT_EQ(decoded.resource_spans.size(), 2u);
  const ResourceSpans& a = decoded.resource_spans[0];
  const ResourceSpans& b = decoded.resource_spans[1];
  EXPECT_EQ(a.resource->service_name, "a");
  EXPECT_EQ(b.resource->service_name, "b");
  ASSERT_EQ(a.scope_spans.size(), 2u);
  ASSERT_EQ(b.scope_spans.size(), 1u);
  auto ids = [](const ScopeSpans& ss) {
    std::vector<uint64_t> out;
    for (const Span& s : ss.spans) out.push_back(s.span_id.value);
    return out;
  };
  EXPECT_EQ(a.scope_spans[0].scope->name, "x");
  EXPECT_EQ(ids(a.scope_spans[0]), (std::vector<uint64_t>{1, 4}));
  EXPECT_EQ(a.scope_spans[1].scope->name, "y");
  EXPECT_EQ(ids(a.scope_spans[1]), (std::vector<uint64_t>{3}));
  EXPECT_EQ(ids(b.scope_spans[0]), (std::vector<uint64_t>{2, 5}));
}

TEST(OtlpJsonEncode, SchemaUrlKeepsGroupsApart) {
  auto plain = ResourceFor("a");
  auto with_schema = std::make_shared<Resource>(*plain);
  with_schema->schema_url = "https://example.com/s";
  auto scope = ScopeNamed("x");
  Trace t{TraceId{0, 1}, {}};
  t.spans.push_back(SpanRecord{plain, scope, SimpleSpan(1), {}});
  t.spans.push_back(SpanRecord{with_schema, scope, SimpleSpan(2), {}});
  SpanBatch decoded;
  ASSERT_TRUE(DecodeOtlpJson(Encode({t}), &decoded, nullptr).ok());
  ASSERT_EQ(decoded.resource_spans.size(), 2u);
  EXPECT_EQ(decoded.resource_spans[0].resource->schema_url, "");
  EXPECT_EQ(decoded.resource_spans[1].resource->schema_url, "https://example.com/s");
}

TEST(OtlpJsonEncode, RoundTrip_ReproducesBatchExactly) {
  SpanBatch original = FullBatch();
  // A second resource with its own scope, spans of a second trace, and the
  // values the JSON mapping writes in special forms.
  ResourceSpans& other = original.resource_spans.emplace_back();
  other.resource = ResourceFor("other");
  ScopeSpans& ss = other.scope_spans.emplace_back();
  ss.scope = ScopeNamed("other.scope");
  Span special = SimpleSpan(0xffffffffffffffffULL);
  special.trace_id = TraceId{0xffffffffffffffffULL, 0xffffffffffffffffULL};
  special.start_time_ns = std::numeric_limits<uint64_t>::max();
  special.kind = SpanKind::kConsumer;
  special.status.code = SpanStatusCode::kOk;
  special.flags = 0xffffffffu;
  special.attributes = {Kv("nan", AnyValue::Double(std::numeric_limits<double>::quiet_NaN())),
                        Kv("inf", AnyValue::Double(-std::numeric_limits<double>::infinity())),
                        Kv("tiny", AnyValue::Double(5e-324)),
                        Kv("huge", AnyValue::Double(1.7976931348623157e308)),
                        Kv("max", AnyValue::Int(std::numeric_limits<int64_t>::max())),
                        Kv("unicode", AnyValue::String("h\xc3\xa9llo \"quoted\" <tag> \n\t")),
                        Kv("empty.kvlist", testing::KvList({})),
                        Kv("", AnyValue::String("empty key"))};
  ss.spans = {special};

  SpanBatch decoded;
  DecodeStats stats;
  Status st = DecodeOtlpJson(Encode(ToTraces(original)), &decoded, &stats);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(stats.rejected_spans, 0u);
  testing::ExpectBatchEq(decoded, original);
}

TEST(OtlpJsonEncode, RecordsWithoutResourceOrScope_WrittenUnderEmptyOnes) {
  Trace t{TraceId{0, 1}, {SpanRecord{nullptr, nullptr, SimpleSpan(1), {}}}};
  SpanBatch decoded;
  ASSERT_TRUE(DecodeOtlpJson(Encode({t}), &decoded, nullptr).ok());
  ASSERT_EQ(decoded.SpanCount(), 1u);
  EXPECT_TRUE(decoded.resource_spans[0].resource->attributes.empty());
  EXPECT_EQ(decoded.resource_spans[0].scope_spans[0].scope->name, "");
}

}  // namespace
}  // namespace spoor
