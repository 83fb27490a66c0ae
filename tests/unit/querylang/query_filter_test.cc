// The query language (docs/query-language.md) as data: a fixed set of
// traces, a table of queries with the traces each must select (every
// operator, every structure, negative cases, precedence), a table of bad
// queries with the message and position each must give, and the search
// each query narrows to (a superset: every expected trace still matches).
#include "querylang/query_filter.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "model/string_table.h"
#include "storage/span_match.h"

namespace spoor {
namespace {

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kBase = 1'700'000'000'000'000'000;

std::shared_ptr<const Resource> ResourceOf(const std::string& service,
                                           std::vector<KeyValue> more = {}) {
  auto r = std::make_shared<Resource>();
  r->attributes.push_back({Intern("service.name"), AnyValue::String(service)});
  for (KeyValue& kv : more) r->attributes.push_back(std::move(kv));
  r->ResolveServiceName();
  return r;
}

struct SpanSpec {
  std::string service;
  std::string name;
  uint64_t id = 0;
  uint64_t parent = 0;
  SpanKind kind = SpanKind::kServer;
  uint64_t start_ms = 0;
  uint64_t duration_ms = 0;
  std::vector<KeyValue> attributes;
  SpanStatusCode status = SpanStatusCode::kUnset;
  std::string status_message;
  std::vector<KeyValue> resource;
};

Trace MakeTrace(uint64_t trace, const std::vector<SpanSpec>& specs) {
  Trace t;
  t.trace_id = TraceId{0, trace};
  auto scope = std::make_shared<Scope>();
  for (const SpanSpec& s : specs) {
    SpanRecord r;
    r.resource = ResourceOf(s.service, s.resource);
    r.scope = scope;
    r.span.trace_id = t.trace_id;
    r.span.span_id = SpanId{s.id};
    r.span.parent_span_id = SpanId{s.parent};
    r.span.name = Intern(s.name);
    r.span.kind = s.kind;
    r.span.start_time_ns = kBase + s.start_ms * kMs;
    r.span.end_time_ns = r.span.start_time_ns + s.duration_ms * kMs;
    r.span.attributes = s.attributes;
    r.span.status.code = s.status;
    r.span.status.message = s.status_message;
    t.spans.push_back(std::move(r));
  }
  return t;
}

KeyValue Kv(const char* key, AnyValue v) {
  return {Intern(key), std::move(v)};
}

// The fixed data set, by name.
const std::map<std::string, Trace>& Traces() {
  static const auto* traces = new std::map<std::string, Trace>{
      {"ok", MakeTrace(1,
                       {
                           {"frontend", "GET /checkout", 11, 0, SpanKind::kServer, 0, 120},
                           {"api",
                            "POST /orders",
                            12,
                            11,
                            SpanKind::kServer,
                            10,
                            80,
                            {Kv("http.status_code", AnyValue::Int(200))}},
                           {"db",
                            "SELECT",
                            13,
                            12,
                            SpanKind::kClient,
                            20,
                            30,
                            {Kv("db.system", AnyValue::String("postgres"))}},
                       })},
      {"failed", MakeTrace(2,
                           {
                               {"frontend", "GET /checkout", 21, 0, SpanKind::kServer, 0, 2500},
                               {"api",
                                "POST /orders",
                                22,
                                21,
                                SpanKind::kServer,
                                10,
                                2400,
                                {Kv("http.status_code", AnyValue::Int(503))},
                                SpanStatusCode::kError,
                                "upstream down"},
                               {"db", "SELECT", 23, 22, SpanKind::kClient, 20, 2200},
                           })},
      {"search", MakeTrace(3,
                           {
                               {"frontend",
                                "GET /search",
                                31,
                                0,
                                SpanKind::kServer,
                                0,
                                50,
                                {Kv("http.method", AnyValue::String("GET"))}},
                               {"search",
                                "query",
                                32,
                                31,
                                SpanKind::kInternal,
                                5,
                                40,
                                {Kv("hits", AnyValue::Int(12)), Kv("ratio", AnyValue::Double(0.5)),
                                 Kv("cached", AnyValue::Bool(true))}},
                           })},
      {"batch", MakeTrace(4,
                          {
                              {"worker",
                               "run",
                               41,
                               0,
                               SpanKind::kProducer,
                               0,
                               3000,
                               {},
                               SpanStatusCode::kUnset,
                               "",
                               {Kv("deployment.environment", AnyValue::String("prod"))}},
                              {"worker",
                               "step1",
                               42,
                               41,
                               SpanKind::kConsumer,
                               100,
                               500,
                               {},
                               SpanStatusCode::kError,
                               "",
                               {}},
                          })},
      // No root: its parent was never received.
      {"orphan", MakeTrace(5,
                           {
                               {"api",
                                "POST /orders",
                                51,
                                99,
                                SpanKind::kServer,
                                0,
                                10,
                                {},
                                SpanStatusCode::kError,
                                ""},
                           })},
  };
  return *traces;
}

std::set<std::string> Selected(const QueryFilter& f) {
  std::set<std::string> out;
  for (const auto& [name, trace] : Traces()) {
    if (f.Matches(trace)) out.insert(name);
  }
  return out;
}

struct Case {
  const char* query;
  std::set<std::string> expected;
};

const std::vector<Case>& Cases() {
  static const auto* cases = new std::vector<Case>{
      {"{ }", {"ok", "failed", "search", "batch", "orphan"}},
      {"{}", {"ok", "failed", "search", "batch", "orphan"}},
      // Intrinsics.
      {R"({ resource.service.name = "frontend" })", {"ok", "failed", "search"}},
      {R"({ name = "GET /checkout" })", {"ok", "failed"}},
      {R"({ name != "GET /checkout" && resource.service.name = "frontend" })", {"search"}},
      {R"({ name =~ "GET .*" })", {"ok", "failed", "search"}},
      {R"({ name =~ "GET" })", {}},  // fully anchored
      {R"({ name !~ "GET .*" && resource.service.name = "frontend" })", {}},
      {R"({ status = error })", {"failed", "batch", "orphan"}},
      {R"({ status = ok })", {}},
      {R"({ status != error && kind = server })", {"ok", "failed", "search"}},
      {R"({ kind = server && duration > 300ms })", {"failed"}},
      {R"({ kind = consumer })", {"batch"}},
      {R"({ kind = unspecified })", {}},
      {R"({ duration >= 2.2s })", {"failed", "batch"}},
      {R"({ duration > 2.2s && duration < 2500ms })", {"failed"}},
      {R"({ duration < 40ms })", {"ok", "orphan"}},
      {R"({ duration = 40ms })", {"search"}},
      {R"({ statusMessage = "upstream down" })", {"failed"}},
      {R"({ statusMessage =~ "upstream.*" })", {"failed"}},
      // Attributes, typed.
      {R"({ span.http.status_code >= 500 })", {"failed"}},
      {R"({ span.http.status_code = 200 })", {"ok"}},
      {R"({ span.http.status_code = "200" })", {}},
      {R"({ span.http.status_code != 200 })", {"failed"}},
      {R"({ .hits > 10 && span.ratio < 1 })", {"search"}},
      {R"({ span.ratio = 0.5 })", {"search"}},
      {R"({ span.ratio >= 1 })", {}},
      {R"({ span.cached = true })", {"search"}},
      {R"({ span.cached = false })", {}},
      {R"({ span.db.system =~ "post.*" })", {"ok"}},
      {R"({ resource.deployment.environment = "prod" })", {"batch"}},
      {R"({ .deployment.environment = "prod" })", {"batch"}},
      {R"({ span.deployment.environment = "prod" })", {}},
      {R"({ span.missing != "x" })", {}},
      {R"({ span."http.method" = "GET" })", {"search"}},
      // Trace-level.
      {R"({ traceDuration > 2s })", {"failed", "batch"}},
      {R"({ traceDuration <= 50ms })", {"search", "orphan"}},
      {R"({ rootServiceName = "frontend" })", {"ok", "failed", "search"}},
      {R"({ rootName = "run" })", {"batch"}},
      {R"({ rootServiceName = "api" })", {}},  // the orphan has no root
      // Structure.
      {R"({ resource.service.name = "frontend" } >> { status = error })", {"failed"}},
      {R"({ resource.service.name = "frontend" } > { resource.service.name = "db" })", {}},
      {R"({ resource.service.name = "frontend" } >> { resource.service.name = "db" })",
       {"ok", "failed"}},
      {R"({ resource.service.name = "api" } > { resource.service.name = "db" })", {"ok", "failed"}},
      {R"({ kind = producer } > { kind = consumer && status = error })", {"batch"}},
      {R"({ } > { name = "POST /orders" })", {"ok", "failed"}},
      {R"({ name = "GET /checkout" } > { name = "POST /orders" } > { name = "SELECT" })",
       {"ok", "failed"}},
      // Sets across spans.
      {R"({ resource.service.name = "frontend" } && { resource.service.name = "db" })",
       {"ok", "failed"}},
      {R"({ resource.service.name = "search" } || { status = error })",
       {"failed", "search", "batch", "orphan"}},
      {R"({ resource.service.name = "frontend" } && { status = error })", {"failed"}},
      // Counts.
      {R"({ } | count() > 2)", {"ok", "failed"}},
      {R"({ } | count() = 1)", {"orphan"}},
      {R"({ status = error } | count() >= 1 | count() < 2)", {"failed", "batch", "orphan"}},
      {R"(({ status = error } | count() >= 1) && { kind = producer })", {"batch"}},
      // Precedence: && before ||, in spans and across them; ! and ().
      {R"({ resource.service.name = "db" } || { name = "run" } && { status = ok })",
       {"ok", "failed"}},
      {R"(({ resource.service.name = "db" } || { name = "run" }) && { status = error })",
       {"failed", "batch"}},
      {R"({ name = "query" || name = "run" && kind = consumer })", {"search"}},
      {R"({ (name = "query" || name = "run") && kind != consumer })", {"search", "batch"}},
      {R"({ !(status = error) && resource.service.name = "api" })", {"ok"}},
      {R"({ !status = error && resource.service.name = "api" })", {"ok"}},
      {R"({ (name = "SELECT" || name = "query") && duration > 35ms })", {"failed", "search"}},
  };
  return *cases;
}

TEST(QueryFilter, EachQuerySelectsItsTraces) {
  for (const Case& c : Cases()) {
    auto f = QueryFilter::Parse(c.query);
    ASSERT_TRUE(f.ok()) << c.query << ": " << f.status().message();
    EXPECT_EQ(Selected(*f.value()), c.expected) << c.query;
  }
}

// Every expected trace still has a span the narrowed search finds, so a
// backend that searches with it first loses nothing.
TEST(QueryFilter, NarrowedSearchesKeepEveryMatchingTrace) {
  for (const Case& c : Cases()) {
    auto f = QueryFilter::Parse(c.query);
    ASSERT_TRUE(f.ok()) << c.query;
    TraceQuery q;
    q.limit = 0;
    f.value()->NarrowSearch(&q);
    for (const std::string& name : c.expected) {
      const Trace& trace = Traces().at(name);
      bool found = false;
      for (const SpanRecord& r : trace.spans) found = found || SpanMatches(r, q);
      EXPECT_TRUE(found && TraceMatches(trace, q))
          << c.query << ": the narrowed search loses " << name;
    }
  }
}

TEST(QueryFilter, NarrowSearchTakesWhatTheFilterImplies) {
  auto f = QueryFilter::Parse(
      R"({ resource.service.name = "frontend" && name = "GET /checkout" && kind = server && )"
      R"(duration > 1s && span.http.method = "GET" && span.code = 5 })");
  ASSERT_TRUE(f.ok()) << f.status().message();
  TraceQuery q;
  f.value()->NarrowSearch(&q);
  EXPECT_EQ(q.service, "frontend");
  EXPECT_EQ(q.operation, "GET /checkout");
  EXPECT_TRUE(q.match_kind);
  EXPECT_EQ(q.kind, SpanKind::kServer);
  EXPECT_EQ(q.duration_min_ns, 1'000'000'001u);
  // A number may be stored as an int or a double: not a tag's text.
  EXPECT_EQ(q.tags, (std::vector<std::pair<std::string, std::string>>{{"http.method", "GET"}}));

  TraceQuery structural;
  QueryFilter::Parse(R"({ resource.service.name = "frontend" } >> { status = error })")
      .value()
      ->NarrowSearch(&structural);
  EXPECT_EQ(structural.service, "frontend");

  TraceQuery whole;
  QueryFilter::Parse(
      R"({ traceDuration > 2s && rootServiceName = "frontend" } && { rootName = "GET /" } && )"
      R"({ traceDuration <= 1m })")
      .value()
      ->NarrowSearch(&whole);
  EXPECT_EQ(whole.trace_duration_min_ns, 2'000'000'001u);
  EXPECT_EQ(whole.trace_duration_max_ns, 60'000'000'000u);
  EXPECT_EQ(whole.root_service, "frontend");
  EXPECT_EQ(whole.root_operation, "GET /");
  EXPECT_TRUE(whole.service.empty());

  TraceQuery negated;
  QueryFilter::Parse(R"({ !(traceDuration > 2s) || rootServiceName = "a" })")
      .value()
      ->NarrowSearch(&negated);
  EXPECT_EQ(negated.trace_duration_min_ns, 0u);
  EXPECT_TRUE(negated.root_service.empty());

  TraceQuery either;
  QueryFilter::Parse(R"({ name = "a" } || { name = "b" })").value()->NarrowSearch(&either);
  EXPECT_TRUE(either.operation.empty());  // no one span every match has
}

struct BadCase {
  std::string query;
  std::string message;  // the whole message
};

TEST(QueryFilter, BadQueriesSayWhatAndWhere) {
  const std::vector<BadCase> bad = {
      {"{ name = }", "at 10: expected a string in double quotes, found '}'"},
      {"{ foo = 1 }",
       "at 3: unknown field 'foo': an intrinsic (name, status, kind, duration, statusMessage, "
       "traceDuration, rootServiceName, rootName) or an attribute (span.foo, resource.foo, "
       ".foo)"},
      {"{ duration > 5 }", "at 14: expected a duration with its unit (300ms, 1.5s, 2m), found '5'"},
      {"{ duration =~ \"5s\" }",
       "at 15: durations take =, !=, <, <=, > or >=, not a regular expression, found \"5s\""},
      {"{ name > \"a\" }", "at 10: text takes =, !=, =~ or !~, found \"a\""},
      {"{ status = bad }", "at 12: expected error, ok or unset, found 'bad'"},
      {"{ status > error }", "at 12: status takes = or !=, found 'error'"},
      {"{ kind = sideways }",
       "at 10: expected server, client, producer, consumer, internal or unspecified, found "
       "'sideways'"},
      {"{ name = \"x\" ", "at 14: expected '}' or && or ||, found the end of the query"},
      {"{ name =~ \"(\" }", "at 11: invalid regular expression: missing ): ("},
      {"{ span.a < \"x\" }", "at 12: <, <=, > and >= compare numbers, found \"x\""},
      {"{ span.a =~ 5 }", "at 13: =~ and !~ take a regular expression in double quotes, found '5'"},
      {"{ span.a = 5s }",
       "at 12: attributes compare with a number, a string, true or false; durations are for "
       "duration and traceDuration, found '5s'"},
      {"{ } | count() > x", "at 17: expected a whole number after count() >, found 'x'"},
      {"{ } | sum() > 1", "at 7: expected count() after '|', found 'sum'"},
      {"{ } }", "at 5: unexpected '}' after the end of the query"},
      {"{ name = \"x }", "at 10: the string is not closed with '\"'"},
      {"{ span.a = 1 } >",
       "at 17: expected '{' (a span selector) or '(', found the end of the query"},
      {"name = \"x\"", "at 1: expected '{' (a span selector) or '(', found 'name'"},
      {"{ name \"x\" }",
       "at 8: expected a comparison (=, !=, =~, !~, <, <=, >, >=) after 'name', found \"x\""},
      {"{ # }", "at 3: unexpected character '#'"},
      // Positions count characters: "ü" is one (two bytes of UTF-8).
      {"{ name = \"\xC3\xBC\" && x }",
       "at 17: unknown field 'x': an intrinsic (name, status, kind, duration, statusMessage, "
       "traceDuration, rootServiceName, rootName) or an attribute (span.x, resource.x, .x)"},
      {"{ \xC3\xA9 = 1 }", "at 3: unexpected character '\xC3\xA9'"},
      {"", "at 1: expected '{' (a span selector) or '(', found the end of the query"},
      {std::string(100, '(') + "{ }" + std::string(100, ')'), "at 65: the query nests too deeply"},
      {std::string(QueryFilter::kMaxLength + 1, ' '), "the query is longer than 8192 characters"},
  };
  for (const BadCase& c : bad) {
    auto f = QueryFilter::Parse(c.query);
    ASSERT_FALSE(f.ok()) << c.query;
    EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(f.status().message(), c.message) << c.query.substr(0, 80);
  }
}

TEST(QueryFilter, AnEmptyTraceMatchesNothing) {
  EXPECT_FALSE(QueryFilter::Parse("{ }").value()->Matches(Trace{}));
}

}  // namespace
}  // namespace spoor
