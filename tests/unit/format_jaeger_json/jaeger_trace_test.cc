// The Jaeger query API JSON of whole traces: span fields, derived tags,
// references, logs and processes.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/json_writer.h"
#include "formats/jaeger_json/jaeger_json.h"

namespace spoor {
namespace {

constexpr TraceId kTrace{0, 0xabc};
constexpr std::string_view kTraceHex = "0000000000000abc";

std::shared_ptr<const Resource> MakeResource(std::string_view service, Attributes extra = {}) {
  auto resource = std::make_shared<Resource>();
  if (!service.empty()) resource->attributes.push_back({"service.name", AnyValue::String(service)});
  for (KeyValue& kv : extra) resource->attributes.push_back(std::move(kv));
  resource->ResolveServiceName();
  return resource;
}

std::shared_ptr<const Scope> MakeScope(std::string_view name = "", std::string_view version = "") {
  auto scope = std::make_shared<Scope>();
  scope->name = name;
  scope->version = version;
  return scope;
}

SpanRecord MakeRecord(uint64_t span_id, std::shared_ptr<const Resource> resource = nullptr) {
  SpanRecord record;
  record.resource = resource != nullptr ? std::move(resource) : MakeResource("svc");
  record.scope = MakeScope();
  record.span.trace_id = kTrace;
  record.span.span_id = SpanId{span_id};
  record.span.name = "op";
  record.span.start_time_ns = 1'000'000;
  record.span.end_time_ns = 2'000'000;
  return record;
}

std::string Render(const Trace& trace) {
  std::string out;
  JsonWriter w(out);
  AppendJaegerTrace(trace, w);
  return out;
}

Trace OneSpan(SpanRecord record) {
  Trace trace;
  trace.trace_id = kTrace;
  trace.spans.push_back(std::move(record));
  return trace;
}

// The "tags" array of the first span, for tests about derived tags.
std::string TagsOf(const Trace& trace) {
  std::string json = Render(trace);
  size_t begin = json.find(R"("tags":[)");
  size_t end = json.find(R"(],"logs")", begin);
  EXPECT_NE(begin, std::string::npos);
  EXPECT_NE(end, std::string::npos);
  return json.substr(begin + 8, end - begin - 8);
}

std::string StringTag(std::string_view key, std::string_view value) {
  return R"({"key":")" + std::string(key) + R"(","type":"string","value":")" + std::string(value) +
         R"("})";
}

TEST(JaegerTrace, WritesEveryFieldOfASpanAndItsProcess) {
  SpanRecord record =
      MakeRecord(2, MakeResource("frontend", {{"host.name", AnyValue::String("h1")}}));
  record.span.parent_span_id = SpanId{1};
  record.span.name = "GET /";
  record.span.kind = SpanKind::kServer;
  record.span.start_time_ns = 1'500'999;  // truncated to 1500 µs
  record.span.end_time_ns = 1'751'500;    // 250.501 µs later, truncated to 250
  record.span.attributes = {{"http.method", AnyValue::String("GET")}};
  EXPECT_EQ(Render(OneSpan(std::move(record))),
            R"({"traceID":"0000000000000abc","spans":[{"traceID":"0000000000000abc",)"
            R"("spanID":"0000000000000002","operationName":"GET /","references":[)"
            R"({"refType":"CHILD_OF","traceID":"0000000000000abc","spanID":"0000000000000001"}],)"
            R"("startTime":1500,"duration":250,"tags":[)"
            R"({"key":"http.method","type":"string","value":"GET"},)"
            R"({"key":"span.kind","type":"string","value":"server"}],"logs":[],)"
            R"("processID":"p1","warnings":null}],"processes":{"p1":{"serviceName":"frontend",)"
            R"("tags":[{"key":"host.name","type":"string","value":"h1"}]}},"warnings":null})");
}

TEST(JaegerTrace, EmptyTraceHasEmptySpansAndProcesses) {
  Trace trace;
  trace.trace_id = kTrace;
  EXPECT_EQ(Render(trace),
            R"({"traceID":"0000000000000abc","spans":[],"processes":{},"warnings":null})");
}

TEST(JaegerTrace, FlagsAreOmittedWhenZero) {
  std::string json = Render(OneSpan(MakeRecord(1)));
  EXPECT_EQ(json.find("\"flags\""), std::string::npos) << json;
}

TEST(JaegerTrace, FlagsAreWrittenWhenSetWithoutOtlpOnlyBits) {
  SpanRecord record = MakeRecord(1);
  record.span.flags = 0x301;  // sampled, plus OTLP's "has is_remote"/"is_remote" bits
  std::string json = Render(OneSpan(std::move(record)));
  EXPECT_NE(json.find(R"("spanID":"0000000000000001","flags":1,"operationName")"),
            std::string::npos)
      << json;

  SpanRecord only_high = MakeRecord(1);
  only_high.span.flags = 0x100;
  json = Render(OneSpan(std::move(only_high)));
  EXPECT_EQ(json.find("\"flags\""), std::string::npos) << json;
}

