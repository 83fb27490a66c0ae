// SpanHasTag and SpanMatches on single span records.
#include "storage/span_match.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "storage_test_util.h"

namespace spoor {
namespace {

using storagetest::kBase;
using storagetest::kMs;
using storagetest::Kv;
using storagetest::MakeResource;
using storagetest::MakeScope;
using storagetest::MakeSpan;
using storagetest::Tid;

SpanRecord Record(Span span, std::shared_ptr<const Resource> resource = MakeResource("svc"),
                  std::shared_ptr<const Scope> scope = MakeScope()) {
  return SpanRecord{std::move(resource), std::move(scope), std::move(span), {}};
}

SpanRecord WithAttribute(std::string_view key, AnyValue value) {
  Span s = MakeSpan(Tid(1), 1, 0, "op");
  s.attributes = {Kv(key, std::move(value))};
  return Record(s);
}

// --- Where a tag can live --------------------------------------------------------

TEST(SpanHasTag, FindsSpanAttributes) {
  EXPECT_TRUE(SpanHasTag(WithAttribute("k", AnyValue::String("v")), "k", "v"));
}

TEST(SpanHasTag, FindsEventAttributes) {
  Span s = MakeSpan(Tid(1), 1, 0, "op");
  s.events.push_back(Event{kBase, Intern("first"), {Kv("x", AnyValue::String("1"))}, 0});
  s.events.push_back(Event{kBase, Intern("second"), {Kv("k", AnyValue::String("v"))}, 0});
  EXPECT_TRUE(SpanHasTag(Record(s), "k", "v"));
  EXPECT_TRUE(SpanHasTag(Record(s), "x", "1"));
}

TEST(SpanHasTag, FindsLinkAttributes) {
  Span s = MakeSpan(Tid(1), 1, 0, "op");
  s.links.push_back(Link{Tid(2), SpanId{3}, "", {Kv("k", AnyValue::String("v"))}, 0, 0});
  EXPECT_TRUE(SpanHasTag(Record(s), "k", "v"));
}

TEST(SpanHasTag, FindsResourceAttributes) {
  SpanRecord r = Record(MakeSpan(Tid(1), 1, 0, "op"),
                        MakeResource("svc", {Kv("host.name", AnyValue::String("h1"))}));
  EXPECT_TRUE(SpanHasTag(r, "host.name", "h1"));
  EXPECT_TRUE(SpanHasTag(r, "service.name", "svc"));
}

TEST(SpanHasTag, FindsScopeAttributes) {
  SpanRecord r = Record(MakeSpan(Tid(1), 1, 0, "op"), MakeResource("svc"),
                        MakeScope("lib", "", {Kv("k", AnyValue::String("v"))}));
  EXPECT_TRUE(SpanHasTag(r, "k", "v"));
}

TEST(SpanHasTag, KeyAndValueMustBelongToOneAttribute) {
  Span s = MakeSpan(Tid(1), 1, 0, "op");
  s.attributes = {Kv("a", AnyValue::String("1")), Kv("b", AnyValue::String("2"))};
  EXPECT_FALSE(SpanHasTag(Record(s), "a", "2"));
  EXPECT_FALSE(SpanHasTag(Record(s), "c", "1"));
}

TEST(SpanHasTag, RepeatedKeyMatchesAnyOfItsValues) {
  Span s = MakeSpan(Tid(1), 1, 0, "op");
  s.attributes = {Kv("k", AnyValue::String("first")), Kv("k", AnyValue::String("second"))};
  EXPECT_TRUE(SpanHasTag(Record(s), "k", "second"));
}

TEST(SpanHasTag, ComparisonIsExactAndCaseSensitive) {
  SpanRecord r = WithAttribute("k", AnyValue::String("Value"));
  EXPECT_TRUE(SpanHasTag(r, "k", "Value"));
  EXPECT_FALSE(SpanHasTag(r, "k", "value"));
  EXPECT_FALSE(SpanHasTag(r, "k", "Val"));
  EXPECT_FALSE(SpanHasTag(r, "K", "Value"));
}

// --- How values compare ----------------------------------------------------------

TEST(SpanHasTag, IntComparesByDecimalText) {
  SpanRecord r = WithAttribute("n", AnyValue::Int(123));
  EXPECT_TRUE(SpanHasTag(r, "n", "123"));
  EXPECT_FALSE(SpanHasTag(r, "n", "0123"));
  EXPECT_FALSE(SpanHasTag(r, "n", "123.0"));
  EXPECT_TRUE(SpanHasTag(WithAttribute("n", AnyValue::Int(-5)), "n", "-5"));
  EXPECT_TRUE(SpanHasTag(WithAttribute("n", AnyValue::Int(std::numeric_limits<int64_t>::max())),
                         "n", "9223372036854775807"));
}

TEST(SpanHasTag, DoubleComparesByShortestText) {
  EXPECT_TRUE(SpanHasTag(WithAttribute("d", AnyValue::Double(72.5)), "d", "72.5"));
  EXPECT_TRUE(SpanHasTag(WithAttribute("d", AnyValue::Double(3.0)), "d", "3"));
  EXPECT_TRUE(SpanHasTag(WithAttribute("d", AnyValue::Double(0.1)), "d", "0.1"));
  EXPECT_FALSE(SpanHasTag(WithAttribute("d", AnyValue::Double(72.5)), "d", "72.50"));
}

TEST(SpanHasTag, BoolComparesAsTrueOrFalse) {
  EXPECT_TRUE(SpanHasTag(WithAttribute("b", AnyValue::Bool(true)), "b", "true"));
  EXPECT_TRUE(SpanHasTag(WithAttribute("b", AnyValue::Bool(false)), "b", "false"));
  EXPECT_FALSE(SpanHasTag(WithAttribute("b", AnyValue::Bool(true)), "b", "True"));
  EXPECT_FALSE(SpanHasTag(WithAttribute("b", AnyValue::Bool(true)), "b", "1"));
}

TEST(SpanHasTag, BytesCompareAsBase64) {
  EXPECT_TRUE(SpanHasTag(WithAttribute("raw", AnyValue::Bytes("hi")), "raw", "aGk="));
  EXPECT_FALSE(SpanHasTag(WithAttribute("raw", AnyValue::Bytes("hi")), "raw", "hi"));
}

TEST(SpanHasTag, StringThatLooksLikeANumberComparesAsText) {
  EXPECT_TRUE(SpanHasTag(WithAttribute("s", AnyValue::String("500")), "s", "500"));
  EXPECT_FALSE(SpanHasTag(WithAttribute("s", AnyValue::String("500")), "s", "500.0"));
}

// --- Tags derived from span fields -----------------------------------------------

TEST(SpanHasTag, SpanKindMatchesItsJaegerName) {
  Span s = MakeSpan(Tid(1), 1, 0, "op");
  s.kind = SpanKind::kProducer;
  EXPECT_TRUE(SpanHasTag(Record(s), "span.kind", "producer"));
  EXPECT_FALSE(SpanHasTag(Record(s), "span.kind", "consumer"));
  s.kind = SpanKind::kUnspecified;
  EXPECT_FALSE(SpanHasTag(Record(s), "span.kind", ""));
  EXPECT_FALSE(SpanHasTag(Record(s), "span.kind", "unspecified"));
}

TEST(SpanHasTag, ErrorStatusMatchesErrorTrueAndStatusCode) {
  Span s = MakeSpan(Tid(1), 1, 0, "op");
  s.status = {SpanStatusCode::kError, "disk full"};
  SpanRecord r = Record(s);
  EXPECT_TRUE(SpanHasTag(r, "error", "true"));
  EXPECT_FALSE(SpanHasTag(r, "error", "false"));
  EXPECT_TRUE(SpanHasTag(r, "otel.status_code", "ERROR"));
  EXPECT_FALSE(SpanHasTag(r, "otel.status_code", "OK"));
  EXPECT_TRUE(SpanHasTag(r, "otel.status_description", "disk full"));
}

TEST(SpanHasTag, OkStatusMatchesStatusCodeOkButNotError) {
  Span s = MakeSpan(Tid(1), 1, 0, "op");
  s.status = {SpanStatusCode::kOk, ""};
  SpanRecord r = Record(s);
  EXPECT_TRUE(SpanHasTag(r, "otel.status_code", "OK"));
  EXPECT_FALSE(SpanHasTag(r, "error", "true"));
  EXPECT_FALSE(SpanHasTag(r, "otel.status_description", ""));
}

TEST(SpanHasTag, UnsetStatusMatchesNoStatusTag) {
  SpanRecord r = Record(MakeSpan(Tid(1), 1, 0, "op"));
  EXPECT_FALSE(SpanHasTag(r, "error", "true"));
  EXPECT_FALSE(SpanHasTag(r, "otel.status_code", "UNSET"));
  EXPECT_FALSE(SpanHasTag(r, "otel.status_code", ""));
}

TEST(SpanHasTag, ErrorAttributeMatchesWithoutErrorStatus) {
  EXPECT_TRUE(SpanHasTag(WithAttribute("error", AnyValue::Bool(true)), "error", "true"));
}

TEST(SpanHasTag, ScopeNameAndVersionMatch) {
  SpanRecord r = Record(MakeSpan(Tid(1), 1, 0, "op"), MakeResource("svc"),
                        MakeScope("io.opentelemetry.http", "1.4.0"));
  EXPECT_TRUE(SpanHasTag(r, "otel.scope.name", "io.opentelemetry.http"));
  EXPECT_TRUE(SpanHasTag(r, "otel.scope.version", "1.4.0"));
  EXPECT_FALSE(SpanHasTag(r, "otel.scope.name", "io.opentelemetry"));
  SpanRecord unnamed = Record(MakeSpan(Tid(1), 1, 0, "op"));
  EXPECT_FALSE(SpanHasTag(unnamed, "otel.scope.name", ""));
  EXPECT_FALSE(SpanHasTag(unnamed, "otel.scope.version", ""));
}

TEST(SpanHasTag, TraceStateMatchesW3cTracestate) {
  Span s = MakeSpan(Tid(1), 1, 0, "op");
  s.trace_state = "vendor=abc";
  EXPECT_TRUE(SpanHasTag(Record(s), "w3c.tracestate", "vendor=abc"));
  EXPECT_FALSE(SpanHasTag(Record(MakeSpan(Tid(1), 1, 0, "op")), "w3c.tracestate", ""));
}

// --- SpanMatches -----------------------------------------------------------------

TEST(SpanMatches, EmptyQueryMatchesAnySpan) {
  EXPECT_TRUE(SpanMatches(Record(MakeSpan(Tid(1), 1, 0, "op")), TraceQuery{}));
}

TEST(SpanMatches, EachConditionCanRejectTheSpan) {
  Span s = MakeSpan(Tid(1), 1, 0, "op", 10 * kMs, 5 * kMs);
  s.kind = SpanKind::kServer;
  s.attributes = {Kv("k", AnyValue::String("v"))};
  SpanRecord r = Record(s, MakeResource("svc"));

  TraceQuery all;
  all.service = "svc";
  all.operation = "op";
  all.match_kind = true;
  all.kind = SpanKind::kServer;
  all.tags = {{"k", "v"}};
  all.start_time_min_ns = kBase + 10 * kMs;
  all.start_time_max_ns = kBase + 10 * kMs;
  all.duration_min_ns = 5 * kMs;
  all.duration_max_ns = 5 * kMs;
  ASSERT_TRUE(SpanMatches(r, all));

  TraceQuery q = all;
  q.service = "other";
  EXPECT_FALSE(SpanMatches(r, q));
  q = all;
  q.operation = "other";
  EXPECT_FALSE(SpanMatches(r, q));
  q = all;
  q.kind = SpanKind::kClient;
  EXPECT_FALSE(SpanMatches(r, q));
  q = all;
  q.tags.emplace_back("missing", "x");
  EXPECT_FALSE(SpanMatches(r, q));
  q = all;
  q.start_time_min_ns = kBase + 10 * kMs + 1;
  q.start_time_max_ns = 0;
  EXPECT_FALSE(SpanMatches(r, q));
  q = all;
  q.start_time_min_ns = 0;
  q.start_time_max_ns = kBase + 10 * kMs - 1;
  EXPECT_FALSE(SpanMatches(r, q));
  q = all;
  q.duration_min_ns = 5 * kMs + 1;
  q.duration_max_ns = 0;
  EXPECT_FALSE(SpanMatches(r, q));
  q = all;
  q.duration_min_ns = 0;
  q.duration_max_ns = 5 * kMs - 1;
  EXPECT_FALSE(SpanMatches(r, q));
}

TEST(SpanMatches, MatchKindUnspecifiedSelectsSpansWithoutKind) {
  TraceQuery q;
  q.match_kind = true;
  q.kind = SpanKind::kUnspecified;
  EXPECT_TRUE(SpanMatches(Record(MakeSpan(Tid(1), 1, 0, "op")), q));
  Span server = MakeSpan(Tid(1), 1, 0, "op");
  server.kind = SpanKind::kServer;
  EXPECT_FALSE(SpanMatches(Record(server), q));
}

TEST(SpanMatches, SpanEndingBeforeItStartsHasZeroDuration) {
  Span s = MakeSpan(Tid(1), 1, 0, "op");
  s.end_time_ns = s.start_time_ns - 1;
  TraceQuery q;
  q.duration_max_ns = 1;
  EXPECT_TRUE(SpanMatches(Record(s), q));
  q.duration_max_ns = 0;
  q.duration_min_ns = 1;
  EXPECT_FALSE(SpanMatches(Record(s), q));
}

}  // namespace
}  // namespace spoor
