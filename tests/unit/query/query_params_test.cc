// Parsing of the query API's parameters: /api/traces search, trace reads,
// api_v3 searches, span kinds and tag filters.
#include "query/query_params.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "query_test_util.h"

namespace spoor {
namespace {

using querytest::Encode;
using querytest::kMs;
using querytest::kSecond;
using querytest::kUs;
using Tags = std::vector<std::pair<std::string, std::string>>;

// 2024-01-01T00:00:00Z.
constexpr uint64_t kNow = 1'704'067'200ULL * kSecond;
constexpr uint64_t kHour = 3600 * kSecond;

Result<JaegerSearchRequest> Search(std::string_view query) {
  return ParseJaegerSearch(QueryParams(query), kNow);
}

// Asserts InvalidArgument whose message names `param`.
void ExpectInvalid(const Status& status, std::string_view param) {
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.message();
  EXPECT_NE(status.message().find(param), std::string::npos)
      << "message '" << status.message() << "' does not name " << param;
}

// --- /api/traces search ----------------------------------------------------------

TEST(ParseJaegerSearch, DefaultsAreLimit100AndTheLast48Hours) {
  auto r = Search("service=svc");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const TraceQuery& q = r->query;
  EXPECT_EQ(q.service, "svc");
  EXPECT_EQ(q.operation, "");
  EXPECT_EQ(q.limit, 100u);
  EXPECT_EQ(q.start_time_max_ns, kNow);
  EXPECT_EQ(q.start_time_min_ns, kNow - 48 * kHour);
  EXPECT_EQ(q.duration_min_ns, 0u);
  EXPECT_EQ(q.duration_max_ns, 0u);
  EXPECT_FALSE(q.match_kind);
  EXPECT_TRUE(q.tags.empty());
  EXPECT_TRUE(r->trace_ids.empty());
  EXPECT_FALSE(r->raw);
}

TEST(ParseJaegerSearch, StartAndEndAreMicroseconds) {
  auto r = Search("service=svc&start=1700000000000000&end=1700000060000000");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->query.start_time_min_ns, 1'700'000'000ULL * kSecond);
  EXPECT_EQ(r->query.start_time_max_ns, 1'700'000'060ULL * kSecond);
}

TEST(ParseJaegerSearch, MissingStartIsEndMinus48Hours) {
  auto r = Search("service=svc&end=1700000000000000");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->query.start_time_max_ns, 1'700'000'000ULL * kSecond);
  EXPECT_EQ(r->query.start_time_min_ns, 1'700'000'000ULL * kSecond - 48 * kHour);
  auto empty_start = Search("service=svc&start=&end=1700000000000000");
  ASSERT_TRUE(empty_start.ok());
  EXPECT_EQ(empty_start->query.start_time_min_ns, 1'700'000'000ULL * kSecond - 48 * kHour);
}

TEST(ParseJaegerSearch, EndCloseToTheEpochDoesNotWrapTheDefaultStart) {
  auto r = Search("service=svc&end=1000");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->query.start_time_min_ns, 0u);
  EXPECT_EQ(r->query.start_time_max_ns, 1000 * kUs);
}

TEST(ParseJaegerSearch, MalformedStartOrEndNamesTheParameter) {
  ExpectInvalid(Search("service=svc&start=yesterday").status(), "'start'");
  ExpectInvalid(Search("service=svc&end=12.5").status(), "'end'");
  ExpectInvalid(Search("service=svc&end=-1").status(), "'end'");
}

// Found by fuzzing: microseconds past what uint64 nanoseconds hold used to
// wrap around into a time in the past.
TEST(ParseJaegerSearch, MicrosecondsPastTheNanosecondRangeAreRejected) {
  ExpectInvalid(Search("service=svc&end=18446744073709552").status(), "'end'");
  ExpectInvalid(Search("service=svc&start=148555359163987520").status(), "'start'");
  EXPECT_TRUE(Search("service=svc&end=18446744073709551").ok());
}

TEST(ParseJaegerSearch, DurationsAreGoDurations) {
  auto r = Search("service=svc&minDuration=500us&maxDuration=1.2s");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->query.duration_min_ns, 500 * kUs);
  EXPECT_EQ(r->query.duration_max_ns, 1200 * kMs);
  auto minutes = Search("service=svc&minDuration=3m&maxDuration=1h30m");
  ASSERT_TRUE(minutes.ok());
  EXPECT_EQ(minutes->query.duration_min_ns, 180 * kSecond);
  EXPECT_EQ(minutes->query.duration_max_ns, 90 * 60 * kSecond);
  auto nanos = Search("service=svc&minDuration=15ns&maxDuration=1.5ms");
  ASSERT_TRUE(nanos.ok());
  EXPECT_EQ(nanos->query.duration_min_ns, 15u);
  EXPECT_EQ(nanos->query.duration_max_ns, 1500 * kUs);
}

TEST(ParseJaegerSearch, MicroSignIsAcceptedForMicroseconds) {
  auto r = Search("service=svc&minDuration=" + Encode("250µs"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->query.duration_min_ns, 250 * kUs);
}

TEST(ParseJaegerSearch, MalformedDurationNamesTheParameter) {
  ExpectInvalid(Search("service=svc&minDuration=10").status(), "'minDuration'");
  ExpectInvalid(Search("service=svc&maxDuration=fast").status(), "'maxDuration'");
  ExpectInvalid(Search("service=svc&minDuration=-1s").status(), "'minDuration'");
}

TEST(ParseJaegerSearch, MaxDurationBelowMinDurationIsRejected) {
  auto r = Search("service=svc&minDuration=2s&maxDuration=1s");
  ASSERT_FALSE(r.ok());
  ExpectInvalid(r.status(), "maxDuration");
  ExpectInvalid(r.status(), "minDuration");
  EXPECT_TRUE(Search("service=svc&minDuration=1s&maxDuration=1s").ok());
}

TEST(ParseJaegerSearch, ServiceIsRequiredWithoutTraceIds) {
  ExpectInvalid(Search("operation=op").status(), "'service'");
  ExpectInvalid(Search("service=").status(), "'service'");
}

TEST(ParseJaegerSearch, TraceIdsReplaceTheServiceRequirement) {
  auto r = Search("traceID=abc&traceID=0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->trace_ids.size(), 2u);
  EXPECT_EQ(r->trace_ids[0], (TraceId{0, 0xabc}));
  EXPECT_EQ(r->trace_ids[1], (TraceId{0x0123456789abcdefULL, 0x0123456789abcdefULL}));
}

TEST(ParseJaegerSearch, MalformedTraceIdNamesTheParameter) {
  ExpectInvalid(Search("traceID=not-hex").status(), "traceID");
  ExpectInvalid(Search("service=svc&traceID=" + std::string(33, 'a')).status(), "traceID");
}

TEST(ParseJaegerSearch, TagsJsonObjectBecomesTagFilters) {
  auto r = Search("service=svc&tags=" + Encode(R"({"http.status_code":"500","error":"true"})"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->query.tags, (Tags{{"http.status_code", "500"}, {"error", "true"}}));
}

TEST(ParseJaegerSearch, TagsJsonAcceptsNumbersAndBooleans) {
  auto r = Search("service=svc&tags=" +
                  Encode(R"({"code":500,"ok":true,"no":false,"temp":72.5,"delta":-3})"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(
      r->query.tags,
      (Tags{{"code", "500"}, {"ok", "true"}, {"no", "false"}, {"temp", "72.5"}, {"delta", "-3"}}));
}

TEST(ParseJaegerSearch, MalformedTagsNameTheParameter) {
  ExpectInvalid(Search("service=svc&tags=" + Encode("{not json")).status(), "'tags'");
  ExpectInvalid(Search("service=svc&tags=" + Encode(R"(["a","b"])")).status(), "'tags'");
  ExpectInvalid(Search("service=svc&tags=" + Encode(R"({"a":{"b":1}})")).status(), "'tags'");
  ExpectInvalid(Search("service=svc&tags=" + Encode(R"({"a":[1]})")).status(), "'tags'");
  ExpectInvalid(Search("service=svc&tags=" + Encode(R"({"a":null})")).status(), "'tags'");
}

TEST(ParseJaegerSearch, RepeatedTagParametersAreKeyColonValue) {
  auto r = Search("service=svc&tag=a:1&tag=" + Encode("url:http://x/y"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  // Only the first colon separates key and value.
  EXPECT_EQ(r->query.tags, (Tags{{"a", "1"}, {"url", "http://x/y"}}));
}

TEST(ParseJaegerSearch, TagsJsonAndTagParametersCombine) {
  auto r = Search("service=svc&tags=" + Encode(R"({"a":"1"})") + "&tag=b:2");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->query.tags, (Tags{{"a", "1"}, {"b", "2"}}));
}

TEST(ParseJaegerSearch, TagWithoutKeyOrColonNamesTheParameter) {
  ExpectInvalid(Search("service=svc&tag=novalue").status(), "'tag'");
  ExpectInvalid(Search("service=svc&tag=:v").status(), "'tag'");
}

TEST(ParseJaegerSearch, LimitIsParsedAndDefaulted) {
  auto twenty = Search("service=svc&limit=20");
  ASSERT_TRUE(twenty.ok());
  EXPECT_EQ(twenty->query.limit, 20u);
  auto zero = Search("service=svc&limit=0");
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->query.limit, 100u);
  auto huge = Search("service=svc&limit=100000");
  ASSERT_TRUE(huge.ok());
  EXPECT_EQ(huge->query.limit, 100000u);  // lowered by the limits (below)
  auto empty = Search("service=svc&limit=");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->query.limit, 100u);
}

TEST(ParseJaegerSearch, MalformedLimitNamesTheParameter) {
  ExpectInvalid(Search("service=svc&limit=many").status(), "'limit'");
  ExpectInvalid(Search("service=svc&limit=-5").status(), "'limit'");
}

TEST(ParseJaegerSearch, LookbackIsIgnored) {
  auto r = Search("service=svc&lookback=1h&start=1000&end=2000");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->query.start_time_min_ns, 1000 * kUs);
  EXPECT_EQ(r->query.start_time_max_ns, 2000 * kUs);
  EXPECT_TRUE(Search("service=svc&lookback=custom").ok());
}

TEST(ParseJaegerSearch, OperationSpanKindAndRawAreRead) {
  auto r = Search("service=svc&operation=" + Encode("GET /api") + "&spanKind=client&raw=true");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->query.operation, "GET /api");
  EXPECT_TRUE(r->query.match_kind);
  EXPECT_EQ(r->query.kind, SpanKind::kClient);
  EXPECT_TRUE(r->raw);
  ExpectInvalid(Search("service=svc&spanKind=sideways").status(), "sideways");
}

TEST(ParseJaegerSearch, PlusInAValueIsASpace) {
  auto r = Search("service=my+service&operation=GET+%2Fx");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->query.service, "my service");
  EXPECT_EQ(r->query.operation, "GET /x");
}

// --- /api/traces/{id} ------------------------------------------------------------

TEST(ParseJaegerTraceRead, StartEndAndRaw) {
  auto r = ParseJaegerTraceRead(QueryParams("start=1000&end=3000&raw=true"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->hint.start_ns, 1000 * kUs);
  EXPECT_EQ(r->hint.end_ns, 3000 * kUs);
  EXPECT_TRUE(r->raw);
  auto none = ParseJaegerTraceRead(QueryParams(""));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->hint.start_ns, 0u);
  EXPECT_EQ(none->hint.end_ns, 0u);
  EXPECT_FALSE(none->raw);
  ExpectInvalid(ParseJaegerTraceRead(QueryParams("start=soon")).status(), "'start'");
}

// --- api_v3 search ---------------------------------------------------------------

constexpr const char* kWindow =
    "query.startTimeMin=2024-01-01T00:00:00Z&query.startTimeMax=2024-01-01T01:00:00Z";

TEST(ParseV3Search, CamelCaseParameters) {
  std::string query = std::string(kWindow) +
                      "&query.serviceName=svc&query.operationName=op"
                      "&query.durationMin=10ms&query.durationMax=2s&query.searchDepth=7"
                      "&query.attributes=" +
                      Encode(R"({"k":"v","n":3})") + "&query.rawTraces=true&query.spanKind=server";
  auto r = ParseV3Search(QueryParams(query));
  ASSERT_TRUE(r.ok()) << r.status().message();
  const TraceQuery& q = r->query;
  EXPECT_EQ(q.service, "svc");
  EXPECT_EQ(q.operation, "op");
  EXPECT_EQ(q.start_time_min_ns, kNow);
  EXPECT_EQ(q.start_time_max_ns, kNow + kHour);
  EXPECT_EQ(q.duration_min_ns, 10 * kMs);
  EXPECT_EQ(q.duration_max_ns, 2 * kSecond);
  EXPECT_EQ(q.limit, 7u);
  EXPECT_EQ(q.tags, (Tags{{"k", "v"}, {"n", "3"}}));
  EXPECT_TRUE(q.match_kind);
  EXPECT_EQ(q.kind, SpanKind::kServer);
  EXPECT_TRUE(r->raw);
}

TEST(ParseV3Search, SnakeCaseParameters) {
  std::string query =
      "query.start_time_min=2024-01-01T00:00:00Z&query.start_time_max=2024-01-01T01:00:00Z"
      "&query.service_name=svc&query.operation_name=op&query.duration_min=1s"
      "&query.duration_max=3s&query.search_depth=9&query.raw_traces=true&query.span_kind=client";
  auto r = ParseV3Search(QueryParams(query));
  ASSERT_TRUE(r.ok()) << r.status().message();
  const TraceQuery& q = r->query;
  EXPECT_EQ(q.service, "svc");
  EXPECT_EQ(q.operation, "op");
  EXPECT_EQ(q.start_time_min_ns, kNow);
  EXPECT_EQ(q.start_time_max_ns, kNow + kHour);
  EXPECT_EQ(q.duration_min_ns, kSecond);
  EXPECT_EQ(q.duration_max_ns, 3 * kSecond);
  EXPECT_EQ(q.limit, 9u);
  EXPECT_EQ(q.kind, SpanKind::kClient);
  EXPECT_TRUE(r->raw);
}

TEST(ParseV3Search, NumTracesIsAnAliasOfSearchDepth) {
  auto r = ParseV3Search(QueryParams(std::string(kWindow) + "&query.num_traces=4"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->query.limit, 4u);
}

TEST(ParseV3Search, DefaultsWithOnlyTheWindow) {
  auto r = ParseV3Search(QueryParams(kWindow));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->query.service, "");
  EXPECT_EQ(r->query.limit, 100u);
  EXPECT_TRUE(r->query.tags.empty());
  EXPECT_FALSE(r->query.match_kind);
  EXPECT_FALSE(r->raw);
}

TEST(ParseV3Search, StartTimeMinAndMaxAreRequired) {
  ExpectInvalid(ParseV3Search(QueryParams("query.startTimeMax=2024-01-01T00:00:00Z")).status(),
                "startTimeMin");
  ExpectInvalid(ParseV3Search(QueryParams("query.startTimeMin=2024-01-01T00:00:00Z")).status(),
                "startTimeMax");
  ExpectInvalid(ParseV3Search(QueryParams("query.serviceName=svc")).status(), "startTimeM");
}

TEST(ParseV3Search, TimesAreRfc3339WithFractionAndOffset) {
  auto r = ParseV3Search(
      QueryParams("query.startTimeMin=" + Encode("2024-01-01T01:00:00.25+01:00") +
                  "&query.startTimeMax=" + Encode("2023-12-31T19:30:00.000000001-05:00")));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->query.start_time_min_ns, kNow + 250 * kMs);
  EXPECT_EQ(r->query.start_time_max_ns, kNow + 30 * 60 * kSecond + 1);
}

TEST(ParseV3Search, MalformedTimeNamesTheParameter) {
  ExpectInvalid(ParseV3Search(QueryParams("query.startTimeMin=1704067200"
                                          "&query.startTimeMax=2024-01-01T00:00:00Z"))
                    .status(),
                "query.startTimeMin");
  ExpectInvalid(ParseV3Search(QueryParams("query.startTimeMin=2024-01-01T00:00:00Z"
                                          "&query.startTimeMax=2024-01-01"))
                    .status(),
                "query.startTimeMax");
}

TEST(ParseV3Search, MaxBeforeMinIsRejected) {
  auto r = ParseV3Search(QueryParams(
      "query.startTimeMin=2024-01-01T01:00:00Z&query.startTimeMax=2024-01-01T00:00:00Z"));
  ExpectInvalid(r.status(), "startTimeMax");
  auto d = ParseV3Search(
      QueryParams(std::string(kWindow) + "&query.durationMin=2s&query.durationMax=1s"));
  ExpectInvalid(d.status(), "query.durationMax");
}

TEST(ParseV3Search, MalformedValuesNameTheParameter) {
  std::string w = kWindow;
  ExpectInvalid(ParseV3Search(QueryParams(w + "&query.durationMin=long")).status(),
                "query.durationMin");
  ExpectInvalid(ParseV3Search(QueryParams(w + "&query.searchDepth=lots")).status(),
                "query.searchDepth");
  ExpectInvalid(ParseV3Search(QueryParams(w + "&query.attributes=" + Encode("[1]"))).status(),
                "'tags'");
  ExpectInvalid(ParseV3Search(QueryParams(w + "&query.spanKind=nope")).status(), "nope");
}

TEST(ParseV3TraceRead, StartEndAndRawTraces) {
  auto r = ParseV3TraceRead(
      QueryParams("startTime=2024-01-01T00:00:00Z&endTime=2024-01-01T01:00:00Z&rawTraces=true"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->hint.start_ns, kNow);
  EXPECT_EQ(r->hint.end_ns, kNow + kHour);
  EXPECT_TRUE(r->raw);
  auto snake = ParseV3TraceRead(QueryParams("start_time=2024-01-01T00:00:00Z&raw_traces=1"));
  ASSERT_TRUE(snake.ok());
  EXPECT_EQ(snake->hint.start_ns, kNow);
  EXPECT_TRUE(snake->raw);
  ExpectInvalid(ParseV3TraceRead(QueryParams("endTime=tomorrow")).status(), "endTime");
}

// --- Span kinds ------------------------------------------------------------------

TEST(ParseSpanKindParam, EmptyMeansEveryKind) {
  bool match = true;
  SpanKind kind = SpanKind::kServer;
  ASSERT_TRUE(ParseSpanKindParam("", &match, &kind).ok());
  EXPECT_FALSE(match);
}

TEST(ParseSpanKindParam, JaegerNamesInAnyCaseAndOtlpEnumNames) {
  const std::pair<const char*, SpanKind> cases[] = {{"server", SpanKind::kServer},
                                                    {"client", SpanKind::kClient},
                                                    {"producer", SpanKind::kProducer},
                                                    {"consumer", SpanKind::kConsumer},
                                                    {"internal", SpanKind::kInternal},
                                                    {"SERVER", SpanKind::kServer},
                                                    {"Client", SpanKind::kClient},
                                                    {"SPAN_KIND_PRODUCER", SpanKind::kProducer},
                                                    {"span_kind_consumer", SpanKind::kConsumer}};
  for (const auto& [text, want] : cases) {
    bool match = false;
    SpanKind kind = SpanKind::kUnspecified;
    Status s = ParseSpanKindParam(text, &match, &kind);
    ASSERT_TRUE(s.ok()) << text << ": " << s.message();
    EXPECT_TRUE(match) << text;
    EXPECT_EQ(kind, want) << text;
  }
}

TEST(ParseSpanKindParam, UnknownKindIsRejectedWithTheValue) {
  for (const char* text : {"bogus", "SPAN_KIND_", "server ", "2"}) {
    bool match = false;
    SpanKind kind = SpanKind::kUnspecified;
    Status s = ParseSpanKindParam(text, &match, &kind);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(s.message().find(std::string("'") + text + "'"), std::string::npos) << s.message();
    EXPECT_FALSE(match) << text;
  }
}

// --- Tag JSON --------------------------------------------------------------------

TEST(ParseTagsJson, AppendsToExistingTags) {
  Tags tags = {{"first", "1"}};
  ASSERT_TRUE(ParseTagsJson(R"({"second":"2"})", &tags).ok());
  EXPECT_EQ(tags, (Tags{{"first", "1"}, {"second", "2"}}));
}

TEST(ParseTagsJson, EmptyObjectAddsNothing) {
  Tags tags;
  ASSERT_TRUE(ParseTagsJson("{}", &tags).ok());
  EXPECT_TRUE(tags.empty());
}

TEST(ParseTagsJson, LargeUnsignedAndFractionalNumbersKeepTheirText) {
  Tags tags;
  ASSERT_TRUE(ParseTagsJson(R"({"big":18446744073709551615,"f":0.25,"whole":2.0})", &tags).ok());
  EXPECT_EQ(tags, (Tags{{"big", "18446744073709551615"}, {"f", "0.25"}, {"whole", "2"}}));
}

TEST(ParseTagsJson, UnicodeKeysAndValuesAreDecoded) {
  Tags tags;
  ASSERT_TRUE(ParseTagsJson(R"({"caf\u00e9":"na\"me"})", &tags).ok());
  EXPECT_EQ(tags, (Tags{{"caf\xC3\xA9", "na\"me"}}));
}

}  // namespace
TEST(QueryLimits, LowerTheLimitAndTheWindowStart) {
  constexpr uint64_t kHour = 3600ULL * 1000000000;
  const uint64_t now = 1000 * kHour;
  TraceQuery q;
  q.limit = 100000;
  q.start_time_min_ns = now - 48 * kHour;
  QueryLimits defaults;
  ApplyQueryLimits(defaults, now, &q);
  EXPECT_EQ(q.limit, 1500u);                         // Jaeger's cap, by default
  EXPECT_EQ(q.start_time_min_ns, now - 48 * kHour);  // no lookback limit by default
  QueryLimits tight{24 * kHour, 20, 0};
  ApplyQueryLimits(tight, now, &q);
  EXPECT_EQ(q.limit, 20u);
  EXPECT_EQ(q.start_time_min_ns, now - 24 * kHour);
  TraceQuery recent;
  recent.start_time_min_ns = now - kHour;
  ApplyQueryLimits(tight, now, &recent);
  EXPECT_EQ(recent.start_time_min_ns, now - kHour);  // within the limit: unchanged
  EXPECT_EQ(EarliestQueryTimeNs(QueryLimits{}, now), 0u);
}

}  // namespace spoor