TEST(JaegerTrace, RootSpanHasNoReferences) {
  std::string json = Render(OneSpan(MakeRecord(1)));
  EXPECT_NE(json.find(R"("references":[],)"), std::string::npos) << json;
}

TEST(JaegerTrace, ParentComesFirstThenLinksAsFollowsFromUnlessChildOf) {
  SpanRecord record = MakeRecord(5);
  record.span.parent_span_id = SpanId{4};
  Link plain;
  plain.trace_id = TraceId{0x1, 0x2};  // another, 128-bit trace
  plain.span_id = SpanId{0x77};
  Link child_of;
  child_of.trace_id = kTrace;
  child_of.span_id = SpanId{0x78};
  child_of.attributes = {{"opentracing.ref_type", AnyValue::String("child_of")}};
  Link follows;
  follows.trace_id = kTrace;
  follows.span_id = SpanId{0x79};
  follows.attributes = {{"opentracing.ref_type", AnyValue::String("follows_from")}};
  record.span.links = {plain, child_of, follows};
  std::string json = Render(OneSpan(std::move(record)));
  EXPECT_NE(
      json.find(
          R"("references":[)"
          R"({"refType":"CHILD_OF","traceID":"0000000000000abc","spanID":"0000000000000004"},)"
          R"({"refType":"FOLLOWS_FROM","traceID":"00000000000000010000000000000002",)"
          R"("spanID":"0000000000000077"},)"
          R"({"refType":"CHILD_OF","traceID":"0000000000000abc","spanID":"0000000000000078"},)"
          R"({"refType":"FOLLOWS_FROM","traceID":"0000000000000abc","spanID":"0000000000000079"}],)"),
      std::string::npos)
      << json;
}

TEST(JaegerTrace, LinksWithoutParentAreTheOnlyReferences) {
  SpanRecord record = MakeRecord(5);
  Link link;
  link.trace_id = kTrace;
  link.span_id = SpanId{9};
  record.span.links = {link};
  std::string json = Render(OneSpan(std::move(record)));
  EXPECT_NE(json.find(R"("references":[{"refType":"FOLLOWS_FROM","traceID":"0000000000000abc",)"
                      R"("spanID":"0000000000000009"}],)"),
            std::string::npos)
      << json;
}

TEST(JaegerTrace, HundredTwentyEightBitTraceIdIsThirtyTwoHexCharacters) {
  SpanRecord record = MakeRecord(1);
  record.span.trace_id = TraceId{0xfeed, 0xbeef};
  record.span.parent_span_id = SpanId{3};
  Trace trace = OneSpan(std::move(record));
  trace.trace_id = TraceId{0xfeed, 0xbeef};
  std::string json = Render(trace);
  const std::string hex = "000000000000feed000000000000beef";
  EXPECT_EQ(json.rfind(R"({"traceID":")" + hex + R"(","spans":)", 0), 0u) << json;
  EXPECT_NE(json.find(R"("spans":[{"traceID":")" + hex + "\""), std::string::npos) << json;
  EXPECT_NE(json.find(R"("refType":"CHILD_OF","traceID":")" + hex + "\""), std::string::npos)
      << json;
}

TEST(JaegerTrace, TraceIdFallsBackToTheSpansWhenUnset) {
  Trace trace = OneSpan(MakeRecord(1));
  trace.trace_id = TraceId{};
  EXPECT_EQ(Render(trace).rfind(R"({"traceID":"0000000000000abc",)", 0), 0u);
}

TEST(JaegerTrace, EventsBecomeLogsWithEventFieldFirstAndMicrosecondTimestamps) {
  SpanRecord record = MakeRecord(1);
  Event named;
  named.time_ns = 1'234'567'891;
  named.name = "exception";
  named.attributes = {{"exception.type", AnyValue::String("IOError")}, {"retry", AnyValue::Int(2)}};
  Event unnamed;
  unnamed.time_ns = 2'000'000'000;
  unnamed.attributes = {{"level", AnyValue::String("info")}};
  record.span.events = {named, unnamed};
  std::string json = Render(OneSpan(std::move(record)));
  EXPECT_NE(json.find(R"("logs":[{"timestamp":1234567,"fields":[)"
                      R"({"key":"event","type":"string","value":"exception"},)"
                      R"({"key":"exception.type","type":"string","value":"IOError"},)"
                      R"({"key":"retry","type":"int64","value":2}]},)"
                      R"({"timestamp":2000000,"fields":[)"
                      R"({"key":"level","type":"string","value":"info"}]}],)"),
            std::string::npos)
      << json;
}

TEST(JaegerTrace, EventAttributeNamedEventWinsOverEventName) {
  SpanRecord record = MakeRecord(1);
  Event event;
  event.time_ns = 5'000;
  event.name = "ignored";
  event.attributes = {{"event", AnyValue::String("explicit")}};
  record.span.events = {event};
  std::string json = Render(OneSpan(std::move(record)));
  EXPECT_NE(json.find(R"("logs":[{"timestamp":5,"fields":[)"
                      R"({"key":"event","type":"string","value":"explicit"}]}],)"),
            std::string::npos)
      << json;
  EXPECT_EQ(json.find("ignored"), std::string::npos) << json;
}

TEST(JaegerTrace, SpanKindBecomesTagAndUnspecifiedHasNone) {
  const std::pair<SpanKind, std::string_view> kinds[] = {{SpanKind::kServer, "server"},
                                                         {SpanKind::kClient, "client"},
                                                         {SpanKind::kProducer, "producer"},
                                                         {SpanKind::kConsumer, "consumer"},
                                                         {SpanKind::kInternal, "internal"}};
  for (const auto& [kind, name] : kinds) {
    SpanRecord record = MakeRecord(1);
    record.span.kind = kind;
    EXPECT_EQ(TagsOf(OneSpan(std::move(record))), StringTag("span.kind", name));
  }
  EXPECT_EQ(TagsOf(OneSpan(MakeRecord(1))), "");
}

TEST(JaegerTrace, ErrorStatusGivesStatusCodeErrorTagAndDescription) {
  SpanRecord record = MakeRecord(1);
  record.span.status.code = SpanStatusCode::kError;
  record.span.status.message = "connection refused";
  EXPECT_EQ(TagsOf(OneSpan(std::move(record))),
            StringTag("otel.status_code", "ERROR") +
                R"(,{"key":"error","type":"bool","value":true},)" +
                StringTag("otel.status_description", "connection refused"));
}

TEST(JaegerTrace, OkStatusGivesStatusCodeOkWithoutErrorTag) {
  SpanRecord record = MakeRecord(1);
  record.span.status.code = SpanStatusCode::kOk;
  EXPECT_EQ(TagsOf(OneSpan(std::move(record))), StringTag("otel.status_code", "OK"));
}

TEST(JaegerTrace, UnsetStatusGivesNoTags) {
  SpanRecord record = MakeRecord(1);
  record.span.status.code = SpanStatusCode::kUnset;
  EXPECT_EQ(TagsOf(OneSpan(std::move(record))), "");
}

TEST(JaegerTrace, ScopeNameAndVersionBecomeTagsOnlyWhenSet) {
  SpanRecord both = MakeRecord(1);
  both.scope = MakeScope("io.opentelemetry.http", "1.2.3");
  EXPECT_EQ(TagsOf(OneSpan(std::move(both))),
            StringTag("otel.scope.name", "io.opentelemetry.http") + "," +
                StringTag("otel.scope.version", "1.2.3"));
  SpanRecord name_only = MakeRecord(1);
  name_only.scope = MakeScope("lib");
  EXPECT_EQ(TagsOf(OneSpan(std::move(name_only))), StringTag("otel.scope.name", "lib"));
}

TEST(JaegerTrace, TraceStateBecomesW3cTracestateTag) {
  SpanRecord record = MakeRecord(1);
  record.span.trace_state = "vendor=abc";
  EXPECT_EQ(TagsOf(OneSpan(std::move(record))), StringTag("w3c.tracestate", "vendor=abc"));
}

TEST(JaegerTrace, DerivedTagsFollowAttributesInTranslatorOrder) {
  SpanRecord record = MakeRecord(1);
  record.scope = MakeScope("lib", "2");
  record.span.attributes = {{"b", AnyValue::Int(1)}, {"a", AnyValue::Bool(false)}};
  record.span.kind = SpanKind::kClient;
  record.span.status.code = SpanStatusCode::kError;
  record.span.trace_state = "k=v";
  EXPECT_EQ(TagsOf(OneSpan(std::move(record))),
            R"({"key":"b","type":"int64","value":1},{"key":"a","type":"bool","value":false},)" +
                StringTag("span.kind", "client") + "," + StringTag("otel.status_code", "ERROR") +
                R"(,{"key":"error","type":"bool","value":true},)" +
                StringTag("otel.scope.name", "lib") + "," + StringTag("otel.scope.version", "2") +
                "," + StringTag("w3c.tracestate", "k=v"));
}

TEST(JaegerTrace, DerivedTagIsNotRepeatedWhenAnAttributeHasItsKey) {
  SpanRecord record = MakeRecord(1);
  record.span.attributes = {{"span.kind", AnyValue::String("server")},
                            {"error", AnyValue::Bool(true)}};
  record.span.kind = SpanKind::kServer;
  record.span.status.code = SpanStatusCode::kError;
  EXPECT_EQ(TagsOf(OneSpan(std::move(record))),
            StringTag("span.kind", "server") + R"(,{"key":"error","type":"bool","value":true},)" +
                StringTag("otel.status_code", "ERROR"));
}

TEST(JaegerTrace, SpanWarningsAreWrittenAsArray) {
  SpanRecord record = MakeRecord(1);
  record.warnings = {"first", "second"};
  std::string json = Render(OneSpan(std::move(record)));
  EXPECT_NE(json.find(R"("processID":"p1","warnings":["first","second"]})"), std::string::npos)
      << json;
}

TEST(JaegerTrace, ProcessTagsExcludeServiceName) {
  auto resource =
      MakeResource("checkout", {{"host.name", AnyValue::String("h")}, {"pid", AnyValue::Int(42)}});
  std::string json = Render(OneSpan(MakeRecord(1, resource)));
  EXPECT_NE(json.find(R"("processes":{"p1":{"serviceName":"checkout","tags":[)"
                      R"({"key":"host.name","type":"string","value":"h"},)"
                      R"({"key":"pid","type":"int64","value":42}]}})"),
            std::string::npos)
      << json;
}

TEST(JaegerTrace, ResourceWithoutServiceNameUsesTheOtlpPlaceholder) {
  auto resource = MakeResource("", {{"host.name", AnyValue::String("h")}});
  std::string json = Render(OneSpan(MakeRecord(1, resource)));
  EXPECT_NE(json.find(R"("p1":{"serviceName":"OTLPResourceNoServiceName","tags":[)"),
            std::string::npos)
      << json;
}

TEST(JaegerTrace, EqualResourcesShareOneProcessAndIdsFollowFirstAppearance) {
  auto b1 = MakeResource("b", {{"host.name", AnyValue::String("x")}});
  auto b2 = MakeResource("b", {{"host.name", AnyValue::String("x")}});  // equal, not shared
  auto a = MakeResource("a");
  auto b_other_host = MakeResource("b", {{"host.name", AnyValue::String("y")}});
  Trace trace;
  trace.trace_id = kTrace;
  trace.spans.push_back(MakeRecord(1, b1));
  trace.spans.push_back(MakeRecord(2, a));
  trace.spans.push_back(MakeRecord(3, b2));
  trace.spans.push_back(MakeRecord(4, b_other_host));
  trace.spans.push_back(MakeRecord(5, a));
  std::string json = Render(trace);

  auto process_of = [&](std::string_view span_hex) {
    size_t at = json.find(R"("spanID":")" + std::string(span_hex) + "\"");
    EXPECT_NE(at, std::string::npos);
    size_t pid = json.find(R"("processID":")", at) + 13;
    return json.substr(pid, json.find('"', pid) - pid);
  };
  EXPECT_EQ(process_of("0000000000000001"), "p1");
  EXPECT_EQ(process_of("0000000000000002"), "p2");
  EXPECT_EQ(process_of("0000000000000003"), "p1");
  EXPECT_EQ(process_of("0000000000000004"), "p3");
  EXPECT_EQ(process_of("0000000000000005"), "p2");
  EXPECT_NE(
      json.find(
          R"("processes":{)"
          R"("p1":{"serviceName":"b","tags":[{"key":"host.name","type":"string","value":"x"}]},)"
          R"("p2":{"serviceName":"a","tags":[]},)"
          R"("p3":{"serviceName":"b","tags":[{"key":"host.name","type":"string","value":"y"}]}},)"
          R"("warnings":null})"),
      std::string::npos)
      << json;
}

TEST(JaegerTrace, SpansAreWrittenInTraceOrder) {
  Trace trace;
  trace.trace_id = kTrace;
  trace.spans.push_back(MakeRecord(9));
  trace.spans.push_back(MakeRecord(3));
  std::string json = Render(trace);
  EXPECT_LT(json.find("\"0000000000000009\""), json.find("\"0000000000000003\""));
}

TEST(JaegerTrace, DurationIsZeroWhenEndPrecedesStart) {
  SpanRecord record = MakeRecord(1);
  record.span.start_time_ns = 5'000'000;
  record.span.end_time_ns = 4'000'000;
  std::string json = Render(OneSpan(std::move(record)));
  EXPECT_NE(json.find(R"("startTime":5000,"duration":0,)"), std::string::npos) << json;
}

}  // namespace
}  // namespace spoor
